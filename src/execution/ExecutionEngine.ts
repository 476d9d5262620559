/**
 * The ExecutionEngine: the only path from the runtime to a venue (DESIGN §1) and the only writer of the orders
 * projection. It accepts an order only together with the RiskEngine's `ApprovedOrder` for it, commits the write-ahead
 * ORDER_REQUESTED before the request leaves the process, retries only what is provably unprocessed (rate limits), and
 * turns every outcome into the venue event the trade chart expects — an unknown outcome (timeout, transport, 5xx) is
 * `venue.unknown`, never a rejection. Fills and order updates from the account stream are journaled here too.
 */
import { Effect, Either, Random } from 'effect';
import { isEntryPartId } from '../domain/clientOrderId.ts';
import type { Decimal } from '../domain/money.ts';
import type { ExecutionEvent } from '../domain/events.ts';
import type { Fill, OrderAck, OrderRequest, ProtectionRequest, VenueOrder } from '../domain/orders.ts';
import type { Logger } from '../kernel/logger.ts';
import { fullJitter, type RetryPolicy } from '../kernel/retry.ts';
import type { Clock } from '../kernel/Clock.ts';
import { noCrashPoints, type CrashPoint } from '../kernel/crashPoints.ts';
import { noTelemetry, type Telemetry } from '../kernel/telemetry.ts';
import type { Journal, OrderUpdateInput } from '../journal/Journal.ts';
import { isApprovedOrder, type ApprovedOrder } from '../risk/RiskEngine.ts';
import type { Venue, VenueError } from '../venues/Venue.ts';
import { withoutProtective, withVenueProtection } from './venueProtection.ts';
import { VenueLeverage, type LeverageOutcome } from './VenueLeverage.ts';

/** The venue events the engine answers with (the domain's order vocabulary, shared with the trade chart). */
export type { ExecutionEvent } from '../domain/events.ts';

/** Why the engine refused to send an order at all (a programming or safety error, not a venue outcome). */
export class ExecutionRefused extends Error {
  override readonly name = 'ExecutionRefused';
}

/** Dependencies of the engine. */
export interface ExecutionDeps {
  readonly venue: Venue;
  readonly journal: Journal;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  /** Seed of the retry jitter. */
  readonly seed: number;
  /**
   * Whether an order may be sent: false in DRY_RUN and, for entries, while the trading gate is closed. A reduce-only
   * order may pass a closed gate only while start-up recovery closes a position it cannot protect.
   */
  readonly gateOpen: (reduceOnly: boolean) => boolean;
  /**
   * The account's leverage (`venues.*.leverage`): an entry whose approval carries no leverage of its own goes out at it
   * (checked like a trade's own, S0-4). Undefined where the venue has none, or to leave leverage alone.
   */
  readonly accountLeverage?: Decimal | undefined;
  /** Called after each venue request with its latency (metrics). */
  readonly onRequest?: ((operation: string, latencyMs: number, outcome: string) => void) | undefined;
  /** Restart-drill hook at `<role>.requested`, `<role>.sent` and `protect.sent` (no-op in production). */
  readonly crashPoint?: CrashPoint | undefined;
  /** Told when an order leaves, is acknowledged, fails, fills or closes (the latency telemetry, X-OBS-2). */
  readonly latency?: OrderLatency | undefined;
  /** Told each order's outcome (`orders` by `outcome`: acked, rejected, unknown, filled, cancelled, expired) and each `rejects`. */
  readonly telemetry?: Telemetry | undefined;
}

/** The moments of an order's life the latency telemetry times (place → ack, ack → fill); it reads its own clock. */
export interface OrderLatency {
  orderSent(clientOrderId: string): void;
  orderAcked(clientOrderId: string): void;
  orderFailed(clientOrderId: string): void;
  orderFilled(clientOrderId: string): void;
  orderClosed(clientOrderId: string): void;
}

const describe = (e: VenueError): string => e.message;

/** The failures a venue call is retried on (full jitter, `execution.retry*`): see `run`. */
const RATE_LIMITED: ReadonlySet<VenueError['reason']['kind']> = new Set(['rate_limited']);
// A stale signature (clock_skew) is refused before the venue acts: asking again, signed afresh, is safe too.
const TRANSIENT: ReadonlySet<VenueError['reason']['kind']> = new Set(['rate_limited', 'timeout', 'transport', 'server', 'clock_skew']);

/** The journal event of an account-stream update that closes an order. */
const CLOSED_BY_STREAM = { cancelled: 'ORDER_CANCELLED', rejected: 'ORDER_REJECTED', expired: 'ORDER_EXPIRED' } as const;

