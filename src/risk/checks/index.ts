/**
 * The fixed, fail-fast order of the risk rules (X-ORD-4, documented in docs/risk.md). Gate rules run on the proposal
 * and views; then the proposal is sized once; then the sizing rules run. The first veto wins and no later rule runs.
 * Pure; performs no I/O.
 */
import { actorAvailability } from './actorAvailability.ts';
import { capacity } from './capacity.ts';
import { clockSkew } from './clockSkew.ts';
import { cooldown } from './cooldown.ts';
import { dependencies } from './dependencies.ts';
import { equityFilters, slippage } from './equityFilters.ts';
import { feeMinNotional } from './feeMinNotional.ts';
import { groupCap } from './groupCap.ts';
import { killHalt } from './killHalt.ts';
import { leverage } from './leverage.ts';
import { marketQuality } from './marketQuality.ts';
import { modeWindow } from './modeWindow.ts';
import { openRisk } from './openRisk.ts';
import { priceBand } from './priceBand.ts';
import { productHealth } from './productHealth.ts';
import { proposalExpiry } from './proposalExpiry.ts';
import { riskPerTrade } from './riskPerTrade.ts';
import { shorts } from './shorts.ts';
import { sizeZero } from './sizeZero.ts';
import { staleness } from './staleness.ts';
import { strategyBudget } from './strategyBudget.ts';
import { symbolCap } from './symbolCap.ts';
import { symbolGate } from './symbolGate.ts';
import { totalCap } from './totalCap.ts';
import type { Check, SizedCheck } from './types.ts';
import { venueFilters } from './venueFilters.ts';

/** Gate rules, in order: they need no size. */
export const GATE_CHECKS: ReadonlyArray<readonly [string, Check]> = [
  ['proposalExpiry', proposalExpiry],
  ['modeWindow', modeWindow],
  ['killHalt', killHalt],
  ['symbolGate', symbolGate],
  ['actorAvailability', actorAvailability],
  ['dependencies', dependencies],
  ['clockSkew', clockSkew],
  ['staleness', staleness],
  ['productHealth', productHealth],
  ['marketQuality', marketQuality],
  ['equityFilters', equityFilters],
  ['cooldown', cooldown],
];

/** Sizing rules, in order: risk per trade, budget before the global caps (S3-6), open risk, then capacity, leverage, shorts, price band, slippage, venue filters. */
export const SIZED_CHECKS: ReadonlyArray<readonly [string, SizedCheck]> = [
  ['sizeZero', sizeZero],
  ['riskPerTrade', riskPerTrade],
  ['strategyBudget', strategyBudget],
  ['symbolCap', symbolCap],
  ['groupCap', groupCap],
  ['totalCap', totalCap],
  ['openRisk', openRisk],
  ['capacity', capacity],
  ['leverage', leverage],
  ['shorts', shorts],
  ['priceBand', priceBand],
  ['slippage', slippage],
  ['venueFilters', venueFilters],
  ['feeMinNotional', feeMinNotional],
];

export type { Check, CheckContext, Intent, LeverageResolution, ProposalHints, SizedCheck, SizedCheckContext, Sizing, CapUsage } from './types.ts';
export { veto } from './types.ts';
export { nextClockSkewBlocked } from './clockSkew.ts';
export { cooldownUntil } from './cooldown.ts';
export { isInsideTradingWindows, zonedWeekdayMinute } from './modeWindow.ts';
export { resolveLeverage } from './leverage.ts';
export { sigmaJump } from './marketQuality.ts';
export { expectedFill, slippageFraction, type EquityFilterCap, type EquityFilterReason, type ExpectedFill } from './equityFilters.ts';
