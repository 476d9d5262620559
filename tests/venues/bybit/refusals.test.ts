/**
 * Issue 10 end to end: the real adapter against a loopback recorder answering hostile or semantically invalid bodies
 * fails with a typed `VenueError` (`decode`), never a defect; and a real ConnectionHost on a scripted loopback peer
 * counts semantically invalid private frames as invalid frames (X-RT-10) while delivering the valid ones.
 */
import { Cause, Effect, Exit, Redacted } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { wallClock } from '../../../src/kernel/Clock.ts';
import { createLogger } from '../../../src/kernel/logger.ts';
import { seededRandom } from '../../../src/kernel/random.ts';
import { wallScheduler } from '../../../src/kernel/Scheduler.ts';
import { ConnectionHost } from '../../../src/runtime/connection/ConnectionHost.ts';
import { decodeBybitConfig } from '../../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue, type BybitVenue } from '../../../src/venues/bybit/BybitVenue.ts';
import { withUrl, type AccountEvent } from '../../../src/venues/streams.ts';
import { VenueError } from '../../../src/venues/Venue.ts';
import { fixture, fixtureJson, startRecorder, type Recorder } from './recorder.ts';

const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

let rec: Recorder;
let venue: BybitVenue;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  rec = await startRecorder();
  venue = makeBybitVenue(
    decodeBybitConfig({ environment: 'sim', baseUrl: rec.url, apiKey: Redacted.make('refusal-key'), apiSecret: Redacted.make('refusal-secret'), requestTimeoutMs: 1500 }),
    { clock: wallClock, logger: { debug: () => undefined, warn: (obj, msg) => void logLines.push({ ...obj, msg }) } },
  );
});

afterAll(async () => {
  await venue.close();
  await rec.close();
});

