/**
 * The leverage the venue holds per symbol, as this process set and confirmed it (S0-4, S0-5): the account's at start,
 * and before an entry the leverage its approval carries. Every set is journaled (LEVERAGE_SET: symbol, requested,
 * result, the effective leverage the venue reports) once the venue answered. Decides no leverage; exits never come here.
 */
import { Effect, Either } from 'effect';
import type { Decimal } from '../domain/money.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Venue, VenueError } from '../venues/Venue.ts';

/** What the book needs. */
export interface VenueLeverageDeps {
  readonly venue: Venue;
  readonly journal: Journal;
  readonly logger: Logger;
  /** Runs a venue call with the execution path's rate-limit retries and request metrics. */
  readonly run: <A>(operation: string, effect: Effect.Effect<A, VenueError>) => Promise<Either.Either<A, VenueError>>;
}

/** What a set came to: the venue holds the leverage, or a sentence saying why it may not. */
export type LeverageOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Why a set was made: the account's leverage at start, an entry's (with its client order id), a ladder step's (S0-9). */
export type LeveragePurpose =
  | { readonly purpose: 'account' }
  | { readonly purpose: 'entry'; readonly clientOrderId: string }
  | { readonly purpose: 'ladder'; readonly intentId: string; readonly step: number };

/** The leverage of one venue account, per symbol. */
export class VenueLeverage {
  private readonly deps: VenueLeverageDeps;
  private readonly known = new Map<string, Decimal>();
  /** Symbols whose known leverage the venue reported back after the set (an entry's); the account's start set is not. */
  private readonly verified = new Set<string>();

  constructor(deps: VenueLeverageDeps) {
    this.deps = deps;
  }

  /** Returns the leverage the venue holds for a symbol as last confirmed; undefined when unknown. */
  of(symbol: string): Decimal | undefined {
    return this.known.get(symbol);
  }

  /**
   * Makes sure the venue holds `leverage` for a symbol before an entry: nothing to do when it is the known one, else
   * set and read back. A trade's own leverage (`perTrade`, S0-4) must also have been read back: the account's start-up
   * set never is, so the first such entry at that leverage confirms it at the venue.
   */
  async ensure(symbol: string, leverage: Decimal, clientOrderId: string, perTrade = false): Promise<LeverageOutcome> {
    if (this.known.get(symbol)?.eq(leverage) === true && (!perTrade || this.verified.has(symbol))) return { ok: true };
    return this.set(symbol, leverage, { purpose: 'entry', clientOrderId }, true);
  }

  /**
   * Sets a symbol's leverage and journals the outcome. With `verify` the effective leverage is read back from the
   * venue's positions and must equal the request wherever the venue reports one; a venue that reports none (no row,
   * or 0) is taken at its word, the set's success. After anything but a confirmed set the leverage counts as unknown.
   */
  async set(symbol: string, leverage: Decimal, why: LeveragePurpose, verify: boolean): Promise<LeverageOutcome> {
    const { venue, journal } = this.deps;
    this.known.delete(symbol);
    this.verified.delete(symbol);
    const record = (result: 'set' | 'failed' | 'mismatch', extra: { readonly effective?: Decimal | undefined; readonly reason?: string }): void => {
      journal.append(`leverage:${symbol}`, 'LEVERAGE_SET', { symbol, requested: leverage, ...why, result, ...extra });
    };
    const r = await this.deps.run('setLeverage', venue.setLeverage(symbol, leverage));
    if (Either.isLeft(r)) {
      record('failed', { reason: r.left.message });
      return { ok: false, reason: r.left.message };
    }
    let effective: Decimal | undefined;
    if (verify) {
      const read = await this.deps.run('positions', venue.positions(symbol));
      if (Either.isLeft(read)) {
        const reason = `set, but the effective leverage could not be read back: ${read.left.message}`;
        record('failed', { reason });
        return { ok: false, reason };
      }
      const reported = read.right.filter((p) => p.symbol === symbol && p.leverage.gt(0)).map((p) => p.leverage);
      const other = reported.find((l) => !l.eq(leverage));
      if (other !== undefined) {
        const reason = `the venue confirmed the set but reports leverage x${other.toString()}`;
        record('mismatch', { effective: other, reason });
        return { ok: false, reason };
      }
      effective = reported[0];
    }
    record('set', { effective });
    this.known.set(symbol, leverage);
    if (verify) this.verified.add(symbol);
    return { ok: true };
  }
}
