/**
 * Performs a trade actor's emitted intents for one venue account: orders, cancels and queries through the
 * ExecutionEngine (the only path to the venue), protection, notifications and closed trades; every answer goes back to
 * the actor as a chart event. An entry is sent under its intent's approval (the ApprovalBook); every exit or flatten
 * gets a reduce-only approval of its own from the RiskEngine, journaled like any decision. No chart knowledge here.
 */
import { dec } from '../domain/money.ts';
import type { ExecutionEvent } from '../domain/events.ts';
import type { Decimal } from '../domain/money.ts';
import { criticalEvent, logCritical } from '../kernel/logger.ts';
import { RISK_DECISION, type ApprovalBook } from '../execution/ApprovalBook.ts';
import type { ExecutionEngine } from '../execution/ExecutionEngine.ts';
import { approvalRecord, decisionRecord, type ApprovedOrder, type ExitRequest, type RiskDecision, type RiskEngine } from '../risk/RiskEngine.ts';
import type { TradingState } from '../risk/TradingState.ts';
import type { TradeEmitted } from '../../machines/trade/tradeTypes.ts';
import { ladderOf } from '../../machines/trade/ladderLogic.ts';
import { openQuantity } from '../../machines/trade/tradeLogic.ts';
import { hedgeOf, hedgePnl } from '../../machines/trade/hedgeLogic.ts';
import type { ActorHost } from './ActorHost.ts';
import type { VenueCapabilities } from '../venues/Venue.ts';
import type { PositionLeg } from '../domain/orders.ts';
import type { RuntimeContext } from './ports.ts';
import type { RunStats } from './RunStats.ts';

/** What the performer is wired to. */
export interface IntentPerformerDeps {
  readonly ctx: RuntimeContext;
  readonly execution: ExecutionEngine;
  readonly approvals: ApprovalBook;
  readonly risk: RiskEngine;
  readonly state: TradingState;
  readonly stats: RunStats;
  /** A reference price for an exit's approval record (last trade, else the position's entry). */
  readonly referencePrice: (symbol: string) => Decimal | undefined;
  /** The leverage the venue holds for a symbol as last confirmed, for the order log. */
  readonly leverageOf: (symbol: string) => Decimal | undefined;
  /** Counts a critical error toward the kill switch's breaker. */
  readonly recordCriticalError: (what: string) => void;
  /** What the venue supports: where it has no reduce-only flag (spot), an exit is a plain order for what is held. */
  readonly capabilities: Pick<VenueCapabilities, 'reduceOnly'>;
  /** Whether the account's symbols are in hedge mode (S0-12): every order and TP/SL then names its leg. */
  readonly hedgeMode?: boolean | undefined;
}

type Submit = Extract<TradeEmitted, { type: 'order.submit' }>;

/** The leg an order of the position works on in hedge mode: a buy opens the long leg and a reduce-only buy closes the short. */
const legOfOrder = (side: 'buy' | 'sell', reduceOnly: boolean): PositionLeg => ((side === 'buy') !== reduceOnly ? 'long' : 'short');
/** A trade cycle that ended (the chart's `position.closed`, as journaled in TRADE_CLOSED). */
export type TradeClosed = Extract<TradeEmitted, { type: 'position.closed' }>;

/** Performs trade intents. */
export class IntentPerformer {
  private readonly deps: IntentPerformerDeps;
  private readonly closedListeners = new Set<(closed: TradeClosed) => void>();

  constructor(deps: IntentPerformerDeps) {
    this.deps = deps;
  }

  /** Registers a listener told of every closed trade once its TRADE_CLOSED is journaled; returns its removal. */
  onTradeClosed(listener: (closed: TradeClosed) => void): () => void {
    this.closedListeners.add(listener);
    return () => this.closedListeners.delete(listener);
  }

  /** Performs one intent of a trade actor. */
  perform(intent: TradeEmitted, host: ActorHost): void {
    const { ctx, execution } = this.deps;
    const answer = (p: Promise<ExecutionEvent | undefined>): void =>
      ctx.track(p.then((e) => {
        if (e !== undefined) host.send(e);
      }));
    switch (intent.type) {
      case 'order.submit':
        this.submit(intent, host, answer);
        return;
      case 'order.cancel':
        answer(execution.cancel(intent.symbol, intent.clientOrderId));
        return;
      case 'order.query':
        // A failed query answers nothing: the chart's own query timer asks again.
        answer(execution.query(intent.symbol, intent.clientOrderId));
        return;
      case 'protection.set':
        ctx.logger.info({ symbol: intent.symbol, trigger: ctx.settings.triggerSource, tp: intent.takeProfit, sl: intent.stopLoss }, 'protection_request');
        // S0-12: in hedge mode every TP/SL names its leg (the position's from its side, the hedge's its own).
        answer(execution.protect({
          symbol: intent.symbol, takeProfit: dec(intent.takeProfit), stopLoss: dec(intent.stopLoss), trigger: ctx.settings.triggerSource,
          ...(this.deps.hedgeMode === true ? { leg: intent.leg ?? (intent.side === 'buy' ? 'long' : 'short') } : {}),
        }));
        return;
      case 'leverage.set':
        // S0-9 Step 4: the venue's answer (set and read back, or not) is the chart's `venue.leverageSet`.
        answer(execution.ladderLeverage(intent.symbol, dec(intent.leverage), intent.intentId, intent.step));
        return;
      case 'notify':
        this.notify(intent, host);
        return;
      case 'position.closed': {
        this.deps.stats.recordTrade(intent);
        ctx.journal.append(host.actorId, 'TRADE_CLOSED', intent);
        this.deps.state.startCooldown(intent.symbol, intent.reason === 'stopLoss' ? 'stop' : 'fill', ctx.now());
        this.deps.approvals.release(intent.intentId);
        // Last, once the cooldown runs: a listener (the signals' re-entry, S0-14) only schedules work of its own.
        for (const listener of this.closedListeners) listener(intent);
        return;
      }
      case 'timer.set':
      case 'timer.clear':
        return;
    }
  }

