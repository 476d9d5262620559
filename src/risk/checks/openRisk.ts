/**
 * Rule 15 — total open risk (S2-4, 5 % for S2): open positions at quantity × |entry − stop| (full notional without a
 * stop), working entries at their worst-case stop distance (full notional without a stop), plus this entry's risk,
 * stay within capital.maxOpenRiskFraction of NAV. Off when the key is null. Pure; performs no I/O.
 */
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `open_risk_cap` when the book's stop-distance risk would exceed the limit, or is unknown. */
export const openRisk: SizedCheck = (ctx) => {
  const { sizing, portfolio, config } = ctx;
  const cap = sizing.openRisk;
  if (ctx.intent !== 'entry' || cap === undefined) return undefined;
  const fraction = config.capital.maxOpenRiskFraction ?? 0;
  if (cap.unpriced.length > 0) {
    return veto('open_risk_cap', 'open_risk_unpriced', 'unknown', 'unknown', fraction, `working orders on ${cap.unpriced.join(',')} cannot be valued`);
  }
  // Floored to zero by downscaling: show the risk the proposal asked for, as the exposure caps do.
  const add = sizing.quantity.gt(0) ? sizing.riskAdd : sizing.desiredNotional.times(sizing.stopLossFraction);
  const after = cap.current.plus(add);
  const noHeadroom = cap.current.gte(cap.limit) && add.gt(0);
  if (!noHeadroom && after.lte(cap.limit)) return undefined;
  const nav = portfolio.nav;
  const current = cap.current.div(nav);
  const proposed = after.div(nav);
  return veto('open_risk_cap', 'open_risk', current, proposed, fraction, `open risk would go from ${current.toString()} to ${proposed.toString()} of NAV; limit ${String(fraction)}`);
};
