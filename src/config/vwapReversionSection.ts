/**
 * Parameters of the `vwap-reversion` strategy (S2-7), decoded with effect/Schema from the config's
 * `strategies.vwap-reversion` section or from `--param key=value` overrides: the distance from the session VWAP
 * that triggers, the ADX filter, the Bollinger confluence, the exit timeout, the position limit, the NAV share an entry
 * asks for, the protective distances every position carries (X-ORD-5) and the inverse-ETF map bearish setups buy
 * (S2-1). The 10:30–14:30 ET window is S2-7's. Pure.
 */
import { Schema } from 'effect';
import { DAY_MS, boundedInt, boundedNumber, fractionIn, millisIn, withDefault } from '../domain/schemas.ts';
import { InverseEtfMap } from './inverseEtfMap.ts';
import { StrategyCapsSection } from './strategySections.ts';

const def = withDefault;

/** A stop or take-profit distance inside the policy bounds every position must respect: above 0, at most 50 %. */
const ProtectionDistance = fractionIn({ min: 0, max: 0.5, minExclusive: true });

/** The `strategies.vwap-reversion` section. */
export const VwapReversionSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  /** An entry needs a close at least this far below (a bearish one: above) the session VWAP (S2-7: ±2 %, default 0.02). */
  deviationFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.02),
  adxPeriod: def(boundedInt({ min: 2, max: 100, unit: 'bars' }), () => 14),
  /** No entry while ADX is above this level (S2-7: 25, a trending market). */
  adxMax: def(boundedNumber({ min: 0, max: 100 }), () => 25),
  bollingerPeriod: def(boundedInt({ min: 2, max: 200, unit: 'bars' }), () => 20),
  /** The band the bar must touch (the lower one by its low, the upper one by its high) lies this many standard deviations from the middle (S2-7: 2). */
  bollingerStdDevs: def(boundedNumber({ min: 0, max: 10, minExclusive: true }), () => 2),
  /** A position is exited this long after its entry filled (S2-7: 45 min). */
  exitTimeoutMs: def(millisIn(60_000, DAY_MS), () => 2_700_000),
  /** The most positions of its own it holds, inverse ETFs included; the largest deviations are taken first (S2-7: 5). */
  maxPositions: def(boundedInt({ min: 1, max: 100 }), () => 5),
  /** Equal weights: each entry asks for the same share of NAV. */
  notionalFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.2),
  /** S2-7: the stop sits 1.5 % below the entry (of the inverse ETF for a bearish setup). */
  stopLossFraction: def(ProtectionDistance, () => 0.015),
  /** Wide: the VWAP touch or the timeout, not the take-profit, ends a trade. */
  takeProfitFraction: def(ProtectionDistance, () => 0.5),
  /** Bearish setups buy the mapped unleveraged inverse ETF; a ticker without one has no bearish trade (as eod-momentum). */
  inverseEtfs: def(InverseEtfMap, () => ({ SPY: 'SH', QQQ: 'PSQ' })),
  /** Its own caps (S3-6), applied by the integrator before the global caps; absent: none. */
  caps: Schema.optional(StrategyCapsSection),
});

export type VwapReversionParams = typeof VwapReversionSection.Type;
