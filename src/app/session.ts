/**
 * The session (DESIGN §3's AppSupervisor): one Effect program that acquires everything a trading session holds as
 * scoped resources — its logger, the simulator or the venue endpoints, one journal per venue account (claimed when
 * persistent), each account's venue adapter, runtime and connection hosts, and the actors' supervisor scope — and
 * runs start → recover → gate → trade → ordered shutdown. The in-process paper run, the loopback run, a session on an
 * external simulator and one on a real venue differ only in the binding and the clock (`SessionKind`); every
 * resource is released on every exit path, last acquired first.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cause, Effect, Exit, Random, Redacted, Scope } from 'effect';
import type { InspectionEvent } from 'xstate';
import type { AppConfig } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import { ReconcileError } from '../execution/Reconciler.ts';
import { admitPersistentJournal, judgeJournalOffline } from '../execution/JournalAdmission.ts';
import type { Journal } from '../journal/Journal.ts';
import { preciseWallClock, VirtualClock, wallClock, type Clock } from '../kernel/Clock.ts';
import type { CrashPoint } from '../kernel/crashPoints.ts';
import { effectClockFrom } from '../kernel/effectClock.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { virtualScheduler, wallScheduler, type Scheduler } from '../kernel/Scheduler.ts';
import { LatencyTelemetry } from '../runtime/LatencyTelemetry.ts';
import type { RecoveryReport } from '../runtime/recovery.ts';
import { superviseSymbols } from '../runtime/SymbolSupervisor.ts';
import { enabledStrategies, strategyCapsOf, type StrategyEntry } from '../strategies/registry.ts';
import { StrategyFeedbackBook } from '../runtime/StrategyFeedback.ts';
import type { VenueRuntime } from '../runtime/VenueRuntime.ts';
import type { SimExchange } from '../venues/sim/engine/types.ts';
import { makeSimVenue } from '../venues/sim/SimVenue.ts';
import { acceleratedClock } from '../venues/sim/server.ts';
import type { Venue, WireVenue } from '../venues/Venue.ts';
import { accountsOf, journalFileName, persistentJournalPath, sessionKindOf, sessionSymbols, type SessionAccount, type SessionKind } from './accounts.ts';
import { accountHosts, type AccountHosts } from './accountHosts.ts';
import { externalClock, tradeUntilStopped } from './sessionClock.ts';
import { buildSimWorld, startFacades, type ReplaySetup, type SimWorld } from './simWorld.ts';
import { abortable, newRunDir, openOwnedJournal, RecoveryFailed, StartupAborted, startupStep } from './startup.ts';
import { finishRunSummary, sessionSummary } from './summary.ts';
import { credentialsFor, type Credentials, type FacadeServer } from './venues.ts';
import { decisionLoopFor, logAlertRouter, runtimeFromConfig } from './wiring.ts';
import type { OpsSource, SignalReceiver } from '../ops/types.ts';
import { OpsMetrics } from '../server/OpsMetrics.ts';
import { DependencyGate } from './dependencyGate.ts';
import { createOperations } from './operations.ts';
import { OpsEventHub } from './opsEvents.ts';
import { startOpsSurface } from './opsSurface.ts';
import { startNotifications, type Notifications } from '../notify/index.ts';
import { startSignalIntake } from './signalIntake.ts';

/** Everything a session needs from its caller. */
export interface SessionOptions {
  readonly config: AppConfig;
  readonly configHash: string;
  /** The config file's path, for the commands that messages suggest. */
  readonly configFile?: string | undefined;
  readonly dataDir: string;
  readonly version: string;
  readonly commit: string | null;
  /** Where human-readable progress lines go (the CLI's stdout). */
  readonly progress: (line: string) => void;
  /** Mirror of warn+ log lines (stderr). */
  readonly stderr?: ((line: string) => void) | undefined;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
  /** Aborting stops the session gracefully: decisions stop, working entries are cancelled, protections stay. */
  readonly signal?: AbortSignal | undefined;
  /** The secrets gateway's view (venue credentials, simulator overrides); fingerprints only are logged. */
  readonly secrets?: Secrets | undefined;
  /** Names and fingerprints of the loaded secrets, for the startup log (never values). */
  readonly secretFingerprints?: Readonly<Record<string, string>> | undefined;
  /** Run the in-process simulator behind its wire façade even when `sim.clock` is virtual (tests). */
  readonly wire?: boolean | undefined;
  /** Stop after this much wall time even if the data is not exhausted (an external venue never runs dry). */
  readonly maxWallMs?: number | undefined;
  /** Replay only the first N bars of each feed (tests). */
  readonly barLimit?: number | undefined;
  /** Restart-drill crash points, handed to the execution path and the actor hosts (no-op in production). */
  readonly crashPoint?: CrashPoint | undefined;
  /** Awaited after recovery with the gates still closed, with each account's report (the restart drill checks here). */
  readonly beforeGate?: ((reports: ReadonlyMap<string, RecoveryReport>) => Promise<void>) | undefined;
  /** Called with the runtimes once the gates are open (tests inject defects through it). */
  readonly onStarted?: ((runtimes: ReadonlyMap<string, VenueRuntime>) => void) | undefined;
  /** Called once the connection hosts are started (tests drop sockets and watch states through it). */
  readonly onConnections?: ((c: { readonly hosts: ReadonlyMap<string, AccountHosts>; readonly exchanges: ReadonlyMap<string, SimExchange> }) => void) | undefined;
  /** A backtest's data and venue overrides (the in-process simulator replays these instead of `sim.feeds`). */
  readonly replay?: ReplaySetup | undefined;
  /** A backtest: no kill-flag polling, a daily venue check. */
  readonly backtest?: boolean | undefined;
  /** Called with the virtual time after each replay tick (the backtest's progress bar). */
  readonly onReplayTick?: ((t: number) => void) | undefined;
  /** Called after an account's private stream reconnected, before it counts as live. */
  readonly onPrivateReconnect?: ((runtime: VenueRuntime) => void | Promise<void>) | undefined;
  /** User strategies loaded from `--strategy-path` (src/app/strategyPath.ts): registered after the built-ins. */
  readonly userStrategies?: ReadonlyArray<StrategyEntry> | undefined;
  /** Called once the operations surface runs (before recovery): its read model and the server's URL when enabled. */
  readonly onOps?: ((ops: { readonly source: OpsSource; readonly serverUrl: string | undefined }) => void) | undefined;
}

