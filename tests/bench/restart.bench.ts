/**
 * Bench (issue #5 item 9): restart → gate open with 100 open orders and 50 positions at the venue, through the Bybit
 * adapter on the loopback simulator façade: instruments, balances and leverage (prepare), 50 actors restored, start-up
 * recovery (100 order queries, 50 positions adopted and protected, the journal-level reconcile), gate open.
 * Prints figures; never passes or fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redacted, Schema } from 'effect';
import { AppConfig } from '../../src/config/schema.ts';
import { Decimal, dec } from '../../src/domain/money.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { decodeBybitConfig } from '../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue } from '../../src/venues/bybit/BybitVenue.ts';
import { startBybitSim } from '../../src/venues/sim/bybit/BybitSimServer.ts';
import { bybitLinearInstrument, createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import { syntheticFeed } from '../../src/venues/sim/replay/syntheticFeed.ts';

const START = 1_750_000_000_000;
const KEY = 'bench-key';
const SECRET = 'bench-secret';
const ACCOUNT = 'bench';
const POSITIONS = 50;
const ORDERS = 100;

const round = async (): Promise<{ readonly ms: number; readonly actions: number }> => {
  const clock = new VirtualClock(START);
  const btc = bybitLinearInstrument('BTCUSDT');
  const symbols = Array.from({ length: POSITIONS }, (_, i) => `B${String(i).padStart(2, '0')}USDT`);
  const instruments = symbols.map((symbol) => ({ ...btc, symbol }));
  const exchange = createSimExchange({
    clock, instruments, seed: 5,
    feeds: symbols.map((symbol, i) => syntheticFeed({ symbol, start: START, startPrice: new Decimal(30_000 + i), ticks: 1000, seed: 11 + i, volatility: 0.0002, intervalMs: 1000 })),
  });
  exchange.fundAccount(ACCOUNT, 'USDT', new Decimal(100_000_000));
  exchange.advanceTo(START + 5000);
  clock.advanceTo(START + 5000);
  const server = await startBybitSim({
    exchange, apiKeys: [{ key: KEY, secret: SECRET, account: ACCOUNT }], rateLimitClock: clock, rateLimits: { orderPerSecond: 100_000, otherPerSecond: 100_000 },
  });
  const venue = makeBybitVenue(
    decodeBybitConfig({
      environment: 'sim', baseUrl: server.url, wsPublicUrl: server.wsPublicUrl, wsPrivateUrl: server.wsPrivateUrl, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET),
      rateLimits: {
        order: { burst: 100_000, perSecond: 100_000 }, position: { burst: 100_000, perSecond: 100_000 }, account: { burst: 100_000, perSecond: 100_000 },
        market: { burst: 100_000, perSecond: 100_000 }, maxQueueMs: 0,
      },
    }),
    { clock },
  );
  const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-bench-restart-')), 'journal.sqlite'), clock });
  // The venue's state the previous process left: one position per symbol, 100 resting orders it had journaled.
  for (const symbol of symbols) {
    exchange.placeOrder({ account: ACCOUNT, symbol, side: 'buy', type: 'market', quantity: dec('0.01'), timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false, clientOrderId: `manual-${symbol}` });
  }
  for (let i = 0; i < ORDERS; i++) {
    const symbol = symbols[i % POSITIONS]!;
    const clientOrderId = `tw-bench-${i.toString(36)}-0`;
    const price = exchange.ticker(symbol).lastPrice.times('0.9').minus(i).toDecimalPlaces(1);
    const placed = exchange.placeOrder({ account: ACCOUNT, symbol, side: 'buy', type: 'limit', quantity: dec('0.001'), price, timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId });
    journal.recordOrderRequested({ clientOrderId, intentId: `bench-${i}`, venue: 'bybit', symbol, side: 'buy', quantity: dec('0.001'), price, orderType: 'limit', timeInForce: 'gtc', reduceOnly: false, details: {} });
    if (placed.ok) journal.recordOrderUpdate({ clientOrderId, type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: placed.value.orderId, payload: {} });
  }
  const base = Schema.decodeUnknownSync(AppConfig)({});
  const runtime = makeTestRuntime({
    settings: testSettings({ profile: 'bench', symbols, maxRepriceAttempts: 0, retry: { baseMs: 1, capMs: 5, maxAttempts: 3 }, seed: 1 }),
    venue, journal, scheduler: virtualScheduler(clock), logger: createLogger({ level: 'silent', clock, targets: {} }),
    risk: makeRiskEngine({ ...base.risk, mode: 'PAPER' }),
  });
  const t0 = performance.now();
  await runtime.prepare();
  for (const s of symbols) runtime.startActor(s);
  const report = await runtime.recover();
  runtime.openGate();
  const ms = performance.now() - t0;
  await runtime.stop('bench');
  journal.close();
  await venue.close();
  await server.close();
  return { ms, actions: report.actions.length };
};

/** Returns restart → gate-open figures over a few rounds. */
export async function benchRestart(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const rounds: number[] = [];
  let actions = 0;
  for (let i = 0; i < 3; i++) {
    const r = await round();
    rounds.push(r.ms);
    actions = r.actions;
  }
  rounds.sort((a, b) => a - b);
  return [
    { name: 'restart_to_gate_open_100_orders_50_positions_median', value: Math.round(rounds[1]!), unit: 'ms' },
    { name: 'restart_to_gate_open_100_orders_50_positions_max', value: Math.round(rounds[2]!), unit: 'ms' },
    { name: 'restart_recovery_actions', value: actions, unit: 'actions' },
  ];
}
