/**
 * Journal benchmark (not a test; `npm run bench` collects it): append rate with synchronous=FULL one entry per
 * transaction and batched (group commit), and chain verification time. Figures depend on the disk's fsync cost.
 * Run alone with `npx node tests/bench/journal.bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../src/domain/money.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { openRawJournal, type RawJournal } from '../support/rawJournal.ts';

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

/** Runs the journal benchmarks in a temporary folder and returns the figures. */
export async function benchJournal(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-journal-'));
  try {
    const figures: BenchFigure[] = [
      { name: 'journal append, 1 per transaction (WAL, synchronous=FULL)', value: appendRate(join(dir, 'single.sqlite'), 1, 2_000), unit: 'entries/s' },
      { name: 'journal append, 100 per transaction', value: appendRate(join(dir, 'b100.sqlite'), 100, 2_000), unit: 'entries/s' },
      { name: 'journal append, 1000 per transaction', value: appendRate(join(dir, 'b1000.sqlite'), 1000, 2_000), unit: 'entries/s' },
    ];
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
