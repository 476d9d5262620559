/**
 * Start-up recovery (DESIGN §4, X-REC-1..6): with the trading gate still closed, brings every restored trade actor
 * into agreement with the venue — missed fills by trade id, the venue status of every live order by client order id,
 * positions closed by TP/SL while the process was down, protection lost or never placed — then runs the journal-level
 * reconcile (orphans, unsettled rows of earlier cycles, foreign positions) and checks the result. It places no entry
 * (a position whose TP/SL the venue refuses is closed reduce-only by its actor, as while trading); it never infers
 * "flat" or "not found" from a failed venue call (that throws `ReconcileError`).
 */
import { Effect, Either } from 'effect';
import { dec, type Decimal } from '../domain/money.ts';
import type { Fill, Position, ProtectionRequest, TriggerSource, VenueOrder } from '../domain/orders.ts';
import { openQuantity, protectionPrices } from '../../machines/trade/tradeLogic.ts';
import type { TradeContext } from '../../machines/trade/tradeTypes.ts';
import type { ExecutionEvent } from '../execution/ExecutionEngine.ts';
import { reconcile, ReconcileError, type ReconcileResult } from '../execution/Reconciler.ts';
import type { Journal } from '../journal/Journal.ts';
import { clientOrderIdPrefix } from '../journal/clientOrderIds.ts';
import type { Logger } from '../kernel/logger.ts';
import { isRetryable, type Venue, type VenueError } from '../venues/Venue.ts';
import type { ActorHost } from './ActorHost.ts';
import { actorVenueMismatches, actorViewOf, closeReasonFrom, TRANSIENT_STATES, venueViewOf } from './consistency.ts';

/** The journal stream and event types written by recovery. */
export const RECOVERY_STREAM = 'recovery';
export const RECOVERY_REPORT = 'RECOVERY_REPORT';
export const RECOVERY_REPROTECTED = 'RECOVERY_REPROTECTED';
export const RECOVERY_POSITION_ADOPTED = 'RECOVERY_POSITION_ADOPTED';

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
  /** Delivers an order update as the private stream would. */
  deliverOrder(order: VenueOrder): void;
  /** Places TP/SL through the execution path (journaled) and returns the venue event. */
  protect(request: ProtectionRequest): Promise<ExecutionEvent>;
  /** Resolves when no venue request started by the actors is in flight. */
  idle(): Promise<void>;
  /** Foreign positions: adopt (protect and block entries) or report only. */
  readonly foreignPositions: 'adopt' | 'report';
  /** TP/SL fractions for an adopted position that has none. */
  readonly adoptFractions: { readonly takeProfit: Decimal; readonly stopLoss: Decimal };
  /** Tick size of a symbol (protection prices are rounded to it). */
  tickSize(symbol: string): Decimal;
  /** Notes that the venue closed the filled part of a working entry (the actor reports the close once it is opened). */
  markClosedAtVenue(symbol: string): void;
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

const liveIds = (c: TradeContext): string[] => c.orderIds.filter((id) => !c.settledOrderIds.includes(id));

const openPosition = (positions: ReadonlyArray<Position>, symbol: string): Position | undefined =>
  positions.find((p) => p.symbol === symbol && p.side !== 'flat' && p.quantity.gt(0));

/** TP/SL of the actor's position, from its OEP and the intent's fractions (what the chart itself requested). */
export const actorProtection = (c: TradeContext, trigger: TriggerSource): ProtectionRequest | undefined => {
  if (c.intent === null || c.openingPrice === null) return undefined;
  const p = protectionPrices(c.intent.side, c.openingPrice, c.intent.takeProfitFraction, c.intent.stopLossFraction, c.intent.tickSize);
  return { symbol: c.symbol, takeProfit: dec(p.takeProfit), stopLoss: dec(p.stopLoss), trigger };
};

const adoptedProtection = (p: Position, port: RecoveryPort): ProtectionRequest => {
  const side = p.side === 'long' ? 'buy' : 'sell';
  const levels = protectionPrices(side, p.entryPrice.toString(), port.adoptFractions.takeProfit.toString(), port.adoptFractions.stopLoss.toString(), port.tickSize(p.symbol).toString());
  return { symbol: p.symbol, takeProfit: p.takeProfit ?? dec(levels.takeProfit), stopLoss: p.stopLoss ?? dec(levels.stopLoss), trigger: port.triggerSource };
};

