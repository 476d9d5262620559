/**
 * The S0-12 hedge on the trade chart (pure `transition`): it opens at −2 % from the OEP for the size held, on the
 * other leg, with TP = the signal's stop and SL = the OEP; never in the auto-SL case (C-11) nor when the stop is nearer
 * than the trigger; once per cycle; the OEP never moves (S0-8); and the cycle's PnL counts the hedge leg's.
 */
import { describe, expect, it } from 'vitest';
import { tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { modelHedgeIntent, modelInput } from '../../machines/trade/model.ts';
import { hedgeOf } from '../../machines/trade/hedgeLogic.ts';
import type { TradeEmitted, TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { dec } from '../../src/domain/money.ts';
import { runRow } from './support.ts';
import { acc, fAll, fill, mark, protectionSet, venueFlat } from './tradeFixtures.ts';

const openWith = (over: Record<string, unknown>): TradeEvent => ({ type: 'command.open', at: 1, ...modelHedgeIntent, ...over });
const protectedWith = (over: Record<string, unknown> = {}): TradeEvent[] => [openWith(over), acc(), fAll, protectionSet];
const run = (reach: ReadonlyArray<TradeEvent>, event: TradeEvent) => runRow(tradeMachine, modelInput, reach, event);
const submits = (emitted: ReadonlyArray<unknown>) => (emitted as TradeEmitted[]).filter((e): e is Extract<TradeEmitted, { type: 'order.submit' }> => e.type === 'order.submit');
const hedgeSet: TradeEvent = { type: 'venue.protectionSet', leg: 'short', at: 6 };

describe('the hedge (S0-12)', () => {
  it('S0-12 at −2 % from the OEP the other leg opens for 100 % of the size held: sell 2 on the short leg, market IOC, not reduce-only', () => {
    const above = run(protectedWith(), mark('98.1'));
    expect(submits(above.emitted)).toEqual([]);
    const r = run(protectedWith(), mark('98'));
    expect(r.after.matches({ lifecycle: { opened: 'hedging' } })).toBe(true);
    expect(submits(r.emitted)).toEqual([
      { type: 'order.submit', clientOrderId: 'c1-h1', symbol: 'BTCUSDT', side: 'sell', orderType: 'market', quantity: '2', price: undefined, timeInForce: 'ioc', reduceOnly: false, role: 'hedge', intentId: 'i1', leg: 'short' },
    ]);
  });

  it('S0-12 the hedge leg\'s TP is the original stop and its SL the OEP, asked for on the hedge leg', () => {
    const r = run([...protectedWith(), mark('97.5')], fill('c1-h1', 'h1', '2', '97.5'));
    const protection = (r.emitted as TradeEmitted[]).find((e) => e.type === 'protection.set');
    expect(protection).toEqual({ type: 'protection.set', symbol: 'BTCUSDT', side: 'sell', takeProfit: '97', stopLoss: '100', attempt: 1, leg: 'short' });
  });

  it('S0-12 C-11 a trade without a hedge plan (the planner gives none in the auto-SL case) never hedges', () => {
    const r = run(protectedWith({ hedge: undefined }), mark('97.5'));
    expect(r.after.matches({ lifecycle: { opened: 'protected' } })).toBe(true);
    expect(submits(r.emitted)).toEqual([]);
  });

  it('S0-12 a stop nearer than the trigger leaves no room for a hedge', () => {
    // Stop at 98.5: the position closes before −2 %; a mark below it (stale) opens nothing.
    const r = run(protectedWith({ levels: { stopLoss: '98.5' } }), mark('97.5'));
    expect(submits(r.emitted)).toEqual([]);
  });

  it('S0-12 a short position hedges with a buy on the long leg at +2 %, TP the stop above, SL the OEP', () => {
    const short = { side: 'sell', levels: { stopLoss: '103' } };
    const r = run([openWith(short), acc(), fAll, protectionSet], mark('102'));
    expect(submits(r.emitted).map((o) => [o.side, o.leg, o.quantity])).toEqual([['buy', 'long', '2']]);
    const p = run([openWith(short), acc(), fAll, protectionSet, mark('102')], fill('c1-h1', 'h1', '2', '102'));
    expect((p.emitted as TradeEmitted[]).find((e) => e.type === 'protection.set')).toMatchObject({ takeProfit: '103', stopLoss: '100', leg: 'long' });
  });

  it('S0-12 S0-8 once per cycle, and the OEP never moves: after the leg closed at its SL, a second −2 % mark opens nothing', () => {
    const hedgeFlat: TradeEvent = { type: 'venue.positionChanged', leg: 'short', side: 'flat', quantity: '0', external: { quantity: '2', notional: '200', fee: '0.02', tradeIds: ['hx1'] }, at: 7 };
    const reach = [...protectedWith(), mark('97.5'), fill('c1-h1', 'h1', '2', '97.5'), hedgeSet, hedgeFlat];
    const r = run(reach, mark('97.4'));
    expect(submits(r.emitted)).toEqual([]);
    expect(r.after.context.openingPrice).toBe('100');
    expect(hedgeOf(r.after.context).status).toBe('closed');
  });

  it('S0-12 the cycle\'s PnL is the position\'s plus the hedge leg\'s, net of every fee', () => {
    // Long 2 @ 100, hedge short 2 @ 97.5 (fee 0.01), the position's TP closes it at 102 (notional 204, fee 0.02) with the
    // hedge open; the leg is closed at 97 (fee 0.01): position +4 − 0.03, hedge +1 − 0.02.
    const reach = [...protectedWith(), mark('97.5'), fill('c1-h1', 'h1', '2', '97.5'), hedgeSet, venueFlat];
    const r = run(reach, fill('c1-u1', 'u1', '2', '97'));
    const closed = (r.emitted as TradeEmitted[]).find((e) => e.type === 'position.closed');
    expect(closed).toMatchObject({ entryPrice: '100', hedgePnl: '0.98' });
    expect(dec((closed as { realizedPnl: string }).realizedPnl).toString()).toBe('4.95');
    expect(dec((closed as { fees: string }).fees).toString()).toBe('0.05');
  });

  it('S0-12 X-RT-2 the hedge leg\'s updates never close the position: a flat short leg while hedging changes nothing of the long', () => {
    const flatShort: TradeEvent = { type: 'venue.positionChanged', leg: 'short', side: 'flat', quantity: '0', at: 6 };
    const r = run([...protectedWith(), mark('97.5')], flatShort);
    expect(r.after.matches({ lifecycle: { opened: 'hedging' } })).toBe(true);
    const longFlat: TradeEvent = { type: 'venue.positionChanged', leg: 'long', side: 'flat', quantity: '0', at: 6 };
    expect(run([...protectedWith(), mark('97.5')], longFlat).after.matches({ lifecycle: { closed: 'awaitingHedge' } })).toBe(true);
  });
});
