/**
 * Parameters of the `opening-range` strategy (S2-6), decoded with effect/Schema from the config's
 * `strategies.opening-range` section or from `--param key=value` overrides: how many minutes after 09:30 ET form the
 * range, the breakout buffer above the range high, the volume confirmation, the NAV share an entry asks for and the
 * protective distances every position carries (X-ORD-5). The 09:30 open and the 10:20 hard exit are S2-6's. Pure.
 */
import { Schema } from 'effect';
import { boundedInt, boundedNumber, fractionIn, withDefault } from '../domain/schemas.ts';
import { StrategyCapsSection } from './strategySections.ts';

const def = withDefault;

/** A stop or take-profit distance inside the policy bounds every position must respect: above 0, at most 50 %. */
const ProtectionDistance = fractionIn({ min: 0, max: 0.5, minExclusive: true });

/** The `strategies.opening-range` section. */
export const OpeningRangeSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  /** Minutes from 09:30 ET whose bars form the range; at most 49, so at least one bar can break out before 10:20. */
  rangeMinutes: def(boundedInt({ min: 1, max: 49, unit: 'minutes' }), () => 20),
  /** An entry needs a close above range high × (1 + buffer) (S2-6: default 0.02). */
  breakoutBufferFraction: def(fractionIn({ min: 0, max: 0.5 }), () => 0.02),
  /** Volume confirmation: the breakout bar's volume is at least this multiple of the range bars' mean volume (0: none). */
  volumeMultiple: def(boundedNumber({ min: 0, max: 1_000 }), () => 1.5),
  notionalFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.2),
  /** S2-6: the stop sits 2 % below the entry. */
  stopLossFraction: def(ProtectionDistance, () => 0.02),
  /** Wide: the 10:20 hard exit, not the take-profit, ends a trade. */
  takeProfitFraction: def(ProtectionDistance, () => 0.5),
  /** Its own caps (S3-6), applied by the integrator before the global caps; absent: none. */
  caps: Schema.optional(StrategyCapsSection),
});

export type OpeningRangeParams = typeof OpeningRangeSection.Type;
