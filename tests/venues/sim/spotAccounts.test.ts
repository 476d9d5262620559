/**
 * Specs of `SpotAccounts` (reference spot profile, BTC-USD: maker 0.4 %, taker 0.6 %): a buy needs quote and a sell
 * needs base (no shorting), resting orders hold what they would spend, fills move both balances with the fee in the
 * quote, a market buy stops where the balance runs out (never below zero), and positions, leverage, reduce-only and
 * position TP/SL do not exist. Numbers are hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { SPOT_PROFILE } from '../../../src/venues/sim/engine/profiles.ts';
import { balance, d, engine, order, place } from './engineSupport.ts';

const inst = SPOT_PROFILE.instrument('BTC-USD');
if (inst === undefined) throw new Error('spot profile lists BTC-USD');
const btcUsd = (o: { side: 'buy' | 'sell'; quantity: string; price?: string; account?: string; reduceOnly?: boolean }) => order({ symbol: 'BTC-USD', ...o });

describe('SpotAccounts', () => {
  const setup = () => {
    const e = engine(SPOT_PROFILE, [inst], [
      { last: '7000', bids: [['6999.99', '2']], asks: [['7000', '2']] },
      { last: '7100', trades: [['7100', '1', 'buy']], bids: [['7099.99', '2']], asks: [['7100.01', '2']] },
    ]);
    e.step();
    e.ex.fundAccount('a', 'USD', d(10_000));
    return e;
  };

  it('refuses a sell without the base asset (no shorting) and a buy the quote balance cannot pay with its fee', () => {
    const { ex } = setup();
    expect(ex.placeOrder(btcUsd({ side: 'sell', quantity: '0.1', price: '7100' }))).toMatchObject({ ok: false, code: 'insufficient_balance', message: 'BTC balance is insufficient: needs 0.1, free 0' });
    // 2 × 7000 × 1.006 = 14084 > 10000.
    expect(ex.placeOrder(btcUsd({ side: 'buy', quantity: '2', price: '7000' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
    expect(ex.placeOrder(btcUsd({ side: 'buy', quantity: '2' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
  });

  it('holds what resting orders would spend and moves base and quote on fills, the fee in the quote', () => {
    const { ex, step, events } = setup();
    place(ex, btcUsd({ side: 'buy', quantity: '1', price: '6900' }));
    // Held: 6900 × 1.006 = 6941.4.
    expect(balance(ex, 'a', 'USD')).toEqual(['10000', '3058.6']);
    expect(ex.placeOrder(btcUsd({ side: 'buy', quantity: '0.5', price: '6900' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
    events.length = 0;
    // Market 0.4 at 7000: 2800 + taker fee 16.8.
    place(ex, btcUsd({ side: 'buy', quantity: '0.4' }));
    expect(events.filter((e) => e.type === 'wallet').map((e) => (e.type === 'wallet' ? e.wallet.coin : ''))).toEqual(['USD', 'BTC']);
    expect(events.some((e) => e.type === 'position')).toBe(false);
    expect(balance(ex, 'a', 'USD')).toEqual(['7183.2', '241.8']);
    expect(balance(ex, 'a', 'BTC')).toEqual(['0.4', '0.4']);
    expect(ex.placeOrder(btcUsd({ side: 'sell', quantity: '0.5', price: '7100' }))).toMatchObject({ ok: false, code: 'insufficient_balance' });
    place(ex, btcUsd({ side: 'sell', quantity: '0.4', price: '7100' }));
    expect(balance(ex, 'a', 'BTC')).toEqual(['0.4', '0']);
    // The replayed trade at 7100 fills the resting sell as maker: +2840 − 11.36.
    step();
    expect(balance(ex, 'a', 'BTC')).toEqual(['0', '0']);
    expect(balance(ex, 'a', 'USD')).toEqual(['10011.84', '3070.44']);
    expect(ex.executions('a').map((e) => [e.price.toString(), e.quantity.toString(), e.fee.toString(), e.isMaker])).toEqual([
      ['7000', '0.4', '16.8', false],
      ['7100', '0.4', '11.36', true],
    ]);
  });

  it('stops a market buy where the quote balance runs out, never below zero', () => {
    const e = engine(SPOT_PROFILE, [inst], [{ last: '7000', asks: [['7000', '0.1'], ['9000', '5']] }]);
    e.step();
    e.ex.fundAccount('b', 'USD', d(1000));
    // Valued at 7000 it fits (0.14 × 7000 × 1.006 = 985.88); the sweep reaches 9000, where 295.8 buys 0.03267064 with its fee.
    const o = place(e.ex, btcUsd({ account: 'b', side: 'buy', quantity: '0.14' }));
    expect([o.status, o.filledQuantity.toString()]).toEqual(['cancelled', '0.13267064']);
    expect(balance(e.ex, 'b', 'USD')).toEqual(['0.00002544', '0.00002544']);
    expect(balance(e.ex, 'b', 'BTC')[0]).toBe('0.13267064');
  });

  it('has no positions, leverage, reduce-only, position mode or position TP/SL', () => {
    const { ex } = setup();
    expect(ex.placeOrder(btcUsd({ side: 'sell', quantity: '0.1', price: '7100', reduceOnly: true }))).toMatchObject({ ok: false, code: 'not_supported' });
    expect(ex.placeOrder({ ...btcUsd({ side: 'buy', quantity: '0.1', price: '6000' }), positionSide: 'long' })).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(ex.setLeverage('a', 'BTC-USD', d(2))).toMatchObject({ ok: false, code: 'not_supported' });
    expect(ex.setPositionMode('a', 'hedge')).toMatchObject({ ok: false, code: 'not_supported' });
    expect(ex.setTradingStop('a', 'BTC-USD', { stopLoss: d(6000) })).toMatchObject({ ok: false, code: 'not_supported' });
    place(ex, btcUsd({ side: 'buy', quantity: '0.1' }));
    expect(ex.positions('a')).toEqual([]);
    expect(ex.positions('a', 'BTC-USD')).toEqual([]);
  });
});
