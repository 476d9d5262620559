/**
 * Bybit v5 REST wire schemas (effect/Schema), named `BybitHttp<Thing>`. Numeric strings are validated here but stay
 * strings; `parse.ts` turns them into domain Decimals. Semantic checks run at decode time too (issue 10): prices are
 * positive where set, sizes are never negative, a fill has a positive quantity, an order never has more filled than
 * ordered, a bar's high and low bound its open and close, timestamps lie between 2015 and 2100. A frame that breaks
 * one is refused like a malformed one. These types never leave `src/venues/bybit/`.
 */
import { Schema } from 'effect';
import { Decimal } from '../../../domain/money.ts';
import { BybitOrderStatus, BybitOrderType, BybitPositionIdx, BybitSide, BybitTimeInForce, isFillExecType } from '../enums.ts';

const SIGNED_DECIMAL = /^-?\d+(\.\d+)?$/;
const UNSIGNED_DECIMAL = /^\d+(\.\d+)?$/;
const ZERO_DECIMAL = /^0+(\.0+)?$/;
const OPTIONAL_UNSIGNED_DECIMAL = /^(\d+(\.\d+)?)?$/;

/** The earliest plausible venue timestamp: 2015-01-01T00:00:00Z in ms (Bybit launched in 2018). */
export const PLAUSIBLE_MIN_MS = Date.UTC(2015, 0, 1);
/** The latest plausible venue timestamp: 2100-01-01T00:00:00Z in ms. */
export const PLAUSIBLE_MAX_MS = Date.UTC(2100, 0, 1);

/** Returns whether `ms` is a plausible venue timestamp: an integer between 2015-01-01 and 2100-01-01. */
export const isPlausibleMs = (ms: number): boolean => Number.isInteger(ms) && ms >= PLAUSIBLE_MIN_MS && ms <= PLAUSIBLE_MAX_MS;

/** A decimal number as Bybit sends it: a string such as `"16493.50"`, possibly negative (fees, PnL, balances). */
export const BybitDecimalString = Schema.String.pipe(Schema.pattern(SIGNED_DECIMAL));
/** A signed decimal string that may be empty (`""` means "not set"). */
export const BybitOptionalDecimalString = Schema.String.pipe(Schema.pattern(/^(-?\d+(\.\d+)?)?$/));
/** A size, quantity or margin: a decimal string that is never negative. */
export const BybitNonNegativeDecimalString = Schema.String.pipe(Schema.pattern(UNSIGNED_DECIMAL, { message: () => 'must be a decimal ≥ 0' }));
/** A non-negative decimal string that may be empty (`""` means "not set"). */
export const BybitOptionalNonNegativeDecimalString = Schema.String.pipe(Schema.pattern(OPTIONAL_UNSIGNED_DECIMAL, { message: () => 'must be empty or a decimal ≥ 0' }));
/** A price, step or limit that must be set: a decimal string > 0. */
export const BybitPositiveDecimalString = BybitNonNegativeDecimalString.pipe(Schema.filter((s) => !ZERO_DECIMAL.test(s) || 'must be > 0'));
/**
 * A price that may be unset: `""` or zero (`"0"`, `"0.00"`) means "not set" (Bybit's convention for TP/SL, average
 * price of an unfilled order, trigger price); anything else must be > 0.
 */
export const BybitOptionalPriceString = BybitOptionalNonNegativeDecimalString;
/** An integer sent as a string, e.g. `"1672364262444"`. */
export const BybitIntString = Schema.String.pipe(Schema.pattern(/^\d+$/));
/** A plausible timestamp in ms (integer between 2015 and 2100). */
export const BybitTimestamp = Schema.Number.pipe(Schema.filter((n) => isPlausibleMs(n) || 'must be a timestamp in ms between 2015 and 2100'));
/** A plausible timestamp in ms sent as a string, e.g. `"1672364262444"`. */
export const BybitTimestampString = Schema.String.pipe(
  Schema.filter((s) => (/^\d{1,16}$/.test(s) && isPlausibleMs(Number(s))) || 'must be a timestamp in ms between 2015 and 2100'),
);
/** An update id or sequence: a safe integer ≥ 0. */
export const BybitUpdateId = Schema.Number.pipe(Schema.int(), Schema.between(0, Number.MAX_SAFE_INTEGER));
/** A sequence that is `-1` when there is none yet (a position that never traded). */
export const BybitSequence = Schema.Number.pipe(Schema.int(), Schema.between(-1, Number.MAX_SAFE_INTEGER));

