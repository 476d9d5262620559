/**
 * The market-stream sync strategy: a `BookSync` per stream, REST snapshots when the chart asks (`snapshot.fetch`),
 * non-book events forwarded as they come and book events once applied in sequence. A fetch answered after the
 * socket changed, after a newer fetch started or after stop is ignored (a sync token). Decides no trading.
 */
import { Effect } from 'effect';
import { BookSync } from '../../market/BookSync.ts';
import type { LocalOrderBook } from '../../market/OrderBook.ts';
import type { BookSequenceRule, MarketEvent } from '../../venues/streams.ts';
import type { BookSnapshot, VenueError } from '../../venues/Venue.ts';
import { guardListener, type SyncIntent, type SyncPorts, type SyncStrategy } from './SyncStrategy.ts';

/** What a market stream syncs against. */
export interface BookSyncHooks {
  readonly symbols: ReadonlyArray<string>;
  readonly rule?: BookSequenceRule | undefined;
  /** REST book snapshot (the Venue port's `orderBook`). */
  readonly orderBook: (symbol: string, depth: number) => Effect.Effect<BookSnapshot, VenueError>;
  readonly depth: number;
  /** Receives every decoded market event; book events only once applied in sequence to the local book. */
  readonly onMarket: (e: MarketEvent) => void;
}

/** Keeps the books of one market stream. */
export class BookSyncStrategy implements SyncStrategy<MarketEvent> {
  readonly requiresAuth = false;
  readonly pongIsData = false;
  private readonly ports: SyncPorts;
  private readonly hooks: BookSyncHooks;
  private readonly books: BookSync;
  private token = 0;

  constructor(ports: SyncPorts, hooks: BookSyncHooks) {
    this.ports = ports;
    this.hooks = hooks;
    this.books = new BookSync({
      symbols: hooks.symbols,
      rule: hooks.rule,
      onApplied: (e) => this.forward(e),
      onGap: (g) => ports.reportGap(g.symbol, g.expected, g.got),
    });
  }

  book(symbol: string): LocalOrderBook | undefined {
    return this.books.book(symbol);
  }

  onSocketOpen(): void {
    this.books.resetAll();
  }

  invalidate(): void {
    this.token += 1;
  }

  onEvents(events: ReadonlyArray<MarketEvent>): void {
    for (const e of events) {
      if (e.type === 'book') this.books.onEvent(e);
      else this.forward(e);
    }
  }

  onConnectionGap(): void {
    this.books.invalidateAll();
  }

  sync(intent: SyncIntent): void {
    if (intent.type === 'snapshot.fetch') this.fetchSnapshots(intent.symbols);
  }

  private forward(e: MarketEvent): void {
    const onMarket = this.hooks.onMarket;
    guardListener(this.ports, () => onMarket(e));
  }

  private fetchSnapshots(symbols: ReadonlyArray<string>): void {
    const { orderBook, depth } = this.hooks;
    const { name, logger } = this.ports;
    const token = ++this.token;
    this.books.hold(symbols);
    logger.info({ stream: name, symbols }, 'book_snapshot_requested');
    const fetches = symbols.map((s) => Effect.runPromise(Effect.either(orderBook(s, depth))).then((r) => ({ symbol: s, r })));
    void Promise.all(fetches)
      .then((results) => {
      if (token !== this.token || this.ports.isStopped()) return;
      const failed = results.find((x) => x.r._tag === 'Left');
      if (failed !== undefined && failed.r._tag === 'Left') {
        logger.warn({ stream: name, symbol: failed.symbol, reason: failed.r.left.message }, 'book_snapshot_failed');
        this.ports.send({ type: 'venue.snapshotFailed', message: failed.r.left.message, at: this.ports.now() });
        return;
      }
      let gap: { symbol: string; expected: number | 'snapshot'; got: number } | undefined;
      for (const { symbol, r } of results) {
        if (r._tag === 'Left' || this.books.book(symbol) === undefined) continue;
        const applied = this.books.applySnapshot(symbol, r.right);
        if (!applied.ok) {
          gap ??= applied.gap;
          continue;
        }
        const payload = { stream: name, ...applied.resync };
        logger.info(payload, 'book_resynced');
        this.ports.journal?.append(`connection:${name}`, 'BOOK_RESYNCED', payload);
      }
      if (gap !== undefined) {
        this.ports.reportGap(gap.symbol, gap.expected, gap.got);
        return;
      }
      this.ports.send({ type: 'venue.snapshotApplied', at: this.ports.now() });
    }).catch((e: unknown) => logger.error({ stream: name, err: e }, 'book_resync_failed'));
  }
}
