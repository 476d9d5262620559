/**
 * Price-time matching over one symbol's book (`book.ts`): accepting an order and running it as taker (walking the
 * levels, synthetic size first, then our resting orders oldest first), the post-only and FOK checks, resting the
 * rest, amends that keep or lose queue priority, the trade-through queue model for replayed trades, fills and their
 * execution records, and book publication. Account effects go through the `AccountModel`; no clock reads.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { OrderStatus, Side } from '../../../domain/orders.ts';
import type { AccountModel } from './accounts/AccountModel.ts';
import { type AccountState, type OrderState, settle } from './accounts/ledger.ts';
import { levelSize } from './book.ts';
import type { EngineContext, SymbolState } from './EngineContext.ts';
import type { SimBook, SimCancelCause, SimExecution, SimOrderReason } from './types.ts';

/** The fields of a new order its creator decides; the rest start empty. */
export type NewOrder = Pick<
  OrderState,
  'clientOrderId' | 'side' | 'type' | 'timeInForce' | 'price' | 'quantity' | 'reduceOnly' | 'closeOnTrigger' | 'origin' | 'positionSide' | 'reducing'
>;

/** Who wants to know when one of our orders fills or closes (OCO pairs, brackets). */
export interface OrderObserver {
  onFill(order: OrderState): void;
  onClosed(order: OrderState): void;
}

const opposite = (side: Side): Side => (side === 'buy' ? 'sell' : 'buy');

/** The matching engine of all symbols. */
export class Matching {
  private readonly ctx: EngineContext;
  private readonly model: AccountModel;
  observer: OrderObserver | undefined = undefined;
  /** The last level price the current taker sweep reached (a triggered stop fills its remainder there). */
  private lastSweepPrice: Decimal | undefined;

  constructor(ctx: EngineContext, model: AccountModel) {
    this.ctx = ctx;
    this.model = model;
  }

  /** The price used to value a market order before it runs: the best opposite level, else the last price. */
  referencePrice(sym: SymbolState, side: Side): Decimal | undefined {
    return sym.book.best(opposite(side))?.price ?? sym.last;
  }

  /** Creates an order (under `orderId` when a gateway already assigned one), publishes it (unless it is a post-only order that would take) and runs it. */
  acceptOrder(acct: AccountState, sym: SymbolState, fields: NewOrder, orderId?: string): OrderState {
    const ts = this.ctx.ts();
    const order: OrderState = {
      ...fields,
      orderId: orderId ?? this.ctx.ids.orderId(),
      account: acct.id,
      symbol: sym.instrument.symbol,
      remaining: fields.quantity,
      filledQuantity: ZERO,
      filledValue: ZERO,
      cumulativeFee: ZERO,
      status: 'new',
      reason: 'none',
      cancelCause: 'unknown',
      createdAt: ts,
      updatedAt: ts,
    };
    acct.addOrder(order);
    // A post-only order that would take is accepted and cancelled at once: the stream shows it only as Cancelled
    // (Bybit's EC_PostOnlyWillTakeLiquidity), never as New, so no client mistakes it for a resting order.
    if (!this.postOnlyWouldTake(sym, order)) this.ctx.emit({ type: 'order', order: this.ctx.view(order) });
    this.execute(sym, order);
    return order;
  }

  private postOnlyWouldTake(sym: SymbolState, order: OrderState): boolean {
    const best = sym.book.best(opposite(order.side));
    return order.timeInForce === 'post_only' && best !== undefined && this.crosses(order, best.price);
  }

  private crosses(order: OrderState, levelPrice: Decimal): boolean {
    if (order.price === undefined) return true;
    return order.side === 'buy' ? levelPrice.lte(order.price) : levelPrice.gte(order.price);
  }

