/**
 * Parameters of the `scored-triggers` strategy (S3-5, S3-7), decoded with effect/Schema from the config's
 * `strategies.scored-triggers` section or from `--param key=value` overrides: the triggers' lookbacks, their weights,
 * the score threshold, the minimum conviction, the per-cycle trigger cap, the exit lookback, the entry's NAV share
 * and protective distances, and the regime classifier whose multiplier scales sizes and caps (S3-4). Pure.
 */
import { Schema } from 'effect';
import { boundedInt, boundedNumber, fractionIn, withDefault } from '../domain/schemas.ts';
import { BacktestRegimes } from './backtestSection.ts';
import { StrategyCapsSection } from './strategySections.ts';

const def = withDefault;

/** A trigger's weight in the score: 0 (ignored) to 100; only the ratio between the weights matters. */
const Weight = boundedNumber({ min: 0, max: 100 });

/** A stop or take-profit distance inside the policy bounds every position must respect: above 0, at most 50 %. */
const ProtectionDistance = fractionIn({ min: 0, max: 0.5, minExclusive: true });

/** A score or conviction level in [0, 1] (`"100%"` for 1). */
const Level = fractionIn({ min: 0, max: 1 });

const { smaBars, slopeBars, trendFraction, crashBars, crashDrawdownFraction } = BacktestRegimes.fields;

/**
 * `strategies.scored-triggers.regime` (S3-4): the strategy classifies the market regime each cycle on a reference
 * symbol's closed bars (src/market/regime.ts, the same parameters and defaults as `backtest.regimes`) and scales its
 * entry sizes and its per-cycle caps by that regime's multiplier (`risk.regimes`).
 */
export const ScoredTriggersRegime = Schema.Struct({
  /** Classify and apply the multipliers; false: sizes and caps as configured, whatever the market. */
  enabled: def(Schema.Boolean, () => true),
  /** The symbol whose bars are classified; null: the first symbol of the snapshot in sorted order. */
  referenceSymbol: def(Schema.NullOr(Schema.String.pipe(Schema.pattern(/^[A-Z0-9][A-Z0-9._/-]{0,30}$/, { message: () => 'Expected a symbol like BTC-USD or BTCUSDT' }))), () => null),
  smaBars, slopeBars, trendFraction, crashBars, crashDrawdownFraction,
});

/** The `strategies.scored-triggers` section. */
export const ScoredTriggersSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  /** The breakout trigger compares the close with the highest high of this many previous bars. */
  breakoutLookback: def(boundedInt({ min: 1, max: 10_000, unit: 'bars' }), () => 20),
  /** The volume-spike trigger compares the volume with the mean volume of this many previous bars. */
  volumeLookback: def(boundedInt({ min: 1, max: 10_000, unit: 'bars' }), () => 20),
  /** A volume spike is a bar whose volume is at least this multiple of that mean. */
  volumeMultiple: def(boundedNumber({ min: 0, max: 1_000, minExclusive: true }), () => 2),
  breakoutWeight: def(Weight, () => 0.6),
  volumeWeight: def(Weight, () => 0.4),
  /** A symbol's trigger fires only when its weighted score reaches this level. */
  scoreThreshold: def(Level, () => 0.6),
  /** A fired trigger becomes a proposal only when its conviction (its score) reaches this level (S3-5). */
  minConviction: def(Level, () => 0.6),
  /** The most entries one decision cycle proposes: the highest scores, ties broken by symbol name. */
  maxTriggersPerCycle: def(boundedInt({ min: 1, max: 1_000 }), () => 3),
  /** A held long is exited when a close falls below the lowest low of this many previous bars. */
  exitLookback: def(boundedInt({ min: 1, max: 10_000, unit: 'bars' }), () => 10),
  notionalFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.05),
  stopLossFraction: def(ProtectionDistance, () => 0.02),
  takeProfitFraction: def(ProtectionDistance, () => 0.04),
  /** Its own caps (S3-6), applied by the integrator before the global caps; absent: none. */
  caps: Schema.optional(StrategyCapsSection),
  /** The regime classifier and multipliers (S3-4). */
  regime: def(ScoredTriggersRegime, () => Schema.decodeSync(ScoredTriggersRegime)({})),
}).pipe(Schema.filter((s) => s.breakoutWeight + s.volumeWeight > 0 || 'breakoutWeight and volumeWeight cannot both be 0 (the score would be undefined)'));

export type ScoredTriggersParams = typeof ScoredTriggersSection.Type;
