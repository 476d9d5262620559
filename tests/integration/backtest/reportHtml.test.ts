/**
 * The backtest report files: the HTML report opened offline in a real Chromium (charts drawn, tables filled, hostile
 * text kept as text) and the exact bytes of the HTML, trade CSV and equity CSV. Touches only a temp dir.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Decimal, dec, ZERO } from '../../../src/domain/money.ts';
import { equityCsv, tradesCsv } from '../../../src/backtest/report/csvFiles.ts';
import { renderReportHtml, TRADE_ROWS_SHOWN } from '../../../src/backtest/report/html.ts';
import type { BacktestReport, BacktestTrade, EquityPoint, Metrics, PriceSeries } from '../../../src/backtest/report/types.ts';
import { withPage, type PageSession } from '../../support/chromium.ts';

const DAY = 86_400_000;
const START = Date.UTC(2023, 0, 1);
const DAYS = 300;
const HOSTILE = '<script>alert(1)</script>';
const HOSTILE_STRATEGY = 'meanRevert</script><script>alert(2)</script>';
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;

// Deterministic closes: a slow swing, a drift and a fast wiggle, rounded to cents.
const closes = (base: number, phase: number): number[] =>
  Array.from({ length: DAYS }, (_, i) => Math.round(base * (1 + 0.22 * Math.sin(i / 37 + phase) + 0.0007 * i + 0.015 * Math.sin(i * 1.9)) * 100) / 100);

const prices: PriceSeries[] = [
  { symbol: 'BTCUSDT', ts: Array.from({ length: DAYS }, (_, i) => START + i * DAY), close: closes(30_000, 0) },
  { symbol: 'ETHUSDT', ts: Array.from({ length: DAYS }, (_, i) => START + i * DAY), close: closes(1_900, 1.3) },
];

const closeAt = (symbol: string, day: number): Decimal => dec(String(prices.find((p) => p.symbol === symbol)?.close[day] ?? 0));

// symbol, strategy, side, quantity, entry day, exit day (null: still open at the end), reason
const CYCLES: ReadonlyArray<readonly [string, string, 'buy' | 'sell', string, number, number | null, string]> = [
  ['BTCUSDT', 'smaCross', 'buy', '0.5', 12, 41, 'takeProfit'],
  ['ETHUSDT', HOSTILE_STRATEGY, 'sell', '8', 30, 52, 'stopLoss'],
  ['BTCUSDT', 'smaCross', 'sell', '0.4', 70, 95, 'exit'],
  ['ETHUSDT', 'smaCross', 'buy', '10', 101, 160, 'takeProfit'],
  ['BTCUSDT', HOSTILE_STRATEGY, 'buy', '0.3', 170, 188, 'stopLoss'],
  ['ETHUSDT', HOSTILE_STRATEGY, 'sell', '6', 200, 231, 'exit'],
  ['BTCUSDT', 'smaCross', 'buy', '0.6', 240, 262, 'takeProfit'],
  ['ETHUSDT', 'smaCross', 'buy', '12', 270, null, 'open'],
];

const FEE_RATE = dec('0.00055');

const cyclePnl = (c: (typeof CYCLES)[number], day: number): Decimal => {
  const [symbol, , side, quantity, entryDay] = c;
  const move = closeAt(symbol, day).minus(closeAt(symbol, entryDay)).times(quantity);
  return side === 'buy' ? move : move.negated();
};

const cycleFees = (c: (typeof CYCLES)[number]): Decimal => {
  const [symbol, , , quantity, entryDay, exitDay] = c;
  const notional = (day: number) => closeAt(symbol, day).times(quantity);
  return notional(entryDay).plus(exitDay === null ? ZERO : notional(exitDay)).times(FEE_RATE).toDecimalPlaces(2);
};

const trades: BacktestTrade[] = CYCLES.map((c) => {
  const [symbol, strategyId, side, quantity, entryDay, exitDay, reason] = c;
  return {
    symbol,
    strategyId,
    side,
    quantity,
    entryTs: START + entryDay * DAY,
    exitTs: exitDay === null ? null : START + exitDay * DAY,
    entryPrice: closeAt(symbol, entryDay).toFixed(2),
    exitPrice: exitDay === null ? null : closeAt(symbol, exitDay).toFixed(2),
    pnl: cyclePnl(c, exitDay ?? DAYS - 1).minus(cycleFees(c)).toFixed(2),
    fees: cycleFees(c).toFixed(2),
    reason,
  };
});

const STARTING = dec('100000');

const equity: EquityPoint[] = Array.from({ length: DAYS }, (_, day) => {
  let value = STARTING;
  const exposure: Record<string, string> = {};
  for (const c of CYCLES) {
    const [symbol, , , quantity, entryDay, exitDay] = c;
    if (day < entryDay) continue;
    const closed = exitDay !== null && day >= exitDay;
    value = value.plus(cyclePnl(c, closed ? exitDay : day)).minus(closed ? cycleFees(c) : ZERO);
    if (!closed) exposure[symbol] = closeAt(symbol, day).times(quantity).abs().plus(exposure[symbol] ?? ZERO).toFixed(2);
  }
  return { ts: START + day * DAY, equity: value.toFixed(2), exposure };
});

const monthlyReturns = (() => {
  const out: Record<string, Record<string, number>> = {};
  let previous = STARTING;
  equity.forEach((p, i) => {
    const next = equity[i + 1];
    const month = new Date(p.ts).toISOString().slice(0, 7);
    if (next !== undefined && new Date(next.ts).toISOString().slice(0, 7) === month) return;
    const [year = '', mm = ''] = month.split('-');
    (out[year] ??= {})[mm] = dec(p.equity).div(previous).minus(1).toNumber();
    previous = dec(p.equity);
  });
  return out;
})();

const metrics = (overrides: Partial<Metrics> = {}): Metrics => ({
  startingEquity: '100000.00',
  endingEquity: '118420.00',
  totalPnl: '18420.00',
  totalReturn: 0.1842,
  cagr: 0.2297,
  sharpe: 1.4312,
  sortino: 2.0145,
  calmar: 1.83,
  maxDrawdown: 0.1255,
  maxDrawdownDurationMs: 41 * DAY + 6 * 3_600_000,
  trades: 7,
  winRate: 0.5714,
  profitFactor: 1.92,
  expectancy: '2631.43',
  averageTradeDurationMs: 28 * DAY + 12 * 3_600_000,
  medianTradeDurationMs: 25 * DAY,
  exposureTime: 0.6133,
  fees: '412.77',
  turnover: '752310.40',
  annualisation: 'daily returns × √365',
  ...overrides,
});

const report = (overrides: Partial<BacktestReport> = {}): BacktestReport => ({
  kind: 'tradewarden.backtest',
  version: 1,
  run: {
    configHash: 'sha256:9f2c0d1e5b7a',
    seed: 42,
    label: HOSTILE,
    strategies: [
      { id: 'smaCross', params: { fast: 10, slow: 30 } },
      { id: HOSTILE_STRATEGY, params: { lookback: 20, note: HOSTILE } },
    ],
    data: [{ file: 'data/BTCUSDT-1d.csv', sha256: 'a1b2c3' }],
    fillModel: 'next-bar open, 2 bp slippage',
  },
  metrics: metrics(),
  bySymbol: { BTCUSDT: metrics({ totalReturn: 0.11, totalPnl: '11000.00', trades: 4 }), ETHUSDT: metrics({ totalReturn: 0.0742, totalPnl: '7420.00', trades: 4, profitFactor: null }) },
  byStrategy: { smaCross: metrics({ trades: 5 }), [HOSTILE_STRATEGY]: metrics({ trades: 3, totalPnl: '-1200.50', totalReturn: -0.012 }) },
  monthlyReturns,
  trades,
  equity,
  prices,
  themes: { 'store of value': ['BTCUSDT'], 'smart contracts': ['ETHUSDT'] },
  ...overrides,
});

const EXPECTED_CHARTS = ['equity', 'drawdown', 'price-BTCUSDT', 'price-ETHUSDT', 'exposure'];

// Copies each chart's canvas onto a scratch canvas and counts the pixels with any ink (alpha > 0) and those with
// colour (channel spread > 60): axes, grid and labels are grey, so only drawn series and markers count as colour.
const INKED_PIXELS = `Array.from(document.querySelectorAll('[data-chart]')).map(function (el) {
  var canvas = el.querySelector('canvas');
  var result = { name: el.getAttribute('data-chart'), error: el.getAttribute('data-chart-error'), inked: -1, coloured: -1, total: 0 };
  if (!canvas || canvas.width === 0 || canvas.height === 0) return result;
  var copy = document.createElement('canvas');
  copy.width = canvas.width; copy.height = canvas.height;
  var ctx = copy.getContext('2d');
  ctx.drawImage(canvas, 0, 0);
  var data = ctx.getImageData(0, 0, copy.width, copy.height).data, inked = 0, coloured = 0;
  for (var i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) continue;
    inked++;
    if (Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) coloured++;
  }
  result.inked = inked; result.coloured = coloured; result.total = copy.width * copy.height;
  return result;
})`;

interface ChartInk {
  readonly name: string;
  readonly error: string | null;
  readonly inked: number;
  readonly coloured: number;
  readonly total: number;
}

const writeReport = (r: BacktestReport): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'tw-report-html-')), 'report.html');
  writeFileSync(path, renderReportHtml(r));
  return pathToFileURL(path).href;
};

// Opens the file with every other request aborted and recorded, so a page that reaches for the network fails.
const openOffline = async ({ page }: PageSession, url: string): Promise<{ requests: string[]; dialogs: string[] }> => {
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort('internetdisconnected')));
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(url);
  await page.waitForFunction("document.body.dataset.chartsReady === 'true'");
  return { requests, dialogs };
};

describe('backtest HTML report in Chromium', () => {
  it('[X-BT-3] opens offline, draws every chart and shows the metrics, monthly returns and trades', async () => {
    const url = writeReport(report());
    await withPage(async (session) => {
      const { page, errors } = session;
      const { requests, dialogs } = await openOffline(session, url);

      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests.filter((r) => r !== url)).toEqual([]);
      expect(await page.evaluate<unknown>('window.__chartsRendered')).toEqual(EXPECTED_CHARTS);

      const inks = await page.evaluate<ChartInk[]>(INKED_PIXELS);
      expect(inks.map((c) => c.name)).toEqual(EXPECTED_CHARTS);
      for (const chart of inks) {
        expect(chart.error, chart.name).toBeNull();
        expect(chart.inked, `${chart.name}: inked pixels`).toBeGreaterThan(2_000);
        expect(chart.inked, `${chart.name}: not all ink`).toBeLessThan(chart.total);
        expect(chart.coloured, `${chart.name}: series pixels`).toBeGreaterThan(1_000);
      }
      expect(await page.locator('[data-chart]').count()).toBe(EXPECTED_CHARTS.length);
      expect(await page.locator('#chart-price-BTCUSDT[data-chart="price-BTCUSDT"] canvas').count()).toBe(1);

      expect(await page.locator('[data-metric="totalReturn"] td').nth(1).textContent()).toBe('18.42 %');
      expect(await page.locator('[data-metric="maxDrawdownDurationMs"] td').nth(1).textContent()).toBe('41 d 6 h');
      expect(await page.locator('table[data-table="trades"] tbody tr').count()).toBe(trades.length);
      expect(await page.locator('[data-note="trades-truncated"]').count()).toBe(0);
      expect(await page.locator('table[data-table="monthly"] tbody tr').count()).toBe(1);
      expect(await page.locator('table[data-table="monthly"] tbody tr[data-year="2023"] td').count()).toBe(13);
      expect(await page.locator('table[data-table="by-symbol"] tbody tr').count()).toBe(2);
      expect(await page.locator('table[data-table="by-strategy"] tbody tr').count()).toBe(2);
    });
  });

  it('[X-BT-3] shows hostile run values and strategy names as text; nothing breaks out of the embedded JSON', async () => {
    const url = writeReport(report());
    await withPage(async (session) => {
      const { page, errors } = session;
      const { dialogs } = await openOffline(session, url);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(await page.locator('[data-run-key="label"]').textContent()).toBe(HOSTILE);
      expect(await page.locator('[data-run-key="strategies"]').textContent()).toContain(HOSTILE);
      expect(await page.locator(`table[data-table="by-strategy"] tr[data-key="${HOSTILE_STRATEGY}"] td`).first().textContent()).toBe(HOSTILE_STRATEGY);
      // The JSON block, uPlot and the chart script: no fourth script came from the data.
      expect(await page.locator('script').count()).toBe(3);
      const embedded = await page.evaluate<unknown>("JSON.parse(document.getElementById('report-data').textContent).run.label");
      expect(embedded).toBe(HOSTILE);
    });
  });

  it('[X-BT-3] marks a chart that throws with data-chart-error and still reports the others ready', async () => {
    const broken = { symbol: 'BROKEN', ts: null, close: [] } as unknown as PriceSeries;
    const url = writeReport(report({ prices: [...prices, broken] }));
    await withPage(async (session) => {
      const { page, errors } = session;
      await openOffline(session, url);
      expect(errors).toEqual([]);
      expect(await page.evaluate<unknown>('window.__chartsRendered')).toEqual(EXPECTED_CHARTS);
      const failed = page.locator('[data-chart="price-BROKEN"]');
      expect(await failed.getAttribute('data-chart-error')).toMatch(/null/);
      expect(await failed.textContent()).toContain('failed');
      expect(await failed.locator('canvas').count()).toBe(0);
    });
  });
});

describe('backtest report files', () => {
  it('[X-BT-2] renders byte-identical HTML for equal input', () => {
    const first = renderReportHtml(report());
    const second = renderReportHtml(structuredClone(report()));
    expect(second).toBe(first);
    expect(first).not.toContain(HOSTILE);
    expect(first).toContain('\\u003cscript>alert(1)\\u003c/script>');
  });

  it('[X-BT-3] lists the first 500 trades and says how many there are', () => {
    const first = trades[0];
    if (first === undefined) throw new Error('fixture has no trades');
    const many = Array.from({ length: TRADE_ROWS_SHOWN + 20 }, (_, i) => ({ ...first, entryTs: first.entryTs + i * 60_000 }));
    const html = renderReportHtml(report({ trades: many }));
    const table = /<table data-table="trades">.*?<\/table>/s.exec(html)?.[0] ?? '';
    expect(table.match(/<tr>/g)?.length).toBe(TRADE_ROWS_SHOWN + 1);
    expect(html).toContain('Showing the first 500 of 520 trades');
  });

  it('[X-BT-6] writes the trade CSV with ISO UTC times and an empty exit for an open trade', () => {
    const small: BacktestTrade[] = [
      { symbol: 'BTCUSDT', strategyId: 'smaCross', side: 'buy', quantity: '0.5', entryTs: Date.UTC(2024, 0, 2, 9, 30), exitTs: Date.UTC(2024, 0, 5), entryPrice: '42000.5', exitPrice: '43010', pnl: '493.74', fees: '11.51', reason: 'takeProfit' },
      { symbol: 'ETHUSDT', strategyId: 'a,b "c"', side: 'sell', quantity: '3', entryTs: Date.UTC(2024, 0, 6), exitTs: null, entryPrice: '2250', exitPrice: null, pnl: '-12.4', fees: '3.71', reason: 'open' },
    ];
    expect(tradesCsv(small)).toBe(
      'symbol,strategy,side,quantity,entry_time,exit_time,entry_price,exit_price,pnl,fees,reason\n' +
        'BTCUSDT,smaCross,buy,0.5,2024-01-02T09:30:00.000Z,2024-01-05T00:00:00.000Z,42000.5,43010,493.74,11.51,takeProfit\n' +
        'ETHUSDT,"a,b ""c""",sell,3,2024-01-06T00:00:00.000Z,,2250,,-12.4,3.71,open\n',
    );
    expect(tradesCsv([])).toBe('symbol,strategy,side,quantity,entry_time,exit_time,entry_price,exit_price,pnl,fees,reason\n');
  });

  it('[X-BT-6] writes the equity CSV with one exposure column per symbol and 0 where nothing is held', () => {
    const points: EquityPoint[] = [
      { ts: Date.UTC(2024, 0, 1), equity: '10000', exposure: {} },
      { ts: Date.UTC(2024, 0, 2), equity: '10012.5', exposure: { BTCUSDT: '5000.25' } },
      { ts: Date.UTC(2024, 0, 3), equity: '9990', exposure: { ETHUSDT: '1200', BTCUSDT: '4990' } },
    ];
    expect(equityCsv(points, ['BTCUSDT', 'ETHUSDT'])).toBe(
      'time,equity,exposure_BTCUSDT,exposure_ETHUSDT\n' +
        '2024-01-01T00:00:00.000Z,10000,0,0\n' +
        '2024-01-02T00:00:00.000Z,10012.5,5000.25,0\n' +
        '2024-01-03T00:00:00.000Z,9990,4990,1200\n',
    );
  });
});

// The fixture must look like a run: every symbol priced, an open trade at the end, exposure on both symbols.
describe('report fixture', () => {
  it('[X-BT-3] has two priced symbols, ~300 daily points and exposure for both themes', () => {
    expect(prices.map((p) => p.symbol)).toEqual([...SYMBOLS]);
    expect(equity).toHaveLength(DAYS);
    expect(trades.some((t) => t.exitTs === null)).toBe(true);
    expect(new Set(equity.flatMap((p) => Object.keys(p.exposure)))).toEqual(new Set(SYMBOLS));
  });
});
