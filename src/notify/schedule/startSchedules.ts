/**
 * Runs the scheduled reports (X-RPT-1, S0-19, S2-18) on the injected Scheduler: each schedule's next fire time comes
 * from croner in its own zone, and is armed as one timer at a time. A post is idempotent per period: before sending,
 * the journaled "sent" marker of the schedule (kv `schedules.sent.<id>`, the last period posted) is checked; after the
 * outbox accepted the message, it is written. At start, the latest period whose fire time passed at most `graceMs`
 * ago and has no marker is posted once (catch-up); an older one is skipped and logged. The message's dedupe key is
 * `schedule:<id>:<period>`, so an outbox that dedupes (X-NTF-5) also absorbs a crash between accept and marker.
 * Reads the clock it is given only; never lets croner run a timer; a failing send or journal is logged, never thrown.
 */
import { Either } from 'effect';
import type { AppConfig } from '../../config/schema.ts';
import type { ChannelName } from '../../config/notificationsSection.ts';
import type { ReportKind, ScheduleEntry } from '../../config/schedulesSection.ts';
import type { Journal } from '../../journal/Journal.ts';
import type { Clock } from '../../kernel/Clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import type { OpsSource } from '../../ops/types.ts';
import type { NotificationMessage } from '../types.ts';
import { compileCron, ScheduleError, type CronSchedule } from './cron.ts';
import { equityPng } from './equityChart.ts';
import { periodStats, type PeriodStats } from './periodStats.ts';
import { schedulesOf } from './profileSchedules.ts';
import { renderReport } from './reportText.ts';

/** One post of a schedule, handed to the outbox: a NotificationMessage plus the channels and period it is for. */
export interface ScheduledMessage extends NotificationMessage {
  /** `schedule:<id>:<period>`: the same for every attempt at one period, across restarts. */
  readonly key: string;
  readonly scheduleId: string;
  readonly report: ReportKind;
  /** The period's fire time as an ISO UTC instant (`2025-03-30T06:00:00.000Z`). */
  readonly period: string;
  readonly firedAt: number;
  readonly channels: ReadonlyArray<ChannelName>;
  /** Posted at start for a period missed within the grace window. */
  readonly catchUp: boolean;
}

/** What `startSchedules` needs. */
export interface StartSchedulesOptions {
  /** The profile and its schedules, and the accounts (the first one's settle asset is the reports' money unit). */
  readonly config: Pick<AppConfig, 'profile' | 'schedules' | 'venues'>;
  readonly source: OpsSource;
  /** Where the "sent" markers live (the first account's journal). */
  readonly journal: Journal;
  /** The journals whose TRADE_CLOSED entries the reports count (every account's; default: `journal`). */
  readonly journals?: ReadonlyArray<Journal> | undefined;
  /** Timers; on the same clock as `clock` and as the journals' timestamps. */
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** Hands a post to the outbox; resolving means accepted. */
  readonly send: (message: ScheduledMessage) => void | Promise<void>;
  readonly logger: Logger;
}

/** The running schedules. */
export interface SchedulesHandle {
  /** Cancels every timer and waits for posts in flight (their markers are written). */
  stop(): Promise<void>;
  /** Resolves once no post is in flight. */
  idle(): Promise<void>;
  /** The armed fire time of each schedule, by id. */
  nextFires(): ReadonlyMap<string, number>;
}

/** The journal kv key of a schedule's "sent" marker. */
export const sentMarkerKey = (scheduleId: string): string => `schedules.sent.${scheduleId}`;

/** A schedule's marker: the last period posted. */
interface SentMarker {
  readonly firedAt: number;
  readonly period: string;
  readonly key: string;
  readonly sentAt: number;
}

const isMarker = (v: unknown): v is SentMarker => typeof v === 'object' && v !== null && typeof (v as { firedAt?: unknown }).firedAt === 'number';

/** A timer never waits longer than this: setTimeout overflows beyond 2^31 ms, and a wake re-arms. */
const MAX_WAIT_MS = 86_400_000;
const DAY_MS = 86_400_000;

interface Running {
  readonly entry: ScheduleEntry;
  readonly cron: CronSchedule;
  readonly zones: ReadonlyArray<string>;
  cancel: () => void;
  next: number | undefined;
  chain: Promise<void>;
}