/** Recovers one symbol's actor; returns the actions taken. */
const recoverSymbol = async (port: RecoveryPort, symbol: string, actions: string[]): Promise<void> => {
  const host = port.host(symbol);
  if (host === undefined) throw new Error(`recovery: no actor for ${symbol}`);
  const { venue } = port;
  const at = (): number => port.now();
  const first = host.snapshot().context;
  const live = liveIds(first);
  // Rounds: fills first (a fill can complete what a status alone would close empty), then statuses, then the position;
  // an actor moved to `querying` or `cancelling` asks the venue itself through the execution path, so look again.
  let cancelSent = false;
  for (let round = 0; round < 6; round++) {
    const ctx = host.snapshot().context;
    const ids = liveIds(ctx);
    // Fills of every order of the cycle, settled ones too: a query may have closed an order whose fills the actor
    // never saw (filled while the process was down); the trade-id check keeps each fill to one delivery.
    if (ctx.orderIds.length > 0) {
      for (const a of await deliverMissedFills(port, symbol, host)) actions.push(a);
    }
    if (ids.length > 0) {
      for (const id of liveIds(host.snapshot().context)) {
        const order = await fetchOrThrow('orderByClientId', symbol, venue.orderByClientId(symbol, id));
        const state = host.state();
        if (order === undefined) {
          // Never reached the venue (crash before or while sending): the chart settles it through its own query.
          if (state === 'submitting') host.send({ type: 'venue.unknown', clientOrderId: id, reason: 'restart: order unknown to the venue', at: at() });
          else host.send({ type: 'venue.queryResult', clientOrderId: id, found: false, at: at() });
          actions.push(`${symbol}: ${id} unknown to the venue (${state} → ${host.state()})`);
        } else {
          port.deliverOrder(order);
          if (state === 'submitting' && order.status === 'filled') host.send({ type: 'venue.accepted', clientOrderId: id, venueOrderId: order.venueOrderId, at: at() });
          if (state !== host.state() || round === 0) actions.push(`${symbol}: ${id} is ${order.status} at the venue (${state} → ${host.state()})`);
        }
      }
      await port.idle();
    }
    if (await settlePosition(port, symbol, host, actions, cancelSent)) cancelSent = true;
    await port.idle();
    const state = host.state();
    if (liveIds(host.snapshot().context).length === 0 && !TRANSIENT_STATES.has(state)) break;
    if (round === 0 && ids.length === 0 && state === 'idle') break;
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

/**
 * Brings the actor's view of the position in line with the venue's. Returns true when it asked the actor to cancel
 * its entry (a partly filled entry whose position the venue closed, or whose TP/SL the venue refuses).
 */
const settlePosition = async (port: RecoveryPort, symbol: string, host: ActorHost, actions: string[], cancelSent: boolean): Promise<boolean> => {
  const { venue, journal } = port;
  const at = (): number => port.now();
  const positions = await fetchOrThrow('positions', symbol, venue.positions(symbol));
  const p = openPosition(positions, symbol);
  const state = host.state();
  const ctx = host.snapshot().context;
  const holds = state.startsWith('opened') || state === 'closing' || state === 'flattening';
  const partly = state === 'working' && dec(openQuantity(ctx)).gt(0);
  if (partly && !cancelSent && p === undefined) {
    // TP/SL closed the filled part while the rest still rests: withdraw the rest; the actor then accounts the close.
    port.markClosedAtVenue(symbol);
    host.send({ type: 'command.cancelEntry', at: at() });
    actions.push(`${symbol}: filled part of a working entry was closed at the venue; entry remainder cancelled`);
    return true;
  }
  if (partly && p !== undefined && (p.takeProfit === undefined || p.stopLoss === undefined)) {
    const request = actorProtection(ctx, port.triggerSource);
    if (request === undefined) return false;
    const result = await port.protect(request);
    journal.append(RECOVERY_STREAM, RECOVERY_REPROTECTED, { symbol, state, takeProfit: request.takeProfit, stopLoss: request.stopLoss, outcome: result.type });
    actions.push(`${symbol}: partly filled entry protected (${result.type})`);
    if (result.type === 'venue.protectionFailed' && !cancelSent) {
      // The market is already past its levels: stop adding to it; the actor protects or closes what is filled.
      host.send({ type: 'command.cancelEntry', at: at() });
      actions.push(`${symbol}: protection refused for a partly filled entry; entry remainder cancelled`);
      return true;
    }
    return false;
  }
  if (holds && p === undefined) {
    // Closed at the venue while we were away (TP/SL or by hand): the exit is the last fill that is not ours.
    const since = Math.min(...ctx.orderIds.map((id) => journal.getOrder(id)?.createdTs ?? at())) - 60_000;
    const fills = await fetchOrThrow('executions', symbol, venue.executionsSince(since, symbol));
    const exit = [...fills].filter((f) => !ctx.orderIds.includes(f.clientOrderId)).sort((a, b) => a.ts - b.ts).at(-1);
    host.send({ type: 'venue.positionClosed', reason: closeReasonFrom(actorProtection(ctx, 'mark'), exit), exitPrice: exit?.price.toString(), at: at() });
    actions.push(`${symbol}: position closed at the venue while down (${state} → ${host.state()})`);
    return false;
  }
  if (holds && p !== undefined && (state === 'opened.protecting' || p.takeProfit === undefined || p.stopLoss === undefined)) {
    const request = actorProtection(ctx, port.triggerSource);
    if (request !== undefined && p.takeProfit !== undefined && p.stopLoss !== undefined && state === 'opened.protecting') {
      host.send({ type: 'venue.protectionSet', at: at() });
      actions.push(`${symbol}: protection found in place (opened.protecting → ${host.state()})`);
    } else if (request !== undefined) {
      const result = await port.protect(request);
      if (state === 'opened.protecting' || result.type === 'venue.protectionFailed') host.send(result);
      journal.append(RECOVERY_STREAM, RECOVERY_REPROTECTED, { symbol, state, takeProfit: request.takeProfit, stopLoss: request.stopLoss, outcome: result.type });
      actions.push(`${symbol}: TP/SL re-attached (${result.type}; actor ${state} → ${host.state()})`);
    }
  }
  return false;
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
    let view = actorViewOf(host.snapshot());
    const positions = await fetchOrThrow('positions', symbol, port.venue.positions(symbol));
    let p = openPosition(positions, symbol);
    const expectedSide = view.side === 'buy' ? 'long' : 'short';
    if (p !== undefined && view.state.startsWith('opened') && (p.side !== expectedSide || !p.quantity.eq(view.openQuantity))) {
      // The venue's position is not the one the actor opened (while the process was down its TP/SL closed the filled
      // part of an entry and the rest filled afterwards, or it was changed by hand). The actor's cycle ends here
      // (external) and the position is handled like a foreign one: adopted and protected, entries blocked until flat.
      actions.push(`${symbol}: venue holds ${p.side} ${p.quantity.toString()}, the actor ${expectedSide} ${view.openQuantity.toString()}: cycle closed, position adopted`);
      host.send({ type: 'venue.positionClosed', reason: 'external', at: port.now() });
      await port.idle();
      view = actorViewOf(host.snapshot());
    }
    const idleish = view.state === 'idle' || view.state.startsWith('closed');
    if (p !== undefined && idleish) {
      if (port.foreignPositions === 'adopt') {
        if (p.takeProfit === undefined || p.stopLoss === undefined) {
          const request = adoptedProtection(p, port);
          const result = await port.protect(request);
          actions.push(`${symbol}: adopted ${p.side} ${p.quantity.toString()} and protected it (${result.type})`);
          p = openPosition(await fetchOrThrow('positions', symbol, port.venue.positions(symbol)), symbol);
        } else actions.push(`${symbol}: adopted ${p?.side ?? ''} ${p?.quantity.toString() ?? ''} (already protected)`);
        port.journal.append(RECOVERY_STREAM, RECOVERY_POSITION_ADOPTED, { symbol, side: p?.side ?? null, quantity: p?.quantity ?? null });
        port.block(symbol, 'foreign position adopted: entries blocked until it is flat');
        adopted.push(symbol);
      } else {
        port.block(symbol, 'foreign position reported: entries blocked until an operator settles it');
      }
    }
    let open = await fetchOrThrow('openOrders', symbol, port.venue.openOrders(symbol));
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
    if (stray.length > 0) open = await fetchOrThrow('openOrders', symbol, port.venue.openOrders(symbol));
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
