/**
 * Rule 11c — total at-risk cap (S3-9 15 %), over every open position and working entry order at worst-case
 * notional; a working order whose exposure cannot be priced blocks entries (unknown is not zero). Pure; performs no I/O.
 */
import { capVeto } from './capRule.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `total_cap` when total exposure would exceed the cap, or is unknown. */
export const totalCap: SizedCheck = (ctx) => {
  if (ctx.intent !== 'entry') return undefined;
  const unpriced = ctx.sizing.exposure.unpriced;
  if (unpriced.length > 0) {
    return veto('total_cap', 'total_unpriced', 'unknown', 'unknown', ctx.config.caps.maxTotalAtRiskFraction, `working orders on ${unpriced.join(',')} cannot be valued`);
  }
  return capVeto(ctx, ctx.sizing.total, 'total_cap', 'total', 'total exposure');
};
