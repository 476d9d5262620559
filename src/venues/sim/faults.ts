/**
 * Fault injection for the simulator's wire façades: the `FaultPlan` schema (the JSON body of `POST /sim/control/faults`),
 * the compact `--faults` spec grammar, and the seeded dice every probabilistic fault is drawn from. Pure; performs
 * no I/O and never reads the wall clock or `Math.random`, so a run with the same seed injects the same faults.
 *
 * Spec grammar (comma-separated items, whitespace ignored; `<p>` is a probability in [0, 1]; `<dur>` is an integer
 * followed by `ms`, `s` or `m`, a bare integer meaning milliseconds):
 *
 *   ws-drop@<dur>              drop every WS connection each <dur> of engine time
 *   ws-drop:<p>                drop the connection instead of sending a frame, per outgoing frame
 *   gap:<p>                    skip an order-book delta (the next one arrives with u advanced by 2; its content is lost)
 *   dup:<p>                    send an order-book delta twice (same u)
 *   reorder:<p>                hold an order-book delta and send it after the next one
 *   delay:<dur>                delay every WS frame and HTTP response by <dur> (order kept)
 *   http429:<p>[@<dur>]        answer HTTP 429 with `Retry-After` (default 1 s; rounded up to whole seconds)
 *   ratelimit:<p>              answer HTTP 200 with retCode 10006 and the rate-limit headers
 *   http5xx:<p>                answer HTTP 500/502/503
 *   timeout-after-accept:<p>[@<dur>|@never]   perform a mutating request, then hold the socket and destroy it after
 *                              <dur> (default 2 s), or never answer
 *   skew:<signed dur>          shift the server clock (e.g. skew:-1500ms)
 *   reject:<retCode>@<p>       refuse order creation with that retCode (repeatable)
 *   no-pong:<p>                ignore a WS ping
 *   seed:<int>                 reseed the dice
 *
 * Example: `ws-drop@30s,gap:0.01,dup:0.01,reorder:0.01,delay:50ms,http429:0.05,http5xx:0.02,timeout-after-accept:0.2,skew:300ms,reject:110007@0.1`.
 */
import { Either, ParseResult, Schema } from 'effect';
import { seededRandom } from '../../kernel/random.ts';

const Probability = Schema.Number.pipe(Schema.between(0, 1));
const NonNegativeInt = Schema.Number.pipe(Schema.int(), Schema.nonNegative());
const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive());

/** A forced reject: refuse order creation with `retCode` at probability `rate`. */
export const ForcedReject = Schema.Struct({
  retCode: PositiveInt,
  rate: Probability,
});

/** The faults a façade injects; every field is optional on input and defaults to "no fault". */
export const FaultPlan = Schema.Struct({
  /** Reseeds the dice when the plan is applied. */
  seed: Schema.optional(Schema.Number.pipe(Schema.int())),
  /** Drop every WS connection each this many ms of engine time. */
  wsDropEveryMs: Schema.optional(PositiveInt),
  wsDropRate: Schema.optionalWith(Probability, { default: () => 0 }),
  gapRate: Schema.optionalWith(Probability, { default: () => 0 }),
  dupRate: Schema.optionalWith(Probability, { default: () => 0 }),
  reorderRate: Schema.optionalWith(Probability, { default: () => 0 }),
  delayMs: Schema.optionalWith(NonNegativeInt, { default: () => 0 }),
  http429Rate: Schema.optionalWith(Probability, { default: () => 0 }),
  retryAfterSeconds: Schema.optionalWith(PositiveInt, { default: () => 1 }),
  rateLimitRate: Schema.optionalWith(Probability, { default: () => 0 }),
  http5xxRate: Schema.optionalWith(Probability, { default: () => 0 }),
  timeoutAfterAcceptRate: Schema.optionalWith(Probability, { default: () => 0 }),
  /** How long an accepted-then-timed-out request holds its socket; null holds it until the server closes. */
  timeoutHoldMs: Schema.optionalWith(Schema.NullOr(NonNegativeInt), { default: () => 2000 }),
  clockSkewMs: Schema.optionalWith(Schema.Number.pipe(Schema.int()), { default: () => 0 }),
  rejects: Schema.optionalWith(Schema.Array(ForcedReject), { default: () => [] }),
  pongDropRate: Schema.optionalWith(Probability, { default: () => 0 }),
});

/** A decoded fault plan (every default filled in). */
export type FaultPlan = Schema.Schema.Type<typeof FaultPlan>;
/** A fault plan as JSON: every field optional. */
export type FaultPlanInput = Schema.Schema.Encoded<typeof FaultPlan>;

/** Decodes an unknown value (e.g. a control request body) into a plan, or a readable list of the failing paths. */
export const decodeFaultPlan = (input: unknown): Either.Either<FaultPlan, string> =>
  Schema.decodeUnknownEither(FaultPlan)(input, { errors: 'all', onExcessProperty: 'error' }).pipe(
    Either.mapLeft((e) => ParseResult.TreeFormatter.formatErrorSync(e)),
  );

/** Returns a full plan from a partial one; throws on invalid values (for code that builds plans by hand). */
export const makeFaultPlan = (input: FaultPlanInput = {}): FaultPlan => Schema.decodeUnknownSync(FaultPlan)(input);

/** The plan that injects nothing. */
export const NO_FAULTS: FaultPlan = makeFaultPlan({});

