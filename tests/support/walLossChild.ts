/**
 * Child process for the lost-WAL test (issue 10): opens the journal at argv[2], appends 10 entries and prints
 * `first <seq>`, waits for `more` on stdin (the parent deletes the `-wal` file meanwhile), appends 10 more and prints
 * `last <seq>`, then waits to be SIGKILLed. Test support only.
 */
import { writeSync } from 'node:fs';

const { wallClock } = await import('../../src/kernel/Clock.ts');
const { openRawJournal } = await import('./rawJournal.ts');

const path = process.argv[2];
if (path === undefined) {
  writeSync(2, 'usage: walLossChild <journal path>\n');
  process.exit(2);
}
const journal = openRawJournal({ path, clock: wallClock });
const append = (n: number): number => {
  let seq = 0;
  for (let i = 0; i < n; i++) seq = journal.append('test', 'COMMITTED', { i }).seq;
  return seq;
};
writeSync(1, `first ${append(10)}\n`);
process.stdin.on('data', (d: Buffer) => {
  if (d.toString('utf8').includes('more')) writeSync(1, `last ${append(10)}\n`);
});
