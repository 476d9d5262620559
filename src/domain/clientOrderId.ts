/**
 * The one grammar of our client order ids (X-ORD-1, DESIGN §4), format and parse: a base `<bot>-<strategy>-<seq36>-<attempt36>`
 * for an intent's first order, and a role suffix for the orders derived from it — `-r<n>` a re-priced entry, `-p<n>`
 * the next part of an entry split at the venue's maximum order quantity (S0-16), `-x<n>` a strategy exit, `-f<n>` a
 * flatten. At most 36 characters of `[A-Za-z0-9_-]` (the tightest client-id
 * field among the venues we bind). Pure; the persisted counter behind `seq36` lives in the journal (`journal/clientOrderIds.ts`).
 */
import { Data } from 'effect';

/** The longest client order id any supported venue accepts. */
export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
/** The bot part is cut to this many characters (a stable prefix: reconcile finds our orphans by it). */
export const BOT_PART_MAX = 8;
/** The strategy part is cut to this many characters. */
export const STRATEGY_PART_MAX = 12;
/** Attempts are written in base 36 with at most two digits. */
export const MAX_ATTEMPT = 36 * 36 - 1;

/** An input that cannot form a valid client order id. */
export class ClientOrderIdError extends Data.TaggedError('ClientOrderIdError')<{ readonly field: string; readonly detail: string }> {
  override get message(): string {
    return `client order id: ${this.field}: ${this.detail}`;
  }
}

/** The parts a base id is built from. */
export interface ClientOrderIdParts {
  readonly botId: string;
  readonly strategyId: string;
  /** The intent sequence (a positive safe integer). */
  readonly seq: number;
  /** 0 for the first submission of an intent; retries of the same request keep it. */
  readonly attempt?: number | undefined;
}

/**
 * What an order derived from an intent is for: the entry (its re-prices, parts), a strategy exit, a flatten, a ladder
 * add-on (S0-9), the hedge leg's opening order or its closing order (S0-12).
 */
export type ClientOrderRole = 'entry' | 'exit' | 'flatten' | 'addOn' | 'hedge' | 'unhedge';

/** One of our ids, parsed. */
export interface ParsedClientOrderId {
  readonly bot: string;
  readonly strategy: string;
  readonly seq: number;
  readonly attempt: number;
  /** The intent's base id (the id without its role suffix). */
  readonly base: string;
  readonly role: ClientOrderRole;
  /** The n of `-r<n>`, `-p<n>`, `-x<n>`, `-f<n>`, `-a<n>`, `-h<n>`, `-u<n>`; 0 for the base id. */
  readonly n: number;
}

/** Returns the bot part of every id of `botId` (validated: `[A-Za-z0-9_]+`, cut to BOT_PART_MAX). */
export const botPart = (botId: string): string => {
  if (!/^[A-Za-z0-9_]+$/.test(botId)) throw new ClientOrderIdError({ field: 'botId', detail: `must match [A-Za-z0-9_]+, got ${JSON.stringify(botId)}` });
  return botId.slice(0, BOT_PART_MAX);
};

/** Returns the strategy part (validated: `[A-Za-z0-9_-]+`; `-` becomes `_` so the id splits unambiguously; cut to STRATEGY_PART_MAX). */
export const strategyPart = (strategyId: string): string => {
  if (!/^[A-Za-z0-9_-]+$/.test(strategyId)) {
    throw new ClientOrderIdError({ field: 'strategyId', detail: `must match [A-Za-z0-9_-]+, got ${JSON.stringify(strategyId)}` });
  }
  return strategyId.replaceAll('-', '_').slice(0, STRATEGY_PART_MAX);
};

/** Returns the prefix (`<bot>-`) shared by every client order id of this bot: the orphan filter of reconcile. */
export const clientOrderIdPrefix = (botId: string): string => `${botPart(botId)}-`;

