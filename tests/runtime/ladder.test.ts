/**
 * The S0-9 pyramid ladder against the simulator: a short BTCUSDT position of 100 USDT at x5 (IM 20 USDT, S0's Step 2
 * margin) opened through the real DecisionLoop, RiskEngine, VenueRuntime, trade actor and ExecutionEngine rides the
 * bundled 2022-12-13 bars down. S0's ladder with its margins (IM 40/60/80/100 USDT) and x50, its thresholds scaled to
 * the replayed morning's −0.6 % like the stop-management test: Step 3 waits for the venue's break-even, Step 4 sets
 * x50 at the venue and reads it back, Steps 5–8 add market IOCs under `<base>-a<n>`, each with its own RiskEngine
 * approval; the OEP never changes (S0-8) and every step is journaled after the venue did it (LADDER_STEP).
 */
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { VenueError } from '../../src/venues/Venue.ts';
import { dec, type Decimal } from '../../src/domain/money.ts';
import { oepHash } from '../../src/domain/oep.ts';
import { floorQuantity } from '../../src/domain/rounding.ts';
import { S0_LADDER, type LadderStep } from '../../src/domain/ladder.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { makeHarness, startedLoop, type Harness } from './harness.ts';
import { LifecycleNotifier } from '../../src/notify/LifecycleNotifier.ts';
import { Outbox } from '../../src/notify/Outbox.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { onceStrategy } from '../support/onceStrategy.ts';

const sellOnce = onceStrategy({ side: 'sell', ttlMs: 600_000 });
const management = { breakEvenAtFraction: '0.001', breakEvenOffsetFraction: '0.000015', trailFromFraction: '0.004', trailDistanceFraction: '0.001', trailStepFraction: '0.0002' };
const SCALED: Readonly<Record<number, string>> = { 1: '0', 2: '0.0005', 3: '0.001', 4: '0.0012', 5: '0.0015', 6: '0.002', 7: '0.0025', 8: '0.003' };
const steps: ReadonlyArray<LadderStep> = S0_LADDER.map((s) => ({ ...s, atFraction: SCALED[s.step]! }));

type Payload = Record<string, unknown>;

/** Opens the short and replays the bars two seconds at a time until the trade closed (three hours at most); returns the actor's state. */
const rideToClose = async (hx: Harness): Promise<string> => {
  const loop = await startedLoop(hx, [sellOnce as Strategy<unknown>]);
  loop.runCycle();
  await hx.runtime.idle();
  const host = hx.runtime.host('BTCUSDT')!;
  const end = hx.clock.now() + 180 * 60_000;
  for (let t = hx.clock.now() + 2_000; t <= end && lifecycleState(host.snapshot()) !== 'closed.cooldown'; t += 2_000) {
    hx.clock.advanceTo(t);
    hx.exchange.advanceTo(t);
    await hx.runtime.idle();
  }
  return lifecycleState(host.snapshot());
};

