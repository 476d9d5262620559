/**
 * Routes the account stream (orders, fills, positions, wallet) of one venue account: the ExecutionEngine journals
 * what concerns our orders, the portfolio takes positions and balances, and the owning trade actor gets one chart
 * event per update. Translation only — the chart decides what a position update means. A position update reaches the
 * actor on the next scheduler turn, with the fills no order of ours made since the previous one (a venue-side TP/SL's
 * sweep may still be filling inside the venue's own dispatch).
 */
import type { AccountEvent } from '../venues/streams.ts';
import type { Decimal } from '../domain/money.ts';
import type { Fill, Position, PositionLeg, VenueOrder } from '../domain/orders.ts';
import { criticalEvent, logCritical } from '../kernel/logger.ts';
import type { ApprovalBook } from '../execution/ApprovalBook.ts';
import type { ExecutionEngine } from '../execution/ExecutionEngine.ts';
import type { Portfolio } from '../portfolio/Portfolio.ts';
import type { TradingState } from '../risk/TradingState.ts';
import { hasPartialEntry, holdsHedge, holdsPosition } from '../../machines/trade/tradeQueries.ts';
import { fillEvent, orderUpdateEvent, positionChangedEvent } from '../../machines/trade/venueEvents.ts';
import type { ActorHost } from './ActorHost.ts';
import type { HostRegistry, RuntimeContext } from './ports.ts';
import type { RunStats } from './RunStats.ts';
import type { FillFeedback } from './StrategyFeedback.ts';

/** Prefix of the block reason recovery sets for an adopted foreign position (lifted once the position is flat). */
export const ADOPTED_BLOCK_PREFIX = 'foreign position adopted';

/** What the router is wired to. */
export interface AccountEventRouterDeps {
  readonly ctx: RuntimeContext;
  readonly hosts: HostRegistry;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly state: TradingState;
  readonly stats: RunStats;
  /** Called with every equity the settle asset's balance reports (the breakers). */
  readonly onEquity: (equity: Decimal) => void;
  /** The approvals of the actors' intents: a fill of an intent's cycle is credited to the approval's strategy. */
  readonly approvals?: ApprovalBook | undefined;
  readonly feedback?: FillFeedback | undefined;
  /** Whether the account's symbols are in hedge mode (S0-12): positions and venue-side closes per leg. */
  readonly hedgeMode?: boolean | undefined;
}

/** The key of a symbol's position updates and venue-side fills: the symbol, or `symbol:leg` in hedge mode. */
const legKey = (symbol: string, leg: PositionLeg | undefined): string => (leg === undefined ? symbol : `${symbol}:${leg}`);

/** The account-event router of one venue account. */
export class AccountEventRouter {
  private readonly deps: AccountEventRouterDeps;
  /** Fills of no order of ours, per symbol (per leg in hedge mode), waiting for the next position update. */
  private readonly external = new Map<string, Fill[]>();
  /** Symbols whose position update is due on the next scheduler turn. */
  private readonly due = new Set<string>();

  constructor(deps: AccountEventRouterDeps) {
    this.deps = deps;
  }

  /** Feeds one normalized account event. */
  onAccount(e: AccountEvent): void {
    switch (e.type) {
      case 'wallet': {
        const equity = this.deps.portfolio.applyBalances(e.balances, this.deps.ctx.now());
        if (equity !== undefined) {
          this.deps.stats.endingBalance = equity;
          this.deps.onEquity(equity);
        }
        return;
      }
      case 'position':
        this.onPosition(e.position.symbol, e.position);
        return;
      case 'execution':
        this.onFill(e.fill);
        return;
      case 'order':
        this.onOrder(e.order);
        return;
    }
  }

