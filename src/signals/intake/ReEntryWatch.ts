/**
 * Re-entry of followed signals (S0-14, S0-8): a signal whose first trade its stop loss closed before any take profit is
 * re-entered as a post-only limit at that trade's OEP with the signal's own TP/SL fractions, proposed through
 * `DecisionLoop.decideExternal` like the signal itself (the RiskEngine stays the only veto; a veto counts as a try).
 * Try n goes out baseDelayMs × 2^(n−1) after the stop-out or the previous try's end and rests at most tryTtlMs, then is
 * withdrawn through the actor's `command.cancelEntry`; a filled try ends the chain; after the last unfilled try the
 * symbol is `paused_until_signal` until a new signal for it is accepted. Every step is journaled, each try before it is
 * proposed, and a restart rebuilds the chains from the journal alone, so no try is proposed twice. Timers only on the
 * injected scheduler; no polling, no clock of its own.
 */
import { Either } from 'effect';
import type { AlertPort } from '../../alerts/AlertRouter.ts';
import { passiveSecondPrice } from '../../domain/dualEntry.ts';
import { dec } from '../../domain/money.ts';
import { TradeProposal, type Fraction } from '../../domain/TradeProposal.ts';
import { decodeJournalPayload, type JournalPayload } from '../../journal/events.ts';
import type { Journal, JournalEntry } from '../../journal/Journal.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import type { ProposalHints } from '../../risk/checks/types.ts';
import type { DecisionLoop } from '../../runtime/DecisionLoop.ts';
import { hasEntryInFlight } from '../../../machines/trade/tradeQueries.ts';
import { rawTextHash } from '../parseSignal.ts';
import type { StaleEntryHost } from './StaleEntryWatch.ts';

/** A trade cycle that ended, as the runtime reports it after journaling TRADE_CLOSED. */
export interface ClosedTrade {
  readonly symbol: string;
  /** The decision the trade was opened under (a signal's, or a try's). */
  readonly intentId: string;
  /** The first fill's price (the OEP). */
  readonly entryPrice: string;
  readonly reason: string;
}

/** What the watch needs of the venue account that trades the signals (a VenueRuntime). */
export interface ReEntryPort {
  host(symbol: string): StaleEntryHost | undefined;
  /** Registers a listener of closed trades; returns its removal. */
  onTradeClosed(listener: (closed: ClosedTrade) => void): () => void;
}

/** The re-entry settings (`signals.reentry` less `enabled`). */
export interface ReEntrySettings {
  readonly maxTries: number;
  readonly baseDelayMs: number;
  readonly tryTtlMs: number;
}

/** Options of the watch. */
export interface ReEntryWatchOptions {
  readonly port: ReEntryPort;
  readonly loop: Pick<DecisionLoop, 'decideExternal'>;
  readonly scheduler: Scheduler;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly alerts?: AlertPort | undefined;
  readonly settings: ReEntrySettings;
  /** S0-7/S0-14: each try as two post-only legs, the second this fraction from the OEP on the passive side; absent, one. */
  readonly secondLegOffset?: number | undefined;
}

/** What the re-entries of one accepted signal propose (journaled as SIGNAL_REENTRY_PLAN). */
export type ReEntryPlan = JournalPayload<'SIGNAL_REENTRY_PLAN'>;

/** Where a symbol's re-entries stand. */
export type ReEntryState = 'paused_until_signal' | 'reentering' | 'none';

type Result = JournalPayload<'SIGNAL_REENTRY_RESULT'>['result'];
type TryOutcome = { readonly result: Result; readonly decisionId: string | null; readonly reason?: string; readonly detail?: string; readonly deadline?: number };

/** Returns when try `n` (1-based) is due: `from` (the stop-out, or the end of try n − 1) + baseDelayMs × 2^(n−1). */
export const reentryDueAt = (n: number, from: number, baseDelayMs: number): number => from + baseDelayMs * 2 ** (n - 1);

/**
 * Returns every try of a chain whose tries all rest unfilled for their full ttl: when each is due and when it is
 * withdrawn (the end the next try's delay counts from).
 */
export const reentrySchedule = (stoppedAt: number, s: ReEntrySettings): ReadonlyArray<{ readonly try: number; readonly dueAt: number; readonly deadline: number }> => {
  const out: Array<{ try: number; dueAt: number; deadline: number }> = [];
  let from = stoppedAt;
  for (let n = 1; n <= s.maxTries; n += 1) {
    const dueAt = reentryDueAt(n, from, s.baseDelayMs);
    out.push({ try: n, dueAt, deadline: dueAt + s.tryTtlMs });
    from = dueAt + s.tryTtlMs;
  }
  return out;
};

