/**
 * Journal benchmark (not a test; `npm run bench` collects it): append rate with synchronous=FULL one entry per
 * transaction and batched (group commit), and chain verification time. Figures depend on the disk's fsync cost, so
 * the run also measures its floor: a bare single-row INSERT committed on its own with synchronous=FULL in the same
 * folder (`journal_fsync_commit_floor_ms`); every commit latency here can be read as a multiple of it. The batched
 * burst (`journal_batched_append_entries_per_s`) is paired with the same rows inserted by bare statements into the
 * journal's schema (`journal_batched_sqlite_ceiling_entries_per_s`): what the storage itself allows on this disk.
 * Run alone with `npx node tests/bench/journal.bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Decimal } from '../../src/domain/money.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { applyConnectionPragmas } from '../../src/journal/Journal.ts';
import { MIGRATIONS } from '../../src/journal/schema.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { openRawJournal, type RawJournal } from '../support/rawJournal.ts';
import { fsyncCommitMs } from './floors.ts';

/** One measured figure. */
export interface BenchFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const payload = (i: number) => ({ i, symbol: 'BTCUSDT', side: i % 2 === 0 ? 'buy' : 'sell', price: new Decimal(65_000 + (i % 100)).div(10), qty: '0.010' });

// Appends in transactions of `perTx` entries for about `budgetMs`; returns entries per second.
const appendRate = (path: string, perTx: number, budgetMs: number): number => {
  const journal = openRawJournal({ path, clock: wallClock });
  try {
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < budgetMs) {
      if (perTx === 1) {
        journal.append('bench', 'SINGLE', payload(n));
      } else {
        const batch: Parameters<RawJournal['appendBatch']>[0] = Array.from({ length: perTx }, (_, k) => ({ stream: 'bench', type: 'BATCH', payload: payload(n + k) }));
        journal.appendBatch(batch);
      }
      n += perTx;
    }
    return Math.round(n / ((performance.now() - start) / 1000));
  } finally {
    journal.close();
  }
};

// An ORDER_REQUESTED-like payload, as the write-ahead record carries it: ids, Decimals (stored as decimal strings), the
// order-row digest.
const orderRequestedPayload = (i: number) => ({
  clientOrderId: `tw-sma_cross-${(1_767_225_600_000 + i).toString(36)}-0`,
  intentId: `intent-${i}`,
  decisionId: `decision-${i}`,
  venue: 'bybit',
  symbol: i % 3 === 0 ? 'ETHUSDT' : 'BTCUSDT',
  side: i % 2 === 0 ? 'buy' : 'sell',
  quantity: new Decimal('0.010').plus(new Decimal(i % 7).div(1000)),
  price: new Decimal(6_500_000 + (i % 1000)).div(100),
  orderType: 'limit',
  timeInForce: 'post_only',
  reduceOnly: i % 5 === 0,
  role: 'entry',
  strategyId: 'sma_cross',
  orderRow: 'f3a1c29e8b7d64505e2c1b0a99887766554433221100ffeeddccbbaa00112233',
});

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

const BATCH = 1000;
const BURST_BATCHES = 50;
const BURST_ROUNDS = 3;

// Group commit of realistic entries: a burst of 50 batches of 1,000 ORDER_REQUESTED-like payloads (50,000 entries, each
// on its own `order:<clientOrderId>` stream) into a fresh journal (WAL, synchronous=FULL), three times. The payloads
// are built before the clock starts, so the figure is the journal's cost. Returns the median burst rate and the median
// batch commit of all batches.
const batchedAppend = (dir: string): { readonly entriesPerS: number; readonly batchMs: number } => {
  const batches = Array.from({ length: BURST_BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, k) => {
      const payload = orderRequestedPayload(b * BATCH + k);
      return { stream: `order:${payload.clientOrderId}`, type: 'ORDER_REQUESTED', payload };
    }),
  );
  const rates: number[] = [];
  const batchMs: number[] = [];
  for (let round = 0; round < BURST_ROUNDS; round++) {
    const journal = openRawJournal({ path: join(dir, `batched-${round}.sqlite`), clock: wallClock });
    try {
      const start = performance.now();
      for (const batch of batches) {
        const t0 = performance.now();
        journal.appendBatch(batch);
        batchMs.push(performance.now() - t0);
      }
      rates.push((BURST_BATCHES * BATCH) / ((performance.now() - start) / 1000));
    } finally {
      journal.close();
    }
  }
  return { entriesPerS: Math.round(median(rates)), batchMs: median(batchMs) };
};

