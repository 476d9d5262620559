/**
 * Renders a backtest report as one self-contained HTML file: run identity, metric tables, monthly returns, the trade
 * list and uPlot charts, with uPlot's script and stylesheet inlined so the page opens offline. Reads only uPlot's files
 * from node_modules; computes no metric (it renders the given values), reads no clock and makes no ids, so equal input
 * gives equal bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  CHART_SCRIPT,
  escapeHtml,
  formatDuration,
  formatMetric,
  formatMoney,
  formatPercent,
  formatRatio,
  formatTime,
  METRIC_FORMATS,
  REPORT_CSS,
  returnColour,
  scriptJson,
} from './htmlParts.ts';
import type { BacktestReport, BacktestTrade, Metrics, MonthlyReturns } from './types.ts';
import { validationHtml } from '../validation/view.ts';

/** How many trades the HTML trade list shows; the CSV holds all of them. */
export const TRADE_ROWS_SHOWN = 500;

const MONTHS = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The metrics the per-symbol and per-strategy tables show, as columns. */
const BREAKDOWN_COLUMNS: ReadonlyArray<keyof Metrics> = [
  'totalPnl',
  'totalReturn',
  'maxDrawdown',
  'trades',
  'winRate',
  'profitFactor',
  'expectancy',
  'sharpe',
  'averageTradeDurationMs',
  'exposureTime',
  'fees',
];

type UplotAsset = 'uPlot.iife.min.js' | 'uPlot.min.css';

const readUplot = (file: UplotAsset): string => readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`), 'utf8');

// Inlined text must not be able to end its own element early.
const inlineSafe = (text: string, tag: 'script' | 'style'): string => {
  if (new RegExp(`</${tag}`, 'i').test(text)) throw new Error(`uPlot's ${tag} contains a closing </${tag}> tag; it cannot be inlined`);
  return text;
};

const signClass = (value: number): string => (value > 0 ? 'pos' : value < 0 ? 'neg' : '');

const moneyClass = (amount: string): string => signClass(Number(amount));

// A stable, attribute-safe id fragment for a symbol (the exact symbol stays in data-chart).
const idFragment = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_');

