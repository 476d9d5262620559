/**
 * The report of a simulator run (X-BT-3, issue 12 item 6): the run's results read back from its journal and marked
 * to the bars it replayed — metrics, per-symbol and per-strategy tables, monthly returns, the equity curve and the
 * trades — written as report.json, trades.csv, equity.csv and report.html. A backtest and a paper or loopback run
 * write the same files; only `run` (what was run) differs. Reads the journal read-only; wall time never goes in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/schema.ts';
import type { Decimal } from '../domain/money.ts';
import { equityCsv, tradesCsv } from '../backtest/report/csvFiles.ts';
import { resultsFromJournal } from '../backtest/report/fromJournal.ts';
import { renderReportHtml } from '../backtest/report/html.ts';
import { computeMetrics, metricsBy, monthlyReturns } from '../backtest/report/metrics.ts';
import type { BacktestReport } from '../backtest/report/types.ts';
import { openJournal } from '../journal/Journal.ts';
import { wallClock } from '../kernel/Clock.ts';
import type { Bar } from '../venues/sim/replay/loadBarsCsv.ts';
import { accountsOf } from './accounts.ts';
import type { SessionResult } from './session.ts';

/** The bars of one symbol the run replayed, `intervalMs` each. */
export interface ReplayedBars {
  readonly bars: ReadonlyArray<Bar>;
  readonly intervalMs: number;
}

/** The files a report consists of. */
export interface ReportFiles {
  readonly report: string;
  readonly trades: string;
  readonly equity: string;
  readonly html: string;
}

/**
 * Builds the report of the run whose journal is `journalFile`. With `until`, bars closing after it are left out (a
 * paper run stopped before its data ran out is marked only as far as it ran).
 */
export const buildRunReport = (opts: {
  readonly journalFile: string;
  readonly bars: ReadonlyMap<string, ReplayedBars>;
  readonly startingBalance: Decimal;
  readonly run: Readonly<Record<string, unknown>>;
  readonly themes: Readonly<Record<string, ReadonlyArray<string>>>;
  readonly until?: 'last_entry' | undefined;
}): BacktestReport => {
  const journal = openJournal({ path: opts.journalFile, clock: wallClock, readonly: true });
  let results;
  try {
    let bars = opts.bars;
    if (opts.until === 'last_entry') {
      let last = Number.POSITIVE_INFINITY;
      for (const e of journal.readEvents({ fromSeq: journal.lastSeq(), limit: 1 })) last = e.ts;
      bars = new Map([...opts.bars].map(([s, f]) => [s, { ...f, bars: f.bars.filter((b) => b.start + f.intervalMs <= last) }]));
    }
    results = resultsFromJournal({ journal, bars, startingBalance: opts.startingBalance });
  } finally {
    journal.close();
  }
  const startingEquity = opts.startingBalance.toString();
  const subset = { trades: results.trades, fills: results.fills, startingEquity, curveTimes: results.equity.map((p) => p.ts) };
  return {
    kind: 'tradewarden.backtest', version: 1,
    run: opts.run,
    metrics: computeMetrics({ equity: results.equity, trades: results.trades, fills: results.fills, startingEquity }),
    bySymbol: metricsBy('symbol', subset),
    byStrategy: metricsBy('strategyId', subset),
    monthlyReturns: monthlyReturns(results.equity, startingEquity),
    trades: results.trades,
    equity: results.equity,
    prices: results.prices,
    themes: opts.themes,
  };
};

/** Writes the report's four files under `out` (created when missing); returns their paths. */
export const writeRunReport = (out: string, report: BacktestReport): ReportFiles => {
  mkdirSync(out, { recursive: true });
  const files: ReportFiles = { report: join(out, 'report.json'), trades: join(out, 'trades.csv'), equity: join(out, 'equity.csv'), html: join(out, 'report.html') };
  const symbols = [...new Set(report.prices.map((p) => p.symbol))].sort();
  writeFileSync(files.report, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.trades, tradesCsv(report.trades));
  writeFileSync(files.equity, equityCsv(report.equity, symbols));
  writeFileSync(files.html, renderReportHtml(report));
  return files;
};

/**
 * Writes the report of every account of a finished simulator run (paper or loopback) under `<runDir>/report/` (one
 * account) or `<runDir>/report/<account>/`, marked as far as the run got; returns the HTML files by account. A run on
 * a venue replayed no bars and gets none.
 */
export const writeSessionReports = (opts: {
  readonly config: AppConfig;
  readonly configHash: string;
  readonly version: string;
  readonly session: SessionResult;
}): ReadonlyMap<string, ReportFiles> => {
  const { config, session } = opts;
  const out = new Map<string, ReportFiles>();
  if (session.replayed === undefined) return out;
  const accounts = accountsOf(config);
  for (const a of accounts) {
    const journalFile = session.journals[a.name];
    if (journalFile === undefined) continue;
    const bars = new Map([...session.replayed].filter(([symbol]) => a.symbols.includes(symbol)));
    const report = buildRunReport({
      journalFile, bars, startingBalance: config.sim.startingBalance, themes: config.backtest.themes, until: 'last_entry',
      run: {
        session: 'paper', runId: session.runId, account: a.name, profile: config.profile, configHash: opts.configHash, seed: config.sim.seed, version: opts.version,
        strategies: Object.fromEntries(Object.entries(config.strategies).filter(([, s]) => s.enabled)),
        data: Object.fromEntries([...bars].map(([s, f]) => [s, { bars: f.bars.length, intervalMs: f.intervalMs }])),
        startingBalance: config.sim.startingBalance.toString(), settleAsset: a.trading.settleAsset,
        stoppedBy: session.summary['stoppedBy'] ?? null, vetoes: session.summary['vetoes'] ?? {}, proposals: session.summary['proposals'] ?? 0,
      },
    });
    out.set(a.name, writeRunReport(accounts.length === 1 ? join(session.runDir, 'report') : join(session.runDir, 'report', a.name), report));
  }
  return out;
};