  /** Runs an order against the book as taker, then rests or closes the remainder per its time in force. */
  private execute(sym: SymbolState, order: OrderState): void {
    const book = sym.book;
    this.lastSweepPrice = undefined;
    const against = opposite(order.side);
    const best = book.best(against);
    if (order.timeInForce === 'post_only' && best !== undefined && this.crosses(order, best.price)) {
      this.closeOrder(order, 'cancelled', 'post_only_would_take', 'unknown');
      return;
    }
    if (order.timeInForce === 'fok') {
      let available = ZERO;
      for (const level of book.levels(against)) {
        if (!this.crosses(order, level.price) || available.gte(order.remaining)) break;
        available = available.plus(levelSize(level));
      }
      if (available.lt(order.remaining)) {
        this.closeOrder(order, 'cancelled', 'fok_not_filled', 'unknown');
        return;
      }
    }
    const capOf = this.model.takerCap;
    while (order.remaining.gt(ZERO) && order.status !== 'cancelled') {
      const level = book.best(against);
      if (level === undefined || !this.crosses(order, level.price)) break;
      this.lastSweepPrice = level.price;
      // Accounts that spend a balance stop a market buy where the balance runs out.
      const cap = capOf === undefined ? undefined : capOf(this.ctx.accounts.get(order.account) as AccountState, sym, order, level.price);
      if (cap !== undefined && cap.lte(ZERO)) break;
      if (level.synthetic.gt(ZERO)) {
        const quantity = cap === undefined ? Decimal.min(order.remaining, level.synthetic) : Decimal.min(order.remaining, level.synthetic, cap);
        const price = level.price;
        book.takeSynthetic(against, level, quantity);
        this.publicTrade(sym, price, quantity, order.side);
        this.fill(sym, order, price, quantity, false);
        continue;
      }
      const maker = level.orders[0];
      if (maker === undefined) break;
      const quantity = cap === undefined ? Decimal.min(order.remaining, maker.remaining) : Decimal.min(order.remaining, maker.remaining, cap);
      const price = level.price;
      this.publicTrade(sym, price, quantity, order.side);
      this.fill(sym, order, price, quantity, false);
      this.fill(sym, maker, price, quantity, true);
    }
    if (order.remaining.isZero() || order.status === 'cancelled') return;
    // A triggered TP/SL closes the whole position on a real venue (a market order sweeps a deep book); the synthetic
    // book is a few levels deep, so the remainder fills at the worst price the sweep reached (or the last price).
    if (order.origin !== 'user' && order.closeOnTrigger) {
      const worst = this.lastSweepPrice ?? sym.last ?? sym.mark;
      if (worst !== undefined) {
        const quantity = order.remaining;
        this.publicTrade(sym, worst, quantity, order.side);
        this.fill(sym, order, worst, quantity, false);
        if (order.remaining.isZero()) return;
      }
    }
    if (order.type === 'market' || order.timeInForce === 'ioc' || order.timeInForce === 'fok') {
      this.closeOrder(order, 'cancelled', order.filledQuantity.isZero() ? 'no_immediate_fill' : 'none', 'unknown');
      return;
    }
    book.add(order.side, order.price as Decimal, order);
  }

  private publicTrade(sym: SymbolState, price: Decimal, size: Decimal, side: Side): void {
    this.ctx.emit({ type: 'trade', symbol: sym.instrument.symbol, tradeId: this.ctx.ids.tradeId(), price, size, side, ts: this.ctx.ts() });
  }

  /** Moves an open order to a closed status and takes it out of the book. */
  closeOrder(order: OrderState, status: Extract<OrderStatus, 'cancelled' | 'filled'>, reason: SimOrderReason, cause: SimCancelCause): void {
    const sym = this.ctx.symbols.get(order.symbol) as SymbolState;
    sym.book.remove(order.orderId);
    this.ctx.accounts.get(order.account)?.untrack(order);
    order.status = status;
    order.reason = reason;
    order.cancelCause = cause;
    order.updatedAt = this.ctx.ts();
    this.ctx.emit({ type: 'order', order: this.ctx.view(order) });
    this.observer?.onClosed(order);
  }

  /** Books one fill of one of our orders: order, execution, account effects; then re-checks reducing orders. */
  private fill(sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal, isMaker: boolean): void {
    const acct = this.ctx.accounts.get(order.account) as AccountState;
    const ts = this.ctx.ts();
    const feeRate = isMaker ? this.ctx.settings.makerFeeRate : this.ctx.settings.takerFeeRate;
    const fee = settle(price.times(quantity).times(feeRate), this.ctx.settings.settleDecimals);
    order.filledQuantity = order.filledQuantity.plus(quantity);
    order.filledValue = order.filledValue.plus(price.times(quantity));
    order.cumulativeFee = order.cumulativeFee.plus(fee);
    order.updatedAt = ts;
    const remaining = order.remaining.minus(quantity);
    if (sym.book.has(order.orderId)) sym.book.setRemaining(order.orderId, remaining);
    order.remaining = remaining;
    order.status = remaining.isZero() ? 'filled' : 'partially_filled';
    if (remaining.isZero()) acct.untrack(order);
    else acct.track(order);
    this.model.bookFill(acct, sym, order, price, quantity, fee);

    const execution: SimExecution = {
      execId: this.ctx.ids.execId(),
      orderId: order.orderId,
      clientOrderId: order.clientOrderId,
      account: acct.id,
      symbol: sym.instrument.symbol,
      side: order.side,
      price,
      quantity,
      fee,
      feeRate,
      isMaker,
      ts,
      seq: ++acct.executionSeq,
    };
    acct.executions.push(execution);
    this.ctx.emit({ type: 'execution', execution });
    this.ctx.emit({ type: 'order', order: this.ctx.view(order) });
    this.model.publishFill(acct, sym, order);
    for (const action of this.model.reduceOnlyActions(acct, sym, order)) {
      if (action.shrinkTo === undefined) this.closeOrder(action.order, 'cancelled', 'none', 'reduce_only');
      else this.shrink(acct, sym, action.order, action.shrinkTo);
    }
    this.observer?.onFill(order);
  }

