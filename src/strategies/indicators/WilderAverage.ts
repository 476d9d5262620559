/**
 * Wilder's smoothing (the RMA of RSI, ATR and ADX): the first value is the simple mean of the first `period` inputs,
 * then each input moves it by 1/period, avg ← (avg·(period − 1) + x) / period. Wilder's running sums (TR14, +DM14 in
 * his worksheets) are this average times the period, so their ratios are the same. O(1) per input; pure apart from
 * its own state.
 */

/** Wilder's moving average over a number stream. */
export class WilderAverage {
  readonly period: number;
  private seeded = 0;
  private seedSum = 0;
  private average: number | undefined;

  /** Creates the average (`period` ≥ 1; the caller checks it). */
  constructor(period: number) {
    this.period = period;
  }

  /** The current average, or undefined before `period` inputs. */
  get value(): number | undefined {
    return this.average;
  }

  /** Feeds `x` and returns the average after it, or undefined before `period` inputs. */
  push(x: number): number | undefined {
    if (this.average !== undefined) {
      this.average = (this.average * (this.period - 1) + x) / this.period;
      return this.average;
    }
    this.seedSum += x;
    this.seeded += 1;
    if (this.seeded === this.period) this.average = this.seedSum / this.period;
    return this.average;
  }
}
