/**
 * A sweep's results table: the rows (one per parameter set, ranked), and the three forms it is written in — the text
 * table on stdout, `sweep.csv` (every metric, raw values) and `sweep.json` (the request and the rows). No wall time
 * and nothing that depends on the number of workers goes in, so equal sweeps give equal bytes. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import { formatMetric } from '../report/htmlParts.ts';
import type { Metrics } from '../report/types.ts';
import type { RankBy, RankMetric } from './rank.ts';
import type { ParameterSet, SweepAxis } from './space.ts';

/** One parameter set of a sweep and what became of it. */
export type SweepRow = {
  /** The run's id: its position in the plan, zero-padded ("007"); its files are under `runs/<run>/`. */
  readonly run: string;
  readonly params: ParameterSet;
} & (
  | { readonly status: 'ok'; readonly rank: number; readonly metrics: Metrics; readonly bars: number }
  /** The strategy's schema refused the set (fast ≥ slow, …): not run. */
  | { readonly status: 'skipped'; readonly problem: string }
  /** The run failed while running. */
  | { readonly status: 'failed'; readonly problem: string }
);

/** What `sweep.json` holds. */
export interface SweepTable {
  readonly kind: 'tradewarden.sweep';
  readonly version: 1;
  readonly strategy: string;
  readonly search: { readonly mode: 'grid' } | { readonly mode: 'random'; readonly samples: number; readonly seed: number };
  readonly axes: ReadonlyArray<SweepAxis>;
  readonly rankBy: RankBy;
  /** Ranked runs first (best first), then failed, then skipped ones, each group in plan order. */
  readonly rows: ReadonlyArray<SweepRow>;
}

/** The metrics the text table shows, besides the one it is ranked by. */
const SHOWN: ReadonlyArray<RankMetric> = ['totalPnl', 'totalReturn', 'sharpe', 'maxDrawdown', 'trades', 'winRate', 'profitFactor'];

/** Every metric column of the CSV, in report order. */
const CSV_METRICS: ReadonlyArray<keyof Metrics> = [
  'totalPnl', 'totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationMs', 'trades', 'winRate',
  'profitFactor', 'expectancy', 'averageTradeDurationMs', 'medianTradeDurationMs', 'exposureTime', 'fees', 'turnover', 'startingEquity', 'endingEquity',
];

const paramNames = (table: SweepTable): ReadonlyArray<string> => table.axes.map((a) => a.name);

/** Returns `sweep.json`'s text. */
export const sweepJson = (table: SweepTable): string => `${JSON.stringify(table, null, 2)}\n`;

/** Returns `sweep.csv`'s text: rank, run, status, one column per parameter, every metric, the problem of a run that did not. */
export const sweepCsv = (table: SweepTable): string => {
  const params = paramNames(table);
  const rows = table.rows.map((r) => [
    r.status === 'ok' ? String(r.rank) : '', r.run, r.status, ...params.map((p) => r.params[p] ?? ''),
    ...CSV_METRICS.map((m) => (r.status === 'ok' ? String(r.metrics[m] ?? '') : '')),
    r.status === 'ok' ? '' : r.problem,
  ]);
  return stringify(rows, { header: true, columns: ['rank', 'run', 'status', ...params, ...CSV_METRICS, 'problem'], record_delimiter: '\n', eof: true });
};

const pad = (cells: ReadonlyArray<ReadonlyArray<string>>): string[] => {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => (i < 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd());
};

/**
 * Returns the text table: one line per ranked run, best first, with the parameters and the main metrics (formatted as
 * in the report), then one line per run that failed or was skipped, with why.
 */
export const sweepText = (table: SweepTable): string[] => {
  const params = paramNames(table);
  const metrics = SHOWN.includes(table.rankBy.metric) ? SHOWN : [table.rankBy.metric, ...SHOWN];
  const arrow = table.rankBy.direction === 'asc' ? ' (asc)' : ' (desc)';
  const head = ['rank', 'run', ...params, ...metrics.map((m) => (m === table.rankBy.metric ? `${m}${arrow}` : m))];
  const ranked = table.rows.flatMap((r) => (r.status === 'ok' ? [[String(r.rank), r.run, ...params.map((p) => r.params[p] ?? ''), ...metrics.map((m) => formatMetric(r.metrics, m)[1])]] : []));
  const others = table.rows.flatMap((r) => (r.status === 'ok' ? [] : [`${r.status} ${r.run} ${params.map((p) => `${p}=${r.params[p] ?? ''}`).join(' ')}: ${r.problem}`]));
  return [...pad([head, ...ranked]), ...others];
};
