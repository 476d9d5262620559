/**
 * Stop management from the OEP on the trade chart (S0-8, S0-11, S0-13): break-even once, then the trailer, every level
 * from the first fill price, only forward, and after activation only the trailer moves the stop. The chart runs pure
 * (xstate `transition` through the suite's `runRow`); the model intent's plan is break-even from +2 % (stop OEP +
 * 0.01 %, rounded up to the 0.5 tick), the trailer from +5 % at 2 % behind the best mark, forward by 0.1 % at least.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import type { Position } from '../../src/domain/orders.ts';
import { positionRecoveryEvents } from '../../machines/trade/reconcileActor.ts';
import { heldLevels, initialStop, plannedStopMove } from '../../machines/trade/stopManagement.ts';
import { lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { modelInput, modelIntent } from '../../machines/trade/model.ts';
import { isProtected, isTransient, takesMarks } from '../../machines/trade/tradeQueries.ts';
import type { TradeContext } from '../../machines/trade/tradeTypes.ts';
import { runRow } from './support.ts';
import { BREAK_EVEN, close, fill, mark, open, acc, MOVING_BE, PROTECTED, protectionSet, rejected, TRAILING, WORKING } from './tradeFixtures.ts';

const run = (reach: Parameters<typeof runRow>[2], event: Parameters<typeof runRow>[3]) => runRow(tradeMachine, modelInput, reach, event);
const stopSets = (emitted: ReadonlyArray<unknown>) => emitted.filter((e) => (e as { type: string }).type === 'protection.set');

/** A cycle's context as plannedStopMove reads it. */
const cycle = (side: 'buy' | 'sell', stop = initialStop, openingPrice = '100'): Pick<TradeContext, 'intent' | 'openingPrice' | 'stop'> => ({
  intent: { ...modelIntent, side }, openingPrice, stop,
});

