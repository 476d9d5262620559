/**
 * Configuration of the Bybit v5 adapter (environment, URL overrides, Redacted credentials, timeouts, rate limits,
 * clock-gate thresholds), decoded with effect/Schema. It never reads the environment or files: the secrets gateway
 * hands over `Redacted` credentials and the composition root decodes the rest.
 */
import { Schema } from 'effect';
import { boundedDecimal, millisIn } from '../../domain/schemas.ts';
import { loopbackUrlProblem } from '../../kernel/loopback.ts';

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

// ---- the account section of a config file (`venues.<account>` with `kind: bybit`) --------------------------------

/** Bybit linear's documented leverage range; the instrument's own limit is checked at run time against the venue. */
export const BYBIT_LEVERAGE_RANGE = { min: 1, max: 100 } as const;

const BybitSymbol = Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,25}$/, { message: () => 'Expected an upper-case Bybit symbol like BTCUSDT' }));
const SimUrl = Schema.String.pipe(Schema.filter((u) => u === '' || (loopbackUrlProblem(u) ?? true)));
const sectionDefault = <S extends Schema.Schema.AnyNoContext>(schema: S, value: () => Schema.Schema.Type<S>) => Schema.optionalWith(schema, { default: value });
const Leverage = boundedDecimal(BYBIT_LEVERAGE_RANGE);

/** One Bybit v5 (USDT linear perpetual) account in a config file: where it is, what it trades, how. */
export const BybitAccountSection = Schema.Struct({
  kind: Schema.Literal('bybit'),
  environment: sectionDefault(BybitEnvironment, () => 'sim' as const),
  simUrl: sectionDefault(SimUrl, () => ''),
  symbols: Schema.Array(BybitSymbol).pipe(Schema.minItems(1), Schema.maxItems(100)),
  settleAsset: sectionDefault(Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,10}$/)), () => 'USDT'),
  /** The simulator's account this one trades (default: the account's own name). Only for `environment: sim`. */
  simAccount: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/))),
  /**
   * Replaces the environment's URLs with a server on this machine (a local proxy, or the simulator façade standing in
   * for testnet in tests). Loopback only, so no URL in a config can point a PAPER account at production.
   */
  endpoint: sectionDefault(SimUrl, () => ''),
  /** Credentials for testnet/mainnet come from `<envPrefix>_API_KEY` and `<envPrefix>_API_SECRET` (the secrets gateway). */
  envPrefix: sectionDefault(Schema.String.pipe(Schema.pattern(/^TW_[A-Z][A-Z0-9_]{0,40}$/, { message: () => 'Expected an environment variable prefix like TW_BYBIT or TW_BYBIT_SECOND' })), () => 'TW_BYBIT'),
  recvWindowMs: sectionDefault(millisIn(1, 60_000), () => 5000),
  requestTimeoutMs: sectionDefault(millisIn(1, 300_000), () => 5000),
  triggerSource: sectionDefault(Schema.Literal('mark', 'last', 'index'), () => 'mark' as const),
  leverage: sectionDefault(Leverage, () => Schema.decodeSync(Leverage)('5')),
  orderbookDepth: sectionDefault(Schema.Literal(1, 50, 200, 1000), () => 50 as const),
}).pipe(
  Schema.filter((a) => {
    if (a.environment !== 'sim' && a.simUrl !== '') return { path: ['simUrl'], message: `simUrl is for environment sim; a ${a.environment} account uses endpoint (loopback) or the environment's own URLs` };
    if (a.environment !== 'sim' && a.simAccount !== undefined) return { path: ['simAccount'], message: `simAccount is for environment sim; a ${a.environment} account is the one its credentials (${a.envPrefix}_API_KEY) open` };
    if (a.environment === 'sim' && a.endpoint !== '') return { path: ['endpoint'], message: 'a sim account names its simulator with simUrl, not endpoint' };
    return true;
  }),
);
export type BybitAccountSection = typeof BybitAccountSection.Type;
