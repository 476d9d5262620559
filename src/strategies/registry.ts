/**
 * The strategy registry (X-MOD-6): every built-in strategy by id, with its config section (params schema and
 * defaults) and its factory. A strategy runs only when its section says `enabled: true`; the others are logged as
 * `skipped (disabled)`. `--strategy` and `--param` overrides are decoded through the same schemas, so a mistyped or
 * out-of-range value is a readable error, never a silent default. Pure apart from the optional log line.
 */
import { Either, ParseResult, Schema } from 'effect';
import { parse as parseYaml } from 'yaml';
import type { AppConfig } from '../config/schema.ts';
import { BreakoutSection } from '../config/schema.ts';
import { breakoutStrategy } from './breakout/Breakout.ts';
import { smaCrossStrategy } from './smaCross/SmaCross.ts';
import { SmaCrossSection } from '../config/smaCrossSection.ts';
import type { Strategy } from './Strategy.ts';

/** What every strategy factory may use besides its own parameters. */
export interface StrategyContext {
  /** How long a proposal stays valid (the decision cycle). */
  readonly ttlMs: number;
}

/** One registered strategy. */
export interface StrategyEntry {
  readonly id: keyof AppConfig['strategies'];
  readonly summary: string;
  /** Decodes the strategy's config section (with its defaults), collecting every problem. */
  readonly decode: (section: unknown) => Either.Either<{ readonly enabled: boolean }, string>;
  /** Encodes a decoded section back to what a config file holds (fractions of 1 as "100%"). */
  readonly encode: (section: never) => Record<string, unknown>;
  readonly create: (section: never, ctx: StrategyContext) => Strategy<unknown>;
}

const decoder = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: 'all', onExcessProperty: 'error' });
  return (section: unknown): Either.Either<A, string> => Either.mapLeft(decode(section), (e) => ParseResult.TreeFormatter.formatErrorSync(e));
};

const entry = <A extends { readonly enabled: boolean }, I>(e: {
  readonly id: StrategyEntry['id'];
  readonly summary: string;
  readonly schema: Schema.Schema<A, I>;
  readonly create: (params: A, ctx: StrategyContext) => Strategy<unknown>;
}): StrategyEntry => ({
  id: e.id, summary: e.summary, decode: decoder(e.schema), create: e.create,
  encode: ((section: A) => Schema.encodeSync(e.schema)(section) as Record<string, unknown>),
});

/** The built-in strategies, in the order they run in a decision cycle. */
export const STRATEGY_REGISTRY: ReadonlyArray<StrategyEntry> = [
  entry({
    id: 'breakout', summary: 'Donchian breakout on closed bars with fixed TP/SL (the demo)', schema: BreakoutSection,
    create: (p, ctx) => breakoutStrategy({ ...p, ttlMs: ctx.ttlMs }) as Strategy<unknown>,
  }),
  entry({
    id: 'sma-cross', summary: 'SMA(fast)/SMA(slow) cross on closes, long only (the backtest parity reference)', schema: SmaCrossSection,
    create: (p, ctx) => smaCrossStrategy(p, ctx.ttlMs) as Strategy<unknown>,
  }),
];

/** Returns the registered strategy with this id. */
export const strategyEntry = (id: string): StrategyEntry | undefined => STRATEGY_REGISTRY.find((e) => e.id === id);

/** Returns the enabled strategies of a config, in registry order; reports each disabled one to `skipped`. */
export const enabledStrategies = (config: AppConfig, skipped?: (id: string) => void): Strategy<unknown>[] => {
  const out: Strategy<unknown>[] = [];
  for (const e of STRATEGY_REGISTRY) {
    const section = config.strategies[e.id];
    if (!section.enabled) {
      skipped?.(e.id);
      continue;
    }
    out.push(e.create(section as never, { ttlMs: config.decision.cycleMs }));
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

/**
 * Applies `--strategy <id>` (that strategy enabled, every other disabled) and `--param key=value` (keys of that
 * strategy's section) to a config; returns the new config or a readable problem.
 */
export const withStrategyOverrides = (config: AppConfig, opts: { readonly strategy?: string | undefined; readonly params: ReadonlyArray<string> }): Either.Either<AppConfig, string> => {
  if (opts.strategy === undefined && opts.params.length === 0) return Either.right(config);
  const id = opts.strategy ?? STRATEGY_REGISTRY.find((e) => config.strategies[e.id].enabled)?.id;
  if (id === undefined) return Either.left('--param needs --strategy <id> (no strategy is enabled in the config)');
  const target = strategyEntry(id);
  if (target === undefined) return Either.left(`--strategy ${JSON.stringify(id)} is not a registered strategy; known: ${STRATEGY_REGISTRY.map((e) => e.id).join(', ')}`);
  const section: Record<string, unknown> = { ...target.encode(config.strategies[target.id] as never), enabled: true };
  for (const p of opts.params) {
    const eq = p.indexOf('=');
    if (eq <= 0) return Either.left(`--param ${JSON.stringify(p)}: expected key=value`);
    const key = p.slice(0, eq);
    if (key === 'enabled') return Either.left('--param enabled=…: use --strategy to choose the strategy');
    section[key] = paramValue(p.slice(eq + 1));
  }
  const decoded = target.decode(section);
  if (Either.isLeft(decoded)) return Either.left(`strategy ${id} parameters: ${decoded.left}`);
  const strategies: Record<string, unknown> = {};
  for (const e of STRATEGY_REGISTRY) strategies[e.id] = e.id === id ? decoded.right : { ...config.strategies[e.id], enabled: opts.strategy === undefined ? config.strategies[e.id].enabled : false };
  return Either.right({ ...config, strategies: strategies as AppConfig['strategies'] });
};
