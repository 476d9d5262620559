/**
 * ConnectionHost against the real parts: the simulator's Bybit façade on loopback (engine on a virtual clock the test
 * moves), the real Bybit adapter and stream descriptions, a real VenueRuntime and an on-disk journal. Covers the
 * live path, gap → pause → REST resync → resume (X-WS-2), drops → backoff → resubscribe + reconcile hook (X-WS-3),
 * trading paused outside live (X-WS-5) and malformed frames (X-RT-10). Waits are event-driven, bounded by vitest.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler, wallScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { ConnectionHost } from '../../src/runtime/connection/ConnectionHost.ts';
import { createPauseBoard } from '../../src/runtime/connection/PauseBoard.ts';
import type { VenueRuntime } from '../../src/runtime/VenueRuntime.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { withUrl, type MarketEvent } from '../../src/venues/streams.ts';
import { startSimHarness, type SimHarness } from '../venues/bybit/simHarness.ts';

const SYMBOL = 'BTCUSDT';
const DEPTH = 50;

let h: SimHarness;
let journal: Journal;
let runtime: VenueRuntime;
const logLines: string[] = [];
/** Wakes every pending `until` check; called on every forwarded market event and host state change. */
const wakers = new Set<() => void>();
const wake = (): void => {
  for (const w of [...wakers]) w();
};

/** Resolves once `check()` holds, re-checking on every wake-up (no polling, no sleeps). */
const until = (check: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const w = (): void => {
      if (!check()) return;
      wakers.delete(w);
      resolve();
    };
    wakers.add(w);
    w();
  });

const text = (d: WebSocket.RawData): string => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d)).toString('utf8');

const logs = (): Array<Record<string, unknown>> => logLines.map((l) => JSON.parse(l) as Record<string, unknown>);

const engineBook = () => {
  const b = h.exchange.book(SYMBOL, DEPTH);
  return { updateId: b.updateId, bids: b.bids.map(([price, size]) => ({ price, size })), asks: b.asks.map(([price, size]) => ({ price, size })) };
};

/** Whether the host's book has caught up with the (frozen) engine and equals it level by level. */
const bookMatchesEngine = (host: ConnectionHost): boolean => {
  const mine = host.book(SYMBOL);
  const own = engineBook();
  if (mine === undefined || mine.lastUpdateId() !== own.updateId) return false;
  const levels = mine.levels();
  return levels.bids.length === own.bids.length && levels.asks.length === own.asks.length && mine.equals(own);
};

const publicHost = (url?: string): ConnectionHost => {
  const desc = h.venue.streams.public([SYMBOL], DEPTH);
  const host = new ConnectionHost({
    kind: 'public',
    stream: url === undefined ? desc : withUrl(desc, url),
    orderBook: h.venue.orderBook,
    depth: DEPTH,
    onMarket: (e: MarketEvent) => {
      runtime.onMarket(e);
      wake();
    },
    symbols: [SYMBOL],
    scheduler: wallScheduler(),
    random: seededRandom(3),
    logger: createLogger({ level: 'debug', clock: h.clock, targets: { memory: logLines } }),
    pauses: runtime,
    journal,
  });
  host.onStateChange(() => wake());
  started.add(host);
  return host;
};

/** Every host a test created; stopped after each test even when an assertion failed. */
const started = new Set<ConnectionHost>();

beforeAll(async () => {
  h = await startSimHarness({ tickIntervalMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'tw-conn-'));
  journal = openJournal({ path: join(dir, 'journal.sqlite'), clock: h.clock });
  const config = decodeDefaults(AppConfig);
  runtime = makeTestRuntime({
    settings: testSettings({ symbols: [SYMBOL], seed: 1 }),
    venue: h.venue, journal, scheduler: virtualScheduler(h.clock),
    logger: createLogger({ level: 'info', clock: h.clock, targets: { memory: [] } }),
    risk: makeRiskEngine({ ...config.risk, mode: 'PAPER' }),
  });
  await runtime.prepare();
  runtime.startActor(SYMBOL);
});

afterEach(async () => {
  await Promise.all([...started].map((host) => host.stop()));
  started.clear();
});

afterAll(async () => {
  await runtime.stop('test_end');
  journal.close();
  await h.close();
});

const marketRows = () => [...journal.readEvents({ fromSeq: 0 })].filter((e) => e.stream === `market:${SYMBOL}` || e.stream.startsWith('connection:'));

