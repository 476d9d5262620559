/**
 * Rule 10 — per-strategy caps (S3-6), applied before the global caps: trades per cycle and the strategy's own budget
 * (committed notional as a fraction of NAV). Pure; performs no I/O.
 */
import { strategyBudgetFor } from '../RiskConfig.ts';
import { capVeto } from './capRule.ts';
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `strategy_cap` when the strategy has used its trades for this cycle or its budget. */
export const strategyBudget: SizedCheck = (ctx) => {
  if (ctx.intent !== 'entry') return undefined;
  const { proposal, portfolio, config } = ctx;
  const budget = strategyBudgetFor(config, proposal.strategyId);
  const trades = portfolio.strategies[proposal.strategyId]?.tradesThisCycle ?? 0;
  if (trades + 1 > budget.maxTradesPerCycle) {
    return veto('strategy_cap', 'strategy_trades_per_cycle', trades, trades + 1, budget.maxTradesPerCycle, `${proposal.strategyId} already made ${trades} trades this cycle (max ${budget.maxTradesPerCycle})`);
  }
  return capVeto(ctx, ctx.sizing.strategy, 'strategy_cap', 'strategy_budget', `${proposal.strategyId} budget`);
};
