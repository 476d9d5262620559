/**
 * Specs of `LinearPerpAccounts` in hedge mode (positions keyed by symbol and long/short leg, Binance positionSide /
 * Bybit positionIdx 1-2): both legs at once, margin of both, the closing side of a leg as reduce-only (capped, no
 * margin, refused on a flat leg, shrunk when its leg shrinks), leverage for both legs, and switching position mode.
 * Numbers are hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../../src/venues/sim/bybit/profile.ts';
import { openOrdersIM } from '../../../src/venues/sim/engine/accounts/LinearPerpAccounts.ts';
import type { PositionState } from '../../../src/venues/sim/engine/accounts/positions.ts';
import { HEDGE_PERP_PROFILE } from '../../../src/venues/sim/engine/profiles.ts';
import { balance, d, engine, ok, order, place } from './engineSupport.ts';

const btc = HEDGE_PERP_PROFILE.instrument('BTCUSDT');
if (btc === undefined) throw new Error('hedge profile lists BTCUSDT');
const market = { last: '17000', bids: [['16999.9', '5']], asks: [['17000', '5']] } as const;

const hedged = () => {
  const e = engine(HEDGE_PERP_PROFILE, [btc], [market, market]);
  e.step();
  e.ex.fundAccount('a', 'USDT', d(10_000));
  return e;
};

describe('LinearPerpAccounts, hedge mode', () => {
  it('needs a positionSide in hedge mode and refuses one in one-way mode', () => {
    const { ex } = hedged();
    expect(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' }))).toMatchObject({ ok: false, code: 'invalid_request', message: 'hedge mode needs a positionSide' });
    const oneWay = engine(BYBIT_LINEAR_PROFILE, [bybitLinearInstrument('BTCUSDT')], []);
    oneWay.ex.fundAccount('a', 'USDT', d(10_000));
    expect(oneWay.ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', price: '16000', positionSide: 'long' }))).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('holds a long and a short leg of one symbol at once, each with its own entry and margin', () => {
    const { ex } = hedged();
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', positionSide: 'long' }));
    place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.05', positionSide: 'short' }));
    const legs = ex.positions('a', 'BTCUSDT').map((p) => [p.positionSide, p.size.toString(), p.entryPrice.toString(), p.positionIM.toString(), p.leverage.toString()]);
    expect(legs).toEqual([
      ['long', '0.1', '17000', '85', '20'],
      ['short', '-0.05', '16999.9', '42.49975', '20'],
    ]);
    expect(ex.positions('a').map((p) => p.positionSide)).toEqual(['long', 'short']);
    // Fees 0.85 + 0.4249975; unrealised −0.005 (short at mark 17000); margin 85 + 42.49975.
    expect(balance(ex, 'a', 'USDT')).toEqual(['9998.7250025', '9871.2202525']);
    const orders = ex.orderHistory('a').map((o) => o.positionSide);
    expect(orders).toEqual(['long', 'short']);
  });

  it('treats the closing side of a leg as reduce-only: capped to the leg, no margin, refused on a flat leg', () => {
    const { ex } = hedged();
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', positionSide: 'long' }));
    const before = balance(ex, 'a', 'USDT');
    const close = place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.3', price: '17100', positionSide: 'long' }));
    expect([close.quantity.toString(), close.reduceOnly]).toEqual(['0.1', false]);
    expect(balance(ex, 'a', 'USDT')).toEqual(before);
    expect(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', price: '16900', positionSide: 'short' }))).toMatchObject({ ok: false, code: 'reduce_only_no_position' });
    // Closing 0.06 of the long leg another way shrinks the resting close to the 0.04 left; the short leg is untouched.
    place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.01', positionSide: 'short' }));
    place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.06', positionSide: 'long' }));
    expect(ex.getOrder('a', 'BTCUSDT', { orderId: close.orderId })?.quantity.toString()).toBe('0.04');
    expect(ex.positions('a', 'BTCUSDT').map((p) => p.size.toString())).toEqual(['0.04', '-0.01']);
    // Flattening the long leg cancels its close as a reduce-only casualty.
    place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.04', positionSide: 'long' }));
    expect(ex.getOrder('a', 'BTCUSDT', { orderId: close.orderId })).toMatchObject({ status: 'cancelled', cancelType: 'reduce_only' });
  });

  it('realises PnL per leg: closing the short at 17000 after opening at 16999.9 loses 0.005 plus the taker fee', () => {
    const { ex } = hedged();
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', positionSide: 'long' }));
    place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.05', positionSide: 'short' }));
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.05', positionSide: 'short' }));
    const [long, short] = ex.positions('a', 'BTCUSDT');
    // Short leg: −0.4249975 (open fee) − 0.005 − 0.425 (close fee) = −0.8549975; the long leg only paid its fee.
    expect([long?.cumRealisedPnl.toString(), short?.size.toString(), short?.cumRealisedPnl.toString()]).toEqual(['-0.85', '0', '-0.8549975']);
    expect(ex.wallet('a')[0]?.cumRealisedPnl.toString()).toBe('-1.7049975');
  });

  it('sets one leverage for both legs and switches position mode only when the account is flat with no orders', () => {
    const { ex } = hedged();
    const lev = ok(ex.setLeverage('a', 'BTCUSDT', d(50)));
    expect(lev.positionSide).toBe('long');
    expect(ex.positions('a', 'BTCUSDT').map((p) => p.leverage.toString())).toEqual(['50', '50']);
    expect(ex.setLeverage('a', 'BTCUSDT', d(50))).toMatchObject({ ok: false, code: 'not_modified' });
    expect(ex.setPositionMode('a', 'hedge')).toMatchObject({ ok: false, code: 'not_modified' });
    const o = place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', price: '16000', positionSide: 'long' }));
    expect(ex.setPositionMode('a', 'one_way')).toMatchObject({ ok: false, code: 'invalid_request' });
    ok(ex.cancelOrder('a', 'BTCUSDT', { orderId: o.orderId }));
    expect(ok(ex.setPositionMode('a', 'one_way'))).toBe('one_way');
    const [p] = ex.positions('a', 'BTCUSDT');
    expect([p?.positionSide, p?.leverage.toString()]).toEqual([undefined, '50']);
    expect(place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01' })).positionSide).toBeUndefined();
    expect(ex.setPositionMode('a', 'hedge')).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('S0-12 a hedge leg keeps its own TP/SL: the long leg\'s stop fires and closes only the long leg, then the short leg\'s take-profit closes it', () => {
    const tick = (last: string) => ({ last, bids: [[d(last).minus('0.1').toString(), '5']], asks: [[d(last).plus('0.1').toString(), '5']] }) as const;
    const { ex, step } = engine(BYBIT_LINEAR_PROFILE, [bybitLinearInstrument('BTCUSDT')], [tick('17000'), tick('16800'), tick('16400')]);
    step();
    ex.fundAccount('a', 'USDT', d(10_000));
    expect(ok(ex.setPositionMode('a', 'hedge'))).toBe('hedge');
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.1', positionSide: 'long' }));
    place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.05', positionSide: 'short' }));
    ok(ex.setTradingStop('a', 'BTCUSDT', { positionSide: 'long', takeProfit: d(17500), stopLoss: d(16900) }));
    ok(ex.setTradingStop('a', 'BTCUSDT', { positionSide: 'short', takeProfit: d(16500), stopLoss: d(17200) }));
    // A leg is named explicitly in hedge mode: no leg is refused.
    expect(ex.setTradingStop('a', 'BTCUSDT', { stopLoss: d(16950) })).toMatchObject({ ok: false, code: 'invalid_request' });
    const legs = () => ex.positions('a', 'BTCUSDT').map((p) => [p.positionSide, p.size.toString(), p.takeProfit?.toString(), p.stopLoss?.toString()]);
    step();
    expect(legs()).toEqual([
      ['long', '0', undefined, undefined],
      ['short', '-0.05', '16500', '17200'],
    ]);
    const stopped = ex.orderHistory('a').at(-1);
    expect([stopped?.stopOrderType, stopped?.side, stopped?.positionSide, stopped?.status, stopped?.quantity.toString()]).toEqual(['StopLoss', 'sell', 'long', 'filled', '0.1']);
    step();
    expect(legs()).toEqual([
      ['long', '0', undefined, undefined],
      ['short', '0', undefined, undefined],
    ]);
    const took = ex.orderHistory('a').at(-1);
    expect([took?.stopOrderType, took?.side, took?.positionSide, took?.status, took?.quantity.toString()]).toEqual(['TakeProfit', 'buy', 'short', 'filled', '0.05']);
  });

  it('counts open-order margin only for the part beyond what an order closes', () => {
    const leg = (size: string): PositionState => ({ symbol: 'X', positionSide: undefined, size: d(size), entryPrice: d(100), leverage: d(10), cumRealisedPnl: d(0), takeProfit: undefined, stopLoss: undefined, tpTrigger: 'last', slTrigger: 'last', seq: 0, createdAt: 0, updatedAt: 0 });
    const e = { buyQuantity: d(2), buyValue: d(200), sellQuantity: d(3), sellValue: d(330) };
    // Long 1: buys add in full (200); sells close 1 of 3, so 2/3 of 330 counts → (200 + 220) / 10.
    expect(openOrdersIM(e, leg('1')).toString()).toBe('42');
    expect(openOrdersIM(e, leg('0')).toString()).toBe('53');
  });
});
