/** WS frame decoding with the docs' example messages, the stream descriptions' frames, and malformed input (X-RT-10). */
import { createHmac } from 'node:crypto';
import { Either, Redacted, Schema } from 'effect';
import { describe, expect, it } from 'vitest';
import { BybitHttpOrder } from '../../../src/venues/bybit/http/messages.ts';
import { parseOrder } from '../../../src/venues/bybit/parse.ts';
import { bybitPrivateStream, bybitPublicStream, decodePrivateFrame, decodePublicFrame } from '../../../src/venues/bybit/ws/BybitWsStream.ts';
import type { AccountEvent, MarketEvent, StreamFrame } from '../../../src/venues/streams.ts';
import { fixture, fixtureJson } from './recorder.ts';

const events = <E>(frame: StreamFrame<E>): ReadonlyArray<E> => {
  if (frame.kind !== 'events') throw new Error(`expected events, got ${JSON.stringify(frame)}`);
  return frame.events;
};

describe('Bybit public frames', () => {
  it('decodes the orderbook snapshot example into a book event with Decimal levels and u/seq', () => {
    const [e] = events(decodePublicFrame(fixture('ws_orderbook.json')));
    expect(e).toMatchObject({ type: 'book', kind: 'snapshot', symbol: 'BTCUSDT', updateId: 18521288, seq: 7961638724, ts: 1672304484978 });
    const book = e as Extract<MarketEvent, { type: 'book' }>;
    expect(book.bids.map((l) => [l.price.toString(), l.size.toString()])).toEqual([
      ['16493.5', '0.006'],
      ['16493', '0.1'],
    ]);
    expect(book.asks[0]?.price.toString()).toBe('16611');
  });

  it('decodes a delta the same way (absolute sizes, "0" kept for deletion)', () => {
    const raw = fixture('ws_orderbook.json').replace('"snapshot"', '"delta"').replace('"0.006"', '"0"');
    const [e] = events(decodePublicFrame(raw));
    expect(e).toMatchObject({ kind: 'delta' });
    expect((e as Extract<MarketEvent, { type: 'book' }>).bids[0]?.size.isZero()).toBe(true);
  });

  it('decodes publicTrade, tickers and kline examples', () => {
    const [t] = events(decodePublicFrame(fixture('ws_publicTrade.json')));
    expect(t).toMatchObject({ type: 'trade', symbol: 'BTCUSDT', tradeId: '20f43950-d8dd-5b31-9112-a178eb6023af', side: 'buy', ts: 1672304486865 });
    const [k] = events(decodePublicFrame(fixture('ws_tickers.json')));
    expect(k?.type === 'ticker' ? [k.markPrice?.toString(), k.bidPrice?.toString(), k.askSize?.toString()] : []).toEqual(['17217.33', '17215.5', '83.02']);
    const [b] = events(decodePublicFrame(fixture('ws_kline.json')));
    expect(b).toMatchObject({ type: 'bar', symbol: 'BTCUSDT', intervalMinutes: 5, start: 1672324800000, closed: false });
  });

  it('recognises pong (public shape) and subscribe replies', () => {
    expect(decodePublicFrame(fixture('ws_pong_public.json'))).toEqual({ kind: 'pong' });
    expect(decodePublicFrame(fixture('ws_subscribe.json'))).toEqual({ kind: 'subscribed', ok: true, message: '' });
    expect(decodePublicFrame('{"success":false,"ret_msg":"error:handler not found","op":"subscribe"}')).toMatchObject({ kind: 'subscribed', ok: false });
  });

  it('X-RT-10 turns malformed frames into {kind:"invalid"} and never throws', () => {
    const bad = [
      'not json',
      '[]',
      '{}',
      '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[["x","1"]],"a":[],"u":2}}',
      '{"topic":"orderbook.50.BTCUSDT","type":"weird","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[],"u":2}}',
      '{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Up","v":"1","p":"1","i":"x"}]}',
      '{"op":42}',
    ];
    for (const raw of bad) expect(decodePublicFrame(raw).kind).toBe('invalid');
    expect(decodePublicFrame('{"topic":"liquidation.BTCUSDT","data":{}}').kind).toBe('ignored');
  });
});

