/**
 * Hash-chain verification of the journal (X-LOG-3, the first step of every reconcile): recomputes every entry's hash
 * in seq order and names the first bad entry and the kind of damage. Reads only; never repairs anything.
 */
import Database from 'better-sqlite3';
import { JournalError } from '../domain/errors.ts';
import { GENESIS_HASH, HASH_BYTES, entryHash } from './hashChain.ts';
import {
  COUNTER_ADVANCED, KV_DELETED, KV_SET, ORDER_ROW_FIELD, SNAPSHOT_DIGEST_FIELD, SNAPSHOT_OF_FIELD, TABLES_ANCHORED,
  kvValueDigest, snapshotDigest, storedOrderRowDigest, type StoredOrderRow,
} from './coverage.ts';
import { readHeadRecord, type HeadRecord } from './headRecord.ts';

/** A trusted point of the chain (a checkpoint recorded earlier): the entry at `seq` must have this hash. */
export interface VerifyAnchor {
  readonly seq: number;
  /** The entry's hash as bytes or lowercase hex. */
  readonly hash: Uint8Array | string;
}

/** Options of a verification pass. */
export interface VerifyOptions {
  /** Start after this trusted entry instead of genesis (incremental checks); the anchor entry itself must still match. */
  readonly from?: VerifyAnchor | undefined;
  /** Also run SQLite's `PRAGMA quick_check` over the file (default true). */
  readonly integrityCheck?: boolean | undefined;
  /** Also check the orders, snapshots, kv and counters tables against the entries that wrote them (default true). */
  readonly tables?: boolean | undefined;
  /** The journal's recorded head: the entry it names must exist with that hash (lost committed entries otherwise). */
  readonly head?: HeadRecord | undefined;
}

/** What went wrong at the first bad entry. */
export type VerifyProblem = 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' | 'reordered' | 'torn' | 'missing_entries' | 'head_mismatch' | 'table_mismatch';

/** The outcome of a verification pass; `headHash` is lowercase hex. */
export type VerifyResult =
  | { readonly ok: true; readonly entries: number; readonly lastSeq: number; readonly headHash: string }
  | { readonly ok: false; readonly firstBadSeq: number; readonly problem: VerifyProblem; readonly detail: string };

interface RawRow {
  seq: unknown;
  ts: unknown;
  stream: unknown;
  type: unknown;
  payload: unknown;
  prev_hash: unknown;
  hash: unknown;
}

const PAGE = 4096;

const isHash = (v: unknown): v is Buffer => Buffer.isBuffer(v) && v.length === HASH_BYTES;

const toBytes = (h: Uint8Array | string): Buffer => (typeof h === 'string' ? Buffer.from(h, 'hex') : Buffer.from(h));

const bad = (firstBadSeq: number, problem: VerifyProblem, detail: string): VerifyResult => ({ ok: false, firstBadSeq, problem, detail });

// Returns why a row cannot even be hashed (a partial write or a mangled column), or undefined when it is well-formed.
const tornReason = (row: RawRow): string | undefined => {
  if (!isHash(row.hash)) return `hash is not ${HASH_BYTES} bytes`;
  if (!isHash(row.prev_hash)) return `prev_hash is not ${HASH_BYTES} bytes`;
  if (typeof row.ts !== 'number' || !Number.isSafeInteger(row.ts)) return 'ts is not an integer';
  if (typeof row.stream !== 'string' || typeof row.type !== 'string') return 'stream or type is not text';
  if (typeof row.payload !== 'string') return 'payload is not text';
  try {
    JSON.parse(row.payload);
  } catch {
    return 'payload is not complete JSON';
  }
  return undefined;
};

