/**
 * The built-in demo strategy: a Donchian breakout on closed 1-minute bars. When a bar closes above the highest high
 * (below the lowest low) of the previous `lookbackBars` bars it proposes a long (short) with fixed TP/SL fractions;
 * after a proposal it waits `cooldownBars` bars on that symbol. Pure and deterministic.
 */
import { TradeProposal } from '../../domain/TradeProposal.ts';
import type { MarketSnapshot } from '../../market/MarketState.ts';
import type { Strategy } from '../Strategy.ts';
import { fraction } from '../stateRecords.ts';

/** Parameters of the breakout strategy (decoded from config). */
export interface BreakoutParams {
  readonly lookbackBars: number;
  readonly notionalFraction: number;
  readonly stopLossFraction: number;
  readonly takeProfitFraction: number;
  readonly cooldownBars: number;
  /** Proposal time-to-live in ms. */
  readonly ttlMs: number;
}

/** Per-symbol memory: the start time of the last bar seen, and of the bar that last produced a proposal. */
export interface BreakoutState {
  readonly lastBarStart: Readonly<Record<string, number>>;
  readonly lastSignalBarStart: Readonly<Record<string, number>>;
}

/** Creates the breakout strategy. */
export const breakoutStrategy = (params: BreakoutParams): Strategy<BreakoutState> => ({
  id: 'breakout',
  init: () => ({ lastBarStart: {}, lastSignalBarStart: {} }),
  selfCheck: () => [
    ...(params.lookbackBars < 2 ? ['lookbackBars must be at least 2'] : []),
    ...(params.takeProfitFraction <= 0 || params.stopLossFraction <= 0 ? ['takeProfitFraction and stopLossFraction must be > 0'] : []),
  ],
  propose: (snapshot: MarketSnapshot, state: BreakoutState) => {
    const proposals: TradeProposal[] = [];
    const lastBarStart = { ...state.lastBarStart };
    const lastSignalBarStart = { ...state.lastSignalBarStart };
    const symbols = [...snapshot.symbols.keys()].sort();
    for (const symbol of symbols) {
      const m = snapshot.symbols.get(symbol);
      const bars = m?.bars ?? [];
      const bar = bars[bars.length - 1];
      if (bar === undefined || bars.length < params.lookbackBars + 1) continue;
      if (lastBarStart[symbol] === bar.start) continue; // this bar was already judged
      lastBarStart[symbol] = bar.start;
      const lastSignal = lastSignalBarStart[symbol];
      if (lastSignal !== undefined && bar.start - lastSignal < params.cooldownBars * 60_000) continue;
      const window = bars.slice(bars.length - 1 - params.lookbackBars, bars.length - 1);
      const high = window.reduce((h, b) => (b.high.gt(h) ? b.high : h), window[0]!.high);
      const low = window.reduce((l, b) => (b.low.lt(l) ? b.low : l), window[0]!.low);
      const side = bar.close.gt(high) ? 'buy' : bar.close.lt(low) ? 'sell' : undefined;
      if (side === undefined) continue;
      lastSignalBarStart[symbol] = bar.start;
      proposals.push(
        new TradeProposal({
          proposalId: `breakout-${symbol}-${bar.start}`,
          strategyId: 'breakout',
          symbol,
          side,
          instrumentKind: 'perp',
          notionalFraction: fraction(params.notionalFraction),
          stopLossFraction: fraction(params.stopLossFraction),
          takeProfitFraction: fraction(params.takeProfitFraction),
          conviction: fraction(0.5),
          createdAt: snapshot.now,
          ttlMs: params.ttlMs,
        }),
      );
    }
    return { proposals, state: { lastBarStart, lastSignalBarStart } };
  },
});
