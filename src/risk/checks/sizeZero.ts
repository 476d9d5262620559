/**
 * Rule 9 — nothing to size (S3-4): a regime multiplier of 0 (crash), a zero notional fraction or a non-positive NAV
 * leaves no size at all; this rule names that cause before any cap is blamed. Pure; performs no I/O.
 */
import { ZERO, gtDec } from '../../domain/money.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes when the desired notional is zero or the NAV is not positive. */
export const sizeZero: SizedCheck = (ctx) => {
  const { sizing, portfolio } = ctx;
  if (!gtDec(portfolio.nav, ZERO)) return veto('zero_size', 'nav', portfolio.nav, 0, '>0', `NAV ${portfolio.nav.toString()} leaves nothing to size`);
  if (gtDec(sizing.desiredNotional, ZERO)) return undefined;
  if (sizing.regimeMultiplier.isZero()) {
    return veto('zero_size', 'regime', 0, ctx.proposal.notionalFraction, ctx.market.regime, `regime ${ctx.market.regime} sizes every entry to 0`);
  }
  return veto('zero_size', 'proposal', 0, ctx.proposal.notionalFraction, '>0', 'proposal asks for a zero notional');
};
