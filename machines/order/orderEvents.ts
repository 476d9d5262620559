/**
 * The events one order understands, shared by the order chart and the trade chart that routes them. Prices and
 * quantities are decimal strings so that every event and context stays JSON-serializable. Types only; no logic.
 */
import type { OrderStatus, RejectCategory, Side } from '../../src/domain/orders.ts';

/** What the order is for in its trade: entries open, exits and protections reduce. */
export type OrderRole = 'entry' | 'exit' | 'protection';

/** The venue-neutral reject category (the domain's, shared with the Venue port). */
export type RejectCategoryName = RejectCategory;

/** Events from the venue about one order; every one carries the host time `at` (epoch ms) and the client order id. */
export type VenueOrderEvent =
  | { readonly type: 'venue.accepted'; readonly clientOrderId: string; readonly venueOrderId: string; readonly at: number }
  | {
      readonly type: 'venue.rejected';
      readonly clientOrderId: string;
      readonly code: string;
      readonly category: RejectCategoryName;
      readonly message?: string | undefined;
      readonly at: number;
    }
  | {
      readonly type: 'venue.filled';
      readonly clientOrderId: string;
      readonly tradeId: string;
      readonly price: string;
      readonly quantity: string;
      readonly fee: string;
      readonly at: number;
    }
  | { readonly type: 'venue.cancelled'; readonly clientOrderId: string; readonly at: number }
  | { readonly type: 'venue.expired'; readonly clientOrderId: string; readonly at: number }
  | { readonly type: 'venue.cancelRejected'; readonly clientOrderId: string; readonly code: string; readonly at: number }
  | {
      readonly type: 'venue.amended';
      readonly clientOrderId: string;
      readonly price?: string | undefined;
      readonly quantity?: string | undefined;
      readonly at: number;
    }
  | { readonly type: 'venue.amendRejected'; readonly clientOrderId: string; readonly code: string; readonly at: number }
  /** A transport error, timeout or 5xx on a state-changing request: the outcome is unknown, never a rejection. */
  | { readonly type: 'venue.unknown'; readonly clientOrderId: string; readonly reason: string; readonly at: number }
  | {
      readonly type: 'venue.queryResult';
      readonly clientOrderId: string;
      /** False when the venue has no order with this client order id (definitive: it never reached the book). */
      readonly found: boolean;
      readonly status?: OrderStatus | undefined;
      /** Cumulative filled quantity the venue reports for the order. */
      readonly filledQuantity?: string | undefined;
      readonly averagePrice?: string | undefined;
      readonly at: number;
    };

/** Requests to change one order (the trade chart emits the matching intent and forwards these). */
export type OrderCommandEvent =
  | { readonly type: 'command.cancel'; readonly clientOrderId: string; readonly at: number }
  | {
      readonly type: 'command.amend';
      readonly clientOrderId: string;
      readonly price?: string | undefined;
      readonly quantity?: string | undefined;
      readonly at: number;
    };

/** The ack deadline of a submitted order passed (the host delivers it from the deadline the trade chart stored). */
export type OrderTimerEvent = { readonly type: 'timer.ackTimeout'; readonly clientOrderId: string; readonly at: number };

/** Every event the order chart accepts. */
export type OrderEvent = VenueOrderEvent | OrderCommandEvent | OrderTimerEvent;

/** Observability intents of the order chart (it performs no I/O and asks for none). */
export type OrderEmitted =
  | { readonly type: 'order.duplicateFill'; readonly clientOrderId: string; readonly tradeId: string }
  | { readonly type: 'order.lateFill'; readonly clientOrderId: string; readonly tradeId: string; readonly quantity: string };

/** What the trade chart passes when it spawns an order child. */
export interface OrderInput {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: string;
  readonly price?: string | undefined;
  readonly role: OrderRole;
}