// The checks above as plain predicates, for the WS hot path (ws/fastPublic.ts): same expressions, no decoder. The
// schemas stay the specification; tests/venues/bybit/fastDecode.test.ts proves both agree.
/** Returns whether `v` passes `BybitNonNegativeDecimalString`. */
export const isNonNegativeDecimalString = (v: unknown): v is string => typeof v === 'string' && UNSIGNED_DECIMAL.test(v);
/** Returns whether `v` passes `BybitPositiveDecimalString`. */
export const isPositiveDecimalString = (v: unknown): v is string => typeof v === 'string' && UNSIGNED_DECIMAL.test(v) && !ZERO_DECIMAL.test(v);
/** Returns whether `v` passes `BybitOptionalNonNegativeDecimalString` (and so `BybitOptionalPriceString`). */
export const isOptionalNonNegativeDecimalString = (v: unknown): v is string => typeof v === 'string' && OPTIONAL_UNSIGNED_DECIMAL.test(v);
/** Returns whether `v` passes `BybitTimestamp`. */
export const isTimestampMs = (v: unknown): v is number => typeof v === 'number' && isPlausibleMs(v);
/** Returns whether `v` passes `BybitUpdateId` (a safe integer is at most `MAX_SAFE_INTEGER`). */
export const isUpdateId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Returns the Decimal of a string already validated by one of the decimal schemas above (`""` is zero). */
const dec = (s: string | undefined): Decimal => new Decimal(s === undefined || s === '' ? '0' : s);

/**
 * The common response envelope; `result` is decoded per endpoint afterwards. `time` is informational (error replies
 * of some gateways carry odd values), so it is checked by the client rather than refused here.
 */
export const BybitHttpEnvelope = Schema.Struct({
  retCode: Schema.Number.pipe(Schema.int()),
  retMsg: Schema.String,
  result: Schema.optional(Schema.Unknown),
  retExtInfo: Schema.optional(Schema.Unknown),
  time: Schema.optional(Schema.Number),
});
export type BybitHttpEnvelope = typeof BybitHttpEnvelope.Type;

const PLAUSIBLE_MIN_NS = BigInt(PLAUSIBLE_MIN_MS) * 1_000_000n;
const PLAUSIBLE_MAX_NS = BigInt(PLAUSIBLE_MAX_MS) * 1_000_000n;

/** `GET /v5/market/time` result: the same instant in seconds and in nanoseconds. */
export const BybitHttpServerTime = Schema.Struct({
  timeSecond: BybitIntString.pipe(
    Schema.filter((s) => (s.length <= 13 && isPlausibleMs(Number(s) * 1000)) || 'must be a time in seconds between 2015 and 2100'),
  ),
  timeNano: BybitIntString.pipe(
    Schema.filter((s) => {
      if (s.length > 22) return 'must be a time in ns between 2015 and 2100';
      const ns = BigInt(s);
      return (ns >= PLAUSIBLE_MIN_NS && ns <= PLAUSIBLE_MAX_NS) || 'must be a time in ns between 2015 and 2100';
    }),
  ),
});
export type BybitHttpServerTime = typeof BybitHttpServerTime.Type;

/** One linear instrument of `GET /v5/market/instruments-info`: steps and limits are positive, minima ≤ maxima. */
export const BybitHttpInstrument = Schema.Struct({
  symbol: Schema.String,
  contractType: Schema.String,
  status: Schema.String,
  baseCoin: Schema.String,
  quoteCoin: Schema.String,
  settleCoin: Schema.optional(Schema.String),
  priceFilter: Schema.Struct({
    minPrice: BybitNonNegativeDecimalString,
    maxPrice: BybitPositiveDecimalString,
    tickSize: BybitPositiveDecimalString,
  }).pipe(Schema.filter((f) => dec(f.minPrice).lte(dec(f.maxPrice)) || 'minPrice must be ≤ maxPrice')),
  lotSizeFilter: Schema.Struct({
    maxOrderQty: BybitPositiveDecimalString,
    minOrderQty: BybitNonNegativeDecimalString,
    qtyStep: BybitPositiveDecimalString,
    maxMktOrderQty: Schema.optional(BybitPositiveDecimalString),
    minNotionalValue: Schema.optional(BybitNonNegativeDecimalString),
  }).pipe(Schema.filter((f) => dec(f.minOrderQty).lte(dec(f.maxOrderQty)) || 'minOrderQty must be ≤ maxOrderQty')),
  leverageFilter: Schema.Struct({
    minLeverage: BybitPositiveDecimalString,
    maxLeverage: BybitPositiveDecimalString,
    leverageStep: BybitPositiveDecimalString,
  }).pipe(Schema.filter((f) => dec(f.minLeverage).lte(dec(f.maxLeverage)) || 'minLeverage must be ≤ maxLeverage')),
  /** The order-price band around the mark (fractions); `""` or absent: none published. */
  riskParameters: Schema.optional(
    Schema.Struct({
      priceLimitRatioX: Schema.optional(BybitOptionalNonNegativeDecimalString),
      priceLimitRatioY: Schema.optional(BybitOptionalNonNegativeDecimalString),
    }),
  ),
});
export type BybitHttpInstrument = typeof BybitHttpInstrument.Type;

