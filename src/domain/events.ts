/**
 * The one order vocabulary: what a venue said about our orders, protections and positions, as the trade chart, the
 * ExecutionEngine, the account-event router and recovery all speak it. Past-tense names; the `type` strings are the
 * chart's dot-namespaced event names. Decimals are strings so every event stays JSON-serializable. Types only.
 */
import type { OrderStatus, PositionLeg, RejectCategory } from './orders.ts';

/** The venue acknowledged an order (it rests, or is about to fill). */
export interface OrderAccepted {
  readonly type: 'venue.accepted';
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly at: number;
}

/** Definitive venue evidence that the order had no effect, with its reject category (X-ORD-8). */
export interface OrderRejected {
  readonly type: 'venue.rejected';
  readonly clientOrderId: string;
  readonly code: string;
  readonly category: RejectCategory;
  readonly message?: string | undefined;
  readonly at: number;
}

/** A transport error, timeout or 5xx on a state-changing request: the outcome is unknown, never a rejection. */
export interface OrderOutcomeUnknown {
  readonly type: 'venue.unknown';
  readonly clientOrderId: string;
  readonly reason: string;
  readonly at: number;
}

/** One fill of one of our orders. */
export interface OrderFilled {
  readonly type: 'venue.filled';
  readonly clientOrderId: string;
  readonly tradeId: string;
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
  readonly at: number;
}

/** The order was cancelled (by us or at the venue). */
export interface OrderCancelled {
  readonly type: 'venue.cancelled';
  readonly clientOrderId: string;
  readonly at: number;
}

/** The order expired (IOC remainder, time in force). */
export interface OrderExpired {
  readonly type: 'venue.expired';
  readonly clientOrderId: string;
  readonly at: number;
}

/** The venue refused our cancel (already closed, or not known yet): only a query tells which. */
export interface CancelRejected {
  readonly type: 'venue.cancelRejected';
  readonly clientOrderId: string;
  readonly code: string;
  readonly at: number;
}

/** The venue's answer to a query by client order id. */
export interface OrderQueried {
  readonly type: 'venue.queryResult';
  readonly clientOrderId: string;
  /** False when the venue has no order with this client order id (definitive: it never reached the book). */
  readonly found: boolean;
  readonly status?: OrderStatus | undefined;
  /** Cumulative filled quantity the venue reports for the order. */
  readonly filledQuantity?: string | undefined;
  readonly averagePrice?: string | undefined;
  readonly at: number;
}

/** The venue holds the TP/SL we asked for (set, or unchanged). */
export interface ProtectionSet {
  readonly type: 'venue.protectionSet';
  /** Hedge mode: the leg whose TP/SL this answers (S0-12); absent for a one-way position. */
  readonly leg?: PositionLeg | undefined;
  readonly at: number;
}

/** The venue refused (or did not confirm) the TP/SL. */
export interface ProtectionFailed {
  readonly type: 'venue.protectionFailed';
  /** Hedge mode: the leg whose TP/SL this answers (S0-12); absent for a one-way position. */
  readonly leg?: PositionLeg | undefined;
  readonly code: string;
  readonly message: string;
  readonly at: number;
}

/** Fills at the venue that none of our orders made (a venue-triggered TP/SL, a liquidation, a manual close). */
export interface ExternalFills {
  readonly quantity: string;
  /** Sum of price × quantity. */
  readonly notional: string;
  readonly fee: string;
  readonly tradeIds: ReadonlyArray<string>;
}

/**
 * The venue's position of the symbol as it stands now, with the fills not made by our orders since the previous
 * update. One event for every position update; the trade chart decides what it means (closed at the venue, a
 * partial stop, nothing).
 */
export interface PositionChanged {
  readonly type: 'venue.positionChanged';
  /** Hedge mode: which leg of the symbol this is (S0-12); absent in one-way mode. */
  readonly leg?: PositionLeg | undefined;
  readonly side: 'long' | 'short' | 'flat';
  readonly quantity: string;
  readonly takeProfit?: string | undefined;
  readonly stopLoss?: string | undefined;
  readonly external?: ExternalFills | undefined;
  readonly at: number;
}

/** The venue's answer to a pyramid ladder's leverage set (S0-9, Step 4): set and read back, or why not. */
export interface LeverageSet {
  readonly type: 'venue.leverageSet';
  readonly leverage: string;
  readonly ok: boolean;
  readonly reason?: string | undefined;
  readonly at: number;
}

/** Everything a venue can say about one of our orders. */
export type VenueOrderEvent = OrderAccepted | OrderRejected | OrderOutcomeUnknown | OrderFilled | OrderCancelled | OrderExpired | CancelRejected | OrderQueried;

/** What the ExecutionEngine answers a request with. */
export type ExecutionEvent = OrderAccepted | OrderRejected | OrderOutcomeUnknown | CancelRejected | OrderQueried | ProtectionSet | ProtectionFailed | LeverageSet;
