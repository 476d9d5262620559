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

/** Returns the price moved onto the tick grid in the given direction. */
export const roundPrice = (price: Decimal, tickSize: Decimal, mode: PriceRounding): Decimal => {
  assertPositive('tickSize', tickSize);
  const rounding =
    mode === 'down' ? Decimal.ROUND_FLOOR : mode === 'up' ? Decimal.ROUND_CEIL : Decimal.ROUND_HALF_EVEN;
  return price.toNearest(tickSize, rounding);
};

/** Returns the price rounded to the tick for the side under the given policy (default ROUND_DOWN-like passive). */
export const roundPriceForSide = (price: Decimal, tickSize: Decimal, side: Side, policy: PricePolicy = 'passive'): Decimal => {
  const down = (side === 'buy') === (policy === 'passive');
  return roundPrice(price, tickSize, down ? 'down' : 'up');
};

/** Returns the quantity floored to the step; never more than the input, never negative for non-negative input. */
export const floorQuantity = (quantity: Decimal, quantityStep: Decimal): Decimal => {
  assertPositive('quantityStep', quantityStep);
  return quantity.toNearest(quantityStep, Decimal.ROUND_FLOOR);
};

/** Returns whether a value is an exact multiple of the increment. */
export const isMultipleOf = (value: Decimal, increment: Decimal): boolean => value.mod(increment).isZero();

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
 * `maxQuantity` is the per-order limit for the order type (limit or market).
 */
export const validateOrderSize = (
  instrument: Instrument,
  quantity: Decimal,
  price: Decimal,
  opts: { readonly market?: boolean; readonly reduceOnly?: boolean } = {},
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
  const notional = quantity.times(price);
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
