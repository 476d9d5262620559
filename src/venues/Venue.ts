/**
 * The `Venue` port (DESIGN §5): what the execution path and the reconciler need from any venue. Adapters implement
 * it by speaking the venue's real wire protocol; nothing outside `src/venues/<venue>/` sees wire types.
 */
import { Data, type Effect } from 'effect';
import type { Decimal } from '../domain/money.ts';
import type { Instrument, VenueId } from '../domain/Instrument.ts';
import type { Balance, Fill, OrderAck, OrderRequest, Position, PositionLeg, PositionMode, ProtectionRequest, RejectCategory as DomainRejectCategory, VenueOrder } from '../domain/orders.ts';
import type { AccountEvent, MarketEvent, StreamDescription } from './streams.ts';

/**
 * Why a venue call failed. `rejected` is definitive venue evidence that the request had no effect; every other reason
 * leaves the outcome of a state-changing request UNKNOWN until a query settles it (STYLE principle 5).
 */
export type VenueFailure =
  | { readonly kind: 'rejected'; readonly code: string; readonly category: RejectCategory; readonly message: string }
  | { readonly kind: 'not_found'; readonly code: string; readonly message: string }
  | { readonly kind: 'rate_limited'; readonly retryAfterMs: number; readonly message: string }
  | { readonly kind: 'auth'; readonly code: string; readonly message: string }
  | { readonly kind: 'clock_skew'; readonly code: string; readonly message: string }
  | { readonly kind: 'transport'; readonly message: string }
  | { readonly kind: 'timeout'; readonly afterMs: number }
  | { readonly kind: 'server'; readonly status: number; readonly code: string; readonly message: string }
  | { readonly kind: 'decode'; readonly message: string };

/** What a definitive rejection means for the caller (X-ORD-8); defined in the domain so the charts share it. */
export type RejectCategory = DomainRejectCategory;

/** A failed venue call, tagged with the operation. */
export class VenueError extends Data.TaggedError('VenueError')<{
  readonly venue: VenueId;
  readonly operation: string;
  readonly reason: VenueFailure;
}> {
  override get message(): string {
    const r = this.reason;
    const detail =
      r.kind === 'timeout'
        ? `timed out after ${r.afterMs} ms`
        : r.kind === 'transport' || r.kind === 'decode'
          ? r.message
          : r.kind === 'rate_limited'
            ? `rate limited, retry after ${r.retryAfterMs} ms: ${r.message}`
            : r.kind === 'server'
              ? `HTTP ${r.status} ${r.code}: ${r.message}`
              : `${r.code}: ${r.message}`;
    return `${this.venue} ${this.operation} ${r.kind}: ${detail}`;
  }
}

/** Returns whether the failure proves the request had no effect at the venue. */
export const isDefinitive = (e: VenueError): boolean =>
  e.reason.kind === 'rejected' || e.reason.kind === 'auth' || e.reason.kind === 'clock_skew' || e.reason.kind === 'not_found';

/** Returns whether a request that failed this way may be sent again as-is (given idempotency by client order id). */
export const isRetryable = (e: VenueError): boolean =>
  e.reason.kind === 'rate_limited' || e.reason.kind === 'transport' || e.reason.kind === 'timeout' || e.reason.kind === 'server';

/**
 * Where a position's TP/SL live at the venue: attached to the position (Bybit `trading-stop`), separate conditional
 * orders (Binance `STOP_MARKET`/`TAKE_PROFIT_MARKET`), or an OCO/bracket pair (Alpaca, Coinbase).
 */
export type ProtectionModel = 'position_attached' | 'conditional_orders' | 'oco';

/** A symbol's protection as the venue holds it; `orderIds` are the client ids of protective orders (owned, never strays). */
export interface Protection {
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  readonly orderIds: ReadonlyArray<string>;
}

/** What a venue supports. */
export interface VenueCapabilities {
  /** Whether leverage is set per symbol (derivatives); spot and cash equity have none. */
  readonly leverage: boolean;
  /** Whether a position exists apart from balances (derivatives); on spot the balance held is the position. */
  readonly positions: boolean;
  readonly protectionModel: ProtectionModel;
  readonly serverSideProtection: boolean;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly amend: boolean;
  readonly shorting: boolean;
  /** Whether a symbol can hold a long and a short leg at once (hedge mode, `setPositionMode`; S0-12). */
  readonly hedgeMode: boolean;
}

/** One price level. */
export interface BookLevel {
  readonly price: Decimal;
  readonly size: Decimal;
}