  private submit(intent: Submit, host: ActorHost, answer: (p: Promise<ExecutionEvent | undefined>) => void): void {
    const { ctx, execution } = this.deps;
    // Never an order of nothing (the chart sends none; a bad intent is refused locally, not thrown into recovery).
    if (!dec(intent.quantity).gt(0)) {
      ctx.logger.error({ intent }, 'order_without_quantity');
      host.send({ type: 'venue.rejected', clientOrderId: intent.clientOrderId, code: 'no_quantity', category: 'other', at: ctx.now() });
      return;
    }
    const approval = intent.reduceOnly ? this.approveExit(intent, host)
      : intent.ladder !== undefined ? this.approveAddOn(intent, intent.ladder, host)
        : intent.role === 'hedge' ? this.approveHedge(intent, host) : this.deps.approvals.get(intent.intentId);
    if (approval === undefined) {
      ctx.logger.error({ intent }, 'order_without_approval');
      host.send({ type: 'venue.rejected', clientOrderId: intent.clientOrderId, code: 'no_approval', category: 'other', at: ctx.now() });
      return;
    }
    const request = {
      clientOrderId: intent.clientOrderId, symbol: intent.symbol, side: intent.side, type: intent.orderType, quantity: dec(intent.quantity),
      price: intent.price === undefined ? undefined : dec(intent.price), timeInForce: intent.timeInForce,
      reduceOnly: intent.reduceOnly && this.deps.capabilities.reduceOnly, closeOnTrigger: intent.reduceOnly && this.deps.capabilities.reduceOnly,
      // S0-12: in hedge mode every order names its leg: the hedge's its own, the position's from its side and reduce-only.
      ...(this.deps.hedgeMode === true ? { leg: intent.leg ?? legOfOrder(intent.side, intent.reduceOnly) } : {}),
    } as const;
    logCritical(ctx.logger, criticalEvent({ event: 'order_request', profile: ctx.settings.profile, mode: ctx.settings.mode }, {
      venue: ctx.venueId, strategy_name: approval.strategyId, signal_id: approval.proposalId, client_order_id: intent.clientOrderId,
      symbol: intent.symbol, side: intent.side, qty: intent.quantity, price: intent.price ?? null,
      // The leverage the order goes out at: an entry's own (set at the venue before it is sent), else the venue's for the symbol.
      leverage: (intent.role === 'entry' && approval.perTradeLeverage ? approval.leverage : this.deps.leverageOf(intent.symbol))?.toString() ?? null,
    }));
    this.deps.stats.ordersSent += 1;
    answer(execution.submit(approval, request, { intentId: intent.intentId, role: intent.role }));
  }

  // A follow-on order of the actor's position (an exit, a ladder add-on, a hedge), as the RiskEngine approves it: the
  // intent's strategy, and the market's price for the record (an exit may be a market order).
  private followOn(intent: Submit, fallbackStrategy: string): ExitRequest {
    const reference = this.deps.referencePrice(intent.symbol) ?? dec(intent.price ?? '0');
    return {
      intentId: intent.intentId, clientOrderId: intent.clientOrderId, strategyId: this.deps.approvals.get(intent.intentId)?.strategyId ?? fallbackStrategy,
      symbol: intent.symbol, side: intent.side, quantity: dec(intent.quantity), referencePrice: reference.gt(0) ? reference : dec(1),
    };
  }

  // Journals a follow-on decision as every decision is; a veto (or a dry run) is the chart's local rejection of the order.
  private decided(decision: RiskDecision, intent: Submit, host: ActorHost): ApprovedOrder | undefined {
    const { ctx } = this.deps;
    if (decision.kind === 'veto') {
      ctx.journal.append(`risk:${intent.symbol}`, RISK_DECISION, { proposalId: decision.proposalId, ...decisionRecord(decision) });
      return undefined;
    }
    ctx.journal.append(`risk:${intent.symbol}`, RISK_DECISION, { proposalId: decision.order.proposalId, ...approvalRecord(decision), actor: host.actorId });
    return decision.dryRun ? undefined : decision.order;
  }

