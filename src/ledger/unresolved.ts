/**
 * The unresolved-orders log (S2-14): from each journal's orders projection, every order the venue refused, every order
 * that filled only in part (working or closed with a remainder), and every order whose outcome is still unknown
 * (`requested`, `ambiguous`: reconcile settles them by query, never by resending). Each entry carries the refusal as
 * the venue gave it and the order's trace — its journal events in order — which for a venue refusal (a business
 * outcome, not an exception) is what a stack trace is for an error. Pure over what it is given, plus the journal reads.
 */
import type { Clock } from '../kernel/Clock.ts';
import { readOrderHistories, type OrderHistory } from './journalFacts.ts';
import type { RunSource } from './runs.ts';
import { isoOf, plain } from './tradesExport.ts';

/** Why an order is in the log. */
export type UnresolvedKind = 'rejected' | 'partial_fill' | 'unknown_outcome';

/** One entry of the log. */
export interface UnresolvedOrder {
  readonly kind: UnresolvedKind;
  readonly account: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly venue: string;
  readonly symbol: string;
  readonly side: string;
  readonly role: string | null;
  readonly strategy: string | null;
  readonly intentId: string;
  readonly state: string;
  readonly quantity: string;
  readonly filledQuantity: string;
  readonly price: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The venue's refusal: its code, category and message, or the reason of a refusal on the account stream. */
  readonly rejection: Readonly<Record<string, unknown>> | null;
  /** The order's journal events, oldest first. */
  readonly trace: ReadonlyArray<{ readonly seq: number; readonly at: string; readonly type: string; readonly state: string | null; readonly detail: string | null }>;
}

/** The log document. */
export interface UnresolvedLog {
  readonly runId: string;
  readonly counts: Readonly<Record<UnresolvedKind, number>>;
  readonly orders: ReadonlyArray<UnresolvedOrder>;
}

const kindOf = (h: OrderHistory): UnresolvedKind | undefined => {
  const { row } = h;
  if (row.state === 'rejected') return 'rejected';
  if (row.state === 'requested' || row.state === 'ambiguous') return 'unknown_outcome';
  if (row.filledQuantity.gt(0) && row.filledQuantity.lt(row.quantity)) return 'partial_fill';
  return undefined;
};

const REJECTION_FIELDS = ['code', 'category', 'message', 'reason', 'description'] as const;

const rejectionOf = (h: OrderHistory): Readonly<Record<string, unknown>> | null => {
  const e = [...h.events].reverse().find((x) => x.type === 'ORDER_REJECTED' || x.type === 'RECONCILED_REJECTED');
  if (e === undefined) return null;
  return Object.fromEntries(REJECTION_FIELDS.filter((k) => e.payload[k] !== undefined).map((k) => [k, e.payload[k]]));
};

const detailOf = (payload: Readonly<Record<string, unknown>>): string | null => {
  const parts = ['code', 'message', 'reason', 'filledQuantity', 'price', 'quantity']
    .filter((k) => payload[k] !== undefined && payload[k] !== null)
    .map((k) => `${k}=${String(payload[k] as string | number)}`);
  return parts.length === 0 ? null : parts.join(' ');
};

const entryOf = (account: string, h: OrderHistory, kind: UnresolvedKind): UnresolvedOrder => {
  const { row } = h;
  return {
    kind, account, clientOrderId: row.clientOrderId, venueOrderId: row.venueOrderId ?? null, venue: row.venue, symbol: row.symbol, side: row.side,
    role: row.role ?? null, strategy: row.strategyId ?? null, intentId: row.intentId, state: row.state,
    quantity: plain(row.quantity), filledQuantity: plain(row.filledQuantity), price: row.price === undefined ? null : plain(row.price),
    createdAt: isoOf(row.createdTs), updatedAt: isoOf(row.updatedTs), rejection: rejectionOf(h),
    trace: h.events.map((e) => ({ seq: e.seq, at: isoOf(e.ts), type: e.type, state: typeof e.payload['state'] === 'string' ? e.payload['state'] : e.type === 'ORDER_REQUESTED' ? 'requested' : null, detail: detailOf(e.payload) })),
  };
};

/** Reads the unresolved orders of a run's journals, in journal order per account. */
export const readUnresolved = (source: RunSource, clock: Clock): UnresolvedLog => {
  const orders = source.journals.flatMap((j) =>
    readOrderHistories(j, clock).flatMap((h) => {
      const kind = kindOf(h);
      return kind === undefined ? [] : [entryOf(j.account, h, kind)];
    }),
  );
  const count = (k: UnresolvedKind): number => orders.filter((o) => o.kind === k).length;
  return { runId: source.runId, counts: { rejected: count('rejected'), partial_fill: count('partial_fill'), unknown_outcome: count('unknown_outcome') }, orders };
};

/** Returns the log as one JSON document. */
export const unresolvedJson = (log: UnresolvedLog): string => `${JSON.stringify(log, null, 2)}\n`;
