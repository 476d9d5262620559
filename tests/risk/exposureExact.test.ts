/**
 * Issue 17: the exposure sums are exact (`ExactSum`, src/risk/exposure.ts), so the ExposureBook's aggregates kept by
 * deltas equal the from-scratch sums to the last digit even when a term carries all 40 digits of the house precision
 * (a venue's averaged entry price times a quantity). The regression of the drift the journaled-state property test
 * (tests/properties/exposureIncremental.test.ts) found in the open risk.
 */
import { describe, expect, it } from 'vitest';
import { ZERO, dec } from '../../src/domain/money.ts';
import { ExactSum, sumExact } from '../../src/risk/exposure.ts';
import { ExposureBook, exposureFromScratch, heldAtEntryFromScratch } from '../../src/risk/exposureBook.ts';
import type { PositionView } from '../../src/risk/views.ts';
import { market, portfolio } from './fixtures.ts';

// 40 significant digits, as an entry price averaged over fills comes out of a division.
const AVERAGED = dec('14.36999999999999999999999999999999999999');

describe('exact exposure sums (issue 17)', () => {
  it('X-RSK-4 I17 a 40-digit term added to a larger one and taken back is that term again, where house-precision arithmetic rounds it away', () => {
    const small = AVERAGED.times('0.003');
    const big = dec('1234.5');
    expect(small.plus(big).minus(big).eq(small)).toBe(false);
    expect(new ExactSum().add(small).add(big).sub(big).value.eq(small)).toBe(true);
    expect(sumExact([big, small, big.neg()]).toString()).toBe(small.toString());
    expect(new ExactSum().add(big).sub(big).value).toBe(ZERO);
    expect(new ExactSum().add(small).addSum(new ExactSum().add(big)).sub(big).value.eq(small)).toBe(true);
  });

  it('X-RSK-4 S2-4 I17 after a working entry comes and goes beside a position at an averaged entry price, the book equals the from-scratch exposure, open risk and held notional', () => {
    const view = market({}, ['BTCUSDT']);
    const position: PositionView = { symbol: 'BTCUSDT', side: 'long', quantity: dec('0.003'), entryPrice: AVERAGED, markPrice: AVERAGED, stopLoss: dec('14.3') };
    const groups = { BTCUSDT: 'L1' };
    const book = new ExposureBook(groups).valueAt(view);
    book.putPosition(position);
    book.putOrder('w-1', { symbol: 'BTCUSDT', side: 'buy', quantity: dec('12.345'), price: dec('100'), reduceOnly: false, strategyId: 'momo', stopLoss: dec('98') });
    book.putPosition({ ...position, quantity: dec('0.007') });
    book.removeOrder('w-1');
    book.putPosition(position);
    const fresh = exposureFromScratch(portfolio({ positions: [position], groups }), view);
    expect(book.exposure.total.toString()).toBe(fresh.exposure.total.toString());
    expect(book.exposure.bySymbol.get('BTCUSDT')?.toString()).toBe(fresh.exposure.bySymbol.get('BTCUSDT')?.toString());
    expect(book.exposure.byGroup.get('L1')?.toString()).toBe(fresh.exposure.byGroup.get('L1')?.toString());
    expect(book.openRisk.total.toString()).toBe(fresh.openRisk.total.toString());
    expect(book.heldAtEntry.toString()).toBe(heldAtEntryFromScratch({ positions: [position] }).toString());
    // The figures are the position's own 40-digit terms, not a rounded remainder of the larger ones.
    expect(book.exposure.total.eq(AVERAGED.times('0.003'))).toBe(true);
    expect(book.openRisk.total.eq(AVERAGED.minus('14.3').times('0.003'))).toBe(true);
  });
});
