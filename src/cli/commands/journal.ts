/**
 * `tradewarden journal verify [--data-dir <dir>] [--file <journal.sqlite>]`: recomputes the hash chain of every journal
 * under the data directory (or one file) and exits 0 when all are intact, 1 naming the first bad sequence number.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { verifyJournal } from '../../journal/verify.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

const findJournals = (dir: string): string[] => {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return findJournals(p);
    return name === 'journal.sqlite' ? [p] : [];
  });
};

/** Runs the journal command. */
export const journalCommand = (io: CliIo, args: ReadonlyArray<string>, global: GlobalOptions): number => {
  const sub = args.find((a) => !a.startsWith('-'));
  if (sub !== 'verify') {
    io.err('usage: tradewarden journal verify [--data-dir <dir>] [--file <journal.sqlite>]');
    return ExitCode.usage;
  }
  const fileIdx = args.indexOf('--file');
  const files = fileIdx >= 0 && args[fileIdx + 1] !== undefined ? [args[fileIdx + 1]!] : findJournals(global.dataDir);
  if (files.length === 0) {
    io.err(`no journal found under ${global.dataDir}`);
    return ExitCode.usage;
  }
  let broken = 0;
  for (const file of files) {
    let result;
    try {
      result = verifyJournal(file);
    } catch (e) {
      io.err(`${file}: cannot verify: ${(e as Error).message}`);
      broken += 1;
      continue;
    }
    if (result.ok) {
      io.out(`${file}: ok, ${result.entries} entries, last seq ${result.lastSeq}, head ${result.headHash.slice(0, 16)}`);
    } else {
      broken += 1;
      io.err(`${file}: BROKEN at seq ${result.firstBadSeq} (${result.problem}): ${result.detail}`);
    }
  }
  return broken === 0 ? ExitCode.ok : ExitCode.runtimeFailure;
};
