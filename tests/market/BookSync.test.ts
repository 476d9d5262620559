/**
 * BookSync and the two bridging rules (X-WS-2): Bybit (`nextIdRule`: REST `u` then deltas `u + 1`) and Binance
 * (`rangeChainRule`: drop deltas ending before `lastUpdateId`, the first applied one straddles it, then the `pu`
 * chain), with buffering during sync, gap reports, a gap while replaying the buffer, and per-connection invalidation.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { BookSync, type BookGap } from '../../src/market/BookSync.ts';
import { LocalOrderBook, nextIdRule, rangeChainRule } from '../../src/market/OrderBook.ts';
import type { BookEvent, BookSequenceRule } from '../../src/venues/streams.ts';
import type { BookSnapshot } from '../../src/venues/Venue.ts';

const lv = (p: string, s: string) => ({ price: new Decimal(p), size: new Decimal(s) });
type Levels = Array<[string, string]>;

/** A Bybit-shaped delta (`u`, no range). */
const bybit = (u: number, bids: Levels, asks: Levels = [], kind: 'snapshot' | 'delta' = 'delta'): BookEvent => ({
  type: 'book', kind, symbol: 'BTCUSDT', bids: bids.map(([p, s]) => lv(p, s)), asks: asks.map(([p, s]) => lv(p, s)), updateId: u, seq: u, ts: u,
});
/** A Binance-shaped depthUpdate (`U`, `u`, `pu`). */
const binance = (U: number, u: number, pu: number, bids: Levels, asks: Levels = []): BookEvent => ({
  ...bybit(u, bids, asks), firstUpdateId: U, previousUpdateId: pu,
});
const snapshot = (updateId: number, bids: Levels, asks: Levels = []): BookSnapshot => ({
  symbol: 'BTCUSDT', bids: bids.map(([p, s]) => lv(p, s)), asks: asks.map(([p, s]) => lv(p, s)), updateId, ts: updateId,
});
const dump = (b: LocalOrderBook | undefined) => {
  const { bids, asks } = b!.levels();
  return { bids: bids.map((l) => [l.price.toString(), l.size.toString()]), asks: asks.map((l) => [l.price.toString(), l.size.toString()]) };
};

const make = (rule: BookSequenceRule) => {
  const applied: number[] = [];
  const gaps: BookGap[] = [];
  const sync = new BookSync({ symbols: ['BTCUSDT'], rule, onApplied: (e) => applied.push(e.updateId), onGap: (g) => gaps.push(g) });
  return { sync, applied, gaps, book: () => sync.book('BTCUSDT') };
};

describe('the sequence rules', () => {
  it('nextIdRule: stale, next, gap; the bridge after a REST snapshot follows the same rule', () => {
    const strict = nextIdRule('strict');
    expect(strict.follow(10, bybit(10, []))).toEqual({ verdict: 'stale' });
    expect(strict.follow(10, bybit(11, []))).toEqual({ verdict: 'apply' });
    expect(strict.follow(10, bybit(12, []))).toEqual({ verdict: 'gap', expected: 11, got: 12 });
    expect(strict.bridge(10, bybit(12, []))).toEqual(strict.follow(10, bybit(12, [])));
    expect(nextIdRule('monotonic').follow(10, bybit(15, []))).toEqual({ verdict: 'apply' });
  });

  it('rangeChainRule bridge: u < lastUpdateId dropped; U <= lastUpdateId + 1 <= u + 1 applied; a later start is a gap', () => {
    expect(rangeChainRule.bridge(100, binance(90, 99, 89, []))).toEqual({ verdict: 'stale' });
    // Binance USD-M: U <= lastUpdateId <= u.
    expect(rangeChainRule.bridge(100, binance(98, 100, 97, []))).toEqual({ verdict: 'apply' });
    expect(rangeChainRule.bridge(100, binance(95, 104, 94, []))).toEqual({ verdict: 'apply' });
    // The spot wording U <= lastUpdateId + 1 <= u: the range starts right after the snapshot.
    expect(rangeChainRule.bridge(100, binance(101, 103, 99, []))).toEqual({ verdict: 'apply' });
    expect(rangeChainRule.bridge(100, binance(102, 105, 101, []))).toEqual({ verdict: 'gap', expected: 101, got: 102 });
  });

  it('rangeChainRule follow: pu must equal the last applied u; duplicates are stale', () => {
    expect(rangeChainRule.follow(160, binance(161, 170, 160, []))).toEqual({ verdict: 'apply' });
    expect(rangeChainRule.follow(160, binance(150, 160, 149, []))).toEqual({ verdict: 'stale' });
    expect(rangeChainRule.follow(160, binance(166, 170, 165, []))).toEqual({ verdict: 'gap', expected: 160, got: 165 });
    expect(rangeChainRule.follow(160, bybit(161, []))).toEqual({ verdict: 'gap', expected: 160, got: -1 });
  });
});

