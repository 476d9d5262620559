/**
 * Regime slicing (S1-10): each trade of a run labelled with the market regime at its entry — bull, chop, bear or
 * crash, classified by src/market/regime.ts over the closed bars of the traded symbol (or of a reference symbol) up
 * to the entry — and the key figures of the closed trades of each regime (trades, win rate, net PnL, expectancy,
 * profit factor; report/metrics.ts `subsetMetrics`). Pure and deterministic: reads only the bars and trades it is
 * given.
 */
import type { Regime } from '../../config/risk.ts';
import { classifyRegime, regimeBarsNeeded, type RegimeParams } from '../../market/regime.ts';
import { subsetMetrics } from '../report/metrics.ts';
import type { BacktestTrade } from '../report/types.ts';
import type { Bar } from '../../venues/sim/replay/loadBarsCsv.ts';
import { ValidationError } from './errors.ts';

/** A trade's regime, or `unclassified` when its symbol had too few closed bars before the entry. */
export type RegimeLabel = Regime | 'unclassified';

/** The labels in the order the report lists them. */
export const REGIME_LABELS: ReadonlyArray<RegimeLabel> = ['bull', 'chop', 'bear', 'crash', 'unclassified'];

/** One symbol's replayed bars (oldest first) and their length. */
export interface RegimeBars {
  readonly bars: ReadonlyArray<Bar>;
  readonly intervalMs: number;
}

/** How trades are classified: on which symbol's bars (null: each trade's own) and with which parameters. */
export interface RegimeSettings {
  readonly referenceSymbol: string | null;
  readonly params: RegimeParams;
}

/** The figures of the closed trades of one regime; `open` counts the cycles still open at the end (not in the figures). */
export interface RegimeSlice {
  readonly regime: RegimeLabel;
  readonly trades: number;
  readonly winRate: number;
  readonly totalPnl: string;
  readonly expectancy: string;
  readonly profitFactor: number | null;
  readonly open: number;
}

/** What the report's `validation.regimes` holds. */
export interface RegimeReport {
  readonly method: 'regime at entry';
  /** The symbol whose bars were classified; null: each trade's own symbol. */
  readonly referenceSymbol: string | null;
  readonly params: RegimeParams;
  /** Closed bars the classifier needs before it names a regime. */
  readonly barsNeeded: number;
  /** One slice per label, in REGIME_LABELS order; their `trades` add up to the run's closed trades. */
  readonly slices: ReadonlyArray<RegimeSlice>;
  /** The label of each trade of the report's `trades`, in the same order. */
  readonly tradeRegimes: ReadonlyArray<RegimeLabel>;
}

/** Returns how many bars closed at or before `ts` (bars ascending by start; a bar closes at start + interval). */
const closedBefore = (feed: RegimeBars, ts: number): number => {
  let lo = 0;
  let hi = feed.bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (feed.bars[mid]!.start + feed.intervalMs <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Returns the regime at `ts` classified over the bars of `feed` that closed by then. */
export const regimeAt = (feed: RegimeBars, ts: number, params: RegimeParams): RegimeLabel => {
  const end = closedBefore(feed, ts);
  const needed = regimeBarsNeeded(params);
  const reading = classifyRegime(feed.bars.slice(Math.max(0, end - needed), end), params);
  return reading.kind === 'classified' ? reading.regime : 'unclassified';
};

/**
 * Returns the regime section of a run: each trade's regime at its entry and the figures per regime, on the run's
 * curve times and starting equity. Throws ValidationError (BadOption) when the reference symbol, or a trade's symbol,
 * has no replayed bars.
 */
export const regimeReport = (opts: {
  readonly trades: ReadonlyArray<BacktestTrade>;
  readonly bars: ReadonlyMap<string, RegimeBars>;
  readonly settings: RegimeSettings;
  readonly startingEquity: string;
  readonly curveTimes: ReadonlyArray<number>;
}): RegimeReport => {
  const { referenceSymbol, params } = opts.settings;
  const feedOf = (symbol: string): RegimeBars => {
    const feed = opts.bars.get(symbol);
    if (feed === undefined) {
      throw new ValidationError({ reason: 'BadOption', detail: `regime slicing: no replayed bars for ${symbol}${referenceSymbol === null ? '' : ' (backtest.regimes.referenceSymbol needs a backtest.data file)'}` });
    }
    return feed;
  };
  if (referenceSymbol !== null) feedOf(referenceSymbol);
  const tradeRegimes = opts.trades.map((t) => regimeAt(feedOf(referenceSymbol ?? t.symbol), t.entryTs, params));
  const slices = REGIME_LABELS.map((regime): RegimeSlice => {
    const mine = opts.trades.filter((_, i) => tradeRegimes[i] === regime);
    const m = subsetMetrics({ trades: mine, fills: [], startingEquity: opts.startingEquity, curveTimes: opts.curveTimes });
    return { regime, trades: m.trades, winRate: m.winRate, totalPnl: m.totalPnl, expectancy: m.expectancy, profitFactor: m.profitFactor, open: mine.filter((t) => t.exitTs === null).length };
  });
  return { method: 'regime at entry', referenceSymbol, params, barsNeeded: regimeBarsNeeded(params), slices, tradeRegimes };
};
