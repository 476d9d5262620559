/**
 * What a journal file on disk holds, judged read-only before anything opens it for writing: missing, empty (0 bytes,
 * no events table, or no entries), present with entries, or unreadable. Never throws and never writes.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

/** What a journal file on disk is. */
export type JournalFileState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'empty'; readonly detail: string }
  | { readonly kind: 'present'; readonly entries: number }
  | { readonly kind: 'unreadable'; readonly detail: string };

/** Returns what the journal file at `path` holds, reading it read-only; never throws. */
export const journalFileState = (path: string): JournalFileState => {
  if (!existsSync(path)) return { kind: 'missing' };
  let stat;
  try {
    stat = statSync(path);
  } catch (e) {
    return { kind: 'unreadable', detail: `cannot stat ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!stat.isFile()) return { kind: 'unreadable', detail: `${path} is not a regular file` };
  if (stat.size === 0) return { kind: 'empty', detail: `${path} is 0 bytes` };
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    const table = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    if (table === undefined) return { kind: 'empty', detail: `${path} has no events table` };
    const n = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n ?? 0;
    return n === 0 ? { kind: 'empty', detail: `${path} holds no entries` } : { kind: 'present', entries: n };
  } catch (e) {
    return { kind: 'unreadable', detail: `${path} is not a readable journal: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    if (db?.open === true) db.close();
  }
};