const walk = (db: Database.Database, options: VerifyOptions): VerifyResult => {
  const page = db.prepare<[number], RawRow>(`SELECT seq, ts, stream, type, payload, prev_hash, hash FROM events WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`);
  const bySeq = db.prepare<[number], { hash: unknown }>('SELECT hash FROM events WHERE seq = ?');
  const byHash = db.prepare<[Buffer], { seq: number }>('SELECT seq FROM events WHERE hash = ?');

  let expected = 1;
  let prev: Buffer = GENESIS_HASH;
  if (options.from !== undefined) {
    const anchor = options.from;
    const row = bySeq.get(anchor.seq);
    if (row === undefined) return bad(anchor.seq, 'seq_gap', `anchor entry ${anchor.seq} is missing`);
    if (!isHash(row.hash) || !row.hash.equals(toBytes(anchor.hash))) return bad(anchor.seq, 'hash_mismatch', `anchor entry ${anchor.seq} has a different hash`);
    expected = anchor.seq + 1;
    prev = row.hash;
  }
  let entries = 0;
  let cursor = expected - 1;
  for (;;) {
    const rows = page.all(cursor);
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = row.seq as number;
      if (seq !== expected) {
        return bad(expected, 'seq_gap', seq === expected + 1 ? `entry ${expected} is missing` : `entries ${expected}..${seq - 1} are missing`);
      }
      const torn = tornReason(row);
      if (torn !== undefined) return bad(seq, 'torn', `entry ${seq}: ${torn}`);
      const storedPrev = row.prev_hash as Buffer;
      const storedHash = row.hash as Buffer;
      if (!storedPrev.equals(prev)) {
        const linked = byHash.get(storedPrev)?.seq;
        if (linked !== undefined && linked > seq) {
          return bad(seq, 'reordered', `entry ${seq} follows entry ${linked}, which is stored after it`);
        }
        if (linked === undefined) {
          return bad(seq, 'prev_hash_mismatch', `entry ${seq} links to a hash no stored entry has: an entry before it was removed or replaced`);
        }
        return bad(seq, 'prev_hash_mismatch', `entry ${seq} does not link to entry ${seq - 1}`);
      }
      const recomputed = entryHash(prev, seq, row.ts as number, row.stream as string, row.type as string, row.payload as string);
      if (!recomputed.equals(storedHash)) {
        return bad(seq, 'hash_mismatch', `entry ${seq}: stored hash does not match its content (altered entry)`);
      }
      prev = storedHash;
      expected = seq + 1;
      entries++;
    }
    cursor = expected - 1;
  }
  return { ok: true, entries, lastSeq: expected - 1, headHash: prev.toString('hex') };
};

/** Returns why the journal does not reach its recorded head, or undefined when the head entry is there unchanged. */
export const verifyHead = (db: Database.Database, head: HeadRecord): string | undefined => {
  const last = db.prepare<[], { seq: number }>('SELECT seq FROM events ORDER BY seq DESC LIMIT 1').get()?.seq ?? 0;
  if (last < head.seq) {
    return `the journal ends at seq ${last} but its head record says ${head.seq} entries were committed: entries ${last + 1}..${head.seq} are missing (lost with the -wal file?)`;
  }
  if (head.seq === 0) return undefined;
  const row = db.prepare<[number], { hash: unknown }>('SELECT hash FROM events WHERE seq = ?').get(head.seq);
  if (row === undefined || !isHash(row.hash) || row.hash.toString('hex') !== head.hash) {
    return `entry ${head.seq} is not the one the head record names (replaced, or the journal was swapped)`;
  }
  return undefined;
};

interface CoverEntry {
  readonly seq: number;
  readonly digest: string;
}

const tableProblem = (detail: string, seq: number): VerifyResult => bad(seq, 'table_mismatch', detail);

