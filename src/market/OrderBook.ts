/**
 * A venue-neutral local L2 order book maintained from `MarketEvent` book snapshots and deltas (absolute sizes, size
 * 0 deletes, unknown price inserts), with sequence-gap detection by a `BookSequenceRule`, and the two rules venues
 * need today. It performs no I/O and never resyncs by itself: a gap is reported and the owner (`BookSync`, under
 * the connection actor) fetches a snapshot or resubscribes.
 *
 * Continuity rule (`nextIdRule`): one update id per message. Where a venue does not document `u == lastU + 1` as a
 * guarantee (docs/connections.md names which), we still default to `strict` continuity: a monotonic-only rule cannot
 * see a dropped delta at all (the book silently diverges), while a false gap costs one resync. `monotonic` accepts
 * any increasing `u` for venues or depths where ids legitimately jump.
 *
 * Range-chain rule (`rangeChainRule`, diff-depth streams): deltas carry a range [first, last]
 * and the previous event's last id; after a REST snapshot deltas ending before it are dropped, the first applied
 * one must straddle it, and from then on each delta's previous id must be the last applied id.
 */
import type { Decimal } from '../domain/money.ts';
import type { BookLevel, BookSnapshot } from '../venues/Venue.ts';
import type { BookEvent, BookSequenceRule, BookSequenceVerdict } from '../venues/streams.ts';

export type { BookEvent } from '../venues/streams.ts';

/** What applying an event did: applied, dropped as a stale duplicate, or a gap (the book is now unsynced). */
export type BookApplyResult =
  | { readonly ok: true; readonly stale?: true }
  | { readonly ok: false; readonly gap: { readonly expected: number | 'snapshot'; readonly got: number } };

/** How strictly consecutive deltas' update ids must follow each other under `nextIdRule`. */
export type BookContinuity = 'strict' | 'monotonic';

const APPLY: BookSequenceVerdict = { verdict: 'apply' };
const STALE: BookSequenceVerdict = { verdict: 'stale' };

/**
 * Returns the update-id rule: a delta with `u <= lastU` is a stale duplicate; a previous id, when the venue sends
 * one, must equal `lastU`; otherwise `strict` wants `u == lastU + 1` and `monotonic` any larger `u`. The first delta
 * after a REST snapshot follows it by the same rule (for venues whose REST snapshot id is the stream's `u`).
 */
export const nextIdRule = (continuity: BookContinuity = 'strict'): BookSequenceRule => {
  const follow = (lastUpdateId: number, delta: BookEvent): BookSequenceVerdict => {
    if (delta.updateId <= lastUpdateId) return STALE;
    const contiguous =
      delta.previousUpdateId !== undefined ? delta.previousUpdateId === lastUpdateId : continuity === 'monotonic' || delta.updateId === lastUpdateId + 1;
    return contiguous ? APPLY : { verdict: 'gap', expected: lastUpdateId + 1, got: delta.updateId };
  };
  return { name: `next_id:${continuity}`, bridge: follow, follow };
};

/**
 * The range-chain rule. Bridge: a delta with `last < snapshotId` is covered by the snapshot and dropped; the first
 * applied one must satisfy `first <= snapshotId + 1 <= last + 1` (the futures wording `U <= lastUpdateId <= u` and
 * the spot wording `U <= lastUpdateId + 1 <= u` are the same range one id apart); a later start is a gap. Follow: each
 * delta's previous id must be the last applied id (the `pu` chain), else a gap reported as expected/got previous id
 * (-1: the delta carries none).
 */
export const rangeChainRule: BookSequenceRule = {
  name: 'range_chain',
  bridge: (snapshotUpdateId, delta) => {
    if (delta.updateId < snapshotUpdateId) return STALE;
    const first = delta.firstUpdateId ?? delta.updateId;
    return first <= snapshotUpdateId + 1 ? APPLY : { verdict: 'gap', expected: snapshotUpdateId + 1, got: first };
  },
  follow: (lastUpdateId, delta) => {
    if (delta.updateId <= lastUpdateId) return STALE;
    return delta.previousUpdateId === lastUpdateId ? APPLY : { verdict: 'gap', expected: lastUpdateId, got: delta.previousUpdateId ?? -1 };
  },
};

/** Options of a LocalOrderBook. */
export interface LocalOrderBookOptions {
  /** Shorthand for `nextIdRule(continuity)`; `strict` by default. */
  readonly continuity?: BookContinuity | undefined;
  /** The venue's sequence rule; wins over `continuity`. */
  readonly rule?: BookSequenceRule | undefined;
}

interface Side {
  readonly levels: Map<string, BookLevel>;
  sorted: BookLevel[] | undefined;
}

const emptySide = (): Side => ({ levels: new Map(), sorted: undefined });

/** A local L2 book of one symbol. */
export class LocalOrderBook {
  /** The symbol this book follows; events of other symbols are ignored. */
  readonly symbol: string;
  private readonly rule: BookSequenceRule;
  private bids: Side = emptySide();
  private asks: Side = emptySide();
  private lastU: number | undefined;
  private synced = false;
  /** True from a REST snapshot until its first delta applies: that delta is judged by `rule.bridge`. */
  private bridging = false;
  private lastTs = 0;

  constructor(symbol: string, opts: LocalOrderBookOptions = {}) {
    this.symbol = symbol;
    this.rule = opts.rule ?? nextIdRule(opts.continuity ?? 'strict');
  }

  /** Returns whether the book holds a snapshot and has seen no gap since. */
  isSynced(): boolean {
    return this.synced;
  }

