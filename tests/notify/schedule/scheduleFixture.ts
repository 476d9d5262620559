/**
 * The scheduler tests' harness: a virtual clock and its scheduler, a real journal on disk (the markers' home), a
 * StatusView source, a memory logger, and a recording `send` standing in for the outbox. `restart()` tears the running
 * schedules down, closes the journal, reopens the same file and builds new schedules over it, at the same virtual
 * instant. Test support only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Schema } from 'effect';
import type { ScheduleEntry } from '../../../src/config/schedulesSection.ts';
import { SchedulesSection } from '../../../src/config/schedulesSection.ts';
import { AppConfig, decodeDefaults } from '../../../src/config/schema.ts';
import { openJournal, type Journal } from '../../../src/journal/Journal.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { createLogger } from '../../../src/kernel/logger.ts';
import { virtualScheduler } from '../../../src/kernel/Scheduler.ts';
import { startSchedules, type ScheduledMessage, type SchedulesHandle } from '../../../src/notify/schedule/startSchedules.ts';
import { opsSourceOf, sampleStatus } from '../../support/statusViews.ts';

/** A post as the stand-in outbox received it, with the virtual time it arrived at. */
export interface Received extends ScheduledMessage {
  readonly receivedAt: number;
}

/** The harness. */
export interface ScheduleHarness {
  readonly clock: VirtualClock;
  /** The journal currently open (a restart reopens the file). */
  journal: Journal;
  readonly received: Received[];
  readonly logs: string[];
  handle: SchedulesHandle;
  /** Stops the running schedules (waiting for posts in flight) and starts new ones over the same journal. */
  restart(): Promise<void>;
  /** Advances the virtual clock to `t`, letting every post started on the way finish. */
  advanceTo(t: number): Promise<void>;
  /** Log records of one event. */
  logged(event: string): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Builds the harness at virtual time `start`; `refuse` makes the stand-in outbox throw for a dedupe key. */
export const scheduleHarness = (opts: {
  readonly start: number;
  readonly profile?: string;
  readonly entries?: ReadonlyArray<unknown> | null;
  readonly graceMs?: number;
  readonly refuse?: (m: ScheduledMessage) => boolean;
  readonly dir?: string;
}): ScheduleHarness => {
  const clock = new VirtualClock(opts.start);
  const scheduler = virtualScheduler(clock);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tw-schedules-'));
  const path = join(dir, 'main.sqlite');
  // Scratch durability (no fsync per marker) keeps the half-hourly heartbeats cheap on a shared machine; the file,
  // chain and reopen are the real ones.
  const reopen = (): Journal => openJournal({ path, clock, durability: 'scratch' });
  const logs: string[] = [];
  const logger = createLogger({ level: 'info', clock, targets: { memory: logs } });
  const schedules: SchedulesSection = Schema.decodeUnknownSync(SchedulesSection)({ graceMs: opts.graceMs ?? 600_000, entries: opts.entries === undefined ? null : opts.entries });
  const config = { profile: (opts.profile ?? 's0-bybit-signal') as 's0-bybit-signal', schedules, venues: decodeDefaults(AppConfig).venues };
  const received: Received[] = [];
  const source = opsSourceOf(() => sampleStatus({ at: clock.now(), wallAt: clock.now(), profile: config.profile }));
  const send = (m: ScheduledMessage): void => {
    if (opts.refuse?.(m) === true) throw new Error(`outbox full: ${m.key}`);
    received.push({ ...m, receivedAt: clock.now() });
  };
  const start = (): SchedulesHandle => startSchedules({ config, source, journal: harness.journal, scheduler, clock, send, logger });
  const harness: ScheduleHarness = {
    clock,
    journal: reopen(),
    received,
    logs,
    handle: { stop: () => Promise.resolve(), idle: () => Promise.resolve(), nextFires: () => new Map() },
    restart: async () => {
      await harness.handle.stop();
      harness.journal.close();
      harness.journal = reopen();
      harness.handle = start();
      await harness.handle.idle();
    },
    advanceTo: async (t) => {
      // Step timer to timer so each post (its marker write) finishes before the clock moves past it.
      for (;;) {
        await harness.handle.idle();
        const next = clock.nextTimerAt();
        if (next === undefined || next > t) break;
        clock.advanceTo(next);
      }
      clock.advanceTo(t);
      await harness.handle.idle();
    },
    logged: (event) => logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['event'] === event),
    close: async () => {
      await harness.handle.stop();
      harness.journal.close();
    },
  };
  harness.handle = start();
  return harness;
};

/** Returns the received posts of one schedule. */
export const postsOf = (h: ScheduleHarness, scheduleId: string): Received[] => h.received.filter((m) => m.scheduleId === scheduleId);

/** Epoch ms of an ISO instant. */
export const at = (iso: string): number => Date.parse(iso);

/** Returns a schedule entry as a config file would hold it. */
export const entry = (e: Partial<ScheduleEntry> & Pick<ScheduleEntry, 'id' | 'cron' | 'timezone' | 'report'>): unknown => e;