  /** Shrinks a resting order in place (it keeps its queue position). */
  private shrink(acct: AccountState, sym: SymbolState, o: OrderState, remaining: Decimal): void {
    o.quantity = o.filledQuantity.plus(remaining);
    sym.book.setRemaining(o.orderId, remaining);
    o.remaining = remaining;
    o.updatedAt = this.ctx.ts();
    acct.track(o);
    this.ctx.emit({ type: 'order', order: this.ctx.view(o) });
  }

  /**
   * Applies an admitted amend: a smaller quantity at the same price keeps the queue position; a new price or a larger
   * quantity goes to the back of the queue and runs again like a new order (and may cross).
   */
  amend(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal): void {
    const keepsPriority = price.eq(order.price as Decimal) && quantity.lt(order.quantity);
    const remaining = quantity.minus(order.filledQuantity);
    order.quantity = quantity;
    order.updatedAt = this.ctx.ts();
    if (keepsPriority) {
      sym.book.setRemaining(order.orderId, remaining);
      order.remaining = remaining;
      acct.track(order);
      this.ctx.emit({ type: 'order', order: this.ctx.view(order) });
    } else {
      sym.book.remove(order.orderId);
      order.remaining = remaining;
      order.price = price;
      acct.track(order);
      this.ctx.emit({ type: 'order', order: this.ctx.view(order) });
      this.execute(sym, order);
    }
  }

  /**
   * The queue model: a replayed trade strictly through a resting order's price fills all of it; a trade exactly at
   * the price fills resting orders there FIFO up to the trade's size. Makers fill at their own limit price.
   */
  fillRestingAgainstTrade(sym: SymbolState, price: Decimal, size: Decimal): void {
    let budget = size;
    for (const side of ['buy', 'sell'] as const) {
      const candidates: OrderState[] = [];
      for (const level of sym.book.levels(side)) {
        if (side === 'buy' ? level.price.lt(price) : level.price.gt(price)) break;
        candidates.push(...level.orders);
      }
      for (const o of candidates) {
        if (!sym.book.has(o.orderId) || o.price === undefined) continue;
        const through = !o.price.eq(price);
        const quantity = through ? o.remaining : Decimal.min(o.remaining, budget);
        if (quantity.lte(ZERO)) continue;
        if (!through) budget = budget.minus(quantity);
        this.fill(sym, o, o.price, quantity, true);
      }
    }
  }

  /** Publishes the book's changes since the last call: a snapshot the first time, deltas after. */
  flushBook(sym: SymbolState): void {
    const changes = sym.book.takeChanges();
    if (changes === undefined) return;
    sym.updateId += 1;
    sym.bookSeq = this.ctx.nextBookSeq();
    sym.bookTs = this.ctx.ts();
    const kind = sym.snapshotSent ? 'delta' : 'snapshot';
    const levels = kind === 'snapshot' ? sym.book.snapshot(Number.MAX_SAFE_INTEGER) : changes;
    sym.snapshotSent = true;
    this.ctx.emit({ type: 'book', kind, symbol: sym.instrument.symbol, bids: levels.bids, asks: levels.asks, updateId: sym.updateId, seq: sym.bookSeq, ts: sym.bookTs });
  }

  /** Returns the top levels of a symbol's book; a book that never updated is stamped now (adapters refuse a ts of 0). */
  book(symbol: string, depth: number): SimBook {
    const sym = this.ctx.symbols.get(symbol);
    if (sym === undefined) return { symbol, bids: [], asks: [], updateId: 0, seq: 0, ts: this.ctx.now() };
    const { bids, asks } = sym.book.snapshot(depth);
    return { symbol, bids, asks, updateId: sym.updateId, seq: sym.bookSeq, ts: sym.bookTs === 0 ? this.ctx.now() : sym.bookTs };
  }
}
