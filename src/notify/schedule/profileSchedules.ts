/**
 * The schedules a profile gets when its config says `schedules.entries: null` (S0-19, S2-6…S2-8, S2-18), and the
 * resolution of a config's entries. The S0 heartbeat runs in UTC on purpose: croner fires a local time of a
 * fall-back overlap once, so `*\/30` in Europe/Stockholm would leave a 90-minute hole on the last Sunday of October,
 * while every half hour in UTC is also every :00 and :30 in Stockholm (whole-hour offsets). Pure data.
 */
import type { ScheduleEntry } from '../../config/schedulesSection.ts';

const STOCKHOLM = 'Europe/Stockholm';
const NEW_YORK = 'America/New_York';
const LOS_ANGELES = 'America/Los_Angeles';
const ET_PT = [NEW_YORK, LOS_ANGELES] as const;

/** S0 (Bybit signal follower): daily 08:00 and weekly Saturday 22:00 Stockholm time, a heartbeat every 30 minutes. */
export const S0_SCHEDULES: ReadonlyArray<ScheduleEntry> = [
  { id: 's0-daily', cron: '0 8 * * *', timezone: STOCKHOLM, report: 'daily', channels: ['telegram'], chart: true },
  { id: 's0-weekly', cron: '0 22 * * 6', timezone: STOCKHOLM, report: 'weekly', channels: ['telegram'] },
  { id: 's0-heartbeat', cron: '*/30 * * * *', timezone: 'UTC', report: 'heartbeat', channels: ['telegram'], displayZones: [STOCKHOLM] },
];

/**
 * S2 (US stocks): the session's windows on weekdays in New York time — open and opening-range breakout 09:30, VWAP
 * mean reversion 10:30, end of day 14:30, close 16:00 — and the daily report after the close, every time shown in
 * ET and PT. Market holidays are not known here; a window post on a holiday says the session is not trading.
 */
export const S2_SCHEDULES: ReadonlyArray<ScheduleEntry> = [
  { id: 's2-open', cron: '30 9 * * 1-5', timezone: NEW_YORK, report: 'session_window', channels: ['telegram'], label: 'Session open: opening range breakout 09:30-10:20 ET', displayZones: ET_PT },
  { id: 's2-vwap', cron: '30 10 * * 1-5', timezone: NEW_YORK, report: 'session_window', channels: ['telegram'], label: 'VWAP mean reversion 10:30-14:30 ET', displayZones: ET_PT },
  { id: 's2-eod', cron: '30 14 * * 1-5', timezone: NEW_YORK, report: 'session_window', channels: ['telegram'], label: 'End-of-day momentum/fade 14:30-16:00 ET', displayZones: ET_PT },
  { id: 's2-close', cron: '0 16 * * 1-5', timezone: NEW_YORK, report: 'session_window', channels: ['telegram'], label: 'Session close 16:00 ET', displayZones: ET_PT },
  { id: 's2-daily', cron: '5 16 * * 1-5', timezone: NEW_YORK, report: 'daily', channels: ['telegram'], displayZones: ET_PT },
];

const BY_PROFILE: Readonly<Record<string, ReadonlyArray<ScheduleEntry>>> = { 's0-bybit-signal': S0_SCHEDULES, 's2-us-stock': S2_SCHEDULES };

/** Returns the default schedules of a profile (none for the profiles without reports). */
export const profileSchedules = (profile: string): ReadonlyArray<ScheduleEntry> => BY_PROFILE[profile] ?? [];

/** Returns the schedules a config runs: its own entries, or its profile's defaults when they are null. */
export const schedulesOf = (config: { readonly profile: string; readonly schedules: { readonly entries: ReadonlyArray<ScheduleEntry> | null } }): ReadonlyArray<ScheduleEntry> =>
  config.schedules.entries ?? profileSchedules(config.profile);
