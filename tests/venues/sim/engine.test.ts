/**
 * Specs of the simulator's matching engine: price-time priority, partial fills, time-in-force semantics (post-only,
 * IOC, FOK), reduce-only, duplicate ids, margin, fees and PnL (hand-computed), TP/SL triggers and book events. The
 * market is scripted tick by tick so every expected number can be worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { Side, TimeInForce } from '../../../src/domain/orders.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { applyFill } from '../../../src/venues/sim/engine/accounts/positions.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import type { SimEvent, SimExchange, SimOrderInput } from '../../../src/venues/sim/engine/types.ts';
import type { MarketFeed, MarketTick } from '../../../src/venues/sim/replay/MarketFeed.ts';

const d = (s: string | number): Decimal => new Decimal(s);
const T0 = 1_670_889_600_000;

interface TickSpec {
  readonly last: string;
  readonly mark?: string;
  readonly bids?: ReadonlyArray<readonly [string, string]>;
  readonly asks?: ReadonlyArray<readonly [string, string]>;
  readonly trades?: ReadonlyArray<readonly [string, string, Side]>;
}

/** A feed that plays the given ticks one second apart. */
const scriptedFeed = (symbol: string, specs: ReadonlyArray<TickSpec>): MarketFeed => {
  const ticks: MarketTick[] = specs.map((s, i) => ({
    symbol,
    ts: T0 + i * 1000,
    lastPrice: d(s.last),
    markPrice: d(s.mark ?? s.last),
    indexPrice: d(s.last),
    trades: (s.trades ?? []).map(([price, size, side]) => ({ price: d(price), size: d(size), side })),
    bids: (s.bids ?? []).map(([p, q]) => [d(p), d(q)] as const),
    asks: (s.asks ?? []).map(([p, q]) => [d(p), d(q)] as const),
    kline: undefined,
  }));
  let i = 0;
  return {
    symbol,
    nextAt: () => ticks[i]?.ts,
    next: () => {
      const t = ticks[i++];
      if (t === undefined) throw new RangeError('exhausted');
      return t;
    },
  };
};

const setup = (specs: ReadonlyArray<TickSpec> = [], fund = '10000', maxOpen?: number): { ex: SimExchange; clock: VirtualClock; events: SimEvent[]; step: () => void } => {
  const clock = new VirtualClock(T0);
  const feeds = specs.length === 0 ? [] : [scriptedFeed('BTCUSDT', specs)];
  const ex = createSimExchange({ clock, instruments: [bybitLinearInstrument('BTCUSDT'), bybitLinearInstrument('ADAUSDT')], feeds, seed: 42, maxOpenOrdersPerSymbol: maxOpen });
  const events: SimEvent[] = [];
  ex.subscribe((e) => events.push(e));
  for (const account of ['a', 'b', 'c', 'd']) ex.fundAccount(account, 'USDT', d(fund));
  const step = (): void => {
    const at = ex.nextEventAt();
    if (at === undefined) throw new Error('no more ticks');
    clock.advanceTo(at);
    ex.advanceTo(at);
  };
  return { ex, clock, events, step };
};

const order = (over: Partial<Omit<SimOrderInput, 'quantity' | 'price'>> & { account: string; side: Side; quantity: string; price?: string; tif?: TimeInForce }): SimOrderInput => ({
  account: over.account,
  symbol: over.symbol ?? 'BTCUSDT',
  side: over.side,
  type: over.type ?? (over.price === undefined ? 'market' : 'limit'),
  quantity: d(over.quantity),
  price: over.price === undefined ? undefined : d(over.price),
  timeInForce: over.tif ?? 'gtc',
  reduceOnly: over.reduceOnly ?? false,
  closeOnTrigger: over.closeOnTrigger ?? false,
  clientOrderId: over.clientOrderId,
});

const placeOk = (ex: SimExchange, input: SimOrderInput) => {
  const r = ex.placeOrder(input);
  if (!r.ok) throw new Error(`placeOrder failed: ${r.code} ${r.message}`);
  return r.value;
};

