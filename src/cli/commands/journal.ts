/**
 * `tradewarden journal verify [--data-dir <dir>] [--file <journal.sqlite>]`: verifies every journal under the data
 * directory — run journals (`runs/<id>/journal/<kind>-<account>.sqlite`) and persistent per-account journals
 * (`journal/<kind>-<account>.sqlite`)
 * — chain, head record and tables, one line per journal with its path, entry count and verdict. Exit 0 when all are
 * intact, 1 when any is broken, 3 when any cannot be read at all. `journal init` starts a fresh persistent journal for an
 * account after reading the venue (see app/journalInit.ts). No subcommand deletes or overwrites a journal.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError } from '../../domain/errors.ts';
import { journalFileState } from '../../journal/fileState.ts';
import { headRecordPath, readHeadRecord } from '../../journal/headRecord.ts';
import { verifyJournal } from '../../journal/verify.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

const USAGE = 'usage: tradewarden journal verify [--data-dir <dir>] [--file <journal.sqlite>]\n       tradewarden journal init --config <file> [--account <name>] [--data-dir <dir>]';

/** Returns every journal file under `dir` (`*.sqlite`), and every head record whose journal is gone, sorted. */
const findJournals = (dir: string): string[] => {
  const out = new Set<string>();
  const walk = (d: string, depth: number): void => {
    if (depth > 6) return;
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      let isDir: boolean;
      try {
        isDir = statSync(p).isDirectory();
      } catch {
        continue;
      }
      if (isDir) walk(p, depth + 1);
      else if (name.endsWith('.sqlite')) out.add(p);
      else if (name.endsWith('.sqlite.head')) out.add(p.slice(0, -'.head'.length));
    }
  };
  if (existsSync(dir)) walk(dir, 0);
  return [...out].sort();
};

type Verdict = { readonly kind: 'ok' | 'broken' | 'unreadable'; readonly line: string };

/** Verifies one journal file; never throws. */
export const verifyOne = (file: string): Verdict => {
  const state = journalFileState(file);
  const head = readHeadRecord(file);
  if (state.kind === 'unreadable') return { kind: 'unreadable', line: `${file}: UNREADABLE: ${state.detail}` };
  if (state.kind === 'missing' || state.kind === 'empty') {
    const what = state.kind === 'missing' ? 'missing' : `empty (${state.detail})`;
    if (head.kind === 'present' && head.head.seq > 0) {
      return { kind: 'broken', line: `${file}: BROKEN: the journal is ${what} but ${headRecordPath(file)} says ${head.head.seq} entries were committed` };
    }
    if (state.kind === 'missing') return { kind: 'broken', line: `${file}: BROKEN: only its head record exists` };
    return { kind: 'ok', line: `${file}: ok, 0 entries (empty)` };
  }
  try {
    const result = verifyJournal(file);
    if (result.ok) return { kind: 'ok', line: `${file}: ok, ${result.entries} entries, last seq ${result.lastSeq}, head ${result.headHash.slice(0, 16)}${head.kind === 'present' ? '' : ' (no head record)'}` };
    return { kind: 'broken', line: `${file}: BROKEN at seq ${result.firstBadSeq} (${result.problem}): ${result.detail}` };
  } catch (e) {
    return { kind: 'unreadable', line: `${file}: UNREADABLE: ${e instanceof JournalError ? e.reason : e instanceof Error ? e.message : String(e)}` };
  }
};

/** Runs the journal command. */
export const journalCommand = async (io: CliIo, args: ReadonlyArray<string>, global: GlobalOptions): Promise<number> => {
  const sub = args.find((a) => !a.startsWith('-'));
  if (sub === 'init') {
    const { journalInitCommand } = await import('./journalInit.ts');
    return journalInitCommand(io, args, global);
  }
  if (sub !== 'verify') {
    io.err(USAGE);
    return ExitCode.usage;
  }
  const fileIdx = args.indexOf('--file');
  const given = fileIdx >= 0 ? args[fileIdx + 1] : undefined;
  if (fileIdx >= 0 && (given === undefined || given.startsWith('--'))) {
    io.err('journal verify --file needs a path');
    return ExitCode.usage;
  }
  const files = given !== undefined ? [given] : findJournals(global.dataDir);
  if (files.length === 0) {
    io.err(`no journal found under ${global.dataDir} (looked for every *.sqlite, e.g. runs/*/journal/*.sqlite and journal/*.sqlite)`);
    return ExitCode.usage;
  }
  let broken = 0;
  let unreadable = 0;
  for (const file of files) {
    const v = verifyOne(file);
    if (v.kind === 'ok') io.out(v.line);
    else io.err(v.line);
    if (v.kind === 'broken') broken += 1;
    if (v.kind === 'unreadable') unreadable += 1;
  }
  io.out(`${files.length} journal(s): ${files.length - broken - unreadable} intact, ${broken} broken, ${unreadable} unreadable`);
  return unreadable > 0 ? ExitCode.safetyRefusal : broken > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
};
