/**
 * Configuration of the Bybit v5 adapter (environment, URL overrides, Redacted credentials, timeouts, rate limits,
 * clock-gate thresholds), decoded with effect/Schema. It never reads the environment or files: the secrets gateway
 * hands over `Redacted` credentials and the composition root decodes the rest.
 */
import { Schema } from 'effect';

/** Which Bybit deployment the adapter talks to; `sim` is the loopback simulator façade. */
export const BybitEnvironment = Schema.Literal('mainnet', 'testnet', 'sim');
export type BybitEnvironment = typeof BybitEnvironment.Type;

/** The endpoint groups that share one client-side token bucket (Bybit limits per UID per endpoint). */
export const BybitEndpointGroup = Schema.Literal('order', 'position', 'account', 'market');
export type BybitEndpointGroup = typeof BybitEndpointGroup.Type;

const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive());
const NonNegativeInt = Schema.Number.pipe(Schema.int(), Schema.nonNegative());

/** A token bucket: `burst` tokens at most, refilled at `perSecond` tokens per second. */
export const BybitRateLimit = Schema.Struct({
  burst: PositiveInt,
  perSecond: Schema.Number.pipe(Schema.positive()),
});
export type BybitRateLimit = typeof BybitRateLimit.Type;

/** Client-side rate limits per endpoint group. Defaults follow Bybit's published per-UID limits for linear (10/s). */
export const BybitRateLimits = Schema.Struct({
  order: BybitRateLimit,
  position: BybitRateLimit,
  account: BybitRateLimit,
  /** Public market data: the IP limit is 600 requests / 5 s. */
  market: BybitRateLimit,
  /** Longest a request may wait for a token before it fails with `rate_limited` instead. */
  maxQueueMs: NonNegativeInt,
});
export type BybitRateLimits = typeof BybitRateLimits.Type;

/** Default client-side limits. */
export const defaultBybitRateLimits: BybitRateLimits = {
  order: { burst: 10, perSecond: 10 },
  position: { burst: 10, perSecond: 10 },
  account: { burst: 10, perSecond: 10 },
  market: { burst: 120, perSecond: 120 },
  maxQueueMs: 1000,
};

/** Hysteresis thresholds of the clock gate (X-CLK-2): block above `blockAboveMs`, resume at or below `resumeAtOrBelowMs`. */
export const BybitClockGateConfig = Schema.Struct({
  blockAboveMs: PositiveInt,
  resumeAtOrBelowMs: NonNegativeInt,
}).pipe(Schema.filter((c) => c.resumeAtOrBelowMs < c.blockAboveMs || 'resumeAtOrBelowMs must be below blockAboveMs'));
export type BybitClockGateConfig = typeof BybitClockGateConfig.Type;

const Url = Schema.String.pipe(Schema.pattern(/^(https?|wss?):\/\/[^\s]+$/));

/** The adapter's configuration. Credentials are `Redacted` values from the secrets gateway, never plain strings. */
export class BybitConfig extends Schema.Class<BybitConfig>('BybitConfig')({
  environment: BybitEnvironment,
  /** REST base URL override (required for `sim`, e.g. `http://127.0.0.1:41234`). */
  baseUrl: Schema.optional(Url),
  /** Public linear WS URL override; for `sim` it defaults to the base URL's host with `/v5/public/linear`. */
  wsPublicUrl: Schema.optional(Url),
  /** Private WS URL override; for `sim` it defaults to the base URL's host with `/v5/private`. */
  wsPrivateUrl: Schema.optional(Url),
  apiKey: Schema.RedactedFromSelf(Schema.String),
  apiSecret: Schema.RedactedFromSelf(Schema.String),
  /** `X-BAPI-RECV-WINDOW` in ms (Bybit default 5000). */
  recvWindowMs: Schema.optionalWith(PositiveInt, { default: () => 5000 }),
  /** Whole-request timeout; a request that exceeds it has an UNKNOWN outcome. */
  requestTimeoutMs: Schema.optionalWith(PositiveInt, { default: () => 5000 }),
  rateLimits: Schema.optionalWith(BybitRateLimits, { default: () => defaultBybitRateLimits }),
  /** The profile's trigger source for TP/SL (X-ORD-7); callers pass it in every ProtectionRequest. */
  triggerSource: Schema.optionalWith(Schema.Literal('mark', 'last', 'index'), { default: () => 'mark' as const }),
  category: Schema.optionalWith(Schema.Literal('linear'), { default: () => 'linear' as const }),
  /** Settle coin used when a linear call needs `symbol` or `settleCoin` and no symbol is given. */
  settleCoin: Schema.optionalWith(Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,10}$/)), { default: () => 'USDT' }),
  clockGate: Schema.optionalWith(BybitClockGateConfig, { default: () => ({ blockAboveMs: 250, resumeAtOrBelowMs: 100 }) }),
  /** How many server-time samples the offset estimator keeps (it uses the one with the smallest round trip). */
  clockSamples: Schema.optionalWith(PositiveInt, { default: () => 8 }),
  /** Max connections of the undici pool. */
  connections: Schema.optionalWith(PositiveInt, { default: () => 8 }),
}) {}

/** Decodes a BybitConfig from an object holding `Redacted` credentials; throws a ParseError on invalid input. */
export const decodeBybitConfig = (input: unknown): BybitConfig => Schema.decodeUnknownSync(BybitConfig)(input, { errors: 'all' });
