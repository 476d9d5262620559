/**
 * Adversarial tests of the simulator's Bybit façade over real loopback sockets (issue 10): the receive window is
 * bounded as documented in docs/simulator.md, hostile bodies, query strings and websocket frames get Bybit's
 * refusal instead of a 500 or a dead connection, and a topic the façade will not publish is refused on subscribe.
 */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { hmacHex, RawWs, type Frame } from '../support/bybitRawClient.ts';
import { ACCOUNT, KEY, SECRET, startHarness, type Harness } from '../venues/sim/bybitFacadeHarness.ts';

type Row = Record<string, unknown>;

let h: Harness | undefined;
const sockets: RawWs[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await h?.close();
  h = undefined;
});

const harness = async (opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> => {
  h = await startHarness(opts);
  return h;
};

const open = async (url: string): Promise<RawWs> => {
  const ws = await RawWs.open(url);
  sockets.push(ws);
  return ws;
};

const ORDER = { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.01', price: '10000', timeInForce: 'GTC' };

/** A POST signed over exactly the header strings given (the raw client only takes numbers). */
const signedPost = async (hh: Harness, path: string, body: string, headers: { timestamp: string; recvWindow: string }) => {
  const res = await request(`${hh.server.url}${path}`, {
    method: 'POST',
    body,
    headers: {
      'Content-Type': 'application/json',
      'X-BAPI-API-KEY': KEY,
      'X-BAPI-TIMESTAMP': headers.timestamp,
      'X-BAPI-RECV-WINDOW': headers.recvWindow,
      'X-BAPI-SIGN': hmacHex(SECRET, headers.timestamp + KEY + headers.recvWindow + body),
    },
  });
  return { status: res.statusCode, body: (await res.body.json()) as Row };
};

/** The façade's own view of every order the engine holds for the account (open and closed). */
const controlOrders = async (hh: Harness): Promise<Row[]> => {
  const res = await request(`${hh.server.url}/sim/control/orders?account=${ACCOUNT}`);
  return ((await res.body.json()) as { orders: Row[] }).orders;
};

const expectEnvelope = (r: { status: number; body: object | undefined }, retCode: number) => {
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ retCode, result: {}, retExtInfo: {} });
  expect(typeof (r.body as Row | undefined)?.['time']).toBe('number');
};

describe('X-CLK-3 the façade bounds the receive window like a venue', () => {
  it('X-CLK-3 refuses timestamp 0 with a receive window of 10^16 (10001) and creates no order', async () => {
    const hh = await harness();
    const r = await hh.rest.post('/v5/order/create', ORDER, { timestamp: 0, recvWindow: 1e16 });
    expectEnvelope(r, 10001);
    expect(r.body?.retMsg).toMatch(/recv_window/);
    const raw = await signedPost(hh, '/v5/order/create', JSON.stringify(ORDER), { timestamp: '0', recvWindow: '10000000000000000' });
    expectEnvelope(raw, 10001);
    expect(await controlOrders(hh)).toEqual([]);
    // The same order, signed now with the default window, is accepted: the control view does list orders.
    const ok = await hh.rest.post<{ orderId: string }>('/v5/order/create', ORDER);
    expect(ok.body?.retCode).toBe(0);
    expect((await controlOrders(hh)).map((o) => o['orderId'])).toEqual([ok.body?.result.orderId]);
  });

  it('X-CLK-3 refuses a receive window above 60,000 ms and still applies the window rule at the limit', async () => {
    const hh = await harness();
    const now = hh.clock.now();
    expectEnvelope(await hh.rest.post('/v5/order/create', ORDER, { recvWindow: 60_001 }), 10001);
    expectEnvelope(await hh.rest.post('/v5/order/create', ORDER, { timestamp: 0, recvWindow: 60_000 }), 10002);
    expectEnvelope(await hh.rest.post('/v5/order/create', ORDER, { timestamp: now - 60_001, recvWindow: 60_000 }), 10002);
    expect(await controlOrders(hh)).toEqual([]);
    const atLimit = await hh.rest.post('/v5/order/create', ORDER, { timestamp: now - 60_000, recvWindow: 60_000 });
    expect(atLimit.body?.retCode).toBe(0);
    expect(await controlOrders(hh)).toHaveLength(1);
  });

  it('X-CLK-3 refuses non-numeric, negative, fractional and oversized windows (10001) and timestamps (10002) with an envelope', async () => {
    const hh = await harness();
    const now = String(hh.clock.now());
    const body = JSON.stringify(ORDER);
    for (const recvWindow of ['abc', '-5000', '0', '5000.5', '1e4', '', '9'.repeat(400)]) {
      expectEnvelope(await signedPost(hh, '/v5/order/create', body, { timestamp: now, recvWindow }), 10001);
    }
    for (const timestamp of ['abc', '-1', '1.7e12', `${now}.0`, '', '9'.repeat(400), '0']) {
      expectEnvelope(await signedPost(hh, '/v5/order/create', body, { timestamp, recvWindow: '5000' }), 10002);
    }
    expect(await controlOrders(hh)).toEqual([]);
  });

  it('X-CLK-3 scales the limit with the simulator speed and honours an explicit maxRecvWindowMs', async () => {
    // At ×600 the loopback paper run widens its window to 600 × 250 ms of venue time: still one wall minute allowed.
    const fast = await harness({ limits: { speed: 600 } });
    expect((await fast.rest.post('/v5/order/create', ORDER, { recvWindow: 150_000 })).body?.retCode).toBe(0);
    expect((await fast.rest.post('/v5/order/create', ORDER, { recvWindow: 36_000_001 })).body?.retCode).toBe(10001);
    await fast.close();
    const strict = await harness({ limits: { maxRecvWindowMs: 10_000 } });
    expect((await strict.rest.post('/v5/order/create', ORDER, { recvWindow: 10_000 })).body?.retCode).toBe(0);
    expect((await strict.rest.post('/v5/order/create', ORDER, { recvWindow: 10_001 })).body?.retCode).toBe(10001);
  });
});