// Walks the entries that write the tables (a LIKE prefilter keeps JSON parsing to those) and compares every row with
// the last entry that wrote it. Rows without an entry, entries whose row is gone, and rows that differ are all damage.
const verifyTables = (db: Database.Database, nextSeq: number): VerifyResult | undefined => {
  const orders = new Map<string, CoverEntry & { readonly ts: number | undefined }>();
  const snapshots = new Map<string, CoverEntry>();
  const kv = new Map<string, CoverEntry | { readonly seq: number; readonly deleted: true }>();
  const counters = new Map<string, number>();
  const rows = db.prepare<[], { seq: number; ts: number; type: string; payload: string }>(
    `SELECT seq, ts, type, payload FROM events WHERE type IN ('${KV_SET}', '${KV_DELETED}', '${COUNTER_ADVANCED}', '${TABLES_ANCHORED}')
       OR payload LIKE '%"${ORDER_ROW_FIELD}":"%' OR payload LIKE '%"${SNAPSHOT_DIGEST_FIELD}":"%' ORDER BY seq`,
  );
  for (const row of rows.iterate()) {
    const p = JSON.parse(row.payload) as Record<string, unknown>;
    if (row.type === KV_SET && typeof p['key'] === 'string' && typeof p['digest'] === 'string') kv.set(p['key'], { seq: row.seq, digest: p['digest'] });
    else if (row.type === KV_DELETED && typeof p['key'] === 'string') kv.set(p['key'], { seq: row.seq, deleted: true });
    else if (row.type === COUNTER_ADVANCED && typeof p['name'] === 'string' && typeof p['value'] === 'number') counters.set(p['name'], p['value']);
    else if (row.type === TABLES_ANCHORED) {
      const anchored = (k: string): Record<string, unknown> => (typeof p[k] === 'object' && p[k] !== null ? (p[k] as Record<string, unknown>) : {});
      for (const [id, v] of Object.entries(anchored('orders'))) orders.set(id, { ...(v as CoverEntry), ts: undefined });
      for (const [id, v] of Object.entries(anchored('snapshots'))) snapshots.set(id, v as CoverEntry);
      for (const [id, v] of Object.entries(anchored('kv'))) kv.set(id, v as CoverEntry);
      for (const [id, v] of Object.entries(anchored('counters'))) if (typeof v === 'number') counters.set(id, v);
    }
    if (typeof p[ORDER_ROW_FIELD] === 'string' && typeof p['clientOrderId'] === 'string') {
      orders.set(p['clientOrderId'], { seq: row.seq, digest: p[ORDER_ROW_FIELD], ts: row.ts });
    }
    if (typeof p[SNAPSHOT_DIGEST_FIELD] === 'string' && typeof p[SNAPSHOT_OF_FIELD] === 'string') {
      snapshots.set(p[SNAPSHOT_OF_FIELD], { seq: row.seq, digest: p[SNAPSHOT_DIGEST_FIELD] });
    }
  }

  const orderRows = db.prepare<[], StoredOrderRow & { client_order_id: string; updated_seq: number; updated_ts: number }>('SELECT * FROM orders').all();
  for (const o of orderRows) {
    const e = orders.get(o.client_order_id);
    if (e === undefined) return tableProblem(`orders: row ${o.client_order_id} was written by no journal entry`, nextSeq);
    if (e.seq !== o.updated_seq || storedOrderRowDigest(o) !== e.digest || (e.ts !== undefined && e.ts !== o.updated_ts)) {
      return tableProblem(`orders: row ${o.client_order_id} differs from what entry ${e.seq} wrote`, e.seq);
    }
    orders.delete(o.client_order_id);
  }
  for (const [id, e] of orders) return tableProblem(`orders: row ${id} written by entry ${e.seq} is missing`, e.seq);

  const snapshotRows = db.prepare<[], { actor_id: string; machine_version: string; seq: number; snapshot: string }>('SELECT actor_id, machine_version, seq, snapshot FROM snapshots').all();
  for (const r of snapshotRows) {
    const e = snapshots.get(r.actor_id);
    if (e === undefined) return tableProblem(`snapshots: ${r.actor_id} was written by no journal entry`, nextSeq);
    if (e.seq !== r.seq || snapshotDigest(r.machine_version, r.snapshot) !== e.digest) {
      return tableProblem(`snapshots: ${r.actor_id} differs from what entry ${e.seq} wrote`, e.seq);
    }
    snapshots.delete(r.actor_id);
  }
  for (const [id, e] of snapshots) return tableProblem(`snapshots: ${id} written by entry ${e.seq} is missing`, e.seq);

  const kvRows = db.prepare<[], { key: string; value: string; updated_seq: number }>('SELECT key, value, updated_seq FROM kv').all();
  for (const r of kvRows) {
    const e = kv.get(r.key);
    if (e === undefined || 'deleted' in e) return tableProblem(`kv: ${r.key} was written by no journal entry`, e?.seq ?? nextSeq);
    if (e.seq !== r.updated_seq || kvValueDigest(r.value) !== e.digest) return tableProblem(`kv: ${r.key} differs from what entry ${e.seq} wrote`, e.seq);
    kv.delete(r.key);
  }
  for (const [key, e] of kv) if (!('deleted' in e)) return tableProblem(`kv: ${key} written by entry ${e.seq} is missing`, e.seq);

  const counterRows = db.prepare<[], { name: string; value: number }>('SELECT name, value FROM counters').all();
  for (const r of counterRows) {
    const v = counters.get(r.name);
    if (v !== r.value) return tableProblem(`counters: ${r.name} is ${r.value}, the journal says ${v === undefined ? 'nothing' : v}`, nextSeq);
    counters.delete(r.name);
  }
  for (const [name, v] of counters) return tableProblem(`counters: ${name} (last ${v}) is missing`, nextSeq);
  return undefined;
};

