/**
 * Tamper tests for chain verification (X-LOG-3): each kind of damage to a copy of a journal (triggers dropped through
 * a raw connection) is reported with the first bad seq and the right problem.
 */
import { copyFileSync, statSync, truncateSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalError } from '../../src/domain/errors.ts';
import { openJournal, type JournalEntry } from '../../src/journal/Journal.ts';
import { entryHash } from '../../src/journal/hashChain.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { openRawJournal } from '../support/rawJournal.ts';
import { steppingClock, tempDir } from './fixtures.ts';

const N = 20;
let tmp: ReturnType<typeof tempDir>;
let original: string;
let entries: JournalEntry[] = [];
let copies = 0;

beforeAll(() => {
  tmp = tempDir('verify');
  original = tmp.file('original.sqlite');
  const journal = openRawJournal({ path: original, clock: steppingClock() });
  for (let i = 1; i <= N; i++) entries.push(journal.append(i % 2 === 0 ? 'trade:a' : 'trade:b', 'STEP', { i, note: `entry ${i}` }));
  journal.close();
});
afterAll(() => {
  entries = [];
  tmp.cleanup();
});

// Copies the closed (checkpointed) journal, drops the append-only triggers and applies `tamper` through a raw connection.
const tampered = (tamper: (db: Database.Database) => void): string => {
  const path = tmp.file(`copy-${++copies}.sqlite`);
  copyFileSync(original, path);
  const db = new Database(path);
  db.exec('DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete; DROP TRIGGER events_no_replace;');
  tamper(db);
  db.close();
  return path;
};

const swapRows = (db: Database.Database, a: number, b: number): void => {
  type Row = { ts: number; stream: string; type: string; payload: string; prev_hash: Buffer; hash: Buffer };
  const get = db.prepare<[number], Row>('SELECT ts, stream, type, payload, prev_hash, hash FROM events WHERE seq = ?');
  const set = db.prepare('UPDATE events SET ts = ?, stream = ?, type = ?, payload = ?, prev_hash = ?, hash = ? WHERE seq = ?');
  const ra = get.get(a) as Row;
  const rb = get.get(b) as Row;
  db.prepare('UPDATE events SET hash = randomblob(32) WHERE seq = ?').run(a); // free the UNIQUE hash first
  set.run(ra.ts, ra.stream, ra.type, ra.payload, ra.prev_hash, ra.hash, b);
  set.run(rb.ts, rb.stream, rb.type, rb.payload, rb.prev_hash, rb.hash, a);
};