// Every wait below is event-driven; the per-test bound turns a missed event into a fast failure.
describe('ConnectionHost on the Bybit simulator façade', { timeout: 15_000 }, () => {
  it('X-WS-5 goes connecting → subscribing → syncing → live and only then resumes the symbol', async () => {
    const host = publicHost();
    const seen: string[] = [];
    let pausedWhileNotLive = true;
    host.onStateChange((label) => {
      seen.push(label);
      if (label !== 'open.live' && !(runtime.state.gates(SYMBOL).paused !== undefined)) pausedWhileNotLive = false;
    });
    host.start();
    expect((runtime.state.gates(SYMBOL).paused !== undefined)).toBe(true);
    await host.whenState((s) => s === 'open.live');
    expect(seen).toEqual(['disconnected', 'connecting', 'open.subscribing', 'open.syncing', 'open.live']);
    expect(pausedWhileNotLive).toBe(true);
    expect((runtime.state.gates(SYMBOL).paused !== undefined)).toBe(false);
    expect(runtime.host(SYMBOL)?.snapshot().context).toBeDefined();
    // The book is the engine's, and it follows the stream once live.
    await until(() => bookMatchesEngine(host));
    h.advance(5_000);
    await until(() => bookMatchesEngine(host));
    const types = marketRows().filter((r) => r.stream === `market:${SYMBOL}`).map((r) => r.type);
    expect(types.slice(-2)).toEqual(['MARKET_PAUSED', 'MARKET_RESUMED']);
    await host.stop();
    expect(host.state()).toBe('disconnected');
    expect((runtime.state.gates(SYMBOL).paused !== undefined)).toBe(true);
  });

  it('X-WS-2 detects a sequence gap, pauses, resyncs from the REST snapshot, resumes, and ends equal to the simulator book', async () => {
    const host = publicHost();
    host.start();
    await host.whenState((s) => s === 'open.live');
    await until(() => bookMatchesEngine(host));
    const fromSeq = journal.lastSeq();
    const fromLog = logLines.length;
    const states: string[] = [];
    host.onStateChange((label) => states.push(label));

    // Every delta of this step is lost on the wire; the first delta of the next step reveals the gap.
    h.setFaults({ gapRate: 1 });
    h.advance(1_000);
    expect(h.server.counters().gapsInjected).toBeGreaterThan(0);
    h.setFaults({});
    const resumed = host.whenState((s) => s === 'open.resyncing').then(() => host.whenState((s) => s === 'open.live'));
    h.advance(1_000);
    await resumed;
    expect(states.slice(0, 2)).toEqual(['open.resyncing', 'open.live']);
    expect((runtime.state.gates(SYMBOL).paused !== undefined)).toBe(false);
    await until(() => bookMatchesEngine(host));

    // Journaled order: gap → paused → snapshot → resumed.
    const rows = marketRows().filter((r) => r.seq > fromSeq).map((r) => r.type);
    expect(rows.slice(0, 4)).toEqual(['STREAM_GAP', 'MARKET_PAUSED', 'BOOK_RESYNCED', 'MARKET_RESUMED']);
    const paused = [...journal.readEvents({ fromSeq })].find((r) => r.type === 'MARKET_PAUSED')!;
    expect(JSON.stringify(paused.payload)).toMatch(/gap on BTCUSDT/);
    // Logged order of the same steps.
    const msgs = logs().slice(fromLog).map((l) => l['msg']).filter((m) => ['ws_gap_detected', 'book_snapshot_requested', 'book_resynced'].includes(String(m)));
    expect(msgs.slice(0, 3)).toEqual(['ws_gap_detected', 'book_snapshot_requested', 'book_resynced']);
    const resync = logs().slice(fromLog).find((l) => l['msg'] === 'book_resynced')!;
    expect(resync['snapshotUpdateId']).toBe(engineBook().updateId);

    // It keeps following the stream after the resync.
    h.advance(5_000);
    await until(() => bookMatchesEngine(host));
    expect(host.book(SYMBOL)!.isSynced()).toBe(true);
    await host.stop();
  });

  it('X-WS-3 reconnects after a drop with full-jitter backoff, resubscribes the same topics, and calls onReconnect on the private stream', async () => {
    const pub = publicHost();
    let reconnects = 0;
    let reconnected!: () => void;
    const onReconnect = new Promise<void>((resolve) => (reconnected = resolve));
    const board = createPauseBoard(runtime);
    const priv = new ConnectionHost({
      kind: 'private',
      stream: h.venue.streams.private(),
      onAccount: (e) => runtime.onAccount(e),
      onReconnect: () => {
        reconnects += 1;
        reconnected();
      },
      venueNow: () => h.venue.venueNow(),
      symbols: [SYMBOL],
      scheduler: wallScheduler(),
      random: seededRandom(4),
      logger: createLogger({ level: 'debug', clock: h.clock, targets: { memory: logLines } }),
      pauses: board('private'),
      journal,
    });
    started.add(priv);
    const startLog = logLines.length;
    pub.start();
    priv.start();
    await Promise.all([pub.whenState((s) => s === 'open.live'), priv.whenState((s) => s === 'open.live')]);
    expect(priv.snapshot().context.wasLive).toBe(true);
    expect(reconnects).toBe(0);
    const fromLog = logLines.length;

    const pubBack = pub.whenState((s) => s === 'reconnecting').then(() => pub.whenState((s) => s === 'open.live'));
    const privBack = priv.whenState((s) => s === 'reconnecting').then(() => priv.whenState((s) => s === 'open.live'));
    expect(h.server.dropWebSockets()).toBe(2);
    await Promise.all([pubBack, privBack, onReconnect]);
    expect(reconnects).toBe(1);
    expect(pub.connectionCount()).toBe(2);
    expect(priv.connectionCount()).toBe(2);

    // Backoff draws are full jitter within [0, min(cap, base·2^(attempt−1))).
    const scheduled = logs().slice(fromLog).filter((l) => l['msg'] === 'ws_reconnect_scheduled');
    expect(scheduled.length).toBe(2);
    for (const s of scheduled) {
      expect(s['attempt']).toBe(1);
      expect(s['delayMs'] as number).toBeGreaterThanOrEqual(0);
      expect(s['delayMs'] as number).toBeLessThanOrEqual(s['capMs'] as number);
      expect(s['capMs']).toBe(200);
    }
    // The same topic set on the first and the second socket of the public stream.
    const topics = (connection: number) =>
      logs()
        .slice(startLog)
        .filter((l) => l['msg'] === 'ws_subscribe_sent' && l['stream'] === pub.name && l['connection'] === connection)
        .flatMap((l) => (JSON.parse(String(l['frame'])) as { args: string[] }).args)
        .sort();
    expect(topics(1).length).toBeGreaterThan(0);
    expect(topics(2)).toEqual(topics(1));
    expect([...journal.readEvents({ fromSeq: 0 })].some((r) => r.type === 'STREAM_RECONNECTED')).toBe(true);

    // Back in business: the public book follows the engine again.
    h.advance(3_000);
    await until(() => bookMatchesEngine(pub));
    expect((runtime.state.gates(SYMBOL).paused !== undefined)).toBe(false);
    await Promise.all([pub.stop(), priv.stop()]);
  });

  it('X-RT-10 drops malformed frames with a scrubbed, truncated log line and keeps the stream live', async () => {
    // A loopback relay between the host and the façade that can slip extra frames to the host.
    const upstreamUrl = (await h.venue.streams.public([SYMBOL], DEPTH).open(0)).url;
    const relay = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => relay.once('listening', () => resolve()));
    const clients = new Set<WebSocket>();
    relay.on('connection', (client) => {
      clients.add(client);
      const upstream = new WebSocket(upstreamUrl);
      const pending: string[] = [];
      upstream.on('open', () => {
        for (const p of pending.splice(0)) upstream.send(p);
      });
      upstream.on('message', (d) => client.send(text(d)));
      client.on('message', (d) => (upstream.readyState === WebSocket.OPEN ? upstream.send(text(d)) : pending.push(text(d))));
      client.on('close', () => upstream.close());
      upstream.on('close', () => client.close());
    });
    const address = relay.address();
    if (typeof address === 'string' || address === null) throw new Error('relay did not bind');
    const host = publicHost(`ws://127.0.0.1:${address.port}/v5/public/linear`);
    host.start();
    await host.whenState((s) => s === 'open.live');
    await until(() => bookMatchesEngine(host));
    const fromLog = logLines.length;

    const long = JSON.stringify({ topic: `orderbook.${DEPTH}.${SYMBOL}`, type: 'delta', ts: 1, data: { s: SYMBOL, b: [['not-a-price', '1']], a: [], u: 'x', seq: 1 }, pad: 'z'.repeat(5000) });
    for (const c of clients) {
      c.send('{ this is not json');
      c.send(long);
      c.send(JSON.stringify({ topic: `tickers.${SYMBOL}`, data: 42 }));
    }
    // Frames on one socket arrive in order: once later deltas are applied, the bad ones were handled.
    h.advance(3_000);
    await until(() => bookMatchesEngine(host));
    expect(host.state()).toBe('open.live');
    expect(host.invalidFrames()).toBe(3);
    expect((runtime.state.gates(SYMBOL).paused !== undefined)).toBe(false);
    const bad = logs().slice(fromLog).filter((l) => l['msg'] === 'payload_decode_failed');
    expect(bad.length).toBe(3);
    for (const b of bad) expect(String(b['payload']).length).toBeLessThan(250);
    expect(String(bad[1]!['payload'])).toMatch(/…\(\d+ chars\)$/);

    await host.stop();
    await new Promise<void>((resolve) => relay.close(() => resolve()));
  });
});
