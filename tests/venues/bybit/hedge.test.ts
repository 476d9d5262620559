/**
 * S0-12 hedge mode end to end: the real adapter against the simulator's Bybit façade on loopback (each test on a fresh
 * engine, account and private stream). Switching the account to hedge mode, a long and a short leg of one symbol at
 * once, TP/SL per leg read back with `protectionOf(symbol, leg)`, a reduce-only close of one leg, the leg on the WS
 * position stream, the typed refusals (a leg on a one-way account, switching with a leg open), and one-way unchanged.
 * Nothing is mocked; waits end on the awaited frame.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { OrderRequest, Position, PositionLeg, Side } from '../../../src/domain/orders.ts';
import type { AccountEvent, StreamFrame } from '../../../src/venues/streams.ts';
import { ACCOUNT, startSimHarness, type SimHarness } from './simHarness.ts';
import { runStream, type StreamRun } from './wsRunner.ts';
import { fail, run } from '../../support/venueEffects.ts';

let h: SimHarness;
let priv: StreamRun<AccountEvent>;


let seq = 0;
const cid = (tag: string): string => `tw-hedge-${tag}-${++seq}`;

const market = (side: Side, quantity: string, leg?: PositionLeg, reduceOnly = false): OrderRequest => ({
  clientOrderId: cid(side),
  symbol: 'BTCUSDT',
  side,
  type: 'market',
  quantity: new Decimal(quantity),
  timeInForce: 'ioc',
  reduceOnly,
  ...(leg === undefined ? {} : { leg }),
});

const bestPrices = (): { bid: Decimal; ask: Decimal } => {
  const book = h.exchange.book('BTCUSDT', 1);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid === undefined || ask === undefined) throw new Error('simulator book is empty');
  return { bid, ask };
};

/** Resolves with the first position event from now on that matches. */
const positionEvent = (match: (p: Position) => boolean): Promise<Position> =>
  priv
    .next((f) => f.kind === 'events' && f.events.some((e) => e.type === 'position' && match(e.position)))
    .then((f: StreamFrame<AccountEvent>) => {
      const e = f.kind === 'events' ? f.events.find((x) => x.type === 'position' && match(x.position)) : undefined;
      if (e?.type !== 'position') throw new Error('no position event');
      return e.position;
    });

const legs = async (symbol?: string): Promise<ReadonlyArray<readonly [PositionLeg | undefined, string, string]>> =>
  (await run(h.venue.positions(symbol))).map((p) => [p.leg, p.side, p.quantity.toString()] as const);

/** Switches to hedge mode and opens a 0.02 long leg and a 0.01 short leg of BTCUSDT. */
const openBothLegs = async (): Promise<void> => {
  await run(h.venue.setPositionMode('hedge'));
  await run(h.venue.placeOrder(market('buy', '0.020', 'long')));
  await run(h.venue.placeOrder(market('sell', '0.010', 'short')));
};

beforeEach(async () => {
  h = await startSimHarness({ requestTimeoutMs: 1500 });
  priv = await runStream(h.venue.streams.private(), () => h.clock.now());
});

afterEach(async () => {
  await priv.close();
  await h.close();
});

