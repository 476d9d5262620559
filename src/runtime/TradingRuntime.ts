/**
 * The trading runtime for one venue account: market events feed MarketState; a jittered decision cycle runs the
 * strategies and hands each proposal to the RiskEngine (the only gate); approved intents go to the symbol's trade
 * actor; the actors' intents go through the ExecutionEngine (the only path to the venue); account events are routed
 * back to the actors. Time comes only from the injected scheduler's clock.
 */
import type { InspectionEvent } from 'xstate';
import { Decimal, ZERO, dec } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import type { Fill, Position, TriggerSource, VenueOrder } from '../domain/orders.ts';
import type { TradeProposal } from '../domain/TradeProposal.ts';
import type { TradeEmitted, TradeInput } from '../../machines/trade/tradeTypes.ts';
import { ExecutionEngine, type ExecutionEvent } from '../execution/ExecutionEngine.ts';
import type { Journal, JournalOrderState } from '../journal/Journal.ts';
import { nextClientOrderId, parseClientOrderId } from '../journal/clientOrderIds.ts';
import type { Logger } from '../kernel/logger.ts';
import { criticalEvent, logCritical } from '../kernel/logger.ts';
import type { RetryPolicy } from '../kernel/retry.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { MarketState } from '../market/MarketState.ts';
import { decisionRecord, type ApprovedOrder, type RiskEngine } from '../risk/RiskEngine.ts';
import { applyAllocation } from '../risk/capital.ts';
import { decodeKillSwitchState, encodeKillSwitchState, engageKill, initialKillSwitch, recordCriticalError, resumeKill, type KillSource, type KillSwitchState } from '../risk/KillSwitch.ts';
import { decodeDrawdownState, encodeDrawdownState, initDrawdown, recordEquity, type DrawdownState } from '../risk/Drawdown.ts';
import { alertForVeto } from '../risk/vetoes.ts';
import type { AlertPort } from '../alerts/AlertRouter.ts';
import type { MarketView, MidSample, PortfolioView, SymbolMarketView } from '../risk/views.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import type { AccountEvent, MarketEvent } from '../venues/streams.ts';
import type { Venue } from '../venues/Venue.ts';
import { noCrashPoints, type CrashPoint } from '../kernel/crashPoints.ts';
import { Effect, Either } from 'effect';
import { clientOrderIdPrefix } from '../journal/clientOrderIds.ts';
import { ActorHost, checkActorRestorable } from './ActorHost.ts';
import { actorVenueMismatches, actorViewOf, closeReasonFrom, venueViewOf } from './consistency.ts';
import { actorProtection, deliverMissedFills, recoverAtStartup, type RecoveryReport } from './recovery.ts';
import { RunStats } from './RunStats.ts';

/** Settings of the runtime (decoded from config). */
export interface RuntimeSettings {
  readonly profile: string;
  readonly mode: 'DRY_RUN' | 'PAPER' | 'LIVE';
  readonly botId: string;
  readonly symbols: ReadonlyArray<string>;
  readonly leverage: Decimal;
  readonly triggerSource: TriggerSource;
  readonly cycleMs: number;
  readonly jitterFraction: number;
  readonly ackTimeoutMs: number;
  readonly maxRepriceAttempts: number;
  readonly maxProtectionAttempts: number;
  readonly cooldownMs: number;
  readonly retry: RetryPolicy;
  readonly seed: number;
}

/** Everything the runtime is wired to. */
export interface RuntimeDeps {
  readonly settings: RuntimeSettings;
  readonly venue: Venue;
  readonly journal: Journal;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly risk: RiskEngine;
  // Strategies keep their own state type; the runtime only threads it through.
  readonly strategies: ReadonlyArray<Strategy<unknown>>;
  readonly random: () => number;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
  /** Reads the operator's kill flag (the `KILL` file of the data directory); polled every `killPollMs`. */
  readonly killFlag?: (() => { readonly reason: string; readonly flatten: boolean } | undefined) | undefined;
  readonly killPollMs?: number | undefined;
  /** Where alerts go (dedupe and escalation live in the router). */
  readonly alerts?: AlertPort | undefined;
  /** IANA zone of the daily-loss day boundary (the profile's). */
  readonly timeZone?: string | undefined;
  /** The venue clock offset and skew latch (X-CLK-2); absent for the in-process simulator, which shares our clock. */
  readonly clockStatus?: (() => { readonly offsetMs: number; readonly skewBlocked: boolean }) | undefined;
  /** Reconcile settings (start-up recovery, periodic and reconnect checks); defaults when absent. */
  readonly reconcile?: ReconcileSettings | undefined;
  /** Restart-drill crash points (no-op in production). */
  readonly crashPoint?: CrashPoint | undefined;
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

const DEFAULT_RECONCILE: ReconcileSettings = {
  intervalMs: 60_000, foreignPositions: 'adopt', adoptTakeProfitFraction: dec('0.04'), adoptStopLossFraction: dec('0.02'), quantityTolerance: ZERO,
};

const OPEN_ORDER_STATES: ReadonlyArray<JournalOrderState> = ['requested', 'ambiguous', 'new', 'partially_filled'];
const MID_WINDOW_MS = 120_000;

/** The runtime of one venue account. */
export class TradingRuntime {
  readonly stats = new RunStats();
  private readonly deps: RuntimeDeps;
  private readonly market: MarketState;
  private readonly execution: ExecutionEngine;
  private readonly hosts = new Map<string, ActorHost>();
  private readonly instruments = new Map<string, Instrument>();
  private readonly approvals = new Map<string, ApprovedOrder>();
  private readonly positions = new Map<string, Position>();
  private readonly midHistory = new Map<string, MidSample[]>();
  private readonly lastExternalFill = new Map<string, Fill>();
  private readonly lastStops = new Map<string, { readonly takeProfit: Decimal | undefined; readonly stopLoss: Decimal | undefined }>();
  private readonly cooldownUntil = new Map<string, { until: number; kind: 'fill' | 'stop' }>();
  private readonly quarantined = new Set<string>();
  private readonly paused = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  private strategyStates: unknown[];
  private kill: KillSwitchState = initialKillSwitch;
  private drawdown: DrawdownState | undefined;
  private nav: Decimal = ZERO;
  private navTs = 0;
  private gateOpen = false;
  private stopping = false;
  private cancelCycle: (() => void) | undefined;
  private cancelKillPoll: (() => void) | undefined;
  private cancelReconcile: (() => void) | undefined;
  /** Symbols whose new entries are blocked by reconcile (adopted or unresolved positions), with the reason. */
  private readonly blocked = new Map<string, string>();
  /** Symbols that disagreed with the venue on the last periodic check (a second disagreement sets broker_desync). */
  private suspect = new Set<string>();
  private brokerDesync = false;
  /** True while start-up recovery runs: reduce-only closes of unprotectable positions may pass the closed gate. */
  private recovering = false;
  /** Symbols whose partly filled entry's position the venue closed (TP/SL) while the entry still rested. */
  private readonly closedAtVenue = new Set<string>();
  private checking = false;