// A hedge-mode answer names the leg it is about (S0-12); a one-way one names none.
const legOf = (r: ProtectionRequest): { readonly leg?: ProtectionRequest['leg'] } => (r.leg === undefined ? {} : { leg: r.leg });

/** The execution path. */
export class ExecutionEngine {
  private readonly deps: ExecutionDeps;
  private readonly random: Random.Random;
  private readonly crashPoint: CrashPoint;
  /** Client order ids whose placeOrder request has not returned yet: a query cannot prove them absent. */
  private readonly inFlight = new Set<string>();
  private readonly leverage: VenueLeverage;

  constructor(deps: ExecutionDeps) {
    this.deps = deps;
    this.crashPoint = deps.crashPoint ?? noCrashPoints;
    this.random = Random.make(deps.seed);
    this.leverage = new VenueLeverage({ venue: deps.venue, journal: deps.journal, logger: deps.logger, run: (operation, effect) => this.run(operation, effect, 'transient') });
  }

  /**
   * Runs a venue call. Every call retries a rate limit (the venue did not act). `transient` also retries a timeout, a
   * transport error, a 5xx and a stale signature (clock_skew): only for calls whose repeat cannot do anything twice
   * (setting a leverage the venue already holds is answered "not modified").
   */
  private run<A>(operation: string, effect: Effect.Effect<A, VenueError>, retry: 'rate_limits' | 'transient'): Promise<Either.Either<A, VenueError>> {
    const started = this.deps.clock.now();
    const retryable = retry === 'transient' ? TRANSIENT : RATE_LIMITED;
    const withRetry = effect.pipe(Effect.retry({ schedule: fullJitter(this.deps.retry), while: (e) => retryable.has(e.reason.kind) }));
    return Effect.runPromise(withRetry.pipe(Effect.either, Effect.withRandom(this.random))).then((r) => {
      this.deps.onRequest?.(operation, this.deps.clock.now() - started, Either.isRight(r) ? 'ok' : r.left.reason.kind);
      return r;
    });
  }

  private static check(approval: ApprovedOrder, request: OrderRequest): void {
    if (!isApprovedOrder(approval)) throw new ExecutionRefused('an order reached the execution path without a RiskEngine approval');
    if (approval.dryRun) throw new ExecutionRefused(`DRY_RUN approval ${approval.decisionId} must not be sent`);
    if (approval.symbol !== request.symbol) throw new ExecutionRefused(`approval ${approval.decisionId} is for ${approval.symbol}, not ${request.symbol}`);
    if (!request.reduceOnly && (request.side !== approval.side || request.quantity.gt(approval.quantity))) {
      throw new ExecutionRefused(`entry ${request.clientOrderId} exceeds its approval ${approval.decisionId}`);
    }
  }

