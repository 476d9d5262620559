/**
 * Rule — symbol gates (X-RT-1, X-REC-1, X-WS-2): a symbol quarantined by its supervisor, blocked by reconcile or
 * paused by its market stream takes no new entry; exits of what it holds stay allowed. Pure; performs no I/O.
 */
import { veto, type Check } from './types.ts';

/** Vetoes entries of a quarantined, blocked or paused symbol. */
export const symbolGate: Check = (ctx) => {
  if (ctx.intent !== 'entry') return undefined;
  const g = ctx.symbolMarket?.gates;
  const s = ctx.proposal.symbol;
  if (g?.quarantined !== undefined) return veto('symbol_quarantined', 'symbol_gate', 'quarantined', 'entry', 'open', `${s} is quarantined: ${g.quarantined}`);
  if (g?.blocked !== undefined) return veto('symbol_blocked', 'symbol_gate', 'blocked', 'entry', 'open', `${s} entries are blocked: ${g.blocked}`);
  if (g?.paused !== undefined) return veto('market_paused', 'symbol_gate', 'paused', 'entry', 'open', `${s} market data is not live: ${g.paused}`);
  return undefined;
};
