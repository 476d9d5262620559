/**
 * Wiring shared by the composition roots: the runtime built from a decoded config (settings, strategies, RiskEngine,
 * alert router, kill flag), so the virtual-clock and the loopback paper runs differ only in venue, clock and streams.
 */
import type { Clock } from '../kernel/Clock.ts';
import type { Telemetry } from '../kernel/telemetry.ts';
import type { InspectionEvent } from 'xstate';
import { makeAlertRouter, makeLogAlertChannel, type AlertChannel, type AlertRouter } from '../alerts/AlertRouter.ts';
import type { AppConfig } from '../config/schema.ts';
import { dec } from '../domain/money.ts';
import { DAY_MS } from '../domain/schemas.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { seededRandom } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { makeRiskEngine, type RiskEngine } from '../risk/RiskEngine.ts';
import { readKillFlag } from '../runtime/killFlag.ts';
import { DecisionLoop } from '../runtime/DecisionLoop.ts';
import type { StrategyFeedbackBook } from '../runtime/StrategyFeedback.ts';
import type { StrategyCapLimits } from '../runtime/strategyCaps.ts';
import { VenueRuntime, type VenueRuntimeDeps } from '../runtime/VenueRuntime.ts';
import { enabledStrategies } from '../strategies/registry.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import type { Venue } from '../venues/Venue.ts';
import type { StopManagement } from '../../machines/trade/stopManagement.ts';
import { S0_LADDER, validateLadder, type LadderStep } from '../domain/ladder.ts';
import type { SessionAccount } from './accounts.ts';

/** Returns the enabled strategies of a config, from the registry (disabled ones are skipped). */
export const strategiesFrom = (config: AppConfig): Strategy<unknown>[] => enabledStrategies(config);

/** Returns an alert router with the log channel (deduped 60 s, escalated after 2 min; Telegram comes later). */
export const logAlertRouter = (scheduler: Scheduler, logger: Logger, more: ReadonlyArray<AlertChannel> = []): AlertRouter =>
  makeAlertRouter({
    clock: scheduler.clock,
    scheduler,
    // CRITICAL alerts go out at error level (mirrored to stderr); WARN and INFO ones stay in the log file.
    channels: [makeLogAlertChannel((record) => (record['severity'] === 'CRITICAL' ? logger.error({ alert: record }, 'alert') : logger.info({ alert: record }, 'alert'))), ...more],
    onChannelError: (channel, error) => logger.error({ channel, err: error }, 'alert_channel_failed'),
  });

/** The ladder of `execution.ladder` (S0-9): S0's table with Step 3 at stop management's break-even, checked. */
const ladderOf = (e: AppConfig['execution']): { steps: ReadonlyArray<LadderStep>; maxLeverage: string } | undefined =>
  e.ladder.enabled
    ? { steps: validateLadder(S0_LADDER.map((s) => (s.action.kind === 'breakEven' ? { ...s, atFraction: dec(e.stopManagement.breakEvenAtFraction).toString() } : s))), maxLeverage: String(e.ladder.maxLeverage) }
    : undefined;

/** Builds the runtime of one of the config's venue accounts on the given venue, journal, scheduler and logger. */
/** The runtime's stop-management plan from `execution.stopManagement` (S0-11, S0-13): decimal strings, or none when off. */
const stopManagementOf = (m: AppConfig['execution']['stopManagement']): StopManagement | undefined =>
  m.enabled
    ? {
        breakEvenAtFraction: dec(m.breakEvenAtFraction).toString(), breakEvenOffsetFraction: dec(m.breakEvenOffsetFraction).toString(),
        trailFromFraction: dec(m.trailFromFraction).toString(), trailDistanceFraction: dec(m.trailDistanceFraction).toString(), trailStepFraction: dec(m.trailStepFraction).toString(),
      }
    : undefined;

