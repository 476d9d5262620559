/**
 * The one definition of "a trade actor agrees with the venue" (X-REC-1), shared by start-up recovery, the periodic
 * reconcile and the restart drill's independent check. Pure: it compares an actor's lifecycle state, open quantity and
 * live order ids with the venue's open orders and position of the same symbol, and returns the disagreements.
 */
import { dec, type Decimal } from '../domain/money.ts';
import type { Position, Side, VenueOrder } from '../domain/orders.ts';
import { lifecycleState, type TradeSnapshot } from '../../machines/trade/tradeMachine.ts';
import { liveOrderIds, openQuantity } from '../../machines/trade/tradeLogic.ts';
import { holdsPosition, isAtRest, isProtected, isTransient, isWorkingEntry } from '../../machines/trade/tradeQueries.ts';
import type { TradeContext } from '../../machines/trade/tradeTypes.ts';

/** What the check needs from a trade actor (from a live actor or a journaled snapshot). */
export interface ActorView {
  /** Lifecycle state name (`lifecycleState`), for messages only: the judgement uses the flags below. */
  readonly state: string;
  /** A request of the actor is in flight. */
  readonly transient: boolean;
  /** Idle or cooling down: nothing of ours should be live at the venue. */
  readonly atRest: boolean;
  /** The actor holds its position (opened, closing, flattening). */
  readonly holds: boolean;
  /** The entry rests at the venue (possibly partly filled). */
  readonly workingEntry: boolean;
  /** The venue confirmed the position's TP/SL. */
  readonly protected: boolean;
  /** Side of the current intent's entry, when there is one. */
  readonly side: Side | undefined;
  /** Entry fills minus exit fills. */
  readonly openQuantity: Decimal;
  /** Client order ids of the actor's orders that have not reached a final state. */
  readonly liveOrderIds: ReadonlyArray<string>;
  readonly entryClientOrderId: string | null;
}

/** What the check needs from the venue for the same symbol. */
export interface VenueView {
  /** Client order ids of the venue's open orders of this symbol carrying our bot prefix. */
  readonly openOrderIds: ReadonlyArray<string>;
  /** The open position, if any (flat is `undefined`). */
  readonly position: { readonly side: 'long' | 'short'; readonly quantity: Decimal; readonly takeProfit: Decimal | undefined; readonly stopLoss: Decimal | undefined } | undefined;
}

/** How strict the check is. */
export interface ConsistencyOptions {
  /**
   * true right after recovery (before the gate opens): nothing may be in flight, so transient states are themselves a
   * disagreement and every position must already carry TP and SL. false while trading: transient states are skipped.
   */
  readonly settled: boolean;
  /** The symbol's position was adopted by reconcile (no actor owns it; it is protected and blocks entries). */
  readonly adopted?: boolean | undefined;
  /** Relative size difference tolerated between the actor and the venue (0 = exact). */
  readonly quantityTolerance?: Decimal | undefined;
}

/** Returns the disagreements between an actor and the venue for one symbol (empty when they agree). */
export const actorVenueMismatches = (actor: ActorView, venue: VenueView, opts: ConsistencyOptions): ReadonlyArray<string> => {
  const out: string[] = [];
  const { state, transient } = actor;
  if (transient && !opts.settled) return out;
  if (transient) out.push(`actor is still ${state}: a request is unsettled`);
  const live = new Set(actor.liveOrderIds);
  for (const id of venue.openOrderIds) if (!live.has(id)) out.push(`venue order ${id} is open but the actor does not own it`);
  const p = venue.position;
  const flat = p === undefined || !p.quantity.gt(0);
  const holds = actor.holds || (actor.workingEntry && actor.openQuantity.gt(0));
  if (actor.atRest) {
    if (!flat && opts.adopted !== true) out.push(`venue holds ${p.side} ${p.quantity.toString()} but the actor is ${state}`);
  } else if (holds) {
    if (flat) out.push(`actor is ${state} with ${actor.openQuantity.toString()} open but the venue is flat`);
    else {
      const expected = actor.side === 'buy' ? 'long' : 'short';
      if (actor.side !== undefined && p.side !== expected) out.push(`actor holds ${expected} but the venue holds ${p.side}`);
      const diff = p.quantity.minus(actor.openQuantity).abs();
      const tolerated = opts.quantityTolerance === undefined ? diff.isZero() : diff.lte(p.quantity.times(opts.quantityTolerance));
      if (!tolerated) out.push(`actor holds ${actor.openQuantity.toString()} but the venue holds ${p.quantity.toString()}`);
    }
  }
  if (actor.workingEntry && actor.entryClientOrderId !== null && !venue.openOrderIds.includes(actor.entryClientOrderId)) {
    out.push(`actor is working ${actor.entryClientOrderId} but the venue has no such open order`);
  }
  if (!flat && (opts.settled || actor.protected) && (p.takeProfit === undefined || p.stopLoss === undefined)) {
    // A partially filled entry is protected once it completes (the chart's TPSL follows OPENED).
    if (!(actor.workingEntry && !opts.settled)) out.push(`${p.side} ${p.quantity.toString()} is not protected (tp ${p.takeProfit?.toString() ?? '-'}, sl ${p.stopLoss?.toString() ?? '-'})`);
  }
  return out;
};

/** Returns the ActorView of a live trade snapshot or of its persisted JSON (same `value` and `context` shape). */
export const actorViewOf = (snapshot: { readonly value: unknown; readonly context: TradeContext }): ActorView => {
  const c = snapshot.context;
  return {
    state: lifecycleState(snapshot as TradeSnapshot),
    transient: isTransient(snapshot),
    atRest: isAtRest(snapshot),
    holds: holdsPosition(snapshot),
    workingEntry: isWorkingEntry(snapshot),
    protected: isProtected(snapshot),
    side: c.intent?.side,
    openQuantity: dec(openQuantity(c)),
    liveOrderIds: liveOrderIds(c),
    entryClientOrderId: c.entryClientOrderId,
  };
};

/** Returns the VenueView of a symbol from the venue's open orders and position (only ids with our `prefix` count). */
export const venueViewOf = (openOrders: ReadonlyArray<VenueOrder>, position: Position | undefined, prefix: string): VenueView => ({
  openOrderIds: openOrders.filter((o) => o.clientOrderId.startsWith(prefix)).map((o) => o.clientOrderId),
  position: position === undefined || position.side === 'flat' || !position.quantity.gt(0)
    ? undefined
    : { side: position.side, quantity: position.quantity, takeProfit: position.takeProfit, stopLoss: position.stopLoss },
});