describe('X-RT-10 hostile REST input gets a Bybit envelope, never a 500', () => {
  const deep = (levels: number) => `{"category":"linear","symbol":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it('X-RT-10 answers a deeply nested JSON body with 10001 and creates no order', async () => {
    const hh = await harness();
    for (const body of [deep(20_000), '['.repeat(30_000) + ']'.repeat(30_000), deep(17)]) {
      const r = await hh.rest.post('/v5/order/create', body);
      expectEnvelope(r, 10001);
      expect(r.body?.retMsg).toMatch(/nested deeper/);
      expect(r.text).not.toMatch(/RangeError|stack/);
    }
    // Unsigned, the same body is refused by authentication first, still with an envelope.
    const unsigned = await request(`${hh.server.url}/v5/order/create`, { method: 'POST', body: deep(20_000), headers: { 'Content-Type': 'application/json' } });
    expect(unsigned.statusCode).toBe(200);
    expect(((await unsigned.body.json()) as Row)['retCode']).toBe(10003);
    // Control endpoints bound their bodies too.
    const faults = await request(`${hh.server.url}/sim/control/faults`, { method: 'POST', body: deep(20_000), headers: { 'Content-Type': 'application/json' } });
    expect(faults.statusCode).toBe(400);
    await faults.body.dump();
    expect(await controlOrders(hh)).toEqual([]);
  });

  it('X-RT-10 answers an oversized body and an oversized query string with 10001, and keeps serving', async () => {
    const hh = await harness();
    const big = JSON.stringify({ ...ORDER, orderLinkId: 'x', pad: 'p'.repeat(100 * 1024) });
    const r = await hh.rest.post('/v5/order/create', big);
    expectEnvelope(r, 10001);
    expect(r.body?.retMsg).toMatch(/exceeds 65536 bytes/);
    const q = await hh.rest.get('/v5/order/realtime', `category=linear&symbol=BTCUSDT&pad=${'q'.repeat(9000)}`);
    expectEnvelope(q, 10001);
    expect(q.body?.retMsg).toMatch(/query string/);
    const pub = await hh.rest.publicGet('/v5/market/tickers', `category=linear&pad=${'q'.repeat(9000)}`);
    expectEnvelope(pub, 10001);
    expect(await controlOrders(hh)).toEqual([]);
    expect((await hh.rest.post('/v5/order/create', ORDER)).body?.retCode).toBe(0);
  });
});

describe('X-RT-10 hostile websocket frames are refused and the connection stays healthy', () => {
  it('X-RT-10 answers deep, oversized and malformed frames with success:false and keeps answering pings', async () => {
    const hh = await harness();
    for (const url of [hh.server.wsPublicUrl, hh.server.wsPrivateUrl]) {
      const ws = await open(url);
      const deepFrame = `{"op":"subscribe","args":${'['.repeat(15_000)}${']'.repeat(15_000)}}`;
      const largeFrame = JSON.stringify({ op: 'subscribe', args: ['x'.repeat(40 * 1024)] });
      for (const [frame, msg] of [[deepFrame, /nested deeper/], [largeFrame, /too large/], ['{"op":', /not json/], [Buffer.from([0xff, 0xfe]).toString('latin1'), /not json/]] as const) {
        ws.send(frame);
        const answer = await ws.next((f) => f['success'] === false);
        expect(answer).toMatchObject({ success: false, op: '', req_id: '' });
        expect(String(answer['ret_msg'])).toMatch(msg);
      }
      ws.send({ op: 'ping', req_id: 'still-alive' });
      await ws.next((f) => f['req_id'] === 'still-alive');
      expect(ws.socket.readyState).toBe(ws.socket.OPEN);
    }
  });

  it('X-RT-10 closes only the connection that sends a frame above maxPayload (1009); the server stays up', async () => {
    const hh = await harness();
    const bystander = await open(hh.server.wsPublicUrl);
    const hostile = await open(hh.server.wsPublicUrl);
    const closeCode = new Promise<number>((resolve) => hostile.socket.once('close', (code) => resolve(code)));
    hostile.socket.send('x'.repeat(128 * 1024));
    expect(await closeCode).toBe(1009);
    bystander.send({ op: 'ping', req_id: 'bystander' });
    expect(await bystander.next((f) => f['req_id'] === 'bystander')).toMatchObject({ success: true, ret_msg: 'pong' });
    const fresh = await open(hh.server.wsPublicUrl);
    fresh.send({ op: 'subscribe', args: ['tickers.BTCUSDT'], req_id: 'fresh' });
    expect(await fresh.next((f) => f['req_id'] === 'fresh')).toMatchObject({ success: true });
    expect((await hh.rest.publicGet('/v5/market/time')).body?.retCode).toBe(0);
  });
});

describe('X-WS-2 the façade acknowledges only topics it publishes', () => {
  const BAD_PUBLIC = [
    'orderbook.0x32.BTCUSDT',
    'orderbook.050.BTCUSDT',
    'orderbook.1e3.BTCUSDT',
    'orderbook. 50.BTCUSDT',
    'orderbook.25.BTCUSDT',
    'orderbook.50.NOPEUSDT',
    'orderbook.50.btcusdt',
    'orderbook.50.BTCUSDT.x',
    'publicTrade.ETHUSDT',
    'tickers.BTCUSDT.1',
    'kline.2.BTCUSDT',
    'kline.1.',
    'order',
    '',
  ];

  it('X-WS-2 refuses orderbook.0x32.BTCUSDT and unknown symbols with Bybit\'s failure reply and never sends them a frame', async () => {
    const hh = await harness();
    const ws = await open(hh.server.wsPublicUrl);
    for (const [i, topic] of BAD_PUBLIC.entries()) {
      ws.send({ op: 'subscribe', args: [topic], req_id: `bad-${i}` });
      const reply = await ws.next((f) => f['req_id'] === `bad-${i}`);
      expect(reply).toMatchObject({ success: false, ret_msg: `error:handler not found,topic:${topic}`, op: 'subscribe', req_id: `bad-${i}` });
      expect(typeof reply['conn_id']).toBe('string');
    }
    // The valid book on the same connection gets its snapshot and then deltas as the engine moves.
    ws.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'], req_id: 'good' });
    expect(await ws.next((f) => f['req_id'] === 'good')).toMatchObject({ success: true, ret_msg: '' });
    expect(await ws.next((f) => f['topic'] === 'orderbook.50.BTCUSDT')).toMatchObject({ type: 'snapshot' });
    hh.advance(60_000);
    expect(await ws.next((f) => f['topic'] === 'orderbook.50.BTCUSDT')).toMatchObject({ type: 'delta' });
    const topics = new Set(ws.received.map((f: Frame) => f['topic']).filter((t) => t !== undefined));
    expect([...topics]).toEqual(['orderbook.50.BTCUSDT']);
  });

  it('X-WS-2 still acknowledges and serves every supported public and private topic', async () => {
    const hh = await harness();
    const pub = await open(hh.server.wsPublicUrl);
    const valid = ['orderbook.1.BTCUSDT', 'orderbook.50.BTCUSDT', 'orderbook.200.BTCUSDT', 'orderbook.1000.BTCUSDT', 'orderbook.50.ADAUSDT', 'publicTrade.BTCUSDT', 'tickers.BTCUSDT', 'kline.1.BTCUSDT', 'kline.D.BTCUSDT'];
    pub.send({ op: 'subscribe', args: valid, req_id: 'all' });
    expect(await pub.next((f) => f['req_id'] === 'all')).toMatchObject({ success: true, ret_msg: '' });
    for (const depth of [1, 50, 200, 1000]) expect(await pub.next((f) => f['topic'] === `orderbook.${depth}.BTCUSDT`)).toMatchObject({ type: 'snapshot' });
    hh.advance(60_000);
    for (const topic of ['orderbook.1.BTCUSDT', 'publicTrade.BTCUSDT', 'tickers.BTCUSDT', 'kline.1.BTCUSDT']) await pub.next((f) => f['topic'] === topic);

    const priv = await open(hh.server.wsPrivateUrl);
    priv.auth(KEY, SECRET, hh.clock.now() + 60_000);
    expect(await priv.next((f) => f['op'] === 'auth')).toMatchObject({ success: true });
    priv.send({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'], req_id: 'pub-on-priv' });
    expect(await priv.next((f) => f['req_id'] === 'pub-on-priv')).toMatchObject({ success: false, ret_msg: 'error:handler not found,topic:orderbook.50.BTCUSDT' });
    priv.send({ op: 'subscribe', args: ['order', 'execution', 'position', 'wallet'], req_id: 'priv' });
    expect(await priv.next((f) => f['req_id'] === 'priv')).toMatchObject({ success: true });
    expect((await hh.rest.post('/v5/order/create', ORDER)).body?.retCode).toBe(0);
    expect(await priv.next((f) => f['topic'] === 'order')).toMatchObject({ data: [{ symbol: 'BTCUSDT', orderStatus: 'New' }] });
  });
});
