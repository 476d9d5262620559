/**
 * How the validation section reads: the walk-forward folds, the fold-metric distribution, the Monte Carlo
 * distributions, the shocked runs and the regime slices as titled tables, rendered once as text lines for stdout and once as the
 * report.html panel (`data-section="validation"`), from the same cells so the two never disagree. Pure; formats with
 * the report's own formatters (htmlParts.ts).
 */
import { escapeHtml, formatDuration, formatMoney, formatPercent, formatRatio, formatTime } from '../report/htmlParts.ts';
import type { MonteCarloReport } from './monteCarlo.ts';
import type { RegimeReport } from './regimes.ts';
import type { ShockReport } from './shocks.ts';
import type { Distribution } from './stats.ts';
import type { ValidationReport } from './types.ts';
import type { WalkForwardReport } from './walkForward.ts';

/** One titled table of the section, with notes under it. */
interface ViewTable {
  readonly name: string;
  readonly title: string;
  readonly head: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<ReadonlyArray<string>>;
  readonly notes: ReadonlyArray<string>;
}

const STAT_HEAD = ['min', 'p5', 'median', 'p95', 'max', 'mean', 'sd'] as const;

const statCells = <T>(d: Distribution<T>, format: (v: T) => string): string[] =>
  [d.min, d.p5, d.median, d.p95, d.max, d.mean, d.sd].map((v) => (v === null ? '—' : format(v)));

const count = (n: number): string => String(Number.isInteger(n) ? n : Number(n.toFixed(2)));

const chosenText = (f: WalkForwardReport['folds'][number]): string[] =>
  f.chosen === undefined ? [] : [Object.entries(f.chosen.params).map(([k, v]) => `${k}=${v}`).join(' ')];

const walkForwardTables = (w: WalkForwardReport): ViewTable[] => {
  const o = w.optimisation;
  const folds: ViewTable = {
    name: 'walk-forward-folds',
    title: `Walk-forward: purged ${String(w.k)}-fold, embargo ${formatDuration(w.embargoMs)}, label horizon ${formatDuration(w.horizonMs)}, ${String(w.samples)} bars`,
    head: ['fold', 'test from', 'test to', 'bars', 'train bars', 'purged', 'embargoed', ...(o === undefined ? [] : ['chosen on train']), 'PnL', 'return', 'Sharpe', 'max DD', 'trades', 'win rate'],
    rows: w.folds.map((f) => [
      String(f.fold), formatTime(f.test.from), formatTime(f.test.to), String(f.test.bars), String(f.train.reduce((n, r) => n + r.bars, 0)), String(f.purged), String(f.embargoed), ...chosenText(f),
      formatMoney(f.metrics.totalPnl), formatPercent(f.metrics.totalReturn), formatRatio(f.metrics.sharpe), formatPercent(f.metrics.maxDrawdown), String(f.metrics.trades), formatPercent(f.metrics.winRate),
    ]),
    notes: [
      'Each fold is its own backtest over its test range (the strategy warms up inside it); train ranges leave out the purged and embargoed bars.',
      ...(o === undefined ? [] : [`Each fold chose among ${String(o.sets)} parameter sets by ${o.score}; the test columns are out of sample.`]),
    ],
  };
  const d = w.distribution;
  const dist: ViewTable = {
    name: 'walk-forward-distribution',
    title: `Walk-forward: the folds' metrics (${String(w.k)} folds)`,
    head: ['metric', ...STAT_HEAD],
    rows: [
      ['total PnL', ...statCells(d.totalPnl, formatMoney)], ['total return', ...statCells(d.totalReturn, formatPercent)], ['Sharpe', ...statCells(d.sharpe, formatRatio)],
      ['max drawdown', ...statCells(d.maxDrawdown, formatPercent)], ['trades', ...statCells(d.trades, count)], ['win rate', ...statCells(d.winRate, formatPercent)],
      [`profit factor (${String(d.profitFactor.count)} folds with a loss)`, ...statCells(d.profitFactor, formatRatio)],
    ],
    notes: [],
  };
  return [folds, dist];
};

const monteCarloTable = (m: MonteCarloReport): ViewTable => ({
  name: 'monte-carlo',
  title: `Monte Carlo: ${String(m.simulations)} draws of ${String(m.trades)} closed trades, seed ${String(m.seed)}`,
  head: ['figure', 'actual', ...STAT_HEAD],
  rows: [
    ['reordered: max drawdown', formatPercent(m.actual.maxDrawdown), ...statCells(m.permutation.maxDrawdown, formatPercent)],
    ['reordered: max drawdown (money)', formatMoney(m.actual.maxDrawdownMoney), ...statCells(m.permutation.maxDrawdownMoney, formatMoney)],
    ['resampled: final PnL', formatMoney(m.actual.finalPnl), ...statCells(m.bootstrap.finalPnl, formatMoney)],
    ['resampled: max drawdown', formatPercent(m.actual.maxDrawdown), ...statCells(m.bootstrap.maxDrawdown, formatPercent)],
  ],
  notes: [
    `${formatPercent(m.permutation.worseThanActual)} of reorderings have a deeper drawdown than the actual order; ${formatPercent(m.bootstrap.probabilityOfLoss)} of resamples end at a loss.`,
    'Equity moves at trade exits only (closed-trade PnL, no marking inside a trade); reordering keeps the final PnL, resampling with replacement varies it.',
  ],
});

