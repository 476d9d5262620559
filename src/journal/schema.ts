/**
 * The journal's schema migrations, applied in order inside one transaction at open. A migration is never edited once
 * released; a change is a new entry with the next version. Pure data; performs no I/O.
 */

/** One forward migration. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

/** Message of the triggers that make `events` append-only. */
export const APPEND_ONLY_MESSAGE = 'journal events are append-only';

/** All migrations, ascending. */
export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        ts INTEGER NOT NULL,
        stream TEXT NOT NULL,
        type TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash BLOB NOT NULL,
        hash BLOB NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX events_by_stream ON events (stream, seq);
      CREATE INDEX events_by_type ON events (type, seq);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END;
      -- INSERT OR REPLACE deletes the conflicting row without firing DELETE triggers (unless recursive_triggers is on).
      CREATE TRIGGER events_no_replace BEFORE INSERT ON events
        WHEN EXISTS (SELECT 1 FROM events WHERE seq = NEW.seq OR hash = NEW.hash)
        BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY_MESSAGE}'); END;

      CREATE TABLE snapshots (
        actor_id TEXT PRIMARY KEY,
        machine_version TEXT NOT NULL,
        seq INTEGER NOT NULL,
        snapshot TEXT NOT NULL,
        updated_ts INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE orders (
        client_order_id TEXT PRIMARY KEY,
        venue TEXT NOT NULL,
        symbol TEXT NOT NULL,
        intent_id TEXT NOT NULL,
        side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        quantity TEXT NOT NULL,
        price TEXT,
        state TEXT NOT NULL,
        venue_order_id TEXT,
        filled_quantity TEXT NOT NULL,
        created_seq INTEGER NOT NULL,
        updated_seq INTEGER NOT NULL,
        created_ts INTEGER NOT NULL,
        updated_ts INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX orders_by_state ON orders (state, created_seq);
      CREATE INDEX orders_by_intent ON orders (intent_id);

      CREATE TABLE kv (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_seq INTEGER NOT NULL,
        updated_ts INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    // v2: the tables beside the chain are covered by it (every write journals the digest of the row it leaves) and a
    // durable head record is kept beside the file. No table changes; a v1 journal gets a TABLES_ANCHORED entry at open.
    version: 2,
    sql: `CREATE INDEX IF NOT EXISTS events_by_seq_type ON events (seq, type);`,
  },
  {
    // v3: the orders projection knows what each order is for (role, strategy, reduce-only), so nothing parses ids.
    version: 3,
    sql: `
      ALTER TABLE orders ADD COLUMN role TEXT;
      ALTER TABLE orders ADD COLUMN strategy_id TEXT;
      ALTER TABLE orders ADD COLUMN reduce_only INTEGER NOT NULL DEFAULT 0;
    `,
  },
];

/** The schema version this build reads and writes. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
