/**
 * The account's position mode at start-up (S0-12): a profile that hedges runs its symbols in hedge mode, so a position
 * and its hedge are two legs of one symbol. Switching is idempotent at the venue ("not modified" is success). A venue
 * that refuses while positions are open is asked what it holds: legs mean hedge mode already (a restart with hedged
 * trades open); one-way positions, or a venue without hedge mode, refuse the start with the reason — never a session
 * that trades in a mode it did not ask for.
 */
import { Effect, Either } from 'effect';
import type { Venue } from '../venues/Venue.ts';

/** Why the runtime did not start: the venue would not run the account in hedge mode. */
export class PositionModeError extends Error {
  override readonly name = 'PositionModeError';
}

/** Puts the account in hedge mode when the settings hedge; a no-op otherwise. Throws PositionModeError when refused. */
export const ensurePositionMode = async (venue: Pick<Venue, 'id' | 'capabilities' | 'setPositionMode' | 'positions'>, hedge: boolean): Promise<void> => {
  if (!hedge) return;
  if (!venue.capabilities.hedgeMode) throw new PositionModeError(`execution.hedge.enabled needs hedge mode, which ${venue.id} does not offer: disable execution.hedge`);
  const r = await Effect.runPromise(Effect.either(venue.setPositionMode('hedge')));
  if (Either.isRight(r)) return;
  const held = await Effect.runPromise(Effect.either(venue.positions()));
  const open = Either.isRight(held) ? held.right.filter((p) => p.side !== 'flat' && p.quantity.gt(0)) : [];
  if (open.length > 0 && open.every((p) => p.leg !== undefined)) return;
  throw new PositionModeError(`execution.hedge.enabled: ${venue.id} would not switch the account to hedge mode (${r.left.message}); close one-way positions and orders first, or disable execution.hedge`);
};