  /** Returns the update id of the last applied event, if any. */
  lastUpdateId(): number | undefined {
    return this.lastU;
  }

  /** Returns the timestamp of the last applied event (0 before any). */
  lastEventTs(): number {
    return this.lastTs;
  }

  /** Applies a stream event. A snapshot always resets (including `u == 1`, a venue restart). */
  apply(event: BookEvent): BookApplyResult {
    if (event.symbol !== this.symbol) return { ok: true, stale: true };
    if (event.kind === 'snapshot') {
      this.load(event.bids, event.asks, event.updateId, event.ts);
      return { ok: true };
    }
    if (!this.synced || this.lastU === undefined) {
      return { ok: false, gap: { expected: 'snapshot', got: event.updateId } };
    }
    const v = this.bridging ? this.rule.bridge(this.lastU, event) : this.rule.follow(this.lastU, event);
    if (v.verdict === 'stale') return { ok: true, stale: true };
    if (v.verdict === 'gap') {
      this.synced = false;
      return { ok: false, gap: { expected: v.expected, got: v.got } };
    }
    for (const l of event.bids) this.upsert(this.bids, l);
    for (const l of event.asks) this.upsert(this.asks, l);
    this.lastU = event.updateId;
    this.lastTs = event.ts;
    this.bridging = false;
    return { ok: true };
  }

  /** Replaces the book with a REST snapshot (resync after a gap); its first delta is judged by the bridge rule. */
  applySnapshot(snapshot: BookSnapshot): void {
    if (snapshot.symbol !== this.symbol) throw new RangeError(`snapshot of ${snapshot.symbol} applied to the book of ${this.symbol}`);
    this.load(snapshot.bids, snapshot.asks, snapshot.updateId, snapshot.ts);
    this.bridging = true;
  }

  /** Forgets everything; the next delta is a gap until a snapshot arrives. */
  reset(): void {
    this.bids = emptySide();
    this.asks = emptySide();
    this.lastU = undefined;
    this.synced = false;
    this.bridging = false;
  }

  /** Marks the book out of sync, keeping its levels, until the next snapshot (a gap seen by someone else). */
  invalidate(): void {
    this.synced = false;
  }

  private load(bids: ReadonlyArray<BookLevel>, asks: ReadonlyArray<BookLevel>, updateId: number, ts: number): void {
    this.bids = emptySide();
    this.asks = emptySide();
    for (const l of bids) this.upsert(this.bids, l);
    for (const l of asks) this.upsert(this.asks, l);
    this.lastU = updateId;
    this.lastTs = ts;
    this.synced = true;
    this.bridging = false;
  }

  private upsert(side: Side, level: BookLevel): void {
    const key = level.price.toString();
    if (level.size.isZero()) {
      if (side.levels.delete(key)) side.sorted = undefined;
      return;
    }
    side.levels.set(key, { price: level.price, size: level.size });
    side.sorted = undefined;
  }

  private sortedBids(): BookLevel[] {
    if (this.bids.sorted === undefined) this.bids.sorted = [...this.bids.levels.values()].sort((a, b) => b.price.comparedTo(a.price));
    return this.bids.sorted;
  }

  private sortedAsks(): BookLevel[] {
    if (this.asks.sorted === undefined) this.asks.sorted = [...this.asks.levels.values()].sort((a, b) => a.price.comparedTo(b.price));
    return this.asks.sorted;
  }

  /** Returns the best (highest) bid. */
  bestBid(): BookLevel | undefined {
    return this.sortedBids()[0];
  }

  /** Returns the best (lowest) ask. */
  bestAsk(): BookLevel | undefined {
    return this.sortedAsks()[0];
  }

  /** Returns (bestBid + bestAsk) / 2, or undefined when a side is empty. */
  mid(): Decimal | undefined {
    const b = this.bestBid();
    const a = this.bestAsk();
    return b === undefined || a === undefined ? undefined : b.price.plus(a.price).dividedBy(2);
  }

  /** Returns bestAsk − bestBid, or undefined when a side is empty. */
  spread(): Decimal | undefined {
    const b = this.bestBid();
    const a = this.bestAsk();
    return b === undefined || a === undefined ? undefined : a.price.minus(b.price);
  }

  /** Returns the top `depth` levels per side (all when omitted): bids descending, asks ascending. */
  levels(depth?: number): { readonly bids: ReadonlyArray<BookLevel>; readonly asks: ReadonlyArray<BookLevel> } {
    const bids = this.sortedBids();
    const asks = this.sortedAsks();
    return depth === undefined ? { bids: [...bids], asks: [...asks] } : { bids: bids.slice(0, depth), asks: asks.slice(0, depth) };
  }

  /**
   * Returns whether the book's top levels equal the given sides, level by level (Decimal equality, so "0.10" equals
   * "0.1"). Compares as many levels as the snapshot has per side, so a depth-limited snapshot can be checked.
   */
  equals(snapshot: { readonly bids: ReadonlyArray<BookLevel>; readonly asks: ReadonlyArray<BookLevel> }): boolean {
    const same = (mine: ReadonlyArray<BookLevel>, theirs: ReadonlyArray<BookLevel>): boolean => {
      if (mine.length < theirs.length) return false;
      return theirs.every((l, i) => {
        const m = mine[i];
        return m !== undefined && m.price.eq(l.price) && m.size.eq(l.size);
      });
    };
    const { bids, asks } = this.levels();
    return same(bids, snapshot.bids) && same(asks, snapshot.asks) && (snapshot.bids.length > 0 || snapshot.asks.length > 0 || (bids.length === 0 && asks.length === 0));
  }
}
