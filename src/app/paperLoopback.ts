/**
 * Composition root of a PAPER session over the real Bybit v5 wire protocol on loopback: the simulator's Bybit façade
 * (in-process on 127.0.0.1:0, or an external one at `venues.bybit.simUrl`), the real Bybit adapter, the runtime on an
 * accelerated wall clock, the symbol supervisor, and a public and a private ConnectionHost. Wires only; it holds
 * no trading, protocol or connection logic, and it never talks to anything but loopback simulator credentials.
 */
import { join } from 'node:path';
import { Effect, Either, Exit, Random, Redacted, Scope } from 'effect';
import { openJournal, type Journal } from '../journal/Journal.ts';
import { admitPersistentJournal, judgeJournalOffline } from '../execution/JournalAdmission.ts';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import { effectClockFrom } from '../kernel/effectClock.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { seededRandom } from '../kernel/random.ts';
import { wallScheduler } from '../kernel/Scheduler.ts';
import { ConnectionHost } from '../runtime/connection/ConnectionHost.ts';
import { createPauseBoard } from '../runtime/connection/PauseBoard.ts';
import { superviseSymbols } from '../runtime/SymbolSupervisor.ts';
import type { VenueRuntime } from '../runtime/VenueRuntime.ts';
import type { RecoveryReport } from '../runtime/recovery.ts';
import type { CrashPoint } from '../kernel/crashPoints.ts';
import { ReconcileError } from '../execution/Reconciler.ts';
import { externalSimClock, persistentJournalPath } from './reconcileCommand.ts';
import { decodeBybitConfig } from '../venues/bybit/BybitConfig.ts';
import { makeBybitVenue } from '../venues/bybit/BybitVenue.ts';
import { startBybitSim, type BybitSimServer } from '../venues/sim/bybit/BybitSimServer.ts';
import { DEFAULT_SIM_API_KEYS } from '../venues/sim/bybit/defaults.ts';
import { SIM_SYMBOLS, simInstrument } from '../venues/sim/catalogue.ts';
import { createSimExchange } from '../venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../venues/sim/engine/types.ts';
import { parseFaultSpec, type FaultPlan } from '../venues/sim/faults.ts';
import { barFeed } from '../venues/sim/replay/barFeed.ts';
import { loadBarsCsv } from '../venues/sim/replay/loadBarsCsv.ts';
import { acceleratedClock } from '../venues/sim/server.ts';
import type { PaperRunOptions, PaperRunResult } from './paper.ts';
import { abortable, StartupAborted, decisionLoopFor, finishRunSummary, logAlertRouter, newRunDir, runtimeFromConfig } from './wiring.ts';

/** Options of a loopback paper run: those of `runPaperVirtual` plus the wall-time bounds and credentials. */
export interface LoopbackRunOptions extends PaperRunOptions {
  /** Stop after this much wall time even if the simulator still has data (an external simulator never runs dry). */
  readonly maxWallMs?: number | undefined;
  /** Replay only the first N bars of each feed (tests). */
  readonly barLimit?: number | undefined;
  /** Simulator-only credentials (TW_SIM_API_KEY/SECRET via loadSecrets); default sim-key-1 / sim-secret-1. */
  readonly simApiKey?: Redacted.Redacted<string> | undefined;
  readonly simApiSecret?: Redacted.Redacted<string> | undefined;
  /** Called after the private stream reconnected, before it counts as live (reconcile hook, issue 5). */
  readonly onPrivateReconnect?: ((runtime: VenueRuntime) => void | Promise<void>) | undefined;
  /** Restart-drill crash points, handed to the execution path and the actor hosts (no-op in production). */
  readonly crashPoint?: CrashPoint | undefined;
  /** Awaited after recovery, with the gate still closed (the restart drill checks the venue here). */
  readonly beforeGate?: ((report: RecoveryReport) => Promise<void>) | undefined;
  /** Called with both connection hosts once they are started (tests inject drops and watch states). */
  readonly onConnections?: ((hosts: { readonly public: ConnectionHost; readonly private: ConnectionHost; readonly server: BybitSimServer | undefined; readonly exchange: SimExchange | undefined }) => void) | undefined;
}

