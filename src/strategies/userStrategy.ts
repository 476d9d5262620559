/**
 * User strategies (issue 12): a module of a `--strategy-path` directory exports, as its default export, a definition
 * — `id`, `summary`, `defaults` (its parameters with their default values), an optional `validate(params)` returning
 * problems, and `create(params, ctx)` returning `{ init, propose, selfCheck? }`. This module checks that shape, turns
 * it into a registry entry (the section decoded against the defaults: a key they do not name or a value of another
 * type is refused, then `validate` judges the whole set), and wraps the strategy so what it returns is decoded into
 * TradeProposals under its own id. A strategy that throws or returns a malformed proposal while running is stopped
 * (it proposes nothing more; `onFault` is told once), never the session. Pure apart from calling the module's code.
 */
import { Data, Either, ParseResult, Schema } from 'effect';
import { StrategyCapsSection, STRATEGY_ID_PATTERN } from '../config/strategySections.ts';
import { TradeProposal } from '../domain/TradeProposal.ts';
import type { MarketSnapshot } from '../market/MarketState.ts';
import type { StrategyContext, StrategyEntry, StrategySection } from './registry.ts';
import type { Strategy, StrategyStep } from './Strategy.ts';

/** A user strategy module that cannot be used, named by its file (exit 2 at the CLI). */
export class UserStrategyError extends Data.TaggedError('UserStrategyError')<{ readonly file: string; readonly problem: string }> {
  override get message(): string {
    return `strategy module ${this.file}: ${this.problem}`;
  }
}

/** A parameter value a user strategy's `defaults` may hold (what a YAML config or `--param` can give). */
export type ParamValue = number | string | boolean | null | ReadonlyArray<unknown> | { readonly [key: string]: unknown };

/** What a proposal of a user strategy holds: TradeProposal's fields; `strategyId`, `conviction`, `createdAt`, `ttlMs` may be left out. */
export interface UserProposal {
  readonly proposalId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly instrumentKind: 'spot' | 'perp' | 'equity' | 'put' | 'inverse_etf';
  readonly notionalFraction: number;
  readonly stopLossFraction: number;
  readonly takeProfitFraction: number;
  /** Default 1. */
  readonly conviction?: number | undefined;
  /** Default: the snapshot's `now`. */
  readonly createdAt?: number | undefined;
  /** Default: the decision cycle (`decision.cycleMs`). */
  readonly ttlMs?: number | undefined;
  /** Default (and the only value accepted): the strategy's own id. */
  readonly strategyId?: string | undefined;
}

/** The strategy a user module's `create` returns: pure, time from the snapshot only, its memory in `state`. */
export interface UserStrategy<S> {
  readonly init: () => S;
  readonly propose: (snapshot: MarketSnapshot, state: S) => { readonly proposals: ReadonlyArray<UserProposal>; readonly state: S };
  /** Problems with the parameters, checked at start (optional). */
  readonly selfCheck?: (() => ReadonlyArray<string>) | undefined;
}

/** What `create` gets besides the parameters. */
export interface UserStrategyContext {
  readonly id: string;
  /** How long a proposal stays valid (the decision cycle), the default `ttlMs` of its proposals. */
  readonly ttlMs: number;
}

/** The default export of a user strategy module. */
export interface UserStrategyDefinition<P extends Readonly<Record<string, ParamValue>> = Readonly<Record<string, ParamValue>>, S = unknown> {
  readonly id: string;
  readonly summary: string;
  readonly defaults: P;
  readonly validate?: ((params: P) => ReadonlyArray<string>) | undefined;
  readonly create: (params: P, ctx: UserStrategyContext) => UserStrategy<S>;
}

/** Section keys every strategy has besides its parameters. */
const RESERVED = new Set(['enabled', 'caps']);

const Head = Schema.Struct({ enabled: Schema.optionalWith(Schema.Boolean, { default: () => false }), caps: Schema.optional(StrategyCapsSection) });
const decodeHead = Schema.decodeUnknownEither(Head, { errors: 'all', onExcessProperty: 'error' });
const encodeCaps = Schema.encodeSync(StrategyCapsSection);
const decodeProposal = Schema.decodeUnknownEither(TradeProposal, { errors: 'all', onExcessProperty: 'error' });

