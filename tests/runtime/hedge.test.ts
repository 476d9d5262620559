/**
 * The S0-12 hedge against the simulator: a long BTCUSDT position with a 1 % stop, opened through the real DecisionLoop,
 * RiskEngine, VenueRuntime, trade actor and ExecutionEngine on an account in hedge mode, rides the bundled 2022-12-13
 * bars down. The hedge trigger is scaled to the replayed morning's moves (−0.2 % instead of −2 %, as the ladder and
 * stop-management tests scale theirs): the short leg opens for the size held under `<base>-h1`, with its TP at the
 * position's stop and its SL at the OEP on its own leg; the venue holds both legs at once; the OEP never changes
 * (S0-8); the trade's PnL counts the hedge's.
 */
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { hedgeOf } from '../../machines/trade/hedgeLogic.ts';
import { makeHarness, startedLoop, type Harness } from './harness.ts';
import { onceStrategy } from '../support/onceStrategy.ts';
import { deliverMark } from '../../src/runtime/markFeed.ts';
import { LifecycleNotifier } from '../../src/notify/LifecycleNotifier.ts';
import { Outbox } from '../../src/notify/Outbox.ts';
import { periodStats } from '../../src/notify/schedule/periodStats.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { silentLogger } from '../../src/kernel/logger.ts';

type Payload = Record<string, unknown>;
const HEDGE = { atFraction: '0.002' };

/** Opens the long and replays the bars two seconds at a time until `done` holds (three hours at most). */
const ride = async (hx: Harness, done: () => boolean, stopLossFraction = 0.01): Promise<void> => {
  const loop = await startedLoop(hx, [onceStrategy({ side: 'buy', ttlMs: 600_000, stopLossFraction, takeProfitFraction: 0.02 }) as Strategy<unknown>]);
  loop.runCycle();
  await hx.runtime.idle();
  const end = hx.clock.now() + 180 * 60_000;
  for (let t = hx.clock.now() + 2_000; t <= end && !done(); t += 2_000) {
    hx.clock.advanceTo(t);
    hx.exchange.advanceTo(t);
    await hx.runtime.idle();
  }
};

