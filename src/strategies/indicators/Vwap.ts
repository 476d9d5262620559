/**
 * Volume-weighted average prices. `SessionVwap` is anchored to a session start: it sums price × volume and volume from
 * the first bar of a session and starts again at the next session, where the session of a bar is what `sessionOf`
 * says for its start time (default: its UTC day; `sessionsStartingAt` builds one for a time zone and a local start
 * time). `RollingVwap` weighs the last `period` bars (the "Moving VWAP 50" of the Lean reference table, which prices
 * bars at ohlc4). Both price a bar at its typical price, hlc3, unless told otherwise, and have no value while the
 * volume summed is 0. O(1) per bar. Pure apart from their own state; reads no clock.
 */
import { DateTime, IANAZone } from 'luxon';
import { checkPeriod, IndicatorError, series, type Indicator } from './Indicator.ts';
import { priceOf, type PriceBar, type PriceSource } from './PriceBar.ts';
import { RollingWindow } from './RollingWindow.ts';

/** Names the session a bar starting at `start` (epoch ms) belongs to; bars of one session must be contiguous. */
export type SessionOf = (start: number) => string | number;

const DAY_MS = 86_400_000;

/** The default session: the UTC calendar day (days since 1970-01-01). */
export const utcDaySession: SessionOf = (start) => Math.floor(start / DAY_MS);

/**
 * Returns sessions that start every day at the local time `startTime` (`HH:MM`, default `00:00`) in the IANA zone
 * `zone`, named by the local date they start on (so a 04:00 bar is in the previous day's session when sessions start
 * at 09:30). Throws `IndicatorError` (`bad_parameter`) on an unknown zone or a malformed time.
 */
export const sessionsStartingAt = (zone: string, startTime = '00:00'): SessionOf => {
  if (!IANAZone.isValidZone(zone)) throw new IndicatorError({ reason: 'bad_parameter', message: `vwap: ${JSON.stringify(zone)} is not an IANA time zone (e.g. America/New_York)` });
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(startTime);
  if (match === null) throw new IndicatorError({ reason: 'bad_parameter', message: `vwap: the session start must be a local time HH:MM such as 09:30, not ${JSON.stringify(startTime)}` });
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  // Luxon is asked only when a bar leaves the session found last, so a session costs two conversions, not one a bar.
  let cached: { readonly from: number; readonly to: number; readonly name: string } | undefined;
  return (start) => {
    if (cached !== undefined && start >= cached.from && start < cached.to) return cached.name;
    const local = DateTime.fromMillis(start, { zone });
    const todays = local.set({ hour, minute, second: 0, millisecond: 0 });
    const opening = todays.toMillis() <= start ? todays : todays.minus({ days: 1 });
    cached = { from: opening.toMillis(), to: opening.plus({ days: 1 }).toMillis(), name: opening.toISODate() ?? String(opening.toMillis()) };
    return cached.name;
  };
};

/** Parameters of a session-anchored VWAP. */
export interface SessionVwapOptions {
  /** The session of each bar (default `utcDaySession`). */
  readonly sessionOf?: SessionOf;
  /** The price a bar trades at (default `hlc3`). */
  readonly source?: PriceSource;
}

/** The VWAP since the start of the bar's session. */
export class SessionVwap implements Indicator<number> {
  readonly warmUpBars = 1;
  private readonly sessionOf: SessionOf;
  private readonly source: PriceSource;
  private session: string | number | undefined;
  private priceVolume = 0;
  private volume = 0;
  private current: number | undefined;

  /** Creates the VWAP. */
  constructor(options: SessionVwapOptions = {}) {
    this.sessionOf = options.sessionOf ?? utcDaySession;
    this.source = options.source ?? 'hlc3';
  }

  /** The VWAP after the last bar, or undefined while its session has traded no volume. */
  get value(): number | undefined {
    return this.current;
  }

  /** Feeds one bar, starting the sums again when it opens a new session, and returns the VWAP after it. */
  update(bar: PriceBar): number | undefined {
    const session = this.sessionOf(bar.start);
    if (session !== this.session) {
      this.session = session;
      this.priceVolume = 0;
      this.volume = 0;
    }
    this.priceVolume += priceOf(bar, this.source) * bar.volume;
    this.volume += bar.volume;
    this.current = this.volume > 0 ? this.priceVolume / this.volume : undefined;
    return this.current;
  }
}

/** Returns the session VWAP after each bar of `bars`. */
export const sessionVwapSeries = (bars: Iterable<PriceBar>, options: SessionVwapOptions = {}): Array<number | undefined> => series(new SessionVwap(options), bars);

/** Parameters of a rolling VWAP. */
export interface RollingVwapOptions {
  readonly period: number;
  /** The price a bar trades at (default `hlc3`; the Lean table uses `ohlc4`). */
  readonly source?: PriceSource;
}

/** The VWAP of the last `period` bars. */
export class RollingVwap implements Indicator<number> {
  readonly warmUpBars: number;
  private readonly priceVolume: RollingWindow;
  private readonly volume: RollingWindow;
  private readonly source: PriceSource;
  private current: number | undefined;

  /** Creates the VWAP; throws `IndicatorError` on a bad period. */
  constructor(options: RollingVwapOptions) {
    this.warmUpBars = checkPeriod('rolling_vwap', options.period);
    this.priceVolume = new RollingWindow(options.period);
    this.volume = new RollingWindow(options.period);
    this.source = options.source ?? 'hlc3';
  }

  /** The VWAP after the last bar, or undefined before `period` bars or while they traded no volume. */
  get value(): number | undefined {
    return this.current;
  }

  /** Feeds one bar and returns the VWAP of the last `period` bars after it. */
  update(bar: PriceBar): number | undefined {
    this.priceVolume.push(priceOf(bar, this.source) * bar.volume);
    this.volume.push(bar.volume);
    // Both windows hold the same bars, so the ratio of their means is Σ(p·v) / Σv.
    this.current = this.volume.full && this.volume.mean > 0 ? this.priceVolume.mean / this.volume.mean : undefined;
    return this.current;
  }
}

/** Returns the rolling VWAP after each bar of `bars` (undefined for the first `period − 1`). */
export const rollingVwapSeries = (bars: Iterable<PriceBar>, options: RollingVwapOptions): Array<number | undefined> => series(new RollingVwap(options), bars);
