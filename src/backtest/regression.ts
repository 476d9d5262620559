/**
 * The backtest regression gate (X-BT-4): committed baselines of a few backtests' total PnL, max drawdown and trade
 * count, and the comparison that names every figure that moved by more than the tolerance (±2 % by default). Pure;
 * the test suite runs the backtests and fails on any deviation this reports.
 */
import { Decimal } from '../domain/money.ts';
import type { Metrics } from './report/types.ts';

/** One committed baseline: the figures a backtest gave when it was recorded. */
export interface Baseline {
  readonly totalPnl: string;
  readonly maxDrawdown: number;
  readonly trades: number;
}

/** One figure outside the tolerance. */
export interface Deviation {
  readonly metric: keyof Baseline;
  readonly baseline: string;
  readonly actual: string;
  /** |actual − baseline| / |baseline| (Infinity when the baseline is 0 and the actual is not). */
  readonly relative: number;
}

const relative = (actual: Decimal, baseline: Decimal): number =>
  baseline.isZero() ? (actual.isZero() ? 0 : Number.POSITIVE_INFINITY) : actual.minus(baseline).abs().div(baseline.abs()).toNumber();

/** Returns the baseline figures of a run's metrics. */
export const baselineOf = (m: Metrics): Baseline => ({ totalPnl: m.totalPnl, maxDrawdown: m.maxDrawdown, trades: m.trades });

/** Returns every figure of `actual` that deviates from `baseline` by more than `tolerance` (a fraction). */
export const deviations = (actual: Baseline, baseline: Baseline, tolerance = 0.02): Deviation[] => {
  const out: Deviation[] = [];
  const check = (metric: keyof Baseline, a: Decimal, b: Decimal): void => {
    const r = relative(a, b);
    if (r > tolerance) out.push({ metric, baseline: b.toString(), actual: a.toString(), relative: r });
  };
  check('totalPnl', new Decimal(actual.totalPnl), new Decimal(baseline.totalPnl));
  check('maxDrawdown', new Decimal(actual.maxDrawdown), new Decimal(baseline.maxDrawdown));
  check('trades', new Decimal(actual.trades), new Decimal(baseline.trades));
  return out;
};

/** Returns a readable line per deviation ("totalPnl 49193.14 → 50669 (+3.00 %, limit ±2 %)"). */
export const describeDeviations = (name: string, found: ReadonlyArray<Deviation>, tolerance = 0.02): string =>
  found.map((d) => `${name}: ${d.metric} moved from ${d.baseline} to ${d.actual} (${(d.relative * 100).toFixed(2)} %, limit ±${(tolerance * 100).toFixed(0)} %)`).join('\n');
