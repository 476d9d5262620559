/**
 * Issue 12 (`tradewarden data fetch`): the kline read of the Venue port. The real Bybit adapter pages
 * `/v5/market/kline` on the simulator's Bybit façade over loopback and must give back exactly the bars the simulator
 * replays — more than one page of them, oldest first, no duplicates — resampled bars equal to an independent
 * aggregation, nothing the replay has not reached yet, and typed `decode` VenueErrors (never a throw) for bodies that
 * are not Bybit candles. The façade's own parameter checks answer Bybit's 10001 with a sentence.
 */
import { Effect, Either, Redacted } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Decimal } from '../../../src/domain/money.ts';
import { VirtualClock, wallClock } from '../../../src/kernel/Clock.ts';
import { decodeBybitConfig } from '../../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue } from '../../../src/venues/bybit/BybitVenue.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import { makeSimVenue } from '../../../src/venues/sim/SimVenue.ts';
import { barFeed, type Bar } from '../../../src/venues/sim/replay/index.ts';
import type { Kline, VenueError } from '../../../src/venues/Venue.ts';
import { ADA_REMOVED, DAY, MINUTE, sourceBars, startHistoryFacade, type HistoryFacade } from '../../support/historyFacade.ts';
import { startRecorder, type Recorder } from './recorder.ts';

const run = <A>(e: Effect.Effect<A, VenueError>): Promise<Either.Either<A, VenueError>> => Effect.runPromise(Effect.either(e));
const ok = async <A>(e: Effect.Effect<A, VenueError>): Promise<A> => {
  const r = await run(e);
  if (Either.isLeft(r)) throw new Error(`unexpected VenueError: ${r.left.message}`);
  return r.right;
};
const failure = async <A>(e: Effect.Effect<A, VenueError>): Promise<VenueError> => {
  const r = await run(e);
  if (Either.isRight(r)) throw new Error('expected a VenueError');
  return r.left;
};

type Row = readonly [number, string, string, string, string, string];
const row = (b: Bar | Kline): Row => [b.start, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString()];

/** An aggregation written for the test: UTC-aligned buckets of `minutes`, first open, max high, min low, last close, summed volume. */
const aggregateBars = (bars: ReadonlyArray<Bar>, minutes: number): Bar[] => {
  const size = minutes * MINUTE;
  const out: Array<{ start: number; open: Decimal; high: Decimal; low: Decimal; close: Decimal; volume: Decimal }> = [];
  for (const b of bars) {
    const start = Math.floor(b.start / size) * size;
    const last = out[out.length - 1];
    if (last === undefined || last.start !== start) out.push({ start, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume });
    else Object.assign(last, { high: b.high.gt(last.high) ? b.high : last.high, low: b.low.lt(last.low) ? b.low : last.low, close: b.close, volume: last.volume.plus(b.volume) });
  }
  return out;
};
const aggregate = (bars: ReadonlyArray<Bar>, minutes: number): Row[] => aggregateBars(bars, minutes).map(row);

const get = async (h: HistoryFacade, query: string): Promise<{ retCode: number; retMsg: string; result: { symbol?: string; list?: string[][] } }> =>
  (await (await fetch(`${h.server.url}/v5/market/kline?${query}`)).json()) as { retCode: number; retMsg: string; result: { symbol?: string; list?: string[][] } };