/** Returns the plan of an accepted signal from its proposal and the hints it was judged with. */
export const reentryPlanOf = (signalDecisionId: string, proposal: TradeProposal, hints: ProposalHints): ReEntryPlan => ({
  signalDecisionId, symbol: proposal.symbol, side: proposal.side, mode: hints.leverageMode ?? 'unknown', leverage: hints.leverage?.toString() ?? null,
  notionalFraction: proposal.notionalFraction, stopLossFraction: proposal.stopLossFraction, takeProfitFraction: proposal.takeProfitFraction,
});

interface Chain {
  readonly plan: ReEntryPlan;
  readonly oep: string;
  /** Tries journaled so far. */
  tries: number;
  /** The try whose entry was sent and is not yet judged. */
  working: { readonly decisionId: string; readonly deadline: number } | undefined;
  /** When the next try is due, while the chain waits for it. */
  nextDueAt: number | undefined;
  cancel: (() => void) | undefined;
}

const READ_TYPES = ['SIGNAL_REENTRY_PLAN', 'SIGNAL_HANDLED', 'TRADE_CLOSED', 'SIGNAL_REENTRY_TRY', 'SIGNAL_REENTRY_RESULT', 'SIGNAL_REENTRY_PAUSED'] as const;

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The re-entry chains of one session's signal intake. */
export class ReEntryWatch {
  private readonly opts: ReEntryWatchOptions;
  private readonly plans = new Map<string, ReEntryPlan>();
  private readonly chains = new Map<string, Chain>();
  /** Signal decisions whose chain ended (filled, paused, superseded): a second close never starts another. */
  private readonly done = new Set<string>();
  /** A try's decision → its signal's decision. */
  private readonly tryOf = new Map<string, string>();
  private readonly paused = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(opts: ReEntryWatchOptions) {
    this.opts = opts;
    this.unsubscribe = opts.port.onTradeClosed((c) => this.safely('reentry_close_failed', c.symbol, () => this.closed(c)));
  }

  /** Where a symbol's re-entries stand. */
  stateOf(symbol: string): ReEntryState {
    if (this.paused.has(symbol)) return 'paused_until_signal';
    return [...this.chains.values()].some((c) => c.plan.symbol === symbol) ? 'reentering' : 'none';
  }

  /** How many chains are running (waiting for a try or working one). */
  size(): number {
    return this.chains.size;
  }

  /**
   * An accepted signal (inside its SIGNAL_HANDLED's transaction): journals its plan, clears a pause of its symbol and
   * ends any older signal's chain on it (`superseded`): the newest signal of a symbol is the one followed.
   */
  planned(plan: ReEntryPlan): void {
    const { journal, logger } = this.opts;
    const now = this.opts.scheduler.clock.now();
    journal.append(`signal:reentry:${plan.symbol}`, 'SIGNAL_REENTRY_PLAN', plan);
    this.plans.set(plan.signalDecisionId, plan);
    for (const [id, chain] of [...this.chains]) {
      if (chain.plan.symbol !== plan.symbol || id === plan.signalDecisionId) continue;
      this.append(chain, { result: 'superseded', decisionId: chain.working?.decisionId ?? null, at: now, reason: `signal ${plan.signalDecisionId} accepted` });
      this.end(chain);
      logger.info({ event: 'reentry_superseded', symbol: plan.symbol, signalDecisionId: id, by: plan.signalDecisionId }, 'reentry_superseded');
    }
    if (this.paused.delete(plan.symbol)) {
      this.opts.alerts?.resolve(`reentry_paused:${plan.symbol}`);
      logger.info({ event: 'reentry_pause_cleared', symbol: plan.symbol, signalDecisionId: plan.signalDecisionId }, 'reentry_pause_cleared');
    }
  }

  /**
   * Rebuilds the chains from the journal after a restart and arms them: a pending try at its due time, a working try's
   * withdrawal at its deadline (either at once when already past). Returns how many chains run and symbols are paused.
   */
  resume(): { readonly chains: number; readonly paused: number } {
    const entries: JournalEntry[] = [];
    for (const type of READ_TYPES) entries.push(...this.opts.journal.readEvents({ type }));
    entries.sort((a, b) => a.seq - b.seq);
    for (const e of entries) this.replay(e);
    for (const chain of this.chains.values()) {
      if (chain.working !== undefined) this.armDeadline(chain, chain.tries, chain.working);
      else if (chain.tries >= this.opts.settings.maxTries) this.pauseAfter(chain, () => this.opts.journal.transaction(() => this.appendPause(chain)));
      else this.arm(chain, chain.tries + 1, chain.nextDueAt ?? this.opts.scheduler.clock.now());
    }
    return { chains: this.chains.size, paused: this.paused.size };
  }

