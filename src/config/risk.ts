/**
 * The risk section of the config. A minimal placeholder until the RiskEngine's full rule set lands (issue 6); it holds
 * only the keys the runtime already enforces.
 */
import { Schema } from 'effect';
import { PercentFraction, PositiveInt } from '../domain/schemas.ts';

export const RiskSection = Schema.Struct({
  maxPositionFraction: Schema.optionalWith(PercentFraction, { default: () => 0.2 }),
  maxOpenPositions: Schema.optionalWith(PositiveInt, { default: () => 5 }),
});
