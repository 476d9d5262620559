/**
 * Client order ids backed by the journal (X-ORD-1): the grammar lives in `src/domain/clientOrderId.ts`; this module
 * allocates the persisted, monotonic intent sequence behind it, so ids stay unique across restarts. Performs no I/O
 * except through the given journal.
 */
import { botPart, formatClientOrderId, strategyPart } from '../domain/clientOrderId.ts';
import type { Journal } from './Journal.ts';

export {
  BOT_PART_MAX, CLIENT_ORDER_ID_MAX_LENGTH, ClientOrderIdError, MAX_ATTEMPT, STRATEGY_PART_MAX, botPart, clientOrderIdPrefix, formatClientOrderId,
  parseClientOrderId, strategyPart, type ClientOrderIdParts,
} from '../domain/clientOrderId.ts';

/** Name of the journal counter behind seq36. */
export const INTENT_SEQUENCE = 'intent_seq';

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
