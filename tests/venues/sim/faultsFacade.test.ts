/**
 * Every fault of the plan made observable through the Bybit façade with the raw docs-based client: orderbook gaps,
 * duplicates and reordering, dropped websockets, 429/10006 storms, 5xx, accept-then-timeout, delays, ignored pings,
 * forced rejects, and the loopback control endpoints.
 */
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Decimal } from '../../../src/domain/money.ts';
import type { SimEvent } from '../../../src/venues/sim/engine/types.ts';
import { makeFaultPlan, NO_FAULTS, type FaultPlanInput } from '../../../src/venues/sim/faults.ts';
import { RawWs, type BybitList, type Frame } from '../../support/bybitRawClient.ts';
import { ACCOUNT, startHarness, type Harness } from './bybitFacadeHarness.ts';

type Row = Record<string, unknown>;
const TOPIC = 'orderbook.50.BTCUSDT';

let h: Harness;
const sockets: RawWs[] = [];
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await h.close();
});

const openBook = async () => {
  const ws = await RawWs.open(h.server.wsPublicUrl);
  sockets.push(ws);
  ws.send({ op: 'subscribe', args: [TOPIC] });
  await ws.next((f) => f['op'] === 'subscribe');
  const snap = await ws.next((f) => f['topic'] === TOPIC);
  return { ws, u: (snap['data'] as { u: number }).u };
};
const uOf = (f: Frame) => (f['data'] as { u: number }).u;
const bookFrame = (f: Frame) => f['topic'] === TOPIC;

