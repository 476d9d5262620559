/**
 * Weekly trading sessions in an IANA time zone (US equities: America/New_York 09:30–16:00, Monday–Friday), so a
 * cash-equity profile can refuse orders and skip fills outside market hours across daylight-saving changes. Pure:
 * local time comes from `Intl.DateTimeFormat` applied to the given instant, never from a clock. Holidays and early
 * closes are not modelled.
 */

/** A weekly session: [open, close) local time on the given weekdays (1 = Monday … 7 = Sunday). */
export interface TradingSession {
  readonly timeZone: string;
  /** `HH:MM`, 24-hour. */
  readonly open: string;
  /** `HH:MM`, 24-hour; the session ends just before it. */
  readonly close: string;
  readonly weekdays: ReadonlyArray<number>;
}

/** The US equity regular session. */
export const US_EQUITY_SESSION: TradingSession = { timeZone: 'America/New_York', open: '09:30', close: '16:00', weekdays: [1, 2, 3, 4, 5] };

const WEEKDAYS: Readonly<Record<string, number>> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

const formatter = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    // Throws RangeError for an unknown zone, which is what a misconfigured profile deserves.
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
};

const minutesOf = (hhmm: string): number => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (m === null) throw new RangeError(`session time must be HH:MM, got ${JSON.stringify(hhmm)}`);
  return Number(m[1]) * 60 + Number(m[2]);
};

/** Returns the local weekday (1 = Monday) and minutes after local midnight of an instant in a zone. */
export const localTime = (ts: number, timeZone: string): { readonly weekday: number; readonly minutes: number } => {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timeZone).formatToParts(new Date(ts))) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minutes: hour * 60 + minute };
};

/** Returns whether the instant lies inside the session. */
export const isWithinSession = (session: TradingSession, ts: number): boolean => {
  const local = localTime(ts, session.timeZone);
  if (!session.weekdays.includes(local.weekday)) return false;
  return local.minutes >= minutesOf(session.open) && local.minutes < minutesOf(session.close);
};

/** Checks a session's fields (zone, times, weekdays) and returns it; throws RangeError when one is invalid. */
export const validSession = (session: TradingSession): TradingSession => {
  formatter(session.timeZone);
  if (minutesOf(session.open) >= minutesOf(session.close)) throw new RangeError(`session opens at ${session.open}, after its close ${session.close}`);
  if (session.weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new RangeError('session weekdays are 1 (Monday) … 7 (Sunday)');
  return session;
};
