/**
 * One symbol's order book for the simulator: price levels that hold synthetic liquidity from the replay plus our
 * own resting orders in FIFO (time) order, best price first. It records which levels changed so the engine can publish
 * book deltas. It never matches or decides anything itself; the engine drives it.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { Side } from '../../../domain/orders.ts';
import type { SimLevel } from './types.ts';

/** What the book needs of a resting order: its id and its remaining quantity (kept up to date by the book). */
export interface BookOrder {
  readonly orderId: string;
  remaining: Decimal;
}

/** One price level: synthetic size first in the queue, then our orders oldest first. */
export interface BookLevel<T extends BookOrder> {
  readonly price: Decimal;
  readonly key: string;
  synthetic: Decimal;
  readonly orders: T[];
  /** Sum of `orders[i].remaining`, kept up to date by the book so a level's size costs O(1). */
  ownTotal: Decimal;
}

/** Changed levels since the last `takeChanges`, with their current total size (zero = level removed). */
export interface BookChanges {
  readonly bids: ReadonlyArray<SimLevel>;
  readonly asks: ReadonlyArray<SimLevel>;
}

interface SideBook<T extends BookOrder> {
  /** Best first: bids descending, asks ascending. */
  readonly levels: Array<BookLevel<T>>;
  readonly byKey: Map<string, BookLevel<T>>;
  readonly dirty: Set<string>;
  /** Keys of levels that currently hold synthetic size. */
  readonly syntheticKeys: Set<string>;
}

const emptySide = <T extends BookOrder>(): SideBook<T> => ({ levels: [], byKey: new Map(), dirty: new Set(), syntheticKeys: new Set() });

/** Returns the total size of a level. */
export const levelSize = <T extends BookOrder>(level: BookLevel<T>): Decimal => level.synthetic.plus(level.ownTotal);

/** A price-time-priority book for one symbol. */
export class OrderBook<T extends BookOrder> {
  readonly symbol: string;
  private readonly bids: SideBook<T> = emptySide();
  private readonly asks: SideBook<T> = emptySide();
  private readonly located = new Map<string, { readonly side: Side; readonly level: BookLevel<T> }>();

  constructor(symbol: string) {
    this.symbol = symbol;
  }

  private sideBook(side: Side): SideBook<T> {
    return side === 'buy' ? this.bids : this.asks;
  }

