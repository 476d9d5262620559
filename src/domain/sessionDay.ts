/**
 * The local calendar day (`YYYY-MM-DD`) an instant falls on in an IANA zone — the session day of a venue (US stocks:
 * America/New_York), daylight-saving correct through luxon. Pure: every instant is given, none is read from a clock.
 */
import { DateTime, IANAZone } from 'luxon';

/** Names the local day of an instant (epoch ms) in one zone. */
export type SessionDayOf = (ts: number) => string;

/**
 * Returns the namer of local days in `zone`. Luxon is asked only when an instant leaves the day found last, so a day
 * costs one conversion, not one per call (a DST day is 23 or 25 hours long: its bounds come from luxon, not from
 * adding 24 h). Throws a RangeError naming the zone when it is not an IANA zone.
 */
export const sessionDays = (zone: string): SessionDayOf => {
  if (!IANAZone.isValidZone(zone)) throw new RangeError(`${JSON.stringify(zone)} is not an IANA time zone (e.g. America/New_York)`);
  let cached: { readonly from: number; readonly to: number; readonly day: string } | undefined;
  return (ts) => {
    if (cached !== undefined && ts >= cached.from && ts < cached.to) return cached.day;
    const start = DateTime.fromMillis(ts, { zone }).startOf('day');
    cached = { from: start.toMillis(), to: start.plus({ days: 1 }).toMillis(), day: start.toISODate() ?? String(start.toMillis()) };
    return cached.day;
  };
};

const byZone = new Map<string, SessionDayOf>();

/** Returns the local day (`YYYY-MM-DD`) of `ts` in `zone`, one cached namer per zone; throws on a zone that is not IANA. */
export const sessionDayOf = (ts: number, zone: string): string => {
  let of = byZone.get(zone);
  if (of === undefined) {
    of = sessionDays(zone);
    byZone.set(zone, of);
  }
  return of(ts);
};