export const BybitHttpInstrumentsInfo = Schema.Struct({
  category: Schema.String,
  list: Schema.Array(BybitHttpInstrument),
  nextPageCursor: Schema.optional(Schema.String),
});
export type BybitHttpInstrumentsInfo = typeof BybitHttpInstrumentsInfo.Type;

/** A book level `[price, size]`: price > 0, size ≥ 0 (a delta's `"0"` deletes the level). */
export const BybitLevel = Schema.Tuple(BybitPositiveDecimalString, BybitNonNegativeDecimalString);

/** `GET /v5/market/orderbook` result (a snapshot; `u` matches the WS 200-level book's `u`). */
export const BybitHttpOrderbook = Schema.Struct({
  s: Schema.String,
  b: Schema.Array(BybitLevel),
  a: Schema.Array(BybitLevel),
  ts: BybitTimestamp,
  u: BybitUpdateId,
  seq: Schema.optional(BybitUpdateId),
});
export type BybitHttpOrderbook = typeof BybitHttpOrderbook.Type;

/** Returns why a kline's prices are inconsistent (high bounds open, close and low from above; low from below), or true. */
const consistentKline = (k: readonly [string, string, string, string, string, ...string[]]): true | string => {
  const [, o, h, l, c] = k;
  const open = dec(o);
  const high = dec(h);
  const low = dec(l);
  const close = dec(c);
  if (high.lt(low)) return 'high must be ≥ low';
  if (high.lt(open) || high.lt(close)) return 'high must be ≥ open and close';
  return (low.lte(open) && low.lte(close)) || 'low must be ≤ open and close';
};

/**
 * One candle of `GET /v5/market/kline`: `[startTime, open, high, low, close, volume, turnover]`, every value a string;
 * prices > 0, volume and turnover ≥ 0, low ≤ open/close ≤ high. Trailing fields Bybit may add later are allowed.
 */
export const BybitHttpKline = Schema.Tuple(
  [BybitTimestampString, BybitPositiveDecimalString, BybitPositiveDecimalString, BybitPositiveDecimalString, BybitPositiveDecimalString, BybitNonNegativeDecimalString, BybitNonNegativeDecimalString],
  Schema.String,
).pipe(Schema.filter(consistentKline));
export type BybitHttpKline = typeof BybitHttpKline.Type;

/** `GET /v5/market/kline` result: the candles sorted newest first (docs: "Sort in reverse by startTime"). */
export const BybitHttpKlineList = Schema.Struct({
  category: Schema.optional(Schema.String),
  symbol: Schema.String,
  list: Schema.Array(BybitHttpKline),
});
export type BybitHttpKlineList = typeof BybitHttpKlineList.Type;

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

/**
 * One order of `GET /v5/order/realtime` / `GET /v5/order/history` (also the WS `order` item). `price` and `avgPrice`
 * of `"0"`/`""` mean "not set" (market order, nothing filled yet); the filled quantity never exceeds the ordered one.
 */
export const BybitHttpOrder = Schema.Struct({
  orderId: Schema.String,
  orderLinkId: Schema.String,
  symbol: Schema.String,
  price: BybitOptionalPriceString,
  qty: BybitNonNegativeDecimalString,
  side: BybitSide,
  orderStatus: BybitOrderStatus,
  cancelType: Schema.optional(Schema.String),
  rejectReason: Schema.optional(Schema.String),
  avgPrice: Schema.optional(BybitOptionalPriceString),
  cumExecQty: BybitOptionalNonNegativeDecimalString,
  timeInForce: BybitTimeInForce,
  orderType: BybitOrderType,
  stopOrderType: Schema.optional(Schema.String),
  reduceOnly: Schema.Boolean,
  closeOnTrigger: Schema.optional(Schema.Boolean),
  createdTime: BybitTimestampString,
  updatedTime: BybitTimestampString,
}).pipe(Schema.filter((o) => dec(o.cumExecQty).lte(dec(o.qty)) || 'cumExecQty must be ≤ qty'));
export type BybitHttpOrder = typeof BybitHttpOrder.Type;

