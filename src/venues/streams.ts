/**
 * Venue-neutral stream vocabulary: the normalized market and account events adapters decode websocket frames into,
 * and the `StreamDescription` a connection actor needs to run a venue's stream (URL, auth, subscribe, heartbeat,
 * decoding). The connection actor owns reconnects and timers; an adapter never does.
 */
import type { Decimal } from '../domain/money.ts';
import type { Balance, Fill, Position, Side, VenueOrder } from '../domain/orders.ts';
import type { BookLevel } from './Venue.ts';

/** A normalized public market-data event. */
export type MarketEvent =
  | {
      readonly type: 'book';
      readonly kind: 'snapshot' | 'delta';
      readonly symbol: string;
      readonly bids: ReadonlyArray<BookLevel>;
      readonly asks: ReadonlyArray<BookLevel>;
      /** The venue's per-symbol update id (Bybit `u`). */
      readonly updateId: number;
      /** The venue's previous update id when it sends one (Binance `pu`), for gap checks. */
      readonly previousUpdateId?: number | undefined;
      /** Cross sequence (Bybit `seq`). */
      readonly seq: number;
      readonly ts: number;
    }
  | { readonly type: 'trade'; readonly symbol: string; readonly tradeId: string; readonly price: Decimal; readonly size: Decimal; readonly side: Side; readonly ts: number }
  | {
      readonly type: 'ticker';
      readonly symbol: string;
      readonly lastPrice: Decimal | undefined;
      readonly markPrice: Decimal | undefined;
      readonly indexPrice: Decimal | undefined;
      readonly bidPrice: Decimal | undefined;
      readonly bidSize: Decimal | undefined;
      readonly askPrice: Decimal | undefined;
      readonly askSize: Decimal | undefined;
      readonly ts: number;
    }
  | {
      readonly type: 'bar';
      readonly symbol: string;
      readonly intervalMinutes: number;
      readonly start: number;
      readonly open: Decimal;
      readonly high: Decimal;
      readonly low: Decimal;
      readonly close: Decimal;
      readonly volume: Decimal;
      /** Whether the bar is closed. */
      readonly closed: boolean;
      readonly ts: number;
    };

/** A normalized private (account) event. */
export type AccountEvent =
  | { readonly type: 'order'; readonly order: VenueOrder }
  | { readonly type: 'execution'; readonly fill: Fill }
  | { readonly type: 'position'; readonly position: Position }
  | { readonly type: 'wallet'; readonly balances: ReadonlyArray<Balance> };

/** What one inbound frame meant to the connection actor. */
export type StreamFrame<E> =
  | { readonly kind: 'events'; readonly events: ReadonlyArray<E> }
  | { readonly kind: 'pong' }
  | { readonly kind: 'auth'; readonly ok: boolean; readonly message: string }
  | { readonly kind: 'subscribed'; readonly ok: boolean; readonly message: string }
  | { readonly kind: 'ignored' }
  /** A frame that failed to decode (X-RT-10): logged with the payload redacted, never thrown. */
  | { readonly kind: 'invalid'; readonly message: string };

/** Everything a connection actor needs to run one venue stream. */
export interface StreamDescription<E> {
  readonly name: string;
  readonly url: string;
  /** Private streams authenticate first; `now` is the offset-corrected venue time in ms. */
  readonly authFrame?: ((now: number) => string) | undefined;
  readonly subscribeFrames: () => ReadonlyArray<string>;
  readonly pingFrame: () => string;
  /** Venue-recommended heartbeat interval (Bybit: 20 s). */
  readonly pingIntervalMs: number;
  readonly decode: (raw: string) => StreamFrame<E>;
}