  constructor(deps: RuntimeDeps) {
    this.deps = deps;
    this.market = new MarketState(deps.settings.symbols);
    this.strategyStates = deps.strategies.map((s) => s.init());
    this.execution = new ExecutionEngine({
      venue: deps.venue,
      journal: deps.journal,
      clock: deps.scheduler.clock,
      logger: deps.logger,
      retry: deps.settings.retry,
      seed: deps.settings.seed,
      gateOpen: (reduceOnly) => deps.settings.mode !== 'DRY_RUN' && (this.gateOpen || (reduceOnly && this.recovering)),
      crashPoint: deps.crashPoint,
    });
  }

  private now(): number {
    return this.deps.scheduler.clock.now();
  }

  /** Tracks an async piece of work so `idle()` can wait for it; failures are logged, never thrown into the caller. */
  private track(work: Promise<unknown>): void {
    const p = work.catch((e: unknown) => this.deps.logger.error({ err: e }, 'runtime_task_failed')).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when no venue request started by the runtime is still in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Returns the host of a symbol (tests, drills, status). */
  host(symbol: string): ActorHost | undefined {
    return this.hosts.get(symbol);
  }

  /** Loads instruments, balances and positions, sets leverage, starts one actor per symbol, then opens the gate. */
  async start(): Promise<void> {
    await this.prepare();
    for (const symbol of this.deps.settings.symbols) this.startActor(symbol);
    this.openGate();
  }

  /** Loads instruments, balances and positions and sets leverage; actors are started by the caller or the supervisor. */
  async prepare(): Promise<void> {
    // An engaged kill switch survives restarts (persisted in the journal's kv store) until an operator resumes.
    const saved = this.deps.journal.kvGet('kill_switch');
    if (saved !== undefined) this.kill = decodeKillSwitchState(saved);
    const savedCooldowns = this.deps.journal.kvGet('cooldowns');
    if (savedCooldowns !== null && typeof savedCooldowns === 'object') {
      for (const [symbol, v] of Object.entries(savedCooldowns as Record<string, { until?: unknown; kind?: unknown }>)) {
        if (typeof v.until === 'number' && (v.kind === 'fill' || v.kind === 'stop')) this.cooldownUntil.set(symbol, { until: v.until, kind: v.kind });
      }
    }
    const savedDrawdown = this.deps.journal.kvGet('drawdown');
    if (savedDrawdown !== undefined) this.drawdown = decodeDrawdownState(savedDrawdown);
    // A journaled snapshot that cannot be restored refuses the start here, before any actor or supervisor runs.
    for (const symbol of this.deps.settings.symbols) checkActorRestorable(this.deps.journal, this.deps.venue.id, this.actorInput(symbol));
    const { venue, settings, logger } = this.deps;
    const { Effect } = await import('effect');
    const instruments = await Effect.runPromise(venue.instruments());
    for (const i of instruments) if (settings.symbols.includes(i.symbol)) this.instruments.set(i.symbol, i);
    const missing = settings.symbols.filter((s) => !this.instruments.has(s));
    if (missing.length > 0) throw new Error(`the venue does not list ${missing.join(', ')}`);
    await this.refreshAccount();
    for (const symbol of settings.symbols) {
      const r = await this.execution.setLeverage(symbol, settings.leverage);
      // Never "trade anyway" at a leverage the venue did not confirm: the symbol's entries stay blocked (exits and
      // protection continue) and an operator is alerted.
      if (r._tag === 'Left') {
        logger.error({ symbol, leverage: settings.leverage.toString(), reason: r.left.message }, 'set_leverage_failed');
        this.blockSymbol(symbol, `the venue did not set leverage ${settings.leverage.toString()}: ${r.left.message}`);
      }
    }
  }

  /** Opens the trading gate (after actors are started and reconciled) and starts the decision cycle. */
  openGate(): void {
    const { settings, logger } = this.deps;
    const notStarted = settings.symbols.filter((s) => this.hosts.get(s) === undefined);
    if (notStarted.length > 0) throw new Error(`cannot open the gate: no actor for ${notStarted.join(', ')}`);
    this.gateOpen = true;
    this.deps.journal.append('runtime', 'GATE_OPENED', { symbols: settings.symbols, mode: settings.mode });
    logger.info({ symbols: settings.symbols, mode: settings.mode }, 'trading_gate_open');
    this.scheduleCycle(this.nextCycleAt(this.now()));
    if (this.deps.killFlag !== undefined) this.scheduleKillPoll(this.now() + (this.deps.killPollMs ?? 1000));
    const every = this.reconcileSettings().intervalMs;
    if (every > 0) this.scheduleReconcile(this.now() + every);
  }

  private reconcileSettings(): ReconcileSettings {
    return this.deps.reconcile ?? DEFAULT_RECONCILE;
  }

  /**
   * Start-up recovery (X-REC-1..6), run after the actors are restored and before `openGate`: settles every live order
   * by client order id, applies missed fills by trade id, closes actors whose position the venue closed, re-attaches
   * missing TP/SL, reconciles the journal (orphans, unsettled rows, foreign positions) and blocks any symbol it could
   * not bring into agreement. Throws ReconcileError when the venue cannot be read. It places no entry; the only orders
   * that may leave are the chart's reduce-only closes of a position whose TP/SL the venue refuses (price already past).
   */
  async recover(): Promise<RecoveryReport> {
    const rs = this.reconcileSettings();
    this.recovering = true;
    try {
      return await this.recoverWith(rs);
    } finally {
      this.recovering = false;
    }
  }

  private recoverWith(rs: ReconcileSettings): Promise<RecoveryReport> {
    const { venue, journal, logger, settings } = this.deps;
    return recoverAtStartup({
      venue, journal, logger, botId: settings.botId, symbols: settings.symbols, triggerSource: settings.triggerSource,
      now: () => this.now(),
      host: (symbol) => this.hosts.get(symbol),
      deliverFill: (fill) => this.onFill(fill, this.now()),
      deliverOrder: (order) => this.onOrder(order, this.now()),
      protect: (request) => this.execution.protect(request),
      idle: () => this.idle(),
      foreignPositions: rs.foreignPositions,
      adoptFractions: { takeProfit: rs.adoptTakeProfitFraction, stopLoss: rs.adoptStopLossFraction },
      tickSize: (symbol) => this.instruments.get(symbol)?.tickSize ?? dec('0.0001'),
      block: (symbol, reason) => this.blockSymbol(symbol, reason),
      markClosedAtVenue: (symbol) => this.closedAtVenue.add(symbol),
    });
  }

  /** Blocks new entries on a symbol (exits and protection continue); journaled and alerted. */
  blockSymbol(symbol: string, reason: string): void {
    if (this.blocked.get(symbol) === reason) return;
    this.blocked.set(symbol, reason);
    this.deps.journal.append(`trade:${this.deps.venue.id}:${symbol}`, 'SYMBOL_BLOCKED', { reason });
    this.deps.logger.error({ symbol, reason, alert: 'symbol_blocked' }, 'symbol_blocked');
    this.deps.alerts?.raise({ key: `symbol_blocked:${symbol}`, severity: 'CRITICAL', message: `${symbol} entries blocked: ${reason}`, fields: { symbol } });
  }

  /** Returns why a symbol's entries are blocked by reconcile, if they are. */
  blockedReason(symbol: string): string | undefined {
    return this.blocked.get(symbol);
  }

  /** Returns whether the last checks found the actors and the venue apart (entries are vetoed while true). */
  isBrokerDesync(): boolean {
    return this.brokerDesync;
  }

  private scheduleReconcile(at: number): void {
    if (this.stopping) return;
    this.cancelReconcile = this.deps.scheduler.schedule(at, () => {
      this.track(this.checkVenue('periodic'));
      this.scheduleReconcile(at + this.reconcileSettings().intervalMs);
    });
  }

  /**
   * Compares every actor with the venue while trading (X-REC periodic and after a private-stream reconnect). States
   * with a request in flight are skipped; a symbol that disagrees on two checks in a row sets broker_desync (new entries
   * vetoed, CRITICAL alert) until a check finds everything in agreement. A protected position found without TP/SL at
   * the venue gets them re-attached at once.
   */
  async checkVenue(reason: string): Promise<ReadonlyArray<string>> {
    if (this.checking || this.stopping) return [];
    this.checking = true;
    try {
      const { venue, journal, settings } = this.deps;
      const prefix = clientOrderIdPrefix(settings.botId);
      const rs = this.reconcileSettings();
      const found: string[] = [];
      const now = new Set<string>();
      for (const symbol of settings.symbols) {
        const host = this.hosts.get(symbol);
        if (host === undefined || host.isStopped()) continue;
        const [open, positions] = await Promise.all([Effect.runPromise(Effect.either(venue.openOrders(symbol))), Effect.runPromise(Effect.either(venue.positions(symbol)))]);
        // A failed read proves nothing (never infer flat): try again next time.
        if (Either.isLeft(open) || Either.isLeft(positions)) continue;
        const p = positions.right.find((x) => x.symbol === symbol && x.side !== 'flat' && x.quantity.gt(0));
        let view = actorViewOf(host.snapshot());
        const judge = (): ReadonlyArray<string> =>
          actorVenueMismatches(view, venueViewOf(open.right, p, prefix), { settled: false, adopted: this.blocked.has(symbol), quantityTolerance: rs.quantityTolerance });
        let issues = judge();
        if (issues.length > 0) {
          // Fills the stream never delivered (a reconnect gap): apply them by trade id, then judge again.
          const applied = await deliverMissedFills({ venue, journal, now: () => this.now(), deliverFill: (f) => this.onFill(f, this.now()) }, symbol, host).catch(() => []);
          if (applied.length > 0) {
            journal.append('reconcile', 'RECONCILED_FILLS', { symbol, reason, fills: applied });
            // No `idle()` here: this check is itself tracked work and would wait for itself. The actor took the fills
            // synchronously; what they set off (protection) is tracked on its own.
            view = actorViewOf(host.snapshot());
            issues = judge();
          }
        }
        if (issues.length === 0) continue;
        if (view.state === 'opened.protected' && p !== undefined && (p.takeProfit === undefined || p.stopLoss === undefined)) {
          const request = actorProtection(host.snapshot().context, settings.triggerSource);
          if (request !== undefined) {
            const r = await this.execution.protect(request);
            journal.append('reconcile', 'RECONCILED_PROTECTED', { symbol, reason, outcome: r.type });
          }
        }
        now.add(symbol);
        found.push(...issues.map((i) => `${symbol}: ${i}`));
      }
      const confirmed = [...now].filter((s) => this.suspect.has(s));
      this.suspect = now;
      if (confirmed.length > 0 && !this.brokerDesync) {
        this.brokerDesync = true;
        journal.append('reconcile', 'BROKER_DESYNC', { reason, symbols: confirmed, issues: found });
        this.deps.logger.error({ alert: 'broker_desync', reason, issues: found }, 'broker_desync');
        this.deps.alerts?.raise({ key: 'broker_desync', severity: 'CRITICAL', message: `actors and venue disagree (${reason}): ${found.join('; ')}` });
      } else if (now.size === 0 && this.brokerDesync) {
        this.brokerDesync = false;
        journal.append('reconcile', 'BROKER_RESYNCED', { reason });
        this.deps.logger.warn({ reason }, 'broker_resynced');
        this.deps.alerts?.resolve('broker_desync');
      }
      return found;
    } finally {
      this.checking = false;
    }
  }

  private async refreshAccount(): Promise<void> {
    const { Effect } = await import('effect');
    // Re-measure the venue clock each cycle so the skew rule sees a current offset (X-CLK-2).
    if (this.deps.clockStatus !== undefined) await Effect.runPromise(Effect.either(this.deps.venue.serverTime()));
    const balances = await Effect.runPromise(this.deps.venue.balances());
    const usdt = balances.find((b) => b.asset === 'USDT');
    if (usdt !== undefined) {
      this.nav = usdt.total;
      this.navTs = this.now();
      if (this.stats.startingBalance === undefined) this.stats.startingBalance = usdt.total;
    }
    for (const p of await Effect.runPromise(this.deps.venue.positions())) this.positions.set(p.symbol, p);
  }

  private actorInput(symbol: string): TradeInput {
    const { settings } = this.deps;
    return { symbol, cooldownMs: settings.cooldownMs, maxProtectionAttempts: settings.maxProtectionAttempts, queryRetryMs: settings.ackTimeoutMs, killFlatten: false };
  }

  /** Starts (or restarts) the actor of a symbol from its journaled snapshot. */
  startActor(symbol: string): ActorHost {
    this.hosts.get(symbol)?.stop();
    const host = new ActorHost({
      venue: this.deps.venue.id,
      input: this.actorInput(symbol),
      journal: this.deps.journal,
      scheduler: this.deps.scheduler,
      logger: this.deps.logger,
      perform: (intent, h) => this.perform(intent, h),
      onDefect: (h, e) => this.onDefect(h, e),
      inspect: this.deps.inspect,
      crashPoint: this.deps.crashPoint ?? noCrashPoints,
    });
    this.hosts.set(symbol, host);
    if (this.kill.engaged && !host.snapshot().matches({ control: 'halted' })) {
      host.send({ type: 'operator.kill', reason: this.kill.reason ?? 'kill switch', flatten: this.kill.flatten, at: this.now() });
    }
    return host;
  }

  private onDefectHandler: ((symbol: string, error: unknown) => void) | undefined;

  /** Registers the supervisor's defect listener (SupervisedRuntime). */
  setDefectHandler(handler: (symbol: string, error: unknown) => void): void {
    this.onDefectHandler = handler;
  }

  private onDefect(host: ActorHost, error: unknown): void {
    this.stats.restarts += 1;
    this.deps.logger.error({ symbol: host.symbol, err: error }, 'actor_defect');
    // Defects are contained per symbol by the supervisor (restart, then quarantine); they do not trip the global kill.
    this.deps.journal.append(host.actorId, 'ACTOR_DEFECT', { message: error instanceof Error ? error.message : String(error) });
    if (this.onDefectHandler !== undefined) this.onDefectHandler(host.symbol, error);
  }

  /** Marks a symbol quarantined: no new entries; its protections stay at the venue. */
  quarantine(symbol: string, reason: string): void {
    if (this.quarantined.has(symbol)) return;
    this.quarantined.add(symbol);
    this.deps.journal.append(`trade:${this.deps.venue.id}:${symbol}`, 'SYMBOL_QUARANTINED', { reason });
    this.deps.logger.error({ symbol, reason, alert: 'symbol_quarantined' }, 'symbol_quarantined');
    this.deps.alerts?.raise({ key: `symbol_quarantined:${symbol}`, severity: 'CRITICAL', message: `${symbol} quarantined: ${reason}`, fields: { symbol } });
  }

  /**
   * Pauses or resumes entries of a symbol (X-WS-2/5): the connection actor calls this when its stream is not live
   * (gap, resync, reconnect, stale data). Exits and protections are not affected.
   */
  setMarketPaused(symbol: string, paused: boolean, reason: string): void {
    const host = this.hosts.get(symbol);
    const was = this.paused.has(symbol);
    if (paused) this.paused.add(symbol);
    else this.paused.delete(symbol);
    if (was === paused) return;
    this.deps.journal.append(`market:${symbol}`, paused ? 'MARKET_PAUSED' : 'MARKET_RESUMED', { symbol, reason });
    host?.send(paused ? { type: 'stream.paused', reason, at: this.now() } : { type: 'stream.resumed', at: this.now() });
  }

  /** Returns whether entries of a symbol are paused by its market-data stream. */
  isMarketPaused(symbol: string): boolean {
    return this.paused.has(symbol);
  }

  /**
   * Engages the kill switch (X-RSK-1): vetoes every new proposal from now on, halts every actor (they cancel their
   * working entries, keep TP/SL, flatten only if asked), cancels every working order at the venue, persists the state
   * and raises a CRITICAL alert. Resolves with the time the cancels took.
   */
  async engageKill(req: { readonly reason: string; readonly source: KillSource; readonly flatten?: boolean | undefined }): Promise<{ readonly cancelMs: number; readonly cancelled: number }> {
    const started = this.now();
    const before = this.kill;
    this.kill = engageKill(this.kill, { ...req, at: started }, this.deps.risk.config.killSwitch);
    if (before.engaged && before.flatten === this.kill.flatten) return { cancelMs: 0, cancelled: 0 };
    this.deps.journal.transaction(() => {
      this.deps.journal.append('runtime', 'KILL_ENGAGED', { reason: this.kill.reason, source: this.kill.source, flatten: this.kill.flatten });
      this.deps.journal.kvSet('kill_switch', encodeKillSwitchState(this.kill));
    });
    for (const host of this.hosts.values()) host.send({ type: 'operator.kill', reason: req.reason, flatten: this.kill.flatten, at: started });
    // No `idle()` here: engageKill itself may be tracked work (breakers), and waiting for itself would never end.
    const results = await Promise.all(this.deps.settings.symbols.map((s) => this.execution.cancelAll(s)));
    const cancelled = results.reduce((n, r) => n + r.length, 0);
    const cancelMs = this.now() - started;
    logCritical(this.deps.logger, criticalEvent({ event: 'kill_switch_engaged', profile: this.deps.settings.profile, mode: this.deps.settings.mode }, {
      venue: this.deps.venue.id, error_code: req.source, latency_ms: cancelMs,
    }), 'error');
    this.deps.logger.error({ alert: 'KILL_SWITCH', severity: 'CRITICAL', reason: req.reason, cancelled, cancelMs }, 'kill_switch_engaged');
    this.deps.alerts?.raise({ key: 'kill_switch', severity: 'CRITICAL', message: `kill switch engaged (${req.source}): ${req.reason}`, fields: { cancelled, cancelMs } });
    return { cancelMs, cancelled };
  }

  /** Clears the kill switch (an operator's resume): actors resume, new proposals are judged again. */
  resumeKill(): void {
    if (!this.kill.engaged) return;
    this.kill = resumeKill(this.kill);
    this.deps.journal.transaction(() => {
      this.deps.journal.append('runtime', 'KILL_RESUMED', {});
      this.deps.journal.kvSet('kill_switch', encodeKillSwitchState(this.kill));
    });
    for (const host of this.hosts.values()) host.send({ type: 'operator.resume', at: this.now() });
    this.deps.logger.warn({ alert: 'KILL_SWITCH', severity: 'INFO' }, 'kill_switch_resumed');
    this.deps.alerts?.resolve('kill_switch');
  }

  /** Feeds the drawdown and daily-loss breakers (X-RSK-3); a breach halts new entries through the kill switch. */
  private recordEquity(equity: Decimal, at: number): void {
    const zone = this.deps.timeZone ?? 'UTC';
    this.drawdown ??= initDrawdown(equity, at, zone);
    const { state, tripped } = recordEquity(this.drawdown, equity, at, this.deps.risk.config.drawdown);
    this.drawdown = state;
    // The state (peaks, day start, latched breach) survives restarts (X-RSK-3).
    if (tripped === undefined) {
      this.deps.journal.kvSet('drawdown', encodeDrawdownState(state));
      return;
    }
    this.deps.journal.transaction(() => {
      this.deps.journal.append('risk', 'DRAWDOWN_BREACH', { ...tripped });
      this.deps.journal.kvSet('drawdown', encodeDrawdownState(state));
    });
    this.deps.alerts?.raise({ key: `drawdown:${tripped.reason}`, severity: 'CRITICAL', message: `${tripped.reason} ${tripped.observed} beyond ${tripped.limit}`, fields: { ...tripped } });
    this.track(this.engageKill({ reason: `${tripped.reason} ${tripped.observed} > ${tripped.limit}`, source: 'breaker' }));
  }

  /** Counts a critical error; past the threshold within the window the kill switch engages (X-RSK-1). */
  private recordCriticalError(what: string): void {
    const { state, tripped } = recordCriticalError(this.kill, this.now(), this.deps.risk.config.killSwitch);
    if (!tripped) {
      this.kill = state;
      return;
    }
    // Engage through engageKill so the effects (halt, cancels, journal, alert) run, not just the state change.
    this.kill = { ...state, engaged: false, reason: undefined, since: undefined, source: undefined };
    this.track(this.engageKill({ reason: `${state.reason ?? 'critical error threshold reached'} (last: ${what})`, source: 'critical_errors' }));
  }

  /** Returns the per-symbol entry cooldowns (until, kind). */
  cooldowns(): ReadonlyMap<string, { readonly until: number; readonly kind: 'fill' | 'stop' }> {
    return this.cooldownUntil;
  }

  /** Returns the kill switch state. */
  killState(): KillSwitchState {
    return this.kill;
  }

  /** Returns whether a symbol is quarantined. */
  isQuarantined(symbol: string): boolean {
    return this.quarantined.has(symbol);
  }

  /** Engages or clears the kill switch from the operator's flag; called at start and on every poll. */
  async pollKillFlag(): Promise<void> {
    const flag = this.deps.killFlag?.();
    if (flag !== undefined && (!this.kill.engaged || (flag.flatten && !this.kill.flatten))) {
      await this.engageKill({ reason: flag.reason, source: 'file', flatten: flag.flatten });
    } else if (flag === undefined && this.kill.engaged && (this.kill.source === 'file' || this.kill.source === 'cli')) {
      this.resumeKill();
    }
  }

  private scheduleKillPoll(at: number): void {
    if (this.stopping) return;
    this.cancelKillPoll = this.deps.scheduler.schedule(at, () => {
      this.track(this.pollKillFlag());
      this.scheduleKillPoll(at + (this.deps.killPollMs ?? 1000));
    });
  }

  private nextCycleAt(from: number): number {
    const { cycleMs, jitterFraction } = this.deps.settings;
    const base = Math.floor(from / cycleMs) * cycleMs + cycleMs;
    return base + Math.floor(this.deps.random() * jitterFraction * cycleMs);
  }

  private scheduleCycle(at: number): void {
    if (this.stopping) return;
    this.cancelCycle = this.deps.scheduler.schedule(at, () => {
      // The NAV/account snapshot is refreshed every cycle, so the staleness rule sees a fresh one (X-RSK-2).
      this.track(this.refreshAccount().then(() => this.runCycle()));
      this.scheduleCycle(this.nextCycleAt(at));
    });
  }

  /** Feeds one normalized market event. */
  onMarket(e: MarketEvent): void {
    this.market.apply(e);
    if (e.type === 'ticker' && e.bidPrice !== undefined && e.askPrice !== undefined) {
      const samples = this.midHistory.get(e.symbol) ?? [];
      samples.push({ ts: e.ts, mid: e.bidPrice.plus(e.askPrice).div(2), volume: ZERO });
      while (samples.length > 0 && samples[0]!.ts < e.ts - MID_WINDOW_MS) samples.shift();
      this.midHistory.set(e.symbol, samples);
    } else if (e.type === 'trade') {
      const samples = this.midHistory.get(e.symbol);
      const last = samples?.[samples.length - 1];
      if (samples !== undefined && last !== undefined) samples[samples.length - 1] = { ...last, volume: last.volume.plus(e.size) };
    }
  }

  /** One decision cycle: strategies → RiskEngine → trade actors. */
  runCycle(): void {
    if (this.stopping || !this.gateOpen) return;
    const now = this.now();
    const snapshot = this.market.snapshot(now);
    const proposals: TradeProposal[] = [];
    this.deps.strategies.forEach((s, i) => {
      const step = s.propose(snapshot, this.strategyStates[i]);
      this.strategyStates[i] = step.state;
      proposals.push(...step.proposals);
    });
    const tradesThisCycle = new Map<string, number>();
    // S2-5: when the profile allocates by the number of signals, the round is ranked and weighted before risk.
    const round = applyAllocation(proposals, this.deps.risk.config.capital);
    for (const v of round.vetoed) {
      this.stats.proposals += 1;
      this.stats.recordVeto(v.veto.reason);
      this.deps.journal.append(`risk:${v.proposal.symbol}`, 'RISK_DECISION', {
        kind: 'veto', proposalId: v.proposal.proposalId, rule: 'allocation', veto_reason: v.veto.reason, cap_type: v.veto.capType,
        current: v.veto.current, proposed: v.veto.proposed, limit: v.veto.limit, message: v.veto.message,
      });
    }
    for (const proposal of round.proposals) {
      this.stats.proposals += 1;
      const host = this.hosts.get(proposal.symbol);
      const portfolio = this.portfolioView(now, tradesThisCycle);
      const decision = this.deps.risk.check(proposal, portfolio, this.marketView(), now);
      this.deps.journal.append(`risk:${proposal.symbol}`, 'RISK_DECISION', { proposalId: proposal.proposalId, ...decisionRecord(decision) });
      if (decision.kind === 'veto') {
        this.stats.recordVeto(decision.veto.reason);
        const alert = alertForVeto(proposal.symbol, decision.veto);
        if (alert !== undefined) this.deps.alerts?.raise(alert);
        logCritical(this.deps.logger, criticalEvent({ event: 'risk_veto', profile: this.deps.settings.profile, mode: this.deps.settings.mode }, {
          strategy_name: proposal.strategyId, signal_id: proposal.proposalId, symbol: proposal.symbol, side: proposal.side, error_code: decision.veto.reason,
        }), 'info');
        continue;
      }
      const order = decision.order;
      // An approval shows the symbol's earlier warning conditions are over: resolve them so they do not escalate.
      for (const key of [`staleness:${order.symbol}`, `symbol_cap:${order.symbol}`, `total_cap:${order.symbol}`, `theme_cap:${order.symbol}`, `capacity_exceeded:${order.symbol}`, `market_quality:${order.symbol}`, `product_disabled:${order.symbol}`]) {
        this.deps.alerts?.resolve(key);
      }
      if (decision.dryRun) {
        this.stats.dryRunOrders += 1;
        this.deps.logger.info({ decisionId: decision.decisionId, symbol: order.symbol, side: order.side, qty: order.quantity.toString() }, 'dry_run_order_not_sent');
        continue;
      }
      // A strategy exit of an open position closes it with a reduce-only order (the actor sends it); protections stay.
      if (order.intent === 'exit' && host !== undefined && !host.isStopped() && host.state().startsWith('opened')) {
        this.stats.exits += 1;
        host.send({ type: 'command.close', at: now });
        continue;
      }
      // An exit approval is never sent as a new entry: with no open position in the actor it has nothing to close.
      if (order.intent === 'exit') {
        this.stats.recordVeto('no_position_to_exit');
        continue;
      }
      if (host === undefined || host.isStopped() || this.quarantined.has(proposal.symbol) || this.blocked.has(proposal.symbol) || this.paused.has(proposal.symbol) || host.state() !== 'idle') {
        this.stats.recordVeto(
          host === undefined || host.isStopped() ? 'actor_unavailable' : this.quarantined.has(proposal.symbol) ? 'symbol_quarantined'
            : this.blocked.has(proposal.symbol) ? 'symbol_blocked' : this.paused.has(proposal.symbol) ? 'market_paused' : 'actor_busy',
        );
        continue;
      }
      tradesThisCycle.set(order.strategyId, (tradesThisCycle.get(order.strategyId) ?? 0) + 1);
      const instrument = this.instruments.get(order.symbol)!;
      // Ids are floored at the venue clock's epoch ms: they stay unique even if this journal is lost (X-ORD-1).
      const { clientOrderId } = nextClientOrderId(this.deps.journal, { botId: this.deps.settings.botId, strategyId: order.strategyId, floorMs: now });
      const intentId = `${decision.decisionId}`;
      this.approvals.set(intentId, order);
      this.stats.intents += 1;
      host.send({
        type: 'command.open',
        at: now,
        intentId,
        clientOrderId,
        side: order.side,
        quantity: order.quantity.toString(),
        price: order.limitPrice.toString(),
        timeInForce: order.timeInForce,
        takeProfitFraction: order.takeProfitFraction.toString(),
        stopLossFraction: order.stopLossFraction.toString(),
        maxRepriceAttempts: this.deps.settings.maxRepriceAttempts,
        repriceTicks: 1,
        tickSize: instrument.tickSize.toString(),
        ackTimeoutMs: this.deps.settings.ackTimeoutMs,
      });
    }
  }

  private portfolioView(now: number, tradesThisCycle: ReadonlyMap<string, number>): PortfolioView {
    const positions = [...this.positions.values()]
      .filter((p) => p.side !== 'flat' && p.quantity.gt(0))
      .map((p) => ({ symbol: p.symbol, side: p.side as 'long' | 'short', quantity: p.quantity, entryPrice: p.entryPrice, markPrice: p.markPrice, stopLoss: p.stopLoss }));
    const working = this.deps.journal.ordersInState(OPEN_ORDER_STATES).map((o) => ({
      symbol: o.symbol, side: o.side, quantity: o.quantity.minus(o.filledQuantity), price: o.price, stopLoss: this.approvals.get(o.intentId)?.stopLoss,
      reduceOnly: /-(x|f)\d+$/.test(o.clientOrderId), strategyId: parseClientOrderId(o.clientOrderId.replace(/-(r|x|f)\d+$/, ''))?.strategy ?? 'unknown',
    }));
    const strategies: Record<string, { committedNotional: Decimal; tradesThisCycle: number }> = {};
    for (const s of this.deps.strategies) {
      const committed = working.filter((w) => w.strategyId === s.id && !w.reduceOnly).reduce((a, w) => a.plus(w.quantity.times(w.price ?? ZERO)), ZERO)
        .plus(positions.reduce((a, p) => a.plus(p.quantity.times(p.entryPrice)), ZERO));
      strategies[s.id] = { committedNotional: committed, tradesThisCycle: tradesThisCycle.get(s.id) ?? 0 };
    }
    const cooldowns: Record<string, { until: number; kind: 'fill' | 'stop' }> = {};
    for (const [k, v] of this.cooldownUntil) if (v.until > now) cooldowns[k] = v;
    return {
      nav: this.nav, accountSnapshotTs: this.navTs, positions, workingOrders: working, strategies, cooldowns,
      tradingState: this.kill.engaged ? 'halted' : 'active', kill: this.kill, drawdown: { breach: this.drawdown?.breach }, brokerDesync: this.brokerDesync, groups: {},
    };
  }

  private marketView(): MarketView {
    const symbols: Record<string, SymbolMarketView> = {};
    for (const symbol of this.deps.settings.symbols) {
      const m = this.market.get(symbol);
      symbols[symbol] = {
        instrument: this.instruments.get(symbol), bid: m?.bid, ask: m?.ask, bidSize: m?.bidSize, askSize: m?.askSize, last: m?.lastPrice,
        quoteTs: m?.quoteTs, lastBarCloseTs: m?.lastBarCloseTs, productStatus: 'online', midHistory: this.midHistory.get(symbol) ?? [],
      };
    }
    return { symbols, clock: this.deps.clockStatus?.() ?? { offsetMs: 0, skewBlocked: false }, dependencies: { venue_rest: 'up', venue_ws: 'up', journal: 'up' }, regime: 'chop' };
  }

  /** Performs one intent of a trade actor. */
  private perform(intent: TradeEmitted, host: ActorHost): void {
    const answer = (p: Promise<ExecutionEvent | undefined>): void =>
      this.track(p.then((e) => {
        if (e !== undefined) host.send(e);
      }));
    switch (intent.type) {
      case 'order.submit': {
        let approval = this.approvals.get(intent.intentId);
        if (approval === undefined && intent.reduceOnly) {
          // The entry's approval died with the previous process: a reduce-only exit of the restored position is re-approved.
          const ref = this.market.get(intent.symbol)?.lastPrice ?? this.positions.get(intent.symbol)?.entryPrice ?? dec(intent.price ?? '0');
          approval = this.deps.risk.approveRecoveredExit({ intentId: intent.intentId, symbol: intent.symbol, side: intent.side, quantity: dec(intent.quantity), referencePrice: ref }, this.now());
          this.approvals.set(intent.intentId, approval);
        }
        if (approval === undefined) {
          this.deps.logger.error({ intent }, 'order_without_approval');
          host.send({ type: 'venue.rejected', clientOrderId: intent.clientOrderId, code: 'no_approval', category: 'other', at: this.now() });
          return;
        }
        const request = {
          clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, type: intent.orderType, quantity: dec(intent.quantity),
          price: intent.price === undefined ? undefined : dec(intent.price), timeInForce: intent.timeInForce, reduceOnly: intent.reduceOnly, closeOnTrigger: intent.reduceOnly,
        } as const;
        logCritical(this.deps.logger, criticalEvent({ event: 'order_request', profile: this.deps.settings.profile, mode: this.deps.settings.mode }, {
          venue: this.deps.venue.id, strategy_name: approval.strategyId, signal_id: approval.proposalId, client_order_id: intent.clientOrderId,
          symbol: intent.symbol, side: intent.side, qty: intent.quantity, price: intent.price ?? null, leverage: approval.leverage.toString(),
        }));
        this.stats.ordersSent += 1;
        answer(this.execution.submit(approval, request, { intentId: intent.intentId, role: intent.role }));
        return;
      }
      case 'order.cancel':
        answer(this.execution.cancel(intent.symbol, intent.clientOrderId));
        return;
      case 'order.query':
        this.queryUntilAnswered(intent.symbol, intent.clientOrderId, host, 0);
        return;
      case 'protection.set':
        if (this.closedAtVenue.delete(intent.symbol)) {
          // The venue already closed this position (TP/SL on the filled part of an entry that then was withdrawn).
          const exit = this.lastExternalFill.get(intent.symbol);
          host.send({ type: 'venue.positionClosed', reason: closeReasonFrom(this.lastStops.get(intent.symbol), exit), exitPrice: exit?.price.toString(), at: this.now() });
          return;
        }
        this.deps.logger.info({ symbol: intent.symbol, trigger: this.deps.settings.triggerSource, tp: intent.takeProfit, sl: intent.stopLoss }, 'protection_request');
        answer(this.execution.protect({ symbol: intent.symbol, takeProfit: dec(intent.takeProfit), stopLoss: dec(intent.stopLoss), trigger: this.deps.settings.triggerSource }));
        return;
      case 'notify':
        this.deps.logger[intent.severity === 'critical' ? 'error' : intent.severity === 'warning' ? 'warn' : 'info']({ symbol: host.symbol, kind: intent.kind }, intent.message);
        if (intent.severity === 'critical' && intent.kind !== 'halted') {
          this.deps.alerts?.raise({ key: `${intent.kind}:${host.symbol}`, severity: 'CRITICAL', message: `${host.symbol}: ${intent.message}` });
          this.recordCriticalError(`${intent.kind} on ${host.symbol}`);
        }
        return;
      case 'position.closed': {
        this.stats.recordTrade(intent);
        this.deps.journal.append(host.actorId, 'TRADE_CLOSED', intent);
        const cooldown = intent.reason === 'stopLoss' ? 'stop' : 'fill';
        const ms = cooldown === 'stop' ? this.deps.risk.config.cooldowns.afterStopMs : this.deps.risk.config.cooldowns.afterFillMs;
        this.cooldownUntil.set(intent.symbol, { until: this.now() + ms, kind: cooldown });
        // X-RSK-7: cooldowns survive restarts.
        this.deps.journal.kvSet('cooldowns', Object.fromEntries(this.cooldownUntil));
        this.approvals.delete(intent.intentId);
        return;
      }
      case 'timer.set':
      case 'timer.clear':
        return;
    }
  }

  /**
   * Asks the venue for an order until it answers. `querying` re-asks on its own timer; an exit or flatten whose outcome
   * is unknown (`closing`, `flattening`) has none, so a failed query is retried here with capped backoff while the
   * order is still live in the actor.
   */
  private queryUntilAnswered(symbol: string, clientOrderId: string, host: ActorHost, attempt: number): void {
    this.track(this.execution.query(symbol, clientOrderId).then((e) => {
      if (e !== undefined) {
        host.send(e);
        return;
      }
      const state = host.state();
      const c = host.snapshot().context;
      if (this.stopping || host.isStopped() || (state !== 'closing' && state !== 'flattening') || !c.orderIds.includes(clientOrderId) || c.settledOrderIds.includes(clientOrderId)) return;
      const wait = Math.min(this.deps.settings.ackTimeoutMs * 2 ** Math.min(attempt, 3), 8 * this.deps.settings.ackTimeoutMs);
      this.deps.scheduler.schedule(this.now() + wait, () => this.queryUntilAnswered(symbol, clientOrderId, host, attempt + 1));
    }));
  }

  /** Feeds one normalized account event: orders, fills and positions go to the symbol's actor and the journal. */
  onAccount(e: AccountEvent): void {
    const at = this.now();
    switch (e.type) {
      case 'wallet': {
        const usdt = e.balances.find((b) => b.asset === 'USDT');
        if (usdt !== undefined) {
          this.nav = usdt.total;
          this.navTs = at;
          this.stats.endingBalance = usdt.total;
          this.recordEquity(usdt.total, at);
        }
        return;
      }
      case 'position': {
        const before = this.positions.get(e.position.symbol);
        this.positions.set(e.position.symbol, e.position);
        if (e.position.takeProfit !== undefined || e.position.stopLoss !== undefined) {
          this.lastStops.set(e.position.symbol, { takeProfit: e.position.takeProfit, stopLoss: e.position.stopLoss });
        }
        const host = this.hosts.get(e.position.symbol);
        const state = host?.state() ?? '';
        // X-ORD-6: a venue-side TP/SL that filled only in part leaves a remainder without protection (the venue cleared
        // the stops when it triggered). The trigger already decided to exit, so the remainder is closed reduce-only by
        // the actor (`command.close`), flagged and alerted until the position is flat.
        if (host !== undefined && e.position.quantity.gt(0) && e.position.takeProfit === undefined && e.position.stopLoss === undefined
          && before !== undefined && e.position.quantity.lt(before.quantity) && state === 'opened.protected') {
          // Judged on the next turn of the scheduler, never from inside the venue's own event dispatch (the stop's
          // sweep may still be filling): only a remainder that is still there and unprotected then is acted on.
          const symbol = e.position.symbol;
          this.deps.scheduler.schedule(this.now(), () => {
            const p = this.positions.get(symbol);
            if (p === undefined || !p.quantity.gt(0) || p.takeProfit !== undefined || p.stopLoss !== undefined || host.state() !== 'opened.protected') return;
            this.deps.logger.error({ symbol, quantity: p.quantity.toString(), alert: 'position_unprotected' }, 'position_unprotected');
            this.deps.alerts?.raise({ key: `position_unprotected:${symbol}`, severity: 'CRITICAL', message: `${symbol} position of ${p.quantity.toString()} left without TP/SL by a partial stop fill; closing it` });
            this.deps.journal.append(`protection:${symbol}`, 'POSITION_UNPROTECTED', { symbol, quantity: p.quantity, action: 'close' });
            host.send({ type: 'command.close', at: this.now() });
          });
        }
        if (e.position.quantity.isZero()) this.deps.alerts?.resolve(`position_unprotected:${e.position.symbol}`);
        if (host !== undefined && e.position.quantity.isZero() && before !== undefined && before.quantity.gt(0) && state === 'working') {
          // TP/SL closed the filled part of an entry that still rests: withdraw the rest; the close is reported when the
          // actor reaches `opened` (see `protection.set`).
          this.closedAtVenue.add(e.position.symbol);
          host.send({ type: 'command.cancelEntry', at });
        }
        if (e.position.quantity.isZero() && this.blocked.get(e.position.symbol)?.startsWith('foreign position adopted') === true) {
          this.blocked.delete(e.position.symbol);
          this.deps.journal.append(`trade:${this.deps.venue.id}:${e.position.symbol}`, 'SYMBOL_UNBLOCKED', { reason: 'adopted position is flat' });
          this.deps.alerts?.resolve(`symbol_blocked:${e.position.symbol}`);
        }
        if (host !== undefined && e.position.quantity.isZero() && before !== undefined && before.quantity.gt(0) && (state.startsWith('opened') || state === 'closing' || state === 'flattening')) {
          const exit = this.lastExternalFill.get(e.position.symbol);
          // The venue clears the stops as it closes the position, so judge by the last stops we saw on it.
          host.send({ type: 'venue.positionClosed', reason: closeReasonFrom(this.lastStops.get(e.position.symbol), exit), exitPrice: exit?.price.toString(), at });
        }
        return;
      }
      case 'execution':
        this.onFill(e.fill, at);
        return;
      case 'order':
        this.onOrder(e.order, at);
        return;
    }
  }

  private onFill(fill: Fill, at: number): void {
    this.stats.recordFill(fill);
    const host = this.hosts.get(fill.symbol);
    const ours = host !== undefined && host.snapshot().context.orderIds.includes(fill.clientOrderId);
    if (!ours) {
      this.lastExternalFill.set(fill.symbol, fill);
      this.deps.journal.append(`venue:${fill.symbol}`, 'VENUE_FILL', { ...fill });
      return;
    }
    // A fill seen before (stream replay, or recovery fetching what the stream already delivered) changes nothing.
    if (host.snapshot().context.seenTradeIds.includes(fill.tradeId)) return;
    const row = this.deps.journal.getOrder(fill.clientOrderId);
    if (row !== undefined) {
      const filled = row.filledQuantity.plus(fill.quantity);
      this.deps.journal.recordOrderUpdate({
        clientOrderId: fill.clientOrderId, type: 'ORDER_FILLED', state: filled.gte(row.quantity) ? 'filled' : 'partially_filled', filledQuantity: filled,
        payload: { tradeId: fill.tradeId, price: fill.price, quantity: fill.quantity, fee: fill.fee, isMaker: fill.isMaker },
      });
    }
    logCritical(this.deps.logger, criticalEvent({ event: 'order_fill', profile: this.deps.settings.profile, mode: this.deps.settings.mode }, {
      venue: this.deps.venue.id, order_id: fill.venueOrderId, client_order_id: fill.clientOrderId, symbol: fill.symbol, side: fill.side, qty: fill.quantity.toString(), price: fill.price.toString(),
    }));
    host.send({ type: 'venue.filled', clientOrderId: fill.clientOrderId, tradeId: fill.tradeId, price: fill.price.toString(), quantity: fill.quantity.toString(), fee: fill.fee.toString(), at });
  }

  private onOrder(order: VenueOrder, at: number): void {
    const host = this.hosts.get(order.symbol);
    if (host === undefined || !host.snapshot().context.orderIds.includes(order.clientOrderId)) return;
    const row = this.deps.journal.getOrder(order.clientOrderId);
    const closedState = order.status === 'cancelled' || order.status === 'rejected' || order.status === 'expired';
    if (row !== undefined && closedState && row.state !== order.status) {
      this.deps.journal.recordOrderUpdate({ clientOrderId: order.clientOrderId, type: `ORDER_${order.status.toUpperCase()}`, state: order.status, payload: { reason: order.rejectReason ?? null } });
    }
    const id = order.clientOrderId;
    switch (order.status) {
      case 'new':
      case 'partially_filled':
      case 'untriggered':
        host.send({ type: 'venue.accepted', clientOrderId: id, venueOrderId: order.venueOrderId, at });
        return;
      case 'cancelled':
        if (order.rejectReason === 'EC_PostOnlyWillTakeLiquidity' && order.filledQuantity.isZero()) {
          host.send({ type: 'venue.rejected', clientOrderId: id, code: order.rejectReason, category: 'post_only_would_take', message: 'post-only order would take liquidity', at });
        } else {
          host.send({ type: 'venue.cancelled', clientOrderId: id, at });
        }
        return;
      case 'expired':
        host.send({ type: 'venue.expired', clientOrderId: id, at });
        return;
      case 'rejected':
        host.send({ type: 'venue.rejected', clientOrderId: id, code: order.rejectReason ?? 'rejected', category: 'other', at });
        return;
      default:
        return;
    }
  }

  /** Stops decisions, cancels working entries (protections stay), stops the actors. The journal is closed by the caller. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.cancelCycle?.();
    this.cancelKillPoll?.();
    this.cancelReconcile?.();
    await this.idle();
    for (const host of this.hosts.values()) {
      const s = host.state();
      if (s === 'submitting' || s === 'working' || s === 'querying') host.send({ type: 'command.cancelEntry', at: this.now() });
    }
    await this.idle();
    this.gateOpen = false;
    this.deps.journal.append('runtime', 'RUNTIME_STOPPED', { reason, states: Object.fromEntries([...this.hosts].map(([k, h]) => [k, h.state()])) });
    for (const host of this.hosts.values()) host.stop();
    this.stats.openPositions = [...this.positions.values()].filter((p) => p.quantity.gt(0)).map((p) => ({
      symbol: p.symbol, side: p.side, quantity: p.quantity.toString(), entryPrice: p.entryPrice.toString(),
      takeProfit: p.takeProfit?.toString() ?? null, stopLoss: p.stopLoss?.toString() ?? null,
    }));
    this.stats.finalStates = Object.fromEntries([...this.hosts].map(([k, h]) => [k, h.state()]));
  }
}