const isPlain = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a mapping' : `a ${typeof v}`);
const sameKind = (def: unknown, v: unknown): boolean =>
  def === null || (typeof def === 'number' ? typeof v === 'number' && Number.isFinite(v) : kindOf(def) === kindOf(v));

/** Runs the module's `validate`, turning a throw or a malformed answer into a problem. */
const problemsOf = (validate: ((p: never) => unknown) | undefined, params: Readonly<Record<string, unknown>>): string[] => {
  if (validate === undefined) return [];
  let answer: unknown;
  try {
    answer = validate(params as never);
  } catch (e) {
    return [`validate() threw: ${messageOf(e)}`];
  }
  if (!Array.isArray(answer) || !answer.every((p) => typeof p === 'string')) return ['validate() must return a list of problems (strings)'];
  return answer;
};

/** Splits a section into its reserved keys and its parameters. */
const split = (section: Readonly<Record<string, unknown>>): { head: Record<string, unknown>; params: Record<string, unknown> } => {
  const head: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(section)) (RESERVED.has(k) ? head : params)[k] = v;
  return { head, params };
};

/** Checks a module's default export and returns its registry entry, or what is wrong with it. */
export const userStrategyEntry = (file: string, exported: unknown): Either.Either<StrategyEntry, UserStrategyError> => {
  const fail = (problem: string) => Either.left(new UserStrategyError({ file, problem }));
  const shape = 'export default { id, summary, defaults, validate?, create } (docs/backtesting.md, Writing your own strategy)';
  if (!isPlain(exported)) return fail(`the default export is ${exported === undefined ? 'missing' : kindOf(exported)}; expected ${shape}`);
  const d = exported;
  if (typeof d['id'] !== 'string' || !STRATEGY_ID_PATTERN.test(d['id'])) {
    return fail(`id must be a lower-case letter then up to 23 lower-case letters, digits, _ or -; got ${JSON.stringify(d['id'])}`);
  }
  const id = d['id'];
  if (typeof d['summary'] !== 'string' || d['summary'].trim() === '') return fail(`${id}: summary must be a non-empty string`);
  if (!isPlain(d['defaults'])) return fail(`${id}: defaults must be a mapping of parameter names to default values; got ${kindOf(d['defaults'])}`);
  const defaults = d['defaults'];
  const reserved = Object.keys(defaults).filter((k) => RESERVED.has(k));
  if (reserved.length > 0) return fail(`${id}: defaults may not name ${reserved.join(', ')} (every strategy section has them)`);
  const odd = Object.entries(defaults).find(([, v]) => typeof v === 'function' || typeof v === 'undefined' || (typeof v === 'number' && !Number.isFinite(v)));
  if (odd !== undefined) return fail(`${id}: default ${odd[0]} must be a number, string, boolean, null, list or mapping`);
  if (d['validate'] !== undefined && typeof d['validate'] !== 'function') return fail(`${id}: validate must be a function (params) => problems`);
  if (typeof d['create'] !== 'function') return fail(`${id}: create must be a function (params, ctx) => strategy`);
  const validate = d['validate'] as ((p: never) => unknown) | undefined;
  const create = d['create'] as (p: unknown, ctx: UserStrategyContext) => unknown;
  const own = problemsOf(validate, defaults);
  if (own.length > 0) return fail(`${id}: its defaults fail its own validate: ${own.join('; ')}`);

  const decode = (section: unknown): Either.Either<StrategySection, string> => {
    if (!isPlain(section)) return Either.left(`expected a mapping, got ${kindOf(section)}`);
    const { head, params } = split(section);
    const h = decodeHead(head);
    const problems: string[] = Either.isLeft(h) ? [ParseResult.TreeFormatter.formatErrorSync(h.left)] : [];
    for (const [k, v] of Object.entries(params)) {
      if (!(k in defaults)) problems.push(`${k}: not a parameter of ${id} (its parameters: ${Object.keys(defaults).join(', ') || 'none'})`);
      else if (!sameKind(defaults[k], v)) problems.push(`${k}: expected ${kindOf(defaults[k])} like its default ${JSON.stringify(defaults[k])}, got ${JSON.stringify(v)}`);
    }
    const merged = { ...defaults, ...params };
    if (problems.length === 0) problems.push(...problemsOf(validate, merged));
    if (problems.length > 0 || Either.isLeft(h)) return Either.left(problems.join('; '));
    return Either.right({ enabled: h.right.enabled, ...(h.right.caps === undefined ? {} : { caps: h.right.caps }), ...merged });
  };

  const encode = (section: StrategySection & Readonly<Record<string, unknown>>): Record<string, unknown> => {
    const { params } = split(section);
    return { enabled: section.enabled, ...(section.caps === undefined ? {} : { caps: encodeCaps(section.caps) }), ...params };
  };

  const makeStrategy = (section: StrategySection & Readonly<Record<string, unknown>>, ctx: StrategyContext): Strategy<unknown> => {
    let made: unknown;
    try {
      made = create(split(section).params, { id, ttlMs: ctx.ttlMs });
    } catch (e) {
      throw new UserStrategyError({ file, problem: `${id}: create() threw: ${messageOf(e)}` });
    }
    if (!isPlain(made) || typeof made['init'] !== 'function' || typeof made['propose'] !== 'function' || (made['selfCheck'] !== undefined && typeof made['selfCheck'] !== 'function')) {
      throw new UserStrategyError({ file, problem: `${id}: create() must return { init(), propose(snapshot, state), selfCheck()? }; got ${kindOf(made)}` });
    }
    return wrapUserStrategy(file, id, made as unknown as UserStrategy<unknown>, ctx) as Strategy<unknown>;
  };

  return Either.right({ id, summary: d['summary'], file, decode, encode, create: makeStrategy });
};

