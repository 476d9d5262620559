/**
 * Accounts of the simulator: wallets (settle-coin balances), one-way linear positions and the order/execution
 * ledgers of each account, plus the pure position arithmetic (average entry, realised PnL). Holds state only; the
 * engine decides when it changes and publishes the events.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { OrderStatus, OrderType, Side, TimeInForce, TriggerSource } from '../../../domain/orders.ts';
import type { BookOrder } from './book.ts';
import type { SimExecution, SimOrder, SimPosition } from './types.ts';

/** The engine's mutable view of one order. */
export interface OrderState extends BookOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  price: Decimal | undefined;
  quantity: Decimal;
  remaining: Decimal;
  filledQuantity: Decimal;
  filledValue: Decimal;
  cumulativeFee: Decimal;
  status: OrderStatus;
  rejectReason: string;
  cancelType: string;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  readonly stopOrderType: string;
  readonly createdAt: number;
  updatedAt: number;
}

/** Returns the immutable public view of an order. */
export const orderView = (o: OrderState): SimOrder => ({
  orderId: o.orderId,
  clientOrderId: o.clientOrderId,
  account: o.account,
  symbol: o.symbol,
  side: o.side,
  type: o.type,
  timeInForce: o.timeInForce,
  price: o.price,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  averagePrice: o.filledQuantity.isZero() ? undefined : o.filledValue.dividedBy(o.filledQuantity),
  cumulativeFee: o.cumulativeFee,
  status: o.status,
  rejectReason: o.rejectReason,
  cancelType: o.cancelType,
  reduceOnly: o.reduceOnly,
  closeOnTrigger: o.closeOnTrigger,
  stopOrderType: o.stopOrderType,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

/** The engine's mutable view of one position. */
export interface PositionState {
  readonly symbol: string;
  size: Decimal;
  entryPrice: Decimal;
  leverage: Decimal;
  cumRealisedPnl: Decimal;
  takeProfit: Decimal | undefined;
  stopLoss: Decimal | undefined;
  tpTrigger: TriggerSource;
  slTrigger: TriggerSource;
  seq: number;
  createdAt: number;
  updatedAt: number;
}

/** Returns the unrealised PnL of a position at a mark price. */
export const unrealisedPnl = (p: PositionState, mark: Decimal): Decimal => (p.size.isZero() ? ZERO : p.size.times(mark.minus(p.entryPrice)));

/** Returns a position's initial margin: |size| × entry / leverage. */
export const positionIM = (p: PositionState): Decimal => p.size.abs().times(p.entryPrice).dividedBy(p.leverage);

/** Returns the immutable public view of a position. */
export const positionView = (account: string, p: PositionState, mark: Decimal): SimPosition => ({
  account,
  symbol: p.symbol,
  size: p.size,
  entryPrice: p.entryPrice,
  leverage: p.leverage,
  markPrice: mark,
  positionValue: p.size.abs().times(p.entryPrice),
  unrealisedPnl: unrealisedPnl(p, mark),
  cumRealisedPnl: p.cumRealisedPnl,
  positionIM: positionIM(p),
  takeProfit: p.takeProfit,
  stopLoss: p.stopLoss,
  tpTrigger: p.tpTrigger,
  slTrigger: p.slTrigger,
  seq: p.seq,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

/** Decimal places of settled money (fees, realised PnL) in the settle coin, as Bybit books USDT. */
export const SETTLE_DECIMALS = 8;

/**
 * Returns an amount rounded (half-even) to the settle coin's precision. Balances only ever move by settled amounts,
 * so they stay exact however long the run, even when an averaged entry price does not terminate.
 */
export const settle = (amount: Decimal): Decimal => amount.toDecimalPlaces(SETTLE_DECIMALS, Decimal.ROUND_HALF_EVEN);

/** The result of applying one fill to a one-way position. */
export interface PositionChange {
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  /** Price PnL realised by the reducing part of the fill (fees excluded). */
  readonly realised: Decimal;
}

/**
 * Applies a fill to a signed position: adding to it averages the entry price; reducing realises
 * (price − entry) × closed × direction; flipping through zero opens the rest at the fill price.
 */
export const applyFill = (size: Decimal, entryPrice: Decimal, side: Side, quantity: Decimal, price: Decimal): PositionChange => {
  const delta = side === 'buy' ? quantity : quantity.negated();
  if (size.isZero() || size.isPositive() === delta.isPositive()) {
    const newSize = size.plus(delta);
    const entry = size.abs().times(entryPrice).plus(quantity.times(price)).dividedBy(newSize.abs());
    return { size: newSize, entryPrice: entry, realised: ZERO };
  }
  const closed = Decimal.min(quantity, size.abs());
  const direction = size.isPositive() ? 1 : -1;
  const realised = price.minus(entryPrice).times(closed).times(direction);
  const newSize = size.plus(delta);
  if (newSize.isZero()) return { size: newSize, entryPrice: ZERO, realised };
  const flipped = newSize.isPositive() !== size.isPositive();
  return { size: newSize, entryPrice: flipped ? price : entryPrice, realised };
};

/** A settle-coin balance. */
export interface WalletState {
  readonly coin: string;
  balance: Decimal;
  cumRealisedPnl: Decimal;
}

/**
 * Running totals of one account's open orders in one symbol, kept incrementally so margin checks stay O(1) however
 * deep the book is. Reduce-only and close-on-trigger orders count towards `count` only.
 */
export interface OpenExposure {
  count: number;
  buyQuantity: Decimal;
  buyValue: Decimal;
  sellQuantity: Decimal;
  sellValue: Decimal;
}

interface Contribution {
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly value: Decimal;
}

/** Everything the engine keeps for one account. */
export class AccountState {
  readonly id: string;
  readonly wallets = new Map<string, WalletState>();
  readonly positions = new Map<string, PositionState>();
  /** Every order ever accepted, oldest first. */
  readonly orders: OrderState[] = [];
  readonly byOrderId = new Map<string, OrderState>();
  readonly byClientId = new Map<string, OrderState>();
  /** Open orders in acceptance order; change it only through `track` / `untrack`. */
  readonly open = new Map<string, OrderState>();
  /** Open reduce-only (or close-on-trigger) orders, the ones re-checked after each position change. */
  readonly openReducing = new Map<string, OrderState>();
  readonly executions: SimExecution[] = [];
  executionSeq = 0;
  private readonly exposures = new Map<string, OpenExposure>();
  private readonly contributions = new Map<string, Contribution>();

  constructor(id: string) {
    this.id = id;
  }

  /** Returns the wallet for a coin, creating an empty one. */
  wallet(coin: string): WalletState {
    let w = this.wallets.get(coin);
    if (w === undefined) {
      w = { coin, balance: ZERO, cumRealisedPnl: ZERO };
      this.wallets.set(coin, w);
    }
    return w;
  }

  /** Returns the open-order totals of a symbol. */
  exposure(symbol: string): OpenExposure {
    let e = this.exposures.get(symbol);
    if (e === undefined) {
      e = { count: 0, buyQuantity: ZERO, buyValue: ZERO, sellQuantity: ZERO, sellValue: ZERO };
      this.exposures.set(symbol, e);
    }
    return e;
  }

  /** Records a newly accepted order (open until `untrack`). */
  addOrder(o: OrderState): void {
    this.orders.push(o);
    this.byOrderId.set(o.orderId, o);
    if (o.clientOrderId !== '') this.byClientId.set(o.clientOrderId, o);
    this.track(o);
  }

  /** Marks an order open, or refreshes its totals after its price or remaining quantity changed. */
  track(o: OrderState): void {
    if (this.open.has(o.orderId)) {
      this.removeContribution(o.orderId);
    } else {
      // Re-tracking keeps the order's place in `open`, so open orders stay listed in acceptance order.
      this.open.set(o.orderId, o);
      this.exposure(o.symbol).count += 1;
      if (o.reduceOnly || o.closeOnTrigger) this.openReducing.set(o.orderId, o);
    }
    if (o.reduceOnly || o.closeOnTrigger || o.price === undefined) return;
    const c: Contribution = { symbol: o.symbol, side: o.side, quantity: o.remaining, value: o.remaining.times(o.price) };
    this.contributions.set(o.orderId, c);
    const e = this.exposure(o.symbol);
    if (c.side === 'buy') {
      e.buyQuantity = e.buyQuantity.plus(c.quantity);
      e.buyValue = e.buyValue.plus(c.value);
    } else {
      e.sellQuantity = e.sellQuantity.plus(c.quantity);
      e.sellValue = e.sellValue.plus(c.value);
    }
  }

  /** Marks an order closed and removes it from the totals (no-op if it is not open). */
  untrack(o: OrderState): void {
    if (!this.open.delete(o.orderId)) return;
    this.openReducing.delete(o.orderId);
    this.exposure(o.symbol).count -= 1;
    this.removeContribution(o.orderId);
  }

  private removeContribution(orderId: string): void {
    const c = this.contributions.get(orderId);
    if (c === undefined) return;
    this.contributions.delete(orderId);
    const e = this.exposure(c.symbol);
    if (c.side === 'buy') {
      e.buyQuantity = e.buyQuantity.minus(c.quantity);
      e.buyValue = e.buyValue.minus(c.value);
    } else {
      e.sellQuantity = e.sellQuantity.minus(c.quantity);
      e.sellValue = e.sellValue.minus(c.value);
    }
  }

  /** Finds an order by reference (the venue id wins when both are given). */
  find(ref: { readonly orderId?: string | undefined; readonly clientOrderId?: string | undefined }): OrderState | undefined {
    if (ref.orderId !== undefined && ref.orderId !== '') return this.byOrderId.get(ref.orderId);
    if (ref.clientOrderId !== undefined && ref.clientOrderId !== '') return this.byClientId.get(ref.clientOrderId);
    return undefined;
  }
}

/**
 * Returns the initial margin held by open orders of one symbol: the side that adds to the position counts in full;
 * on the side that reduces it only the quantity beyond the position counts, valued at that side's average price.
 */
export const openOrdersIM = (e: OpenExposure, position: PositionState): Decimal => {
  const size = position.size;
  const part = (side: Side, quantity: Decimal, value: Decimal): Decimal => {
    if (quantity.isZero()) return ZERO;
    const reduces = !size.isZero() && size.isPositive() === (side === 'sell');
    if (!reduces) return value;
    const excess = quantity.minus(size.abs());
    return excess.lte(ZERO) ? ZERO : value.times(excess).dividedBy(quantity);
  };
  return part('buy', e.buyQuantity, e.buyValue).plus(part('sell', e.sellQuantity, e.sellValue)).dividedBy(position.leverage);
};
