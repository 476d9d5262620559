/**
 * The adapter against the simulator's Bybit façade on loopback: every port call, the typed outcomes of the reject
 * paths (post-only would-take, reduce-only on flat, duplicate orderLinkId), 429 with Retry-After, and
 * accept-then-timeout (timeout, never rejected; then exactly one order found by client id). Nothing is mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { OrderRequest } from '../../../src/domain/orders.ts';
import type { AccountEvent } from '../../../src/venues/streams.ts';
import type { VenueError } from '../../../src/venues/Venue.ts';
import { START, startSimHarness, type SimHarness } from './simHarness.ts';
import { runStream, type StreamRun } from './wsRunner.ts';
import { fail, run } from '../../support/venueEffects.ts';

let h: SimHarness;
let priv: StreamRun<AccountEvent>;


let seq = 0;
const cid = (tag: string): string => `tw-it-${tag}-${++seq}`;

const bestPrices = (): { bid: Decimal; ask: Decimal } => {
  const book = h.exchange.book('BTCUSDT', 1);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid === undefined || ask === undefined) throw new Error('simulator book is empty');
  return { bid, ask };
};

const limit = (over: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId' | 'side' | 'price'>): OrderRequest => ({
  symbol: 'BTCUSDT',
  type: 'limit',
  quantity: new Decimal('0.010'),
  timeInForce: 'gtc',
  reduceOnly: false,
  ...over,
});

beforeAll(async () => {
  h = await startSimHarness({ requestTimeoutMs: 1500 });
  priv = await runStream(h.venue.streams.private(), () => h.clock.now());
});

afterAll(async () => {
  await priv.close();
  await h.close();
});

describe('Bybit adapter ↔ simulator façade', () => {
  it('instruments, serverTime and orderBook speak the façade', async () => {
    const list = await run(h.venue.instruments());
    const btc = list.find((i) => i.symbol === 'BTCUSDT');
    expect(btc?.tickSize.toString()).toBe('0.1');
    expect(btc?.quantityStep.toString()).toBe('0.001');
    expect(await run(h.venue.serverTime())).toBe(h.clock.now());
    // Adapter and engine share the virtual clock, so the measured offset is ~0 and the gate stays open.
    expect(Math.abs(h.venue.clockOffsetMs())).toBeLessThan(1);
    expect(h.venue.clockGate.isOpen()).toBe(true);
    const book = await run(h.venue.orderBook('BTCUSDT', 50));
    const own = h.exchange.book('BTCUSDT', 50);
    expect(book.updateId).toBe(own.updateId);
    expect(book.bids.map((l) => l.price.toString())).toEqual(own.bids.map(([p]) => p.toString()));
  });

  it('place → openOrders → amend → cancel → orderByClientId, with the private stream confirming', async () => {
    const { bid } = bestPrices();
    const id = cid('life');
    const price = bid.minus(100);
    const ack = await run(h.venue.placeOrder(limit({ clientOrderId: id, side: 'buy', price })));
    expect(ack.clientOrderId).toBe(id);
    expect(ack.venueOrderId).not.toBe('');
    const open = await run(h.venue.openOrders('BTCUSDT'));
    expect(open.filter((o) => o.clientOrderId === id).map((o) => [o.status, o.price?.toString(), o.quantity.toString()])).toEqual([['new', price.toString(), '0.01']]);
    const amended = priv.next((f) => f.kind === 'events' && f.events.some((e) => e.type === 'order' && e.order.clientOrderId === id && e.order.price?.eq(price.minus(50)) === true));
    await run(h.venue.amendOrder({ symbol: 'BTCUSDT', clientOrderId: id, price: price.minus(50) }));
    await amended;
    const cancelled = priv.next((f) => f.kind === 'events' && f.events.some((e) => e.type === 'order' && e.order.clientOrderId === id && e.order.status === 'cancelled'));
    await run(h.venue.cancelOrder('BTCUSDT', id));
    await cancelled;
    const found = await run(h.venue.orderByClientId('BTCUSDT', id));
    expect(found?.status).toBe('cancelled');
    expect(await run(h.venue.orderByClientId('BTCUSDT', 'tw-never-placed'))).toBeUndefined();
    // Cancelling again: the order no longer exists (110001) → not_found, definitive.
    expect((await fail(h.venue.cancelOrder('BTCUSDT', id))).reason.kind).toBe('not_found');
  });

  it('market fill → position, protection with the mark trigger, leverage, executions, balances, cancelAll', async () => {
    const id = cid('mkt');
    const filled = priv.next((f) => f.kind === 'events' && f.events.some((e) => e.type === 'execution' && e.fill.clientOrderId === id));
    await run(h.venue.placeOrder({ clientOrderId: id, symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: new Decimal('0.020'), timeInForce: 'ioc', reduceOnly: false }));
    await filled;
    const [pos] = await run(h.venue.positions('BTCUSDT'));
    expect(pos?.side).toBe('long');
    expect(pos?.quantity.toString()).toBe('0.02');
    const entry = pos?.entryPrice ?? new Decimal(0);
    const tp = entry.plus(1000).toNearest(new Decimal('0.1'));
    const sl = entry.minus(1000).toNearest(new Decimal('0.1'));
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', takeProfit: tp, stopLoss: sl, trigger: 'mark' }));
    const [protectedPos] = await run(h.venue.positions());
    expect([protectedPos?.takeProfit?.toString(), protectedPos?.stopLoss?.toString(), protectedPos?.tpTrigger, protectedPos?.slTrigger]).toEqual([tp.toString(), sl.toString(), 'mark', 'mark']);
    // Setting the same stops again answers 34040 "not modified" at the venue: the position is protected as asked.
    await run(h.venue.setProtection({ symbol: 'BTCUSDT', takeProfit: tp, stopLoss: sl, trigger: 'mark' }));
    await run(h.venue.setLeverage('BTCUSDT', new Decimal('5')));
    await run(h.venue.setLeverage('BTCUSDT', new Decimal('5'))); // 110043 (or 0) is success either way
    expect((await run(h.venue.positions('BTCUSDT')))[0]?.leverage.toString()).toBe('5');
    const fills = await run(h.venue.executionsSince(START));
    expect(fills.filter((f) => f.clientOrderId === id).reduce((s, f) => s.plus(f.quantity), new Decimal(0)).toString()).toBe('0.02');
    expect(fills.map((f) => f.ts)).toEqual([...fills.map((f) => f.ts)].sort((a, b) => a - b));
    const balances = await run(h.venue.balances());
    expect(balances.find((b) => b.asset === 'USDT')?.total.gt(0)).toBe(true);
    const { bid } = bestPrices();
    const a = cid('ca');
    const b = cid('ca');
    await run(h.venue.placeOrder(limit({ clientOrderId: a, side: 'buy', price: bid.minus(200) })));
    await run(h.venue.placeOrder(limit({ clientOrderId: b, side: 'buy', price: bid.minus(300) })));
    const ids = await run(h.venue.cancelAll('BTCUSDT'));
    expect(ids).toEqual(expect.arrayContaining([a, b]));
    expect((await run(h.venue.openOrders('BTCUSDT'))).filter((o) => o.clientOrderId === a || o.clientOrderId === b)).toEqual([]);
    // Flatten so later tests start from a flat position.
    await run(h.venue.placeOrder({ clientOrderId: cid('flat'), symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: new Decimal('0.020'), timeInForce: 'ioc', reduceOnly: true }));
    expect((await run(h.venue.positions('BTCUSDT')))[0]?.side).toBe('flat');
  });

  it('post-only that would take ends cancelled with EC_PostOnlyWillTakeLiquidity (stream and query)', async () => {
    const { ask } = bestPrices();
    const id = cid('po');
    const onStream = priv.next((f) => f.kind === 'events' && f.events.some((e) => e.type === 'order' && e.order.clientOrderId === id && e.order.status === 'cancelled'));
    // The create call itself succeeds: Bybit reports the would-take asynchronously.
    await run(h.venue.placeOrder(limit({ clientOrderId: id, side: 'buy', price: ask.plus(10), timeInForce: 'post_only' })));
    const frame = await onStream;
    const ev = frame.kind === 'events' ? frame.events.find((e) => e.type === 'order' && e.order.clientOrderId === id) : undefined;
    expect(ev?.type === 'order' ? ev.order.rejectReason : undefined).toBe('EC_PostOnlyWillTakeLiquidity');
    const q = await run(h.venue.orderByClientId('BTCUSDT', id));
    expect([q?.status, q?.rejectReason, q?.filledQuantity.toString()]).toEqual(['cancelled', 'EC_PostOnlyWillTakeLiquidity', '0']);
  });

  it('reduce-only on a flat position is rejected as reduce_only_violation', async () => {
    const err = await fail(h.venue.placeOrder({ clientOrderId: cid('ro'), symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: new Decimal('0.010'), timeInForce: 'ioc', reduceOnly: true }));
    expect(err.reason).toMatchObject({ kind: 'rejected', category: 'reduce_only_violation' });
  });

  it('a duplicate orderLinkId is rejected as duplicate_client_id', async () => {
    const { bid } = bestPrices();
    const id = cid('dup');
    await run(h.venue.placeOrder(limit({ clientOrderId: id, side: 'buy', price: bid.minus(400) })));
    const err = await fail(h.venue.placeOrder(limit({ clientOrderId: id, side: 'buy', price: bid.minus(400) })));
    expect(err.reason).toMatchObject({ kind: 'rejected', category: 'duplicate_client_id' });
    await run(h.venue.cancelOrder('BTCUSDT', id));
  });

  it('HTTP 429 with Retry-After becomes rate_limited with retryAfterMs', async () => {
    h.setFaults({ http429Rate: 1, retryAfterSeconds: 3 });
    try {
      const err = await fail(h.venue.positions('BTCUSDT'));
      expect(err.reason).toMatchObject({ kind: 'rate_limited', retryAfterMs: 3000 });
    } finally {
      h.setFaults({});
    }
  });

  it('retCode 10006 with rate-limit headers and HTTP 5xx map to rate_limited and server (unknown), never rejected', async () => {
    h.setFaults({ rateLimitRate: 1 });
    try {
      const err = await fail(h.venue.balances());
      expect(err.reason.kind).toBe('rate_limited');
    } finally {
      h.setFaults({});
    }
    h.setFaults({ http5xxRate: 1 });
    try {
      const err = await fail(h.venue.openOrders('BTCUSDT'));
      expect(err.reason).toMatchObject({ kind: 'server' });
      expect(err.reason.kind === 'server' ? err.reason.status : 0).toBeGreaterThanOrEqual(500);
    } finally {
      h.setFaults({});
    }
  });

  it('X-REC-6 accept-then-timeout: placeOrder fails with timeout (not rejected), then exactly one order is found', async () => {
    const { bid } = bestPrices();
    const id = cid('tmo');
    h.setFaults({ timeoutAfterAcceptRate: 1, timeoutHoldMs: null });
    let err: VenueError;
    try {
      err = await fail(h.venue.placeOrder(limit({ clientOrderId: id, side: 'buy', price: bid.minus(500) })));
    } finally {
      h.setFaults({});
    }
    expect(err.reason).toEqual({ kind: 'timeout', afterMs: 1500 });
    const found = await run(h.venue.orderByClientId('BTCUSDT', id));
    expect(found?.status).toBe('new');
    expect((await run(h.venue.openOrders('BTCUSDT'))).filter((o) => o.clientOrderId === id)).toHaveLength(1);
    await run(h.venue.cancelOrder('BTCUSDT', id));
  });
});
