/**
 * Rule 2 — kill switch and halts (X-RSK-1, X-RSK-3, X-REC-2): an engaged kill switch, a Halted trading state, a
 * drawdown breach or a broker desync refuse everything; the Reducing state refuses entries. Pure; performs no I/O.
 */
import { veto, type Check } from './types.ts';

/** Vetoes while any halt-class gate is closed. */
export const killHalt: Check = (ctx) => {
  const { portfolio, intent } = ctx;
  if (portfolio.kill.engaged) {
    return veto('kill_switch', 'kill_switch', 'engaged', 'order', 'disengaged', `kill switch engaged: ${portfolio.kill.reason ?? 'no reason given'}`);
  }
  if (portfolio.tradingState === 'halted') return veto('halted', 'trading_state', 'halted', intent, 'active', 'trading is halted');
  const breach = portfolio.drawdown.breach;
  // A daily-loss breach puts the account in Reducing (exits only, below); a drawdown breach halts everything.
  if (breach !== undefined && breach.reason !== 'daily_loss') {
    return veto('drawdown_breach', breach.reason, breach.observed, breach.observed, breach.limit, `drawdown breaker tripped (${breach.reason} ${breach.observed} > ${breach.limit})`);
  }
  if (portfolio.brokerDesync) return veto('broker_desync', 'reconcile', 'desync', intent, 'in_sync', 'journal and venue disagree beyond tolerance');
  if ((portfolio.tradingState === 'reducing' || breach !== undefined) && intent === 'entry') {
    const why = breach === undefined ? '' : ` (${breach.reason} ${breach.observed} > ${breach.limit})`;
    return veto('reducing_only', 'trading_state', 'reducing', 'entry', 'exits_only', `trading state is Reducing: only exits are allowed${why}`);
  }
  return undefined;
};