const shockTables = (s: ShockReport): ViewTable[] => {
  const b = s.base;
  const runs: ViewTable = {
    name: 'shocks',
    title: `Shocks: ${[s.paramFraction === null ? undefined : `parameters ±${formatPercent(s.paramFraction)}`, s.slippageBps === null ? undefined : `slippage +${String(s.slippageBps)} bps`, s.latencyMs === null ? undefined : `latency +${String(s.latencyMs)} ms`].filter((x) => x !== undefined).join(', ')}`,
    head: ['run', 'PnL', 'Δ PnL', 'Sharpe', 'Δ Sharpe', 'max DD', 'Δ max DD', 'trades'],
    rows: [
      ['unshocked', formatMoney(b.totalPnl), '', formatRatio(b.sharpe), '', formatPercent(b.maxDrawdown), '', String(b.trades)],
      ...s.runs.map((r) => (r.status === 'ok'
        ? [r.label, formatMoney(r.metrics.totalPnl), formatMoney(r.change.totalPnl), formatRatio(r.metrics.sharpe), formatRatio(r.change.sharpe), formatPercent(r.metrics.maxDrawdown), formatPercent(r.change.maxDrawdown), String(r.metrics.trades)]
        : [r.label, 'skipped'])),
    ],
    notes: s.runs.flatMap((r) => (r.status === 'skipped' ? [`${r.label} skipped: ${r.problem}`] : [])),
  };
  const d = s.parameterDistribution;
  if (d.sharpe.count === 0) return [runs];
  return [runs, {
    name: 'shock-distribution', title: `Shocks: spread over the ${String(d.sharpe.count)} parameter shocks that ran`, head: ['metric', ...STAT_HEAD],
    rows: [['total PnL', ...statCells(d.totalPnl, formatMoney)], ['Sharpe', ...statCells(d.sharpe, formatRatio)], ['max drawdown', ...statCells(d.maxDrawdown, formatPercent)]],
    notes: [],
  }];
};

const regimeTable = (r: RegimeReport): ViewTable => {
  const p = r.params;
  const unclassified = r.slices.find((s) => s.regime === 'unclassified');
  const skipped = unclassified === undefined ? 0 : unclassified.trades + unclassified.open;
  return {
    name: 'regimes',
    title: `Regimes at entry: ${r.referenceSymbol === null ? "each trade's own symbol" : r.referenceSymbol}, SMA(${String(p.smaBars)}) slope over ${String(p.slopeBars)} bars ±${formatPercent(p.trendFraction)}, crash ${formatPercent(p.crashDrawdownFraction)} below the ${String(p.crashBars)}-bar high`,
    head: ['regime', 'trades', 'win rate', 'net PnL', 'expectancy', 'profit factor', 'open'],
    rows: r.slices.map((s) => [s.regime, String(s.trades), formatPercent(s.winRate), formatMoney(s.totalPnl), formatMoney(s.expectancy), s.profitFactor === null ? '—' : formatRatio(s.profitFactor), String(s.open)]),
    notes: [
      'Classified on the closed bars up to each entry (no later bar); the figures are the closed trades\' (cycles still open at the end are counted under open only).',
      ...(skipped === 0 ? [] : [`${String(skipped)} trades entered before ${String(r.barsNeeded)} bars had closed: unclassified.`]),
    ],
  };
};

const tablesOf = (v: ValidationReport): ViewTable[] => [
  ...(v.walkForward === undefined ? [] : walkForwardTables(v.walkForward)),
  ...(v.monteCarlo === undefined ? [] : [monteCarloTable(v.monteCarlo)]),
  ...(v.shocks === undefined ? [] : shockTables(v.shocks)),
  ...(v.regimes === undefined ? [] : [regimeTable(v.regimes)]),
];

const padded = (cells: ReadonlyArray<ReadonlyArray<string>>): string[] => {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
};

/** Returns the section as text lines (stdout): each table under its title, then its notes. */
export const validationText = (v: ValidationReport): string[] =>
  tablesOf(v).flatMap((t) => [t.title, ...padded([t.head, ...t.rows]).map((l) => `  ${l}`), ...t.notes.map((n) => `  ${n}`)]);

/** Returns the section as the report.html panel. */
export const validationHtml = (v: ValidationReport): string => {
  const tables = tablesOf(v).map((t) => {
    const head = `<tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
    const body = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
    const notes = t.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
    return `<h3>${escapeHtml(t.title)}</h3><table data-table="${t.name}"><thead>${head}</thead><tbody>${body}</tbody></table>${notes}`;
  });
  return `<section class="panel" data-section="validation" id="validation"><h2>Validation</h2>${tables.join('')}</section>`;
};
