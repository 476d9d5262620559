/**
 * The single-instance lock (X-RT-6): one running tradewarden per data directory. It keeps a `BEGIN EXCLUSIVE`
 * transaction open on `<dataDir>/instance.lock`; the OS drops that file lock when the process dies, even on SIGKILL,
 * so a crash never leaves a stale lock behind. It guards nothing else and never reads the journal.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Data } from 'effect';

/** The lock is held by another live process (`held`) or the lock file cannot be used (`io`). */
export class InstanceLockError extends Data.TaggedError('InstanceLockError')<{
  readonly path: string;
  readonly reason: 'held' | 'io';
  readonly detail: string;
}> {
  override get message(): string {
    return `single-instance lock: ${this.detail}`;
  }
}

/** A held lock; `release` is idempotent. */
export interface InstanceLock {
  readonly path: string;
  release(): void;
}

/** How long a second process waits for the lock before it gives up. */
const LOCK_WAIT_MS = 100;

/** File name of the lock inside the data directory. */
export const INSTANCE_LOCK_FILE = 'instance.lock';

/** Takes the lock for `dataDir`, waiting at most 100 ms; throws InstanceLockError when another process (or connection) holds it. */
export const acquireInstanceLock = (dataDir: string): InstanceLock => {
  const path = join(dataDir, INSTANCE_LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dataDir, { recursive: true });
    // A short busy timeout settles two processes starting together: the loser of the SHARED→RESERVED race gets
    // SQLITE_BUSY at once (SQLite's deadlock rule) and releases its SHARED lock, so the winner's wait ends. A live
    // holder never commits, so a second process fails after LOCK_WAIT_MS.
    db = new Database(path, { timeout: LOCK_WAIT_MS });
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    if (db?.open === true) db.close();
    const code = e instanceof Database.SqliteError ? e.code : undefined;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new InstanceLockError({ path, reason: 'held', detail: `another tradewarden process holds ${path}` });
    }
    throw new InstanceLockError({ path, reason: 'io', detail: `cannot take ${path}: ${e instanceof Error ? e.message : String(e)}` });
  }
  const held = db;
  return {
    path,
    release: () => {
      if (!held.open) return;
      if (held.inTransaction) held.exec('ROLLBACK');
      held.close();
    },
  };
};
