/**
 * The simulator's matching engine: per-symbol price-time-priority books (synthetic replay liquidity + our orders),
 * linear-perpetual accounts in one-way mode with margin, fees and PnL, position TP/SL triggers, and the replay loop
 * that turns `MarketFeed` ticks into public and private events. Deterministic for a given seed and input; reads time
 * only from the injected clock (or the replayed tick being processed) and performs no I/O.
 */
import type { Clock } from '../../../kernel/Clock.ts';
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { Side, TriggerSource } from '../../../domain/orders.ts';
import { isMultipleOf } from '../../../domain/rounding.ts';
import type { MarketFeed, MarketTick } from '../replay/MarketFeed.ts';
import { AccountState, applyFill, openOrdersIM, orderView, type OrderState, positionIM, type PositionState, positionView, settle, unrealisedPnl } from './accounts.ts';
import { levelSize, OrderBook } from './book.ts';
import { SimIds } from './ids.ts';
import type {
  SimBook,
  SimEvent,
  SimExchange,
  SimExecution,
  SimOrder,
  SimOrderInput,
  SimOrderRef,
  SimPosition,
  SimRejectCode,
  SimResult,
  SimTicker,
  SimWallet,
} from './types.ts';

/** Options of `createSimExchange`. */
export interface SimExchangeOptions {
  readonly clock: Clock;
  readonly instruments: ReadonlyArray<Instrument>;
  /** At most one feed per symbol; symbols without a feed have no synthetic liquidity. */
  readonly feeds: ReadonlyArray<MarketFeed>;
  readonly seed: number;
  /** Default 0.0002 (Bybit linear maker). */
  readonly makerFeeRate?: Decimal | undefined;
  /** Default 0.00055 (Bybit linear taker). */
  readonly takerFeeRate?: Decimal | undefined;
  /** Default 500 (Bybit). */
  readonly maxOpenOrdersPerSymbol?: number | undefined;
  /** Leverage of a position that was never set (default 10, capped to the instrument's maximum). */
  readonly defaultLeverage?: Decimal | undefined;
  /**
   * Receives errors thrown by subscribers. The engine never lets a subscriber's error interrupt a state change half
   * way; by default the error is re-thrown from a microtask so it still surfaces (as an uncaught exception).
   */
  readonly onListenerError?: ((error: unknown, event: SimEvent) => void) | undefined;
}

export { bybitLinearInstrument } from './instruments.ts';

/** Reject reasons and cancel types reported on orders, spelled as Bybit reports them. */
const REASON = {
  none: 'EC_NoError',
  postOnly: 'EC_PostOnlyWillTakeLiquidity',
  noImmediate: 'EC_NoImmediateQtyToFill',
  fokNotFilled: 'EC_NoEnoughQtyToFill',
} as const;

interface SymbolState {
  instrument: Instrument;
  readonly book: OrderBook<OrderState>;
  last: Decimal | undefined;
  mark: Decimal | undefined;
  index: Decimal | undefined;
  volume: Decimal;
  turnover: Decimal;
  updateId: number;
  bookSeq: number;
  bookTs: number;
  /** Timestamp of the last replayed tick of this symbol (0 before the first). */
  lastTickTs: number;
  snapshotSent: boolean;
}

const opposite = (side: Side): Side => (side === 'buy' ? 'sell' : 'buy');
const reject = <A>(code: SimRejectCode, message: string): SimResult<A> => ({ ok: false, code, message });
const accept = <A>(value: A): SimResult<A> => ({ ok: true, value });

class SimExchangeEngine implements SimExchange {
  private readonly clock: Clock;
  private readonly ids: SimIds;
  private readonly makerFee: Decimal;
  private readonly takerFee: Decimal;
  private readonly maxOpen: number;
  private readonly defaultLeverage: Decimal;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly feeds: ReadonlyArray<MarketFeed>;
  private readonly accounts = new Map<string, AccountState>();
  private listeners: Array<(event: SimEvent) => void> = [];
  private crossSeq = 0;
  private readonly onListenerError: (error: unknown, event: SimEvent) => void;
  /** The last level price the current taker sweep reached (a triggered stop fills its remainder there). */
  private lastSweepPrice: Decimal | undefined;
  /** The timestamp of the tick being processed; API calls use the clock instead. */
  private tickTs: number | undefined;