  /**
   * Sends a new order for an approved intent. Journals ORDER_REQUESTED first (write-ahead), then the ack, rejection
   * or ambiguity; returns the matching venue event.
   */
  async submit(approval: ApprovedOrder, request: OrderRequest, meta: { readonly intentId: string; readonly role: 'entry' | 'exit' | 'flatten' | 'hedge' | 'unhedge' }): Promise<ExecutionEvent> {
    ExecutionEngine.check(approval, request);
    const { journal, venue, logger } = this.deps;
    const at = (): number => this.deps.clock.now();
    if (!request.reduceOnly && this.deps.clock.now() > approval.expiresAt) {
      logger.warn({ clientOrderId: request.clientOrderId, decisionId: approval.decisionId }, 'order_blocked_approval_expired');
      return { type: 'venue.rejected', clientOrderId: request.clientOrderId, code: 'approval_expired', category: 'other', message: 'the approval expired before the order was sent', at: at() };
    }
    if (!this.deps.gateOpen(request.reduceOnly)) {
      logger.warn({ clientOrderId: request.clientOrderId, symbol: request.symbol }, 'order_blocked_gate_closed');
      return { type: 'venue.rejected', clientOrderId: request.clientOrderId, code: 'gate_closed', category: 'other', message: 'trading gate closed', at: at() };
    }
    if (journal.getOrder(request.clientOrderId) === undefined) {
      journal.recordOrderRequested({
        clientOrderId: request.clientOrderId, intentId: meta.intentId, venue: venue.id, symbol: request.symbol, side: request.side,
        quantity: request.quantity, price: request.price, orderType: request.type, timeInForce: request.timeInForce, reduceOnly: request.reduceOnly,
        role: meta.role, strategyId: approval.strategyId, details: { decisionId: approval.decisionId },
      });
    }
    // Journaled inside the decision's transaction (one commit for the decision, the actor's step and this request):
    // nothing leaves before that commit. A rollback rejects here, and the request is never sent.
    const committed = journal.whenCommitted();
    if (committed !== undefined) {
      await committed;
      // A savepoint around the request may have rolled back while its transaction committed: send only what is in the file.
      if (journal.getOrder(request.clientOrderId) === undefined) {
        logger.error({ clientOrderId: request.clientOrderId, symbol: request.symbol }, 'order_blocked_request_not_journaled');
        return { type: 'venue.rejected', clientOrderId: request.clientOrderId, code: 'not_journaled', category: 'other', message: 'the ORDER_REQUESTED entry was rolled back', at: at() };
      }
    }
    if (meta.role === 'entry') {
      const blocked = await this.entryLeverage(approval, request);
      if (blocked !== undefined) return blocked;
    }
    // Crash points keep the drill's names: a flatten is an exit there.
    const point = meta.role === 'flatten' ? 'exit' : meta.role;
    this.crashPoint(`${point}.requested`);
    // A later part of a split entry (S0-16) has points of its own: the drill's SPLIT window kills a split half done.
    const part = meta.role === 'entry' && isEntryPartId(request.clientOrderId);
    if (part) this.crashPoint('entry.part.requested');
    this.inFlight.add(request.clientOrderId);
    const { latency } = this.deps;
    latency?.orderSent(request.clientOrderId);
    let result: Either.Either<OrderAck, VenueError>;
    try {
      result = await this.run('placeOrder', venue.placeOrder(request), 'rate_limits');
    } finally {
      this.inFlight.delete(request.clientOrderId);
    }
    if (Either.isRight(result)) latency?.orderAcked(request.clientOrderId);
    else latency?.orderFailed(request.clientOrderId);
    this.crashPoint(`${point}.sent`);
    if (part) this.crashPoint('entry.part.sent');
    const telemetry = this.deps.telemetry ?? noTelemetry;
    if (Either.isRight(result)) {
      telemetry.count('orders', 1, { outcome: 'acked' });
      this.recordUpdate({ clientOrderId: request.clientOrderId, type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: result.right.venueOrderId });
      return { type: 'venue.accepted', clientOrderId: request.clientOrderId, venueOrderId: result.right.venueOrderId, at: at() };
    }
    const e = result.left;
    if (e.reason.kind === 'rejected' && e.reason.category !== 'duplicate_client_id') {
      telemetry.count('orders', 1, { outcome: 'rejected' });
      telemetry.count('rejects');
      this.recordUpdate({
        clientOrderId: request.clientOrderId, type: 'ORDER_REJECTED', state: 'rejected', payload: { code: e.reason.code, category: e.reason.category, message: e.reason.message },
      });
      return { type: 'venue.rejected', clientOrderId: request.clientOrderId, code: e.reason.code, category: e.reason.category, message: e.reason.message, at: at() };
    }
    // Timeout, transport, 5xx, exhausted rate-limit retries, or "duplicate client id" (the order exists): unknown.
    telemetry.count('orders', 1, { outcome: 'unknown' });
    this.recordUpdate({ clientOrderId: request.clientOrderId, type: 'ORDER_AMBIGUOUS', state: 'ambiguous', payload: { reason: describe(e) } });
    logger.warn({ clientOrderId: request.clientOrderId, reason: describe(e) }, 'order_outcome_unknown');
    return { type: 'venue.unknown', clientOrderId: request.clientOrderId, reason: describe(e), at: at() };
  }

  /** Requests a cancel; the cancellation itself arrives on the account stream. Returns an event only when refused. */
  async cancel(symbol: string, clientOrderId: string): Promise<ExecutionEvent | undefined> {
    const result = await this.run('cancelOrder', this.deps.venue.cancelOrder(symbol, clientOrderId), 'rate_limits');
    if (Either.isRight(result)) return undefined;
    const e = result.left;
    const code = e.reason.kind === 'rejected' || e.reason.kind === 'not_found' ? e.reason.code : e.reason.kind;
    return { type: 'venue.cancelRejected', clientOrderId, code, at: this.deps.clock.now() };
  }

