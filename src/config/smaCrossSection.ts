/**
 * Parameters of the `sma-cross` strategy, decoded with effect/Schema from the config's `strategies.sma-cross`
 * section or from `--param key=value` overrides: the two SMA lengths (fast < slow), the NAV share an entry asks for,
 * and the wide protective distances every position must carry (X-ORD-5). Pure.
 */
import { Schema } from 'effect';
import { boundedInt, fractionIn, withDefault } from '../domain/schemas.ts';
import { StrategyCapsSection } from './strategySections.ts';

const def = withDefault;

/** The `strategies.sma-cross` section. */
export const SmaCrossSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  fast: def(boundedInt({ min: 1, max: 10_000, unit: 'bars' }), () => 10),
  slow: def(boundedInt({ min: 2, max: 10_000, unit: 'bars' }), () => 30),
  /** All-in by default: the RiskEngine keeps back what the entry's fee needs. */
  notionalFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 1),
  /** The position's stop and take-profit: far enough that the cross, not the bracket, ends a trade. */
  stopLossFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.5),
  takeProfitFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.5),
  /** Its own caps (S3-6), applied by the integrator before the global caps; absent: none. */
  caps: Schema.optional(StrategyCapsSection),
}).pipe(Schema.filter((s) => s.fast < s.slow || `fast (${String(s.fast)}) must be shorter than slow (${String(s.slow)})`));

export type SmaCrossParams = typeof SmaCrossSection.Type;
