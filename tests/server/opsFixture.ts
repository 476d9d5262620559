/**
 * A small OpsSource over a real journal for the server's own tests: its status and readiness are plain state the
 * test sets, its control actions journal OPERATOR_CONTROL (who and why) and change that state, and its event feed is
 * the session's real OpsEventHub fed by the real journal pump. It stands in for the session, never for the server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { journalPump, OpsEventHub } from '../../src/app/opsEvents.ts';
import type { Secrets } from '../../src/config/secrets.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { decodeDefaults, ServerSection, type AppConfig } from '../../src/config/schema.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { wallClock, type Clock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import type { ControlOutcome, OpsSource, StatusView } from '../../src/ops/types.ts';
import type { DashboardAssets } from '../../src/server/dashboardAssets.ts';
import { OpsMetrics } from '../../src/server/OpsMetrics.ts';
import { startOpsServer, type OpsServer } from '../../src/server/OpsServer.ts';

/** The token the fixture's server is started with. */
export const TOKEN = 'test-token-4f1c9a7e2b';

/** A status view with one account, one position and one working order; `patch` overrides fields. */
export const statusView = (patch: Partial<StatusView> = {}): StatusView => ({
  at: 1_700_000_000_000, wallAt: 1_700_000_000_000, runId: 'paper-test', profile: 'paper', mode: 'PAPER', clock: 'wall', version: 'test', commit: null, phase: 'trading',
  trading: { on: true, reasons: [] },
  accounts: [{
    name: 'main', kind: 'bybit', endpoint: 'http://127.0.0.1:1', gateOpen: true, tradingState: 'Normal',
    killSwitch: { engaged: false, reason: null, flatten: false, source: null }, brokerDesync: false, dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'up' },
    symbolGates: [], equity: '10250.5', startingBalance: '10000', journal: { path: ':memory:', lastSeq: 0 },
  }],
  connections: [{ account: 'main', stream: 'public', state: 'open.live', live: true, sockets: 1, invalidFrames: 0 }],
  actors: [{ account: 'main', symbol: 'BTCUSDT', state: 'opened.protected', control: 'running', stopped: false }],
  positions: [{ account: 'main', symbol: 'BTCUSDT', side: 'long', quantity: '0.010', entryPrice: '60000.0', markPrice: '61000.5', unrealizedPnl: '10.005', takeProfit: '62000', stopLoss: '59000', protected: true }],
  workingOrders: [{ account: 'main', symbol: 'BTCUSDT', clientOrderId: 'tw-1-1', side: 'sell', type: 'limit', quantity: '0.010', price: '62000', reduceOnly: true, state: 'ACKED' }],
  pnl: { realized: '250.5', fees: '1.25', unrealized: '10.005', equity: '10250.5', dailyChange: '250.5', drawdown: '0' },
  counters: { proposals: 9, intents: 4, ordersSent: 7, fills: 5, trades: 2, wins: 1, losses: 1, restarts: 0 },
  vetoes: { stale_quote: 3, max_exposure: 1 },
  strategies: [{ id: 'breakout', enabled: true }],
  alerts: [],
  heartbeat: { cycles: 12, lastCycleAt: 1_700_000_000_000, wallLastCycleAt: 1_700_000_000_000 },
  ...patch,
});

/** The fixture: the source, its journal and event hub, and the state its control actions change. */
export interface OpsFixture {
  readonly source: OpsSource;
  readonly journal: Journal;
  readonly hub: OpsEventHub;
  /** Publishes what the journal committed since the last call (the session runs this on a timer). */
  readonly pump: () => void;
  readonly state: { status: StatusView; ready: { ready: boolean; reasons: string[] } };
  /** Every control call in order: action, who, reason and its arguments. */
  readonly calls: Array<{ readonly action: string; readonly who: string; readonly reason: string; readonly arg?: string | boolean | undefined }>;
  readonly close: () => void;
}

