/**
 * The session runs its own scheduled reports and Telegram commands (issue 15 items 4 and 5): a loopback PAPER run
 * with Telegram enabled, a heartbeat scheduled every minute and an allowlisted operator chat. The session's poller
 * (not one the test starts) serves the operator's /stop through the session's control service and ignores a
 * stranger's; the heartbeat posts reach the loopback Bot API server once per period, with the period's "sent" marker
 * in the journal. Synchronised on the server's recorded messages and the session's events, never on sleeps.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { sentMarkerKey } from '../../src/notify/schedule/startSchedules.ts';
import { COMMAND_OFFSET_KEY } from '../../src/notify/telegram/CommandPoller.ts';
import type { OpsSource } from '../../src/ops/types.ts';
import { startBotApiServer } from '../support/botApiServer.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';

const OPERATOR = 7_770_001;
const STRANGER = 8_880_002;
const REPORTS = 4_240_001;

describe('scheduled reports and Telegram commands inside a session', () => {
  it('S0-19 S1-19 X-RPT-1 the session polls commands from the allowlist only and posts its heartbeat once per period', async () => {
    const server = await startBotApiServer();
    const base = loopbackConfig({ speed: 500 });
    const config = {
      ...base,
      strategies: { ...demo.config.strategies, breakout: { ...demo.config.strategies.breakout, enabled: false } },
      notifications: {
        ...base.notifications,
        deliveryTimeoutMs: 3_000,
        telegram: { ...base.notifications.telegram, enabled: true, apiBaseUrl: server.url, chatIds: [String(REPORTS)], allowedChatIds: [String(OPERATOR)] },
      },
      schedules: { ...base.schedules, entries: [{ id: 'beat', cron: '* * * * *', timezone: 'UTC', report: 'heartbeat' as const, channels: ['telegram' as const, 'email' as const] }] },
    };
    const dir = mkdtempSync(join(tmpdir(), 'tw-notify-wiring-'));
    const stop = new AbortController();
    let resolveOps: (s: OpsSource) => void = () => undefined;
    const ops = new Promise<OpsSource>((r) => (resolveOps = r));
    const run = runSession({
      wire: true, config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: 600, maxWallMs: 100_000,
      signal: stop.signal, onOps: ({ source }) => resolveOps(source), secrets: loadSecrets({ TW_TELEGRAM_BOT_TOKEN: server.token }),
    });
    try {
      const source = await Promise.race([ops, run.then(() => Promise.reject(new Error('the session ended before its operations surface ran')))]);
      await new Promise<void>((resolve) => {
        if (source.status().phase === 'trading') return resolve();
        const off = source.events.subscribe(() => {
          if (source.status().phase !== 'trading') return;
          off();
          resolve();
        });
      });
      const beats = () => server.messages.filter((m) => m.chatId === String(REPORTS) && m.text.startsWith('💓 HEARTBEAT'));
      await server.waitFor(() => beats().length >= 3, 60_000);

      server.pushUpdate({ message: { chat: { id: STRANGER }, text: '/stop' } });
      server.pushUpdate({ message: { chat: { id: OPERATOR }, text: '/stop wiring drill' } });
      await server.waitFor((ms) => ms.some((m) => m.chatId === String(OPERATOR)), 30_000);
      const replies = server.messages.filter((m) => m.chatId !== String(REPORTS));
      expect(replies.map((m) => m.chatId)).toEqual([String(OPERATOR)]);
      expect(replies[0]!.text).toMatch(/^kill switch engaged on main\b/);
      expect(source.status().accounts[0]!.killSwitch.reason).toBe(`wiring drill (telegram:${String(OPERATOR)})`);
    } finally {
      stop.abort();
      await run.catch(() => undefined);
    }
    const result = await run;
    await server.stop();
    // One post per minute: every heartbeat names a distinct minute, and the marker holds the latest one sent.
    const lines = server.messages.filter((m) => m.text.startsWith('💓 HEARTBEAT')).map((m) => m.text.split('\n')[0]!);
    expect(new Set(lines).size).toBe(lines.length);
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      const kv = (key: string): unknown => {
        const row = db.prepare<[string], { value: string }>('SELECT value FROM kv WHERE key = ?').get(key);
        return row === undefined ? undefined : JSON.parse(row.value);
      };
      const marker = kv(sentMarkerKey('beat')) as { period: string };
      expect(lines.at(-1)).toContain(marker.period.slice(11, 16));
      expect(kv(COMMAND_OFFSET_KEY)).toBeGreaterThan(0);
      const queued = db.prepare<[], { payload: string }>("SELECT payload FROM events WHERE type = 'NOTIFY_QUEUED'").all().map((r) => JSON.parse(r.payload) as { key: string; channel: string });
      const beatKeys = queued.filter((q) => q.key.startsWith('schedule:beat:'));
      // Email is not enabled: the schedule runs on Telegram alone.
      expect(new Set(beatKeys.map((q) => q.channel))).toEqual(new Set(['telegram']));
      expect(beatKeys.length).toBeGreaterThanOrEqual(lines.length);
    } finally {
      db.close();
    }
  }, 150_000);
});
