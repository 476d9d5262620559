/**
 * The strategy registry (X-MOD-6): every built-in strategy by id, with its config section (params schema and
 * defaults) and its factory, plus the user strategies loaded from a `--strategy-path` directory (userStrategy.ts),
 * which take the same path. A strategy runs only when its section says `enabled: true`; the others are logged as
 * `skipped (disabled)`. `--strategy` and `--param` overrides are decoded through the same schemas (a user strategy's
 * through its defaults and `validate`), so a mistyped or out-of-range value is a readable error, never a silent
 * default. Pure apart from the optional log line.
 */
import { Either, ParseResult, Schema } from 'effect';
import { parse as parseYaml } from 'yaml';
import type { AppConfig } from '../config/schema.ts';
import { BreakoutSection } from '../config/schema.ts';
import type { StrategyCaps } from '../config/strategySections.ts';
import { breakoutStrategy } from './breakout/Breakout.ts';
import { smaCrossStrategy } from './smaCross/SmaCross.ts';
import { SmaCrossSection } from '../config/smaCrossSection.ts';
import { openingRangeStrategy } from './openingRange/OpeningRange.ts';
import { OpeningRangeSection } from '../config/openingRangeSection.ts';
import { vwapReversionStrategy } from './vwapReversion/VwapReversion.ts';
import { VwapReversionSection } from '../config/vwapReversionSection.ts';
import { eodMomentumStrategy } from './eodMomentum/EodMomentum.ts';
import { EodMomentumSection } from '../config/eodMomentumSection.ts';
import { scoredTriggersStrategy } from './scoredTriggers/ScoredTriggers.ts';
import { ScoredTriggersSection } from '../config/scoredTriggersSection.ts';
import { volTargetStrategy } from './volTarget/VolTarget.ts';
import { VolTargetSection } from '../config/volTargetSection.ts';
import type { Strategy, StrategyEvent } from './Strategy.ts';
import { UserStrategyError } from './userStrategy.ts';

/** What every strategy factory may use besides its own parameters. */
export interface StrategyContext {
  /** How long a proposal stays valid (the decision cycle). */
  readonly ttlMs: number;
  /** Told once when a user strategy fails while proposing (it then proposes nothing more in this run). */
  readonly onFault?: ((strategyId: string, problem: string) => void) | undefined;
  /** Told each event a strategy's step reports (`StrategyStep.events`, e.g. `regime_changed`), in order. */
  readonly onEvent?: ((strategyId: string, event: StrategyEvent) => void) | undefined;
  /** The regime multipliers (S3-4; the config's `risk.regimes`); absent: S3-4's defaults. */
  readonly regimes?: Readonly<Record<'bull' | 'chop' | 'bear' | 'crash', number>> | undefined;
}

/** What every decoded strategy section holds besides the strategy's own parameters. */
export interface StrategySection {
  readonly enabled: boolean;
  readonly caps?: StrategyCaps | undefined;
}

/** One registered strategy: a built-in, or a user strategy with the module file it came from. */
export interface StrategyEntry {
  readonly id: string;
  readonly summary: string;
  /** The module a user strategy was loaded from (`--strategy-path`); undefined for a built-in. */
  readonly file?: string | undefined;
  /** Decodes the strategy's config section (with its defaults), collecting every problem. */
  readonly decode: (section: unknown) => Either.Either<StrategySection, string>;
  /** Encodes a decoded section back to what a config file holds (fractions of 1 as "100%"). */
  readonly encode: (section: never) => Record<string, unknown>;
  /** Creates the strategy; a user strategy's factory may throw its UserStrategyError. */
  readonly create: (section: never, ctx: StrategyContext) => Strategy<unknown>;
}

/** The ids of the built-in strategies. */
export type BuiltinStrategyId = 'breakout' | 'sma-cross' | 'opening-range' | 'vwap-reversion' | 'scored-triggers' | 'vol-target' | 'eod-momentum';

const decoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: 'all', onExcessProperty: 'error' });
  return (section: unknown): Either.Either<A, string> => Either.mapLeft(decode(section), (e) => ParseResult.TreeFormatter.formatErrorSync(e));
};

const entry = <A extends StrategySection, I>(e: {
  readonly id: BuiltinStrategyId;
  readonly summary: string;
  readonly schema: Schema.Schema<A, I>;
  readonly create: (params: A, ctx: StrategyContext) => Strategy<unknown>;
}): StrategyEntry & { readonly id: BuiltinStrategyId } => ({
  id: e.id, summary: e.summary, decode: decoder(e.schema), create: e.create,
  encode: ((section: A) => Schema.encodeSync(e.schema)(section) as Record<string, unknown>),
});