  /**
   * Cancels every working order of a symbol (kill switch) and keeps the position protected: where TP/SL are attached
   * to the position one cancel-all does it; where they are orders of their own (conditional orders, an OCO pair),
   * every open order but those is cancelled one by one (`protectionOf` names them).
   */
  async cancelAll(symbol?: string): Promise<ReadonlyArray<string>> {
    const { venue } = this.deps;
    if (venue.capabilities.protectionModel === 'position_attached' || symbol === undefined) {
      const result = await this.run('cancelAll', venue.cancelAll(symbol), 'rate_limits');
      return Either.isRight(result) ? result.right : [];
    }
    const read = await this.run('openOrders', Effect.all([venue.openOrders(symbol), venue.positions(symbol)]).pipe(
      Effect.flatMap(([open, positions]) => withVenueProtection(venue, symbol, positions.find((p) => p.symbol === symbol && p.side !== 'flat' && p.quantity.gt(0))).pipe(
        Effect.map((guarded) => withoutProtective(open, guarded.protectiveOrderIds)),
      )),
    ), 'rate_limits');
    if (Either.isLeft(read)) return [];
    const cancelled: string[] = [];
    for (const o of read.right) {
      const r = await this.run('cancelOrder', venue.cancelOrder(symbol, o.clientOrderId), 'rate_limits');
      if (Either.isRight(r)) cancelled.push(o.clientOrderId);
    }
    return cancelled;
  }

  /** Asks the venue for an order by client order id; a failed query is never read as "not found". */
  async query(symbol: string, clientOrderId: string): Promise<ExecutionEvent | undefined> {
    const result = await this.run('orderByClientId', this.deps.venue.orderByClientId(symbol, clientOrderId), 'rate_limits');
    const at = this.deps.clock.now();
    if (Either.isLeft(result)) {
      this.deps.logger.warn({ clientOrderId, reason: describe(result.left) }, 'order_query_failed');
      return undefined; // the actor's query timer asks again
    }
    const o = result.right;
    if (o === undefined && this.inFlight.has(clientOrderId)) {
      // The create (or its rate-limit retry) is still on its way: "not found" proves nothing yet. No answer; the
      // chart's query timer asks again, and the create's own outcome arrives meanwhile.
      this.deps.logger.info({ clientOrderId }, 'order_query_while_create_in_flight');
      return undefined;
    }
    if (o === undefined) {
      if (this.deps.journal.getOrder(clientOrderId) !== undefined) this.recordUpdate({ clientOrderId, type: 'ORDER_NOT_FOUND', state: 'rejected' });
      return { type: 'venue.queryResult', clientOrderId, found: false, at };
    }
    if (this.deps.journal.getOrder(clientOrderId) !== undefined) {
      // The venue's filled quantity stays out of the event and the projection: the projection adds fills by trade id (recordFill).
      this.recordUpdate({ clientOrderId, type: 'ORDER_QUERIED', state: o.status, venueOrderId: o.venueOrderId });
    }
    return {
      type: 'venue.queryResult', clientOrderId, found: true, status: o.status, filledQuantity: o.filledQuantity.toString(),
      averagePrice: o.averageFillPrice?.toString(), at,
    };
  }

  /** Places venue-side TP/SL for a position (idempotent: it sets, not adds). */
  async protect(request: ProtectionRequest): Promise<ExecutionEvent> {
    this.deps.journal.append(`protection:${request.symbol}`, 'PROTECTION_REQUESTED', request);
    const result = await this.run('setProtection', this.deps.venue.setProtection(request), 'rate_limits');
    const at = this.deps.clock.now();
    if (Either.isRight(result)) {
      this.crashPoint('protect.sent');
      this.deps.journal.append(`protection:${request.symbol}`, 'PROTECTION_SET', request);
      return { type: 'venue.protectionSet', ...legOf(request), at };
    }
    const e = result.left;
    this.deps.journal.append(`protection:${request.symbol}`, 'PROTECTION_FAILED', { ...request, reason: describe(e) });
    return { type: 'venue.protectionFailed', ...legOf(request), code: e.reason.kind, message: describe(e), at };
  }

  /** Sets the account's leverage on a symbol before trading it (journaled LEVERAGE_SET). */
  setLeverage(symbol: string, leverage: Decimal): Promise<LeverageOutcome> {
    return this.leverage.set(symbol, leverage, { purpose: 'account' }, false);
  }

  /**
   * S0-9 Step 4: sets a position's leverage for a ladder step and reads it back (journaled LEVERAGE_SET, purpose
   * `ladder`); answers the chart's `venue.leverageSet`. Not confirmed (refused, unanswered within the venue call's
   * timeout, another leverage read back): `ok: false`, and the ladder stops there.
   */
  async ladderLeverage(symbol: string, leverage: Decimal, intentId: string, step: number): Promise<ExecutionEvent> {
    const outcome = this.deps.venue.capabilities.leverage
      ? await this.leverage.set(symbol, leverage, { purpose: 'ladder', intentId, step }, true)
      : { ok: false as const, reason: 'the venue has no leverage setting' };
    if (!outcome.ok) this.deps.logger.warn({ symbol, leverage: leverage.toString(), step, reason: outcome.reason }, 'ladder_leverage_not_set');
    return { type: 'venue.leverageSet', leverage: leverage.toString(), ok: outcome.ok, reason: outcome.ok ? undefined : outcome.reason, at: this.deps.clock.now() };
  }

