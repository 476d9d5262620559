/**
 * The decision loop (DESIGN §3), a sibling of the venue runtimes so one loop drives every account of a session: on a
 * jittered cycle (X-RTY-6) it refreshes each account, runs the strategies over the merged market snapshot, and hands
 * the round to the RiskEngine — the one gate — judging each proposal against the views of the account that trades its
 * symbol. Every decision, approval or veto, is journaled by that account; approved ones are dispatched to it.
 */
import type { HeldPosition, MarketSnapshot, SymbolMarket } from '../market/MarketState.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { noTelemetry, type Telemetry } from '../kernel/telemetry.ts';
import { TradeProposal, type Fraction } from '../domain/TradeProposal.ts';
import type { RiskDecision, RiskEngine } from '../risk/RiskEngine.ts';
import type { ProposalHints } from '../risk/checks/types.ts';
import type { MarketView, PortfolioView } from '../risk/views.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import type { StrategyCapRecord } from '../journal/events.ts';
import type { StrategyFeedbackBook } from './StrategyFeedback.ts';
import { applyStrategyCaps, type AccountViews, type StrategyCapLimits } from './strategyCaps.ts';

/** What the loop needs of one venue account. */
export interface DecisionTarget {
  readonly symbols: ReadonlyArray<string>;
  /** Whether the account's trading gate is open (recovered, not stopping). */
  ready(): boolean;
  /** Refreshes the account (balances, positions, venue clock) before a cycle. */
  beforeCycle(): Promise<void>;
  snapshot(now: number): MarketSnapshot;
  views(now: number, tradesThisCycle: ReadonlyMap<string, number>): { readonly portfolio: PortfolioView; readonly market: MarketView };
  /**
   * Journals, counts and alerts one decision, then acts on an approved one (entry to the actor, exit to its position);
   * `strategyCap` is the integrator's downscale of the proposal, journaled with it.
   */
  decide(proposal: TradeProposal, decision: RiskDecision, strategyCap?: StrategyCapRecord): void;
}

/** Settings of the loop. */
export interface DecisionLoopDeps {
  readonly scheduler: Scheduler;
  readonly random: () => number;
  readonly cycleMs: number;
  readonly jitterFraction: number;
  readonly strategies: ReadonlyArray<Strategy<unknown>>;
  readonly risk: RiskEngine;
  readonly targets: ReadonlyArray<DecisionTarget>;
  /** Tracks the cycle's async work so the session's idle() waits for it. */
  readonly track: (work: Promise<unknown>) => void;
  /**
   * `timer` (default): a cycle every `cycleMs`. `bar_close`: a cycle once a bar has closed, at the next market tick
   * (the next bar's open), so a decision made on bar t's close is filled at bar t+1's prices (X-BT-1); the session
   * reports closes (`barClosed`) and ticks (`marketAdvanced`).
   */
  readonly trigger?: 'timer' | 'bar_close' | undefined;
  /** Each strategy's feedback (its fills and vetoes, handed to it in its snapshot) and metrics. */
  readonly feedback?: StrategyFeedbackBook | undefined;
  /** The integrator's per-strategy caps (S3-6), by strategy id, applied before the RiskEngine. */
  readonly caps?: ReadonlyMap<string, StrategyCapLimits> | undefined;
  /** Told how long each cycle that ran took (`decision_cycle`, in seconds of `latencyClock`). */
  readonly telemetry?: Telemetry | undefined;
  /** The clock cycles are timed on: `preciseWallClock` for real latencies (default: the scheduler's clock). */
  readonly latencyClock?: Clock | undefined;
}

const NO_CAPS: ReadonlyMap<string, StrategyCapLimits> = new Map();
const NO_TRADES: ReadonlyMap<string, number> = new Map();

/** The decision loop of a session. */
export class DecisionLoop {
  private readonly deps: DecisionLoopDeps;
  private readonly states: unknown[];
  private readonly owner = new Map<string, DecisionTarget>();
  private cancel: (() => void) | undefined;
  private running = false;
  /** bar_close: the time of the earliest bar close not yet decided on. */
  private closedAt: number | undefined;
  /** Strategies an operator disabled while the session runs (their proposals are not asked for). */
  private readonly disabled = new Set<string>();
  private cycleCount = 0;
  private lastCycle: number | undefined;

