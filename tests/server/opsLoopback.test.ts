/**
 * The operations server on a real loopback PAPER run (issue 14 acceptance): the session's own server over the real
 * operations surface, the real Bybit adapter and the simulator's façade on 127.0.0.1. `/health` answers, `/ready` is
 * 503 with reasons before the gate opens and 200 after, `/metrics` parses, `/status` shows the simulator's positions,
 * every control route refuses a caller without the token and changes nothing, and the token's kill halts the session
 * and cancels its working orders within the kill switch's 10 s. Synchronised on the session's hooks and its events.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redacted } from 'effect';
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import { fingerprint, loadSecrets } from '../../src/config/secrets.ts';
import { dec } from '../../src/domain/money.ts';
import type { ReadyView, StatusView } from '../../src/ops/types.ts';
import { TRADEWARDEN_METRICS } from '../../src/server/OpsMetrics.ts';
import { call } from './opsFixture.ts';
import { statusProblems } from './statusSchema.ts';

const TOKEN = 'loopback-ops-token-7d2e';
// As tests/runtime/loopback.test.ts: ×500 over the bundled bars, exits tightened so positions open and close in the
// data, age limits widened for a shared two-core machine; the server on an ephemeral port. The session runs until the
// test stops it (no bar limit: a session that ended at one under load closed the server mid-test).
const config = {
  ...loopbackConfig({ speed: 500, tightExits: true }),
  server: { ...demo.config.server, enabled: true, port: 0 },
};

interface SimPosition { readonly symbol: string; readonly side: string; readonly size: string; readonly takeProfit: string; readonly stopLoss: string }
interface SimOrder { readonly orderLinkId: string; readonly status: string }

/** A deferred value the session's hooks resolve. */
const deferred = <T>() => {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

/** Reads the SSE stream and calls `check` after every event until it returns a value (or the stream or session ends). */
const onEvents = async <T>(url: string, signal: AbortSignal, check: () => Promise<T | undefined>): Promise<T | undefined> => {
  const first = await check();
  if (first !== undefined) return first;
  const res = await fetch(`${url}/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return undefined;
      pending += decoder.decode(chunk.value as Uint8Array, { stream: true });
      if (!pending.includes('\n\n')) continue;
      pending = pending.slice(pending.lastIndexOf('\n\n') + 2);
      const found = await check();
      if (found !== undefined) return found;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
};

const getJson = async <T>(url: string, token?: string): Promise<{ status: number; body: T }> => {
  const res = await call(url, { token });
  return { status: res.status, body: res.json() as T };
};

const side = (s: string): string => (s === 'Buy' ? 'long' : s === 'Sell' ? 'short' : s);
const samePositions = (sim: ReadonlyArray<SimPosition>, status: StatusView): boolean => {
  const ours = status.positions.filter((p) => p.account === 'main').map((p) => `${p.symbol} ${p.side} ${dec(p.quantity).toString()}`).sort();
  const truth = sim.map((p) => `${p.symbol} ${side(p.side)} ${dec(p.size).toString()}`).sort();
  return JSON.stringify(ours) === JSON.stringify(truth);
};

describe('operations server on a loopback PAPER run', () => {
  it('X-OBS-1 X-OBS-4 X-SEC-12 X-RSK-1 serves health, readiness before and after the gate, metrics, the venue\'s positions, 401s without the token, and a kill within 10 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ops-loopback-'));
    const stop = new AbortController();
    const streams = new AbortController();
    const ops = deferred<string>();
    const beforeGate: { ready?: { status: number; body: ReadyView }; health?: number } = {};
    const progress: string[] = [];
    const run = runSession({
      wire: true, config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: (l) => progress.push(l), maxWallMs: 140_000,
      signal: stop.signal, secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN }),
      onOps: ({ serverUrl }) => ops.resolve(serverUrl ?? 'no server'),
      // Recovery is done and the gates are still closed: what /ready says now is the "before".
      beforeGate: async () => {
        const url = await ops.promise;
        beforeGate.health = (await call(`${url}/health`)).status;
        beforeGate.ready = await getJson<ReadyView>(`${url}/ready`);
      },
    });
    try {
      const url = await Promise.race([ops.promise, run.then(() => 'session ended first')]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(progress.some((l) => l.startsWith(`ops server on ${url}`))).toBe(true);
      const health = await getJson<{ ok: boolean; phase: string }>(`${url}/health`);
      expect(health.status).toBe(200);
      expect(health.body.ok).toBe(true);

      // /ready: 503 with the reasons before the gate opens, 200 once trading is ON.
      const readyAt = await onEvents(url, streams.signal, async () => {
        const r = await getJson<ReadyView>(`${url}/ready`);
        return r.status === 200 ? r : undefined;
      });
      expect(beforeGate.health).toBe(200);
      expect(beforeGate.ready?.status).toBe(503);
      expect(beforeGate.ready?.body.ready).toBe(false);
      expect(beforeGate.ready?.body.reasons.length).toBeGreaterThan(0);
      expect(readyAt?.body).toEqual({ ready: true, reasons: [] });

      // /metrics parses and carries every metric of the issue.
      const metrics = await call(`${url}/metrics`, { token: TOKEN });
      expect(metrics.status).toBe(200);
      const names = new Set(parsePrometheus(metrics.text).map((f) => f.name));
      for (const name of [...TRADEWARDEN_METRICS, 'nodejs_eventloop_lag_seconds', 'process_cpu_user_seconds_total']) expect(names.has(name), name).toBe(true);

      // /status against the simulator's truth, at one instant: the façade's clock driver paused.
      const withPosition = await onEvents(url, streams.signal, async () => {
        const s = await getJson<StatusView>(`${url}/status`, TOKEN);
        return s.body.positions.length > 0 ? s.body : undefined;
      });
      expect(withPosition, 'a position opened during the run').toBeDefined();
      expect(statusProblems(withPosition)).toEqual([]);
      // With a position open, the session has run cycles, sent REST requests, committed entries and read frames: the
      // hot paths' telemetry reached /metrics (a histogram's count and a counter's sum above zero).
      // (Summed from the exposition lines: the parser folds a labelled histogram's series into one and drops them.)
      const traded = (await call(`${url}/metrics`, { token: TOKEN })).text.split('\n');
      const total = (name: string): number =>
        traded.filter((l) => l.startsWith(`${name}_count`) || (l.startsWith(name) && name.endsWith('_total'))).reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
      for (const name of ['tradewarden_decision_cycle_seconds', 'tradewarden_rest_request_seconds', 'tradewarden_journal_append_seconds', 'tradewarden_ws_messages_total']) {
        expect(total(name), name).toBeGreaterThan(0);
      }
      // The façade's address as the session announced it (the status names the account's endpoint `simulator`).
      const facade = /over the Bybit v5 linear wire protocol on (http:\/\/127\.0\.0\.1:\d+)/.exec(progress.join('\n'))?.[1];
      if (facade === undefined) throw new Error(`no façade address in the progress lines: ${progress.join(' | ')}`);
      const paused = await call(`${facade}/sim/control/pause`, { json: { paused: true } });
      expect(paused.status).toBe(200);
      let compared: { sim: SimPosition[]; status: StatusView } | undefined;
      // The venue no longer moves; a fill already on the wire may still land, so read both until they agree (bounded).
      for (let i = 0; i < 50 && compared === undefined; i++) {
        const sim = (await getJson<{ positions: SimPosition[] }>(`${facade}/sim/control/positions?account=main`)).body.positions;
        const status = (await getJson<StatusView>(`${url}/status`, TOKEN)).body;
        if (samePositions(sim, status)) compared = { sim, status };
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(compared, 'status positions equal the simulator positions while paused').toBeDefined();
      for (const p of compared!.status.positions) {
        const truth = compared!.sim.find((s) => s.symbol === p.symbol)!;
        expect(p.takeProfit === null ? '' : dec(p.takeProfit).toString()).toBe(truth.takeProfit === '' ? '' : dec(truth.takeProfit).toString());
        expect(p.stopLoss === null ? '' : dec(p.stopLoss).toString()).toBe(truth.stopLoss === '' ? '' : dec(truth.stopLoss).toString());
      }
      expect((await call(`${facade}/sim/control/pause`, { json: { paused: false } })).status).toBe(200);

      // Without the token every control route answers 401 and nothing changes.
      const before = (await getJson<StatusView>(`${url}/status`, TOKEN)).body;
      for (const path of ['/control/kill', '/control/resume', '/control/flatten/BTCUSDT', '/control/strategies/breakout/enable', '/control/strategies/breakout/disable', '/control/symbols/BTCUSDT/unblock']) {
        for (const token of [undefined, 'not-the-token']) {
          const res = await call(`${url}${path}`, { token, json: { reason: 'intruder' } });
          expect(res.status, `${path} ${String(token)}`).toBe(401);
        }
      }
      const after = (await getJson<StatusView>(`${url}/status`, TOKEN)).body;
      expect(after.accounts.map((a) => a.killSwitch)).toEqual(before.accounts.map((a) => a.killSwitch));
      expect(after.strategies).toEqual(before.strategies);
      expect(after.trading.on).toBe(true);

      // With the token: the kill switch engages and every working order is gone within 10 s.
      const working = (await getJson<StatusView>(`${url}/status`, TOKEN)).body.workingOrders.length;
      const killedAt = performance.now();
      const kill = await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'ops loopback drill' } });
      expect(kill.status).toBe(200);
      expect((kill.json() as { ok: boolean }).ok).toBe(true);
      const cleared = await onEvents(url, streams.signal, async () => {
        const s = (await getJson<StatusView>(`${url}/status`, TOKEN)).body;
        const open = (await getJson<{ orders: SimOrder[] }>(`${facade}/sim/control/orders?account=main`)).body.orders.filter((o) => o.status === 'New' || o.status === 'PartiallyFilled');
        return s.workingOrders.length === 0 && open.length === 0 ? { s, ms: performance.now() - killedAt } : undefined;
      });
      expect(cleared, `working orders (${working} at the kill) cancelled`).toBeDefined();
      expect(cleared!.ms).toBeLessThan(10_000);
      expect(cleared!.s.accounts.map((a) => a.killSwitch)).toEqual([{ engaged: true, reason: expect.stringContaining('ops loopback drill') as string, flatten: false, source: 'api' }]);
      expect(statusProblems(cleared!.s)).toEqual([]);
      const readyAfter = await getJson<ReadyView>(`${url}/ready`);
      expect(readyAfter.status).toBe(503);
      expect(readyAfter.body.reasons.some((r) => r.includes('kill_switch'))).toBe(true);
    } finally {
      streams.abort();
      stop.abort();
    }
    const result = await run;
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      // One operator action reached the session: the token's kill, journaled with its fingerprint and reason before it
      // acted and again with its outcome. None of the refused requests left a trace.
      const actions = db.prepare<[], { payload: string }>("SELECT payload FROM events WHERE type = 'OPERATOR_CONTROL' ORDER BY seq").all().map((r) => JSON.parse(r.payload) as Record<string, unknown>);
      const who = `api:${fingerprint(Redacted.make(TOKEN)).slice(0, 8)}`;
      expect(actions.length).toBeGreaterThan(0);
      for (const a of actions) expect(a).toMatchObject({ action: 'kill', who, reason: 'ops loopback drill' });
      expect(actions.at(-1)).toMatchObject({ outcome: { ok: true } });
      expect(db.prepare<[], { n: number }>("SELECT count(*) AS n FROM events WHERE type = 'KILL_ENGAGED'").get()?.n).toBe(1);
    } finally {
      db.close();
    }
  }, 150_000);
});