describe('X-BT-5 issue 12 data fetch: the Bybit adapter reads klines from the façade over loopback', () => {
  let h: HistoryFacade;
  beforeAll(async () => {
    h = await startHistoryFacade();
  });
  afterAll(async () => {
    await h.close();
  });

  it('X-BT-5 pages a day of 1-minute bars (more than 1000) with limit 1000: ascending, no duplicates, equal to the replayed source bars', async () => {
    const before = h.requests('/v5/market/kline').length;
    const bars = await ok(h.venue.klines('ADAUSDT', 1, DAY, DAY + 1440 * MINUTE));
    expect(bars).toHaveLength(1440 - ADA_REMOVED.length);
    expect(bars.length).toBeGreaterThan(1000);
    for (let i = 1; i < bars.length; i++) expect(bars[i]!.start).toBeGreaterThan(bars[i - 1]!.start);
    expect(bars.map(row)).toEqual(h.bars.ADAUSDT.map(row));
    // 1434 bars in two windows of 1000 minutes: two pages, each within the limit. Pages of 200 would need eight.
    expect(h.requests('/v5/market/kline').length - before).toBe(2);
  });

  it('X-BT-5 a range that starts before the data and cuts mid-way returns exactly the bars in [from, to)', async () => {
    const from = DAY - 90 * MINUTE;
    const to = DAY + 1100 * MINUTE + 30_000;
    const bars = await ok(h.venue.klines('ADAUSDT', 1, from, to));
    expect(bars.map(row)).toEqual(h.bars.ADAUSDT.filter((b) => b.start >= from && b.start < to).map(row));
    expect(bars[bars.length - 1]!.start).toBe(DAY + 1100 * MINUTE);
  });

  it('X-BT-5 5-minute, 1-hour and daily bars are the façade\'s buckets of the replayed bars, equal to an independent aggregation', async () => {
    for (const minutes of [5, 60, 1440]) {
      const bars = await ok(h.venue.klines('ADAUSDT', minutes, DAY, DAY + 1440 * MINUTE));
      expect(bars.map(row), `${minutes} minutes`).toEqual(aggregate(h.bars.ADAUSDT, minutes));
    }
    const btc = await ok(h.venue.klines('BTCUSDT', 15, DAY, DAY + 1440 * MINUTE));
    expect(btc.map(row)).toEqual(aggregate(h.bars.BTCUSDT, 15));
    expect(btc).toHaveLength(49);
  });

  it('X-BT-5 every page takes a token of the adapter\'s market-data rate limiter', async () => {
    const limit = { burst: 1, perSecond: 0.001 };
    const paced = makeBybitVenue(
      decodeBybitConfig({
        environment: 'sim', baseUrl: h.server.url, apiKey: Redacted.make('unused'), apiSecret: Redacted.make('unused'),
        rateLimits: { order: limit, position: limit, account: limit, market: limit, maxQueueMs: 0 },
      }),
      { clock: wallClock },
    );
    try {
      const before = h.requests('/v5/market/kline').length;
      // One page fits the bucket; the second of a 1434-bar day does not, and is not sent.
      const e = await failure(paced.klines('ADAUSDT', 1, DAY, DAY + 1440 * MINUTE));
      expect(e.reason).toMatchObject({ kind: 'rate_limited', message: 'client-side market limit' });
      expect(h.requests('/v5/market/kline').length - before).toBe(1);
    } finally {
      await paced.close();
    }
  });

  it('X-BT-5 the in-process simulator venue answers the same bars through the port', async () => {
    const sim = makeSimVenue(h.exchange, 'anyone');
    const viaWire = await ok(h.venue.klines('BTCUSDT', 1, DAY, DAY + 1440 * MINUTE));
    const inProcess = await ok(sim.klines('BTCUSDT', 1, DAY, DAY + 1440 * MINUTE));
    expect(inProcess.map(row)).toEqual(viaWire.map(row));
    expect(inProcess.map(row)).toEqual(h.bars.BTCUSDT.map(row));
    const refused = await failure(sim.klines('BTCUSDT', 1, DAY, DAY));
    expect(refused.reason).toMatchObject({ kind: 'rejected', category: 'parameter' });
  });

  it('X-BT-5 the façade answers Bybit\'s shape: newest first, the newest `limit` (default 200), strings', async () => {
    const r = await get(h, 'category=linear&symbol=BTCUSDT&interval=1');
    expect(r.retCode).toBe(0);
    expect(r.result.symbol).toBe('BTCUSDT');
    const list = r.result.list ?? [];
    expect(list).toHaveLength(200);
    const last = h.bars.BTCUSDT[h.bars.BTCUSDT.length - 1]!;
    expect(list[0]).toEqual([String(last.start), last.open.toString(), last.high.toString(), last.low.toString(), last.close.toString(), last.volume.toString(), expect.stringMatching(/^\d+(\.\d+)?$/)]);
    for (let i = 1; i < list.length; i++) expect(Number(list[i]![0])).toBeLessThan(Number(list[i - 1]![0]));
    const windowed = await get(h, `symbol=BTCUSDT&interval=60&start=${DAY + 3600_000}&end=${DAY + 3 * 3600_000}&limit=2`);
    expect(windowed.result.list?.map((k) => Number(k[0]))).toEqual([DAY + 3 * 3600_000, DAY + 2 * 3600_000]);
    // Daily bars start at 00:00 UTC, weekly ones on Monday 00:00 UTC (2022-12-13 was a Tuesday).
    expect((await get(h, 'symbol=BTCUSDT&interval=D')).result.list?.map((k) => Number(k[0]))).toEqual([DAY]);
    const weekly = (await get(h, 'symbol=BTCUSDT&interval=W')).result.list ?? [];
    expect(weekly.map((k) => Number(k[0]))).toEqual([Date.UTC(2022, 11, 12)]);
    expect(weekly[0]?.slice(1, 6)).toEqual(aggregate(h.bars.BTCUSDT, 1440)[0]?.slice(1));
  });

  it('X-BT-5 the façade refuses bad kline parameters with retCode 10001 and a readable retMsg', async () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ['category=linear&symbol=BTCUSDT&interval=2', /interval must be one of 1, 3, 5/],
      ['category=linear&interval=1', /symbol/],
      ['category=spot&symbol=BTCUSDT&interval=1', /category only supports "linear"/],
      ['symbol=btcusdt&interval=1', /symbol must be upper case/],
      ['symbol=ETHUSDT&interval=1', /symbol invalid: ETHUSDT/],
      ['symbol=BTCUSDT&interval=1&limit=1001', /limit: expected an integer in \[1, 1000\]/],
      ['symbol=BTCUSDT&interval=1&limit=0', /limit: expected an integer in \[1, 1000\]/],
      ['symbol=BTCUSDT&interval=1&start=abc', /start/],
      [`symbol=BTCUSDT&interval=1&start=${DAY + MINUTE}&end=${DAY}`, /end must not be before start/],
      ['symbol=BTCUSDT&interval=M', /calendar months/],
    ];
    for (const [query, message] of cases) {
      const r = await get(h, query);
      expect([query, r.retCode]).toEqual([query, 10001]);
      expect(r.retMsg, query).toMatch(message);
    }
  });
});

