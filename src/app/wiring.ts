/**
 * Wiring shared by the composition roots: the runtime built from a decoded config (settings, strategies, RiskEngine,
 * alert router, kill flag), so the virtual-clock and the loopback paper runs differ only in venue, clock and streams.
 */
import type { InspectionEvent } from 'xstate';
import { makeAlertRouter, makeLogAlertChannel, type AlertRouter } from '../alerts/AlertRouter.ts';
import type { AppConfig } from '../config/schema.ts';
import { dec } from '../domain/money.ts';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Data } from 'effect';
import { join } from 'node:path';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { seededRandom } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { makeRiskEngine, type RiskEngine } from '../risk/RiskEngine.ts';
import { readKillFlag } from '../runtime/killFlag.ts';
import { DecisionLoop } from '../runtime/DecisionLoop.ts';
import { VenueRuntime, type VenueRuntimeDeps } from '../runtime/VenueRuntime.ts';
import { breakoutStrategy } from '../strategies/breakout/Breakout.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import type { Venue } from '../venues/Venue.ts';

/** Returns the enabled built-in strategies of a config. */
export const strategiesFrom = (config: AppConfig): Strategy<unknown>[] => {
  const b = config.strategies.breakout;
  return b.enabled
    ? [
        breakoutStrategy({
          lookbackBars: b.lookbackBars, notionalFraction: b.notionalFraction, stopLossFraction: b.stopLossFraction,
          takeProfitFraction: b.takeProfitFraction, cooldownBars: b.cooldownBars, ttlMs: config.decision.cycleMs,
        }) as Strategy<unknown>,
      ]
    : [];
};

/** Returns an alert router with the log channel (deduped 60 s, escalated after 2 min; Telegram comes later). */
export const logAlertRouter = (scheduler: Scheduler, logger: Logger): AlertRouter =>
  makeAlertRouter({
    clock: scheduler.clock,
    scheduler,
    // CRITICAL alerts go out at error level (mirrored to stderr); WARN and INFO ones stay in the log file.
    channels: [makeLogAlertChannel((record) => (record['severity'] === 'CRITICAL' ? logger.error({ alert: record }, 'alert') : logger.info({ alert: record }, 'alert')))],
    onChannelError: (channel, error) => logger.error({ channel, err: error }, 'alert_channel_failed'),
  });

/** Builds the runtime of a config's venue account on the given venue, journal, scheduler and logger. */
export const runtimeFromConfig = (opts: {
  readonly config: AppConfig;
  readonly dataDir: string;
  readonly venue: Venue;
  readonly journal: Journal;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly alerts: AlertRouter;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
  readonly clockStatus?: VenueRuntimeDeps['clockStatus'];
  readonly dependencies?: VenueRuntimeDeps['dependencies'];
  readonly crashPoint?: VenueRuntimeDeps['crashPoint'];
  readonly strategies?: ReadonlyArray<Strategy<unknown>> | undefined;
}): VenueRuntime => {
  const { config } = opts;
  const cooldownMs = config.strategies.breakout.cooldownBars * 60_000;
  return new VenueRuntime({
    settings: {
      profile: config.profile, mode: config.mode, botId: config.botId, account: config.sim.account, symbols: config.symbols, leverage: config.venues.bybit.leverage,
      triggerSource: config.venues.bybit.triggerSource, settleAsset: 'USDT',
      ackTimeoutMs: config.execution.ackTimeoutMs, maxRepriceAttempts: config.execution.maxRepriceAttempts,
      maxProtectionAttempts: config.execution.maxProtectionAttempts, cooldownMs,
      retry: { baseMs: config.execution.retryBaseMs, capMs: config.execution.retryCapMs, maxAttempts: config.execution.retryMaxAttempts },
      seed: config.sim.seed,
    },
    venue: opts.venue,
    journal: opts.journal,
    scheduler: opts.scheduler,
    logger: opts.logger,
    risk: riskEngineFor(config),
    strategies: opts.strategies ?? strategiesFrom(config),
    inspect: opts.inspect,
    killFlag: () => readKillFlag(opts.dataDir),
    killPollMs: 1000,
    alerts: opts.alerts,
    timeZone: config.risk.tradingWindows.timeZone,
    clockStatus: opts.clockStatus,
    dependencies: opts.dependencies,
    crashPoint: opts.crashPoint,
    reconcile: {
      intervalMs: config.reconcile.intervalMs, foreignPositions: config.reconcile.foreignPositions,
      adoptTakeProfitFraction: dec(config.reconcile.adoptTakeProfitFraction), adoptStopLossFraction: dec(config.reconcile.adoptStopLossFraction),
      quantityTolerance: dec(config.reconcile.quantityTolerance),
    },
  });
};

const riskEngines = new WeakMap<AppConfig, RiskEngine>();
/** The RiskEngine of a config's profile (one per config object; stateless). */
export const riskEngineFor = (config: AppConfig): RiskEngine => {
  let engine = riskEngines.get(config);
  if (engine === undefined) {
    engine = makeRiskEngine({ ...config.risk, mode: config.mode });
    riskEngines.set(config, engine);
  }
  return engine;
};

/** Builds the session's decision loop over its accounts' runtimes (one loop drives every account). */
export const decisionLoopFor = (config: AppConfig, runtimes: ReadonlyArray<VenueRuntime>, scheduler: Scheduler, strategies?: ReadonlyArray<Strategy<unknown>>): DecisionLoop => {
  return new DecisionLoop({
    scheduler, random: seededRandom(config.sim.seed ^ 0x5eed), cycleMs: config.decision.cycleMs, jitterFraction: config.decision.jitterFraction,
    strategies: strategies ?? strategiesFrom(config), risk: riskEngineFor(config), targets: runtimes,
    // The cycle's refresh is the accounts' work: the first account tracks it, so its idle() waits for it.
    track: (work) => runtimes[0]?.track(work),
  });
};

/** Adds the journal verdict to a run summary, writes `<runDir>/summary.json` and logs it (the last step of every run). */
export const finishRunSummary = (summary: Record<string, unknown>, journal: Journal, runDir: string, logger: Logger): void => {
  summary['journalChainIntact'] = journal.verify().ok;
  writeFileSync(join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  logger.info({ event: 'summary', ...summary }, 'run_finished');
};

/** A signal (SIGINT/SIGTERM) arrived while the session was still starting: nothing traded, the gate never opened. */
export class StartupAborted extends Data.TaggedError('StartupAborted')<{ readonly phase: string }> {
  override get message(): string {
    return `stopped by signal during start-up (${this.phase}); the trading gate never opened`;
  }
}

/** Races a start-up step with the abort signal, so SIGINT/SIGTERM stop a session in every phase (X-RT-7). */
export const abortable = <A>(signal: AbortSignal | undefined, phase: string, work: Promise<A>): Promise<A> => {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new StartupAborted({ phase }));
  }
  return new Promise<A>((resolve, reject) => {
    const onAbort = (): void => reject(new StartupAborted({ phase }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
};

/**
 * Creates the directory of a new run under `<dataDir>/runs/`: `<runId>` when free, else `<runId>-2`, `-3`, …; an
 * earlier run (its journal, logs and summary) is never deleted or overwritten.
 */
export const newRunDir = (dataDir: string, runId: string): string => {
  for (let n = 1; ; n++) {
    const dir = join(dataDir, 'runs', n === 1 ? runId : `${runId}-${n}`);
    if (existsSync(dir)) continue;
    mkdirSync(dir, { recursive: true });
    return dir;
  }
};
