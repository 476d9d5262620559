/**
 * The in-process API of the venue simulator's matching engine. Wire façades (Bybit today; Binance, Coinbase, Alpaca
 * later) translate their venue's protocol onto this API and its events; backtests call it directly. Venue-neutral:
 * no wire names appear here except the reject reasons that venues report verbatim.
 */
import type { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { OrderStatus, OrderType, Side, TimeInForce, TriggerSource } from '../../../domain/orders.ts';

/** A reference to an order: by venue order id or by client order id (venue id wins when both are given). */
export interface SimOrderRef {
  readonly orderId?: string | undefined;
  readonly clientOrderId?: string | undefined;
}

export interface SimOrderInput {
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal | undefined;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  readonly clientOrderId?: string | undefined;
}

/** Definitive refusals of the engine; façades map them to their venue's codes. */
export type SimRejectCode =
  | 'unknown_symbol'
  | 'duplicate_client_id'
  | 'order_not_found'
  | 'insufficient_margin'
  | 'reduce_only_no_position'
  | 'qty_invalid'
  | 'price_invalid'
  | 'min_notional'
  | 'too_many_orders'
  | 'not_modified'
  | 'invalid_request';

export type SimResult<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly code: SimRejectCode; readonly message: string };

/** One order as the engine knows it (open or closed). */
export interface SimOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: Decimal | undefined;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
  readonly averagePrice: Decimal | undefined;
  readonly cumulativeFee: Decimal;
  readonly status: OrderStatus;
  /** Venue-style reject reason, e.g. `EC_PostOnlyWillTakeLiquidity`; `EC_NoError` otherwise. */
  readonly rejectReason: string;
  /** Who cancelled it: `CancelByUser`, `CancelByReduceOnly`, … or `UNKNOWN`. */
  readonly cancelType: string;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  /** Set for TP/SL orders created by a position's trading stop: `TakeProfit` | `StopLoss`. */
  readonly stopOrderType: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SimExecution {
  readonly execId: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
  readonly feeRate: Decimal;
  readonly isMaker: boolean;
  readonly ts: number;
  /** Monotonic per account. */
  readonly seq: number;
}