  // A reduce-only exit or flatten of the actor's position: its own approval, journaled as every decision is.
  private approveExit(intent: Submit, host: ActorHost): ApprovedOrder {
    const { ctx, risk } = this.deps;
    const decision = risk.approveExit(this.followOn(intent, 'exit'), ctx.now());
    ctx.journal.append(`risk:${intent.symbol}`, RISK_DECISION, { proposalId: decision.order.proposalId, ...approvalRecord(decision), actor: host.actorId });
    return decision.order;
  }

  // S0-12: the hedge leg's opening order gets its own approval.
  private approveHedge(intent: Submit, host: ActorHost): ApprovedOrder | undefined {
    return this.decided(this.deps.risk.approveHedge(this.followOn(intent, 'hedge'), this.deps.ctx.now()), intent, host);
  }

  // S0-12: the hedge leg opened (filled and protected), closed or failed, journaled after the actor's transition; HEDGE comes from it.
  private hedgeStep(kind: 'hedgeOpened' | 'hedgeClosed' | 'hedgeFailed', message: string, host: ActorHost): void {
    const c = host.snapshot().context;
    const h = hedgeOf(c);
    if (c.intent === null) return;
    const action = kind === 'hedgeOpened' ? 'on' : kind === 'hedgeClosed' ? 'off' : 'refused';
    this.deps.ctx.journal.append(`hedge:${host.symbol}`, 'HEDGE_STEP', {
      symbol: host.symbol, intentId: c.intent.intentId, action, oep: c.openingPrice ?? '0', quantity: h.entry.filledQuantity === '0' ? h.quantity : h.entry.filledQuantity,
      takeProfit: h.takeProfit, stopLoss: h.stopLoss, ...(action === 'off' ? { pnl: hedgePnl(c) } : {}), ...(action === 'refused' ? { reason: h.why ?? message } : {}),
    });
  }

  // S0-9: the step the actor just reached (or stopped at), journaled after its transition; PYRAMID_STEP comes from it.
  private ladderStep(kind: 'pyramidStep' | 'ladderBlocked', host: ActorHost): void {
    const { ctx } = this.deps;
    const c = host.snapshot().context;
    const ladder = ladderOf(c);
    const last = ladder.last;
    if (c.intent === null || last === null) return;
    ctx.journal.append(`ladder:${host.symbol}`, 'LADDER_STEP', {
      symbol: host.symbol, intentId: c.intent.intentId, step: last.step, result: last.result, oep: c.openingPrice ?? '0',
      quantity: openQuantity(c), leverage: ladder.leverage ?? c.intent.ladder?.leverage ?? null, ...(last.why === undefined ? {} : { reason: last.why }),
    });
    if (kind === 'ladderBlocked') ctx.alerts?.raise({ key: `ladder_blocked:${host.symbol}`, severity: 'WARN', message: `${host.symbol} pyramid ladder stopped at Step ${String(last.step)}: ${last.why ?? 'blocked'}` });
  }

  // S0-9: an add-on of the actor's position gets its own approval; a veto stops the ladder.
  private approveAddOn(intent: Submit, ladder: NonNullable<Submit['ladder']>, host: ActorHost): ApprovedOrder | undefined {
    const request = { ...this.followOn(intent, 'ladder'), step: ladder.step, leverage: dec(ladder.leverage), maxLeverage: dec(ladder.maxLeverage) };
    return this.decided(this.deps.risk.approveAddOn(request, this.deps.ctx.now()), intent, host);
  }

  private notify(intent: Extract<TradeEmitted, { type: 'notify' }>, host: ActorHost): void {
    const { ctx } = this.deps;
    ctx.logger[intent.severity === 'critical' ? 'error' : intent.severity === 'warning' ? 'warn' : 'info']({ symbol: host.symbol, kind: intent.kind }, intent.message);
    if (intent.kind === 'positionUnprotected') {
      // X-ORD-6: the chart closes the remainder a partial venue-side stop left; the operator hears of it.
      const q = host.snapshot().context;
      ctx.journal.append(`protection:${host.symbol}`, 'POSITION_UNPROTECTED', { symbol: host.symbol, intentId: q.intent?.intentId ?? null, action: 'close' });
      ctx.alerts?.raise({ key: `position_unprotected:${host.symbol}`, severity: 'CRITICAL', message: `${host.symbol} position left without TP/SL by a partial stop fill; closing it` });
      return;
    }
    if (intent.kind === 'pyramidStep' || intent.kind === 'ladderBlocked') {
      this.ladderStep(intent.kind, host);
      return;
    }
    if (intent.kind === 'hedgeOpened' || intent.kind === 'hedgeClosed' || intent.kind === 'hedgeFailed') this.hedgeStep(intent.kind, intent.message, host);
    if (intent.severity === 'critical' && intent.kind !== 'halted') {
      ctx.alerts?.raise({ key: `${intent.kind}:${host.symbol}`, severity: 'CRITICAL', message: `${host.symbol}: ${intent.message}` });
      this.deps.recordCriticalError(`${intent.kind} on ${host.symbol}`);
    }
  }
}
