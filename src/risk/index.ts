/** Public surface of the risk module: the RiskEngine (the only gate), its config, views, breakers and mode gate. */
export * from './RiskConfig.ts';
export * from './RiskEngine.ts';
export * from './views.ts';
export * from './exposure.ts';
export * from './exposureBook.ts';
export * from './fees.ts';
export * from './sizing.ts';
export * from './capital.ts';
export * from './Drawdown.ts';
export * from './KillSwitch.ts';
export * from './modes.ts';
export * from './vetoes.ts';
export { GATE_CHECKS, SIZED_CHECKS, cooldownUntil, isInsideTradingWindows, nextClockSkewBlocked, resolveLeverage, sigmaJump, zonedWeekdayMinute } from './checks/index.ts';
export type { Check, CheckContext, Intent, LeverageResolution, ProposalHints, SizedCheck, SizedCheckContext, Sizing, CapUsage } from './checks/index.ts';
