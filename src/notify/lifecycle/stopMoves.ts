/**
 * The stop moves of each symbol as the journal shows them (S0-11, S0-13), for STOP_MOVED: the TP/SL the venue last
 * confirmed (PROTECTION_SET), and a move from the trade actor's step into its stop move (ACTOR_EVENT) until it leaves
 * it. A move counts only when the actor leaves it for break-even or the trailer on the venue's confirmation
 * (`venue.protectionSet`); its stop is the one of the PROTECTION_SET journaled since the move began. Recovery
 * confirms a move that was in flight at a crash from the venue's own stop (it equals the request), so there the
 * request's stop is the one the venue confirmed. A refused move yields nothing. Pure; performs no I/O.
 */
import type { Decimal } from '../../domain/money.ts';
import type { JournalEntry } from '../../journal/Journal.ts';
import { journaledStopPhase } from '../../../machines/trade/tradeQueries.ts';
import { decimal, remember, text, type Payload } from './journalFields.ts';

/** TP/SL of a symbol as a PROTECTION_REQUESTED or PROTECTION_SET journaled them. */
export interface Protection {
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
  readonly trigger: 'mark' | 'last' | 'index' | undefined;
}

/** A stop move the venue confirmed: what STOP_MOVED reports of it. */
export interface ConfirmedStopMove {
  readonly symbol: string;
  readonly movedBy: 'breakEven' | 'trailing';
  /** The stop held before the move began. */
  readonly previousStopLoss: Decimal | undefined;
  /** The TP/SL after it. */
  readonly confirmed: Protection | undefined;
}

/** A symbol's stop: the last one the venue confirmed, and the move awaiting the venue. */
interface StopTrack {
  held: Protection | undefined;
  /** From the actor's step into its stop move: the stop held before it, then the move's request and the venue's confirmation. */
  move: { readonly previous: Decimal | undefined; requested: Protection | undefined; confirmed: Protection | undefined } | undefined;
}

const trigger = (v: unknown): Protection['trigger'] => (v === 'mark' || v === 'last' || v === 'index' ? v : undefined);
const protectionOf = (p: Payload): Protection => ({ takeProfit: decimal(p['takeProfit']), stopLoss: decimal(p['stopLoss']), trigger: trigger(p['trigger']) });

/** Follows every symbol's stop through the journal. */
export class StopMoves {
  private readonly stops = new Map<string, StopTrack>();

  /** Takes a PROTECTION_REQUESTED or PROTECTION_SET. */
  protection(type: 'PROTECTION_REQUESTED' | 'PROTECTION_SET', p: Payload): void {
    const symbol = text(p['symbol']);
    if (symbol === undefined) return;
    const track = this.stopOf(symbol);
    const entry = protectionOf(p);
    if (type === 'PROTECTION_SET') track.held = entry;
    if (track.move === undefined) return;
    if (type === 'PROTECTION_SET') track.move.confirmed = entry;
    else track.move.requested = entry;
  }

  /** Takes a trade actor's ACTOR_EVENT; returns the stop move it confirmed, if it confirmed one. */
  actorStep(e: JournalEntry, p: Payload): ConfirmedStopMove | undefined {
    const from = journaledStopPhase(p['from']);
    const to = journaledStopPhase(p['to']);
    if (from === to) return undefined;
    // The actor's stream is `trade:<venue>:<symbol>`.
    const symbol = e.stream.slice(e.stream.lastIndexOf(':') + 1);
    const track = this.stopOf(symbol);
    if (to === 'moving') {
      track.move = { previous: track.held?.stopLoss, requested: undefined, confirmed: undefined };
      return undefined;
    }
    const move = track.move;
    track.move = undefined;
    const confirmedByVenue = (p['event'] as Payload | undefined)?.['type'] === 'venue.protectionSet';
    if (from !== 'moving' || (to !== 'breakEven' && to !== 'trailing') || move === undefined || !confirmedByVenue) return undefined;
    const confirmed = move.confirmed ?? move.requested;
    if (move.confirmed === undefined && confirmed !== undefined) track.held = confirmed;
    return { symbol, movedBy: to, previousStopLoss: move.previous, confirmed };
  }

  private stopOf(symbol: string): StopTrack {
    let track = this.stops.get(symbol);
    if (track === undefined) {
      track = { held: undefined, move: undefined };
      remember(this.stops, symbol, track);
    }
    return track;
  }
}
