/**
 * Shared set-up for the journal tests: throw-away data directories and a stepping test clock. Test support only;
 * nothing in src imports it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/kernel/Clock.ts';

/** A clock that starts at `start` and moves `step` ms on every read, so entries get distinct, predictable times. */
export const steppingClock = (start = 1_790_000_000_000, step = 1): Clock & { reads: () => number } => {
  let t = start - step;
  let reads = 0;
  return {
    now: () => {
      reads++;
      t += step;
      return t;
    },
    reads: () => reads,
  };
};

/** Creates a temporary directory; `cleanup` removes it. */
export const tempDir = (prefix: string): { readonly dir: string; readonly file: (name: string) => string; readonly cleanup: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), `tw-${prefix}-`));
  return { dir, file: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
};
