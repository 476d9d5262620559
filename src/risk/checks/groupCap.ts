/**
 * Rule 11b — per-group cap (S3-3 theme/cluster 10 %, S4-3 correlation groups), including pending exposure.
 * Symbols without a group have no group cap. Pure; performs no I/O.
 */
import { capVeto } from './capRule.ts';
import type { SizedCheck } from './types.ts';

/** Vetoes with `theme_cap` when the symbol's group exposure would exceed the group cap. */
export const groupCap: SizedCheck = (ctx) => {
  const g = ctx.sizing.group;
  return g === undefined ? undefined : capVeto(ctx, g, 'theme_cap', `group:${g.name}`, `group ${g.name} exposure`);
};
