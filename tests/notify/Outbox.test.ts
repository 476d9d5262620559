/**
 * The outbox on the virtual clock with a real journal (X-NTF-1, X-NTF-5): NOTIFY_QUEUED is journaled before the first
 * attempt and NOTIFY_SENT after the channel's success, from the outbox's own timers only; retries use seeded full
 * jitter or the channel's retry-after; a hanging channel times out without holding up another; a restart re-queues
 * exactly the unsent messages; a full outbox drops the oldest non-critical message, journaled and counted.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { Outbox, textDigest } from '../../src/notify/Outbox.ts';
import { NotifyError, type NotificationChannel, type NotificationMessage } from '../../src/notify/types.ts';

type Behaviour = 'ok' | 'fail' | 'refuse' | 'hang' | { readonly retryAfterMs: number };

/** A scripted channel (the outbox is under test, not the channel): answers by the queue of behaviours, then 'ok'. */
const scripted = (name: string, clock: VirtualClock) => {
  const script: Behaviour[] = [];
  const attempts: Array<{ key: string; at: number; aborted: () => boolean }> = [];
  const delivered: string[] = [];
  const channel: NotificationChannel = {
    name,
    deliver: (m, signal) => {
      attempts.push({ key: m.key, at: clock.now(), aborted: () => signal.aborted });
      const b = script.shift() ?? 'ok';
      if (b === 'ok') {
        delivered.push(m.key);
        return Promise.resolve();
      }
      if (b === 'hang') return new Promise<void>(() => undefined);
      const reason = b === 'refuse' ? { _tag: 'Refused' as const, message: 'no' } : b === 'fail' ? { _tag: 'Retryable' as const, message: '500' } : { _tag: 'Retryable' as const, message: '429', retryAfterMs: b.retryAfterMs };
      return Promise.reject(new NotifyError({ channel: name, reason }));
    },
  };
  return { channel, script, attempts, delivered };
};

const opened: Journal[] = [];
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
});

const setup = (opts: { max?: number; path?: string; clock?: VirtualClock } = {}) => {
  const clock = opts.clock ?? new VirtualClock(1_700_000_000_000);
  const journal = openJournal({ path: opts.path ?? ':memory:', clock });
  opened.push(journal);
  const a = scripted('telegram', clock);
  const b = scripted('email', clock);
  const outbox = new Outbox({
    account: 'main', journal, channels: new Map([['telegram', a.channel], ['email', b.channel]]), scheduler: virtualScheduler(clock), max: opts.max ?? 100,
    timeoutMs: 2_000, retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 5 }, random: seededRandom(7), logger: silentLogger(clock),
  });
  return { clock, journal, outbox, a, b };
};

/** Runs due timers and lets settled deliveries run on, until `done` holds (bounded: no sleeping). */
const until = async (clock: VirtualClock, done: () => boolean, advanceMs = 0): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) {
    clock.advanceBy(advanceMs);
    await new Promise<void>((r) => setImmediate(r));
  }
  expect(done()).toBe(true);
};

const types = (j: Journal): string[] => [...j.readEvents({ stream: 'notify' })].map((e) => `${e.type}:${(e.payload as { key: string; channel: string }).key}:${(e.payload as { channel: string }).channel}`);
const msg = (key: string, critical = false): NotificationMessage => ({ key, template: 'ORDER_PLACED', text: `text of ${key}`, critical, sourceSeq: 7 });

