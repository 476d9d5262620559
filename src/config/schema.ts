/**
 * The config file schema (X-SEC-8): every key, its type, bounds and default. Unknown keys are errors; every number has
 * a documented range checked at decode time (NaN, ±Infinity and -0 never pass). Every tunable lives here, never as a
 * literal in logic. `docs.ts` holds one line of documentation per key for `config/example.yaml`.
 */
import { Schema } from 'effect';
import { DAY_MS, boundedDecimal, boundedInt, boundedNumber, fractionIn, millisIn, withDefault } from '../domain/schemas.ts';
import { VenueAccountSection } from '../venues/accountSections.ts';
import { SmaCrossSection } from './smaCrossSection.ts';
import { OpeningRangeSection } from './openingRangeSection.ts';
import { VwapReversionSection } from './vwapReversionSection.ts';
import { EodMomentumSection } from './eodMomentumSection.ts';
import { ScoredTriggersSection } from './scoredTriggersSection.ts';
import { VolTargetSection } from './volTargetSection.ts';
import { StrategyCapsSection, UserStrategyId, UserStrategySection } from './strategySections.ts';
import { BacktestSection } from './backtestSection.ts';
import { SchedulesSection } from './schedulesSection.ts';
import { NotificationsSection } from './notificationsSection.ts';
import { SignalsSection } from './signalsSection.ts';
import { RiskConfig } from './risk.ts';

/** The risk section: every RiskEngine rule's settings; its mode is the file's top-level `mode`. */
export const RiskSection = RiskConfig.omit('mode');

const def = withDefault;

export const Profile = Schema.Literal('demo', 's0-bybit-signal', 's1-explorer', 's2-us-stock', 's3-coinbase', 's4-binance');
export const Mode = Schema.Literal('DRY_RUN', 'PAPER', 'LIVE');
export const TriggerSourceSchema = Schema.Literal('mark', 'last', 'index');

/** Most symbols (and sim feeds) one config may list. */
export const MAX_SYMBOLS = 100;
/** Largest account balance a config may name (1e12 in the quote asset). */
export const MAX_BALANCE = 1e12;

const Balance = boundedDecimal({ min: 0, max: MAX_BALANCE, minExclusive: true });

export { loopbackUrlProblem } from '../kernel/loopback.ts';

/** A venue account's name in the config (journal `journal/<kind>-<name>.sqlite`, logs, status). */
const AccountName = Schema.String.pipe(Schema.pattern(/^[a-z][a-z0-9_-]{0,31}$/, { message: () => 'Expected an account name of lower-case letters, digits, _ or - (at most 32)' }));

/**
 * The venue accounts of the session, by name, each with its `kind` and its own section (owned by its adapter); the
 * symbols belong to an account, and no symbol is traded by two accounts (the decision loop routes by symbol).
 */
export const VenuesSection = Schema.Record({ key: AccountName, value: VenueAccountSection }).pipe(
  Schema.filter((venues) => {
    const names = Object.keys(venues);
    if (names.length === 0) return 'at least one venue account is needed';
    if (names.length > 16) return 'at most 16 venue accounts';
    const owner = new Map<string, string>();
    for (const [name, a] of Object.entries(venues)) {
      for (const symbol of a.symbols) {
        const other = owner.get(symbol);
        if (other !== undefined) return `symbol ${symbol} is traded by two accounts (${other}, ${name}); give each account its own symbols`;
        owner.set(symbol, name);
      }
    }
    return owner.size <= MAX_SYMBOLS || `at most ${String(MAX_SYMBOLS)} symbols in all`;
  }),
);

const defaultVenues = (): typeof VenuesSection.Type => ({ main: Schema.decodeUnknownSync(VenueAccountSection)({ kind: 'bybit', symbols: ['BTCUSDT', 'ADAUSDT'] }) });

