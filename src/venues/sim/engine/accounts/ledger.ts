/**
 * The per-account ledger every account model shares: every order (by venue id and client id), the open ones with
 * running totals of what they commit, the wallets, the executions, and the settlement rounding. Holds state only;
 * the account models decide what the totals mean (margin, held balance) and the engine publishes the events.
 */
import { Decimal, ZERO } from '../../../../domain/money.ts';
import type { OrderStatus, OrderType, Side, TimeInForce } from '../../../../domain/orders.ts';
import type { BookOrder } from '../book.ts';
import type { SimSpelling } from '../profiles.ts';
import type {
  SimCancelCause,
  SimExecution,
  SimOrder,
  SimOrderOrigin,
  SimOrderReason,
  SimOrderRef,
  SimPositionMode,
  SimPositionSide,
} from '../types.ts';
import type { PositionState } from './positions.ts';

/** The engine's mutable view of one order; reasons are neutral until `orderView` spells them. */
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
  reason: SimOrderReason;
  cancelCause: SimCancelCause;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  readonly origin: SimOrderOrigin;
  readonly positionSide: SimPositionSide | undefined;
  /** Can only reduce its position (reduce-only, close-on-trigger, or a hedge leg's closing side): holds no margin. */
  readonly reducing: boolean;
  readonly createdAt: number;
  updatedAt: number;
}

/** Returns the immutable public view of an order, its reasons spelled by the profile. */
export const orderView = (o: OrderState, spelling: SimSpelling): SimOrder => ({
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
  rejectReason: spelling.reason[o.reason],
  cancelType: spelling.cancel[o.cancelCause],
  reduceOnly: o.reduceOnly,
  closeOnTrigger: o.closeOnTrigger,
  stopOrderType: spelling.origin[o.origin],
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
  ...(o.positionSide === undefined ? {} : { positionSide: o.positionSide }),
});

/** Default decimal places of settled money (fees, realised PnL), as Bybit books USDT. */
export const SETTLE_DECIMALS = 8;

/**
 * Returns an amount rounded (half-even) to the settle coin's precision. Balances only ever move by settled amounts,
 * so they stay exact however long the run, even when an averaged entry price does not terminate.
 */
export const settle = (amount: Decimal, decimals: number = SETTLE_DECIMALS): Decimal => amount.toDecimalPlaces(decimals, Decimal.ROUND_HALF_EVEN);

/** A balance of one coin (settle coin, spot asset or cash). */
export interface WalletState {
  readonly coin: string;
  balance: Decimal;
  cumRealisedPnl: Decimal;
}

/**
 * Running totals of one account's open priced, non-reducing orders under one exposure key (a symbol, or a hedge
 * leg), kept incrementally so margin and balance checks stay O(1) however deep the book is.
 */
export interface OpenExposure {
  buyQuantity: Decimal;
  buyValue: Decimal;
  sellQuantity: Decimal;
  sellValue: Decimal;
}

interface Contribution {
  readonly key: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly value: Decimal;
}

/** Returns the key of a position (and of its open-order totals): the symbol, or `symbol:side` for a hedge leg. */
export const positionKey = (symbol: string, positionSide: SimPositionSide | undefined): string =>
  positionSide === undefined ? symbol : `${symbol}:${positionSide}`;

/** Which executions a query wants: of one symbol, from and to a time (both inclusive). */
export interface ExecutionFilter {
  readonly symbol?: string | undefined;
  readonly startTime?: number | undefined;
  readonly endTime?: number | undefined;
}

/** Everything the engine keeps for one account. */
export class AccountState {
  readonly id: string;
  positionMode: SimPositionMode;
  readonly wallets = new Map<string, WalletState>();
  /** Positions by `positionKey`, in creation order. */
  readonly positions = new Map<string, PositionState>();
  /** Every order ever accepted, oldest first. */
  readonly orders: OrderState[] = [];
  readonly byOrderId = new Map<string, OrderState>();
  readonly byClientId = new Map<string, OrderState>();
  /** Open orders in acceptance order; change it only through `track` / `untrack`. */
  readonly open = new Map<string, OrderState>();
  /** Open reducing orders, the ones re-checked after each position change. */
  readonly openReducing = new Map<string, OrderState>();
  readonly executions: SimExecution[] = [];
  executionSeq = 0;
  private readonly exposures = new Map<string, OpenExposure>();
  private readonly counts = new Map<string, number>();
  private readonly contributions = new Map<string, Contribution>();

  constructor(id: string, positionMode: SimPositionMode) {
    this.id = id;
    this.positionMode = positionMode;
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

  /** Returns the open-order totals under an exposure key (see `positionKey`). */
  exposure(key: string): OpenExposure {
    let e = this.exposures.get(key);
    if (e === undefined) {
      e = { buyQuantity: ZERO, buyValue: ZERO, sellQuantity: ZERO, sellValue: ZERO };
      this.exposures.set(key, e);
    }
    return e;
  }

  /** Returns the number of open orders in a symbol (all kinds). */
  openCount(symbol: string): number {
    return this.counts.get(symbol) ?? 0;
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
      this.counts.set(o.symbol, this.openCount(o.symbol) + 1);
      if (o.reducing) this.openReducing.set(o.orderId, o);
    }
    if (o.reducing || o.price === undefined) return;
    const c: Contribution = { key: positionKey(o.symbol, o.positionSide), side: o.side, quantity: o.remaining, value: o.remaining.times(o.price) };
    this.contributions.set(o.orderId, c);
    const e = this.exposure(c.key);
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
    this.counts.set(o.symbol, this.openCount(o.symbol) - 1);
    this.removeContribution(o.orderId);
  }

  private removeContribution(orderId: string): void {
    const c = this.contributions.get(orderId);
    if (c === undefined) return;
    this.contributions.delete(orderId);
    const e = this.exposure(c.key);
    if (c.side === 'buy') {
      e.buyQuantity = e.buyQuantity.minus(c.quantity);
      e.buyValue = e.buyValue.minus(c.value);
    } else {
      e.sellQuantity = e.sellQuantity.minus(c.quantity);
      e.sellValue = e.sellValue.minus(c.value);
    }
  }

  /** Returns the executions matching the filter, oldest first. */
  executionsWhere(filter: ExecutionFilter): ReadonlyArray<SimExecution> {
    return this.executions.filter(
      (e) => (filter.symbol === undefined || e.symbol === filter.symbol) && (filter.startTime === undefined || e.ts >= filter.startTime) && (filter.endTime === undefined || e.ts <= filter.endTime),
    );
  }

  /** Finds an order by reference (the venue id wins when both are given). */
  find(ref: SimOrderRef): OrderState | undefined {
    if (ref.orderId !== undefined && ref.orderId !== '') return this.byOrderId.get(ref.orderId);
    if (ref.clientOrderId !== undefined && ref.clientOrderId !== '') return this.byClientId.get(ref.clientOrderId);
    return undefined;
  }
}
