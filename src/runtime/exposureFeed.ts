/**
 * Keeps one account's ExposureBook (src/risk/exposureBook.ts) in step with the sources its risk views are built from,
 * change by change (issue 17). Orders: every order event the journal records (request, ack, partial fill, amend,
 * fill, cancel, reject, expiry) moves its projection row's updated seq, so only the rows whose seq moved (or whose
 * approval's stop changed) are put again, and the rows that left the working states are removed. Positions: each
 * venue update replaces the portfolio's Position object, so only replaced ones are put again. Prices: the book is
 * valued against each market view, which revalues only the symbols whose reference price moved. A restart starts an
 * empty feed, whose first sync puts every working order and position: the rebuild from the journaled state. Holds no
 * venue names and performs no I/O of its own.
 */
import type { Decimal } from '../domain/money.ts';
import type { Position } from '../domain/orders.ts';
import { ExposureBook } from '../risk/exposureBook.ts';
import type { MarketView, PositionView, WorkingOrderView } from '../risk/views.ts';

/** What the feed reads of a working order's projection row. */
export interface WorkingOrderKey {
  readonly clientOrderId: string;
  readonly createdSeq: number;
  readonly updatedSeq: number;
}

interface SeenOrder {
  updatedSeq: number;
  stopLoss: Decimal | undefined;
  /** The sync that last saw the row among the working ones. */
  seenAt: number;
}

/** The incremental exposure of one account; see the module comment. */
export class ExposureFeed {
  private current: ExposureBook | undefined;
  private readonly orders = new Map<string, SeenOrder>();
  private readonly held = new Map<string, Position>();
  /** The greatest created seq put so far: a row older than it would not land in the projection's order. */
  private lastCreatedSeq = -Infinity;
  private syncs = 0;
  /** The lists of the last order sync: handed the same arrays again, no order changed. */
  private lastKeys: ReadonlyArray<WorkingOrderKey> | undefined;
  private lastViews: ReadonlyArray<WorkingOrderView> | undefined;

  /** The book as of the last sync (undefined before the first). */
  get book(): ExposureBook | undefined {
    return this.current;
  }

  /**
   * Brings the book up to the working orders (`keys[i]` is the projection row of `views[i]`, in the projection's
   * created-seq order) and the open positions (`sources[i]` is the Position of `positions[i]`), and values it against
   * `market`. Returns the book, ready for the portfolio view handed over with that market view.
   */
  sync(
    keys: ReadonlyArray<WorkingOrderKey>,
    views: ReadonlyArray<WorkingOrderView>,
    sources: ReadonlyArray<Position>,
    positions: ReadonlyArray<PositionView>,
    market: MarketView,
    groups: Readonly<Record<string, string>>,
  ): ExposureBook {
    let book = this.current;
    if (book === undefined || book.groups !== groups) book = this.reset(groups);
    if (keys !== this.lastKeys || views !== this.lastViews) {
      if (!this.syncOrders(book, keys, views)) {
        // A row came back, or arrived, out of the projection's order: the book is rebuilt in that order.
        book = this.reset(groups);
        this.syncOrders(book, keys, views);
      }
      this.lastKeys = keys;
      this.lastViews = views;
    }
    const open = new Set<string>();
    sources.forEach((source, i) => {
      const view = positions[i];
      if (view === undefined) return;
      open.add(source.symbol);
      if (this.held.get(source.symbol) === source) return;
      this.held.set(source.symbol, source);
      book.putPosition(view);
    });
    for (const symbol of this.held.keys()) {
      if (open.has(symbol)) continue;
      this.held.delete(symbol);
      book.removePosition(symbol);
    }
    return book.valueAt(market);
  }

  private reset(groups: Readonly<Record<string, string>>): ExposureBook {
    this.current = new ExposureBook(groups);
    this.orders.clear();
    this.held.clear();
    this.lastCreatedSeq = -Infinity;
    this.lastKeys = undefined;
    this.lastViews = undefined;
    return this.current;
  }

  // Puts the rows that changed or are new, removes the ones gone; false when a new row is older than one put before.
  private syncOrders(book: ExposureBook, keys: ReadonlyArray<WorkingOrderKey>, views: ReadonlyArray<WorkingOrderView>): boolean {
    const at = ++this.syncs;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const view = views[i]!;
      const seen = this.orders.get(key.clientOrderId);
      if (seen === undefined) {
        if (key.createdSeq < this.lastCreatedSeq) return false;
        this.lastCreatedSeq = key.createdSeq;
        this.orders.set(key.clientOrderId, { updatedSeq: key.updatedSeq, stopLoss: view.stopLoss, seenAt: at });
        book.putOrder(key.clientOrderId, view);
        continue;
      }
      seen.seenAt = at;
      if (seen.updatedSeq === key.updatedSeq && seen.stopLoss === view.stopLoss) continue;
      seen.updatedSeq = key.updatedSeq;
      seen.stopLoss = view.stopLoss;
      book.putOrder(key.clientOrderId, view);
    }
    for (const [id, seen] of this.orders) {
      if (seen.seenAt === at) continue;
      this.orders.delete(id);
      book.removeOrder(id);
    }
    return true;
  }
}
