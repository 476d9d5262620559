/**
 * The scale curve (issue 17 item 5; not a test, not pass/fail): 10, 100 and 1,000 symbols on the simulator's Bybit
 * façade over loopback at about 10,000 market events/s in total, with everything a trading session runs live — the
 * Bybit adapter (REST + public/private WebSockets), the public and private connection hosts (books, gap detection),
 * one VenueRuntime with one trade actor per symbol, the hash-chained journal on disk, a JSON log file, and a
 * DecisionLoop cycling every second over every symbol with a strategy that enters two symbols a cycle (tight TP/SL,
 * so positions close and the symbols trade again). The venue runs on a worker thread (scaleVenue.worker.ts), as a
 * real venue is another machine; each point runs in a process of its own. Venue time is wall time (speed 1): every
 * deadline is the production one. The symbols' ticks are spread evenly over the tick interval.
 *
 * Per point, over a 20 s window after the streams are live and the first 1-minute bar has closed: event-loop lag
 * p50/p99 (perf_hooks.monitorEventLoopDelay, 10 ms resolution, the resolution subtracted), tick → order p50/p99 of a
 * probe symbol under that load (the engine publishes its ticker → the REST ack of the order the runtime sends for it:
 * WS frame, decode, MarketState, a decision cycle over every symbol, RiskEngine, the journaled actor transition,
 * ExecutionEngine, REST; the probe's entry is post-only at the touch, so the venue acknowledges and cancels it and the
 * probe is at rest again at once), RSS, heap per symbol (actor, book, market state and stream state together, after
 * a full GC), journal write latency p50/p99, the X-OBS-2 place → ack histogram and the achieved market event rate.
 * The synthetic data is generated in the worker from a seed; nothing is read from or written to the repository.
 * Prints nothing itself; `npm run bench` reports the figures, and running this file alone prints the curve as a
 * table (`node tests/bench/scale.bench.ts [N …]`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Effect, Redacted } from 'effect';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import type { OrderRequest } from '../../src/domain/orders.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { preciseWallClock, wallClock, type Clock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { wallScheduler, type Scheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { ConnectionHost } from '../../src/runtime/connection/ConnectionHost.ts';
import { createPauseBoard } from '../../src/runtime/connection/PauseBoard.ts';
import { DecisionLoop } from '../../src/runtime/DecisionLoop.ts';
import { LatencyTelemetry } from '../../src/runtime/LatencyTelemetry.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { decodeBybitConfig } from '../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue } from '../../src/venues/bybit/BybitVenue.ts';
import type { MarketEvent } from '../../src/venues/streams.ts';
import type { Venue } from '../../src/venues/Venue.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { hasEntryInFlight, holdsPosition, isIdle } from '../../machines/trade/tradeQueries.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import type { ScaleVenueInput, ScaleVenueMessage } from './scaleVenue.worker.ts';
import { gc } from '../support/gc.ts';

/** One measured figure. */
interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

/** The points of the curve. */
const POINTS: ReadonlyArray<number> = [10, 100, 1_000];
/** Market events per second over all symbols the points aim at. */
const TARGET_EVENTS_PER_S = 10_000;
/** Decoded market events per engine tick of one symbol: ticker, trade, book delta and kline (measured). */
const EVENTS_PER_TICK = 4;
/** The measurement window of a point (wall ms), after warm-up. */
const WINDOW_MS = 20_000;
/** The decision cycle: the shortest the config allows, so the loop's cost over every symbol is paid every second. */
const CYCLE_MS = 1_000;
/** Entries the load strategy proposes per cycle. */
const ENTRIES_PER_CYCLE = 2;
/** monitorEventLoopDelay's sampling interval; every sample includes it, so it is subtracted. */
const ELD_RESOLUTION_MS = 10;
/** A minute boundary of venue time: the first 1-minute bar closes there (the staleness rule needs a closed bar). */
const FIRST_BAR_CLOSE = 1_750_000_020_000;
const KEY = 'scale-key';
const SECRET = 'scale-secret';
const ACCOUNT = 'scale-acct';
const MB = 1024 * 1024;

