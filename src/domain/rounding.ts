/**
 * The one rounding module (X-RT-9): prices are rounded to the tick per side and policy, quantities are floored to
 * the step, and oversized quantities are split deterministically (S0-16). Nothing else in tradewarden rounds money.
 * Pure; performs no I/O.
 */
import { Decimal, ZERO, gtDec, ltDec, lteDec } from './money.ts';
import type { Instrument } from './Instrument.ts';
import type { Side } from './orders.ts';

/** How a price moves onto the tick grid. */
export type PriceRounding = 'down' | 'up' | 'nearest';

/**
 * How a side's limit price is rounded: `passive` never makes the order more aggressive than asked (buys round down,
 * sells up); `aggressive` never makes it less likely to fill (buys up, sells down).
 */
export type PricePolicy = 'passive' | 'aggressive';

const assertPositive = (what: string, value: Decimal): void => {
  if (!value.isFinite() || lteDec(value, ZERO)) throw new RangeError(`${what} must be > 0, got ${value.toString()}`);
};

// The one-word coefficients of decimal.js (base 10^7) that are powers of ten: an increment whose only coefficient word
// is one of these has a single significant digit, 1, so it is exactly 10^e.
const POWERS_OF_TEN: ReadonlySet<number> = new Set([1, 10, 100, 1_000, 10_000, 100_000, 1_000_000]);

/**
 * The decimal places of a positive increment that is a power of ten no greater than 1 (1, 0.01, 0.001…), else
 * undefined. On such a grid the nearest multiple of a value is the value at that many decimal places: the same Decimal
 * `toNearest` returns (its quotient by 10^e is exact), without its division; the hot path rounds to these grids.
 */
const gridPlaces = (increment: Decimal): number | undefined => {
  const d = increment.d as number[] | null;
  return d !== null && d.length === 1 && increment.s > 0 && increment.e <= 0 && POWERS_OF_TEN.has(d[0]!) ? -increment.e : undefined;
};

// `value.toNearest(increment, rounding)`; through `toDecimalPlaces` on a power-of-ten grid (see `gridPlaces`).
const toGrid = (value: Decimal, increment: Decimal, rounding: Decimal.Rounding): Decimal => {
  const places = gridPlaces(increment);
  return places !== undefined && value.isFinite() ? value.toDecimalPlaces(places, rounding) : value.toNearest(increment, rounding);
};

/** Returns the price moved onto the tick grid in the given direction. */
export const roundPrice = (price: Decimal, tickSize: Decimal, mode: PriceRounding): Decimal => {
  assertPositive('tickSize', tickSize);
  const rounding =
    mode === 'down' ? Decimal.ROUND_FLOOR : mode === 'up' ? Decimal.ROUND_CEIL : Decimal.ROUND_HALF_EVEN;
  return toGrid(price, tickSize, rounding);
};

/** Returns the price rounded to the tick for the side under the given policy (default ROUND_DOWN-like passive). */
export const roundPriceForSide = (price: Decimal, tickSize: Decimal, side: Side, policy: PricePolicy = 'passive'): Decimal => {
  const down = (side === 'buy') === (policy === 'passive');
  return roundPrice(price, tickSize, down ? 'down' : 'up');
};

/** Returns the quantity floored to the step; never more than the input, never negative for non-negative input. */
export const floorQuantity = (quantity: Decimal, quantityStep: Decimal): Decimal => {
  assertPositive('quantityStep', quantityStep);
  return toGrid(quantity, quantityStep, Decimal.ROUND_FLOOR);
};

/** Returns whether a value is an exact multiple of the increment. */
export const isMultipleOf = (value: Decimal, increment: Decimal): boolean => {
  const places = gridPlaces(increment);
  // On a power-of-ten grid a finite value is a multiple exactly when it has no digit below the grid (what `mod` finds
  // with a division).
  if (places !== undefined && value.isFinite()) return value.isZero() || value.decimalPlaces() <= places;
  return value.mod(increment).isZero();
};

/** Why an order's size is not acceptable to the venue. */
export type SizeViolation =
  | { readonly kind: 'below_min_quantity'; readonly quantity: Decimal; readonly limit: Decimal }
  | { readonly kind: 'above_max_quantity'; readonly quantity: Decimal; readonly limit: Decimal }
  | { readonly kind: 'below_min_notional'; readonly notional: Decimal; readonly limit: Decimal }
  | { readonly kind: 'not_on_step'; readonly quantity: Decimal; readonly step: Decimal }
  | { readonly kind: 'not_on_tick'; readonly price: Decimal; readonly tick: Decimal }
  | { readonly kind: 'price_out_of_range'; readonly price: Decimal; readonly min: Decimal; readonly max: Decimal };

