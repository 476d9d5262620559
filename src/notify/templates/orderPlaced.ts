/**
 * ORDER_PLACED (S0-18): sent once the venue acknowledged an entry order (X-ORD-2). Order id, post-only, reduce-only,
 * IM confirmed, the source channel and the trigger source are required: rendering refuses without one. Pure.
 */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { exact, hashtag, leverage, lines, money, positionSide, requireFields, triggerName, yesNo, type Rendered, type TemplateError } from './format.ts';

/** What ORDER_PLACED is rendered from. */
export interface OrderPlacedInput {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** The limit price; undefined for a market order. */
  readonly price: Decimal | undefined;
  readonly quantity: Decimal;
  readonly leverage: Decimal | undefined;
  /** Initial margin (notional / leverage) in the settle asset. */
  readonly initialMargin: Decimal | undefined;
  readonly settleAsset: string;
  readonly clientOrderId: string;
  readonly orderId: string | undefined;
  readonly postOnly: boolean | undefined;
  readonly reduceOnly: boolean | undefined;
  /** Whether the venue confirmed, read back, the leverage the IM is figured at before the entry went out (S0-4). */
  readonly imConfirmed: boolean | undefined;
  /** The signal source's configured name (CRYPTORAKETEN) for a followed signal's order; a strategy's own order: its id. */
  readonly sourceChannelName: string | undefined;
  readonly triggerSource: 'mark' | 'last' | 'index' | undefined;
}

/** The fields S0-18 requires of ORDER_PLACED and POSITION_OPENED. */
export const ORDER_REQUIRED_FIELDS = ['orderId', 'postOnly', 'reduceOnly', 'imConfirmed', 'sourceChannelName', 'triggerSource'] as const;

/** Renders ORDER_PLACED, or refuses when a required field is missing. */
export const renderOrderPlaced = (input: OrderPlacedInput): Either.Either<Rendered, TemplateError> =>
  Either.map(requireFields('ORDER_PLACED', input, ORDER_REQUIRED_FIELDS), () => ({
    template: 'ORDER_PLACED',
    text: lines(
      `🟢 ORDER PLACED ${hashtag(input.symbol)}`,
      `Side: ${positionSide(input.side)}`,
      `Order ID: ${input.orderId!}`,
      `Client order ID: ${input.clientOrderId}`,
      `Price: ${input.price === undefined ? 'market' : exact(input.price)}`,
      `Quantity: ${exact(input.quantity)}`,
      input.leverage === undefined ? undefined : `Leverage: ${leverage(input.leverage)}`,
      input.initialMargin === undefined ? undefined : `IM: ${money(input.initialMargin, input.settleAsset)}`,
      `Post-only: ${yesNo(input.postOnly!)}`,
      `Reduce-only: ${yesNo(input.reduceOnly!)}`,
      `IM confirmed: ${yesNo(input.imConfirmed!)}`,
      `Trigger: ${triggerName(input.triggerSource!)}`,
      `Source: ${input.sourceChannelName!}`,
    ),
  }));