const runValue = (value: unknown): string => {
  if (typeof value === 'string') return escapeHtml(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return escapeHtml(String(value));
  return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
};

const runSection = (run: BacktestReport['run']): string => {
  const rows = Object.entries(run).map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd data-run-key="${escapeHtml(key)}">${runValue(value)}</dd>`);
  return `<section class="panel" data-section="run" id="run"><h2>Run</h2><dl class="run">${rows.join('')}</dl></section>`;
};

const metricsSection = (metrics: Metrics): string => {
  const rows = (Object.keys(METRIC_FORMATS) as Array<keyof Metrics>).map((key) => {
    const [label, value] = formatMetric(metrics, key);
    return `<tr data-metric="${key}"><td>${escapeHtml(label)}</td><td>${escapeHtml(value)}</td></tr>`;
  });
  return `<section class="panel" data-section="metrics" id="metrics"><h2>Metrics</h2><table class="metrics" data-table="metrics"><tbody>${rows.join('')}</tbody></table></section>`;
};

const chartContainer = (name: string, idPart: string): string => `<div class="chart" id="chart-${idPart}" data-chart="${escapeHtml(name)}"></div>`;

const chartsSection = (report: BacktestReport): string => {
  const charts = [
    chartContainer('equity', 'equity'),
    chartContainer('drawdown', 'drawdown'),
    ...report.prices.map((p) => chartContainer(`price-${p.symbol}`, `price-${idFragment(p.symbol)}`)),
    chartContainer('exposure', 'exposure'),
  ];
  return `<section data-section="charts" id="charts"><h2>Charts</h2><div class="charts">${charts.join('')}</div></section>`;
};

// A year's total compounds its months: (1 + r₁)(1 + r₂)… − 1.
const yearTotal = (months: Readonly<Record<string, number>>): number => MONTHS.reduce((acc, m) => acc * (1 + (months[m] ?? 0)), 1) - 1;

const monthlySection = (monthly: MonthlyReturns): string => {
  const years = Object.keys(monthly).sort();
  const largest = Math.max(0, ...years.flatMap((y) => Object.values(monthly[y] ?? {}).map((r) => Math.abs(r))));
  const cell = (value: number | undefined): string =>
    value === undefined ? '<td></td>' : `<td style="background: ${returnColour(value, largest)}">${escapeHtml(formatPercent(value))}</td>`;
  const rows = years.map((year) => {
    const months = monthly[year] ?? {};
    const total = yearTotal(months);
    return `<tr data-year="${escapeHtml(year)}"><th scope="row">${escapeHtml(year)}</th>${MONTHS.map((m) => cell(months[m])).join('')}<td class="${signClass(total)}"><strong>${escapeHtml(formatPercent(total))}</strong></td></tr>`;
  });
  const head = `<tr><th>Year</th>${MONTH_NAMES.map((m) => `<th>${m}</th>`).join('')}<th>Total</th></tr>`;
  const body = rows.length > 0 ? rows.join('') : '<tr><td colspan="14">No monthly returns.</td></tr>';
  return `<section class="panel" data-section="monthly" id="monthly"><h2>Monthly returns (UTC)</h2><table data-table="monthly"><thead>${head}</thead><tbody>${body}</tbody></table></section>`;
};

const breakdownSection = (title: string, name: string, keyLabel: string, rows: Readonly<Record<string, Metrics>>): string => {
  const keys = Object.keys(rows).sort();
  const head = `<tr><th>${escapeHtml(keyLabel)}</th>${BREAKDOWN_COLUMNS.map((c) => `<th>${escapeHtml(METRIC_FORMATS[c][0])}</th>`).join('')}</tr>`;
  const body = keys.map((key) => {
    const metrics = rows[key];
    if (metrics === undefined) return '';
    const cells = BREAKDOWN_COLUMNS.map((c) => {
      const tone = c === 'totalPnl' ? ` class="${moneyClass(metrics.totalPnl)}"` : '';
      return `<td${tone}>${escapeHtml(formatMetric(metrics, c)[1])}</td>`;
    });
    return `<tr data-key="${escapeHtml(key)}"><td>${escapeHtml(key)}</td>${cells.join('')}</tr>`;
  });
  const content = keys.length > 0 ? body.join('') : `<tr><td colspan="${BREAKDOWN_COLUMNS.length + 1}">None.</td></tr>`;
  return `<section class="panel" data-section="${name}" id="${name}"><h2>${escapeHtml(title)}</h2><table data-table="${name}"><thead>${head}</thead><tbody>${content}</tbody></table></section>`;
};

const tradeRow = (t: BacktestTrade, index: number): string => {
  const cells = [
    String(index + 1),
    t.symbol,
    t.strategyId,
    t.side,
    t.quantity,
    formatTime(t.entryTs),
    formatTime(t.exitTs),
    t.entryPrice,
    t.exitPrice ?? '—',
    formatMoney(t.pnl),
    formatMoney(t.fees),
    t.reason,
  ].map((text, i) => `<td${i === 9 ? ` class="${moneyClass(t.pnl)}"` : ''}>${escapeHtml(text)}</td>`);
  return `<tr>${cells.join('')}</tr>`;
};

const tradesSection = (trades: ReadonlyArray<BacktestTrade>): string => {
  const head = ['#', 'Symbol', 'Strategy', 'Side', 'Quantity', 'Entry (UTC)', 'Exit (UTC)', 'Entry price', 'Exit price', 'PnL', 'Fees', 'Reason'];
  const shown = trades.slice(0, TRADE_ROWS_SHOWN);
  const note =
    trades.length > shown.length
      ? `<p class="note" data-note="trades-truncated">Showing the first ${shown.length} of ${trades.length} trades; the trade CSV lists all of them.</p>`
      : '';
  const body = shown.length > 0 ? shown.map(tradeRow).join('') : `<tr><td colspan="${head.length}">No trades.</td></tr>`;
  return `<section class="panel" data-section="trades" id="trades"><h2>Trades (${trades.length})</h2><table data-table="trades"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>${note}</section>`;
};

const summaryLine = (m: Metrics): string =>
  [
    `Return ${formatPercent(m.totalReturn)}`,
    `max drawdown ${formatPercent(m.maxDrawdown)}`,
    `Sharpe ${formatRatio(m.sharpe)}`,
    `${m.trades} trades`,
    `average trade ${formatDuration(m.averageTradeDurationMs)}`,
  ].join(' · ');

/** Returns the report as one self-contained HTML document (uPlot inlined, report JSON embedded), the same bytes for equal input. */
export const renderReportHtml = (report: BacktestReport): string => {
  const uplotJs = inlineSafe(readUplot('uPlot.iife.min.js'), 'script');
  const uplotCss = inlineSafe(readUplot('uPlot.min.css'), 'style');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network: nothing here may load from anywhere but this file.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`,
    '<title>Backtest report</title>',
    `<style>${uplotCss}</style>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header><h1>Backtest report</h1><p class="note" data-summary>${escapeHtml(summaryLine(report.metrics))}</p></header>`,
    runSection(report.run),
    metricsSection(report.metrics),
    ...(report.validation === undefined ? [] : [validationHtml(report.validation)]),
    chartsSection(report),
    monthlySection(report.monthlyReturns),
    breakdownSection('By symbol', 'by-symbol', 'Symbol', report.bySymbol),
    breakdownSection('By strategy', 'by-strategy', 'Strategy', report.byStrategy),
    tradesSection(report.trades),
    '</main>',
    `<script type="application/json" id="report-data">${scriptJson(report)}</script>`,
    `<script>${uplotJs}</script>`,
    `<script>${CHART_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
};
