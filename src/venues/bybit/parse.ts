/**
 * The only file that speaks both vocabularies: Bybit wire types (already Schema-decoded) → domain types, and domain
 * values → wire strings. Prices and quantities are formatted at the instrument's tick/step and never pass through a
 * float; nothing here rounds (rounding lives in src/domain/rounding.ts). Its inputs passed the wire schemas' semantic
 * checks, so a conversion here does not throw on them; callers still guard it (issue 10). Pure; performs no I/O.
 */
import { Decimal, ZERO } from '../../domain/money.ts';
import type { Instrument } from '../../domain/Instrument.ts';
import { isMultipleOf } from '../../domain/rounding.ts';
import type { Balance, Fill, Position, VenueOrder } from '../../domain/orders.ts';
import type { BookLevel, BookSnapshot, Kline } from '../Venue.ts';
import type { AccountEvent, MarketEvent } from '../streams.ts';
import {
  fromBybitOrderStatus,
  fromBybitOrderType,
  fromBybitPositionIdx,
  fromBybitSide,
  fromBybitTimeInForce,
  fromBybitTriggerBy,
  isFillExecType,
  POST_ONLY_WOULD_TAKE_REASON,
} from './enums.ts';
import type {
  BybitHttpExecution,
  BybitHttpInstrument,
  BybitHttpKline,
  BybitHttpOrder,
  BybitHttpOrderbook,
  BybitHttpPosition,
  BybitHttpServerTime,
  BybitHttpWallet,
} from './http/messages.ts';
import type {
  BybitWsExecutionMessage,
  BybitWsKlineMessage,
  BybitWsOrderbookMessage,
  BybitWsOrderMessage,
  BybitWsPositionMessage,
  BybitWsTickerMessage,
  BybitWsTradeMessage,
  BybitWsWalletMessage,
} from './ws/messages.ts';

/** Returns the Decimal of a validated wire string; `""` is undefined. */
const optionalDecimal = (s: string | undefined): Decimal | undefined => (s === undefined || s === '' ? undefined : new Decimal(s));
/** Returns the Decimal of a validated wire string, zero when empty. */
const decimalOrZero = (s: string | undefined): Decimal => optionalDecimal(s) ?? ZERO;
/** Returns undefined for unset/zero prices: Bybit reports "no TP" as `"0"`, `"0.00"` or `""`. */
const nonZeroDecimal = (s: string | undefined): Decimal | undefined => {
  const d = optionalDecimal(s);
  return d === undefined || d.isZero() ? undefined : d;
};

/** Returns the venue time in ms with sub-ms precision: ns → µs as an exact integer, then to fractional ms. */
export const parseServerTime = (wire: BybitHttpServerTime): number => Number(BigInt(wire.timeNano) / 1000n) / 1000;

/** Returns the order-price band of `riskParameters` when both ratios are set and 0 < X ≤ Y; undefined otherwise. */
const priceLimitRatioOf = (r: BybitHttpInstrument['riskParameters']): Instrument['priceLimitRatio'] => {
  const x = optionalDecimal(r?.priceLimitRatioX);
  const y = optionalDecimal(r?.priceLimitRatioY);
  return x === undefined || y === undefined || !x.gt(ZERO) || x.gt(y) ? undefined : { x, y };
};

/** Returns the instrument for a linear perpetual, or undefined for contract types the domain has no kind for (dated futures). */
export const parseInstrument = (wire: BybitHttpInstrument): Instrument | undefined => {
  if (wire.contractType !== 'LinearPerpetual') return undefined;
  const lot = wire.lotSizeFilter;
  const maxQuantity = new Decimal(lot.maxOrderQty);
  return {
    venue: 'bybit',
    symbol: wire.symbol,
    kind: 'linear_perp',
    baseAsset: wire.baseCoin,
    quoteAsset: wire.quoteCoin,
    settleAsset: wire.settleCoin ?? wire.quoteCoin,
    tickSize: new Decimal(wire.priceFilter.tickSize),
    quantityStep: new Decimal(lot.qtyStep),
    minQuantity: new Decimal(lot.minOrderQty),
    maxQuantity,
    maxMarketQuantity: lot.maxMktOrderQty === undefined ? maxQuantity : new Decimal(lot.maxMktOrderQty),
    minNotional: decimalOrZero(lot.minNotionalValue),
    minPrice: new Decimal(wire.priceFilter.minPrice),
    maxPrice: new Decimal(wire.priceFilter.maxPrice),
    maxLeverage: new Decimal(wire.leverageFilter.maxLeverage),
    priceLimitRatio: priceLimitRatioOf(wire.riskParameters),
    status: wire.status === 'Trading' ? 'trading' : ['PreLaunch', 'Delivering', 'Closed', 'Settling'].includes(wire.status) ? 'halted' : 'unknown',
  };
};

