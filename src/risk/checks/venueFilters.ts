/**
 * Rule 15 — venue filters (X-ORD-4): the sized order against tick, step, min quantity, price band and min notional
 * through `validateOrderSize`. Above the per-order maximum is allowed: the execution path splits it
 * deterministically (S0-16) and the approved order says `requiresSplit`. Pure; performs no I/O.
 */
import { describeSizeViolation, validateOrderSize } from '../../domain/rounding.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `venue_filter` when the rounded order breaks any venue filter other than the maximum quantity. */
export const venueFilters: SizedCheck = (ctx) => {
  const instrument = ctx.symbolMarket?.instrument;
  if (instrument === undefined) return veto('venue_filter', 'venue_filter', 'missing', 'order', 'metadata', 'no instrument');
  const { quantity, limitPrice, orderNotional } = ctx.sizing;
  // orderNotional is quantity × limitPrice (sizing), the notional the filters judge.
  const violations = validateOrderSize(instrument, quantity, limitPrice, { reduceOnly: ctx.intent === 'exit', notional: orderNotional });
  const first = violations.find((v) => v.kind !== 'above_max_quantity');
  if (first === undefined) return undefined;
  const limit =
    first.kind === 'below_min_quantity' || first.kind === 'below_min_notional'
      ? first.limit.toString()
      : first.kind === 'not_on_step'
        ? first.step.toString()
        : first.kind === 'not_on_tick'
          ? first.tick.toString()
          : first.kind === 'price_out_of_range'
            ? `${first.min.toString()}..${first.max.toString()}`
            : '';
  const downscaled = ctx.sizing.sizedNotional.lt(ctx.sizing.desiredNotional) ? ' (after downscaling to cap headroom)' : '';
  return veto('venue_filter', 'venue_filter', first.kind, `${quantity.toString()}@${limitPrice.toString()}`, limit, `${describeSizeViolation(first)}${downscaled}`);
};
