/**
 * The money flow index: a bar's money flow is its typical price (hlc3) times its volume, positive when the typical
 * price rose from the previous bar's, negative when it fell, neither when unchanged; MFI = 100 · positive flow /
 * (positive + negative flow) over the last `period` bars, 50 when the window has no flow at all. The first value comes
 * after `period + 1` bars. O(1) per bar over rolling windows. Pure apart from its own state.
 */
import { checkPeriod, series, type Indicator } from './Indicator.ts';
import { priceOf, type PriceBar } from './PriceBar.ts';
import { RollingWindow } from './RollingWindow.ts';
import { strengthIndex } from './Rsi.ts';

/** Parameters of an MFI. */
export interface MfiOptions {
  readonly period: number;
}

/** What MFI reads when the window has neither positive nor negative money flow. */
export const MFI_NO_FLOW = 50;

/** The money flow index. */
export class Mfi implements Indicator<number> {
  readonly warmUpBars: number;
  private readonly positive: RollingWindow;
  private readonly negative: RollingWindow;
  private previousTypical: number | undefined;
  private current: number | undefined;

  /** Creates the index; throws `IndicatorError` on a bad period. */
  constructor(options: MfiOptions) {
    const period = checkPeriod('mfi', options.period);
    this.warmUpBars = period + 1;
    this.positive = new RollingWindow(period);
    this.negative = new RollingWindow(period);
  }

  /** The index after the last bar, or undefined before `period + 1` bars. */
  get value(): number | undefined {
    return this.current;
  }

  /** Feeds one bar and returns the index after it. */
  update(bar: PriceBar): number | undefined {
    const typical = priceOf(bar, 'hlc3');
    const previous = this.previousTypical;
    this.previousTypical = typical;
    if (previous === undefined) return undefined;
    const flow = typical * bar.volume;
    this.positive.push(typical > previous ? flow : 0);
    this.negative.push(typical < previous ? flow : 0);
    if (!this.positive.full) return undefined;
    // Both windows hold the same bars, so the ratio of their means is the ratio of their sums.
    this.current = strengthIndex(Math.max(0, this.positive.mean), Math.max(0, this.negative.mean), MFI_NO_FLOW);
    return this.current;
  }
}

/** Returns the MFI after each bar of `bars` (undefined for the first `period`). */
export const mfiSeries = (bars: Iterable<PriceBar>, options: MfiOptions): Array<number | undefined> => series(new Mfi(options), bars);
