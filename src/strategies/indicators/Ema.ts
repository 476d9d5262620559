/**
 * The exponential moving average with α = 2 / (period + 1), seeded with the simple mean of the first `period` prices
 * (the convention of TA-Lib and of the Lean reference tables), so its first value comes after `period` bars. O(1)
 * per bar; usable on a number stream (`push`). Pure apart from its own state.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import { priceOf, type PriceBar, type PriceSource } from './PriceBar.ts';

/** Parameters of an EMA. */
export interface EmaOptions {
  readonly period: number;
  /** The price averaged (default `close`). */
  readonly source?: PriceSource;
}

/** The exponential moving average. */
export class Ema implements Indicator<number> {
  readonly warmUpBars: number;
  private readonly alpha: number;
  private readonly source: PriceSource;
  private seeded = 0;
  private seedSum = 0;
  private current: number | undefined;

  /** Creates the average; throws `IndicatorError` on a bad period. */
  constructor(options: EmaOptions) {
    this.warmUpBars = checkPeriod('ema', options.period);
    this.alpha = 2 / (options.period + 1);
    this.source = options.source ?? 'close';
  }

  /** The average after the last input, or undefined before `period` inputs. */
  get value(): number | undefined {
    return this.current;
  }

  /** Feeds one number and returns the average after it. */
  push(x: number): number | undefined {
    if (this.current !== undefined) {
      this.current += (x - this.current) * this.alpha;
      return this.current;
    }
    this.seedSum += x;
    this.seeded += 1;
    if (this.seeded === this.warmUpBars) this.current = this.seedSum / this.warmUpBars;
    return this.current;
  }

  /** Feeds one bar's price and returns the average after it. */
  update(bar: PriceBar): number | undefined {
    return this.push(priceOf(bar, this.source));
  }
}

/** Returns the EMA after each bar of `bars` (undefined for the first `period − 1`). */
export const emaSeries = (bars: Iterable<PriceBar>, options: EmaOptions): Array<number | undefined> => series(new Ema(options), bars);