describe('X-BT-5 issue 12 data fetch: no look-ahead and bar lengths the data cannot make', () => {
  it('X-BT-5 serves only what the replay has reached: the current bar as it stands, nothing later', async () => {
    const h = await startHistoryFacade({ replayTo: DAY + 90 * MINUTE + 20_000 });
    try {
      const bars = await ok(h.venue.klines('BTCUSDT', 1, DAY, DAY + 1440 * MINUTE));
      expect(bars).toHaveLength(91);
      expect(bars.slice(0, 90).map(row)).toEqual(h.bars.BTCUSDT.slice(0, 90).map(row));
      const forming = bars[90]!;
      const source = h.bars.BTCUSDT[90]!;
      expect(forming.start).toBe(source.start);
      expect(forming.open.eq(source.open)).toBe(true);
      expect(forming.volume.lt(source.volume)).toBe(true);
      // Up to the last instant of bar 119: it is closed, bar 120 has not started.
      h.advanceTo(DAY + 120 * MINUTE - 1);
      expect(await ok(h.venue.klines('BTCUSDT', 1, DAY, DAY + 1440 * MINUTE))).toHaveLength(120);
    } finally {
      await h.close();
    }
  });

  it('X-BT-5 a bar length that is not a whole multiple of the replayed bars is refused, with the reason', async () => {
    // 1-minute data makes any whole number of minutes; the refusal needs longer source bars: 5-minute ones here.
    const bars = aggregateBars(sourceBars().ADAUSDT, 5);
    const clock = new VirtualClock(DAY);
    const exchange = createSimExchange({ clock, instruments: [bybitLinearInstrument('ADAUSDT')], feeds: [barFeed({ symbol: 'ADAUSDT', bars, seed: 1, intervalMs: 5 * MINUTE })], seed: 1 });
    clock.advanceTo(DAY + 1440 * MINUTE);
    exchange.advanceTo(DAY + 1440 * MINUTE);
    const sim = makeSimVenue(exchange, 'anyone');
    const refused = await failure(sim.klines('ADAUSDT', 3, DAY, DAY + 1440 * MINUTE));
    expect(refused.reason).toMatchObject({ kind: 'rejected', category: 'parameter', message: 'a 3-minute bar is not a whole number of the replayed 5-minute bars of ADAUSDT' });
    expect((await ok(sim.klines('ADAUSDT', 5, DAY, DAY + 1440 * MINUTE))).map(row)).toEqual(bars.map(row));
    expect((await ok(sim.klines('ADAUSDT', 60, DAY, DAY + 1440 * MINUTE))).map(row)).toEqual(aggregate(bars, 60));
  });
});

