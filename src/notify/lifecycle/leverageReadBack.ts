/**
 * "IM confirmed" of an entry (S0-18, S0-4), from the LEVERAGE_SET entries VenueLeverage journals: a set made for an
 * entry is read back from the venue (verified), one at start for the account is not, and anything but `set` leaves the
 * leverage unknown. An entry still waiting for its ACK keeps a held leverage only while every set of its symbol
 * confirms that same leverage, read back: any other set may have come before the entry went out, and then the entry
 * went out on that one. Pure; performs no I/O.
 */
import type { Decimal } from '../../domain/money.ts';
import { decimal, text, type Payload } from './journalFields.ts';

/** What the read-back tracks of an order until its ACK. */
export interface LeverageWatch {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly entry: boolean;
  readonly acked: boolean;
  /** A leverage the venue held, confirmed by a verified set, from before the request on with no other set since. */
  heldLeverage: Decimal | undefined;
  /** The leverage a verified set made for this very entry confirmed (LEVERAGE_SET with its client order id). */
  ownLeverage: Decimal | undefined;
}

/** Per symbol, the leverage the venue holds as the last LEVERAGE_SET left it, and whether that set read it back. */
export class LeverageReadBack {
  private readonly held = new Map<string, { readonly leverage: Decimal; readonly verified: boolean }>();

  /** The read-back leverage an order requested now starts from, if the venue holds one. */
  heldFor(symbol: string): Decimal | undefined {
    const h = this.held.get(symbol);
    return h?.verified === true ? h.leverage : undefined;
  }

  /** Takes a LEVERAGE_SET; updates the entries of its symbol still waiting for their ACK. */
  set(p: Payload, orders: Iterable<LeverageWatch>): void {
    const symbol = text(p['symbol']);
    const requested = decimal(p['requested']);
    if (symbol === undefined || requested === undefined) return;
    const verified = p['result'] === 'set' && p['purpose'] === 'entry';
    const forEntry = p['purpose'] === 'entry' ? text(p['clientOrderId']) : undefined;
    for (const o of orders) {
      if (o.acked || !o.entry || o.symbol !== symbol) continue;
      if (o.clientOrderId === forEntry) {
        o.ownLeverage = verified ? requested : undefined;
        if (!verified) o.heldLeverage = undefined;
      } else if (!verified || o.heldLeverage?.eq(requested) !== true) {
        o.heldLeverage = undefined;
      }
    }
    if (p['result'] === 'set') this.held.set(symbol, { leverage: requested, verified });
    else this.held.delete(symbol);
  }

  /** Whether the venue confirmed, read back, `leverage` for this entry before it went out (decided at its ACK). */
  static confirms(o: LeverageWatch, leverage: Decimal | undefined): boolean {
    return o.entry && leverage !== undefined && (o.ownLeverage ?? o.heldLeverage)?.eq(leverage) === true;
  }
}
