/** LocalOrderBook: level maintenance, sorting, and the gap rules (strict and monotonic continuity). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { LocalOrderBook, type BookEvent } from '../../src/market/OrderBook.ts';

const lv = (p: string, s: string) => ({ price: new Decimal(p), size: new Decimal(s) });
const ev = (kind: 'snapshot' | 'delta', u: number, bids: Array<[string, string]>, asks: Array<[string, string]>, symbol = 'BTCUSDT'): BookEvent => ({
  type: 'book',
  kind,
  symbol,
  bids: bids.map(([p, s]) => lv(p, s)),
  asks: asks.map(([p, s]) => lv(p, s)),
  updateId: u,
  seq: u,
  ts: u,
});
const dump = (b: LocalOrderBook) => {
  const { bids, asks } = b.levels();
  return { bids: bids.map((l) => [l.price.toString(), l.size.toString()]), asks: asks.map((l) => [l.price.toString(), l.size.toString()]) };
};

describe('LocalOrderBook', () => {
  it('applies absolute sizes: replace, insert unknown price, delete on size 0; keeps bids desc and asks asc', () => {
    const b = new LocalOrderBook('BTCUSDT');
    expect(b.apply(ev('snapshot', 10, [['100', '1'], ['99', '2']], [['101', '1'], ['102', '3']]))).toEqual({ ok: true });
    expect(b.apply(ev('delta', 11, [['100', '5'], ['99.5', '1'], ['99', '0']], [['100.5', '2'], ['102', '0']]))).toEqual({ ok: true });
    expect(dump(b)).toEqual({ bids: [['100', '5'], ['99.5', '1']], asks: [['100.5', '2'], ['101', '1']] });
    expect(b.bestBid()?.price.toString()).toBe('100');
    expect(b.bestAsk()?.price.toString()).toBe('100.5');
    expect(b.mid()?.toString()).toBe('100.25');
    expect(b.spread()?.toString()).toBe('0.5');
    expect(b.levels(1).bids).toHaveLength(1);
  });

  it('treats "0.10" and "0.1" as the same level', () => {
    const b = new LocalOrderBook('BTCUSDT');
    b.apply(ev('snapshot', 1, [['0.10', '1']], []));
    b.apply(ev('delta', 2, [['0.1', '0']], []));
    expect(b.levels().bids).toEqual([]);
  });

  it('X-WS-2 reports a delta before any snapshot as a gap', () => {
    const b = new LocalOrderBook('BTCUSDT');
    expect(b.apply(ev('delta', 5, [], []))).toEqual({ ok: false, gap: { expected: 'snapshot', got: 5 } });
    expect(b.isSynced()).toBe(false);
  });

  it('X-WS-2 strict: u > lastU + 1 is a gap, and the book stays unsynced until a snapshot', () => {
    const b = new LocalOrderBook('BTCUSDT');
    b.apply(ev('snapshot', 10, [['100', '1']], [['101', '1']]));
    expect(b.apply(ev('delta', 12, [['100', '2']], []))).toEqual({ ok: false, gap: { expected: 11, got: 12 } });
    expect(b.isSynced()).toBe(false);
    expect(b.apply(ev('delta', 13, [], []))).toEqual({ ok: false, gap: { expected: 'snapshot', got: 13 } });
    expect(dump(b).bids).toEqual([['100', '1']]);
    expect(b.apply(ev('snapshot', 20, [['99', '1']], []))).toEqual({ ok: true });
    expect(b.apply(ev('delta', 21, [['98', '1']], []))).toEqual({ ok: true });
  });

  it('drops a stale duplicate (u <= lastU) without calling it a gap', () => {
    const b = new LocalOrderBook('BTCUSDT');
    b.apply(ev('snapshot', 10, [['100', '1']], []));
    b.apply(ev('delta', 11, [['100', '2']], []));
    expect(b.apply(ev('delta', 11, [['100', '7']], []))).toEqual({ ok: true, stale: true });
    expect(b.apply(ev('delta', 9, [['100', '7']], []))).toEqual({ ok: true, stale: true });
    expect(dump(b).bids).toEqual([['100', '2']]);
    expect(b.isSynced()).toBe(true);
  });

  it('any snapshot resets the book, including u == 1 after a venue restart', () => {
    const b = new LocalOrderBook('BTCUSDT');
    b.apply(ev('snapshot', 500, [['100', '1']], [['101', '1']]));
    expect(b.apply(ev('snapshot', 1, [['50', '1']], []))).toEqual({ ok: true });
    expect(dump(b)).toEqual({ bids: [['50', '1']], asks: [] });
    expect(b.apply(ev('delta', 2, [['49', '1']], []))).toEqual({ ok: true });
    expect(b.lastUpdateId()).toBe(2);
  });

  it('monotonic continuity accepts jumps but still drops stale ids', () => {
    const b = new LocalOrderBook('BTCUSDT', { continuity: 'monotonic' });
    b.apply(ev('snapshot', 10, [], []));
    expect(b.apply(ev('delta', 15, [['1', '1']], []))).toEqual({ ok: true });
    expect(b.apply(ev('delta', 14, [['1', '9']], []))).toEqual({ ok: true, stale: true });
    expect(dump(b).bids).toEqual([['1', '1']]);
  });

  it('uses previousUpdateId (Binance pu) when the venue sends it', () => {
    const b = new LocalOrderBook('X', { continuity: 'monotonic' });
    b.apply(ev('snapshot', 100, [], [], 'X'));
    expect(b.apply({ ...ev('delta', 160, [], [], 'X'), previousUpdateId: 100 })).toEqual({ ok: true });
    expect(b.apply({ ...ev('delta', 170, [], [], 'X'), previousUpdateId: 165 })).toEqual({ ok: false, gap: { expected: 161, got: 170 } });
  });

  it('equals compares level by level with Decimal equality', () => {
    const b = new LocalOrderBook('BTCUSDT');
    b.apply(ev('snapshot', 1, [['100', '1'], ['99', '2']], [['101', '1']]));
    expect(b.equals({ bids: [lv('100.0', '1'), lv('99', '2.00')], asks: [lv('101', '1')] })).toBe(true);
    expect(b.equals({ bids: [lv('100', '1'), lv('99', '3')], asks: [lv('101', '1')] })).toBe(false);
    expect(b.equals({ bids: [lv('100', '1'), lv('99', '2'), lv('98', '1')], asks: [lv('101', '1')] })).toBe(false);
  });

  it('matches a reference map model over random delta streams (seeded property)', () => {
    const level = fc.tuple(fc.integer({ min: 90, max: 110 }), fc.integer({ min: 0, max: 5 }));
    const delta = fc.record({ bids: fc.array(level, { maxLength: 4 }), asks: fc.array(level, { maxLength: 4 }) });
    fc.assert(
      fc.property(fc.array(delta, { maxLength: 60 }), (deltas) => {
        const b = new LocalOrderBook('S');
        b.apply(ev('snapshot', 1, [], [], 'S'));
        const bids = new Map<number, number>();
        const asks = new Map<number, number>();
        deltas.forEach((d, i) => {
          const r = b.apply(ev('delta', i + 2, d.bids.map(([p, s]) => [String(p), String(s)]), d.asks.map(([p, s]) => [String(p), String(s)]), 'S'));
          expect(r.ok).toBe(true);
          for (const [p, s] of d.bids) if (s === 0) bids.delete(p); else bids.set(p, s);
          for (const [p, s] of d.asks) if (s === 0) asks.delete(p); else asks.set(p, s);
        });
        const want = {
          bids: [...bids].sort((x, y) => y[0] - x[0]).map(([p, s]) => [String(p), String(s)]),
          asks: [...asks].sort((x, y) => x[0] - y[0]).map(([p, s]) => [String(p), String(s)]),
        };
        expect(dump(b)).toEqual(want);
      }),
      { seed: 20261123, numRuns: 200 },
    );
  });
});