describe('Bybit private frames', () => {
  it('decodes the execution example into a fill (fee asset defaulted to the settle coin)', () => {
    const [e] = events(decodePrivateFrame(fixture('ws_execution.json')));
    const fill = (e as Extract<AccountEvent, { type: 'execution' }>).fill;
    expect([fill.tradeId, fill.side, fill.price.toString(), fill.quantity.toString(), fill.fee.toString(), fill.feeAsset, fill.isMaker, fill.ts]).toEqual([
      '7e2ae69c-4edf-5800-a352-893d52b446aa',
      'sell',
      '0.3374',
      '25',
      '0.005061',
      'USDT',
      false,
      1672364174443,
    ]);
  });

  it('decodes position and wallet examples', () => {
    const [p] = events(decodePrivateFrame(fixture('ws_position.json')));
    expect(p).toMatchObject({ type: 'position', position: { symbol: 'BTCUSDT', side: 'flat', takeProfit: undefined } });
    const [w] = events(decodePrivateFrame(fixture('ws_wallet.json')));
    const balances = (w as Extract<AccountEvent, { type: 'wallet' }>).balances;
    expect(balances.map((b) => [b.asset, b.total.toString()])).toEqual([
      ['USDC', '0'],
      ['BTC', '0'],
      ['USDT', '106.03036732'],
    ]);
  });

  it('keeps only linear orders from the all-in-one order topic (the docs example is an option order)', () => {
    expect(events(decodePrivateFrame(fixture('ws_order.json')))).toEqual([]);
    const linear = fixture('ws_order.json').replace('"category": "option"', '"category": "linear"');
    const [o] = events(decodePrivateFrame(linear));
    expect(o).toMatchObject({ type: 'order', order: { status: 'filled', rejectReason: undefined, timeInForce: 'ioc' } });
  });

  it('maps a PostOnly cancel with EC_PostOnlyWillTakeLiquidity to a cancelled order carrying that reason', () => {
    const item = { ...((fixtureJson('ws_order.json') as { data: unknown[] }).data[0] as object), orderStatus: 'Cancelled', rejectReason: 'EC_PostOnlyWillTakeLiquidity', timeInForce: 'PostOnly', orderType: 'Limit' };
    const decoded = Schema.decodeUnknownEither(BybitHttpOrder)(item);
    expect(Either.isRight(decoded)).toBe(true);
    if (Either.isRight(decoded)) expect(parseOrder(decoded.right)).toMatchObject({ status: 'cancelled', rejectReason: 'EC_PostOnlyWillTakeLiquidity', timeInForce: 'post_only' });
  });

  it('recognises the private pong and auth replies', () => {
    expect(decodePrivateFrame(fixture('ws_pong_private.json'))).toEqual({ kind: 'pong' });
    expect(decodePrivateFrame(fixture('ws_auth.json'))).toEqual({ kind: 'auth', ok: true, message: '' });
  });

  it('rejects an unknown order status (statuses stay strict)', () => {
    const raw = fixture('ws_order.json').replace('"Filled"', '"Exploded"');
    expect(decodePrivateFrame(raw).kind).toBe('invalid');
  });
});

describe('Bybit stream descriptions', () => {
  it('X-WS-1 public: topics per symbol, ping every 20 s with a req_id', async () => {
    const d = bybitPublicStream({ url: 'ws://127.0.0.1:1/v5/public/linear', symbols: ['BTCUSDT', 'ETHUSDT'], depth: 50 });
    if (d.heartbeat.mode !== 'app_ping') throw new Error('Bybit pings in-band');
    expect(d.heartbeat.everyMs).toBe(20_000);
    const opening = await d.open(0);
    expect(opening.url).toBe('ws://127.0.0.1:1/v5/public/linear');
    expect(opening.authFrames).toEqual([]);
    const args = opening.subscribeFrames.flatMap((f) => (JSON.parse(f) as { op: string; args: string[] }).args);
    expect(args).toEqual([
      'orderbook.50.BTCUSDT',
      'publicTrade.BTCUSDT',
      'tickers.BTCUSDT',
      'kline.1.BTCUSDT',
      'orderbook.50.ETHUSDT',
      'publicTrade.ETHUSDT',
      'tickers.ETHUSDT',
      'kline.1.ETHUSDT',
    ]);
    expect(JSON.parse(d.heartbeat.frame())).toEqual({ op: 'ping', req_id: 'ping-1' });
    expect(JSON.parse(d.heartbeat.frame())).toEqual({ op: 'ping', req_id: 'ping-2' });
  });

  it('private: auth frame with expires = now + 10 s and the GET/realtime signature, then four topics', async () => {
    const d = bybitPrivateStream({ url: 'ws://127.0.0.1:1/v5/private', apiKey: Redacted.make('k1'), apiSecret: Redacted.make('s1') });
    const opening = await d.open(1700000000000);
    expect(opening.authFrames).toHaveLength(1);
    const auth = JSON.parse(opening.authFrames[0] ?? '{}') as { op: string; args: [string, number, string] };
    expect(auth.op).toBe('auth');
    expect(auth.args[0]).toBe('k1');
    expect(auth.args[1]).toBe(1700000010000);
    expect(auth.args[2]).toBe(createHmac('sha256', 's1').update('GET/realtime1700000010000').digest('hex'));
    expect(opening.subscribeFrames.map((f) => (JSON.parse(f) as { args: string[] }).args)).toEqual([['order', 'execution', 'position', 'wallet']]);
  });
});
