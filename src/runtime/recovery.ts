/**
 * Start-up recovery (DESIGN §4, X-REC-1..6): with the trading gate still closed, brings every restored trade actor
 * into agreement with the venue — missed fills by trade id, the venue status of every live order by client order id,
 * positions closed by TP/SL while the process was down, protection lost or never placed — then runs the journal-level
 * reconcile (orphans, unsettled rows of earlier cycles, foreign positions) and checks the result. It places no entry
 * (a position whose TP/SL the venue refuses is closed reduce-only by its actor, as while trading); it never infers
 * "flat" or "not found" from a failed venue call (that throws `ReconcileError`).
 */
import { Effect, Either } from 'effect';
import { withoutProtective, withVenueProtection } from '../execution/venueProtection.ts';
import { clientOrderIdPrefix } from '../domain/clientOrderId.ts';
import type { ExecutionEvent } from '../domain/events.ts';
import { dec } from '../domain/money.ts';
import type { Fill, Position, ProtectionRequest, TriggerSource, VenueOrder } from '../domain/orders.ts';
import { heldLevels } from '../../machines/trade/stopManagement.ts';
import { liveOrderIds, openQuantity } from '../../machines/trade/tradeLogic.ts';
import { hasPartialEntry, isAtRest, isIdle, isProtecting, isTransient } from '../../machines/trade/tradeQueries.ts';
import { ladderLeverageRecoveryEvents, orderRecoveryEvents, positionRecoveryEvents, positionReplaced } from '../../machines/trade/reconcileActor.ts';
import type { TradeContext } from '../../machines/trade/tradeTypes.ts';
import { reconcile, ReconcileError, type ReconcileResult } from '../execution/Reconciler.ts';
import type { JournalEventType } from '../journal/events.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { isRetryable, type Venue, type VenueError } from '../venues/Venue.ts';
import type { ActorHost } from './ActorHost.ts';
import { ADOPTED_BLOCK_PREFIX } from './AccountEventRouter.ts';
import { protectAdopted, type AdoptionPolicy } from './adoption.ts';
import { recoverHedge } from './hedgeRecovery.ts';
import { onLegOf, ownPosition } from './positionLegs.ts';
import { actorVenueMismatches, actorViewOf, venueViewOf } from './consistency.ts';

/** The journal stream and event types written by recovery. */
export const RECOVERY_STREAM = 'recovery';
export const RECOVERY_REPORT = 'RECOVERY_REPORT' satisfies JournalEventType;
export const RECOVERY_REPROTECTED = 'RECOVERY_REPROTECTED' satisfies JournalEventType;
export const RECOVERY_POSITION_ADOPTED = 'RECOVERY_POSITION_ADOPTED' satisfies JournalEventType;

/** What recovery needs from the runtime (the runtime implements it; tests may drive it directly). */
export interface RecoveryPort {
  readonly venue: Venue;
  readonly journal: Journal;
  readonly logger: Logger;
  readonly botId: string;
  readonly symbols: ReadonlyArray<string>;
  readonly triggerSource: TriggerSource;
  now(): number;
  host(symbol: string): ActorHost | undefined;
  /** Delivers a fill as the private stream would (journaled once per trade id, routed to the actor). */
  deliverFill(fill: Fill): void;
  /** Journals an order's venue status in the orders projection (the ExecutionEngine writes it). */
  recordOrder(order: VenueOrder): void;
  /** Places TP/SL through the execution path (journaled) and returns the venue event. */
  protect(request: ProtectionRequest): Promise<ExecutionEvent>;
  /** Resolves when no venue request started by the actors is in flight. */
  idle(): Promise<void>;
  /** Foreign positions: adopt (protect and block entries) or report only. */
  readonly foreignPositions: 'adopt' | 'report';
  /** How an adopted position that lacks TP or SL is protected (levels from its entry, or its mark when refused). */
  readonly adoption: AdoptionPolicy;
  /** Blocks new entries on a symbol (adopted position, or a disagreement recovery could not resolve). */
  block(symbol: string, reason: string): void;
}

/** What recovery did and found; journaled as RECOVERY_REPORT and logged. */
export interface RecoveryReport {
  readonly durationMs: number;
  readonly actions: ReadonlyArray<string>;
  /** Disagreements left after recovery (per symbol); the symbol is blocked for entries when non-empty. */
  readonly mismatches: Readonly<Record<string, ReadonlyArray<string>>>;
  readonly states: Readonly<Record<string, string>>;
  readonly reconcile: Pick<ReconcileResult, 'applied' | 'skipped' | 'failed' | 'unresolved'> & { readonly differences: number };
  readonly adopted: ReadonlyArray<string>;
}

/** Read attempts per venue call before recovery gives up on it (reads are idempotent; each retry is signed afresh). */
const READ_ATTEMPTS = 5;

