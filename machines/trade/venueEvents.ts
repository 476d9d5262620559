/**
 * Translation of what a venue reports into the trade chart's events: an order update of one of the actor's orders,
 * and a position update with the fills no order of ours made. Translation only — the chart decides what it means.
 * Pure; performs no I/O.
 */
import type { ExternalFills, PositionChanged } from '../../src/domain/events.ts';
import type { Fill, Position, VenueOrder } from '../../src/domain/orders.ts';
import type { TradeEvent } from './tradeTypes.ts';

/** Returns the chart event of an order update (none for statuses that change nothing the chart tracks, e.g. filled: the fills do). */
export const orderUpdateEvent = (order: VenueOrder, at: number): TradeEvent | undefined => {
  const clientOrderId = order.clientOrderId;
  switch (order.status) {
    case 'new':
    case 'partially_filled':
    case 'untriggered':
      return { type: 'venue.accepted', clientOrderId, venueOrderId: order.venueOrderId, at };
    case 'cancelled':
    case 'deactivated':
      // A post-only order the venue cancelled because it would have crossed is a rejection (the adapter says so).
      if (order.rejectCategory === 'post_only_would_take' && order.filledQuantity.isZero()) {
        return { type: 'venue.rejected', clientOrderId, code: order.rejectReason ?? 'post_only_would_take', category: 'post_only_would_take', message: 'post-only order would take liquidity', at };
      }
      return { type: 'venue.cancelled', clientOrderId, at };
    case 'expired':
      return { type: 'venue.expired', clientOrderId, at };
    case 'rejected':
      return { type: 'venue.rejected', clientOrderId, code: order.rejectReason ?? 'rejected', category: order.rejectCategory ?? 'other', at };
    default:
      return undefined;
  }
};

/** Returns the chart event of one fill of one of the actor's orders. */
export const fillEvent = (fill: Fill, at: number): TradeEvent => ({
  type: 'venue.filled', clientOrderId: fill.clientOrderId, tradeId: fill.tradeId, price: fill.price.toString(), quantity: fill.quantity.toString(), fee: fill.fee.toString(), at,
});

/** Returns the totals of fills made by no order of ours, or undefined when there are none. */
export const externalFillsOf = (fills: ReadonlyArray<Fill>): ExternalFills | undefined => {
  if (fills.length === 0) return undefined;
  let quantity = fills[0]!.quantity.times(0);
  let notional = quantity;
  let fee = quantity;
  for (const f of fills) {
    quantity = quantity.plus(f.quantity);
    notional = notional.plus(f.quantity.times(f.price));
    fee = fee.plus(f.fee);
  }
  return { quantity: quantity.toString(), notional: notional.toString(), fee: fee.toString(), tradeIds: fills.map((f) => f.tradeId) };
};

/** Returns the chart event of a position update (flat when the venue reports none), with the fills no order of ours made. */
export const positionChangedEvent = (position: Position | undefined, external: ReadonlyArray<Fill>, at: number): PositionChanged => ({
  type: 'venue.positionChanged',
  ...(position?.leg === undefined ? {} : { leg: position.leg }),
  side: position === undefined || !position.quantity.gt(0) ? 'flat' : position.side,
  quantity: position === undefined ? '0' : position.quantity.toString(),
  takeProfit: position?.takeProfit?.toString(),
  stopLoss: position?.stopLoss?.toString(),
  external: externalFillsOf(external),
  at,
});
