/**
 * The `schedules` section of a config file (X-RPT-1, S0-19, S2-18): scheduled reports, each a five-field cron
 * expression in an IANA time zone, the report it posts and the channels it goes to; `entries: null` takes the
 * profile's defaults (src/notify/schedule/profileSchedules.ts). Cron expressions and zones are checked at decode time
 * with the library that runs them. Pure schema; no I/O.
 */
import { Schema } from 'effect';
import { DAY_MS, millisIn, withDefault } from '../domain/schemas.ts';
import { cronProblem, isTimeZone } from '../notify/schedule/cron.ts';
import { ChannelName } from './notificationsSection.ts';

const def = withDefault;

const TimeZone = Schema.String.pipe(Schema.filter((z) => isTimeZone(z) || `unknown time zone ${JSON.stringify(z)} (an IANA name such as Europe/Stockholm or America/New_York)`));

/** What a schedule posts. */
export const ReportKind = Schema.Literal('daily', 'weekly', 'heartbeat', 'session_window');
export type ReportKind = typeof ReportKind.Type;

/** One scheduled report. */
export const ScheduleEntry = Schema.Struct({
  /** Names the schedule in logs and in its journaled "sent" marker; keep it stable across restarts. */
  id: Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,47}$/, { message: () => 'Expected a schedule id of lower-case letters, digits, _ or - (at most 48)' })),
  /** Five fields: minute hour day-of-month month day-of-week (`0 8 * * *`). */
  cron: Schema.String.pipe(Schema.maxLength(200)),
  timezone: TimeZone,
  report: ReportKind,
  /** The notification channels it goes to (`telegram`, `webhook`, `email`, `log`; disabled ones are skipped). */
  channels: def(Schema.Array(ChannelName).pipe(Schema.minItems(1), Schema.maxItems(4)), () => ['telegram'] as const),
  /** The heading of the post (a session window's name); absent: the report kind's own. */
  label: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(120))),
  /** The zones every displayed time is shown in (S2-18: ET and PT); absent: the schedule's own zone. */
  displayZones: Schema.optional(Schema.Array(TimeZone).pipe(Schema.minItems(1), Schema.maxItems(4))),
  /** A daily or weekly report carries a PNG chart of the period's cumulative PnL (Telegram sendPhoto, an e-mail attachment). */
  chart: Schema.optional(Schema.Boolean),
}).pipe(Schema.filter((e) => cronProblem(e.cron, e.timezone) ?? true));
export type ScheduleEntry = typeof ScheduleEntry.Type;

/** The `schedules` section. */
export const SchedulesSection = Schema.Struct({
  /** A period whose fire time passed at most this long before a start, and was not posted, is posted once (catch-up). */
  graceMs: def(millisIn(0, DAY_MS), () => 600_000),
  /** The schedules; null: the profile's defaults; []: none. */
  entries: def(Schema.NullOr(Schema.Array(ScheduleEntry).pipe(Schema.maxItems(50))), () => null),
}).pipe(
  Schema.filter((s) => {
    const seen = new Set<string>();
    for (const e of s.entries ?? []) {
      if (seen.has(e.id)) return `schedule id ${e.id} is used twice; ids name the journaled markers and must be unique`;
      seen.add(e.id);
    }
    return true;
  }),
);
export type SchedulesSection = typeof SchedulesSection.Type;