  /** Cancels every timer and stops listening (the intake stops). */
  stop(): void {
    this.unsubscribe();
    for (const chain of this.chains.values()) chain.cancel?.();
  }

  private replay(e: JournalEntry): void {
    const max = this.opts.settings.maxTries;
    switch (e.type) {
      case 'SIGNAL_REENTRY_PLAN':
        return this.decoded(e, 'SIGNAL_REENTRY_PLAN', (p) => {
          this.plans.set(p.signalDecisionId, p);
        });
      case 'SIGNAL_HANDLED':
        // A newer accepted signal clears its symbol's pause (S0-14).
        return this.decoded(e, 'SIGNAL_HANDLED', (p) => {
          if (p.outcome === 'accepted' && p.symbol !== undefined) this.paused.delete(p.symbol);
        });
      case 'TRADE_CLOSED':
        return this.decoded(e, 'TRADE_CLOSED', (p) => {
          const signal = this.tryOf.get(p.intentId);
          const tried = signal === undefined ? undefined : this.chains.get(signal);
          if (tried !== undefined) this.end(tried);
          const plan = this.plans.get(p.intentId);
          if (p.reason !== 'stopLoss' || plan === undefined || this.chains.has(p.intentId) || this.done.has(p.intentId)) return;
          this.chains.set(p.intentId, { plan, oep: p.entryPrice, tries: 0, working: undefined, nextDueAt: reentryDueAt(1, e.ts, this.opts.settings.baseDelayMs), cancel: undefined });
        });
      case 'SIGNAL_REENTRY_TRY':
        return this.decoded(e, 'SIGNAL_REENTRY_TRY', (p) => {
          const chain = this.chains.get(p.signalDecisionId);
          if (chain === undefined) return;
          chain.tries = p.try;
          chain.nextDueAt = undefined;
        });
      case 'SIGNAL_REENTRY_RESULT':
        return this.decoded(e, 'SIGNAL_REENTRY_RESULT', (p) => {
          const chain = this.chains.get(p.signalDecisionId);
          if (chain === undefined) return;
          if (p.result === 'sent' && p.decisionId !== null && p.deadline !== undefined) {
            chain.working = { decisionId: p.decisionId, deadline: p.deadline };
            this.tryOf.set(p.decisionId, p.signalDecisionId);
          } else if (p.result === 'filled' || p.result === 'superseded') {
            this.end(chain);
          } else {
            chain.working = undefined;
            chain.nextDueAt = p.try < max ? reentryDueAt(p.try + 1, p.at, this.opts.settings.baseDelayMs) : undefined;
          }
        });
      case 'SIGNAL_REENTRY_PAUSED':
        return this.decoded(e, 'SIGNAL_REENTRY_PAUSED', (p) => {
          this.paused.add(p.symbol);
          const chain = this.chains.get(p.signalDecisionId);
          if (chain !== undefined) this.end(chain);
        });
    }
  }

  private decoded<T extends (typeof READ_TYPES)[number]>(e: JournalEntry, type: T, apply: (p: JournalPayload<T>) => void): void {
    const d = decodeJournalPayload(type, e.payload);
    if (Either.isLeft(d)) {
      this.opts.logger.error({ event: 'reentry_journal_unreadable', seq: e.seq, type, problem: d.left.message }, 'reentry_journal_unreadable');
      return;
    }
    apply(d.right);
  }

  private closed(c: ClosedTrade): void {
    const now = this.opts.scheduler.clock.now();
    // A try's own trade closed: it filled, so the chain is over (the trade ran as any other).
    const signal = this.tryOf.get(c.intentId);
    const tried = signal === undefined ? undefined : this.chains.get(signal);
    if (tried?.working?.decisionId === c.intentId) {
      this.append(tried, { result: 'filled', decisionId: c.intentId, at: now, reason: `its trade closed (${c.reason})` });
      this.end(tried);
      this.opts.logger.info({ event: 'reentry_filled', symbol: c.symbol, signalDecisionId: signal, try: tried.tries, decisionId: c.intentId }, 'reentry_filled');
    }
    const plan = this.plans.get(c.intentId);
    if (c.reason !== 'stopLoss' || plan === undefined || this.chains.has(c.intentId) || this.done.has(c.intentId)) return;
    if (this.paused.has(c.symbol)) {
      this.opts.logger.info({ event: 'reentry_skipped', symbol: c.symbol, signalDecisionId: c.intentId, reason: 'paused_until_signal' }, 'reentry_skipped');
      return;
    }
    const chain: Chain = { plan, oep: c.entryPrice, tries: 0, working: undefined, nextDueAt: undefined, cancel: undefined };
    this.chains.set(c.intentId, chain);
    const dueAt = reentryDueAt(1, now, this.opts.settings.baseDelayMs);
    this.opts.logger.info({ event: 'reentry_armed', symbol: c.symbol, signalDecisionId: c.intentId, oep: c.entryPrice, dueAt }, 'reentry_armed');
    this.arm(chain, 1, dueAt);
  }

