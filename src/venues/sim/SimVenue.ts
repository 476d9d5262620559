/**
 * The simulator bound in-process as a `Venue` (DESIGN §1: the backtest setting): the port's calls go straight to the
 * matching engine and its events come back as normalized market and account events, with no wire in between. Used on
 * the virtual clock, where loopback sockets would make the order of effects depend on the OS. Wire-level behaviour is
 * covered by the Bybit façade and adapter; this binding must keep the same outcome semantics (rejected vs unknown).
 * Hedge mode (S0-12) maps a request's `leg` to the engine's `positionSide` and back.
 */
import { Effect } from 'effect';
import { Decimal } from '../../domain/money.ts';
import type { Fill, Position, VenueOrder } from '../../domain/orders.ts';
import type { MarketEvent, AccountEvent } from '../streams.ts';
import { VenueError, type RejectCategory, type Venue } from '../Venue.ts';
import type { SimEvent, SimExchange, SimExecution, SimOrder, SimPosition, SimRejectCode, SimResult } from './engine/types.ts';

const CATEGORY: Record<SimRejectCode, RejectCategory | 'not_found'> = {
  unknown_symbol: 'parameter',
  duplicate_client_id: 'duplicate_client_id',
  order_not_found: 'not_found',
  insufficient_margin: 'insufficient_margin',
  reduce_only_no_position: 'reduce_only_violation',
  qty_invalid: 'parameter',
  price_invalid: 'price_out_of_range',
  min_notional: 'min_notional',
  too_many_orders: 'too_many_orders',
  not_modified: 'not_modified',
  invalid_request: 'parameter',
  insufficient_balance: 'insufficient_margin',
  market_closed: 'other',
  not_supported: 'parameter',
  would_trigger_immediately: 'price_out_of_range',
};

const fail = (operation: string, r: { code: SimRejectCode; message: string }): VenueError => {
  const category = CATEGORY[r.code];
  return new VenueError({
    venue: 'sim',
    operation,
    reason: category === 'not_found' ? { kind: 'not_found', code: r.code, message: r.message } : { kind: 'rejected', code: r.code, category, message: r.message },
  });
};

const unwrap = <A>(operation: string, r: SimResult<A>): Effect.Effect<A, VenueError> =>
  r.ok ? Effect.succeed(r.value) : Effect.fail(fail(operation, r));

