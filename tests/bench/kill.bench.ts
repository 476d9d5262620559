/**
 * Bench: kill switch → every working order cancelled, with 100 resting orders placed through the Bybit adapter on the
 * loopback simulator façade (X-RSK-1: ≤ 10 s required, < 250 ms targeted). Prints figures; never passes or fails.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect, Schema } from 'effect';
import { AppConfig } from '../../src/config/schema.ts';
import { dec } from '../../src/domain/money.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { ACCOUNT, startSimHarness } from '../venues/bybit/simHarness.ts';

/** Returns kill → cancelled figures over a few rounds. */
export async function benchKill(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    const h = await startSimHarness();
    const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-bench-kill-')), 'journal.sqlite'), clock: h.clock });
    const base = Schema.decodeUnknownSync(AppConfig)({});
    const runtime = makeTestRuntime({
      settings: testSettings({ profile: 'bench', symbols: ['BTCUSDT'], maxRepriceAttempts: 0, retry: { baseMs: 1, capMs: 5, maxAttempts: 3 }, seed: 1 }),
      venue: h.venue, journal, scheduler: virtualScheduler(h.clock), logger: createLogger({ level: 'silent', clock: h.clock, targets: {} }),
      risk: makeRiskEngine({ ...base.risk, mode: 'PAPER' }),
    });
    await runtime.start();
    const mid = h.exchange.ticker('BTCUSDT').lastPrice;
    for (let i = 0; i < 100; i++) {
      const price = mid.times('0.9').minus(i).toDecimalPlaces(1);
      await Effect.runPromise(h.venue.placeOrder({ clientOrderId: `tw-k-${i}-0`, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.001'), price, timeInForce: 'gtc', reduceOnly: false }));
    }
    const t0 = performance.now();
    await runtime.kill.engage({ reason: 'bench', source: 'cli' });
    const ms = performance.now() - t0;
    if (h.exchange.openOrders(ACCOUNT, 'BTCUSDT').length === 0) rounds.push(ms);
    await runtime.stop('bench');
    journal.close();
    await h.close();
  }
  rounds.sort((a, b) => a - b);
  return [
    { name: 'kill_switch_100_orders_cancelled_median', value: rounds[Math.floor(rounds.length / 2)] ?? Number.NaN, unit: 'ms' },
    { name: 'kill_switch_100_orders_cancelled_max', value: rounds[rounds.length - 1] ?? Number.NaN, unit: 'ms' },
    { name: 'kill_switch_rounds_all_cancelled', value: rounds.length, unit: 'count' },
  ];
}