export const BybitHttpOrderList = Schema.Struct({
  list: Schema.Array(BybitHttpOrder),
  nextPageCursor: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
});
export type BybitHttpOrderList = typeof BybitHttpOrderList.Type;

/**
 * One execution of `GET /v5/execution/list` (also the WS `execution` item). A trade execution (a fill) has a price and
 * a quantity > 0; the fee is signed (a maker rebate is negative).
 */
export const BybitHttpExecution = Schema.Struct({
  symbol: Schema.String,
  orderId: Schema.String,
  orderLinkId: Schema.String,
  side: BybitSide,
  execId: Schema.String,
  execPrice: BybitNonNegativeDecimalString,
  execQty: BybitNonNegativeDecimalString,
  execFee: BybitOptionalDecimalString,
  execType: Schema.String,
  execTime: BybitTimestampString,
  feeCurrency: Schema.optional(Schema.String),
  isMaker: Schema.Boolean,
  seq: Schema.optional(BybitSequence),
}).pipe(
  Schema.filter((e) => {
    if (!isFillExecType(e.execType)) return true;
    if (ZERO_DECIMAL.test(e.execQty)) return 'execQty of a fill must be > 0';
    return !ZERO_DECIMAL.test(e.execPrice) || 'execPrice of a fill must be > 0';
  }),
);
export type BybitHttpExecution = typeof BybitHttpExecution.Type;

export const BybitHttpExecutionList = Schema.Struct({
  list: Schema.Array(BybitHttpExecution),
  nextPageCursor: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
});
export type BybitHttpExecutionList = typeof BybitHttpExecutionList.Type;

/**
 * One position of `GET /v5/position/list`. `side` is `""` (UTA) or `None` (classic) when flat; `size` is absolute;
 * prices of `"0"`/`""` mean "not set". A flat position that never traded reports `updatedTime` `"0"`. `positionIdx`
 * names a hedge-mode leg (1 the Buy side, 2 the Sell side; 0 one-way): a leg is never on the other leg's side.
 */
export const BybitHttpPosition = Schema.Struct({
  positionIdx: Schema.optional(BybitPositionIdx),
  symbol: Schema.String,
  side: Schema.Literal('Buy', 'Sell', '', 'None'),
  size: BybitNonNegativeDecimalString,
  avgPrice: Schema.optional(BybitOptionalPriceString),
  markPrice: Schema.optional(BybitOptionalPriceString),
  unrealisedPnl: Schema.optional(BybitOptionalDecimalString),
  leverage: Schema.optional(BybitOptionalNonNegativeDecimalString),
  takeProfit: Schema.optional(BybitOptionalPriceString),
  stopLoss: Schema.optional(BybitOptionalPriceString),
  tpTriggerBy: Schema.optional(Schema.String),
  slTriggerBy: Schema.optional(Schema.String),
  updatedTime: Schema.optional(Schema.Union(Schema.Literal('0'), BybitTimestampString)),
  seq: Schema.optional(BybitSequence),
}).pipe(
  Schema.filter((p) => {
    if (p.positionIdx === 1 && p.side === 'Sell') return 'a positionIdx 1 (Buy side) position must not be on the Sell side';
    return !(p.positionIdx === 2 && p.side === 'Buy') || 'a positionIdx 2 (Sell side) position must not be on the Buy side';
  }),
);
export type BybitHttpPosition = typeof BybitHttpPosition.Type;

export const BybitHttpPositionList = Schema.Struct({
  list: Schema.Array(BybitHttpPosition),
  nextPageCursor: Schema.optional(Schema.String),
  category: Schema.optional(Schema.String),
});
export type BybitHttpPositionList = typeof BybitHttpPositionList.Type;

/**
 * One coin of a wallet (REST `wallet-balance` and WS `wallet`). Balance and equity are signed (a unified account can
 * owe a coin); margins, locked and withdrawable amounts are not.
 */
export const BybitHttpWalletCoin = Schema.Struct({
  coin: Schema.String,
  equity: Schema.optional(BybitOptionalDecimalString),
  walletBalance: BybitDecimalString,
  availableToWithdraw: Schema.optional(BybitOptionalNonNegativeDecimalString),
  totalOrderIM: Schema.optional(BybitOptionalNonNegativeDecimalString),
  totalPositionIM: Schema.optional(BybitOptionalNonNegativeDecimalString),
  locked: Schema.optional(BybitOptionalNonNegativeDecimalString),
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
