/**
 * Aggregates OHLCV bars into a longer timeframe: buckets aligned to UTC multiples of the target for intraday targets,
 * local calendar days for `1d`. Pure; performs no I/O, reads no clock, and refuses a target it cannot build exactly.
 */
import { DateTime } from 'luxon';
import type { Decimal } from '../../domain/money.ts';
import type { Bar, BarSession } from '../../venues/sim/replay/loadBarsCsv.ts';
import { isValidTimeZone, OhlcvError, type OhlcvErrorReason } from './ohlcv.ts';

/** A bar length the backtester can resample to. */
export type Timeframe = '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '1d';

const MINUTE_MS = 60_000;
const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  '1m': MINUTE_MS,
  '3m': 3 * MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '30m': 30 * MINUTE_MS,
  '1h': 60 * MINUTE_MS,
  '2h': 120 * MINUTE_MS,
  '4h': 240 * MINUTE_MS,
  '1d': 1440 * MINUTE_MS,
};
const DAY_MS = TIMEFRAME_MS['1d'];
const HOUR_MS = TIMEFRAME_MS['1h'];

/** Returns the nominal length of a timeframe in ms (a `1d` bucket is a local calendar day, 23–25 h across clock changes). */
export const timeframeMs = (tf: Timeframe): number => TIMEFRAME_MS[tf];

/** Returns the timeframe a string names (`5m`, `1h`, `1d`, trimmed), or undefined for anything else. */
export const parseTimeframe = (s: string): Timeframe | undefined => {
  const key = s.trim();
  return Object.hasOwn(TIMEFRAME_MS, key) ? (key as Timeframe) : undefined;
};

const refuse = (reason: OhlcvErrorReason, detail: string): never => {
  throw new OhlcvError({ file: '<resample>', line: 0, reason, detail, problems: [{ line: 0, reason, detail }] });
};

/**
 * Returns the bars aggregated into `target` buckets (open of the first bar, highest high, lowest low, close of the last,
 * summed volume; the session only when every bar in the bucket shares it); buckets without bars are left out. Throws
 * `OhlcvError` `bad_timeframe` when the target is shorter than the source interval or not a whole multiple of it.
 */
export const resample = (bars: ReadonlyArray<Bar>, sourceIntervalMs: number, target: Timeframe, opts: { readonly timeZone?: string } = {}): Bar[] => {
  const zone = opts.timeZone ?? 'UTC';
  if (!isValidTimeZone(zone)) refuse('bad_time_zone', `${JSON.stringify(zone)} is not an IANA time zone`);
  const targetMs = timeframeMs(target);
  if (!Number.isSafeInteger(sourceIntervalMs) || sourceIntervalMs <= 0) refuse('bad_timeframe', `source interval ${String(sourceIntervalMs)} ms is not a positive whole number of ms`);
  if (target === '1d') {
    // Any intraday bar belongs to one local date; daily bars opened at local midnight are 23–25 h apart around clock changes.
    if (sourceIntervalMs > DAY_MS + HOUR_MS) refuse('bad_timeframe', `1d is shorter than the source interval of ${String(sourceIntervalMs)} ms`);
  } else if (targetMs < sourceIntervalMs || targetMs % sourceIntervalMs !== 0) {
    refuse('bad_timeframe', `${target} (${String(targetMs)} ms) is not a whole multiple of the source interval of ${String(sourceIntervalMs)} ms`);
  }
  const bucketOf =
    target === '1d'
      ? (start: number): number => DateTime.fromMillis(start, { zone }).startOf('day').toMillis()
      : (start: number): number => Math.floor(start / targetMs) * targetMs;

  const out: Bar[] = [];
  let bucket: { start: number; open: Decimal; high: Decimal; low: Decimal; close: Decimal; volume: Decimal; session: BarSession | undefined; mixed: boolean } | undefined;
  const flush = (): void => {
    if (bucket === undefined) return;
    const { start, open, high, low, close, volume, session, mixed } = bucket;
    out.push(session === undefined || mixed ? { start, open, high, low, close, volume } : { start, open, high, low, close, volume, session });
  };
  let previousStart: number | undefined;
  for (const [index, bar] of bars.entries()) {
    if (previousStart !== undefined && bar.start <= previousStart) refuse('out_of_order', `bar ${String(index)} starts at ${String(bar.start)}, not after ${String(previousStart)}`);
    previousStart = bar.start;
    const start = bucketOf(bar.start);
    // An intraday source bar must end inside its bucket; a bar straddling a boundary cannot be split exactly.
    if (target !== '1d' && bucketOf(bar.start + sourceIntervalMs - 1) !== start) {
      refuse('bad_timeframe', `bar ${String(index)} at ${new Date(bar.start).toISOString()} is not aligned to ${target} buckets`);
    }
    if (bucket?.start !== start) {
      flush();
      bucket = { start, open: bar.open, high: bar.high, low: bar.low, close: bar.close, volume: bar.volume, session: bar.session, mixed: false };
      continue;
    }
    bucket.high = bar.high.gt(bucket.high) ? bar.high : bucket.high;
    bucket.low = bar.low.lt(bucket.low) ? bar.low : bucket.low;
    bucket.close = bar.close;
    bucket.volume = bucket.volume.plus(bar.volume);
    if (bar.session !== bucket.session) bucket.mixed = true;
  }
  flush();
  return out;
};
