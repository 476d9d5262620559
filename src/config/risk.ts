/**
 * The risk section of a profile config (effect/Schema) with every default the requirements name for the risk rules;
 * every number has its own documented range (X-SEC-8) and every fraction field its own `fractionIn` range (X-SEC-9).
 * Pure; reads no files and no environment.
 */
import { Schema } from 'effect';
import { Decimal } from '../domain/money.ts';
import { DAY_MS, boundedDecimal, boundedInt, boundedNumber, fractionIn, millisIn } from '../domain/schemas.ts';

/**
 * A fraction in [0, 1]: a bare number below 1 or a percent string (`"100%"` for 1); bare `1` and anything above are
 * refused as ambiguous (X-SEC-9). Re-exported from src/domain/schemas.ts so the whole config shares one definition.
 */
export { PercentFraction, fractionIn } from '../domain/schemas.ts';

/** A leverage multiplier: finite, within Bybit linear's documented [1, 100]. */
export const LeverageFromConfig = boundedDecimal({ min: 1, max: 100 });

/** A non-negative decimal amount (sizes, notionals in the quote asset) up to 1e12, given as a string or number. */
export const AmountFromConfig = boundedDecimal({ min: 0, max: 1e12 });

/** A cap on exposure or loss as a fraction of NAV: above 0 and at most 100 % (`"100%"`). */
const NavFraction = fractionIn({ min: 0, max: 1, minExclusive: true });
/** A share of NAV that may also be 0 (a zero budget or cap vetoes every entry). */
const NavShare = fractionIn({ min: 0, max: 1 });
/** A count of things in flight or open. */
const countUpTo = (max: number) => boundedInt({ min: 1, max });

const opt = <A, I, R>(schema: Schema.Schema<A, I, R>, value: () => NoInfer<A>) => Schema.optionalWith(schema, { default: value });

/** The three operating modes (X-MOD-1); aliases are resolved in modes.ts. */
export const TradingMode = Schema.Literal('DRY_RUN', 'PAPER', 'LIVE');
export type TradingMode = typeof TradingMode.Type;

/** A daily window `HH:MM`–`HH:MM` in the profile zone; `end` before `start` wraps past midnight. */
export const TradingWindow = Schema.Struct({
  start: Schema.String.pipe(Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$/)),
  end: Schema.String.pipe(Schema.pattern(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/)),
  /** ISO weekdays 1 (Monday) … 7 (Sunday) on which the window opens; all days when omitted. */
  days: Schema.optional(Schema.Array(boundedInt({ min: 1, max: 7 })).pipe(Schema.maxItems(7))),
});
export type TradingWindow = typeof TradingWindow.Type;

const isValidTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** Trading windows (X-MOD-5, S4-12): an empty list means always open. */
export const TradingWindows = Schema.Struct({
  timeZone: opt(Schema.String.pipe(Schema.filter((z) => isValidTimeZone(z) || `unknown IANA time zone ${z}`)), () => 'UTC'),
  windows: opt(Schema.Array(TradingWindow).pipe(Schema.maxItems(48)), () => []),
});

/** Staleness limits in ms (X-RSK-2, S4-2). */
export const StalenessConfig = Schema.Struct({
  quoteMaxAgeMs: opt(millisIn(1, DAY_MS), () => 5_000),
  barMaxAgeMs: opt(millisIn(1, 7 * DAY_MS), () => 90_000),
  accountMaxAgeMs: opt(millisIn(1, DAY_MS), () => 90_000),
});

/** Clock discipline in ms (X-CLK-1/2, C-2): start gate < 100, block > 250, resume ≤ 100. */
export const ClockConfig = Schema.Struct({
  // Loose per-key ranges; the C-2 filter below holds the real limits and names the rule.
  startGateMs: opt(millisIn(1, 60_000), () => 100),
  blockAboveMs: opt(millisIn(1, 60_000), () => 250),
  resumeAtOrBelowMs: opt(millisIn(0, 60_000), () => 100),
}).pipe(
  // Strictly below: the venue adapter's clock gate needs a hysteresis band (resume == block would flap).
  Schema.filter((c) => c.resumeAtOrBelowMs < c.blockAboveMs || 'resumeAtOrBelowMs must be < blockAboveMs'),
  // C-2: profiles may tighten the clock limits, never loosen them.
  Schema.filter((c) => (c.startGateMs <= 100 && c.blockAboveMs <= 250 && c.resumeAtOrBelowMs <= 100) || 'clock limits may only be tightened (C-2)'),
);

