/**
 * S2-5 / S2-11 / C-20: the strategy-side allocation table (src/strategies/us/allocation.ts) — every row as exact
 * Decimals summing to 1, at most four signals a round, signals ordered open → mid → close or by an override, and a
 * typed error for a count or a sequence the table cannot work with.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { ALLOCATION_TABLE, AllocationError, allocateRound, allocationShares, sequenceProblem, type SequenceSlot } from '../../src/strategies/us/allocation.ts';

const shown = (shares: ReadonlyArray<Decimal>): string[] => shares.map((s) => s.toString());
const refusal = (f: () => unknown): AllocationError => {
  try {
    f();
  } catch (e) {
    if (e instanceof AllocationError) return e;
    throw e;
  }
  throw new Error('expected an AllocationError');
};
const signal = (id: string, slot: SequenceSlot) => ({ id, slot });

describe('S2-5 allocation table', () => {
  it('S2-5 gives 1 signal 100 %', () => expect(shown(allocationShares(1))).toEqual(['1']));
  it('S2-5 gives 2 signals 60/40', () => expect(shown(allocationShares(2))).toEqual(['0.6', '0.4']));
  it('S2-5 gives 3 signals 40/30/30', () => expect(shown(allocationShares(3))).toEqual(['0.4', '0.3', '0.3']));
  it('S2-5 C-20 gives 4 signals 40/20/20/20 (the S2 WEIGHTS row)', () => expect(shown(allocationShares(4))).toEqual(['0.4', '0.2', '0.2', '0.2']));
  it('S2-5 gives no signal nothing', () => expect(allocationShares(0)).toEqual([]));

  it('S2-5 every row sums to exactly 1 as Decimals', () => {
    expect(ALLOCATION_TABLE).toHaveLength(4);
    for (const row of ALLOCATION_TABLE) expect(row.reduce((a, b) => a.plus(b), new Decimal(0)).eq(1)).toBe(true);
  });

  it('C-20 refuses 5 signals, a fraction and a negative count with bad_count', () => {
    for (const n of [5, 1.5, -1, Number.NaN]) expect(refusal(() => allocationShares(n))).toMatchObject({ reason: 'bad_count' });
    expect(refusal(() => allocationShares(5)).message).toContain('0 to 4');
  });
});

describe('S2-11 sequencing of a round', () => {
  it('S2-11 orders signals open → mid → close by default and shares by that order', () => {
    const round = allocateRound([signal('c', 'close'), signal('o', 'open'), signal('m', 'mid')]);
    expect(round.allocated.map((a) => [a.signal.id, a.place, a.share.toString()])).toEqual([['o', 1, '0.4'], ['m', 2, '0.3'], ['c', 3, '0.3']]);
    expect(round.dropped).toEqual([]);
  });

  it('S2-11 an override order puts close first', () => {
    const round = allocateRound([signal('o', 'open'), signal('m', 'mid'), signal('c', 'close')], ['close', 'open', 'mid']);
    expect(round.allocated.map((a) => [a.signal.id, a.share.toString()])).toEqual([['c', '0.4'], ['o', '0.3'], ['m', '0.3']]);
  });

  it('S2-11 keeps the caller order within one slot', () => {
    const round = allocateRound([signal('c1', 'close'), signal('o1', 'open'), signal('c2', 'close')]);
    expect(round.allocated.map((a) => a.signal.id)).toEqual(['o1', 'c1', 'c2']);
  });

  it('C-20 takes at most 4 signals a round and drops the ones later in the sequence', () => {
    const round = allocateRound([signal('c', 'close'), signal('m1', 'mid'), signal('o1', 'open'), signal('m2', 'mid'), signal('o2', 'open')]);
    expect(round.allocated.map((a) => [a.signal.id, a.share.toString()])).toEqual([['o1', '0.4'], ['o2', '0.2'], ['m1', '0.2'], ['m2', '0.2']]);
    expect(round.dropped.map((s) => s.id)).toEqual(['c']);
  });

  it('S2-11 refuses an override that repeats, misses or invents a slot with bad_sequence', () => {
    expect(refusal(() => allocateRound([], ['open', 'open', 'close']))).toMatchObject({ reason: 'bad_sequence' });
    expect(refusal(() => allocateRound([], ['open', 'mid']))).toMatchObject({ reason: 'bad_sequence' });
    expect(refusal(() => allocateRound([], ['open', 'mid', 'lunch' as SequenceSlot])).message).toContain('"lunch"');
    expect(sequenceProblem(['mid', 'close', 'open'])).toBeUndefined();
  });
});
