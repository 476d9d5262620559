/**
 * Test helpers for Venue port calls: run one to its value, or to the VenueError it must fail with (any other outcome
 * fails the test with what happened instead).
 */
import { Effect, Exit } from 'effect';
import type { VenueError } from '../../src/venues/Venue.ts';

/** Runs a venue call and returns its value (a failure rejects). */
export const run = <A>(eff: Effect.Effect<A, VenueError>): Promise<A> => Effect.runPromise(eff);

/** Runs a venue call that must fail and returns its VenueError. */
export const fail = async <A>(eff: Effect.Effect<A, VenueError>): Promise<VenueError> => {
  const exit = await Effect.runPromiseExit(eff);
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`);
  if (exit.cause._tag !== 'Fail') throw new Error(`unexpected cause ${String(exit.cause)}`);
  return exit.cause.error;
};
