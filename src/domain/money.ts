/**
 * The one place decimal.js is configured and imported. Every price, quantity, fee and PnL in tradewarden is a
 * `Decimal` from here; floats appear only inside indicators. Pure; performs no I/O.
 */
import { Decimal } from 'decimal.js';

// 40 significant digits: a price with 10 decimals times a quantity with 10 decimals still multiplies exactly.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });

export { Decimal };

/**
 * The house Decimal with room for every digit of a sum of house-precision terms (precision 1,000): such a sum is
 * exact while its terms span fewer than ~960 decimal orders of magnitude (money here spans a few dozen). For exact
 * running sums only (src/risk/exposure.ts `ExactSum`); results go back to the house precision when read.
 */
export const WideDecimal = Decimal.clone({ precision: 1_000 });

/** A price in the instrument's quote currency. */
export type Price = Decimal;
/** A quantity in the instrument's own unit (base units or contracts), end to end. */
export type Quantity = Decimal;
/** An amount of money (fees, PnL, balances) in a settlement asset. */
export type Money = Decimal;

/** Accepted inputs for a decimal value; numbers are accepted only where they come from config or indicators. */
export type DecimalLike = Decimal | string | number;

/** Returns a Decimal for the given value, throwing a DecimalParseError on anything that is not a finite decimal. */
export const dec = (value: DecimalLike): Decimal => {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number' && !Number.isFinite(value)) throw new DecimalParseError(String(value));
  if (typeof value === 'string' && !/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) {
    throw new DecimalParseError(value);
  }
  return new Decimal(typeof value === 'string' ? value.trim() : value);
};

/** Returns the Decimal for a string, or undefined when it is not a finite decimal literal. */
export const parseDecimal = (value: string): Decimal | undefined => {
  try {
    return dec(value);
  } catch {
    return undefined;
  }
};

/** Thrown by `dec` for input that is not a finite decimal literal. */
export class DecimalParseError extends Error {
  override readonly name = 'DecimalParseError';
  readonly input: string;
  constructor(input: string) {
    super(`not a decimal: ${JSON.stringify(input)}`);
    this.input = input;
  }
}

export const ZERO: Decimal = new Decimal(0);
export const ONE: Decimal = new Decimal(1);

// Decimals of JS numbers (config fractions and rates, a proposal's fractions), converted once: `new Decimal(0.05)`
// goes through the number's string form every time. Decimals are immutable, so one instance serves every caller.
const fromNumber = new Map<number, Decimal>();
const FROM_NUMBER_MAX = 4096;

/** Returns `new Decimal(n)`, shared across calls; the same value as converting it anew. */
export const decimalOf = (n: number): Decimal => {
  // A Map keys -0 and 0 alike: a negative zero is converted anew, never cached.
  if (Object.is(n, -0)) return new Decimal(n);
  let d = fromNumber.get(n);
  if (d === undefined) {
    d = new Decimal(n);
    if (fromNumber.size >= FROM_NUMBER_MAX) fromNumber.clear();
    fromNumber.set(n, d);
  }
  return d;
};

/**
 * Returns `a.comparedTo(b)` — −1, 0 or 1, NaN when either is NaN — without the copy of `b` (a new Decimal and its digit
 * array) decimal.js makes on every comparison; a risk decision compares tens of times. NaN, ±Infinity and an exponent
 * outside the configured range are left to decimal.js itself.
 */
export const compareDec = (a: Decimal, b: Decimal): number => {
  const xd = a.d as number[] | null;
  const yd = b.d as number[] | null;
  if (xd === null || yd === null || b.e > Decimal.maxE || b.e < Decimal.minE) return a.comparedTo(b);
  const xs = a.s;
  // Either zero (decimal.js's order of checks, so ±0 compare as it does).
  if (!xd[0] || !yd[0]) return xd[0] ? xs : yd[0] ? -b.s : 0;
  if (xs !== b.s) return xs;
  const neg = xs < 0;
  if (a.e !== b.e) return a.e > b.e !== neg ? 1 : -1;
  const n = xd.length < yd.length ? xd.length : yd.length;
  for (let i = 0; i < n; i++) {
    const x = xd[i]!;
    const y = yd[i]!;
    if (x !== y) return x > y !== neg ? 1 : -1;
  }
  return xd.length === yd.length ? 0 : xd.length > yd.length !== neg ? 1 : -1;
};

/** `a.gt(b)` through `compareDec`. */
export const gtDec = (a: Decimal, b: Decimal): boolean => compareDec(a, b) > 0;
/** `a.gte(b)` through `compareDec`. */
export const gteDec = (a: Decimal, b: Decimal): boolean => compareDec(a, b) >= 0;
/** `a.lt(b)` through `compareDec`. */
export const ltDec = (a: Decimal, b: Decimal): boolean => compareDec(a, b) < 0;
/** `a.lte(b)` through `compareDec`. */
export const lteDec = (a: Decimal, b: Decimal): boolean => compareDec(a, b) <= 0;

/** Returns the smaller of two decimals. */
export const minDec = (a: Decimal, b: Decimal): Decimal => (lteDec(a, b) ? a : b);
/** Returns the larger of two decimals. */
export const maxDec = (a: Decimal, b: Decimal): Decimal => (gteDec(a, b) ? a : b);
/** Returns the sum of the given decimals (zero for none). */
export const sumDec = (values: ReadonlyArray<Decimal>): Decimal => values.reduce((acc, v) => acc.plus(v), ZERO);