/** Market-quality guards (X-RSK-8, C-8, S2-10). */
export const MarketQualityConfig = Schema.Struct({
  sigmaLimit: opt(boundedNumber({ min: 0, max: 100, minExclusive: true }), () => 6),
  sigmaWindowMs: opt(millisIn(1, DAY_MS), () => 60_000),
  /** Fewer mid changes than this in the window: the σ guard cannot judge and lets the tick pass. */
  sigmaMinSamples: opt(boundedInt({ min: 1, max: 100_000 }), () => 10),
  jumpWithoutVolumeFraction: opt(fractionIn({ min: 0, max: 1, minExclusive: true }), () => 0.1),
  /** A jump is volume-confirmed when its interval's volume is at least this multiple of the window's mean. */
  volumeConfirmMultiple: opt(boundedNumber({ min: 0, max: 1_000, minExclusive: true }), () => 2),
  maxSpreadFraction: opt(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.015),
  minBestLevelSize: opt(AmountFromConfig, () => new Decimal(0)),
});

/** A price in the quote currency for the equity price band: above 0, up to 1e9. */
const EquityPrice = boundedDecimal({ min: 0, max: 1e9, minExclusive: true });

/**
 * The S2-10 equity filters (rules `equityFilters` and `slippage`): the reference price within [minPrice, maxPrice],
 * the session day's traded volume at least minDailyVolume (the day counted in `timeZone`), and the expected average
 * fill from the visible book within maxSlippageFraction of the reference price. Off by default; the S2 profile turns
 * them on.
 */
export const EquityFiltersConfig = Schema.Struct({
  enabled: opt(Schema.Boolean, () => false),
  minPrice: opt(EquityPrice, () => new Decimal(2)),
  maxPrice: opt(EquityPrice, () => new Decimal(100)),
  minDailyVolume: opt(AmountFromConfig, () => new Decimal(1_000_000)),
  maxSlippageFraction: opt(fractionIn({ min: 0, max: 0.1 }), () => 0.005),
  /** The zone whose local calendar day is the session day of the volume figure (the venue's: US stocks trade in New York). */
  timeZone: opt(Schema.String.pipe(Schema.filter((z) => isValidTimeZone(z) || `unknown IANA time zone ${z}`)), () => 'America/New_York'),
}).pipe(Schema.filter((c) => c.minPrice.lte(c.maxPrice) || `equityFilters.minPrice ${c.minPrice.toString()} must not exceed maxPrice ${c.maxPrice.toString()}`));
export type EquityFiltersConfig = typeof EquityFiltersConfig.Type;

/** Per-symbol cooldowns (X-RSK-7, S3-10); the runtime stores `until` = event ts + duration. */
export const CooldownConfig = Schema.Struct({
  afterFillMs: opt(millisIn(0, DAY_MS), () => 5 * 60_000),
  afterStopMs: opt(millisIn(0, DAY_MS), () => 30 * 60_000),
});

/** One strategy's own caps (S3-6), applied before the global caps. */
export const StrategyBudget = Schema.Struct({
  budgetFraction: opt(NavShare, () => 0.15),
  maxTradesPerCycle: opt(countUpTo(1_000), () => 4),
});
export type StrategyBudget = typeof StrategyBudget.Type;

/** Exposure caps as fractions of NAV (X-RSK-4, S3-3, S3-9, S4-3, S4-4). */
export const CapsConfig = Schema.Struct({
  maxPositionFraction: opt(NavShare, () => 0.05),
  maxTotalAtRiskFraction: opt(NavShare, () => 0.15),
  groupCapFraction: opt(NavShare, () => 0.1),
  groupCaps: opt(Schema.Record({ key: Schema.String, value: NavShare }), () => ({})),
  /** symbol → correlation group (S3-9): the group cap limits the sum of a group's exposure. Unlisted symbols are in no group. */
  symbolGroups: opt(Schema.Record({ key: Schema.String, value: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(64)) }), () => ({})),
  maxTradeFraction: opt(NavShare, () => 0.06),
  tierCaps: opt(Schema.Record({ key: Schema.String, value: NavShare }), () => ({
    CORE: 0.3,
    SATELLITE: 0.2,
    TACTICAL: 0.1,
    ALT_EXT: 0.05,
  })),
  /** symbol → tier; a tiered symbol's cap is its tier cap instead of maxPositionFraction. */
  symbolTiers: opt(Schema.Record({ key: Schema.String, value: Schema.String }), () => ({})),
  /** Downscale a proposal to the remaining headroom (S3-6) instead of vetoing it outright. */
  allowDownscale: opt(Schema.Boolean, () => true),
});

