/**
 * The venue-neutral vocabulary of orders, fills and positions. Adapters translate their wire types into these in
 * their `parse.ts`; nothing venue-specific appears here. Pure; performs no I/O.
 */
import type { Decimal } from './money.ts';

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit';
/** `post_only` is a GTC limit that must rest as maker (each venue spells it its own way). */
export type TimeInForce = 'gtc' | 'ioc' | 'fok' | 'post_only';
/** Which price a conditional order (TP/SL) watches; one per profile (X-ORD-7). */
export type TriggerSource = 'mark' | 'last' | 'index';

/**
 * The venue-neutral order status table. Open: new, partially_filled, untriggered. Closed: filled, cancelled
 * (possibly after partial fills), rejected, expired, triggered (conditional became a live order), deactivated.
 */
export type OrderStatus =
  | 'new'
  | 'partially_filled'
  | 'untriggered'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'triggered'
  | 'deactivated';

/** Returns whether the status is terminal for the order. */
export const isClosedStatus = (s: OrderStatus): boolean =>
  s === 'filled' || s === 'cancelled' || s === 'rejected' || s === 'expired' || s === 'triggered' || s === 'deactivated';

/** What a definitive venue rejection means for the caller (X-ORD-8); shared by the Venue port and the charts. */
export type RejectCategory =
  | 'insufficient_margin'
  | 'parameter'
  | 'post_only_would_take'
  | 'reduce_only_violation'
  | 'duplicate_client_id'
  | 'min_notional'
  | 'price_out_of_range'
  | 'too_many_orders'
  | 'not_modified'
  | 'other';

/**
 * A leg of a hedge-mode position (S0-12): in hedge mode a symbol holds a long and a short leg at once, each its own
 * position with its own TP/SL (the adapter maps a leg to its venue's spelling). In one-way mode there are no legs.
 */
export type PositionLeg = 'long' | 'short';

/** Whether an account's symbols hold one signed position each (`one_way`) or a long and a short leg (`hedge`). */
export type PositionMode = 'one_way' | 'hedge';

/** A new order as the execution path sends it: already sized, quantized and approved by the RiskEngine. */
export interface OrderRequest {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: Decimal;
  /** Required for limit orders. */
  readonly price?: Decimal | undefined;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  /** Futures only: a closing order that may cancel others to free margin. */
  readonly closeOnTrigger?: boolean | undefined;
  /** Hedge mode only: the leg the order opens (an entry) or reduces (reduce-only); absent in one-way mode. */
  readonly leg?: PositionLeg | undefined;
}

/** The venue's synchronous answer to a placement: it took the request (status arrives on the private stream). */
export interface OrderAck {
  readonly venueOrderId: string;
  readonly clientOrderId: string;
}

/** The venue's view of one order. */
export interface VenueOrder {
  readonly venueOrderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Decimal | undefined;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
  readonly averageFillPrice: Decimal | undefined;
  readonly status: OrderStatus;
  /** The venue's reason text/code for a rejection or a venue-side cancel, if any (verbatim, for logs). */
  readonly rejectReason: string | undefined;
  /**
   * What the venue's reason means (the adapter maps it; nothing outside `src/venues/<venue>/` reads venue codes):
   * e.g. `post_only_would_take` for a post-only order the venue cancelled because it would have crossed.
   */
  readonly rejectCategory?: RejectCategory | undefined;
  readonly reduceOnly: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One execution (trade) against one of our orders. `tradeId` is unique per venue and dedupes replays. */
export interface Fill {
  readonly tradeId: string;
  readonly venueOrderId: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly isMaker: boolean;
  readonly ts: number;
}

/** A position in one instrument (one-way mode: a signed view through `side`; hedge mode: one leg, named by `leg`). */
export interface Position {
  readonly symbol: string;
  /** Hedge mode only: which leg this is (its `side` is the leg's, or flat); absent in one-way mode. */
  readonly leg?: PositionLeg | undefined;
  readonly side: 'long' | 'short' | 'flat';
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
  readonly markPrice: Decimal | undefined;
  readonly unrealizedPnl: Decimal;
  readonly leverage: Decimal;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  readonly tpTrigger: TriggerSource | undefined;
  readonly slTrigger: TriggerSource | undefined;
  readonly updatedAt: number;
}

/** Venue-side protection for an open position (attached to the position, separate conditional orders, or an OCO/bracket pair). */
export interface ProtectionRequest {
  readonly symbol: string;
  /** Hedge mode only: the leg the TP/SL belong to; absent in one-way mode. */
  readonly leg?: PositionLeg | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  readonly trigger: TriggerSource;
}

/** An asset balance of the trading account. */
export interface Balance {
  readonly asset: string;
  readonly total: Decimal;
  readonly available: Decimal;
}
