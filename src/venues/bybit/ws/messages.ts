/**
 * Bybit v5 WS wire schemas (effect/Schema), named `BybitWs<Thing>`: operation replies (pong, auth, subscribe),
 * public topic messages and private topic messages. These types never leave `src/venues/bybit/`.
 */
import { Schema } from 'effect';
import { BybitDecimalString, BybitHttpExecution, BybitHttpOrder, BybitHttpPosition, BybitHttpWallet, BybitLevel, BybitOptionalDecimalString } from '../http/messages.ts';
import { BybitSide } from '../enums.ts';

/** A reply to an `op` request: pong, auth or subscribe (shapes differ slightly between public and private). */
export const BybitWsOpReply = Schema.Struct({
  op: Schema.String,
  success: Schema.optional(Schema.Boolean),
  ret_msg: Schema.optional(Schema.String),
  conn_id: Schema.optional(Schema.String),
  req_id: Schema.optional(Schema.String),
  args: Schema.optional(Schema.Array(Schema.String)),
});
export type BybitWsOpReply = typeof BybitWsOpReply.Type;

/** `orderbook.{depth}.{symbol}` message: sizes are absolute; `"0"` deletes a level. */
export const BybitWsOrderbookMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.Literal('snapshot', 'delta'),
  ts: Schema.Number,
  data: Schema.Struct({
    s: Schema.String,
    b: Schema.Array(BybitLevel),
    a: Schema.Array(BybitLevel),
    u: Schema.Number.pipe(Schema.int()),
    seq: Schema.optional(Schema.Number),
  }),
  cts: Schema.optional(Schema.Number),
});
export type BybitWsOrderbookMessage = typeof BybitWsOrderbookMessage.Type;

/** `publicTrade.{symbol}` message; `S` is the taker side. */
export const BybitWsTradeMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.String,
  ts: Schema.Number,
  data: Schema.Array(
    Schema.Struct({
      T: Schema.Number,
      s: Schema.String,
      S: BybitSide,
      v: BybitDecimalString,
      p: BybitDecimalString,
      i: Schema.String,
      BT: Schema.optional(Schema.Boolean),
    }),
  ),
});
export type BybitWsTradeMessage = typeof BybitWsTradeMessage.Type;

/** `tickers.{symbol}` message; a `delta` carries only the fields that changed. */
export const BybitWsTickerMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.Literal('snapshot', 'delta'),
  ts: Schema.Number,
  cs: Schema.optional(Schema.Number),
  data: Schema.Struct({
    symbol: Schema.String,
    lastPrice: Schema.optional(BybitOptionalDecimalString),
    markPrice: Schema.optional(BybitOptionalDecimalString),
    indexPrice: Schema.optional(BybitOptionalDecimalString),
    bid1Price: Schema.optional(BybitOptionalDecimalString),
    bid1Size: Schema.optional(BybitOptionalDecimalString),
    ask1Price: Schema.optional(BybitOptionalDecimalString),
    ask1Size: Schema.optional(BybitOptionalDecimalString),
  }),
});
export type BybitWsTickerMessage = typeof BybitWsTickerMessage.Type;

/** `kline.{interval}.{symbol}` message; `confirm` marks a closed bar. */
export const BybitWsKlineMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.String,
  ts: Schema.Number,
  data: Schema.Array(
    Schema.Struct({
      start: Schema.Number,
      end: Schema.Number,
      interval: Schema.String,
      open: BybitDecimalString,
      close: BybitDecimalString,
      high: BybitDecimalString,
      low: BybitDecimalString,
      volume: BybitDecimalString,
      turnover: Schema.optional(BybitDecimalString),
      confirm: Schema.Boolean,
      timestamp: Schema.Number,
    }),
  ),
});
export type BybitWsKlineMessage = typeof BybitWsKlineMessage.Type;

const privateEnvelope = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({
    id: Schema.optional(Schema.String),
    topic: Schema.String,
    creationTime: Schema.Number,
    data: Schema.Array(item),
  });

/** An order item on the private stream carries `category`; we decode the fields we use (same as REST). */
export const BybitWsOrder = Schema.extend(BybitHttpOrder, Schema.Struct({ category: Schema.optional(Schema.String) }));
export const BybitWsExecution = Schema.extend(BybitHttpExecution, Schema.Struct({ category: Schema.optional(Schema.String) }));
/** The WS position uses `entryPrice` where REST uses `avgPrice`. */
export const BybitWsPosition = Schema.extend(
  BybitHttpPosition,
  Schema.Struct({ category: Schema.optional(Schema.String), entryPrice: Schema.optional(BybitOptionalDecimalString) }),
);

export const BybitWsOrderMessage = privateEnvelope(BybitWsOrder);
export type BybitWsOrderMessage = typeof BybitWsOrderMessage.Type;
export const BybitWsExecutionMessage = privateEnvelope(BybitWsExecution);
export type BybitWsExecutionMessage = typeof BybitWsExecutionMessage.Type;
export const BybitWsPositionMessage = privateEnvelope(BybitWsPosition);
export type BybitWsPositionMessage = typeof BybitWsPositionMessage.Type;
export const BybitWsWalletMessage = privateEnvelope(BybitHttpWallet);
export type BybitWsWalletMessage = typeof BybitWsWalletMessage.Type;