  /** Returns the leverage the venue holds for a symbol as this engine last confirmed it; undefined when unknown. */
  leverageOf(symbol: string): Decimal | undefined {
    return this.leverage.of(symbol);
  }

  // S0-4: an entry goes out only at the leverage its approval carries (the trade's own, else the account's), set and
  // read back at the venue after the decision's commit and before placeOrder. A venue that does not confirm it blocks
  // the entry: a local rejection of the journaled request, which the trade chart ends the entry on. Exits never come here.
  private async entryLeverage(approval: ApprovedOrder, request: OrderRequest): Promise<ExecutionEvent | undefined> {
    const leverage = approval.perTradeLeverage ? approval.leverage : this.deps.accountLeverage;
    if (leverage === undefined || !this.deps.venue.capabilities.leverage) return undefined;
    const outcome = await this.leverage.ensure(request.symbol, leverage, request.clientOrderId, approval.perTradeLeverage);
    if (outcome.ok) return undefined;
    const message = `the venue did not confirm leverage x${leverage.toString()} for ${request.symbol}: ${outcome.reason}`;
    this.deps.logger.error({ clientOrderId: request.clientOrderId, symbol: request.symbol, leverage: leverage.toString(), reason: outcome.reason }, 'entry_blocked_leverage_not_set');
    this.recordUpdate({ clientOrderId: request.clientOrderId, type: 'ORDER_REJECTED', state: 'rejected', payload: { code: 'leverage_not_set', category: 'other', message } });
    return { type: 'venue.rejected', clientOrderId: request.clientOrderId, code: 'leverage_not_set', category: 'other', message, at: this.deps.clock.now() };
  }

  /**
   * Journals a fill of one of our orders from the account stream (or recovery) with the projection's new filled
   * quantity; returns false when the order is not in the projection.
   */
  recordFill(fill: Fill): boolean {
    const { journal } = this.deps;
    const row = journal.getOrder(fill.clientOrderId);
    if (row === undefined) return false;
    const filled = row.filledQuantity.plus(fill.quantity);
    journal.recordOrderUpdate({
      clientOrderId: fill.clientOrderId, type: 'ORDER_FILLED', state: filled.gte(row.quantity) ? 'filled' : 'partially_filled', filledQuantity: filled,
      payload: { tradeId: fill.tradeId, price: fill.price, quantity: fill.quantity, fee: fill.fee, isMaker: fill.isMaker },
    });
    this.deps.latency?.orderFilled(fill.clientOrderId);
    // Counted once, on the fill that completes the order.
    if (row.filledQuantity.lt(row.quantity) && filled.gte(row.quantity)) this.deps.telemetry?.count('orders', 1, { outcome: 'filled' });
    return true;
  }

  /** Journals an order update from the account stream when it closes the order (cancelled, rejected, expired). */
  recordOrderUpdate(order: VenueOrder): void {
    const row = this.deps.journal.getOrder(order.clientOrderId);
    const closed = order.status === 'cancelled' || order.status === 'rejected' || order.status === 'expired';
    if (row === undefined || !closed || row.state === order.status) return;
    this.deps.latency?.orderClosed(order.clientOrderId);
    this.deps.telemetry?.count('orders', 1, { outcome: order.status });
    if (order.status === 'rejected') this.deps.telemetry?.count('rejects');
    this.deps.journal.recordOrderUpdate({ clientOrderId: order.clientOrderId, type: CLOSED_BY_STREAM[order.status], state: order.status, payload: { reason: order.rejectReason ?? null } });
  }

  private recordUpdate(update: OrderUpdateInput): void {
    const { journal } = this.deps;
    const row = journal.getOrder(update.clientOrderId);
    if (row === undefined) return;
    // Stream events may already have moved the order on (a fill can beat the REST ack): never move a state backwards.
    const settled = row.state !== 'requested' && row.state !== 'ambiguous';
    const keep = settled && (update.state === 'new' || update.state === 'ambiguous');
    journal.recordOrderUpdate({ ...update, state: keep ? row.state : update.state });
  }
}
