/**
 * Which of the venue's positions is an actor's own (S0-12): in hedge mode the venue reports both legs of a symbol, and
 * an actor's position is the leg of its side (the other is its hedge, recovered and judged on its own); an actor
 * without a cycle meets whichever leg is open. One-way positions name no leg and are the actor's as before.
 */
import type { Position, ProtectionRequest } from '../domain/orders.ts';
import type { TradeSnapshotLike } from '../../machines/trade/tradeQueries.ts';

/** Returns the open position of `symbol` that belongs to the actor of `snapshot`, if any. */
export const ownPosition = (positions: ReadonlyArray<Position>, symbol: string, snapshot?: TradeSnapshotLike): Position | undefined => {
  const side = snapshot?.context.intent?.side;
  const own = side === undefined ? undefined : side === 'buy' ? 'long' : 'short';
  return positions.find((p) => p.symbol === symbol && p.side !== 'flat' && p.quantity.gt(0) && (p.leg === undefined || own === undefined || p.leg === own));
};

/** The request with the position's leg named (hedge mode); unchanged for a one-way position. */
export const onLegOf = (request: ProtectionRequest, position: Position | undefined): ProtectionRequest =>
  position?.leg === undefined ? request : { ...request, leg: position.leg };