/** Verifies the chain on an open better-sqlite3 connection inside one read transaction (a consistent view). */
export const verifyDatabase = (db: Database.Database, options: VerifyOptions = {}): VerifyResult => {
  const ownTransaction = !db.inTransaction;
  let result: VerifyResult;
  let nextSeq = (options.from?.seq ?? 0) + 1;
  try {
    if (ownTransaction) db.exec('BEGIN');
    try {
      result = walk(db, options);
      if (result.ok) nextSeq = result.lastSeq + 1;
      if (result.ok && options.head !== undefined) {
        const problem = verifyHead(db, options.head);
        if (problem !== undefined) result = bad(Math.min(nextSeq, options.head.seq), nextSeq <= options.head.seq ? 'missing_entries' : 'head_mismatch', problem);
      }
      if (result.ok && options.tables !== false) result = verifyTables(db, nextSeq) ?? result;
      if (result.ok && options.integrityCheck !== false) {
        const problems = db.pragma('quick_check', { simple: false }) as Array<{ quick_check: string }>;
        const messages = problems.map((p) => p.quick_check).filter((m) => m !== 'ok');
        if (messages.length > 0) result = bad(nextSeq, 'torn', `sqlite quick_check: ${messages.slice(0, 5).join('; ')}`);
      }
    } finally {
      if (ownTransaction && db.inTransaction) db.exec('COMMIT');
    }
  } catch (e) {
    // A page SQLite itself cannot read (SQLITE_CORRUPT, NOTADB) is damage to the stored chain, not a caller error.
    if (e instanceof Database.SqliteError) return bad(nextSeq, 'torn', `sqlite: ${e.code}: ${e.message}`);
    throw e;
  }
  return result;
};

/**
 * Verifies a journal given its file path (opened read-only) or an open journal: `{ ok: true, entries, lastSeq, headHash }`
 * or the first bad seq with the problem. Removing entries from the tail is visible only against an anchor (`from`).
 * Throws JournalError when the file cannot be opened at all.
 */
export const verifyJournal = (target: string | { verify(options?: VerifyOptions): VerifyResult }, options?: VerifyOptions): VerifyResult => {
  if (typeof target !== 'string') return target.verify(options);
  // The head is read before the journal: a writer commits before it records a head, so this order never shows a
  // head that is ahead of what the read transaction sees.
  const recorded = readHeadRecord(target);
  if (recorded.kind === 'unreadable') return bad(0, 'head_mismatch', recorded.detail);
  const withHead: VerifyOptions = { ...options, head: options?.head ?? (recorded.kind === 'present' ? recorded.head : undefined) };
  let db: Database.Database;
  try {
    db = new Database(target, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new JournalError({ reason: `cannot open journal ${target} for verification: ${e instanceof Error ? e.message : String(e)}`, cause: e });
  }
  try {
    return verifyDatabase(db, withHead);
  } finally {
    db.close();
  }
};
