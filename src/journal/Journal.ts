/**
 * The journal (DESIGN §4): one SQLite file in WAL mode with synchronous=FULL holding the append-only hash-chained
 * `events`, the latest actor `snapshots`, the `orders` projection, a small `kv` store and persisted counters. Every
 * write runs in a transaction and returns only after commit; nothing here talks to a venue or reads the wall clock.
 * Writers name their event types and payloads from the catalogue (events.ts), checked at compile time.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { JournalError } from '../domain/errors.ts';
import { Decimal, dec } from '../domain/money.ts';
import type { OrderStatus, OrderType, Side, TimeInForce } from '../domain/orders.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Telemetry } from '../kernel/telemetry.ts';
import { CanonicalizationError, canonicalDecimal, canonicalJson } from './canonical.ts';
import { GENESIS_HASH, entryHash } from './hashChain.ts';
import type { OrderRowText } from './coverage.ts';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.ts';
import { verifyDatabase, verifyHead, type VerifyOptions, type VerifyResult } from './verify.ts';
import {
  COUNTER_ADVANCED, JOURNAL_STREAM, KV_DELETED, KV_SET, ORDER_ROW_FIELD, SNAPSHOT_DIGEST_FIELD, SNAPSHOT_OF_FIELD, TABLES_ANCHORED,
  kvValueDigest, orderRowDigest, snapshotDigest, storedOrderRowDigest,
} from './coverage.ts';
import { openHeadRecordWriter, readHeadRecord, type HeadRecordWriter } from './headRecord.ts';
import { claimJournalFile, InstanceLockError } from './instanceLock.ts';
import type {
  AppendEventType, JournalEventType, JournalOwnEventType, JournalPayload, OrderEventType, OrderUpdateDetails, OrderUpdateEventType,
  SnapshotEventPayload, SnapshotEventType,
} from './events.ts';

/** Event type of the write-ahead record committed before an order leaves the process. */
export const ORDER_REQUESTED = 'ORDER_REQUESTED' satisfies JournalEventType;

/** One committed journal entry. `payload` is the parsed canonical JSON (Decimals come back as strings). */
export interface JournalEntry {
  readonly seq: number;
  readonly ts: number;
  readonly stream: string;
  readonly type: string;
  readonly payload: unknown;
  /** The exact canonical text stored and hashed. */
  readonly payloadJson: string;
  readonly prevHash: Buffer;
  readonly hash: Buffer;
}

/** An entry to append: the journal assigns seq, ts and the hashes. The payload is the one its type catalogues. */
export type AppendInput<T extends AppendEventType = AppendEventType> = T extends AppendEventType
  ? { readonly stream: string; readonly type: T; readonly payload: JournalPayload<T> }
  : never;

/** The latest persisted snapshot of one actor. */
export interface SnapshotRow {
  readonly actorId: string;
  readonly machineVersion: string;
  /** The journal seq the snapshot reflects (events with a greater seq are replayed on restore). */
  readonly seq: number;
  readonly snapshot: unknown;
  readonly updatedTs: number;
}

/**
 * Journal-side order states: `requested` (write-ahead record committed, venue outcome not yet known), `ambiguous`
 * (sent, outcome unknown: query by client order id, never resend), then the venue-neutral statuses.
 */
export type JournalOrderState = 'requested' | 'ambiguous' | OrderStatus;

const ORDER_STATES: ReadonlySet<string> = new Set<JournalOrderState>([
  'requested',
  'ambiguous',
  'new',
  'partially_filled',
  'untriggered',
  'filled',
  'cancelled',
  'rejected',
  'expired',
  'triggered',
  'deactivated',
]);

/** One row of the orders projection. */
export interface OrderRow {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly intentId: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly state: JournalOrderState;
  readonly venueOrderId: string | undefined;
  readonly filledQuantity: Decimal;
  /** What the order is for (`entry`, `exit`, `flatten`); undefined for rows written before schema v3. */
  readonly role: string | undefined;
  readonly strategyId: string | undefined;
  readonly reduceOnly: boolean;
  readonly createdSeq: number;
  readonly updatedSeq: number;
  readonly createdTs: number;
  readonly updatedTs: number;
}

/** Input of `upsertOrder`: the row minus the bookkeeping columns; `seq` is the journal entry that caused the change. */
export interface OrderUpsert {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly intentId: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price?: Decimal | undefined;
  readonly state: JournalOrderState;
  readonly venueOrderId?: string | undefined;
  readonly filledQuantity?: Decimal | undefined;
  readonly role?: string | undefined;
  readonly strategyId?: string | undefined;
  readonly reduceOnly?: boolean | undefined;
  readonly seq: number;
}

/** The write-ahead record of one order request (ORDER_REQUESTED). */
export interface OrderRequestedInput {
  readonly clientOrderId: string;
  readonly intentId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly price?: Decimal | undefined;
  readonly orderType?: OrderType | undefined;
  readonly timeInForce?: TimeInForce | undefined;
  readonly reduceOnly?: boolean | undefined;
  /** What the order is for (`entry`, `exit`, `flatten`) and whose strategy: kept in the projection row. */
  readonly role?: string | undefined;
  readonly strategyId?: string | undefined;
  /** Stream of the event; defaults to `order:<clientOrderId>`. */
  readonly stream?: string | undefined;
  /** The event payload's fields beyond the order itself (the catalogue's ORDER_REQUESTED: the decision id). */
  readonly details?: { readonly decisionId?: string | undefined } | undefined;
}

/**
 * A journaled change of one order (ack, fill, cancel…): event and projection update in one commit. One variant per
 * catalogued update type; `payload` holds that event's own fields (required when it has required ones).
 */
export type OrderUpdateInput<T extends OrderUpdateEventType = OrderUpdateEventType> = T extends OrderUpdateEventType
  ? {
      readonly clientOrderId: string;
      /** Event type, e.g. ORDER_ACKNOWLEDGED, ORDER_FILLED, ORDER_CANCELLED. */
      readonly type: T;
      readonly state: JournalOrderState;
      readonly venueOrderId?: string | undefined;
      readonly filledQuantity?: Decimal | undefined;
      /** Stream of the event; defaults to `order:<clientOrderId>`. */
      readonly stream?: string | undefined;
    } & (Partial<OrderUpdateDetails<T>> extends OrderUpdateDetails<T> ? { readonly payload?: OrderUpdateDetails<T> | undefined } : { readonly payload: OrderUpdateDetails<T> })
  : never;