describe('Bybit adapter ↔ simulator façade, hedge mode (S0-12)', () => {
  it('S0-12 hedge mode: setPositionMode switches the account, asking again succeeds (110025), and both legs are listed flat', async () => {
    expect(h.venue.capabilities.hedgeMode).toBe(true);
    expect(h.exchange.positionMode(ACCOUNT)).toBe('one_way');
    await run(h.venue.setPositionMode('hedge'));
    expect(h.exchange.positionMode(ACCOUNT)).toBe('hedge');
    await run(h.venue.setPositionMode('hedge'));
    expect(h.exchange.positionMode(ACCOUNT)).toBe('hedge');
    expect(await legs('BTCUSDT')).toEqual([
      ['long', 'flat', '0'],
      ['short', 'flat', '0'],
    ]);
    await run(h.venue.setPositionMode('one_way'));
    await run(h.venue.setPositionMode('one_way'));
    expect(h.exchange.positionMode(ACCOUNT)).toBe('one_way');
  });

  it('S0-12 hedge mode: a long and a short leg of one symbol open at once; positions() and the WS position stream name each leg', async () => {
    await run(h.venue.setPositionMode('hedge'));
    const longEvent = positionEvent((p) => p.leg === 'long' && p.side === 'long');
    const shortEvent = positionEvent((p) => p.leg === 'short' && p.side === 'short');
    await run(h.venue.placeOrder(market('buy', '0.020', 'long')));
    await run(h.venue.placeOrder(market('sell', '0.010', 'short')));
    const [l, s] = await Promise.all([longEvent, shortEvent]);
    expect([l.quantity.toString(), s.quantity.toString()]).toEqual(['0.02', '0.01']);
    expect(await legs('BTCUSDT')).toEqual([
      ['long', 'long', '0.02'],
      ['short', 'short', '0.01'],
    ]);
    // By settle coin (no symbol): only open positions, still one per leg.
    expect(await legs()).toEqual([
      ['long', 'long', '0.02'],
      ['short', 'short', '0.01'],
    ]);
    expect(h.exchange.positions(ACCOUNT, 'BTCUSDT').map((p) => [p.positionSide, p.size.toString()])).toEqual([
      ['long', '0.02'],
      ['short', '-0.01'],
    ]);
  });

  it('S0-12 hedge mode: TP/SL set on each leg independently; protectionOf(symbol, leg) reads each back', async () => {
    await openBothLegs();
    const { bid, ask } = bestPrices();
    const long = { takeProfit: ask.plus(1000), stopLoss: bid.minus(1000) };
    const short = { takeProfit: bid.minus(800), stopLoss: ask.plus(800) };
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', leg: 'long', ...long, trigger: 'mark' }));
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', leg: 'short', ...short, trigger: 'last' }));
    const read = async (leg?: PositionLeg) => {
      const p = await run(h.venue.protectionOf('BTCUSDT', leg));
      return [p.takeProfit?.toString(), p.stopLoss?.toString()];
    };
    expect(await read('long')).toEqual([long.takeProfit.toString(), long.stopLoss.toString()]);
    expect(await read('short')).toEqual([short.takeProfit.toString(), short.stopLoss.toString()]);
    // No leg asks for the one-way position, which a hedge account does not have.
    expect(await read()).toEqual([undefined, undefined]);
    const positions = await run(h.venue.positions('BTCUSDT'));
    expect(positions.map((p) => [p.leg, p.tpTrigger, p.slTrigger])).toEqual([
      ['long', 'mark', 'mark'],
      ['short', 'last', 'last'],
    ]);
    // Moving the long leg's TP leaves the short leg's stops where they were.
    const moved = ask.plus(1500);
    const longMoved = positionEvent((p) => p.leg === 'long' && p.takeProfit?.eq(moved) === true);
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', leg: 'long', takeProfit: moved, stopLoss: long.stopLoss, trigger: 'mark' }));
    expect((await longMoved).stopLoss?.toString()).toBe(long.stopLoss.toString());
    expect(await read('long')).toEqual([moved.toString(), long.stopLoss.toString()]);
    expect(await read('short')).toEqual([short.takeProfit.toString(), short.stopLoss.toString()]);
  });

  it('S0-12 hedge mode: a reduce-only close of the long leg leaves the short leg open with its stops; the stream reports the flat long leg', async () => {
    await openBothLegs();
    const { ask } = bestPrices();
    const stopLoss = ask.plus(900);
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', leg: 'short', takeProfit: undefined, stopLoss, trigger: 'mark' }));
    const longFlat = positionEvent((p) => p.leg === 'long' && p.side === 'flat');
    // A Sell on positionIdx 1 with reduceOnly closes the long leg.
    await run(h.venue.placeOrder(market('sell', '0.020', 'long', true)));
    expect((await longFlat).quantity.toString()).toBe('0');
    expect(await legs('BTCUSDT')).toEqual([
      ['long', 'flat', '0'],
      ['short', 'short', '0.01'],
    ]);
    expect((await run(h.venue.protectionOf('BTCUSDT', 'short'))).stopLoss?.toString()).toBe(stopLoss.toString());
    // Reducing the flat long leg again is a reduce-only violation; the short leg closes with a Buy on positionIdx 2.
    expect((await fail(h.venue.placeOrder(market('sell', '0.010', 'long', true)))).reason).toMatchObject({ kind: 'rejected', category: 'reduce_only_violation' });
    const shortFlat = positionEvent((p) => p.leg === 'short' && p.side === 'flat');
    await run(h.venue.placeOrder(market('buy', '0.010', 'short', true)));
    await shortFlat;
    expect(await legs()).toEqual([]);
  });

  it('S0-12 hedge mode: switching back is refused while a leg is open (110024) or an order rests (110028), and succeeds once flat', async () => {
    await run(h.venue.setPositionMode('hedge'));
    await run(h.venue.placeOrder(market('buy', '0.010', 'long')));
    expect((await fail(h.venue.setPositionMode('one_way'))).reason).toMatchObject({ kind: 'rejected', code: '110024' });
    // The mode the account already has is success even with a leg open.
    await run(h.venue.setPositionMode('hedge'));
    await run(h.venue.placeOrder(market('sell', '0.010', 'long', true)));
    const { bid } = bestPrices();
    const resting = cid('rest');
    await run(h.venue.placeOrder({ ...market('buy', '0.010', 'long'), clientOrderId: resting, type: 'limit', price: bid.minus(500), timeInForce: 'gtc' }));
    expect((await fail(h.venue.setPositionMode('one_way'))).reason).toMatchObject({ kind: 'rejected', code: '110028' });
    await run(h.venue.cancelOrder('BTCUSDT', resting));
    await run(h.venue.setPositionMode('one_way'));
    expect(h.exchange.positionMode(ACCOUNT)).toBe('one_way');
  });

  it('S0-12 hedge mode: an order or a TP/SL without a leg is refused as a parameter error (positionIdx 0 in hedge mode)', async () => {
    await openBothLegs();
    const noLeg = await fail(h.venue.placeOrder(market('buy', '0.010')));
    expect(noLeg.reason).toMatchObject({ kind: 'rejected', code: '10001', category: 'parameter', message: 'params error: position idx not match position mode' });
    const { ask } = bestPrices();
    const noLegStop = await fail(h.venue.setProtection({ symbol: 'BTCUSDT', takeProfit: ask.plus(1000), stopLoss: undefined, trigger: 'last' }));
    expect(noLegStop.reason).toMatchObject({ kind: 'rejected', code: '10001', category: 'parameter' });
    expect(await legs('BTCUSDT')).toEqual([
      ['long', 'long', '0.02'],
      ['short', 'short', '0.01'],
    ]);
  });

  it('S0-12 one-way account: an order or a TP/SL with a leg is rejected as a parameter error; one-way orders, stops and positions work as before', async () => {
    const withLeg = await fail(h.venue.placeOrder(market('buy', '0.010', 'long')));
    expect(withLeg.reason).toMatchObject({ kind: 'rejected', code: '10001', category: 'parameter', message: 'params error: position idx not match position mode' });
    expect(h.exchange.openOrders(ACCOUNT)).toEqual([]);
    const opened = positionEvent((p) => p.side === 'long');
    await run(h.venue.placeOrder(market('buy', '0.020')));
    const streamed = await opened;
    expect('leg' in streamed).toBe(false);
    const [position] = await run(h.venue.positions('BTCUSDT'));
    expect(position !== undefined && 'leg' in position).toBe(false);
    expect([position?.side, position?.quantity.toString()]).toEqual(['long', '0.02']);
    const { bid, ask } = bestPrices();
    const legStop = await fail(h.venue.setProtection({ symbol: 'BTCUSDT', leg: 'long', takeProfit: ask.plus(1000), stopLoss: undefined, trigger: 'last' }));
    expect(legStop.reason).toMatchObject({ kind: 'rejected', code: '10001', category: 'parameter' });
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', takeProfit: ask.plus(1000), stopLoss: bid.minus(1000), trigger: 'last' }));
    const p = await run(h.venue.protectionOf('BTCUSDT'));
    expect([p.takeProfit?.toString(), p.stopLoss?.toString()]).toEqual([ask.plus(1000).toString(), bid.minus(1000).toString()]);
    expect((await run(h.venue.protectionOf('BTCUSDT', 'long'))).takeProfit).toBeUndefined();
    await run(h.venue.placeOrder(market('sell', '0.020', undefined, true)));
    expect(await legs('BTCUSDT')).toEqual([[undefined, 'flat', '0']]);
  });
});
