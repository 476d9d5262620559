/**
 * Child process for the single-instance lock test (X-RT-6): takes the lock for the data directory given as argv[2],
 * prints `acquired <pid>` and holds it until stdin closes, or prints the error and exits 3. Test support only.
 */
import { writeSync } from 'node:fs';
import { acquireInstanceLock } from '../../src/journal/instanceLock.ts';

const dataDir = process.argv[2];
if (dataDir === undefined) {
  writeSync(2, 'usage: instanceLockChild <dataDir>\n');
  process.exit(2);
}
try {
  const lock = acquireInstanceLock(dataDir);
  writeSync(1, `acquired ${process.pid}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    lock.release();
    process.exit(0);
  });
} catch (e) {
  writeSync(1, `refused ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(3);
}