/** The snapshot an `appendWithSnapshot` stores. */
export interface SnapshotInput {
  readonly actorId: string;
  readonly machineVersion: string;
  readonly snapshot: unknown;
}

/** Filters of `readEvents`; all optional, results in ascending seq. */
export interface ReadEventsQuery {
  readonly fromSeq?: number | undefined;
  readonly stream?: string | undefined;
  readonly type?: string | undefined;
  readonly limit?: number | undefined;
}

/** Options of `openJournal`. */
export interface OpenJournalOptions {
  /** File path of the journal; parent folders are created. */
  readonly path: string;
  /** Source of entry timestamps. */
  readonly clock: Clock;
  /** Open without writing (no migrations; the file must exist at the current schema version). */
  readonly readonly?: boolean | undefined;
  /**
   * Keep the durable head record (`<path>.head`) and refuse to open when the journal is behind it (default true for
   * files; ignored for `:memory:` and read-only opens).
   */
  readonly headRecord?: boolean | undefined;
  /**
   * Open the journal as its owner: first prove that no other process has the file open (`claimJournalFile`), so a
   * second instance cannot write the same journal even when the data directory's lock file was deleted.
   */
  readonly claim?: boolean | undefined;
  /**
   * `full` (default): WAL with synchronous=FULL, every commit on disk before it returns — what a run trades on.
   * `scratch`: the same file, chain and checks, but synchronous=OFF and no head record — for a backtest's journal,
   * which no restart ever resumes (a crashed backtest is rerun from its inputs, ADR 0009).
   */
  readonly durability?: 'full' | 'scratch' | undefined;
  /** Told how long each committed write transaction took (`journal_append`, seconds of `latencyClock`; fsync included). */
  readonly telemetry?: Telemetry | undefined;
  /** The clock commits are timed on: `preciseWallClock` for real latencies (default: `clock`). */
  readonly latencyClock?: Clock | undefined;
}

/** The journal store. Every method is synchronous and throws JournalError on failure. */
export interface Journal {
  /** The file path. */
  readonly path: string;
  /** Whether the journal was opened read-only. */
  readonly readonly: boolean;
  /** The schema version of the file. */
  readonly schemaVersion: number;
  /**
   * Appends one entry in its own transaction (or a savepoint of the enclosing one) and returns it after commit. The
   * type and its payload are those of the catalogue (events.ts).
   */
  append<T extends AppendEventType>(stream: string, type: T, payload: JournalPayload<T>): JournalEntry;
  /** Appends several entries in one transaction (group commit: one fsync for the batch). */
  appendBatch(entries: ReadonlyArray<AppendInput>): JournalEntry[];
  /** Runs `fn` in one write transaction (nested calls become savepoints); a throw rolls back and is rethrown. */
  transaction<T>(fn: () => T): T;
  /**
   * Inside a write transaction: a promise that resolves once the outermost transaction has committed, or rejects with
   * its error when it rolls back; undefined outside one (everything written is already committed). What lets a caller
   * that journals inside a larger transaction act on the venue only after its entries are durable (the write-ahead
   * rule with one commit per decision).
   */
  whenCommitted(): Promise<void> | undefined;
  /**
   * Appends one entry and stores the actor snapshot it leaves behind, in one transaction: the entry carries the
   * snapshot's digest, so the snapshots table is covered by the chain.
   */
  appendWithSnapshot<T extends SnapshotEventType>(stream: string, type: T, payload: SnapshotEventPayload<T>, snapshot: SnapshotInput): JournalEntry;
  /** Returns the latest snapshot of an actor, if any. */
  loadSnapshot(actorId: string): SnapshotRow | undefined;
  /** Returns the latest snapshot of every actor, ordered by actor id. */
  loadSnapshots(): SnapshotRow[];
  /** Returns the projection row of a client order id, if any. */
  getOrder(clientOrderId: string): OrderRow | undefined;
  /** Returns the projection rows in any of the given states, by created seq. */
  ordersInState(states: ReadonlyArray<JournalOrderState>): ReadonlyArray<OrderRow>;
  /** Commits ORDER_REQUESTED and the `requested` projection row in one transaction; returns after commit. */
  recordOrderRequested(input: OrderRequestedInput): { readonly entry: JournalEntry; readonly order: OrderRow };
  /** Commits an order event and its projection update in one transaction; the order must exist. */
  recordOrderUpdate(input: OrderUpdateInput): { readonly entry: JournalEntry; readonly order: OrderRow };
  /** Returns the parsed value stored under `key`, if any. */
  kvGet(key: string): unknown;
  /** Stores a canonical-JSON value under `key`, journaled as KV_SET (updated_seq = that entry). */
  kvSet(key: string, value: unknown): void;
  /** Removes `key` (journaled as KV_DELETED); returns whether it existed. */
  kvDelete(key: string): boolean;
  /** Returns the next value of a persisted monotonic counter: max(previous + 1, atLeast, 1), journaled as COUNTER_ADVANCED. */
  nextSequence(name: string, atLeast?: number): number;
  /** Iterates committed entries in seq order. Do not write through this journal while iterating. */
  readEvents(query?: ReadEventsQuery): IterableIterator<JournalEntry>;
  /** Returns the seq of the last entry (0 when empty). */
  lastSeq(): number;
  /** Returns the last entry of a type, if any. */
  lastEventOfType(type: string): JournalEntry | undefined;
  /** Recomputes the hash chain (see verifyJournal). */
  verify(options?: VerifyOptions): VerifyResult;
  /** Returns the connection's durability pragmas (expected: journal_mode 'wal', synchronous 2 = FULL). */
  durability(): { readonly journalMode: string; readonly synchronous: number };
  /** Closes the connection; later calls throw JournalError. Idempotent. */
  close(): void;
}

interface EventDbRow {
  seq: number;
  ts: number;
  stream: string;
  type: string;
  payload: string;
  prev_hash: Buffer;
  hash: Buffer;
}

interface SnapshotDbRow {
  actor_id: string;
  machine_version: string;
  seq: number;
  snapshot: string;
  updated_ts: number;
}

