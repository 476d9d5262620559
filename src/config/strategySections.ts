/**
 * What every strategy section of the config shares besides its own parameters: the optional per-strategy caps (S3-6)
 * the integrator applies to a decision round before the RiskEngine's global caps, and the shape of a section for a
 * user strategy loaded from `strategyPath` / `--strategy-path` (`enabled`, `caps`, then the module's own parameters,
 * checked against its defaults once the module is loaded). Pure.
 */
import { Schema } from 'effect';
import { boundedInt, fractionIn, withDefault } from '../domain/schemas.ts';

/**
 * One strategy's own caps (S3-6); a missing key is no cap. `maxAtRiskFraction`: the share of the account's NAV the
 * strategy may have at risk (its open positions, its working entries and the entries of this cycle it proposes);
 * `maxTradesPerCycle`: entries it may propose in one decision cycle.
 */
export const StrategyCapsSection = Schema.Struct({
  maxAtRiskFraction: Schema.optional(fractionIn({ min: 0, max: 1 })),
  maxTradesPerCycle: Schema.optional(boundedInt({ min: 0, max: 1_000 })),
});
export type StrategyCaps = typeof StrategyCapsSection.Type;

/** A strategy id: also the strategy part of client order ids and every proposal's `strategyId`. */
export const STRATEGY_ID_PATTERN = /^[a-z][a-z0-9_-]{0,23}$/;

/** The key of a user strategy's section under `strategies`. */
export const UserStrategyId = Schema.String.pipe(
  Schema.pattern(STRATEGY_ID_PATTERN, { message: () => 'Expected a strategy id: a lower-case letter, then up to 23 lower-case letters, digits, _ or -' }),
);

/**
 * The section of a user strategy as the config file holds it: `enabled` (default false, X-MOD-6), optional `caps`,
 * and the module's parameters, kept as they are until the module's defaults and `validate` judge them.
 */
export const UserStrategySection = Schema.Struct(
  {
    enabled: withDefault(Schema.Boolean, () => false),
    caps: Schema.optional(StrategyCapsSection),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
);
export type UserStrategySection = typeof UserStrategySection.Type;
