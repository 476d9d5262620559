/**
 * The Bybit façade's websockets with a raw docs-based client: public subscribe → snapshot → deltas with `u`
 * continuity that rebuild the REST book, trades/tickers/klines, pings, malformed frames; private auth, topics,
 * and a post-only order that would take arriving as Cancelled with EC_PostOnlyWillTakeLiquidity.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decimal } from '../../../src/domain/money.ts';
import { RawWs, type BybitList, type Frame } from '../../support/bybitRawClient.ts';
import { KEY, SECRET, startHarness, type Harness } from './bybitFacadeHarness.ts';

interface BookData {
  s: string;
  b: string[][];
  a: string[][];
  u: number;
  seq: number;
}
type Row = Record<string, unknown>;

let h: Harness;
const sockets: RawWs[] = [];
const open = async (url: string) => {
  const ws = await RawWs.open(url);
  sockets.push(ws);
  return ws;
};
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await h.close();
});

const topicIs = (t: string) => (f: Frame) => f['topic'] === t;
const opIs = (op: string) => (f: Frame) => f['op'] === op;

const applyLevels = (side: Map<string, string>, levels: string[][]) => {
  for (const [p, s] of levels) {
    if (s === '0') side.delete(p as string);
    else side.set(p as string, s as string);
  }
};
const sorted = (side: Map<string, string>, desc: boolean) => [...side.entries()].sort((x, y) => (desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0])));

describe('Bybit façade: public websocket', () => {
  it('X-WS-2 sends a snapshot after subscribe, then deltas with u +1 per change that rebuild the REST book', async () => {
    const ws = await open(h.server.wsPublicUrl);
    ws.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'], req_id: 'sub-1' });
    const ack = await ws.next(opIs('subscribe'));
    expect(ack).toMatchObject({ success: true, ret_msg: '', req_id: 'sub-1', op: 'subscribe' });
    expect(typeof ack['conn_id']).toBe('string');
    const snap = await ws.next(topicIs('orderbook.50.BTCUSDT'));
    expect(snap['type']).toBe('snapshot');
    const snapData = snap['data'] as BookData;
    expect(snapData.u).toBe(h.exchange.book('BTCUSDT', 50).updateId);
    expect(typeof snap['ts']).toBe('number');
    expect(typeof snap['cts']).toBe('number');

    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    applyLevels(bids, snapData.b);
    applyLevels(asks, snapData.a);

    h.advance(60_000);
    const lastU = h.exchange.book('BTCUSDT', 50).updateId;
    expect(lastU).toBeGreaterThan(snapData.u + 2);
    let u = snapData.u;
    let seq = snapData.seq;
    while (u < lastU) {
      const f = await ws.next(topicIs('orderbook.50.BTCUSDT'));
      expect(f['type']).toBe('delta');
      const d = f['data'] as BookData;
      expect(d.u).toBe(u + 1);
      expect(d.seq).toBeGreaterThan(seq);
      u = d.u;
      seq = d.seq;
      applyLevels(bids, d.b);
      applyLevels(asks, d.a);
    }
    const rest = await h.rest.publicGet<{ b: string[][]; a: string[][]; u: number }>('/v5/market/orderbook', { category: 'linear', symbol: 'BTCUSDT', limit: 50 });
    expect(rest.body?.result.u).toBe(u);
    expect(sorted(bids, true)).toEqual(rest.body?.result.b);
    expect(sorted(asks, false)).toEqual(rest.body?.result.a);
  });

  it('streams public trades, tickers and klines in Bybit frames', async () => {
    const ws = await open(h.server.wsPublicUrl);
    ws.send({ op: 'subscribe', args: ['publicTrade.BTCUSDT', 'tickers.BTCUSDT', 'kline.1.BTCUSDT'] });
    expect(await ws.next(opIs('subscribe'))).toMatchObject({ success: true });
    const firstTicker = await ws.next(topicIs('tickers.BTCUSDT'));
    expect(firstTicker).toMatchObject({ type: 'snapshot', data: { symbol: 'BTCUSDT' } });
    h.advance(10_000);
    const trade = await ws.next(topicIs('publicTrade.BTCUSDT'));
    expect(trade['type']).toBe('snapshot');
    const t = (trade['data'] as Row[])[0];
    expect(t).toMatchObject({ s: 'BTCUSDT', BT: false });
    expect(['Buy', 'Sell']).toContain(t?.['S']);
    expect(typeof t?.['T']).toBe('number');
    expect(t?.['v']).toMatch(/^\d+(\.\d+)?$/);
    expect(t?.['p']).toMatch(/^\d+(\.\d+)?$/);
    expect(['PlusTick', 'MinusTick', 'ZeroPlusTick', 'ZeroMinusTick']).toContain(t?.['L']);
    const ticker = await ws.next(topicIs('tickers.BTCUSDT'));
    expect((ticker['data'] as Row)['lastPrice']).toMatch(/^\d+(\.\d+)?$/);
    const kline = await ws.next(topicIs('kline.1.BTCUSDT'));
    expect((kline['data'] as Row[])[0]).toMatchObject({ interval: '1', confirm: false });
  });

  it('answers ping with pong and survives malformed frames', async () => {
    const ws = await open(h.server.wsPublicUrl);
    ws.send({ op: 'ping', req_id: 'p1' });
    const pong = await ws.next(opIs('ping'));
    expect(pong).toMatchObject({ success: true, ret_msg: 'pong', req_id: 'p1', op: 'ping' });
    ws.send('this is not json');
    expect(await ws.next()).toMatchObject({ success: false });
    ws.send({ op: 42 });
    expect(await ws.next()).toMatchObject({ success: false });
    ws.send({ op: 'subscribe', args: ['orderbook.7.BTCUSDT', 'nonsense'] });
    const bad = await ws.next(opIs('subscribe'));
    expect(bad['success']).toBe(false);
    expect(bad['ret_msg']).toMatch(/orderbook\.7\.BTCUSDT/);
    ws.send({ op: 'ping' });
    expect(await ws.next(opIs('ping'))).toMatchObject({ ret_msg: 'pong', req_id: '' });
  });
});

describe('Bybit façade: private websocket', () => {
  const authed = async (expires: number | string = h.clock.now() + 10_000) => {
    const ws = await open(h.server.wsPrivateUrl);
    ws.auth(KEY, SECRET, expires);
    const r = await ws.next(opIs('auth'));
    return { ws, r };
  };

  it('authenticates with HMAC("GET/realtime" + expires) given as a number or a string, and refuses bad ones', async () => {
    expect((await authed()).r).toMatchObject({ success: true, ret_msg: '', op: 'auth' });
    expect((await authed(String(h.clock.now() + 10_000))).r).toMatchObject({ success: true });
    expect((await authed(h.clock.now() - 1)).r).toMatchObject({ success: false, op: 'auth' });
    const ws = await open(h.server.wsPrivateUrl);
    ws.auth(KEY, 'wrong-secret', h.clock.now() + 10_000);
    expect(await ws.next(opIs('auth'))).toMatchObject({ success: false });
    ws.send({ op: 'subscribe', args: ['order'], req_id: 's' });
    expect(await ws.next(opIs('subscribe'))).toMatchObject({ success: false, ret_msg: 'Request not authorized' });
  });

  it('answers the private ping with a pong carrying the server time', async () => {
    const { ws } = await authed();
    ws.send({ op: 'ping', req_id: 'pp' });
    const pong = await ws.next(opIs('pong'));
    expect(pong).toMatchObject({ req_id: 'pp', op: 'pong', args: [String(h.clock.now())] });
    expect(typeof pong['conn_id']).toBe('string');
  });

  it('reports a post-only order that would take as Cancelled with EC_PostOnlyWillTakeLiquidity', async () => {
    const { ws } = await authed();
    ws.send({ op: 'subscribe', args: ['order', 'execution', 'position', 'wallet'], req_id: 'priv' });
    expect(await ws.next(opIs('subscribe'))).toMatchObject({ success: true, req_id: 'priv' });
    const ask = h.exchange.book('BTCUSDT', 1).asks[0]?.[0] as Decimal;
    const r = await h.rest.post('/v5/order/create', {
      category: 'linear',
      symbol: 'BTCUSDT',
      side: 'Buy',
      orderType: 'Limit',
      qty: '0.010',
      price: ask.toString(),
      timeInForce: 'PostOnly',
      orderLinkId: 'po-take',
    });
    expect(r.body?.retCode).toBe(0);
    const cancelled = await ws.next((f) => f['topic'] === 'order' && (f['data'] as Row[]).some((o) => o['orderStatus'] === 'Cancelled'));
    expect(typeof cancelled['id']).toBe('string');
    expect(typeof cancelled['creationTime']).toBe('number');
    expect((cancelled['data'] as Row[])[0]).toMatchObject({
      category: 'linear',
      orderLinkId: 'po-take',
      orderStatus: 'Cancelled',
      rejectReason: 'EC_PostOnlyWillTakeLiquidity',
      timeInForce: 'PostOnly',
      cumExecQty: '0',
    });
    const history = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', orderLinkId: 'po-take' });
    expect(history.body?.result.list[0]).toMatchObject({ orderStatus: 'Cancelled', rejectReason: 'EC_PostOnlyWillTakeLiquidity' });
  });

  it('streams order, execution, position and wallet updates of a fill to its own account only', async () => {
    const { ws } = await authed();
    ws.send({ op: 'subscribe', args: ['order', 'execution', 'position', 'wallet'] });
    await ws.next(opIs('subscribe'));
    const other = await open(h.server.wsPrivateUrl);
    other.auth('test-key-2', 'test-secret-2', h.clock.now() + 10_000);
    await other.next(opIs('auth'));
    other.send({ op: 'subscribe', args: ['order'] });
    await other.next(opIs('subscribe'));

    const r = await h.rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'mkt-ws' });
    expect(r.body?.retCode).toBe(0);
    // Frames arrive in engine order (order New, execution, order Filled, position, wallet); wait for the last one.
    await ws.next(topicIs('wallet'));
    const frames = (topic: string) => ws.received.filter((f) => f['topic'] === topic).flatMap((f) => f['data'] as Row[]);
    expect(frames('order').map((o) => o['orderStatus'])).toEqual(['New', 'Filled']);
    expect(frames('order')[1]).toMatchObject({ orderLinkId: 'mkt-ws', orderType: 'Market', side: 'Buy', cumExecQty: '0.01' });
    const exec = frames('execution')[0];
    expect(exec).toMatchObject({ category: 'linear', orderLinkId: 'mkt-ws', execType: 'Trade', isMaker: false, symbol: 'BTCUSDT', execQty: '0.01' });
    expect(typeof exec?.['seq']).toBe('number');
    expect(frames('position')[0]).toMatchObject({ category: 'linear', symbol: 'BTCUSDT', side: 'Buy', size: '0.01', positionIdx: 0 });
    expect(frames('wallet')[0]).toMatchObject({ accountType: 'UNIFIED' });
    // The other account's socket saw none of it: its next order frame is its own.
    const own = await h.rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'mkt-other' }, { apiKey: 'test-key-2', secret: 'test-secret-2' });
    expect(own.body?.retCode).toBe(0);
    const first = await other.next(topicIs('order'));
    expect((first['data'] as Row[])[0]?.['orderLinkId']).toBe('mkt-other');
  });
});
