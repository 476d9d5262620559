/**
 * Bybit v5 REST wire schemas (effect/Schema), named `BybitHttp<Thing>`. Numeric strings are validated here but stay
 * strings; `parse.ts` turns them into domain Decimals. These types never leave `src/venues/bybit/`.
 */
import { Schema } from 'effect';
import { BybitOrderStatus, BybitOrderType, BybitSide, BybitTimeInForce } from '../enums.ts';

/** A decimal number as Bybit sends it: a string such as `"16493.50"`. */
export const BybitDecimalString = Schema.String.pipe(Schema.pattern(/^-?\d+(\.\d+)?$/));
/** A decimal string that may be empty (`""` means "not set", e.g. avgPrice of an unfilled order). */
export const BybitOptionalDecimalString = Schema.String.pipe(Schema.pattern(/^(-?\d+(\.\d+)?)?$/));
/** An integer (ms timestamp) sent as a string, e.g. `"1672364262444"`. */
export const BybitIntString = Schema.String.pipe(Schema.pattern(/^\d+$/));

/** The common response envelope; `result` is decoded per endpoint afterwards. */
export const BybitHttpEnvelope = Schema.Struct({
  retCode: Schema.Number.pipe(Schema.int()),
  retMsg: Schema.String,
  result: Schema.optional(Schema.Unknown),
  retExtInfo: Schema.optional(Schema.Unknown),
  time: Schema.optional(Schema.Number),
});
export type BybitHttpEnvelope = typeof BybitHttpEnvelope.Type;

/** `GET /v5/market/time` result. */
export const BybitHttpServerTime = Schema.Struct({
  timeSecond: BybitIntString,
  timeNano: BybitIntString,
});
export type BybitHttpServerTime = typeof BybitHttpServerTime.Type;

/** One linear instrument of `GET /v5/market/instruments-info`. */
export const BybitHttpInstrument = Schema.Struct({
  symbol: Schema.String,
  contractType: Schema.String,
  status: Schema.String,
  baseCoin: Schema.String,
  quoteCoin: Schema.String,
  settleCoin: Schema.optional(Schema.String),
  priceFilter: Schema.Struct({
    minPrice: BybitDecimalString,
    maxPrice: BybitDecimalString,
    tickSize: BybitDecimalString,
  }),
  lotSizeFilter: Schema.Struct({
    maxOrderQty: BybitDecimalString,
    minOrderQty: BybitDecimalString,
    qtyStep: BybitDecimalString,
    maxMktOrderQty: Schema.optional(BybitDecimalString),
    minNotionalValue: Schema.optional(BybitDecimalString),
  }),
  leverageFilter: Schema.Struct({
    minLeverage: BybitDecimalString,
    maxLeverage: BybitDecimalString,
    leverageStep: BybitDecimalString,
  }),
});
export type BybitHttpInstrument = typeof BybitHttpInstrument.Type;

export const BybitHttpInstrumentsInfo = Schema.Struct({
  category: Schema.String,
  list: Schema.Array(BybitHttpInstrument),
  nextPageCursor: Schema.optional(Schema.String),
});
export type BybitHttpInstrumentsInfo = typeof BybitHttpInstrumentsInfo.Type;

/** A book level `[price, size]`. */
export const BybitLevel = Schema.Tuple(BybitDecimalString, BybitDecimalString);

/** `GET /v5/market/orderbook` result (a snapshot; `u` matches the WS 200-level book's `u`). */
export const BybitHttpOrderbook = Schema.Struct({
  s: Schema.String,
  b: Schema.Array(BybitLevel),
  a: Schema.Array(BybitLevel),
  ts: Schema.Number,
  u: Schema.Number.pipe(Schema.int()),
  seq: Schema.optional(Schema.Number),
});
export type BybitHttpOrderbook = typeof BybitHttpOrderbook.Type;

/** `{orderId, orderLinkId}`: the result of create / amend / cancel. */
export const BybitHttpOrderId = Schema.Struct({
  orderId: Schema.String,
  orderLinkId: Schema.String,
});
export type BybitHttpOrderId = typeof BybitHttpOrderId.Type;

/** `POST /v5/order/cancel-all` result for linear. */
export const BybitHttpCancelAll = Schema.Struct({
  list: Schema.Array(BybitHttpOrderId),
});
export type BybitHttpCancelAll = typeof BybitHttpCancelAll.Type;

