/**
 * STOP_MOVED (S0-11, S0-13, S0-18): sent once the venue confirmed a stop move — break-even, once, then each trailer
 * move — never on the request (X-ORD-2). The new and the previous stop and the TP are shown with their distance from
 * the OEP in percent; every field is required: rendering refuses without one. Pure.
 */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { exact, favourableMove, hashtag, lines, positionSide, requireFields, signedPercent, triggerName, type Rendered, type TemplateError } from './format.ts';

/** What STOP_MOVED is rendered from. */
export interface StopMovedInput {
  readonly symbol: string;
  /** The position's side; undefined when the notifier does not know the cycle's entry. */
  readonly side: 'long' | 'short' | undefined;
  /** What moved the stop: break-even (S0-11) or the trailer (S0-13). */
  readonly movedBy: 'breakEven' | 'trailing';
  /** The stop the venue confirmed. */
  readonly stopLoss: Decimal | undefined;
  /** The stop the venue held before the move. */
  readonly previousStopLoss: Decimal | undefined;
  /** The cycle's OEP, the first fill price every level derives from (S0-8). */
  readonly entryPrice: Decimal | undefined;
  /** The take-profit the move kept. */
  readonly takeProfit: Decimal | undefined;
  readonly triggerSource: 'mark' | 'last' | 'index' | undefined;
  /** The signal source's configured name (CRYPTORAKETEN) for a followed signal's trade; a strategy's own trade: its id. */
  readonly sourceChannelName: string | undefined;
}

/** The fields STOP_MOVED requires. */
export const STOP_MOVED_REQUIRED_FIELDS = ['symbol', 'side', 'movedBy', 'stopLoss', 'previousStopLoss', 'entryPrice', 'takeProfit', 'triggerSource', 'sourceChannelName'] as const;

const MOVED_BY = { breakEven: 'break-even', trailing: 'trailing' } as const;

/** Renders STOP_MOVED, or refuses when a required field is missing. */
export const renderStopMoved = (input: StopMovedInput): Either.Either<Rendered, TemplateError> =>
  Either.map(requireFields('STOP_MOVED', input, STOP_MOVED_REQUIRED_FIELDS), () => {
    const oep = input.entryPrice!;
    const level = (name: string, price: Decimal): string => `${name}: ${exact(price)} (${signedPercent(favourableMove(oep, price, input.side!))})`;
    return {
      template: 'STOP_MOVED',
      text: lines(
        `🔒 STOP MOVED ${hashtag(input.symbol)}`,
        `Side: ${positionSide(input.side!)}`,
        `Moved by: ${MOVED_BY[input.movedBy]}`,
        level('New SL', input.stopLoss!),
        level('Previous SL', input.previousStopLoss!),
        `OEP: ${exact(oep)}`,
        level('TP', input.takeProfit!),
        `Trigger: ${triggerName(input.triggerSource!)}`,
        `Source: ${input.sourceChannelName!}`,
      ),
    };
  });
