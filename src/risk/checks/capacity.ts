/**
 * Rule 12 — capacity (S0-6 max 100 concurrent trades, S2-5 max 5 open positions, S1-13 positions per group,
 * X-ORD-10 `CapacityExceeded`):
 * concurrent trades count symbols with a position or a working entry; open positions count positions. The new
 * entry counts only when its symbol is not already counted. Exactly at the maximum passes. Pure; performs no I/O.
 */
import { veto, type SizedCheck } from './types.ts';

/** Vetoes with `capacity_exceeded` when the entry would exceed either capacity. */
export const capacity: SizedCheck = (ctx) => {
  if (ctx.intent !== 'entry') return undefined;
  const { exposure } = ctx.sizing;
  const { maxConcurrentTrades, maxOpenPositions } = ctx.config.capacity;
  const symbol = ctx.proposal.symbol;
  const trades = exposure.activeSymbols.size;
  const tradesAfter = trades + (exposure.activeSymbols.has(symbol) ? 0 : 1);
  if (tradesAfter > maxConcurrentTrades) {
    return veto('capacity_exceeded', 'max_concurrent_trades', trades, tradesAfter, maxConcurrentTrades, `${tradesAfter} concurrent trades would exceed ${maxConcurrentTrades}`);
  }
  const positions = exposure.positionsCount;
  const positionsAfter = positions + (ctx.position === undefined ? 1 : 0);
  if (positionsAfter > maxOpenPositions) {
    return veto('capacity_exceeded', 'max_open_positions', positions, positionsAfter, maxOpenPositions, `${positionsAfter} open positions would exceed ${maxOpenPositions}`);
  }
  const perGroup = ctx.config.capacity.maxPositionsPerGroup;
  const group = ctx.portfolio.groups[symbol];
  if (perGroup !== undefined && group !== undefined && ctx.position === undefined) {
    const inGroup = exposure.groupPositions.get(group) ?? 0;
    if (inGroup + 1 > perGroup) {
      return veto('capacity_exceeded', `group_positions:${group}`, inGroup, inGroup + 1, perGroup, `${inGroup + 1} positions in group ${group} would exceed ${perGroup}`);
    }
  }
  return undefined;
};
