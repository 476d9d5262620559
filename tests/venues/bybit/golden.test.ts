/**
 * Golden requests: every adapter command produces exactly this method, path, query, body and header set (signature
 * and timestamp excepted, which are verified rather than pinned), captured by a loopback recorder that answers with
 * the docs' example envelopes.
 */
import { createHmac } from 'node:crypto';
import { Redacted } from 'effect';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { wallClock } from '../../../src/kernel/Clock.ts';
import { decodeBybitConfig } from '../../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue, type BybitVenue } from '../../../src/venues/bybit/BybitVenue.ts';
import { fixture, startRecorder, type RecordedRequest, type Recorder } from './recorder.ts';
import { fail, run } from '../../support/venueEffects.ts';

const KEY = 'golden-key-0001';
const SECRET = 'golden-secret-0001';

const ok = (result: unknown): string => JSON.stringify({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: 1672211918471 });

let rec: Recorder;
let venue: BybitVenue;


/** The signed-request invariants: key, recv window, a fresh timestamp, a valid signature, no Referer. */
const expectSigned = (r: RecordedRequest): void => {
  expect(r.headers['x-bapi-api-key']).toBe(KEY);
  expect(r.headers['x-bapi-recv-window']).toBe('5000');
  const ts = String(r.headers['x-bapi-timestamp']);
  expect(ts).toMatch(/^\d{13}$/);
  expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(5000);
  const payload = r.method === 'GET' ? r.query : r.body;
  expect(r.headers['x-bapi-sign']).toBe(createHmac('sha256', SECRET).update(`${ts}${KEY}5000${payload}`).digest('hex'));
  expect(r.headers['referer']).toBeUndefined();
  expect(r.headers['x-referer']).toBeUndefined();
};

const expectUnsigned = (r: RecordedRequest): void => {
  expect(r.headers['x-bapi-api-key']).toBeUndefined();
  expect(r.headers['x-bapi-sign']).toBeUndefined();
};

const last = (): RecordedRequest => {
  const r = rec.requests[rec.requests.length - 1];
  if (r === undefined) throw new Error('no request recorded');
  return r;
};

beforeAll(async () => {
  rec = await startRecorder();
  rec.reply('GET /v5/market/instruments-info', { body: fixture('http_get_market_instruments-info.json') });
  rec.reply('GET /v5/market/time', { body: fixture('http_get_market_time.json') });
  rec.reply('GET /v5/market/orderbook', { body: fixture('http_get_market_orderbook.json') });
  rec.reply('POST /v5/order/create', { body: fixture('http_post_order_create.json') });
  rec.reply('POST /v5/order/amend', { body: ok({ orderId: 'c6f055d9-7f21-4079-913d-e6523a9cfffa', orderLinkId: 'tw-a-1' }) });
  rec.reply('POST /v5/order/cancel', { body: ok({ orderId: 'c6f055d9-7f21-4079-913d-e6523a9cfffa', orderLinkId: 'tw-a-1' }) });
  rec.reply('POST /v5/order/cancel-all', { body: fixture('http_post_order_cancel-all.json') });
  rec.reply('GET /v5/order/realtime', { body: fixture('http_get_order_realtime.json') });
  rec.reply('GET /v5/order/history', { body: fixture('http_get_order_realtime.json') });
  rec.reply('GET /v5/execution/list', { body: fixture('http_get_execution_list.json').replace('132766%3A2%2C132766%3A2', '') });
  rec.reply('GET /v5/position/list', { body: fixture('http_get_position_list.json') });
  rec.reply('GET /v5/account/wallet-balance', { body: fixture('http_get_account_wallet-balance.json') });
  rec.reply('POST /v5/position/trading-stop', { body: ok({}) });
  rec.reply('POST /v5/position/set-leverage', { body: ok({}) });
  venue = makeBybitVenue(
    decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET), requestTimeoutMs: 1500 }),
    { clock: wallClock },
  );
});

