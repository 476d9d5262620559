/**
 * The Bybit v5 REST endpoints of the simulator: one handler per path, each decoding its parameters with
 * effect/Schema, calling the engine, and answering a Bybit `retCode`/`result`. Knows nothing about HTTP, auth,
 * rate limits or faults (the server does those); never decides fills itself (the engine does).
 */
import { Either } from 'effect';
import { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { TimeInForce } from '../../../domain/orders.ts';
import type { SimExchange, SimOrder, SimOrderRef, SimPosition, SimResult } from '../engine/types.ts';
import { RetCode, retCodeForReject, retMsgFor } from './codes.ts';
import {
  AmendOrderBody,
  CancelAllBody,
  CancelOrderBody,
  CreateOrderBody,
  decodeParams,
  ExecutionQuery,
  HistoryQuery,
  InstrumentsQuery,
  KlineQuery,
  OrderbookQuery,
  PositionQuery,
  RealtimeQuery,
  SetLeverageBody,
  SwitchModeBody,
  TickersQuery,
  TradingStopBody,
  UNSUPPORTED_AMEND_FIELDS,
  UNSUPPORTED_CREATE_FIELDS,
  WalletQuery,
} from './messages.ts';
import {
  executionToWire,
  instrumentToWire,
  klineIntervalFromWire,
  klineToRestWire,
  levelsToWire,
  orderToWire,
  positionSideFromWire,
  positionToWire,
  sideFromWire,
  statusToWire,
  tickerToWire,
  triggerFromWire,
  walletToWire,
  type OrderWireContext,
} from './wire.ts';

/** What a handler answers: a retCode, its message, and the `result` object (`{}` on errors, as Bybit sends). */
export interface RestOutcome {
  readonly retCode: number;
  readonly retMsg: string;
  readonly result: unknown;
}

/** What every handler may use. */
export interface RestContext {
  readonly exchange: SimExchange;
  /** Server time in epoch ms (engine clock plus any injected skew). */
  serverTime(): number;
}

/** What a key may do; both default to the safe-for-trading answer (no withdrawals, not read-only). */
export interface SimKeyPermissions {
  readonly withdraw?: boolean | undefined;
  readonly readOnly?: boolean | undefined;
}

/** Who is calling: the authenticated key and its account (empty on public endpoints). */
export interface RestCaller {
  readonly account: string;
  readonly apiKey: string;
  readonly permissions: SimKeyPermissions;
}

/** One REST endpoint. */
export interface RestRoute {
  readonly method: 'GET' | 'POST';
  /** Whether the endpoint needs a signed request (and so has an account). */
  readonly private: boolean;
  /** Whether the endpoint changes engine state (candidates for the accept-then-timeout fault). */
  readonly mutating: boolean;
  readonly handle: (ctx: RestContext, caller: RestCaller, params: unknown) => RestOutcome;
}

const ok = (result: unknown): RestOutcome => ({ retCode: 0, retMsg: 'OK', result });
const fail = (retCode: number, retMsg: string = retMsgFor(retCode)): RestOutcome => ({ retCode, retMsg, result: {} });
const paramError = (msg: string): RestOutcome => fail(RetCode.paramError, msg);

const fromEngine = <A>(r: SimResult<A>, onOk: (a: A) => RestOutcome, endpoint: 'leverage' | 'other' = 'other'): RestOutcome =>
  r.ok ? onOk(r.value) : fail(retCodeForReject(r.code, endpoint), `${retMsgFor(retCodeForReject(r.code, endpoint))}: ${r.message}`);

const instrumentOf = (ctx: RestContext, symbol: string): Instrument | undefined => ctx.exchange.instruments.find((i) => i.symbol === symbol);

const unknownSymbol = (symbol: string): RestOutcome => paramError(`params error: symbol invalid: ${symbol}`);
/** Bybit's answer to a positionIdx that does not belong to the account's position mode (0 in hedge, 1/2 in one-way). */
const idxMismatch = (): RestOutcome => paramError('params error: position idx not match position mode');

const presentFields = (raw: unknown, fields: ReadonlyArray<string>): string[] =>
  typeof raw === 'object' && raw !== null ? fields.filter((f) => (raw as Record<string, unknown>)[f] !== undefined) : [];

/** Opaque page cursors: `p<offset>`. */
const paginate = <A>(items: ReadonlyArray<A>, limit: number, cursor: string | undefined): Either.Either<{ page: A[]; nextPageCursor: string }, string> => {
  let offset = 0;
  if (cursor !== undefined && cursor !== '') {
    const m = /^p(\d+)$/.exec(cursor);
    if (m === null) return Either.left('params error: cursor invalid');
    offset = Number(m[1]);
  }
  const page = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? `p${offset + limit}` : '';
  return Either.right({ page, nextPageCursor: next });
};

const orderContext = (ctx: RestContext, account: string, o: SimOrder): OrderWireContext => {
  if (o.stopOrderType !== 'TakeProfit' && o.stopOrderType !== 'StopLoss') return {};
  // In hedge mode the stop belongs to the order's leg (both legs are listed, long first).
  const p = ctx.exchange.positions(account, o.symbol).find((x) => x.positionSide === o.positionSide);
  if (p === undefined) return {};
  return o.stopOrderType === 'TakeProfit' ? { triggerPrice: p.takeProfit, triggerBy: p.tpTrigger } : { triggerPrice: p.stopLoss, triggerBy: p.slTrigger };
};

/** Returns an order as Bybit's wire item, with a TP/SL order's trigger taken from its position. */
export const encodeOrder = (ctx: RestContext, account: string, o: SimOrder): Record<string, unknown> => orderToWire(o, orderContext(ctx, account, o));

const byCreatedDesc = (a: SimOrder, b: SimOrder): number => b.createdAt - a.createdAt || (a.orderId < b.orderId ? 1 : -1);

const coinFilter = (ctx: RestContext, q: { symbol?: string | undefined; baseCoin?: string | undefined; settleCoin?: string | undefined }) => (symbol: string): boolean => {
  if (q.symbol !== undefined && symbol !== q.symbol) return false;
  if (q.baseCoin === undefined && q.settleCoin === undefined) return true;
  const i = instrumentOf(ctx, symbol);
  return i !== undefined && (q.baseCoin === undefined || i.baseAsset === q.baseCoin) && (q.settleCoin === undefined || i.settleAsset === q.settleCoin);
};

const orderFilterMatches = (filter: string | undefined, o: SimOrder): boolean => {
  if (filter === undefined) return true;
  if (filter === 'Order') return o.stopOrderType === '';
  if (filter === 'tpslOrder') return o.stopOrderType === 'TakeProfit' || o.stopOrderType === 'StopLoss';
  if (filter === 'StopOrder') return o.stopOrderType !== '';
  return true;
};

const refOf = (p: { orderId?: string | undefined; orderLinkId?: string | undefined }): SimOrderRef => ({ orderId: p.orderId, clientOrderId: p.orderLinkId });

// ---- public market data -------------------------------------------------------------------------------------------

const marketTime: RestRoute = {
  method: 'GET',
  private: false,
  mutating: false,
  handle: (ctx) => {
    const t = ctx.serverTime();
    return ok({ timeSecond: String(Math.floor(t / 1000)), timeNano: `${t}000000` });
  },
};

const instrumentsInfo: RestRoute = {
  method: 'GET',
  private: false,
  mutating: false,
  handle: (ctx, _caller, params) => {
    const q = decodeParams(InstrumentsQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const { symbol, status, baseCoin, limit, cursor } = q.right;
    const items = ctx.exchange.instruments
      .filter((i) => i.kind === 'linear_perp')
      .filter((i) => symbol === undefined || i.symbol === symbol)
      .filter((i) => baseCoin === undefined || i.baseAsset === baseCoin)
      .map(instrumentToWire)
      // Bybit lists only `Trading` instruments unless asked for a status or a symbol.
      .filter((w) => (status !== undefined ? w['status'] === status : symbol !== undefined || w['status'] === 'Trading'));
    const page = paginate(items, limit ?? 500, cursor);
    if (Either.isLeft(page)) return paramError(page.left);
    return ok({ category: 'linear', list: page.right.page, nextPageCursor: page.right.nextPageCursor });
  },
};

const orderbook: RestRoute = {
  method: 'GET',
  private: false,
  mutating: false,
  handle: (ctx, _caller, params) => {
    const q = decodeParams(OrderbookQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    if (instrumentOf(ctx, q.right.symbol) === undefined) return unknownSymbol(q.right.symbol);
    const book = ctx.exchange.book(q.right.symbol, q.right.limit ?? 25);
    return ok({ s: book.symbol, b: levelsToWire(book.bids), a: levelsToWire(book.asks), ts: book.ts, u: book.updateId, seq: book.seq, cts: book.ts });
  },
};

const tickers: RestRoute = {
  method: 'GET',
  private: false,
  mutating: false,
  handle: (ctx, _caller, params) => {
    const q = decodeParams(TickersQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const { symbol, baseCoin } = q.right;
    if (symbol !== undefined && instrumentOf(ctx, symbol) === undefined) return unknownSymbol(symbol);
    const list = ctx.exchange.instruments
      .filter((i) => (symbol === undefined || i.symbol === symbol) && (baseCoin === undefined || i.baseAsset === baseCoin))
      .map((i) => tickerToWire(ctx.exchange.ticker(i.symbol)));
    return ok({ category: 'linear', list });
  },
};

/**
 * `GET /v5/market/kline`: the replayed bars (never ahead of the engine's time) with a start in [start, end] — `end`
 * defaults to the server time — newest first, the newest `limit` (default 200) of them, as Bybit sorts and cuts its
 * pages. Longer intervals are buckets of the replayed bars; one that is not a whole multiple of their length, and `M`
 * (calendar months), are refused with 10001 and a sentence saying why.
 */
const kline: RestRoute = {
  method: 'GET',
  private: false,
  mutating: false,
  handle: (ctx, _caller, params) => {
    const q = decodeParams(KlineQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const { symbol, interval, start, end, limit } = q.right;
    if (instrumentOf(ctx, symbol) === undefined) return unknownSymbol(symbol);
    const minutes = klineIntervalFromWire(interval);
    if (minutes === undefined) return paramError(`params error: interval ${interval} (calendar months) is not served by the simulator; use D or W`);
    const last = Math.min(end ?? ctx.serverTime(), Number.MAX_SAFE_INTEGER - 1);
    if (start !== undefined && last < start) return paramError('params error: end must not be before start');
    const r = ctx.exchange.klines(symbol, minutes, start ?? 0, last + 1);
    if (!r.ok) return paramError(`params error: ${r.message}`);
    const list = r.value.slice(-(limit ?? 200)).reverse().map(klineToRestWire);
    return ok({ category: 'linear', symbol, list });
  },
};

// ---- orders -------------------------------------------------------------------------------------------------------

const createOrder: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const unsupported = presentFields(params, UNSUPPORTED_CREATE_FIELDS);
    if (unsupported.length > 0) return paramError(`params error: ${unsupported.join(', ')} not supported by the simulator (use /v5/position/trading-stop for TP/SL)`);
    const q = decodeParams(CreateOrderBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const b = q.right;
    if (instrumentOf(ctx, b.symbol) === undefined) return unknownSymbol(b.symbol);
    if (b.orderType === 'Limit' && b.price === undefined) return paramError('params error: price is required for Limit orders');
    // Hedge mode: 1 opens (Buy) or closes (Sell) the long leg, 2 opens (Sell) or closes (Buy) the short leg.
    const positionSide = positionSideFromWire(ctx.exchange.positionMode(account), b.positionIdx);
    if (positionSide === 'mismatch') return idxMismatch();
    const reduceOnly = b.reduceOnly ?? false;
    const closeOnTrigger = b.closeOnTrigger ?? false;
    const tif: TimeInForce =
      b.orderType === 'Market' ? 'ioc' : b.timeInForce === 'IOC' ? 'ioc' : b.timeInForce === 'FOK' ? 'fok' : b.timeInForce === 'PostOnly' ? 'post_only' : 'gtc';
    const r = ctx.exchange.placeOrder({
      account,
      symbol: b.symbol,
      side: sideFromWire(b.side),
      type: b.orderType === 'Market' ? 'market' : 'limit',
      // qty "0" + reduceOnly + closeOnTrigger closes the whole position; the engine implements that rule.
      quantity: b.qty,
      price: b.orderType === 'Limit' ? b.price : undefined,
      timeInForce: tif,
      reduceOnly,
      closeOnTrigger,
      clientOrderId: b.orderLinkId,
      ...(positionSide === undefined ? {} : { positionSide }),
    });
    return fromEngine(r, (o) => ok({ orderId: o.orderId, orderLinkId: o.clientOrderId }));
  },
};

const amendOrder: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const unsupported = presentFields(params, UNSUPPORTED_AMEND_FIELDS);
    if (unsupported.length > 0) return paramError(`params error: ${unsupported.join(', ')} not supported by the simulator`);
    const q = decodeParams(AmendOrderBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const b = q.right;
    if (b.orderId === undefined && b.orderLinkId === undefined) return paramError('params error: orderId or orderLinkId is required');
    if (b.qty === undefined && b.price === undefined) return paramError('params error: nothing to amend (qty or price)');
    const r = ctx.exchange.amendOrder(account, b.symbol, refOf(b), { quantity: b.qty, price: b.price });
    return fromEngine(r, (o) => ok({ orderId: o.orderId, orderLinkId: o.clientOrderId }));
  },
};

const cancelOrder: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(CancelOrderBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const b = q.right;
    if (b.orderId === undefined && b.orderLinkId === undefined) return paramError('params error: orderId or orderLinkId is required');
    const r = ctx.exchange.cancelOrder(account, b.symbol, refOf(b));
    return fromEngine(r, (o) => ok({ orderId: o.orderId, orderLinkId: o.clientOrderId }));
  },
};

const cancelAll: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(CancelAllBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const b = q.right;
    const matches = coinFilter(ctx, b);
    const symbols = ctx.exchange.instruments.map((i) => i.symbol).filter(matches);
    const cancelled = b.symbol === undefined && b.baseCoin === undefined && b.settleCoin === undefined ? ctx.exchange.cancelAll(account) : symbols.flatMap((s) => ctx.exchange.cancelAll(account, s));
    return ok({ list: cancelled.map((o) => ({ orderId: o.orderId, orderLinkId: o.clientOrderId })), success: '1' });
  },
};

const openOrders: RestRoute = {
  method: 'GET',
  private: true,
  mutating: false,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(RealtimeQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const p = q.right;
    let orders: SimOrder[];
    if (p.orderId !== undefined || p.orderLinkId !== undefined) {
      // A specific order is found open or recently closed, as Bybit does.
      const o = ctx.exchange.getOrder(account, p.symbol, refOf(p));
      orders = o === undefined ? [] : [o];
    } else {
      orders = [...ctx.exchange.openOrders(account, p.symbol)];
    }
    const matches = coinFilter(ctx, p);
    const list = orders.filter((o) => matches(o.symbol) && orderFilterMatches(p.orderFilter, o)).sort(byCreatedDesc);
    const page = paginate(list, p.limit ?? 20, p.cursor);
    if (Either.isLeft(page)) return paramError(page.left);
    return ok({ category: 'linear', list: page.right.page.map((o) => encodeOrder(ctx, account, o)), nextPageCursor: page.right.nextPageCursor });
  },
};

const orderHistory: RestRoute = {
  method: 'GET',
  private: true,
  mutating: false,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(HistoryQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const p = q.right;
    const seen = new Map<string, SimOrder>();
    for (const o of [...ctx.exchange.orderHistory(account, p.symbol), ...ctx.exchange.openOrders(account, p.symbol)]) seen.set(o.orderId, o);
    const matches = coinFilter(ctx, p);
    const list = [...seen.values()]
      .filter((o) => matches(o.symbol) && orderFilterMatches(p.orderFilter, o))
      .filter((o) => (p.orderId === undefined || o.orderId === p.orderId) && (p.orderLinkId === undefined || o.clientOrderId === p.orderLinkId))
      .filter((o) => p.orderStatus === undefined || statusToWire(o.status) === p.orderStatus)
      .filter((o) => (p.startTime === undefined || o.createdAt >= p.startTime) && (p.endTime === undefined || o.createdAt <= p.endTime))
      .sort(byCreatedDesc);
    const page = paginate(list, p.limit ?? 20, p.cursor);
    if (Either.isLeft(page)) return paramError(page.left);
    return ok({ category: 'linear', list: page.right.page.map((o) => encodeOrder(ctx, account, o)), nextPageCursor: page.right.nextPageCursor });
  },
};

const SEVEN_DAYS = 7 * 24 * 60 * 60 * 1000;

const executionList: RestRoute = {
  method: 'GET',
  private: true,
  mutating: false,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(ExecutionQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const p = q.right;
    if (p.execType !== undefined && p.execType !== 'Trade') return ok({ category: 'linear', list: [], nextPageCursor: '' });
    // Bybit: no times → the last 7 days; one bound → 7 days from it; both → at most 7 days apart.
    let start: number;
    let end: number;
    if (p.startTime === undefined && p.endTime === undefined) {
      end = ctx.serverTime();
      start = end - SEVEN_DAYS;
    } else if (p.startTime !== undefined && p.endTime !== undefined) {
      if (p.endTime < p.startTime) return paramError('params error: endTime must not be before startTime');
      if (p.endTime - p.startTime > SEVEN_DAYS) return paramError('params error: the time range between startTime and endTime cannot exceed 7 days');
      start = p.startTime;
      end = p.endTime;
    } else if (p.startTime !== undefined) {
      start = p.startTime;
      end = start + SEVEN_DAYS;
    } else {
      end = p.endTime ?? 0;
      start = end - SEVEN_DAYS;
    }
    const list = ctx.exchange
      .executions(account, { symbol: p.symbol, startTime: start, endTime: end })
      .filter((e) => (p.orderId === undefined || e.orderId === p.orderId) && (p.orderLinkId === undefined || e.clientOrderId === p.orderLinkId))
      .filter((e) => p.baseCoin === undefined || instrumentOf(ctx, e.symbol)?.baseAsset === p.baseCoin)
      .slice()
      .sort((a, b) => b.ts - a.ts || b.seq - a.seq);
    const page = paginate(list, p.limit ?? 50, p.cursor);
    if (Either.isLeft(page)) return paramError(page.left);
    return ok({
      category: 'linear',
      list: page.right.page.map((e) => executionToWire(e, ctx.exchange.getOrder(account, e.symbol, { orderId: e.orderId }))),
      nextPageCursor: page.right.nextPageCursor,
    });
  },
};

// ---- positions and account ----------------------------------------------------------------------------------------

const positionList: RestRoute = {
  method: 'GET',
  private: true,
  mutating: false,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(PositionQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const p = q.right;
    // Linear needs a symbol or a settleCoin; a symbol returns its position even when flat, a settleCoin only open ones.
    if (p.symbol === undefined && p.settleCoin === undefined) return paramError('params error: symbol or settleCoin is required');
    let positions: ReadonlyArray<SimPosition>;
    if (p.symbol !== undefined) {
      if (instrumentOf(ctx, p.symbol) === undefined) return unknownSymbol(p.symbol);
      positions = ctx.exchange.positions(account, p.symbol);
    } else {
      const matches = coinFilter(ctx, p);
      positions = ctx.exchange.positions(account).filter((x) => matches(x.symbol) && !x.size.isZero());
    }
    const page = paginate(positions, p.limit ?? 20, p.cursor);
    if (Either.isLeft(page)) return paramError(page.left);
    return ok({ category: 'linear', list: page.right.page.map(positionToWire), nextPageCursor: page.right.nextPageCursor });
  },
};

const tradingStop: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(TradingStopBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const b = q.right;
    if (b.tpslMode !== 'Full') return paramError('params error: tpslMode Partial is not supported by the simulator');
    // 0 in one-way mode; in hedge mode the leg whose TP/SL these are (each leg keeps its own).
    const positionSide = positionSideFromWire(ctx.exchange.positionMode(account), b.positionIdx);
    if (positionSide === 'mismatch') return idxMismatch();
    if (b.trailingStop !== undefined && !b.trailingStop.isZero()) return paramError('params error: trailingStop is not supported by the simulator');
    if (instrumentOf(ctx, b.symbol) === undefined) return unknownSymbol(b.symbol);
    const r = ctx.exchange.setTradingStop(account, b.symbol, {
      positionSide,
      takeProfit: b.takeProfit,
      stopLoss: b.stopLoss,
      tpTrigger: b.tpTriggerBy === undefined ? undefined : triggerFromWire(b.tpTriggerBy),
      slTrigger: b.slTriggerBy === undefined ? undefined : triggerFromWire(b.slTriggerBy),
    });
    // Bybit answers trading-stop refusals (zero position, TP on the wrong side, …) with 10001, and an unchanged stop
    // with 34040 "not modified" (a code outside venue-protocols §1.3; from Bybit's error table as remembered).
    if (r.ok) return ok({});
    if (r.code === 'not_modified') return fail(RetCode.notModified, `not modified: ${r.message}`);
    return paramError(`params error: ${r.message}`);
  },
};

