/**
 * S0-7 dual entries: an approved quantity shared 50/50 by two post-only legs at two prices. The first leg gets the
 * half floored to the step, the second the rest (so the legs add up to the approval exactly); when a half would be
 * below the venue's minimum quantity or notional the entry stays one order. The second leg's price differs from the
 * first by at least one tick, on the passive side. Pure; Decimal throughout.
 */
import { dec, maxDec, minDec, type Decimal } from './money.ts';
import type { Side } from './orders.ts';
import { floorQuantity } from './rounding.ts';

/** One leg of a dual entry (decimal strings, as the trade chart carries them). */
export interface EntryLeg {
  readonly quantity: string;
  readonly price: string;
}

/** The instrument facts the split needs. */
export interface LegLimits {
  readonly tickSize: Decimal;
  readonly quantityStep: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal;
}

/** The one-leg fallback's reason, or the two legs. */
export type DualEntry = { readonly legs: readonly [EntryLeg, EntryLeg] } | { readonly single: string };

/**
 * Splits an approved entry of `quantity` into two legs at `a` and `b`: the first leg is the one nearer the market (the
 * higher price for a buy, the lower for a sell), which the chart sends first.
 */
export const dualEntryLegs = (side: Side, quantity: Decimal, a: Decimal, b: Decimal, limits: LegLimits): DualEntry => {
  const buy = side === 'buy';
  const first = buy ? maxDec(a, b) : minDec(a, b);
  const other = buy ? minDec(a, b) : maxDec(a, b);
  // Distinct prices: a second leg the quote pushed onto the first one's price sits a tick further from the market.
  const second = other.eq(first) ? (buy ? first.minus(limits.tickSize) : first.plus(limits.tickSize)) : other;
  if (!second.gt(0)) return { single: 'the second leg would have no positive price' };
  const half = floorQuantity(quantity.div(2), limits.quantityStep);
  const rest = quantity.minus(half);
  for (const [q, p] of [[half, first], [rest, second]] as const) {
    if (!q.gt(0) || q.lt(limits.minQuantity)) return { single: `half of ${quantity.toString()} is below the minimum quantity ${limits.minQuantity.toString()}` };
    if (q.times(p).lt(limits.minNotional)) return { single: `half of ${quantity.toString()} is below the minimum notional ${limits.minNotional.toString()}` };
  }
  return { legs: [{ quantity: half.toString(), price: first.toString() }, { quantity: rest.toString(), price: second.toString() }] };
};

/** The second leg's price when the signal gives one entry: `offset` (0.001 = 0.1 %) away on the passive side. */
export const passiveSecondPrice = (side: Side, entry: Decimal, offset: number): Decimal =>
  side === 'buy' ? entry.times(dec(1).minus(dec(offset))) : entry.times(dec(1).plus(dec(offset)));