/** The built-in strategies, in the order they run in a decision cycle (user strategies run after them). */
export const STRATEGY_REGISTRY: ReadonlyArray<StrategyEntry & { readonly id: BuiltinStrategyId }> = [
  entry({
    id: 'breakout', summary: 'Donchian breakout on closed bars with fixed TP/SL (the demo)', schema: BreakoutSection,
    create: (p, ctx) => breakoutStrategy({ ...p, ttlMs: ctx.ttlMs }) as Strategy<unknown>,
  }),
  entry({
    id: 'sma-cross', summary: 'SMA(fast)/SMA(slow) cross on closes, long only (the backtest parity reference)', schema: SmaCrossSection,
    create: (p, ctx) => smaCrossStrategy(p, ctx.ttlMs) as Strategy<unknown>,
  }),
  entry({
    id: 'opening-range', summary: 'S2 opening range breakout 09:30-10:20 ET: close above the first 20 min high + buffer on volume, long only, hard exit 10:20', schema: OpeningRangeSection,
    create: (p, ctx) => openingRangeStrategy(p, ctx.ttlMs) as Strategy<unknown>,
  }),
  entry({
    id: 'vwap-reversion', summary: 'S2 VWAP mean reversion 10:30-14:30 ET: 2 % from session VWAP, reversal bar, Bollinger touch, ADX <= 25; bearish as long inverse ETFs', schema: VwapReversionSection,
    create: (p, ctx) => vwapReversionStrategy(p, ctx.ttlMs) as Strategy<unknown>,
  }),
  entry({
    id: 'scored-triggers', summary: 'Weighted breakout and volume-spike score on closed bars, top scores per cycle, spot long only', schema: ScoredTriggersSection,
    create: (p, ctx) => scoredTriggersStrategy(p, ctx.ttlMs, ctx.regimes) as Strategy<unknown>,
  }),
  entry({
    id: 'vol-target', summary: 'EMA trend on perps, long and short, sized min(tier cap, targetVol / realised vol) behind an expectancy gate', schema: VolTargetSection,
    create: (p, ctx) => volTargetStrategy(p, ctx.ttlMs) as Strategy<unknown>,
  }),
  entry({
    id: 'eod-momentum', summary: 'S2 end of day 14:30-16:00 ET: trend or fade vs open and VWAP, VIX gate, inverse ETFs for bearish setups', schema: EodMomentumSection,
    create: (p, ctx) => eodMomentumStrategy(p, ctx.ttlMs) as Strategy<unknown>,
  }),
];

const BUILTIN_IDS: ReadonlySet<string> = new Set(STRATEGY_REGISTRY.map((e) => e.id));

/** Returns whether an id is a built-in strategy's. */
export const isBuiltinStrategy = (id: string): id is BuiltinStrategyId => BUILTIN_IDS.has(id);

const entriesOf = (user: ReadonlyArray<StrategyEntry>): ReadonlyArray<StrategyEntry> => (user.length === 0 ? STRATEGY_REGISTRY : [...STRATEGY_REGISTRY, ...user]);

/** Returns the registered strategy with this id (a built-in, or one of `user`). */
export const strategyEntry = (id: string, user: ReadonlyArray<StrategyEntry> = []): StrategyEntry | undefined => entriesOf(user).find((e) => e.id === id);

const sectionOf = (config: AppConfig, id: string): StrategySection | undefined => (config.strategies as Readonly<Record<string, StrategySection | undefined>>)[id];

/** Returns a strategy's decoded section, decoding a user strategy's raw section (absent: its defaults) through its entry. */
const decodedSection = (config: AppConfig, e: StrategyEntry): Either.Either<StrategySection, string> => {
  const section = sectionOf(config, e.id);
  if (e.file === undefined && section !== undefined) return Either.right(section);
  return e.decode(section === undefined ? {} : e.encode(section as never));
};

/**
 * Returns the enabled strategies of a config, in registry order then `user` order; reports each disabled one to
 * `skipped`. Throws a user strategy's UserStrategyError (parameters its module refuses, a `create` that throws).
 */
export const enabledStrategies = (
  config: AppConfig, skipped?: (id: string) => void, user: ReadonlyArray<StrategyEntry> = [], ctx: Omit<StrategyContext, 'ttlMs'> = {},
): Strategy<unknown>[] => {
  const out: Strategy<unknown>[] = [];
  for (const e of entriesOf(user)) {
    const section = decodedSection(config, e);
    if (Either.isLeft(section)) throw new UserStrategyError({ file: e.file ?? e.id, problem: `${e.id} parameters: ${section.left}` });
    if (!section.right.enabled) {
      skipped?.(e.id);
      continue;
    }
    const strategy = e.create(section.right as never, { ...ctx, ttlMs: config.decision.cycleMs, regimes: config.risk.regimes });
    out.push(ctx.onEvent === undefined ? strategy : reportingEvents(strategy, ctx.onEvent));
  }
  return out;
};

