/**
 * The relative strength index of the last `period` price changes, 100 · avgGain / (avgGain + avgLoss) (the same as
 * 100 − 100 / (1 + RS)), with Wilder's averaging (the standard) or a simple average of the last `period` changes (the
 * "RSI 14" column of the Lean reference table). The first value comes after `period + 1` bars; a window without any
 * movement reads 50. O(1) per bar. Pure apart from its own state.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import { priceOf, type PriceBar, type PriceSource } from './PriceBar.ts';
import { RollingWindow } from './RollingWindow.ts';
import { WilderAverage } from './WilderAverage.ts';

/** How the gains and losses are averaged. */
export type RsiAveraging = 'wilder' | 'simple';

/** Parameters of an RSI. */
export interface RsiOptions {
  readonly period: number;
  /** Default `wilder`. */
  readonly averaging?: RsiAveraging;
  /** The price whose changes are measured (default `close`). */
  readonly source?: PriceSource;
}

/** What RSI reads when neither gains nor losses occurred in the window. */
export const RSI_NO_MOVEMENT = 50;

/** Two running averages of the same kind, one for gains and one for losses. */
interface Averager {
  push(x: number): void;
  readonly value: number | undefined;
}

const averagerOf = (averaging: RsiAveraging, period: number): Averager => {
  if (averaging === 'wilder') return new WilderAverage(period);
  const window = new RollingWindow(period);
  return {
    push: (x) => window.push(x),
    get value() {
      return window.full ? window.mean : undefined;
    },
  };
};

/** Returns 100 · up / (up + down), or `neutral` when both are 0: the shared form of RSI and MFI. */
export const strengthIndex = (up: number, down: number, neutral: number): number => (up + down === 0 ? neutral : (100 * up) / (up + down));

/** The relative strength index. */
export class Rsi implements Indicator<number> {
  readonly warmUpBars: number;
  private readonly gains: Averager;
  private readonly losses: Averager;
  private readonly source: PriceSource;
  private previous: number | undefined;
  private current: number | undefined;

  /** Creates the index; throws `IndicatorError` on a bad period. */
  constructor(options: RsiOptions) {
    const period = checkPeriod('rsi', options.period);
    const averaging = options.averaging ?? 'wilder';
    this.warmUpBars = period + 1;
    this.gains = averagerOf(averaging, period);
    this.losses = averagerOf(averaging, period);
    this.source = options.source ?? 'close';
  }

  /** The index after the last input, or undefined before `period + 1` inputs. */
  get value(): number | undefined {
    return this.current;
  }

  /** Feeds one price and returns the index after it. */
  push(x: number): number | undefined {
    const previous = this.previous;
    this.previous = x;
    if (previous === undefined) return undefined;
    const change = x - previous;
    this.gains.push(change > 0 ? change : 0);
    this.losses.push(change < 0 ? -change : 0);
    const up = this.gains.value;
    const down = this.losses.value;
    this.current = up === undefined || down === undefined ? undefined : strengthIndex(up, down, RSI_NO_MOVEMENT);
    return this.current;
  }

  /** Feeds one bar's price and returns the index after it. */
  update(bar: PriceBar): number | undefined {
    return this.push(priceOf(bar, this.source));
  }
}

/** Returns the RSI after each bar of `bars` (undefined for the first `period`). */
export const rsiSeries = (bars: Iterable<PriceBar>, options: RsiOptions): Array<number | undefined> => series(new Rsi(options), bars);
