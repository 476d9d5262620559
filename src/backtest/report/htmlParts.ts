/**
 * The pieces the HTML backtest report is assembled from: escaping, value formatting, the metric labels, the page's
 * stylesheet and the in-page script that draws the uPlot charts. Pure; performs no I/O, reads no clock and no locale.
 */
import { parseDecimal } from '../../domain/money.ts';
import type { Metrics } from './types.ts';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Returns the text with every HTML-significant character escaped, safe in element content and quoted attributes. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

/** Returns the JSON of a value for a `<script type="application/json">` block: `<` is `\u003c`, so no tag can close it. */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const DASH = '—';

/** Returns a fraction as a percentage with two decimals and a space before the sign ("12.34 %"). */
export const formatPercent = (fraction: number): string => (Number.isFinite(fraction) ? `${(fraction * 100).toFixed(2)} %` : DASH);

/** Returns a plain ratio with two decimals. */
export const formatRatio = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : DASH);

const groupThousands = (digits: string): string => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** Returns a decimal-string amount rounded to two places with thousands separators (the raw text if it is not a decimal). */
export const formatMoney = (amount: string): string => {
  const value = parseDecimal(amount);
  if (value === undefined) return amount;
  const fixed = value.abs().toFixed(2);
  const [whole = '0', fraction = '00'] = fixed.split('.');
  const negative = value.isNegative() && value.abs().gte('0.005');
  return `${negative ? '-' : ''}${groupThousands(whole)}.${fraction}`;
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Returns a duration in days and hours ("3 d 4 h"), or hours and minutes below a day ("5 h 30 min"). */
export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms) || ms < 0) return DASH;
  const days = Math.floor(ms / DAY_MS);
  if (days > 0) return `${days} d ${Math.round((ms - days * DAY_MS) / HOUR_MS)} h`;
  const hours = Math.floor(ms / HOUR_MS);
  const minutes = Math.round((ms - hours * HOUR_MS) / 60_000);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
};

/** Returns an epoch-ms time as "YYYY-MM-DD HH:MM" in UTC, or a dash for null. */
export const formatTime = (ts: number | null): string => (ts === null ? DASH : new Date(ts).toISOString().slice(0, 16).replace('T', ' '));

/** The label and formatter of each metric, in the order the metrics table lists them (every field of Metrics). */
export const METRIC_FORMATS: { readonly [K in keyof Metrics]: readonly [label: string, format: (value: Metrics[K]) => string] } = {
  startingEquity: ['Starting equity', formatMoney],
  endingEquity: ['Ending equity', formatMoney],
  totalPnl: ['Total PnL (net of fees)', formatMoney],
  totalReturn: ['Total return', formatPercent],
  cagr: ['CAGR', formatPercent],
  sharpe: ['Sharpe ratio', formatRatio],
  sortino: ['Sortino ratio', formatRatio],
  calmar: ['Calmar ratio', formatRatio],
  maxDrawdown: ['Max drawdown', formatPercent],
  maxDrawdownDurationMs: ['Longest drawdown', formatDuration],
  trades: ['Trades', (n) => String(n)],
  winRate: ['Win rate', formatPercent],
  profitFactor: ['Profit factor', (v) => (v === null ? `${DASH} (no losing trade)` : formatRatio(v))],
  expectancy: ['Expectancy per trade', formatMoney],
  averageTradeDurationMs: ['Average trade duration', formatDuration],
  medianTradeDurationMs: ['Median trade duration', formatDuration],
  exposureTime: ['Time in market', formatPercent],
  fees: ['Fees', formatMoney],
  turnover: ['Turnover', formatMoney],
  annualisation: ['Annualisation', (s) => s],
};

/** Returns the label and formatted value of one metric. */
export const formatMetric = <K extends keyof Metrics>(metrics: Metrics, key: K): readonly [label: string, value: string] => {
  const [label, format] = METRIC_FORMATS[key];
  return [label, format(metrics[key])];
};

