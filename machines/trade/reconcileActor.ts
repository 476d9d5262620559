/**
 * What start-up recovery tells a restored trade actor, decided by the chart's own knowledge instead of by the caller
 * picking events by state name: given the actor's snapshot and what the venue says now (an order by client order id,
 * the position and the fills no order of ours made), returns the chart events that bring the actor in line. The
 * caller delivers them; anything that needs the venue (placing TP/SL) stays with the caller. Pure.
 */
import type { Fill, Position, VenueOrder } from '../../src/domain/orders.ts';
import { dec } from '../../src/domain/money.ts';
import { openQuantity } from './tradeLogic.ts';
import { hasPartialEntry, holdsPosition, isCancelling, isLaddering, isMovingStop, isOpened, isProtecting, isSubmitting, type TradeSnapshotLike } from './tradeQueries.ts';
import { ladderOf } from './ladderLogic.ts';
import type { TradeEvent } from './tradeTypes.ts';
import { orderUpdateEvent, positionChangedEvent } from './venueEvents.ts';

/**
 * Events for one of the actor's live orders: the venue's status when it knows the order, or — when it definitively does
 * not (it never reached the book) — the unknown outcome the chart settles through its own query (an entry just sent)
 * or a "not found" query answer.
 */
export const orderRecoveryEvents = (s: TradeSnapshotLike, clientOrderId: string, order: VenueOrder | undefined, at: number): TradeEvent[] => {
  if (order === undefined) {
    return isSubmitting(s)
      ? [{ type: 'venue.unknown', clientOrderId, reason: 'restart: order unknown to the venue', at }]
      : [{ type: 'venue.queryResult', clientOrderId, found: false, at }];
  }
  const update = orderUpdateEvent(order, at);
  const events: TradeEvent[] = update === undefined ? [] : [update];
  // Being cancelled, yet resting at the venue: the cancel request died with the process; the chart asks again.
  if (isCancelling(s) && s.context.entryClientOrderId === clientOrderId && (order.status === 'new' || order.status === 'partially_filled')) {
    events.push({ type: 'recovery.entryLive', clientOrderId, at });
  }
  // Filled while we were away: it was accepted first (its fills arrive separately, by trade id).
  if (isSubmitting(s) && order.status === 'filled') events.push({ type: 'venue.accepted', clientOrderId, venueOrderId: order.venueOrderId, at });
  return events;
};

/**
 * S0-9: a ladder's Step 4 leverage set in flight at a crash has no order to ask about: the venue's position tells.
 * The leverage it reports equal to the request confirms the step; anything else (another leverage, no position, none
 * reported) is not a confirmation, and the ladder stops there. No event when no leverage step is in flight.
 */
export const ladderLeverageRecoveryEvents = (s: TradeSnapshotLike, position: Position | undefined, at: number): TradeEvent[] => {
  const pending = ladderOf(s.context).pending;
  if (!isLaddering(s) || pending?.kind !== 'leverage') return [];
  const ok = position !== undefined && position.leverage.eq(dec(pending.leverage));
  const reported = position === undefined ? 'no position' : `x${position.leverage.toString()}`;
  return [{ type: 'venue.leverageSet', leverage: pending.leverage, ok, reason: ok ? undefined : `restart: the venue reports ${reported}`, at }];
};

/** What recovery should do about the actor's position besides the events (the caller talks to the venue). */
export type PositionAction = 'none' | 'protect_partial_entry' | 'reprotect';

/**
 * Events (and the one venue action) for the actor's position against the venue's: a position the venue closed while we
 * were away (the whole of it, or the filled part of a resting entry) is reported flat with the venue's own fills; TP/SL
 * already in place confirms a pending protection; missing TP/SL asks the caller to place them.
 */
export const positionRecoveryEvents = (
  s: TradeSnapshotLike,
  position: Position | undefined,
  external: ReadonlyArray<Fill>,
  at: number,
): { readonly events: TradeEvent[]; readonly action: PositionAction } => {
  const flat = position === undefined || position.side === 'flat' || !position.quantity.gt(0);
  if (flat && (holdsPosition(s) || hasPartialEntry(s))) return { events: [positionChangedEvent(undefined, external, at)], action: 'none' };
  if (flat) return { events: [], action: 'none' };
  const protectedAtVenue = position.takeProfit !== undefined && position.stopLoss !== undefined;
  if (hasPartialEntry(s)) {
    // X-ORD-6 while we were away: the venue's stop closed part of what the entry filled and cleared the stops. The chart
    // withdraws the rest of the entry and flattens what is left (its guards decide); the remainder is protected meanwhile.
    const stopped = !protectedAtVenue && external.length > 0 && position.quantity.lt(dec(openQuantity(s.context)));
    return { events: stopped ? [positionChangedEvent(position, external, at)] : [], action: protectedAtVenue ? 'none' : 'protect_partial_entry' };
  }
  if (!holdsPosition(s)) return { events: [], action: 'none' };
  if (isProtecting(s) && protectedAtVenue) return { events: [{ type: 'venue.protectionSet', at }], action: 'none' };
  // A stop move in flight at the crash: the venue's stop tells whether it landed; if not, the old stop stands and the
  // next mark that calls for a move asks again.
  if (isMovingStop(s) && protectedAtVenue) {
    const moved = s.context.stop.pending !== null && position.stopLoss.eq(dec(s.context.stop.pending.stopLoss));
    return { events: [moved ? { type: 'venue.protectionSet', at } : { type: 'venue.protectionFailed', code: 'recovery', message: 'the stop move did not reach the venue before the restart', at }], action: 'none' };
  }
  return { events: [], action: isProtecting(s) || !protectedAtVenue ? 'reprotect' : 'none' };
};

/**
 * Whether the venue's position is another one than the actor holds (side or size): while the process was down the
 * venue closed the filled part of an entry and the rest filled later, or someone changed it by hand. The actor's cycle
 * then ends (`recovery.positionReplaced`) and reconcile adopts the position.
 */
export const positionReplaced = (s: TradeSnapshotLike, position: Position | undefined): boolean => {
  if (position === undefined || position.side === 'flat' || !position.quantity.gt(0) || !isOpened(s)) return false;
  const expected = s.context.intent?.side === 'sell' ? 'short' : 'long';
  return position.side !== expected || !position.quantity.eq(dec(openQuantity(s.context)));
};
