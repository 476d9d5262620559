/**
 * Sequence scopes of a ConnectionHost against a scripted `ws` peer on 127.0.0.1 (X-WS-2): a Binance-shaped diff
 * depth stream (per book: deltas buffered while the REST snapshot is in flight, bridged by the range rule, then the
 * `pu` chain; a lost event → pause → REST resync → resume) and a Coinbase-shaped stream (per connection:
 * `sequence_num` across channels, a JWT per subscribe frame; one lost envelope resyncs every book of the socket, a
 * repeated number is ignored). The books end equal to the peer's, level by level. Waits are event-driven.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { nextIdRule, rangeChainRule } from '../../src/market/OrderBook.ts';
import { ConnectionHost } from '../../src/runtime/connection/ConnectionHost.ts';
import type { MarketEvent } from '../../src/venues/streams.ts';
import { BinanceDepthVenue, CoinbaseVenue, decodeBinanceDepth, decodeCoinbase, heldSnapshots, observed, sameBook, startPeer, waiter, type ScriptedPeer } from './connectionPeers.ts';

const peers = new Set<ScriptedPeer>();
const hosts = new Set<ConnectionHost>();
const journals = new Set<Journal>();
afterEach(async () => {
  await Promise.all([...hosts].map((h) => h.stop()));
  await Promise.all([...peers].map((p) => p.close()));
  for (const j of journals) j.close();
  hosts.clear();
  peers.clear();
  journals.clear();
});

const setup = async () => {
  const peer = await startPeer();
  peers.add(peer);
  const clock = new VirtualClock(1_700_000_000_000);
  const logLines: string[] = [];
  const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-seq-')), 'journal.sqlite'), clock });
  journals.add(journal);
  const rows = () => [...journal.readEvents({ fromSeq: 0 })].filter((r) => r.stream.startsWith('connection:'));
  const pauses: Array<{ symbol: string; paused: boolean; reason: string }> = [];
  const w = waiter();
  return {
    peer, clock, journal, rows, pauses, logLines, w,
    logger: createLogger({ level: 'debug', clock, targets: { memory: logLines } }),
    logs: () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>),
    sink: { setMarketPaused: (symbol: string, paused: boolean, reason: string) => void pauses.push({ symbol, paused, reason }) },
  };
};

describe('ConnectionHost sequence scopes', { timeout: 15_000 }, () => {
  it('X-WS-2 per book (Binance U/u/pu): bridges the REST snapshot to the buffer, follows the pu chain, and resyncs on a broken chain', async () => {
    const { peer, clock, journal, rows, pauses, logger, logs, sink, w } = await setup();
    const venue = new BinanceDepthVenue();
    venue.update([['100', '1'], ['99', '2']], [['101', '1']]);
    const stream = observed<MarketEvent>({
      name: 'binance-shaped:public:BTCUSDT',
      open: () => ({ url: `${peer.url}/public/stream?streams=btcusdt@depth@100ms`, authFrames: [], subscribeFrames: [] }),
      heartbeat: { mode: 'protocol_ping', everyMs: 60_000 },
      sequence: { scope: 'per_book', rule: rangeChainRule },
      decode: decodeBinanceDepth,
    });
    const snapshots = heldSnapshots();
    const applied: number[] = [];
    const host = new ConnectionHost({
      kind: 'public', stream: stream.desc, orderBook: snapshots.orderBook, depth: 1000,
      onMarket: (e) => {
        if (e.type === 'book') applied.push(e.updateId);
        w.wake();
      },
      symbols: ['BTCUSDT'], scheduler: virtualScheduler(clock), random: seededRandom(1), logger, pauses: sink, journal,
    });
    hosts.add(host);
    host.onStateChange(() => w.wake());
    host.start();

    // The snapshot request is in flight while three events arrive; the snapshot is taken after the second.
    const release = await snapshots.request(1);
    await peer.until(() => peer.connections.length === 1);
    const c = peer.connections[0]!;
    const e0 = venue.update([['99', '3']]); // 1004..1006: ends before the snapshot → dropped
    c.send(e0);
    const e1 = venue.update([['100', '4']]); // 1007..1009: u == lastUpdateId → bridges (U <= lastUpdateId <= u)
    c.send(e1);
    const snap = venue.snapshot();
    const e2 = venue.update([['98', '1']], [['101', '0'], ['102', '2']]); // pu 1009 → chained
    c.send(e2);
    await stream.decoded((raw) => raw === e2);
    expect(applied).toEqual([]);
    release(snap);
    await w.until(() => host.state() === 'open.live' && sameBook(host.book('BTCUSDT'), venue.book));
    expect(applied).toEqual([1009, 1012]);
    expect(logs().find((l) => l['msg'] === 'book_resynced')).toMatchObject({ snapshotUpdateId: 1009, bookUpdateId: 1012, dropped: 1, replayed: 2 });

    // An event is lost on the wire: the next one's pu (1015) does not chain to 1012.
    venue.update([['97', '5']]);
    const e4 = venue.update([['100', '0']]);
    c.send(e4);
    const resync = await snapshots.request(2);
    expect(host.state()).toBe('open.resyncing');
    expect(pauses.at(-1)).toEqual({ symbol: 'BTCUSDT', paused: true, reason: 'binance-shaped:public:BTCUSDT: gap on BTCUSDT (expected 1012, got 1015)' });
    resync(venue.snapshot());
    await w.until(() => host.state() === 'open.live' && sameBook(host.book('BTCUSDT'), venue.book));
    expect(rows().map((r) => r.type)).toEqual(['BOOK_RESYNCED', 'STREAM_GAP', 'BOOK_RESYNCED']);
    expect(pauses.at(-1)).toEqual({ symbol: 'BTCUSDT', paused: false, reason: 'binance-shaped:public:BTCUSDT: live' });
    const e5 = venue.update([['96', '1']]);
    c.send(e5);
    await w.until(() => sameBook(host.book('BTCUSDT'), venue.book));
    expect(applied.at(-1)).toBe(1021);
  });

  it('X-WS-2 per connection (Coinbase sequence_num): one lost envelope resyncs every book of the socket; a repeated number is ignored', async () => {
    const { peer, clock, rows, pauses, logger, logs, sink, w, journal } = await setup();
    const venue = new CoinbaseVenue(['BTC-USD', 'ETH-USD']);
    venue.books.get('BTC-USD')!.apply([['30000', '1']], [['30001', '1']]);
    venue.books.get('ETH-USD')!.apply([['2000', '5']], [['2001', '5']]);
    peer.onEvent = (c, kind, message) => {
      if (kind !== 'message') return;
      const m = JSON.parse(message) as { type: string; channel: string };
      if (m.type === 'subscribe') c.send(venue.subscriptions(m.channel));
    };
    const stream = observed<MarketEvent>({
      name: 'coinbase-shaped:public',
      // One JWT per subscribe frame, built at open(now) (no `uri` claim on the websocket; two minutes of validity).
      open: (now) => {
        venue.reset();
        return {
          url: peer.url,
          authFrames: [],
          subscribeFrames: ['level2', 'heartbeats'].map((channel) => JSON.stringify({ type: 'subscribe', product_ids: ['BTC-USD', 'ETH-USD'], channel, jwt: `jwt.${channel}.${now}` })),
        };
      },
      heartbeat: { mode: 'heartbeat_channel', everyMs: 60_000 },
      sequence: { scope: 'per_connection', rule: nextIdRule('monotonic') },
      decode: decodeCoinbase,
    });
    const host = new ConnectionHost({
      kind: 'public', stream: stream.desc, orderBook: (s) => Effect.sync(() => venue.snapshot(s)), depth: 50, onMarket: () => w.wake(),
      symbols: ['BTC-USD', 'ETH-USD'], scheduler: virtualScheduler(clock), random: seededRandom(2), logger, pauses: sink, journal,
    });
    hosts.add(host);
    host.onStateChange(() => w.wake());
    host.start();
    await host.whenState((s) => s === 'open.live');
    const c = peer.connections[0]!;
    expect(c.received.map((f) => (JSON.parse(f) as { jwt: string }).jwt)).toEqual([`jwt.level2.${clock.now()}`, `jwt.heartbeats.${clock.now()}`]);
    // The subscribe frames are logged with their JWT redacted.
    const sent = logs().filter((l) => l['msg'] === 'ws_subscribe_sent').map((l) => JSON.parse(String(l['frame'])) as { jwt: string; channel: string });
    expect(sent.map((f) => [f.channel, f.jwt])).toEqual([['level2', '<redacted>'], ['heartbeats', '<redacted>']]);

    const books = () => sameBook(host.book('BTC-USD'), venue.books.get('BTC-USD')!) && sameBook(host.book('ETH-USD'), venue.books.get('ETH-USD')!);
    c.send(venue.heartbeat()); // 3
    c.send(venue.update('BTC-USD', 'bid', '30000', '2')); // 4
    c.send(venue.update('ETH-USD', 'offer', '2001', '4')); // 5
    await w.until(() => books());

    // Envelope 6 (an ETH update) is lost; 7 (a BTC update) reveals the gap for the whole connection.
    venue.update('ETH-USD', 'bid', '1999', '7');
    const states: string[] = [];
    host.onStateChange((label) => {
      states.push(label);
      w.wake();
    });
    c.send(venue.update('BTC-USD', 'offer', '30002', '1'));
    await w.until(() => states.includes('open.live') && books());
    expect(states).toEqual(['open.resyncing', 'open.live']);
    expect(rows().map((r) => [r.type, (r.payload as { symbol: string }).symbol])).toEqual([
      ['BOOK_RESYNCED', 'BTC-USD'], ['BOOK_RESYNCED', 'ETH-USD'],
      ['STREAM_GAP', 'BTC-USD,ETH-USD'], ['BOOK_RESYNCED', 'BTC-USD'], ['BOOK_RESYNCED', 'ETH-USD'],
    ]);
    expect(rows()[2]!.payload).toMatchObject({ expected: '6', received: '7' });
    const gapPauses = pauses.filter((p) => p.paused && p.reason.includes('gap'));
    expect(gapPauses).toEqual(['BTC-USD', 'ETH-USD'].map((symbol) => ({ symbol, paused: true, reason: 'coinbase-shaped:public: gap on BTC-USD,ETH-USD (expected 6, got 7)' })));

    // A repeated number (7 again, with other content) is ignored; the next envelope applies.
    const repeat = { channel: 'l2_data', client_id: '', timestamp: '2023-02-09T20:32:50.714964855Z', sequence_num: 7, events: [
      { type: 'update', product_id: 'BTC-USD', updates: [{ side: 'bid', event_time: '2023-02-09T20:32:50.714964855Z', price_level: '1', new_quantity: '1' }] },
    ] };
    c.send(JSON.stringify(repeat));
    const next = venue.update('ETH-USD', 'offer', '2002', '3');
    c.send(next);
    await stream.decoded((raw) => raw === next);
    expect(books()).toBe(true);
    expect(logs().filter((l) => l['msg'] === 'ws_sequence_repeated')).toMatchObject([{ last: 7, received: 7 }]);
    expect(host.state()).toBe('open.live');
  });
});