/** Returns the monthly-return cell's background: green for gains, red for losses, stronger as |r| nears the largest. */
export const returnColour = (value: number, largest: number): string => {
  const strength = largest > 0 ? Math.min(1, Math.abs(value) / largest) : 0;
  const alpha = (0.1 + 0.55 * strength).toFixed(3);
  return value >= 0 ? `rgba(22, 163, 74, ${alpha})` : `rgba(220, 38, 38, ${alpha})`;
};

/** The report's own stylesheet (system fonts, fluid width); uPlot's stylesheet is inlined next to it. */
export const REPORT_CSS = `
:root { color-scheme: light; --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb; --panel: #ffffff; --bg: #f5f7fa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 16px 48px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 17px; margin: 28px 0 10px; }
section.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; overflow-x: auto; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.run dt { color: var(--muted); }
dl.run dd { margin: 0; word-break: break-word; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre { margin: 0; white-space: pre-wrap; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { color: var(--muted); font-weight: 600; background: #fafbfc; position: sticky; top: 0; }
table.metrics { width: auto; min-width: 360px; }
table.metrics td:first-child { color: var(--muted); padding-right: 32px; }
td.pos { color: #15803d; } td.neg { color: #b91c1c; }
.charts { display: grid; grid-template-columns: 1fr; gap: 16px; }
.chart { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px; min-height: 120px; overflow: hidden; }
.chart[data-chart-error] { color: #b91c1c; white-space: pre-wrap; font-family: ui-monospace, monospace; }
.note { color: var(--muted); margin: 8px 0 0; }
`;

/**
 * The in-page script: reads the report JSON, draws every `[data-chart]` container with uPlot, records failures on the
 * container, then publishes `window.__chartsRendered` and `body[data-charts-ready]`. Plain ES2017, no imports.
 */
