/**
 * Venue-neutral stream vocabulary: the normalized market and account events adapters decode websocket frames into,
 * and the `StreamDescription` a connection actor needs to run a venue's stream (frames built at `open(now)`, an
 * optional REST keepalive, the heartbeat mode, the sequence scope, decoding). Types and one pure helper; the
 * connection actor owns sockets, reconnects and timers, an adapter never does.
 */
import type { Effect } from 'effect';
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
      /** The venue's per-symbol update id (Bybit `u`; Binance `u`, the last id of the event). */
      readonly updateId: number;
      /** The first update id the event covers when the venue sends a range (Binance `U`). */
      readonly firstUpdateId?: number | undefined;
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

/** A book event (snapshot or delta) of the market stream. */
export type BookEvent = Extract<MarketEvent, { readonly type: 'book' }>;

/** What a book sequence rule says about one delta: apply it, drop it as already covered, or a gap. */
export type BookSequenceVerdict =
  | { readonly verdict: 'apply' }
  | { readonly verdict: 'stale' }
  | { readonly verdict: 'gap'; readonly expected: number; readonly got: number };

/**
 * How a venue's book deltas follow a REST snapshot and each other (implementations: `src/market/OrderBook.ts`).
 * Pure; `bridge` judges the first delta after a REST snapshot, `follow` every later one.
 */
export interface BookSequenceRule {
  readonly name: string;
  bridge(snapshotUpdateId: number, delta: BookEvent): BookSequenceVerdict;
  follow(lastUpdateId: number, delta: BookEvent): BookSequenceVerdict;
}

/** What one inbound frame meant to the connection actor (its kind), with the envelope's connection sequence. */
export type StreamFrame<E> = StreamFrameKind<E> & {
  /** The per-connection counter of the envelope when the venue numbers every envelope (Coinbase `sequence_num`). */
  readonly connectionSequence?: number | undefined;
};

/** The kinds of inbound frames. */
export type StreamFrameKind<E> =
  | { readonly kind: 'events'; readonly events: ReadonlyArray<E> }
  | { readonly kind: 'pong' }
  /** A message of a subscribed heartbeat channel (Coinbase `heartbeats`): proof of life, no data. */
  | { readonly kind: 'heartbeat' }
  | { readonly kind: 'auth'; readonly ok: boolean; readonly message: string }
  | { readonly kind: 'subscribed'; readonly ok: boolean; readonly message: string }
  | { readonly kind: 'ignored' }
  /** A frame that failed to decode (X-RT-10): logged with the payload redacted, never thrown. */
  | { readonly kind: 'invalid'; readonly message: string };

/** The URL and frames of one socket, built when the socket is requested. */
export interface StreamOpening {
  /** May embed a credential (a Binance listen key): the host logs it without its query. */
  readonly url: string;
  /** Sent first, one venue ack each; empty when the stream authenticates inside its subscribe frames or not at all. */
  readonly authFrames: ReadonlyArray<string>;
  /** Sent once authenticated, one venue ack each; empty when the URL names the streams (Binance `/stream?streams=`). */
  readonly subscribeFrames: ReadonlyArray<string>;
}

/** How the liveness of a socket is proven. */
export type StreamHeartbeat =
  /** An application frame every `everyMs`, answered by a `pong` frame (Bybit `{"op":"ping"}` every 20 s). */
  | { readonly mode: 'app_ping'; readonly everyMs: number; readonly frame: () => string }
  /** A websocket ping frame every `everyMs`, answered by a pong frame (Binance). */
  | { readonly mode: 'protocol_ping'; readonly everyMs: number }
  /** A subscribed heartbeat channel (Coinbase `heartbeats`); checked every `everyMs`: a stale channel is a dead socket. */
  | { readonly mode: 'heartbeat_channel'; readonly everyMs: number };

/** A REST call that keeps the stream's credential alive (Binance listen key); a failure reconnects the stream. */
export interface StreamKeepalive {
  readonly everyMs: number;
  readonly run: () => Promise<void> | Effect.Effect<void, unknown>;
}

/** Where a stream's sequence numbers live. */
export type StreamSequence =
  /** Each book numbers its own updates (Bybit `u`, Binance `U/u/pu`), judged by `rule` (default: strict `u + 1`). */
  | { readonly scope: 'per_book'; readonly rule?: BookSequenceRule | undefined }
  /**
   * One counter over every envelope of the socket, read by the decoder into `connectionSequence` (Coinbase
   * `sequence_num` across channels): a gap resyncs everything on that connection.
   */
  | { readonly scope: 'per_connection'; readonly rule?: BookSequenceRule | undefined };

/** Everything a connection actor needs to run one venue stream. */
export interface StreamDescription<E> {
  readonly name: string;
  /**
   * Builds the URL and frames of one socket; `now` is the offset-corrected venue time in ms (signatures, a JWT per
   * frame). It may call REST first (create a listen key); a rejection fails the connect and the actor reconnects.
   */
  readonly open: (now: number) => StreamOpening | Promise<StreamOpening>;
  readonly heartbeat: StreamHeartbeat;
  readonly keepalive?: StreamKeepalive | undefined;
  readonly sequence: StreamSequence;
  readonly decode: (raw: string) => StreamFrame<E>;
}

/** Returns the description with every socket opened at `url` instead (a relay, a scripted peer, a simulator). */
export const withUrl = <E>(description: StreamDescription<E>, url: string): StreamDescription<E> => ({
  ...description,
  open: (now) => {
    const opening = description.open(now);
    return opening instanceof Promise ? opening.then((o) => ({ ...o, url })) : { ...opening, url };
  },
});