/** Returns `s` with each event of its steps told to `onEvent` (the step itself is handed on unchanged). */
const reportingEvents = (s: Strategy<unknown>, onEvent: (strategyId: string, event: StrategyEvent) => void): Strategy<unknown> => ({
  ...s,
  propose: (snapshot, state) => {
    const step = s.propose(snapshot, state);
    for (const e of step.events ?? []) onEvent(s.id, e);
    return step;
  },
});

/** Returns the caps (S3-6) of every enabled strategy that has any, by strategy id. */
export const strategyCapsOf = (config: AppConfig, user: ReadonlyArray<StrategyEntry> = []): ReadonlyMap<string, StrategyCaps> => {
  const out = new Map<string, StrategyCaps>();
  for (const e of entriesOf(user)) {
    const section = decodedSection(config, e);
    if (Either.isLeft(section) || !section.right.enabled) continue;
    const caps = section.right.caps;
    if (caps !== undefined && (caps.maxAtRiskFraction !== undefined || caps.maxTradesPerCycle !== undefined)) out.set(e.id, caps);
  }
  return out;
};

/** Parses a `--param key=value` value as YAML would read it in the config file ("10" → 10, "5%" stays a string). */
const paramValue = (raw: string): unknown => {
  try {
    return parseYaml(raw) as unknown;
  } catch {
    return raw;
  }
};

const label = (e: StrategyEntry): string => (e.file === undefined ? e.id : `${e.id} (${e.file})`);

/**
 * Decodes every user strategy's section of the config through its module (absent: its defaults) and refuses a section
 * no strategy owns; returns the config with the decoded sections.
 */
const withUserSections = (config: AppConfig, user: ReadonlyArray<StrategyEntry>): Either.Either<AppConfig, string> => {
  const all = entriesOf(user);
  const strays = Object.keys(config.strategies).filter((k) => !all.some((e) => e.id === k));
  if (strays.length > 0) {
    const from = user.length === 0 ? 'no user strategies are loaded (strategyPath / --strategy-path)' : `user strategies: ${user.map((e) => e.id).join(', ')}`;
    return Either.left(`strategies.${strays[0]!}: no strategy has this id (built-in: ${STRATEGY_REGISTRY.map((e) => e.id).join(', ')}; ${from})`);
  }
  if (user.length === 0) return Either.right(config);
  const strategies: Record<string, unknown> = { ...config.strategies };
  for (const e of user) {
    const decoded = decodedSection(config, e);
    if (Either.isLeft(decoded)) return Either.left(`strategy ${label(e)} parameters: ${decoded.left}`);
    strategies[e.id] = decoded.right;
  }
  return Either.right({ ...config, strategies: strategies as AppConfig['strategies'] });
};

/**
 * Applies `--strategy <id>` (that strategy enabled, every other disabled) and `--param key=value` (keys of that
 * strategy's section) to a config, built-ins and `user` strategies alike; returns the new config or a readable problem.
 */
export const withStrategyOverrides = (
  config: AppConfig, opts: { readonly strategy?: string | undefined; readonly params: ReadonlyArray<string> }, user: ReadonlyArray<StrategyEntry> = [],
): Either.Either<AppConfig, string> => {
  const normalised = withUserSections(config, user);
  if (Either.isLeft(normalised) || (opts.strategy === undefined && opts.params.length === 0)) return normalised;
  const base = normalised.right;
  const all = entriesOf(user);
  const id = opts.strategy ?? all.find((e) => sectionOf(base, e.id)?.enabled === true)?.id;
  if (id === undefined) return Either.left('--param needs --strategy <id> (no strategy is enabled in the config)');
  const target = strategyEntry(id, user);
  if (target === undefined) return Either.left(`--strategy ${JSON.stringify(id)} is not a registered strategy; known: ${all.map((e) => e.id).join(', ')}`);
  const section: Record<string, unknown> = { ...target.encode(sectionOf(base, target.id) as never), enabled: true };
  for (const p of opts.params) {
    const eq = p.indexOf('=');
    if (eq <= 0) return Either.left(`--param ${JSON.stringify(p)}: expected key=value`);
    const key = p.slice(0, eq);
    if (key === 'enabled') return Either.left('--param enabled=…: use --strategy to choose the strategy');
    section[key] = paramValue(p.slice(eq + 1));
  }
  const decoded = target.decode(section);
  if (Either.isLeft(decoded)) return Either.left(`strategy ${label(target)} parameters: ${decoded.left}`);
  const strategies: Record<string, unknown> = {};
  for (const e of all) {
    const current = sectionOf(base, e.id);
    if (e.id === id) strategies[e.id] = decoded.right;
    else if (current !== undefined) strategies[e.id] = { ...current, enabled: opts.strategy === undefined ? current.enabled : false };
  }
  return Either.right({ ...base, strategies: strategies as AppConfig['strategies'] });
};
