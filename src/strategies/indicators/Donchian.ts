/**
 * The Donchian channel: the highest high and lowest low of the last `period` bars, this one included, kept in O(1)
 * amortised per bar by two monotonic deques over a ring of at most `period` entries. The breakout strategy's window
 * (the `period` bars before the current one) is `value` read before that bar's `update`. Pure apart from its own
 * buffers.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import type { PriceBar } from './PriceBar.ts';

/** Parameters of the channel. */
export interface DonchianOptions {
  readonly period: number;
}

/** The channel after one bar. */
export interface DonchianValue {
  readonly upper: number;
  readonly lower: number;
}

/** The maximum (or minimum) of the last `size` numbers: a deque of candidates, each better than every later one. */
class RollingExtreme {
  private readonly size: number;
  private readonly better: (a: number, b: number) => boolean;
  private readonly positions: Float64Array;
  private readonly values: Float64Array;
  private head = 0;
  private length = 0;
  private pushed = 0;

  constructor(size: number, better: (a: number, b: number) => boolean) {
    this.size = size;
    this.better = better;
    this.positions = new Float64Array(size);
    this.values = new Float64Array(size);
  }

  /** Adds `x` and returns the extreme of the last `size` values. */
  push(x: number): number {
    // The window after this push starts at position pushed − size + 1; the head may just have left it.
    if (this.length > 0 && this.positions[this.head]! <= this.pushed - this.size) {
      this.head = (this.head + 1) % this.size;
      this.length -= 1;
    }
    // A candidate no better than the newcomer can never be the extreme again: it leaves the window first.
    while (this.length > 0 && !this.better(this.values[this.slot(this.length - 1)]!, x)) this.length -= 1;
    const tail = this.slot(this.length);
    this.positions[tail] = this.pushed;
    this.values[tail] = x;
    this.length += 1;
    this.pushed += 1;
    return this.values[this.head]!;
  }

  private slot(offset: number): number {
    return (this.head + offset) % this.size;
  }
}

/** The Donchian channel. */
export class Donchian implements Indicator<DonchianValue> {
  readonly warmUpBars: number;
  private readonly highest: RollingExtreme;
  private readonly lowest: RollingExtreme;
  private seen = 0;
  private current: DonchianValue | undefined;

  /** Creates the channel; throws `IndicatorError` on a bad period. */
  constructor(options: DonchianOptions) {
    this.warmUpBars = checkPeriod('donchian', options.period);
    this.highest = new RollingExtreme(options.period, (a, b) => a > b);
    this.lowest = new RollingExtreme(options.period, (a, b) => a < b);
  }

  /** The channel after the last bar, or undefined before `period` bars. */
  get value(): DonchianValue | undefined {
    return this.current;
  }

  /** Feeds one bar and returns the channel of the last `period` bars, this one included. */
  update(bar: PriceBar): DonchianValue | undefined {
    const upper = this.highest.push(bar.high);
    const lower = this.lowest.push(bar.low);
    this.seen += 1;
    this.current = this.seen >= this.warmUpBars ? { upper, lower } : undefined;
    return this.current;
  }
}

/** Returns the channel after each bar of `bars` (undefined for the first `period − 1`). */
export const donchianSeries = (bars: Iterable<PriceBar>, options: DonchianOptions): Array<DonchianValue | undefined> => series(new Donchian(options), bars);