/** Runs the effect and returns its typed failure; a defect (die) or a success fails the test. */
const typedFailure = async <A>(eff: Effect.Effect<A, VenueError>): Promise<VenueError> => {
  const exit = await Effect.runPromiseExit(eff);
  if (Exit.isSuccess(exit)) throw new Error('expected a failure');
  expect(Cause.isDie(exit.cause)).toBe(false);
  const failure = Cause.failureOption(exit.cause);
  if (failure._tag === 'None') throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`);
  return failure.value;
};

describe('Bybit adapter refuses hostile REST bodies with a typed VenueError', () => {
  it('X-RT-10 a body nested 5,000 deep (whole body or inside result) is a decode VenueError on every read, not a defect', async () => {
    const calls: ReadonlyArray<readonly [string, () => Effect.Effect<unknown, VenueError>]> = [
      ['GET /v5/position/list', () => venue.positions('BTCUSDT')],
      ['GET /v5/account/wallet-balance', () => venue.balances()],
      ['GET /v5/market/orderbook', () => venue.orderBook('BTCUSDT', 50)],
      ['GET /v5/market/time', () => venue.serverTime()],
      ['GET /v5/order/realtime', () => venue.openOrders('BTCUSDT')],
      ['GET /v5/execution/list', () => venue.executionsSince(Date.now() - 1000, 'BTCUSDT')],
      ['GET /v5/market/instruments-info', () => venue.instruments()],
    ];
    for (const [route, call] of calls) {
      for (const body of [deep(5_000), `{"retCode":0,"retMsg":"OK","result":{"list":${deep(5_000)}},"time":1672211918471}`]) {
        rec.once(route, { body });
        const err = await typedFailure(call());
        expect(err).toBeInstanceOf(VenueError);
        expect([route, err.reason.kind]).toEqual([route, 'decode']);
        expect(err.message).toMatch(/too_deep/);
      }
    }
    expect(logLines.filter((l) => l['msg'] === 'payload_decode_failed').length).toBeGreaterThanOrEqual(calls.length * 2);
  });

  it('X-RT-10 semantically invalid answers are decode VenueErrors: negative position size, fill of 0, filled > ordered, zero book price', async () => {
    const edit = (name: string, change: (item: Record<string, unknown>) => void): string => {
      const env = fixtureJson(name) as { result: { list: Array<Record<string, unknown>> } };
      change(env.result.list[0]!);
      return JSON.stringify(env);
    };
    rec.once('GET /v5/position/list', { body: edit('http_get_position_list.json', (p) => (p['size'] = '-300')) });
    expect((await typedFailure(venue.positions('BTCUSDT'))).reason).toMatchObject({ kind: 'decode', message: expect.stringMatching(/size/) as unknown });
    rec.once('GET /v5/execution/list', { body: edit('http_get_execution_list.json', (e) => ((e['execQty'] = '0'), (e['execTime'] = String(Date.now())))) });
    expect((await typedFailure(venue.executionsSince(Date.now() - 1000, 'BTCUSDT'))).reason).toMatchObject({ kind: 'decode', message: expect.stringMatching(/execQty of a fill must be > 0/) as unknown });
    rec.once('GET /v5/order/realtime', { body: edit('http_get_order_realtime.json', (o) => (o['cumExecQty'] = '0.20')) });
    expect((await typedFailure(venue.openOrders('ETHUSDT'))).reason).toMatchObject({ kind: 'decode', message: expect.stringMatching(/cumExecQty must be ≤ qty/) as unknown });
    const book = fixtureJson('http_get_market_orderbook.json') as { result: { b: string[][] } };
    book.result.b[0]![0] = '0';
    rec.once('GET /v5/market/orderbook', { body: JSON.stringify(book) });
    expect((await typedFailure(venue.orderBook('BTCUSDT', 50))).reason).toMatchObject({ kind: 'decode', message: expect.stringMatching(/must be > 0/) as unknown });
  });
});

describe('ConnectionHost counts semantically invalid frames as invalid frames', () => {
  it('X-RT-10 a fill of 0, a negative position and an over-filled order are dropped and counted; valid frames still arrive', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const address = server.address();
    if (typeof address === 'string' || address === null) throw new Error('server did not bind');
    const execution = fixtureJson('ws_execution.json') as { data: Array<Record<string, unknown>> };
    const order = fixtureJson('ws_order.json') as { data: Array<Record<string, unknown>> };
    const position = fixtureJson('ws_position.json') as { data: Array<Record<string, unknown>> };
    const frameWith = (base: { data: Array<Record<string, unknown>> }, change: Record<string, unknown>): string =>
      JSON.stringify({ ...base, data: [{ ...base.data[0], ...change }] });
    const script = [
      frameWith(execution, { execQty: '0' }),
      frameWith(position, { size: '-1' }),
      frameWith(order, { category: 'linear', cumExecQty: '2' }),
      fixture('ws_execution.json'),
      frameWith(order, { category: 'linear' }),
    ];
    // A scripted peer speaking Bybit's private protocol: auth and subscribe replies, pongs, then the script.
    server.on('connection', (socket) => {
      socket.on('message', (data: WebSocket.RawData) => {
        const req = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')) as { op: string };
        if (req.op === 'auth') socket.send(fixture('ws_auth.json'));
        else if (req.op === 'ping') socket.send(fixture('ws_pong_private.json'));
        else if (req.op === 'subscribe') {
          socket.send(JSON.stringify({ success: true, ret_msg: '', op: 'subscribe', conn_id: 'refusals' }));
          for (const frame of script) socket.send(frame);
        }
      });
    });
    const received: AccountEvent[] = [];
    const hostLog: string[] = [];
    let lastArrived!: () => void;
    const done = new Promise<void>((resolve) => (lastArrived = resolve));
    const stream = venue.streams.private();
    const host = new ConnectionHost({
      kind: 'private',
      stream: withUrl(stream, `ws://127.0.0.1:${address.port}/v5/private`),
      onAccount: (e) => {
        received.push(e);
        if (e.type === 'order') lastArrived();
      },
      venueNow: () => Date.now(),
      symbols: ['XRPUSDT'],
      scheduler: wallScheduler(),
      random: seededRandom(10),
      logger: createLogger({ level: 'warn', clock: wallClock, targets: { memory: hostLog } }),
      pauses: { setMarketPaused: () => undefined },
    });
    try {
      host.start();
      // Frames on one socket arrive in order: once the last valid one is delivered, every earlier one was handled.
      await done;
      expect(host.invalidFrames()).toBe(3);
      expect(hostLog.filter((l) => l.includes('payload_decode_failed'))).toHaveLength(3);
      expect(received.map((e) => e.type)).toEqual(['execution', 'order']);
      // The connection stays up: a refused frame is dropped, not a reason to reconnect.
      expect(host.state()).toMatch(/^open\./);
      expect(host.connectionCount()).toBe(1);
    } finally {
      await host.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
