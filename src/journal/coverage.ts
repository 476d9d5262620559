/**
 * How the tables beside the event chain are covered by it: every write to `orders`, `snapshots`, `kv` or `counters`
 * appends, in the same transaction, an entry that carries the digest (or value) of the row it leaves behind. The
 * writer (Journal.ts) and the verifier (verify.ts) both use these rules, so they exist once. Pure; performs no I/O.
 */
import { createHash } from 'node:crypto';
import type { JournalEventType } from './events.ts';

/** Event type of a kv write; payload `{ key, value, digest }`. */
export const KV_SET = 'KV_SET' satisfies JournalEventType;
/** Event type of a kv removal; payload `{ key }`. */
export const KV_DELETED = 'KV_DELETED' satisfies JournalEventType;
/** Event type of a counter step; payload `{ name, value }`. */
export const COUNTER_ADVANCED = 'COUNTER_ADVANCED' satisfies JournalEventType;
/** Event type that anchors the tables of a journal written before they were covered (schema v1 → v2). */
export const TABLES_ANCHORED = 'TABLES_ANCHORED' satisfies JournalEventType;
/** Stream of the kv and counter entries. */
export const JOURNAL_STREAM = 'journal';

/** Payload field of an order event that holds the digest of the order row it leaves. */
export const ORDER_ROW_FIELD = 'orderRow';
/** Payload fields of an actor event that stored a snapshot. */
export const SNAPSHOT_DIGEST_FIELD = 'snapshotDigest';
export const SNAPSHOT_OF_FIELD = 'snapshotOf';

/** The stored text columns of an orders row that its digest covers. */
export interface OrderRowText {
  readonly venue: string;
  readonly symbol: string;
  readonly intentId: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string | null;
  readonly state: string;
  readonly venueOrderId: string | null;
  readonly filledQuantity: string;
  readonly createdSeq: number;
  /** What the order is for (schema v3); null for rows written before. */
  readonly role: string | null;
  readonly strategyId: string | null;
  readonly reduceOnly: boolean;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Returns the digest of an orders row (its identity, content and creating entry; not the bookkeeping of its update). */
export const orderRowDigest = (r: OrderRowText): string =>
  sha256Hex(
    JSON.stringify([
      r.venue, r.symbol, r.intentId, r.side, r.quantity, r.price, r.state, r.venueOrderId, r.filledQuantity, r.createdSeq,
      // Rows written before schema v3 have no role: their digest is the one their entries carry.
      ...(r.role === null ? [] : [r.role, r.strategyId, r.reduceOnly]),
    ]),
  );

/** Returns the digest of a stored actor snapshot (its chart version and canonical text). */
export const snapshotDigest = (machineVersion: string, snapshotJson: string): string => sha256Hex(`${machineVersion}\n${snapshotJson}`);

/** Returns the digest of a stored kv value (its canonical text). */
export const kvValueDigest = (valueJson: string): string => sha256Hex(valueJson);

/** The columns of a stored orders row, as SQLite returns them. */
export interface StoredOrderRow {
  readonly venue: string;
  readonly symbol: string;
  readonly intent_id: string;
  readonly side: string;
  readonly quantity: string;
  readonly price: string | null;
  readonly state: string;
  readonly venue_order_id: string | null;
  readonly filled_quantity: string;
  readonly created_seq: number;
  readonly role: string | null;
  readonly strategy_id: string | null;
  readonly reduce_only: number;
}

/** Returns the digest of a stored orders row. */
export const storedOrderRowDigest = (o: StoredOrderRow): string =>
  orderRowDigest({
    venue: o.venue, symbol: o.symbol, intentId: o.intent_id, side: o.side, quantity: o.quantity, price: o.price, state: o.state,
    venueOrderId: o.venue_order_id, filledQuantity: o.filled_quantity, createdSeq: o.created_seq, role: o.role, strategyId: o.strategy_id,
    reduceOnly: o.reduce_only === 1,
  });
