/**
 * Keeps one `LocalOrderBook` per symbol of a market stream in sequence: applies book events while a book is live,
 * buffers them while it syncs (from socket open, from a gap, while a REST snapshot is in flight), and bridges a REST
 * snapshot to the buffer by the venue's `BookSequenceRule`. Gaps and applied events leave through callbacks. Pure
 * state: it fetches nothing, logs nothing and keeps no timers (the connection host does).
 */
import type { BookSnapshot } from '../venues/Venue.ts';
import type { BookEvent, BookSequenceRule } from '../venues/streams.ts';
import { LocalOrderBook } from './OrderBook.ts';

/** A sequence gap on one symbol's book: the id the rule expected and the one it got. */
export interface BookGap {
  readonly symbol: string;
  readonly expected: number | 'snapshot';
  readonly got: number;
}

/** What one REST resync did: the snapshot's id, the book's id after the replay, and how many buffered events were dropped or replayed. */
export interface BookResync {
  readonly symbol: string;
  readonly snapshotUpdateId: number;
  readonly bookUpdateId: number | null;
  readonly dropped: number;
  readonly replayed: number;
}

/** Options of a BookSync. */
export interface BookSyncOptions {
  readonly symbols: ReadonlyArray<string>;
  /** The venue's sequence rule (default: strict `u + 1`, see `nextIdRule`). */
  readonly rule?: BookSequenceRule | undefined;
  /** Receives every book event once applied in sequence (never a buffered, dropped or gapped one). */
  readonly onApplied: (e: BookEvent) => void;
  /** Receives a gap found on a live book; that symbol buffers from the gapped event on. */
  readonly onGap: (gap: BookGap) => void;
}

/** The books of one market stream and their sync buffers. */
export class BookSync {
  private readonly opts: BookSyncOptions;
  private readonly books = new Map<string, LocalOrderBook>();
  /** Book events held while a symbol syncs; absent while the symbol's book is live. */
  private readonly buffers = new Map<string, BookEvent[]>();

  constructor(opts: BookSyncOptions) {
    this.opts = opts;
    for (const s of opts.symbols) this.books.set(s, new LocalOrderBook(s, { rule: opts.rule }));
  }

  /** Returns the local book of a symbol. */
  book(symbol: string): LocalOrderBook | undefined {
    return this.books.get(symbol);
  }

  /** Returns whether the symbol's events are being buffered (it waits for a snapshot). */
  isBuffering(symbol: string): boolean {
    return this.buffers.has(symbol);
  }

  /** A new socket starts from nothing: every book is emptied and buffers until its snapshot. */
  resetAll(): void {
    for (const [symbol, book] of this.books) {
      book.reset();
      this.buffers.set(symbol, []);
    }
  }

  /** Every book is out of sync (a per-connection gap): each keeps its levels and buffers until its snapshot. */
  invalidateAll(): void {
    for (const [symbol, book] of this.books) {
      book.invalidate();
      if (!this.buffers.has(symbol)) this.buffers.set(symbol, []);
    }
  }

  /** Starts buffering the symbols whose REST snapshots are about to be requested (live books keep their buffer-free path until then). */
  hold(symbols: ReadonlyArray<string>): void {
    for (const s of symbols) if (this.books.has(s) && !this.buffers.has(s)) this.buffers.set(s, []);
  }

  /** Takes one book event from the stream: buffers it, or applies it and reports a gap. */
  onEvent(e: BookEvent): void {
    const book = this.books.get(e.symbol);
    if (book === undefined) return;
    const buffer = this.buffers.get(e.symbol);
    if (buffer !== undefined) {
      buffer.push(e);
      return;
    }
    const r = book.apply(e);
    if (r.ok) {
      if (r.stale !== true) this.opts.onApplied(e);
      return;
    }
    // The gap event itself is newer than the snapshot to come; it waits in the buffer with everything after it.
    this.buffers.set(e.symbol, [e]);
    this.opts.onGap({ symbol: e.symbol, ...r.gap });
  }

  /**
   * Loads a REST snapshot and replays the buffer: in-stream snapshots not newer than it and deltas the rule calls
   * stale are dropped, the rest applied in arrival order. Returns the gap when the buffer does not continue the
   * snapshot (the symbol then keeps buffering from the gapped event for the next attempt).
   */
  applySnapshot(symbol: string, snapshot: BookSnapshot): { readonly ok: true; readonly resync: BookResync } | { readonly ok: false; readonly gap: BookGap } {
    const book = this.books.get(symbol);
    if (book === undefined) throw new RangeError(`no book for ${symbol}`);
    const buffered = this.buffers.get(symbol) ?? [];
    this.buffers.delete(symbol);
    book.applySnapshot(snapshot);
    let dropped = 0;
    let replayed = 0;
    for (let i = 0; i < buffered.length; i++) {
      const e = buffered[i]!;
      // A buffered in-stream snapshot would reset the book: only one newer than the REST snapshot may.
      if (e.kind === 'snapshot' && e.updateId <= snapshot.updateId) {
        dropped += 1;
        continue;
      }
      const r = book.apply(e);
      if (!r.ok) {
        this.buffers.set(symbol, buffered.slice(i));
        return { ok: false, gap: { symbol, ...r.gap } };
      }
      if (r.stale === true) dropped += 1;
      else {
        replayed += 1;
        this.opts.onApplied(e);
      }
    }
    return { ok: true, resync: { symbol, snapshotUpdateId: snapshot.updateId, bookUpdateId: book.lastUpdateId() ?? null, dropped, replayed } };
  }
}