export const runtimeFromConfig = (opts: {
  readonly config: AppConfig;
  readonly account: SessionAccount;
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
  /** Where the account credits the fills of each strategy's orders (the session's strategy feedback). */
  readonly feedback?: VenueRuntimeDeps['feedback'];
  /** The session's latency telemetry (place → ack, ack → fill). */
  readonly latency?: VenueRuntimeDeps['latency'];
  /** The session's metrics (order outcomes, rejects). */
  readonly telemetry?: VenueRuntimeDeps['telemetry'];
  /** A backtest: no operator kill flag to poll, and the venue check runs once a simulated day. */
  readonly backtest?: boolean | undefined;
  /** The account's market-stream books (over the wire), for the risk view's slippage check (S2-10). */
  readonly book?: VenueRuntimeDeps['book'];
}): VenueRuntime => {
  const { config, account } = opts;
  const cooldownMs = config.execution.reentryCooldownMs;
  return new VenueRuntime({
    settings: {
      profile: config.profile, mode: config.mode, botId: config.botId, account: account.name, symbols: account.symbols,
      // Leverage is set only where the venue has it (X-ORD: spot and cash equity have none).
      leverage: opts.venue.capabilities.leverage ? account.trading.leverage : undefined,
      triggerSource: account.trading.triggerSource, settleAsset: account.trading.settleAsset,
      ackTimeoutMs: config.execution.ackTimeoutMs, maxRepriceAttempts: config.execution.maxRepriceAttempts,
      maxProtectionAttempts: config.execution.maxProtectionAttempts, cooldownMs, stopManagement: stopManagementOf(config.execution.stopManagement),
      ...(opts.venue.capabilities.leverage ? { ladder: ladderOf(config.execution) } : {}),
      ...(config.execution.hedge.enabled ? { hedge: { atFraction: dec(config.execution.hedge.atFraction).toString() } } : {}),
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
    killFlag: opts.backtest === true ? undefined : () => readKillFlag(opts.dataDir),
    killPollMs: 1000,
    alerts: opts.alerts,
    timeZone: config.risk.tradingWindows.timeZone,
    clockStatus: opts.clockStatus,
    dependencies: opts.dependencies,
    // S3-4, S3-9: the declared regime scales sizes; the symbol groups feed the group caps.
    regime: config.risk.regime,
    groups: config.risk.caps.symbolGroups,
    crashPoint: opts.crashPoint,
    feedback: opts.feedback,
    latency: opts.latency, telemetry: opts.telemetry, book: opts.book,
    reconcile: {
      intervalMs: opts.backtest === true ? Math.max(config.reconcile.intervalMs, DAY_MS) : config.reconcile.intervalMs, foreignPositions: config.reconcile.foreignPositions,
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

/**
 * Builds the session's decision loop over its accounts' runtimes (one loop drives every account), with the strategies'
 * feedback and the integrator's per-strategy caps (S3-6) when given.
 */
export const decisionLoopFor = (
  config: AppConfig, runtimes: ReadonlyArray<VenueRuntime>, scheduler: Scheduler, strategies?: ReadonlyArray<Strategy<unknown>>,
  extra: {
    readonly feedback?: StrategyFeedbackBook | undefined; readonly caps?: ReadonlyMap<string, StrategyCapLimits> | undefined;
    readonly telemetry?: Telemetry | undefined; readonly latencyClock?: Clock | undefined;
  } = {},
): DecisionLoop => {
  return new DecisionLoop({
    feedback: extra.feedback, caps: extra.caps, telemetry: extra.telemetry, latencyClock: extra.latencyClock,
    trigger: config.decision.trigger,
    scheduler, random: seededRandom(config.sim.seed ^ 0x5eed), cycleMs: config.decision.cycleMs, jitterFraction: config.decision.jitterFraction,
    strategies: strategies ?? strategiesFrom(config), risk: riskEngineFor(config), targets: runtimes,
    // The cycle's refresh is the accounts' work: the first account tracks it, so its idle() waits for it.
    track: (work) => runtimes[0]?.track(work),
  });
};
