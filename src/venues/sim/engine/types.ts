/**
 * The in-process API of the venue simulator's matching engine. Wire façades (Bybit today; Binance, Coinbase, Alpaca
 * later) translate their venue's protocol onto this API and its events; backtests call it directly. Venue-neutral:
 * the engine decides in neutral codes and reasons; the string fields a venue reports verbatim (`rejectReason`,
 * `cancelType`, `stopOrderType`) are spelled by the engine's `SimVenueProfile`. Pure types; no I/O.
 */
import type { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { OrderStatus, OrderType, Side, TimeInForce, TriggerSource } from '../../../domain/orders.ts';

/** A reference to an order: by venue order id or by client order id (venue id wins when both are given). */
export interface SimOrderRef {
  readonly orderId?: string | undefined;
  readonly clientOrderId?: string | undefined;
}

/** Which leg of a hedge-mode position an order or position belongs to; absent in one-way mode. */
export type SimPositionSide = 'long' | 'short';

/** One-way: one signed position per symbol. Hedge: a long and a short leg per symbol (Bybit positionIdx 1/2, Binance positionSide). */
export type SimPositionMode = 'one_way' | 'hedge';

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
  /** Hedge mode only (required there): the leg the order opens (same side) or closes (opposite side). */
  readonly positionSide?: SimPositionSide | undefined;
  /**
   * The id a gateway in front of the engine already acknowledged the order under (the backtest's order latency,
   * orderLatency.ts); absent: the engine's next order id.
   */
  readonly orderId?: string | undefined;
}

/** Definitive refusals of the engine; a venue profile maps them to its venue's codes (`SimVenueProfile.rejectCode`). */
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
  | 'invalid_request'
  /** Spot or cash account: not enough of the asset the order spends (quote to buy, base or shares to sell). */
  | 'insufficient_balance'
  /** Outside the instrument's trading session (cash equities). */
  | 'market_closed'
  /** The account model has no such thing (reduce-only on spot, leverage on a cash account, …). */
  | 'not_supported'
  /** A conditional order whose trigger price is already crossed. */
  | 'would_trigger_immediately';

/** Why the engine itself closed an order, in neutral words; the profile spells it as the order's `rejectReason`. */
export type SimOrderReason = 'none' | 'post_only_would_take' | 'no_immediate_fill' | 'fok_not_filled';

/** Who cancelled an order; the profile spells it as the order's `cancelType`. */
export type SimCancelCause = 'unknown' | 'user' | 'reduce_only' | 'one_cancels_other';

/**
 * What created an order: the user, a position's attached TP/SL, a triggered stand-alone conditional, or the take-profit
 * leg of an OCO pair. The profile spells it as the order's `stopOrderType`.
 */
export type SimOrderOrigin = 'user' | 'position_take_profit' | 'position_stop_loss' | 'stop' | 'take_profit' | 'oco_take_profit';

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
  /** The profile's spelling of the `SimOrderReason`, e.g. Bybit's `EC_PostOnlyWillTakeLiquidity` or `EC_NoError`. */
  readonly rejectReason: string;
  /** The profile's spelling of the `SimCancelCause`, e.g. Bybit's `CancelByUser`, `CancelByReduceOnly` or `UNKNOWN`. */
  readonly cancelType: string;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  /** The profile's spelling of the `SimOrderOrigin`: empty for user orders, e.g. Bybit's `TakeProfit` | `StopLoss` for a position's TP/SL. */
  readonly stopOrderType: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Hedge mode only: the position leg. */
  readonly positionSide?: SimPositionSide;
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

/** A position; `size` is signed (long > 0, short < 0, flat = 0). In hedge mode each leg is one position with `positionSide`. */
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
  /** Hedge mode only: the leg (a long leg's size is ≥ 0, a short leg's ≤ 0). */
  readonly positionSide?: SimPositionSide;
}

/** A stand-alone conditional's trigger rule: `stop` fires against the position (sell ≤, buy ≥), `take_profit` in its favour (sell ≥, buy ≤). */
export type SimConditionalKind = 'stop' | 'take_profit';

/** A stand-alone conditional order (Binance STOP_MARKET / TAKE_PROFIT_MARKET style, or a stop-limit with `limitPrice`). */
export interface SimConditionalInput {
  readonly account: string;
  readonly symbol: string;
  /** The side of the order placed when it triggers. */
  readonly side: Side;
  readonly kind: SimConditionalKind;
  readonly triggerPrice: Decimal;
  readonly triggerBy: TriggerSource;
  /** Required unless `closePosition`; must be absent (or zero) with it. */
  readonly quantity?: Decimal | undefined;
  /** Makes the triggered order a GTC limit at this price; a market order otherwise. */
  readonly limitPrice?: Decimal | undefined;
  /** Closes the whole position when it triggers (market only; not with quantity or reduceOnly). */
  readonly closePosition?: boolean | undefined;
  readonly reduceOnly?: boolean | undefined;
  readonly positionSide?: SimPositionSide | undefined;
  readonly clientOrderId?: string | undefined;
}

/** Open: `untriggered`. Closed: `triggered` (its order was placed), `cancelled`, `expired` (the triggered order was refused). */
export type SimConditionalStatus = 'untriggered' | 'triggered' | 'cancelled' | 'expired';

