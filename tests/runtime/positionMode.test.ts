/**
 * The account's position mode at start-up (S0-12): a hedging profile's account is put in hedge mode, a restart with
 * hedged legs open starts, and a venue that cannot or will not (one-way positions open, no position modes) refuses
 * the start with a readable reason. Against the in-process simulator venue (real engine, real accounts).
 */
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import type { OrderRequest, PositionLeg, Side } from '../../src/domain/orders.ts';
import { ensurePositionMode, PositionModeError } from '../../src/runtime/positionMode.ts';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../src/venues/sim/bybit/profile.ts';
import { SPOT_PROFILE } from '../../src/venues/sim/engine/profiles.ts';
import { makeSimVenue, type SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { d, engine } from '../venues/sim/engineSupport.ts';

const market = { last: '17000', bids: [['16999.9', '5']], asks: [['17000', '5']] } as const;
let seq = 0;
const order = (side: Side, leg?: PositionLeg): OrderRequest => ({
  clientOrderId: `pm-${++seq}`, symbol: 'BTCUSDT', side, type: 'market', quantity: d('0.1'), timeInForce: 'ioc', reduceOnly: false, ...(leg === undefined ? {} : { leg }),
});
const linearVenue = (): SimVenue => {
  const e = engine(BYBIT_LINEAR_PROFILE, [bybitLinearInstrument('BTCUSDT')], [market]);
  e.step();
  e.ex.fundAccount('a', 'USDT', d(10_000));
  return makeSimVenue(e.ex, 'a');
};
const refusal = async (p: Promise<void>): Promise<PositionModeError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof PositionModeError) return e;
    throw e;
  }
  throw new Error('expected the start to be refused');
};

describe('the position mode at start-up (S0-12)', () => {
  it('S0-12 a hedging profile puts the account in hedge mode; a one-way profile leaves it alone', async () => {
    const venue = linearVenue();
    await ensurePositionMode(venue, false);
    await Effect.runPromise(venue.placeOrder(order('buy')));
    expect((await Effect.runPromise(venue.positions('BTCUSDT')))[0]?.leg).toBeUndefined();
    const fresh = linearVenue();
    await ensurePositionMode(fresh, true);
    await Effect.runPromise(fresh.placeOrder(order('buy', 'long')));
    await Effect.runPromise(fresh.placeOrder(order('sell', 'short')));
    expect((await Effect.runPromise(fresh.positions('BTCUSDT'))).map((p) => [p.leg, p.side])).toEqual([['long', 'long'], ['short', 'short']]);
  });

  it('S0-12 a restart with hedged legs open starts (the venue already runs hedge mode)', async () => {
    const venue = linearVenue();
    await ensurePositionMode(venue, true);
    await Effect.runPromise(venue.placeOrder(order('buy', 'long')));
    await Effect.runPromise(venue.placeOrder(order('sell', 'short')));
    await ensurePositionMode(venue, true);
  });

  it('S0-12 one-way positions open: the start is refused, naming the venue\'s reason and what to do', async () => {
    const venue = linearVenue();
    await Effect.runPromise(venue.placeOrder(order('buy')));
    const e = await refusal(ensurePositionMode(venue, true));
    expect(e.message).toMatch(/would not switch the account to hedge mode .*close one-way positions and orders first, or disable execution\.hedge/);
  });

  it('S0-12 a venue without position modes refuses the start', async () => {
    const btc = SPOT_PROFILE.instrument('BTC-USD');
    if (btc === undefined) throw new Error('spot profile lists BTC-USD');
    const venue = makeSimVenue(engine(SPOT_PROFILE, [btc], []).ex, 'a');
    const e = await refusal(ensurePositionMode(venue, true));
    expect(e.message).toContain('execution.hedge.enabled');
  });
});