/** A one-way-mode position; `size` is signed (long > 0, short < 0, flat = 0). */
export interface SimPosition {
  readonly account: string;
  readonly symbol: string;
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  readonly leverage: Decimal;
  readonly markPrice: Decimal;
  readonly positionValue: Decimal;
  readonly unrealisedPnl: Decimal;
  readonly cumRealisedPnl: Decimal;
  readonly positionIM: Decimal;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  readonly tpTrigger: TriggerSource;
  readonly slTrigger: TriggerSource;
  /** Monotonic per (account, symbol); -1 if never traded. */
  readonly seq: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SimWallet {
  readonly account: string;
  readonly coin: string;
  readonly walletBalance: Decimal;
  readonly equity: Decimal;
  readonly availableBalance: Decimal;
  readonly unrealisedPnl: Decimal;
  readonly cumRealisedPnl: Decimal;
}

/** A book level as [price, size]. */
export type SimLevel = readonly [Decimal, Decimal];

export interface SimBook {
  readonly symbol: string;
  readonly bids: ReadonlyArray<SimLevel>;
  readonly asks: ReadonlyArray<SimLevel>;
  /** Update id: +1 per published book change of this symbol; a new process starts at 1. */
  readonly updateId: number;
  /** Cross sequence across all symbols. */
  readonly seq: number;
  readonly ts: number;
}

export interface SimTicker {
  readonly symbol: string;
  readonly lastPrice: Decimal;
  readonly markPrice: Decimal;
  readonly indexPrice: Decimal;
  readonly bid1Price: Decimal;
  readonly bid1Size: Decimal;
  readonly ask1Price: Decimal;
  readonly ask1Size: Decimal;
  readonly volume24h: Decimal;
  readonly turnover24h: Decimal;
  readonly ts: number;
}

export interface SimKline {
  readonly symbol: string;
  readonly intervalMinutes: number;
  readonly start: number;
  readonly end: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly turnover: Decimal;
  readonly confirm: boolean;
  readonly ts: number;
}

/** Everything the engine publishes. Private events carry `account`; public ones go to every subscriber. */
export type SimEvent =
  | { readonly type: 'order'; readonly order: SimOrder }
  | { readonly type: 'execution'; readonly execution: SimExecution }
  | { readonly type: 'position'; readonly position: SimPosition }
  | { readonly type: 'wallet'; readonly wallet: SimWallet }
  | {
      readonly type: 'book';
      readonly kind: 'snapshot' | 'delta';
      readonly symbol: string;
      readonly bids: ReadonlyArray<SimLevel>;
      readonly asks: ReadonlyArray<SimLevel>;
      readonly updateId: number;
      readonly seq: number;
      readonly ts: number;
    }
  | {
      readonly type: 'trade';
      readonly symbol: string;
      readonly tradeId: string;
      readonly price: Decimal;
      readonly size: Decimal;
      /** The taker side. */
      readonly side: Side;
      readonly ts: number;
    }
  | { readonly type: 'ticker'; readonly ticker: SimTicker }
  | { readonly type: 'kline'; readonly kline: SimKline };

export interface SimExchange {
  readonly instruments: ReadonlyArray<Instrument>;
  /** The engine's clock (epoch ms). */
  now(): number;
  /** Registers a listener for every event; returns an unsubscribe function. Listeners run synchronously, in order. */
  subscribe(listener: (event: SimEvent) => void): () => void;
  /** Creates (or tops up) an account with a balance of the settle coin. */
  fundAccount(account: string, coin: string, amount: Decimal): void;

  placeOrder(input: SimOrderInput): SimResult<SimOrder>;
  amendOrder(account: string, symbol: string, ref: SimOrderRef, changes: { readonly quantity?: Decimal | undefined; readonly price?: Decimal | undefined }): SimResult<SimOrder>;
  cancelOrder(account: string, symbol: string, ref: SimOrderRef): SimResult<SimOrder>;
  cancelAll(account: string, symbol?: string): ReadonlyArray<SimOrder>;
  setTradingStop(account: string, symbol: string, stop: { readonly takeProfit?: Decimal | undefined; readonly stopLoss?: Decimal | undefined; readonly tpTrigger?: TriggerSource | undefined; readonly slTrigger?: TriggerSource | undefined }): SimResult<SimPosition>;
  setLeverage(account: string, symbol: string, leverage: Decimal): SimResult<SimPosition>;

  getOrder(account: string, symbol: string | undefined, ref: SimOrderRef): SimOrder | undefined;
  openOrders(account: string, symbol?: string): ReadonlyArray<SimOrder>;
  orderHistory(account: string, symbol?: string): ReadonlyArray<SimOrder>;
  executions(account: string, filter?: { readonly symbol?: string | undefined; readonly startTime?: number | undefined; readonly endTime?: number | undefined }): ReadonlyArray<SimExecution>;
  positions(account: string, symbol?: string): ReadonlyArray<SimPosition>;
  wallet(account: string): ReadonlyArray<SimWallet>;

  book(symbol: string, depth: number): SimBook;
  ticker(symbol: string): SimTicker;

  /** Processes every replayed market event with a timestamp ≤ `t` (and fires due TP/SL); returns false once the data is exhausted. */
  advanceTo(t: number): boolean;
  /** Timestamp of the next replayed market event, if any. */
  nextEventAt(): number | undefined;
  /**
   * Optional (added by the engine): switches an instrument's trading status, e.g. to simulate a halted product
   * (X-RSK-5). While not `trading`, new orders are refused with `invalid_request`; cancels still work.
   */
  setInstrumentStatus?(symbol: string, status: Instrument['status']): SimResult<Instrument>;
}