export const CHART_SCRIPT = `(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#2563eb', '#db2777', '#16a34a', '#ea580c', '#7c3aed', '#0891b2', '#ca8a04', '#475569'];
  var rendered = [];
  var failed = {};
  var plots = [];
  var utc = function (s) { return uPlot.tzDate(new Date(s * 1e3), 'Etc/UTC'); };
  var num = function (d) { return function (u, v) { return v == null ? '—' : v.toFixed(d); }; };
  var ticks = function (suffix) { return function (u, vals) { return vals.map(function (v) { return v == null ? '' : v.toLocaleString('en-US') + suffix; }); }; };
  var eqX = report.equity.map(function (p) { return p.ts / 1000; });
  var eqY = report.equity.map(function (p) { return Number(p.equity); });
  function widthOf(el) { return Math.max(280, Math.floor(el.clientWidth - 16)); }
  function options(el, title, height, series, suffix) {
    return { title: title, width: widthOf(el), height: height, tzDate: utc, scales: { x: { time: true } },
      series: [{}].concat(series), axes: [{}, { size: 80, values: ticks(suffix || '') }] };
  }
  function line(label, colour, fill) { return { label: label, stroke: colour, width: 1.5, fill: fill, value: num(2) }; }
  function barAt(ts, t) {
    var lo = 0, hi = ts.length - 1, at = -1;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (ts[mid] <= t) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    return at;
  }
  function triangles(up) {
    return function (u, si, i0, i1) {
      var fill = new Path2D(), s = u.series[si], ys = u.data[si], xs = u.data[0], r = 5 * devicePixelRatio;
      for (var i = i0; i <= i1; i++) {
        if (ys[i] == null) continue;
        var x = u.valToPos(xs[i], 'x', true), y = u.valToPos(ys[i], s.scale, true), d = up ? 1 : -1;
        fill.moveTo(x, y - d * r); fill.lineTo(x + r, y + d * r); fill.lineTo(x - r, y + d * r); fill.closePath();
      }
      return { fill: fill, stroke: fill };
    };
  }
  function markers(label, colour, up) {
    return { label: label, stroke: colour, fill: colour, paths: function () { return null; }, value: num(2),
      points: { show: true, size: 10, width: 1, stroke: colour, fill: colour, paths: triangles(up) } };
  }
  function equityChart(el) { return new uPlot(options(el, 'Equity', 300, [line('Equity', PALETTE[0], 'rgba(37,99,235,0.08)')]), [eqX, eqY], el); }
  function drawdownChart(el) {
    var peak = -Infinity;
    var dd = eqY.map(function (v) { peak = Math.max(peak, v); return peak > 0 ? (v / peak - 1) * 100 : 0; });
    var s = line('Drawdown %', '#dc2626', 'rgba(220,38,38,0.15)');
    return new uPlot(options(el, 'Drawdown', 200, [s], ' %'), [eqX, dd], el);
  }
  function priceChart(el, series) {
    var xs = series.ts.map(function (t) { return t / 1000; });
    var entries = xs.map(function () { return null; }), exits = xs.map(function () { return null; });
    report.trades.forEach(function (t) {
      if (t.symbol !== series.symbol) return;
      var i = barAt(series.ts, t.entryTs);
      if (i >= 0) entries[i] = Number(t.entryPrice);
      if (t.exitTs !== null && t.exitPrice !== null) { var j = barAt(series.ts, t.exitTs); if (j >= 0) exits[j] = Number(t.exitPrice); }
    });
    var opts = options(el, series.symbol + ' close with trades', 260,
      [line('Close', PALETTE[0]), markers('Entries', '#16a34a', true), markers('Exits', '#dc2626', false)]);
    return new uPlot(opts, [xs, series.close.slice(), entries, exits], el);
  }
  function exposureChart(el) {
    var themes = Object.keys(report.themes), groups, seen = {};
    report.equity.forEach(function (p) { Object.keys(p.exposure).forEach(function (s) { seen[s] = true; }); });
    var held = Object.keys(seen).sort();
    if (themes.length > 0) {
      groups = themes.map(function (name) { return { label: name, symbols: report.themes[name] }; });
      var themed = {};
      themes.forEach(function (name) { report.themes[name].forEach(function (s) { themed[s] = true; }); });
      var rest = held.filter(function (s) { return !themed[s]; });
      if (rest.length > 0) groups.push({ label: 'other', symbols: rest });
    } else groups = held.map(function (s) { return { label: s, symbols: [s] }; });
    var data = [eqX].concat(groups.map(function (g) {
      return report.equity.map(function (p) { return g.symbols.reduce(function (sum, s) { return sum + Number(p.exposure[s] || 0); }, 0); });
    }));
    var series = groups.map(function (g, i) { return line(g.label, PALETTE[i % PALETTE.length]); });
    return new uPlot(options(el, themes.length > 0 ? 'Exposure by theme' : 'Exposure by symbol', 260, series), data, el);
  }
  var builders = { equity: equityChart, drawdown: drawdownChart, exposure: exposureChart };
  report.prices.forEach(function (p) { builders['price-' + p.symbol] = function (el) { return priceChart(el, p); }; });
  Array.prototype.forEach.call(document.querySelectorAll('[data-chart]'), function (el) {
    var name = el.getAttribute('data-chart');
    try {
      var build = builders[name];
      if (!build) throw new Error('no chart named ' + name);
      var plot = build(el);
      plot.batch(function () {});
      plots.push({ el: el, plot: plot });
      rendered.push(name);
    } catch (e) {
      var message = e && e.message ? e.message : String(e);
      failed[name] = message;
      el.textContent = 'Chart "' + name + '" failed: ' + message;
      el.setAttribute('data-chart-error', message);
    }
  });
  window.addEventListener('resize', function () {
    plots.forEach(function (p) { p.plot.setSize({ width: widthOf(p.el), height: p.plot.height }); });
  });
  Promise.resolve().then(function () {
    window.__chartsRendered = rendered;
    window.__chartErrors = failed;
    document.body.dataset.chartsReady = 'true';
  });
})();`;