const percentile = (sorted: ReadonlyArray<number>, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const sortedCopy = (xs: ReadonlyArray<number>): number[] => [...xs].sort((a, b) => a - b);
const r3 = (v: number): number => Number(v.toFixed(3));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// `global.gc` when node runs with --expose-gc; otherwise the flag is set at run time and the function taken from a
// fresh context (as runtime.bench.ts does). Undefined only if V8 refuses both.

/** Waits until `check()` holds, polling every 20 ms; throws after `ms`. */
const until = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${ms} ms`);
    await sleep(20);
  }
};

/** The journal with every write timed (the product's journal, on disk, full durability). */
const timedJournal = (journal: Journal, samples: { on: boolean; readonly ms: number[] }): Journal => {
  const writes = new Set(['append', 'appendBatch', 'appendWithSnapshot', 'recordOrderRequested', 'recordOrderUpdate', 'kvSet', 'nextSequence']);
  return new Proxy(journal, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !writes.has(prop) || typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const t0 = performance.now();
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (samples.on) samples.ms.push(performance.now() - t0);
        return out;
      };
    },
  });
};

const proposal = (symbol: string, side: 'buy' | 'sell', now: number, id: string, strategyId: string): TradeProposal =>
  new TradeProposal({
    proposalId: id, strategyId, symbol, side, instrumentKind: 'perp',
    notionalFraction: 0.0002 as never, stopLossFraction: 0.002 as never, takeProfitFraction: 0.002 as never, conviction: 0.5 as never,
    createdAt: now, ttlMs: 10_000,
  });

/** Enters `ENTRIES_PER_CYCLE` flat symbols a cycle, round robin (never the probe), alternating sides. */
const loadStrategy = (symbols: ReadonlyArray<string>, probe: string): Strategy<number> => ({
  id: 'scale-load',
  init: () => 0,
  propose: (snapshot, cursor) => {
    const out: TradeProposal[] = [];
    let c = cursor;
    for (let tried = 0; tried < symbols.length && out.length < ENTRIES_PER_CYCLE; tried++) {
      const symbol = symbols[c % symbols.length]!;
      c += 1;
      if (symbol === probe || snapshot.positions?.has(symbol) === true || snapshot.symbols.get(symbol)?.bid === undefined) continue;
      out.push(proposal(symbol, c % 2 === 0 ? 'buy' : 'sell', snapshot.now, `load-${snapshot.now}-${c}`, 'scale-load'));
    }
    return { proposals: out, state: c };
  },
  selfCheck: () => [],
});

/** Proposes one buy of the probe symbol when armed (the bench arms it on the measured tick). */
const probeStrategy = (probe: string): Strategy<number> & { arm(): void } => {
  let armed = false;
  return {
    id: 'scale-probe',
    arm: () => {
      armed = true;
    },
    init: () => 0,
    propose: (snapshot, n) => {
      if (!armed) return { proposals: [], state: n };
      armed = false;
      return { proposals: [proposal(probe, 'buy', snapshot.now, `probe-${snapshot.now}-${n}`, 'scale-probe')], state: n + 1 };
    },
    selfCheck: () => [],
  };
};

// Probe cycles are run by the bench on the measured tick: its loop's own timer never fires.
const manualScheduler = (clock: Clock): Scheduler => ({ clock, schedule: () => () => undefined });

/** Starts the venue worker and waits for its URLs. */
type Stopped = Extract<ScaleVenueMessage, { t: 'stopped' }>;
const startVenue = async (
  input: ScaleVenueInput, onTick: (ts: number, at: number) => void,
): Promise<{ readonly urls: Extract<ScaleVenueMessage, { t: 'ready' }>; window(): void; stop(): Promise<Stopped | undefined> }> => {
  const worker = new Worker(new URL('./scaleVenue.worker.ts', import.meta.url), { workerData: input });
  let stopped: ((m: Stopped) => void) | undefined;
  const urls = await new Promise<Extract<ScaleVenueMessage, { t: 'ready' }>>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: ScaleVenueMessage) => {
      if (m.t === 'ready') resolve(m);
      else if (m.t === 'tick') onTick(m.ts, m.at - performance.timeOrigin);
      else if (m.t === 'failed') reject(new Error(`the venue worker failed: ${m.message}`));
      else if (m.t === 'stopped') stopped?.(m);
    });
  });
  return {
    urls,
    window: () => worker.postMessage({ t: 'window' }),
    stop: async () => {
      const done = new Promise<Stopped>((resolve) => (stopped = resolve));
      worker.postMessage({ t: 'stop' });
      const out = await Promise.race([done, sleep(10_000).then(() => undefined)]);
      await worker.terminate();
      return out;
    },
  };
};

/** Sends the probe back to rest: a working entry cancelled, a (partly) filled one closed with a reduce-only market order. */
const backToRest = async (ctx: {
  readonly runtime: ReturnType<typeof makeTestRuntime>;
  readonly venue: Pick<Venue, 'positions' | 'placeOrder'>;
  readonly probe: string;
  readonly clock: Clock;
  readonly nextId: () => string;
}): Promise<void> => {
  const { runtime, probe } = ctx;
  const host = runtime.host(probe)!;
  const flat = (): boolean => runtime.portfolio.position(probe)?.quantity.isZero() ?? true;
  for (let attempt = 0; attempt < 5; attempt++) {
    await runtime.idle();
    if (hasEntryInFlight(host.snapshot())) host.send({ type: 'command.cancelEntry', at: ctx.clock.now() });
    await sleep(50);
    if (holdsPosition(host.snapshot()) || !flat()) {
      for (const p of await Effect.runPromise(ctx.venue.positions(probe))) {
        if (p.side === 'flat' || p.quantity.isZero()) continue;
        await Effect.runPromise(Effect.either(ctx.venue.placeOrder({
          clientOrderId: ctx.nextId(), symbol: probe, side: p.side === 'long' ? 'sell' : 'buy', type: 'market', quantity: p.quantity,
          price: undefined, timeInForce: 'ioc', reduceOnly: true, closeOnTrigger: true,
        })));
      }
    }
    const settled = performance.now() + 2_000;
    while (performance.now() < settled && !(isIdle(host.snapshot()) && flat())) await sleep(20);
    if (isIdle(host.snapshot()) && flat()) return;
  }
  throw new Error(`the probe did not come back to rest (state ${lifecycleState(host.snapshot())}, position ${runtime.portfolio.position(probe)?.quantity.toString() ?? 'none'})`);
};

/** One point of the curve, in this process: N symbols at ~10,000 events/s for WINDOW_MS; returns its figures. */
const runPoint = async (n: number, dir: string, rate = TARGET_EVENTS_PER_S): Promise<Figure[]> => {
  // Another total rate than the curve's (`--rate`, for one-off measurements) is named in every figure.
  const prefix = rate === TARGET_EVENTS_PER_S ? `scale_${n}_symbols` : `scale_${n}_symbols_at_${rate}_events_per_s`;
  const symbols = Array.from({ length: n }, (_, i) => `S${String(i).padStart(4, '0')}USDT`);
  const probe = symbols[0]!;
  const intervalMs = Math.max(1, Math.round((n * EVENTS_PER_TICK * 1000) / rate));
  // The first bar closes after the streams of this point are live (they take longer with more symbols: 1,000 books
  // to snapshot, 4,000 topics to subscribe); a later close is waited for.
  const leadMs = 6_000 + n * 14;
  const start = FIRST_BAR_CLOSE - leadMs;
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const withGc = gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const offsetMs = start - wallClock.now();
  const clock: Clock = { now: () => wallClock.now() + offsetMs };

  const publishedAt = new Map<number, number>();
  const venueWorker = await startVenue(
    { symbols, probe, intervalMs, offsetMs, start, ticks: Math.ceil((leadMs + WINDOW_MS + 150_000) / intervalMs), seed: 17, key: KEY, secret: SECRET, account: ACCOUNT, funding: '1000000' },
    (ts, at) => {
      publishedAt.set(ts, at);
      if (publishedAt.size > 2_000) publishedAt.delete(publishedAt.keys().next().value!);
    },
  );
  const { urls } = venueWorker;
  const many = { burst: 1_000_000, perSecond: 1_000_000 };
  const bybit = makeBybitVenue(
    decodeBybitConfig({
      environment: 'sim', baseUrl: urls.url, wsPublicUrl: urls.wsPublicUrl, wsPrivateUrl: urls.wsPrivateUrl,
      apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET), requestTimeoutMs: 10_000,
      // As the façade's: the bench measures the runtime, not Bybit's per-UID limits.
      rateLimits: { order: many, position: many, account: many, market: many, maxQueueMs: 0 },
    }),
    { clock },
  );
  // The probe's REST leg: when its entry leaves and when the venue acknowledges it.
  // One probe sample at a time: when its entry left, when it was acknowledged, or why no order was sent.
  const shot: { placeAt: number; ackAt: number; order: string | undefined; veto: string | undefined } = { placeAt: 0, ackAt: 0, order: undefined, veto: undefined };
  const vetoOf = (): string | undefined => shot.veto;
  const isProbeEntry = (r: OrderRequest): boolean => r.symbol === probe && !r.reduceOnly;
  const venue: Venue = {
    ...bybit,
    placeOrder: (r) => Effect.sync(() => {
      if (isProbeEntry(r)) {
        shot.placeAt = performance.now();
        shot.order = r.clientOrderId;
      }
    }).pipe(
      Effect.andThen(() => bybit.placeOrder(r)),
      Effect.tap(() => Effect.sync(() => {
        if (isProbeEntry(r) && shot.order === r.clientOrderId) shot.ackAt = performance.now();
      })),
    ),
  };
  const journalSamples = { on: false, ms: [] as number[] };
  const rawJournal = openJournal({ path: join(dir, `scale-${n}.sqlite`), clock });
  const journal = timedJournal(rawJournal, journalSamples);
  const logger = createLogger({ level: 'info', clock, base: { runId: `scale-${n}` }, targets: { file: join(dir, `scale-${n}.log.jsonl`) } });
  const scheduler = wallScheduler(clock);
  const riskSection = {
    mode: 'PAPER', allowShorts: true, fees: { makerRate: 0.0002, takerRate: 0.00055 },
    cooldowns: { afterFillMs: 0, afterStopMs: 0 }, capacity: { maxOpenPositions: 1_000, maxConcurrentTrades: 10_000 },
  } as const;
  const risk = makeRiskEngine(makeRiskConfig(riskSection));
  // The probe's entries are post-only at the touch: the venue acknowledges them and cancels them at once (Bybit's
  // EC_PostOnlyWillTakeLiquidity), so the probe is back at rest within milliseconds, with no position to close.
  const probeRisk = makeRiskEngine(makeRiskConfig({ ...riskSection, orders: { timeInForce: 'post_only' } }));
  const latency = new LatencyTelemetry(preciseWallClock);
  const load = loadStrategy(symbols, probe) as Strategy<unknown>;
  const probeS = probeStrategy(probe);
  let live = (): boolean => false;
  const runtime = makeTestRuntime({
    settings: testSettings({ profile: 'bench', botId: 'sc', symbols, cooldownMs: 200, maxRepriceAttempts: 0, seed: 1 }),
    venue, journal, scheduler, logger, risk, strategies: [load, probeS as Strategy<unknown>], latency,
    clockStatus: () => ({ offsetMs: Math.round(bybit.clockOffsetMs()), skewBlocked: !bybit.clockGate.isOpen() }),
    dependencies: () => ({ venue_rest: 'up', venue_ws: live() ? 'up' : 'down', journal: 'up' }),
  });
  const loop = new DecisionLoop({
    scheduler, random: seededRandom(5), cycleMs: CYCLE_MS, jitterFraction: 0.1, strategies: [load], risk, targets: [runtime], track: (w) => runtime.track(w),
  });
  const probeLoop = new DecisionLoop({
    scheduler: manualScheduler(clock), random: () => 0, cycleMs: 60_000, jitterFraction: 0, strategies: [probeS as Strategy<unknown>], risk: probeRisk, targets: [runtime], track: (w) => runtime.track(w),
  });

  // The probe: armed with the venue time before its tick, it fires on the first decoded ticker of the probe after it.
  let marketEvents = 0;
  let armedAfter: number | undefined;
  let decodedAt = 0;
  let decodedTs = 0;
  const onMarket = (e: MarketEvent): void => {
    marketEvents += 1;
    if (armedAfter === undefined || e.type !== 'ticker' || e.symbol !== probe || e.ts <= armedAfter) {
      runtime.onMarket(e);
      return;
    }
    armedAfter = undefined;
    decodedAt = performance.now();
    decodedTs = e.ts;
    runtime.onMarket(e);
    const before = runtime.stats.intents;
    probeS.arm();
    probeLoop.runCycle();
    if (runtime.stats.intents === before) shot.veto = JSON.stringify(runtime.stats.summary({})['vetoes']);
  };
  const board = createPauseBoard(runtime);
  const net = wallScheduler(wallClock);
  const pub = new ConnectionHost({
    kind: 'public', stream: bybit.streams.public(symbols, 50), orderBook: bybit.orderBook, depth: 50, onMarket, symbols, scheduler: net, random: seededRandom(11),
    logger, pauses: board('public'), journal, latency,
  });
  const priv = new ConnectionHost({
    kind: 'private', stream: bybit.streams.private(), onAccount: (e) => runtime.onAccount(e), onReconnect: async () => { await runtime.checkVenue('private_reconnect'); },
    venueNow: () => bybit.venueNow() + 1000, symbols, scheduler: net, random: seededRandom(12), logger, pauses: board('private'), journal, latency,
  });
  live = () => pub.isLive() && priv.isLive();
  const out: Figure[] = [];
  const t0 = performance.now();
  let flattened = 0;
  try {
    // The session's order: prepare (instruments, account, leverage per symbol) → actors → streams live → recover → gate.
    await runtime.prepare();
    for (const s of symbols) runtime.startActor(s);
    pub.start();
    priv.start();
    await Promise.all([pub.whenState((s) => s === 'open.live'), priv.whenState((s) => s === 'open.live')]);
    const liveAt = performance.now();
    await runtime.recover();
    runtime.openGate();
    loop.start();
    probeLoop.start();
    await until(() => runtime.snapshot(clock.now()).symbols.get(probe)?.lastBarCloseTs !== undefined, leadMs + 75_000, `the first closed bar of ${probe}`);
    const warmS = (performance.now() - t0) / 1000;
    gc();
    const heapLive = process.memoryUsage().heapUsed;

    // ── the window ──
    const eld = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
    const events0 = marketEvents;
    const orders0 = runtime.stats.ordersSent;
    const fills0 = runtime.stats.fills;
    const trades0 = runtime.stats.trades.length;
    const vetoes0 = [...runtime.stats.vetoes.values()].reduce((a, b) => a + b, 0);
    const lat0 = latency.histograms().place_to_ack_ms.count();
    journalSamples.on = true;
    venueWorker.window();
    const elu0 = performance.eventLoopUtilization();
    eld.enable();
    const w0 = performance.now();
    const samples: number[] = [];
    const legs = { decode: [] as number[], decide: [] as number[], rest: [] as number[] };
    const failures: string[] = [];
    while (performance.now() < w0 + WINDOW_MS && failures.length <= 10) {
      try {
        shot.ackAt = 0;
        shot.order = undefined;
        shot.veto = undefined;
        armedAfter = clock.now();
        await until(() => shot.ackAt !== 0 || shot.veto !== undefined, 10_000, 'the probe tick and its order ack');
        // Read through a call: the compiler would keep `shot.veto` narrowed to the undefined assigned above.
        const veto = vetoOf();
        if (veto !== undefined) throw new Error(`the runtime sent no order for the probe tick (vetoes so far: ${veto})`);
        const published = publishedAt.get(decodedTs);
        if (published === undefined) throw new Error(`no engine publish time for the probe ticker at ${decodedTs}`);
        samples.push(shot.ackAt - published);
        legs.decode.push(decodedAt - published);
        legs.decide.push(shot.placeAt - decodedAt);
        legs.rest.push(shot.ackAt - shot.placeAt);
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
        armedAfter = undefined;
      }
      try {
        await backToRest({ runtime, venue: bybit, probe, clock, nextId: () => `flat-${n}-${(flattened += 1)}` });
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
      }
      await sleep(100);
    }
    eld.disable();
    const utilization = performance.eventLoopUtilization(elu0).utilization;
    journalSamples.on = false;
    const seconds = (performance.now() - w0) / 1000;
    const mem = process.memoryUsage();
    gc();
    const heapEnd = process.memoryUsage().heapUsed;
    const lag = (p: number): number => r3(Math.max(0, eld.percentile(p) / 1e6 - ELD_RESOLUTION_MS));
    const sorted = sortedCopy(samples);
    const journalMs = sortedCopy(journalSamples.ms);
    const p50 = (xs: ReadonlyArray<number>): number => r3(percentile(sortedCopy(xs), 50));
    const vetoes = [...runtime.stats.vetoes.values()].reduce((a, b) => a + b, 0) - vetoes0;
    const placeToAck = latency.histograms().place_to_ack_ms;
    out.push(
      { name: `${prefix}_events_per_s`, value: Math.round((marketEvents - events0) / seconds), unit: 'events/s' },
      { name: `${prefix}_tick_interval_ms`, value: intervalMs, unit: 'ms' },
      { name: `${prefix}_loop_lag_p50_ms`, value: lag(50), unit: 'ms' },
      { name: `${prefix}_loop_lag_p99_ms`, value: lag(99), unit: 'ms' },
      { name: `${prefix}_loop_lag_max_ms`, value: r3(Math.max(0, eld.max / 1e6 - ELD_RESOLUTION_MS)), unit: 'ms' },
      { name: `${prefix}_loop_utilization`, value: r3(utilization), unit: 'fraction' },
      { name: `${prefix}_tick_to_order_p50_ms`, value: r3(percentile(sorted, 50)), unit: 'ms' },
      { name: `${prefix}_tick_to_order_p99_ms`, value: r3(percentile(sorted, 99)), unit: 'ms' },
      // The legs of the same samples (p50): engine → decoded frame; decoded → placeOrder called (MarketState, the
      // cycle over every symbol, RiskEngine, journaled actor transition, ExecutionEngine); placeOrder → REST ack.
      { name: `${prefix}_tick_to_order_leg_ws_decode_p50_ms`, value: p50(legs.decode), unit: 'ms' },
      { name: `${prefix}_tick_to_order_leg_decide_p50_ms`, value: p50(legs.decide), unit: 'ms' },
      { name: `${prefix}_tick_to_order_leg_rest_ack_p50_ms`, value: p50(legs.rest), unit: 'ms' },
      { name: `${prefix}_tick_to_order_samples`, value: samples.length, unit: 'count' },
      { name: `${prefix}_tick_to_order_failed_samples`, value: failures.length, unit: 'count' },
      { name: `${prefix}_rss_mb`, value: r3(mem.rss / MB), unit: 'MB' },
      { name: `${prefix}_heap_used_mb`, value: r3(heapEnd / MB), unit: 'MB' },
      // The point's heap over the heap before it, per symbol: its actor, book, market state and stream state, plus
      // this point's share of what does not grow with symbols (the marginal figure is the slope between points).
      { name: withGc ? `${prefix}_heap_per_actor_kb` : `${prefix}_heap_per_actor_kb_no_gc`, value: r3((Math.max(heapLive, heapEnd) - heapBefore) / n / 1024), unit: 'KB' },
      { name: `${prefix}_journal_append_p50_ms`, value: r3(percentile(journalMs, 50)), unit: 'ms' },
      { name: `${prefix}_journal_append_p99_ms`, value: r3(percentile(journalMs, 99)), unit: 'ms' },
      { name: `${prefix}_journal_writes_per_s`, value: Math.round(journalMs.length / seconds), unit: 'writes/s' },
      // X-OBS-2's histogram (every order of the window and of the warm-up: place → ack, wall time).
      { name: `${prefix}_place_to_ack_p50_ms`, value: r3(placeToAck.quantile(0.5) ?? Number.NaN), unit: 'ms' },
      { name: `${prefix}_place_to_ack_p99_ms`, value: r3(placeToAck.quantile(0.99) ?? Number.NaN), unit: 'ms' },
      { name: `${prefix}_place_to_ack_count`, value: placeToAck.count() - lat0, unit: 'count' },
      { name: `${prefix}_orders_sent`, value: runtime.stats.ordersSent - orders0, unit: 'count' },
      { name: `${prefix}_fills`, value: runtime.stats.fills - fills0, unit: 'count' },
      { name: `${prefix}_trades_closed`, value: runtime.stats.trades.length - trades0, unit: 'count' },
      { name: `${prefix}_risk_vetoes`, value: vetoes, unit: 'count' },
      { name: `${prefix}_time_to_live_s`, value: r3((liveAt - t0) / 1000), unit: 's' },
      { name: `${prefix}_warmup_s`, value: r3(warmS), unit: 's' },
      // The box's 1-minute load average before the point and at the window's end (this point's two threads add about
      // 1.3): other work on the same cores shows in every figure above.
      { name: `${prefix}_load_average_1m_before`, value: r3(loadBefore), unit: 'load' },
      { name: `${prefix}_load_average_1m_after`, value: r3(loadavg()[0] ?? Number.NaN), unit: 'load' },
    );
    if (failures.length > 0) console.error(`scale ${n}: ${failures.length} failed probe samples: ${failures.slice(0, 3).join(' | ')}`);
  } finally {
    loop.stop();
    probeLoop.stop();
    await runtime.stop('bench_end');
    await pub.stop();
    await priv.stop();
    await bybit.close();
    const venueEnd = await venueWorker.stop();
    if (out.length > 0 && venueEnd !== undefined) {
      out.push(
        { name: `${prefix}_venue_thread_loop_lag_p99_ms`, value: r3(venueEnd.loopLagP99Ms), unit: 'ms' },
        { name: `${prefix}_venue_thread_utilization`, value: r3(venueEnd.utilization), unit: 'fraction' },
        { name: `${prefix}_ws_frames_sent`, value: venueEnd.framesSent, unit: 'frames' },
      );
    }
    logger.flush();
    rawJournal.close();
  }
  return out;
};

/** The line a point's process prints its figures on. */
const FIGURES_PREFIX = 'SCALE_FIGURES ';
/** A point that has not finished after this long is stopped (its figures are then missing, and the run says so). */
const POINT_TIMEOUT_MS = 150_000;

/**
 * Runs one point in a process of its own (`node scale.bench.ts --point N`): each point starts from a fresh heap,
 * RSS and event loop, so a point's figures are its own and not what the previous point left behind.
 */
const pointInChild = (n: number, rate: number): Promise<Figure[]> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--point', String(n), '--rate', String(rate)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      process.stderr.write(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), POINT_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code: number | null) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(FIGURES_PREFIX));
      if (line === undefined) {
        reject(new Error(`the ${n}-symbol point ended (exit ${code === null ? 'killed' : String(code)}) without figures: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      resolve(JSON.parse(line.slice(FIGURES_PREFIX.length)) as Figure[]);
    });
  });