const Symbol_ = Schema.String.pipe(Schema.pattern(/^[A-Z0-9][A-Z0-9._/-]{1,30}$/, { message: () => 'Expected a venue symbol like BTCUSDT or BTC-USD' }));

export const SimFeed = Schema.Struct({ symbol: Symbol_, file: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4096)) });

export const SimSection = Schema.Struct({
  feeds: def(Schema.Array(SimFeed).pipe(Schema.maxItems(MAX_SYMBOLS)), () => [
    { symbol: 'BTCUSDT', file: 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv' },
    { symbol: 'ADAUSDT', file: 'data/crypto-1m/binance_ADAUSDT_perp_1m_2022-12-13.csv' },
  ]),
  clock: def(Schema.Literal('virtual', 'accelerated'), () => 'virtual' as const),
  speed: def(boundedNumber({ min: 0, max: 10_000, minExclusive: true }), () => 600),
  seed: def(boundedInt({ min: 0, max: Number.MAX_SAFE_INTEGER }), () => 42),
  faults: def(Schema.String.pipe(Schema.maxLength(4096)), () => ''),
  startingBalance: def(Balance, () => Schema.decodeSync(Balance)('100000')),
});

/** A stop or take-profit distance from the entry: above 0 and at most 50 % (at 100 % a long's stop sits at price 0). */
export const ProtectionDistanceFraction = fractionIn({ min: 0, max: 0.5, minExclusive: true });

export const BreakoutSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  lookbackBars: def(boundedInt({ min: 1, max: 10_000, unit: 'bars' }), () => 20),
  notionalFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.05),
  stopLossFraction: def(ProtectionDistanceFraction, () => 0.004),
  takeProfitFraction: def(ProtectionDistanceFraction, () => 0.006),
  cooldownBars: def(boundedInt({ min: 0, max: 10_000, unit: 'bars' }), () => 5),
  caps: Schema.optional(StrategyCapsSection),
});

/**
 * Every registered strategy's section, disabled unless `enabled: true` (X-MOD-6): the built-ins by name, and the
 * sections of user strategies (`strategyPath`) by their id, judged once their modules are loaded.
 */
export const StrategiesSection = Schema.Struct(
  {
    breakout: def(BreakoutSection, () => decodeDefaults(BreakoutSection)),
    'sma-cross': def(SmaCrossSection, () => decodeDefaults(SmaCrossSection)),
    'opening-range': def(OpeningRangeSection, () => decodeDefaults(OpeningRangeSection)),
    'vwap-reversion': def(VwapReversionSection, () => decodeDefaults(VwapReversionSection)),
    'eod-momentum': def(EodMomentumSection, () => decodeDefaults(EodMomentumSection)),
    'scored-triggers': def(ScoredTriggersSection, () => decodeDefaults(ScoredTriggersSection)),
    'vol-target': def(VolTargetSection, () => decodeDefaults(VolTargetSection)),
  },
  Schema.Record({ key: UserStrategyId, value: UserStrategySection }),
);

/** Break-even and trailing of the stop from the OEP (S0-11, S0-13); off by default. */
export const StopManagementSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  breakEvenAtFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.023),
  breakEvenOffsetFraction: def(fractionIn({ min: 0, max: 0.01 }), () => 0.000015),
  trailFromFraction: def(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.061),
  trailDistanceFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.025),
  trailStepFraction: def(fractionIn({ min: 0, max: 0.05 }), () => 0.001),
}).pipe(Schema.filter((m) => m.trailDistanceFraction < m.trailFromFraction || `trailDistanceFraction (${String(m.trailDistanceFraction)}) must be below trailFromFraction (${String(m.trailFromFraction)}): the first trailed stop would sit at or behind the OEP`));

/** The S0-9 pyramid ladder from the OEP (Steps 2–8 of src/domain/ladder.ts); off by default. */
export const LadderSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  // S0-9: Step 4 goes to at most x50.
  maxLeverage: def(boundedNumber({ min: 1, max: 50 }), () => 50),
});

