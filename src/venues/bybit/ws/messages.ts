/**
 * Bybit v5 WS wire schemas (effect/Schema), named `BybitWs<Thing>`: operation replies (pong, auth, subscribe),
 * public topic messages and private topic messages, with the same decode-time semantic checks as the REST schemas
 * (positive prices, non-negative sizes, consistent bars, plausible timestamps). These types never leave
 * `src/venues/bybit/`.
 */
import { Schema } from 'effect';
import { Decimal } from '../../../domain/money.ts';
import {
  BybitHttpExecution,
  BybitHttpOrder,
  BybitHttpPosition,
  BybitHttpWallet,
  BybitLevel,
  BybitNonNegativeDecimalString,
  BybitOptionalNonNegativeDecimalString,
  BybitOptionalPriceString,
  BybitPositiveDecimalString,
  BybitTimestamp,
  BybitUpdateId,
} from '../http/messages.ts';
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
  ts: BybitTimestamp,
  data: Schema.Struct({
    s: Schema.String,
    b: Schema.Array(BybitLevel),
    a: Schema.Array(BybitLevel),
    u: BybitUpdateId,
    seq: Schema.optional(BybitUpdateId),
  }),
  cts: Schema.optional(BybitTimestamp),
});
export type BybitWsOrderbookMessage = typeof BybitWsOrderbookMessage.Type;

/** `publicTrade.{symbol}` message; `S` is the taker side; a trade has a price and a size > 0. */
export const BybitWsTradeMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.String,
  ts: BybitTimestamp,
  data: Schema.Array(
    Schema.Struct({
      T: BybitTimestamp,
      s: Schema.String,
      S: BybitSide,
      v: BybitPositiveDecimalString,
      p: BybitPositiveDecimalString,
      i: Schema.String,
      BT: Schema.optional(Schema.Boolean),
    }),
  ),
});
export type BybitWsTradeMessage = typeof BybitWsTradeMessage.Type;

/**
 * `tickers.{symbol}` message; a `delta` carries only the fields that changed. A price of `""` or zero (an empty book
 * side) means "not set"; sizes are never negative.
 */
export const BybitWsTickerMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.Literal('snapshot', 'delta'),
  ts: BybitTimestamp,
  cs: Schema.optional(BybitUpdateId),
  data: Schema.Struct({
    symbol: Schema.String,
    lastPrice: Schema.optional(BybitOptionalPriceString),
    markPrice: Schema.optional(BybitOptionalPriceString),
    indexPrice: Schema.optional(BybitOptionalPriceString),
    bid1Price: Schema.optional(BybitOptionalPriceString),
    bid1Size: Schema.optional(BybitOptionalNonNegativeDecimalString),
    ask1Price: Schema.optional(BybitOptionalPriceString),
    ask1Size: Schema.optional(BybitOptionalNonNegativeDecimalString),
  }),
});
export type BybitWsTickerMessage = typeof BybitWsTickerMessage.Type;

/** Returns why a bar's prices are inconsistent (high must bound open/close/low from above, low from below), or true. */
const consistentBar = (k: { readonly open: string; readonly high: string; readonly low: string; readonly close: string; readonly start: number; readonly end: number }): true | string => {
  const open = new Decimal(k.open);
  const high = new Decimal(k.high);
  const low = new Decimal(k.low);
  const close = new Decimal(k.close);
  if (high.lt(low)) return 'high must be ≥ low';
  if (high.lt(open) || high.lt(close)) return 'high must be ≥ open and close';
  if (low.gt(open) || low.gt(close)) return 'low must be ≤ open and close';
  return k.end >= k.start || 'end must be ≥ start';
};

/** `kline.{interval}.{symbol}` message; `confirm` marks a closed bar; prices > 0, volume ≥ 0, low ≤ open/close ≤ high. */
export const BybitWsKlineMessage = Schema.Struct({
  topic: Schema.String,
  type: Schema.String,
  ts: BybitTimestamp,
  data: Schema.Array(
    Schema.Struct({
      start: BybitTimestamp,
      end: BybitTimestamp,
      interval: Schema.String,
      open: BybitPositiveDecimalString,
      close: BybitPositiveDecimalString,
      high: BybitPositiveDecimalString,
      low: BybitPositiveDecimalString,
      volume: BybitNonNegativeDecimalString,
      turnover: Schema.optional(BybitNonNegativeDecimalString),
      confirm: Schema.Boolean,
      timestamp: BybitTimestamp,
    }).pipe(Schema.filter(consistentBar)),
  ),
});
export type BybitWsKlineMessage = typeof BybitWsKlineMessage.Type;

const privateEnvelope = <A, I>(item: Schema.Schema<A, I>) =>
  Schema.Struct({
    id: Schema.optional(Schema.String),
    topic: Schema.String,
    creationTime: BybitTimestamp,
    data: Schema.Array(item),
  });

/** An order item on the private stream carries `category`; we decode the fields we use (same as REST). */
export const BybitWsOrder = Schema.extend(BybitHttpOrder, Schema.Struct({ category: Schema.optional(Schema.String) }));
export const BybitWsExecution = Schema.extend(BybitHttpExecution, Schema.Struct({ category: Schema.optional(Schema.String) }));
/** The WS position uses `entryPrice` where REST uses `avgPrice`. */
export const BybitWsPosition = Schema.extend(
  BybitHttpPosition,
  Schema.Struct({ category: Schema.optional(Schema.String), entryPrice: Schema.optional(BybitOptionalPriceString) }),
);

export const BybitWsOrderMessage = privateEnvelope(BybitWsOrder);
export type BybitWsOrderMessage = typeof BybitWsOrderMessage.Type;
export const BybitWsExecutionMessage = privateEnvelope(BybitWsExecution);
export type BybitWsExecutionMessage = typeof BybitWsExecutionMessage.Type;
export const BybitWsPositionMessage = privateEnvelope(BybitWsPosition);
export type BybitWsPositionMessage = typeof BybitWsPositionMessage.Type;
export const BybitWsWalletMessage = privateEnvelope(BybitHttpWallet);
export type BybitWsWalletMessage = typeof BybitWsWalletMessage.Type;