/** One order of `GET /v5/order/realtime` / `GET /v5/order/history` (also the WS `order` item). */
export const BybitHttpOrder = Schema.Struct({
  orderId: Schema.String,
  orderLinkId: Schema.String,
  symbol: Schema.String,
  price: BybitOptionalDecimalString,
  qty: BybitDecimalString,
  side: BybitSide,
  orderStatus: BybitOrderStatus,
  cancelType: Schema.optional(Schema.String),
  rejectReason: Schema.optional(Schema.String),
  avgPrice: Schema.optional(BybitOptionalDecimalString),
  cumExecQty: BybitOptionalDecimalString,
  timeInForce: BybitTimeInForce,
  orderType: BybitOrderType,
  stopOrderType: Schema.optional(Schema.String),
  reduceOnly: Schema.Boolean,
  closeOnTrigger: Schema.optional(Schema.Boolean),
  createdTime: BybitIntString,
  updatedTime: BybitIntString,
});
export type BybitHttpOrder = typeof BybitHttpOrder.Type;

export const BybitHttpOrderList = Schema.Struct({
  list: Schema.Array(BybitHttpOrder),
  nextPageCursor: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
});
export type BybitHttpOrderList = typeof BybitHttpOrderList.Type;

/** One execution of `GET /v5/execution/list` (also the WS `execution` item). */
export const BybitHttpExecution = Schema.Struct({
  symbol: Schema.String,
  orderId: Schema.String,
  orderLinkId: Schema.String,
  side: BybitSide,
  execId: Schema.String,
  execPrice: BybitDecimalString,
  execQty: BybitDecimalString,
  execFee: BybitOptionalDecimalString,
  execType: Schema.String,
  execTime: BybitIntString,
  feeCurrency: Schema.optional(Schema.String),
  isMaker: Schema.Boolean,
  seq: Schema.optional(Schema.Number),
});
export type BybitHttpExecution = typeof BybitHttpExecution.Type;

export const BybitHttpExecutionList = Schema.Struct({
  list: Schema.Array(BybitHttpExecution),
  nextPageCursor: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
});
export type BybitHttpExecutionList = typeof BybitHttpExecutionList.Type;

/** One position of `GET /v5/position/list`. `side` is `""` (UTA) or `None` (classic) when flat. */
export const BybitHttpPosition = Schema.Struct({
  symbol: Schema.String,
  side: Schema.Literal('Buy', 'Sell', '', 'None'),
  size: BybitDecimalString,
  avgPrice: Schema.optional(BybitOptionalDecimalString),
  markPrice: Schema.optional(BybitOptionalDecimalString),
  unrealisedPnl: Schema.optional(BybitOptionalDecimalString),
  leverage: Schema.optional(BybitOptionalDecimalString),
  takeProfit: Schema.optional(BybitOptionalDecimalString),
  stopLoss: Schema.optional(BybitOptionalDecimalString),
  tpTriggerBy: Schema.optional(Schema.String),
  slTriggerBy: Schema.optional(Schema.String),
  updatedTime: Schema.optional(BybitIntString),
  seq: Schema.optional(Schema.Number),
});
export type BybitHttpPosition = typeof BybitHttpPosition.Type;

export const BybitHttpPositionList = Schema.Struct({
  list: Schema.Array(BybitHttpPosition),
  nextPageCursor: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
});
export type BybitHttpPositionList = typeof BybitHttpPositionList.Type;

/** One coin of a wallet (REST `wallet-balance` and WS `wallet`). */
export const BybitHttpWalletCoin = Schema.Struct({
  coin: Schema.String,
  equity: Schema.optional(BybitOptionalDecimalString),
  walletBalance: BybitDecimalString,
  availableToWithdraw: Schema.optional(BybitOptionalDecimalString),
  totalOrderIM: Schema.optional(BybitOptionalDecimalString),
  totalPositionIM: Schema.optional(BybitOptionalDecimalString),
  locked: Schema.optional(BybitOptionalDecimalString),
});
export type BybitHttpWalletCoin = typeof BybitHttpWalletCoin.Type;

export const BybitHttpWallet = Schema.Struct({
  accountType: Schema.String,
  coin: Schema.Array(BybitHttpWalletCoin),
});
export type BybitHttpWallet = typeof BybitHttpWallet.Type;

export const BybitHttpWalletBalance = Schema.Struct({
  list: Schema.Array(BybitHttpWallet),
});
export type BybitHttpWalletBalance = typeof BybitHttpWalletBalance.Type;

/** Results with no content (`trading-stop`, `set-leverage`): anything object-like. */
export const BybitHttpEmpty = Schema.Unknown;
