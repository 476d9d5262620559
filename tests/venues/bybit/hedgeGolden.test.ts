/**
 * S0-12 golden requests of hedge mode: the exact bodies `setPositionMode`, `placeOrder` and `setProtection` send for a
 * leg (positionIdx 1 / 2) and for none (0, unchanged), what 110024/110025 mean, and how position lists and the WS
 * position topic decode positionIdx into `Position.leg` — captured by the loopback recorder answering with the docs'
 * example envelopes (positions edited to the leg under test).
 */
import { Either, Redacted } from 'effect';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import type { OrderRequest } from '../../../src/domain/orders.ts';
import { wallClock } from '../../../src/kernel/Clock.ts';
import { decodeBybitConfig } from '../../../src/venues/bybit/BybitConfig.ts';
import { bybitCapabilities, makeBybitVenue, type BybitVenue } from '../../../src/venues/bybit/BybitVenue.ts';
import { decodeWire } from '../../../src/venues/bybit/decoding.ts';
import { BybitHttpPositionList } from '../../../src/venues/bybit/http/messages.ts';
import { decodePrivateFrame } from '../../../src/venues/bybit/ws/BybitWsStream.ts';
import type { AccountEvent } from '../../../src/venues/streams.ts';
import { fixture, fixtureJson, startRecorder, type Recorder } from './recorder.ts';
import { fail, run } from '../../support/venueEffects.ts';

const KEY = 'golden-key-0012';
const SECRET = 'golden-secret-0012';

const envelope = (retCode: number, retMsg: string): string => JSON.stringify({ retCode, retMsg, result: {}, retExtInfo: {}, time: 1675249072814 });

let rec: Recorder;
let venue: BybitVenue;


type Row = Record<string, unknown>;

/** The docs' position-list example with its one position replaced by these edits of it (one per list item). */
const positionList = (...edits: ReadonlyArray<Row>): string => {
  const base = fixtureJson('http_get_position_list.json') as { result: { list: Row[] } } & Row;
  const [item] = base.result.list;
  return JSON.stringify({ ...base, result: { ...base.result, list: edits.map((e) => ({ ...item, symbol: 'BTCUSDT', ...e })) } });
};

const order = (over: Partial<OrderRequest> & Pick<OrderRequest, 'clientOrderId' | 'side'>): OrderRequest => ({
  symbol: 'BTCUSDT',
  type: 'market',
  quantity: new Decimal('0.010'),
  timeInForce: 'ioc',
  reduceOnly: false,
  ...over,
});

beforeAll(async () => {
  rec = await startRecorder();
  rec.reply('GET /v5/market/instruments-info', { body: fixture('http_get_market_instruments-info.json') });
  rec.reply('POST /v5/order/create', { body: fixture('http_post_order_create.json') });
  rec.reply('POST /v5/position/trading-stop', { body: envelope(0, 'OK') });
  rec.reply('POST /v5/position/switch-mode', { body: envelope(0, 'OK') });
  rec.reply('GET /v5/position/list', { body: fixture('http_get_position_list.json') });
  venue = makeBybitVenue(
    decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET), requestTimeoutMs: 1500 }),
    { clock: wallClock },
  );
  await run(venue.instruments());
});

afterAll(async () => {
  await venue.close();
  await rec.close();
});

beforeEach(() => {
  rec.requests.length = 0;
});