/** An order-book snapshot with the venue's sequence marker. */
export interface BookSnapshot {
  readonly symbol: string;
  readonly bids: ReadonlyArray<BookLevel>;
  readonly asks: ReadonlyArray<BookLevel>;
  /** The venue's update id of this snapshot (Bybit `u`, Binance `lastUpdateId`). */
  readonly updateId: number;
  readonly ts: number;
}

/** One OHLCV bar of a symbol's trade history (a kline); `start` is its open time in epoch ms. */
export interface Kline {
  readonly start: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  /** Traded quantity in the instrument's unit. */
  readonly volume: Decimal;
}

/** A change to an order's price or quantity. */
export interface AmendRequest {
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly quantity?: Decimal | undefined;
  readonly price?: Decimal | undefined;
}

/** The port every venue adapter implements. All methods are Effects that fail only with VenueError. */
export interface Venue {
  readonly id: VenueId;
  readonly capabilities: VenueCapabilities;
  /** Returns every tradable instrument (paginating as needed). */
  readonly instruments: () => Effect.Effect<ReadonlyArray<Instrument>, VenueError>;
  /** Returns the venue's clock in epoch ms and updates the adapter's offset estimate. */
  readonly serverTime: () => Effect.Effect<number, VenueError>;
  readonly placeOrder: (request: OrderRequest) => Effect.Effect<OrderAck, VenueError>;
  readonly amendOrder: (request: AmendRequest) => Effect.Effect<OrderAck, VenueError>;
  readonly cancelOrder: (symbol: string, clientOrderId: string) => Effect.Effect<OrderAck, VenueError>;
  /** Cancels every open order of the symbol (or all symbols); returns the cancelled client order ids. */
  readonly cancelAll: (symbol?: string) => Effect.Effect<ReadonlyArray<string>, VenueError>;
  readonly setProtection: (request: ProtectionRequest) => Effect.Effect<void, VenueError>;
  readonly setLeverage: (symbol: string, leverage: Decimal) => Effect.Effect<void, VenueError>;
  /**
   * Switches the account's symbols (of its settle asset) to one-way or hedge mode. Idempotent: asking for the mode the
   * account already has succeeds. A venue without hedge mode (`capabilities.hedgeMode` false) answers `hedge` with a
   * local `rejected` (parameter). Switching while positions or orders are open is the venue's to refuse.
   */
  readonly setPositionMode: (mode: PositionMode) => Effect.Effect<void, VenueError>;
  readonly openOrders: (symbol?: string) => Effect.Effect<ReadonlyArray<VenueOrder>, VenueError>;
  /** Returns the order with that client id, open or closed; `undefined` only when the venue definitively has none. */
  readonly orderByClientId: (symbol: string, clientOrderId: string) => Effect.Effect<VenueOrder | undefined, VenueError>;
  readonly positions: (symbol?: string) => Effect.Effect<ReadonlyArray<Position>, VenueError>;
  readonly balances: () => Effect.Effect<ReadonlyArray<Balance>, VenueError>;
  /** Returns our executions at or after `sinceMs`, oldest first. */
  readonly executionsSince: (sinceMs: number, symbol?: string) => Effect.Effect<ReadonlyArray<Fill>, VenueError>;
  readonly orderBook: (symbol: string, depth: number) => Effect.Effect<BookSnapshot, VenueError>;
  /** Returns the TP/SL the venue holds for a symbol's position, in whatever form the venue keeps them (see ProtectionModel). */
  readonly protectionOf: (symbol: string, leg?: PositionLeg) => Effect.Effect<Protection, VenueError>;
  /**
   * Returns the symbol's bars of `intervalMinutes` (1440 a UTC day, 10080 a week from Monday 00:00 UTC) whose start lies
   * in [startMs, endMs), oldest first, without duplicates (paginating as needed). The venue's current bar, when in
   * range, is included as it stands. A length the venue does not serve is a local `rejected` (parameter).
   */
  readonly klines: (symbol: string, intervalMinutes: number, startMs: number, endMs: number) => Effect.Effect<ReadonlyArray<Kline>, VenueError>;
}

/** A venue reached over its wire protocol: the port plus its streams, its clock view and a close hook. */
export interface WireVenue extends Venue {
  /** Returns the current venue-minus-local clock offset estimate (ms), refreshed by `serverTime()`. */
  clockOffsetMs(): number;
  /** Returns the offset-corrected venue time (ms). */
  venueNow(): number;
  /** The X-CLK-2 hysteresis gate fed by every `serverTime()`. */
  readonly clockGate: { isOpen(): boolean };
  readonly streams: {
    public(symbols: ReadonlyArray<string>, depth: number): StreamDescription<MarketEvent>;
    private(): StreamDescription<AccountEvent>;
  };
  /** Closes the connections (HTTP pool). */
  close(): Promise<void>;
}
