/**
 * The façade's restart-drill control endpoints over a real loopback server: the order and position views, pausing
 * and resuming the clock driver, and clearing a position's TP/SL with "0" through the real trading-stop endpoint.
 */
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { runSim } from '../../../src/app/sim.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { createRawBybitClient, RawWs, type BybitList, type Frame } from '../../support/bybitRawClient.ts';
import { ACCOUNT, ACCOUNT2, KEY2, SECRET2, startHarness, type Harness } from './bybitFacadeHarness.ts';

type Row = Record<string, unknown>;

const BARS = fileURLToPath(new URL('../../../data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv', import.meta.url));

let h: Harness | undefined;
const sockets: RawWs[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await h?.close();
  h = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

const harness = async (opts: { driveIntervalMs?: number } = {}): Promise<Harness> => {
  h = await startHarness(opts);
  return h;
};

const control = async (hh: { readonly server: { readonly url: string } }, method: 'GET' | 'POST', path: string, body?: unknown) => {
  const res = await request(`${hh.server.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.statusCode, body: (await res.body.json()) as Row };
};

const ordersOf = (r: { body: Row }) => r.body['orders'] as Row[];
const positionsOf = (r: { body: Row }) => r.body['positions'] as Row[];

const bestBid = (hh: Harness): Decimal => hh.exchange.book('BTCUSDT', 1).bids[0]?.[0] as Decimal;

const createOrder = async (hh: Harness, body: Row): Promise<string> => {
  const res = await hh.rest.post<{ orderId: string }>('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', ...body });
  expect(res.body?.retCode).toBe(0);
  return res.body?.result.orderId as string;
};

const restingBuy = (hh: Harness, orderLinkId: string) => createOrder(hh, { side: 'Buy', orderType: 'Limit', qty: '0.010', price: bestBid(hh).minus(300).toString(), orderLinkId });

const setStop = (hh: Harness, stop: Row) => hh.rest.post('/v5/position/trading-stop', { category: 'linear', symbol: 'BTCUSDT', tpslMode: 'Full', positionIdx: 0, ...stop });

/** Polls (one HTTP round trip per probe, no timers) until `done` holds; fails after `timeoutMs`. */
const until = async <T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> => {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last ${JSON.stringify(value)}`);
  }
};