/** Returns the domain order. `EC_NoError` is no reason; classic accounts report an unfilled average price as `"0"`. */
export const parseOrder = (wire: BybitHttpOrder): VenueOrder => ({
  venueOrderId: wire.orderId,
  clientOrderId: wire.orderLinkId,
  symbol: wire.symbol,
  side: fromBybitSide(wire.side),
  type: fromBybitOrderType(wire.orderType),
  timeInForce: fromBybitTimeInForce(wire.timeInForce),
  price: nonZeroDecimal(wire.price),
  quantity: new Decimal(wire.qty),
  filledQuantity: decimalOrZero(wire.cumExecQty),
  averageFillPrice: nonZeroDecimal(wire.avgPrice),
  status: fromBybitOrderStatus(wire.orderStatus),
  rejectReason: wire.rejectReason === undefined || wire.rejectReason === '' || wire.rejectReason === 'EC_NoError' ? undefined : wire.rejectReason,
  rejectCategory: wire.rejectReason === POST_ONLY_WOULD_TAKE_REASON ? 'post_only_would_take' : undefined,
  reduceOnly: wire.reduceOnly,
  createdAt: Number(wire.createdTime),
  updatedAt: Number(wire.updatedTime),
});

/** Returns the fill for a trade execution, or undefined for non-trade executions (funding, settlement). */
export const parseExecution = (wire: BybitHttpExecution, defaultFeeAsset: string): Fill | undefined => {
  if (!isFillExecType(wire.execType)) return undefined;
  return {
    tradeId: wire.execId,
    venueOrderId: wire.orderId,
    clientOrderId: wire.orderLinkId,
    symbol: wire.symbol,
    side: fromBybitSide(wire.side),
    price: new Decimal(wire.execPrice),
    quantity: new Decimal(wire.execQty),
    fee: decimalOrZero(wire.execFee),
    feeAsset: wire.feeCurrency === undefined || wire.feeCurrency === '' ? defaultFeeAsset : wire.feeCurrency,
    isMaker: wire.isMaker,
    ts: Number(wire.execTime),
  };
};

/**
 * Returns the position: one-way (`positionIdx` 0 or absent, no `leg`) or one hedge-mode leg (1 long, 2 short); an
 * empty `side` (or `None`) or a zero size is flat.
 */
export const parsePosition = (wire: BybitHttpPosition & { readonly entryPrice?: string | undefined }): Position => {
  const quantity = new Decimal(wire.size);
  const side = quantity.isZero() ? 'flat' : wire.side === 'Buy' ? 'long' : wire.side === 'Sell' ? 'short' : 'flat';
  const takeProfit = nonZeroDecimal(wire.takeProfit);
  const stopLoss = nonZeroDecimal(wire.stopLoss);
  const leg = fromBybitPositionIdx(wire.positionIdx);
  return {
    symbol: wire.symbol,
    // One-way positions keep exactly their old shape: only a hedge leg names itself.
    ...(leg === undefined ? {} : { leg }),
    side,
    quantity,
    entryPrice: decimalOrZero(wire.avgPrice ?? wire.entryPrice),
    // A flat position reports markPrice "0": no price, not a price of zero.
    markPrice: nonZeroDecimal(wire.markPrice),
    unrealizedPnl: decimalOrZero(wire.unrealisedPnl),
    leverage: decimalOrZero(wire.leverage),
    takeProfit,
    stopLoss,
    tpTrigger: takeProfit === undefined ? undefined : fromBybitTriggerBy(wire.tpTriggerBy),
    slTrigger: stopLoss === undefined ? undefined : fromBybitTriggerBy(wire.slTriggerBy),
    updatedAt: wire.updatedTime === undefined ? 0 : Number(wire.updatedTime),
  };
};

