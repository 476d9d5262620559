/**
 * The alert router on a VirtualClock (X-NTF-3, X-NTF-1): 60 s dedupe, escalation after 2 min unresolved, resolve
 * cancels escalation, and failing channels never reach the caller.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { makeAlertRouter, makeLogAlertChannel, type AlertChannel, type AlertRecord } from '../../src/alerts/AlertRouter.ts';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

const setup = (extra: ReadonlyArray<AlertChannel> = []) => {
  const clock = new VirtualClock(T0);
  const delivered: AlertRecord[] = [];
  const errors: string[] = [];
  const router = makeAlertRouter({
    clock,
    scheduler: clock,
    channels: [{ name: 'memory', deliver: (r) => void delivered.push(r) }, ...extra],
    onChannelError: (name, e) => errors.push(`${name}: ${String(e)}`),
  });
  return { clock, delivered, errors, router };
};

describe('AlertRouter', () => {
  it('X-NTF-3 delivers a raise at once and dedupes the same key for 60 s', () => {
    const { clock, delivered, router } = setup();
    router.raise({ key: 'staleness:BTCUSDT', severity: 'WARN', message: 'quote stale', fields: { ageMs: 6000 } });
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ kind: 'raised', severity: 'WARN', ts: T0, escalated: false, fields: { ageMs: 6000 } });
    clock.advanceBy(59_999);
    router.raise({ key: 'staleness:BTCUSDT', severity: 'WARN', message: 'quote stale' });
    router.raise({ key: 'staleness:BTCUSDT', severity: 'INFO', message: 'quote stale' });
    expect(delivered).toHaveLength(1);
    clock.advanceBy(1);
    router.raise({ key: 'staleness:BTCUSDT', severity: 'WARN', message: 'quote still stale' });
    expect(delivered).toHaveLength(2);
    expect(delivered[1]).toMatchObject({ kind: 'raised', suppressed: 2, ts: T0 + 60_000, message: 'quote still stale' });
  });

  it('X-NTF-3 a different key or a worse severity is not deduplicated', () => {
    const { delivered, router } = setup();
    router.raise({ key: 'a', severity: 'WARN', message: 'm' });
    router.raise({ key: 'b', severity: 'WARN', message: 'm' });
    router.raise({ key: 'a', severity: 'CRITICAL', message: 'm' });
    expect(delivered.map((r) => `${r.key}:${r.severity}`)).toEqual(['a:WARN', 'b:WARN', 'a:CRITICAL']);
  });

  it('X-NTF-3 escalates an alert unresolved for 2 min to CRITICAL with escalated: true, once', () => {
    const { clock, delivered, router } = setup();
    router.raise({ key: 'dependency:journal', severity: 'WARN', message: 'journal down' });
    clock.advanceBy(119_999);
    expect(delivered).toHaveLength(1);
    clock.advanceBy(1);
    expect(delivered).toHaveLength(2);
    expect(delivered[1]).toMatchObject({ kind: 'escalated', severity: 'CRITICAL', escalated: true, ts: T0 + 120_000, message: 'journal down' });
    clock.advanceBy(600_000);
    expect(delivered).toHaveLength(2);
    expect(router.activeKeys()).toEqual(['dependency:journal']);
  });

  it('X-NTF-3 resolving before 2 min cancels the escalation; a later raise starts over', () => {
    const { clock, delivered, router } = setup();
    router.raise({ key: 'clock', severity: 'WARN', message: 'skew' });
    clock.advanceBy(30_000);
    router.resolve('clock');
    expect(delivered[1]).toMatchObject({ kind: 'resolved', severity: 'INFO', key: 'clock', ts: T0 + 30_000 });
    clock.advanceBy(200_000);
    expect(delivered).toHaveLength(2);
    router.raise({ key: 'clock', severity: 'WARN', message: 'skew again' });
    expect(delivered).toHaveLength(3);
    expect(router.activeKeys()).toEqual(['clock']);
    router.resolve('unknown');
    expect(delivered).toHaveLength(3);
  });

  it('X-NTF-1 a throwing or rejecting channel never reaches the caller and other channels still deliver', async () => {
    let rejected!: () => void;
    const settled = new Promise<void>((resolve) => {
      rejected = resolve;
    });
    const { delivered, errors, router } = setup([
      { name: 'boom', deliver: () => { throw new Error('socket closed'); } },
      { name: 'async', deliver: () => Promise.reject(new Error('HTTP 502')).finally(() => setTimeout(rejected, 0)) },
    ]);
    expect(() => router.raise({ key: 'kill_switch', severity: 'CRITICAL', message: 'kill' })).not.toThrow();
    expect(delivered).toHaveLength(1);
    await settled;
    expect(errors).toEqual(['boom: Error: socket closed', 'async: Error: HTTP 502']);
  });

  it('dispose cancels pending escalations', () => {
    const { clock, delivered, router } = setup();
    router.raise({ key: 'x', severity: 'WARN', message: 'm' });
    router.dispose();
    clock.advanceBy(300_000);
    expect(delivered).toHaveLength(1);
  });

  it('the log channel writes one JSON-safe object per record, fields unable to overwrite its own keys', () => {
    const lines: Record<string, unknown>[] = [];
    const clock = new VirtualClock(T0);
    const router = makeAlertRouter({ clock, scheduler: clock, channels: [makeLogAlertChannel((o) => lines.push(o))] });
    router.raise({ key: 'drawdown', severity: 'CRITICAL', message: 'daily loss', fields: { observed: '0.051', severity: 'INFO' } });
    expect(lines).toEqual([
      { event: 'alert_raised', alert_key: 'drawdown', severity: 'CRITICAL', message: 'daily loss', escalated: false, suppressed: 0, ts: T0, observed: '0.051' },
    ]);
    expect(JSON.parse(JSON.stringify(lines[0]))).toEqual(lines[0]);
  });
});
