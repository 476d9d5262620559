/**
 * New York wall-clock time for the US-equity strategies' session windows (S2-6, S2-7): an instant's local date,
 * weekday and minutes after midnight in America/New_York, daylight-saving correct through `Intl`, and the same
 * wall times shown in ET and PT (S2-18). Pure: every instant is given, none is read from a clock.
 */

/** The zone every US-equity session window is written in. */
export const NEW_YORK = 'America/New_York';

const MINUTE_MS = 60_000;
const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

// One immutable formatter: `formatToParts` is the only question asked of it.
const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: NEW_YORK, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** An instant's New York local date, weekday (1 = Monday … 7 = Sunday) and minutes after local midnight. */
export interface NewYorkTime {
  /** YYYY-MM-DD: names the session day. */
  readonly date: string;
  readonly weekday: number;
  readonly minutes: number;
}

/** Returns the New York local date, weekday and minutes after midnight of `ts` (epoch ms). */
export const newYorkTime = (ts: number): NewYorkTime => {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(ts)) parts[p.type] = p.value;
  const minutes = Number(parts['hour']) * 60 + Number(parts['minute']);
  return { date: `${parts['year'] ?? ''}-${parts['month'] ?? ''}-${parts['day'] ?? ''}`, weekday: WEEKDAYS[parts['weekday'] ?? ''] ?? 0, minutes };
};

/** Returns whether the local day is Monday to Friday (exchange holidays are not modelled). */
export const isWeekday = (t: NewYorkTime): boolean => t.weekday >= 1 && t.weekday <= 5;

/**
 * Returns the instant of the local wall time `minutes` on the New York day of `ts`. Exact for wall times from 03:00 on:
 * New York changes its offset at 02:00, so no change lies between two such times of one day, and its offsets are
 * whole hours, so the minute boundaries of UTC and of local time coincide.
 */
export const sameDayAt = (ts: number, minutes: number): number => {
  const floored = ts - (((ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
  return floored - (newYorkTime(ts).minutes - minutes) * MINUTE_MS;
};

/** Returns minutes after midnight as `HH:MM`. */
export const wallClock = (minutes: number): string => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/**
 * Returns a New York wall time with its Los Angeles twin, `09:30 ET / 06:30 PT` (S2-18): during the trading day the
 * two zones are three hours apart all year, as both change their clocks on the same dates at 02:00 local time.
 */
export const etAndPt = (minutes: number): string => `${wallClock(minutes)} ET / ${wallClock((minutes - 180 + 1440) % 1440)} PT`;