/** The S0-12 hedge at an adverse move from the OEP (the account's symbols in hedge mode); off by default. */
export const HedgeSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  // S0-12: at −2 % against the position.
  atFraction: def(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.02),
});

export const ExecutionSection = Schema.Struct({
  ackTimeoutMs: def(millisIn(1, 300_000), () => 5000),
  retryBaseMs: def(millisIn(0, 60_000), () => 200),
  retryCapMs: def(millisIn(0, 600_000), () => 5000),
  retryMaxAttempts: def(boundedInt({ min: 1, max: 100 }), () => 6),
  maxRepriceAttempts: def(boundedInt({ min: 0, max: 5 }), () => 2),
  maxProtectionAttempts: def(boundedInt({ min: 1, max: 20 }), () => 3),
  /** How long a trade actor waits after a cycle closes before it accepts a new entry. */
  reentryCooldownMs: def(millisIn(0, DAY_MS), () => 300_000),
  stopManagement: def(StopManagementSection, () => Schema.decodeUnknownSync(StopManagementSection)({})),
  ladder: def(LadderSection, () => Schema.decodeUnknownSync(LadderSection)({})),
  hedge: def(HedgeSection, () => Schema.decodeUnknownSync(HedgeSection)({})),
}).pipe(
  Schema.filter((e) => e.retryBaseMs <= e.retryCapMs || `retryBaseMs (${String(e.retryBaseMs)}) must be <= retryCapMs (${String(e.retryCapMs)})`),
  // Step 3 of the ladder is stop management's break-even move, between Step 2 (+1.5 %) and Step 4 (+2.4 %).
  Schema.filter((e) => !e.ladder.enabled || (e.stopManagement.enabled && e.stopManagement.breakEvenAtFraction > 0.015 && e.stopManagement.breakEvenAtFraction < 0.024) ||
    'ladder.enabled needs stopManagement.enabled with breakEvenAtFraction between 0.015 and 0.024: Step 3 of the pyramid ladder (S0-9) is the break-even move, between Step 2 (+1.5 %) and Step 4 (+2.4 %)'),
);

export const DecisionSection = Schema.Struct({
  cycleMs: def(millisIn(1_000, DAY_MS), () => 60_000),
  jitterFraction: def(fractionIn({ min: 0, max: 0.5 }), () => 0.1),
  /** `timer`: a cycle every cycleMs; `bar_close`: a cycle at the first tick after a bar closed (the in-process simulator only). */
  trigger: def(Schema.Literal('timer', 'bar_close'), () => 'timer' as const),
});

export const SupervisorSection = Schema.Struct({
  restartBaseMs: def(millisIn(0, 60_000), () => 200),
  restartCapMs: def(millisIn(0, 600_000), () => 5000),
  restartMaxAttempts: def(boundedInt({ min: 1, max: 100 }), () => 6),
  quarantineAfterRestarts: def(boundedInt({ min: 1, max: 1_000 }), () => 5),
  quarantineWindowMs: def(millisIn(1, DAY_MS), () => 60_000),
}).pipe(Schema.filter((s) => s.restartBaseMs <= s.restartCapMs || `restartBaseMs (${String(s.restartBaseMs)}) must be <= restartCapMs (${String(s.restartCapMs)})`));

export const ReconcileSection = Schema.Struct({
  intervalMs: def(millisIn(1_000, DAY_MS), () => 60_000),
  foreignPositions: def(Schema.Literal('adopt', 'report'), () => 'adopt' as const),
  adoptStopLossFraction: def(ProtectionDistanceFraction, () => 0.02),
  adoptTakeProfitFraction: def(ProtectionDistanceFraction, () => 0.04),
  quantityTolerance: def(fractionIn({ min: 0, max: 0.1 }), () => 0),
});

export const InspectorSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  port: def(boundedInt({ min: 0, max: 65_535 }), () => 18081),
});