/** Returns a human-readable sentence for a size violation. */
export const describeSizeViolation = (v: SizeViolation): string => {
  switch (v.kind) {
    case 'below_min_quantity':
      return `quantity ${v.quantity.toString()} is below the minimum ${v.limit.toString()}`;
    case 'above_max_quantity':
      return `quantity ${v.quantity.toString()} is above the maximum ${v.limit.toString()}`;
    case 'below_min_notional':
      return `notional ${v.notional.toString()} is below the minimum ${v.limit.toString()}`;
    case 'not_on_step':
      return `quantity ${v.quantity.toString()} is not a multiple of the step ${v.step.toString()}`;
    case 'not_on_tick':
      return `price ${v.price.toString()} is not a multiple of the tick ${v.tick.toString()}`;
    case 'price_out_of_range':
      return `price ${v.price.toString()} is outside [${v.min.toString()}, ${v.max.toString()}]`;
  }
};

/**
 * Returns the violations of one order (already rounded) against the instrument's filters; empty when valid.
 * `maxQuantity` is the per-order limit for the order type (limit or market); `notional`, when the caller already holds
 * it, must be `quantity.times(price)` (the RiskEngine's sizing computes it once per decision).
 */
export const validateOrderSize = (
  instrument: Instrument,
  quantity: Decimal,
  price: Decimal,
  opts: { readonly market?: boolean; readonly reduceOnly?: boolean; readonly notional?: Decimal } = {},
): ReadonlyArray<SizeViolation> => {
  const out: SizeViolation[] = [];
  const maxQuantity = opts.market === true ? instrument.maxMarketQuantity : instrument.maxQuantity;
  if (!isMultipleOf(quantity, instrument.quantityStep)) out.push({ kind: 'not_on_step', quantity, step: instrument.quantityStep });
  if (ltDec(quantity, instrument.minQuantity)) out.push({ kind: 'below_min_quantity', quantity, limit: instrument.minQuantity });
  if (gtDec(quantity, maxQuantity)) out.push({ kind: 'above_max_quantity', quantity, limit: maxQuantity });
  if (opts.market !== true) {
    if (!isMultipleOf(price, instrument.tickSize)) out.push({ kind: 'not_on_tick', price, tick: instrument.tickSize });
    if (ltDec(price, instrument.minPrice) || gtDec(price, instrument.maxPrice)) {
      out.push({ kind: 'price_out_of_range', price, min: instrument.minPrice, max: instrument.maxPrice });
    }
  }
  // Venues waive the min-notional rule for reduce-only orders (a reduce-only close of any size is accepted).
  const notional = opts.notional ?? quantity.times(price);
  if (opts.reduceOnly !== true && ltDec(notional, instrument.minNotional)) {
    out.push({ kind: 'below_min_notional', notional, limit: instrument.minNotional });
  }
  return out;
};

/** The largest number of parts `splitQuantity` will produce. */
export const MAX_SPLIT_PARTS = 1000;

/**
 * Splits a quantity into parts no larger than `maxQuantity`, each on the step: as many full-size parts as fit, then
 * the remainder floored to the step. The parts sum to the input floored to the step. Deterministic.
 */
export const splitQuantity = (quantity: Decimal, maxQuantity: Decimal, quantityStep: Decimal): ReadonlyArray<Decimal> => {
  const total = floorQuantity(quantity, quantityStep);
  const cap = floorQuantity(maxQuantity, quantityStep);
  assertPositive('maxQuantity floored to the step', cap);
  if (total.lte(0)) return [];
  const full = total.dividedToIntegerBy(cap).toNumber();
  // A split into thousands of orders is a sizing bug upstream, not something to send to a venue.
  if (full > MAX_SPLIT_PARTS) throw new RangeError(`refusing to split ${total.toString()} into more than ${MAX_SPLIT_PARTS} parts of ${cap.toString()}`);
  const parts: Decimal[] = Array.from({ length: full }, () => cap);
  const rest = total.minus(cap.times(full));
  if (rest.gt(ZERO)) parts.push(rest);
  return parts;
};

/** Returns a money amount rounded half-even to `places` decimals (reports and summaries; venues settle at 8). */
export const roundMoney = (amount: Decimal, places = 8): Decimal => amount.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
