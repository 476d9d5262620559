/**
 * The mark feed of stop management (S0-11, S0-13): a ticker's trigger-source price (the profile's mark, last or
 * index, the price the venue triggers the stop on) goes to the symbol's actor only when its managed stop would move on
 * it (the chart's own `plannedStopMove`), its pyramid ladder would climb (`ladderStepAt`, S0-9) or its hedge would open
 * (`plannedHedge`, S0-12), so an actor journals a
 * transition per stop move or ladder step, never per tick.
 */
import { plannedStopMove } from '../../machines/trade/stopManagement.ts';
import { ladderStepAt } from '../../machines/trade/ladderLogic.ts';
import { plannedHedge } from '../../machines/trade/hedgeLogic.ts';
import { climbsLadder, takesMarks, watchesHedge } from '../../machines/trade/tradeQueries.ts';
import type { TriggerSource } from '../domain/orders.ts';
import type { MarketEvent } from '../venues/streams.ts';
import type { HostRegistry } from './ports.ts';

/**
 * Sends `market.mark` to the ticker's actor when its stop would move on the ticker's trigger-source price. A hedge's
 * trigger goes only while the trading gate is open (`gateOpen`): it opens exposure, and a restart's recovery holds the
 * gate closed (the order would be refused locally and the cycle's one hedge spent).
 */
export const deliverMark = (hosts: HostRegistry, trigger: TriggerSource, e: MarketEvent, at: number, gateOpen = true): void => {
  if (e.type !== 'ticker') return;
  const price = trigger === 'mark' ? e.markPrice : trigger === 'last' ? e.lastPrice : e.indexPrice;
  const host = price === undefined ? undefined : hosts.host(e.symbol);
  if (price === undefined || host === undefined || host.isStopped()) return;
  const snapshot = host.snapshot();
  const p = price.toString();
  // S0-12: a mark past the hedge trigger opens the hedge (a position without stop management takes those alone).
  if (gateOpen && watchesHedge(snapshot) && plannedHedge(snapshot.context, p) !== undefined) {
    host.send({ type: 'market.mark', price: p, at });
    return;
  }
  // S0-9: a mark the pyramid ladder would climb on is delivered too (one step per mark).
  if (!takesMarks(snapshot) || (plannedStopMove(snapshot.context, p) === undefined && !(climbsLadder(snapshot) && ladderStepAt(snapshot.context, p) !== undefined))) return;
  host.send({ type: 'market.mark', price: p, at });
};
