/**
 * The dependency gate on loopback (X-RSK-6, S0-20, X-OBS-1): a PAPER session over the Bybit wire protocol, then an
 * induced venue outage (every REST answer a 5xx, every websocket frame a dropped connection, through the simulator's
 * fault endpoint): the venue REST and stream dependencies go down, trading is OFF with the reasons and a CRITICAL
 * alert, `ready()` says no; when the faults are lifted both come back and trading is ON again. Each change is journaled.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import type { OpsSource } from '../../src/ops/types.ts';
import { dependencyEvent, nextEvent } from '../support/opsWait.ts';

// ×100 so the replay outlasts the outage; wide age limits because CI runs other files on the same two cores.
const config = {
  ...loopbackConfig({ speed: 100, maxAgeMs: { quote: 600_000, bar: 600_000, account: 600_000 } }),
  ops: { ...demo.config.ops, heartbeatMs: 0 },
};

const postFaults = async (url: string, body: unknown): Promise<void> => {
  const r = await fetch(`${url}/sim/control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
};

describe('X-RSK-6 S0-20 X-OBS-1 dependency gate on loopback', () => {
  it('an induced venue outage sets trading OFF with a CRITICAL alert, recovery sets it ON; each change journaled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-outage-'));
    const abort = new AbortController();
    const progress: string[] = [];
    let source: OpsSource | undefined;
    let ready!: () => void;
    const opsReady = new Promise<void>((r) => (ready = r));
    const session = runSession({
      wire: true, config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: (l) => progress.push(l), maxWallMs: 150_000, signal: abort.signal,
      onOps: (ops) => {
        source = ops.source;
        ready();
      },
    });
    try {
      await opsReady;
      const ops = source!;
      await nextEvent(ops, (e) => e.kind === 'gate' && e.data['phase'] === 'trading', 'gate opening');
      // Trading is ON as the gate opens: the session waited for both streams to be live first.
      expect(ops.status().trading, JSON.stringify(ops.status().trading)).toMatchObject({ on: true });
      const facade = /wire protocol on (http:\/\/127\.0\.0\.1:\d+)/.exec(progress.join('\n'))?.[1];
      expect(facade, progress.join('\n')).toBeDefined();

      await postFaults(facade!, { http5xxRate: 1, wsDropRate: 1 });
      await nextEvent(ops, dependencyEvent('venue_ws', 'down'), 'venue_ws down');
      await nextEvent(ops, dependencyEvent('venue_rest', 'down'), 'venue_rest down');
      const off = ops.status();
      expect(off.trading.on).toBe(false);
      expect(off.trading.reasons).toEqual(expect.arrayContaining(['main: dependency_down venue_ws', 'main: dependency_down venue_rest']));
      expect(ops.ready()).toMatchObject({ ready: false });
      expect(off.alerts).toEqual(expect.arrayContaining(['dependency_down:main:venue_ws', 'dependency_down:main:venue_rest']));
      expect(off.accounts[0]!.dependencies).toMatchObject({ venue_ws: 'down', venue_rest: 'down' });

      await postFaults(facade!, {});
      await nextEvent(ops, dependencyEvent('venue_rest', 'up'), 'venue_rest up');
      await nextEvent(ops, dependencyEvent('venue_ws', 'up'), 'venue_ws up');
      const on = ops.status();
      expect(on.accounts[0]!.dependencies).toMatchObject({ venue_ws: 'up', venue_rest: 'up' });
      expect(on.alerts.filter((k) => k.startsWith('dependency_down'))).toEqual([]);
      expect(on.trading.reasons.filter((r) => r.includes('dependency_down'))).toEqual([]);
    } finally {
      abort.abort();
    }
    const result = await session;
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      const changes = (db.prepare("SELECT payload FROM events WHERE type = 'DEPENDENCY_CHANGED' ORDER BY seq").all() as Array<{ payload: string }>).map((r) => JSON.parse(r.payload) as { dependency: string; health: string });
      expect(changes.filter((c) => c.dependency === 'venue_rest').map((c) => c.health)).toEqual(['down', 'up']);
      expect(changes.filter((c) => c.dependency === 'venue_ws').map((c) => c.health).slice(0, 1)).toEqual(['down']);
      expect(changes.filter((c) => c.dependency === 'venue_ws').at(-1)?.health).toBe('up');
    } finally {
      db.close();
    }
  }, 180_000);
});
