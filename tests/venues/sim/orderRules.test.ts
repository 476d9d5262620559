/**
 * Specs of `OrderRules`: the instrument checks in neutral reject codes (step, min/max quantity per order type, tick
 * and price band, min notional, open-order limit) and the documented order in which admission runs them together
 * with the account model's checks, for new orders and amends.
 */
import { describe, expect, it } from 'vitest';
import { bybitLinearInstrument, BYBIT_LINEAR_PROFILE } from '../../../src/venues/sim/bybit/profile.ts';
import { checkMinNotional, checkOpenOrders, checkPrice, checkQuantity } from '../../../src/venues/sim/engine/OrderRules.ts';
import { CASH_EQUITY_PROFILE, SPOT_PROFILE } from '../../../src/venues/sim/engine/profiles.ts';
import { d, engine, order, place } from './engineSupport.ts';

const btc = bybitLinearInstrument('BTCUSDT');
const codeOf = (r: { readonly ok: boolean; readonly code?: string }): string => (r.ok ? 'ok' : (r.code ?? ''));

describe('OrderRules checks', () => {
  it('refuses a quantity off the step, below the minimum, or above the limit for its order type', () => {
    expect(codeOf(checkQuantity(btc, d('0.001'), false))).toBe('ok');
    expect(codeOf(checkQuantity(btc, d('0.0015'), false))).toBe('qty_invalid');
    expect(codeOf(checkQuantity(btc, d('0'), false))).toBe('qty_invalid');
    expect(codeOf(checkQuantity(btc, d('-0.001'), false))).toBe('qty_invalid');
    expect(codeOf(checkQuantity(btc, d('NaN'), false))).toBe('qty_invalid');
    // 600 fits a limit order (≤ 1190) but not a market order (≤ 500).
    expect(codeOf(checkQuantity(btc, d('600'), false))).toBe('ok');
    expect(checkQuantity(btc, d('600'), true)).toEqual({ ok: false, code: 'qty_invalid', message: 'quantity 600 is not valid for BTCUSDT' });
  });

  it('refuses a missing or non-positive price, one off the tick, and one outside the band', () => {
    expect(checkPrice(btc, undefined)).toEqual({ ok: false, code: 'price_invalid', message: 'a limit order needs a positive price' });
    expect(codeOf(checkPrice(btc, d('0')))).toBe('price_invalid');
    expect(checkPrice(btc, d('17000.05'))).toEqual({ ok: false, code: 'price_invalid', message: 'price 17000.05 is not valid for BTCUSDT' });
    expect(codeOf(checkPrice(btc, d('199999.9')))).toBe('price_invalid');
    expect(codeOf(checkPrice(btc, d('199999.8')))).toBe('ok');
  });

  it('refuses an order worth less than the minimum notional and one open order too many', () => {
    expect(codeOf(checkMinNotional(btc, d('0.001'), d('4999.9')))).toBe('min_notional');
    expect(codeOf(checkMinNotional(btc, d('0.001'), d('5000')))).toBe('ok');
    expect(checkOpenOrders(btc, 500, 500)).toEqual({ ok: false, code: 'too_many_orders', message: 'more than 500 open orders on BTCUSDT' });
    expect(codeOf(checkOpenOrders(btc, 499, 500))).toBe('ok');
  });
});

describe('OrderRules admission order', () => {
  const e = () => engine(BYBIT_LINEAR_PROFILE, [btc], [{ last: '17000', bids: [['16999.9', '5']], asks: [['17000.1', '5']] }]);

  it('reports the first failing check: duplicate id before market post-only, quantity before price, price before reduce-only', () => {
    const { ex, step } = e();
    step();
    ex.fundAccount('a', 'USDT', d(100_000));
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', price: '16000', clientOrderId: 'x' }));
    expect(codeOf(ex.placeOrder({ ...order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', tif: 'post_only', clientOrderId: 'x' }) }))).toBe('duplicate_client_id');
    expect(codeOf(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', tif: 'post_only' })))).toBe('invalid_request');
    expect(codeOf(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.0001', price: '1.05' })))).toBe('qty_invalid');
    expect(codeOf(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.01', price: '1.05', reduceOnly: true })))).toBe('price_invalid');
    expect(codeOf(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.01', price: '18000', reduceOnly: true })))).toBe('reduce_only_no_position');
  });

  it('waives the minimum notional for reducing orders and checks margin last', () => {
    const { ex, step } = e();
    step();
    ex.fundAccount('a', 'USDT', d(10));
    // 0.001 × 1000 = 1 USDT < 5: min notional, before the margin check that would also fail.
    expect(codeOf(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.001', price: '1000' })))).toBe('min_notional');
    expect(codeOf(ex.placeOrder(order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', price: '17000' })))).toBe('insufficient_margin');
    place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.001' }));
    // Reducing 0.001 at 1000 is worth 1 USDT, and is allowed.
    expect(place(ex, order({ symbol: 'BTCUSDT', side: 'sell', quantity: '0.001', price: '17100', reduceOnly: true })).status).toBe('new');
  });

  it('runs amends through not-modified → price → quantity (above the filled part) → funds → min notional', () => {
    const { ex, step } = e();
    step();
    ex.fundAccount('a', 'USDT', d(1000));
    const o = place(ex, order({ symbol: 'BTCUSDT', side: 'buy', quantity: '0.01', price: '16000' }));
    const amend = (changes: { quantity?: string; price?: string }) =>
      codeOf(ex.amendOrder('a', 'BTCUSDT', { orderId: o.orderId }, { quantity: changes.quantity === undefined ? undefined : d(changes.quantity), price: changes.price === undefined ? undefined : d(changes.price) }));
    expect(amend({ price: '16000' })).toBe('not_modified');
    expect(amend({ price: '16000.05', quantity: '0.0001' })).toBe('price_invalid');
    expect(amend({ quantity: '0.0001' })).toBe('qty_invalid');
    expect(amend({ quantity: '1' })).toBe('insufficient_margin');
    expect(amend({ price: '100', quantity: '0.01' })).toBe('min_notional');
    expect(amend({ price: '16001' })).toBe('ok');
  });

  it('refuses new orders and amends outside the session (cash equity) before anything else, and reduce-only where it does not exist', () => {
    const spyBars = 1_380_893_400_000; // 2013-10-04 09:30 New York
    const equity = engine(CASH_EQUITY_PROFILE, [defined(CASH_EQUITY_PROFILE.instrument('SPY', d('167.74')))], [{ at: spyBars - 60_000, last: '167.7' }], spyBars - 120_000);
    equity.ex.fundAccount('a', 'USD', d(10_000));
    expect(equity.ex.placeOrder(order({ symbol: 'SPY', side: 'buy', quantity: '0.5', price: '1.001' }))).toMatchObject({ ok: false, code: 'market_closed' });
    const spot = engine(SPOT_PROFILE, [defined(SPOT_PROFILE.instrument('BTC-USD'))], []);
    expect(spot.ex.placeOrder(order({ symbol: 'BTC-USD', side: 'sell', quantity: '0.1', price: '7000', reduceOnly: true }))).toMatchObject({ ok: false, code: 'not_supported' });
  });
});

function defined<A>(a: A | undefined): A {
  if (a === undefined) throw new Error('expected a value');
  return a;
}
