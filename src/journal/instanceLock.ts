/**
 * The single-instance locks (X-RT-6). One running tradewarden per data directory: a `BEGIN EXCLUSIVE` transaction
 * held open on `<dataDir>/instance.lock`; the OS drops that file lock when the process dies, even on SIGKILL, so a
 * crash never leaves a stale lock behind. A lock file can be deleted, so the journal itself is the second lock: before
 * a process opens a journal to own it, `claimJournalFile` proves that no other process has that file open (SQLite keeps
 * a shared lock on a WAL database for as long as a connection is open).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
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
  /**
   * Checks that the lock file at `path` is still the one held; when it was deleted or replaced, takes the lock on the
   * file now at `path` again. `held`: unchanged; `restored`: re-taken; `lost`: another process holds the new file.
   */
  refresh(): 'held' | 'restored' | 'lost';
  release(): void;
}

/** How long a second process waits for the lock before it gives up. */
const LOCK_WAIT_MS = 100;

/** File name of the lock inside the data directory. */
export const INSTANCE_LOCK_FILE = 'instance.lock';

const take = (path: string): Database.Database => {
  let db: Database.Database | undefined;
  try {
    // A short busy timeout settles two processes starting together: the loser of the SHARED→RESERVED race gets
    // SQLITE_BUSY at once (SQLite's deadlock rule) and releases its SHARED lock, so the winner's wait ends. A live
    // holder never commits, so a second process fails after LOCK_WAIT_MS.
    db = new Database(path, { timeout: LOCK_WAIT_MS });
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (e) {
    if (db?.open === true) db.close();
    const code = e instanceof Database.SqliteError ? e.code : undefined;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new InstanceLockError({ path, reason: 'held', detail: `another tradewarden process holds ${path}` });
    }
    throw new InstanceLockError({ path, reason: 'io', detail: `cannot take ${path}: ${e instanceof Error ? e.message : String(e)}` });
  }
};

const inodeOf = (path: string): number | undefined => {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
};

const letGo = (db: Database.Database): void => {
  if (!db.open) return;
  if (db.inTransaction) db.exec('ROLLBACK');
  db.close();
};

/** Takes the lock for `dataDir`, waiting at most 100 ms; throws InstanceLockError when another process (or connection) holds it. */
export const acquireInstanceLock = (dataDir: string): InstanceLock => {
  const path = join(dataDir, INSTANCE_LOCK_FILE);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (e) {
    throw new InstanceLockError({ path, reason: 'io', detail: `cannot create ${dataDir}: ${e instanceof Error ? e.message : String(e)}` });
  }
  let held = take(path);
  let inode = inodeOf(path);
  let released = false;
  return {
    path,
    refresh: () => {
      if (released) return 'lost';
      if (inode !== undefined && inodeOf(path) === inode) return 'held';
      try {
        const next = take(path);
        letGo(held);
        held = next;
        inode = inodeOf(path);
        return 'restored';
      } catch {
        return 'lost';
      }
    },
    release: () => {
      released = true;
      letGo(held);
    },
  };
};

/** How long a claim waits for another connection to let go of the journal file. */
const CLAIM_WAIT_MS = 100;

/**
 * Proves that no other process (or connection) has the journal file open, by taking SQLite's exclusive lock on it
 * for an instant; throws InstanceLockError `held` when another holds it. A missing file is free. Errors other than a
 * busy lock (not a database, unreadable) are left to the open that follows, which reports them precisely.
 */
export const claimJournalFile = (journalPath: string): void => {
  if (!existsSync(journalPath) || !statSync(journalPath).isFile()) return;
  let db: Database.Database | undefined;
  try {
    db = new Database(journalPath, { timeout: CLAIM_WAIT_MS, fileMustExist: true });
    // In exclusive locking mode the first read takes an EXCLUSIVE lock on the file, which fails while any other
    // connection (ours or another process's) holds its WAL shared lock.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (e) {
    const code = e instanceof Database.SqliteError ? e.code : undefined;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new InstanceLockError({
        path: journalPath,
        reason: 'held',
        detail: `another process has the journal ${journalPath} open (a running tradewarden on this account, or a reader such as journal verify)`,
      });
    }
  } finally {
    if (db?.open === true) db.close();
  }
};
