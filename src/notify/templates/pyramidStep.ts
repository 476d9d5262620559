/**
 * PYRAMID_STEP (S0-9, S0-18): sent for each pyramid ladder step of a position once the trade actor's transition is
 * journaled — a step done at the venue only after its fill or its leverage read-back (X-ORD-2), a step with nothing to
 * ask the venue at once, a step the venue did not do with its reason. The step's line is the ladder table's own label
 * (src/domain/ladder.ts), so the numbering in messages is the numbering in code (C-10: Step 1 = the initial entry).
 * Every field but the reason is required: rendering refuses without one. Pure.
 */
import { Either } from 'effect';
import { S0_LADDER, ladderStepLabel } from '../../domain/ladder.ts';
import type { Decimal } from '../../domain/money.ts';
import { exact, hashtag, leverage, lines, positionSide, requireFields, TemplateError, type Rendered } from './format.ts';

/** What PYRAMID_STEP is rendered from. */
export interface PyramidStepInput {
  readonly symbol: string;
  readonly side: 'long' | 'short' | undefined;
  /** The ladder step (2–8; Step 1 is the entry, told by POSITION_OPENED). */
  readonly step: number;
  readonly result: 'done' | 'none' | 'blocked';
  /** Why nothing was asked of the venue, or why the step was not done. */
  readonly reason: string | undefined;
  /** The OEP every threshold derives from (S0-8). */
  readonly entryPrice: Decimal | undefined;
  /** The position's open quantity after the step. */
  readonly quantity: Decimal | undefined;
  /** The position's leverage after the step. */
  readonly leverage: Decimal | undefined;
  readonly sourceChannelName: string | undefined;
}

/** The fields PYRAMID_STEP requires. */
export const PYRAMID_STEP_REQUIRED_FIELDS = ['symbol', 'side', 'step', 'result', 'entryPrice', 'quantity', 'leverage', 'sourceChannelName'] as const;

const RESULT = { done: 'done at the venue', none: 'nothing to ask the venue', blocked: 'NOT DONE: the ladder stops here' } as const;

/** Renders PYRAMID_STEP, or refuses when a required field is missing or the step is not one of the ladder's. */
export const renderPyramidStep = (input: PyramidStepInput): Either.Either<Rendered, TemplateError> =>
  Either.flatMap(requireFields('PYRAMID_STEP', input, PYRAMID_STEP_REQUIRED_FIELDS), () => {
    const step = S0_LADDER.find((s) => s.step === input.step);
    if (step === undefined || step.step === 1) {
      return Either.left(new TemplateError({ template: 'PYRAMID_STEP', reason: { _tag: 'InvalidField', field: 'step', problem: `a ladder step is 2–${String(S0_LADDER.length)}, got ${String(input.step)}` } }));
    }
    return Either.right({
      template: 'PYRAMID_STEP',
      text: lines(
        `🪜 PYRAMID STEP ${String(step.step)} ${hashtag(input.symbol)}`,
        `Side: ${positionSide(input.side!)}`,
        ladderStepLabel(step),
        `Result: ${RESULT[input.result]}${input.reason === undefined ? '' : ` (${input.reason})`}`,
        `OEP: ${exact(input.entryPrice!)}`,
        `Position: ${exact(input.quantity!)}`,
        `Leverage: ${leverage(input.leverage!)}`,
        `Source: ${input.sourceChannelName!}`,
      ),
    });
  });