/** What a session leaves: its run directory, its summary, and each account's journal file. */
export interface SessionResult {
  readonly runId: string;
  readonly runDir: string;
  readonly summary: Record<string, unknown>;
  readonly journals: Readonly<Record<string, string>>;
  /** The bars a simulator run replayed (virtual and loopback runs; absent on a venue). */
  readonly replayed?: SimWorld['bars'] | undefined;
}

/** How long a wire session waits for its streams to go live before it opens the gate anyway (entries stay paused). */
const LIVE_WAIT_MS = 30_000;

const attempt = <A>(f: () => A | Promise<A>): Effect.Effect<A, unknown> => Effect.tryPromise({ try: async () => f(), catch: (e) => e });
const resource = <A>(acquire: () => A | Promise<A>, release: (a: A) => unknown): Effect.Effect<A, unknown, Scope.Scope> =>
  Effect.acquireRelease(attempt(acquire), (a) => Effect.promise(async () => { await release(a); }));

const RUN_SUFFIX: Readonly<Record<SessionKind, string>> = { virtual: '', loopback: '-loopback', external: '-loopback', venue: '-venue' };

const session = (opts: SessionOptions) =>
  Effect.gen(function* () {
    const { config } = opts;
    const decided = sessionKindOf(config, opts.wire === true);
    if ('problem' in decided) return yield* Effect.fail(new Error(`${decided.path}: ${decided.problem}`));
    const kind = decided.kind;
    if (config.decision.trigger === 'bar_close' && kind !== 'virtual') return yield* Effect.fail(new Error('decision.trigger: bar_close runs on the in-process simulator with the virtual clock only (sim.clock: virtual); use timer'));
    const accounts = accountsOf(config);
    const persistent = kind === 'external' || kind === 'venue';
    const speed = kind === 'venue' ? 1 : config.sim.speed;
    const runId = `${config.profile}-${opts.configHash.slice(0, 10)}-s${config.sim.seed}${RUN_SUFFIX[kind]}`;
    // ADR 0006: a venue that outlives the process keeps one journal per data directory and account, never wiped; an
    // in-process simulator dies with the run, so each run gets a directory of its own (earlier runs are kept).
    const runDir = newRunDir(opts.dataDir, runId);
    const journalDir = persistent ? join(opts.dataDir, 'journal') : join(runDir, 'journal');
    mkdirSync(journalDir, { recursive: true });
    const journalPath = (a: SessionAccount): string => (persistent ? persistentJournalPath(opts.dataDir, a.section.kind, a.name) : join(journalDir, journalFileName(a)));
    const base = wallClock;
    // The logger needs a clock before the session clock exists; it reads through to it once that is known.
    let runClock: Clock = base;
    const clock: Clock = { now: () => runClock.now() };
    const logger: Logger = yield* resource(
      () => createLogger({
        level: config.logging.level, clock, wall: opts.backtest === true ? undefined : base, base: { runId },
        targets: { file: join(runDir, 'tradewarden.log.jsonl'), stream: opts.stderr === undefined ? undefined : { write: opts.stderr, minLevel: config.logging.stderrLevel } },
      }),
      (l) => l.flush(),
    );

    // A persistent journal that holds entries is opened and proven before any venue is contacted: a damaged or held
    // journal refuses the start at once. A missing or empty one is judged against the venue's activity below.
    const initCommand = (a: SessionAccount): string =>
      `tradewarden journal init --config ${opts.configFile ?? '<config>'}${accounts.length > 1 ? ` --account ${a.name}` : ''}${opts.dataDir === 'var' ? '' : ` --data-dir ${opts.dataDir}`}`;
    // The operations server's metrics: the hot paths report to them only when the server runs (never in a backtest).
    const metrics = new OpsMetrics({ defaultMetrics: config.server.enabled && opts.backtest !== true });
    const telemetry = config.server.enabled && opts.backtest !== true ? metrics : undefined;
    const timing = telemetry === undefined ? {} : { telemetry, latencyClock: preciseWallClock };
    const journals = new Map<string, Journal>();
    if (persistent) {
      for (const a of accounts) {
        if (judgeJournalOffline(journalPath(a), initCommand(a)).kind !== 'present') continue;
        journals.set(a.name, yield* resource(() => openOwnedJournal(journalPath(a), clock, true, 'full', timing), (j) => j.close()));
      }
    }

    // The session clock and, for the in-process simulator, the exchanges and (over the wire) their façades.
    const credentials = new Map<string, Credentials>(accounts.map((a) => [a.name, credentialsFor(a.name, a.section, opts.secrets)]));
    let world: SimWorld | undefined;
    let virtualClock: VirtualClock | undefined;
    let facades: ReadonlyMap<string, FacadeServer> = new Map();
    if (kind === 'virtual') {
      world = buildSimWorld({ config, accounts, barLimit: opts.barLimit, replay: opts.replay, clockAt: (start) => (virtualClock = new VirtualClock(start)) });
    } else if (kind === 'loopback') {
      // One accelerated clock drives the engines, signs the adapters' requests and times the runtimes.
      const w = buildSimWorld({ config, accounts, barLimit: opts.barLimit, replay: opts.replay, clockAt: (start) => acceleratedClock(speed, start, base) });
      world = w;
      facades = yield* resource(
        () => startFacades({ config, world: w, accounts, speed, logger: (line) => logger.debug({ sim: line }, 'sim'), keyOf: (a) => plainKey(credentials.get(a.name)!) }),
        async (m) => { for (const f of m.values()) await f.close(); },
      );
    } else if (kind === 'external') {
      runClock = yield* attempt(() => abortable(opts.signal, 'reading the simulator clock', externalClock(accounts[0]!, speed, base, opts.signal))).pipe(
        Effect.mapError((e) => (e instanceof StartupAborted ? e : new RecoveryFailed(`cannot reach the simulator at ${accounts[0]!.simUrl}: ${e instanceof Error ? e.message : String(e)}; the trading gate stays closed`))),
      );
    }
    if (world !== undefined) runClock = world.clock;
    const dataStart = world?.start ?? clock.now();
    const label = kind === 'virtual' ? 'sim' : `${accounts.map((a) => a.section.kind).join('+')}-${kind === 'venue' ? accounts.map((a) => a.endpoint).join('+') : 'sim-loopback'}`;
    const clockName = kind === 'virtual' ? 'virtual' : kind === 'venue' ? 'wall' : 'accelerated';
    logger.info(
      { event: 'startup', version: opts.version, commit: opts.commit, configHash: opts.configHash, profile: config.profile, mode: config.mode, venue: label, clock: clockName, speed, accounts: accounts.map((a) => ({ name: a.name, kind: a.section.kind, endpoint: a.endpoint, symbols: a.symbols })) },
      'tradewarden_started',
    );
    logger.info({ event: 'secrets', fingerprints: opts.secretFingerprints ?? {} }, 'secrets_loaded');
    // X-MOD-6 / X-OBS-6: a disabled strategy is logged as skipped; an enabled one whose self-check fails stops the start.
    // A user strategy whose parameters its module refuses, or whose create() throws, fails here with its UserStrategyError.
    const strategies = yield* Effect.try({
      try: () => enabledStrategies(config, (id) => logger.info({ event: 'strategy_skipped', strategy: id }, 'skipped (disabled)'), opts.userStrategies, {
        onFault: (id, problem) => logger.error({ event: 'strategy_failed', strategy: id, problem }, 'strategy_failed'),
        // S3-4: what a strategy reports about itself (regime_changed …), logged under its event name.
        onEvent: (id, e) => logger.info({ ...e.fields, event: e.event, strategy: id }, e.event),
      }),
      catch: (e) => e,
    });
    const unfit = strategies.flatMap((s) => s.selfCheck().map((p) => `strategies.${s.id}: ${p}`));
    if (unfit.length > 0) return yield* Effect.fail(new Error(`strategy self-check failed: ${unfit.join('; ')}`));
    logger.info({ event: 'strategies', enabled: strategies.map((s) => s.id) }, 'strategies_enabled');
    // Each strategy's own fills and vetoes (its feedback) and its metrics, over every account of the session.
    const feedback = new StrategyFeedbackBook(strategies.map((s) => s.id));

    // Each account's venue: the simulator in-process, or the binding's adapter over the wire protocol.
    const venues = new Map<string, Venue>();
    const wireVenues = new Map<string, WireVenue>();
    for (const a of accounts) {
      if (world !== undefined && kind === 'virtual') {
        venues.set(a.name, makeSimVenue(world.exchangeOf(a), a.simAccount));
        continue;
      }
      const baseUrl = kind === 'loopback' ? facades.get(a.section.kind)!.url : kind === 'external' ? a.simUrl : a.binding.endpointOverride(a.section);
      const venue = yield* resource(
        () => a.binding.connect(a.section, {
          baseUrl, credentials: credentials.get(a.name)!, clock, logger: logger.child({ account: a.name }), speed,
          // At ×speed a wall millisecond of network jitter is `speed` venue milliseconds: the skew gate judges wall time.
          clockGate: { blockAboveMs: config.risk.clock.blockAboveMs * speed, resumeAtOrBelowMs: config.risk.clock.resumeAtOrBelowMs * speed }, telemetry,
        }),
        (v) => v.close(),
      );
      venues.set(a.name, venue);
      wireVenues.set(a.name, venue);
    }

    // Each account's journal: a missing or empty persistent one of an account the venue shows activity for is never
    // trusted (client order ids would collide); `journal init` starts it after reading the venue.
    for (const a of accounts) {
      if (journals.has(a.name)) continue;
      if (persistent) {
        yield* attempt(() => abortable(opts.signal, 'admitting the journal', admitPersistentJournal({
          path: journalPath(a), venue: venues.get(a.name)!, botId: config.botId, symbols: a.symbols, now: clock.now(), initCommand: initCommand(a),
        })));
      }
      journals.set(a.name, yield* resource(() => openOwnedJournal(journalPath(a), clock, persistent, opts.backtest === true ? 'scratch' : 'full', timing), (j) => j.close()));
    }

    const scheduler: Scheduler = virtualClock !== undefined ? virtualScheduler(virtualClock) : wallScheduler(clock, speed);
    const netScheduler = wallScheduler(base);
    // The operations surface's event feed (alerts, and the journal read back) and metrics; the hot paths report to them.
    const opsEvents = new OpsEventHub();
    const alerts = yield* resource(() => logAlertRouter(scheduler, logger, [opsEvents.alertChannel()]), (r) => r.dispose());
    const runtimes = new Map<string, VenueRuntime>();
    // X-OBS-2: place → ack, ack → fill and gap → resynced of every account, in wall milliseconds over the wire (the
    // venue clock runs ×speed there), on the virtual clock in a replay (deterministic like the rest of the summary).
    const latency = new LatencyTelemetry(virtualClock ?? preciseWallClock);
    const hosts = new Map<string, AccountHosts>();
    // X-RSK-6 / S0-20: the venue streams and the venue REST side of every wire account are gating dependencies.
    const dependencyGate = new DependencyGate({
      accounts: accounts.map((a) => ({ name: a.name, venue: wireVenues.get(a.name), hosts: () => hosts.get(a.name), journal: journals.get(a.name)! })),
      gating: config.risk.dependencies.gating, alerts, logger, scheduler: netScheduler, lookEveryMs: 1000, probeEveryMs: 5000,
    });
    // decision.trigger bar_close: closed bars reach the loop once it exists.
    let barClosed = (_ts: number): void => undefined;
    for (const [index, a] of accounts.entries()) {
      const wire = wireVenues.get(a.name);
      const runtime = runtimeFromConfig({
        config, account: a, dataDir: opts.dataDir, venue: venues.get(a.name)!, journal: journals.get(a.name)!, scheduler, logger: accounts.length > 1 ? logger.child({ account: a.name }) : logger,
        alerts, inspect: opts.inspect, crashPoint: opts.crashPoint, backtest: opts.backtest, strategies, feedback, latency, telemetry,
        // X-CLK-2: the adapter's offset estimate and its hysteresis gate, in wall milliseconds (the venue runs ×speed).
        clockStatus: wire === undefined ? undefined : () => ({ offsetMs: Math.round(wire.clockOffsetMs() / speed), skewBlocked: !wire.clockGate.isOpen() }),
        // X-RSK-6: the venue's streams are a gating dependency; the REST side and the journal fail loudly where used.
        dependencies: () => dependencyGate.health(a.name),
        // S2-10: the slippage rule reads the public stream's local book (its hosts are built just below).
        book: wire === undefined ? undefined : (symbol) => hosts.get(a.name)?.public.book(symbol),
      });
      runtimes.set(a.name, runtime);
      if (wire === undefined) {
        const v = venues.get(a.name)! as ReturnType<typeof makeSimVenue>;
        v.onMarket((e) => {
          runtime.onMarket(e);
          if (e.type === 'bar' && e.closed) barClosed(e.ts);
        });
        v.onAccount((e) => runtime.onAccount(e));
      } else {
        const h = accountHosts({ config, account: a, index, venue: wire, runtime, journal: journals.get(a.name)!, logger, netScheduler, speed, onPrivateReconnect: opts.onPrivateReconnect, latency, telemetry });
        yield* resource(() => h, async (x) => { await x.public.stop(); await x.private.stop(); });
        hosts.set(a.name, h);
      }
    }
    const loop = decisionLoopFor(config, [...runtimes.values()], scheduler, strategies, { feedback, caps: strategyCapsOf(config, opts.userStrategies), telemetry, latencyClock: telemetry === undefined ? undefined : preciseWallClock });
    barClosed = (ts) => loop.barClosed(ts);
    const ops = createOperations({
      runId, profile: config.profile, mode: config.mode, clockName, version: opts.version, commit: opts.commit, dataDir: opts.dataDir, clock, wall: base, loop, alerts, logger,
      gating: config.risk.dependencies.gating,
      accounts: accounts.map((a) => ({
        name: a.name, kind: a.section.kind, endpoint: a.endpoint, venueId: venues.get(a.name)!.id, runtime: runtimes.get(a.name)!, journal: journals.get(a.name)!,
        journalPath: journalPath(a), hosts: hosts.get(a.name), dependencies: () => dependencyGate.health(a.name),
      })),
    }, opsEvents);
    // The signal intake once it runs, for the webhook route (issue 16): until then, and after it stops, the route answers 503.
    let signalReceiver: SignalReceiver | undefined;
    // Backtests publish nothing (their output is the report); every other session runs the surface until it ends.
    if (opts.backtest !== true) {
      const surface = yield* resource(
        () => startOpsSurface({ config, ops, dataDir: opts.dataDir, secrets: opts.secrets, logger, scheduler: netScheduler, wall: base, metrics, progress: opts.progress, journals: accounts.map((a) => ({ account: a.name, journal: journals.get(a.name)! })), signalReceiver: () => signalReceiver }),
        async (s) => {
          ops.setPhase('stopped');
          await s.stop();
        },
      );
      if (surface.serverUrl !== undefined) opts.progress(`ops server on ${surface.serverUrl} (/health, /ready, /status, /metrics, /events, dashboard at /)`);
      opts.onOps?.({ source: ops.source, serverUrl: surface.serverUrl });
    }
    // Notifications (src/notify): outboxes, the lifecycle notifier, the alert channel, scheduled reports and Telegram
    // commands through the same control service as the HTTP routes. Not for backtests: their output is the report.
    let notifications: Notifications | undefined;
    if (opts.backtest !== true) {
      notifications = yield* resource(
        () => startNotifications({
          config, secrets: opts.secrets, journals: accounts.map((a) => ({ account: a.name, journal: journals.get(a.name)! })), scheduler, wallScheduler: netScheduler, logger, clock, alerts,
          persistAlerts: persistent, source: ops.source,
        }),
        (n) => n.stop(),
      );
      const started = notifications;
      dependencyGate.setSessionDependencies(() => started.health());
    }
    // The supervisor's fibers sleep on the session clock and draw their jitter from the run's seed.
    const actorScope = yield* Scope.make();
    yield* Effect.addFinalizer(() => Scope.close(actorScope, Exit.void));
    const supervise = (runtime: VenueRuntime, symbols: ReadonlyArray<string>): Promise<unknown> =>
      Effect.runPromise(superviseSymbols(runtime, symbols, config.supervisor).pipe(Scope.extend(actorScope), Effect.withClock(effectClockFrom(scheduler)), Effect.withRandom(Random.make(config.sim.seed))));

    // Start → recover → gate. Venue hiccups at start-up (a 5xx, a timeout) are retried with backoff, never fatal on
    // first sight; a journal-side refusal (a snapshot that does not restore) or a missing instrument is not a hiccup.
    const step = <A>(name: string, run: () => Promise<A>, retryable: (e: unknown) => boolean): Effect.Effect<A, unknown> =>
      attempt(() => (kind === 'virtual' ? run() : startupStep({ step: name, run, retryable, signal: opts.signal, scheduler: netScheduler, logger })));
    const venueHiccup = (e: unknown): boolean =>
      !(e instanceof Error && e.message.includes('does not list')) && !(typeof e === 'object' && e !== null && '_tag' in e && (e._tag === 'ActorRestoreRefused' || e._tag === 'JournalError'));
    for (const a of accounts) {
      yield* step('prepare', () => runtimes.get(a.name)!.prepare(), venueHiccup);
      yield* attempt(() => abortable(opts.signal, 'starting the actors', supervise(runtimes.get(a.name)!, a.symbols)));
    }
    if (hosts.size > 0) {
      for (const h of hosts.values()) {
        h.public.start();
        h.private.start();
      }
      opts.onConnections?.({ hosts, exchanges: world?.exchanges ?? new Map() });
      const live = Promise.all([...hosts.values()].flatMap((h) => [h.public.whenState((s) => s === 'open.live'), h.private.whenState((s) => s === 'open.live')]));
      let cancel = (): void => undefined;
      const timeout = new Promise<'timeout'>((resolve) => (cancel = netScheduler.schedule(base.now() + LIVE_WAIT_MS, () => resolve('timeout'))));
      const waited = yield* attempt(() => abortable(opts.signal, 'waiting for the streams', Promise.race([live, timeout]))).pipe(Effect.ensuring(Effect.sync(() => cancel())));
      if (waited === 'timeout') logger.warn({ streams: Object.fromEntries([...hosts].map(([n, h]) => [n, { public: h.public.state(), private: h.private.state() }])) }, 'streams_not_live_opening_gate_paused');
    }
    // X-REC: with the gates closed, settle what the previous process left in flight, then open them.
    ops.setPhase('recovering');
    const reports = new Map<string, RecoveryReport>();
    for (const a of accounts) {
      const report = yield* step('recovery', () => runtimes.get(a.name)!.recover(), (e) => e instanceof ReconcileError);
      reports.set(a.name, report);
      opts.progress(`recovery${accounts.length > 1 ? ` (${a.name})` : ''}: ${report.actions.length} actions, ${Object.keys(report.mismatches).length} symbols in disagreement, ${report.durationMs} ms`);
    }
    if (opts.beforeGate !== undefined) {
      // A hook that resolves (even one that asked to stop) lets the run go on to its graceful stop; a signal while
      // the hook still waits (the drill's hold) ends start-up.
      const held = opts.beforeGate(reports);
      yield* attempt(() => (opts.signal?.aborted === true ? held : abortable(opts.signal, 'holding the gate', held)));
    }
    // An operator's kill flag left from before engages the switch before the gate opens (X-RSK-1).
    for (const runtime of runtimes.values()) yield* attempt(() => runtime.kill.pollKillFlag());
    for (const runtime of runtimes.values()) runtime.openGate();
    loop.start();
    ops.setPhase('trading');
    // The gate watches the venue side of wire accounts and the session's own dependencies (Telegram) of any run.
    if (wireVenues.size > 0 || config.notifications.telegram.enabled) {
      dependencyGate.start();
      yield* Effect.addFinalizer(() => Effect.sync(() => dependencyGate.stop()));
    }
    // Issue 16: followed signals are proposals like any strategy's, judged by the RiskEngine (src/app/signalIntake.ts).
    if (config.signals.enabled) {
      const first = accounts[0]!;
      // Reading the venue's instruments is a venue call like prepare's: a hiccup is retried, never fatal on first sight.
      const intake = yield* step('signal intake', () => startSignalIntake({ config, journal: journals.get(first.name)!, venue: venues.get(first.name)!, loop, scheduler, clock, logger, alerts, entries: runtimes.get(first.name)! }), venueHiccup);
      yield* Effect.addFinalizer(() => Effect.sync(() => {
        signalReceiver = undefined;
        intake.stop();
      }));
      notifications?.takeChannelPosts((post) => intake.receivePost(post));
      signalReceiver = { receive: (m) => intake.receiveWebhook(m) };
    }
    opts.onStarted?.(runtimes);
    const where = kind === 'virtual' ? `on the simulator (virtual clock, seed ${config.sim.seed})` : kind === 'venue' ? `on ${label}` : `over the ${[...new Set(accounts.map((a) => a.binding.label))].join(' + ')} wire protocol on ${[...facades.values()].map((f) => f.url).join(', ') || accounts[0]!.simUrl} (accelerated clock ×${speed}, seed ${config.sim.seed})`;
    opts.progress(`${kind === 'venue' ? `${config.mode} session` : 'paper session'} ${runId}: ${sessionSymbols(config).join(', ')} ${where}`);

    // Trade until the data is exhausted, the wall-time bound passes or a signal arrives; then the ordered shutdown
    // (DESIGN §3): stop decisions and cancel working entries, stop the actors, close the streams; the finalizers close
    // the venues, the façades and the journals.
    const wallStart = base.now();
    const traded = yield* attempt(() => tradeUntilStopped({
      world, virtualClock, runtimes: [...runtimes.values()], signal: opts.signal, maxWallMs: opts.maxWallMs, base, netScheduler, afterTick: (t) => {
        loop.marketAdvanced(t);
        opts.onReplayTick?.(t);
      },
      stopWhen: config.risk.dependencies.onDown === 'shutdown' ? dependencyWatch(config, hosts, base, logger) : undefined,
    }));
    loop.stop();
    ops.setPhase('stopping');
    dependencyGate.stop();
    for (const runtime of runtimes.values()) yield* attempt(() => runtime.stop(traded.reason));
    yield* Scope.close(actorScope, Exit.void);
    for (const h of hosts.values()) yield* attempt(async () => { await h.public.stop(); await h.private.stop(); });

    const connections = Object.fromEntries([...hosts].map(([n, h]) => [n, {
      public: { sockets: h.public.connectionCount(), invalidFrames: h.public.invalidFrames() },
      private: { sockets: h.private.connectionCount(), invalidFrames: h.private.invalidFrames() },
    }]));
    const summary = sessionSummary(
      {
        runId, profile: config.profile, mode: config.mode, venue: label, clock: clockName, ...(kind === 'virtual' ? {} : { speed }), seed: config.sim.seed, configHash: opts.configHash,
        symbols: sessionSymbols(config), dataStart, dataEnd: clock.now(), stoppedBy: traded.reason,
        ...(kind === 'virtual' ? { replayTicks: traded.ticks } : { wallMs: base.now() - wallStart, connections: accounts.length === 1 ? connections[accounts[0]!.name] : connections, simCounters: facades.size === 0 ? null : facades.size === 1 ? [...facades.values()][0]!.counters() : Object.fromEntries([...facades].map(([k, f]) => [k, f.counters()])) }),
      },
      accounts.map((a) => ({ name: a.name, summary: runtimes.get(a.name)!.stats.summary({ journalEntries: journals.get(a.name)!.lastSeq() }) })),
    );
    // X-MOD-6: every enabled strategy logs its metrics (proposals_count, …), which the run summary carries too.
    const strategyMetrics = feedback.metrics();
    for (const [id, m] of Object.entries(strategyMetrics)) logger.info({ event: 'strategy_metrics', strategy: id, ...m }, 'strategy_metrics');
    summary['strategyMetrics'] = strategyMetrics;
    summary['latency'] = latency.summary();
    finishRunSummary(summary, [...journals.values()], runDir, logger);
    return { runId, runDir, summary, journals: Object.fromEntries(accounts.map((a) => [a.name, journalPath(a)])), replayed: world?.bars } satisfies SessionResult;
  });

