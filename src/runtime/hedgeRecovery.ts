/**
 * Recovery of a trade actor's hedge leg at restart (S0-12): the venue's leg decides. A leg its TP or SL closed while
 * the process was down reaches the actor as the flat update the stream would have sent, with the venue's own fills for
 * that leg (so the hedge's PnL is counted); a leg still open whose TP/SL the actor was asking for is asked again (the
 * answer was lost with the process). Everything else about the leg (its orders and fills) is the order recovery's.
 */
import { dec } from '../domain/money.ts';
import type { Position } from '../domain/orders.ts';
import { hasOpenHedge, hedgeLegOf, hedgeOf } from '../../machines/trade/hedgeLogic.ts';
import { isProtectingHedge } from '../../machines/trade/tradeQueries.ts';
import { positionChangedEvent } from '../../machines/trade/venueEvents.ts';
import { Effect, Either } from 'effect';
import type { ActorHost } from './ActorHost.ts';
import type { RecoveryPort } from './recovery.ts';

/** Brings the actor's hedge leg in line with the venue's; one line per action in `actions`. */
export const recoverHedge = async (
  port: Pick<RecoveryPort, 'venue' | 'journal' | 'now' | 'protect' | 'triggerSource'>, symbol: string, host: ActorHost, actions: string[],
  readPositions: (symbol: string) => Promise<ReadonlyArray<Position>>,
): Promise<void> => {
  const snapshot = host.snapshot();
  const c = snapshot.context;
  const h = hedgeOf(c);
  if (c.intent === null || !hasOpenHedge(c)) return;
  const leg = hedgeLegOf(c.intent.side);
  const venueLeg = (await readPositions(symbol)).find((p) => p.symbol === symbol && p.leg === leg && p.side !== 'flat' && p.quantity.gt(0));
  if (venueLeg === undefined) {
    // Closing the hedge leg trades the position's own side; fills of no order of ours since the hedge went out.
    const since = Math.min(...c.orderIds.map((id) => port.journal.getOrder(id)?.createdTs ?? port.now())) - 60_000;
    const read = await Effect.runPromise(Effect.either(port.venue.executionsSince(since, symbol)));
    const fills = Either.isRight(read) ? read.right.filter((f) => !c.orderIds.includes(f.clientOrderId) && !c.seenTradeIds.includes(f.tradeId) && f.side === c.intent?.side) : [];
    host.send({ ...positionChangedEvent(undefined, fills, port.now()), leg });
    actions.push(`${symbol}: hedge leg flat at the venue${fills.length > 0 ? ` (${String(fills.length)} venue fills)` : ''} (${host.state()})`);
    return;
  }
  if (!isProtectingHedge(snapshot) || h.takeProfit === null || h.stopLoss === null) return;
  const result = await port.protect({ symbol, takeProfit: dec(h.takeProfit), stopLoss: dec(h.stopLoss), trigger: port.triggerSource, leg });
  host.send(result);
  actions.push(`${symbol}: hedge leg TP/SL asked again (${result.type}; ${host.state()})`);
};
