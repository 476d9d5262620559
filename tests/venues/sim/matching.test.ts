/**
 * Specs of `Matching` on its own (with a real context, book and linear-perp account model): price-time priority,
 * crossing and resting, the post-only and FOK checks, amends that keep or lose queue priority, the trade-through
 * queue model for replayed trades, and book publication (snapshot, then deltas).
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { Side, TimeInForce } from '../../../src/domain/orders.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { BYBIT_LINEAR_PROFILE, bybitLinearInstrument } from '../../../src/venues/sim/bybit/profile.ts';
import { LinearPerpAccounts } from '../../../src/venues/sim/engine/accounts/LinearPerpAccounts.ts';
import type { AccountState, OrderState } from '../../../src/venues/sim/engine/accounts/ledger.ts';
import { EngineContext, type SymbolState } from '../../../src/venues/sim/engine/EngineContext.ts';
import { Matching } from '../../../src/venues/sim/engine/Matching.ts';
import type { SimEvent } from '../../../src/venues/sim/engine/types.ts';
import { d } from './engineSupport.ts';

const T0 = 1_670_889_600_000;

const setup = () => {
  const clock = new VirtualClock(T0);
  const ctx = new EngineContext({
    clock,
    seed: 3,
    profile: BYBIT_LINEAR_PROFILE,
    settings: { makerFeeRate: d('0.0002'), takerFeeRate: d('0.00055'), maxOpenOrdersPerSymbol: 500, defaultLeverage: d(10), settleDecimals: 8 },
    instruments: [bybitLinearInstrument('BTCUSDT'), bybitLinearInstrument('ADAUSDT')],
    onListenerError: (e) => {
      throw e;
    },
  });
  const model = new LinearPerpAccounts(ctx);
  const matching = new Matching(ctx, model);
  const events: SimEvent[] = [];
  ctx.subscribe((e) => events.push(e));
  const sym = ctx.symbols.get('BTCUSDT') as SymbolState;
  const acct = (id: string): AccountState => {
    const a = ctx.account(id);
    if (a.wallets.size === 0) model.fund(a, 'USDT', d(1_000_000));
    return a;
  };
  const add = (account: string, side: Side, quantity: string, price?: string, timeInForce: TimeInForce = 'gtc'): OrderState =>
    matching.acceptOrder(acct(account), sym, {
      clientOrderId: '',
      side,
      type: price === undefined ? 'market' : 'limit',
      timeInForce: price === undefined ? 'ioc' : timeInForce,
      price: price === undefined ? undefined : d(price),
      quantity: d(quantity),
      reduceOnly: false,
      closeOnTrigger: false,
      origin: 'user',
      positionSide: undefined,
      reducing: false,
    });
  const levels = (side: 'bids' | 'asks'): string[][] => sym.book.snapshot(10)[side].map(([p, q]) => [p.toString(), q.toString()]);
  return { ctx, matching, sym, events, add, levels, acct };
};

describe('Matching', () => {
  it('fills the better price first, then the older order at one price, and rests a taker remainder uncrossed', () => {
    const { add, levels } = setup();
    const first = add('a', 'buy', '0.01', '17000');
    const second = add('b', 'buy', '0.01', '17000');
    const better = add('c', 'buy', '0.01', '17000.5');
    const taker = add('d', 'sell', '0.035', '16999.9');
    expect([better.status, first.status, second.status]).toEqual(['filled', 'filled', 'filled']);
    expect(taker.status).toBe('partially_filled');
    expect(taker.filledValue.dividedBy(taker.filledQuantity).toDecimalPlaces(4).toString()).toBe('17000.1667');
    expect(levels('bids')).toEqual([]);
    expect(levels('asks')).toEqual([['16999.9', '0.005']]);
  });

  it('takes synthetic size before our resting orders at a level, maker fills at the level price', () => {
    const { add, sym, matching, acct } = setup();
    sym.book.replaceSynthetic([], [[d('17000.1'), d('0.02')]]);
    const maker = add('m', 'sell', '0.02', '17000.1');
    const taker = add('t', 'buy', '0.03');
    expect(taker.filledQuantity.toString()).toBe('0.03');
    expect(maker.filledQuantity.toString()).toBe('0.01');
    expect(acct('m').executions.map((e) => [e.price.toString(), e.isMaker])).toEqual([['17000.1', true]]);
    matching.flushBook(sym);
    expect(sym.book.snapshot(5).asks.map(([p, q]) => [p.toString(), q.toString()])).toEqual([['17000.1', '0.01']]);
  });

  it('cancels a post-only order that would take (neutral reason, Bybit spelling in the view) and a FOK that cannot fill', () => {
    const { add, ctx, events } = setup();
    add('m', 'sell', '0.05', '17000');
    events.length = 0;
    const po = add('a', 'buy', '0.01', '17000', 'post_only');
    expect([po.status, po.reason, ctx.view(po).rejectReason]).toEqual(['cancelled', 'post_only_would_take', 'EC_PostOnlyWillTakeLiquidity']);
    expect(events.filter((e) => e.type === 'order').map((e) => (e.type === 'order' ? e.order.status : ''))).toEqual(['cancelled']);
    const fok = add('a', 'buy', '0.06', '17000', 'fok');
    expect([fok.status, fok.reason, fok.filledQuantity.toString()]).toEqual(['cancelled', 'fok_not_filled', '0']);
    const ioc = add('a', 'buy', '0.06', '17000', 'ioc');
    expect([ioc.status, ioc.reason, ioc.filledQuantity.toString()]).toEqual(['cancelled', 'none', '0.05']);
    const none = add('a', 'buy', '0.01');
    expect([none.status, none.reason]).toEqual(['cancelled', 'no_immediate_fill']);
  });

  it('keeps queue priority when an amend only shrinks, loses it on a new price', () => {
    const { add, matching, sym, acct } = setup();
    const a = add('a', 'buy', '0.02', '17000');
    const b = add('b', 'buy', '0.02', '17000');
    matching.amend(acct('a'), sym, a, d('17000'), d('0.01'));
    expect(sym.book.levels('buy')[0]?.orders.map((o) => o.orderId)).toEqual([a.orderId, b.orderId]);
    matching.amend(acct('a'), sym, a, d('16999.9'), d('0.01'));
    matching.amend(acct('a'), sym, a, d('17000'), d('0.01'));
    expect(sym.book.levels('buy')[0]?.orders.map((o) => o.orderId)).toEqual([b.orderId, a.orderId]);
  });

  it('fills resting orders from a replayed trade: at their price FIFO up to its size, through their price in full', () => {
    const { add, matching, sym } = setup();
    const at1 = add('a', 'buy', '0.3', '17000');
    const at2 = add('b', 'buy', '0.3', '17000');
    const above = add('c', 'buy', '0.5', '17000.5');
    matching.fillRestingAgainstTrade(sym, d('17000'), d('0.4'));
    expect([above.filledQuantity, at1.filledQuantity, at2.filledQuantity].map((q) => q.toString())).toEqual(['0.5', '0.3', '0.1']);
    expect(at1.filledValue.toString()).toBe('5100');
    const sell = add('d', 'sell', '1', '17010');
    matching.fillRestingAgainstTrade(sym, d('17011'), d('0.001'));
    expect(sell.filledQuantity.toString()).toBe('1');
    matching.fillRestingAgainstTrade(sym, d('16000'), d('0'));
    expect(at2.remaining.isZero()).toBe(true);
  });

  it('publishes the first book change as a snapshot and later ones as deltas with updateId +1 and a cross-symbol seq', () => {
    const { ctx, matching, sym, events, add } = setup();
    const ada = ctx.symbols.get('ADAUSDT') as SymbolState;
    add('a', 'buy', '0.01', '17000');
    matching.flushBook(sym);
    ada.book.replaceSynthetic([[d('0.3'), d('100')]], []);
    matching.flushBook(ada);
    add('a', 'buy', '0.01', '16999');
    matching.flushBook(sym);
    matching.flushBook(sym);
    const books = events.flatMap((e) => (e.type === 'book' ? [[e.symbol, e.kind, e.updateId, e.seq]] : []));
    expect(books).toEqual([
      ['BTCUSDT', 'snapshot', 1, 1],
      ['ADAUSDT', 'snapshot', 1, 2],
      ['BTCUSDT', 'delta', 2, 3],
    ]);
    expect(matching.book('BTCUSDT', 5).bids.map(([p]) => p.toString())).toEqual(['17000', '16999']);
    expect(matching.book('ETHUSDT', 5)).toMatchObject({ bids: [], updateId: 0, ts: T0 });
    expect(sym.book.snapshot(5).asks).toEqual([]);
  });
});

describe('Matching values a market order', () => {
  it('at the best opposite level, else at the last price', () => {
    const { matching, sym } = setup();
    expect(matching.referencePrice(sym, 'buy')).toBeUndefined();
    sym.last = new Decimal('17001');
    expect(matching.referencePrice(sym, 'buy')?.toString()).toBe('17001');
    sym.book.replaceSynthetic([[d('16999'), d('1')]], [[d('17002'), d('1')]]);
    expect([matching.referencePrice(sym, 'buy')?.toString(), matching.referencePrice(sym, 'sell')?.toString()]).toEqual(['17002', '16999']);
  });
});