/** The wrapped strategy's state: the module's own, and why it stopped (undefined while it runs). */
export interface UserStrategyState {
  readonly inner: unknown;
  readonly fault: string | undefined;
}

/** Decodes one returned proposal under the strategy's id, filling the defaults; throws what is wrong. */
const proposalOf = (raw: unknown, id: string, now: number, ttlMs: number): TradeProposal => {
  if (!isPlain(raw)) throw new Error(`a proposal must be a mapping of TradeProposal fields, got ${kindOf(raw)}`);
  if (raw['strategyId'] !== undefined && raw['strategyId'] !== id) throw new Error(`proposal ${JSON.stringify(raw['proposalId'])}: strategyId ${JSON.stringify(raw['strategyId'])} is not its own id ${id}`);
  const decoded = decodeProposal({ ...raw, strategyId: id, conviction: raw['conviction'] ?? 1, createdAt: raw['createdAt'] ?? now, ttlMs: raw['ttlMs'] ?? ttlMs });
  if (Either.isLeft(decoded)) throw new Error(`proposal ${JSON.stringify(raw['proposalId'])}: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left).replaceAll('\n', ' ')}`);
  return decoded.right;
};

/** Wraps a user strategy: its proposals decoded under its id; a throw or a malformed answer stops it for the run. */
export const wrapUserStrategy = (file: string, id: string, s: UserStrategy<unknown>, ctx: StrategyContext): Strategy<UserStrategyState> => ({
  id,
  init: () => ({ inner: s.init(), fault: undefined }),
  selfCheck: () => {
    try {
      const problems: unknown = s.selfCheck?.() ?? [];
      return Array.isArray(problems) && problems.every((p) => typeof p === 'string') ? problems : [`${file}: selfCheck() must return a list of problems (strings)`];
    } catch (e) {
      return [`${file}: selfCheck() threw: ${messageOf(e)}`];
    }
  },
  propose: (snapshot: MarketSnapshot, state: UserStrategyState): StrategyStep<UserStrategyState> => {
    if (state.fault !== undefined) return { proposals: [], state };
    try {
      const step: unknown = s.propose(snapshot, state.inner);
      if (!isPlain(step) || !Array.isArray(step['proposals'])) throw new Error('propose() must return { proposals: [...], state }');
      const proposals = (step['proposals'] as unknown[]).map((p) => proposalOf(p, id, snapshot.now, ctx.ttlMs));
      return { proposals, state: { inner: step['state'], fault: undefined } };
    } catch (e) {
      const fault = `${file}: ${id}.propose failed at ${new Date(snapshot.now).toISOString()}: ${messageOf(e)}; the strategy proposes nothing more in this run`;
      ctx.onFault?.(id, fault);
      return { proposals: [], state: { inner: state.inner, fault } };
    }
  },
});
