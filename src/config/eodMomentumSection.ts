/**
 * Parameters of the `eod-momentum` strategy (S2-8, S2-9), decoded with effect/Schema from the config's
 * `strategies.eod-momentum` section or from `--param key=value` overrides: the mode (trend or fade) and its
 * thresholds, the VIX gate (symbol, minimum, staleness), the share of NAV one round's entries split (S2-5), the
 * protective distances and the inverse-ETF map for bearish setups (S2-1). Pure.
 */
import { Schema } from 'effect';
import { boundedInt, boundedNumber, fractionIn, millisIn, withDefault } from '../domain/schemas.ts';
import { InverseEtfMap } from './inverseEtfMap.ts';
import { StrategyCapsSection } from './strategySections.ts';

const def = withDefault;

/** The symbol whose last bar close is the VIX reading: a ticker, or an index spelling such as `^VIX` or `$VIX`. */
const VixSymbol = Schema.String.pipe(Schema.pattern(/^[A-Z0-9^$][A-Z0-9._/-]{0,31}$/, { message: () => 'Expected a symbol like VIX or ^VIX' }));

/** The `strategies.eod-momentum` section. */
export const EodMomentumSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  /** trend: continuation of the day's move; fade: reversal of a spike (docs/strategies.md). */
  mode: def(Schema.Literal('trend', 'fade'), () => 'trend' as const),
  /** trend: the smallest move of the close from the day's open, in the direction of the trade. */
  trendMoveMin: def(fractionIn({ min: 0, max: 0.2, minExclusive: true }), () => 0.005),
  /** fade: the smallest spike of the day's extreme away from the open. */
  fadeMoveMin: def(fractionIn({ min: 0, max: 0.2, minExclusive: true }), () => 0.01),
  /** fade: the smallest pull-back of the close from that extreme. */
  fadePullbackMin: def(fractionIn({ min: 0, max: 0.1, minExclusive: true }), () => 0.0025),
  /** fade: the extreme must lie within this many of the last bars (a spike, not an all-day trend). */
  fadeLookbackBars: def(boundedInt({ min: 1, max: 390, unit: 'bars' }), () => 30),
  vixSymbol: def(VixSymbol, () => 'VIX'),
  /** Entries only while the VIX reading is at least this (S2-8: disabled below 15). */
  vixMin: def(boundedNumber({ min: 0, max: 200 }), () => 15),
  /** A VIX bar that closed longer ago than this is stale: the gate is closed. */
  vixMaxAgeMs: def(millisIn(1_000, 86_400_000), () => 300_000),
  /** The NAV share one decision round's entries split by the S2-5 table (S2-8: 30–40 %). */
  allocationFraction: def(fractionIn({ min: 0.3, max: 0.4 }), () => 0.3),
  stopLossFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.02),
  /** Wide: the 15:55 ET hard close, not the take-profit, ends a trade. */
  takeProfitFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.1),
  /** Bearish setups buy the mapped unleveraged inverse ETF; a ticker without one has no bearish trade. */
  inverseEtfs: def(InverseEtfMap, () => ({ SPY: 'SH', QQQ: 'PSQ' })),
  /** Its own caps (S3-6), applied by the integrator before the global caps; absent: none. */
  caps: Schema.optional(StrategyCapsSection),
}).pipe(
  Schema.filter((s) => {
    const mapped = Object.entries(s.inverseEtfs).find(([ticker, target]) => ticker === s.vixSymbol || target === s.vixSymbol);
    return mapped === undefined || `inverseEtfs: ${mapped[0]}: ${mapped[1]} uses the VIX symbol ${s.vixSymbol}, which is read, never traded`;
  }),
);

export type EodMomentumParams = typeof EodMomentumSection.Type;
