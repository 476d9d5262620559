/**
 * The four exports of a run — trade history (CSV or JSON, X-RPT-2), daily summary (X-RPT-3), unresolved orders
 * (S2-14) and the GnuCash book (S2-13) — under the export policy: `exports.mode` (auto: the run's own book; paper or
 * live: only runs of that book; off: no export at all) and the overwrite mode. Each reads the run's summary and
 * journals, renders, writes with writeExport and returns what it did; nothing here prints or reads a clock (`now` is
 * the wall time for backup names). No server, venue or config file is needed.
 */
import { join } from 'node:path';
import { ZERO } from '../domain/money.ts';
import type { Clock } from '../kernel/Clock.ts';
import { dailySummary, isTimeZone } from './dailySummary.ts';
import { balanceOf, buildGnucashBook, ACCOUNTS, type BookKind } from './gnucash/GnucashBook.ts';
import { gnucashXml } from './gnucash/gnucashXml.ts';
import { LedgerError } from './LedgerError.ts';
import { findRun, type RunSource } from './runs.ts';
import { tradesCsv, tradesJson, plain } from './tradesExport.ts';
import { disagreementsWithSummary, readTradeHistory } from './tradeHistory.ts';
import { readUnresolved, unresolvedJson } from './unresolved.ts';
import { writeExport, type OverwriteMode, type WriteOutcome } from './writeExport.ts';

/** `exports.mode` (S2-19): which book a profile exports to, or none. */
export type ExportMode = 'auto' | 'paper' | 'live' | 'off';

/** What every export is asked. */
export interface ExportRequest {
  readonly dataDir: string;
  /** The run (a directory name under runs/); the most recently finished one when absent. */
  readonly runId?: string | undefined;
  /** The output file; `<data-dir>/exports/<run-id>/<name>` when absent. */
  readonly out?: string | undefined;
  readonly mode: ExportMode;
  readonly overwriteMode: OverwriteMode;
  /** Wall time, for the name of a backup. */
  readonly now: number;
}

/** What an export did. */
export interface ExportOutcome extends WriteOutcome {
  readonly runId: string;
  /** One line on what was written (counts and totals). */
  readonly detail: string;
  /** Where the journals and the run summary disagree (written anyway; the journal is the source of truth). */
  readonly warnings: ReadonlyArray<string>;
}

/** The book of a run's mode: LIVE → live, everything else (PAPER, DRY_RUN) → paper. */
export const bookOfMode = (mode: string): BookKind => (mode === 'LIVE' ? 'live' : 'paper');

const readClock = (now: number): Clock => ({ now: () => now });

/** Finds the run and checks it against the policy; `book` is an explicit --book. */
const runFor = (req: ExportRequest, book?: BookKind): { readonly source: RunSource; readonly book: BookKind } => {
  if (req.mode === 'off') throw new LedgerError({ reason: 'exports_off', message: 'exports are off (exports.mode: off); nothing was written' });
  const source = findRun(req.dataDir, req.runId);
  const own = bookOfMode(source.summary.mode);
  const wanted = book ?? (req.mode === 'auto' ? own : req.mode);
  if (wanted !== own) {
    throw new LedgerError({ reason: 'wrong_book', message: `run ${source.runId} is a ${source.summary.mode} run: it belongs to the ${own} book, not the ${wanted} one (paper and live books never mix)` });
  }
  return { source, book: own };
};

const outOf = (req: ExportRequest, runId: string, name: string): string => req.out ?? join(req.dataDir, 'exports', runId, name);

/** Exports a run's trade history as CSV or JSON. */
export const exportTrades = (req: ExportRequest & { readonly format: 'csv' | 'json' }): ExportOutcome => {
  const { source } = runFor(req);
  const history = readTradeHistory(source, readClock(req.now));
  const text = req.format === 'csv' ? tradesCsv(history) : tradesJson(history);
  const written = writeExport(outOf(req, source.runId, `trades.${req.format}`), text, req.overwriteMode, req.now);
  const pnl = history.trades.reduce((a, t) => a.plus(t.pnl), ZERO);
  return { ...written, runId: source.runId, detail: `${history.trades.length} trade(s), PnL ${plain(pnl)} net of fees`, warnings: disagreementsWithSummary(history) };
};

