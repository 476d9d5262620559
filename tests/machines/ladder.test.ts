/**
 * The S0-9 pyramid ladder on the trade chart and its table: numbering with Step 1 = the initial entry (C-10), one step
 * per mark in order, Step 3 only once the venue confirmed break-even, Step 4 leverage-only, add-ons as market IOCs
 * under `<base>-a<n>` whose fills never move the OEP (S0-8), and a step the venue does not do stops the ladder. The
 * chart runs pure (xstate `transition`); the model intent (2 at 100, break-even from +2 %) carries a ladder at x6 →
 * x50 with S0's Step 2 and 4–8 thresholds and its Step 3 at the model's break-even.
 */
import { describe, expect, it } from 'vitest';
import { Either } from 'effect';
import { initialLadder, ladderStepLabel, LadderStepError, plannedLadderStep, S0_LADDER, validateLadder } from '../../src/domain/ladder.ts';
import { parseClientOrderId } from '../../src/domain/clientOrderId.ts';
import { lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { climbsLadder } from '../../machines/trade/tradeQueries.ts';
import { modelInput } from '../../machines/trade/model.ts';
import type { TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { runRow } from './support.ts';
import { ladderLeverageRecoveryEvents, orderRecoveryEvents } from '../../machines/trade/reconcileActor.ts';
import { dec } from '../../src/domain/money.ts';
import type { Position } from '../../src/domain/orders.ts';
import { expired, fill, L_ADDING, L_AT_STEP_2, L_AT_STEP_3, L_AT_STEP_4, L_BREAK_EVEN, L_LEVERAGING, L_PROTECTED, LADDER_PLAN, leverageSet, mark, protectionSet, rejected } from './tradeFixtures.ts';

const ladder = LADDER_PLAN;
const PROTECTED = L_PROTECTED;
const AT_STEP_2 = L_AT_STEP_2;
const BREAK_EVEN = L_BREAK_EVEN;
const AT_STEP_3 = L_AT_STEP_3;
const LEVERAGING = L_LEVERAGING;
const AT_STEP_4 = L_AT_STEP_4;
const ADDING = L_ADDING;

const run = (reach: ReadonlyArray<TradeEvent>, event: TradeEvent) => runRow(tradeMachine, modelInput, reach, event);
const types = (emitted: ReadonlyArray<unknown>) => emitted.map((e) => {
  const x = e as { type: string; kind?: string };
  return x.type === 'notify' ? `notify:${x.kind ?? ''}` : x.type;
});

describe('the pyramid ladder (S0-9)', () => {
  it('S0-9 C-10 the table: Step 1 = the initial entry, then +1.5 %, +2.3 %, +2.4 % (leverage only), +2.5 %, +4 %, +6 %, +8.6 % with IM 20/40/60/80/100', () => {
    expect(validateLadder(S0_LADDER)).toBe(S0_LADDER);
    expect(S0_LADDER.map(ladderStepLabel)).toEqual([
      'Pyramid Step 1 (+0 %): initial entry at the OEP',
      'Pyramid Step 2 (+1.5 %): IM → 20 USDT (after a TP hit)',
      'Pyramid Step 3 (+2.3 %): SL → break-even',
      'Pyramid Step 4 (+2.4 %): leverage → max (leverage only)',
      'Pyramid Step 5 (+2.5 %): IM → 40 USDT',
      'Pyramid Step 6 (+4 %): IM → 60 USDT',
      'Pyramid Step 7 (+6 %): IM → 80 USDT',
      'Pyramid Step 8 (+8.6 %): IM → 100 USDT',
    ]);
  });

  it('S0-9 Step 4 is leverage-only: a leverage step carrying a quantity or an IM change is a typed error, as are a gap in the numbering and falling thresholds', () => {
    const step4 = S0_LADDER[3]!;
    const withMargin = S0_LADDER.map((s) => (s.step === 4 ? { ...step4, marginTarget: '30' } : s));
    const withQuantity = S0_LADDER.map((s) => (s.step === 4 ? { ...step4, action: { kind: 'leverage' as const, quantity: '1' } } : s));
    for (const bad of [withMargin, withQuantity]) {
      const r = Either.try({ try: () => validateLadder(bad), catch: (e) => e });
      expect(Either.isLeft(r) && r.left instanceof LadderStepError && r.left.step === 4).toBe(true);
      expect(Either.isLeft(r) ? String((r.left as Error).message) : '').toBe('pyramid Step 4: a leverage step is leverage-only: it may not change the quantity or the initial margin');
    }
    expect(() => validateLadder(S0_LADDER.filter((s) => s.step !== 2))).toThrow(LadderStepError);
    expect(() => validateLadder(S0_LADDER.map((s) => (s.step === 6 ? { ...s, atFraction: '0.02' } : s)))).toThrow('fires at 0.02, not above the step before');
  });

  it('S0-9 one step per mark, in order: Step 2 without a TP hit asks the venue nothing; Step 3 waits for the venue\'s break-even', () => {
    const two = run(PROTECTED, mark('101.5'));
    expect(lifecycleState(two.after)).toBe('opened.protected');
    expect(types(two.emitted)).toEqual(['notify:pyramidStep']);
    expect(two.after.context.ladder).toMatchObject({ reached: 2, pending: null, last: { step: 2, result: 'none' } });
    // A mark at +2.4 % before break-even is confirmed: the stop moves first, the ladder waits at Step 2.
    const early = run(AT_STEP_2, mark('102.4'));
    expect(lifecycleState(early.after)).toBe('opened.movingStop');
    expect(early.after.context.ladder.reached).toBe(2);
    const three = run(BREAK_EVEN, mark('102.4'));
    expect(three.after.context.ladder).toMatchObject({ reached: 3, last: { step: 3, result: 'none' } });
    expect(types(three.emitted)).toEqual(['notify:pyramidStep']);
  });

  it('S0-9 Step 4 asks for the maximum leverage alone; the venue\'s confirmation reaches it and re-asserts TP/SL, the position unchanged', () => {
    const asked = run(AT_STEP_3, mark('102.4'));
    expect(lifecycleState(asked.after)).toBe('opened.laddering');
    expect(asked.emitted).toEqual([{ type: 'leverage.set', symbol: 'BTCUSDT', leverage: '50', step: 4, intentId: 'i1' }]);
    const done = run(LEVERAGING, leverageSet(true));
    expect(lifecycleState(done.after)).toBe('opened.protecting');
    expect(types(done.emitted)).toEqual(['notify:pyramidStep', 'protection.set']);
    expect(done.after.context.ladder).toMatchObject({ reached: 4, leverage: '50', last: { step: 4, result: 'done' } });
    expect(done.after.context.entry.filledQuantity).toBe('2');
    // Re-protected at the held levels: TP from the OEP, the break-even stop.
    expect(done.emitted[1]).toMatchObject({ takeProfit: '102', stopLoss: '100.5' });
    expect(lifecycleState(run(AT_STEP_4.slice(0, -1), protectionSet).after)).toBe('opened.breakEven');
  });

  it('S0-9 a leverage the venue does not confirm (refused, or no answer within the call\'s timeout) blocks the ladder: the leverage stays x6 and no later step is asked', () => {
    const r = run(LEVERAGING, leverageSet(false, 'timeout: no answer in 10000 ms'));
    expect(types(r.emitted)).toEqual(['notify:ladderBlocked', 'protection.set']);
    expect(r.after.context.ladder).toMatchObject({ reached: 3, leverage: null, blocked: 'Step 4: leverage x50 not confirmed: timeout: no answer in 10000 ms', last: { step: 4, result: 'blocked' } });
    const later = run([...LEVERAGING, leverageSet(false, 'timeout'), protectionSet], mark('110'));
    // Only the trailer acts on +10 %; the ladder does not.
    expect(later.emitted.filter((e) => e.type === 'order.submit' || e.type === 'leverage.set')).toEqual([]);
    expect(plannedLadderStep(ladder, { ...initialLadder, reached: 3, blocked: 'x' }, { side: 'buy', openingPrice: '100', quantity: '2', averagePrice: '100', breakEvenConfirmed: true, takeProfitHit: false }, '110')).toBeUndefined();
  });

  it('S0-9 S0-8 Step 5 adds a market IOC up to IM 40 at x50 under <base>-a1; its fill adds to the position and leaves the OEP and every level unchanged', () => {
    const asked = run(AT_STEP_4, mark('102.5'));
    expect(lifecycleState(asked.after)).toBe('opened.laddering');
    // IM now 2 × 100 / 50 = 4; (40 − 4) × 50 / 102.5 = 17.5609… floored to the 0.001 step.
    expect(asked.emitted).toEqual([{
      type: 'order.submit', clientOrderId: 'c1-a1', symbol: 'BTCUSDT', side: 'buy', orderType: 'market', quantity: '17.56', timeInForce: 'ioc',
      reduceOnly: false, role: 'entry', intentId: 'i1', ladder: { step: 5, leverage: '50', maxLeverage: '50' },
    }]);
    expect(parseClientOrderId('tw-s-1-0-a1')?.role).toBe('addOn');
    const filled = run(ADDING, fill('c1-a1', 't9', '17.56', '102.5'));
    expect(lifecycleState(filled.after)).toBe('opened.protecting');
    expect(filled.after.context.openingPrice).toBe('100');
    expect(filled.after.context.entry.filledQuantity).toBe('19.56');
    expect(filled.after.context.ladder).toMatchObject({ reached: 5, addOns: 1, last: { step: 5, result: 'done' } });
    expect(filled.emitted[1]).toMatchObject({ type: 'protection.set', takeProfit: '102', stopLoss: '100.5' });
  });

  it('S0-9 an add-on the venue refuses stops the ladder with the position as it was; an IOC that filled part and expired reaches the step with what filled', () => {
    const refused = run(ADDING, rejected('c1-a1', 'parameter'));
    expect(refused.after.context.ladder).toMatchObject({ reached: 4, blocked: 'Step 5: add-on rejected (170213)' });
    expect(refused.after.context.entry.filledQuantity).toBe('2');
    expect(types(refused.emitted)).toEqual(['notify:ladderBlocked', 'protection.set']);
    const part = [...ADDING, fill('c1-a1', 't9', '5', '102.5')];
    expect(lifecycleState(run(ADDING, fill('c1-a1', 't9', '5', '102.5')).after)).toBe('opened.laddering');
    const ended = run(part, expired('c1-a1'));
    expect(ended.after.context.ladder).toMatchObject({ reached: 5, blocked: null });
    expect(ended.after.context.entry.filledQuantity).toBe('7');
    expect(ended.after.context.openingPrice).toBe('100');
  });

  it('S0-9 an add-on whose outcome is unknown is asked for by id until the venue answers; not found stops the ladder', () => {
    const unknown: TradeEvent = { type: 'venue.unknown', clientOrderId: 'c1-a1', reason: 'timeout', at: 7 };
    const q = run(ADDING, unknown);
    expect(types(q.emitted)).toEqual(['order.query', 'timer.set']);
    const notFound: TradeEvent = { type: 'venue.queryResult', clientOrderId: 'c1-a1', found: false, filledQuantity: '0', at: 8 };
    const r = run([...ADDING, unknown], notFound);
    expect(r.after.context.ladder.blocked).toBe('Step 5: add-on not found at the venue');
    expect(lifecycleState(r.after)).toBe('opened.protecting');
  });

  it('S0-9 a short climbs on falling marks; the auto-SL trade\'s ladder keeps its leverage (S0-5: Step 4 asks nothing)', () => {
    const p = { side: 'sell' as const, openingPrice: '100', quantity: '2', averagePrice: '100', breakEvenConfirmed: true, takeProfitHit: false };
    expect(plannedLadderStep(ladder, { ...initialLadder, reached: 3 }, p, '97.6')).toEqual({ step: 4, kind: 'leverage', leverage: '50' });
    expect(plannedLadderStep(ladder, { ...initialLadder, reached: 3 }, p, '102.4')).toBeUndefined();
    expect(plannedLadderStep({ ...ladder, leverage: '10', maxLeverage: '10' }, { ...initialLadder, reached: 3 }, p, '97.6')).toEqual({ step: 4, kind: 'none', why: 'leverage already x10' });
  });

  it('S0-9 X-REC-1 restart with Step 4 in flight: the venue\'s position at x50 confirms the step, any other leverage (or none) blocks the ladder; an add-on unknown to the venue stops it too', () => {
    const inFlight = runRow(tradeMachine, modelInput, LEVERAGING.slice(0, -1), LEVERAGING.at(-1)!).after;
    expect(lifecycleState(inFlight)).toBe('opened.laddering');
    const position = (leverage: string): Position => ({
      symbol: 'BTCUSDT', side: 'long', quantity: dec('2'), entryPrice: dec('100'), markPrice: dec('102.4'), unrealizedPnl: dec('0'), leverage: dec(leverage),
      takeProfit: dec('102'), stopLoss: dec('100.5'), tpTrigger: undefined, slTrigger: undefined, updatedAt: 9,
    });
    const took = ladderLeverageRecoveryEvents(inFlight, position('50'), 9);
    expect(took).toEqual([{ type: 'venue.leverageSet', leverage: '50', ok: true, reason: undefined, at: 9 }]);
    expect(run(LEVERAGING, took[0]!).after.context.ladder).toMatchObject({ reached: 4, leverage: '50', blocked: null });
    const not = ladderLeverageRecoveryEvents(inFlight, position('6'), 9);
    expect(not).toEqual([{ type: 'venue.leverageSet', leverage: '50', ok: false, reason: 'restart: the venue reports x6', at: 9 }]);
    expect(run(LEVERAGING, not[0]!).after.context.ladder.blocked).toBe('Step 4: leverage x50 not confirmed: restart: the venue reports x6');
    expect(ladderLeverageRecoveryEvents(runRow(tradeMachine, modelInput, AT_STEP_3.slice(0, -1), AT_STEP_3.at(-1)!).after, position('50'), 9)).toEqual([]);
    // The add-on: recovery asks the venue by id; unknown there, the step did not happen and the ladder stops.
    const adding = runRow(tradeMachine, modelInput, ADDING.slice(0, -1), ADDING.at(-1)!).after;
    const events = orderRecoveryEvents(adding, 'c1-a1', undefined, 9);
    expect(events).toEqual([{ type: 'venue.queryResult', clientOrderId: 'c1-a1', found: false, at: 9 }]);
    const after = run(ADDING, events[0]!);
    expect(after.after.context.ladder.blocked).toBe('Step 5: add-on not found at the venue');
    expect(after.after.context.entry.filledQuantity).toBe('2');
  });

  it('S0-9 X-RSK-1 a halt or MARKET_PAUSED stops the ladder as it stops entries: the mark asks nothing, the stop still moves, and the climb resumes once data is live', () => {
    const paused: TradeEvent = { type: 'stream.paused', reason: 'gap', at: 5 };
    const onPause = run([...AT_STEP_3, paused], mark('102.4'));
    expect(lifecycleState(onPause.after)).toBe('opened.breakEven');
    expect(onPause.emitted).toEqual([]);
    expect(climbsLadder(run(AT_STEP_3, paused).after)).toBe(false);
    const halted = run([...AT_STEP_3, { type: 'operator.kill', reason: 'operator', at: 5 }], mark('102.4'));
    expect(halted.emitted).toEqual([]);
    // The trailer still takes the stop while paused (protection is never paused).
    expect(lifecycleState(run([...AT_STEP_3, paused], mark('106')).after)).toBe('opened.movingStop');
    const resumed = run([...AT_STEP_3, paused, { type: 'stream.resumed', at: 6 }], mark('102.4'));
    expect(lifecycleState(resumed.after)).toBe('opened.laddering');
    expect(climbsLadder(run(AT_STEP_3, { type: 'stream.resumed', at: 6 }).after)).toBe(true);
  });
});
