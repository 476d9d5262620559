/**
 * Benchmarks of the real trading runtime (not a test, not pass/fail): market events per second through a virtual-clock
 * paper replay, tick-to-order latency of the full runtime against the simulator's Bybit façade on loopback, and the heap
 * held by 500 hosted trade actors. Prints nothing itself; `npm run bench` reports the figures it returns.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Effect, Either } from 'effect';
import { runSession } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler, type Scheduler } from '../../src/kernel/Scheduler.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { ActorHost } from '../../src/runtime/ActorHost.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { DecisionLoop } from '../../src/runtime/DecisionLoop.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import type { MarketEvent } from '../../src/venues/streams.ts';
import type { Venue } from '../../src/venues/Venue.ts';
import { startSimHarness, type SimHarness } from '../venues/bybit/simHarness.ts';
import { runStream } from '../venues/bybit/wsRunner.ts';
import { gc } from '../support/gc.ts';
import { fsyncCommitMs, loopbackHttpRoundTripMs } from './floors.ts';

/** One measured figure. */
interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const percentile = (sorted: ReadonlyArray<number>, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const MB = 1024 * 1024;

// ── 1. Paper replay throughput ──────────────────────────────────────────────────────────────────────────────────────

/** Replays config/default.yaml (both bundled symbols, the whole day) through the full runtime; counts market events. */
const benchReplay = async (dir: string): Promise<Figure[]> => {
  const loaded = loadConfigFile('config/default.yaml');
  if (Either.isLeft(loaded)) throw new Error(`config/default.yaml does not decode: ${JSON.stringify(loaded.left)}`);
  let marketEvents = 0;
  let startedAt = 0;
  const t0 = performance.now();
  const result = await runSession({
    config: loaded.right.config,
    configHash: loaded.right.hash,
    dataDir: dir,
    version: 'bench',
    commit: null,
    progress: () => undefined,
    onStarted: (runtimes) => {
      const runtime = runtimes.get('main')!;
      startedAt = performance.now();
      // Count every normalized market event the venue hands the runtime (the venue calls `runtime.onMarket` by name).
      const onMarket = runtime.onMarket.bind(runtime);
      runtime.onMarket = (e: MarketEvent): void => {
        marketEvents += 1;
        onMarket(e);
      };
    },
  });
  const end = performance.now();
  // Rates are over the replay proper (gate open → summary written: includes the runtime's stop and the journal
  // verification, not config/CSV loading); the total wall time is reported beside them.
  const seconds = (end - startedAt) / 1000;
  const ticks = Number(result.summary['replayTicks'] ?? 0);
  return [
    { name: 'runtime_replay_events_per_s', value: Math.round(marketEvents / seconds), unit: 'events/s' },
    { name: 'runtime_replay_market_events', value: marketEvents, unit: 'events' },
    { name: 'runtime_replay_ticks_per_s', value: Math.round(ticks / seconds), unit: 'ticks/s' },
    { name: 'runtime_replay_journal_entries', value: Number(result.summary['journalEntries'] ?? 0), unit: 'entries' },
    { name: 'runtime_replay_wall_time', value: Number(((end - t0) / 1000).toFixed(2)), unit: 's' },
  ];
};

// ── 2. Tick-to-order latency over loopback ──────────────────────────────────────────────────────────────────────────

/** A strategy that proposes one small buy of BTCUSDT on every decision cycle (the bench triggers cycles itself). */
const alwaysBuy: Strategy<number> = {
  id: 'bench',
  init: () => 0,
  propose: (snapshot, n) => ({
    proposals: snapshot.symbols.get('BTCUSDT')?.bid === undefined
      ? []
      : [
          new TradeProposal({
            proposalId: `bench-${snapshot.now}-${n}`,
            strategyId: 'bench',
            symbol: 'BTCUSDT',
            side: 'buy',
            instrumentKind: 'perp',
            notionalFraction: 0.001 as never,
            stopLossFraction: 0.01 as never,
            takeProfitFraction: 0.02 as never,
            conviction: 0.5 as never,
            createdAt: snapshot.now,
            ttlMs: 10_000,
          }),
        ],
    state: n + 1,
  }),
  selfCheck: () => [],
};

// A bound, so a lost frame fails the sample instead of hanging the whole bench run.
const within = <A>(p: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not arrive within ${ms} ms`)), ms);
  });
  return Promise.race([p, bound]).finally(() => clearTimeout(timer));
};

// The bench's entries may fill: each sample starts flat, so the symbol cap never failures a later sample.
const flatten = async (h: SimHarness, i: number): Promise<void> => {
  for (const p of await Effect.runPromise(h.venue.positions('BTCUSDT'))) {
    if (p.side === 'flat' || p.quantity.isZero()) continue;
    await Effect.runPromise(h.venue.placeOrder({
      clientOrderId: `flat-${i}`, symbol: 'BTCUSDT', side: p.side === 'long' ? 'sell' : 'buy', type: 'market', quantity: p.quantity,
      price: undefined, timeInForce: 'ioc', reduceOnly: true, closeOnTrigger: true,
    }));
  }
};

// Decision cycles are triggered by the bench on the measured tick, so the runtime's own cycle timer never fires;
// actor deadlines (ack timeouts) are not needed for a latency sample either.
const manualScheduler = (clock: VirtualClock): Scheduler => ({ clock, schedule: () => () => undefined });

/**
 * Per sample: a fresh runtime (fresh journal, idle actor) over the Bybit adapter, warmed with the last two minutes of
 * decoded public-stream events; then one simulator tick. Measured from the moment the engine publishes the ticker to
 * the `placeOrder` ack of the order the runtime sends for it: engine → façade WS frame → adapter decode →
 * MarketState → strategy → RiskEngine → trade actor (journaled) → ExecutionEngine → REST place → ack.
 */
const benchTickToOrder = async (dir: string): Promise<Figure[]> => {
  const h: SimHarness = await startSimHarness({ tickIntervalMs: 1000 });
  const stream = await runStream(h.venue.streams.public(['BTCUSDT'], 50), () => h.clock.now());
  try {
    await Effect.runPromise(h.venue.instruments());
    const history: MarketEvent[] = [];
    let onEvents: ((events: ReadonlyArray<MarketEvent>) => void) | undefined;
    stream.onFrame((f) => {
      if (f.kind !== 'events') return;
      for (const e of f.events) history.push(e);
      onEvents?.(f.events);
    });
    // Two minutes of market before the first sample, so a 1-minute bar has closed and the σ window is full.
    for (let i = 0; i < 130; i++) {
      h.advance(1000);
      await stream.barrier();
    }
    // Only a ticker of the measured tick (newer than the clock before the advance) starts or triggers a sample: a
    // ticker the engine publishes for the flattening trade of the previous sample must not.
    let measuredAfter = Number.POSITIVE_INFINITY;
    let tickerAt = 0;
    const unsubscribe = h.exchange.subscribe((e) => {
      if (e.type === 'ticker' && e.ticker.ts > measuredAfter && tickerAt === 0) tickerAt = performance.now();
    });
    let ackAt = 0;
    let placeAt = 0;
    let decodedAt = 0;
    let placeError: string | undefined;
    const venue: Venue = {
      ...h.venue,
      placeOrder: (r) => Effect.sync(() => {
        placeAt = performance.now();
      }).pipe(
        Effect.andThen(() => h.venue.placeOrder(r)),
        Effect.tap(() => Effect.sync(() => {
          ackAt = performance.now();
        })),
        Effect.tapError((e) => Effect.sync(() => {
          placeError = e.message;
        })),
      ),
    };
    const samples: number[] = [];
    const toDecode: number[] = [];
    const toPlace: number[] = [];
    const toAck: number[] = [];
    const WARMUP = 20;
    const N = 520;
    const failures: string[] = [];
    for (let i = 0; i < N; i++) {
      const journalPath = join(dir, `t2o-${i}.sqlite`);
      const journal = openJournal({ path: journalPath, clock: h.clock });
      const risk = makeRiskEngine(makeRiskConfig({ mode: 'PAPER', allowShorts: true, fees: { makerRate: 0.0002, takerRate: 0.00055 } }));
      const strategies = [alwaysBuy as Strategy<unknown>];
      const runtime = makeTestRuntime({
        settings: testSettings({ profile: 'bench', botId: `b${i}`, symbols: ['BTCUSDT'], maxRepriceAttempts: 0, retry: { baseMs: 100, capMs: 1_000, maxAttempts: 1 }, seed: 1 }),
        venue,
        journal,
        scheduler: manualScheduler(h.clock),
        logger: silentLogger(h.clock),
        risk,
        strategies,
      });
      const loop = new DecisionLoop({
        scheduler: manualScheduler(h.clock), random: () => 0, cycleMs: 60_000, jitterFraction: 0, strategies, risk, targets: [runtime], track: (w) => runtime.track(w),
      });
      loop.start();
      try {
        await runtime.start();
        const cutoff = h.clock.now() - 125_000;
        while (history.length > 0 && (history[0]?.ts ?? 0) < cutoff) history.shift();
        for (const e of history) runtime.onMarket(e);
        const before = runtime.stats.ordersSent;
        ackAt = 0;
        placeError = undefined;
        const acked = new Promise<void>((resolve, reject) => {
          onEvents = (events) => {
            if (!events.some((e) => e.type === 'ticker' && e.ts > measuredAfter)) {
              for (const e of events) runtime.onMarket(e);
              return;
            }
            decodedAt = performance.now();
            for (const e of events) runtime.onMarket(e);
            onEvents = undefined;
            loop.runCycle();
            if (runtime.stats.ordersSent === before) {
              reject(new Error(`the runtime sent no order for the tick (risk vetoes: ${JSON.stringify(runtime.stats.summary({})['vetoes'])})`));
              return;
            }
            runtime.idle().then(() => resolve(), reject);
          };
        });
        measuredAfter = h.clock.now();
        tickerAt = 0;
        h.advance(1000);
        await within(acked, 10_000, 'the tick and its order ack');
        if (ackAt === 0) throw new Error(`the order was sent but not acknowledged: ${placeError ?? 'no answer'}`);
        if (tickerAt === 0) throw new Error('the engine published no ticker for the measured tick');
        if (i >= WARMUP) {
          samples.push(ackAt - tickerAt);
          toDecode.push(decodedAt - tickerAt);
          toPlace.push(placeAt - decodedAt);
          toAck.push(ackAt - placeAt);
        }
      } catch (e) {
        failures.push(e instanceof Error ? e.message : String(e));
        if (failures.length > 5) throw new Error(`tick-to-order: too many failed samples: ${failures.join(' | ')}`, { cause: e });
      } finally {
        onEvents = undefined;
        await Effect.runPromise(h.venue.cancelAll('BTCUSDT'));
        await flatten(h, i);
        await stream.barrier(); // every frame of this sample is in `history` before the next runtime is warmed
        journal.close();
        rmSync(journalPath, { force: true });
        rmSync(`${journalPath}-wal`, { force: true });
        rmSync(`${journalPath}-shm`, { force: true });
      }
    }
    unsubscribe();
    const p50 = (xs: number[]): number => Number(percentile([...xs].sort((a, b) => a - b), 50).toFixed(3));
    samples.sort((a, b) => a - b);
    return [
      { name: 'runtime_tick_to_order_ms_p50', value: Number(percentile(samples, 50).toFixed(3)), unit: 'ms' },
      { name: 'runtime_tick_to_order_ms_p99', value: Number(percentile(samples, 99).toFixed(3)), unit: 'ms' },
      // The three legs of the same samples (p50 each): engine → decoded WS frame, decoded → `placeOrder` called
      // (MarketState, strategy, RiskEngine, journaled actor transition, ExecutionEngine), `placeOrder` → REST ack.
      { name: 'runtime_tick_to_order_leg_ws_decode_ms_p50', value: p50(toDecode), unit: 'ms' },
      { name: 'runtime_tick_to_order_leg_decide_ms_p50', value: p50(toPlace), unit: 'ms' },
      { name: 'runtime_tick_to_order_leg_rest_ack_ms_p50', value: p50(toAck), unit: 'ms' },
      // The floors, measured now in the same run and folder: a bare loopback round trip (undici → node:http) and one
      // fsync'd SQLite commit. The rest-ack leg is about one round trip; the decide leg holds one durable commit.
      { name: 'runtime_tick_to_order_floor_loopback_http_round_trip_ms_p50', value: Number((await loopbackHttpRoundTripMs()).toFixed(3)), unit: 'ms' },
      { name: 'runtime_tick_to_order_floor_fsync_commit_ms_p50', value: Number(fsyncCommitMs(dir).toFixed(3)), unit: 'ms' },
      { name: 'runtime_tick_to_order_samples', value: samples.length, unit: 'count' },
      { name: 'runtime_tick_to_order_failed_samples', value: failures.length, unit: 'count' },
    ];
  } finally {
    await stream.close();
    await h.close();
  }
};

// ── 3. Memory of 500 hosted trade actors ────────────────────────────────────────────────────────────────────────────

// `global.gc` when node runs with --expose-gc; otherwise the flag is set at run time and the function taken from a
// fresh context (the bench command line stays as it is). Undefined only if V8 refuses both.

/** Hosts 500 trade actors (distinct symbols, one journal) and sends each an entry and its acceptance. */
const benchMemory = (dir: string): Figure[] => {
  const clock = new VirtualClock(1_750_000_000_000);
  const scheduler = virtualScheduler(clock);
  const logger = silentLogger(clock);
  const journal = openJournal({ path: join(dir, 'actors.sqlite'), clock });
  try {
    const withGc = gc();
    const baseline = process.memoryUsage().heapUsed;
    const hosts: ActorHost[] = [];
    let submitted = 0;
    for (let i = 0; i < 500; i++) {
      const symbol = `S${i}USDT`;
      const host = new ActorHost({
        venue: 'sim',
        input: { symbol, cooldownMs: 60_000, maxProtectionAttempts: 3, queryRetryMs: 5_000, killFlatten: false },
        journal,
        scheduler,
        logger,
        perform: (intent) => {
          if (intent.type === 'order.submit') submitted += 1;
        },
        onDefect: (_h, e) => {
          throw e instanceof Error ? e : new Error(String(e));
        },
      });
      hosts.push(host);
      const clientOrderId = `tw-bench-${i}`;
      host.send({
        type: 'command.open', at: clock.now(), intentId: `intent-${i}`, clientOrderId, side: 'buy', quantity: '0.01', price: '100.0', timeInForce: 'post_only',
        takeProfitFraction: '0.02', stopLossFraction: '0.01', maxRepriceAttempts: 2, repriceTicks: 1, tickSize: '0.1', ackTimeoutMs: 5_000,
      });
      const sent = host.snapshot().context.entryClientOrderId ?? clientOrderId;
      host.send({ type: 'venue.accepted', clientOrderId: sent, venueOrderId: `v-${i}`, at: clock.now() });
    }
    gc();
    const used = process.memoryUsage().heapUsed - baseline;
    const states = new Set(hosts.map((h) => h.state()));
    const out: Figure[] = [
      { name: withGc ? 'runtime_memory_500_symbols_mb' : 'runtime_memory_500_symbols_mb_no_gc', value: Number((used / MB).toFixed(2)), unit: 'MB' },
      { name: 'runtime_memory_per_actor_kb', value: Number((used / 500 / 1024).toFixed(1)), unit: 'KB' },
      { name: 'runtime_memory_500_symbols_orders_submitted', value: submitted, unit: 'count' },
    ];
    if (states.size !== 1 || !states.has('working')) out.push({ name: 'runtime_memory_500_symbols_unexpected_states', value: states.size, unit: 'count' });
    for (const host of hosts) host.stop();
    return out;
  } finally {
    journal.close();
  }
};

/** Runs the runtime benchmarks in a temporary folder and returns the figures. */
export async function benchRuntime(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-runtime-'));
  try {
    const out: Figure[] = [];
    out.push(...benchMemory(dir));
    out.push(...(await benchReplay(dir)));
    out.push(...(await benchTickToOrder(dir)));
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  // `node tests/bench/runtime.bench.ts [memory|replay|tick]`: one part alone (for a profile); no argument runs all three.
  const part = process.argv[2];
  const parts: Record<string, (dir: string) => Figure[] | Promise<Figure[]>> = { memory: benchMemory, replay: benchReplay, tick: benchTickToOrder };
  const one = part === undefined ? undefined : parts[part];
  if (part !== undefined && one === undefined) throw new Error(`unknown part ${part}; one of ${Object.keys(parts).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-runtime-'));
  try {
    for (const f of one === undefined ? await benchRuntime() : await one(dir)) console.log(`${f.name}: ${f.value} ${f.unit}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