describe('Bybit hedge mode, golden requests (S0-12)', () => {
  it('S0-12 hedge mode: the adapter reports hedgeMode', () => {
    expect(bybitCapabilities.hedgeMode).toBe(true);
    expect(venue.capabilities.hedgeMode).toBe(true);
  });

  it('S0-12 setPositionMode: POST /v5/position/switch-mode by the settle coin, mode 3 for hedge and 0 for one-way, signed', async () => {
    await run(venue.setPositionMode('hedge'));
    await run(venue.setPositionMode('one_way'));
    expect(rec.requests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ['POST', '/v5/position/switch-mode', '', '{"category":"linear","coin":"USDT","mode":3}'],
      ['POST', '/v5/position/switch-mode', '', '{"category":"linear","coin":"USDT","mode":0}'],
    ]);
    expect(rec.requests.every((r) => typeof r.headers['x-bapi-sign'] === 'string' && r.headers['x-bapi-api-key'] === KEY)).toBe(true);
  });

  it('S0-12 setPositionMode: 110025 "not modified" is success; 110024 (a position) and 110028 (open orders) are definitive rejections', async () => {
    rec.once('POST /v5/position/switch-mode', { body: envelope(110025, 'Position mode has not been modified.') });
    await run(venue.setPositionMode('hedge'));
    rec.once('POST /v5/position/switch-mode', { body: envelope(110024, 'You have an existing position, so the position mode cannot be switched.') });
    expect((await fail(venue.setPositionMode('one_way'))).reason).toMatchObject({ kind: 'rejected', code: '110024', category: 'other' });
    rec.once('POST /v5/position/switch-mode', { body: envelope(110028, 'You have existing open orders, so the position mode cannot be switched.') });
    expect((await fail(venue.setPositionMode('one_way'))).reason).toMatchObject({ kind: 'rejected', code: '110028', category: 'other' });
    expect(rec.requests).toHaveLength(3);
  });

  it('S0-12 placeOrder: leg long sends positionIdx 1, leg short 2, a reduce-only close keeps its leg\'s index, no leg stays 0', async () => {
    await run(venue.placeOrder(order({ clientOrderId: 'tw-h-1', side: 'buy', leg: 'long' })));
    await run(venue.placeOrder(order({ clientOrderId: 'tw-h-2', side: 'sell', leg: 'short' })));
    await run(venue.placeOrder(order({ clientOrderId: 'tw-h-3', side: 'sell', leg: 'long', reduceOnly: true })));
    await run(venue.placeOrder(order({ clientOrderId: 'tw-h-4', side: 'buy' })));
    expect(rec.requests.map((r) => r.body)).toEqual([
      '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.010","timeInForce":"IOC","positionIdx":1,"orderLinkId":"tw-h-1","reduceOnly":false}',
      '{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.010","timeInForce":"IOC","positionIdx":2,"orderLinkId":"tw-h-2","reduceOnly":false}',
      '{"category":"linear","symbol":"BTCUSDT","side":"Sell","orderType":"Market","qty":"0.010","timeInForce":"IOC","positionIdx":1,"orderLinkId":"tw-h-3","reduceOnly":true}',
      '{"category":"linear","symbol":"BTCUSDT","side":"Buy","orderType":"Market","qty":"0.010","timeInForce":"IOC","positionIdx":0,"orderLinkId":"tw-h-4","reduceOnly":false}',
    ]);
  });

  it('S0-12 setProtection: a leg\'s TP/SL go to its positionIdx (1 long, 2 short); no leg stays 0', async () => {
    await run(venue.setProtection({ symbol: 'BTCUSDT', leg: 'long', takeProfit: new Decimal('28000.0'), stopLoss: new Decimal('24000.0'), trigger: 'mark' }));
    await run(venue.setProtection({ symbol: 'BTCUSDT', leg: 'short', takeProfit: new Decimal('24000.0'), stopLoss: undefined, trigger: 'last' }));
    await run(venue.setProtection({ symbol: 'BTCUSDT', takeProfit: new Decimal('28000.0'), stopLoss: undefined, trigger: 'last' }));
    expect(rec.requests.map((r) => [r.path, r.body])).toEqual([
      ['/v5/position/trading-stop', '{"category":"linear","symbol":"BTCUSDT","takeProfit":"28000.0","stopLoss":"24000.0","tpTriggerBy":"MarkPrice","slTriggerBy":"MarkPrice","tpslMode":"Full","positionIdx":1}'],
      ['/v5/position/trading-stop', '{"category":"linear","symbol":"BTCUSDT","takeProfit":"24000.0","stopLoss":"0","tpTriggerBy":"LastPrice","slTriggerBy":"LastPrice","tpslMode":"Full","positionIdx":2}'],
      ['/v5/position/trading-stop', '{"category":"linear","symbol":"BTCUSDT","takeProfit":"28000.0","stopLoss":"0","tpTriggerBy":"LastPrice","slTriggerBy":"LastPrice","tpslMode":"Full","positionIdx":0}'],
    ]);
  });

  it('S0-12 positions: positionIdx 1 is the long leg, 2 the short leg (an empty leg is flat), 0 a one-way position with no leg', async () => {
    rec.once('GET /v5/position/list', {
      body: positionList(
        { positionIdx: 1, side: 'Buy', size: '0.020', takeProfit: '31000.00', stopLoss: '29000.00', tpTriggerBy: 'MarkPrice', slTriggerBy: 'MarkPrice' },
        { positionIdx: 2, side: '', size: '0', takeProfit: '0.00', stopLoss: '0.00' },
      ),
    });
    const legs = await run(venue.positions('BTCUSDT'));
    expect(legs.map((p) => [p.leg, p.side, p.quantity.toString(), p.takeProfit?.toString(), p.stopLoss?.toString()])).toEqual([
      ['long', 'long', '0.02', '31000', '29000'],
      ['short', 'flat', '0', undefined, undefined],
    ]);
    const [oneWay] = await run(venue.positions('BTCUSD'));
    expect(oneWay !== undefined && 'leg' in oneWay).toBe(false);
    expect(oneWay?.side).toBe('short');
  });

  it('S0-12 protectionOf(symbol, leg) reads that leg; without a leg it reads the one-way position only', async () => {
    const hedged = positionList(
      { positionIdx: 1, side: 'Buy', size: '0.020', takeProfit: '31000.00', stopLoss: '29000.00' },
      { positionIdx: 2, side: 'Sell', size: '0.010', takeProfit: '28000.00', stopLoss: '32000.00' },
    );
    for (let i = 0; i < 3; i++) rec.once('GET /v5/position/list', { body: hedged });
    const long = await run(venue.protectionOf('BTCUSDT', 'long'));
    const short = await run(venue.protectionOf('BTCUSDT', 'short'));
    const none = await run(venue.protectionOf('BTCUSDT'));
    expect([long.takeProfit?.toString(), long.stopLoss?.toString(), short.takeProfit?.toString(), short.stopLoss?.toString()]).toEqual(['31000', '29000', '28000', '32000']);
    expect([none.takeProfit, none.stopLoss]).toEqual([undefined, undefined]);
    expect(rec.requests.map((r) => r.query)).toEqual(Array.from({ length: 3 }, () => 'category=linear&symbol=BTCUSDT&limit=200'));
  });

  it('S0-12 positions: a leg on the other leg\'s side, or an unknown positionIdx, is a typed decode failure', async () => {
    rec.once('GET /v5/position/list', { body: positionList({ positionIdx: 1, side: 'Sell', size: '0.010' }) });
    expect((await fail(venue.positions('BTCUSDT'))).reason.kind).toBe('decode');
    rec.once('GET /v5/position/list', { body: positionList({ positionIdx: 3, side: 'Buy', size: '0.010' }) });
    expect((await fail(venue.positions('BTCUSDT'))).reason.kind).toBe('decode');
    const wrong = JSON.parse(positionList({ positionIdx: 2, side: 'Buy', size: '0.010' })) as { result: unknown };
    expect(Either.isLeft(decodeWire(BybitHttpPositionList, wrong.result))).toBe(true);
  });

  it('S0-12 the docs\' WS position example (positionIdx 2, empty) decodes to the flat short leg; positionIdx 1 to the long leg', () => {
    const frame = decodePrivateFrame(fixture('ws_position.json'));
    const events: ReadonlyArray<AccountEvent> = frame.kind === 'events' ? frame.events : [];
    expect(events.map((e) => (e.type === 'position' ? [e.position.leg, e.position.side] : e.type))).toEqual([['short', 'flat']]);
    const base = fixtureJson('ws_position.json') as { data: Row[] } & Row;
    const long = decodePrivateFrame(JSON.stringify({ ...base, data: [{ ...base.data[0], positionIdx: 1, side: 'Buy', size: '0.01', entryPrice: '28000' }] }));
    const longEvents: ReadonlyArray<AccountEvent> = long.kind === 'events' ? long.events : [];
    expect(longEvents.map((e) => (e.type === 'position' ? [e.position.leg, e.position.side, e.position.quantity.toString()] : e.type))).toEqual([['long', 'long', '0.01']]);
  });
});