describe('sim engine matching', () => {
  it('fills the better price first, then the older order at the same price (price-time priority)', () => {
    const { ex } = setup();
    const a = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.01' }));
    const b = placeOk(ex, order({ account: 'b', side: 'buy', price: '17000', quantity: '0.01' }));
    const c = placeOk(ex, order({ account: 'c', side: 'buy', price: '17000.5', quantity: '0.01' }));
    const taker = placeOk(ex, order({ account: 'd', side: 'sell', quantity: '0.025' }));
    const fills = ex.executions('d').map((e) => e.price.toString());
    expect(fills).toEqual(['17000.5', '17000', '17000']);
    expect(ex.getOrder('c', 'BTCUSDT', { orderId: c.orderId })?.status).toBe('filled');
    expect(ex.getOrder('a', 'BTCUSDT', { orderId: a.orderId })?.status).toBe('filled');
    const bAfter = ex.getOrder('b', 'BTCUSDT', { orderId: b.orderId });
    expect(bAfter?.status).toBe('partially_filled');
    expect(bAfter?.filledQuantity.toString()).toBe('0.005');
    expect(ex.getOrder('d', 'BTCUSDT', { orderId: taker.orderId })?.status).toBe('filled');
    expect(ex.book('BTCUSDT', 5).bids.map(([p, q]) => [p.toString(), q.toString()])).toEqual([['17000', '0.005']]);
  });

  it('X-BT-5 walks synthetic levels (slippage) and reports a partial fill per level with an average price', () => {
    const { ex, step } = setup([{ last: '17000', bids: [['16999.9', '1']], asks: [['17000.1', '0.05'], ['17000.2', '0.05'], ['17000.3', '1']] }]);
    step();
    const o = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000.2', quantity: '0.2' }));
    expect(o.status).toBe('partially_filled');
    expect(o.filledQuantity.toString()).toBe('0.1');
    expect(o.averagePrice?.toString()).toBe('17000.15');
    expect(ex.executions('a').map((e) => [e.price.toString(), e.quantity.toString(), e.isMaker])).toEqual([
      ['17000.1', '0.05', false],
      ['17000.2', '0.05', false],
    ]);
    // The rest (0.1) rests at 17000.2 as the new best bid; the book stays uncrossed.
    const book = ex.book('BTCUSDT', 1);
    expect(book.bids[0]?.[0].toString()).toBe('17000.2');
    expect(book.bids[0]?.[1].toString()).toBe('0.1');
    expect(book.asks[0]?.[0].toString()).toBe('17000.3');
  });

  it('accepts a post-only order that would take, then cancels it with EC_PostOnlyWillTakeLiquidity', () => {
    const { ex, events, step } = setup([{ last: '17000', bids: [['16999.9', '1']], asks: [['17000.1', '1']] }]);
    step();
    events.length = 0;
    const r = ex.placeOrder(order({ account: 'a', side: 'buy', price: '17000.1', quantity: '0.01', tif: 'post_only', clientOrderId: 'po-1' }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.status).toBe('cancelled');
    expect(r.value.rejectReason).toBe('EC_PostOnlyWillTakeLiquidity');
    const orderEvents = events.flatMap((e) => (e.type === 'order' ? [e.order.status] : []));
    // The stream reports it once, as Cancelled: it never rested, so it is never shown as New.
    expect(orderEvents).toEqual(['cancelled']);
    expect(events.some((e) => e.type === 'execution')).toBe(false);
    expect(ex.openOrders('a')).toHaveLength(0);
    // One tick below the ask it rests as maker.
    const rests = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.01', tif: 'post_only' }));
    expect(rests.status).toBe('new');
    expect(ex.openOrders('a').map((o) => o.orderId)).toEqual([rests.orderId]);
  });

  it('fills what it can of an IOC order and cancels the rest; a FOK order fills fully or not at all', () => {
    const { ex, step } = setup([{ last: '17000', bids: [['16999.9', '1']], asks: [['17000.1', '0.05'], ['17000.2', '0.05'], ['17000.5', '5']] }]);
    step();
    const ioc = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000.2', quantity: '0.2', tif: 'ioc' }));
    expect(ioc.status).toBe('cancelled');
    expect(ioc.filledQuantity.toString()).toBe('0.1');
    expect(ex.openOrders('a')).toHaveLength(0);
    const fokMiss = placeOk(ex, order({ account: 'b', side: 'buy', price: '17000.4', quantity: '0.2', tif: 'fok' }));
    expect(fokMiss.status).toBe('cancelled');
    expect(fokMiss.filledQuantity.isZero()).toBe(true);
    expect(fokMiss.rejectReason).toBe('EC_NoEnoughQtyToFill');
    expect(ex.executions('b')).toHaveLength(0);
    const fokHit = placeOk(ex, order({ account: 'b', side: 'buy', price: '17000.5', quantity: '0.2', tif: 'fok' }));
    expect(fokHit.status).toBe('filled');
    expect(fokHit.filledQuantity.toString()).toBe('0.2');
  });

  it('fills a resting order from replayed trades: at its price up to the trade size, through its price in full', () => {
    const { ex, step } = setup([
      { last: '17001', bids: [['17000.9', '1']], asks: [['17001.1', '1']] },
      { last: '17000', trades: [['17000', '0.2', 'sell']], bids: [['16999.9', '1']], asks: [['17000.1', '1']] },
      { last: '16999', trades: [['16999', '0.01', 'sell']], bids: [['16998.9', '1']], asks: [['16999.1', '1']] },
    ]);
    step();
    const o = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.5', tif: 'post_only' }));
    step();
    const partial = ex.getOrder('a', 'BTCUSDT', { orderId: o.orderId });
    expect(partial?.status).toBe('partially_filled');
    expect(partial?.filledQuantity.toString()).toBe('0.2');
    step();
    const done = ex.getOrder('a', 'BTCUSDT', { orderId: o.orderId });
    expect(done?.status).toBe('filled');
    expect(ex.executions('a').every((e) => e.isMaker && e.price.eq(17000))).toBe(true);
    expect(ex.positions('a', 'BTCUSDT')[0]?.size.toString()).toBe('0.5');
  });
});

describe('sim engine order checks', () => {
  it('rejects reduce-only on a flat position or one it would increase, and caps it to the position', () => {
    const { ex, step } = setup([{ last: '17000', bids: [['16999.9', '5']], asks: [['17000.1', '5']] }]);
    step();
    const flat = ex.placeOrder(order({ account: 'a', side: 'sell', quantity: '0.01', reduceOnly: true }));
    expect(flat).toMatchObject({ ok: false, code: 'reduce_only_no_position' });
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    const increase = ex.placeOrder(order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01', reduceOnly: true }));
    expect(increase).toMatchObject({ ok: false, code: 'reduce_only_no_position' });
    const capped = placeOk(ex, order({ account: 'a', side: 'sell', price: '18000', quantity: '0.5', reduceOnly: true }));
    expect(capped.quantity.toString()).toBe('0.1');
    // Closing the position some other way cancels the now-pointless reduce-only order.
    placeOk(ex, order({ account: 'a', side: 'sell', quantity: '0.1' }));
    const after = ex.getOrder('a', 'BTCUSDT', { orderId: capped.orderId });
    expect(after?.status).toBe('cancelled');
    expect(after?.cancelType).toBe('CancelByReduceOnly');
  });

  it('rejects a duplicate clientOrderId within one account only', () => {
    const { ex } = setup();
    placeOk(ex, order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01', clientOrderId: 'cid-1' }));
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '16001', quantity: '0.01', clientOrderId: 'cid-1' }))).toMatchObject({ ok: false, code: 'duplicate_client_id' });
    expect(ex.placeOrder(order({ account: 'b', side: 'buy', price: '16001', quantity: '0.01', clientOrderId: 'cid-1' })).ok).toBe(true);
    // Still a duplicate after the first one is cancelled: ids are unique over the account's history.
    expect(ex.cancelOrder('a', 'BTCUSDT', { clientOrderId: 'cid-1' }).ok).toBe(true);
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '16001', quantity: '0.01', clientOrderId: 'cid-1' }))).toMatchObject({ ok: false, code: 'duplicate_client_id' });
  });

  it('checks initial margin (notional / leverage) against the available balance, open orders included', () => {
    const { ex } = setup([], '100');
    // 0.1 × 17000 / 10 = 170 > 100.
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '17000', quantity: '0.1' }))).toMatchObject({ ok: false, code: 'insufficient_margin' });
    // 0.05 × 17000 / 10 = 85 ≤ 100, then another 0.01 (17) would need 102.
    placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.05' }));
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '17000', quantity: '0.01' }))).toMatchObject({ ok: false, code: 'insufficient_margin' });
    // Raising leverage to 20 halves the margin: 42.5 + 8.5 ≤ 100.
    expect(ex.setLeverage('a', 'BTCUSDT', d(20)).ok).toBe(true);
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '17000', quantity: '0.01' })).ok).toBe(true);
    expect(ex.setLeverage('a', 'BTCUSDT', d(20))).toMatchObject({ ok: false, code: 'not_modified' });
    expect(ex.setLeverage('a', 'BTCUSDT', d(101))).toMatchObject({ ok: false, code: 'invalid_request' });
    // Back to 1x the two orders would need 1020.
    expect(ex.setLeverage('a', 'BTCUSDT', d(1))).toMatchObject({ ok: false, code: 'insufficient_margin' });
  });

  it('validates quantity, price and notional against the instrument', () => {
    const { ex } = setup();
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '17000', quantity: '0.0005' }))).toMatchObject({ ok: false, code: 'qty_invalid' });
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '17000.05', quantity: '0.001' }))).toMatchObject({ ok: false, code: 'price_invalid' });
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '1000', quantity: '0.001' }))).toMatchObject({ ok: false, code: 'min_notional' });
    expect(ex.placeOrder(order({ account: 'a', symbol: 'ETHUSDT', side: 'buy', price: '1000', quantity: '1' }))).toMatchObject({ ok: false, code: 'unknown_symbol' });
  });

  it('amends price and quantity, refuses a no-op amend, and cancels by either id', () => {
    const { ex } = setup();
    const first = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.01', clientOrderId: 'a-1' }));
    const second = placeOk(ex, order({ account: 'b', side: 'buy', price: '17000', quantity: '0.01' }));
    expect(ex.amendOrder('a', 'BTCUSDT', { clientOrderId: 'a-1' }, { price: d(17000) })).toMatchObject({ ok: false, code: 'not_modified' });
    // Re-pricing sends the order to the back of the queue at the new price.
    const moved = ex.amendOrder('a', 'BTCUSDT', { orderId: first.orderId }, { price: d('16999.9') });
    expect(moved.ok && moved.value.price?.toString()).toBe('16999.9');
    const back = ex.amendOrder('a', 'BTCUSDT', { orderId: first.orderId }, { price: d(17000), quantity: d('0.02') });
    expect(back.ok && back.value.quantity.toString()).toBe('0.02');
    placeOk(ex, order({ account: 'c', side: 'sell', quantity: '0.01' }));
    expect(ex.getOrder('b', 'BTCUSDT', { orderId: second.orderId })?.status).toBe('filled');
    expect(ex.getOrder('a', 'BTCUSDT', { orderId: first.orderId })?.status).toBe('new');
    expect(ex.cancelOrder('a', 'BTCUSDT', { clientOrderId: 'a-1' })).toMatchObject({ ok: true, value: { status: 'cancelled', cancelType: 'CancelByUser' } });
    expect(ex.cancelOrder('a', 'BTCUSDT', { orderId: first.orderId })).toMatchObject({ ok: false, code: 'order_not_found' });
    expect(ex.amendOrder('a', 'BTCUSDT', { orderId: first.orderId }, { price: d(16000) })).toMatchObject({ ok: false, code: 'order_not_found' });
  });

  it('cancels all open orders of an account, optionally per symbol', () => {
    const { ex } = setup();
    placeOk(ex, order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01' }));
    placeOk(ex, order({ account: 'a', side: 'sell', price: '18000', quantity: '0.01' }));
    placeOk(ex, order({ account: 'a', symbol: 'ADAUSDT', side: 'buy', price: '0.3', quantity: '100' }));
    placeOk(ex, order({ account: 'b', side: 'buy', price: '16000', quantity: '0.01' }));
    expect(ex.cancelAll('a', 'BTCUSDT').map((o) => o.status)).toEqual(['cancelled', 'cancelled']);
    expect(ex.openOrders('a').map((o) => o.symbol)).toEqual(['ADAUSDT']);
    expect(ex.cancelAll('a')).toHaveLength(1);
    expect(ex.openOrders('b')).toHaveLength(1);
  });
});