// The storage ceiling of the same burst: the rows the journal wrote (file `from`), inserted again by bare statements in
// batches of 1,000 into a fresh file with the journal's schema (indexes, append-only triggers) and pragmas, three times;
// no canonical JSON, hashing or journal code. The median rate is what the journal's own work is measured against.
const sqliteCeiling = (from: string, dir: string): number => {
  const source = new Database(from, { readonly: true });
  const rows = source.prepare('SELECT seq, ts, stream, type, payload, prev_hash, hash FROM events ORDER BY seq').raw().all() as Array<[number, number, string, string, string, Buffer, Buffer]>;
  source.close();
  const rates: number[] = [];
  for (let round = 0; round < BURST_ROUNDS; round++) {
    const db = new Database(join(dir, `ceiling-${round}.sqlite`));
    try {
      applyConnectionPragmas(db, false);
      for (const m of MIGRATIONS) db.exec(m.sql);
      const insert = db.prepare<[number, number, string, string, string, Buffer, Buffer]>(
        'INSERT INTO events (seq, ts, stream, type, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      const batch = db.transaction((from: number) => {
        for (let i = from; i < Math.min(from + BATCH, rows.length); i++) {
          const r = rows[i];
          if (r !== undefined) insert.run(...r);
        }
      });
      const start = performance.now();
      for (let i = 0; i < rows.length; i += BATCH) batch.immediate(i);
      rates.push(rows.length / ((performance.now() - start) / 1000));
    } finally {
      db.close();
    }
  }
  return Math.round(median(rates));
};

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Runs the journal benchmarks in a temporary folder and returns the figures. */
export async function benchJournal(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-journal-'));
  try {
    const figures: BenchFigure[] = [
      { name: 'journal append, 1 per transaction (WAL, synchronous=FULL)', value: appendRate(join(dir, 'single.sqlite'), 1, 2_000), unit: 'entries/s' },
      { name: 'journal append, 100 per transaction', value: appendRate(join(dir, 'b100.sqlite'), 100, 2_000), unit: 'entries/s' },
      { name: 'journal append, 1000 per transaction', value: appendRate(join(dir, 'b1000.sqlite'), 1000, 2_000), unit: 'entries/s' },
    ];
    const batched = batchedAppend(dir);
    figures.push(
      { name: 'journal_batched_append_entries_per_s', value: batched.entriesPerS, unit: 'entries/s' },
      { name: 'journal_batched_append_batch_commit_ms', value: round3(batched.batchMs), unit: 'ms' },
      { name: 'journal_batched_sqlite_ceiling_entries_per_s', value: sqliteCeiling(join(dir, 'batched-0.sqlite'), dir), unit: 'entries/s' },
      // The floor of any durable commit on this disk (tests/bench/floors.ts): a bare one-row INSERT committed alone.
      { name: 'journal_fsync_commit_floor_ms', value: round3(fsyncCommitMs(dir, 200)), unit: 'ms' },
    );
    // Verification cost, normalised to 10k entries, over a chain of at least 50k.
    const path = join(dir, 'verify.sqlite');
    const journal = openRawJournal({ path, clock: wallClock });
    for (let i = 0; i < 50; i++) journal.appendBatch(Array.from({ length: 1000 }, (_, k) => ({ stream: 'bench', type: 'BATCH', payload: payload(i * 1000 + k) })));
    const entries = journal.lastSeq();
    journal.close();
    const start = performance.now();
    const result = verifyJournal(path, { integrityCheck: false });
    const elapsed = performance.now() - start;
    if (!result.ok) throw new Error(`bench chain did not verify: ${result.problem}`);
    figures.push({ name: 'journal verify (hash chain only)', value: Math.round((elapsed / entries) * 10_000 * 10) / 10, unit: 'ms per 10k entries' });
    const withCheckStart = performance.now();
    verifyJournal(path);
    figures.push({
      name: 'journal verify + sqlite quick_check',
      value: Math.round(((performance.now() - withCheckStart) / entries) * 10_000 * 10) / 10,
      unit: 'ms per 10k entries',
    });
    return Promise.resolve(figures);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const f of await benchJournal()) console.log(`${f.name}: ${f.value} ${f.unit}`);
}
