/**
 * Composition root of a PAPER session against the in-process simulator on the virtual clock: replays the configured
 * bars, runs the full runtime (strategies → RiskEngine → trade actors → ExecutionEngine → simulator), and writes the
 * journal, the JSON logs and the run summary under `<data-dir>/runs/<run-id>/`. Deterministic for a config and seed.
 */
import { join } from 'node:path';
import { Effect, Exit, Random, Scope } from 'effect';
import type { InspectionEvent } from 'xstate';
import type { AppConfig } from '../config/schema.ts';
import { openJournal } from '../journal/Journal.ts';
import { VirtualClock } from '../kernel/Clock.ts';
import { createLogger, type Logger } from '../kernel/logger.ts';
import { virtualScheduler } from '../kernel/Scheduler.ts';
import { effectClockFrom } from '../kernel/effectClock.ts';
import { superviseSymbols } from '../runtime/SymbolSupervisor.ts';
import type { VenueRuntime } from '../runtime/VenueRuntime.ts';
import { decisionLoopFor, finishRunSummary, logAlertRouter, newRunDir, runtimeFromConfig } from './wiring.ts';
import { SIM_SYMBOLS, simInstrument } from '../venues/sim/catalogue.ts';
import { createSimExchange } from '../venues/sim/engine/SimExchange.ts';
import { barFeed } from '../venues/sim/replay/barFeed.ts';
import { loadBarsCsv } from '../venues/sim/replay/loadBarsCsv.ts';
import { makeSimVenue } from '../venues/sim/SimVenue.ts';

/** Everything a paper run needs from the caller. */
export interface PaperRunOptions {
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
  /** Called with the runtime once the gate is open (tests inject defects through it). */
  readonly onStarted?: ((runtime: VenueRuntime) => void) | undefined;
  /** Aborting stops the session gracefully: decisions stop, working entries are cancelled, protections stay. */
  readonly signal?: AbortSignal | undefined;
  /** Names and fingerprints of the loaded secrets, for the startup log (never values). */
  readonly secrets?: Readonly<Record<string, string>> | undefined;
}

/** The result of a paper run. */
export interface PaperRunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly summary: Record<string, unknown>;
}

/** Runs a PAPER session on the virtual clock to the end of the data and returns its summary. */
export const runPaperVirtual = async (opts: PaperRunOptions): Promise<PaperRunResult> => {
  const { config } = opts;
  const runId = `${config.profile}-${opts.configHash.slice(0, 10)}-s${config.sim.seed}`;
  // The in-process venue lives and dies with the run, so each run starts a journal of its own in a new directory;
  // an earlier run of the same id is kept (never deleted: it may be the evidence someone is looking for).
  const runDir = newRunDir(opts.dataDir, runId);

  const feeds = config.sim.feeds.filter((f) => config.symbols.includes(f.symbol));
  const bars = feeds.map((f) => ({ symbol: f.symbol, bars: loadBarsCsv(f.file) }));
  const start = Math.min(...bars.map((b) => b.bars[0]?.start ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(start)) throw new Error('no market data: sim.feeds lists no bars for the configured symbols');
  const clock = new VirtualClock(start);
  const scheduler = virtualScheduler(clock);
  const logger: Logger = createLogger({
    level: config.logging.level,
    clock,
    base: { runId },
    targets: { file: join(runDir, 'tradewarden.log.jsonl'), stream: opts.stderr === undefined ? undefined : { write: opts.stderr, minLevel: config.logging.stderrLevel } },
  });
  logger.info({ event: 'startup', version: opts.version, commit: opts.commit, configHash: opts.configHash, profile: config.profile, mode: config.mode, venue: 'sim', clock: 'virtual' }, 'tradewarden_started');
  logger.info({ event: 'secrets', fingerprints: opts.secrets ?? {} }, 'secrets_loaded');

  const instruments = config.symbols.map((s) => {
    const instrument = simInstrument(s);
    if (instrument === undefined) throw new Error(`the simulator has no instrument ${s} (available: ${SIM_SYMBOLS.join(', ')})`);
    return instrument;
  });
  const exchange = createSimExchange({
    clock,
    instruments,
    seed: config.sim.seed,
    feeds: bars.map((b) => { const grid = instruments.find((i) => i.symbol === b.symbol); return barFeed({ symbol: b.symbol, bars: b.bars, seed: config.sim.seed, ticksPerBar: 16, tickSize: grid?.tickSize, quantityStep: grid?.quantityStep }); }),
  });
  exchange.fundAccount(config.sim.account, 'USDT', config.sim.startingBalance);
  const venue = makeSimVenue(exchange, config.sim.account);
  const journal = openJournal({ path: join(runDir, 'journal.sqlite'), clock });

  const alerts = logAlertRouter(scheduler, logger);
  const runtime = runtimeFromConfig({ config, dataDir: opts.dataDir, venue, journal, scheduler, logger, alerts, inspect: opts.inspect });
  const loop = decisionLoopFor(config, [runtime], scheduler);
  venue.onMarket((e) => runtime.onMarket(e));
  venue.onAccount((e) => runtime.onAccount(e));

  // The supervisor's fibers sleep on the run's clock (virtual here) and draw their jitter from the run's seed.
  const scope = Effect.runSync(Scope.make());
  const withRunServices = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) =>
    effect.pipe(Scope.extend(scope), Effect.withClock(effectClockFrom(scheduler)), Effect.withRandom(Random.make(config.sim.seed)));
  try {
    await runtime.prepare();
    await Effect.runPromise(withRunServices(superviseSymbols(runtime, config.symbols, config.supervisor)));
    // An operator's kill flag left from before engages the switch before the gate opens (X-RSK-1).
    await runtime.kill.pollKillFlag();
    runtime.openGate();
    loop.start();
    opts.onStarted?.(runtime);
    opts.progress(`paper session ${runId}: ${config.symbols.join(', ')} on the simulator (virtual clock, seed ${config.sim.seed})`);
    let ticks = 0;
    let reason = 'end_of_data';
    for (;;) {
      await runtime.idle();
      if (opts.signal?.aborted === true) {
        reason = 'signal';
        break;
      }
      const nextTick = exchange.nextEventAt();
      if (nextTick === undefined) break;
      const nextTimer = clock.nextTimerAt();
      const t = nextTimer !== undefined && nextTimer < nextTick ? nextTimer : nextTick;
      clock.advanceTo(t);
      await runtime.idle();
      if (t === nextTick) {
        exchange.advanceTo(t);
        ticks += 1;
        // Let the event loop breathe (signals, the inspector relay) — the virtual clock does not move meanwhile.
        if (ticks % 500 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    loop.stop();
    await runtime.stop(reason);
    await Effect.runPromise(Scope.close(scope, Exit.void));
    const summary = runtime.stats.summary({
      runId, profile: config.profile, mode: config.mode, venue: 'sim', clock: 'virtual', seed: config.sim.seed, configHash: opts.configHash,
      symbols: config.symbols, dataStart: start, dataEnd: clock.now(), stoppedBy: reason, replayTicks: ticks, journalEntries: journal.lastSeq(),
    });
    finishRunSummary(summary, journal, runDir, logger);
    return { runId, runDir, summary };
  } finally {
    alerts.dispose();
    await Effect.runPromise(Scope.close(scope, Exit.void));
    journal.close();
    logger.flush();
  }
};