const setLeverage: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(SetLeverageBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const b = q.right;
    if (!b.buyLeverage.eq(b.sellLeverage)) return paramError('params error: buyLeverage must equal sellLeverage in one-way mode');
    const instrument = instrumentOf(ctx, b.symbol);
    if (instrument === undefined) return unknownSymbol(b.symbol);
    if (b.buyLeverage.lt(1) || b.buyLeverage.gt(instrument.maxLeverage)) return paramError(`params error: leverage must be in [1, ${instrument.maxLeverage.toString()}]`);
    return fromEngine(ctx.exchange.setLeverage(account, b.symbol, new Decimal(b.buyLeverage)), () => ok({}), 'leverage');
  },
};

/**
 * `POST /v5/position/switch-mode`: `mode` 3 (Both Sides) is hedge mode (positionIdx 1/2), 0 (Merged Single) one-way;
 * asking for the mode the account has answers 110025. Deviation from Bybit: Bybit keeps the mode per symbol (a
 * `symbol` switches that symbol; a `coin` switches its symbols that have no position or open order and skips the
 * rest), but the engine's mode belongs to the account, so either form switches the whole account and is refused —
 * 110024 for a position, 110028 for an open order, as Bybit refuses a symbol-level switch — while anything is open.
 */
const switchMode: RestRoute = {
  method: 'POST',
  private: true,
  mutating: true,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(SwitchModeBody, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const { symbol, coin, mode } = q.right;
    if (symbol === undefined && (coin === undefined || coin === null)) return paramError('params error: symbol or coin is required');
    if (symbol !== undefined && instrumentOf(ctx, symbol) === undefined) return unknownSymbol(symbol);
    if (symbol === undefined && !ctx.exchange.instruments.some((i) => i.kind === 'linear_perp' && i.settleAsset === coin)) {
      return paramError(`params error: coin invalid: ${String(coin)}`);
    }
    const wanted = mode === 3 ? 'hedge' : 'one_way';
    if (ctx.exchange.positionMode(account) === wanted) return fail(RetCode.positionModeNotModified);
    if (ctx.exchange.positions(account).some((p) => !p.size.isZero())) return fail(RetCode.positionModeHasPosition);
    if (ctx.exchange.openOrders(account).length > 0) return fail(RetCode.positionModeHasOrders);
    const r = ctx.exchange.setPositionMode(account, wanted);
    if (r.ok) return ok({});
    return r.code === 'not_modified' ? fail(RetCode.positionModeNotModified) : paramError(`params error: ${r.message}`);
  },
};

