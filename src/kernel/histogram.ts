/**
 * A fixed-bucket histogram with the shape of a Prometheus histogram: upper bounds (`le`), a count per bucket (the
 * last one +Inf), the sum and the count; quantiles are estimated as Prometheus's `histogram_quantile` does (linear
 * inside the bucket that holds the rank), clamped to the smallest and largest value observed. Memory is fixed
 * whatever the number of observations; two runs that observe the same values report the same figures. Pure.
 */

/**
 * Bucket upper bounds (ms) of the latency histograms: five per decade (the R5 series 1, 1.6, 2.5, 4, 6.3, so an
 * interpolated quantile is within a bucket of a factor 1.6) from 0.1 ms — a loopback round trip — to one hour, a
 * resting order's wait for its fill on the virtual clock. 39 buckets and +Inf.
 */
export const LATENCY_BUCKETS_MS: ReadonlyArray<number> = [
  0.1, 0.16, 0.25, 0.4, 0.63, 1, 1.6, 2.5, 4, 6.3, 10, 16, 25, 40, 63, 100, 160, 250, 400, 630, 1_000, 1_600, 2_500, 4_000, 6_300,
  10_000, 16_000, 25_000, 40_000, 63_000, 100_000, 160_000, 250_000, 400_000, 630_000, 1_000_000, 1_600_000, 2_500_000, 3_600_000,
];

/** What a summary of a histogram reports; the quantiles and the maximum are null while it is empty. */
export interface HistogramSummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** One cumulative bucket, as an exporter writes `<name>_bucket{le="…"}`. */
export interface CumulativeBucket {
  /** The upper bound; `Infinity` for the last bucket (`+Inf`). */
  readonly le: number;
  readonly count: number;
}

/** Rounds a figure to three decimals (a microsecond, for milliseconds) for summaries. */
const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/** A histogram over fixed, strictly increasing upper bounds. */
export class Histogram {
  readonly bounds: ReadonlyArray<number>;
  /** Per-bucket (not cumulative) counts; the last entry is the +Inf bucket. */
  private readonly counts: number[];
  private total = 0;
  private sumOf = 0;
  private min = Number.POSITIVE_INFINITY;
  private maxOf = Number.NEGATIVE_INFINITY;

  constructor(bounds: ReadonlyArray<number> = LATENCY_BUCKETS_MS) {
    if (bounds.length === 0 || bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= bounds[i - 1]!))) {
      throw new RangeError('histogram bounds must be finite and strictly increasing');
    }
    this.bounds = [...bounds];
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  /** Records one value; a negative value counts as 0 and a non-finite one is ignored. */
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const v = Math.max(0, value);
    let i = 0;
    while (i < this.bounds.length && v > this.bounds[i]!) i++;
    this.counts[i]! += 1;
    this.total += 1;
    this.sumOf += v;
    if (v < this.min) this.min = v;
    if (v > this.maxOf) this.maxOf = v;
  }

  /** The number of observations. */
  count(): number {
    return this.total;
  }

  /** The sum of the observations. */
  sum(): number {
    return this.sumOf;
  }

  /** The cumulative buckets, +Inf last (Prometheus `_bucket`). */
  cumulative(): ReadonlyArray<CumulativeBucket> {
    let running = 0;
    return this.counts.map((c, i) => {
      running += c;
      return { le: this.bounds[i] ?? Number.POSITIVE_INFINITY, count: running };
    });
  }

  /** Estimates the q-quantile (0 ≤ q ≤ 1); undefined while empty. */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.min(1, Math.max(0, q)) * this.total;
    let below = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const c = this.counts[i]!;
      if (c > 0 && below + c >= rank) {
        const upper = this.bounds[i];
        // The +Inf bucket has no upper bound: its best estimate is the largest value seen.
        if (upper === undefined) return this.maxOf;
        const lower = i === 0 ? 0 : this.bounds[i - 1]!;
        const estimate = lower + (upper - lower) * ((rank - below) / c);
        return Math.min(this.maxOf, Math.max(this.min, estimate));
      }
      below += c;
    }
    return this.maxOf;
  }

  /** Count, p50, p90, p99 and max, rounded to three decimals. */
  summary(): HistogramSummary {
    const q = (p: number): number | null => {
      const v = this.quantile(p);
      return v === undefined ? null : round3(v);
    };
    return { count: this.total, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: this.total === 0 ? null : round3(this.maxOf) };
  }
}