const control = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const res = await request(`${h.server.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: (await res.body.json()) as Row };
};

const setFaults = (plan: FaultPlanInput) => h.server.setFaults(makeFaultPlan(plan));
const limitBuy = (orderLinkId: string) => {
  const bid = h.exchange.book('BTCUSDT', 1).bids[0]?.[0] as Decimal;
  return h.rest.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.010', price: bid.minus(100).toString(), orderLinkId });
};

describe('orderbook sequence faults', () => {
  it('X-WS-2 gap: a skipped delta makes the next one arrive with u advanced past last + 1', async () => {
    const { ws, u } = await openBook();
    const res = await control('POST', '/sim/control/faults', { spec: 'gap:1' });
    expect(res.status).toBe(200);
    h.advance(10_000);
    const skipped = h.server.counters().gapsInjected;
    expect(skipped).toBeGreaterThan(0);
    h.server.setFaults(NO_FAULTS);
    h.advance(10_000);
    const next = await ws.next(bookFrame);
    expect(next['type']).toBe('delta');
    // A client's continuity check (u == last + 1) fails here: the skipped changes never arrive.
    expect(uOf(next)).toBe(u + skipped + 1);
    expect(uOf(next)).not.toBe(u + 1);
  });

  it('dup: every delta arrives twice with the same u', async () => {
    const { ws, u } = await openBook();
    setFaults({ dupRate: 1 });
    h.advance(20_000);
    const last = h.exchange.book('BTCUSDT', 50).updateId;
    const us: number[] = [];
    while (us.length < 2 * (last - u)) us.push(uOf(await ws.next(bookFrame)));
    const expected = Array.from({ length: last - u }, (_, i) => [u + i + 1, u + i + 1]).flat();
    expect(us).toEqual(expected);
    expect(h.server.counters().dupsInjected).toBe(last - u);
  });

  it('reorder: a held delta arrives after its successor', async () => {
    const { ws, u } = await openBook();
    setFaults({ reorderRate: 1 });
    h.advance(20_000);
    const last = h.exchange.book('BTCUSDT', 50).updateId;
    expect(last - u).toBeGreaterThanOrEqual(2);
    const us: number[] = [];
    while (us.length < last - u) us.push(uOf(await ws.next(bookFrame)));
    expect([...us].sort((a, b) => a - b)).toEqual(Array.from({ length: last - u }, (_, i) => u + i + 1));
    expect(us[0]).toBe(u + 2);
    expect(us[1]).toBe(u + 1);
    expect(h.server.counters().reordersInjected).toBeGreaterThan(0);
  });
});

describe('connection faults', () => {
  it('X-WS-1 drop-ws: the control endpoint drops every websocket now', async () => {
    const a = await openBook();
    const b = await RawWs.open(h.server.wsPrivateUrl);
    sockets.push(b);
    expect((await control('GET', '/sim/control/state')).body['connections']).toEqual({ public: 1, private: 1 });
    const res = await control('POST', '/sim/control/drop-ws');
    expect(res.body).toMatchObject({ ok: true, dropped: 2 });
    await Promise.all([a.ws.closed, b.closed]);
    expect((await control('GET', '/sim/control/state')).body['connections']).toEqual({ public: 0, private: 0 });
  });

  it('ws-drop@30s: connections are dropped after 30 s of engine time', async () => {
    setFaults({ wsDropEveryMs: 30_000 });
    const { ws } = await openBook();
    h.advance(20_000);
    expect(ws.socket.readyState).toBe(ws.socket.OPEN);
    h.advance(10_000);
    await ws.closed;
    expect(h.server.counters().wsDrops).toBe(1);
  });

  it('ws-drop rate: a connection is dropped instead of sending a frame', async () => {
    const ws = await RawWs.open(h.server.wsPublicUrl);
    sockets.push(ws);
    setFaults({ wsDropRate: 1 });
    ws.send({ op: 'ping' });
    await ws.closed;
    expect(ws.received).toHaveLength(0);
    expect(h.server.counters().wsDrops).toBe(1);
  });

  it('no-pong: an ignored ping gets no answer while other requests still do', async () => {
    const ws = await RawWs.open(h.server.wsPublicUrl);
    sockets.push(ws);
    setFaults({ pongDropRate: 1 });
    ws.send({ op: 'ping', req_id: 'p' });
    ws.send({ op: 'subscribe', args: ['tickers.BTCUSDT'], req_id: 's' });
    const first = await ws.next();
    expect(first).toMatchObject({ op: 'subscribe', req_id: 's' });
    expect(ws.received.some((f) => f['ret_msg'] === 'pong')).toBe(false);
    expect(h.server.counters().pongsDropped).toBe(1);
  });

  it('delay: responses and frames are held back by the configured time', async () => {
    setFaults({ delayMs: 150 });
    const t0 = performance.now();
    const r = await h.rest.publicGet('/v5/market/time');
    expect(r.body?.retCode).toBe(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    const ws = await RawWs.open(h.server.wsPublicUrl);
    sockets.push(ws);
    const t1 = performance.now();
    ws.send({ op: 'ping' });
    await ws.next((f) => f['ret_msg'] === 'pong');
    expect(performance.now() - t1).toBeGreaterThanOrEqual(140);
  });
});

describe('HTTP faults', () => {
  it('X-RTY-5 http429: answers HTTP 429 with Retry-After', async () => {
    const res = await control('POST', '/sim/control/faults', { spec: 'http429:1@2s' });
    expect(res.body['ok']).toBe(true);
    const r = await limitBuy('storm-1');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('2');
    expect(r.body?.retCode).toBe(10006);
    expect(h.exchange.openOrders(ACCOUNT)).toHaveLength(0);
    expect(h.server.counters().http429).toBe(1);
  });

  it('ratelimit: answers retCode 10006 on HTTP 200 with the limit headers', async () => {
    setFaults({ rateLimitRate: 1 });
    const r = await h.rest.get('/v5/order/realtime', { category: 'linear' });
    expect(r.status).toBe(200);
    expect(r.body?.retCode).toBe(10006);
    expect(r.headers['x-bapi-limit']).toBeDefined();
    expect(r.headers['x-bapi-limit-status']).toBeDefined();
    expect(r.headers['x-bapi-limit-reset-timestamp']).toBeDefined();
  });

  it('http5xx: answers a 5xx and never reaches the engine', async () => {
    setFaults({ http5xxRate: 1 });
    const r = await limitBuy('five-1');
    expect([500, 502, 503]).toContain(r.status);
    expect(r.body).toBeUndefined();
    expect(h.exchange.openOrders(ACCOUNT)).toHaveLength(0);
  });

  it('X-RTY-2 timeout-after-accept: the order is placed but the answer never comes; a query by orderLinkId finds it', async () => {
    setFaults({ timeoutAfterAcceptRate: 1, timeoutHoldMs: 50 });
    await expect(limitBuy('lost-ack-1')).rejects.toThrow();
    h.server.setFaults(NO_FAULTS);
    const q = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'lost-ack-1' });
    expect(q.body?.result.list[0]).toMatchObject({ orderLinkId: 'lost-ack-1', orderStatus: 'New' });
    expect(h.server.counters().timeoutsAfterAccept).toBe(1);
  });

  it('timeout-after-accept@never holds the request open until the server closes', async () => {
    setFaults({ timeoutAfterAcceptRate: 1, timeoutHoldMs: null });
    const placed = new Promise<void>((resolve) => {
      const off = h.exchange.subscribe((e: SimEvent) => {
        if (e.type === 'order' && e.order.clientOrderId === 'held-1') {
          off();
          resolve();
        }
      });
    });
    const pending = limitBuy('held-1');
    await placed;
    h.server.setFaults(NO_FAULTS);
    const state = await control('GET', '/sim/control/state');
    expect(state.body['heldRequests']).toBe(1);
    const q = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', orderLinkId: 'held-1' });
    expect(q.body?.result.list).toHaveLength(1);
    await h.close();
    await expect(pending).rejects.toThrow();
  });

  it('reject: refuses order creation with the forced retCode and places nothing', async () => {
    await control('POST', '/sim/control/faults', { rejects: [{ retCode: 110007, rate: 1 }] });
    const r = await limitBuy('forced-1');
    expect(r.body?.retCode).toBe(110007);
    expect(r.body?.retMsg).toMatch(/not enough/);
    const q = await h.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', orderLinkId: 'forced-1' });
    expect(q.body?.result.list).toHaveLength(0);
  });

  it('refuses an invalid plan on the control endpoint and keeps the old one', async () => {
    setFaults({ gapRate: 0.5 });
    const bad = await control('POST', '/sim/control/faults', { gapRate: 3 });
    expect(bad.status).toBe(400);
    expect(String(bad.body['error'])).toContain('gapRate');
    const badSpec = await control('POST', '/sim/control/faults', { spec: 'gap:2' });
    expect(badSpec.status).toBe(400);
    const state = await control('GET', '/sim/control/state');
    expect((state.body['faults'] as Row)['gapRate']).toBe(0.5);
  });
});