/** One stand-alone conditional order as the engine knows it. */
export interface SimConditional {
  readonly conditionalId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly kind: SimConditionalKind;
  readonly triggerPrice: Decimal;
  readonly triggerBy: TriggerSource;
  readonly limitPrice: Decimal | undefined;
  /** Undefined for `closePosition` (sized when it triggers). */
  readonly quantity: Decimal | undefined;
  readonly closePosition: boolean;
  readonly reduceOnly: boolean;
  readonly positionSide: SimPositionSide | undefined;
  readonly status: SimConditionalStatus;
  /** The OCO pair it belongs to, named by the pair's take-profit order id. */
  readonly ocoOrderId: string | undefined;
  /** The order placed when it triggered. */
  readonly triggeredOrderId: string | undefined;
  /** Why the triggered order was refused (status `expired`). */
  readonly expiredBy: SimRejectCode | undefined;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/**
 * An OCO exit (Alpaca `oco`, Coinbase `trigger_bracket`): a resting take-profit limit order and a stop (market, or
 * limit with `stopLimitPrice`) on the same side; the first fill of either cancels the other.
 */
export interface SimOcoInput {
  readonly account: string;
  readonly symbol: string;
  /** The exit side (sell closes a long holding). */
  readonly side: Side;
  readonly quantity: Decimal;
  readonly takeProfitPrice: Decimal;
  readonly stopTriggerPrice: Decimal;
  readonly stopTriggerBy: TriggerSource;
  readonly stopLimitPrice?: Decimal | undefined;
  readonly positionSide?: SimPositionSide | undefined;
  readonly clientOrderId?: string | undefined;
}

/** The two legs of an accepted OCO pair. */
export interface SimOco {
  readonly takeProfit: SimOrder;
  readonly stop: SimConditional;
}

/** A bracket (Alpaca `bracket`): an entry order whose fill arms an OCO exit of the filled quantity. */
export interface SimBracketInput {
  readonly entry: SimOrderInput;
  readonly takeProfitPrice: Decimal;
  readonly stopTriggerPrice: Decimal;
  readonly stopTriggerBy: TriggerSource;
  readonly stopLimitPrice?: Decimal | undefined;
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
  | { readonly type: 'kline'; readonly kline: SimKline }
  /** A stand-alone conditional order was accepted or changed status (private). */
  | { readonly type: 'conditional'; readonly conditional: SimConditional };

/** A position's attached TP/SL change; `undefined` keeps a side, zero clears it. */
export interface SimTradingStop {
  readonly takeProfit?: Decimal | undefined;
  readonly stopLoss?: Decimal | undefined;
  readonly tpTrigger?: TriggerSource | undefined;
  readonly slTrigger?: TriggerSource | undefined;
  /** Hedge mode only (required there): the leg. */
  readonly positionSide?: SimPositionSide | undefined;
}

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
  setTradingStop(account: string, symbol: string, stop: SimTradingStop): SimResult<SimPosition>;
  setLeverage(account: string, symbol: string, leverage: Decimal): SimResult<SimPosition>;
  /** Switches an account between one-way and hedge mode; refused (`invalid_request`) while it has open orders or positions. */
  setPositionMode(account: string, mode: SimPositionMode): SimResult<SimPositionMode>;
  /** The account's position mode: the profile's default until `setPositionMode` changes it. */
  positionMode(account: string): SimPositionMode;
  /** Accepts a stand-alone conditional order; it triggers on a later tick when its trigger price is crossed. */
  placeConditional(input: SimConditionalInput): SimResult<SimConditional>;
  /** Cancels an untriggered conditional (by `orderId` = conditionalId, or clientOrderId); cancelling an OCO stop cancels its pair. */
  cancelConditional(account: string, symbol: string, ref: SimOrderRef): SimResult<SimConditional>;
  /** The untriggered conditionals of an account, oldest first. */
  conditionalOrders(account: string, symbol?: string): ReadonlyArray<SimConditional>;
  /** Places an OCO exit pair (see `SimOcoInput`). */
  placeOco(input: SimOcoInput): SimResult<SimOco>;
  /** Places a bracket's entry order; its fill arms the OCO exit (see `SimBracketInput`). */
  placeBracket(input: SimBracketInput): SimResult<SimOrder>;

  getOrder(account: string, symbol: string | undefined, ref: SimOrderRef): SimOrder | undefined;
  openOrders(account: string, symbol?: string): ReadonlyArray<SimOrder>;
  orderHistory(account: string, symbol?: string): ReadonlyArray<SimOrder>;
  executions(account: string, filter?: { readonly symbol?: string | undefined; readonly startTime?: number | undefined; readonly endTime?: number | undefined }): ReadonlyArray<SimExecution>;
  positions(account: string, symbol?: string): ReadonlyArray<SimPosition>;
  wallet(account: string): ReadonlyArray<SimWallet>;

  book(symbol: string, depth: number): SimBook;
  ticker(symbol: string): SimTicker;
  /**
   * The bars of a symbol replayed so far (never ahead of the engine's time) with a start in [startMs, endMs), oldest
   * first and `intervalMinutes` long: the data's own bars, or buckets of them when the length is a whole multiple of
   * theirs (weekly multiples start on Mondays 00:00 UTC); the last one may still be forming (`confirm` false). Refuses
   * an unknown symbol (`unknown_symbol`) and any other length or an empty range (`invalid_request`).
   */
  klines(symbol: string, intervalMinutes: number, startMs: number, endMs: number): SimResult<ReadonlyArray<SimKline>>;

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