const walletBalance: RestRoute = {
  method: 'GET',
  private: true,
  mutating: false,
  handle: (ctx, { account }, params) => {
    const q = decodeParams(WalletQuery, params);
    if (Either.isLeft(q)) return paramError(q.left);
    const coins = q.right.coin === undefined ? undefined : new Set(q.right.coin.split(','));
    const wallets = ctx.exchange.wallet(account).filter((w) => coins === undefined || coins.has(w.coin));
    return ok({ list: [walletToWire(wallets)] });
  },
};

/**
 * `GET /v5/user/query-api`: the calling key's permissions, so a LIVE start can refuse keys that may withdraw (X-SEC-6).
 * Field names follow Bybit's API-key info as remembered (not in venue-protocols §1); `Wallet` lists `Withdraw` when
 * the key may withdraw.
 */
const queryApi: RestRoute = {
  method: 'GET',
  private: true,
  mutating: false,
  handle: (_ctx, caller) =>
    ok({
      id: '1',
      note: 'tradewarden simulator key',
      apiKey: caller.apiKey,
      readOnly: caller.permissions.readOnly === true ? 1 : 0,
      secret: '',
      permissions: {
        ContractTrade: ['Order', 'Position'],
        Spot: [],
        Wallet: caller.permissions.withdraw === true ? ['AccountTransfer', 'Withdraw'] : ['AccountTransfer'],
        Options: [],
        Derivatives: [],
        CopyTrading: [],
        BlockTrade: [],
        Exchange: [],
        NFT: [],
        Affiliate: [],
      },
      ips: ['*'],
      type: 1,
      deadlineDay: -1,
      expiredAt: '',
      createdAt: '',
      unified: 0,
      uta: 1,
      userID: 1,
      inviterID: 0,
      vipLevel: 'No VIP',
      mktMakerLevel: '0',
      affiliateID: 0,
      rsaPublicKey: '',
      isMaster: true,
      parentUid: '0',
      kycLevel: 'LEVEL_DEFAULT',
      kycRegion: '',
    }),
};

/** Every REST endpoint the façade serves, by path. */
export const BYBIT_ROUTES: Readonly<Record<string, RestRoute>> = {
  '/v5/market/time': marketTime,
  '/v5/market/instruments-info': instrumentsInfo,
  '/v5/market/orderbook': orderbook,
  '/v5/market/tickers': tickers,
  '/v5/market/kline': kline,
  '/v5/order/create': createOrder,
  '/v5/order/amend': amendOrder,
  '/v5/order/cancel': cancelOrder,
  '/v5/order/cancel-all': cancelAll,
  '/v5/order/realtime': openOrders,
  '/v5/order/history': orderHistory,
  '/v5/execution/list': executionList,
  '/v5/position/list': positionList,
  '/v5/position/trading-stop': tradingStop,
  '/v5/position/set-leverage': setLeverage,
  '/v5/position/switch-mode': switchMode,
  '/v5/account/wallet-balance': walletBalance,
  '/v5/user/query-api': queryApi,
};