/**
 * Returns the balances of a wallet. Available = `availableToWithdraw` when Bybit fills it; otherwise (UTA leaves it
 * empty) wallet balance minus position and order initial margin, floored at zero.
 */
export const parseWallet = (wire: BybitHttpWallet): ReadonlyArray<Balance> =>
  wire.coin.map((c) => {
    const total = new Decimal(c.walletBalance);
    const withdrawable = optionalDecimal(c.availableToWithdraw);
    const computed = total.minus(decimalOrZero(c.totalPositionIM)).minus(decimalOrZero(c.totalOrderIM));
    const available = withdrawable ?? (computed.isNegative() ? ZERO : computed);
    return { asset: c.coin, total, available };
  });

const parseLevels = (levels: ReadonlyArray<readonly [string, string]>): ReadonlyArray<BookLevel> =>
  levels.map(([price, size]) => ({ price: new Decimal(price), size: new Decimal(size) }));

/** Returns the REST order-book snapshot. */
export const parseOrderbook = (wire: BybitHttpOrderbook): BookSnapshot => ({
  symbol: wire.s,
  bids: parseLevels(wire.b),
  asks: parseLevels(wire.a),
  updateId: wire.u,
  ts: wire.ts,
});

/** Returns a REST candle `[startTime, open, high, low, close, volume, turnover]` as a bar (turnover is not kept). */
export const parseKline = (wire: BybitHttpKline): Kline => ({
  start: Number(wire[0]),
  open: new Decimal(wire[1]),
  high: new Decimal(wire[2]),
  low: new Decimal(wire[3]),
  close: new Decimal(wire[4]),
  volume: new Decimal(wire[5]),
});

// ---- WS public -------------------------------------------------------------------------------------------------

/**
 * A book level of a WS frame, kept as its validated wire strings: `price` and `size` become Decimals on first read —
 * by the local book, when it applies the level — so decoding a frame parses no decimal (issue 17: decimal.js
 * parsing was the largest cost of a book delta). A read gives exactly `new Decimal(wire)`; the level is immutable and
 * `toJSON` prints both values. Spreading it copies only the wire strings: read `price` and `size` instead.
 */
export class WireBookLevel implements BookLevel {
  /** The price as Bybit sent it, already checked to be a decimal string > 0. */
  readonly wirePrice: string;
  /** The absolute size as Bybit sent it, already checked to be a decimal string ≥ 0 (`"0"` deletes the level). */
  readonly wireSize: string;
  #price: Decimal | undefined;
  #size: Decimal | undefined;

  constructor(wirePrice: string, wireSize: string) {
    this.wirePrice = wirePrice;
    this.wireSize = wireSize;
  }

