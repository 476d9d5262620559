/**
 * The average true range with Wilder's smoothing. A bar's true range is the largest of high − low, |high − previous
 * close| and |low − previous close|; the first bar, having no previous close, counts its high − low (as the Lean
 * reference table does), so the first value comes after `period` bars. O(1) per bar. Pure apart from its own state.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import type { PriceBar } from './PriceBar.ts';
import { WilderAverage } from './WilderAverage.ts';

/** Parameters of an ATR. */
export interface AtrOptions {
  readonly period: number;
}

/** Returns the true range of `bar` after a bar that closed at `previousClose` (high − low when there is none). */
export const trueRange = (bar: PriceBar, previousClose: number | undefined): number =>
  previousClose === undefined ? bar.high - bar.low : Math.max(bar.high - bar.low, Math.abs(bar.high - previousClose), Math.abs(bar.low - previousClose));

/** The average true range. */
export class Atr implements Indicator<number> {
  readonly warmUpBars: number;
  private readonly average: WilderAverage;
  private previousClose: number | undefined;

  /** Creates the average; throws `IndicatorError` on a bad period. */
  constructor(options: AtrOptions) {
    this.warmUpBars = checkPeriod('atr', options.period);
    this.average = new WilderAverage(options.period);
  }

  /** The average after the last bar, or undefined before `period` bars. */
  get value(): number | undefined {
    return this.average.value;
  }

  /** Feeds one bar and returns the average after it. */
  update(bar: PriceBar): number | undefined {
    const range = trueRange(bar, this.previousClose);
    this.previousClose = bar.close;
    return this.average.push(range);
  }
}

/** Returns the ATR after each bar of `bars` (undefined for the first `period − 1`). */
export const atrSeries = (bars: Iterable<PriceBar>, options: AtrOptions): Array<number | undefined> => series(new Atr(options), bars);
