/**
 * Position arithmetic shared by the account models that hold positions (linear perpetuals, cash equities): the
 * mutable position record, average entry, realised and unrealised PnL, initial margin and the public view. Pure
 * functions over plain records; no events, no I/O.
 */
import { Decimal, ZERO } from '../../../../domain/money.ts';
import type { Side, TriggerSource } from '../../../../domain/orders.ts';
import type { SimPosition, SimPositionSide } from '../types.ts';

/** The engine's mutable view of one position (a hedge-mode leg carries its `positionSide`). */
export interface PositionState {
  readonly symbol: string;
  readonly positionSide: SimPositionSide | undefined;
  size: Decimal;
  entryPrice: Decimal;
  leverage: Decimal;
  cumRealisedPnl: Decimal;
  takeProfit: Decimal | undefined;
  stopLoss: Decimal | undefined;
  tpTrigger: TriggerSource;
  slTrigger: TriggerSource;
  seq: number;
  createdAt: number;
  updatedAt: number;
}

/** Returns the unrealised PnL of a position at a mark price. */
export const unrealisedPnl = (p: PositionState, mark: Decimal): Decimal => (p.size.isZero() ? ZERO : p.size.times(mark.minus(p.entryPrice)));

/** Returns a position's initial margin: |size| × entry / leverage. */
export const positionIM = (p: PositionState): Decimal => p.size.abs().times(p.entryPrice).dividedBy(p.leverage);

/** Returns the immutable public view of a position. */
export const positionView = (account: string, p: PositionState, mark: Decimal): SimPosition => ({
  account,
  symbol: p.symbol,
  size: p.size,
  entryPrice: p.entryPrice,
  leverage: p.leverage,
  markPrice: mark,
  positionValue: p.size.abs().times(p.entryPrice),
  unrealisedPnl: unrealisedPnl(p, mark),
  cumRealisedPnl: p.cumRealisedPnl,
  positionIM: positionIM(p),
  takeProfit: p.takeProfit,
  stopLoss: p.stopLoss,
  tpTrigger: p.tpTrigger,
  slTrigger: p.slTrigger,
  seq: p.seq,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  // One-way views keep exactly their old shape; only hedge legs name their side.
  ...(p.positionSide === undefined ? {} : { positionSide: p.positionSide }),
});

/** The result of applying one fill to a signed position. */
export interface PositionChange {
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  /** Price PnL realised by the reducing part of the fill (fees excluded). */
  readonly realised: Decimal;
}

/**
 * Applies a fill to a signed position: adding to it averages the entry price; reducing realises
 * (price − entry) × closed × direction; flipping through zero opens the rest at the fill price.
 */
export const applyFill = (size: Decimal, entryPrice: Decimal, side: Side, quantity: Decimal, price: Decimal): PositionChange => {
  const delta = side === 'buy' ? quantity : quantity.negated();
  if (size.isZero() || size.isPositive() === delta.isPositive()) {
    const newSize = size.plus(delta);
    const entry = size.abs().times(entryPrice).plus(quantity.times(price)).dividedBy(newSize.abs());
    return { size: newSize, entryPrice: entry, realised: ZERO };
  }
  const closed = Decimal.min(quantity, size.abs());
  const direction = size.isPositive() ? 1 : -1;
  const realised = price.minus(entryPrice).times(closed).times(direction);
  const newSize = size.plus(delta);
  if (newSize.isZero()) return { size: newSize, entryPrice: ZERO, realised };
  const flipped = newSize.isPositive() !== size.isPositive();
  return { size: newSize, entryPrice: flipped ? price : entryPrice, realised };
};

/** Returns whether an order on `side` would add to (or open) the position rather than reduce it. */
export const increases = (p: PositionState, side: Side): boolean => p.size.isZero() || p.size.isPositive() === (side === 'buy');

/** Returns the part of an order's quantity beyond what it closes of the position (all of it when it adds). */
export const openingQuantity = (p: PositionState, side: Side, quantity: Decimal): Decimal => {
  const reduces = !p.size.isZero() && p.size.isPositive() === (side === 'sell');
  return reduces ? Decimal.max(ZERO, quantity.minus(p.size.abs())) : quantity;
};
