/** TP_HIT (n) (S0-18): take-profit level n (1-based) filled, sent after the fill is journaled. Pure. */
import { Either } from 'effect';
import { exitLines, type ExitInput } from './exitFields.ts';
import { hashtag, lines, TemplateError, type Rendered } from './format.ts';

/** What TP_HIT is rendered from. */
export interface TpHitInput extends ExitInput {
  /** The take-profit level, 1 for the first. */
  readonly level: number;
}

/** Renders TP_HIT; refuses a level that is not a positive integer. */
export const renderTpHit = (input: TpHitInput): Either.Either<Rendered, TemplateError> =>
  !Number.isInteger(input.level) || input.level < 1
    ? Either.left(new TemplateError({ template: 'TP_HIT', reason: { _tag: 'InvalidField', field: 'level', problem: `must be a positive integer, got ${String(input.level)}` } }))
    : Either.right({ template: 'TP_HIT', text: lines(`🎯 TP ${String(input.level)} HIT ${hashtag(input.symbol)}`, ...exitLines(input)) });
