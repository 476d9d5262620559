/**
 * GnuCash numbers (S2-13): amounts are written as exact rationals at a power-of-ten denominator chosen from the
 * decimals' scale, and an amount GnuCash cannot hold exactly (more than 10^9 as fraction, a numerator beyond 64 bits)
 * is refused with a sentence rather than rounded.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { rational, scaleFor } from '../../src/ledger/gnucash/rational.ts';
import { LedgerError } from '../../src/ledger/LedgerError.ts';

const caught = (f: () => unknown): LedgerError => {
  try {
    f();
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a LedgerError');
};

describe('S2-13 GnuCash rationals', () => {
  it('writes amounts exactly at the scale of the most precise one', () => {
    const amounts = ['123.45', '-1.5', '0.00000001', '100000'].map((s) => new Decimal(s));
    const scale = scaleFor(amounts, 'amount', 2);
    expect(scale).toBe(8);
    expect(amounts.map((a) => rational(a, scale))).toEqual(['12345000000/100000000', '-150000000/100000000', '1/100000000', '10000000000000/100000000']);
    expect(rational(new Decimal('-0'), 2)).toBe('0/100');
    expect(scaleFor([new Decimal('5')], 'amount', 2)).toBe(2);
  });

  it('refuses an amount with more decimals than GnuCash keeps, or one beyond a 64-bit numerator, naming it', () => {
    const tooFine = caught(() => scaleFor([new Decimal('1.0000000001')], 'fee'));
    expect(tooFine.reason).toBe('amount_out_of_range');
    expect(tooFine.message).toBe('fee 1.0000000001 has 10 decimals; a GnuCash book keeps at most 9');
    expect(caught(() => rational(new Decimal('0.001'), 2)).message).toBe('amount 0.001 has more than 2 decimals');
    expect(caught(() => rational(new Decimal('92233720368.54775808'), 8)).reason).toBe('amount_out_of_range');
    expect(rational(new Decimal('92233720368.54775807'), 8)).toBe('9223372036854775807/100000000');
  });
});
