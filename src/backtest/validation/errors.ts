/**
 * The validation toolkit's two failures: a request it cannot serve (ValidationError, exit 2: a bad spec, too few bars
 * for the folds) and a backtest of a fold or a shock that failed while running (ValidationRunError, exit 1). Pure.
 */
import { Data } from 'effect';

/** Why a validation request cannot be served. */
export type ValidationErrorReason = 'BadSpec' | 'TooFewSamples' | 'UnorderedSamples' | 'BadOption';

/** A validation request the command refuses (exit 2), with a readable message. */
export class ValidationError extends Data.TaggedError('ValidationError')<{ readonly reason: ValidationErrorReason; readonly detail: string }> {
  override get message(): string {
    return this.detail;
  }
}

/** A backtest the validation asked for failed while running (exit 1); the message names it. */
export class ValidationRunError extends Error {
  override readonly name = 'ValidationRunError';
}