describe('X-BT-5 issue 12 data fetch: bad kline answers are typed VenueErrors, never a throw', () => {
  let rec: Recorder;
  const venue = () =>
    makeBybitVenue(decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make('k'), apiSecret: Redacted.make('s'), requestTimeoutMs: 2000 }), { clock: wallClock });
  const candle = (start: number, o: string, hi: string, lo: string, c: string, v = '1', t = '1'): string[] => [String(start), o, hi, lo, c, v, t];
  const body = (result: unknown): string => JSON.stringify({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: DAY });
  beforeAll(async () => {
    rec = await startRecorder();
  });
  afterAll(async () => {
    await rec.close();
  });

  it('X-BT-5 malformed bodies (not JSON, wrong shapes, inconsistent or negative numbers, another symbol) are `decode` failures', async () => {
    const v = venue();
    const bodies: ReadonlyArray<readonly [string, RegExp]> = [
      ['<html>502 Bad Gateway</html>', /not acceptable JSON/],
      [body({ symbol: 'BTCUSDT', category: 'linear', list: 'none' }), /list/],
      [body({ symbol: 'BTCUSDT', category: 'linear', list: [candle(DAY, '17194', '17100', '17193.5', '17199')] }), /high must be ≥/],
      [body({ symbol: 'BTCUSDT', category: 'linear', list: [candle(DAY, '17194', '17199.5', '17193.5', '17199', '-3')] }), /decimal ≥ 0/],
      [body({ symbol: 'BTCUSDT', category: 'linear', list: [[String(DAY), '17194', '17199.5']] }), /list\.0/],
      [body({ symbol: 'BTCUSDT', category: 'linear', list: [candle(12, '17194', '17199.5', '17193.5', '17199')] }), /timestamp/],
      [body({ symbol: 'BTCUSDT', category: 'linear', list: [[DAY, '1', '1', '1', '1', '1', '1']] }), /list\.0\.0/],
      [body({ symbol: 'ETHUSDT', category: 'linear', list: [candle(DAY, '1', '1', '1', '1')] }), /candles of ETHUSDT, asked for BTCUSDT/],
      [JSON.stringify({ retCode: 0, retMsg: 'OK', time: DAY }), /symbol/],
    ];
    try {
      for (const [text, message] of bodies) {
        rec.once('GET /v5/market/kline', { body: text });
        const e = await failure(v.klines('BTCUSDT', 1, DAY, DAY + 10 * MINUTE));
        expect([text, e._tag, e.operation, e.reason.kind]).toEqual([text, 'VenueError', 'klines', 'decode']);
        expect(e.message, text).toMatch(message);
      }
    } finally {
      await v.close();
    }
  });

  it('X-BT-5 a Bybit refusal is definitive and a bar length Bybit has no interval for is refused before anything is sent', async () => {
    const v = venue();
    try {
      rec.once('GET /v5/market/kline', { body: JSON.stringify({ retCode: 10001, retMsg: 'Not supported symbols', result: {}, time: DAY }) });
      expect((await failure(v.klines('BTCUSDT', 1, DAY, DAY + MINUTE))).reason).toMatchObject({ kind: 'rejected', code: '10001', category: 'parameter' });
      const sent = rec.requests.length;
      expect((await failure(v.klines('BTCUSDT', 7, DAY, DAY + MINUTE))).reason).toMatchObject({ kind: 'rejected', code: 'LOCAL_BAD_INTERVAL' });
      expect((await failure(v.klines('BTCUSDT', 1, DAY, DAY))).reason).toMatchObject({ kind: 'rejected', code: 'LOCAL_BAD_RANGE' });
      expect((await failure(v.klines('btc', 1, DAY, DAY + MINUTE))).reason).toMatchObject({ kind: 'rejected', code: 'LOCAL_BAD_SYMBOL' });
      expect(rec.requests.length).toBe(sent);
    } finally {
      await v.close();
    }
  });

  it('X-BT-5 a page that stops short of its window is followed backwards; repeated candles are kept once; the answer is ascending', async () => {
    const v = venue();
    try {
      const c = (i: number): string[] => candle(DAY + i * MINUTE, '10', '12', '9', '11', String(i + 1));
      const page = (...is: number[]): { body: string } => ({ body: body({ symbol: 'BTCUSDT', category: 'linear', list: is.map(c) }) });
      // A venue that serves fewer candles than asked: newest first, the same candle twice, then the older rest.
      rec.once('GET /v5/market/kline', page(4, 3, 3));
      rec.once('GET /v5/market/kline', page(2, 1, 0));
      const sent = rec.requests.length;
      const bars = await ok(v.klines('BTCUSDT', 1, DAY, DAY + 5 * MINUTE));
      expect(bars.map((b) => [b.start, b.volume.toString()])).toEqual([0, 1, 2, 3, 4].map((i) => [DAY + i * MINUTE, String(i + 1)]));
      const queries = rec.requests.slice(sent).map((r) => new URLSearchParams(r.query));
      expect(queries.map((q) => [q.get('start'), q.get('end')])).toEqual([[String(DAY), String(DAY + 5 * MINUTE - 1)], [String(DAY), String(DAY + 3 * MINUTE - 1)]]);
    } finally {
      await v.close();
    }
  });

  it('X-BT-5 sends the documented query: category, symbol, interval label, start, inclusive end, limit 1000; unsigned', async () => {
    const v = venue();
    try {
      rec.once('GET /v5/market/kline', { body: body({ symbol: 'BTCUSDT', category: 'linear', list: [candle(DAY, '17194', '17199.5', '17193.5', '17199')] }) });
      const sent = rec.requests.length;
      const bars = await ok(v.klines('BTCUSDT', 1440, DAY, DAY + 1440 * MINUTE));
      expect(bars.map(row)).toEqual([[DAY, '17194', '17199.5', '17193.5', '17199', '1']]);
      const req = rec.requests[sent]!;
      expect(req.query).toBe(`category=linear&symbol=BTCUSDT&interval=D&start=${DAY}&end=${DAY + 1440 * MINUTE - 1}&limit=1000`);
      expect(req.headers['x-bapi-sign']).toBeUndefined();
      expect(rec.requests).toHaveLength(sent + 1);
    } finally {
      await v.close();
    }
  });
});
