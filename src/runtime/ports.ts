/**
 * The narrow ports the collaborators of a venue runtime share (injected, never inherited): the account's identity,
 * its journal, logger and alerts, the clock, tracked work, the actor registry, and the settings. Types only.
 */
import type { HedgePlan } from '../../machines/trade/hedgeLogic.ts';
import type { Telemetry } from '../kernel/telemetry.ts';
import type { InspectionEvent } from 'xstate';
import type { AlertPort } from '../alerts/AlertRouter.ts';
import type { CrashPoint } from '../kernel/crashPoints.ts';
import type { OrderLatency } from '../execution/ExecutionEngine.ts';
import type { Regime } from '../risk/RiskConfig.ts';
import type { RiskEngine } from '../risk/RiskEngine.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import type { Venue } from '../venues/Venue.ts';
import type { Decimal } from '../domain/money.ts';
import type { TriggerSource } from '../domain/orders.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import type { LocalOrderBook } from '../market/OrderBook.ts';
import type { RetryPolicy } from '../kernel/retry.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { StopManagement } from '../../machines/trade/stopManagement.ts';
import type { LadderStep } from '../domain/ladder.ts';
import type { ActorHost } from './ActorHost.ts';
import type { FillFeedback } from './StrategyFeedback.ts';

/** Settings of one venue account's runtime (decoded from config). */
export interface RuntimeSettings {
  readonly profile: string;
  readonly mode: 'DRY_RUN' | 'PAPER' | 'LIVE';
  readonly botId: string;
  /** The account's name in the config (journal, lock, logs). */
  readonly account: string;
  readonly symbols: ReadonlyArray<string>;
  /** Leverage to set per symbol before trading; undefined where the venue has none (spot, cash equity). */
  readonly leverage: Decimal | undefined;
  readonly triggerSource: TriggerSource;
  /** The asset NAV is counted in (USDT, USD, …). */
  readonly settleAsset: string;
  readonly ackTimeoutMs: number;
  readonly maxRepriceAttempts: number;
  readonly maxProtectionAttempts: number;
  /** Break-even and trailing of every entry's stop (S0-11, S0-13); undefined: stops stay where the entry set them. */
  readonly stopManagement?: StopManagement | undefined;
  /** The S0-9 pyramid ladder's steps and Step 4's ceiling; undefined: positions are never added to. */
  readonly ladder?: { readonly steps: ReadonlyArray<LadderStep>; readonly maxLeverage: string } | undefined;
  /**
   * S0-12: the hedge of every position with a stop of its own, at `atFraction` against it from the OEP; the account's
   * symbols run in hedge mode (set at start-up). Undefined: one-way mode, never hedged.
   */
  readonly hedge?: HedgePlan | undefined;
  readonly cooldownMs: number;
  readonly retry: RetryPolicy;
  readonly seed: number;
}

/** What every collaborator of one account's runtime may use. */
export interface RuntimeContext {
  readonly settings: RuntimeSettings;
  /** The venue's id, as journal streams (`trade:<venue>:<symbol>`) and logs name it. */
  readonly venueId: string;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly alerts: AlertPort | undefined;
  readonly scheduler: Scheduler;
  now(): number;
  /** Tracks an async piece of work so `idle()` can wait for it; failures are logged, never thrown into the caller. */
  track(work: Promise<unknown>): void;
  /** Whether the runtime is stopping (no new work is scheduled). */
  stopping(): boolean;
}

/** The account's trade actors. */
export interface HostRegistry {
  host(symbol: string): ActorHost | undefined;
  hosts(): Iterable<ActorHost>;
}

/** How the runtime reconciles with its venue (config `reconcile.*`). */
export interface ReconcileSettings {
  /** Venue-time ms between periodic checks; 0 disables them. */
  readonly intervalMs: number;
  readonly foreignPositions: 'adopt' | 'report';
  readonly adoptTakeProfitFraction: Decimal;
  readonly adoptStopLossFraction: Decimal;
  readonly quantityTolerance: Decimal;
}

/** Everything one account's runtime is wired to. */
export interface VenueRuntimeDeps {
  readonly settings: RuntimeSettings;
  readonly venue: Venue;
  readonly journal: Journal;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly risk: RiskEngine;
  readonly strategies: ReadonlyArray<Strategy<unknown>>;
  readonly reconcile: ReconcileSettings;
  readonly alerts?: AlertPort | undefined;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
  /** Reads the operator's kill flag (the data directory's `KILL` file), polled every `killPollMs`. */
  readonly killFlag?: (() => { readonly reason: string; readonly flatten: boolean } | undefined) | undefined;
  readonly killPollMs?: number | undefined;
  /** IANA zone of the daily-loss day boundary (the profile's). */
  readonly timeZone?: string | undefined;
  /** The venue clock offset and skew latch (X-CLK-2); absent for the in-process simulator, which shares our clock. */
  readonly clockStatus?: (() => { readonly offsetMs: number; readonly skewBlocked: boolean }) | undefined;
  /** Health of the account's dependencies (X-RSK-6); all up when absent (in-process simulator). */
  readonly dependencies?: (() => Readonly<Record<string, 'up' | 'down'>>) | undefined;
  readonly regime?: Regime | undefined;
  readonly groups?: Readonly<Record<string, string>> | undefined;
  readonly crashPoint?: CrashPoint | undefined;
  /** Where the account credits each fill of a strategy's orders (the strategies' feedback). */
  readonly feedback?: FillFeedback | undefined;
  /** The session's latency telemetry: the ExecutionEngine reports place, ack and fill to it (X-OBS-2). */
  readonly latency?: OrderLatency | undefined;
  /** The session's metrics: order outcomes and rejects (the operations server's /metrics). */
  readonly telemetry?: Telemetry | undefined;
  /** The market stream's local book of a symbol, for the market view (S2-10 slippage); absent for the in-process simulator. */
  readonly book?: ((symbol: string) => LocalOrderBook | undefined) | undefined;
}