/** A venue of its own, for tests that move the clock offset (the fixtures' server time is from 2023). */
const freshVenue = (): BybitVenue =>
  makeBybitVenue(decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET) }), { clock: wallClock });

afterAll(async () => {
  await venue.close();
  await rec.close();
});

beforeEach(() => {
  rec.requests.length = 0;
});

describe('Bybit golden requests', () => {
  it('instruments: GET instruments-info with category and limit, unsigned, decoded to Decimal filters', async () => {
    const list = await run(venue.instruments());
    expect(rec.requests).toHaveLength(1);
    const r = last();
    expect([r.method, r.path, r.query, r.body]).toEqual(['GET', '/v5/market/instruments-info', 'category=linear&limit=1000', '']);
    expectUnsigned(r);
    expect(list).toHaveLength(1);
    expect(list[0]?.tickSize.toString()).toBe('0.1');
    expect(list[0]?.maxMarketQuantity.toString()).toBe('500');
    // S0-15: the order-price band around the mark (riskParameters).
    expect([list[0]?.priceLimitRatio?.x.toString(), list[0]?.priceLimitRatio?.y.toString()]).toEqual(['0.01', '0.02']);
  });

  it('instruments: follows nextPageCursor until it is empty', async () => {
    rec.once('GET /v5/market/instruments-info', { body: fixture('http_get_market_instruments-info_prelisting.json') });
    const list = await run(venue.instruments());
    expect(rec.requests.map((r) => r.query)).toEqual(['category=linear&limit=1000', 'category=linear&limit=1000&cursor=first%3DBIOUSDT%26last%3DBIOUSDT']);
    expect(list.map((i) => [i.symbol, i.status])).toEqual([
      ['BIOUSDT', 'halted'],
      ['BTCUSDT', 'trading'],
    ]);
  });

  it('serverTime: GET /v5/market/time, returns the venue ms and updates the offset estimate', async () => {
    const own = freshVenue();
    expect(own.clockGate.isOpen()).toBe(true);
    const t = await run(own.serverTime());
    await own.close();
    expect(t).toBe(1688639403423);
    expect([last().method, last().path, last().query]).toEqual(['GET', '/v5/market/time', '']);
    // The fixture's time is in 2023, so the estimated offset is hugely negative and the gate closes.
    expect(own.clockOffsetMs()).toBeLessThan(-1e11);
    expect(own.clockGate.isOpen()).toBe(false);
  });

  it('placeOrder: post-only limit → PostOnly, orderLinkId = clientOrderId, price/qty at tick/step', async () => {
    await run(venue.instruments());
    rec.requests.length = 0;
    const ack = await run(
      venue.placeOrder({
        clientOrderId: 'tw-s0-0001-0',
        symbol: 'BTCUSDT',
        side: 'buy',
        type: 'limit',
        quantity: new Decimal('0.01'),
        price: new Decimal('25000'),
        timeInForce: 'post_only',
        reduceOnly: false,
      }),
    );
    const r = last();
    expect([r.method, r.path, r.query]).toEqual(['POST', '/v5/order/create', '']);
    expect(r.body).toBe(
      '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Limit","qty":"0.010","price":"25000.0","timeInForce":"PostOnly","positionIdx":0,"orderLinkId":"tw-s0-0001-0","reduceOnly":false}',
    );
    expect(r.headers['content-type']).toBe('application/json');
    expectSigned(r);
    expect(ack).toEqual({ venueOrderId: '1321003749386327552', clientOrderId: 'spot-test-postonly' });
  });

  it('placeOrder: reduce-only close-on-trigger market order (fetches the instrument on a cache miss)', async () => {
    const fresh = makeBybitVenue(
      decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET) }),
      { clock: wallClock },
    );
    await run(
      fresh.placeOrder({ clientOrderId: 'tw-x-1', symbol: 'BTCUSDT', side: 'sell', type: 'market', quantity: new Decimal('1.5'), timeInForce: 'ioc', reduceOnly: true, closeOnTrigger: true }),
    );
    await fresh.close();
    expect(rec.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      'GET /v5/market/instruments-info?category=linear&symbol=BTCUSDT',
      'POST /v5/order/create?',
    ]);
    expect(last().body).toBe(
      '{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"1.500","timeInForce":"IOC","positionIdx":0,"orderLinkId":"tw-x-1","reduceOnly":true,"closeOnTrigger":true}',
    );
  });

  it('placeOrder: refuses an off-tick price locally, sending nothing (definitive rejection)', async () => {
    await run(venue.instruments());
    rec.requests.length = 0;
    const err = await fail(
      venue.placeOrder({ clientOrderId: 'tw-off', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: new Decimal('0.001'), price: new Decimal('25000.05'), timeInForce: 'gtc', reduceOnly: false }),
    );
    expect(err.reason.kind).toBe('rejected');
    expect(rec.requests).toHaveLength(0);
  });

  it('amendOrder: POST /v5/order/amend by orderLinkId with the changed fields only', async () => {
    await run(venue.instruments());
    rec.requests.length = 0;
    await run(venue.amendOrder({ symbol: 'BTCUSDT', clientOrderId: 'tw-a-1', price: new Decimal('25100.5') }));
    expect(last().body).toBe('{"category":"linear","symbol":"BTCUSDT","orderLinkId":"tw-a-1","price":"25100.5"}');
    expectSigned(last());
  });

  it('cancelOrder: POST /v5/order/cancel by orderLinkId', async () => {
    const ack = await run(venue.cancelOrder('BTCUSDT', 'tw-a-1'));
    expect([last().path, last().body]).toEqual(['/v5/order/cancel', '{"category":"linear","symbol":"BTCUSDT","orderLinkId":"tw-a-1"}']);
    expectSigned(last());
    expect(ack.clientOrderId).toBe('tw-a-1');
  });

  it('cancelAll: by symbol, or by settle coin when no symbol is given; returns the orderLinkIds', async () => {
    const ids = await run(venue.cancelAll('BTCUSDT'));
    await run(venue.cancelAll());
    expect(rec.requests.map((r) => r.body)).toEqual(['{"category":"linear","symbol":"BTCUSDT"}', '{"category":"linear","settleCoin":"USDT"}']);
    expect(ids).toEqual(['a001']);
  });

  it('setProtection: trading-stop Full with the request trigger on both sides; undefined clears with "0"', async () => {
    await run(venue.instruments());
    rec.requests.length = 0;
    await run(venue.setProtection({ symbol: 'BTCUSDT', takeProfit: new Decimal('28000'), stopLoss: new Decimal('24000.5'), trigger: 'mark' }));
    await run(venue.setProtection({ symbol: 'BTCUSDT', takeProfit: undefined, stopLoss: new Decimal('24000'), trigger: 'index' }));
    await run(venue.setProtection({ symbol: 'BTCUSDT', takeProfit: new Decimal('28000'), stopLoss: undefined, trigger: 'last' }));
    expect(rec.requests.map((r) => r.body)).toEqual([
      '{"category":"linear","symbol":"BTCUSDT","takeProfit":"28000.0","stopLoss":"24000.5","tpTriggerBy":"MarkPrice","slTriggerBy":"MarkPrice","tpslMode":"Full","positionIdx":0}',
      '{"category":"linear","symbol":"BTCUSDT","takeProfit":"0","stopLoss":"24000.0","tpTriggerBy":"IndexPrice","slTriggerBy":"IndexPrice","tpslMode":"Full","positionIdx":0}',
      '{"category":"linear","symbol":"BTCUSDT","takeProfit":"28000.0","stopLoss":"0","tpTriggerBy":"LastPrice","slTriggerBy":"LastPrice","tpslMode":"Full","positionIdx":0}',
    ]);
    expect(rec.requests.every((r) => r.path === '/v5/position/trading-stop')).toBe(true);
  });

  it('setLeverage: buy == sell leverage; 110043 (not modified) counts as success', async () => {
    await run(venue.setLeverage('BTCUSDT', new Decimal('6')));
    expect([last().path, last().body]).toEqual(['/v5/position/set-leverage', '{"category":"linear","symbol":"BTCUSDT","buyLeverage":"6","sellLeverage":"6"}']);
    rec.once('POST /v5/position/set-leverage', { body: JSON.stringify({ retCode: 110043, retMsg: 'Set leverage not modified', result: {}, retExtInfo: {}, time: 1 }) });
    await run(venue.setLeverage('BTCUSDT', new Decimal('6')));
  });

  it('openOrders: GET realtime with symbol (or settleCoin) and limit, following the cursor', async () => {
    rec.once('GET /v5/order/realtime', { body: fixture('http_get_order_realtime.json') });
    rec.once('GET /v5/order/realtime', { body: ok({ list: [], nextPageCursor: '', category: 'linear' }) });
    const orders = await run(venue.openOrders('ETHUSDT'));
    expect(rec.requests.map((r) => r.query)).toEqual([
      'category=linear&symbol=ETHUSDT&limit=50',
      'category=linear&symbol=ETHUSDT&limit=50&cursor=page_args%3Dfd4300ae-7847-404e-b947-b46980a4d140%26symbol%3D6%26',
    ]);
    expectSigned(rec.requests[0] as RecordedRequest);
    expect(orders.map((o) => [o.clientOrderId, o.status, o.price?.toString(), o.averageFillPrice])).toEqual([['test-000005', 'new', '1600', undefined]]);
    rec.requests.length = 0;
    rec.once('GET /v5/order/realtime', { body: ok({ list: [], nextPageCursor: '', category: 'linear' }) });
    await run(venue.openOrders());
    expect(last().query).toBe('category=linear&settleCoin=USDT&limit=50');
  });

  it('orderByClientId: realtime by orderLinkId, then history; undefined only when both are empty', async () => {
    const empty = ok({ list: [], nextPageCursor: '', category: 'linear' });
    rec.once('GET /v5/order/realtime', { body: empty });
    const found = await run(venue.orderByClientId('ETHUSDT', 'test-000005'));
    expect(rec.requests.map((r) => `${r.path}?${r.query}`)).toEqual([
      '/v5/order/realtime?category=linear&symbol=ETHUSDT&orderLinkId=test-000005',
      '/v5/order/history?category=linear&symbol=ETHUSDT&orderLinkId=test-000005',
    ]);
    expect(found?.venueOrderId).toBe('fd4300ae-7847-404e-b947-b46980a4d140');
    rec.requests.length = 0;
    rec.once('GET /v5/order/realtime', { body: empty });
    rec.once('GET /v5/order/history', { body: empty });
    expect(await run(venue.orderByClientId('ETHUSDT', 'test-000005'))).toBeUndefined();
    expect(rec.requests).toHaveLength(2);
  });

  it('positions: GET position/list with symbol and limit; TP/SL "0.00" means none', async () => {
    const list = await run(venue.positions('BTCUSD'));
    expect(last().query).toBe('category=linear&symbol=BTCUSD&limit=200');
    expectSigned(last());
    expect(list[0]).toMatchObject({ symbol: 'BTCUSD', side: 'short', takeProfit: undefined, stopLoss: undefined });
    expect(list[0]?.quantity.toString()).toBe('300');
  });

  it('balances: GET wallet-balance?accountType=UNIFIED', async () => {
    const b = await run(venue.balances());
    expect(last().query).toBe('accountType=UNIFIED');
    expectSigned(last());
    expect(b.map((x) => [x.asset, x.total.toString(), x.available.toString()])).toEqual([['BTC', '0.805994', '0.805994']]);
  });

  it('executionsSince: GET execution/list with startTime and limit, oldest first, fee asset defaulted', async () => {
    const recent = Date.now() - 60_000;
    rec.once('GET /v5/execution/list', { body: ok({ list: [], nextPageCursor: '', category: 'linear' }) });
    await run(venue.executionsSince(recent, 'BTCUSDT'));
    expect(last().query).toBe(`category=linear&symbol=BTCUSDT&startTime=${recent}&limit=100`);
    expectSigned(last());
    rec.requests.length = 0;
    // A venue whose clock reads 15 days after `since`: three 7-day windows, endTime on all but the last.
    const since = 1672282722000;
    const now = since + 15 * 86_400_000;
    const own = makeBybitVenue(decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET) }), {
      clock: { now: () => now },
    });
    const fills = await run(own.executionsSince(since));
    await own.close();
    const week = 7 * 86_400_000;
    expect(rec.requests.map((r) => r.query)).toEqual([
      `category=linear&startTime=${since}&endTime=${since + week - 1}&limit=100`,
      `category=linear&startTime=${since + week}&endTime=${since + 2 * week - 1}&limit=100`,
      `category=linear&startTime=${since + 2 * week}&limit=100`,
    ]);
    // The same execution served by every window is reported once.
    expect(fills.map((f) => [f.tradeId, f.feeAsset, f.fee.toString()])).toEqual([['e0cbe81d-0f18-5866-9415-cf319b5dab3b', 'USDT', '0.071409']]);
  });

  it('orderBook: GET market/orderbook with category, symbol, limit; unsigned', async () => {
    const book = await run(venue.orderBook('BTCUSDT', 50));
    expect(last().query).toBe('category=linear&symbol=BTCUSDT&limit=50');
    expectUnsigned(last());
    expect(book.updateId).toBe(5277055);
    expect(book.bids[0]?.price.toString()).toBe('16638.27');
  });
});

