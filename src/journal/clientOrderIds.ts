/**
 * Client order ids (X-ORD-1, DESIGN §4): `<bot>-<strategy>-<seq36>-<attempt36>`, at most 36 characters of
 * `[A-Za-z0-9_-]` (Bybit's orderLinkId and Binance's newClientOrderId both accept this), where seq36 is a persisted,
 * monotonic journal counter, so ids stay unique across restarts. Retries of one request reuse its id; only a new
 * submission after a definitive rejection takes the next attempt. Performs no I/O except through the given journal.
 */
import { Data } from 'effect';
import type { Journal } from './Journal.ts';

/** The longest client order id any supported venue accepts. */
export const CLIENT_ORDER_ID_MAX_LENGTH = 36;
/** The bot part is cut to this many characters (a stable prefix: reconcile finds our orphans by it). */
export const BOT_PART_MAX = 8;
/** The strategy part is cut to this many characters. */
export const STRATEGY_PART_MAX = 12;
/** Attempts are written in base 36 with at most two digits. */
export const MAX_ATTEMPT = 36 * 36 - 1;
/** Name of the journal counter behind seq36. */
export const INTENT_SEQUENCE = 'intent_seq';

/** An input that cannot form a valid client order id. */
export class ClientOrderIdError extends Data.TaggedError('ClientOrderIdError')<{ readonly field: string; readonly detail: string }> {
  override get message(): string {
    return `client order id: ${this.field}: ${this.detail}`;
  }
}

/** The parts an id is built from. */
export interface ClientOrderIdParts {
  readonly botId: string;
  readonly strategyId: string;
  /** The intent sequence (a positive safe integer). */
  readonly seq: number;
  /** 0 for the first submission of an intent; retries of the same request keep it. */
  readonly attempt?: number | undefined;
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

/** Returns the id for the given parts; deterministic, so a retry rebuilds the same id. */
export const formatClientOrderId = (parts: ClientOrderIdParts): string => {
  const attempt = parts.attempt ?? 0;
  if (!Number.isSafeInteger(parts.seq) || parts.seq < 1) throw new ClientOrderIdError({ field: 'seq', detail: `must be a positive integer, got ${String(parts.seq)}` });
  if (!Number.isInteger(attempt) || attempt < 0 || attempt > MAX_ATTEMPT) {
    throw new ClientOrderIdError({ field: 'attempt', detail: `must be an integer in [0, ${MAX_ATTEMPT}], got ${String(attempt)}` });
  }
  // Worst case: 8 + 1 + 12 + 1 + 11 (MAX_SAFE_INTEGER in base 36) + 1 + 2 = 36.
  return `${botPart(parts.botId)}-${strategyPart(parts.strategyId)}-${parts.seq.toString(36)}-${attempt.toString(36)}`;
};

/** Returns the parts of one of our ids (bot and strategy as they appear in it), or undefined for a foreign id. */
export const parseClientOrderId = (id: string): { readonly bot: string; readonly strategy: string; readonly seq: number; readonly attempt: number } | undefined => {
  const m = /^([A-Za-z0-9_]{1,8})-([A-Za-z0-9_]{1,12})-([0-9a-z]{1,11})-([0-9a-z]{1,2})$/.exec(id);
  if (m === null || id.length > CLIENT_ORDER_ID_MAX_LENGTH) return undefined;
  const seq = parseInt(m[3] ?? '', 36);
  const attempt = parseInt(m[4] ?? '', 36);
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  return { bot: m[1] ?? '', strategy: m[2] ?? '', seq, attempt };
};

/**
 * Allocates the next intent sequence from the journal (committed before it returns) and returns the id for attempt 0
 * (or `attempt`). Pass `floorMs: clock.now()` to keep the counter at or above epoch ms: ids then stay unique even if the
 * journal file is lost and recreated, as long as fewer than one id per millisecond is issued on average.
 */
export const nextClientOrderId = (
  journal: Pick<Journal, 'nextSequence'>,
  opts: { readonly botId: string; readonly strategyId: string; readonly attempt?: number | undefined; readonly floorMs?: number | undefined },
): { readonly clientOrderId: string; readonly seq: number } => {
  // Validate before consuming a sequence number.
  botPart(opts.botId);
  strategyPart(opts.strategyId);
  const seq = journal.nextSequence(INTENT_SEQUENCE, opts.floorMs ?? 1);
  return { clientOrderId: formatClientOrderId({ botId: opts.botId, strategyId: opts.strategyId, seq, attempt: opts.attempt }), seq };
};