describe('the hedge against the simulator (S0-12)', () => {
  it('S0-12 S0-8 X-RT-2 at the trigger the short leg opens for the size held, TP = the stop, SL = the OEP, both legs held at the venue, the OEP unchanged', async () => {
    const hx = makeHarness({ bars: 200, settings: { hedge: HEDGE } });
    const host = (): ReturnType<Harness['runtime']['host']> => hx.runtime.host('BTCUSDT');
    await ride(hx, () => lifecycleState(host()!.snapshot()) === 'opened.hedged');
    expect(lifecycleState(host()!.snapshot())).toBe('opened.hedged');
    const events = [...hx.journal.readEvents({ fromSeq: 1 })];
    const of = (type: string): Payload[] => events.filter((e) => e.type === type).map((e) => e.payload as Payload);
    const requested = of('ORDER_REQUESTED');
    const entry = requested.find((p) => p['role'] === 'entry')!;
    const hedge = requested.find((p) => p['role'] === 'hedge')!;
    expect(String(hedge['clientOrderId'])).toBe(`${String(entry['clientOrderId'])}-h1`);
    expect(hedge).toMatchObject({ side: 'sell', orderType: 'market', timeInForce: 'ioc', reduceOnly: false, quantity: entry['quantity'] });
    const c = host()!.snapshot().context;
    const oep = dec(c.openingPrice!);
    // Its trigger: the mark went 0.2 % against the long.
    expect(dec(hedgeOf(c).entry.filledNotional).div(dec(hedgeOf(c).entry.filledQuantity)).lte(oep.times(1.0001))).toBe(true);
    // TP/SL of the hedge on the short leg: TP at the position's stop, SL at the OEP.
    const legProtection = of('PROTECTION_SET').filter((p) => p['leg'] === 'short');
    expect(legProtection).toHaveLength(1);
    expect(dec(String(legProtection[0]!['takeProfit'])).toString()).toBe(c.stop.stopLoss ?? dec(String(of('PROTECTION_SET').find((p) => p['leg'] === 'long')!['stopLoss'])).toString());
    expect(dec(String(legProtection[0]!['stopLoss'])).eq(oep)).toBe(true);
    // The venue holds both legs at once, each with its own TP/SL.
    const legs = await Effect.runPromise(hx.venue.positions('BTCUSDT'));
    const long = legs.find((p) => p.leg === 'long')!;
    const short = legs.find((p) => p.leg === 'short')!;
    expect(long.quantity.toString()).toBe(dec(String(entry['quantity'])).toString());
    expect(short.quantity.eq(long.quantity)).toBe(true);
    expect(short.stopLoss?.eq(oep)).toBe(true);
    expect(long.stopLoss?.eq(short.takeProfit!)).toBe(true);
    // S0-8: the OEP is the entry's first fill, still.
    expect(c.openingPrice).toBe(String(of('ORDER_FILLED').find((p) => p['clientOrderId'] === entry['clientOrderId'])!['price']));
  }, 120_000);

  it('S0-12 S0-18 S0-19 the hedged trade runs to its close: both legs flat, one TRADE_CLOSED with the hedge leg\'s PnL in the trade\'s, HEDGE told after the venue, the report counts it', async () => {
    const hx = makeHarness({ bars: 200, settings: { hedge: HEDGE } });
    // The lifecycle notifier reads what the run journals (as a session's does), with HEDGE in its policy.
    const outbox = new Outbox({
      account: 'main', journal: hx.journal, channels: new Map([['log', { name: 'log', deliver: () => Promise.resolve() }]]), scheduler: virtualScheduler(hx.clock), max: 100, timeoutMs: 1000,
      retry: { baseMs: 10, capMs: 100, maxAttempts: 3 }, random: seededRandom(1), logger: silentLogger(hx.clock),
    });
    const notifier = new LifecycleNotifier({
      account: 'main', journal: hx.journal, outbox, events: ['ORDER_PLACED', 'POSITION_OPENED', 'HEDGE', 'POSITION_CLOSED', 'ERROR'], channels: ['log'], settleAsset: 'USDT', triggerSource: 'mark', logger: silentLogger(hx.clock),
    });
    outbox.start();
    notifier.start();
    try {
      // A 0.4 % stop: the morning's fall reaches it with the hedge open, so the position's stop and the hedge's TP close both legs.
      await ride(hx, () => lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot()) === 'closed.cooldown', 0.004);
      expect(lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot())).toBe('closed.cooldown');
      const events = [...hx.journal.readEvents({ fromSeq: 1 })];
      const closed = events.filter((e) => e.type === 'TRADE_CLOSED').map((e) => e.payload as Payload);
      expect(closed).toHaveLength(1);
      const t = closed[0]!;
      // The short leg opened at the trigger and closed at the position's stop, lower: it gained what the fall cost the
      // long between the trigger and the stop, less its fees.
      expect(dec(String(t['hedgePnl'])).gt(0)).toBe(true);
      expect(t['reason']).toBe('stopLoss');
      const legs = await Effect.runPromise(hx.venue.positions('BTCUSDT'));
      expect(legs.every((p) => p.quantity.isZero())).toBe(true);
      // HEDGE_STEP: on (after the leg's TP/SL were set at the venue), then closed with the PnL the trade counts.
      const steps = events.filter((e) => e.type === 'HEDGE_STEP');
      expect(steps.map((e) => (e.payload as Payload)['action'])).toEqual(['on', 'off']);
      expect((steps[1]!.payload as Payload)['pnl']).toBe(t['hedgePnl']);
      const legSet = events.find((e) => e.type === 'PROTECTION_SET' && (e.payload as Payload)['leg'] === 'short')!;
      expect(steps[0]!.seq).toBeGreaterThan(legSet.seq);
      // HEDGE messages come from those entries, after them; the report counts the hedge opened.
      while (notifier.pump() > 0) { /* read everything the run journaled */ }
      hx.clock.advanceBy(0);
      const queued = [...hx.journal.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => ({ seq: e.seq, ...(e.payload as { template: string; text: string; sourceSeq: number }) }));
      const hedges = queued.filter((q) => q.template === 'HEDGE');
      expect(hedges.map((q) => q.text.split('\n')[0])).toEqual(['🛡 HEDGE OPENED #BTCUSDT', '🛡 HEDGE CLOSED #BTCUSDT']);
      for (const q of hedges) expect(q.seq).toBeGreaterThan(q.sourceSeq);
      expect(periodStats([hx.journal], 0, Number.MAX_SAFE_INTEGER).hedges).toBe(1);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 120_000);

  it('S0-12 a hedge trigger reaches the actor only while the trading gate is open (a restart\'s recovery holds it closed)', async () => {
    const hx = makeHarness({ bars: 200, settings: { hedge: HEDGE } });
    try {
      await ride(hx, () => lifecycleState(hx.runtime.host('BTCUSDT')!.snapshot()) === 'opened.protected');
      const host = hx.runtime.host('BTCUSDT')!;
      expect(lifecycleState(host.snapshot())).toBe('opened.protected');
      const oep = dec(host.snapshot().context.openingPrice!);
      const past = oep.times(dec(1).minus(dec(HEDGE.atFraction).times(2)));
      const ticker = { type: 'ticker', symbol: 'BTCUSDT', lastPrice: past, markPrice: past, indexPrice: past, bidPrice: undefined, bidSize: undefined, askPrice: undefined, askSize: undefined, ts: hx.clock.now() } as const;
      deliverMark(hx.runtime, 'mark', ticker, hx.clock.now(), false);
      expect(lifecycleState(host.snapshot())).toBe('opened.protected');
      expect(hedgeOf(host.snapshot().context).orders).toBe(0);
      deliverMark(hx.runtime, 'mark', ticker, hx.clock.now(), true);
      // The simulator fills the market IOC at once: the actor is past `hedging` already, its one hedge order sent.
      expect(['opened.hedging', 'opened.protectingHedge']).toContain(lifecycleState(host.snapshot()));
      expect(hedgeOf(host.snapshot().context).orders).toBe(1);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 120_000);
});
