/**
 * Rule — actor availability (X-RT-2): an entry needs the symbol's trade actor idle (one position per actor), a strategy
 * exit needs it holding a position it is not already closing, and neither goes to an actor that is stopped. Views
 * without actor information (unit tests of other rules) are not judged. Pure; performs no I/O.
 */
import { veto, type Check } from './types.ts';

/** Vetoes a proposal the symbol's actor cannot take now. */
export const actorAvailability: Check = (ctx) => {
  const actors = ctx.portfolio.actors;
  if (actors === undefined) return undefined;
  const s = ctx.proposal.symbol;
  const a = actors[s];
  if (a === undefined || !a.available) return veto('actor_unavailable', 'actor', 'unavailable', ctx.intent, 'available', `${s} has no running trade actor`);
  if (ctx.intent === 'entry' && !a.acceptsEntry) return veto('actor_busy', 'actor', 'busy', 'entry', 'idle', `${s}'s trade actor is busy with a cycle`);
  if (ctx.intent === 'exit' && !a.acceptsExit) return veto('no_position_to_exit', 'actor', 'no_position', 'exit', 'position', `${s}'s trade actor holds no position to exit`);
  return undefined;
};