describe('sim engine edge cases', () => {
  it('cancels a market order that finds no liquidity and refuses a sixth open order when the limit is five', () => {
    const { ex } = setup([], '10000', 5);
    const m = placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.01' }));
    expect(m).toMatchObject({ status: 'cancelled', rejectReason: 'EC_NoImmediateQtyToFill' });
    for (let i = 0; i < 5; i++) placeOk(ex, order({ account: 'a', side: 'buy', price: String(16000 + i), quantity: '0.01' }));
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '16010', quantity: '0.01' }))).toMatchObject({ ok: false, code: 'too_many_orders' });
    expect(ex.placeOrder(order({ account: 'b', side: 'buy', price: '16010', quantity: '0.01' })).ok).toBe(true);
  });

  it('X-RSK-5 refuses new orders while the instrument is halted but still cancels', () => {
    const { ex } = setup();
    const resting = placeOk(ex, order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01' }));
    expect(ex.setInstrumentStatus?.('BTCUSDT', 'halted')).toMatchObject({ ok: true, value: { status: 'halted' } });
    expect(ex.instruments.find((i) => i.symbol === 'BTCUSDT')?.status).toBe('halted');
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01' }))).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(ex.cancelOrder('a', 'BTCUSDT', { orderId: resting.orderId }).ok).toBe(true);
    expect(ex.setInstrumentStatus?.('BTCUSDT', 'halted')).toMatchObject({ ok: false, code: 'not_modified' });
    expect(ex.setInstrumentStatus?.('BTCUSDT', 'trading')?.ok).toBe(true);
    expect(ex.placeOrder(order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01' })).ok).toBe(true);
  });

  it('cancels a post-only order re-priced through the spread by an amend', () => {
    const { ex, step } = setup([{ last: '17000', bids: [['16999.9', '1']], asks: [['17000.1', '1']] }]);
    step();
    const o = placeOk(ex, order({ account: 'a', side: 'buy', price: '16999', quantity: '0.01', tif: 'post_only' }));
    const amended = ex.amendOrder('a', 'BTCUSDT', { orderId: o.orderId }, { price: d('17000.1') });
    expect(amended).toMatchObject({ ok: true, value: { status: 'cancelled', rejectReason: 'EC_PostOnlyWillTakeLiquidity' } });
    expect(ex.executions('a')).toHaveLength(0);
  });

  it('closes the whole position with a zero-quantity reduce-only close-on-trigger order', () => {
    const { ex, step } = setup([{ last: '17000', bids: [['16999.9', '5']], asks: [['17000.1', '5']] }]);
    step();
    placeOk(ex, order({ account: 'a', side: 'sell', quantity: '0.123' }));
    const close = placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0', reduceOnly: true, closeOnTrigger: true }));
    expect(close.quantity.toString()).toBe('0.123');
    expect(close.status).toBe('filled');
    expect(ex.positions('a', 'BTCUSDT')[0]?.size.isZero()).toBe(true);
    expect(ex.positions('a')).toHaveLength(0);
  });

  it('holds no order margin for the part of an order that reduces the position', () => {
    const { ex, step } = setup([{ last: '17000', bids: [['17000', '5']], asks: [['17000.1', '5']] }]);
    step();
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    const before = ex.wallet('a')[0]?.availableBalance;
    placeOk(ex, order({ account: 'a', side: 'sell', price: '18000', quantity: '0.1' }));
    expect(ex.wallet('a')[0]?.availableBalance.toString()).toBe(before?.toString());
    // 0.05 beyond the position at 18000 with 10x: 90 more margin.
    placeOk(ex, order({ account: 'a', side: 'sell', price: '18000', quantity: '0.05' }));
    expect(before?.minus(ex.wallet('a')[0]?.availableBalance ?? 0).toString()).toBe('90');
  });

  it('keeps open orders in acceptance order after partial fills and reports cancelled-after-partial', () => {
    const { ex } = setup();
    const first = placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.02' }));
    const second = placeOk(ex, order({ account: 'a', side: 'buy', price: '16000', quantity: '0.01' }));
    placeOk(ex, order({ account: 'b', side: 'sell', quantity: '0.01' }));
    expect(ex.openOrders('a').map((o) => o.orderId)).toEqual([first.orderId, second.orderId]);
    const cancelled = ex.cancelOrder('a', 'BTCUSDT', { orderId: first.orderId });
    expect(cancelled).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    expect(cancelled.ok && cancelled.value.filledQuantity.toString()).toBe('0.01');
  });

  it('averages, realises and flips a one-way position through zero', () => {
    const add = applyFill(d('0.1'), d(100), 'buy', d('0.3'), d(104));
    expect([add.size.toString(), add.entryPrice.toString(), add.realised.toString()]).toEqual(['0.4', '103', '0']);
    const flip = applyFill(d('0.4'), d(103), 'sell', d('0.5'), d(110));
    expect([flip.size.toString(), flip.entryPrice.toString(), flip.realised.toString()]).toEqual(['-0.1', '110', '2.8']);
    const shortClose = applyFill(d('-0.1'), d(110), 'buy', d('0.1'), d(100));
    expect([shortClose.size.toString(), shortClose.entryPrice.toString(), shortClose.realised.toString()]).toEqual(['0', '0', '1']);
  });
});

describe('sim engine accounting', () => {
  it('X-BT-5 charges taker fees and realises PnL on open and close (hand-computed)', () => {
    const { ex, step } = setup([
      { last: '17000', bids: [['16999.9', '1']], asks: [['17000', '1']] },
      { last: '17100', bids: [['17100', '1']], asks: [['17100.1', '1']] },
    ]);
    step();
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    // Open: 0.1 × 17000 = 1700 notional; taker fee 1700 × 0.00055 = 0.935.
    let [w] = ex.wallet('a');
    expect(w?.walletBalance.toString()).toBe('9999.065');
    const pos = ex.positions('a', 'BTCUSDT')[0];
    expect(pos?.entryPrice.toString()).toBe('17000');
    expect(pos?.positionIM.toString()).toBe('170');
    step();
    // Mark 17100: unrealised (17100 − 17000) × 0.1 = 10.
    expect(ex.positions('a', 'BTCUSDT')[0]?.unrealisedPnl.toString()).toBe('10');
    placeOk(ex, order({ account: 'a', side: 'sell', quantity: '0.1', reduceOnly: true }));
    // Close: realised 10; fee 1710 × 0.00055 = 0.9405; balance 10000 − 0.935 + 10 − 0.9405.
    [w] = ex.wallet('a');
    expect(w?.walletBalance.toString()).toBe('10008.1245');
    expect(w?.cumRealisedPnl.toString()).toBe('8.1245');
    const closed = ex.positions('a', 'BTCUSDT')[0];
    expect(closed?.size.isZero()).toBe(true);
    expect(closed?.cumRealisedPnl.toString()).toBe('8.1245');
    expect(ex.executions('a').map((e) => e.fee.toString())).toEqual(['0.935', '0.9405']);
  });

  it('X-BT-5 charges maker fees on passive fills and averages the entry price of a short', () => {
    const { ex, step } = setup([
      { last: '17000', bids: [['16999.9', '1']], asks: [['17000.1', '1']] },
      { last: '17010', trades: [['17010', '1', 'buy']], bids: [['17009.9', '1']], asks: [['17010.1', '1']] },
      { last: '16990', bids: [['16989.9', '1']], asks: [['16990', '1']] },
    ]);
    step();
    placeOk(ex, order({ account: 'a', side: 'sell', price: '17005', quantity: '0.1', tif: 'post_only' }));
    placeOk(ex, order({ account: 'a', side: 'sell', price: '17010', quantity: '0.1', tif: 'post_only' }));
    step();
    // Both fill as maker at their own prices: fees 1700.5 × 0.0002 = 0.3401 and 1701 × 0.0002 = 0.3402.
    expect(ex.executions('a').map((e) => [e.price.toString(), e.fee.toString(), e.isMaker])).toEqual([
      ['17005', '0.3401', true],
      ['17010', '0.3402', true],
    ]);
    const short = ex.positions('a', 'BTCUSDT')[0];
    expect(short?.size.toString()).toBe('-0.2');
    expect(short?.entryPrice.toString()).toBe('17007.5');
    step();
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.2', reduceOnly: true }));
    // Cover at 16990: realised (17007.5 − 16990) × 0.2 = 3.5; taker fee 3398 × 0.00055 = 1.8689.
    const [w] = ex.wallet('a');
    expect(w?.walletBalance.toString()).toBe(d(10000).minus('0.3401').minus('0.3402').plus('3.5').minus('1.8689').toString());
    expect(w?.walletBalance.toString()).toBe('10000.9508');
  });
});

describe('sim engine TP/SL', () => {
  const market = (last: string, mark: string): TickSpec => ({
    last,
    mark,
    bids: [[d(last).minus('0.1').toString(), '5']],
    asks: [[d(last).plus('0.1').toString(), '5']],
  });

  it('fires a mark-price take-profit only when the mark crosses, closing reduce-only and clearing the stops', () => {
    const { ex, events, step } = setup([market('17000', '17000'), market('17150', '17050'), market('17150', '17100')]);
    step();
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    const set = ex.setTradingStop('a', 'BTCUSDT', { takeProfit: d(17100), stopLoss: d(16900), tpTrigger: 'mark', slTrigger: 'last' });
    expect(set.ok).toBe(true);
    step();
    // Last is above the TP but the mark (17050) is not: nothing fires.
    expect(ex.positions('a', 'BTCUSDT')[0]?.size.toString()).toBe('0.1');
    events.length = 0;
    step();
    const closing = ex.orderHistory('a').at(-1);
    expect(closing?.stopOrderType).toBe('TakeProfit');
    expect(closing?.reduceOnly).toBe(true);
    expect(closing?.closeOnTrigger).toBe(true);
    expect(closing?.status).toBe('filled');
    expect(closing?.averagePrice?.toString()).toBe('17149.9');
    const pos = ex.positions('a', 'BTCUSDT')[0];
    expect(pos?.size.isZero()).toBe(true);
    expect(pos?.takeProfit).toBeUndefined();
    expect(pos?.stopLoss).toBeUndefined();
    expect(events.filter((e) => e.type === 'execution')).toHaveLength(1);
  });

  it('fires a last-price stop-loss on a short when the last price crosses even though the mark has not', () => {
    const { ex, step } = setup([market('17000', '17000'), market('17100', '17040'), market('17000', '17000')]);
    step();
    placeOk(ex, order({ account: 'a', side: 'sell', quantity: '0.1' }));
    expect(ex.setTradingStop('a', 'BTCUSDT', { stopLoss: d(17050), slTrigger: 'last' }).ok).toBe(true);
    step();
    const closing = ex.orderHistory('a').at(-1);
    expect(closing?.stopOrderType).toBe('StopLoss');
    expect(closing?.side).toBe('buy');
    expect(ex.positions('a', 'BTCUSDT')[0]?.size.isZero()).toBe(true);
    step();
    expect(ex.orderHistory('a')).toHaveLength(2);
  });

  it('keeps an unset side, clears a side set to zero, refuses a crossed stop, and drops stops when flat', () => {
    const { ex, step } = setup([market('17000', '17000')]);
    step();
    expect(ex.setTradingStop('a', 'BTCUSDT', { takeProfit: d(17100) })).toMatchObject({ ok: false, code: 'invalid_request' });
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    expect(ex.setTradingStop('a', 'BTCUSDT', { takeProfit: d(17100), stopLoss: d(16900) }).ok).toBe(true);
    const onlySl = ex.setTradingStop('a', 'BTCUSDT', { stopLoss: d(16950) });
    expect(onlySl.ok && [onlySl.value.takeProfit?.toString(), onlySl.value.stopLoss?.toString()]).toEqual(['17100', '16950']);
    const cleared = ex.setTradingStop('a', 'BTCUSDT', { takeProfit: d(0) });
    expect(cleared.ok && [cleared.value.takeProfit, cleared.value.stopLoss?.toString()]).toEqual([undefined, '16950']);
    expect(ex.setTradingStop('a', 'BTCUSDT', { stopLoss: d(16950) })).toMatchObject({ ok: false, code: 'not_modified' });
    expect(ex.setTradingStop('a', 'BTCUSDT', { takeProfit: d(16990) })).toMatchObject({ ok: false, code: 'price_invalid' });
    placeOk(ex, order({ account: 'a', side: 'sell', quantity: '0.1', reduceOnly: true }));
    expect(ex.positions('a', 'BTCUSDT')[0]?.stopLoss).toBeUndefined();
    // A flip to short drops the long's stops too.
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    expect(ex.setTradingStop('a', 'BTCUSDT', { stopLoss: d(16900) }).ok).toBe(true);
    placeOk(ex, order({ account: 'a', side: 'sell', quantity: '0.3' }));
    const flipped = ex.positions('a', 'BTCUSDT')[0];
    expect([flipped?.size.toString(), flipped?.stopLoss]).toEqual(['-0.2', undefined]);
  });
});

describe('sim engine replay loop', () => {
  it('processes ticks of several feeds in time order (first feed on ties) and reports when the data ends', () => {
    const clock = new VirtualClock(T0);
    const mk = (symbol: string, times: ReadonlyArray<number>, price: string): MarketFeed => {
      let i = 0;
      const tick = (ts: number): MarketTick => ({ symbol, ts, lastPrice: d(price), markPrice: d(price), indexPrice: d(price), trades: [], bids: [], asks: [], kline: undefined });
      return { symbol, nextAt: () => times[i], next: () => tick(times[i++] ?? Number.NaN) };
    };
    const ex = createSimExchange({
      clock,
      instruments: [bybitLinearInstrument('BTCUSDT'), bybitLinearInstrument('ADAUSDT')],
      feeds: [mk('BTCUSDT', [T0 + 10, T0 + 30], '17000'), mk('ADAUSDT', [T0, T0 + 10, T0 + 40], '0.3')],
      seed: 1,
    });
    const seen: string[] = [];
    ex.subscribe((e) => {
      if (e.type === 'ticker') seen.push(`${e.ticker.symbol}@${e.ticker.ts - T0}`);
    });
    expect(ex.nextEventAt()).toBe(T0);
    expect(ex.advanceTo(T0 + 30)).toBe(true);
    expect(seen).toEqual(['ADAUSDT@0', 'BTCUSDT@10', 'ADAUSDT@10', 'BTCUSDT@30']);
    expect(ex.nextEventAt()).toBe(T0 + 40);
    expect(ex.advanceTo(T0 + 100)).toBe(false);
    expect(ex.nextEventAt()).toBeUndefined();
    expect(ex.ticker('ADAUSDT').lastPrice.toString()).toBe('0.3');
  });

  it('refuses a feed for a symbol it does not list', () => {
    const feed: MarketFeed = { symbol: 'ETHUSDT', nextAt: () => undefined, next: () => { throw new RangeError('empty'); } };
    expect(() => createSimExchange({ clock: new VirtualClock(T0), instruments: [bybitLinearInstrument('BTCUSDT')], feeds: [feed], seed: 1 })).toThrow(/unknown symbol/);
  });
});

describe('sim engine events', () => {
  it('finishes a state change even when a subscriber throws, and hands the error to onListenerError', () => {
    const clock = new VirtualClock(T0);
    const errors: string[] = [];
    const ex = createSimExchange({ clock, instruments: [bybitLinearInstrument('BTCUSDT')], feeds: [], seed: 1, onListenerError: (e, ev) => errors.push(`${String(e)}:${ev.type}`) });
    ex.subscribe((e) => {
      if (e.type === 'execution') throw new Error('boom');
    });
    ex.fundAccount('a', 'USDT', d(10000));
    ex.fundAccount('b', 'USDT', d(10000));
    placeOk(ex, order({ account: 'a', side: 'buy', price: '17000', quantity: '0.02' }));
    const taker = placeOk(ex, order({ account: 'b', side: 'sell', price: '16999', quantity: '0.03' }));
    // The sweep went on after the first listener error: the taker filled 0.02 and rests the remaining 0.01.
    expect(taker.status).toBe('partially_filled');
    expect(ex.openOrders('b').map((o) => o.quantity.minus(o.filledQuantity).toString())).toEqual(['0.01']);
    expect(errors).toEqual(['Error: boom:execution', 'Error: boom:execution']);
  });

  it('publishes a book snapshot first, then deltas with updateId +1 each, and private events per fill', () => {
    const { ex, events, step } = setup([
      { last: '17000', bids: [['16999.9', '1']], asks: [['17000.1', '1']] },
      { last: '17001', bids: [['17000.9', '1']], asks: [['17001.1', '1']] },
    ]);
    step();
    step();
    placeOk(ex, order({ account: 'a', side: 'buy', quantity: '0.1' }));
    const books = events.flatMap((e) => (e.type === 'book' ? [e] : []));
    expect(books[0]?.kind).toBe('snapshot');
    expect(books.slice(1).every((b) => b.kind === 'delta')).toBe(true);
    expect(books.map((b) => b.updateId)).toEqual(books.map((_, i) => i + 1));
    // The second tick removes the old levels (size 0) and adds the new ones.
    expect(books[1]?.bids.map(([p, q]) => [p.toString(), q.toString()])).toEqual([['17000.9', '1'], ['16999.9', '0']]);
    const privateTypes = events.slice(events.findIndex((e) => e.type === 'order')).map((e) => e.type);
    expect(privateTypes).toEqual(['order', 'trade', 'execution', 'order', 'position', 'wallet', 'book']);
  });
});
