/**
 * The simple moving average of the last `period` prices (close by default), O(1) per bar over a rolling window.
 * Also usable on a plain number stream (`push`), which is how the example strategies' averages could use it. Pure
 * apart from its own window.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import { priceOf, type PriceBar, type PriceSource } from './PriceBar.ts';
import { RollingWindow } from './RollingWindow.ts';

/** Parameters of an SMA. */
export interface SmaOptions {
  readonly period: number;
  /** The price averaged (default `close`). */
  readonly source?: PriceSource;
}

/** The simple moving average; its first value comes after `period` bars. */
export class Sma implements Indicator<number> {
  readonly warmUpBars: number;
  private readonly window: RollingWindow;
  private readonly source: PriceSource;
  private current: number | undefined;

  /** Creates the average; throws `IndicatorError` on a bad period. */
  constructor(options: SmaOptions) {
    this.warmUpBars = checkPeriod('sma', options.period);
    this.window = new RollingWindow(options.period);
    this.source = options.source ?? 'close';
  }

  /** The average after the last input, or undefined before `period` inputs. */
  get value(): number | undefined {
    return this.current;
  }

  /** Feeds one number and returns the average after it. */
  push(x: number): number | undefined {
    this.window.push(x);
    this.current = this.window.full ? this.window.mean : undefined;
    return this.current;
  }

  /** Feeds one bar's price and returns the average after it. */
  update(bar: PriceBar): number | undefined {
    return this.push(priceOf(bar, this.source));
  }
}

/** Returns the SMA after each bar of `bars` (undefined for the first `period − 1`). */
export const smaSeries = (bars: Iterable<PriceBar>, options: SmaOptions): Array<number | undefined> => series(new Sma(options), bars);
