/**
 * Displayed times of reports and command replies: an instant in one or more IANA zones, `2025-03-10 09:30 ET /
 * 06:30 PT` (S2-18: US times in ET and PT), `2025-03-30 08:00 CEST` elsewhere. Pure; the instant is given.
 */

/** The US zones by their spoken names (S2-18 asks for ET and PT, not EDT/PST). */
const US_LABELS: Readonly<Record<string, string>> = {
  'America/New_York': 'ET',
  'America/Chicago': 'CT',
  'America/Denver': 'MT',
  'America/Los_Angeles': 'PT',
};

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterOf = (zone: string): Intl.DateTimeFormat => {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short' });
    formatters.set(zone, f);
  }
  return f;
};

/** An instant's local calendar date, time and zone label in one zone. */
export interface LocalTime {
  /** YYYY-MM-DD. */
  readonly date: string;
  /** HH:mm (24 h). */
  readonly time: string;
  /** ET, PT, CEST, UTC, GMT+9, … */
  readonly label: string;
}

/** Returns the local date, time and zone label of `at` (epoch ms) in `zone`. */
export const localTime = (at: number, zone: string): LocalTime => {
  const parts = Object.fromEntries(formatterOf(zone).formatToParts(at).map((p) => [p.type, p.value]));
  const label = US_LABELS[zone] ?? (zone === 'UTC' || zone === 'Etc/UTC' ? 'UTC' : parts['timeZoneName'] ?? zone);
  return { date: `${parts['year'] ?? ''}-${parts['month'] ?? ''}-${parts['day'] ?? ''}`, time: `${parts['hour'] ?? ''}:${parts['minute'] ?? ''}`, label };
};

/** Returns `at` shown in every zone: the first with its date, the others with theirs only when it differs. */
export const formatInZones = (at: number, zones: ReadonlyArray<string>): string => {
  const [first, ...rest] = zones.map((z) => localTime(at, z));
  if (first === undefined) return String(at);
  return [`${first.date} ${first.time} ${first.label}`, ...rest.map((t) => (t.date === first.date ? `${t.time} ${t.label}` : `${t.date} ${t.time} ${t.label}`))].join(' / ');
};