/** The heap growth per added symbol between the first and the last point (fixed costs cancel out). */
const marginalHeap = (figures: ReadonlyArray<Figure>, points: ReadonlyArray<number>): Figure[] => {
  const first = points[0];
  const last = points[points.length - 1];
  const heapOf = (n: number | undefined): number | undefined => figures.find((f) => f.name === `scale_${n}_symbols_heap_used_mb`)?.value;
  const a = heapOf(first);
  const b = heapOf(last);
  if (first === undefined || last === undefined || first === last || a === undefined || b === undefined) return [];
  return [{ name: `scale_heap_per_symbol_marginal_${first}_to_${last}_kb`, value: r3(((b - a) * 1024) / (last - first)), unit: 'KB' }];
};

/** Runs the points (10, 100 and 1,000 symbols), one process each, and returns their figures point by point. */
export async function benchScale(points: ReadonlyArray<number> = POINTS, rate = TARGET_EVENTS_PER_S): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const n of points) {
    try {
      out.push(...(await pointInChild(n, rate)));
    } catch (e) {
      out.push({ name: `scale_${n}_symbols_error`, value: 1, unit: 'count' });
      console.error(`scale ${n}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  out.push(...marginalHeap(out, points));
  return out;
}

/** The curve as a table: one row per figure, one column per point. */
const curveTable = (figures: ReadonlyArray<Figure>, points: ReadonlyArray<number>): string => {
  const metrics = [...new Set(figures.map((f) => /^scale_\d+_symbols_(.+)$/.exec(f.name)?.[1]).filter((m): m is string => m !== undefined))];
  const cell = (n: number, m: string): string => {
    const f = figures.find((x) => x.name === `scale_${n}_symbols_${m}`);
    return f === undefined ? '-' : String(f.value);
  };
  const rows = [['figure', ...points.map((n) => `${n} symbols`)], ...metrics.map((m) => [m, ...points.map((n) => cell(n, m))])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  const extra = figures.filter((f) => !/^scale_\d+_symbols_/.test(f.name)).map((f) => `${f.name}: ${f.value} ${f.unit}`);
  return [...lines, ...extra].join('\n');
};

if (import.meta.main) {
  // `node tests/bench/scale.bench.ts [--rate R] [N …]`: the curve as a table; `--point N` is one point (internal).
  const args = process.argv.slice(2);
  const option = (name: string): number | undefined => {
    const at = args.indexOf(name);
    return at < 0 ? undefined : Number(args.splice(at, 2)[1]);
  };
  const rate = option('--rate') ?? TARGET_EVENTS_PER_S;
  const one = option('--point');
  if (one !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'tw-bench-scale-'));
    try {
      console.log(`${FIGURES_PREFIX}${JSON.stringify(await runPoint(one, dir, rate))}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    process.exit(0);
  }
  const given = args.map(Number).filter((x) => Number.isInteger(x) && x > 0);
  const points = given.length > 0 ? given : POINTS;
  console.log(curveTable(await benchScale(points, rate), points));
  process.exit(0);
}