describe('stop management on the trade chart (S0-8, S0-11, S0-13)', () => {
  it('S0-11 break-even moves the stop once: at +3 % the stop goes to OEP + offset with the TP unchanged; the same mark again asks nothing', () => {
    const r = run(PROTECTED, mark('103'));
    expect(stopSets(r.emitted)).toEqual([{ type: 'protection.set', symbol: 'BTCUSDT', side: 'buy', takeProfit: '102', stopLoss: '100.5', attempt: 1 }]);
    const again = run(BREAK_EVEN, mark('103'));
    expect(lifecycleState(again.after)).toBe('opened.breakEven');
    expect(again.emitted).toEqual([]);
    expect(again.keys).toEqual([]);
  });

  it('S0-11 below the break-even level nothing moves; a mark while a move is in flight is not taken', () => {
    expect(run(PROTECTED, mark('101.9')).emitted).toEqual([]);
    const inFlight = run(MOVING_BE, mark('110'));
    expect(lifecycleState(inFlight.after)).toBe('opened.movingStop');
    expect(inFlight.emitted).toEqual([]);
  });

  it('S0-10 a followed signal\'s exact TP and SL are what the chart asks the venue for, whatever the OEP; break-even moves the stop and keeps the TP', () => {
    const exact = { ...open, levels: { takeProfit: '103.5', stopLoss: '98.5' } } as typeof open;
    // Filled at 100.5, not at the intent's 100: fractions would give TP 102.5 and SL 99.5; the signal's levels stand.
    const opened = run([exact, acc()], fill('c1', 't1', '2', '100.5'));
    expect(stopSets(opened.emitted)).toEqual([{ type: 'protection.set', symbol: 'BTCUSDT', side: 'buy', takeProfit: '103.5', stopLoss: '98.5', attempt: 1 }]);
    const moved = run([exact, acc(), fill('c1', 't1', '2', '100.5'), protectionSet], mark('103'));
    expect(stopSets(moved.emitted)).toEqual([{ type: 'protection.set', symbol: 'BTCUSDT', side: 'buy', takeProfit: '103.5', stopLoss: '101', attempt: 1 }]);
    // Only the levels given are exact: the auto-SL case (no stop in the signal) takes its stop from the OEP's fraction.
    expect(heldLevels({ intent: { ...modelIntent, levels: { takeProfit: '103.5' } }, openingPrice: '100', stop: initialStop })).toEqual({ takeProfit: '103.5', stopLoss: '99' });
  });

  it('S0-8 every level derives from the OEP, never the average: a second fill at 90 leaves break-even at 100.5', () => {
    const averaged = [...WORKING, fill('c1', 't1', '1', '100'), fill('c1', 't2', '1', '90'), protectionSet];
    const r = run(averaged, mark('103'));
    expect(r.after.context.openingPrice).toBe('100');
    expect(r.after.context.stop.pending).toEqual({ phase: 'breakEven', stopLoss: '100.5' });
  });

  it('S0-13 the trailer takes over at +6 % 2 % behind the mark, moves only forward and by at least the step', () => {
    expect(run(BREAK_EVEN, mark('106')).after.context.stop.pending).toEqual({ phase: 'trailing', stopLoss: '103.5' });
    // Trailing at 103.5: a lower mark, or one whose trailed stop is not ahead by 0.1 % of the price, asks nothing.
    for (const price of ['105', '106']) expect(run(TRAILING, mark(price)).emitted).toEqual([]);
    expect(run(TRAILING, mark('110')).after.context.stop.pending).toEqual({ phase: 'trailing', stopLoss: '107.5' });
    // On a 0.01 tick the step shows: 106.05 trails to 103.92, 0.04 ahead of 103.88 (< 0.1 % of the price); 106.2 to 104.07.
    const fine = { ...cycle('buy', { phase: 'trailing', stopLoss: '103.88', pending: null }), intent: { ...modelIntent, tickSize: '0.01' } };
    expect(plannedStopMove(fine, '106.05')).toBeUndefined();
    expect(plannedStopMove(fine, '106.2')).toEqual({ phase: 'trailing', stopLoss: '104.07' });
  });

  it('S0-13 a mark past the trailer level from the entry stop skips break-even and trails at once', () => {
    expect(run(PROTECTED, mark('106')).after.context.stop.pending).toEqual({ phase: 'trailing', stopLoss: '103.5' });
  });

  it('S0-13 after activation only the trailer moves the stop: break-even never applies again, and a re-protection re-asserts the trailed stop', () => {
    // Back under the trailer level, the break-even rule would apply from the entry's stop; trailing, it does not.
    expect(plannedStopMove(cycle('buy', { phase: 'trailing', stopLoss: '103.5', pending: null }), '103')).toBeUndefined();
    const reprotect = run([...TRAILING, close], rejected('c1-x1', 'reduce_only_violation'));
    expect(lifecycleState(reprotect.after)).toBe('opened.protecting');
    expect(stopSets(reprotect.emitted)).toEqual([expect.objectContaining({ takeProfit: '102', stopLoss: '103.5' })]);
  });

  it('S0-11 S0-13 a short mirrors it: break-even below the OEP (rounded down), the trailer above the best (lowest) mark', () => {
    expect(plannedStopMove(cycle('sell'), '97')).toEqual({ phase: 'breakEven', stopLoss: '99.5' });
    expect(plannedStopMove(cycle('sell'), '94')).toEqual({ phase: 'trailing', stopLoss: '96' });
    expect(plannedStopMove(cycle('sell', { phase: 'trailing', stopLoss: '96', pending: null }), '95')).toBeUndefined();
    expect(plannedStopMove(cycle('sell', { phase: 'trailing', stopLoss: '96', pending: null }), '90')).toEqual({ phase: 'trailing', stopLoss: '92' });
    expect(heldLevels(cycle('sell', { phase: 'trailing', stopLoss: '92', pending: null }))).toEqual({ takeProfit: '98', stopLoss: '92' });
  });

  it('S0-11 without a management plan on the intent no mark moves the stop', () => {
    const { management: _m, ...plain } = modelIntent;
    expect(plannedStopMove({ intent: plain, openingPrice: '100', stop: initialStop }, '200')).toBeUndefined();
    expect(takesMarks(run(PROTECTED, mark('103')).before)).toBe(true);
  });

  it('S0-11 S0-13 the runtime reads a moving stop as protected and in flight, and feeds marks only where a move can happen', () => {
    const moving = run(PROTECTED, mark('103')).after;
    expect([isProtected(moving), isTransient(moving), takesMarks(moving)]).toEqual([true, true, false]);
    const trailing = run(TRAILING, mark('105')).after;
    expect([isProtected(trailing), isTransient(trailing), takesMarks(trailing)]).toEqual([true, false, true]);
  });

  it('X-REC-1 S0-13 a move in flight at a restart is settled from the venue\'s stop: landed → set, not landed → failed (the old stop stands)', () => {
    const moving = run(PROTECTED, mark('103')).after;
    const position = (stopLoss: string): Position => ({
      symbol: 'BTCUSDT', side: 'long', quantity: dec('2'), entryPrice: dec('100'), markPrice: dec('103'), unrealizedPnl: dec('6'), leverage: dec('5'),
      takeProfit: dec('102'), stopLoss: dec(stopLoss), tpTrigger: 'mark', slTrigger: 'mark', updatedAt: 9,
    });
    expect(positionRecoveryEvents(moving, position('100.5'), [], 9).events).toEqual([{ type: 'venue.protectionSet', at: 9 }]);
    expect(positionRecoveryEvents(moving, position('99'), [], 9).events).toEqual([
      { type: 'venue.protectionFailed', code: 'recovery', message: 'the stop move did not reach the venue before the restart', at: 9 },
    ]);
  });
});
