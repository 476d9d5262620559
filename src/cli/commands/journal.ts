/**
 * `tradewarden journal verify [--data-dir <dir>] [--file <journal.sqlite>] [--json]`: verifies every journal under the
 * data directory — run journals (`runs/<id>/journal/<kind>-<account>.sqlite`) and persistent per-account journals
 * (`journal/<kind>-<account>.sqlite`) — chain, head record and tables, one line per journal with its path, entry count
 * and verdict (with `--json`, one document: every journal's verdict and the totals). Exit 0 when all are intact, 1
 * when any is broken, 3 when any cannot be read at all. `journal init` (journalInit.ts) starts a fresh persistent
 * journal for an account after reading the venue. No subcommand deletes or overwrites a journal.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError } from '../../domain/errors.ts';
import { journalFileState } from '../../journal/fileState.ts';
import { headRecordPath, readHeadRecord } from '../../journal/headRecord.ts';
import { verifyJournal } from '../../journal/verify.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

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

/** The verdict on one journal: its line for the text output, and the facts behind it for `--json`. */
export interface Verdict {
  readonly kind: 'ok' | 'broken' | 'unreadable';
  readonly line: string;
  readonly path: string;
  readonly entries?: number;
  readonly lastSeq?: number;
  readonly headHash?: string;
  /** Whether the head record beside the journal exists (false for a journal written before head records). */
  readonly headRecord?: boolean;
  /** The first bad sequence number and the problem of a broken chain. */
  readonly firstBadSeq?: number;
  readonly problem?: string;
  readonly detail?: string;
}

/** Verifies one journal file; never throws. */
export const verifyOne = (file: string): Verdict => {
  const state = journalFileState(file);
  const head = readHeadRecord(file);
  const headRecord = head.kind === 'present';
  if (state.kind === 'unreadable') return { kind: 'unreadable', path: file, detail: state.detail, line: `${file}: UNREADABLE: ${state.detail}` };
  if (state.kind === 'missing' || state.kind === 'empty') {
    const what = state.kind === 'missing' ? 'missing' : `empty (${state.detail})`;
    if (head.kind === 'present' && head.head.seq > 0) {
      const detail = `the journal is ${what} but ${headRecordPath(file)} says ${head.head.seq} entries were committed`;
      return { kind: 'broken', path: file, headRecord, problem: 'missing_entries', detail, line: `${file}: BROKEN: ${detail}` };
    }
    if (state.kind === 'missing') return { kind: 'broken', path: file, headRecord, problem: 'missing_journal', detail: 'only its head record exists', line: `${file}: BROKEN: only its head record exists` };
    return { kind: 'ok', path: file, entries: 0, headRecord, line: `${file}: ok, 0 entries (empty)` };
  }
  try {
    const result = verifyJournal(file);
    if (result.ok) {
      return {
        kind: 'ok', path: file, entries: result.entries, lastSeq: result.lastSeq, headHash: result.headHash, headRecord,
        line: `${file}: ok, ${result.entries} entries, last seq ${result.lastSeq}, head ${result.headHash.slice(0, 16)}${headRecord ? '' : ' (no head record)'}`,
      };
    }
    return { kind: 'broken', path: file, headRecord, firstBadSeq: result.firstBadSeq, problem: result.problem, detail: result.detail, line: `${file}: BROKEN at seq ${result.firstBadSeq} (${result.problem}): ${result.detail}` };
  } catch (e) {
    const detail = e instanceof JournalError ? e.reason : e instanceof Error ? e.message : String(e);
    return { kind: 'unreadable', path: file, detail, line: `${file}: UNREADABLE: ${detail}` };
  }
};

/** Runs `journal verify`. */
export const journalVerifyCommand = (io: CliIo, opts: { readonly file?: string | undefined }, global: GlobalOptions): number => {
  const files = opts.file !== undefined ? [opts.file] : findJournals(global.dataDir);
  if (files.length === 0) {
    io.err(`no journal found under ${global.dataDir} (looked for every *.sqlite, e.g. runs/*/journal/*.sqlite and journal/*.sqlite)`);
    return ExitCode.usage;
  }
  const verdicts = files.map(verifyOne);
  const broken = verdicts.filter((v) => v.kind === 'broken').length;
  const unreadable = verdicts.filter((v) => v.kind === 'unreadable').length;
  const totals = { journals: files.length, intact: files.length - broken - unreadable, broken, unreadable };
  if (global.json) {
    io.out(JSON.stringify({ dataDir: opts.file === undefined ? global.dataDir : undefined, journals: verdicts.map(({ line: _line, kind, ...facts }) => ({ verdict: kind, ...facts })), totals }, null, 2));
  } else {
    for (const v of verdicts) {
      if (v.kind === 'ok') io.out(v.line);
      else io.err(v.line);
    }
    io.out(`${totals.journals} journal(s): ${totals.intact} intact, ${broken} broken, ${unreadable} unreadable`);
  }
  return unreadable > 0 ? ExitCode.safetyRefusal : broken > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
};
