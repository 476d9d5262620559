/** The events table refuses UPDATE and DELETE at the SQLite level (X-LOG-3), whatever connection tries. */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPEND_ONLY_MESSAGE } from '../../src/journal/schema.ts';
import { openRawJournal } from '../support/rawJournal.ts';
import { steppingClock, tempDir } from './fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
let raw: Database.Database;

beforeEach(() => {
  tmp = tempDir('append-only');
  const journal = openRawJournal({ path: tmp.file('j.sqlite'), clock: steppingClock() });
  journal.appendBatch([1, 2, 3].map((i) => ({ stream: 's', type: 'T', payload: { i } })));
  journal.close();
  raw = new Database(tmp.file('j.sqlite'));
});
afterEach(() => {
  raw.close();
  tmp.cleanup();
});

describe('events table is append-only', () => {
  it('X-LOG-3 UPDATE of an event fails with the trigger message', () => {
    expect(() => raw.prepare(`UPDATE events SET payload = '{"i":99}' WHERE seq = 2`).run()).toThrow(APPEND_ONLY_MESSAGE);
    expect(() => raw.prepare('UPDATE events SET seq = seq + 10').run()).toThrow(APPEND_ONLY_MESSAGE);
    expect(raw.prepare<[], { payload: string }>('SELECT payload FROM events WHERE seq = 2').get()?.payload).toBe('{"i":2}');
  });

  it('X-LOG-3 DELETE of an event fails with the trigger message', () => {
    expect(() => raw.prepare('DELETE FROM events WHERE seq = 3').run()).toThrow(APPEND_ONLY_MESSAGE);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(APPEND_ONLY_MESSAGE);
    expect(raw.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n).toBe(3);
  });

  it('INSERT OR REPLACE cannot overwrite an event by seq or by hash, with or without recursive triggers', () => {
    const hash2 = raw.prepare<[], { hash: Buffer }>('SELECT hash FROM events WHERE seq = 2').get()?.hash;
    for (const recursive of ['OFF', 'ON']) {
      raw.pragma(`recursive_triggers = ${recursive}`);
      expect(() =>
        raw.prepare("INSERT OR REPLACE INTO events (seq, ts, stream, type, payload, prev_hash, hash) VALUES (2, 0, 's', 'T', '{}', zeroblob(32), zeroblob(32))").run(),
      ).toThrow(APPEND_ONLY_MESSAGE);
      expect(() =>
        raw.prepare("INSERT OR REPLACE INTO events (seq, ts, stream, type, payload, prev_hash, hash) VALUES (9, 0, 's', 'T', '{}', zeroblob(32), ?)").run(hash2),
      ).toThrow(APPEND_ONLY_MESSAGE);
    }
    expect(raw.prepare<[], { payload: string }>('SELECT group_concat(payload) AS payload FROM events').get()?.payload).toBe('{"i":1},{"i":2},{"i":3}');
  });
});
