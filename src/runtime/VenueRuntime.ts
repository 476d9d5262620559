/**
 * The runtime of one venue account: its lifecycle (prepare → actors → recover → gate → stop) and its trade-actor
 * registry, wiring the collaborators that do the work — the AccountEventRouter (stream → actors), the IntentPerformer
 * (actors → ExecutionEngine), the KillSwitchController, the VenueCheck, the portfolio, the trading state and the
 * approvals. It is a DecisionTarget of the session's DecisionLoop. Time comes only from the injected scheduler.
 */
import { Effect } from 'effect';
import type { Instrument } from '../domain/Instrument.ts';
import type { TradeProposal } from '../domain/TradeProposal.ts';
import { ApprovalBook } from '../execution/ApprovalBook.ts';
import { ExecutionEngine } from '../execution/ExecutionEngine.ts';
import { noCrashPoints } from '../kernel/crashPoints.ts';
import { MarketState, type MarketSnapshot } from '../market/MarketState.ts';
import { Portfolio } from '../portfolio/Portfolio.ts';
import type { RiskDecision } from '../risk/RiskEngine.ts';
import { TradingState } from '../risk/TradingState.ts';
import type { AccountEvent, MarketEvent } from '../venues/streams.ts';
import { hasEntryInFlight } from '../../machines/trade/tradeQueries.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import type { TradeInput } from '../../machines/trade/tradeTypes.ts';
import { AccountEventRouter } from './AccountEventRouter.ts';
import { ActorHost, checkActorRestorable } from './ActorHost.ts';
import { openCyclesOf, recordDecision } from './decisions.ts';
import { gateBlock, gatePause, gateQuarantine } from './gates.ts';
import { IntentPerformer, type TradeClosed } from './IntentPerformer.ts';
import { KillSwitchController } from './KillSwitchController.ts';
import { deliverMark } from './markFeed.ts';
import type { DecisionTarget } from './DecisionLoop.ts';
import type { HostRegistry, RuntimeContext, VenueRuntimeDeps } from './ports.ts';
import { recoverAtStartup, type RecoveryReport } from './recovery.ts';
import { ensurePositionMode } from './positionMode.ts';
import { ExposureFeed, ownedPositions, riskViews, type RiskViewSources } from './RiskViews.ts';
import { RunStats } from './RunStats.ts';
import { VenueCheck } from './VenueCheck.ts';
import { adoptionPolicy, type AdoptionPolicy } from './adoption.ts';
export type { ReconcileSettings, RuntimeSettings, VenueRuntimeDeps } from './ports.ts';

/** The runtime of one venue account. */
export class VenueRuntime implements DecisionTarget, HostRegistry {
  readonly stats = new RunStats();
  readonly symbols: ReadonlyArray<string>;
  readonly state: TradingState;
  readonly portfolio: Portfolio;
  readonly approvals = new ApprovalBook();
  readonly execution: ExecutionEngine;
  readonly kill: KillSwitchController;
  private readonly deps: VenueRuntimeDeps;
  private readonly ctx: RuntimeContext;
  private readonly market: MarketState;
  private readonly router: AccountEventRouter;
  private readonly performer: IntentPerformer;
  private readonly venueCheck: VenueCheck;
  private readonly viewSources: RiskViewSources;
  private readonly adoption: AdoptionPolicy;
  private readonly registry = new Map<string, ActorHost>();
  private readonly instruments = new Map<string, Instrument>();
  private readonly pending = new Set<Promise<unknown>>();
  private gateOpen = false;
  private recovering = false;
  private isStopping = false;
  private cancelReconcile: (() => void) | undefined;
  private onDefectHandler: ((symbol: string, error: unknown) => void) | undefined;