  private onPosition(symbol: string, position: Position): void {
    const { ctx, state, portfolio } = this.deps;
    portfolio.applyPosition(position);
    if (position.quantity.isZero()) {
      ctx.alerts?.resolve(`position_unprotected:${symbol}`);
      if (state.gates(symbol).blocked?.startsWith(ADOPTED_BLOCK_PREFIX) === true && state.unblock(symbol)) {
        ctx.journal.append(`trade:${ctx.venueId}:${symbol}`, 'SYMBOL_UNBLOCKED', { reason: 'adopted position is flat' });
        ctx.alerts?.resolve(`symbol_blocked:${symbol}`);
      }
    }
    // S0-12: in hedge mode each leg is its own update (the actor tells its position's from its hedge's).
    const key = legKey(symbol, position.leg);
    if (this.due.has(key)) return;
    this.due.add(key);
    ctx.scheduler.schedule(ctx.now(), () => this.deliverPosition(symbol, position.leg));
  }

  private deliverPosition(symbol: string, leg: PositionLeg | undefined): void {
    const key = legKey(symbol, leg);
    this.due.delete(key);
    const host = this.deps.hosts.host(symbol);
    const fills = this.external.get(key) ?? [];
    this.external.delete(key);
    if (host === undefined || host.isStopped()) return;
    const position = leg === undefined ? this.deps.portfolio.position(symbol) : this.deps.portfolio.position(symbol, leg);
    host.send(positionChangedEvent(position, fills, this.deps.ctx.now()));
  }

  /** Delivers one fill: ours go to the journal and the actor; the venue's own are kept for the next position update. */
  onFill(fill: Fill): void {
    const { ctx, hosts, execution, stats } = this.deps;
    stats.recordFill(fill);
    const host = hosts.host(fill.symbol);
    const snapshot = host?.snapshot();
    const ours = snapshot !== undefined && snapshot.context.orderIds.includes(fill.clientOrderId);
    if (!ours) {
      ctx.journal.append(`venue:${fill.symbol}`, 'VENUE_FILL', { ...fill });
      // A venue-side TP/SL, a liquidation or a manual close of the actor's position: its fees belong to the trade.
      if (snapshot !== undefined && (holdsPosition(snapshot) || hasPartialEntry(snapshot) || holdsHedge(snapshot))) {
        // In hedge mode a venue-side close of a leg sells the long leg or buys back the short one (S0-12).
        const key = this.deps.hedgeMode === true ? legKey(fill.symbol, fill.side === 'sell' ? 'long' : 'short') : fill.symbol;
        const list = this.external.get(key) ?? [];
        if (!list.some((f) => f.tradeId === fill.tradeId)) {
          list.push(fill);
          this.credit(snapshot, fill);
        }
        this.external.set(key, list);
      }
      return;
    }
    // A fill seen before (stream replay, or recovery fetching what the stream already delivered) changes nothing.
    if (snapshot.context.seenTradeIds.includes(fill.tradeId)) return;
    execution.recordFill(fill);
    this.credit(snapshot, fill);
    logCritical(ctx.logger, criticalEvent({ event: 'order_fill', profile: ctx.settings.profile, mode: ctx.settings.mode }, {
      venue: ctx.venueId, order_id: fill.venueOrderId, client_order_id: fill.clientOrderId, symbol: fill.symbol, side: fill.side,
      qty: fill.quantity.toString(), price: fill.price.toString(),
    }));
    host!.send(fillEvent(fill, ctx.now()));
  }

  /** Credits a fill of the actor's cycle (its orders, or its position's venue-side TP/SL) to the intent's strategy. */
  private credit(snapshot: ReturnType<ActorHost['snapshot']>, fill: Fill): void {
    const intentId = snapshot.context.intent?.intentId;
    const strategyId = intentId === undefined ? undefined : this.deps.approvals?.get(intentId)?.strategyId;
    if (strategyId !== undefined) this.deps.feedback?.filled(strategyId, fill);
  }

  /** Delivers one order update of one of the actor's orders. */
  onOrder(order: VenueOrder): void {
    const host = this.deps.hosts.host(order.symbol);
    if (host === undefined || !host.snapshot().context.orderIds.includes(order.clientOrderId)) return;
    this.deps.execution.recordOrderUpdate(order);
    const event = orderUpdateEvent(order, this.deps.ctx.now());
    if (event !== undefined) host.send(event);
  }
}
