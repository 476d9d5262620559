/**
 * The Bybit façade's REST endpoints, round-tripped with the raw docs-based client against a real engine replaying
 * bundled Bybit BTCUSDT bars on a virtual clock.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { BybitList } from '../../support/bybitRawClient.ts';
import { ACCOUNT, START, startHarness, type Harness } from './bybitFacadeHarness.ts';

type Row = Record<string, unknown>;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const bestBid = () => h.exchange.book('BTCUSDT', 1).bids[0]?.[0] as Decimal;
const bestAsk = () => h.exchange.book('BTCUSDT', 1).asks[0]?.[0] as Decimal;

const limitBuy = (orderLinkId: string, price: Decimal, qty = '0.010', extra: Row = {}) =>
  h.rest.post<{ orderId: string; orderLinkId: string }>('/v5/order/create', {
    category: 'linear',
    symbol: 'BTCUSDT',
    side: 'Buy',
    orderType: 'Limit',
    qty,
    price: price.toString(),
    timeInForce: 'GTC',
    orderLinkId,
    positionIdx: 0,
    ...extra,
  });

const marketOrder = (side: 'Buy' | 'Sell', qty: string, extra: Row = {}) =>
  h.rest.post<{ orderId: string }>('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side, orderType: 'Market', qty, ...extra });

describe('Bybit façade: market data', () => {
  it('answers server time from the engine clock in the documented shape', async () => {
    h.advance(12_345);
    const r = await h.rest.publicGet<{ timeSecond: string; timeNano: string }>('/v5/market/time');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ retCode: 0, retMsg: 'OK', retExtInfo: {}, time: START + 12_345 });
    expect(r.body?.result.timeSecond).toBe(String(Math.floor((START + 12_345) / 1000)));
    expect(r.body?.result.timeNano).toBe(`${START + 12_345}000000`);
  });

  it('lists instruments with string filters and pages them with cursors', async () => {
    const all = await h.rest.publicGet<BybitList<Row>>('/v5/market/instruments-info', { category: 'linear' });
    expect(all.body?.retCode).toBe(0);
    expect(all.body?.result.list.map((i) => i['symbol']).sort()).toEqual(['ADAUSDT', 'BTCUSDT']);
    const btc = all.body?.result.list.find((i) => i['symbol'] === 'BTCUSDT');
    expect(btc).toMatchObject({
      contractType: 'LinearPerpetual',
      status: 'Trading',
      settleCoin: 'USDT',
      priceFilter: { tickSize: '0.1', minPrice: '0.1' },
      lotSizeFilter: { qtyStep: '0.001', minOrderQty: '0.001', maxOrderQty: '1190', maxMktOrderQty: '500', minNotionalValue: '5' },
      leverageFilter: { maxLeverage: '100' },
    });
    const first = await h.rest.publicGet<BybitList<Row>>('/v5/market/instruments-info', { category: 'linear', limit: 1 });
    expect(first.body?.result.list).toHaveLength(1);
    const cursor = first.body?.result.nextPageCursor ?? '';
    expect(cursor).not.toBe('');
    const second = await h.rest.publicGet<BybitList<Row>>('/v5/market/instruments-info', { category: 'linear', limit: 1, cursor });
    expect(second.body?.result.list).toHaveLength(1);
    expect(second.body?.result.list[0]?.['symbol']).not.toBe(first.body?.result.list[0]?.['symbol']);
    expect(second.body?.result.nextPageCursor).toBe('');
  });

  it('refuses a bad parameter with 10001 and a readable message', async () => {
    const r = await h.rest.publicGet('/v5/market/instruments-info', { category: 'linear', limit: 0 });
    expect(r.body?.retCode).toBe(10001);
    expect(r.body?.retMsg).toMatch(/limit/);
    const spot = await h.rest.publicGet('/v5/market/orderbook', { category: 'spot', symbol: 'BTCUSDT' });
    expect(spot.body?.retCode).toBe(10001);
    expect(spot.body?.retMsg).toMatch(/category/);
    const unknown = await h.rest.publicGet('/v5/market/orderbook', { category: 'linear', symbol: 'NOPEUSDT' });
    expect(unknown.body?.retCode).toBe(10001);
  });

  it('serves the order book with string levels and the engine update id', async () => {
    const r = await h.rest.publicGet<{ s: string; b: string[][]; a: string[][]; u: number; seq: number; ts: number; cts: number }>('/v5/market/orderbook', {
      category: 'linear',
      symbol: 'BTCUSDT',
      limit: 3,
    });
    const book = h.exchange.book('BTCUSDT', 3);
    expect(r.body?.retCode).toBe(0);
    const res = r.body?.result;
    expect(res?.s).toBe('BTCUSDT');
    expect(res?.u).toBe(book.updateId);
    expect(res?.seq).toBe(book.seq);
    expect(res?.b).toEqual(book.bids.map(([p, s]) => [p.toString(), s.toString()]));
    expect(res?.a).toEqual(book.asks.map(([p, s]) => [p.toString(), s.toString()]));
    expect(res?.b.length).toBe(3);
    const bids = res?.b.map((l) => Number(l[0])) ?? [];
    expect([...bids].sort((x, y) => y - x)).toEqual(bids);
  });

  it('serves tickers with Bybit field names', async () => {
    const r = await h.rest.publicGet<BybitList<Row>>('/v5/market/tickers', { category: 'linear', symbol: 'BTCUSDT' });
    const t = h.exchange.ticker('BTCUSDT');
    expect(r.body?.result.category).toBe('linear');
    expect(r.body?.result.list[0]).toMatchObject({
      symbol: 'BTCUSDT',
      lastPrice: t.lastPrice.toString(),
      markPrice: t.markPrice.toString(),
      bid1Price: t.bid1Price.toString(),
      ask1Price: t.ask1Price.toString(),
    });
  });
});

describe('Bybit façade: orders', () => {
  it('places, finds, amends and cancels a limit order by orderLinkId', async () => {
    const price = bestBid().minus(50);
    const created = await limitBuy('rest-1', price);
    expect(created.body).toMatchObject({ retCode: 0, retMsg: 'OK', result: { orderLinkId: 'rest-1' } });
    const orderId = created.body?.result.orderId ?? '';
    expect(orderId).not.toBe('');

    const open = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', symbol: 'BTCUSDT' });
    expect(open.body?.result.list).toHaveLength(1);
    expect(open.body?.result.list[0]).toMatchObject({
      orderId,
      orderLinkId: 'rest-1',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      price: price.toString(),
      qty: '0.01',
      timeInForce: 'GTC',
      orderStatus: 'New',
      cumExecQty: '0',
      reduceOnly: false,
      positionIdx: 0,
    });

    const amended = await h.rest.post('/v5/order/amend', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'rest-1', price: price.minus(10).toString() });
    expect(amended.body).toMatchObject({ retCode: 0, result: { orderId, orderLinkId: 'rest-1' } });
    const afterAmend = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', orderLinkId: 'rest-1' });
    expect(afterAmend.body?.result.list[0]?.['price']).toBe(price.minus(10).toString());

    const cancelled = await h.rest.post('/v5/order/cancel', { category: 'linear', symbol: 'BTCUSDT', orderId });
    expect(cancelled.body).toMatchObject({ retCode: 0, result: { orderId, orderLinkId: 'rest-1' } });
    const stillFound = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'rest-1' });
    expect(stillFound.body?.result.list[0]).toMatchObject({ orderLinkId: 'rest-1', orderStatus: 'Cancelled', cancelType: 'CancelByUser' });
    const openNow = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', symbol: 'BTCUSDT' });
    expect(openNow.body?.result.list).toHaveLength(0);
    const history = await h.rest.get<BybitList<Row>>('/v5/order/history', { category: 'linear', symbol: 'BTCUSDT' });
    expect(history.body?.result.list.map((o) => [o['orderLinkId'], o['orderStatus']])).toEqual([['rest-1', 'Cancelled']]);
  });

  it('answers 110072 for a duplicate orderLinkId and 110001 for an unknown order', async () => {
    expect((await limitBuy('dup-1', bestBid().minus(50))).body?.retCode).toBe(0);
    const dup = await limitBuy('dup-1', bestBid().minus(60));
    expect(dup.body).toMatchObject({ retCode: 110072, result: {} });
    expect(dup.body?.retMsg).toMatch(/OrderLinkedID is duplicate/);
    const cancel = await h.rest.post('/v5/order/cancel', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'never-placed' });
    expect(cancel.body?.retCode).toBe(110001);
    const amend = await h.rest.post('/v5/order/amend', { category: 'linear', symbol: 'BTCUSDT', orderId: 'nope', qty: '0.02' });
    expect(amend.body?.retCode).toBe(110001);
  });

  it('maps the engine refusals to Bybit retCodes (110017, 110094, 110007, 110003, 10001)', async () => {
    const reduceOnFlat = await marketOrder('Sell', '0.010', { reduceOnly: true });
    expect(reduceOnFlat.body?.retCode).toBe(110017);
    // 1 ADA at 0.3 USDT is below ADAUSDT's 5 USDT minimum order value.
    const tiny = await h.rest.post('/v5/order/create', { category: 'linear', symbol: 'ADAUSDT', side: 'Buy', orderType: 'Limit', qty: '1', price: '0.3', orderLinkId: 'tiny' });
    expect(tiny.body?.retCode).toBe(110094);
    expect((await limitBuy('huge', bestBid().minus(50), '100')).body?.retCode).toBe(110007);
    expect((await limitBuy('offtick', bestBid().minus(50).plus('0.05'))).body?.retCode).toBe(110003);
    expect((await limitBuy('badstep', bestBid().minus(50), '0.0105')).body?.retCode).toBe(10001);
  });

  it('validates create-order parameters with readable messages', async () => {
    const side = await h.rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'BUY', orderType: 'Limit', qty: '0.01', price: '100' });
    expect(side.body?.retCode).toBe(10001);
    expect(side.body?.retMsg).toMatch(/side/);
    const noPrice = await h.rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.01' });
    expect(noPrice.body?.retCode).toBe(10001);
    expect(noPrice.body?.retMsg).toMatch(/price/);
    const numericQty = await h.rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: 0.01 });
    expect(numericQty.body?.retCode).toBe(10001);
    expect(numericQty.body?.retMsg).toMatch(/qty/);
    const badLink = await limitBuy('has space', bestBid().minus(50));
    expect(badLink.body?.retCode).toBe(10001);
    const attachedTp = await limitBuy('tp-attached', bestBid().minus(50), '0.010', { takeProfit: '99999' });
    expect(attachedTp.body?.retCode).toBe(10001);
    expect(attachedTp.body?.retMsg).toMatch(/takeProfit/);
    const notJson = await h.rest.post('/v5/order/create', '{"category":');
    expect(notJson.body?.retCode).toBe(10001);
    expect(h.exchange.openOrders(ACCOUNT)).toHaveLength(0);
  });

  it('cancels all open orders of a symbol', async () => {
    await limitBuy('ca-1', bestBid().minus(50));
    await limitBuy('ca-2', bestBid().minus(60));
    const r = await h.rest.post<{ list: Row[]; success: string }>('/v5/order/cancel-all', { category: 'linear', symbol: 'BTCUSDT' });
    expect(r.body?.retCode).toBe(0);
    expect(r.body?.result.success).toBe('1');
    expect(r.body?.result.list.map((o) => o['orderLinkId']).sort()).toEqual(['ca-1', 'ca-2']);
    expect(h.exchange.openOrders(ACCOUNT)).toHaveLength(0);
  });
});

describe('Bybit façade: executions, positions, account', () => {
  it('reports a market fill as an execution, a position and a wallet change', async () => {
    const ask = bestAsk();
    const created = await marketOrder('Buy', '0.020', { orderLinkId: 'mkt-1' });
    expect(created.body?.retCode).toBe(0);
    const execs = await h.rest.get<BybitList<Row>>('/v5/execution/list', { category: 'linear', symbol: 'BTCUSDT' });
    expect(execs.body?.retCode).toBe(0);
    const list = execs.body?.result.list ?? [];
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).toMatchObject({ symbol: 'BTCUSDT', orderLinkId: 'mkt-1', side: 'Buy', execType: 'Trade', isMaker: false, feeRate: '0.00055' });
    const qty = list.reduce((acc, e) => acc.plus(String(e['execQty'])), new Decimal(0));
    expect(qty.toString()).toBe('0.02');
    expect(new Decimal(String(list[list.length - 1]?.['execPrice'])).gte(ask)).toBe(true);

    const pos = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'BTCUSDT' });
    expect(pos.body?.result.list[0]).toMatchObject({ symbol: 'BTCUSDT', side: 'Buy', size: '0.02', positionIdx: 0, leverage: '10' });
    const bySettle = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', settleCoin: 'USDT' });
    expect(bySettle.body?.result.list.map((p) => p['symbol'])).toEqual(['BTCUSDT']);
    const flatAda = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'ADAUSDT' });
    expect(flatAda.body?.result.list[0]).toMatchObject({ symbol: 'ADAUSDT', side: '', size: '0' });

    const wallet = await h.rest.get<{ list: Array<{ accountType: string; coin: Row[] }> }>('/v5/account/wallet-balance', { accountType: 'UNIFIED' });
    expect(wallet.body?.retCode).toBe(0);
    const acct = wallet.body?.result.list[0];
    expect(acct?.accountType).toBe('UNIFIED');
    const usdt = acct?.coin.find((c) => c['coin'] === 'USDT');
    const engineWallet = h.exchange.wallet(ACCOUNT)[0];
    expect(usdt?.['walletBalance']).toBe(engineWallet?.walletBalance.toString());
    expect(new Decimal(String(usdt?.['walletBalance'])).lt(100_000)).toBe(true);
  });

  it('refuses position queries without a symbol or settleCoin, and execution ranges over 7 days', async () => {
    expect((await h.rest.get('/v5/position/list', { category: 'linear' })).body?.retCode).toBe(10001);
    const wide = await h.rest.get('/v5/execution/list', { category: 'linear', startTime: START - 8 * 86_400_000, endTime: START });
    expect(wide.body?.retCode).toBe(10001);
    expect((await h.rest.get('/v5/account/wallet-balance', { accountType: 'CONTRACT' })).body?.retCode).toBe(10001);
  });

  it('sets, reports and clears a trading stop; refuses one on a flat position', async () => {
    const flat = await h.rest.post('/v5/position/trading-stop', { category: 'linear', symbol: 'BTCUSDT', takeProfit: '99999', tpslMode: 'Full', positionIdx: 0 });
    expect(flat.body?.retCode).toBe(10001);
    await marketOrder('Buy', '0.010');
    const mark = h.exchange.ticker('BTCUSDT').markPrice;
    const tp = mark.plus(500).toString();
    const sl = mark.minus(500).toString();
    const set = await h.rest.post('/v5/position/trading-stop', {
      category: 'linear',
      symbol: 'BTCUSDT',
      takeProfit: tp,
      stopLoss: sl,
      tpTriggerBy: 'MarkPrice',
      slTriggerBy: 'MarkPrice',
      tpslMode: 'Full',
      positionIdx: 0,
    });
    expect(set.body).toMatchObject({ retCode: 0, result: {} });
    const pos = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'BTCUSDT' });
    expect(pos.body?.result.list[0]).toMatchObject({ takeProfit: tp, stopLoss: sl, tpTriggerBy: 'MarkPrice', slTriggerBy: 'MarkPrice' });
    const again = await h.rest.post('/v5/position/trading-stop', { category: 'linear', symbol: 'BTCUSDT', takeProfit: tp, stopLoss: sl, tpTriggerBy: 'MarkPrice', slTriggerBy: 'MarkPrice', tpslMode: 'Full', positionIdx: 0 });
    expect(again.body?.retCode).toBe(34040);
    const cleared = await h.rest.post('/v5/position/trading-stop', { category: 'linear', symbol: 'BTCUSDT', takeProfit: '0', tpslMode: 'Full', positionIdx: 0 });
    expect(cleared.body?.retCode).toBe(0);
    const after = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'BTCUSDT' });
    expect(after.body?.result.list[0]).toMatchObject({ takeProfit: '0', stopLoss: sl });
    const partial = await h.rest.post('/v5/position/trading-stop', { category: 'linear', symbol: 'BTCUSDT', stopLoss: sl, tpslMode: 'Partial', positionIdx: 0 });
    expect(partial.body?.retCode).toBe(10001);
  });

  it('sets leverage and answers 110043 when it is unchanged', async () => {
    const set = await h.rest.post('/v5/position/set-leverage', { category: 'linear', symbol: 'BTCUSDT', buyLeverage: '6', sellLeverage: '6' });
    expect(set.body).toMatchObject({ retCode: 0, result: {} });
    const same = await h.rest.post('/v5/position/set-leverage', { category: 'linear', symbol: 'BTCUSDT', buyLeverage: '6', sellLeverage: '6' });
    expect(same.body?.retCode).toBe(110043);
    const mismatch = await h.rest.post('/v5/position/set-leverage', { category: 'linear', symbol: 'BTCUSDT', buyLeverage: '6', sellLeverage: '7' });
    expect(mismatch.body?.retCode).toBe(10001);
    const pos = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'BTCUSDT' });
    expect(pos.body?.result.list[0]?.['leverage']).toBe('6');
  });
});
