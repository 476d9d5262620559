/**
 * Hash-chain verification of the journal (X-LOG-3, the first step of every reconcile): recomputes every entry's hash
 * in seq order and names the first bad entry and the kind of damage. Reads only; never repairs anything.
 */
import Database from 'better-sqlite3';
import { JournalError } from '../domain/errors.ts';
import { GENESIS_HASH, HASH_BYTES, entryHash } from './hashChain.ts';

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
}

/** What went wrong at the first bad entry. */
export type VerifyProblem = 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' | 'reordered' | 'torn';

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
  let db: Database.Database;
  try {
    db = new Database(target, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new JournalError({ reason: `cannot open journal ${target} for verification: ${e instanceof Error ? e.message : String(e)}`, cause: e });
  }
  try {
    return verifyDatabase(db, options);
  } finally {
    db.close();
  }
};
