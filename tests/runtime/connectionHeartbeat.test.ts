/**
 * Liveness of a ConnectionHost socket against a scripted `ws` peer on 127.0.0.1, with the host's deadlines on a
 * virtual clock the test moves (X-WS-1): protocol pings (Binance-shaped stream: URL-named streams, no subscribe
 * frames) answered and then not — the actor reconnects; a heartbeat channel (Coinbase-shaped) that goes quiet — the
 * actor reconnects, and the per-connection counter starts over on the new socket; a REST keepalive of a listen key
 * that fails — the actor reconnects with a new key in the URL, which never reaches a log line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { nextIdRule, rangeChainRule } from '../../src/market/OrderBook.ts';
import { ConnectionHost } from '../../src/runtime/connection/ConnectionHost.ts';
import type { AccountEvent, MarketEvent, StreamDescription } from '../../src/venues/streams.ts';
import { BinanceDepthVenue, CoinbaseVenue, decodeBinanceDepth, decodeCoinbase, heldSnapshots, observed, startPeer, type ScriptedPeer } from './connectionPeers.ts';

const peers = new Set<ScriptedPeer>();
const hosts = new Set<ConnectionHost>();
afterEach(async () => {
  await Promise.all([...hosts].map((h) => h.stop()));
  await Promise.all([...peers].map((p) => p.close()));
  hosts.clear();
  peers.clear();
});

const setup = async () => {
  const peer = await startPeer();
  peers.add(peer);
  const clock = new VirtualClock(1_700_000_000_000);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', clock, targets: { memory: logLines } });
  const logs = () => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { peer, clock, scheduler: virtualScheduler(clock), logger, logLines, logs };
};

// Reconnect backoff is full jitter under a 200 ms cap for the first attempt: advancing by the cap fires it.
const timing = { pongTimeoutMs: 500, reconnectBaseMs: 200, reconnectCapMs: 200 };

describe('ConnectionHost heartbeat modes and keepalive', { timeout: 15_000 }, () => {
  it('X-WS-1 protocol ping: pongs keep the socket; a peer that stops answering pings gets the actor to reconnect', async () => {
    const { peer, clock, scheduler, logger, logs } = await setup();
    const venue = new BinanceDepthVenue();
    venue.update([['100', '1']], [['101', '1']]);
    // After each answered ping the peer sends a marker frame: once decoded, the pong before it was handled.
    let marks = 0;
    peer.onEvent = (c, kind) => {
      if (kind === 'ping' && peer.answerPings) c.send(JSON.stringify({ stream: 'mark', data: { n: ++marks } }));
    };
    const stream = observed<MarketEvent>({
      name: 'binance-shaped:public:BTCUSDT',
      open: () => ({ url: `${peer.url}/public/stream?streams=btcusdt@depth@100ms`, authFrames: [], subscribeFrames: [] }),
      heartbeat: { mode: 'protocol_ping', everyMs: 1_000 },
      sequence: { scope: 'per_book', rule: rangeChainRule },
      decode: decodeBinanceDepth,
    });
    const snapshots = heldSnapshots();
    const host = new ConnectionHost({
      kind: 'public', stream: stream.desc, orderBook: snapshots.orderBook, depth: 1000, onMarket: () => undefined,
      symbols: ['BTCUSDT'], scheduler, random: seededRandom(7), logger, pauses: { setMarketPaused: () => undefined }, timing,
    });
    hosts.add(host);
    host.start();
    // No subscribe frames (the URL names the streams): opened → subscribed at once → the REST snapshot.
    (await snapshots.request(1))(venue.snapshot());
    await host.whenState((s) => s === 'open.live');

    for (let n = 1; n <= 2; n++) {
      clock.advanceBy(1_000);
      await stream.decoded((raw) => raw.includes(`"n":${n}`));
      expect(host.snapshot().context.pongDeadline).toBeNull();
    }
    expect(peer.connections[0]!.pings).toBe(2);
    expect(host.state()).toBe('open.live');

    peer.answerPings = false;
    clock.advanceBy(1_000);
    await peer.until(() => peer.connections[0]!.pings === 3);
    clock.advanceBy(timing.pongTimeoutMs);
    expect(host.state()).toBe('reconnecting');
    expect(host.snapshot().context.lastError).toBe('timer.pongTimeout');
    clock.advanceBy(timing.reconnectCapMs);
    (await snapshots.request(2))(venue.snapshot());
    await host.whenState((s) => s === 'open.live');
    expect(host.connectionCount()).toBe(2);
    expect(peer.connections).toHaveLength(2);
    expect(peer.connections.every((c) => c.received.length === 0)).toBe(true);
    expect(logs().filter((l) => l['msg'] === 'ws_reconnect_scheduled')).toHaveLength(1);

    // The peer's own pings are answered by the socket (Binance pings every 3 min and drops silent clients).
    const pong = new Promise<void>((resolve) => peer.connections[1]!.socket.once('pong', () => resolve()));
    peer.connections[1]!.socket.ping();
    await pong;
  });

  it('X-WS-1 heartbeat channel: heartbeats answer the liveness check; a silent channel gets the actor to reconnect', async () => {
    const { peer, clock, scheduler, logger } = await setup();
    const venue = new CoinbaseVenue(['BTC-USD']);
    peer.onEvent = (c, kind, message) => {
      if (kind !== 'message') return;
      const m = JSON.parse(message) as { type: string; channel: string };
      if (m.type === 'subscribe') c.send(venue.subscriptions(m.channel));
    };
    const stream = observed<MarketEvent>({
      name: 'coinbase-shaped:public:BTC-USD',
      open: () => {
        venue.reset();
        return { url: peer.url, authFrames: [], subscribeFrames: ['level2', 'heartbeats'].map((channel) => JSON.stringify({ type: 'subscribe', product_ids: ['BTC-USD'], channel })) };
      },
      heartbeat: { mode: 'heartbeat_channel', everyMs: 1_000 },
      sequence: { scope: 'per_connection', rule: nextIdRule('monotonic') },
      decode: decodeCoinbase,
    });
    const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-hb-')), 'journal.sqlite'), clock });
    const host = new ConnectionHost({
      kind: 'public', stream: stream.desc, orderBook: (s) => Effect.sync(() => venue.snapshot(s)), depth: 50, onMarket: () => undefined,
      symbols: ['BTC-USD'], scheduler, random: seededRandom(8), logger, pauses: { setMarketPaused: () => undefined }, timing, journal,
    });
    hosts.add(host);
    host.start();
    await host.whenState((s) => s === 'open.live');

    clock.advanceBy(1_000);
    expect(host.snapshot().context.pongDeadline).not.toBeNull();
    const beat = venue.heartbeat();
    peer.connections[0]!.send(beat);
    await stream.decoded((raw) => raw === beat);
    expect(host.snapshot().context.pongDeadline).toBeNull();

    // The channel goes quiet: the next check is not answered within the pong timeout.
    clock.advanceBy(1_000);
    clock.advanceBy(timing.pongTimeoutMs);
    expect(host.state()).toBe('reconnecting');
    clock.advanceBy(timing.reconnectCapMs);
    // The new socket numbers its envelopes from 1 again: no repeat, no gap.
    await host.whenState((s) => s === 'open.live');
    expect(host.connectionCount()).toBe(2);
    expect([...journal.readEvents({ fromSeq: 0 })].filter((r) => r.type === 'STREAM_GAP')).toEqual([]);
    journal.close();
  });

  it('X-WS-3 a REST keepalive that fails gets the actor to reconnect; the new socket embeds a new listen key that no log line shows', async () => {
    const { peer, clock, scheduler, logger, logLines, logs } = await setup();
    let keys = 0;
    let calls = 0;
    let lastCall: Promise<void> | undefined;
    let reconciles = 0;
    const stream: StreamDescription<AccountEvent> = {
      name: 'binance-shaped:private',
      // POST /fapi/v1/listenKey before each socket; the key rides in the URL.
      open: async () => {
        const key = await Promise.resolve(`lk${++keys}x0123456789`);
        return { url: `${peer.url}/private/ws?listenKey=${key}&events=ORDER_TRADE_UPDATE/ACCOUNT_UPDATE`, authFrames: [], subscribeFrames: [] };
      },
      // PUT /fapi/v1/listenKey: the first extension works, the second answers -1125 (a Promise, then an Effect).
      keepalive: {
        everyMs: 20 * 60_000,
        run: () => {
          calls += 1;
          if (calls === 1) return (lastCall = Promise.resolve());
          return Effect.fail(new Error('-1125 This listenKey does not exist.'));
        },
      },
      heartbeat: { mode: 'protocol_ping', everyMs: 24 * 3_600_000 },
      sequence: { scope: 'per_book' },
      decode: () => ({ kind: 'ignored' }),
    };
    const host = new ConnectionHost({
      kind: 'private', stream, onAccount: () => undefined, onReconnect: () => void (reconciles += 1),
      symbols: ['BTCUSDT'], scheduler, random: seededRandom(9), logger, pauses: { setMarketPaused: () => undefined },
      timing: { ...timing, staleAfterMs: 24 * 3_600_000 },
    });
    hosts.add(host);
    host.start();
    await host.whenState((s) => s === 'open.live');
    expect(peer.connections[0]!.path).toContain('listenKey=lk1x0123456789');

    clock.advanceBy(20 * 60_000);
    expect(calls).toBe(1);
    // The host's reaction to the resolved call was registered first, so it has re-armed the keepalive when this resumes.
    await lastCall;
    expect(host.state()).toBe('open.live');
    const back = host.whenState((s) => s === 'reconnecting');
    clock.advanceBy(20 * 60_000);
    expect(calls).toBe(2);
    await back;
    expect(host.snapshot().context.lastError).toBe('stream.error: keepalive failed: -1125 This listenKey does not exist.');
    clock.advanceBy(timing.reconnectCapMs);
    await host.whenState((s) => s === 'open.live');
    expect(peer.connections).toHaveLength(2);
    expect(peer.connections[1]!.path).toContain('listenKey=lk2x0123456789');
    expect(reconciles).toBe(1);
    expect(logs().filter((l) => l['msg'] === 'ws_keepalive_failed')).toHaveLength(1);
    expect(logs().filter((l) => l['msg'] === 'ws_connecting').map((l) => l['url'])).toEqual([`${peer.url}/private/ws?…`, `${peer.url}/private/ws?…`]);
    expect(logLines.some((l) => l.includes('lk1x') || l.includes('lk2x'))).toBe(false);
  });
});
