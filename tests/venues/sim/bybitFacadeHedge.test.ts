/**
 * S0-12 hedge mode on the Bybit façade's wire, with the raw docs-based client: `/v5/position/switch-mode` (coin or
 * symbol, mode 0/3, 110025 when unchanged, 110024/110028 while something is open, signed and rate-limited like every
 * private POST), positionIdx 1/2 on create-order and trading-stop mapped to the engine's legs (10001 "position idx not
 * match position mode" otherwise), both legs in position/list, and positionIdx on the WS order and position topics.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { RawWs, type BybitList, type Frame } from '../../support/bybitRawClient.ts';
import { ACCOUNT, KEY, SECRET, startHarness, type Harness } from './bybitFacadeHarness.ts';

type Row = Record<string, unknown>;

let h: Harness;
const sockets: RawWs[] = [];
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await h.close();
});

const switchMode = (body: Row) => h.rest.post('/v5/position/switch-mode', { category: 'linear', ...body });
const create = (body: Row) => h.rest.post<{ orderId: string; orderLinkId: string }>('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', orderType: 'Market', qty: '0.010', ...body });
const positions = async (): Promise<Row[]> => (await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'BTCUSDT' })).body?.result.list ?? [];
const stop = (body: Row) => h.rest.post('/v5/position/trading-stop', { category: 'linear', symbol: 'BTCUSDT', tpslMode: 'Full', ...body });
const codeOf = async (p: Promise<{ body?: { retCode: number; retMsg: string } | undefined }>): Promise<[number | undefined, string | undefined]> => {
  const r = await p;
  return [r.body?.retCode, r.body?.retMsg];
};
const last = (): Decimal => h.exchange.ticker('BTCUSDT').lastPrice;

describe('Bybit façade: hedge mode (S0-12)', () => {
  it('S0-12 switch-mode: by coin or symbol, mode 3 then 0; unchanged is 110025; bad requests are 10001; a bad signature is 10004', async () => {
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([0, 'OK']);
    expect(h.exchange.positionMode(ACCOUNT)).toBe('hedge');
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([110025, 'Position mode has not been modified.']);
    // The docs' example shape: a symbol and `"coin": null`.
    expect(await codeOf(switchMode({ symbol: 'BTCUSDT', coin: null, mode: 0 }))).toEqual([0, 'OK']);
    expect(h.exchange.positionMode(ACCOUNT)).toBe('one_way');
    expect(await codeOf(switchMode({ mode: 3 }))).toEqual([10001, 'params error: symbol or coin is required']);
    expect((await codeOf(switchMode({ coin: 'USDT', mode: 1 })))[0]).toBe(10001);
    expect(await codeOf(switchMode({ coin: 'BTC', mode: 3 }))).toEqual([10001, 'params error: coin invalid: BTC']);
    expect(await codeOf(switchMode({ symbol: 'XRPUSDT', mode: 3 }))).toEqual([10001, 'params error: symbol invalid: XRPUSDT']);
    expect((await codeOf(h.rest.post('/v5/position/switch-mode', { category: 'linear', coin: 'USDT', mode: 3 }, { signature: 'f'.repeat(64) })))[0]).toBe(10004);
    expect(h.exchange.positionMode(ACCOUNT)).toBe('one_way');
    // A second account keeps its own mode.
    expect(h.exchange.positionMode('acct-2')).toBe('one_way');
  });

  it('S0-12 switch-mode: counted by the per-key rate limit like every private endpoint (10006 beyond it)', async () => {
    const limited = await startHarness({ rateLimits: { orderPerSecond: 1000, otherPerSecond: 1 } });
    try {
      const body = { category: 'linear', coin: 'USDT', mode: 3 };
      const first = await limited.rest.post('/v5/position/switch-mode', body);
      const second = await limited.rest.post('/v5/position/switch-mode', body);
      expect([first.body?.retCode, second.body?.retCode]).toEqual([0, 10006]);
      expect(first.headers['x-bapi-limit']).toBe('1');
      expect(limited.exchange.positionMode(ACCOUNT)).toBe('hedge');
    } finally {
      await limited.close();
    }
  });

  it('S0-12 switch-mode: refused with 110024 while a position is open and 110028 while an order rests (account-wide in the simulator)', async () => {
    expect((await create({ side: 'Buy', orderLinkId: 'hm-open' })).body?.retCode).toBe(0);
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([110024, 'You have an existing position, so the position mode cannot be switched.']);
    expect((await create({ side: 'Sell', reduceOnly: true, orderLinkId: 'hm-close' })).body?.retCode).toBe(0);
    const price = last().minus(500).toFixed(1);
    expect((await create({ side: 'Buy', orderType: 'Limit', price, timeInForce: 'GTC', orderLinkId: 'hm-rest' })).body?.retCode).toBe(0);
    expect(await codeOf(switchMode({ symbol: 'ADAUSDT', mode: 3 }))).toEqual([110028, 'You have existing open orders, so the position mode cannot be switched.']);
    expect(h.exchange.positionMode(ACCOUNT)).toBe('one_way');
    expect((await h.rest.post('/v5/order/cancel', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'hm-rest' })).body?.retCode).toBe(0);
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([0, 'OK']);
  });

  it('S0-12 create-order: positionIdx must match the mode (10001 "position idx not match position mode"); 1/2 open both legs at once', async () => {
    const mismatch = [10001, 'params error: position idx not match position mode'];
    expect(await codeOf(create({ side: 'Buy', positionIdx: 1, orderLinkId: 'hm-ow-1' }))).toEqual(mismatch);
    expect(await codeOf(create({ side: 'Sell', positionIdx: 2, orderLinkId: 'hm-ow-2' }))).toEqual(mismatch);
    expect((await codeOf(create({ side: 'Buy', positionIdx: 3, orderLinkId: 'hm-ow-3' })))[0]).toBe(10001);
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([0, 'OK']);
    expect(await positions()).toEqual([
      expect.objectContaining({ positionIdx: 1, side: '', size: '0' }),
      expect.objectContaining({ positionIdx: 2, side: '', size: '0' }),
    ]);
    // In hedge mode the index is required: 0 (or none) does not match.
    expect(await codeOf(create({ side: 'Buy', positionIdx: 0, orderLinkId: 'hm-h-0' }))).toEqual(mismatch);
    expect(await codeOf(create({ side: 'Buy', orderLinkId: 'hm-h-none' }))).toEqual(mismatch);
    expect((await create({ side: 'Buy', positionIdx: 1, qty: '0.020', orderLinkId: 'hm-long' })).body?.retCode).toBe(0);
    expect((await create({ side: 'Sell', positionIdx: 2, orderLinkId: 'hm-short' })).body?.retCode).toBe(0);
    expect((await positions()).map((p) => [p['positionIdx'], p['side'], p['size']])).toEqual([
      [1, 'Buy', '0.02'],
      [2, 'Sell', '0.01'],
    ]);
    const bySettle = await h.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', settleCoin: 'USDT' });
    expect(bySettle.body?.result.list.map((p) => p['positionIdx'])).toEqual([1, 2]);
    const orders = await h.rest.get<BybitList<Row>>('/v5/order/history', { category: 'linear', symbol: 'BTCUSDT' });
    const byLink = (orders.body?.result.list ?? []).map((o) => [String(o['orderLinkId']), o['positionIdx']] as const).sort(([a], [b]) => a.localeCompare(b));
    expect(byLink).toEqual([
      ['hm-long', 1],
      ['hm-short', 2],
    ]);
    // A Sell on the long leg with reduceOnly closes that leg only; a Buy on the short leg closes the short one.
    expect((await create({ side: 'Sell', positionIdx: 1, reduceOnly: true, qty: '0.020', orderLinkId: 'hm-close-long' })).body?.retCode).toBe(0);
    expect((await positions()).map((p) => [p['positionIdx'], p['side'], p['size']])).toEqual([
      [1, '', '0'],
      [2, 'Sell', '0.01'],
    ]);
    expect((await codeOf(create({ side: 'Sell', positionIdx: 1, reduceOnly: true, orderLinkId: 'hm-close-again' })))[0]).toBe(110017);
  });

  it('S0-12 trading-stop: per leg by positionIdx, each leg keeping its own TP/SL; a mismatched index is 10001', async () => {
    expect((await create({ side: 'Buy', orderLinkId: 'ts-ow' })).body?.retCode).toBe(0);
    expect(await codeOf(stop({ positionIdx: 1, takeProfit: last().plus(1000).toFixed(1) }))).toEqual([10001, 'params error: position idx not match position mode']);
    expect((await create({ side: 'Sell', reduceOnly: true, orderLinkId: 'ts-ow-close' })).body?.retCode).toBe(0);
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([0, 'OK']);
    expect((await create({ side: 'Buy', positionIdx: 1, orderLinkId: 'ts-long' })).body?.retCode).toBe(0);
    expect((await create({ side: 'Sell', positionIdx: 2, orderLinkId: 'ts-short' })).body?.retCode).toBe(0);
    const p = last();
    const [longTp, longSl, shortTp, shortSl] = [p.plus(1000), p.minus(1000), p.minus(700), p.plus(700)].map((x) => x.toFixed(1)) as [string, string, string, string];
    expect(await codeOf(stop({ positionIdx: 0, takeProfit: longTp }))).toEqual([10001, 'params error: position idx not match position mode']);
    expect(await codeOf(stop({ positionIdx: 1, takeProfit: longTp, stopLoss: longSl, tpTriggerBy: 'MarkPrice', slTriggerBy: 'MarkPrice' }))).toEqual([0, 'OK']);
    expect(await codeOf(stop({ positionIdx: 2, takeProfit: shortTp, stopLoss: shortSl }))).toEqual([0, 'OK']);
    // A long leg's TP below the price is on the wrong side, as for a one-way long.
    expect((await codeOf(stop({ positionIdx: 1, takeProfit: shortTp })))[0]).toBe(10001);
    expect((await positions()).map((x) => [x['positionIdx'], x['takeProfit'], x['stopLoss'], x['tpTriggerBy']])).toEqual([
      [1, new Decimal(longTp).toString(), new Decimal(longSl).toString(), 'MarkPrice'],
      [2, new Decimal(shortTp).toString(), new Decimal(shortSl).toString(), 'LastPrice'],
    ]);
    const legs = h.exchange.positions(ACCOUNT, 'BTCUSDT').map((x) => [x.positionSide, x.takeProfit?.toFixed(1), x.stopLoss?.toFixed(1)]);
    expect(legs).toEqual([
      ['long', longTp, longSl],
      ['short', shortTp, shortSl],
    ]);
  });

  it('S0-12 private websocket: order and position items carry the leg\'s positionIdx; executions carry none, as on Bybit', async () => {
    expect(await codeOf(switchMode({ coin: 'USDT', mode: 3 }))).toEqual([0, 'OK']);
    const ws = await RawWs.open(h.server.wsPrivateUrl);
    sockets.push(ws);
    ws.auth(KEY, SECRET, h.clock.now() + 10_000);
    await ws.next((f) => f['op'] === 'auth');
    ws.send({ op: 'subscribe', args: ['order', 'execution', 'position', 'wallet'] });
    await ws.next((f) => f['op'] === 'subscribe');
    const topic = (t: string) => (f: Frame) => f['topic'] === t;
    expect((await create({ side: 'Sell', positionIdx: 2, orderLinkId: 'ws-short' })).body?.retCode).toBe(0);
    // Engine order: order New, execution, order Filled, position, wallet.
    await ws.next(topic('wallet'));
    const items = (t: string) => ws.received.filter(topic(t)).flatMap((f) => f['data'] as Row[]);
    expect(items('order').map((o) => [o['orderLinkId'], o['orderStatus'], o['positionIdx']])).toEqual([
      ['ws-short', 'New', 2],
      ['ws-short', 'Filled', 2],
    ]);
    expect(items('position').map((x) => [x['positionIdx'], x['side'], x['size']])).toEqual([[2, 'Sell', '0.01']]);
    expect(items('execution').map((e) => ['positionIdx' in e, e['orderLinkId']])).toEqual([[false, 'ws-short']]);
  });
});
