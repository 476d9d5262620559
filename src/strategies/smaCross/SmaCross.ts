/**
 * `sma-cross`, the example strategy and the backtester's parity reference: on the close of each bar it compares the
 * simple moving averages of the last `fast` and `slow` closes with those of the bar before; a cross up while flat
 * proposes an all-in long, a cross down while long proposes its exit. Long only; it reads its own position from the
 * snapshot (the feedback every strategy gets). Pure and deterministic: floats only inside the averages.
 */
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { MarketSnapshot } from '../../market/MarketState.ts';
import type { Strategy } from '../Strategy.ts';
import type { SmaCrossParams } from '../../config/smaCrossSection.ts';
import { fraction } from '../stateRecords.ts';

/** Per-symbol memory: the start of the last bar judged. */
export interface SmaCrossState {
  readonly lastBarStart: Readonly<Record<string, number>>;
}

/** Returns the mean of `closes[end − length, end)`. */
const sma = (closes: ReadonlyArray<number>, end: number, length: number): number => {
  let sum = 0;
  for (let i = end - length; i < end; i++) sum += closes[i]!;
  return sum / length;
};

/** Creates the sma-cross strategy with `ttlMs` as its proposals' time to live. */
export const smaCrossStrategy = (params: SmaCrossParams, ttlMs: number): Strategy<SmaCrossState> => ({
  id: 'sma-cross',
  init: () => ({ lastBarStart: {} }),
  selfCheck: () => (params.fast < params.slow ? [] : [`fast (${params.fast}) must be shorter than slow (${params.slow})`]),
  propose: (snapshot: MarketSnapshot, state: SmaCrossState) => {
    const proposals: TradeProposal[] = [];
    let lastBarStart = state.lastBarStart;
    for (const symbol of [...snapshot.symbols.keys()].sort()) {
      const bars = snapshot.symbols.get(symbol)?.bars ?? [];
      const bar = bars[bars.length - 1];
      if (bar === undefined || lastBarStart[symbol] === bar.start) continue;
      lastBarStart = { ...lastBarStart, [symbol]: bar.start };
      if (bars.length < params.slow + 1) continue;
      const closes = bars.slice(bars.length - params.slow - 1).map((b) => b.close.toNumber());
      const n = closes.length;
      const fastNow = sma(closes, n, params.fast);
      const slowNow = sma(closes, n, params.slow);
      const fastBefore = sma(closes, n - 1, params.fast);
      const slowBefore = sma(closes, n - 1, params.slow);
      const crossUp = fastBefore <= slowBefore && fastNow > slowNow;
      const crossDown = fastBefore >= slowBefore && fastNow < slowNow;
      const held = snapshot.positions?.get(symbol);
      const side = crossUp && held === undefined ? 'buy' : crossDown && held?.side === 'long' ? 'sell' : undefined;
      if (side === undefined) continue;
      proposals.push(new TradeProposal({
        proposalId: `sma-cross-${symbol}-${bar.start}`,
        strategyId: 'sma-cross',
        symbol,
        side,
        instrumentKind: 'spot',
        notionalFraction: fraction(side === 'buy' ? params.notionalFraction : 1),
        stopLossFraction: fraction(params.stopLossFraction),
        takeProfitFraction: fraction(params.takeProfitFraction),
        conviction: fraction(1),
        createdAt: snapshot.now,
        ttlMs,
      }));
    }
    return { proposals, state: { lastBarStart } };
  },
});