interface OrderDbRow {
  client_order_id: string;
  venue: string;
  symbol: string;
  intent_id: string;
  side: string;
  quantity: string;
  price: string | null;
  state: string;
  venue_order_id: string | null;
  filled_quantity: string;
  created_seq: number;
  updated_seq: number;
  created_ts: number;
  updated_ts: number;
  role: string | null;
  strategy_id: string | null;
  reduce_only: number;
}

/** Applies the pragmas every connection needs; a reopened WAL file defaults to synchronous=NORMAL (api-notes §6). */
export const applyConnectionPragmas = (db: Database.Database, readonly: boolean, scratch = false): void => {
  if (!readonly) db.pragma('journal_mode = WAL');
  db.pragma(scratch && !readonly ? 'synchronous = OFF' : 'synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
};

const toJournalError = (what: string, e: unknown): JournalError => {
  if (e instanceof JournalError) return e;
  if (e instanceof CanonicalizationError) return new JournalError({ reason: `${what}: ${e.message}`, cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new JournalError({ reason: `${what}: ${message}`, cause: e });
};

const isStorageError = (e: unknown): boolean => e instanceof Database.SqliteError || e instanceof CanonicalizationError;

const requireText = (what: string, value: string): void => {
  if (typeof value !== 'string' || value.length === 0) throw new JournalError({ reason: `${what} must be a non-empty string` });
};

const requireSeq = (what: string, value: number): void => {
  if (!Number.isSafeInteger(value) || value < 0) throw new JournalError({ reason: `${what} must be a non-negative integer, got ${String(value)}` });
};

// An entry just appended: its payload is parsed from the canonical text on first read (Decimals come back as strings,
// as from readEvents), so a batch whose entries nobody inspects never re-parses what it just wrote. Every such entry
// shares one getter, which keeps what it parsed in `parsedPayloads`: an object literal with its own `get payload()`
// closure cost V8 ~0.8 µs per entry to build (a new accessor per object), the shared one ~0.2 µs, with the same own,
// enumerable `payload` accessor in the same key order.
const parsedPayloads = new WeakMap<object, unknown>();

const APPENDED_PAYLOAD: PropertyDescriptor = Object.getOwnPropertyDescriptor(
  {
    get payload(): unknown {
      const entry = this as unknown as JournalEntry;
      let payload = parsedPayloads.get(entry);
      // JSON.parse never returns undefined, so undefined means "not parsed yet".
      if (payload === undefined) {
        payload = JSON.parse(entry.payloadJson) as unknown;
        parsedPayloads.set(entry, payload);
      }
      return payload;
    },
  },
  'payload',
) as PropertyDescriptor;

const appendedEntry = (seq: number, ts: number, stream: string, type: string, payloadJson: string, prevHash: Buffer, hash: Buffer): JournalEntry => {
  const entry: Partial<Record<keyof JournalEntry, unknown>> = { seq, ts, stream, type };
  Object.defineProperty(entry, 'payload', APPENDED_PAYLOAD);
  entry.payloadJson = payloadJson;
  entry.prevHash = prevHash;
  entry.hash = hash;
  return entry as JournalEntry;
};

const toEntry = (row: EventDbRow): JournalEntry => ({
  seq: row.seq,
  ts: row.ts,
  stream: row.stream,
  type: row.type,
  payload: JSON.parse(row.payload) as unknown,
  payloadJson: row.payload,
  prevHash: row.prev_hash,
  hash: row.hash,
});

const toSnapshot = (row: SnapshotDbRow): SnapshotRow => ({
  actorId: row.actor_id,
  machineVersion: row.machine_version,
  seq: row.seq,
  snapshot: JSON.parse(row.snapshot) as unknown,
  updatedTs: row.updated_ts,
});

const toOrder = (row: OrderDbRow): OrderRow => {
  if (!ORDER_STATES.has(row.state)) throw new JournalError({ reason: `orders row ${row.client_order_id} has unknown state ${row.state}` });
  if (row.side !== 'buy' && row.side !== 'sell') throw new JournalError({ reason: `orders row ${row.client_order_id} has unknown side ${row.side}` });
  return {
    clientOrderId: row.client_order_id,
    venue: row.venue,
    symbol: row.symbol,
    intentId: row.intent_id,
    side: row.side,
    quantity: dec(row.quantity),
    price: row.price === null ? undefined : dec(row.price),
    state: row.state as JournalOrderState,
    venueOrderId: row.venue_order_id ?? undefined,
    filledQuantity: dec(row.filled_quantity),
    role: row.role ?? undefined,
    strategyId: row.strategy_id ?? undefined,
    reduceOnly: row.reduce_only === 1,
    createdSeq: row.created_seq,
    updatedSeq: row.updated_seq,
    createdTs: row.created_ts,
    updatedTs: row.updated_ts,
  };
};

// Timestamps are integer epoch ms; a fractional or non-finite clock reading is a bug upstream, not a value to store.
const integerNow = (clock: Clock): number => {
  const ts = clock.now();
  if (!Number.isSafeInteger(ts)) throw new JournalError({ reason: `clock returned a non-integer time ${String(ts)}` });
  return ts;
};

const EVENT_COLUMNS = 'seq, ts, stream, type, payload, prev_hash, hash';

/** The values of EVENT_COLUMNS for one entry, in that order. */
type EventRow = [seq: number, ts: number, stream: string, type: string, payload: string, prevHash: Buffer, hash: Buffer];
type EventColumn = EventRow[number];
const EVENT_COLUMN_COUNT = 7;

// Rows per INSERT statement in appendBatch. Fewer statements spare SQLite and the binding their per-statement work
// (bare INSERTs of the bench's rows: 7.5 instead of 9.1 µs of CPU per row, ~1.15x the rows/s of one statement per
// row); 7 × 64 bound parameters stay far below SQLite's limit (32,766).
const INSERT_ROWS = 64;

/**
 * The chain head as the current write transaction sees it: the last entry's seq and hash, and `base`, the seq the
 * transaction started from (read from the file at its first append).
 */
interface ChainHead {
  readonly seq: number;
  readonly hash: Buffer;
  readonly base: number;
}

/** The better-sqlite3 implementation of Journal. */
class SqliteJournal implements Journal {
  readonly path: string;
  readonly readonly: boolean;
  readonly schemaVersion: number;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly runInTransaction: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly readCache = new Map<string, Database.Statement>();
  /** `insertEvents[n]`: the INSERT of n events in one statement (appendBatch), prepared at first use. */
  private readonly insertEvents: Array<Database.Statement<unknown[]> | undefined> = [];
  private readonly head: HeadRecordWriter | undefined;
  private readonly timing: { readonly telemetry: Telemetry; readonly clock: Clock } | undefined;
  /**
   * The chain head inside the current write transaction, so appends neither read it back nor re-hash anything: read
   * once at the transaction's first append, then advanced by each append. A savepoint that rolls back restores the
   * head it started with; the outermost transaction drops it when it ends (commit or rollback), so the next one reads
   * the file again. Undefined outside a write transaction.
   */
  private chainHead: ChainHead | undefined;
  private readonly stmt: {
    readonly lastEvent: Database.Statement<[], { seq: number; hash: Buffer }>;
    readonly appendedSince: Database.Statement<[number, number], { n: number; last: number | null; hash: Buffer | null }>;
    readonly insertEvent: Database.Statement<[EventRow]>;
    readonly lastOfType: Database.Statement<[string], EventDbRow>;
    readonly upsertSnapshot: Database.Statement<[string, string, number, string, number]>;
    readonly getSnapshot: Database.Statement<[string], SnapshotDbRow>;
    readonly allSnapshots: Database.Statement<[], SnapshotDbRow>;
    readonly getOrder: Database.Statement<[string], OrderDbRow>;
    readonly insertOrder: Database.Statement<
      [string, string, string, string, string, string, string | null, string, string | null, string, number, number, number, number, string | null, string | null, number]
    >;
    readonly updateOrder: Database.Statement<[string, string | null, string, string, string | null, number, number, string]>;
    readonly kvGet: Database.Statement<[string], { value: string }>;
    readonly kvSet: Database.Statement<[string, string, number, number]>;
    readonly kvDelete: Database.Statement<[string]>;
    readonly nextCounter: Database.Statement<[string, number], { value: number }>;
    readonly dataVersion: Database.Statement<[], number>;
    readonly ordersInStates: Database.Statement<[string], OrderDbRow>;
  };
  /**
   * `ordersInState` answers by state list, kept until the projection can have changed: this connection wrote an order
   * row, a write transaction or savepoint rolled back, or another connection committed (SQLite's `data_version` moved).
   * A decision reads the working orders every time; without this it re-reads and re-parses every row each time.
   */
  private readonly orderReads = new Map<string, ReadonlyArray<OrderRow>>();
  private orderReadsVersion = -1;

  constructor(db: Database.Database, opts: OpenJournalOptions, schemaVersion: number, head: HeadRecordWriter | undefined) {
    this.db = db;
    this.head = head;
    this.path = opts.path;
    this.clock = opts.clock;
    this.timing = opts.telemetry === undefined ? undefined : { telemetry: opts.telemetry, clock: opts.latencyClock ?? opts.clock };
    this.readonly = opts.readonly === true;
    this.schemaVersion = schemaVersion;
    this.runInTransaction = db.transaction((fn: () => unknown) => fn());
    this.stmt = {
      lastEvent: db.prepare('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1'),
      appendedSince: db.prepare('SELECT count(*) AS n, max(seq) AS last, (SELECT hash FROM events WHERE seq = ?) AS hash FROM events WHERE seq > ?'),
      insertEvent: db.prepare<[EventRow]>(`INSERT INTO events (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      lastOfType: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE type = ? ORDER BY seq DESC LIMIT 1`),
      upsertSnapshot: db.prepare(
        `INSERT INTO snapshots (actor_id, machine_version, seq, snapshot, updated_ts) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(actor_id) DO UPDATE SET machine_version = excluded.machine_version, seq = excluded.seq,
           snapshot = excluded.snapshot, updated_ts = excluded.updated_ts`,
      ),
      getSnapshot: db.prepare('SELECT * FROM snapshots WHERE actor_id = ?'),
      allSnapshots: db.prepare('SELECT * FROM snapshots ORDER BY actor_id'),
      getOrder: db.prepare('SELECT * FROM orders WHERE client_order_id = ?'),
      insertOrder: db.prepare(
        `INSERT INTO orders (client_order_id, venue, symbol, intent_id, side, quantity, price, state, venue_order_id,
           filled_quantity, created_seq, updated_seq, created_ts, updated_ts, role, strategy_id, reduce_only)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateOrder: db.prepare(
        `UPDATE orders SET quantity = ?, price = ?, state = ?, filled_quantity = ?, venue_order_id = ?, updated_seq = ?,
           updated_ts = ? WHERE client_order_id = ?`,
      ),
      kvGet: db.prepare('SELECT value FROM kv WHERE key = ?'),
      kvSet: db.prepare(
        `INSERT INTO kv (key, value, updated_seq, updated_ts) VALUES (?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_seq = excluded.updated_seq, updated_ts = excluded.updated_ts`,
      ),
      kvDelete: db.prepare('DELETE FROM kv WHERE key = ?'),
      nextCounter: db.prepare(
        `INSERT INTO counters (name, value) VALUES (?, ?)
         ON CONFLICT(name) DO UPDATE SET value = max(counters.value + 1, excluded.value) RETURNING value`,
      ),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      // One statement for every state list (a JSON array), prepared with the others: a first decision prepares nothing.
      ordersInStates: db.prepare('SELECT * FROM orders WHERE state IN (SELECT value FROM json_each(?)) ORDER BY created_seq, client_order_id'),
    };
  }

  // Runs a read or write step, turning SQLite and serialization failures into JournalError. Other errors (a caller's
  // own throw inside `transaction`) pass through unchanged.
  private guard<T>(what: string, fn: () => T): T {
    if (!this.db.open) throw new JournalError({ reason: `${what}: journal is closed` });
    try {
      return fn();
    } catch (e) {
      if (e instanceof JournalError || !isStorageError(e)) throw e;
      throw toJournalError(what, e);
    }
  }

  // Statements whose SQL depends on the query shape are prepared once per shape.
  private prepareCached(sql: string): Database.Statement {
    let statement = this.readCache.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.readCache.set(sql, statement);
    }
    return statement;
  }

  private write<T>(what: string, fn: () => T): T {
    if (this.readonly) throw new JournalError({ reason: `${what}: journal is open read-only` });
    if (this.db.inTransaction) {
      // A savepoint of the enclosing transaction: if it rolls back, so does every append it made to the cached head.
      const before = this.chainHead;
      try {
        return this.guard(what, () => this.runInTransaction.immediate(fn) as T);
      } catch (e) {
        this.chainHead = before;
        this.orderReads.clear();
        throw e;
      }
    }
    this.chainHead = undefined;
    const timing = this.timing;
    const started = timing === undefined ? 0 : timing.clock.now();
    let outcome: { readonly error: unknown } | undefined;
    try {
      let committed: ChainHead | undefined;
      // IMMEDIATE takes the write lock up front, so a concurrent writer waits at BEGIN instead of failing at COMMIT.
      const result = this.guard(what, () =>
        this.runInTransaction.immediate(() => {
          const value = fn();
          committed = this.checkedHead();
          return value;
        }) as T,
      );
      if (committed !== undefined) this.head?.write(committed.seq, committed.hash);
      // One observation per outermost commit (a savepoint is part of its transaction's time).
      timing?.telemetry.observe('journal_append', (timing.clock.now() - started) / 1000);
      return result;
    } catch (e) {
      outcome = { error: e };
      this.orderReads.clear();
      throw e;
    } finally {
      this.chainHead = undefined;
      this.settleCommitWaiters(outcome);
    }
  }

  // Waiters of the transaction that just ended: resolved after a commit, rejected after a rollback.
  private commitWaiters: Array<{ readonly resolve: () => void; readonly reject: (e: unknown) => void }> = [];

  private settleCommitWaiters(outcome: { readonly error: unknown } | undefined): void {
    if (this.commitWaiters.length === 0) return;
    const waiters = this.commitWaiters;
    this.commitWaiters = [];
    for (const w of waiters) {
      if (outcome === undefined) w.resolve();
      else w.reject(outcome.error);
    }
  }

  whenCommitted(): Promise<void> | undefined {
    if (!this.db.open || !this.db.inTransaction) return undefined;
    return new Promise((resolve, reject) => this.commitWaiters.push({ resolve, reject }));
  }

  // Inside the transaction, the head it read at its first append (one SELECT per transaction, not per entry).
  private headInTx(): ChainHead {
    if (this.chainHead === undefined) {
      const last = this.stmt.lastEvent.get();
      const seq = last?.seq ?? 0;
      this.chainHead = { seq, hash: last?.hash ?? GENESIS_HASH, base: seq };
    }
    return this.chainHead;
  }

  // Just before the outermost commit: the entries the transaction appended are all in the file, in a row, ending at the
  // head kept in memory. A head cached past a rollback would fail here (and roll the transaction back) instead of
  // committing a gap or a broken link. Returns the head the commit leaves, or undefined when nothing was appended.
  private checkedHead(): ChainHead | undefined {
    const head = this.chainHead;
    if (head === undefined || head.seq === head.base) return undefined;
    const found = this.stmt.appendedSince.get(head.seq, head.base);
    if (found === undefined || found.n !== head.seq - head.base || found.last !== head.seq || found.hash === null || !found.hash.equals(head.hash)) {
      throw new JournalError({
        reason: `chain head check: the transaction appended entries ${head.base + 1}..${head.seq} but the file holds ${found?.n ?? 0} after ${head.base} (last ${String(found?.last ?? null)}); rolled back`,
      });
    }
    return head;
  }

  private now(): number {
    return integerNow(this.clock);
  }

  // Must run inside a write transaction: the head it extends was read in that transaction, which holds the write lock,
  // so the chain stays linear. Each entry's hash follows from the previous one's, kept in memory.
  private appendInTx(stream: string, type: JournalEventType, payload: unknown): JournalEntry {
    const row = this.nextRow(stream, type, payload);
    this.stmt.insertEvent.run(row);
    return this.advance(row);
  }

  // The row of the next entry after the cached head (its serialization, timestamp and hash), not yet inserted.
  private nextRow(stream: string, type: string, payload: unknown): EventRow {
    requireText('stream', stream);
    requireText('type', type);
    const payloadJson = canonicalJson(payload);
    const head = this.headInTx();
    const seq = head.seq + 1;
    const prevHash = head.hash;
    const ts = this.now();
    return [seq, ts, stream, type, payloadJson, prevHash, entryHash(prevHash, seq, ts, stream, type, payloadJson)];
  }

  // Makes a row from `nextRow` (inserted, or about to be in the same batch) the cached head and returns its entry.
  private advance(row: EventRow): JournalEntry {
    const [seq, ts, stream, type, payloadJson, prevHash, hash] = row;
    this.chainHead = { seq, hash, base: this.headInTx().base };
    // The caller gets its own copies of the hashes: nothing it does to them can reach the head the next entry links to.
    return appendedEntry(seq, ts, stream, type, payloadJson, Buffer.from(prevHash), Buffer.from(hash));
  }

  // The INSERT of `rows` events in one statement (one VALUES list), prepared once per row count.
  private insertRowsStatement(rows: number): Database.Statement<unknown[]> {
    let statement = this.insertEvents[rows];
    if (statement === undefined) {
      statement = this.db.prepare(`INSERT INTO events (${EVENT_COLUMNS}) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`);
      this.insertEvents[rows] = statement;
    }
    return statement;
  }

  // Inserts the rows whose columns `pending` holds back to back (at most INSERT_ROWS of them), then empties it.
  private insertPending(pending: EventColumn[]): void {
    if (pending.length === 0) return;
    this.insertRowsStatement(pending.length / EVENT_COLUMN_COUNT).run(pending);
    pending.length = 0;
  }

  // Group commit of many entries inside the write transaction: each entry is serialized, timed and hashed in order
  // exactly as `appendInTx` does it, and the rows go to SQLite INSERT_ROWS at a time (one statement per chunk instead of
  // one per entry; the same rows, in the same order). A throw while preparing an entry first inserts the rows before it,
  // so a failure of theirs still wins, as it would have one entry at a time; the caller's transaction or savepoint then
  // rolls everything back and restores the head.
  private appendBatchInTx(inputs: ReadonlyArray<AppendInput>): JournalEntry[] {
    const entries: JournalEntry[] = [];
    const pending: EventColumn[] = [];
    for (const input of inputs) {
      let row: EventRow;
      try {
        row = this.nextRow(input.stream, input.type, input.payload);
      } catch (e) {
        this.insertPending(pending);
        throw e;
      }
      entries.push(this.advance(row));
      for (const column of row) pending.push(column);
      if (pending.length === INSERT_ROWS * EVENT_COLUMN_COUNT) this.insertPending(pending);
    }
    this.insertPending(pending);
    return entries;
  }

  append<T extends AppendEventType>(stream: string, type: T, payload: JournalPayload<T>): JournalEntry {
    return this.write('append', () => this.appendInTx(stream, type, payload));
  }

  /** Appends one of the journal's own entries (TABLES_ANCHORED); not part of the Journal interface. */
  appendOwn<T extends JournalOwnEventType>(stream: string, type: T, payload: JournalPayload<T>): JournalEntry {
    return this.write('append', () => this.appendInTx(stream, type, payload));
  }

  appendBatch(entries: ReadonlyArray<AppendInput>): JournalEntry[] {
    return this.write('appendBatch', () => this.appendBatchInTx(entries));
  }

  transaction<T>(fn: () => T): T {
    return this.write('transaction', fn);
  }

  appendWithSnapshot<T extends SnapshotEventType>(stream: string, type: T, payload: SnapshotEventPayload<T>, input: SnapshotInput): JournalEntry {
    return this.write('appendWithSnapshot', () => {
      requireText('actorId', input.actorId);
      requireText('machineVersion', input.machineVersion);
      const snapshotJson = canonicalJson(input.snapshot);
      const entry = this.appendInTx(stream, type, {
        ...payload,
        [SNAPSHOT_OF_FIELD]: input.actorId,
        [SNAPSHOT_DIGEST_FIELD]: snapshotDigest(input.machineVersion, snapshotJson),
      });
      this.stmt.upsertSnapshot.run(input.actorId, input.machineVersion, entry.seq, snapshotJson, entry.ts);
      return entry;
    });
  }

  loadSnapshot(actorId: string): SnapshotRow | undefined {
    return this.guard('loadSnapshot', () => {
      const row = this.stmt.getSnapshot.get(actorId);
      return row === undefined ? undefined : toSnapshot(row);
    });
  }

  loadSnapshots(): SnapshotRow[] {
    return this.guard('loadSnapshots', () => this.stmt.allSnapshots.all().map(toSnapshot));
  }

  // Writes the row an order entry leaves behind (`text`, as `orderRowText` validated it against `existing`); `seq` and `ts`
  // are that entry's. Identity fields never change. Returns the row as stored (the projection reads it back the same way).
  private upsertOrderInTx(clientOrderId: string, text: OrderRowText, existing: OrderDbRow | undefined, seq: number, ts: number): OrderRow {
    requireText('clientOrderId', clientOrderId);
    requireSeq('order seq', seq);
    if (existing === undefined) {
      this.stmt.insertOrder.run(
        clientOrderId, text.venue, text.symbol, text.intentId, text.side, text.quantity, text.price, text.state, text.venueOrderId,
        text.filledQuantity, seq, seq, ts, ts, text.role, text.strategyId, text.reduceOnly ? 1 : 0,
      );
    } else {
      this.stmt.updateOrder.run(text.quantity, text.price, text.state, text.filledQuantity, text.venueOrderId, seq, ts, clientOrderId);
    }
    this.orderReads.clear();
    // The row just written, without reading it back: its columns are `text` and the bookkeeping above.
    return toOrder({
      client_order_id: clientOrderId, venue: text.venue, symbol: text.symbol, intent_id: text.intentId, side: text.side, quantity: text.quantity, price: text.price,
      state: text.state, venue_order_id: text.venueOrderId, filled_quantity: text.filledQuantity, created_seq: text.createdSeq, updated_seq: seq,
      created_ts: existing?.created_ts ?? ts, updated_ts: ts, role: text.role, strategy_id: text.strategyId, reduce_only: text.reduceOnly ? 1 : 0,
    });
  }

  // Returns the stored text of the row an upsert would leave (validated against the stored row `existing`), so its digest
  // can go into the entry first.
  private orderRowText(row: OrderUpsert, existing: OrderDbRow | undefined): OrderRowText {
    requireText('clientOrderId', row.clientOrderId);
    if (!ORDER_STATES.has(row.state)) throw new JournalError({ reason: `unknown order state ${String(row.state)}` });
    if (existing === undefined) {
      requireText('venue', row.venue);
      requireText('symbol', row.symbol);
      requireText('intentId', row.intentId);
    } else {
      // Identity fields never change: a mismatch means two intents claim one client order id.
      for (const [field, stored, given] of [
        ['venue', existing.venue, row.venue],
        ['symbol', existing.symbol, row.symbol],
        ['intentId', existing.intent_id, row.intentId],
        ['side', existing.side, row.side],
      ] as const) {
        if (stored !== given) {
          throw new JournalError({ reason: `order ${row.clientOrderId}: ${field} is ${stored}, refusing to change it to ${given}` });
        }
      }
    }
    return {
      venue: row.venue,
      symbol: row.symbol,
      intentId: row.intentId,
      side: row.side,
      quantity: canonicalDecimal(row.quantity),
      price: row.price === undefined ? null : canonicalDecimal(row.price),
      state: row.state,
      venueOrderId: row.venueOrderId ?? existing?.venue_order_id ?? null,
      filledQuantity: row.filledQuantity === undefined ? (existing?.filled_quantity ?? '0') : canonicalDecimal(row.filledQuantity),
      createdSeq: existing?.created_seq ?? row.seq,
      // What the order is for is fixed when it is requested.
      role: existing === undefined ? (row.role ?? null) : existing.role,
      strategyId: existing === undefined ? (row.strategyId ?? null) : existing.strategy_id,
      reduceOnly: existing === undefined ? row.reduceOnly === true : existing.reduce_only === 1,
    };
  }

  // Appends an order entry carrying the digest of the row it leaves, then writes that row (in the caller's transaction).
  // The stored row is read once: the digest, the validation and the write all start from it.
  private appendOrderInTx(stream: string, type: OrderEventType, payload: Readonly<Record<string, unknown>>, row: Omit<OrderUpsert, 'seq'>): { entry: JournalEntry; order: OrderRow } {
    const seq = this.headInTx().seq + 1;
    const existing = this.stmt.getOrder.get(row.clientOrderId);
    const text = this.orderRowText({ ...row, seq }, existing);
    const entry = this.appendInTx(stream, type, { ...payload, [ORDER_ROW_FIELD]: orderRowDigest(text) });
    if (entry.seq !== seq) throw new JournalError({ reason: `order ${row.clientOrderId}: its entry took seq ${entry.seq}, not ${seq}` });
    return { entry, order: this.upsertOrderInTx(row.clientOrderId, text, existing, entry.seq, entry.ts) };
  }

  getOrder(clientOrderId: string): OrderRow | undefined {
    return this.guard('getOrder', () => {
      const row = this.stmt.getOrder.get(clientOrderId);
      return row === undefined ? undefined : toOrder(row);
    });
  }

  ordersInState(states: ReadonlyArray<JournalOrderState>): ReadonlyArray<OrderRow> {
    return this.guard('ordersInState', () => {
      if (states.length === 0) return [];
      const version = this.stmt.dataVersion.get();
      if (version !== this.orderReadsVersion) {
        this.orderReads.clear();
        this.orderReadsVersion = version ?? -1;
      }
      const key = states.join(',');
      let rows = this.orderReads.get(key);
      if (rows === undefined) {
        rows = Object.freeze(this.stmt.ordersInStates.all(JSON.stringify(states)).map(toOrder));
        this.orderReads.set(key, rows);
      }
      return rows;
    });
  }

  recordOrderRequested(input: OrderRequestedInput): { readonly entry: JournalEntry; readonly order: OrderRow } {
    return this.write('recordOrderRequested', () => {
      requireText('clientOrderId', input.clientOrderId);
      if (this.stmt.getOrder.get(input.clientOrderId) !== undefined) {
        throw new JournalError({ reason: `client order id ${input.clientOrderId} was already requested` });
      }
      const payload: Omit<JournalPayload<typeof ORDER_REQUESTED>, typeof ORDER_ROW_FIELD> = {
        ...input.details,
        clientOrderId: input.clientOrderId,
        intentId: input.intentId,
        venue: input.venue,
        symbol: input.symbol,
        side: input.side,
        quantity: input.quantity,
        price: input.price,
        orderType: input.orderType,
        timeInForce: input.timeInForce,
        reduceOnly: input.reduceOnly,
        role: input.role,
        strategyId: input.strategyId,
      };
      return this.appendOrderInTx(input.stream ?? `order:${input.clientOrderId}`, ORDER_REQUESTED, payload, {
        clientOrderId: input.clientOrderId,
        venue: input.venue,
        symbol: input.symbol,
        intentId: input.intentId,
        side: input.side,
        quantity: input.quantity,
        price: input.price,
        state: 'requested',
        role: input.role,
        strategyId: input.strategyId,
        reduceOnly: input.reduceOnly,
      });
    });
  }

  recordOrderUpdate(input: OrderUpdateInput): { readonly entry: JournalEntry; readonly order: OrderRow } {
    return this.write('recordOrderUpdate', () => {
      const existing = this.stmt.getOrder.get(input.clientOrderId);
      if (existing === undefined) throw new JournalError({ reason: `order ${input.clientOrderId} was never requested` });
      const current = toOrder(existing);
      const payload = {
        ...input.payload,
        clientOrderId: input.clientOrderId,
        state: input.state,
        venueOrderId: input.venueOrderId,
        filledQuantity: input.filledQuantity,
      };
      return this.appendOrderInTx(input.stream ?? `order:${input.clientOrderId}`, input.type, payload, {
        ...current,
        state: input.state,
        venueOrderId: input.venueOrderId ?? current.venueOrderId,
        filledQuantity: input.filledQuantity ?? current.filledQuantity,
      });
    });
  }

  kvGet(key: string): unknown {
    return this.guard('kvGet', () => {
      const row = this.stmt.kvGet.get(key);
      return row === undefined ? undefined : (JSON.parse(row.value) as unknown);
    });
  }

  kvSet(key: string, value: unknown): void {
    this.write('kvSet', () => {
      requireText('key', key);
      const valueJson = canonicalJson(value);
      const entry = this.appendInTx(JOURNAL_STREAM, KV_SET, { key, value, digest: kvValueDigest(valueJson) } satisfies JournalPayload<typeof KV_SET>);
      this.stmt.kvSet.run(key, valueJson, entry.seq, entry.ts);
    });
  }

  kvDelete(key: string): boolean {
    return this.write('kvDelete', () => {
      if (this.stmt.kvGet.get(key) === undefined) return false;
      this.appendInTx(JOURNAL_STREAM, KV_DELETED, { key } satisfies JournalPayload<typeof KV_DELETED>);
      return this.stmt.kvDelete.run(key).changes > 0;
    });
  }

  nextSequence(name: string, atLeast = 1): number {
    return this.write('nextSequence', () => {
      requireText('sequence name', name);
      if (!Number.isSafeInteger(atLeast)) throw new JournalError({ reason: `atLeast must be an integer, got ${String(atLeast)}` });
      const row = this.stmt.nextCounter.get(name, Math.max(1, atLeast));
      if (row === undefined) throw new JournalError({ reason: `counter ${name} returned no value` });
      this.appendInTx(JOURNAL_STREAM, COUNTER_ADVANCED, { name, value: row.value } satisfies JournalPayload<typeof COUNTER_ADVANCED>);
      return row.value;
    });
  }

  readEvents(query: ReadEventsQuery = {}): IterableIterator<JournalEntry> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (query.fromSeq !== undefined) {
      where.push('seq >= ?');
      params.push(query.fromSeq);
    }
    if (query.stream !== undefined) {
      where.push('stream = ?');
      params.push(query.stream);
    }
    if (query.type !== undefined) {
      where.push('type = ?');
      params.push(query.type);
    }
    params.push(query.limit ?? -1);
    const sql = `SELECT ${EVENT_COLUMNS} FROM events${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq LIMIT ?`;
    const statement = this.guard('readEvents', () => this.prepareCached(sql));
    const rows = this.guard('readEvents', () => statement.iterate(...params) as IterableIterator<EventDbRow>);
    const guard = this.guard.bind(this);
    function* entries(): Generator<JournalEntry, undefined, undefined> {
      try {
        for (;;) {
          const next = guard('readEvents', () => rows.next());
          if (next.done === true) return undefined;
          yield toEntry(next.value);
        }
      } finally {
        // A consumer that stops early (break) must release the statement, or the connection stays busy for writes.
        rows.return?.();
      }
    }
    return entries();
  }

  lastSeq(): number {
    return this.guard('lastSeq', () => this.stmt.lastEvent.get()?.seq ?? 0);
  }

  lastEventOfType(type: string): JournalEntry | undefined {
    return this.guard('lastEventOfType', () => {
      const row = this.stmt.lastOfType.get(type);
      return row === undefined ? undefined : toEntry(row);
    });
  }

  verify(options?: VerifyOptions): VerifyResult {
    return this.guard('verify', () => {
      const recorded = this.head === undefined ? undefined : readHeadRecord(this.path);
      return verifyDatabase(this.db, { ...options, head: recorded?.kind === 'present' ? recorded.head : options?.head });
    });
  }

  durability(): { readonly journalMode: string; readonly synchronous: number } {
    return this.guard('durability', () => ({
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
    }));
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.head?.close();
  }
}

const readSchemaVersion = (db: Database.Database): number => {
  const table = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return 0;
  return db.prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations').get()?.v ?? 0;
};

const migrate = (db: Database.Database, clock: Clock): { readonly from: number; readonly to: number } => {
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ts INTEGER NOT NULL) STRICT');
    const current = readSchemaVersion(db);
    if (current > SCHEMA_VERSION) {
      throw new JournalError({ reason: `journal schema v${current} is newer than this build (v${SCHEMA_VERSION})` });
    }
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_ts) VALUES (?, ?)').run(m.version, integerNow(clock));
    }
    return { from: current, to: readSchemaVersion(db) };
  });
  return run.immediate();
};

/** The schema version from which the tables beside the chain are covered by it (and a head record is kept). */
const COVERED_SINCE_VERSION = 2;

// A journal written before its tables were covered: one entry anchors the digests of every row it holds now.
const anchorTables = (journal: SqliteJournal, db: Database.Database): void => {
  const orders = db.prepare<[], OrderDbRow>('SELECT * FROM orders ORDER BY client_order_id').all();
  const snapshots = db.prepare<[], SnapshotDbRow>('SELECT * FROM snapshots ORDER BY actor_id').all();
  const kv = db.prepare<[], { key: string; value: string; updated_seq: number }>('SELECT key, value, updated_seq FROM kv ORDER BY key').all();
  const counters = db.prepare<[], { name: string; value: number }>('SELECT name, value FROM counters ORDER BY name').all();
  journal.appendOwn(JOURNAL_STREAM, TABLES_ANCHORED, {
    orders: Object.fromEntries(orders.map((o) => [o.client_order_id, { seq: o.updated_seq, digest: storedOrderRowDigest(o) }])),
    snapshots: Object.fromEntries(snapshots.map((r) => [r.actor_id, { seq: r.seq, digest: snapshotDigest(r.machine_version, r.snapshot) }])),
    kv: Object.fromEntries(kv.map((r) => [r.key, { seq: r.updated_seq, digest: kvValueDigest(r.value) }])),
    counters: Object.fromEntries(counters.map((r) => [r.name, r.value])),
  });
};

// The head record must not be ahead of the journal: entries it names were committed, so their absence means loss.
const checkHead = (path: string, db: Database.Database, coveredBefore: boolean): void => {
  const state = readHeadRecord(path);
  const last = db.prepare<[], { seq: number }>('SELECT seq FROM events ORDER BY seq DESC LIMIT 1').get()?.seq ?? 0;
  if (state.kind === 'unreadable') throw new JournalError({ reason: `integrity: ${state.detail}; refusing to open ${path} (docs/operations.md, "A damaged journal")` });
  if (state.kind === 'absent') {
    if (coveredBefore && last > 0) {
      throw new JournalError({
        reason: `integrity: ${path} has ${last} entries but its head record ${path}.head is missing; committed entries may have been lost. Refusing to open (docs/operations.md, "A damaged journal")`,
      });
    }
    return;
  }
  const problem = verifyHead(db, state.head);
  if (problem !== undefined) throw new JournalError({ reason: `integrity: ${path}: ${problem}. Refusing to open (docs/operations.md, "A damaged journal")` });
};

/** Opens (creating and migrating if needed) the journal at `opts.path`; throws JournalError on failure, InstanceLockError when `claim` finds it held. */
export const openJournal = (opts: OpenJournalOptions): Journal => {
  const readonly = opts.readonly === true;
  const scratch = opts.durability === 'scratch';
  const withHead = !readonly && !scratch && opts.path !== ':memory:' && opts.headRecord !== false;
  let db: Database.Database | undefined;
  let head: HeadRecordWriter | undefined;
  try {
    if (!readonly && opts.path !== ':memory:') mkdirSync(dirname(opts.path), { recursive: true });
    if (opts.claim === true && opts.path !== ':memory:') claimJournalFile(opts.path);
    db = new Database(opts.path, readonly ? { readonly: true, fileMustExist: true } : {});
    applyConnectionPragmas(db, readonly, scratch);
    const versions = readonly ? { from: readSchemaVersion(db), to: readSchemaVersion(db) } : migrate(db, opts.clock);
    if (versions.to !== SCHEMA_VERSION) {
      throw new JournalError({ reason: `journal ${opts.path} has schema v${versions.to}, this build needs v${SCHEMA_VERSION}` });
    }
    if (withHead) {
      checkHead(opts.path, db, versions.from >= COVERED_SINCE_VERSION);
      head = openHeadRecordWriter(opts.path);
    }
    const journal = new SqliteJournal(db, opts, versions.to, head);
    if (!readonly && versions.from > 0 && versions.from < COVERED_SINCE_VERSION && journal.lastSeq() > 0) anchorTables(journal, db);
    if (head !== undefined) {
      const last = db.prepare<[], { seq: number; hash: Buffer }>('SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1').get();
      head.write(last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
      head.sync();
      // The migration and the first head are in the main file, not only the WAL: a lost WAL cannot hide that this
      // journal keeps a head record.
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    return journal;
  } catch (e) {
    head?.close();
    if (db?.open === true) db.close();
    if (e instanceof InstanceLockError) throw e;
    throw toJournalError(`cannot open journal ${opts.path}`, e);
  }
};