describe('Bybit HTTP failure handling', () => {
  it('X-REC-6 a request that gets no answer fails with timeout (unknown outcome), not rejected', async () => {
    await run(venue.instruments());
    rec.once('POST /v5/order/create', { body: '', hang: true });
    const err = await fail(
      venue.placeOrder({ clientOrderId: 'tw-hang', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: new Decimal('0.001'), price: new Decimal('25000'), timeInForce: 'gtc', reduceOnly: false }),
    );
    expect(err.reason).toEqual({ kind: 'timeout', afterMs: 1500 });
  });

  it('maps HTTP 429 with Retry-After to rate_limited with retryAfterMs', async () => {
    rec.once('GET /v5/position/list', { status: 429, headers: { 'Retry-After': '2' }, body: '' });
    const err = await fail(venue.positions('BTCUSDT'));
    expect(err.reason).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
  });

  it('X-RT-10 a malformed body is a decode failure, never a crash', async () => {
    rec.once('GET /v5/position/list', { body: '{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"BTCUSDT","side":"Buy","size":"abc"}]}}' });
    expect((await fail(venue.positions('BTCUSDT'))).reason.kind).toBe('decode');
    rec.once('GET /v5/position/list', { body: '<html>oops</html>' });
    expect((await fail(venue.positions('BTCUSDT'))).reason.kind).toBe('decode');
  });

  it('maps a retCode to its typed rejection (110072 duplicate orderLinkId)', async () => {
    await run(venue.instruments());
    rec.once('POST /v5/order/create', { body: JSON.stringify({ retCode: 110072, retMsg: 'OrderLinkedID is duplicate', result: {}, retExtInfo: {}, time: 1 }) });
    const err = await fail(
      venue.placeOrder({ clientOrderId: 'tw-dup', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: new Decimal('0.001'), price: new Decimal('25000'), timeInForce: 'gtc', reduceOnly: false }),
    );
    expect(err.reason).toMatchObject({ kind: 'rejected', code: '110072', category: 'duplicate_client_id' });
  });

  it('X-CLK-3 a 10002 rejection re-measures server time and retries exactly once', async () => {
    const own = freshVenue();
    rec.once('GET /v5/account/wallet-balance', { body: JSON.stringify({ retCode: 10002, retMsg: 'invalid request, please check your server timestamp', result: {}, retExtInfo: {}, time: 1 }) });
    await run(own.balances());
    expect(rec.requests.map((r) => r.path)).toEqual(['/v5/account/wallet-balance', '/v5/market/time', '/v5/account/wallet-balance']);
    rec.requests.length = 0;
    const skew = JSON.stringify({ retCode: 10002, retMsg: 'timestamp', result: {}, retExtInfo: {}, time: 1 });
    rec.once('GET /v5/account/wallet-balance', { body: skew });
    rec.once('GET /v5/account/wallet-balance', { body: skew });
    expect((await fail(own.balances())).reason.kind).toBe('clock_skew');
    await own.close();
    expect(rec.requests.map((r) => r.path)).toEqual(['/v5/account/wallet-balance', '/v5/market/time', '/v5/account/wallet-balance']);
  });

  it('paces requests with the per-group token bucket on the injected clock, failing fast beyond maxQueueMs', async () => {
    let now = 1_800_000_000_000;
    const paced = makeBybitVenue(
      decodeBybitConfig({
        environment: 'sim',
        baseUrl: rec.url,
        apiKey: Redacted.make(KEY),
        apiSecret: Redacted.make(SECRET),
        rateLimits: {
          order: { burst: 10, perSecond: 10 },
          position: { burst: 10, perSecond: 10 },
          account: { burst: 10, perSecond: 10 },
          market: { burst: 1, perSecond: 1 },
          maxQueueMs: 0,
        },
      }),
      { clock: { now: () => now } },
    );
    await run(paced.orderBook('BTCUSDT', 1));
    const err = await fail(paced.orderBook('BTCUSDT', 1));
    expect(err.reason).toMatchObject({ kind: 'rate_limited', retryAfterMs: 1000 });
    // Another group is unaffected, and the market bucket refills as the injected clock moves.
    await run(paced.positions('BTCUSDT'));
    now += 1000;
    await run(paced.orderBook('BTCUSDT', 1));
    await paced.close();
    expect(rec.requests.map((r) => r.path)).toEqual(['/v5/market/orderbook', '/v5/position/list', '/v5/market/orderbook']);
  });

  it('X-SEC-4 failure logs carry operation, kind and code, never the key, secret, signature or payload', async () => {
    const lines: Array<{ obj: object; msg: string | undefined }> = [];
    const logger = { debug: (obj: object, msg?: string) => void lines.push({ obj, msg }), warn: (obj: object, msg?: string) => void lines.push({ obj, msg }) };
    const logged = makeBybitVenue(
      decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET) }),
      { clock: wallClock, logger },
    );
    rec.once('GET /v5/position/list', { body: '{"retCode":0,"retMsg":"OK","result":{"list":[{"symbol":"SECRETSYMBOL","side":"Buy","size":"x"}]}}' });
    await fail(logged.positions('BTCUSDT'));
    rec.once('GET /v5/account/wallet-balance', { body: JSON.stringify({ retCode: 10004, retMsg: 'error sign', result: {}, retExtInfo: {}, time: 1 }) });
    await fail(logged.balances());
    await logged.close();
    expect(lines.map((l) => l.msg)).toEqual(['payload_decode_failed', 'bybit_request_failed']);
    expect(lines[1]?.obj).toMatchObject({ operation: 'balances', reason: 'auth', code: '10004' });
    const text = JSON.stringify(lines);
    for (const secret of [KEY, SECRET, 'SECRETSYMBOL']) expect(text).not.toContain(secret);
  });

  it('a connection refused is a transport failure (unknown), not a rejection', async () => {
    const dead = makeBybitVenue(
      decodeBybitConfig({ environment: 'sim', baseUrl: 'http://127.0.0.1:1', apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET) }),
      { clock: wallClock },
    );
    const err = await fail(dead.balances());
    await dead.close();
    expect(err.reason.kind).toBe('transport');
  });
});