/**
 * Exports a run's daily summary in a time zone: the given one, else the risk time zone the run recorded, else
 * `defaultTimeZone` (a config's), else UTC.
 */
export const exportDaily = (req: ExportRequest & { readonly timeZone?: string | undefined; readonly defaultTimeZone?: string | undefined }): ExportOutcome => {
  if (req.timeZone !== undefined && !isTimeZone(req.timeZone)) throw new LedgerError({ reason: 'bad_option', message: `unknown IANA time zone ${JSON.stringify(req.timeZone)}` });
  const { source } = runFor(req);
  const history = readTradeHistory(source, readClock(req.now));
  const zone = [req.timeZone, ...history.facts.map((f) => f.timeZone), req.defaultTimeZone].find((z) => z !== undefined && isTimeZone(z)) ?? 'UTC';
  const daily = dailySummary(history, zone);
  const written = writeExport(outOf(req, source.runId, 'daily.json'), `${JSON.stringify(daily, null, 2)}\n`, req.overwriteMode, req.now);
  return { ...written, runId: source.runId, detail: `${daily.days.length} day(s) in ${daily.timeZone}, ${daily.totals.trades} closed trade(s)`, warnings: disagreementsWithSummary(history) };
};

/** Exports the unresolved orders (rejections, partial fills, unknown outcomes) of a run's journals. */
export const exportUnresolved = (req: ExportRequest): ExportOutcome => {
  const { source } = runFor(req);
  const log = readUnresolved(source, readClock(req.now));
  const written = writeExport(outOf(req, source.runId, 'unresolved.json'), unresolvedJson(log), req.overwriteMode, req.now);
  const c = log.counts;
  return { ...written, runId: source.runId, detail: `${log.orders.length} order(s): ${c.rejected} rejected, ${c.partial_fill} partly filled, ${c.unknown_outcome} outcome unknown`, warnings: [] };
};

const CURRENCY = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * Exports a run's GnuCash book (paper or live, as the run's mode; an explicit `book` must match it), in the given
 * currency, else the fee asset of the run's venue fills, else `defaultCurrency` (a config's settle asset), else USDT.
 */
export const exportGnucash = (req: ExportRequest & { readonly book?: BookKind | undefined; readonly currency?: string | undefined; readonly defaultCurrency?: string | undefined }): ExportOutcome => {
  if (req.currency !== undefined && !CURRENCY.test(req.currency)) throw new LedgerError({ reason: 'bad_option', message: `--currency ${JSON.stringify(req.currency)} is not a currency code (letters, digits, '.', '_' or '-', at most 32)` });
  const { source, book: kind } = runFor(req, req.book);
  const history = readTradeHistory(source, readClock(req.now));
  const currency = [req.currency, ...history.facts.map((f) => f.feeAsset), req.defaultCurrency].find((c) => c !== undefined && CURRENCY.test(c)) ?? 'USDT';
  const book = buildGnucashBook({ history, kind, currency });
  const written = writeExport(outOf(req, source.runId, `${kind}.gnucash`), gnucashXml(book), req.overwriteMode, req.now);
  const income = balanceOf(book, ACCOUNTS.pnl).neg();
  const fees = balanceOf(book, ACCOUNTS.fees);
  const cash = balanceOf(book, ACCOUNTS.cash);
  return {
    ...written, runId: source.runId, warnings: disagreementsWithSummary(history),
    detail: `${kind} book, ${book.transactions.length} transaction(s) in ${currency}: income ${plain(income)}, fees ${plain(fees)}, broker cash ${plain(cash)}`,
  };
};
