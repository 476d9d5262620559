/**
 * The outbox of one account's journal (X-NTF-1, X-NTF-5): bounded, durable, exactly once per dedupe key and channel
 * across restarts. `enqueue` only remembers a message (synchronous, never throws, never touches the journal); the
 * outbox's own timer callbacks journal NOTIFY_QUEUED before the first attempt and NOTIFY_SENT / NOTIFY_DROPPED after
 * the outcome, and deliver one message at a time per channel (in order), each attempt under a timeout, retried with
 * seeded full jitter or the channel's retry-after. A failing, slow or hanging channel delays only its own queue.
 */
import { createHash } from 'node:crypto';
import type { AppendInput, Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { fullJitterDelay } from '../kernel/random.ts';
import type { RetryPolicy } from '../kernel/retry.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { asNotifyError, type NotificationChannel, type NotificationMessage } from './types.ts';

/** The journal stream of the outbox's entries. */
export const NOTIFY_STREAM = 'notify';

/** Outbox settings. */
export interface OutboxOptions {
  readonly account: string;
  readonly journal: Journal;
  readonly channels: ReadonlyMap<string, NotificationChannel>;
  /** Wall-time timers (the network's scheduler); all journal writes happen in its callbacks. */
  readonly scheduler: Scheduler;
  /** Items (message × channel) waiting at most; beyond it the oldest non-critical one is dropped. */
  readonly max: number;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** Uniform [0, 1) draws for the backoff (seeded: src/kernel/random.ts). */
  readonly random: () => number;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** What the outbox has done so far. */
export interface OutboxStats {
  readonly waiting: number;
  readonly requeued: number;
  readonly sent: number;
  readonly dropped: number;
  readonly overflowDropped: number;
  readonly failedAttempts: number;
}

interface Item {
  readonly id: string;
  readonly channel: string;
  readonly message: NotificationMessage;
  /** Enqueue order (requeued items first, by journal seq): what "oldest" means on overflow. */
  readonly order: number;
  journaled: boolean;
  attempts: number;
}

type Outcome = { readonly item: Item; readonly kind: 'sent' } | { readonly item: Item; readonly kind: 'dropped'; readonly reason: 'refused' | 'exhausted' | 'overflow'; readonly detail: string };

const idOf = (key: string, channel: string): string => `${key}\u0000${channel}`;

/** Returns the SHA-256 of a message text, as NOTIFY_QUEUED records it. */
export const textDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** One account's outbox. */
export class Outbox {
  private readonly queues = new Map<string, Item[]>();
  private readonly fresh: Item[] = [];
  private readonly outcomes: Outcome[] = [];
  private readonly known = new Set<string>();
  private readonly keys = new Set<string>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly retryTimers = new Map<string, () => void>();
  private readonly idleWaiters = new Set<() => void>();
  private cancelFlush: (() => void) | undefined;
  private stopped = false;
  private maxSourceSeq = 0;
  private counts = { requeued: 0, sent: 0, dropped: 0, overflowDropped: 0, failedAttempts: 0 };

  private readonly opts: OutboxOptions;
  private cancelJournalRetry: (() => void) | undefined;
  private order = 0;

  constructor(opts: OutboxOptions) {
    this.opts = opts;
    for (const name of opts.channels.keys()) this.queues.set(name, []);
  }

  /** Reads the journal: every NOTIFY_QUEUED without a SENT or DROPPED is queued again (in journal order), the rest skipped. */
  start(): void {
    const { journal } = this.opts;
    const open = new Map<string, { seq: number; message: NotificationMessage; channel: string }>();
    const queued = [...journal.readEvents({ type: 'NOTIFY_QUEUED' })];
    const settled = [...journal.readEvents({ type: 'NOTIFY_SENT' }), ...journal.readEvents({ type: 'NOTIFY_DROPPED' })];
    for (const e of queued) {
      const p = e.payload as { key: string; channel: string; template: string; text: string; critical: boolean; sourceSeq?: number };
      const id = idOf(p.key, p.channel);
      this.known.add(id);
      this.keys.add(p.key);
      if (p.sourceSeq !== undefined) this.maxSourceSeq = Math.max(this.maxSourceSeq, p.sourceSeq);
      open.set(id, { seq: e.seq, channel: p.channel, message: { key: p.key, template: p.template, text: p.text, critical: p.critical, sourceSeq: p.sourceSeq } });
    }
    for (const e of settled) {
      const p = e.payload as { key: string; channel: string };
      open.delete(idOf(p.key, p.channel));
    }
    for (const [id, o] of [...open].sort((a, b) => a[1].seq - b[1].seq)) {
      const item: Item = { id, channel: o.channel, message: o.message, order: this.order++, journaled: true, attempts: 0 };
      const queue = this.queues.get(o.channel);
      if (queue === undefined) this.outcomes.push({ item, kind: 'dropped', reason: 'refused', detail: `channel ${o.channel} is not enabled` });
      else queue.push(item);
      this.counts.requeued += queue === undefined ? 0 : 1;
    }
    if (this.counts.requeued > 0) this.opts.logger.info({ account: this.opts.account, requeued: this.counts.requeued }, 'notify_outbox_requeued');
    this.armFlush();
  }

  /** The largest `sourceSeq` of any message this journal ever queued (where the lifecycle notifier resumes). */
  lastSourceSeq(): number {
    return this.maxSourceSeq;
  }

  /** Whether a message with this dedupe key was ever queued (for any channel). */
  knows(key: string): boolean {
    return this.keys.has(key);
  }

  /** Takes a message for the given channels (disabled ones and repeats of a key are skipped); returns how many it took. */
  enqueue(message: NotificationMessage, channels: ReadonlyArray<string>): number {
    if (this.stopped) return 0;
    let taken = 0;
    for (const channel of new Set(channels)) {
      const queue = this.queues.get(channel);
      const id = idOf(message.key, channel);
      if (queue === undefined || this.known.has(id)) continue;
      const item: Item = { id, channel, message, order: this.order++, journaled: false, attempts: 0 };
      this.known.add(id);
      queue.push(item);
      this.fresh.push(item);
      taken += 1;
    }
    if (taken > 0) {
      this.keys.add(message.key);
      if (message.sourceSeq !== undefined) this.maxSourceSeq = Math.max(this.maxSourceSeq, message.sourceSeq);
      this.trim();
      this.armFlush();
    }
    return taken;
  }

  /** Counters and the number of items waiting. */
  stats(): OutboxStats {
    return { waiting: this.waiting(), ...this.counts };
  }

  /** Resolves once nothing waits, or after `withinMs` (wall) with false. */
  idle(withinMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        cancel();
        this.idleWaiters.delete(check);
        resolve(ok);
      };
      const check = (): void => {
        if (this.isIdle()) done(true);
      };
      const cancel = this.opts.scheduler.schedule(this.opts.scheduler.clock.now() + withinMs, () => done(false));
      this.idleWaiters.add(check);
    });
  }

  /** Waits up to `drainMs` for what is queued, then stops: in-flight attempts are abandoned, the journal brought up to date. */
  async stop(drainMs: number): Promise<void> {
    if (this.stopped) return;
    await this.idle(drainMs);
    this.stopped = true;
    this.cancelFlush?.();
    this.cancelJournalRetry?.();
    for (const cancel of this.retryTimers.values()) cancel();
    for (const abort of this.inFlight.values()) abort.abort();
    this.writeJournal();
  }

  private waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private isIdle(): boolean {
    return this.waiting() === 0 && this.fresh.length === 0 && this.outcomes.length === 0;
  }

  private armFlush(): void {
    if (this.stopped || this.cancelFlush !== undefined) return;
    this.cancelFlush = this.opts.scheduler.schedule(this.opts.scheduler.clock.now(), () => {
      this.cancelFlush = undefined;
      this.flush();
    });
  }

  /** Drops the oldest non-critical items not in flight while over the bound (X-NTF-1: memory stays bounded). */
  private trim(): void {
    while (this.waiting() > this.opts.max) {
      let victim: { queue: Item[]; index: number } | undefined;
      let oldest = Number.POSITIVE_INFINITY;
      for (const [channel, queue] of this.queues) {
        queue.forEach((item, index) => {
          if (item.message.critical || (index === 0 && this.inFlight.has(channel))) return;
          if (item.order < oldest) {
            oldest = item.order;
            victim = { queue, index };
          }
        });
      }
      if (victim === undefined) return; // only critical messages wait: they are never dropped
      const [item] = victim.queue.splice(victim.index, 1);
      if (item === undefined) return;
      this.counts.overflowDropped += 1;
      const f = this.fresh.indexOf(item);
      if (f >= 0) this.fresh.splice(f, 1);
      else this.outcomes.push({ item, kind: 'dropped', reason: 'overflow', detail: `outbox full (${String(this.opts.max)})` });
      this.opts.logger.warn({ account: this.opts.account, key: item.message.key, channel: item.channel, dropped: this.counts.overflowDropped }, 'notify_outbox_overflow');
    }
  }

  /** Journals what is pending; returns false when the journal refused (nothing is sent before its QUEUED entry). */
  private writeJournal(): boolean {
    if (this.fresh.length === 0 && this.outcomes.length === 0) return true;
    const entries: AppendInput[] = [
      ...this.fresh.map((i): AppendInput => ({
        stream: NOTIFY_STREAM, type: 'NOTIFY_QUEUED',
        payload: { key: i.message.key, channel: i.channel, template: i.message.template, digest: textDigest(i.message.text), text: i.message.text, critical: i.message.critical, sourceSeq: i.message.sourceSeq },
      })),
      ...this.outcomes.map((o): AppendInput => o.kind === 'sent'
        ? { stream: NOTIFY_STREAM, type: 'NOTIFY_SENT', payload: { key: o.item.message.key, channel: o.item.channel, attempts: o.item.attempts } }
        : { stream: NOTIFY_STREAM, type: 'NOTIFY_DROPPED', payload: { key: o.item.message.key, channel: o.item.channel, attempts: o.item.attempts, reason: o.reason, detail: o.detail } }),
    ];
    try {
      this.opts.journal.appendBatch(entries);
    } catch (e) {
      this.opts.logger.error({ account: this.opts.account, err: e, entries: entries.length }, 'notify_journal_failed');
      return false;
    }
    for (const i of this.fresh) i.journaled = true;
    this.fresh.length = 0;
    this.outcomes.length = 0;
    return true;
  }

  private flush(): void {
    if (this.stopped) return;
    if (!this.writeJournal()) {
      // The journal refused (closed, disk full): try again in a second; nothing is delivered meanwhile.
      this.cancelJournalRetry ??= this.opts.scheduler.schedule(this.opts.scheduler.clock.now() + 1000, () => {
        this.cancelJournalRetry = undefined;
        this.armFlush();
      });
      return;
    }
    for (const channel of this.queues.keys()) this.next(channel);
    for (const w of [...this.idleWaiters]) w();
  }

  private next(channel: string): void {
    const head = this.queues.get(channel)?.[0];
    if (this.stopped || head === undefined || !head.journaled || this.inFlight.has(channel) || this.retryTimers.has(channel)) return;
    const { scheduler, channels, timeoutMs } = this.opts;
    head.attempts += 1;
    const abort = new AbortController();
    this.inFlight.set(channel, abort);
    let settled = false;
    const finish = (error: unknown): void => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      this.inFlight.delete(channel);
      this.settle(head, error);
    };
    const cancelTimeout = scheduler.schedule(scheduler.clock.now() + timeoutMs, () => {
      abort.abort();
      finish(new Error(`no answer within ${String(timeoutMs)} ms`));
    });
    // A channel that throws synchronously is contained like one that rejects.
    Promise.resolve()
      .then(() => channels.get(channel)!.deliver(head.message, abort.signal))
      .then(() => finish(undefined), (e: unknown) => finish(e ?? new Error('rejected')));
  }

  private settle(item: Item, error: unknown): void {
    const queue = this.queues.get(item.channel)!;
    const remove = (): void => {
      const i = queue.indexOf(item);
      if (i >= 0) queue.splice(i, 1);
    };
    if (error === undefined) {
      remove();
      this.counts.sent += 1;
      this.outcomes.push({ item, kind: 'sent' });
      return this.armFlush();
    }
    this.counts.failedAttempts += 1;
    const e = asNotifyError(item.channel, error);
    const log = { account: this.opts.account, key: item.message.key, channel: item.channel, attempt: item.attempts, reason: e.message };
    if (e.reason._tag === 'Refused' || item.attempts >= this.opts.retry.maxAttempts) {
      remove();
      this.counts.dropped += 1;
      const reason = e.reason._tag === 'Refused' ? 'refused' : 'exhausted';
      this.outcomes.push({ item, kind: 'dropped', reason, detail: e.reason.message.slice(0, 300) });
      this.opts.logger.error({ ...log, given_up: reason }, 'notify_delivery_given_up');
      return this.armFlush();
    }
    const { baseMs, capMs } = this.opts.retry;
    const delay = e.reason.retryAfterMs ?? fullJitterDelay(item.attempts - 1, baseMs, capMs, this.opts.random);
    this.opts.logger.warn({ ...log, retryInMs: Math.round(delay) }, 'notify_delivery_failed');
    const { scheduler } = this.opts;
    this.retryTimers.set(item.channel, scheduler.schedule(scheduler.clock.now() + delay, () => {
      this.retryTimers.delete(item.channel);
      this.armFlush();
    }));
  }
}
