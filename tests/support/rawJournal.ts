/**
 * The journal store without its event catalogue, for tests of the storage mechanics (hash chain, transactions,
 * snapshots, verification, crash children) that write made-up event types on purpose. At run time the store accepts
 * any non-empty type and any canonical payload; the catalogue (src/journal/events.ts) binds the writers in src/ at
 * compile time only, so this is a view of the same object, not a second implementation.
 */
import type { Decimal } from '../../src/domain/money.ts';
import {
  openJournal, type Journal, type JournalEntry, type JournalOrderState, type OpenJournalOptions, type OrderRequestedInput, type OrderRow, type SnapshotInput,
} from '../../src/journal/Journal.ts';

/** A change of one order with any event type and payload. */
export interface RawOrderUpdate {
  readonly clientOrderId: string;
  readonly type: string;
  readonly state: JournalOrderState;
  readonly venueOrderId?: string | undefined;
  readonly filledQuantity?: Decimal | undefined;
  readonly payload?: Readonly<Record<string, unknown>> | undefined;
  readonly stream?: string | undefined;
}

/** The store with untyped writers. */
export interface RawJournal extends Omit<Journal, 'append' | 'appendBatch' | 'appendWithSnapshot' | 'recordOrderRequested' | 'recordOrderUpdate'> {
  append(stream: string, type: string, payload: unknown): JournalEntry;
  appendBatch(entries: ReadonlyArray<{ readonly stream: string; readonly type: string; readonly payload: unknown }>): JournalEntry[];
  appendWithSnapshot(stream: string, type: string, payload: Readonly<Record<string, unknown>>, snapshot: SnapshotInput): JournalEntry;
  recordOrderRequested(
    input: Omit<OrderRequestedInput, 'details'> & { readonly details?: Readonly<Record<string, unknown>> | undefined },
  ): { readonly entry: JournalEntry; readonly order: OrderRow };
  recordOrderUpdate(input: RawOrderUpdate): { readonly entry: JournalEntry; readonly order: OrderRow };
}

/** Views a journal without its catalogue (methods are bivariant in their parameters, so no cast is needed). */
export const rawJournal = (journal: Journal): RawJournal => journal;

/** Opens a journal (see `openJournal`) viewed without its catalogue. */
export const openRawJournal = (opts: OpenJournalOptions): RawJournal => rawJournal(openJournal(opts));
