/** ERROR (S0-1, S0-3, S0-15): an order refused, a protection that could not be set, a signal rejected. Pure. */
import { Either } from 'effect';
import { hashtag, lines, requireFields, type Rendered, type TemplateError } from './format.ts';

/** What ERROR is rendered from. */
export interface ErrorInput {
  /** What failed, e.g. `ORDER_REJECTED`, `PROTECTION_FAILED`. */
  readonly code: string;
  readonly message: string;
  readonly symbol?: string | undefined;
  readonly clientOrderId?: string | undefined;
  /** The venue's own code or category, when it gave one. */
  readonly venueCode?: string | undefined;
}

/** Renders ERROR; code and message are required. */
export const renderError = (input: ErrorInput): Either.Either<Rendered, TemplateError> =>
  Either.map(requireFields('ERROR', input, ['code', 'message']), () => ({
    template: 'ERROR',
    text: lines(
      `⚠️ ERROR${input.symbol === undefined ? '' : ` ${hashtag(input.symbol)}`}`,
      `Code: ${input.code}${input.venueCode === undefined ? '' : ` (${input.venueCode})`}`,
      `Reason: ${input.message}`,
      input.clientOrderId === undefined ? undefined : `Client order ID: ${input.clientOrderId}`,
    ),
  }));
