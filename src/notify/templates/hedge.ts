/**
 * HEDGE (S0-12, S0-18): sent when a position's hedge leg opened — only once the venue filled it and holds its TP/SL
 * (X-ORD-2) — when it closed, with its net PnL, and when it could not be opened or protected, with the reason. The hedge
 * is the other side of the position (a short leg for a long), for the size held, TP at the position's original stop
 * and SL at the OEP (S0-8). Every field but the PnL and the reason is required: rendering refuses without one. Pure.
 */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { exact, hashtag, lines, positionSide, requireFields, signedMoney, TemplateError, type Rendered } from './format.ts';

/** What HEDGE is rendered from. */
export interface HedgeInput {
  readonly symbol: string;
  /** The position's side (the hedge is the other). */
  readonly side: 'long' | 'short' | undefined;
  /** `on`: opened and protected; `off`: flat again; `refused`: not opened or not protected. */
  readonly action: 'on' | 'off' | 'refused';
  /** The OEP the hedge's trigger and SL derive from (S0-8). */
  readonly entryPrice: Decimal | undefined;
  /** The hedge leg's size. */
  readonly quantity: Decimal | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  /** The hedge leg's net PnL once closed. */
  readonly pnl: Decimal | undefined;
  readonly settleAsset: string | undefined;
  /** Why the hedge failed. */
  readonly reason: string | undefined;
  readonly sourceChannelName: string | undefined;
}

/** The fields HEDGE requires. */
export const HEDGE_REQUIRED_FIELDS = ['symbol', 'side', 'action', 'entryPrice', 'quantity', 'takeProfit', 'stopLoss', 'settleAsset', 'sourceChannelName'] as const;

const TITLE = { on: 'HEDGE OPENED', off: 'HEDGE CLOSED', refused: 'HEDGE NOT OPENED' } as const;

/** Renders HEDGE, or refuses when a required field is missing (a closed hedge needs its PnL). */
export const renderHedge = (input: HedgeInput): Either.Either<Rendered, TemplateError> =>
  Either.flatMap(requireFields('HEDGE', input, HEDGE_REQUIRED_FIELDS), () => {
    if (input.action === 'off' && input.pnl === undefined) return Either.left(new TemplateError({ template: 'HEDGE', reason: { _tag: 'MissingField', field: 'pnl' } }));
    const hedgeSide = input.side === 'long' ? 'short' : 'long';
    return Either.right({
      template: 'HEDGE',
      text: lines(
        `🛡 ${TITLE[input.action]} ${hashtag(input.symbol)}`,
        `Position: ${positionSide(input.side!)}, hedge ${positionSide(hedgeSide)} ${exact(input.quantity!)}`,
        `OEP: ${exact(input.entryPrice!)}`,
        `Hedge TP: ${exact(input.takeProfit!)} (the position's SL)`,
        `Hedge SL: ${exact(input.stopLoss!)} (the OEP)`,
        input.action === 'off' ? `Hedge PnL: ${signedMoney(input.pnl!, input.settleAsset!)}` : undefined,
        input.action === 'refused' ? `Reason: ${input.reason ?? 'not given'}` : undefined,
        `Source: ${input.sourceChannelName!}`,
      ),
    });
  });