describe('verifyJournal', () => {
  it('X-LOG-3 accepts an untouched journal and reports its head', () => {
    const last = entries[N - 1] as JournalEntry;
    expect(verifyJournal(original)).toEqual({ ok: true, entries: N, lastSeq: N, headHash: last.hash.toString('hex') });
  });

  it('X-LOG-3 detects an altered payload as hash_mismatch at that seq', () => {
    const path = tampered((db) => db.prepare(`UPDATE events SET payload = '{"i":7,"note":"entry 7!"}' WHERE seq = 7`).run());
    expect(verifyJournal(path)).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'hash_mismatch' });
  });

  it('X-LOG-3 detects a byte-level change that keeps the JSON meaning (whitespace) as hash_mismatch', () => {
    const path = tampered((db) => db.prepare(`UPDATE events SET payload = '{"i": 5,"note":"entry 5"}' WHERE seq = 5`).run());
    expect(verifyJournal(path)).toMatchObject({ ok: false, firstBadSeq: 5, problem: 'hash_mismatch' });
  });

  it('X-LOG-3 detects altered metadata (ts, stream, type) as hash_mismatch', () => {
    for (const [column, value] of [['ts', 1], ['stream', "'trade:z'"], ['type', "'FILL'"]] as const) {
      const path = tampered((db) => db.prepare(`UPDATE events SET ${column} = ${value} WHERE seq = 11`).run());
      expect(verifyJournal(path)).toMatchObject({ ok: false, firstBadSeq: 11, problem: 'hash_mismatch' });
    }
  });

  it('X-LOG-3 an altered entry with a recomputed hash breaks the link of the next entry', () => {
    const path = tampered((db) => db.prepare('UPDATE events SET hash = randomblob(32) WHERE seq = 9').run());
    expect(verifyJournal(path)).toMatchObject({ ok: false, firstBadSeq: 9, problem: 'hash_mismatch' });
    const relinked = tampered((db) => {
      // Forge entry 9 completely, with a hash that matches its new content: entry 10 still points at the old hash.
      const forgedPayload = '{"i":9,"note":"forged"}';
      const e8 = entries[7] as JournalEntry;
      const e9 = entries[8] as JournalEntry;
      const hash = entryHash(e8.hash, 9, e9.ts, e9.stream, e9.type, forgedPayload);
      db.prepare('UPDATE events SET payload = ?, hash = ? WHERE seq = 9').run(forgedPayload, hash);
    });
    expect(verifyJournal(relinked)).toMatchObject({ ok: false, firstBadSeq: 10, problem: 'prev_hash_mismatch' });
  });

  it('X-LOG-3 detects a removed entry as seq_gap (middle and first entry)', () => {
    expect(verifyJournal(tampered((db) => db.prepare('DELETE FROM events WHERE seq = 7').run()))).toMatchObject({
      ok: false,
      firstBadSeq: 7,
      problem: 'seq_gap',
    });
    expect(verifyJournal(tampered((db) => db.prepare('DELETE FROM events WHERE seq BETWEEN 12 AND 14').run()))).toMatchObject({
      ok: false,
      firstBadSeq: 12,
      problem: 'seq_gap',
      detail: 'entries 12..14 are missing',
    });
    expect(verifyJournal(tampered((db) => db.prepare('DELETE FROM events WHERE seq = 1').run()))).toMatchObject({
      ok: false,
      firstBadSeq: 1,
      problem: 'seq_gap',
    });
  });

  it('X-LOG-3 detects a removed entry hidden by renumbering as prev_hash_mismatch', () => {
    const path = tampered((db) => {
      db.prepare('DELETE FROM events WHERE seq = 7').run();
      // Two steps through negative seqs so the primary key never collides.
      db.prepare('UPDATE events SET seq = -(seq - 1) WHERE seq > 7').run();
      db.prepare('UPDATE events SET seq = -seq WHERE seq < 0').run();
    });
    const result = verifyJournal(path);
    expect(result).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'prev_hash_mismatch' });
    expect(result.ok === false && result.detail).toMatch(/removed/);
  });

  it('X-LOG-3 detects two swapped entries as reordered', () => {
    expect(verifyJournal(tampered((db) => swapRows(db, 7, 8)))).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'reordered' });
    expect(verifyJournal(tampered((db) => swapRows(db, 3, 15)))).toMatchObject({ ok: false, firstBadSeq: 3, problem: 'reordered' });
  });

  it('X-LOG-3 detects swapped contents that kept their hashes as hash_mismatch', () => {
    const path = tampered((db) => {
      const p7 = db.prepare<[], { payload: string }>('SELECT payload FROM events WHERE seq = 7').get()?.payload;
      const p8 = db.prepare<[], { payload: string }>('SELECT payload FROM events WHERE seq = 8').get()?.payload;
      db.prepare('UPDATE events SET payload = ? WHERE seq = 7').run(p8);
      db.prepare('UPDATE events SET payload = ? WHERE seq = 8').run(p7);
    });
    expect(verifyJournal(path)).toMatchObject({ ok: false, firstBadSeq: 7, problem: 'hash_mismatch' });
  });

  it('X-LOG-3 reports a partial trailing row (cut payload or hash) as torn', () => {
    const cutPayload = tampered((db) => db.prepare(`UPDATE events SET payload = substr(payload, 1, 9) WHERE seq = ${N}`).run());
    expect(verifyJournal(cutPayload)).toMatchObject({ ok: false, firstBadSeq: N, problem: 'torn' });
    const cutHash = tampered((db) => db.prepare(`UPDATE events SET hash = substr(hash, 1, 16) WHERE seq = ${N}`).run());
    expect(verifyJournal(cutHash)).toMatchObject({ ok: false, firstBadSeq: N, problem: 'torn' });
  });

  it('X-LOG-4 a WAL cut inside its last frame recovers to the last complete commit and verifies', () => {
    const live = tmp.file('live.sqlite');
    const journal = openRawJournal({ path: live, clock: steppingClock() });
    try {
      for (let i = 1; i <= 10; i++) journal.append('s', 'T', { i });
      // Copy while the writer is open: the commits are still in the -wal file, not yet checkpointed.
      const copy = tmp.file('crashed.sqlite');
      copyFileSync(live, copy);
      copyFileSync(`${live}-wal`, `${copy}-wal`);
      truncateSync(`${copy}-wal`, statSync(`${copy}-wal`).size - 100);
      const result = verifyJournal(copy);
      expect(result).toMatchObject({ ok: true, lastSeq: 9, entries: 9 });
    } finally {
      journal.close();
    }
  });

  it('verifies incrementally from a trusted anchor and rejects a wrong anchor', () => {
    const anchor = entries[9] as JournalEntry;
    expect(verifyJournal(original, { from: { seq: 10, hash: anchor.hash.toString('hex') } })).toMatchObject({ ok: true, entries: N - 10, lastSeq: N });
    expect(verifyJournal(original, { from: { seq: 10, hash: (entries[8] as JournalEntry).hash } })).toMatchObject({
      ok: false,
      firstBadSeq: 10,
      problem: 'hash_mismatch',
    });
    const truncatedTail = tampered((db) => db.prepare(`DELETE FROM events WHERE seq > 15`).run());
    expect(verifyJournal(truncatedTail, { from: { seq: 18, hash: (entries[17] as JournalEntry).hash } })).toMatchObject({
      ok: false,
      firstBadSeq: 18,
      problem: 'seq_gap',
    });
  });

  it('verifies an open journal through the same rule and reports an empty journal at genesis', () => {
    const journal = openJournal({ path: tmp.file('empty.sqlite'), clock: steppingClock() });
    try {
      expect(verifyJournal(journal)).toEqual({ ok: true, entries: 0, lastSeq: 0, headHash: '0'.repeat(64) });
    } finally {
      journal.close();
    }
  });

  it('throws JournalError for a file that does not exist, and reports garbage as torn', () => {
    expect(() => verifyJournal(tmp.file('nope.sqlite'))).toThrow(JournalError);
    const garbage = tmp.file('garbage.sqlite');
    copyFileSync(original, garbage);
    truncateSync(garbage, 0);
    expect(verifyJournal(garbage)).toMatchObject({ ok: false, problem: 'torn' });
  });
});
