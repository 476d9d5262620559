/**
 * The S2 allocation table (S2-5, C-20) on the strategy side: how the signals that passed in one allocation round share
 * the total allocation (1 → 100 %; 2 → 60/40; 3 → 40/30/30; 4 → 40/20/20/20; at most 4 a round), with the signals
 * ordered by the strategy sequence open → mid → close or an override order (S2-11). Exact Decimal shares. Pure; the
 * RiskEngine's own conviction-ranked table (`src/risk/capital.ts`, `risk.capital.allocationTable`) is separate.
 */
import { Data } from 'effect';
import { Decimal } from '../../domain/money.ts';

/** Where a strategy runs in the S2 trading day: the open (09:30 ET), the middle, or the close. */
export type SequenceSlot = 'open' | 'mid' | 'close';

/** The S2-11 default sequence. */
export const DEFAULT_SEQUENCE: ReadonlyArray<SequenceSlot> = ['open', 'mid', 'close'];

/** The most signals one allocation round takes (C-20: S2 MAX_TRADES = 4). */
export const MAX_SIGNALS_PER_ROUND = 4;

const row = (...shares: ReadonlyArray<string>): ReadonlyArray<Decimal> => shares.map((s) => new Decimal(s));

/** The S2-5 table: row n − 1 holds the shares of n signals, in sequence order; every row sums to exactly 1. */
export const ALLOCATION_TABLE: ReadonlyArray<ReadonlyArray<Decimal>> = [
  row('1'),
  row('0.6', '0.4'),
  row('0.4', '0.3', '0.3'),
  row('0.4', '0.2', '0.2', '0.2'),
];

/** The precise cause of an `AllocationError`. */
export type AllocationErrorReason = 'bad_count' | 'bad_sequence';

/** A signal count or a sequence the table cannot work with; `message` says which and what would do. */
export class AllocationError extends Data.TaggedError('AllocationError')<{
  readonly reason: AllocationErrorReason;
  readonly message: string;
}> {}

/** Returns the shares of `count` passed signals (none for 0); throws `AllocationError` (`bad_count`) beyond 0…4. */
export const allocationShares = (count: number): ReadonlyArray<Decimal> => {
  if (!Number.isInteger(count) || count < 0 || count > MAX_SIGNALS_PER_ROUND) {
    throw new AllocationError({ reason: 'bad_count', message: `allocation: a round has 0 to ${String(MAX_SIGNALS_PER_ROUND)} signals (C-20), got ${String(count)}` });
  }
  return count === 0 ? [] : ALLOCATION_TABLE[count - 1]!;
};

/** Returns why `sequence` is not an order of open, mid and close (each exactly once), or undefined when it is. */
export const sequenceProblem = (sequence: ReadonlyArray<string>): string | undefined => {
  const known = new Set<string>(DEFAULT_SEQUENCE);
  const unknown = sequence.filter((s) => !known.has(s));
  if (unknown.length > 0) return `unknown sequence slot ${JSON.stringify(unknown[0])} (slots: ${DEFAULT_SEQUENCE.join(', ')})`;
  if (new Set(sequence).size !== sequence.length || sequence.length !== DEFAULT_SEQUENCE.length) {
    return `the sequence must name open, mid and close once each, got [${sequence.join(', ')}]`;
  }
  return undefined;
};

/** One signal of a round with the share of the total allocation it gets. */
export interface AllocatedSignal<T> {
  readonly signal: T;
  /** 1-based place in the sequence order. */
  readonly place: number;
  readonly share: Decimal;
}

/** One round's allocation: the signals the table takes, in sequence order, and the ones beyond the fourth. */
export interface SignalRound<T> {
  readonly allocated: ReadonlyArray<AllocatedSignal<T>>;
  readonly dropped: ReadonlyArray<T>;
}

/**
 * Orders one round's passed signals by their strategy's slot in `sequence` (default open → mid → close; signals of
 * one slot keep the caller's order), gives the first min(count, 4) the table row of that many, and returns the rest
 * as dropped. Throws `AllocationError` (`bad_sequence`) when `sequence` is not an order of the three slots.
 */
export const allocateRound = <T extends { readonly slot: SequenceSlot }>(
  signals: ReadonlyArray<T>,
  sequence: ReadonlyArray<SequenceSlot> = DEFAULT_SEQUENCE,
): SignalRound<T> => {
  const problem = sequenceProblem(sequence);
  if (problem !== undefined) throw new AllocationError({ reason: 'bad_sequence', message: `allocation: ${problem}` });
  const ordered = signals.map((signal, i) => ({ signal, i })).sort((a, b) => sequence.indexOf(a.signal.slot) - sequence.indexOf(b.signal.slot) || a.i - b.i);
  const taken = ordered.slice(0, MAX_SIGNALS_PER_ROUND);
  const shares = allocationShares(taken.length);
  return {
    allocated: taken.map(({ signal }, i) => ({ signal, place: i + 1, share: shares[i]! })),
    dropped: ordered.slice(MAX_SIGNALS_PER_ROUND).map(({ signal }) => signal),
  };
};
