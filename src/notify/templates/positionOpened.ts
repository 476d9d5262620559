/**
 * POSITION_OPENED (S0-18): sent once the entry order's fill is journaled, and never before its ACK (X-ORD-2). TP and
 * SL are shown with their distance from the entry in percent; the S0-18 order fields are required. Pure.
 */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { ORDER_REQUIRED_FIELDS } from './orderPlaced.ts';
import { exact, favourableMove, hashtag, leverage, lines, money, positionSide, requireFields, signedPercent, triggerName, yesNo, type Rendered, type TemplateError } from './format.ts';

/** What POSITION_OPENED is rendered from. */
export interface PositionOpenedInput {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** The entry's first fill price (the OEP, S0-8). */
  readonly entryPrice: Decimal;
  readonly quantity: Decimal;
  readonly leverage: Decimal | undefined;
  readonly initialMargin: Decimal | undefined;
  readonly settleAsset: string;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  readonly orderId: string | undefined;
  readonly postOnly: boolean | undefined;
  readonly reduceOnly: boolean | undefined;
  /** Whether the venue confirmed, read back, the leverage the IM is figured at before the entry went out (S0-4). */
  readonly imConfirmed: boolean | undefined;
  /** The signal source's configured name (CRYPTORAKETEN) for a followed signal's order; a strategy's own order: its id. */
  readonly sourceChannelName: string | undefined;
  readonly triggerSource: 'mark' | 'last' | 'index' | undefined;
}

/** Renders POSITION_OPENED, or refuses when a required field is missing. */
export const renderPositionOpened = (input: PositionOpenedInput): Either.Either<Rendered, TemplateError> =>
  Either.map(requireFields('POSITION_OPENED', input, ORDER_REQUIRED_FIELDS), () => {
    const side = input.side === 'buy' ? 'long' : 'short';
    const level = (name: string, price: Decimal | undefined): string =>
      price === undefined ? `${name}: none` : `${name}: ${exact(price)} (${signedPercent(favourableMove(input.entryPrice, price, side))})`;
    return {
      template: 'POSITION_OPENED',
      text: lines(
        `📈 POSITION OPENED ${hashtag(input.symbol)}`,
        `Side: ${positionSide(input.side)}`,
        `Order ID: ${input.orderId!}`,
        `Entry: ${exact(input.entryPrice)}`,
        `Quantity: ${exact(input.quantity)}`,
        input.leverage === undefined ? undefined : `Leverage: ${leverage(input.leverage)}`,
        input.initialMargin === undefined ? undefined : `IM: ${money(input.initialMargin, input.settleAsset)}`,
        level('TP', input.takeProfit),
        level('SL', input.stopLoss),
        `Post-only: ${yesNo(input.postOnly!)}`,
        `Reduce-only: ${yesNo(input.reduceOnly!)}`,
        `IM confirmed: ${yesNo(input.imConfirmed!)}`,
        `Trigger: ${triggerName(input.triggerSource!)}`,
        `Source: ${input.sourceChannelName!}`,
      ),
    };
  });
