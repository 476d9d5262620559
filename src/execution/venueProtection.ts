/**
 * The venue's protection of a symbol as every consistency check sees it, whatever the venue's protection model: a
 * position-attached TP/SL is already on the position; separate conditional orders or an OCO/bracket pair are read with
 * `protectionOf` and folded into the position, and their client ids are reported so that recovery, the periodic venue
 * check and the reconciler treat them as owned protection — never as stray or orphan orders to cancel.
 */
import { Effect } from 'effect';
import type { Position, VenueOrder } from '../domain/orders.ts';
import type { Venue, VenueError } from '../venues/Venue.ts';

/** A symbol's position with the venue's protection folded in, and the ids of the protective orders that hold it. */
export interface ProtectedView {
  readonly position: Position | undefined;
  readonly protectiveOrderIds: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Returns the position with its TP/SL as the venue holds them. A venue whose TP/SL live on the position needs no
 * further read; any other is asked with `protectionOf` while a position is open.
 */
export const withVenueProtection = (venue: Venue, symbol: string, position: Position | undefined): Effect.Effect<ProtectedView, VenueError> => {
  if (venue.capabilities.protectionModel === 'position_attached' || position === undefined) return Effect.succeed({ position, protectiveOrderIds: NONE });
  return venue.protectionOf(symbol).pipe(
    Effect.map((p) => ({
      position: { ...position, takeProfit: position.takeProfit ?? p.takeProfit, stopLoss: position.stopLoss ?? p.stopLoss },
      protectiveOrderIds: new Set(p.orderIds),
    })),
  );
};

/** Returns the open orders without the protective ones (they belong to the position, not to an entry or an exit). */
export const withoutProtective = (orders: ReadonlyArray<VenueOrder>, protective: ReadonlySet<string>): ReadonlyArray<VenueOrder> =>
  protective.size === 0 ? orders : orders.filter((o) => !protective.has(o.clientOrderId));
