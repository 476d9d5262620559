/**
 * Status views for the tests of the state files, `status` and the heartbeat: a complete StatusView with one account,
 * two connections, a protected position and a working order, and an OpsSource over a status function (its control
 * service refuses everything: these tests only read). Test support only; nothing in src imports it.
 */
import type { ControlOutcome, OpsSource, StatusView } from '../../src/ops/types.ts';

/** 2026-09-22T10:00:00.000Z: the session time of the sample views. */
export const SAMPLE_AT = 1_790_071_200_000;

/** Returns a complete status view; `over` replaces top-level fields. */
export const sampleStatus = (over: Partial<StatusView> = {}): StatusView => ({
  at: SAMPLE_AT,
  wallAt: SAMPLE_AT,
  runId: 'demo-test',
  profile: 'demo',
  mode: 'PAPER',
  clock: 'accelerated',
  version: 'test',
  commit: null,
  phase: 'trading',
  trading: { on: true, reasons: [] },
  accounts: [{
    name: 'main', kind: 'bybit', endpoint: 'sim', gateOpen: true, tradingState: 'active',
    killSwitch: { engaged: false, reason: null, flatten: false, source: null }, brokerDesync: false,
    dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'up' },
    symbolGates: [{ symbol: 'ADAUSDT', blocked: 'recovery: unknown position', quarantined: null, paused: null }],
    equity: '100012.5', startingBalance: '100000', journal: { path: '/tmp/j.sqlite', lastSeq: 42 },
  }],
  connections: [
    { account: 'main', stream: 'public', state: 'open.live', live: true, sockets: 1, invalidFrames: 0 },
    { account: 'main', stream: 'private', state: 'reconnecting', live: false, sockets: 2, invalidFrames: 1 },
  ],
  actors: [{ account: 'main', symbol: 'BTCUSDT', state: 'opened.protected', control: 'running', stopped: false }],
  positions: [{
    account: 'main', symbol: 'BTCUSDT', side: 'long', quantity: '0.012', entryPrice: '64000.5', markPrice: '64100',
    unrealizedPnl: '1.194', takeProfit: '65000', stopLoss: '63000', protected: true,
  }],
  workingOrders: [{ account: 'main', symbol: 'ETHUSDT', clientOrderId: 'tw-demo-1-7', side: 'buy', type: 'limit', quantity: '0.5', price: '3000', reduceOnly: false, state: 'new' }],
  pnl: { realized: '12.5', fees: '0.75', unrealized: '1.194', equity: '100012.5', dailyChange: '12.5', drawdown: '0.0001' },
  counters: { proposals: 9, intents: 3, ordersSent: 4, fills: 3, trades: 1, wins: 1, losses: 0, restarts: 0 },
  vetoes: { staleness: 2, symbol_cap: 1 },
  strategies: [{ id: 'breakout', enabled: true }],
  alerts: [],
  heartbeat: { cycles: 120, lastCycleAt: SAMPLE_AT - 500, wallLastCycleAt: SAMPLE_AT - 500 },
  ...over,
});

const refused = (): Promise<ControlOutcome> => Promise.resolve({ ok: false, detail: 'read-only test source' });

/** An OpsSource whose status is `status()`; no events, no journal tail, every control action refused. */
export const opsSourceOf = (status: () => StatusView): OpsSource => ({
  status,
  ready: () => {
    const v = status();
    return { ready: v.trading.on, reasons: v.trading.reasons };
  },
  journalTail: () => ({ problem: 'no journal in this test source' }),
  events: { since: () => [], subscribe: () => () => undefined },
  control: { kill: refused, resume: refused, flatten: refused, setStrategyEnabled: refused, unblock: refused },
});