describe('the pyramid ladder against the simulator (S0-9)', () => {
  it('S0-9 S0-8 a short climbs Steps 2–8 in order: x50 set and read back at Step 4, add-ons to IM 40/60/80/100 USDT, the OEP and its seal unchanged to the close', async () => {
    const hx = makeHarness({ bars: 200, settings: { stopManagement: management, ladder: { steps, maxLeverage: '50' } } });
    // The lifecycle notifier reads what the run journals (as a session's does), with PYRAMID_STEP in its policy.
    const outbox = new Outbox({
      account: 'main', journal: hx.journal, channels: new Map([['log', { name: 'log', deliver: () => Promise.resolve() }]]), scheduler: virtualScheduler(hx.clock), max: 100, timeoutMs: 1000,
      retry: { baseMs: 10, capMs: 100, maxAttempts: 3 }, random: seededRandom(1), logger: silentLogger(hx.clock),
    });
    const notifier = new LifecycleNotifier({
      account: 'main', journal: hx.journal, outbox, events: ['ORDER_PLACED', 'POSITION_OPENED', 'STOP_MOVED', 'PYRAMID_STEP', 'POSITION_CLOSED', 'ERROR'], channels: ['log'], settleAsset: 'USDT', triggerSource: 'mark', logger: silentLogger(hx.clock),
    });
    outbox.start();
    notifier.start();
    try {
      expect(await rideToClose(hx)).toBe('closed.cooldown');
      const events = [...hx.journal.readEvents({ fromSeq: 1 })];
      const of = (type: string): Payload[] => events.filter((e) => e.type === type).map((e) => e.payload as Payload);
      const ladder = of('LADDER_STEP');
      expect(ladder.map((p) => `${String(p['step'])}:${String(p['result'])}`)).toEqual(['2:none', '3:none', '4:done', '5:done', '6:done', '7:done', '8:done']);
      // Step 4: the venue holds x50, read back, journaled as the ladder's.
      expect(of('LEVERAGE_SET').filter((p) => p['purpose'] === 'ladder')).toEqual([
        expect.objectContaining({ symbol: 'BTCUSDT', requested: '50', result: 'set', effective: '50', step: 4 }),
      ]);
      // Each add-on: the IM the step brings the position to, at x50 and the mark of its step, floored to the 0.001 step.
      const requested = of('ORDER_REQUESTED');
      const entry = requested.find((p) => p['role'] === 'entry' && !String(p['clientOrderId']).includes('-a'))!;
      const addOns = requested.filter((p) => /-a\d$/.test(String(p['clientOrderId'])));
      expect(addOns.map((p) => String(p['clientOrderId']).slice(-3))).toEqual(['-a1', '-a2', '-a3', '-a4']);
      expect(addOns.every((p) => p['side'] === 'sell' && p['orderType'] === 'market' && p['timeInForce'] === 'ioc' && p['reduceOnly'] === false)).toBe(true);
      const fills = of('ORDER_FILLED');
      const oep = dec(String(fills[0]!['price']));
      let quantity = dec(String(entry['quantity']));
      let notional = fills.filter((f) => f['clientOrderId'] === entry['clientOrderId']).reduce((n, f) => n.plus(dec(String(f['price'])).times(dec(String(f['quantity'])))), dec(0));
      // 100 USDT floored to the 0.001 step: IM about 17 USDT at x5, under Step 2's 20 (no TP hit: Step 2 adds nothing).
      expect(notional.div(5).lte(20) && notional.div(5).gt(15)).toBe(true);
      for (const [i, add] of addOns.entries()) {
        const target = dec(['40', '60', '80', '100'][i]!);
        const stepFills = fills.filter((f) => f['clientOrderId'] === add['clientOrderId']);
        expect(stepFills.length).toBeGreaterThan(0);
        const im: Decimal = notional.div(quantity).times(quantity).div(50);
        // The mark the step was taken on: the last one before the add-on's request that took the actor into laddering.
        const at = events.findIndex((e) => e.type === 'ORDER_REQUESTED' && (e.payload as Payload)['clientOrderId'] === add['clientOrderId']);
        const step = events.slice(0, at).reverse().find((e) => e.type === 'ACTOR_EVENT' && (e.payload as Payload)['to'] === 'opened.laddering')!;
        const mark = dec((step.payload as { event: { price: string } }).event.price);
        expect(String(add['quantity'])).toBe(floorQuantity(target.minus(im).times(50).div(mark), dec('0.001')).toString());
        quantity = quantity.plus(stepFills.reduce((q, f) => q.plus(dec(String(f['quantity']))), dec(0)));
        notional = notional.plus(stepFills.reduce((n, f) => n.plus(dec(String(f['price'])).times(dec(String(f['quantity'])))), dec(0)));
      }
      // Every add-on had an approval of its own, at x50, journaled before its request.
      const approvals = of('RISK_DECISION').filter((p) => String(p['decisionId']).startsWith('rd-addon-'));
      expect(approvals.map((p) => p['kind'])).toEqual(['approve', 'approve', 'approve', 'approve']);
      // S0-8: one OEP seal from the first fill to the close; the close counts the add-ons.
      const seals = new Set(events.filter((e) => e.type === 'ACTOR_EVENT' && e.stream === 'trade:sim:BTCUSDT').map((e) => (e.payload as { oepHash?: string }).oepHash).filter((h) => h !== undefined));
      const closed = of('TRADE_CLOSED')[0]!;
      expect(seals).toEqual(new Set([oepHash(String(closed['intentId']), oep.toString())]));
      expect(closed).toMatchObject({ entryPrice: oep.toString(), quantity: quantity.toString(), side: 'sell' });
      expect(ladder.every((p) => p['oep'] === oep.toString())).toBe(true);
      // Protection followed each step: a PROTECTION_SET after every LADDER_STEP that was done at the venue.
      const seqOf = (type: string, pred: (p: Payload) => boolean) => events.filter((e) => e.type === type && pred(e.payload as Payload)).map((e) => e.seq);
      for (const s of seqOf('LADDER_STEP', (p) => p['result'] === 'done')) expect(seqOf('PROTECTION_SET', () => true).some((q) => q > s)).toBe(true);

      // S0-9 S0-23: PYRAMID_STEP n for the ladder's Step n, in order, each after what the venue did for it (the add-on's
      // fill, the leverage read back); the add-ons make no ORDER_PLACED or POSITION_OPENED of their own.
      while (notifier.pump() > 0) { /* read everything the run journaled */ }
      // The outbox journals NOTIFY_QUEUED from its flush timer (virtual clock).
      hx.clock.advanceBy(0);
      const queued = [...hx.journal.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => ({ seq: e.seq, ...(e.payload as { template: string; key: string; sourceSeq: number }) }));
      const pyramid = queued.filter((q) => q.template === 'PYRAMID_STEP');
      expect(pyramid.map((q) => Number(q.key.split(':').at(-1)))).toEqual([2, 3, 4, 5, 6, 7, 8]);
      expect(queued.filter((q) => q.template === 'ORDER_PLACED' || q.template === 'POSITION_OPENED').map((q) => q.template)).toEqual(['ORDER_PLACED', 'POSITION_OPENED']);
      const doneAt = (n: number): number => events.find((e) => e.type === 'LADDER_STEP' && (e.payload as Payload)['step'] === n)!.seq;
      const leverageAt = events.find((e) => e.type === 'LEVERAGE_SET' && (e.payload as Payload)['purpose'] === 'ladder')!.seq;
      expect(doneAt(4)).toBeGreaterThan(leverageAt);
      for (const [i, add] of addOns.entries()) {
        const filledAt = Math.max(...events.filter((e) => e.type === 'ORDER_FILLED' && (e.payload as Payload)['clientOrderId'] === add['clientOrderId']).map((e) => e.seq));
        expect(doneAt(5 + i)).toBeGreaterThan(filledAt);
      }
      for (const q of pyramid) expect(q.seq).toBeGreaterThan(q.sourceSeq);
      const texts = [...hx.journal.readEvents({ type: 'NOTIFY_QUEUED' })].map((e) => (e.payload as { template: string; text: string })).filter((q) => q.template === 'PYRAMID_STEP').map((q) => q.text);
      expect(texts[2]).toContain('\nPyramid Step 4 (+2.4 %): leverage → max (leverage only)\nResult: done at the venue\n');
      expect(texts[2]).toContain('\nLeverage: x50.00\nSource: once');
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 120_000);

  it('S0-9 Step 4\'s leverage unanswered at the venue (the call times out) blocks the ladder: no add-on is sent, the position keeps x5, and the trade still ends protected by its trailer', async () => {
    // The simulator answers every call but a set to x50, which never comes back within the call's deadline.
    const hx = makeHarness({
      bars: 200, settings: { stopManagement: management, ladder: { steps, maxLeverage: '50' } },
      venue: (v) => ({ ...v, setLeverage: (symbol, leverage) => (leverage.eq(50) ? Effect.fail(new VenueError({ venue: 'sim', operation: 'setLeverage', reason: { kind: 'timeout', afterMs: 10_000 } })) : v.setLeverage(symbol, leverage)) }),
    });
    try {
      await rideToClose(hx);
      const events = [...hx.journal.readEvents({ fromSeq: 1 })];
      const of = (type: string): Payload[] => events.filter((e) => e.type === type).map((e) => e.payload as Payload);
      expect(of('LADDER_STEP').map((p) => `${String(p['step'])}:${String(p['result'])}`)).toEqual(['2:none', '3:none', '4:blocked']);
      expect(of('LADDER_STEP').at(-1)).toMatchObject({ leverage: '5' });
      expect(String(of('LADDER_STEP').at(-1)!['reason'])).toContain('leverage x50 not confirmed');
      expect(of('LEVERAGE_SET').filter((p) => p['purpose'] === 'ladder')).toEqual([expect.objectContaining({ requested: '50', result: 'failed', step: 4 })]);
      expect(of('ORDER_REQUESTED').filter((p) => /-a\d$/.test(String(p['clientOrderId'])))).toEqual([]);
      // Blocked is not unprotected: TP/SL re-asserted after the failure, and the trailer still closed the trade.
      const blockedAt = events.find((e) => e.type === 'LADDER_STEP')!.seq;
      expect(events.some((e) => e.type === 'PROTECTION_SET' && e.seq > blockedAt)).toBe(true);
      expect(of('TRADE_CLOSED')).toHaveLength(1);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 120_000);
});
