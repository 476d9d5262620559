/**
 * Finds the runs of a data directory and what an export reads of each: its summary (`runs/<run-id>/summary.json`,
 * src/app/summary.ts) and its journals — the run's own (`runs/<run-id>/journal/<kind>-<account>.sqlite`) or, for a run
 * on an external simulator or a venue, the account's persistent journal (`journal/<kind>-<account>.sqlite`, ADR 0006),
 * of which only the entries inside the run's time window belong to it. Reads files only; never writes.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Either, ParseResult, Schema } from 'effect';
import { parseDecimal } from '../domain/money.ts';
import { LedgerError } from './LedgerError.ts';

const DecimalText = Schema.String.pipe(Schema.filter((s) => parseDecimal(s)?.isFinite() === true || `Expected a decimal string, got ${JSON.stringify(s)}`));

/** One entry of the summary's `tradeList` (RunStats): a closed trade, or a cycle still open at the end (`reason: open`). */
const SummaryTrade = Schema.Struct({
  account: Schema.optional(Schema.String),
  symbol: Schema.String,
  side: Schema.Literal('buy', 'sell'),
  quantity: DecimalText,
  entryPrice: DecimalText,
  exitPrice: Schema.NullOr(DecimalText),
  realizedPnl: DecimalText,
  fees: DecimalText,
  reason: Schema.String,
});
export type SummaryTrade = typeof SummaryTrade.Type;

/** The part of a run summary the exports read (the file holds more). */
const RunSummary = Schema.Struct({
  runId: Schema.String,
  profile: Schema.String,
  mode: Schema.Literal('DRY_RUN', 'PAPER', 'LIVE'),
  venue: Schema.String,
  /** One account's run: its name; several: each account's own summary by name. */
  accounts: Schema.Union(Schema.Array(Schema.String), Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  dataStart: Schema.Number,
  dataEnd: Schema.Number,
  trades: Schema.Number,
  realizedPnl: DecimalText,
  fees: DecimalText,
  startingBalance: Schema.NullOr(DecimalText),
  endingBalance: Schema.NullOr(DecimalText),
  tradeList: Schema.Array(SummaryTrade),
});
export type RunSummary = typeof RunSummary.Type;

/** One journal of a run: the account it belongs to and its file. */
export interface RunJournal {
  readonly account: string;
  readonly path: string;
  /** A persistent journal: only entries with `from <= ts <= to` are this run's. */
  readonly window: { readonly from: number; readonly to: number } | undefined;
}

/** What an export reads of one run. */
export interface RunSource {
  readonly runId: string;
  readonly runDir: string;
  readonly summary: RunSummary;
  readonly journals: ReadonlyArray<RunJournal>;
}

/** The account names of a summary, in order. */
export const accountNames = (summary: RunSummary): ReadonlyArray<string> =>
  Array.isArray(summary.accounts) ? (summary.accounts as ReadonlyArray<string>) : Object.keys(summary.accounts).sort();

const runsDir = (dataDir: string): string => join(dataDir, 'runs');

/** Returns the run ids of a data directory that have a summary, the most recently finished last (ties by id). */
export const listRuns = (dataDir: string): ReadonlyArray<string> => {
  const dir = runsDir(dataDir);
  if (!existsSync(dir)) return [];
  const runs: Array<{ readonly id: string; readonly mtime: number }> = [];
  for (const id of readdirSync(dir)) {
    const file = join(dir, id, 'summary.json');
    try {
      runs.push({ id, mtime: statSync(file).mtimeMs });
    } catch {
      continue;
    }
  }
  return runs.sort((a, b) => a.mtime - b.mtime || a.id.localeCompare(b.id)).map((r) => r.id);
};

/** Reads and checks a run's summary.json. */
export const readSummary = (runDir: string): RunSummary => {
  const file = join(runDir, 'summary.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist (the run is still going, or it did not finish)' : e instanceof Error ? e.message : String(e);
    throw new LedgerError({ reason: 'bad_summary', message: `cannot read ${file}: ${why}` });
  }
  const decoded = Schema.decodeUnknownEither(RunSummary)(raw);
  if (Either.isLeft(decoded)) {
    throw new LedgerError({ reason: 'bad_summary', message: `${file} is not a run summary this build can export: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}` });
  }
  return decoded.right;
};

const sqliteFiles = (dir: string): ReadonlyArray<string> => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sqlite')).sort() : []);

/** The account of a journal file named `<kind>-<account>.sqlite`. */
const accountOfFile = (file: string): string => {
  const base = file.slice(0, -'.sqlite'.length);
  const dash = base.indexOf('-');
  return dash < 0 ? base : base.slice(dash + 1);
};

/** Returns the journals of a run: its own directory's, else each account's persistent journal with the run's window. */
const journalsOf = (dataDir: string, runDir: string, summary: RunSummary): ReadonlyArray<RunJournal> => {
  const own = sqliteFiles(join(runDir, 'journal'));
  if (own.length > 0) return own.map((f) => ({ account: accountOfFile(f), path: join(runDir, 'journal', f), window: undefined }));
  const persistent = sqliteFiles(join(dataDir, 'journal'));
  return accountNames(summary).map((account) => {
    const file = persistent.find((f) => accountOfFile(f) === account);
    if (file === undefined) {
      throw new LedgerError({ reason: 'no_journal', message: `run ${summary.runId}: no journal for account ${account} (looked in ${join(runDir, 'journal')} and for ${join(dataDir, 'journal', `<kind>-${account}.sqlite`)})` });
    }
    return { account, path: join(dataDir, 'journal', file), window: { from: summary.dataStart, to: summary.dataEnd } };
  });
};

/**
 * Returns the run to export: the one named by `runId`, else the most recently finished one. Throws LedgerError
 * `no_run` when there is none (naming the runs there are) and `bad_summary`/`no_journal` for a run that cannot be read.
 */
export const findRun = (dataDir: string, runId: string | undefined): RunSource => {
  const runs = listRuns(dataDir);
  const id = runId ?? runs.at(-1);
  if (id === undefined) throw new LedgerError({ reason: 'no_run', message: `no finished run under ${runsDir(dataDir)} (a run writes runs/<run-id>/summary.json when it ends)` });
  const runDir = join(runsDir(dataDir), id);
  if (!existsSync(runDir) || id.includes('/') || id.includes('\\')) {
    throw new LedgerError({ reason: 'no_run', message: `no run ${JSON.stringify(id)} under ${runsDir(dataDir)}; the runs there: ${runs.length === 0 ? 'none' : runs.join(', ')}` });
  }
  const summary = readSummary(runDir);
  return { runId: id, runDir, summary, journals: journalsOf(dataDir, runDir, summary) };
};