  constructor(deps: VenueRuntimeDeps) {
    this.deps = deps;
    const { settings, journal, logger, scheduler } = deps;
    this.symbols = settings.symbols;
    this.ctx = {
      settings, venueId: deps.venue.id, journal, logger, alerts: deps.alerts, scheduler,
      now: () => scheduler.clock.now(), track: (w) => this.track(w), stopping: () => this.isStopping,
    };
    this.market = new MarketState(settings.symbols, 500, deps.risk.config.equityFilters.timeZone);
    this.portfolio = new Portfolio(settings.settleAsset);
    this.state = new TradingState({ journal, config: deps.risk.config, timeZone: deps.timeZone ?? 'UTC' });
    this.execution = new ExecutionEngine({
      venue: deps.venue, journal, clock: scheduler.clock, logger, retry: settings.retry, seed: settings.seed, crashPoint: deps.crashPoint, latency: deps.latency, telemetry: deps.telemetry,
      accountLeverage: settings.leverage,
      // Entries only through the open gate; a reduce-only close may pass while start-up recovery closes what it cannot protect.
      gateOpen: (reduceOnly) => settings.mode !== 'DRY_RUN' && (this.gateOpen || (reduceOnly && this.recovering)),
    });
    this.kill = new KillSwitchController({ ctx: this.ctx, state: this.state, hosts: this, execution: this.execution, killFlag: deps.killFlag, pollMs: deps.killPollMs ?? 1000 });
    this.router = new AccountEventRouter({
      ctx: this.ctx, hosts: this, execution: this.execution, portfolio: this.portfolio, state: this.state, stats: this.stats, approvals: this.approvals, feedback: deps.feedback,
      onEquity: (equity) => this.kill.onBreaker(this.state.recordEquity(equity, this.ctx.now())), hedgeMode: settings.hedge !== undefined,
    });
    this.performer = new IntentPerformer({
      ctx: this.ctx, execution: this.execution, approvals: this.approvals, risk: deps.risk, state: this.state, stats: this.stats,
      referencePrice: (s) => this.market.get(s)?.lastPrice ?? this.portfolio.position(s)?.entryPrice,
      leverageOf: (s) => this.execution.leverageOf(s), recordCriticalError: (what) => this.kill.recordCriticalError(what), capabilities: deps.venue.capabilities, hedgeMode: settings.hedge !== undefined,
    });
    this.adoption = adoptionPolicy(deps.reconcile, settings.triggerSource, (s) => this.instruments.get(s)?.tickSize);
    this.venueCheck = new VenueCheck({
      ctx: this.ctx, venue: deps.venue, hosts: this, execution: this.execution, state: this.state, deliverFill: (f) => this.router.onFill(f),
      adopted: (s) => this.state.gates(s).blocked !== undefined, quantityTolerance: deps.reconcile.quantityTolerance, adoption: deps.reconcile.foreignPositions === 'adopt' ? this.adoption : undefined,
    });
    this.viewSources = {
      symbols: settings.symbols, journal, portfolio: this.portfolio, market: this.market, state: this.state, approvals: this.approvals, hosts: this,
      strategies: deps.strategies, instrument: (s) => this.instruments.get(s), clock: () => deps.clockStatus?.() ?? { offsetMs: 0, skewBlocked: false },
      dependencies: () => deps.dependencies?.() ?? { venue_rest: 'up', venue_ws: 'up', journal: 'up' }, regime: deps.regime ?? 'chop', groups: deps.groups ?? {}, venueShorting: deps.venue.capabilities.shorting, exposure: new ExposureFeed(), book: deps.book,
    };
  }

