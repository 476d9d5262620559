/**
 * Item 7 (X-NTF-3, X-NTF-5): the AlertRouter's dedupe and escalation state survives a restart — an identical open
 * alert raised again inside its window is not re-alerted, an open escalation is neither forgotten nor repeated (an
 * overdue one fires at once) — kept in the journal's kv `alerts`; and an escalation adds a channel: a CRITICAL alert
 * goes to the log at once and, unresolved after 2 minutes, by e-mail to a loopback SMTP server.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Schema } from 'effect';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAlertRouter, type AlertRecord, type AlertStateStore, type PersistedAlerts } from '../../src/alerts/AlertRouter.ts';
import { AppConfig } from '../../src/config/schema.ts';
import type { Secrets } from '../../src/config/secrets.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { VirtualClock, wallClock } from '../../src/kernel/Clock.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler, wallScheduler } from '../../src/kernel/Scheduler.ts';
import { ALERTS_KV_KEY, startNotifications } from '../../src/notify/index.ts';

const T0 = 1_700_000_000_000;
const memoryStore = (): AlertStateStore & { state: PersistedAlerts | undefined } => {
  const s: AlertStateStore & { state: PersistedAlerts | undefined } = { state: undefined, load: () => s.state, save: (st) => void (s.state = JSON.parse(JSON.stringify(st)) as PersistedAlerts) };
  return s;
};
const routerAt = (clock: VirtualClock, records: AlertRecord[]) => makeAlertRouter({ clock, scheduler: clock, channels: [{ name: 'test', deliver: (r) => void records.push(r) }] });
const critical = { key: 'staleness:BTCUSDT', severity: 'CRITICAL', message: 'quotes older than 5 s' } as const;

describe('alert state across restarts (X-NTF-3, item 7)', () => {
  it('X-NTF-3 a restart inside the dedupe window does not re-alert, and the open escalation still fires once at its time', () => {
    const store = memoryStore();
    const clock = new VirtualClock(T0);
    const before: AlertRecord[] = [];
    const r1 = routerAt(clock, before);
    r1.persistTo(store);
    r1.raise(critical);
    expect(before.map((r) => r.kind)).toEqual(['raised']);
    expect(store.state?.alerts).toMatchObject([{ key: critical.key, raisedAt: T0, escalated: false }]);
    r1.dispose();

    clock.advanceTo(T0 + 30_000);
    const after: AlertRecord[] = [];
    const r2 = routerAt(clock, after);
    r2.persistTo(store);
    r2.raise(critical);
    expect(after).toEqual([]);
    expect(r2.activeKeys()).toEqual([critical.key]);
    clock.advanceTo(T0 + 119_999);
    expect(after).toEqual([]);
    clock.advanceTo(T0 + 120_000);
    expect(after.map((r) => `${r.kind}:${String(r.ts)}:${String(r.suppressed)}`)).toEqual([`escalated:${String(T0 + 120_000)}:1`]);
    expect(store.state?.alerts[0]?.escalated).toBe(true);
    r2.dispose();

    // A third start: the escalation is remembered as done (not repeated); resolving clears the stored state.
    const third: AlertRecord[] = [];
    const r3 = routerAt(clock, third);
    r3.persistTo(store);
    clock.advanceTo(T0 + 600_000);
    expect(third).toEqual([]);
    r3.resolve(critical.key);
    expect(third.map((r) => r.kind)).toEqual(['resolved']);
    expect(store.state?.alerts).toEqual([]);
  });

  it('X-NTF-3 an escalation that fell due while the process was down is delivered at once on restart; a bad store is ignored', () => {
    const store = memoryStore();
    const clock = new VirtualClock(T0);
    const r1 = routerAt(clock, []);
    r1.persistTo(store);
    r1.raise(critical);
    r1.dispose(); // the process is down from here
    clock.advanceTo(T0 + 300_000);
    const records: AlertRecord[] = [];
    routerAt(clock, records).persistTo(store);
    clock.advanceBy(0);
    expect(records.map((r) => r.kind)).toEqual(['escalated']);
    const junk: AlertRecord[] = [];
    const r3 = routerAt(clock, junk);
    r3.persistTo({ load: () => ({ version: 1, alerts: [{ key: 5 }, 'x'] }), save: () => undefined });
    expect(r3.activeKeys()).toEqual([]);
  });
});

describe('journaled alert state and escalation channels (X-NTF-3, X-NTF-5)', () => {
  let smtp: SMTPServer;
  let port = 0;
  const mails: string[] = [];
  let onMail = (): void => undefined;
  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'], logger: false,
      onData: (stream, _s, cb) => {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          mails.push(data);
          onMail();
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => smtp.close(() => r())));

  it('X-NTF-3 CRITICAL goes to the log at once, by e-mail once escalated; a restart keeps the state in kv alerts and does not re-alert', async () => {
    const config = Schema.decodeUnknownSync(AppConfig)({
      notifications: {
        log: { enabled: true },
        email: { enabled: true, host: '127.0.0.1', port, tls: 'opportunistic', from: 'bot@tradewarden.test', to: ['ops@example.test'] },
        policy: { alerts: { critical: ['log'] }, escalation: { addChannels: ['email'] }, lifecycle: { events: [], channels: [] } },
      },
    });
    const path = join(mkdtempSync(join(tmpdir(), 'tw-alert-state-')), 'journal.sqlite');
    const clock = new VirtualClock(T0);
    const secrets: Secrets = { get: () => undefined, present: [] };
    const mailArrived = (n: number): Promise<void> => new Promise((resolve) => {
      onMail = () => mails.length >= n && resolve();
      onMail();
    });
    const session = async () => {
      const journal = openJournal({ path, clock });
      const alerts = makeAlertRouter({ clock, scheduler: virtualScheduler(clock), channels: [] });
      const notifications = await startNotifications({
        config, secrets, journals: [{ account: 'main', journal }], scheduler: virtualScheduler(clock), wallScheduler: wallScheduler(wallClock), logger: silentLogger(clock), clock, alerts, persistAlerts: true,
      });
      return { journal, alerts, notifications };
    };
    const sentTemplates = (s: Awaited<ReturnType<typeof session>>) =>
      [...s.journal.readEvents({ type: 'NOTIFY_SENT' })].map((e) => (e.payload as { key: string; channel: string }).channel);

    const first = await session();
    first.alerts.raise(critical);
    clock.advanceBy(60_000);
    expect(mails).toHaveLength(0);
    clock.advanceBy(60_000); // 2 min unresolved: escalated, e-mail added
    await mailArrived(1);
    expect(mails[0]).toContain('ALERT ESCALATED CRITICAL');
    await first.notifications.stop();
    expect(sentTemplates(first).sort()).toEqual(['email', 'log', 'log']);
    expect(first.journal.kvGet(ALERTS_KV_KEY)).toMatchObject({ version: 1, alerts: [{ key: critical.key, escalated: true }] });
    first.alerts.dispose();
    first.journal.close();

    // Restart 10 s later: the same alert raised again is inside its window and already escalated — nothing goes out.
    clock.advanceBy(10_000);
    const second = await session();
    second.alerts.raise(critical);
    clock.advanceBy(300_000);
    await second.notifications.stop();
    expect(sentTemplates(second)).toHaveLength(3);
    expect(second.alerts.activeKeys()).toEqual([critical.key]);
    expect(mails).toHaveLength(1);
    second.alerts.dispose();
    second.journal.close();
  });
});
