/**
 * The one place decimal.js is configured and imported. Every price, quantity, fee and PnL in tradewarden is a
 * `Decimal` from here; floats appear only inside indicators. Pure; performs no I/O.
 */
import { Decimal } from 'decimal.js';

// 40 significant digits: a price with 10 decimals times a quantity with 10 decimals still multiplies exactly.
Decimal.set({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -30, toExpPos: 40 });

export { Decimal };

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

/** Returns the smaller of two decimals. */
export const minDec = (a: Decimal, b: Decimal): Decimal => (a.lte(b) ? a : b);
/** Returns the larger of two decimals. */
export const maxDec = (a: Decimal, b: Decimal): Decimal => (a.gte(b) ? a : b);
/** Returns the sum of the given decimals (zero for none). */
export const sumDec = (values: ReadonlyArray<Decimal>): Decimal => values.reduce((acc, v) => acc.plus(v), ZERO);
