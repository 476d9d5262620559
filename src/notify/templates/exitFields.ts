/**
 * The lines TP_HIT, SL_HIT and POSITION_CLOSED share: side, entry, exit, the move in the position's favour and the PnL
 * in money and in percent of the initial margin. Pure.
 */
import type { Decimal } from '../../domain/money.ts';
import { exact, favourableMove, positionSide, signedMoney, signedPercent } from './format.ts';

/** What every exit template is rendered from. */
export interface ExitInput {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly entryPrice: Decimal;
  /** The average exit price; undefined when the venue closed the position without one we know. */
  readonly exitPrice: Decimal | undefined;
  readonly quantity: Decimal;
  readonly realizedPnl: Decimal;
  /** The entry's initial margin; the PnL percent is of it (ROI on margin). */
  readonly initialMargin: Decimal | undefined;
  readonly settleAsset: string;
}

/** Returns the shared lines. */
export const exitLines = (input: ExitInput): string[] => {
  const pnlPercent = input.initialMargin === undefined || input.initialMargin.isZero() ? undefined : input.realizedPnl.div(input.initialMargin).times(100);
  return [
    `Side: ${positionSide(input.side)}`,
    `Entry: ${exact(input.entryPrice)}`,
    `Exit: ${input.exitPrice === undefined ? 'n/a' : exact(input.exitPrice)}`,
    ...(input.exitPrice === undefined ? [] : [`Move: ${signedPercent(favourableMove(input.entryPrice, input.exitPrice, input.side))}`]),
    `Quantity: ${exact(input.quantity)}`,
    `PnL: ${signedMoney(input.realizedPnl, input.settleAsset)}${pnlPercent === undefined ? '' : ` (${signedPercent(pnlPercent)})`}`,
  ];
};