describe('Outbox (X-NTF-1, X-NTF-5)', () => {
  it('X-NTF-5 journals NOTIFY_QUEUED before the first attempt and NOTIFY_SENT after success; enqueue itself writes nothing', async () => {
    const { clock, journal, outbox, a } = setup();
    outbox.start();
    const before = journal.lastSeq();
    expect(outbox.enqueue(msg('k1'), ['telegram', 'webhook'])).toBe(1); // webhook is not enabled: skipped
    expect(journal.lastSeq()).toBe(before);
    expect(a.attempts).toEqual([]);
    await until(clock, () => a.delivered.length === 1);
    await until(clock, () => types(journal).length === 2);
    expect(types(journal)).toEqual(['NOTIFY_QUEUED:k1:telegram', 'NOTIFY_SENT:k1:telegram']);
    const queued = journal.lastEventOfType('NOTIFY_QUEUED')!.payload;
    expect(queued).toEqual({ key: 'k1', channel: 'telegram', template: 'ORDER_PLACED', digest: textDigest('text of k1'), text: 'text of k1', critical: false, sourceSeq: 7 });
    expect(journal.lastEventOfType('NOTIFY_SENT')!.payload).toEqual({ key: 'k1', channel: 'telegram', attempts: 1 });
    expect(outbox.enqueue(msg('k1'), ['telegram'])).toBe(0);
  });

  it('X-NTF-1 retries with full jitter inside min(cap, base·2^n), honours a retry-after exactly, and gives up a refusal at once', async () => {
    const { clock, journal, outbox, a } = setup();
    outbox.start();
    a.script.push('fail', 'fail', 'fail', { retryAfterMs: 3_500 });
    outbox.enqueue(msg('k1'), ['telegram']);
    await until(clock, () => a.delivered.length === 1, 100);
    const gaps = a.attempts.slice(1).map((t, i) => t.at - a.attempts[i]!.at);
    // Attempts 2..4 wait a draw in [0, 1000·2^n) (ticks of 100 ms), the 5th exactly the retry-after.
    [1_000, 2_000, 4_000].forEach((bound, i) => expect(gaps[i]!).toBeLessThanOrEqual(bound + 100));
    expect(gaps[3]!).toBeGreaterThanOrEqual(3_500);
    expect(gaps[3]!).toBeLessThanOrEqual(3_600);
    a.script.push('refuse');
    outbox.enqueue(msg('k2'), ['telegram']);
    await until(clock, () => outbox.stats().dropped === 1, 100);
    await until(clock, () => types(journal).includes('NOTIFY_DROPPED:k2:telegram'));
    expect(a.attempts.filter((t) => t.key === 'k2')).toHaveLength(1);
  });

  it('X-NTF-1 a hanging channel is timed out (its attempt aborted) and retried, while another channel delivers meanwhile', async () => {
    const { clock, outbox, a, b } = setup();
    outbox.start();
    a.script.push('hang');
    outbox.enqueue(msg('k1'), ['telegram', 'email']);
    outbox.enqueue(msg('k2'), ['email']);
    await until(clock, () => b.delivered.length === 2);
    expect(a.delivered).toEqual([]);
    expect(a.attempts[0]!.aborted()).toBe(false);
    await until(clock, () => a.delivered.length === 1, 250);
    expect(a.attempts[0]!.aborted()).toBe(true);
    expect(a.attempts).toHaveLength(2);
    expect(outbox.stats()).toMatchObject({ sent: 3, failedAttempts: 1, waiting: 0 });
  });

  it('X-NTF-5 a restart re-queues every QUEUED without SENT, in order, and skips the sent ones: one delivery per key', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tw-outbox-')), 'journal.sqlite');
    const clock = new VirtualClock(1_700_000_000_000);
    const first = setup({ path, clock });
    first.outbox.start();
    first.a.script.push('ok', 'hang');
    for (const k of ['k1', 'k2', 'k3']) first.outbox.enqueue(msg(k), ['telegram']);
    await until(clock, () => first.a.delivered.length === 1 && first.a.attempts.length === 2);
    await until(clock, () => types(first.journal).filter((t) => t.startsWith('NOTIFY_SENT')).length === 1);
    // The process dies here: k1 sent, k2 in flight, k3 waiting.
    first.journal.close();
    opened.splice(opened.indexOf(first.journal), 1);
    const second = setup({ path, clock });
    second.outbox.start();
    expect(second.outbox.stats().requeued).toBe(2);
    expect(second.outbox.knows('k1')).toBe(true);
    expect(second.outbox.enqueue(msg('k2'), ['telegram'])).toBe(0);
    await until(clock, () => second.a.delivered.length === 2);
    expect(second.a.delivered).toEqual(['k2', 'k3']);
    await until(clock, () => types(second.journal).filter((t) => t.startsWith('NOTIFY_SENT')).length === 3);
    const sent = types(second.journal).filter((t) => t.startsWith('NOTIFY_SENT'));
    expect(sent).toEqual(['NOTIFY_SENT:k1:telegram', 'NOTIFY_SENT:k2:telegram', 'NOTIFY_SENT:k3:telegram']);
  });

  it('X-NTF-1 a full outbox drops the oldest non-critical message (journaled, counted), never a critical one or the one in flight', async () => {
    const { clock, journal, outbox, a } = setup({ max: 3 });
    outbox.start();
    a.script.push('hang');
    outbox.enqueue(msg('inflight'), ['telegram']);
    await until(clock, () => a.attempts.length === 1);
    outbox.enqueue(msg('crit', true), ['telegram']);
    outbox.enqueue(msg('old'), ['telegram']);
    clock.advanceBy(0); // journaled: its drop must be journaled too
    outbox.enqueue(msg('new'), ['telegram']);
    expect(outbox.stats()).toMatchObject({ waiting: 3, overflowDropped: 1 });
    await until(clock, () => types(journal).includes('NOTIFY_DROPPED:old:telegram'));
    expect(journal.lastEventOfType('NOTIFY_DROPPED')!.payload).toMatchObject({ key: 'old', reason: 'overflow' });
    await until(clock, () => a.delivered.length === 3, 250);
    expect(a.delivered).toEqual(['inflight', 'crit', 'new']);
  });
});