  // Index of the first level not better than `price` (binary search over the best-first array).
  private lowerBound(side: Side, price: Decimal): number {
    const levels = this.sideBook(side).levels;
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = (levels[mid] as BookLevel<T>).price.cmp(price);
      const better = side === 'buy' ? c > 0 : c < 0;
      if (better) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private levelAt(side: Side, price: Decimal, create: boolean): BookLevel<T> | undefined {
    const book = this.sideBook(side);
    const key = price.toString();
    const found = book.byKey.get(key);
    if (found !== undefined || !create) return found;
    const level: BookLevel<T> = { price, key, synthetic: ZERO, orders: [], ownTotal: ZERO };
    book.levels.splice(this.lowerBound(side, price), 0, level);
    book.byKey.set(key, level);
    return level;
  }

  private dropIfEmpty(side: Side, level: BookLevel<T>): void {
    if (level.orders.length > 0 || level.synthetic.gt(ZERO)) return;
    const book = this.sideBook(side);
    if (book.byKey.get(level.key) !== level) return;
    book.byKey.delete(level.key);
    const i = this.lowerBound(side, level.price);
    if (book.levels[i] === level) book.levels.splice(i, 1);
  }

  /** Returns the best level of a side, if any. */
  best(side: Side): BookLevel<T> | undefined {
    return this.sideBook(side).levels[0];
  }

  /** Returns the levels of a side, best first (live view; do not mutate). */
  levels(side: Side): ReadonlyArray<BookLevel<T>> {
    return this.sideBook(side).levels;
  }

  /** Returns the best price at which one of our orders rests on the side, if any. */
  bestOwnPrice(side: Side): Decimal | undefined {
    for (const level of this.sideBook(side).levels) if (level.orders.length > 0) return level.price;
    return undefined;
  }

  /** Returns whether the order rests in this book. */
  has(orderId: string): boolean {
    return this.located.has(orderId);
  }

  /** Puts an order at the back of the queue at `price`. */
  add(side: Side, price: Decimal, order: T): void {
    const level = this.levelAt(side, price, true) as BookLevel<T>;
    level.orders.push(order);
    level.ownTotal = level.ownTotal.plus(order.remaining);
    this.located.set(order.orderId, { side, level });
    this.sideBook(side).dirty.add(level.key);
  }

  /** Takes an order out of the book (no-op if it is not resting). */
  remove(orderId: string): void {
    const where = this.located.get(orderId);
    if (where === undefined) return;
    this.located.delete(orderId);
    const i = where.level.orders.findIndex((o) => o.orderId === orderId);
    if (i >= 0) {
      const [removed] = where.level.orders.splice(i, 1);
      if (removed !== undefined) where.level.ownTotal = where.level.ownTotal.minus(removed.remaining);
    }
    this.sideBook(where.side).dirty.add(where.level.key);
    this.dropIfEmpty(where.side, where.level);
  }

  /** Sets a resting order's remaining quantity in place (keeps its queue position); zero removes it. */
  setRemaining(orderId: string, remaining: Decimal): void {
    const where = this.located.get(orderId);
    if (where === undefined) return;
    const order = where.level.orders.find((o) => o.orderId === orderId);
    if (order === undefined) return;
    where.level.ownTotal = where.level.ownTotal.plus(remaining).minus(order.remaining);
    order.remaining = remaining;
    this.sideBook(where.side).dirty.add(where.level.key);
    if (remaining.lte(ZERO)) this.remove(orderId);
  }

  /** Consumes synthetic size at a level. */
  takeSynthetic(side: Side, level: BookLevel<T>, quantity: Decimal): void {
    level.synthetic = Decimal.max(ZERO, level.synthetic.minus(quantity));
    const book = this.sideBook(side);
    book.dirty.add(level.key);
    if (level.synthetic.isZero()) book.syntheticKeys.delete(level.key);
    this.dropIfEmpty(side, level);
  }

  /**
   * Replaces the synthetic liquidity of both sides. Synthetic levels that would cross our own resting orders are
   * left out, so the book never crosses whatever the replay does.
   */
  replaceSynthetic(bids: ReadonlyArray<SimLevel>, asks: ReadonlyArray<SimLevel>): void {
    const ownBid = this.bestOwnPrice('buy');
    const ownAsk = this.bestOwnPrice('sell');
    this.installSynthetic('buy', bids.filter(([p]) => ownAsk === undefined || p.lt(ownAsk)));
    this.installSynthetic('sell', asks.filter(([p]) => ownBid === undefined || p.gt(ownBid)));
  }

  private installSynthetic(side: Side, levels: ReadonlyArray<SimLevel>): void {
    const book = this.sideBook(side);
    const next = new Map<string, SimLevel>();
    for (const level of levels) if (level[1].gt(ZERO)) next.set(level[0].toString(), level);
    for (const key of [...book.syntheticKeys]) {
      if (next.has(key)) continue;
      const level = book.byKey.get(key);
      book.syntheticKeys.delete(key);
      if (level === undefined) continue;
      level.synthetic = ZERO;
      book.dirty.add(key);
      this.dropIfEmpty(side, level);
    }
    for (const [key, [price, size]] of next) {
      const level = this.levelAt(side, price, true) as BookLevel<T>;
      if (!level.synthetic.eq(size)) {
        level.synthetic = size;
        book.dirty.add(key);
      }
      book.syntheticKeys.add(key);
    }
  }

  /** Returns the top `depth` levels of each side as [price, total size]. */
  snapshot(depth: number): BookChanges {
    const top = (side: Side): SimLevel[] => this.sideBook(side).levels.slice(0, depth).map((l) => [l.price, levelSize(l)] as const);
    return { bids: top('buy'), asks: top('sell') };
  }

  /** Returns and clears the levels changed since the last call (undefined when nothing changed). */
  takeChanges(): BookChanges | undefined {
    if (this.bids.dirty.size === 0 && this.asks.dirty.size === 0) return undefined;
    const collect = (side: Side): SimLevel[] => {
      const book = this.sideBook(side);
      const out: SimLevel[] = [];
      for (const key of book.dirty) {
        const level = book.byKey.get(key);
        out.push(level === undefined ? [new Decimal(key), ZERO] : [level.price, levelSize(level)]);
      }
      book.dirty.clear();
      out.sort((a, b) => (side === 'buy' ? b[0].cmp(a[0]) : a[0].cmp(b[0])));
      return out;
    };
    return { bids: collect('buy'), asks: collect('sell') };
  }
}
