/**
 * The contract every incremental indicator keeps — O(1) work per bar, `update(bar)` returning the value after that
 * bar or undefined while it warms up — with the batch runner that turns one into a series, and the typed error a bad
 * parameter raises. Pure apart from each indicator's own running state; reads no clock.
 */
import { Data } from 'effect';
import type { PriceBar } from './PriceBar.ts';

/** An indicator fed one closed bar at a time. */
export interface Indicator<T> {
  /** Feeds the next bar (bars in time order) and returns the value after it, or undefined while warming up. */
  update(bar: PriceBar): T | undefined;
  /** The value after the last bar fed, or undefined while warming up. */
  readonly value: T | undefined;
  /** How many bars are fed before the first value (a VWAP also needs volume before it has one). */
  readonly warmUpBars: number;
}

/** Runs a fresh indicator over `bars` and returns its value after each one (undefined while warming up). */
export const series = <T>(indicator: Indicator<T>, bars: Iterable<PriceBar>): Array<T | undefined> => {
  const out: Array<T | undefined> = [];
  for (const bar of bars) out.push(indicator.update(bar));
  return out;
};

/** The precise cause of an `IndicatorError`. */
export type IndicatorErrorReason = 'unknown_indicator' | 'bad_period' | 'bad_parameter' | 'bad_spec';

/** A parameter or spec an indicator cannot work with; `message` says which and what would do. */
export class IndicatorError extends Data.TaggedError('IndicatorError')<{
  readonly reason: IndicatorErrorReason;
  readonly message: string;
}> {}

/** The longest period accepted: a window is allocated up front, so a typo such as `sma:14000000` is refused. */
export const MAX_PERIOD = 100_000;

/** Returns `period` when it is an integer in [min, MAX_PERIOD], else throws `IndicatorError` (`bad_period`). */
export const checkPeriod = (name: string, period: number, min = 1): number => {
  if (!Number.isInteger(period) || period < min || period > MAX_PERIOD) {
    throw new IndicatorError({ reason: 'bad_period', message: `${name}: the period must be an integer from ${String(min)} to ${String(MAX_PERIOD)}, not ${String(period)}` });
  }
  return period;
};

/** Returns `value` when it is finite and > 0, else throws `IndicatorError` (`bad_parameter`). */
export const checkPositive = (name: string, what: string, value: number): number => {
  if (!Number.isFinite(value) || value <= 0) throw new IndicatorError({ reason: 'bad_parameter', message: `${name}: ${what} must be a number > 0, not ${String(value)}` });
  return value;
};