/** Wall time a request may take before the accelerated clock would push its signature out of the receive window. */
const WALL_LATENCY_BUDGET_MS = 250;
/** How often the run checks whether the simulator's data is exhausted (wall ms). */
const EXHAUSTION_POLL_MS = 100;
/** How long the run waits for both streams to go live before it opens the gate anyway (entries stay paused). */
const LIVE_WAIT_MS = 30_000;
/** Start-up recovery attempts (wall-time backoff between them) before the run gives up with the gate still closed. */
const RECOVERY_ATTEMPTS = 5;
const RECOVERY_BACKOFF_MS = 500;

/** The journal of the run refuses to verify: no trading on it (exit 3 from the CLI). */
export class JournalBroken extends Error {
  override readonly name = 'JournalBroken';
}

/** Start-up recovery could not read the venue after every attempt: the gate stayed closed (exit 4 from the CLI). */
export class RecoveryFailed extends Error {
  override readonly name = 'RecoveryFailed';
}

interface InProcessSim {
  readonly server: BybitSimServer;
  readonly exchange: SimExchange;
  readonly clock: Clock;
  readonly start: number;
}

const startInProcessSim = async (opts: LoopbackRunOptions, apiKey: string, apiSecret: string, logger: Logger, base: Clock): Promise<InProcessSim> => {
  const { config } = opts;
  const feeds = config.sim.feeds.filter((f) => config.symbols.includes(f.symbol));
  const bars = feeds.map((f) => {
    const all = loadBarsCsv(f.file);
    return { symbol: f.symbol, bars: opts.barLimit === undefined ? all : all.slice(0, opts.barLimit) };
  });
  const start = Math.min(...bars.map((b) => b.bars[0]?.start ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(start)) throw new Error('no market data: sim.feeds lists no bars for the configured symbols');
  let faults: FaultPlan | undefined;
  if (config.sim.faults.trim() !== '') {
    const parsed = parseFaultSpec(config.sim.faults);
    if (Either.isLeft(parsed)) throw new Error(`sim.faults: ${parsed.left}`);
    faults = parsed.right;
  }
  const instruments = config.symbols.map((s) => {
    const instrument = simInstrument(s);
    if (instrument === undefined) throw new Error(`the simulator has no instrument ${s} (available: ${SIM_SYMBOLS.join(', ')})`);
    return instrument;
  });
  // One accelerated clock drives the engine, signs the adapter's requests and times the runtime: replay speed everywhere.
  const clock = acceleratedClock(config.sim.speed, start, base);
  const exchange = createSimExchange({
    clock,
    instruments,
    seed: config.sim.seed,
    feeds: bars.map((b) => {
      const i = instruments.find((x) => x.symbol === b.symbol);
      return barFeed({ symbol: b.symbol, bars: b.bars, seed: config.sim.seed, ticksPerBar: 16, tickSize: i?.tickSize, quantityStep: i?.quantityStep });
    }),
  });
  exchange.fundAccount(config.sim.account, 'USDT', config.sim.startingBalance);
  exchange.advanceTo(clock.now());
  const server = await startBybitSim({
    exchange,
    port: 0,
    apiKeys: [{ key: apiKey, secret: apiSecret, account: config.sim.account }],
    faults,
    logger: (line) => logger.debug({ sim: line }, 'sim'),
    driveClock: true,
    clock, speed: config.sim.speed, // the façade's receive-window limit (one wall minute) scales with the replay speed
    // Between two engine advances venue time jumps by interval × speed: keep that well under the quote staleness limit.
    driveIntervalMs: Math.max(1, Math.min(20, Math.floor(config.risk.staleness.quoteMaxAgeMs / config.sim.speed / 4))),
    seed: config.sim.seed,
    // The venue's per-second limits apply in venue time, which runs at replay speed here.
    rateLimitClock: clock,
  });
  return { server, exchange, clock, start };
};

/**
 * Opens a run's journal as its owner (a persistent one is claimed: no other process may have it open) and proves its
 * chain, head record and tables before anything trades on it (X-LOG-3); throws JournalBroken otherwise.
 */
const openOwnedJournal = (path: string, clock: Clock, claim: boolean): Journal => {
  const journal = openJournal({ path, clock, claim });
  const verified = journal.verify();
  if (!verified.ok) {
    journal.close();
    throw new JournalBroken(`journal ${path} is broken at seq ${verified.firstBadSeq} (${verified.problem}): ${verified.detail}; refusing to trade. Run \`tradewarden journal verify\` and see docs/operations.md, "A damaged journal".`);
  }
  return journal;
};

/** Runs a PAPER session over the Bybit wire protocol on loopback until the data is exhausted (or `maxWallMs`). */
export const runPaperLoopback = async (opts: LoopbackRunOptions): Promise<PaperRunResult> => {
  const { config } = opts;
  const speed = config.sim.speed;
  const runId = `${config.profile}-${opts.configHash.slice(0, 10)}-s${config.sim.seed}-loopback`;
  const external = config.venues.bybit.simUrl.trim();
  // ADR 0006: a venue that outlives the process keeps one journal per data directory and account, never wiped; the
  // in-process simulator dies with the run, so each run gets a directory of its own (earlier runs are kept).
  const runDir = newRunDir(opts.dataDir, runId);
  const base = wallClock;
  const apiKey = opts.simApiKey ?? Redacted.make(DEFAULT_SIM_API_KEYS[0]!.key);
  const apiSecret = opts.simApiSecret ?? Redacted.make(DEFAULT_SIM_API_KEYS[0]!.secret);

  // The logger needs a clock before the simulator exists; it reads through to the run clock once that is known.
  let runClock: Clock = base;
  const clock: Clock = { now: () => runClock.now() };
  const logger: Logger = createLogger({
    level: config.logging.level,
    clock,
    base: { runId },
    targets: { file: join(runDir, 'tradewarden.log.jsonl'), stream: opts.stderr === undefined ? undefined : { write: opts.stderr, minLevel: config.logging.stderrLevel } },
  });

  // A persistent journal that holds entries is opened and verified before any venue is contacted: a damaged or held
  // journal refuses the start at once. A missing or empty one is judged against the venue's activity below.
  const journalPath = external === '' ? join(runDir, 'journal.sqlite') : persistentJournalPath(opts.dataDir, 'bybit', config.sim.account);
  const initCommand = `tradewarden journal init --config ${opts.configFile ?? '<config>'}${opts.dataDir === 'var' ? '' : ` --data-dir ${opts.dataDir}`}`;
  let earlyJournal: Journal | undefined;
  if (external !== '') {
    try {
      if (judgeJournalOffline(journalPath, initCommand).kind === 'present') earlyJournal = openOwnedJournal(journalPath, clock, true);
    } catch (e) {
      logger.flush();
      throw e;
    }
  }
  let sim: InProcessSim | undefined;
  if (external === '') {
    sim = await startInProcessSim(opts, Redacted.value(apiKey), Redacted.value(apiSecret), logger, base);
    runClock = sim.clock;
  } else {
    try {
      runClock = await abortable(opts.signal, 'reading the simulator clock', externalSimClock(external, speed, base, opts.signal));
    } catch (e) {
      earlyJournal?.close();
      logger.flush();
      if (e instanceof StartupAborted) throw e;
      throw new RecoveryFailed(`cannot reach the simulator at ${external}: ${e instanceof Error ? e.message : String(e)}; the trading gate stays closed`);
    }
  }
  const baseUrl = sim?.server.url ?? external.replace(/\/$/, '');
  const dataStart = sim?.start ?? clock.now();
  logger.info(
    { event: 'startup', version: opts.version, commit: opts.commit, configHash: opts.configHash, profile: config.profile, mode: config.mode, venue: 'bybit-sim-loopback', clock: 'accelerated', speed, simUrl: baseUrl },
    'tradewarden_started',
  );
  logger.info({ event: 'secrets', fingerprints: opts.secrets ?? {} }, 'secrets_loaded');

  const venue = makeBybitVenue(
    decodeBybitConfig({
      environment: 'sim',
      baseUrl,
      apiKey,
      apiSecret,
      // Wall latency is multiplied by the replay speed in venue time: widen the window to cover it.
      recvWindowMs: Math.max(config.venues.bybit.recvWindowMs, Math.ceil(speed * WALL_LATENCY_BUDGET_MS)),
      requestTimeoutMs: config.venues.bybit.requestTimeoutMs,
      triggerSource: config.venues.bybit.triggerSource,
      // At ×speed a wall millisecond of network jitter is `speed` venue milliseconds: the skew gate judges wall time.
      clockGate: { blockAboveMs: config.risk.clock.blockAboveMs * speed, resumeAtOrBelowMs: config.risk.clock.resumeAtOrBelowMs * speed },
    }),
    { clock, logger },
  );
  let journal: Journal;
  try {
    if (external !== '' && earlyJournal === undefined) {
      // A missing or empty journal of an account the venue shows activity for is never trusted (ids would collide).
      await abortable(opts.signal, 'admitting the journal', admitPersistentJournal({
        path: journalPath, venue, botId: config.botId, symbols: config.symbols, now: clock.now(), initCommand,
      }));
    }
    journal = earlyJournal ?? openOwnedJournal(journalPath, clock, external !== '');
  } catch (e) {
    earlyJournal?.close();
    await sim?.server.close();
    await venue.close();
    logger.flush();
    throw e;
  }
  const scheduler = wallScheduler(clock, speed);

  const alerts = logAlertRouter(scheduler, logger);
  const runtime = runtimeFromConfig({
    config, dataDir: opts.dataDir, venue, journal, scheduler, logger, alerts, inspect: opts.inspect, crashPoint: opts.crashPoint,
    // X-CLK-2: the adapter's offset estimate (refreshed by serverTime every cycle) and its hysteresis gate.
    // Reported in wall milliseconds (the venue runs ×speed), so the risk rule's limits keep their meaning.
    clockStatus: () => ({ offsetMs: Math.round(venue.clockOffsetMs() / speed), skewBlocked: !venue.clockGate.isOpen() }),
    // X-RSK-6: the venue's streams are a gating dependency; the REST side and the journal fail loudly where they are used.
    dependencies: () => ({ venue_rest: 'up', venue_ws: streamsLive() ? 'up' : 'down', journal: 'up' }),
  });
  const loop = decisionLoopFor(config, [runtime], scheduler);
  let streamsLive = (): boolean => false;

  // Sockets live in wall time: heartbeats, connect deadlines and reconnect backoff are about the network, not the replay.
  const netScheduler = wallScheduler(base);
  const board = createPauseBoard(runtime);
  const timing = { reconnectBaseMs: config.supervisor.restartBaseMs, reconnectCapMs: config.supervisor.restartCapMs };
  const publicHost = new ConnectionHost({
    kind: 'public',
    stream: venue.streams.public(config.symbols, config.venues.bybit.orderbookDepth),
    orderBook: venue.orderBook,
    depth: config.venues.bybit.orderbookDepth,
    onMarket: (e) => runtime.onMarket(e),
    symbols: config.symbols,
    scheduler: netScheduler,
    random: seededRandom(config.sim.seed ^ 0x9b1c),
    logger,
    pauses: board('public'),
    journal,
    timing,
  });
  const privateHost = new ConnectionHost({
    kind: 'private',
    stream: venue.streams.private(),
    onAccount: (e) => runtime.onAccount(e),
    // After a reconnect the stream may have missed events: compare the actors with the venue before going live.
    onReconnect: async () => {
      await runtime.checkVenue('private_reconnect');
      await opts.onPrivateReconnect?.(runtime);
    },
    // `expires` is 10 s of venue time, milliseconds of wall time at replay speed: give it one wall second on top.
    venueNow: () => venue.venueNow() + speed * 1000,
    symbols: config.symbols,
    scheduler: netScheduler,
    random: seededRandom(config.sim.seed ^ 0x9b1d),
    logger,
    pauses: board('private'),
    journal,
    timing,
  });

  streamsLive = () => publicHost.isLive() && privateHost.isLive();

  const scope = Effect.runSync(Scope.make());
  const withRunServices = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) =>
    effect.pipe(Scope.extend(scope), Effect.withClock(effectClockFrom(scheduler)), Effect.withRandom(Random.make(config.sim.seed)));
  const wallStart = base.now();
  const cancels: Array<() => void> = [];
  const startupStep = async <A>(step: string, run: () => Promise<A>, retryable: (e: unknown) => boolean): Promise<A> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await abortable(opts.signal, step, run());
      } catch (e) {
        if (e instanceof StartupAborted) throw e;
        const message = e instanceof Error ? e.message : String(e);
        // A typed refusal (journal, snapshot) keeps its own exit code; anything else ends start-up with the gate closed.
        if (!retryable(e) && typeof e === 'object' && e !== null && '_tag' in e) throw e;
        if (!retryable(e) || attempt >= RECOVERY_ATTEMPTS) {
          throw new RecoveryFailed(`start-up ${step} failed after ${attempt} attempt(s): ${message}; the trading gate stays closed`);
        }
        logger.warn({ step, attempt, err: message }, 'startup_retry');
        await abortable(opts.signal, step, new Promise<void>((resolve) => cancels.push(netScheduler.schedule(base.now() + RECOVERY_BACKOFF_MS * attempt, resolve))));
      }
    }
  };
  try {
    // Venue hiccups at start-up (a 5xx on balances, a timeout) are retried with backoff, never fatal on first sight.
    // A journal-side refusal (a snapshot that does not restore) or a missing instrument is not a venue hiccup.
    const venueHiccup = (e: unknown): boolean =>
      !(e instanceof Error && e.message.includes('does not list')) && !(typeof e === 'object' && e !== null && '_tag' in e && (e._tag === 'ActorRestoreRefused' || e._tag === 'JournalError'));
    await startupStep('prepare', () => runtime.prepare(), venueHiccup);
    await abortable(opts.signal, 'starting the actors', Effect.runPromise(withRunServices(superviseSymbols(runtime, config.symbols, config.supervisor))));
    publicHost.start();
    privateHost.start();
    opts.onConnections?.({ public: publicHost, private: privateHost, server: sim?.server, exchange: sim?.exchange });
    const bothLive = Promise.all([publicHost.whenState((s) => s === 'open.live'), privateHost.whenState((s) => s === 'open.live')]);
    const liveTimeout = new Promise<'timeout'>((resolve) => cancels.push(netScheduler.schedule(base.now() + LIVE_WAIT_MS, () => resolve('timeout'))));
    if ((await abortable(opts.signal, 'waiting for the streams', Promise.race([bothLive, liveTimeout]))) === 'timeout') logger.warn({ public: publicHost.state(), private: privateHost.state() }, 'streams_not_live_opening_gate_paused');
    // X-REC: with the gate closed, settle what the previous process left in flight, then open it.
    const report = await startupStep('recovery', () => runtime.recover(), (e) => e instanceof ReconcileError);
    opts.progress(`recovery: ${report.actions.length} actions, ${Object.keys(report.mismatches).length} symbols in disagreement, ${report.durationMs} ms`);
    // A hook that resolves (even one that asked to stop) lets the run go on to its graceful stop; a signal while the
    // hook still waits (the drill's hold) ends start-up.
    if (opts.beforeGate !== undefined) {
      const held = opts.beforeGate(report);
      if (opts.signal?.aborted === true) await held;
      else await abortable(opts.signal, 'holding the gate', held);
    }
    runtime.openGate();
    loop.start();
    opts.onStarted?.(runtime);
    opts.progress(`paper session ${runId}: ${config.symbols.join(', ')} over the Bybit wire protocol on ${baseUrl} (accelerated clock ×${speed}, seed ${config.sim.seed})`);

    const reason = await new Promise<string>((resolve) => {
      const check = (): void => {
        if (opts.signal?.aborted === true) return resolve('signal');
        if (opts.maxWallMs !== undefined && base.now() - wallStart >= opts.maxWallMs) return resolve('max_wall_time');
        if (sim !== undefined && sim.exchange.nextEventAt() === undefined) return resolve('end_of_data');
        cancels.push(netScheduler.schedule(base.now() + EXHAUSTION_POLL_MS, check));
      };
      opts.signal?.addEventListener('abort', () => resolve('signal'), { once: true });
      check();
    });
    for (const c of cancels) c();

    // Shutdown order (DESIGN §3): stop decisions and cancel working entries, then close the streams and the venue.
    loop.stop();
    await runtime.stop(reason);
    await Effect.runPromise(Scope.close(scope, Exit.void));
    await publicHost.stop();
    await privateHost.stop();
    const summary = runtime.stats.summary({
      runId, profile: config.profile, mode: config.mode, venue: 'bybit-sim-loopback', clock: 'accelerated', speed, seed: config.sim.seed,
      configHash: opts.configHash, symbols: config.symbols, dataStart, dataEnd: clock.now(), stoppedBy: reason, wallMs: base.now() - wallStart,
      journalEntries: journal.lastSeq(),
      connections: {
        public: { sockets: publicHost.connectionCount(), invalidFrames: publicHost.invalidFrames() },
        private: { sockets: privateHost.connectionCount(), invalidFrames: privateHost.invalidFrames() },
      },
      simCounters: sim?.server.counters() ?? null,
    });
    finishRunSummary(summary, journal, runDir, logger);
    return { runId, runDir, summary };
  } finally {
    for (const c of cancels) c();
    await publicHost.stop();
    await privateHost.stop();
    await Effect.runPromise(Scope.close(scope, Exit.void));
    await venue.close();
    await sim?.server.close();
    journal.close();
    logger.flush();
  }
};