/**
 * X-RSK-6 `onDown: shutdown`: a gating dependency (the venue streams) down for `shutdownAfterMs` of wall time stops the
 * session gracefully; `pause` leaves it to the dependency rule, which vetoes entries until it is up again.
 */
const dependencyWatch = (config: AppConfig, hosts: ReadonlyMap<string, AccountHosts>, base: Clock, logger: Logger): (() => 'dependency_down' | undefined) => {
  let downSince: number | undefined;
  return () => {
    const down = config.risk.dependencies.gating.includes('venue_ws') && [...hosts.values()].some((h) => !h.public.isLive() || !h.private.isLive());
    if (!down) {
      downSince = undefined;
      return undefined;
    }
    downSince ??= base.now();
    if (base.now() - downSince < config.risk.dependencies.shutdownAfterMs) return undefined;
    logger.error({ dependency: 'venue_ws', downForMs: base.now() - downSince }, 'dependency_down_shutdown');
    return 'dependency_down';
  };
};

const plainKey = (c: Credentials): { readonly key: string; readonly secret: string } => ({ key: Redacted.value(c.apiKey), secret: Redacted.value(c.apiSecret) });

/** Runs a session to its end and returns its result; a start-up refusal rejects with its own typed error. */
export const runSession = async (opts: SessionOptions): Promise<SessionResult> => {
  const exit = await Effect.runPromiseExit(Effect.scoped(session(opts)));
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
};