/** The operations HTTP server (issue 14): off unless enabled, loopback by default. */
export const ServerSection = Schema.Struct({
  enabled: def(Schema.Boolean, () => false),
  host: def(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(255)), () => '127.0.0.1'),
  port: def(boundedInt({ min: 0, max: 65_535 }), () => 8787),
  /** Login attempts per minute and client address before 429 with Retry-After. */
  loginPerMinute: def(boundedInt({ min: 1, max: 10_000 }), () => 10),
  /** Control requests per minute and client address before 429 with Retry-After. */
  controlPerMinute: def(boundedInt({ min: 1, max: 10_000 }), () => 30),
  /** How long a dashboard login session lasts. */
  sessionTtlMs: def(millisIn(60_000, 7 * DAY_MS), () => 12 * 3_600_000),
});

/** What a run publishes for other processes: state files and the stdout heartbeat (issue 14). */
export const OpsSection = Schema.Struct({
  /** `<data-dir>/state/*.json`, written atomically, described by `state/manifest.json`. */
  stateFiles: def(Schema.Boolean, () => true),
  /** How often the state files are rewritten, in wall milliseconds. */
  stateEveryMs: def(millisIn(200, 3_600_000), () => 2_000),
  /** A heartbeat line on stdout every this many wall milliseconds during runs (0: none). */
  heartbeatMs: def(millisIn(0, 3_600_000), () => 10_000),
});

/** Ledger exports (`tradewarden export …`, X-RPT-2/3, S2-13, S2-19): which book, and what happens to an existing file. */
export const ExportsSection = Schema.Struct({
  /** auto: a run exports to its own book (LIVE → live, else paper); paper/live: only runs of that book; off: no exports. */
  mode: def(Schema.Literal('auto', 'paper', 'live', 'off'), () => 'auto' as const),
  /** refuse: an existing output file is kept and the export refused; backup: it is first copied to a dated .bak. */
  overwriteMode: def(Schema.Literal('refuse', 'backup'), () => 'refuse' as const),
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
  venues: def(VenuesSection, defaultVenues),
  sim: def(SimSection, () => decodeDefaults(SimSection)),
  strategies: def(StrategiesSection, () => decodeDefaults(StrategiesSection)),
  /** A directory of user strategy modules (`--strategy-path` overrides it); absent: built-ins only. */
  strategyPath: Schema.optional(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(4096))),
  backtest: def(BacktestSection, () => decodeDefaults(BacktestSection)),
  execution: def(ExecutionSection, () => decodeDefaults(ExecutionSection)),
  decision: def(DecisionSection, () => decodeDefaults(DecisionSection)),
  supervisor: def(SupervisorSection, () => decodeDefaults(SupervisorSection)),
  risk: def(RiskSection, () => decodeDefaults(RiskSection)),
  reconcile: def(ReconcileSection, () => decodeDefaults(ReconcileSection)),
  inspector: def(InspectorSection, () => decodeDefaults(InspectorSection)),
  logging: def(LoggingSection, () => decodeDefaults(LoggingSection)),
  exports: def(ExportsSection, () => decodeDefaults(ExportsSection)),
  server: def(ServerSection, () => decodeDefaults(ServerSection)),
  ops: def(OpsSection, () => decodeDefaults(OpsSection)),
  schedules: def(SchedulesSection, () => decodeDefaults(SchedulesSection)),
  notifications: def(NotificationsSection, () => decodeDefaults(NotificationsSection)),
  signals: def(SignalsSection, () => decodeDefaults(SignalsSection)),
});

export type AppConfig = typeof AppConfig.Type;
export type AppConfigEncoded = typeof AppConfig.Encoded;

/** Returns a section's defaults by decoding an empty object. */
export function decodeDefaults<A, I>(schema: Schema.Schema<A, I>): A {
  return Schema.decodeUnknownSync(schema)({});
}
