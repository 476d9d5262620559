/**
 * Child process for the journal crash drill (X-LOG-4): prints `loaded`, waits for `go` on stdin (so the parent can
 * start it while the previous child still runs), then appends to the journal at argv[2] in a tight loop (single
 * appends, batched transactions that also save a snapshot and a kv value, and write-ahead order records), printing
 * `c <seq> <hash hex>` for each entry only after its commit returned. The parent SIGKILLs it at random points.
 * Test support only; it exits by itself after a few seconds of writing, or when stdin closes before `go`.
 */
import { writeSync } from 'node:fs';
import { enableCompileCache } from 'node:module';

// Most of a child's start-up is loading modules; the compile cache makes the hundred restarts of the drill cheaper.
enableCompileCache();
const { Decimal } = await import('../../src/domain/money.ts');
const { wallClock } = await import('../../src/kernel/Clock.ts');
const { nextClientOrderId } = await import('../../src/journal/clientOrderIds.ts');
const { openRawJournal } = await import('./rawJournal.ts');
type JournalEntry = import('../../src/journal/Journal.ts').JournalEntry;

const [path, seedText] = process.argv.slice(2);
if (path === undefined || seedText === undefined) {
  writeSync(2, 'usage: journalWriterChild <journal path> <seed>\n');
  process.exit(2);
}

// mulberry32: a small seeded PRNG, so a failing run can be replayed with the same seed.
let state = Number(seedText) >>> 0;
const random = (): number => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

writeSync(1, 'loaded\n');
await new Promise<void>((resolve) => {
  let input = '';
  process.stdin.on('data', (d: Buffer) => {
    input += d.toString('utf8');
    if (input.includes('go\n')) resolve();
  });
  process.stdin.on('end', () => process.exit(0));
});
process.stdin.pause();

const journal = openRawJournal({ path, clock: wallClock });
const report = (entries: ReadonlyArray<JournalEntry>): void => {
  writeSync(1, entries.map((e) => `c ${e.seq} ${e.hash.toString('hex')}\n`).join(''));
};
const payload = (i: number): Record<string, unknown> => ({
  i,
  price: new Decimal(int(1, 1_000_000)).div(100),
  // Now and then a payload that spans several pages, so a kill can land in the middle of a multi-page write.
  blob: random() < 0.1 ? 'x'.repeat(int(2_000, 9_000)) : undefined,
});

writeSync(1, `ready ${journal.lastSeq()}\n`);
const stopAt = wallClock.now() + 5_000;
for (let n = 0; wallClock.now() < stopAt; n++) {
  const roll = random();
  if (roll < 0.4) {
    report([journal.append(`writer:${int(0, 3)}`, 'SINGLE', payload(n))]);
  } else if (roll < 0.8) {
    const size = int(1, 20);
    const entries = journal.transaction(() => {
      const batch = journal.appendBatch(
        Array.from({ length: size - 1 }, (_, k) => ({ stream: 'writer:batch', type: 'BATCH', payload: payload(n * 100 + k) })),
      );
      const end = journal.appendWithSnapshot('writer:batch', 'BATCH_END', payload(n * 100 + size - 1), { actorId: 'writer', machineVersion: 'writer@1', snapshot: { size } });
      journal.kvSet('writer:lastBatchSeq', end.seq);
      return [...batch, end];
    });
    report(entries);
  } else {
    const { clientOrderId } = nextClientOrderId(journal, { botId: 'drill', strategyId: 'crash' });
    const { entry } = journal.recordOrderRequested({
      clientOrderId,
      intentId: `intent-${n}`,
      venue: 'sim',
      symbol: 'BTCUSDT',
      side: random() < 0.5 ? 'buy' : 'sell',
      quantity: new Decimal(int(1, 1000)).div(1000),
      price: new Decimal(int(1, 10_000_000)).div(100),
    });
    report([entry]);
  }
}
journal.close();
writeSync(1, 'done\n');