/** Builds the fixture over a fresh journal file. */
export const opsFixture = (): OpsFixture => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-ops-'));
  const journal = openJournal({ path: join(dir, 'main.sqlite'), clock: wallClock });
  const hub = new OpsEventHub();
  const state = { status: statusView(), ready: { ready: true, reasons: [] as string[] } };
  const calls: OpsFixture['calls'] = [];
  const act = (action: 'kill' | 'resume' | 'flatten' | 'strategy_enable' | 'strategy_disable' | 'unblock', who: string, reason: string, extra: { symbol?: string; strategy?: string; flatten?: boolean }, run: () => ControlOutcome): Promise<ControlOutcome> => {
    calls.push({ action, who, reason, arg: extra.symbol ?? extra.strategy ?? extra.flatten });
    const outcome = run();
    journal.append('operator', 'OPERATOR_CONTROL', { action, who, reason, ...extra, outcome: { ok: outcome.ok, detail: outcome.detail } });
    return Promise.resolve(outcome);
  };
  const setKill = (engaged: boolean, reason: string | null): void => {
    const accounts = state.status.accounts.map((a) => ({ ...a, killSwitch: { ...a.killSwitch, engaged, reason, source: engaged ? 'api' : null } }));
    state.status = { ...state.status, accounts, trading: { on: !engaged, reasons: engaged ? ['kill switch engaged'] : [] } };
    state.ready = { ready: !engaged, reasons: engaged ? ['main: kill switch engaged'] : [] };
  };
  const source: OpsSource = {
    status: () => state.status,
    ready: () => state.ready,
    journalTail: (after, limit, account) => {
      if (account !== undefined && account !== 'main') return { problem: `no account ${account} in this session (accounts: main)` };
      const entries = [...journal.readEvents({ fromSeq: after + 1, limit })].map((e) => ({ seq: e.seq, ts: e.ts, stream: e.stream, type: e.type, payload: e.payload, hash: e.hash.toString('hex') }));
      return { account: 'main', entries };
    },
    events: hub,
    control: {
      kill: (req) => act('kill', req.who, req.reason, { flatten: req.flatten }, () => {
        if (state.status.accounts[0]!.killSwitch.engaged) return { ok: false, detail: 'the kill switch is already engaged' };
        setKill(true, req.reason);
        return { ok: true, detail: 'kill switch engaged on main', fields: { cancelled: 1 } };
      }),
      resume: (req) => act('resume', req.who, req.reason, {}, () => {
        if (!state.status.accounts[0]!.killSwitch.engaged) return { ok: false, detail: 'the kill switch is not engaged' };
        setKill(false, null);
        return { ok: true, detail: 'kill switch cleared on main' };
      }),
      flatten: (symbol, req) => act('flatten', req.who, req.reason, { symbol }, () => ({ ok: symbol === 'BTCUSDT', detail: symbol === 'BTCUSDT' ? 'exit proposed' : `no open position in ${symbol}` })),
      setStrategyEnabled: (id, enabled, req) => act(enabled ? 'strategy_enable' : 'strategy_disable', req.who, req.reason, { strategy: id }, () => ({ ok: id === 'breakout', detail: id === 'breakout' ? `${id} ${enabled ? 'enabled' : 'disabled'}` : `no strategy ${id}` })),
      unblock: (symbol, req) => act('unblock', req.who, req.reason, { symbol }, () => ({ ok: false, detail: `${symbol} is not blocked` })),
    },
  };
  return { source, journal, hub, pump: journalPump(hub, [{ account: 'main', journal }]), state, calls, close: () => journal.close() };
};

/** A started server over a fixture, with its metrics and every log line it wrote. */
export interface TestServer {
  readonly server: OpsServer;
  readonly url: string;
  readonly metrics: OpsMetrics;
  readonly logLines: string[];
}

/** Starts the server on 127.0.0.1:0 over the fixture. */
export const startTestServer = async (fixture: OpsFixture, opts: {
  readonly server?: Partial<AppConfig['server']>;
  readonly secrets?: Secrets | undefined;
  readonly clock?: Clock;
  readonly dashboard?: DashboardAssets;
  readonly sseHeartbeatMs?: number;
} = {}): Promise<TestServer> => {
  const logLines: string[] = [];
  const clock = opts.clock ?? wallClock;
  const metrics = new OpsMetrics();
  const server = await startOpsServer({
    source: fixture.source, server: { ...decodeDefaults(ServerSection), enabled: true, port: 0, ...opts.server },
    secrets: 'secrets' in opts ? opts.secrets : loadSecrets({ TW_CONTROL_TOKEN: TOKEN }), clock,
    logger: createLogger({ level: 'trace', clock, targets: { memory: logLines } }), metrics, dashboard: opts.dashboard, sseHeartbeatMs: opts.sseHeartbeatMs,
  });
  return { server, url: server.url, metrics, logLines };
};

/** Sends a request; `token` adds the bearer header, `json` a JSON body. */
export const call = async (url: string, opts: { method?: string; token?: string; json?: unknown; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Headers; text: string; json: () => unknown }> => {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers['authorization'] = `Bearer ${opts.token}`;
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: opts.method ?? (opts.json !== undefined || opts.body !== undefined ? 'POST' : 'GET'), headers, body: opts.json !== undefined ? JSON.stringify(opts.json) : opts.body, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as unknown };
};