const parseDuration = (text: string, allowNegative: boolean): number | undefined => {
  const m = /^([+-]?)(\d+)(ms|s|m)?$/.exec(text.trim());
  if (m === null) return undefined;
  const sign = m[1] === '-' ? -1 : 1;
  if (sign < 0 && !allowNegative) return undefined;
  const n = Number(m[2]);
  const unit = m[3] ?? 'ms';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000;
  return sign * n * factor;
};

const parseProbability = (text: string): number | undefined => {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text.trim())) return undefined;
  const p = Number(text);
  return p >= 0 && p <= 1 ? p : undefined;
};

/** Parses the compact `--faults` spec (grammar in this file's header) into a plan, or returns what is wrong with it. */
export const parseFaultSpec = (spec: string): Either.Either<FaultPlan, string> => {
  const plan: { -readonly [K in keyof FaultPlanInput]: FaultPlanInput[K] } = {};
  const rejects: Array<{ retCode: number; rate: number }> = [];
  const problems: string[] = [];
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    const bad = (why: string) => problems.push(`${JSON.stringify(item)}: ${why}`);
    const m = /^([a-z0-9-]+)([:@])(.*)$/.exec(item);
    if (m === null) {
      bad('expected <name>:<value> or <name>@<value>');
      continue;
    }
    const [, name, sep, rest = ''] = m;
    const [valuePart = '', atPart] = sep === '@' ? [undefined, rest] : rest.split('@', 2);
    const prob = (): number | undefined => {
      const p = parseProbability(valuePart);
      if (p === undefined) bad('expected a probability in [0, 1]');
      return p;
    };
    switch (name) {
      case 'ws-drop': {
        if (sep === '@') {
          const d = parseDuration(rest, false);
          if (d === undefined || d <= 0) bad('expected a positive duration such as 30s');
          else plan.wsDropEveryMs = d;
        } else {
          const p = prob();
          if (p !== undefined) plan.wsDropRate = p;
        }
        break;
      }
      case 'gap':
      case 'dup':
      case 'reorder':
      case 'ratelimit':
      case 'http5xx':
      case 'no-pong': {
        const p = sep === ':' ? prob() : (bad('expected <name>:<probability>'), undefined);
        if (p === undefined) break;
        if (name === 'gap') plan.gapRate = p;
        else if (name === 'dup') plan.dupRate = p;
        else if (name === 'reorder') plan.reorderRate = p;
        else if (name === 'ratelimit') plan.rateLimitRate = p;
        else if (name === 'http5xx') plan.http5xxRate = p;
        else plan.pongDropRate = p;
        break;
      }
      case 'delay': {
        const d = sep === ':' ? parseDuration(rest, false) : undefined;
        if (d === undefined) bad('expected delay:<duration>, e.g. delay:50ms');
        else plan.delayMs = d;
        break;
      }
      case 'http429': {
        const p = sep === ':' ? prob() : (bad('expected http429:<probability>[@<duration>]'), undefined);
        if (p === undefined) break;
        plan.http429Rate = p;
        if (atPart !== undefined) {
          const d = parseDuration(atPart, false);
          if (d === undefined || d <= 0) bad('Retry-After must be a positive duration');
          else plan.retryAfterSeconds = Math.ceil(d / 1000);
        }
        break;
      }
      case 'timeout-after-accept': {
        const p = sep === ':' ? prob() : (bad('expected timeout-after-accept:<probability>[@<duration>|@never]'), undefined);
        if (p === undefined) break;
        plan.timeoutAfterAcceptRate = p;
        if (atPart === 'never') plan.timeoutHoldMs = null;
        else if (atPart !== undefined) {
          const d = parseDuration(atPart, false);
          if (d === undefined) bad('hold must be a duration or "never"');
          else plan.timeoutHoldMs = d;
        }
        break;
      }
      case 'skew': {
        const d = sep === ':' ? parseDuration(rest, true) : undefined;
        if (d === undefined) bad('expected skew:<signed duration>, e.g. skew:-1500ms');
        else plan.clockSkewMs = d;
        break;
      }
      case 'reject': {
        const code = sep === ':' && atPart !== undefined && /^\d+$/.test(valuePart) ? Number(valuePart) : undefined;
        const p = atPart === undefined ? undefined : parseProbability(atPart);
        if (code === undefined || code <= 0 || p === undefined) bad('expected reject:<retCode>@<probability>');
        else rejects.push({ retCode: code, rate: p });
        break;
      }
      case 'seed': {
        if (sep !== ':' || !/^-?\d+$/.test(rest)) bad('expected seed:<integer>');
        else plan.seed = Number(rest);
        break;
      }
      default:
        bad('unknown fault');
    }
  }
  if (problems.length > 0) return Either.left(`invalid fault spec: ${problems.join('; ')}`);
  if (rejects.length > 0) plan.rejects = rejects;
  return decodeFaultPlan(plan);
};

/** A seeded source of uniform numbers in [0, 1). */
export interface Rng {
  /** Returns the next uniform number in [0, 1). */
  next(): number;
  /** Returns true with probability `p` (draws nothing when p is 0 or 1, so unused faults do not shift the sequence). */
  chance(p: number): boolean;
  /** Returns one of the given items, uniformly. */
  pick<A>(items: ReadonlyArray<A>): A;
}

/** Returns the fault dice: the kernel's seeded mulberry32 generator with `chance` and `pick` on top. */
export const createRng = (seed: number): Rng => {
  const next = seededRandom(seed);
  return {
    next,
    chance: (p) => (p <= 0 ? false : p >= 1 ? true : next() < p),
    pick: <A>(items: ReadonlyArray<A>): A => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
};
