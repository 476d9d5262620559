/**
 * Parameters of the `vol-target` strategy (S4-3, S4-6), decoded with effect/Schema from the config's
 * `strategies.vol-target` section or from `--param key=value` overrides: the symbol tiers and their NAV caps, the
 * volatility target and its high-volatility size-down, the EMA trend filter (fast < slow), the expectancy gate
 * (minTrades ≤ expectancyWindow) and the ALT_EXT staleness bound. Pure.
 */
import { Schema } from 'effect';
import { DAY_MS, boundedInt, fractionIn, millisIn, withDefault } from '../domain/schemas.ts';
import { StrategyCapsSection } from './strategySections.ts';

const def = withDefault;

/** The S4-3 tiers; the names match `risk.caps.tierCaps` (ALT-EXT is written ALT_EXT). */
export const VolTargetTier = Schema.Literal('CORE', 'SATELLITE', 'TACTICAL', 'ALT_EXT');
export type VolTargetTier = typeof VolTargetTier.Type;

/** A per-symbol NAV cap: above 0 and at most 100 %. */
const NavCap = fractionIn({ min: 0, max: 1, minExclusive: true });

/** The NAV share one symbol of each tier may ask for (S4-3 defaults). */
export const VolTargetTierCaps = Schema.Struct({
  CORE: def(NavCap, () => 0.3),
  SATELLITE: def(NavCap, () => 0.2),
  TACTICAL: def(NavCap, () => 0.1),
  ALT_EXT: def(NavCap, () => 0.05),
});

/** A venue symbol as a proposal spells it. */
const SymbolKey = Schema.String.pipe(
  Schema.pattern(/^[A-Z0-9][A-Z0-9._/-]{0,31}$/, { message: () => 'Expected a venue symbol such as BTCUSDT (upper-case letters, digits, . _ / -)' }),
);

/** The `strategies.vol-target` section. */
export const VolTargetSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  /** symbol → tier; a symbol not listed takes `defaultTier`. */
  symbolTiers: def(Schema.Record({ key: SymbolKey, value: VolTargetTier }), () => ({})),
  /** The tier of an unlisted symbol; NONE: the strategy leaves unlisted symbols alone. */
  defaultTier: def(Schema.Literal('NONE', 'CORE', 'SATELLITE', 'TACTICAL', 'ALT_EXT'), () => 'NONE' as const),
  tierCaps: def(VolTargetTierCaps, () => ({ CORE: 0.3, SATELLITE: 0.2, TACTICAL: 0.1, ALT_EXT: 0.05 })),
  /** Annualised volatility a position is sized for: fraction = min(tier cap, targetVol / realised vol). */
  targetVol: def(fractionIn({ min: 0, max: 2, minExclusive: true }), () => 0.1),
  /** Log returns (bars) the realised volatility is measured over; the snapshot holds at most 500 bars. */
  volLookback: def(boundedInt({ min: 2, max: 499, unit: 'bars' }), () => 60),
  /** Annualised realised volatility above which the size is multiplied by highVolScale. */
  highVolThreshold: def(fractionIn({ min: 0, max: 5, minExclusive: true }), () => 0.8),
  highVolScale: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.5),
  /** Tiers sized down in high volatility besides TACTICAL, which always is (S4-3). */
  highVolAlsoTiers: def(Schema.Array(Schema.Literal('CORE', 'SATELLITE', 'ALT_EXT')), () => []),
  fastEma: def(boundedInt({ min: 1, max: 498, unit: 'bars' }), () => 20),
  slowEma: def(boundedInt({ min: 2, max: 499, unit: 'bars' }), () => 50),
  /** Enter short on a cross down (perp); false: long only. The RiskEngine also needs `risk.allowShorts`. */
  allowShorts: def(Schema.Boolean, () => true),
  stopLossFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.01),
  takeProfitFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.02),
  /** Closed trades (real and shadow) the rolling expectancy is the mean return of (S4-6). */
  expectancyWindow: def(boundedInt({ min: 1, max: 1_000, unit: 'trades' }), () => 20),
  /** Trades needed before the gate judges; fewer: entries are allowed. */
  minTrades: def(boundedInt({ min: 1, max: 1_000, unit: 'trades' }), () => 5),
  /** The lowest rolling mean return per trade at which entries are allowed (S4-6 signal_gate.expectancy_min). */
  expectancyMin: def(fractionIn({ min: 0, max: 0.1 }), () => 0),
  /** ALT_EXT symbols take no entry once their last bar closed longer ago than this (S4-3 auto-disable). */
  altExtMaxBarAgeMs: def(millisIn(1_000, DAY_MS), () => 90_000),
  /** Its own caps (S3-6), applied by the integrator before the global caps; absent: none. */
  caps: Schema.optional(StrategyCapsSection),
}).pipe(
  Schema.filter((s) => s.fastEma < s.slowEma || `fastEma (${String(s.fastEma)}) must be shorter than slowEma (${String(s.slowEma)})`),
  Schema.filter((s) => s.minTrades <= s.expectancyWindow || `minTrades (${String(s.minTrades)}) must not exceed expectancyWindow (${String(s.expectancyWindow)})`),
);

export type VolTargetParams = typeof VolTargetSection.Type;
