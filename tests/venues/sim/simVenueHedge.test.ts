/**
 * S0-12 hedge mode through the in-process `SimVenue` (the backtest binding): `setPositionMode`, orders and TP/SL per
 * leg, `Position.leg` on queries and account events, `protectionOf(symbol, leg)`, and the same typed refusals as the
 * Bybit façade gives the adapter (a leg on a one-way account, hedge on an account model without positions).
 */
import { describe, expect, it } from 'vitest';
import type { OrderRequest, PositionLeg, Side } from '../../../src/domain/orders.ts';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../../src/venues/sim/bybit/profile.ts';
import { SPOT_PROFILE } from '../../../src/venues/sim/engine/profiles.ts';
import { makeSimVenue, type SimVenue } from '../../../src/venues/sim/SimVenue.ts';
import type { AccountEvent } from '../../../src/venues/streams.ts';
import { d, engine } from './engineSupport.ts';
import { fail, run } from '../../support/venueEffects.ts';


const market = { last: '17000', bids: [['16999.9', '5']], asks: [['17000', '5']] } as const;

let seq = 0;
const marketOrder = (side: Side, quantity: string, leg?: PositionLeg, reduceOnly = false): OrderRequest => ({
  clientOrderId: `sv-${++seq}`,
  symbol: 'BTCUSDT',
  side,
  type: 'market',
  quantity: d(quantity),
  timeInForce: 'ioc',
  reduceOnly,
  ...(leg === undefined ? {} : { leg }),
});

const linearVenue = (): { venue: SimVenue; events: AccountEvent[] } => {
  const e = engine(BYBIT_LINEAR_PROFILE, [bybitLinearInstrument('BTCUSDT')], [market]);
  e.step();
  e.ex.fundAccount('a', 'USDT', d(10_000));
  const venue = makeSimVenue(e.ex, 'a');
  const events: AccountEvent[] = [];
  venue.onAccount((ev) => events.push(ev));
  return { venue, events };
};

describe('SimVenue hedge mode (S0-12)', () => {
  it('S0-12 hedge mode: switches (idempotently), holds both legs with their leg, and keeps TP/SL per leg', async () => {
    const { venue, events } = linearVenue();
    expect(venue.capabilities.hedgeMode).toBe(true);
    await run(venue.setPositionMode('hedge'));
    await run(venue.setPositionMode('hedge'));
    await run(venue.placeOrder(marketOrder('buy', '0.1', 'long')));
    await run(venue.placeOrder(marketOrder('sell', '0.05', 'short')));
    const legs = await run(venue.positions('BTCUSDT'));
    expect(legs.map((p) => [p.leg, p.side, p.quantity.toString()])).toEqual([
      ['long', 'long', '0.1'],
      ['short', 'short', '0.05'],
    ]);
    expect(events.flatMap((e) => (e.type === 'position' ? [[e.position.leg, e.position.side]] : []))).toEqual([
      ['long', 'long'],
      ['short', 'short'],
    ]);
    await run(venue.setProtection({ symbol: 'BTCUSDT', leg: 'long', takeProfit: d(17500), stopLoss: d(16500), trigger: 'last' }));
    await run(venue.setProtection({ symbol: 'BTCUSDT', leg: 'short', takeProfit: d(16000), stopLoss: d(17300), trigger: 'mark' }));
    const long = await run(venue.protectionOf('BTCUSDT', 'long'));
    const short = await run(venue.protectionOf('BTCUSDT', 'short'));
    expect([long.takeProfit?.toString(), long.stopLoss?.toString(), short.takeProfit?.toString(), short.stopLoss?.toString()]).toEqual(['17500', '16500', '16000', '17300']);
    expect((await run(venue.protectionOf('BTCUSDT'))).stopLoss).toBeUndefined();
    // Closing the long leg reduce-only leaves the short leg and its stops.
    await run(venue.placeOrder(marketOrder('sell', '0.1', 'long', true)));
    expect((await run(venue.positions('BTCUSDT'))).map((p) => [p.leg, p.side, p.quantity.toString()])).toEqual([
      ['long', 'flat', '0'],
      ['short', 'short', '0.05'],
    ]);
    expect((await run(venue.protectionOf('BTCUSDT', 'short'))).stopLoss?.toString()).toBe('17300');
    // Switching back with a leg still open is refused, as Bybit's 110024 is (category other).
    expect((await fail(venue.setPositionMode('one_way'))).reason).toMatchObject({ kind: 'rejected', category: 'other' });
  });

  it('S0-12 one-way account: an order with a leg is a parameter rejection; one-way positions have no leg and a short\'s stops read back', async () => {
    const { venue } = linearVenue();
    expect((await fail(venue.placeOrder(marketOrder('buy', '0.1', 'long')))).reason).toMatchObject({ kind: 'rejected', category: 'parameter' });
    await run(venue.setPositionMode('one_way'));
    await run(venue.placeOrder(marketOrder('sell', '0.1')));
    const [p] = await run(venue.positions('BTCUSDT'));
    expect(p !== undefined && 'leg' in p).toBe(false);
    expect(p?.side).toBe('short');
    await run(venue.setProtection({ symbol: 'BTCUSDT', takeProfit: d(16000), stopLoss: d(17500), trigger: 'last' }));
    const protection = await run(venue.protectionOf('BTCUSDT'));
    expect([protection.takeProfit?.toString(), protection.stopLoss?.toString()]).toEqual(['16000', '17500']);
  });

  it('S0-12 an account model without position modes (spot) refuses hedge as a parameter error and accepts one_way', async () => {
    const btc = SPOT_PROFILE.instrument('BTC-USD');
    if (btc === undefined) throw new Error('spot profile lists BTC-USD');
    const venue = makeSimVenue(engine(SPOT_PROFILE, [btc], []).ex, 'a');
    expect((await fail(venue.setPositionMode('hedge'))).reason).toMatchObject({ kind: 'rejected', category: 'parameter' });
    await run(venue.setPositionMode('one_way'));
  });
});
