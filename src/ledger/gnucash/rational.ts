/**
 * Exact GnuCash numbers: an amount is written as the rational `numerator/denominator` (`12345/100`) with a power-of-ten
 * denominator taken from the decimals' scale, and GnuCash keeps a numerator in a signed 64-bit integer and a commodity
 * fraction of at most 10^9 (GNC_COMMODITY_MAX_FRACTION). An amount that does not fit is refused, never rounded, except
 * where the caller rounds on purpose (`roundTo`). Pure.
 */
import { roundMoney } from '../../domain/rounding.ts';
import { Decimal } from '../../domain/money.ts';
import { LedgerError } from '../LedgerError.ts';

/** GnuCash's largest commodity fraction: 10^9. */
export const MAX_SCALE = 9;

const INT64_MAX = new Decimal('9223372036854775807');

/** Returns the number of decimal places of an amount (0 for an integer). */
export const scaleOf = (d: Decimal): number => d.decimalPlaces();

/**
 * Returns the scale that writes every amount exactly: their largest number of decimals, at least `min`. Throws
 * LedgerError `amount_out_of_range` (naming `what`) beyond GnuCash's 10^9.
 */
export const scaleFor = (amounts: ReadonlyArray<Decimal>, what: string, min = 0): number => {
  const scale = amounts.reduce((s, a) => Math.max(s, scaleOf(a)), min);
  if (scale > MAX_SCALE) {
    const worst = amounts.find((a) => scaleOf(a) === scale)!;
    throw new LedgerError({ reason: 'amount_out_of_range', message: `${what} ${worst.toFixed()} has ${scale} decimals; a GnuCash book keeps at most ${MAX_SCALE}` });
  }
  return scale;
};

/** Returns 10^scale, the denominator (and commodity fraction) of a scale. */
export const fractionOf = (scale: number): number => 10 ** scale;

/** Returns `amount` rounded half-even to `scale` decimals (for a figure the book keeps only for information). */
export const roundTo = (amount: Decimal, scale: number): Decimal => roundMoney(amount, scale);

/**
 * Returns the GnuCash rational of an amount at a scale (`-1.5` at 2 → `-150/100`). Throws LedgerError
 * `amount_out_of_range` when the amount has more decimals than the scale or its numerator exceeds 64 bits.
 */
export const rational = (amount: Decimal, scale: number): string => {
  const numerator = amount.times(new Decimal(10).pow(scale));
  if (!numerator.isInteger()) {
    throw new LedgerError({ reason: 'amount_out_of_range', message: `amount ${amount.toFixed()} has more than ${scale} decimals` });
  }
  if (numerator.abs().gt(INT64_MAX)) {
    throw new LedgerError({ reason: 'amount_out_of_range', message: `amount ${amount.toFixed()} does not fit a GnuCash number at ${scale} decimals` });
  }
  return `${numerator.isZero() ? '0' : numerator.toFixed(0)}/${fractionOf(scale)}`;
};