  /** Tracks work on this account's behalf (also the decision loop's refresh) so `idle()` waits for it; failures are logged. */
  track(work: Promise<unknown>): void {
    const p = work.catch((e: unknown) => this.deps.logger.error({ err: e }, 'runtime_task_failed')).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when no venue request started by the runtime is still in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Loads and recovers nothing: prepares, starts every actor unsupervised and opens the gate (tests, benches). */
  async start(): Promise<void> {
    await this.prepare();
    for (const symbol of this.symbols) this.startActor(symbol);
    this.openGate();
  }

  /** Returns the actor host of a symbol. */
  host(symbol: string): ActorHost | undefined {
    return this.registry.get(symbol);
  }

  /** Returns every actor host. */
  hosts(): Iterable<ActorHost> {
    return this.registry.values();
  }

  /** Restores the trading state, checks every snapshot restores, loads instruments and the account, sets leverage. */
  async prepare(): Promise<void> {
    const { venue, settings, logger, journal } = this.deps;
    this.state.restore();
    // A journaled snapshot that cannot be restored refuses the start here, before any actor or supervisor runs.
    for (const symbol of settings.symbols) checkActorRestorable(journal, venue.id, this.actorInput(symbol));
    for (const i of await Effect.runPromise(venue.instruments())) if (settings.symbols.includes(i.symbol)) this.instruments.set(i.symbol, i);
    const missing = settings.symbols.filter((s) => !this.instruments.has(s));
    if (missing.length > 0) throw new Error(`the venue does not list ${missing.join(', ')}`);
    await ensurePositionMode(venue, settings.hedge !== undefined);
    await this.beforeCycle();
    const leverage = settings.leverage;
    if (leverage === undefined || !venue.capabilities.leverage) return;
    for (const symbol of settings.symbols) {
      // An open position keeps its leverage (a trade's own, locked at x10 after an auto-SL, S0-5); the next entry sets its own.
      if (this.portfolio.position(symbol)?.quantity.gt(0) === true) continue;
      const r = await this.execution.setLeverage(symbol, leverage);
      // Never "trade anyway" at a leverage the venue did not confirm: entries stay blocked, exits and protection go on.
      if (!r.ok) {
        logger.error({ symbol, leverage: leverage.toString(), reason: r.reason }, 'set_leverage_failed');
        this.blockSymbol(symbol, `the venue did not set leverage ${leverage.toString()}: ${r.reason}`);
      }
    }
  }

  /** Refreshes balances, positions and the venue clock (X-CLK-2: the skew rule needs a current offset). */
  async beforeCycle(): Promise<void> {
    const { venue } = this.deps;
    if (this.deps.clockStatus !== undefined) await Effect.runPromise(Effect.either(venue.serverTime()));
    const equity = this.portfolio.applyBalances(await Effect.runPromise(venue.balances()), this.ctx.now());
    if (equity !== undefined && this.stats.startingBalance === undefined) this.stats.startingBalance = equity;
    for (const p of await Effect.runPromise(venue.positions())) this.portfolio.applyPosition(p);
  }

  private actorInput(symbol: string): TradeInput {
    const s = this.deps.settings;
    return { symbol, cooldownMs: s.cooldownMs, maxProtectionAttempts: s.maxProtectionAttempts, queryRetryMs: s.ackTimeoutMs, killFlatten: false };
  }

  /** Starts (or restarts) the actor of a symbol from its journaled snapshot; its intent's approval is rehydrated. */
  startActor(symbol: string): ActorHost {
    this.registry.get(symbol)?.stop();
    const host = new ActorHost({
      venue: this.deps.venue.id, input: this.actorInput(symbol), journal: this.deps.journal, scheduler: this.deps.scheduler, logger: this.deps.logger,
      perform: (intent, h) => this.performer.perform(intent, h), onDefect: (h, e) => this.onDefect(h, e), inspect: this.deps.inspect,
      crashPoint: this.deps.crashPoint ?? noCrashPoints,
    });
    this.registry.set(symbol, host);
    const intent = host.snapshot().context.intent;
    if (intent !== null) this.approvals.rehydrate(this.deps.journal, this.deps.risk, [intent.intentId]);
    const kill = this.state.killSwitch();
    if (kill.engaged && !host.snapshot().matches({ control: 'halted' })) {
      host.send({ type: 'operator.kill', reason: kill.reason ?? 'kill switch', flatten: kill.flatten, at: this.ctx.now() });
    }
    return host;
  }

  /** Registers the supervisor's defect listener (SupervisedRuntime). */
  setDefectHandler(handler: (symbol: string, error: unknown) => void): void { this.onDefectHandler = handler; }

  /** Registers a listener told of every closed trade after its TRADE_CLOSED (signal re-entries, S0-14); returns its removal. */
  onTradeClosed(listener: (closed: TradeClosed) => void): () => void { return this.performer.onTradeClosed(listener); }

  private onDefect(host: ActorHost, error: unknown): void {
    this.stats.restarts += 1;
    this.deps.logger.error({ symbol: host.symbol, err: error }, 'actor_defect');
    // Defects are contained per symbol by the supervisor (restart, then quarantine); they do not trip the global kill.
    this.deps.journal.append(host.actorId, 'ACTOR_DEFECT', { message: error instanceof Error ? error.message : String(error) });
    this.onDefectHandler?.(host.symbol, error);
  }

  /** Quarantines a symbol: no new entries (the RiskEngine's symbol gate); its protections stay at the venue. */
  quarantine(symbol: string, reason: string): void { gateQuarantine(this.ctx, this.state, symbol, reason); }

  /** Blocks new entries on a symbol (exits and protection continue); journaled and alerted. */
  blockSymbol(symbol: string, reason: string): void { gateBlock(this.ctx, this.state, symbol, reason); }

  /** Pauses or resumes entries of a symbol for its market stream (X-WS-2/5); exits and protections are not affected. */
  setMarketPaused(symbol: string, paused: boolean, reason: string): void { gatePause(this.ctx, this.state, this, symbol, paused, reason); }

  /**
   * Start-up recovery (X-REC-1..6), after the actors are restored and before `openGate`: see recovery.ts. Throws
   * ReconcileError when the venue cannot be read. It places no entry.
   */
  async recover(): Promise<RecoveryReport> {
    this.recovering = true;
    try {
      return await recoverAtStartup({
        venue: this.deps.venue, journal: this.deps.journal, logger: this.deps.logger, botId: this.deps.settings.botId, symbols: this.symbols,
        triggerSource: this.deps.settings.triggerSource, now: () => this.ctx.now(), host: (s) => this.registry.get(s),
        deliverFill: (f) => this.router.onFill(f), recordOrder: (o) => this.execution.recordOrderUpdate(o), protect: (r) => this.execution.protect(r), idle: () => this.idle(),
        foreignPositions: this.deps.reconcile.foreignPositions, adoption: this.adoption, block: (s, reason) => this.blockSymbol(s, reason),
      });
    } finally {
      this.recovering = false;
    }
  }

  /** Opens the trading gate (after actors are started and reconciled); starts the kill-flag poll and periodic checks. */
  openGate(): void {
    const notStarted = this.symbols.filter((s) => this.registry.get(s) === undefined);
    if (notStarted.length > 0) throw new Error(`cannot open the gate: no actor for ${notStarted.join(', ')}`);
    this.gateOpen = true;
    this.deps.journal.append('runtime', 'GATE_OPENED', { symbols: this.symbols, mode: this.deps.settings.mode });
    this.deps.logger.info({ symbols: this.symbols, mode: this.deps.settings.mode }, 'trading_gate_open');
    this.kill.startPolling();
    const every = this.deps.reconcile.intervalMs;
    const schedule = (at: number): void => {
      if (this.isStopping || every <= 0) return;
      this.cancelReconcile = this.deps.scheduler.schedule(at, () => {
        this.track(this.checkVenue('periodic'));
        schedule(at + every);
      });
    };
    schedule(this.ctx.now() + every);
  }

  /** Compares every actor with the venue while trading (periodic and after a private-stream reconnect). */
  checkVenue(reason: string): Promise<ReadonlyArray<string>> { return this.venueCheck.check(reason); }

  /** Whether the gate is open and the runtime is not stopping (DecisionTarget). */
  ready(): boolean {
    return this.gateOpen && !this.isStopping;
  }

  /** The market snapshot strategies see, each position with the strategy that opened it (DecisionTarget). */
  snapshot(now: number): MarketSnapshot {
    return { ...this.market.snapshot(now), positions: ownedPositions(this.viewSources) };
  }

  /** The RiskEngine's views of this account (DecisionTarget). */
  views(now: number, tradesThisCycle: ReadonlyMap<string, number>): ReturnType<DecisionTarget['views']> {
    return riskViews(this.viewSources, now, tradesThisCycle);
  }

  /** Journals one decision (with its S3-6 downscale) and acts on an approval: an entry goes to the actor, an exit closes its position. */
  decide(proposal: TradeProposal, decision: RiskDecision, strategyCap?: Parameters<DecisionTarget['decide']>[2]): void {
    recordDecision({ ctx: this.ctx, stats: this.stats, approvals: this.approvals, hosts: this }, proposal, decision, this.instruments.get(proposal.symbol), strategyCap);
  }

  /** Feeds one normalized market event; a ticker may move a managed stop (S0-11, S0-13). */
  onMarket(e: MarketEvent): void { this.market.apply(e); deliverMark(this, this.deps.settings.triggerSource, e, this.ctx.now(), this.gateOpen); }

  /** Feeds one normalized account event. */
  onAccount(e: AccountEvent): void { this.router.onAccount(e); }

  /** Stops decisions, cancels working entries (protections stay), stops the actors. The journal is closed by the caller. */
  async stop(reason: string): Promise<void> {
    if (this.isStopping) return;
    this.isStopping = true;
    this.kill.stopPolling();
    this.cancelReconcile?.();
    await this.idle();
    for (const host of this.registry.values()) if (!host.isStopped() && hasEntryInFlight(host.snapshot())) host.send({ type: 'command.cancelEntry', at: this.ctx.now() });
    await this.idle();
    this.gateOpen = false;
    const states = Object.fromEntries([...this.registry].map(([k, h]) => [k, lifecycleState(h.snapshot())]));
    this.deps.journal.append('runtime', 'RUNTIME_STOPPED', { reason, states });
    for (const host of this.registry.values()) host.stop();
    this.stats.openPositions = this.portfolio.openPositions().map((p) => ({
      symbol: p.symbol, side: p.side, quantity: p.quantity.toString(), entryPrice: p.entryPrice.toString(),
      takeProfit: p.takeProfit?.toString() ?? null, stopLoss: p.stopLoss?.toString() ?? null,
    }));
    this.stats.finalStates = states;
    this.stats.openCycles = openCyclesOf(this.registry.values());
  }
}