describe('GET /sim/control/orders', () => {
  it('X-REC-5 lists a filled, a cancelled and an open order with their statuses and link ids', async () => {
    const hh = await harness();
    const filled = await createOrder(hh, { side: 'Buy', orderType: 'Market', qty: '0.010', orderLinkId: 'drill-filled' });
    const cancelled = await restingBuy(hh, 'drill-cancelled');
    const cancel = await hh.rest.post('/v5/order/cancel', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'drill-cancelled' });
    expect(cancel.body?.retCode).toBe(0);
    const open = await restingBuy(hh, 'drill-open');
    // Another account's order must not leak into this account's view.
    const other = createRawBybitClient({ baseUrl: hh.server.url, apiKey: KEY2, secret: SECRET2, now: () => hh.clock.now() });
    expect((await other.post('/v5/order/create', { category: 'linear', symbol: 'BTCUSDT', side: 'Sell', orderType: 'Market', qty: '0.005', orderLinkId: 'other-acct' })).body?.retCode).toBe(0);

    const res = await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, engineTime: hh.exchange.now(), account: ACCOUNT });
    const orders = ordersOf(res);
    expect(orders.map((o) => [o['orderId'], o['orderLinkId'], o['status']])).toEqual([
      [filled, 'drill-filled', 'Filled'],
      [cancelled, 'drill-cancelled', 'Cancelled'],
      [open, 'drill-open', 'New'],
    ]);
    const engineFilled = hh.exchange.getOrder(ACCOUNT, 'BTCUSDT', { orderId: filled });
    expect(orders[0]).toMatchObject({ symbol: 'BTCUSDT', side: 'Buy', orderType: 'Market', qty: '0.01', price: '', cumExecQty: '0.01', reduceOnly: false, avgPrice: engineFilled?.averagePrice?.toString() });
    expect(orders[1]).toMatchObject({ orderType: 'Limit', cumExecQty: '0', cancelType: 'CancelByUser', price: bestBid(hh).minus(300).toString() });
    expect(orders[2]).toMatchObject({ cumExecQty: '0', createdTime: String(hh.clock.now()), updatedTime: String(hh.clock.now()) });
    expect(orders.every((o) => !('stopOrderType' in o))).toBe(true);

    const otherView = await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT2}`);
    expect(ordersOf(otherView).map((o) => [o['orderLinkId'], o['side'], o['status']])).toEqual([['other-acct', 'Sell', 'Filled']]);
    expect(ordersOf(await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT}&symbol=ADAUSDT`))).toEqual([]);
    expect(ordersOf(await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT}&symbol=BTCUSDT`))).toHaveLength(3);
  });

  it('X-REC-5 needs an account when the façade trades for several, and refuses unknown accounts and symbols', async () => {
    const hh = await harness();
    const missing = await control(hh, 'GET', '/sim/control/orders');
    expect(missing.status).toBe(400);
    expect(String(missing.body['error'])).toContain(ACCOUNT2);
    expect((await control(hh, 'GET', '/sim/control/positions?account=nobody')).status).toBe(400);
    expect((await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT}&symbol=DOGEUSDT`)).status).toBe(400);
  });

  it('X-REC-5 lists every order of a long session: 5,000 orders, none capped or dropped', async () => {
    const hh = await harness();
    const price = bestBid(hh).minus(500);
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const placed = hh.exchange.placeOrder({ account: ACCOUNT, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: new Decimal('0.001'), price, timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId: `bulk-${i}` });
      if (!placed.ok) throw new Error(placed.message);
      expected.push(placed.value.orderId);
      // Keep the last few open so the view mixes open and closed orders.
      if (i < 4995) expect(hh.exchange.cancelOrder(ACCOUNT, 'BTCUSDT', { orderId: placed.value.orderId }).ok).toBe(true);
    }
    const orders = ordersOf(await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT}`));
    expect(orders.map((o) => o['orderId'])).toEqual(expected);
    expect(orders.filter((o) => o['status'] === 'New').map((o) => o['orderLinkId'])).toEqual(['bulk-4995', 'bulk-4996', 'bulk-4997', 'bulk-4998', 'bulk-4999']);
    expect(orders.filter((o) => o['status'] === 'Cancelled')).toHaveLength(4995);
  });
});

describe('GET /sim/control/positions', () => {
  it('X-REC-5 shows an open position with its TP/SL and leaves flat symbols out', async () => {
    const hh = await harness();
    expect(positionsOf(await control(hh, 'GET', `/sim/control/positions?account=${ACCOUNT}`))).toEqual([]);
    await createOrder(hh, { side: 'Buy', orderType: 'Market', qty: '0.020' });
    const last = hh.exchange.ticker('BTCUSDT').lastPrice;
    const tp = last.plus(800).toString();
    const sl = last.minus(800).toString();
    expect((await setStop(hh, { takeProfit: tp, stopLoss: sl })).body?.retCode).toBe(0);

    const res = await control(hh, 'GET', `/sim/control/positions?account=${ACCOUNT}`);
    expect(res.status).toBe(200);
    const entry = hh.exchange.positions(ACCOUNT, 'BTCUSDT')[0]?.entryPrice.toString();
    expect(res.body).toMatchObject({ ok: true, engineTime: hh.exchange.now(), account: ACCOUNT });
    expect(positionsOf(res)).toEqual([{ symbol: 'BTCUSDT', side: 'Buy', size: '0.02', avgPrice: entry, takeProfit: tp, stopLoss: sl, positionIdx: 0 }]);
    expect(positionsOf(await control(hh, 'GET', `/sim/control/positions?account=${ACCOUNT}&symbol=ADAUSDT`))).toEqual([]);
    expect(positionsOf(await control(hh, 'GET', `/sim/control/positions?account=${ACCOUNT2}`))).toEqual([]);
  });
});

describe('POST /v5/position/trading-stop with "0"', () => {
  it('X-ORD-6 "0" clears TP and SL together, and "0" on one side clears only that side', async () => {
    const hh = await harness();
    await createOrder(hh, { side: 'Sell', orderType: 'Market', qty: '0.010' });
    const last = hh.exchange.ticker('BTCUSDT').lastPrice;
    const tp = last.minus(700).toString();
    const sl = last.plus(700).toString();
    const view = async () => positionsOf(await control(hh, 'GET', `/sim/control/positions?account=${ACCOUNT}`))[0];
    const list = async () => (await hh.rest.get<BybitList<Row>>('/v5/position/list', { category: 'linear', symbol: 'BTCUSDT' })).body?.result.list[0];

    expect((await setStop(hh, { takeProfit: tp, stopLoss: sl })).body?.retCode).toBe(0);
    expect(await view()).toMatchObject({ side: 'Sell', takeProfit: tp, stopLoss: sl });
    const both = await setStop(hh, { takeProfit: '0', stopLoss: '0' });
    expect(both.body?.retCode).toBe(0);
    expect(await view()).toMatchObject({ side: 'Sell', size: '0.01', takeProfit: '', stopLoss: '' });
    // Bybit's position list spells an unset stop "0".
    expect(await list()).toMatchObject({ size: '0.01', takeProfit: '0', stopLoss: '0' });
    expect(hh.exchange.positions(ACCOUNT, 'BTCUSDT')[0]).toMatchObject({ takeProfit: undefined, stopLoss: undefined });
    // Clearing what is already clear changes nothing: Bybit's 34040 "not modified".
    expect((await setStop(hh, { takeProfit: '0', stopLoss: '0' })).body?.retCode).toBe(34040);

    expect((await setStop(hh, { takeProfit: tp, stopLoss: sl })).body?.retCode).toBe(0);
    expect((await setStop(hh, { stopLoss: '0' })).body?.retCode).toBe(0);
    expect(await view()).toMatchObject({ takeProfit: tp, stopLoss: '' });
    expect(await list()).toMatchObject({ takeProfit: tp, stopLoss: '0' });
  });
});

describe('POST /sim/control/pause', () => {
  const marketFrame = (after: number) => (f: Frame) =>
    (f['topic'] === 'publicTrade.BTCUSDT' || f['topic'] === 'tickers.BTCUSDT') && Number(f['ts']) > after;

  it('X-REC-5 freezes the engine and market pushes while REST keeps serving; resume catches up in one step', async () => {
    const hh = await harness({ driveIntervalMs: 5 });
    const ws = await RawWs.open(hh.server.wsPublicUrl);
    sockets.push(ws);
    ws.send({ op: 'subscribe', args: ['publicTrade.BTCUSDT', 'tickers.BTCUSDT'] });
    await ws.next((f) => f['op'] === 'subscribe');
    // Only the server's driver advances the engine here; the test moves the virtual clock alone.
    const started = hh.clock.now();
    hh.clock.advanceBy(60_000);
    await ws.next(marketFrame(started));

    const paused = await control(hh, 'POST', '/sim/control/pause', { paused: true });
    const frozenAt = hh.clock.now();
    expect(paused).toMatchObject({ status: 200, body: { ok: true, paused: true, engineTime: frozenAt } });
    const skippedBefore = ((await control(hh, 'GET', '/sim/control/state')).body['drive'] as { skippedWhilePaused: number }).skippedWhilePaused;

    hh.clock.advanceBy(10 * 60_000);
    // Wait until the driver has ticked (and skipped) several times since the clock moved.
    const state = await until(
      () => control(hh, 'GET', '/sim/control/state'),
      (r) => (r.body['drive'] as { skippedWhilePaused: number }).skippedWhilePaused >= skippedBefore + 3,
    );
    expect(state.body).toMatchObject({ paused: true, engineTime: frozenAt, serverTime: hh.clock.now() });
    expect(hh.exchange.nextEventAt()).toBeLessThan(hh.clock.now());

    // REST is served against the frozen book, with signatures checked against the running server time.
    const id = await restingBuy(hh, 'while-paused');
    const realtime = await hh.rest.get<BybitList<Row>>('/v5/order/realtime', { category: 'linear', symbol: 'BTCUSDT', orderLinkId: 'while-paused' });
    expect(realtime.body?.result.list[0]).toMatchObject({ orderId: id, orderStatus: 'New', createdTime: String(hh.clock.now()) });
    expect((await hh.rest.post('/v5/order/cancel', { category: 'linear', symbol: 'BTCUSDT', orderId: id })).body?.retCode).toBe(0);
    const orders = await control(hh, 'GET', `/sim/control/orders?account=${ACCOUNT}`);
    expect(orders.body['engineTime']).toBe(frozenAt);
    expect(ordersOf(orders).map((o) => [o['orderLinkId'], o['status']])).toEqual([['while-paused', 'Cancelled']]);

    // A pong is sent after every frame queued before it, so everything pushed while paused has arrived by now.
    ws.send({ op: 'ping', req_id: 'paused-ping' });
    await ws.next((f) => f['req_id'] === 'paused-ping');
    expect(ws.received.filter(marketFrame(frozenAt))).toEqual([]);

    const resumed = await control(hh, 'POST', '/sim/control/pause', { paused: false });
    expect(resumed).toMatchObject({ status: 200, body: { ok: true, paused: false, engineTime: hh.clock.now() } });
    // The catch-up processed every replayed tick up to the clock at once.
    expect(hh.exchange.nextEventAt()).toBeGreaterThan(hh.clock.now());
    const pushed = await ws.next(marketFrame(frozenAt + 60_000));
    expect(Number(pushed['ts'])).toBeLessThanOrEqual(hh.clock.now());
    expect((await control(hh, 'GET', '/sim/control/state')).body).toMatchObject({ paused: false, engineTime: hh.clock.now() });
    expect(hh.server.isPaused()).toBe(false);
  });

  it('X-REC-5 refuses a malformed body, and pausing a façade that does not drive its engine', async () => {
    const hh = await harness();
    expect((await control(hh, 'POST', '/sim/control/pause', { paused: 'yes' })).status).toBe(400);
    expect((await control(hh, 'POST', '/sim/control/pause')).status).toBe(400);
    const refused = await control(hh, 'POST', '/sim/control/pause', { paused: true });
    expect(refused.status).toBe(409);
    expect(refused.body['ok']).toBe(false);
    expect((await control(hh, 'GET', '/sim/control/state')).body).toMatchObject({ paused: false, drive: null });
  });
});

describe('the standalone simulator (runSim)', () => {
  it('X-REC-5 opens its documented accounts main and second, asks which one a control view is about, and pauses its driven engine', async () => {
    const sim = await runSim({ venue: 'bybit', port: 0, dataFiles: [BARS], speed: 1, seed: 3 });
    cleanups.push(() => sim.stop());
    const unnamed = await control(sim, 'GET', '/sim/control/orders');
    expect(unnamed).toMatchObject({ status: 400, body: { ok: false } });
    expect(JSON.stringify(unnamed.body)).toContain('account is required (one of main, second)');
    const orders = await control(sim, 'GET', '/sim/control/orders?account=main');
    expect(orders).toMatchObject({ status: 200, body: { ok: true, account: 'main', orders: [] } });
    expect((await control(sim, 'GET', '/sim/control/positions?account=second')).body).toMatchObject({ ok: true, account: 'second', positions: [] });
    // Both accounts are funded like the first.
    expect(sim.exchange.wallet('second').find((w) => w.coin === 'USDT')?.walletBalance.toString()).toBe('100000');

    const paused = await control(sim, 'POST', '/sim/control/pause', { paused: true });
    expect(paused.body).toMatchObject({ ok: true, paused: true });
    const frozenAt = paused.body['engineTime'] as number;
    const skipped = (r: { body: Row }) => (r.body['drive'] as { skippedWhilePaused: number }).skippedWhilePaused;
    const first = await control(sim, 'GET', '/sim/control/state');
    const later = await until(() => control(sim, 'GET', '/sim/control/state'), (r) => skipped(r) >= skipped(first) + 3 && (r.body['serverTime'] as number) > frozenAt);
    expect(later.body).toMatchObject({ paused: true, engineTime: frozenAt });
    const resumed = await control(sim, 'POST', '/sim/control/pause', { paused: false });
    expect(resumed.body['engineTime']).toBeGreaterThanOrEqual(later.body['serverTime'] as number);
  });
});
