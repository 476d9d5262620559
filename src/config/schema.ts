/**
 * The config file schema (X-SEC-8): every key, its type, bounds and default. Unknown keys are errors. Every tunable
 * lives here, never as a literal in logic. `docs.ts` holds one line of documentation per key for `config/example.yaml`.
 */
import { Schema } from 'effect';
import { DecimalFromString, Millis, PercentFraction, PositiveInt } from '../domain/schemas.ts';
import { RiskConfig } from './risk.ts';

/** The risk section: every RiskEngine rule's settings; its mode is the file's top-level `mode`. */
export const RiskSection = RiskConfig.omit('mode');

const def = <S extends Schema.Schema.AnyNoContext>(schema: S, value: () => Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: value });

export const Profile = Schema.Literal('demo', 's0-bybit-signal', 's1-explorer', 's2-us-stock', 's3-coinbase', 's4-binance');
export const Mode = Schema.Literal('DRY_RUN', 'PAPER', 'LIVE');
export const TriggerSourceSchema = Schema.Literal('mark', 'last', 'index');
const Symbol_ = Schema.String.pipe(Schema.pattern(/^[A-Z0-9]{2,20}$/, { message: () => 'Expected an upper-case venue symbol like BTCUSDT' }));

export const BybitSection = Schema.Struct({
  environment: def(Schema.Literal('sim', 'testnet', 'mainnet'), () => 'sim' as const),
  simUrl: def(Schema.String, () => ''),
  recvWindowMs: def(Millis, () => 5000),
  requestTimeoutMs: def(Millis, () => 5000),
  triggerSource: def(TriggerSourceSchema, () => 'mark' as const),
  leverage: def(DecimalFromString, () => decimalDefault('5')),
  orderbookDepth: def(Schema.Literal(1, 50, 200, 1000), () => 50 as const),
});

function decimalDefault(s: string) {
  return Schema.decodeSync(DecimalFromString)(s);
}

export const SimFeed = Schema.Struct({ symbol: Symbol_, file: Schema.String.pipe(Schema.minLength(1)) });

export const SimSection = Schema.Struct({
  feeds: def(Schema.Array(SimFeed), () => [
    { symbol: 'BTCUSDT', file: 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv' },
    { symbol: 'ADAUSDT', file: 'data/crypto-1m/binance_ADAUSDT_perp_1m_2022-12-13.csv' },
  ]),
  clock: def(Schema.Literal('virtual', 'accelerated'), () => 'virtual' as const),
  speed: def(Schema.Number.pipe(Schema.positive()), () => 600),
  seed: def(Schema.Number.pipe(Schema.int()), () => 42),
  faults: def(Schema.String, () => ''),
  startingBalance: def(DecimalFromString, () => decimalDefault('100000')),
  account: def(Schema.String.pipe(Schema.minLength(1)), () => 'main'),
});

export const BreakoutSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  lookbackBars: def(PositiveInt, () => 20),
  notionalFraction: def(PercentFraction, () => 0.05),
  stopLossFraction: def(PercentFraction, () => 0.004),
  takeProfitFraction: def(PercentFraction, () => 0.006),
  cooldownBars: def(Schema.Number.pipe(Schema.int(), Schema.nonNegative()), () => 5),
});

export const ExecutionSection = Schema.Struct({
  ackTimeoutMs: def(Millis, () => 5000),
  retryBaseMs: def(Millis, () => 200),
  retryCapMs: def(Millis, () => 5000),
  retryMaxAttempts: def(PositiveInt, () => 6),
  maxRepriceAttempts: def(Schema.Number.pipe(Schema.int(), Schema.between(0, 5)), () => 2),
  maxProtectionAttempts: def(PositiveInt, () => 3),
});

export const DecisionSection = Schema.Struct({
  cycleMs: def(PositiveInt, () => 60_000),
  jitterFraction: def(PercentFraction, () => 0.1),
});

export const SupervisorSection = Schema.Struct({
  restartBaseMs: def(Millis, () => 200),
  restartCapMs: def(Millis, () => 5000),
  restartMaxAttempts: def(PositiveInt, () => 6),
  quarantineAfterRestarts: def(PositiveInt, () => 5),
  quarantineWindowMs: def(Millis, () => 60_000),
});

export const ReconcileSection = Schema.Struct({
  intervalMs: def(PositiveInt, () => 60_000),
  foreignPositions: def(Schema.Literal('adopt', 'report'), () => 'adopt' as const),
  adoptStopLossFraction: def(PercentFraction, () => 0.02),
  adoptTakeProfitFraction: def(PercentFraction, () => 0.04),
  quantityTolerance: def(PercentFraction, () => 0),
});

export const InspectorSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  port: def(Schema.Number.pipe(Schema.int(), Schema.between(0, 65535)), () => 18081),
});

export const LoggingSection = Schema.Struct({
  level: def(Schema.Literal('trace', 'debug', 'info', 'warn', 'error'), () => 'info' as const),
  stderrLevel: def(Schema.Literal('trace', 'debug', 'info', 'warn', 'error', 'silent'), () => 'warn' as const),
});

/** The whole config file. */
export const AppConfig = Schema.Struct({
  profile: def(Profile, () => 'demo' as const),
  mode: def(Mode, () => 'DRY_RUN' as const),
  allowLive: def(Schema.Boolean, () => false),
  botId: def(Schema.String.pipe(Schema.pattern(/^[a-z0-9]{1,6}$/, { message: () => 'Expected 1-6 lower-case letters or digits' })), () => 'tw'),
  symbols: def(Schema.Array(Symbol_).pipe(Schema.minItems(1)), () => ['BTCUSDT', 'ADAUSDT']),
  venues: def(Schema.Struct({ bybit: def(BybitSection, () => decodeDefaults(BybitSection)) }), () => ({ bybit: decodeDefaults(BybitSection) })),
  sim: def(SimSection, () => decodeDefaults(SimSection)),
  strategies: def(Schema.Struct({ breakout: def(BreakoutSection, () => decodeDefaults(BreakoutSection)) }), () => ({ breakout: decodeDefaults(BreakoutSection) })),
  execution: def(ExecutionSection, () => decodeDefaults(ExecutionSection)),
  decision: def(DecisionSection, () => decodeDefaults(DecisionSection)),
  supervisor: def(SupervisorSection, () => decodeDefaults(SupervisorSection)),
  risk: def(RiskSection, () => decodeDefaults(RiskSection)),
  reconcile: def(ReconcileSection, () => decodeDefaults(ReconcileSection)),
  inspector: def(InspectorSection, () => decodeDefaults(InspectorSection)),
  logging: def(LoggingSection, () => decodeDefaults(LoggingSection)),
});

export type AppConfig = typeof AppConfig.Type;
export type AppConfigEncoded = typeof AppConfig.Encoded;

/** Returns a section's defaults by decoding an empty object. */
export function decodeDefaults<A, I>(schema: Schema.Schema<A, I>): A {
  return Schema.decodeUnknownSync(schema)({});
}
