/**
 * Bollinger Bands: the middle band is the SMA of the last `period` prices (close by default), the upper and lower
 * bands lie `multiplier` population standard deviations (divided by `period`, as the Lean reference table and TA-Lib
 * compute it) above and below. O(1) per bar over a rolling window. Pure apart from its own window.
 */
import { checkPeriod, checkPositive, series, type Indicator } from './Indicator.ts';
import { priceOf, type PriceBar, type PriceSource } from './PriceBar.ts';
import { RollingWindow } from './RollingWindow.ts';

/** Parameters of the bands (20 and 2 are Bollinger's). */
export interface BollingerOptions {
  readonly period: number;
  /** How many standard deviations the outer bands lie from the middle (> 0). */
  readonly multiplier: number;
  /** The price (default `close`). */
  readonly source?: PriceSource;
}

/** The bands after one bar. */
export interface BollingerValue {
  readonly upper: number;
  readonly middle: number;
  readonly lower: number;
  /** The population standard deviation of the window. */
  readonly stdDev: number;
}

/** Bollinger Bands. */
export class Bollinger implements Indicator<BollingerValue> {
  readonly warmUpBars: number;
  private readonly window: RollingWindow;
  private readonly multiplier: number;
  private readonly source: PriceSource;
  private current: BollingerValue | undefined;

  /** Creates the bands; throws `IndicatorError` on a bad period (at least 2) or multiplier. */
  constructor(options: BollingerOptions) {
    this.warmUpBars = checkPeriod('bollinger', options.period, 2);
    this.multiplier = checkPositive('bollinger', 'the multiplier', options.multiplier);
    this.window = new RollingWindow(options.period);
    this.source = options.source ?? 'close';
  }

  /** The bands after the last bar, or undefined before `period` bars. */
  get value(): BollingerValue | undefined {
    return this.current;
  }

  /** Feeds one bar and returns the bands after it. */
  update(bar: PriceBar): BollingerValue | undefined {
    this.window.push(priceOf(bar, this.source));
    if (!this.window.full) return undefined;
    const middle = this.window.mean;
    const stdDev = Math.sqrt(this.window.variance);
    this.current = { upper: middle + this.multiplier * stdDev, middle, lower: middle - this.multiplier * stdDev, stdDev };
    return this.current;
  }
}

/** Returns the bands after each bar of `bars` (undefined for the first `period − 1`). */
export const bollingerSeries = (bars: Iterable<PriceBar>, options: BollingerOptions): Array<BollingerValue | undefined> => series(new Bollinger(options), bars);