  constructor(deps: DecisionLoopDeps) {
    this.deps = deps;
    this.states = deps.strategies.map((s) => s.init());
    for (const t of deps.targets) for (const s of t.symbols) this.owner.set(s, t);
  }

  /** Starts the cycle at the next jittered boundary. */
  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.deps.trigger !== 'bar_close') this.schedule(this.nextCycleAt(this.deps.scheduler.clock.now()));
  }

  /** bar_close trigger: a bar closed at `ts`; the cycle runs at the first market tick after it. */
  barClosed(ts: number): void {
    if (this.deps.trigger === 'bar_close' && this.closedAt === undefined) this.closedAt = ts;
  }

  /** bar_close trigger: the market advanced to `t`; runs the pending cycle once `t` is past the close. */
  marketAdvanced(t: number): void {
    if (!this.running || this.closedAt === undefined || t <= this.closedAt) return;
    this.closedAt = undefined;
    this.cycleNow();
  }

  private cycleNow(): void {
    // The NAV/account snapshot is refreshed every cycle, so the staleness rule sees a fresh one (X-RSK-2).
    this.deps.track(Promise.all(this.deps.targets.map((t) => t.beforeCycle())).then(() => this.runCycle()));
  }

  /** Stops scheduling cycles. */
  stop(): void {
    this.running = false;
    this.cancel?.();
  }

  private nextCycleAt(from: number): number {
    const { cycleMs, jitterFraction } = this.deps;
    const base = Math.floor(from / cycleMs) * cycleMs + cycleMs;
    return base + Math.floor(this.deps.random() * jitterFraction * cycleMs);
  }

  private schedule(at: number): void {
    if (!this.running) return;
    this.cancel = this.deps.scheduler.schedule(at, () => {
      this.cycleNow();
      this.schedule(this.nextCycleAt(at));
    });
  }

  /** The watchdog's view: cycles run and the session time of the last one. */
  heartbeat(): { readonly cycles: number; readonly lastCycleAt: number | undefined } {
    return { cycles: this.cycleCount, lastCycleAt: this.lastCycle };
  }

  /** Each strategy of the loop and whether it is asked for proposals. */
  strategyStates(): ReadonlyArray<{ readonly id: string; readonly enabled: boolean }> {
    return this.deps.strategies.map((s) => ({ id: s.id, enabled: !this.disabled.has(s.id) }));
  }

  /** Enables or disables a strategy of the loop; false when the loop has no such strategy or nothing changed. */
  setStrategyEnabled(id: string, enabled: boolean): boolean {
    if (!this.deps.strategies.some((s) => s.id === id) || this.disabled.has(id) !== enabled) return false;
    if (enabled) this.disabled.delete(id);
    else this.disabled.add(id);
    return true;
  }

  /**
   * An operator's flatten of one symbol, through the one gate: a proposal opposite to the held position, judged by the
   * RiskEngine (an exit when it reduces) and handed to the account like any other decision. Returns the decision, or a
   * sentence when no ready account holds a position in the symbol.
   */
  operatorExit(symbol: string, proposalId: string): RiskDecision | string {
    return this.external(symbol, (portfolio, market, now) => {
      const position = portfolio.positions.find((p) => p.symbol === symbol && !p.quantity.isZero());
      if (position === undefined) return `no open position in ${symbol}`;
      return new TradeProposal({
        proposalId, strategyId: 'operator', symbol, side: position.side === 'long' ? 'sell' : 'buy', instrumentKind: market.venueShorting === false ? 'spot' : 'perp',
        notionalFraction: 1 as Fraction, stopLossFraction: 0 as Fraction, takeProfitFraction: 0 as Fraction, conviction: 1 as Fraction, createdAt: now, ttlMs: 60_000,
      });
    });
  }

  /**
   * A proposal from outside the strategies (a followed signal, S0-3) judged now by the RiskEngine against the owning
   * account's views and acted on like any other; `hints` carry what the proposal has no field for (the signal's mode
   * and leverage, judged by the leverage rule). Returns the decision, or why there was none.
   */
  decideExternal(proposal: TradeProposal, hints?: ProposalHints): RiskDecision | string {
    return this.external(proposal.symbol, () => proposal, hints);
  }

  private external(
    symbol: string, make: (portfolio: PortfolioView, market: MarketView, now: number) => TradeProposal | string, hints?: ProposalHints,
  ): RiskDecision | string {
    const target = this.owner.get(symbol);
    if (target === undefined) return `no account of this session trades ${symbol}`;
    if (!target.ready()) return `the account trading ${symbol} is not trading (its gate is closed)`;
    const now = this.deps.scheduler.clock.now();
    const { portfolio, market } = target.views(now, NO_TRADES);
    const proposal = make(portfolio, market, now);
    if (typeof proposal === 'string') return proposal;
    const decision = this.deps.risk.check(proposal, portfolio, market, now, hints);
    target.decide(proposal, decision);
    return decision;
  }

  /** Runs one cycle now: strategies (each with its feedback) → per-strategy caps → RiskEngine (round) → the accounts. */
  runCycle(): void {
    const telemetry = this.deps.telemetry ?? noTelemetry;
    if (telemetry === noTelemetry) return this.cycle();
    const clock = this.deps.latencyClock ?? this.deps.scheduler.clock;
    const cycles = this.cycleCount;
    const started = clock.now();
    try {
      this.cycle();
    } finally {
      // Only a cycle that ran (a ready account, the loop running) is a latency; an early return is not.
      if (this.cycleCount !== cycles) telemetry.observe('decision_cycle', (clock.now() - started) / 1000);
    }
  }

  private cycle(): void {
    const ready = this.deps.targets.filter((t) => t.ready());
    if (!this.running || ready.length === 0) return;
    const now = this.deps.scheduler.clock.now();
    this.cycleCount += 1;
    this.lastCycle = now;
    const snapshot = this.merged(ready, now);
    const proposals: TradeProposal[] = [];
    const feedback = this.deps.feedback;
    this.deps.strategies.forEach((s, i) => {
      if (this.disabled.has(s.id)) return;
      const step = s.propose(feedback === undefined ? snapshot : { ...snapshot, feedback: feedback.view(s.id, now) }, this.states[i]);
      this.states[i] = step.state;
      feedback?.proposed(s.id, step.proposals.length);
      proposals.push(...step.proposals);
    });
    if (proposals.length === 0) return;
    // A symbol no ready account trades is judged against the first account's views, which have no market for it: the
    // RiskEngine itself refuses it (product_disabled), so the refusal is journaled like every other.
    const fallback = ready[0]!;
    const targetOf = (p: TradeProposal): DecisionTarget => {
      const t = this.owner.get(p.symbol);
      return t !== undefined && t.ready() ? t : fallback;
    };
    // S3-6: each strategy's own caps, where the round meets, before the RiskEngine's global caps.
    const views = new Map<DecisionTarget, AccountViews>();
    const accountOf = (p: TradeProposal): AccountViews => {
      const t = targetOf(p);
      const v = views.get(t) ?? t.views(now, NO_TRADES);
      views.set(t, v);
      return v;
    };
    const capped = applyStrategyCaps(proposals, this.deps.caps ?? NO_CAPS, { now, positions: snapshot.positions, accountOf });
    const decisions = [...capped.vetoed, ...this.deps.risk.checkRound(capped.proposals, (p, trades) => targetOf(p).views(now, trades), now)];
    for (const { proposal, decision } of decisions) {
      const note = capped.downscaled.get(proposal.proposalId);
      targetOf(proposal).decide(proposal, decision, note);
      feedback?.decided(proposal, decision, now, note !== undefined);
    }
  }

  private merged(targets: ReadonlyArray<DecisionTarget>, now: number): MarketSnapshot {
    if (targets.length === 1) return targets[0]!.snapshot(now);
    const symbols = new Map<string, SymbolMarket>();
    const positions = new Map<string, HeldPosition>();
    for (const t of targets) {
      const s = t.snapshot(now);
      for (const [k, v] of s.symbols) symbols.set(k, v);
      for (const [k, v] of s.positions ?? []) positions.set(k, v);
    }
    return { now, symbols, positions };
  }
}