  private arm(chain: Chain, n: number, dueAt: number): void {
    chain.cancel?.();
    chain.nextDueAt = dueAt;
    chain.cancel = this.opts.scheduler.schedule(dueAt, () => this.safely('reentry_try_failed', chain.plan.symbol, () => this.propose(chain, n, dueAt)));
  }

  private armDeadline(chain: Chain, n: number, working: { readonly decisionId: string; readonly deadline: number }): void {
    chain.cancel?.();
    chain.cancel = this.opts.scheduler.schedule(working.deadline, () => this.safely('reentry_withdraw_failed', chain.plan.symbol, () => this.expire(chain, n, working.decisionId)));
  }

  private propose(chain: Chain, n: number, dueAt: number): void {
    const { journal, loop, logger, settings } = this.opts;
    const { plan } = chain;
    const id = plan.signalDecisionId;
    if (this.chains.get(id) !== chain) return;
    chain.cancel = undefined;
    chain.nextDueAt = undefined;
    const now = this.opts.scheduler.clock.now();
    const proposalId = `sig-re${String(n)}-${rawTextHash(id).slice(0, 24)}`;
    const tryRecord = { signalDecisionId: id, symbol: plan.symbol, try: n, dueAt, proposalId, oep: chain.oep };
    const oep = dec(chain.oep);
    const second = this.opts.secondLegOffset === undefined ? {} : { secondPostOnlyLimit: passiveSecondPrice(plan.side, oep, this.opts.secondLegOffset) };
    const hints: ProposalHints = { leverageMode: plan.mode, leverage: plan.leverage === null ? undefined : dec(plan.leverage), postOnlyLimit: oep, ...second };
    const last = n >= settings.maxTries;
    let outcome: TryOutcome;
    try {
      outcome = journal.transaction(() => {
        // Journaled first: the try, then its decision, the actor's step and the order's request, in one commit.
        journal.append(`signal:reentry:${plan.symbol}`, 'SIGNAL_REENTRY_TRY', tryRecord);
        chain.tries = n;
        const proposal = new TradeProposal({
          proposalId, strategyId: 'signals', symbol: plan.symbol, side: plan.side, instrumentKind: 'perp', notionalFraction: plan.notionalFraction as Fraction,
          stopLossFraction: plan.stopLossFraction as Fraction, takeProfitFraction: plan.takeProfitFraction as Fraction, conviction: 1 as Fraction, createdAt: now, ttlMs: settings.tryTtlMs,
        });
        const d = loop.decideExternal(proposal, hints);
        const o: TryOutcome =
          typeof d === 'string' ? { result: 'not_traded', decisionId: null, reason: d }
          : d.kind === 'veto' ? { result: 'vetoed', decisionId: d.decisionId, reason: d.veto.reason, detail: d.veto.message }
          : { result: 'sent', decisionId: d.decisionId, deadline: now + settings.tryTtlMs };
        this.append(chain, { ...o, at: now });
        if (o.result !== 'sent' && last) this.appendPause(chain);
        return o;
      });
    } catch (e) {
      // Nothing of the try committed: it is recorded as not traded, so the chain goes on and never repeats it.
      logger.error({ event: 'reentry_try_failed', symbol: plan.symbol, signalDecisionId: id, try: n, error: messageOf(e) }, 'reentry_try_failed');
      outcome = { result: 'not_traded', decisionId: null, reason: `the try failed: ${messageOf(e)}` };
      journal.transaction(() => {
        journal.append(`signal:reentry:${plan.symbol}`, 'SIGNAL_REENTRY_TRY', tryRecord);
        chain.tries = n;
        this.append(chain, { result: 'not_traded', decisionId: null, at: now, reason: outcome.reason });
        if (last) this.appendPause(chain);
      });
    }
    const level = outcome.result === 'sent' ? 'info' : 'warn';
    logger[level]({ event: 'reentry_try', symbol: plan.symbol, signalDecisionId: id, try: n, dueAt, oep: chain.oep, ...outcome }, 'reentry_try');
    if (outcome.result === 'sent' && outcome.decisionId !== null && outcome.deadline !== undefined) {
      const working = { decisionId: outcome.decisionId, deadline: outcome.deadline };
      chain.working = working;
      this.tryOf.set(working.decisionId, id);
      this.armDeadline(chain, n, working);
    } else if (last) {
      this.pauseAfter(chain, () => undefined);
    } else {
      this.arm(chain, n + 1, reentryDueAt(n + 1, now, settings.baseDelayMs));
    }
  }