/** A regime size multiplier: 0 (no entries) to 5. */
const RegimeMultiplier = boundedNumber({ min: 0, max: 5 });

/** Regime multipliers (S3-4), applied to sizes, and to caps but never above 1 (caps only tighten). */
export const RegimeConfig = Schema.Struct({
  bull: opt(RegimeMultiplier, () => 1.2),
  chop: opt(RegimeMultiplier, () => 1.0),
  bear: opt(RegimeMultiplier, () => 0.6),
  crash: opt(RegimeMultiplier, () => 0.0),
});

/** Capacity caps (S0-6, S2-5, S1-13, X-ORD-10). */
export const CapacityConfig = Schema.Struct({
  maxConcurrentTrades: opt(countUpTo(10_000), () => 100),
  maxOpenPositions: opt(countUpTo(1_000), () => 5),
  /** Open positions per group (S1-13 sets 2); unlimited when absent. */
  maxPositionsPerGroup: Schema.optional(countUpTo(1_000)),
});

/** Leverage signal modes (S0-3); anything else (FAST, SCALP…) is refused (C-1). */
export const LeverageMode = Schema.Literal('SWING', 'DYNAMIC', 'FIXED');
export type LeverageMode = typeof LeverageMode.Type;

/** Leverage policy for derivatives (S0-4, S0-5); spot and equities always run at x1. */
export const LeverageConfig = Schema.Struct({
  defaultMode: opt(LeverageMode, () => 'SWING' as const),
  swingLeverage: opt(LeverageFromConfig, () => new Decimal(6)),
  dynamicMinLeverage: opt(LeverageFromConfig, () => new Decimal('7.5')),
  /** FIXED leverage strictly inside (forbiddenAbove, forbiddenBelow) is refused. */
  fixedForbiddenAbove: opt(LeverageFromConfig, () => new Decimal(6)),
  fixedForbiddenBelow: opt(LeverageFromConfig, () => new Decimal('7.5')),
  leverageDecimals: opt(boundedInt({ min: 0, max: 8 }), () => 2),
  autoStopLossFraction: opt(fractionIn({ min: 0, max: 0.5, minExclusive: true }), () => 0.02),
  autoStopLossLeverage: opt(LeverageFromConfig, () => new Decimal(10)),
});

/** A fee rate: 0 to 10 % (the fee-aware minimum divides by 1 − takerRate, so it must stay well below 100 %). */
const FeeRate = fractionIn({ min: 0, max: 0.1 });

/** The one fee model (X-ORD-9, S3-12) used by min-notional checks, execution sizing and PnL. */
export const FeeConfig = Schema.Struct({
  makerRate: opt(FeeRate, () => 0.004),
  takerRate: opt(FeeRate, () => 0.006),
  /** A profile minimum notional on top of the venue's, in the quote asset. */
  minNotional: opt(AmountFromConfig, () => new Decimal(0)),
});

/** Drawdown breakers (X-RSK-3, S2-4). */
export const DrawdownConfig = Schema.Struct({
  maxRollingDrawdownFraction: opt(NavFraction, () => 0.1),
  /** Up to a year: a rolling drawdown window is meaningful beyond a day. */
  rollingWindowMs: opt(millisIn(60_000, 365 * DAY_MS), () => 7 * DAY_MS),
  maxSessionDrawdownFraction: opt(NavFraction, () => 0.1),
  dailyLossLimitFraction: opt(NavFraction, () => 0.05),
});

