/** SL_HIT (S0-18): the stop-loss filled, sent after the fill is journaled. Pure. */
import { Either } from 'effect';
import { exitLines, type ExitInput } from './exitFields.ts';
import { hashtag, lines, type Rendered, type TemplateError } from './format.ts';

/** What SL_HIT is rendered from. */
export type SlHitInput = ExitInput;

/** Renders SL_HIT. */
export const renderSlHit = (input: SlHitInput): Either.Either<Rendered, TemplateError> =>
  Either.right({ template: 'SL_HIT', text: lines(`🛑 SL HIT ${hashtag(input.symbol)}`, ...exitLines(input)) });
