/** POSITION_CLOSED (S0-18): the trade cycle ended (TRADE_CLOSED journaled): why, the exit, PnL and fees. Pure. */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { exitLines, type ExitInput } from './exitFields.ts';
import { hashtag, lines, money, type Rendered, type TemplateError } from './format.ts';

/** Why a position closed (TRADE_CLOSED's reason). */
export type CloseReason = 'takeProfit' | 'stopLoss' | 'liquidation' | 'external' | 'exit';

const REASONS: Readonly<Record<CloseReason, string>> = { takeProfit: 'Take profit', stopLoss: 'Stop loss', liquidation: 'Liquidation', external: 'Closed at the venue', exit: 'Strategy exit' };

/** What POSITION_CLOSED is rendered from. */
export interface PositionClosedInput extends ExitInput {
  readonly reason: CloseReason;
  readonly fees: Decimal;
}

/** Renders POSITION_CLOSED. */
export const renderPositionClosed = (input: PositionClosedInput): Either.Either<Rendered, TemplateError> =>
  Either.right({
    template: 'POSITION_CLOSED',
    text: lines(`🏁 POSITION CLOSED ${hashtag(input.symbol)}`, `Reason: ${REASONS[input.reason]}`, ...exitLines(input), `Fees: ${money(input.fees, input.settleAsset)}`),
  });
