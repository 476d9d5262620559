/**
 * The shared arithmetic of the cap rules: usage before the order, usage after it, and the limit, all as fractions of
 * NAV (X-LOG-8 records current_pct, proposed_pct and limit). Exactly at the limit passes. Pure; performs no I/O.
 */
import { ZERO, gtDec, gteDec, lteDec, type Decimal } from '../../domain/money.ts';
import type { Veto } from '../views.ts';
import { veto, type CapUsage, type SizedCheckContext } from './types.ts';

/**
 * Returns a veto when the cap has no headroom left or this order would lift usage above the limit. When the order was
 * floored to zero by downscaling, the proposed usage shown is the one the proposal asked for.
 */
export const capVeto = (ctx: SizedCheckContext, cap: CapUsage, reason: string, capType: string, label: string): Veto | undefined => {
  if (ctx.intent !== 'entry') return undefined;
  const { sizing, portfolio } = ctx;
  const add: Decimal = gtDec(sizing.quantity, ZERO) ? sizing.exposureAdd : sizing.desiredNotional;
  const after = cap.current.plus(add);
  const noHeadroom = gteDec(cap.current, cap.limit) && gtDec(add, ZERO);
  if (!noHeadroom && lteDec(after, cap.limit)) return undefined;
  const nav = portfolio.nav;
  const current = cap.current.div(nav);
  const proposed = after.div(nav);
  const limit = cap.limit.div(nav);
  return veto(reason, capType, current, proposed, limit, `${label} would go from ${current.toString()} to ${proposed.toString()} of NAV; limit ${limit.toString()}`);
};