/** Starts every schedule of the config (its entries, or its profile's defaults); invalid ones are logged and skipped. */
export const startSchedules = (opts: StartSchedulesOptions): SchedulesHandle => {
  const { journal, scheduler, clock, logger } = opts;
  const journals = opts.journals ?? [journal];
  const graceMs = opts.config.schedules.graceMs;
  const running: Running[] = [];
  const settleAsset = Object.values(opts.config.venues)[0]?.settleAsset ?? 'USDT';
  const startedAt = clock.now();
  let stopped = false;

  const readMarker = (id: string): SentMarker | undefined => {
    const v = journal.kvGet(sentMarkerKey(id));
    return isMarker(v) ? v : undefined;
  };

  /** The report's chart; a chart that cannot be drawn is logged and the report goes out as text. */
  const chartOf = (id: string, period: string, p: PeriodStats): Buffer | undefined => {
    try {
      return equityPng(p.curve, p.from, p.to);
    } catch (e) {
      logger.warn({ event: 'schedule_chart_failed', schedule: id, period, error: e instanceof Error ? e.message : String(e) }, 'schedule_chart_failed');
      return undefined;
    }
  };

  const post = async (r: Running, firedAt: number, catchUp: boolean): Promise<void> => {
    const id = r.entry.id;
    const period = new Date(firedAt).toISOString();
    const marker = readMarker(id);
    if (marker !== undefined && marker.firedAt >= firedAt) {
      logger.info({ event: 'schedule_already_sent', schedule: id, period, sentAt: marker.sentAt }, 'schedule_already_sent');
      return;
    }
    const kind = r.entry.report;
    const periodOf = kind === 'daily' || kind === 'weekly' ? periodStats(journals, r.cron.previousBefore(firedAt) ?? firedAt - DAY_MS, firedAt) : undefined;
    const rendered = renderReport({ kind, label: r.entry.label, firedAt, zones: r.zones, status: opts.source.status(), period: periodOf, settleAsset, uptimeMs: clock.now() - startedAt });
    if (Either.isLeft(rendered)) {
      logger.error({ event: 'schedule_render_refused', schedule: id, period, problem: rendered.left.message }, 'schedule_render_refused');
      return;
    }
    const key = `schedule:${id}:${period}`;
    const fields = { schedule: id, report: kind, period, trades: periodOf?.trades, pnl: periodOf?.pnl.toString(), fees: periodOf?.fees.toString() };
    const image = r.entry.chart === true && periodOf !== undefined && periodOf.curve.length > 0 ? chartOf(id, period, periodOf) : undefined;
    const message: ScheduledMessage = {
      key, template: rendered.right.template, text: rendered.right.text, critical: false, fields, scheduleId: id, report: kind, period, firedAt, channels: r.entry.channels, catchUp,
      ...(image === undefined ? {} : { image }),
    };
    try {
      await opts.send(message);
    } catch (e) {
      logger.warn({ event: 'schedule_send_failed', schedule: id, period, error: e instanceof Error ? e.message : String(e) }, 'schedule_send_failed');
      return;
    }
    journal.kvSet(sentMarkerKey(id), { firedAt, period, key, sentAt: clock.now() } satisfies SentMarker);
    logger.info({ event: 'schedule_sent', schedule: id, report: kind, period, catchUp, channels: r.entry.channels, trades: periodOf?.trades }, 'schedule_sent');
  };

  /** Queues a post behind the schedule's previous one; nothing escapes it. */
  const enqueue = (r: Running, firedAt: number, catchUp: boolean): void => {
    r.chain = r.chain.then(() => post(r, firedAt, catchUp)).catch((e: unknown) => {
      logger.error({ event: 'schedule_post_failed', schedule: r.entry.id, period: new Date(firedAt).toISOString(), error: e instanceof Error ? e.message : String(e) }, 'schedule_post_failed');
    });
  };

  const armFor = (r: Running, next: number): void => {
    if (stopped) return;
    r.next = next;
    const wake = Math.min(next, scheduler.clock.now() + MAX_WAIT_MS);
    r.cancel = scheduler.schedule(wake, () => {
      if (wake < next) return armFor(r, next);
      enqueue(r, next, false);
      armAfter(r, next);
    });
  };

  const armAfter = (r: Running, after: number): void => {
    const next = r.cron.nextAfter(after);
    if (next === undefined) {
      r.next = undefined;
      logger.warn({ event: 'schedule_never_fires', schedule: r.entry.id, cron: r.entry.cron }, 'schedule_never_fires');
      return;
    }
    armFor(r, next);
  };

  const skipped = (r: Running, last: number, at: number): void => {
    let marker: SentMarker | undefined;
    try {
      marker = readMarker(r.entry.id);
    } catch (e) {
      logger.warn({ event: 'schedule_marker_unreadable', schedule: r.entry.id, error: e instanceof Error ? e.message : String(e) }, 'schedule_marker_unreadable');
    }
    if (marker !== undefined && marker.firedAt >= last) return;
    logger.info({ event: 'schedule_period_skipped', schedule: r.entry.id, period: new Date(last).toISOString(), lateMs: at - last, graceMs }, 'schedule_period_skipped');
  };

  const now = clock.now();
  for (const entry of schedulesOf(opts.config)) {
    const cron = compileCron(entry.id, entry.cron, entry.timezone);
    if (cron instanceof ScheduleError) {
      logger.error({ event: 'schedule_invalid', schedule: entry.id, problem: cron.message }, 'schedule_invalid');
      continue;
    }
    const r: Running = { entry, cron, zones: entry.displayZones ?? [entry.timezone], cancel: () => undefined, next: undefined, chain: Promise.resolve() };
    running.push(r);
    const last = cron.latestAtOrBefore(now);
    // The catch-up: only the latest period, only within the grace window; `post` checks the marker again.
    if (last !== undefined && now - last <= graceMs) enqueue(r, last, true);
    else if (last !== undefined) skipped(r, last, now);
    armAfter(r, now);
    logger.info({ event: 'schedule_armed', schedule: entry.id, report: entry.report, cron: entry.cron, timezone: entry.timezone, next: r.next === undefined ? null : new Date(r.next).toISOString() }, 'schedule_armed');
  }

  const idle = async (): Promise<void> => {
    // A post may queue another while it runs (none today); loop until the chains stand still.
    for (;;) {
      const chains = running.map((r) => r.chain);
      await Promise.all(chains);
      if (running.every((r, i) => r.chain === chains[i])) return;
    }
  };

  return {
    stop: async () => {
      stopped = true;
      for (const r of running) r.cancel();
      await idle();
    },
    idle,
    nextFires: () => new Map(running.flatMap((r) => (r.next === undefined ? [] : [[r.entry.id, r.next] as const]))),
  };
};