  constructor(opts: SimExchangeOptions) {
    this.clock = opts.clock;
    this.ids = new SimIds(opts.seed);
    this.makerFee = opts.makerFeeRate ?? new Decimal('0.0002');
    this.takerFee = opts.takerFeeRate ?? new Decimal('0.00055');
    this.maxOpen = opts.maxOpenOrdersPerSymbol ?? 500;
    this.defaultLeverage = opts.defaultLeverage ?? new Decimal(10);
    this.onListenerError =
      opts.onListenerError ??
      ((error) =>
        queueMicrotask(() => {
          throw error;
        }));
    for (const instrument of opts.instruments) {
      this.symbols.set(instrument.symbol, {
        instrument,
        book: new OrderBook(instrument.symbol),
        last: undefined,
        mark: undefined,
        index: undefined,
        volume: ZERO,
        turnover: ZERO,
        updateId: 0,
        bookSeq: 0,
        bookTs: 0,
        lastTickTs: 0,
        snapshotSent: false,
      });
    }
    const seen = new Set<string>();
    for (const feed of opts.feeds) {
      if (!this.symbols.has(feed.symbol)) throw new RangeError(`feed for unknown symbol ${feed.symbol}`);
      if (seen.has(feed.symbol)) throw new RangeError(`two feeds for ${feed.symbol}`);
      seen.add(feed.symbol);
    }
    this.feeds = opts.feeds;
  }

  // ── plumbing ────────────────────────────────────────────────────────────────────────────────────────────────────

  get instruments(): ReadonlyArray<Instrument> {
    return [...this.symbols.values()].map((s) => s.instrument);
  }

  setInstrumentStatus(symbol: string, status: Instrument['status']): SimResult<Instrument> {
    const sym = this.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    if (sym.instrument.status === status) return reject('not_modified', `${symbol} is already ${status}`);
    sym.instrument = { ...sym.instrument, status };
    return accept(sym.instrument);
  }

  now(): number {
    return this.clock.now();
  }

  private ts(): number {
    return this.tickTs ?? this.clock.now();
  }

