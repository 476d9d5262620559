/**
 * The distribution summaries the validation toolkit reports (walk-forward folds, Monte Carlo draws, shocks): count,
 * min, 5th percentile, median, 95th percentile, max, mean and sample standard deviation of a list of values, computed
 * in Decimal. Money summaries stay decimal text; ratio summaries are numbers rounded to 12 significant digits like the
 * report's metrics, so the bytes never depend on float noise. Percentiles interpolate linearly between order
 * statistics (Hyndman–Fan type 7, the default of NumPy and R). Pure.
 */
import { Decimal } from '../../domain/money.ts';
import { roundMoney } from '../../domain/rounding.ts';

/** A summary of a list of values; every field is null for an empty list. */
export interface Distribution<T> {
  readonly count: number;
  readonly min: T | null;
  readonly p5: T | null;
  readonly median: T | null;
  readonly p95: T | null;
  readonly max: T | null;
  readonly mean: T | null;
  /** Sample standard deviation (n − 1); 0 for a single value. */
  readonly sd: T | null;
}

/** Significant digits of the ratio outputs (as in report/metrics.ts). */
const FLOAT_DIGITS = 12;
/** Decimal places of the money mean and standard deviation, which need a division. */
const MONEY_DP = 8;

/** Returns the q-quantile (0 ≤ q ≤ 1) of sorted values, interpolating linearly between neighbours. */
export const quantile = (sorted: ReadonlyArray<Decimal>, q: number): Decimal => {
  if (sorted.length === 0) throw new RangeError('quantile of no values');
  const h = new Decimal(sorted.length - 1).times(q);
  const lo = h.floor().toNumber();
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]!.plus(sorted[hi]!.minus(sorted[lo]!).times(h.minus(lo)));
};

const summary = (values: ReadonlyArray<Decimal>): Distribution<Decimal> => {
  if (values.length === 0) return { count: 0, min: null, p5: null, median: null, p95: null, max: null, mean: null, sd: null };
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  const n = values.length;
  const mean = values.reduce((s, v) => s.plus(v), new Decimal(0)).div(n);
  const variance = n < 2 ? new Decimal(0) : values.reduce((s, v) => s.plus(v.minus(mean).pow(2)), new Decimal(0)).div(n - 1);
  return { count: n, min: sorted[0]!, p5: quantile(sorted, 0.05), median: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted[n - 1]!, mean, sd: variance.sqrt() };
};

const mapSummary = <A, B>(d: Distribution<A>, f: (a: A) => B): Distribution<B> => ({
  count: d.count, min: d.min === null ? null : f(d.min), p5: d.p5 === null ? null : f(d.p5), median: d.median === null ? null : f(d.median),
  p95: d.p95 === null ? null : f(d.p95), max: d.max === null ? null : f(d.max), mean: d.mean === null ? null : f(d.mean), sd: d.sd === null ? null : f(d.sd),
});

/** A float output: 12 significant digits, never −0. */
export const ratioOf = (x: Decimal): number => {
  const rounded = Number(x.toNumber().toPrecision(FLOAT_DIGITS));
  return rounded === 0 ? 0 : rounded;
};

/** Returns the summary of ratios (drawdowns, Sharpe ratios, returns) as numbers. */
export const ratioDistribution = (values: ReadonlyArray<number | Decimal>): Distribution<number> =>
  mapSummary(summary(values.map((v) => new Decimal(v))), ratioOf);

/** Returns the summary of money amounts as decimal text (mean and sd rounded to 8 places, the rest exact). */
export const moneyDistribution = (values: ReadonlyArray<string | Decimal>): Distribution<string> => {
  const d = summary(values.map((v) => new Decimal(v)));
  return { ...mapSummary(d, (x) => x.toString()), mean: d.mean === null ? null : roundMoney(d.mean, MONEY_DP).toString(), sd: d.sd === null ? null : roundMoney(d.sd, MONEY_DP).toString() };
};
