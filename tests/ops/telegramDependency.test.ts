/**
 * Telegram as a gating dependency (S0-20, X-RSK-6): a loopback PAPER session with Telegram enabled against the
 * loopback Bot API server and `telegram` among the gating dependencies. While the server answers `getMe` with 500s
 * the `telegram` dependency goes down (journaled, CRITICAL alert, trading OFF with the reason, not ready); when it
 * answers again trading is ON.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import type { OpsSource } from '../../src/ops/types.ts';
import { startBotApiServer } from '../support/botApiServer.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import { dependencyEvent, nextEvent } from '../support/opsWait.ts';

describe('S0-20 X-RSK-6 Telegram is a gating dependency', () => {
  it('S0-20 a Bot API outage takes trading OFF with the reason and an alert; its recovery turns it ON; each change journaled', async () => {
    const server = await startBotApiServer();
    const base = loopbackConfig({ speed: 100, maxAgeMs: { quote: 600_000, bar: 600_000, account: 600_000 } });
    const config = {
      ...base,
      ops: { ...demo.config.ops, heartbeatMs: 0 },
      risk: { ...base.risk, dependencies: { ...base.risk.dependencies, gating: [...base.risk.dependencies.gating, 'telegram'] } },
      notifications: { ...base.notifications, deliveryTimeoutMs: 1_000, telegram: { ...base.notifications.telegram, enabled: true, apiBaseUrl: server.url, chatIds: ['4242'], probeEveryMs: 1_000 } },
    };
    const abort = new AbortController();
    let resolveOps: (s: OpsSource) => void = () => undefined;
    const opsReady = new Promise<OpsSource>((r) => (resolveOps = r));
    const session = runSession({
      wire: true, config, configHash: demo.hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-telegram-dep-')), version: 'test', commit: null, progress: () => undefined,
      maxWallMs: 150_000, signal: abort.signal, onOps: ({ source }) => resolveOps(source), secrets: loadSecrets({ TW_TELEGRAM_BOT_TOKEN: server.token }),
    });
    try {
      const ops = await Promise.race([opsReady, session.then(() => Promise.reject(new Error('the session ended before its operations surface ran')))]);
      await nextEvent(ops, (e) => e.kind === 'gate' && e.data['phase'] === 'trading', 'gate opening');
      expect(ops.status().accounts[0]!.dependencies).toMatchObject({ telegram: 'up' });

      server.setFault('getMe', { kind: 'status', status: 500 });
      await nextEvent(ops, dependencyEvent('telegram', 'down'), 'telegram down');
      const off = ops.status();
      expect(off.trading.on).toBe(false);
      expect(off.trading.reasons).toContain('main: dependency_down telegram');
      expect(off.alerts).toContain('dependency_down:main:telegram');
      expect(ops.ready()).toMatchObject({ ready: false });

      server.setFault('getMe', undefined);
      await nextEvent(ops, dependencyEvent('telegram', 'up'), 'telegram up');
      const on = ops.status();
      expect(on.accounts[0]!.dependencies).toMatchObject({ telegram: 'up' });
      expect(on.trading.reasons.filter((r) => r.includes('telegram'))).toEqual([]);
      expect(on.alerts.filter((k) => k.includes('telegram'))).toEqual([]);
    } finally {
      abort.abort();
    }
    const result = await session;
    await server.stop();
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      const changes = db.prepare<[], { payload: string }>("SELECT payload FROM events WHERE type = 'DEPENDENCY_CHANGED' ORDER BY seq").all().map((r) => JSON.parse(r.payload) as { dependency: string; health: string });
      expect(changes.filter((c) => c.dependency === 'telegram').map((c) => c.health)).toEqual(['down', 'up']);
    } finally {
      db.close();
    }
  }, 180_000);
});