  subscribe(listener: (event: SimEvent) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  private emit(event: SimEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }

  private account(id: string): AccountState {
    let a = this.accounts.get(id);
    if (a === undefined) {
      a = new AccountState(id);
      this.accounts.set(id, a);
    }
    return a;
  }

  private position(acct: AccountState, sym: SymbolState): PositionState {
    let p = acct.positions.get(sym.instrument.symbol);
    if (p === undefined) {
      const ts = this.ts();
      p = {
        symbol: sym.instrument.symbol,
        size: ZERO,
        entryPrice: ZERO,
        leverage: Decimal.min(this.defaultLeverage, sym.instrument.maxLeverage),
        cumRealisedPnl: ZERO,
        takeProfit: undefined,
        stopLoss: undefined,
        tpTrigger: 'last',
        slTrigger: 'last',
        seq: -1,
        createdAt: ts,
        updatedAt: ts,
      };
      acct.positions.set(p.symbol, p);
    }
    return p;
  }

  private markOf(sym: SymbolState, fallback: Decimal): Decimal {
    return sym.mark ?? sym.last ?? fallback;
  }

  private positionEvent(acct: AccountState, sym: SymbolState, p: PositionState): SimPosition {
    const view = positionView(acct.id, p, this.markOf(sym, p.entryPrice));
    this.emit({ type: 'position', position: view });
    return view;
  }

  /** Equity, unrealised PnL and initial margin (positions + open orders) of the account in one coin. */
  private margin(acct: AccountState, coin: string): { readonly equity: Decimal; readonly upnl: Decimal; readonly im: Decimal } {
    const w = acct.wallet(coin);
    let upnl = ZERO;
    let im = ZERO;
    for (const [symbol, p] of acct.positions) {
      const sym = this.symbols.get(symbol);
      if (sym === undefined || sym.instrument.settleAsset !== coin) continue;
      upnl = upnl.plus(unrealisedPnl(p, this.markOf(sym, p.entryPrice)));
      im = im.plus(positionIM(p));
    }
    im = im.plus(this.ordersIM(acct, coin));
    return { equity: w.balance.plus(upnl), upnl, im };
  }

  private walletView(acct: AccountState, coin: string): SimWallet {
    const w = acct.wallet(coin);
    const m = this.margin(acct, coin);
    return {
      account: acct.id,
      coin,
      walletBalance: w.balance,
      equity: m.equity,
      availableBalance: Decimal.max(ZERO, m.equity.minus(m.im)),
      unrealisedPnl: m.upnl,
      cumRealisedPnl: w.cumRealisedPnl,
    };
  }

  private walletEvent(acct: AccountState, coin: string): void {
    this.emit({ type: 'wallet', wallet: this.walletView(acct, coin) });
  }

  /** Margin held by open orders (see `openOrdersIM`), over the symbols settled in the coin. */
  private ordersIM(acct: AccountState, coin: string): Decimal {
    let im = ZERO;
    for (const sym of this.symbols.values()) {
      if (sym.instrument.settleAsset !== coin) continue;
      const e = acct.exposure(sym.instrument.symbol);
      if (e.buyQuantity.isZero() && e.sellQuantity.isZero()) continue;
      im = im.plus(openOrdersIM(e, this.position(acct, sym)));
    }
    return im;
  }

  private openingQuantity(p: PositionState, side: Side, quantity: Decimal): Decimal {
    const reduces = !p.size.isZero() && p.size.isPositive() === (side === 'sell');
    return reduces ? Decimal.max(ZERO, quantity.minus(p.size.abs())) : quantity;
  }

  /** Available balance before clamping at zero (negative when margin is short). */
  private available(acct: AccountState, coin: string): Decimal {
    const m = this.margin(acct, coin);
    return m.equity.minus(m.im);
  }

  private flushBook(sym: SymbolState): void {
    const changes = sym.book.takeChanges();
    if (changes === undefined) return;
    sym.updateId += 1;
    sym.bookSeq = ++this.crossSeq;
    sym.bookTs = this.ts();
    const kind = sym.snapshotSent ? 'delta' : 'snapshot';
    const levels = kind === 'snapshot' ? sym.book.snapshot(Number.MAX_SAFE_INTEGER) : changes;
    sym.snapshotSent = true;
    this.emit({ type: 'book', kind, symbol: sym.instrument.symbol, bids: levels.bids, asks: levels.asks, updateId: sym.updateId, seq: sym.bookSeq, ts: sym.bookTs });
  }

  // ── accounts ────────────────────────────────────────────────────────────────────────────────────────────────────

  fundAccount(account: string, coin: string, amount: Decimal): void {
    const acct = this.account(account);
    const w = acct.wallet(coin);
    w.balance = w.balance.plus(amount);
    this.walletEvent(acct, coin);
  }

  // ── orders ──────────────────────────────────────────────────────────────────────────────────────────────────────

  placeOrder(input: SimOrderInput): SimResult<SimOrder> {
    const sym = this.symbols.get(input.symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${input.symbol}`);
    const inst = sym.instrument;
    if (inst.status !== 'trading') return reject('invalid_request', `${inst.symbol} is not trading`);
    const acct = this.account(input.account);
    const clientOrderId = input.clientOrderId ?? '';
    if (clientOrderId !== '' && acct.byClientId.has(clientOrderId)) return reject('duplicate_client_id', `duplicate clientOrderId ${clientOrderId}`);
    const market = input.type === 'market';
    if (market && input.timeInForce === 'post_only') return reject('invalid_request', 'a market order cannot be post-only');
    const reducing = input.reduceOnly || input.closeOnTrigger;
    const p = this.position(acct, sym);

    let quantity = input.quantity;
    // Bybit: qty "0" with reduceOnly and closeOnTrigger closes the whole position (up to the order-type maximum).
    if (quantity.isZero() && input.reduceOnly && input.closeOnTrigger) {
      quantity = Decimal.min(p.size.abs(), market ? inst.maxMarketQuantity : inst.maxQuantity);
      if (quantity.isZero()) return reject('reduce_only_no_position', 'current position is zero, cannot fix reduce-only order qty');
    }
    const maxQty = market ? inst.maxMarketQuantity : inst.maxQuantity;
    if (!quantity.isFinite() || quantity.lte(ZERO) || !isMultipleOf(quantity, inst.quantityStep) || quantity.lt(inst.minQuantity) || quantity.gt(maxQty)) {
      return reject('qty_invalid', `quantity ${quantity.toString()} is not valid for ${inst.symbol}`);
    }
    const price = market ? undefined : input.price;
    if (!market) {
      if (price === undefined || !price.isFinite() || price.lte(ZERO)) return reject('price_invalid', 'a limit order needs a positive price');
      if (!isMultipleOf(price, inst.tickSize) || price.lt(inst.minPrice) || price.gt(inst.maxPrice)) {
        return reject('price_invalid', `price ${price.toString()} is not valid for ${inst.symbol}`);
      }
    }
    if (reducing) {
      const increases = p.size.isZero() || p.size.isPositive() === (input.side === 'buy');
      if (increases) return reject('reduce_only_no_position', 'reduce-only order would open or increase the position');
      quantity = Decimal.min(quantity, p.size.abs());
    }
    const reference = price ?? this.referencePrice(sym, input.side);
    if (!reducing && reference !== undefined && quantity.times(reference).lt(inst.minNotional)) {
      return reject('min_notional', `order value is below ${inst.minNotional.toString()}`);
    }
    if (!market && acct.exposure(inst.symbol).count >= this.maxOpen) {
      return reject('too_many_orders', `more than ${this.maxOpen} open orders on ${inst.symbol}`);
    }
    if (!reducing && reference !== undefined) {
      const required = this.openingQuantity(p, input.side, quantity).times(reference).dividedBy(p.leverage);
      if (required.gt(this.available(acct, inst.settleAsset))) return reject('insufficient_margin', 'available balance is insufficient');
    }
    const order = this.acceptOrder(acct, sym, {
      clientOrderId,
      side: input.side,
      type: input.type,
      timeInForce: market && input.timeInForce !== 'fok' ? 'ioc' : input.timeInForce,
      price,
      quantity,
      reduceOnly: input.reduceOnly,
      closeOnTrigger: input.closeOnTrigger,
      stopOrderType: '',
    });
    this.flushBook(sym);
    return accept(orderView(order));
  }

  /** The price used to value a market order before it runs: the best opposite level, else the last price. */
  private referencePrice(sym: SymbolState, side: Side): Decimal | undefined {
    return sym.book.best(opposite(side))?.price ?? sym.last;
  }

  private acceptOrder(
    acct: AccountState,
    sym: SymbolState,
    fields: Pick<OrderState, 'clientOrderId' | 'side' | 'type' | 'timeInForce' | 'price' | 'quantity' | 'reduceOnly' | 'closeOnTrigger' | 'stopOrderType'>,
  ): OrderState {
    const ts = this.ts();
    const order: OrderState = {
      ...fields,
      orderId: this.ids.orderId(),
      account: acct.id,
      symbol: sym.instrument.symbol,
      remaining: fields.quantity,
      filledQuantity: ZERO,
      filledValue: ZERO,
      cumulativeFee: ZERO,
      status: 'new',
      rejectReason: REASON.none,
      cancelType: 'UNKNOWN',
      createdAt: ts,
      updatedAt: ts,
    };
    acct.addOrder(order);
    // A post-only order that would take is accepted and cancelled at once: the stream shows it only as Cancelled
    // (EC_PostOnlyWillTakeLiquidity), never as New, so no client mistakes it for a resting order.
    if (!this.postOnlyWouldTake(sym, order)) this.emit({ type: 'order', order: orderView(order) });
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
      this.closeOrder(order, 'cancelled', REASON.postOnly, 'UNKNOWN');
      return;
    }
    if (order.timeInForce === 'fok') {
      let available = ZERO;
      for (const level of book.levels(against)) {
        if (!this.crosses(order, level.price) || available.gte(order.remaining)) break;
        available = available.plus(levelSize(level));
      }
      if (available.lt(order.remaining)) {
        this.closeOrder(order, 'cancelled', REASON.fokNotFilled, 'UNKNOWN');
        return;
      }
    }
    while (order.remaining.gt(ZERO) && order.status !== 'cancelled') {
      const level = book.best(against);
      if (level === undefined || !this.crosses(order, level.price)) break;
      this.lastSweepPrice = level.price;
      if (level.synthetic.gt(ZERO)) {
        const quantity = Decimal.min(order.remaining, level.synthetic);
        const price = level.price;
        book.takeSynthetic(against, level, quantity);
        this.publicTrade(sym, price, quantity, order.side);
        this.fill(sym, order, price, quantity, false);
        continue;
      }
      const maker = level.orders[0];
      if (maker === undefined) break;
      const quantity = Decimal.min(order.remaining, maker.remaining);
      const price = level.price;
      this.publicTrade(sym, price, quantity, order.side);
      this.fill(sym, order, price, quantity, false);
      this.fill(sym, maker, price, quantity, true);
    }
    if (order.remaining.isZero() || order.status === 'cancelled') return;
    // A triggered TP/SL closes the whole position on a real venue (a market order sweeps a deep book); the synthetic
    // book is a few levels deep, so the remainder fills at the worst price the sweep reached (or the last price).
    if (order.stopOrderType !== '' && order.closeOnTrigger) {
      const worst = this.lastSweepPrice ?? sym.last ?? sym.mark;
      if (worst !== undefined) {
        const quantity = order.remaining;
        this.publicTrade(sym, worst, quantity, order.side);
        this.fill(sym, order, worst, quantity, false);
        if (order.remaining.isZero()) return;
      }
    }
    if (order.type === 'market' || order.timeInForce === 'ioc' || order.timeInForce === 'fok') {
      this.closeOrder(order, 'cancelled', order.filledQuantity.isZero() ? REASON.noImmediate : REASON.none, 'UNKNOWN');
      return;
    }
    book.add(order.side, order.price as Decimal, order);
  }

  private publicTrade(sym: SymbolState, price: Decimal, size: Decimal, side: Side): void {
    this.emit({ type: 'trade', symbol: sym.instrument.symbol, tradeId: this.ids.tradeId(), price, size, side, ts: this.ts() });
  }

  /** Moves an open order to a closed status and takes it out of the book. */
  private closeOrder(order: OrderState, status: 'cancelled' | 'filled', rejectReason: string, cancelType: string): void {
    const sym = this.symbols.get(order.symbol) as SymbolState;
    sym.book.remove(order.orderId);
    this.accounts.get(order.account)?.untrack(order);
    order.status = status;
    order.rejectReason = rejectReason;
    order.cancelType = cancelType;
    order.updatedAt = this.ts();
    this.emit({ type: 'order', order: orderView(order) });
  }

  /** Books one fill of one of our orders: order, execution, position, wallet; then re-checks reduce-only orders. */
  private fill(sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal, isMaker: boolean): void {
    const acct = this.accounts.get(order.account) as AccountState;
    const ts = this.ts();
    const feeRate = isMaker ? this.makerFee : this.takerFee;
    const fee = settle(price.times(quantity).times(feeRate));
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

    const p = this.position(acct, sym);
    const change = applyFill(p.size, p.entryPrice, order.side, quantity, price);
    const net = settle(change.realised).minus(fee);
    const flipped = !p.size.isZero() && !change.size.isZero() && p.size.isPositive() !== change.size.isPositive();
    p.size = change.size;
    p.entryPrice = change.entryPrice;
    p.cumRealisedPnl = p.cumRealisedPnl.plus(net);
    p.seq = p.seq < 0 ? 0 : p.seq + 1;
    p.updatedAt = ts;
    // Stops belong to the position: they go when it goes flat or flips to the other side.
    if (p.size.isZero() || flipped) {
      p.takeProfit = undefined;
      p.stopLoss = undefined;
    }
    const wallet = acct.wallet(sym.instrument.settleAsset);
    wallet.balance = wallet.balance.plus(net);
    wallet.cumRealisedPnl = wallet.cumRealisedPnl.plus(net);

    const execution: SimExecution = {
      execId: this.ids.execId(),
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
    this.emit({ type: 'execution', execution });
    this.emit({ type: 'order', order: orderView(order) });
    this.positionEvent(acct, sym, p);
    this.walletEvent(acct, sym.instrument.settleAsset);
    this.enforceReduceOnly(acct, sym, p);
  }

  /** Cancels reduce-only orders that would now increase the position and shrinks those larger than it (Bybit). */
  private enforceReduceOnly(acct: AccountState, sym: SymbolState, p: PositionState): void {
    for (const o of [...acct.openReducing.values()]) {
      if (o.symbol !== sym.instrument.symbol || !sym.book.has(o.orderId)) continue;
      const increases = p.size.isZero() || p.size.isPositive() === (o.side === 'buy');
      if (increases) {
        this.closeOrder(o, 'cancelled', REASON.none, 'CancelByReduceOnly');
      } else if (o.remaining.gt(p.size.abs())) {
        o.quantity = o.filledQuantity.plus(p.size.abs());
        sym.book.setRemaining(o.orderId, p.size.abs());
        o.remaining = p.size.abs();
        o.updatedAt = this.ts();
        acct.track(o);
        this.emit({ type: 'order', order: orderView(o) });
      }
    }
  }

  amendOrder(
    account: string,
    symbol: string,
    ref: SimOrderRef,
    changes: { readonly quantity?: Decimal | undefined; readonly price?: Decimal | undefined },
  ): SimResult<SimOrder> {
    const sym = this.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    const acct = this.accounts.get(account);
    const order = acct?.find(ref);
    if (acct === undefined || order === undefined || order.symbol !== symbol || !acct.open.has(order.orderId)) {
      return reject('order_not_found', 'order does not exist or is closed');
    }
    if (order.price === undefined) return reject('invalid_request', 'only limit orders can be amended');
    const inst = sym.instrument;
    const newPrice = changes.price ?? order.price;
    let newQuantity = changes.quantity ?? order.quantity;
    if (newPrice.eq(order.price) && newQuantity.eq(order.quantity)) return reject('not_modified', 'order not modified');
    if (!isMultipleOf(newPrice, inst.tickSize) || newPrice.lt(inst.minPrice) || newPrice.gt(inst.maxPrice) || newPrice.lte(ZERO)) {
      return reject('price_invalid', `price ${newPrice.toString()} is not valid for ${inst.symbol}`);
    }
    if (!isMultipleOf(newQuantity, inst.quantityStep) || newQuantity.lt(inst.minQuantity) || newQuantity.gt(inst.maxQuantity) || newQuantity.lte(order.filledQuantity)) {
      return reject('qty_invalid', `quantity ${newQuantity.toString()} is not valid (filled ${order.filledQuantity.toString()})`);
    }
    const p = this.position(acct, sym);
    if (order.reduceOnly || order.closeOnTrigger) {
      newQuantity = Decimal.min(newQuantity, order.filledQuantity.plus(p.size.abs()));
    } else {
      const before = this.openingQuantity(p, order.side, order.remaining).times(order.price);
      const after = this.openingQuantity(p, order.side, newQuantity.minus(order.filledQuantity)).times(newPrice);
      const extra = after.minus(before).dividedBy(p.leverage);
      if (extra.gt(ZERO) && extra.gt(this.available(acct, inst.settleAsset))) return reject('insufficient_margin', 'available balance is insufficient');
      if (newQuantity.times(newPrice).lt(inst.minNotional)) return reject('min_notional', `order value is below ${inst.minNotional.toString()}`);
    }
    const keepsPriority = newPrice.eq(order.price) && newQuantity.lt(order.quantity);
    const newRemaining = newQuantity.minus(order.filledQuantity);
    order.quantity = newQuantity;
    order.updatedAt = this.ts();
    if (keepsPriority) {
      sym.book.setRemaining(order.orderId, newRemaining);
      order.remaining = newRemaining;
      acct.track(order);
      this.emit({ type: 'order', order: orderView(order) });
    } else {
      // A new price, or a larger size, goes to the back of the queue (and may now cross, like a new order).
      sym.book.remove(order.orderId);
      order.remaining = newRemaining;
      order.price = newPrice;
      acct.track(order);
      this.emit({ type: 'order', order: orderView(order) });
      this.execute(sym, order);
    }
    this.flushBook(sym);
    return accept(orderView(order));
  }

  cancelOrder(account: string, symbol: string, ref: SimOrderRef): SimResult<SimOrder> {
    const sym = this.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    const acct = this.accounts.get(account);
    const order = acct?.find(ref);
    if (acct === undefined || order === undefined || order.symbol !== symbol || !acct.open.has(order.orderId)) {
      return reject('order_not_found', 'order does not exist or is closed');
    }
    this.closeOrder(order, 'cancelled', REASON.none, 'CancelByUser');
    this.flushBook(sym);
    return accept(orderView(order));
  }

  cancelAll(account: string, symbol?: string): ReadonlyArray<SimOrder> {
    const acct = this.accounts.get(account);
    if (acct === undefined) return [];
    const cancelled: SimOrder[] = [];
    const touched = new Set<SymbolState>();
    for (const o of [...acct.open.values()]) {
      if (symbol !== undefined && o.symbol !== symbol) continue;
      this.closeOrder(o, 'cancelled', REASON.none, 'CancelByUser');
      cancelled.push(orderView(o));
      touched.add(this.symbols.get(o.symbol) as SymbolState);
    }
    for (const sym of touched) this.flushBook(sym);
    return cancelled;
  }

  // ── positions ───────────────────────────────────────────────────────────────────────────────────────────────────

  private triggerPrice(sym: SymbolState, source: TriggerSource): Decimal | undefined {
    return source === 'mark' ? sym.mark : source === 'index' ? sym.index : sym.last;
  }

  setTradingStop(
    account: string,
    symbol: string,
    stop: { readonly takeProfit?: Decimal | undefined; readonly stopLoss?: Decimal | undefined; readonly tpTrigger?: TriggerSource | undefined; readonly slTrigger?: TriggerSource | undefined },
  ): SimResult<SimPosition> {
    const sym = this.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    const acct = this.account(account);
    const p = this.position(acct, sym);
    if (p.size.isZero()) return reject('invalid_request', 'can not set tp/sl for zero position');
    const tpTrigger = stop.tpTrigger ?? p.tpTrigger;
    const slTrigger = stop.slTrigger ?? p.slTrigger;
    const long = p.size.isPositive();
    const resolve = (value: Decimal | undefined, current: Decimal | undefined, source: TriggerSource, kind: 'tp' | 'sl'): Decimal | undefined | string => {
      if (value === undefined) return current;
      if (value.isZero()) return undefined;
      if (value.isNegative() || !isMultipleOf(value, sym.instrument.tickSize)) return `${kind} ${value.toString()} is not a valid price`;
      const ref = this.triggerPrice(sym, source);
      // Bybit refuses a TP/SL that is already crossed (retCode 10001, "should be higher/lower than base_price").
      const wrongSide = ref !== undefined && ((kind === 'tp') === long ? value.lte(ref) : value.gte(ref));
      return wrongSide ? `${kind} ${value.toString()} is on the wrong side of the ${source} price ${ref.toString()}` : value;
    };
    const tp = resolve(stop.takeProfit, p.takeProfit, tpTrigger, 'tp');
    if (typeof tp === 'string') return reject('price_invalid', tp);
    const sl = resolve(stop.stopLoss, p.stopLoss, slTrigger, 'sl');
    if (typeof sl === 'string') return reject('price_invalid', sl);
    const same = (a: Decimal | undefined, b: Decimal | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.eq(b));
    if (same(tp, p.takeProfit) && same(sl, p.stopLoss) && tpTrigger === p.tpTrigger && slTrigger === p.slTrigger) {
      return reject('not_modified', 'trading stop not modified');
    }
    p.takeProfit = tp;
    p.stopLoss = sl;
    p.tpTrigger = tpTrigger;
    p.slTrigger = slTrigger;
    p.seq += 1;
    p.updatedAt = this.ts();
    return accept(this.positionEvent(acct, sym, p));
  }

  setLeverage(account: string, symbol: string, leverage: Decimal): SimResult<SimPosition> {
    const sym = this.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    if (!leverage.isFinite() || leverage.lt(1) || leverage.gt(sym.instrument.maxLeverage) || leverage.decimalPlaces() > 2) {
      return reject('invalid_request', `leverage must be in [1, ${sym.instrument.maxLeverage.toString()}]`);
    }
    const acct = this.account(account);
    const p = this.position(acct, sym);
    if (p.leverage.eq(leverage)) return reject('not_modified', 'leverage not modified');
    const previous = p.leverage;
    p.leverage = leverage;
    if (this.available(acct, sym.instrument.settleAsset).lt(ZERO)) {
      p.leverage = previous;
      return reject('insufficient_margin', 'available balance is insufficient for this leverage');
    }
    if (p.seq >= 0) p.seq += 1;
    p.updatedAt = this.ts();
    const view = this.positionEvent(acct, sym, p);
    this.walletEvent(acct, sym.instrument.settleAsset);
    return accept(view);
  }

  // ── queries ─────────────────────────────────────────────────────────────────────────────────────────────────────

  getOrder(account: string, symbol: string | undefined, ref: SimOrderRef): SimOrder | undefined {
    const o = this.accounts.get(account)?.find(ref);
    return o === undefined || (symbol !== undefined && o.symbol !== symbol) ? undefined : orderView(o);
  }

  openOrders(account: string, symbol?: string): ReadonlyArray<SimOrder> {
    const acct = this.accounts.get(account);
    if (acct === undefined) return [];
    return [...acct.open.values()].filter((o) => symbol === undefined || o.symbol === symbol).map(orderView);
  }

  orderHistory(account: string, symbol?: string): ReadonlyArray<SimOrder> {
    const acct = this.accounts.get(account);
    if (acct === undefined) return [];
    return acct.orders.filter((o) => symbol === undefined || o.symbol === symbol).map(orderView);
  }

  executions(
    account: string,
    filter?: { readonly symbol?: string | undefined; readonly startTime?: number | undefined; readonly endTime?: number | undefined },
  ): ReadonlyArray<SimExecution> {
    const acct = this.accounts.get(account);
    if (acct === undefined) return [];
    return acct.executions.filter(
      (e) =>
        (filter?.symbol === undefined || e.symbol === filter.symbol) &&
        (filter?.startTime === undefined || e.ts >= filter.startTime) &&
        (filter?.endTime === undefined || e.ts <= filter.endTime),
    );
  }

  positions(account: string, symbol?: string): ReadonlyArray<SimPosition> {
    const acct = this.account(account);
    if (symbol !== undefined) {
      const sym = this.symbols.get(symbol);
      if (sym === undefined) return [];
      const p = acct.positions.get(symbol) ?? this.position(acct, sym);
      return [positionView(acct.id, p, this.markOf(sym, p.entryPrice))];
    }
    const out: SimPosition[] = [];
    for (const p of acct.positions.values()) {
      const sym = this.symbols.get(p.symbol) as SymbolState;
      if (!p.size.isZero()) out.push(positionView(acct.id, p, this.markOf(sym, p.entryPrice)));
    }
    return out;
  }

  wallet(account: string): ReadonlyArray<SimWallet> {
    const acct = this.accounts.get(account);
    if (acct === undefined) return [];
    return [...acct.wallets.keys()].map((coin) => this.walletView(acct, coin));
  }

  book(symbol: string, depth: number): SimBook {
    const sym = this.symbols.get(symbol);
    if (sym === undefined) return { symbol, bids: [], asks: [], updateId: 0, seq: 0, ts: this.now() };
    const { bids, asks } = sym.book.snapshot(depth);
    // A book that never updated is stamped now, as Bybit stamps every snapshot (adapters refuse a ts of 0).
    return { symbol, bids, asks, updateId: sym.updateId, seq: sym.bookSeq, ts: sym.bookTs === 0 ? this.now() : sym.bookTs };
  }

  ticker(symbol: string): SimTicker {
    const sym = this.symbols.get(symbol);
    const bid = sym?.book.best('buy');
    const ask = sym?.book.best('sell');
    const last = sym?.last ?? ZERO;
    return {
      symbol,
      lastPrice: last,
      markPrice: sym?.mark ?? last,
      indexPrice: sym?.index ?? last,
      bid1Price: bid?.price ?? ZERO,
      bid1Size: bid === undefined ? ZERO : levelSize(bid),
      ask1Price: ask?.price ?? ZERO,
      ask1Size: ask === undefined ? ZERO : levelSize(ask),
      volume24h: sym?.volume ?? ZERO,
      turnover24h: sym?.turnover ?? ZERO,
      ts: sym === undefined || (sym.bookTs === 0 && sym.lastTickTs === 0) ? this.now() : Math.max(sym.bookTs, sym.lastTickTs),
    };
  }

  // ── replay ──────────────────────────────────────────────────────────────────────────────────────────────────────

  nextEventAt(): number | undefined {
    let next: number | undefined;
    for (const feed of this.feeds) {
      const at = feed.nextAt();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  advanceTo(t: number): boolean {
    for (;;) {
      let chosen: MarketFeed | undefined;
      let at: number | undefined;
      for (const feed of this.feeds) {
        const a = feed.nextAt();
        if (a !== undefined && a <= t && (at === undefined || a < at)) {
          chosen = feed;
          at = a;
        }
      }
      if (chosen === undefined) break;
      this.processTick(chosen.next());
    }
    return this.nextEventAt() !== undefined;
  }

  private processTick(tick: MarketTick): void {
    const sym = this.symbols.get(tick.symbol);
    if (sym === undefined) return;
    this.tickTs = tick.ts;
    try {
      sym.lastTickTs = tick.ts;
      sym.last = tick.lastPrice;
      sym.mark = tick.markPrice;
      sym.index = tick.indexPrice;
      for (const trade of tick.trades) {
        this.emit({ type: 'trade', symbol: tick.symbol, tradeId: this.ids.tradeId(), price: trade.price, size: trade.size, side: trade.side, ts: tick.ts });
        sym.volume = sym.volume.plus(trade.size);
        sym.turnover = sym.turnover.plus(trade.size.times(trade.price));
        this.fillRestingAgainstTrade(sym, trade.price, trade.size);
      }
      sym.book.replaceSynthetic(tick.bids, tick.asks);
      this.flushBook(sym);
      this.emit({ type: 'ticker', ticker: this.ticker(tick.symbol) });
      if (tick.kline !== undefined) this.emit({ type: 'kline', kline: tick.kline });
      this.fireStops(sym);
      this.flushBook(sym);
    } finally {
      this.tickTs = undefined;
    }
  }

  /**
   * The queue model: a replayed trade strictly through a resting order's price fills all of it; a trade exactly at
   * the price fills resting orders there FIFO up to the trade's size. Makers fill at their own limit price.
   */
  private fillRestingAgainstTrade(sym: SymbolState, price: Decimal, size: Decimal): void {
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

  /** Fires crossed position TP/SL: clears both stops and closes the position with a reduce-only market order. */
  private fireStops(sym: SymbolState): void {
    for (const acct of this.accounts.values()) {
      const p = acct.positions.get(sym.instrument.symbol);
      if (p === undefined || p.size.isZero() || (p.takeProfit === undefined && p.stopLoss === undefined)) continue;
      const long = p.size.isPositive();
      const tpPrice = this.triggerPrice(sym, p.tpTrigger);
      const slPrice = this.triggerPrice(sym, p.slTrigger);
      const tpHit = p.takeProfit !== undefined && tpPrice !== undefined && (long ? tpPrice.gte(p.takeProfit) : tpPrice.lte(p.takeProfit));
      const slHit = p.stopLoss !== undefined && slPrice !== undefined && (long ? slPrice.lte(p.stopLoss) : slPrice.gte(p.stopLoss));
      if (!tpHit && !slHit) continue;
      p.takeProfit = undefined;
      p.stopLoss = undefined;
      p.seq += 1;
      p.updatedAt = this.ts();
      this.positionEvent(acct, sym, p);
      this.acceptOrder(acct, sym, {
        clientOrderId: '',
        side: long ? 'sell' : 'buy',
        type: 'market',
        timeInForce: 'ioc',
        price: undefined,
        quantity: Decimal.min(p.size.abs(), sym.instrument.maxMarketQuantity),
        reduceOnly: true,
        closeOnTrigger: true,
        stopOrderType: slHit ? 'StopLoss' : 'TakeProfit',
      });
    }
  }
}

/** Creates a simulator exchange over the given instruments and replay feeds. */
export const createSimExchange = (opts: SimExchangeOptions): SimExchange => new SimExchangeEngine(opts);