/** Kill switch (X-RSK-1, C-19, S2-15). */
export const KillSwitchConfig = Schema.Struct({
  flatten: opt(Schema.Boolean, () => false),
  criticalErrorThreshold: opt(countUpTo(10_000), () => 5),
  criticalErrorWindowMs: opt(millisIn(1, DAY_MS), () => 60_000),
});

/** Gating dependencies (X-RSK-6, C-6). */
export const DependencyConfig = Schema.Struct({
  gating: opt(Schema.Array(Schema.String).pipe(Schema.maxItems(32)), () => ['venue_rest', 'venue_ws', 'journal']),
  onDown: opt(Schema.Literal('pause', 'shutdown'), () => 'pause' as const),
  /** With `onDown: shutdown`, how long a gating dependency may stay down before the session stops gracefully. */
  shutdownAfterMs: opt(millisIn(0, DAY_MS), () => 30_000),
});

/** How the engine prices and sends the order it approves. */
export const OrderPolicyConfig = Schema.Struct({
  /** Limit = touch (ask for buys, bid for sells) moved by this fraction toward the market, rounded passively. */
  limitOffsetFraction: opt(fractionIn({ min: 0, max: 0.1 }), () => 0),
  timeInForce: opt(Schema.Literal('gtc', 'ioc', 'fok', 'post_only'), () => 'gtc' as const),
});

/** S2's allocation table (S2-5, C-20): signals in a round → weights, as shares of the total allocation. */
export const DEFAULT_ALLOCATION_TABLE: Readonly<Record<string, ReadonlyArray<number>>> = {
  '1': [1],
  '2': [0.6, 0.4],
  '3': [0.4, 0.3, 0.3],
  '4': [0.4, 0.2, 0.2, 0.2],
};

/** Most signals one allocation round may split across (rows of the table). */
export const MAX_ALLOCATION_ROWS = 20;

/** Tolerance of the "each row sums to 1" check (weights are written as decimal floats). */
export const ALLOCATION_SUM_TOLERANCE = 1e-9;

/**
 * Returns why an allocation table is invalid, or undefined: rows must be keyed 1..N without gaps, row n must hold n
 * non-negative weights, and each row must sum to 1 within ALLOCATION_SUM_TOLERANCE.
 */
export const allocationTableProblem = (table: Readonly<Record<string, ReadonlyArray<number>>>): string | undefined => {
  const keys = Object.keys(table);
  if (keys.length === 0) return 'allocationTable needs at least the row for 1 signal';
  for (let n = 1; n <= keys.length; n += 1) {
    const row = table[String(n)];
    if (row === undefined) return `allocationTable rows must be keyed 1..${String(keys.length)} without gaps (row ${String(n)} is missing)`;
    if (row.length !== n) return `allocationTable row ${String(n)} must have ${String(n)} weights, has ${String(row.length)}`;
    if (row.some((w) => !Number.isFinite(w) || w < 0)) return `allocationTable row ${String(n)} has a negative or non-finite weight`;
    const sum = row.reduce((a, w) => a + w, 0);
    if (Math.abs(sum - 1) > ALLOCATION_SUM_TOLERANCE) return `allocationTable row ${String(n)} sums to ${String(sum)}, not 1`;
  }
  return undefined;
};

/** The S2-4 risk-per-trade range: values outside [0.02, 0.03] are refused. */
export const RISK_PER_TRADE_RANGE = { min: 0.02, max: 0.03 } as const;

/** A risk-per-trade fraction: percent forms accepted like every fraction, bounded to [0.02, 0.03] (S2-4). */
export const RiskPerTradeFraction = fractionIn(RISK_PER_TRADE_RANGE);

/**
 * Stop-distance capital rules (S2-4, S2-5, C-20). Every rule is off by default (null / false) so profiles that do
 * not opt in size exactly as before; the S2 profile sets riskPerTradeFraction 0.025 and maxOpenRiskFraction 0.05.
 */