  // At a try's deadline: withdraw what still rests; a fill (even a part) ends the chain, else the next try or the pause.
  private expire(chain: Chain, n: number, decisionId: string): void {
    const { journal, port, settings, logger } = this.opts;
    if (this.chains.get(chain.plan.signalDecisionId) !== chain) return;
    chain.cancel = undefined;
    const now = this.opts.scheduler.clock.now();
    const host = port.host(chain.plan.symbol);
    const snap = host === undefined || host.isStopped() ? undefined : host.snapshot();
    const mine = snap !== undefined && snap.context.intent?.intentId === decisionId;
    const filled = mine && dec(snap.context.entry.filledQuantity).gt(0);
    const resting = mine && hasEntryInFlight(snap);
    const result: Result = filled ? 'filled' : resting ? 'withdrawn' : 'unfilled';
    const last = n >= settings.maxTries;
    journal.transaction(() => {
      this.append(chain, { result, decisionId, at: now, clientOrderId: mine ? snap.context.entryClientOrderId : null, ...(filled && resting ? { reason: 'partly filled; the rest withdrawn' } : {}) });
      // The chart cancels as it does any cancel; a filled part stays, protected by the chart.
      if (resting) host?.send({ type: 'command.cancelEntry', at: now });
      if (!filled && last) this.appendPause(chain);
    });
    chain.working = undefined;
    logger[filled ? 'info' : 'warn']({ event: `reentry_${result}`, symbol: chain.plan.symbol, signalDecisionId: chain.plan.signalDecisionId, try: n, decisionId }, `reentry_${result}`);
    if (filled) this.end(chain);
    else if (last) this.pauseAfter(chain, () => undefined);
    else this.arm(chain, n + 1, reentryDueAt(n + 1, now, settings.baseDelayMs));
  }

  private append(chain: Chain, r: Omit<JournalPayload<'SIGNAL_REENTRY_RESULT'>, 'signalDecisionId' | 'symbol' | 'try'>): void {
    const { plan } = chain;
    this.opts.journal.append(`signal:reentry:${plan.symbol}`, 'SIGNAL_REENTRY_RESULT', { signalDecisionId: plan.signalDecisionId, symbol: plan.symbol, try: chain.tries, ...r });
  }

  private appendPause(chain: Chain): void {
    this.opts.journal.append(`signal:reentry:${chain.plan.symbol}`, 'SIGNAL_REENTRY_PAUSED', { symbol: chain.plan.symbol, signalDecisionId: chain.plan.signalDecisionId, tries: chain.tries, state: 'paused_until_signal' });
  }

  // After the pause is journaled (by `journaled`, or already in the caller's commit): the symbol waits for a new signal.
  private pauseAfter(chain: Chain, journaled: () => void): void {
    const { plan } = chain;
    journaled();
    this.end(chain);
    this.paused.add(plan.symbol);
    const fields = { symbol: plan.symbol, signalDecisionId: plan.signalDecisionId, tries: chain.tries, oep: chain.oep };
    this.opts.logger.warn({ event: 'reentry_paused', state: 'paused_until_signal', ...fields }, 'paused_until_signal');
    this.opts.alerts?.raise({
      key: `reentry_paused:${plan.symbol}`, severity: 'WARN', fields,
      message: `${plan.symbol}: ${String(chain.tries)} re-entries at the OEP ${chain.oep} stayed unfilled; paused until a new signal for ${plan.symbol}`,
    });
  }

  private end(chain: Chain): void {
    chain.cancel?.();
    chain.cancel = undefined;
    this.chains.delete(chain.plan.signalDecisionId);
    this.done.add(chain.plan.signalDecisionId);
  }

  // A timer's or listener's work never throws into the scheduler or the runtime: it is logged.
  private safely(event: string, symbol: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.opts.logger.error({ event, symbol, error: messageOf(e) }, event);
    }
  }
}