  get price(): Decimal {
    return (this.#price ??= new Decimal(this.wirePrice));
  }

  get size(): Decimal {
    return (this.#size ??= new Decimal(this.wireSize));
  }

  toJSON(): { readonly price: string; readonly size: string } {
    return { price: this.price.toString(), size: this.size.toString() };
  }
}

const wsLevels = (levels: ReadonlyArray<readonly [string, string]>): ReadonlyArray<BookLevel> => {
  const out: BookLevel[] = [];
  for (const [price, size] of levels) out.push(new WireBookLevel(price, size));
  return out;
};

/** Returns the book event of an `orderbook.*` message; its levels are `WireBookLevel`s. */
export const parseWsOrderbook = (wire: BybitWsOrderbookMessage): MarketEvent => ({
  type: 'book',
  kind: wire.type,
  symbol: wire.data.s,
  bids: wsLevels(wire.data.b),
  asks: wsLevels(wire.data.a),
  updateId: wire.data.u,
  seq: wire.data.seq ?? 0,
  ts: wire.ts,
});

/** Returns one trade event per public trade. */
export const parseWsTrades = (wire: BybitWsTradeMessage): ReadonlyArray<MarketEvent> =>
  wire.data.map((t) => ({
    type: 'trade' as const,
    symbol: t.s,
    tradeId: t.i,
    price: new Decimal(t.p),
    size: new Decimal(t.v),
    side: fromBybitSide(t.S),
    ts: t.T,
  }));

/**
 * Returns the ticker event; fields a delta omits stay undefined (= unchanged). A zero price (an empty book side) is
 * no price either: a quote of 0 must never reach a risk check.
 */
export const parseWsTicker = (wire: BybitWsTickerMessage): MarketEvent => ({
  type: 'ticker',
  symbol: wire.data.symbol,
  lastPrice: nonZeroDecimal(wire.data.lastPrice),
  markPrice: nonZeroDecimal(wire.data.markPrice),
  indexPrice: nonZeroDecimal(wire.data.indexPrice),
  bidPrice: nonZeroDecimal(wire.data.bid1Price),
  bidSize: optionalDecimal(wire.data.bid1Size),
  askPrice: nonZeroDecimal(wire.data.ask1Price),
  askSize: optionalDecimal(wire.data.ask1Size),
  ts: wire.ts,
});

/** Bybit's minute kline intervals (docs enum `interval`); `D`, `W` and `M` are not minutes. */
const MINUTE_INTERVALS: ReadonlySet<string> = new Set(['1', '3', '5', '15', '30', '60', '120', '240', '360', '720']);

/** Returns bar events for minute intervals; `D`/`W`/`M` and unknown intervals are skipped (we subscribe to `kline.1` only). */
export const parseWsKline = (wire: BybitWsKlineMessage, symbol: string): ReadonlyArray<MarketEvent> =>
  wire.data
    .filter((k) => MINUTE_INTERVALS.has(k.interval))
    .map((k) => ({
      type: 'bar' as const,
      symbol,
      intervalMinutes: Number(k.interval),
      start: k.start,
      open: new Decimal(k.open),
      high: new Decimal(k.high),
      low: new Decimal(k.low),
      close: new Decimal(k.close),
      volume: new Decimal(k.volume),
      closed: k.confirm,
      ts: k.timestamp,
    }));

// ---- WS private ------------------------------------------------------------------------------------------------

/** Returns order events; only `linear` items (or items without a category) are ours. */
export const parseWsOrders = (wire: BybitWsOrderMessage): ReadonlyArray<AccountEvent> =>
  wire.data.filter((o) => o.category === undefined || o.category === 'linear').map((o) => ({ type: 'order' as const, order: parseOrder(o) }));

/** Returns execution events for trade executions of linear contracts. */
export const parseWsExecutions = (wire: BybitWsExecutionMessage, defaultFeeAsset: string): ReadonlyArray<AccountEvent> => {
  const out: AccountEvent[] = [];
  for (const e of wire.data) {
    if (e.category !== undefined && e.category !== 'linear') continue;
    const fill = parseExecution(e, defaultFeeAsset);
    if (fill !== undefined) out.push({ type: 'execution', fill });
  }
  return out;
};

export const parseWsPositions = (wire: BybitWsPositionMessage): ReadonlyArray<AccountEvent> =>
  wire.data.filter((p) => p.category === undefined || p.category === 'linear').map((p) => ({ type: 'position' as const, position: parsePosition(p) }));

export const parseWsWallet = (wire: BybitWsWalletMessage): ReadonlyArray<AccountEvent> =>
  wire.data.map((w) => ({ type: 'wallet' as const, balances: parseWallet(w) }));

// ---- domain → wire ---------------------------------------------------------------------------------------------

/** Why a value cannot be sent as-is. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/**
 * Returns the value as a plain decimal string with exactly the increment's decimals (tick `0.10` → `25000.0`),
 * throwing a WireFormatError when it is not a positive multiple of the increment (the caller must quantize first).
 */
export const formatAtIncrement = (value: Decimal, increment: Decimal, what: string): string => {
  if (!value.isFinite() || value.isNegative() || !isMultipleOf(value, increment)) {
    throw new WireFormatError(`${what} ${value.toString()} is not a multiple of ${increment.toString()}`);
  }
  return value.toFixed(increment.decimalPlaces());
};

/** Returns a price string at the instrument's tick. */
export const formatPrice = (price: Decimal, instrument: Instrument): string => formatAtIncrement(price, instrument.tickSize, 'price');
/** Returns a quantity string at the instrument's step. */
export const formatQuantity = (quantity: Decimal, instrument: Instrument): string => formatAtIncrement(quantity, instrument.quantityStep, 'quantity');
/** Returns a plain decimal string (no exponent) for values without an increment, such as leverage. */
export const formatPlain = (value: Decimal): string => value.toFixed();
