/**
 * Wilder's directional movement system: +DI and −DI (the smoothed directional movements as percentages of the
 * smoothed true range), DX = 100·|+DI − −DI| / (+DI + −DI), and the ADX, Wilder's average of DX. Movement needs a
 * previous bar, so +DI/−DI first appear after `period + 1` bars and the ADX after `2·period`; a value carries the DIs
 * as soon as they exist and `adx` stays undefined until it does. Flat bars (no range, no movement) read 0. O(1) per
 * bar. Pure apart from its own state.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import type { PriceBar } from './PriceBar.ts';
import { trueRange } from './Atr.ts';
import { WilderAverage } from './WilderAverage.ts';

/** Parameters of an ADX (period 14 is Wilder's). */
export interface AdxOptions {
  readonly period: number;
}

/** The directional indicators after one bar; `adx` is undefined during its own warm-up. */
export interface AdxValue {
  readonly plusDi: number;
  readonly minusDi: number;
  readonly dx: number;
  readonly adx: number | undefined;
}

/** Returns 100 · part / whole, or 0 when the whole is 0. */
const percentOf = (part: number, whole: number): number => (whole === 0 ? 0 : (100 * part) / whole);

/** The average directional index with +DI and −DI. */
export class Adx implements Indicator<AdxValue> {
  /** Bars before the first value (the DIs); the ADX itself needs `2·period`. */
  readonly warmUpBars: number;
  private readonly range: WilderAverage;
  private readonly plusMovement: WilderAverage;
  private readonly minusMovement: WilderAverage;
  private readonly dxAverage: WilderAverage;
  private previous: PriceBar | undefined;
  private current: AdxValue | undefined;

  /** Creates the system; throws `IndicatorError` on a bad period. */
  constructor(options: AdxOptions) {
    const period = checkPeriod('adx', options.period);
    this.warmUpBars = period + 1;
    this.range = new WilderAverage(period);
    this.plusMovement = new WilderAverage(period);
    this.minusMovement = new WilderAverage(period);
    this.dxAverage = new WilderAverage(period);
  }

  /** The value after the last bar, or undefined before `period + 1` bars. */
  get value(): AdxValue | undefined {
    return this.current;
  }

  /** Feeds one bar and returns the value after it. */
  update(bar: PriceBar): AdxValue | undefined {
    const previous = this.previous;
    this.previous = bar;
    if (previous === undefined) return undefined;
    const up = bar.high - previous.high;
    const down = previous.low - bar.low;
    const range = this.range.push(trueRange(bar, previous.close));
    const plus = this.plusMovement.push(up > down && up > 0 ? up : 0);
    const minus = this.minusMovement.push(down > up && down > 0 ? down : 0);
    if (range === undefined || plus === undefined || minus === undefined) return undefined;
    const plusDi = percentOf(plus, range);
    const minusDi = percentOf(minus, range);
    const dx = percentOf(Math.abs(plusDi - minusDi), plusDi + minusDi);
    this.current = { plusDi, minusDi, dx, adx: this.dxAverage.push(dx) };
    return this.current;
  }
}

/** Returns the ADX value after each bar of `bars` (undefined for the first `period`). */
export const adxSeries = (bars: Iterable<PriceBar>, options: AdxOptions): Array<AdxValue | undefined> => series(new Adx(options), bars);
