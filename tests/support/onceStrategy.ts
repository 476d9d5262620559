/**
 * A test strategy that proposes one BTCUSDT perp entry, on the first cycle with a quote, and nothing after (no
 * leverage of its own: it trades at the account's). Test support only.
 */
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';

/** Returns the one-entry strategy `once` for `side` with its proposal's ttl and fractions. */
export const onceStrategy = (opts: {
  readonly side: 'buy' | 'sell';
  readonly ttlMs: number;
  readonly stopLossFraction?: number;
  readonly takeProfitFraction?: number;
}): Strategy<number> => ({
  id: 'once',
  init: () => 0,
  propose: (snapshot, n) => ({
    proposals: n > 0 || snapshot.symbols.get('BTCUSDT')?.bid === undefined
      ? []
      : [new TradeProposal({
          proposalId: `once-${String(snapshot.now)}`, strategyId: 'once', symbol: 'BTCUSDT', side: opts.side, instrumentKind: 'perp',
          notionalFraction: 0.001 as never, stopLossFraction: (opts.stopLossFraction ?? 0.01) as never, takeProfitFraction: (opts.takeProfitFraction ?? 0.02) as never,
          conviction: 0.5 as never, createdAt: snapshot.now, ttlMs: opts.ttlMs,
        })],
    state: n + 1,
  }),
  selfCheck: () => [],
});