/** Converts an engine order to the venue-neutral order view. */
export const toVenueOrder = (o: SimOrder): VenueOrder => ({
  venueOrderId: o.orderId,
  clientOrderId: o.clientOrderId,
  symbol: o.symbol,
  side: o.side,
  type: o.type,
  timeInForce: o.timeInForce,
  price: o.price,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  averageFillPrice: o.averagePrice,
  status: o.status,
  rejectReason: o.rejectReason === 'EC_NoError' ? undefined : o.rejectReason,
  rejectCategory: o.rejectReason === 'EC_PostOnlyWillTakeLiquidity' ? 'post_only_would_take' : undefined,
  reduceOnly: o.reduceOnly,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

/** Converts an engine execution to a fill. */
export const toFill = (e: SimExecution): Fill => ({
  tradeId: e.execId,
  venueOrderId: e.orderId,
  clientOrderId: e.clientOrderId,
  symbol: e.symbol,
  side: e.side,
  price: e.price,
  quantity: e.quantity,
  fee: e.fee,
  feeAsset: 'USDT',
  isMaker: e.isMaker,
  ts: e.ts,
});

/** Converts an engine position to the domain position (a hedge-mode leg names its `leg`; one-way positions have none). */
export const toPosition = (p: SimPosition): Position => ({
  symbol: p.symbol,
  ...(p.positionSide === undefined ? {} : { leg: p.positionSide }),
  side: p.size.gt(0) ? 'long' : p.size.lt(0) ? 'short' : 'flat',
  quantity: p.size.abs(),
  entryPrice: p.entryPrice,
  markPrice: p.markPrice,
  unrealizedPnl: p.unrealisedPnl,
  leverage: p.leverage,
  takeProfit: p.takeProfit,
  stopLoss: p.stopLoss,
  tpTrigger: p.takeProfit === undefined ? undefined : p.tpTrigger,
  slTrigger: p.stopLoss === undefined ? undefined : p.slTrigger,
  updatedAt: p.updatedAt,
});

/** Converts an engine event to a normalized market event, if it is public. */
export const toMarketEvent = (e: SimEvent): MarketEvent | undefined => {
  switch (e.type) {
    case 'book':
      return {
        type: 'book', kind: e.kind, symbol: e.symbol, updateId: e.updateId, seq: e.seq, ts: e.ts,
        bids: e.bids.map(([price, size]) => ({ price, size })), asks: e.asks.map(([price, size]) => ({ price, size })),
      };
    case 'trade':
      return { type: 'trade', symbol: e.symbol, tradeId: e.tradeId, price: e.price, size: e.size, side: e.side, ts: e.ts };
    case 'ticker':
      return {
        type: 'ticker', symbol: e.ticker.symbol, lastPrice: e.ticker.lastPrice, markPrice: e.ticker.markPrice, indexPrice: e.ticker.indexPrice,
        bidPrice: e.ticker.bid1Price, bidSize: e.ticker.bid1Size, askPrice: e.ticker.ask1Price, askSize: e.ticker.ask1Size, ts: e.ticker.ts,
      };
    case 'kline':
      return {
        type: 'bar', symbol: e.kline.symbol, intervalMinutes: e.kline.intervalMinutes, start: e.kline.start, open: e.kline.open,
        high: e.kline.high, low: e.kline.low, close: e.kline.close, volume: e.kline.volume, closed: e.kline.confirm, ts: e.kline.ts,
      };
    default:
      return undefined;
  }
};

/** Converts an engine event to a normalized account event of `account`, if it is one. */
export const toAccountEvent = (e: SimEvent, account: string): AccountEvent | undefined => {
  switch (e.type) {
    case 'order':
      return e.order.account === account ? { type: 'order', order: toVenueOrder(e.order) } : undefined;
    case 'execution':
      return e.execution.account === account ? { type: 'execution', fill: toFill(e.execution) } : undefined;
    case 'position':
      return e.position.account === account ? { type: 'position', position: toPosition(e.position) } : undefined;
    case 'wallet':
      return e.wallet.account === account
        ? { type: 'wallet', balances: [{ asset: e.wallet.coin, total: e.wallet.walletBalance, available: e.wallet.availableBalance }] }
        : undefined;
    default:
      return undefined;
  }
};

/** The in-process simulator venue for one account, plus its event streams. */
export interface SimVenue extends Venue {
  /** Subscribes to public market events; returns an unsubscribe function. */
  readonly onMarket: (listener: (e: MarketEvent) => void) => () => void;
  /** Subscribes to this account's private events; returns an unsubscribe function. */
  readonly onAccount: (listener: (e: AccountEvent) => void) => () => void;
  readonly exchange: SimExchange;
}

/** Binds the engine as a Venue for `account`. */
export const makeSimVenue = (exchange: SimExchange, account: string): SimVenue => ({
  id: 'sim',
  exchange,
  capabilities: { leverage: true, positions: true, protectionModel: 'position_attached', serverSideProtection: true, postOnly: true, reduceOnly: true, amend: true, shorting: true, hedgeMode: true },
  instruments: () => Effect.sync(() => exchange.instruments),
  serverTime: () => Effect.sync(() => exchange.now()),
  placeOrder: (r) =>
    Effect.suspend(() =>
      unwrap('placeOrder', exchange.placeOrder({
        account, symbol: r.symbol, side: r.side, type: r.type, quantity: r.quantity, price: r.price, timeInForce: r.timeInForce,
        reduceOnly: r.reduceOnly, closeOnTrigger: r.closeOnTrigger ?? false, clientOrderId: r.clientOrderId, positionSide: r.leg,
      })),
    ).pipe(Effect.map((o) => ({ venueOrderId: o.orderId, clientOrderId: o.clientOrderId }))),
  amendOrder: (r) =>
    Effect.suspend(() => unwrap('amendOrder', exchange.amendOrder(account, r.symbol, { clientOrderId: r.clientOrderId }, { quantity: r.quantity, price: r.price }))).pipe(
      Effect.map((o) => ({ venueOrderId: o.orderId, clientOrderId: o.clientOrderId })),
    ),
  cancelOrder: (symbol, clientOrderId) =>
    Effect.suspend(() => unwrap('cancelOrder', exchange.cancelOrder(account, symbol, { clientOrderId }))).pipe(
      Effect.map((o) => ({ venueOrderId: o.orderId, clientOrderId: o.clientOrderId })),
    ),
  cancelAll: (symbol) => Effect.sync(() => exchange.cancelAll(account, symbol).map((o) => o.clientOrderId)),
  setProtection: (r) =>
    Effect.suspend(() => {
      const res = exchange.setTradingStop(account, r.symbol, {
        takeProfit: r.takeProfit ?? new Decimal(0), stopLoss: r.stopLoss ?? new Decimal(0), tpTrigger: r.trigger, slTrigger: r.trigger, positionSide: r.leg,
      });
      // Stops already at these levels: protected as asked (the Bybit adapter maps 34040 the same way).
      return !res.ok && res.code === 'not_modified' ? Effect.void : unwrap('setProtection', res).pipe(Effect.asVoid);
    }),
  setLeverage: (symbol, leverage) =>
    Effect.suspend(() => {
      const r = exchange.setLeverage(account, symbol, leverage);
      return !r.ok && r.code === 'not_modified' ? Effect.void : unwrap('setLeverage', r).pipe(Effect.asVoid);
    }),
  setPositionMode: (mode) =>
    Effect.suspend(() => {
      const r = exchange.setPositionMode(account, mode);
      if (r.ok || r.code === 'not_modified') return Effect.void;
      // An account model without position modes (spot, cash) is one-way by nature: only `hedge` is refused.
      if (r.code === 'not_supported') return mode === 'one_way' ? Effect.void : Effect.fail(fail('setPositionMode', r));
      // Open positions or orders block the switch: a refusal of the request's timing, not of its parameters, as the
      // Bybit adapter reports 110024 / 110028.
      return Effect.fail(new VenueError({ venue: 'sim', operation: 'setPositionMode', reason: { kind: 'rejected', code: r.code, category: 'other', message: r.message } }));
    }),
  openOrders: (symbol) => Effect.sync(() => exchange.openOrders(account, symbol).map(toVenueOrder)),
  orderByClientId: (symbol, clientOrderId) =>
    Effect.sync(() => {
      const o = exchange.getOrder(account, symbol, { clientOrderId });
      return o === undefined ? undefined : toVenueOrder(o);
    }),
  positions: (symbol) => Effect.sync(() => exchange.positions(account, symbol).map(toPosition)),
  protectionOf: (symbol, leg) =>
    Effect.sync(() => {
      // The open one-way position (long or short), or the open leg asked for.
      const p = exchange.positions(account, symbol).find((x) => x.positionSide === leg && !x.size.isZero());
      return { takeProfit: p?.takeProfit, stopLoss: p?.stopLoss, orderIds: [] };
    }),
  balances: () => Effect.sync(() => exchange.wallet(account).map((w) => ({ asset: w.coin, total: w.walletBalance, available: w.availableBalance }))),
  executionsSince: (sinceMs, symbol) => Effect.sync(() => exchange.executions(account, { symbol, startTime: sinceMs }).map(toFill)),
  orderBook: (symbol, depth) =>
    Effect.sync(() => {
      const b = exchange.book(symbol, depth);
      return { symbol, updateId: b.updateId, ts: b.ts, bids: b.bids.map(([price, size]) => ({ price, size })), asks: b.asks.map(([price, size]) => ({ price, size })) };
    }),
  // The replayed bars up to the engine's time (no look-ahead), resampled by the engine.
  klines: (symbol, intervalMinutes, startMs, endMs) =>
    Effect.suspend(() => unwrap('klines', exchange.klines(symbol, intervalMinutes, startMs, endMs))).pipe(
      Effect.map((ks) => ks.map((k) => ({ start: k.start, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume }))),
    ),
  onMarket: (listener) =>
    exchange.subscribe((e) => {
      const m = toMarketEvent(e);
      if (m !== undefined) listener(m);
    }),
  onAccount: (listener) =>
    exchange.subscribe((e) => {
      const a = toAccountEvent(e, account);
      if (a !== undefined) listener(a);
    }),
});