describe('BookSync with the Bybit rule', () => {
  it('X-WS-2 buffers from socket open, drops buffered events not newer than the REST snapshot, replays the rest', () => {
    const { sync, applied, book } = make(nextIdRule('strict'));
    sync.resetAll();
    // Bybit's first message is an in-stream snapshot; it and the delta at the snapshot's u are covered by REST.
    sync.onEvent(bybit(10, [['100', '1']], [['101', '1']], 'snapshot'));
    sync.onEvent(bybit(11, [['100', '2']]));
    sync.onEvent(bybit(12, [['99', '1']]));
    expect(applied).toEqual([]);
    expect(sync.isBuffering('BTCUSDT')).toBe(true);
    const r = sync.applySnapshot('BTCUSDT', snapshot(11, [['100', '2']], [['101', '1']]));
    expect(r).toEqual({ ok: true, resync: { symbol: 'BTCUSDT', snapshotUpdateId: 11, bookUpdateId: 12, dropped: 2, replayed: 1 } });
    expect(applied).toEqual([12]);
    expect(dump(book())).toEqual({ bids: [['100', '2'], ['99', '1']], asks: [['101', '1']] });
    // Live: the next delta applies at once.
    sync.onEvent(bybit(13, [['99', '0']]));
    expect(applied).toEqual([12, 13]);
    expect(book()!.isSynced()).toBe(true);
  });

  it('X-WS-2 a gap on a live book is reported once and the book buffers from the gapped event', () => {
    const { sync, applied, gaps, book } = make(nextIdRule('strict'));
    sync.resetAll();
    sync.applySnapshot('BTCUSDT', snapshot(20, [['100', '1']]));
    sync.onEvent(bybit(22, [['100', '5']]));
    sync.onEvent(bybit(23, [['100', '6']]));
    expect(gaps).toEqual([{ symbol: 'BTCUSDT', expected: 21, got: 22 }]);
    expect(sync.isBuffering('BTCUSDT')).toBe(true);
    // The resync snapshot at 21 bridges to the buffered 22 and 23.
    expect(sync.applySnapshot('BTCUSDT', snapshot(21, [['100', '2']])).ok).toBe(true);
    expect(applied).toEqual([22, 23]);
    expect(dump(book()).bids).toEqual([['100', '6']]);
  });

  it('X-WS-2 a buffer that does not continue the snapshot is a gap; the symbol keeps buffering for the next attempt', () => {
    const { sync, applied } = make(nextIdRule('strict'));
    sync.resetAll();
    sync.onEvent(bybit(31, [['100', '1']]));
    sync.onEvent(bybit(32, [['100', '2']]));
    const r = sync.applySnapshot('BTCUSDT', snapshot(29, [['100', '9']]));
    expect(r).toEqual({ ok: false, gap: { symbol: 'BTCUSDT', expected: 30, got: 31 } });
    expect(sync.isBuffering('BTCUSDT')).toBe(true);
    expect(sync.applySnapshot('BTCUSDT', snapshot(30, [['100', '9']])).ok).toBe(true);
    expect(applied).toEqual([31, 32]);
  });

  it('invalidateAll keeps the levels, marks every book unsynced and buffers until the next snapshot (per-connection gap)', () => {
    const { sync, applied, book } = make(nextIdRule('monotonic'));
    sync.resetAll();
    sync.applySnapshot('BTCUSDT', snapshot(5, [['100', '1']]));
    sync.invalidateAll();
    expect(book()!.isSynced()).toBe(false);
    expect(dump(book()).bids).toEqual([['100', '1']]);
    sync.onEvent(bybit(9, [['100', '3']]));
    expect(applied).toEqual([]);
    expect(sync.applySnapshot('BTCUSDT', snapshot(7, [['100', '2']])).ok).toBe(true);
    expect(applied).toEqual([9]);
    expect(dump(book()).bids).toEqual([['100', '3']]);
  });
});

