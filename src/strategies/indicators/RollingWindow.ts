/**
 * The last `size` values of a stream with their mean and population variance, each update O(1): the mean and the sum
 * of squared deviations are updated in place (Welford's method, extended to a sliding window), and once per lap of
 * the ring they are recomputed from the values held, so rounding cannot drift over a long series (amortised O(1)).
 * A window of equal values (a flat market, a run of zero volumes) has exactly that mean and a variance of exactly 0,
 * not a rounding residue whose square root would read as a standard deviation. The building block of SMA,
 * Bollinger, MFI and the rolling VWAP. Pure apart from its own buffer.
 */

/** A fixed-size sliding window over numbers. */
export class RollingWindow {
  readonly size: number;
  private readonly values: Float64Array;
  private next = 0;
  private held = 0;
  private last = Number.NaN;
  private equalRun = 0;
  private runningMean = 0;
  private squaredDeviations = 0;

  /** Creates an empty window of `size` values (`size` ≥ 1; the caller checks it). */
  constructor(size: number) {
    this.size = size;
    this.values = new Float64Array(size);
  }

  /** Whether the window holds `size` values. */
  get full(): boolean {
    return this.held === this.size;
  }

  /** The mean of the values held (0 when empty). */
  get mean(): number {
    return this.runningMean;
  }

  /** The population variance of the values held (divided by the count, not count − 1); never negative. */
  get variance(): number {
    return this.held === 0 ? 0 : Math.max(0, this.squaredDeviations / this.held);
  }

  /** Adds `x`, dropping the oldest value once the window is full. */
  push(x: number): void {
    if (this.held < this.size) {
      this.held += 1;
      const delta = x - this.runningMean;
      this.runningMean += delta / this.held;
      this.squaredDeviations += delta * (x - this.runningMean);
    } else {
      const dropped = this.values[this.next]!;
      const before = this.runningMean;
      this.runningMean = before + (x - dropped) / this.size;
      this.squaredDeviations += (x - dropped) * (x - this.runningMean + dropped - before);
    }
    this.equalRun = x === this.last ? this.equalRun + 1 : 1;
    this.last = x;
    this.values[this.next] = x;
    this.next = (this.next + 1) % this.size;
    if (this.equalRun >= this.held) {
      this.runningMean = x;
      this.squaredDeviations = 0;
    } else if (this.next === 0 && this.full) this.resync();
  }

  /** Recomputes the mean and squared deviations from the values held (two passes, exact up to rounding). */
  private resync(): void {
    let total = 0;
    for (const v of this.values) total += v;
    const mean = total / this.size;
    let squares = 0;
    for (const v of this.values) squares += (v - mean) * (v - mean);
    this.runningMean = mean;
    this.squaredDeviations = squares;
  }
}
