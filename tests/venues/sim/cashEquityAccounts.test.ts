/**
 * Specs of `CashEquityAccounts` (reference cash-equity profile: US market hours, no fees) and of the trading
 * session it uses: orders outside 09:30–16:00 America/New_York on weekdays are refused with `market_closed` across
 * both daylight-saving changes, resting orders and conditionals wait for the session, buys need cash, sells need
 * shares held (long only), whole or fractional shares per the instrument step. Numbers are hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { CASH_EQUITY_PROFILE, cashEquityProfile } from '../../../src/venues/sim/engine/profiles.ts';
import { isWithinSession, localTime, US_EQUITY_SESSION, validSession } from '../../../src/venues/sim/engine/sessions.ts';
import { balance, d, engine, ok, order, place } from './engineSupport.ts';

const utc = (y: number, m: number, day: number, h: number, min: number): number => Date.UTC(y, m - 1, day, h, min);
const spy = CASH_EQUITY_PROFILE.instrument('SPY', d('176'));
if (spy === undefined) throw new Error('cash-equity profile lists SPY');

describe('US equity trading session', () => {
  it('opens at 09:30 and closes at 16:00 New York time on weekdays, through the November and March DST changes', () => {
    const cases: ReadonlyArray<readonly [number, boolean]> = [
      [utc(2013, 11, 1, 13, 29), false], // Fri 09:29 EDT
      [utc(2013, 11, 1, 13, 30), true], // Fri 09:30 EDT
      [utc(2013, 11, 1, 19, 59), true], // Fri 15:59 EDT
      [utc(2013, 11, 1, 20, 0), false], // Fri 16:00 EDT
      [utc(2013, 11, 2, 15, 0), false], // Saturday
      [utc(2013, 11, 4, 13, 30), false], // Mon 08:30 EST: the same UTC time is now before the open
      [utc(2013, 11, 4, 14, 30), true], // Mon 09:30 EST
      [utc(2013, 11, 4, 20, 30), true], // Mon 15:30 EST
      [utc(2013, 11, 4, 21, 0), false], // Mon 16:00 EST
      [utc(2014, 3, 7, 14, 29), false], // Fri 09:29 EST
      [utc(2014, 3, 7, 20, 30), true], // Fri 15:30 EST
      [utc(2014, 3, 10, 13, 30), true], // Mon 09:30 EDT: an hour earlier in UTC
      [utc(2014, 3, 10, 20, 30), false], // Mon 16:30 EDT
    ];
    expect(cases.map(([ts]) => isWithinSession(US_EQUITY_SESSION, ts))).toEqual(cases.map(([, open]) => open));
    expect(localTime(utc(2013, 11, 4, 14, 30), 'America/New_York')).toEqual({ weekday: 1, minutes: 570 });
  });

  it('refuses a malformed session (zone, times, weekdays)', () => {
    expect(() => validSession({ ...US_EQUITY_SESSION, timeZone: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => validSession({ ...US_EQUITY_SESSION, open: '9:30' })).toThrow(/HH:MM/);
    expect(() => validSession({ ...US_EQUITY_SESSION, open: '16:00', close: '09:30' })).toThrow(RangeError);
    expect(() => validSession({ ...US_EQUITY_SESSION, weekdays: [0] })).toThrow(RangeError);
    expect(cashEquityProfile({ session: { timeZone: 'Europe/London', open: '08:00', close: '16:30', weekdays: [1, 2, 3, 4, 5] } }).session?.timeZone).toBe('Europe/London');
  });
});

describe('CashEquityAccounts', () => {
  const FRI_OPEN = utc(2013, 11, 1, 13, 30);
  const book = (last: string) => ({ bids: [[d(last).minus('0.01').toString(), '1000']] as const, asks: [[last, '1000']] as const });
  const setup = () => {
    const e = engine(CASH_EQUITY_PROFILE, [spy], [
      { at: FRI_OPEN + 60_000, last: '176', ...book('176') },
      { at: FRI_OPEN + 120_000, last: '177', ...book('177') },
      { at: utc(2013, 11, 1, 20, 1), last: '174', trades: [['174', '500', 'sell']], ...book('174') },
      { at: utc(2013, 11, 4, 14, 31), last: '174', trades: [['174', '500', 'sell']], ...book('174') },
    ], FRI_OPEN - 60_000);
    e.ex.fundAccount('a', 'USD', d(10_000));
    return e;
  };

  it('refuses orders outside the session with market_closed, on both sides of the DST change', () => {
    const { ex, clock } = setup();
    const buy = () => ex.placeOrder(order({ symbol: 'SPY', side: 'buy', quantity: '1', price: '170' }));
    expect(buy()).toMatchObject({ ok: false, code: 'market_closed' });
    clock.advanceTo(FRI_OPEN);
    expect(buy().ok).toBe(true);
    clock.advanceTo(utc(2013, 11, 4, 13, 30));
    expect(buy()).toMatchObject({ ok: false, code: 'market_closed' });
    clock.advanceTo(utc(2013, 11, 4, 14, 30));
    expect(buy().ok).toBe(true);
    // Cancels work at any time.
    clock.advanceTo(utc(2013, 11, 4, 21, 30));
    expect(ex.cancelAll('a').map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('buys with cash and sells only shares held (long only), whole shares unless the profile is fractional', () => {
    const { ex, step } = setup();
    step();
    expect(ex.placeOrder(order({ symbol: 'SPY', side: 'sell', quantity: '1' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
    expect(ex.placeOrder(order({ symbol: 'SPY', side: 'buy', quantity: '0.5', price: '175' }))).toMatchObject({ ok: false, code: 'qty_invalid' });
    expect(ex.placeOrder(order({ symbol: 'SPY', side: 'buy', quantity: '57' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
    place(ex, order({ symbol: 'SPY', side: 'buy', quantity: '10' }));
    expect(balance(ex, 'a', 'USD')).toEqual(['8240', '8240']);
    const resting = place(ex, order({ symbol: 'SPY', side: 'sell', quantity: '6', price: '180' }));
    expect(ex.placeOrder(order({ symbol: 'SPY', side: 'sell', quantity: '5', price: '181' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
    ok(ex.cancelOrder('a', 'SPY', { orderId: resting.orderId }));
    step();
    // Mark 177: holding 10 @ 176 is worth 1770 (+10 unrealised).
    const [w] = ex.wallet('a');
    expect([w?.equity.toString(), w?.unrealisedPnl.toString()]).toEqual(['10010', '10']);
    place(ex, order({ symbol: 'SPY', side: 'sell', quantity: '4' }));
    const [p] = ex.positions('a', 'SPY');
    expect([p?.size.toString(), p?.entryPrice.toString(), p?.cumRealisedPnl.toString(), p?.leverage.toString()]).toEqual(['6', '176', '3.96', '1']);
    // Sold 4 at 176.99 (the bid): +707.96 cash, realised 3.96.
    expect(balance(ex, 'a', 'USD')).toEqual(['8947.96', '8947.96']);
    const fractional = cashEquityProfile({ fractional: true });
    const f = engine(fractional, [fractional.instrument('SPY', d('176')) ?? spy], [{ at: FRI_OPEN + 60_000, last: '176', ...book('176') }], FRI_OPEN);
    f.step();
    f.ex.fundAccount('a', 'USD', d(100));
    expect(place(f.ex, order({ symbol: 'SPY', side: 'buy', quantity: '0.5' })).filledQuantity.toString()).toBe('0.5');
  });

  it('fills resting orders and fires conditionals only inside the session', () => {
    const { ex, step, clock } = setup();
    clock.advanceTo(FRI_OPEN);
    const bid = place(ex, order({ symbol: 'SPY', side: 'buy', quantity: '10', price: '175' }));
    step();
    step();
    ok(ex.placeConditional({ account: 'a', symbol: 'SPY', side: 'buy', kind: 'take_profit', triggerPrice: d('175'), triggerBy: 'last', quantity: d(1) }));
    // 16:01 EDT: the tape prints 174 through the bid, but the market is closed.
    step();
    expect(ex.getOrder('a', 'SPY', { orderId: bid.orderId })?.status).toBe('new');
    expect(ex.conditionalOrders('a')).toHaveLength(1);
    // Monday 09:31 EST: the same print fills it, and the take-profit buy fires.
    step();
    expect(ex.getOrder('a', 'SPY', { orderId: bid.orderId })?.status).toBe('filled');
    expect(ex.conditionalOrders('a')).toHaveLength(0);
    expect(ex.positions('a', 'SPY')[0]?.size.toString()).toBe('11');
  });

  it('has no leverage, reduce-only, position sides or position TP/SL', () => {
    const { ex, clock } = setup();
    clock.advanceTo(FRI_OPEN);
    expect(ex.setLeverage('a', 'SPY', d(2))).toMatchObject({ ok: false, code: 'not_supported' });
    expect(ex.placeOrder(order({ symbol: 'SPY', side: 'sell', quantity: '1', price: '180', reduceOnly: true }))).toMatchObject({ ok: false, code: 'not_supported' });
    expect(ex.placeOrder(order({ symbol: 'SPY', side: 'buy', quantity: '1', price: '170', positionSide: 'long' }))).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(ex.setTradingStop('a', 'SPY', { stopLoss: d(170) })).toMatchObject({ ok: false, code: 'not_supported' });
  });
});