describe('BookSync with the Binance rule', () => {
  it('X-WS-2 drops u < lastUpdateId, applies the straddling event, then follows the pu chain', () => {
    const { sync, applied, gaps, book } = make(rangeChainRule);
    sync.resetAll();
    sync.onEvent(binance(90, 95, 89, [['100', '1']]));
    sync.onEvent(binance(96, 99, 95, [['100', '2']]));
    sync.onEvent(binance(100, 104, 99, [['100', '3'], ['99', '1']]));
    sync.onEvent(binance(105, 107, 104, [['98', '1']]));
    const r = sync.applySnapshot('BTCUSDT', snapshot(102, [['100', '2'], ['97', '4']]));
    expect(r).toEqual({ ok: true, resync: { symbol: 'BTCUSDT', snapshotUpdateId: 102, bookUpdateId: 107, dropped: 2, replayed: 2 } });
    expect(applied).toEqual([104, 107]);
    expect(dump(book()).bids).toEqual([['100', '3'], ['99', '1'], ['98', '1'], ['97', '4']]);
    sync.onEvent(binance(108, 110, 107, [['97', '0']]));
    expect(applied).toEqual([104, 107, 110]);
    expect(gaps).toEqual([]);
  });

  it('X-WS-2 a broken pu chain is a gap → resync from a new snapshot, bridged by the range rule again', () => {
    const { sync, applied, gaps, book } = make(rangeChainRule);
    sync.resetAll();
    sync.applySnapshot('BTCUSDT', snapshot(200, [['100', '1']]));
    sync.onEvent(binance(199, 203, 198, [['100', '2']]));
    // The event 204..206 was lost on the wire: the next one's pu (206) does not chain to 203.
    sync.onEvent(binance(207, 209, 206, [['100', '4']]));
    sync.onEvent(binance(210, 212, 209, [['100', '5']]));
    expect(gaps).toEqual([{ symbol: 'BTCUSDT', expected: 203, got: 206 }]);
    expect(applied).toEqual([203]);
    expect(book()!.isSynced()).toBe(false);
    // The new snapshot (208) lies inside the gapped event's range: that event bridges, 210..212 follows by pu.
    expect(sync.applySnapshot('BTCUSDT', snapshot(208, [['100', '3'], ['99', '7']])).ok).toBe(true);
    expect(applied).toEqual([203, 209, 212]);
    expect(dump(book()).bids).toEqual([['100', '5'], ['99', '7']]);
    expect(book()!.isSynced()).toBe(true);
  });

  it('X-WS-2 a snapshot older than the buffered range is a gap (the first event starts after lastUpdateId + 1)', () => {
    const { sync } = make(rangeChainRule);
    sync.resetAll();
    sync.onEvent(binance(310, 312, 309, [['100', '1']]));
    expect(sync.applySnapshot('BTCUSDT', snapshot(300, []))).toEqual({ ok: false, gap: { symbol: 'BTCUSDT', expected: 301, got: 310 } });
    expect(sync.applySnapshot('BTCUSDT', snapshot(311, [])).ok).toBe(true);
  });
});