/** Returns the base id for the given parts; deterministic, so a retry rebuilds the same id. */
export const formatClientOrderId = (parts: ClientOrderIdParts): string => {
  const attempt = parts.attempt ?? 0;
  if (!Number.isSafeInteger(parts.seq) || parts.seq < 1) throw new ClientOrderIdError({ field: 'seq', detail: `must be a positive integer, got ${String(parts.seq)}` });
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > MAX_ATTEMPT) {
    throw new ClientOrderIdError({ field: 'attempt', detail: `must be an integer in [0, ${MAX_ATTEMPT}], got ${String(attempt)}` });
  }
  // Worst case: 8 + 1 + 12 + 1 + 11 (MAX_SAFE_INTEGER in base 36) + 1 + 2 = 36; a seq floored at epoch ms has 8 digits,
  // which leaves room for the role suffixes.
  return `${botPart(parts.botId)}-${strategyPart(parts.strategyId)}-${parts.seq.toString(36)}-${attempt.toString(36)}`;
};

const SUFFIX: Readonly<Record<Exclude<ClientOrderRole, 'entry'>, string>> = { exit: 'x', flatten: 'f', addOn: 'a', hedge: 'h', unhedge: 'u' };

const ROLE_OF: Readonly<Record<string, ClientOrderRole>> = { x: 'exit', f: 'flatten', a: 'addOn', h: 'hedge', u: 'unhedge' };

/** Returns the id of an entry attempt: the intent's base id for the first, `<base>-r<attempt>` for re-prices. */
export const entryAttemptId = (base: string, attempt: number): string => (attempt === 0 ? base : `${base}-r${attempt}`);

/**
 * Returns the id of the n-th further entry order of an intent's cycle that starts the next part of a split entry
 * (S0-16): `<base>-p<n>`. Re-prices and parts share the counter n (the entry orders sent before it), so every entry
 * order of a cycle has its own id and the same events give the same ids.
 */
export const entryPartId = (base: string, n: number): string => `${base}-p${n}`;

/** Returns the id of the n-th exit (or flatten) order of an intent's cycle: `<base>-x<n>` / `<base>-f<n>`. */
export const exitOrderId = (base: string, n: number, role: 'exit' | 'flatten'): string => `${base}-${SUFFIX[role]}${n}`;

/** Returns the id of the n-th add-on of a position's pyramid ladder (S0-9): `<base>-a<n>`. */
export const addOnOrderId = (base: string, n: number): string => `${base}-${SUFFIX.addOn}${n}`;

/** Returns the id of the n-th order opening a position's hedge leg (S0-12): `<base>-h<n>`. */
export const hedgeOrderId = (base: string, n: number): string => `${base}-${SUFFIX.hedge}${n}`;

/** Returns the id of the n-th reduce-only order closing a position's hedge leg (S0-12): `<base>-u<n>`. */
export const unhedgeOrderId = (base: string, n: number): string => `${base}-${SUFFIX.unhedge}${n}`;

/** Parses one of our ids (with or without a role suffix); undefined for an id that is not ours by this grammar. */
export const parseClientOrderId = (id: string): ParsedClientOrderId | undefined => {
  if (id.length > CLIENT_ORDER_ID_MAX_LENGTH) return undefined;
  const m = /^(([A-Za-z0-9_]{1,8})-([A-Za-z0-9_]{1,12})-([0-9a-z]{1,11})-([0-9a-z]{1,2}))(?:-([rxfpahu])([1-9]\d{0,3}))?$/.exec(id);
  if (m === null) return undefined;
  const seq = parseInt(m[4] ?? '', 36);
  const attempt = parseInt(m[5] ?? '', 36);
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  const kind = m[6];
  const role: ClientOrderRole = kind === undefined ? 'entry' : (ROLE_OF[kind] ?? 'entry');
  return { bot: m[2] ?? '', strategy: m[3] ?? '', seq, attempt, base: m[1] ?? id, role, n: kind === undefined ? 0 : Number(m[7]) };
};

/** Returns whether an id is a later part of a split entry (`<base>-p<n>`, S0-16), not its first order or a re-price. */
export const isEntryPartId = (id: string): boolean => /-p[1-9]\d{0,3}$/.test(id) && parseClientOrderId(id)?.role === 'entry';

/** Returns whether an id is a reduce-only order of ours (a strategy exit, a flatten, a hedge leg's close). */
export const isReducingOrderId = (id: string): boolean => {
  const p = parseClientOrderId(id);
  return p !== undefined && (p.role === 'exit' || p.role === 'flatten' || p.role === 'unhedge');
};