/** A read failure that another attempt may not see: rate limits, timeouts, transport and server errors, a stale signature. */
const transientRead = (e: VenueError): boolean => isRetryable(e) || e.reason.kind === 'clock_skew';

const fetchOrThrow = async <A>(step: string, symbol: string | undefined, eff: Effect.Effect<A, VenueError>): Promise<A> => {
  for (let attempt = 1; ; attempt++) {
    const r = await Effect.runPromise(Effect.either(eff));
    if (Either.isRight(r)) return r.right;
    if (!transientRead(r.left) || attempt >= READ_ATTEMPTS) throw new ReconcileError({ step, symbol, cause: r.left });
    // Yield to the event loop before asking again (the adapter paces rate-limited calls itself).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
};

// The actor's own position (in hedge mode, the leg of its side: S0-12).
const openPosition = (positions: ReadonlyArray<Position>, symbol: string, host?: ActorHost): Position | undefined => ownPosition(positions, symbol, host?.snapshot());

/** TP/SL of the actor's position as the chart holds them: from its OEP, the stop as break-even or the trailer moved it. */
export const actorProtection = (c: TradeContext, trigger: TriggerSource): ProtectionRequest | undefined => {
  const p = heldLevels(c);
  return p === undefined ? undefined : { symbol: c.symbol, takeProfit: dec(p.takeProfit), stopLoss: dec(p.stopLoss), trigger };
};

/** Recovers one symbol's actor; appends the actions taken. */
const recoverSymbol = async (port: RecoveryPort, symbol: string, actions: string[]): Promise<void> => {
  const host = port.host(symbol);
  if (host === undefined) throw new Error(`recovery: no actor for ${symbol}`);
  const live = liveOrderIds(host.snapshot().context);
  // Rounds: fills first (a fill can complete what a status alone would close empty), then statuses, then the position;
  // an actor moved to `querying` or `cancelling` asks the venue itself through the execution path, so look again.
  for (let round = 0; round < 6; round++) {
    const ids = liveOrderIds(host.snapshot().context);
    // Fills of every order of the cycle, settled ones too: a query may have closed an order whose fills the actor
    // never saw (filled while the process was down); the trade-id check keeps each fill to one delivery.
    if (host.snapshot().context.orderIds.length > 0) for (const a of await deliverMissedFills(port, symbol, host)) actions.push(a);
    for (const id of ids.length > 0 ? liveOrderIds(host.snapshot().context) : []) {
      const order = await fetchOrThrow('orderByClientId', symbol, port.venue.orderByClientId(symbol, id));
      const before = host.snapshot();
      // The venue's status reaches the journal's projection as the stream's would; the chart decides what it means.
      if (order !== undefined) port.recordOrder(order);
      for (const e of orderRecoveryEvents(before, id, order, port.now())) host.send(e);
      if (order === undefined || round === 0 || host.snapshot().value !== before.value) {
        actions.push(`${symbol}: ${id} ${order === undefined ? 'unknown to the venue' : `is ${order.status} at the venue`} (${host.state()})`);
      }
    }
    if (ids.length > 0) await port.idle();
    // S0-9: a ladder leverage set in flight at the crash: the venue's position says whether it took.
    const ladderLeverage = ladderLeverageRecoveryEvents(host.snapshot(), undefined, port.now()).length > 0
      ? ladderLeverageRecoveryEvents(host.snapshot(), openPosition(await fetchOrThrow('positions', symbol, port.venue.positions(symbol)), symbol, host), port.now())
      : [];
    for (const e of ladderLeverage) {
      actions.push(`${symbol}: ladder leverage x${e.type === 'venue.leverageSet' ? e.leverage : ''} ${e.type === 'venue.leverageSet' && e.ok ? 'confirmed by the venue\'s position' : 'not confirmed at restart'}`);
      host.send(e);
      await port.idle();
    }
    await settlePosition(port, symbol, host, actions);
    await recoverHedge(port, symbol, host, actions, (s) => fetchOrThrow('positions', symbol, port.venue.positions(s)));
    await port.idle();
    if (liveOrderIds(host.snapshot().context).length === 0 && !isTransient(host.snapshot())) break;
    if (round === 0 && ids.length === 0 && isIdle(host.snapshot())) break;
  }
  if (live.length === 0) actions.push(`${symbol}: no live orders at restart (${host.state()})`);
};

/**
 * Fetches the venue's executions of the actor's current cycle (since its oldest order, minus a minute) and delivers
 * every fill the actor has not seen (by trade id). Returns one line per fill delivered. Throws ReconcileError when
 * the executions cannot be read.
 */
export const deliverMissedFills = async (
  port: Pick<RecoveryPort, 'venue' | 'journal' | 'now' | 'deliverFill'>, symbol: string, host: ActorHost,
): Promise<string[]> => {
  const ctx = host.snapshot().context;
  if (ctx.orderIds.length === 0) return [];
  const rows = ctx.orderIds.map((id) => port.journal.getOrder(id)).filter((r) => r !== undefined);
  const since = Math.min(...rows.map((r) => r.createdTs), port.now()) - 60_000;
  const fills = await fetchOrThrow('executions', symbol, port.venue.executionsSince(since, symbol));
  const seen = new Set(ctx.seenTradeIds);
  const out: string[] = [];
  for (const f of [...fills].sort((a, b) => a.ts - b.ts)) {
    if (!ctx.orderIds.includes(f.clientOrderId) || seen.has(f.tradeId)) continue;
    seen.add(f.tradeId);
    port.deliverFill(f);
    out.push(`${symbol}: missed fill ${f.tradeId} of ${f.clientOrderId} (${f.quantity.toString()} @ ${f.price.toString()}) applied`);
  }
  return out;
};

/** Brings the actor's view of the position in line with the venue's (events decided by the chart's reconcileActor). */
const settlePosition = async (port: RecoveryPort, symbol: string, host: ActorHost, actions: string[]): Promise<void> => {
  const { venue, journal } = port;
  // The venue's protection in whatever form it keeps it: a conditional-order venue's TP/SL count as attached here.
  const { position: p } = await fetchOrThrow('protection', symbol, withVenueProtection(venue, symbol, openPosition(await fetchOrThrow('positions', symbol, venue.positions(symbol)), symbol, host)));
  const before = host.snapshot();
  const ctx = before.context;
  // The venue's own fills since the cycle began (a TP/SL that closed it while we were away): fees belong to the trade.
  let external: Fill[] = [];
  // Also when the venue holds less than a partly filled entry: its stop may have closed part of it (X-ORD-6).
  const shrunk = p !== undefined && hasPartialEntry(before) && p.quantity.lt(dec(openQuantity(ctx)));
  if ((p === undefined || shrunk) && ctx.orderIds.length > 0) {
    const since = Math.min(...ctx.orderIds.map((id) => journal.getOrder(id)?.createdTs ?? port.now())) - 60_000;
    // Closing the position trades against its side (a hedge leg's close, S0-12, trades with it and is the hedge's).
    external = (await fetchOrThrow('executions', symbol, venue.executionsSince(since, symbol))).filter((f) => !ctx.orderIds.includes(f.clientOrderId) && !ctx.seenTradeIds.includes(f.tradeId) && f.side !== ctx.intent?.side);
  }
  const { events, action } = positionRecoveryEvents(before, p, external, port.now());
  for (const e of events) host.send(e);
  if (events.length > 0) actions.push(`${symbol}: ${events.map((e) => e.type).join(', ')} (${host.state()})`);
  if (action === 'none') return;
  const own = actorProtection(ctx, port.triggerSource);
  if (own === undefined) return;
  // S0-12: in hedge mode the position's TP/SL go on its own leg.
  const request = onLegOf(own, p);
  const result = await port.protect(request);
  journal.append(RECOVERY_STREAM, RECOVERY_REPROTECTED, { symbol, state: host.state(), takeProfit: request.takeProfit, stopLoss: request.stopLoss, outcome: result.type });
  if (action === 'protect_partial_entry') {
    actions.push(`${symbol}: partly filled entry protected (${result.type})`);
    // The market is already past its levels: stop adding to it; the actor protects or closes what is filled.
    if (result.type === 'venue.protectionFailed') {
      host.send({ type: 'command.cancelEntry', at: port.now() });
      actions.push(`${symbol}: protection refused for a partly filled entry; entry remainder cancelled`);
    }
    return;
  }
  // The chart hears the outcome when it is waiting for one (protecting) or when it failed (it retries or flattens).
  if (isProtecting(before) || result.type === 'venue.protectionFailed') host.send(result);
  actions.push(`${symbol}: TP/SL re-attached (${result.type}; ${host.state()})`);
};

/**
 * Runs recovery for every symbol, then the journal-level reconcile, then checks actors against the venue with
 * `settled: true`. Throws ReconcileError when the venue cannot be read (the caller keeps the gate closed and retries).
 */
export const recoverAtStartup = async (port: RecoveryPort): Promise<RecoveryReport> => {
  const started = port.now();
  const actions: string[] = [];
  for (const symbol of port.symbols) await recoverSymbol(port, symbol, actions);
  await port.idle();

  // Orphans, unsettled rows of earlier cycles and foreign positions: the journal-level reconcile (no actor involved).
  const rec = await reconcile({ venue: port.venue, journal: port.journal, botId: port.botId, symbols: port.symbols, protectionFor: () => undefined }, { apply: true });

  const prefix = clientOrderIdPrefix(port.botId);
  const mismatches: Record<string, ReadonlyArray<string>> = {};
  const states: Record<string, string> = {};
  const adopted: string[] = [];
  for (const symbol of port.symbols) {
    const host = port.host(symbol)!;
    const positions = await fetchOrThrow('positions', symbol, port.venue.positions(symbol));
    // The venue's protection in whatever form it keeps it (on the position, or as conditional orders we own).
    let guarded = await fetchOrThrow('protection', symbol, withVenueProtection(port.venue, symbol, openPosition(positions, symbol, host)));
    let p = guarded.position;
    if (positionReplaced(host.snapshot(), p)) {
      // The venue's position is not the one the actor opened (while the process was down its TP/SL closed the filled
      // part of an entry and the rest filled afterwards, or it was changed by hand). The actor's cycle ends here
      // (external) and the position is handled like a foreign one: adopted and protected, entries blocked until flat.
      actions.push(`${symbol}: venue holds ${p?.side ?? ''} ${p?.quantity.toString() ?? ''}, not the actor's position: cycle closed, position adopted`);
      host.send({ type: 'recovery.positionReplaced', at: port.now() });
      await port.idle();
    }
    const view = actorViewOf(host.snapshot());
    if (p !== undefined && isAtRest(host.snapshot())) {
      if (port.foreignPositions === 'adopt') {
        if (p.takeProfit === undefined || p.stopLoss === undefined) {
          const { result, from } = await protectAdopted(p, port.adoption, (r) => port.protect(r));
          actions.push(`${symbol}: adopted ${p.side} ${p.quantity.toString()} and protected it (${result.type}, levels from its ${from})`);
          guarded = await fetchOrThrow('protection', symbol, withVenueProtection(port.venue, symbol, openPosition(await fetchOrThrow('positions', symbol, port.venue.positions(symbol)), symbol, host)));
          p = guarded.position;
        } else actions.push(`${symbol}: adopted ${p?.side ?? ''} ${p?.quantity.toString() ?? ''} (already protected)`);
        port.journal.append(RECOVERY_STREAM, RECOVERY_POSITION_ADOPTED, { symbol, side: p?.side ?? null, quantity: p?.quantity ?? null });
        port.block(symbol, `${ADOPTED_BLOCK_PREFIX}: entries blocked until it is flat`);
        adopted.push(symbol);
      } else {
        port.block(symbol, 'foreign position reported: entries blocked until an operator settles it');
      }
    }
    // Protective orders belong to the position: never strays, never an actor's orders.
    const unprotective = (orders: ReadonlyArray<VenueOrder>): ReadonlyArray<VenueOrder> => withoutProtective(orders, guarded.protectiveOrderIds);
    let open = unprotective(await fetchOrThrow('openOrders', symbol, port.venue.openOrders(symbol)));
    // An open order of ours that no actor owns (journaled, but its actor settled it as not found, or an earlier cycle's):
    // nothing would ever manage it, so it is withdrawn; an order the venue already closed counts as done.
    const owned = new Set(view.liveOrderIds);
    const stray = open.filter((o) => o.clientOrderId.startsWith(prefix) && !owned.has(o.clientOrderId));
    for (const o of stray) {
      const r = await Effect.runPromise(Effect.either(port.venue.cancelOrder(symbol, o.clientOrderId)));
      const done = Either.isRight(r) || r.left.reason.kind === 'not_found';
      actions.push(`${symbol}: open order ${o.clientOrderId} owned by no actor ${done ? 'cancelled' : `could not be cancelled (${Either.isLeft(r) ? r.left.message : ''})`}`);
      if (done) port.journal.append(RECOVERY_STREAM, 'RECOVERY_STRAY_CANCELLED', { symbol, clientOrderId: o.clientOrderId, venueOrderId: o.venueOrderId });
    }
    if (stray.length > 0) open = unprotective(await fetchOrThrow('openOrders', symbol, port.venue.openOrders(symbol)));
    const found = actorVenueMismatches(view, venueViewOf(open, p, prefix), { settled: true, adopted: adopted.includes(symbol) });
    states[symbol] = view.state;
    if (found.length > 0) {
      mismatches[symbol] = found;
      port.block(symbol, `recovery left disagreements: ${found.join('; ')}`);
    }
  }
  const report: RecoveryReport = {
    durationMs: port.now() - started, actions, mismatches, states, adopted,
    reconcile: { differences: rec.differences.length, applied: rec.applied, skipped: rec.skipped, failed: rec.failed, unresolved: rec.unresolved },
  };
  port.journal.append(RECOVERY_STREAM, RECOVERY_REPORT, { ...report });
  const log = Object.keys(mismatches).length === 0 ? port.logger.info.bind(port.logger) : port.logger.error.bind(port.logger);
  log({ event: 'recovery', ...report }, 'recovery_finished');
  return report;
};