export const CapitalConfig = Schema.Struct({
  /** Largest loss at the stop of one entry, as a fraction of NAV; null = off. */
  riskPerTradeFraction: opt(Schema.NullOr(RiskPerTradeFraction), () => null),
  /** Largest summed stop-distance risk of open positions, working entries and the proposal; null = off. */
  maxOpenRiskFraction: opt(Schema.NullOr(NavFraction), () => null),
  /** Whether the decision loop splits the total allocation across a round's signals by the table. */
  useAllocationTable: opt(Schema.Boolean, () => false),
  allocationTable: opt(
    Schema.Record({ key: Schema.String, value: Schema.Array(boundedNumber({ min: 0, max: 1 })).pipe(Schema.maxItems(MAX_ALLOCATION_ROWS)) }).pipe(
      Schema.filter((t) => allocationTableProblem(t) ?? true),
    ),
    () => DEFAULT_ALLOCATION_TABLE,
  ),
  /** The NAV share one allocation round splits (S2 TOTAL_ALLOCATION). */
  totalAllocationFraction: opt(NavFraction, () => 0.02),
});
export type CapitalConfig = typeof CapitalConfig.Type;

/** The risk section of a profile. */
export const RiskConfig = Schema.Struct({
  mode: opt(TradingMode, () => 'DRY_RUN' as const),
  disableAllTrades: opt(Schema.Boolean, () => false),
  disabledSymbols: opt(Schema.Array(Schema.String).pipe(Schema.maxItems(1_000)), () => []),
  tradingWindows: opt(TradingWindows, () => Schema.decodeSync(TradingWindows)({})),
  staleness: opt(StalenessConfig, () => Schema.decodeSync(StalenessConfig)({})),
  clock: opt(ClockConfig, () => Schema.decodeSync(ClockConfig)({})),
  marketQuality: opt(MarketQualityConfig, () => Schema.decodeSync(MarketQualityConfig)({})),
  equityFilters: opt(EquityFiltersConfig, () => Schema.decodeSync(EquityFiltersConfig)({})),
  cooldowns: opt(CooldownConfig, () => Schema.decodeSync(CooldownConfig)({})),
  defaultStrategyBudget: opt(StrategyBudget, () => Schema.decodeSync(StrategyBudget)({})),
  strategies: opt(Schema.Record({ key: Schema.String, value: StrategyBudget }), () => ({})),
  caps: opt(CapsConfig, () => Schema.decodeSync(CapsConfig)({})),
  regimes: opt(RegimeConfig, () => Schema.decodeSync(RegimeConfig)({})),
  /** The market regime the operator declares (S3-4); its multiplier scales sizes. No classifier sets it yet. */
  regime: opt(Schema.Literal('bull', 'chop', 'bear', 'crash'), () => 'chop' as const),
  capacity: opt(CapacityConfig, () => Schema.decodeSync(CapacityConfig)({})),
  leverage: opt(LeverageConfig, () => Schema.decodeSync(LeverageConfig)({})),
  allowShorts: opt(Schema.Boolean, () => false),
  fees: opt(FeeConfig, () => Schema.decodeSync(FeeConfig)({})),
  drawdown: opt(DrawdownConfig, () => Schema.decodeSync(DrawdownConfig)({})),
  killSwitch: opt(KillSwitchConfig, () => Schema.decodeSync(KillSwitchConfig)({})),
  dependencies: opt(DependencyConfig, () => Schema.decodeSync(DependencyConfig)({})),
  orders: opt(OrderPolicyConfig, () => Schema.decodeSync(OrderPolicyConfig)({})),
  capital: opt(CapitalConfig, () => Schema.decodeSync(CapitalConfig)({})),
});
export type RiskConfig = typeof RiskConfig.Type;
export type RiskConfigInput = typeof RiskConfig.Encoded;

/** Decodes a raw risk section, reporting every failing path. */
export const decodeRiskConfig = Schema.decodeUnknownEither(RiskConfig, { errors: 'all' });

/** Returns the risk config with every default, optionally overridden by a raw (encoded) partial section; throws on invalid input. */
export const makeRiskConfig = (raw: RiskConfigInput = {}): RiskConfig => Schema.decodeUnknownSync(RiskConfig)(raw);

/** Returns the budget of a strategy: its own entry, else the profile default. */
export const strategyBudgetFor = (config: RiskConfig, strategyId: string): StrategyBudget =>
  config.strategies[strategyId] ?? config.defaultStrategyBudget;

/** Returns the multiplier of a market regime (S3-4). */
export const regimeMultiplier = (config: RiskConfig, regime: Regime): number => config.regimes[regime];

/** The market regimes the multipliers key on. */
export type Regime = 'bull' | 'chop' | 'bear' | 'crash';
