/**
 * `tradewarden backtest` end to end, in-process through the real CLI: the four report files, byte-identical
 * report.json on a rerun, decisions on the close of bar t filled at bar t+1's open, the trades adding up to the
 * simulator's books, the report opened in a real Chromium, another symbol's file run without editing the config, and
 * bad flags, parameters and data refused with readable errors.
 */
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../../src/backtest/report/types.ts';
import { runMain, type InProcessRun } from '../../support/runCli.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { withPage } from '../../support/chromium.ts';

const CONFIG = 'config/backtests/sma-cross-spy.yaml';

const cli = (args: ReadonlyArray<string>): Promise<InProcessRun> => runMain(['backtest', ...args]);
const dir = (): string => mkdtempSync(join(tmpdir(), 'tw-backtest-'));
const readReport = (out: string): BacktestReport => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;

/** SPY's raw daily rows by date (the file the config replays). */
const spyRows = new Map(
  readFileSync('data/us-equity-1d/SPY_1d_raw.csv', 'utf8').trim().split('\n').slice(1).map((l) => {
    const [date, open] = l.split(',') as [string, string];
    return [Date.parse(`${date}T00:00:00Z`), open] as const;
  }),
);

describe('X-BT-1 X-BT-2 X-BT-6 tradewarden backtest', () => {
  let first: string;
  let report: BacktestReport;
  beforeAll(async () => {
    first = dir();
    const r = await cli(['--config', CONFIG, '--out', first]);
    expect(r.code, r.err).toBe(0);
    report = readReport(first);
  });

  it('X-BT-6 writes report.json, trades.csv, equity.csv and report.html and prints the summary table', () => {
    for (const f of ['report.json', 'trades.csv', 'equity.csv', 'report.html', 'timing.json']) expect(existsSync(join(first, f)), f).toBe(true);
    expect(report.metrics.trades).toBeGreaterThan(20);
    expect(readFileSync(join(first, 'trades.csv'), 'utf8').trim().split('\n')).toHaveLength(report.trades.length + 1);
    expect(readFileSync(join(first, 'equity.csv'), 'utf8').trim().split('\n')).toHaveLength(report.equity.length + 1);
    expect(report.equity).toHaveLength(2769);
    // No wall time in the report: it lives in timing.json only.
    expect(JSON.stringify(report)).not.toMatch(/wallMs|barsPerSecond/);
    expect(JSON.parse(readFileSync(join(first, 'timing.json'), 'utf8'))).toMatchObject({ bars: 2769 });
  });

  it('X-BT-2 a rerun with the same inputs and seed writes a byte-identical report.json', async () => {
    const second = dir();
    const r = await cli(['--config', CONFIG, '--out', second]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(join(second, 'report.json'), 'utf8')).toBe(readFileSync(join(first, 'report.json'), 'utf8'));
    expect(readFileSync(join(second, 'trades.csv'), 'utf8')).toBe(readFileSync(join(first, 'trades.csv'), 'utf8'));
  });

  it('X-BT-1 X-BT-5 decides on the close of bar t and fills at the open of bar t+1, all in', () => {
    for (const t of report.trades) {
      // Every entry fills at a bar's start, at exactly that bar's open (the bar fill model, 0 bps).
      expect(spyRows.get(t.entryTs), new Date(t.entryTs).toISOString()).toBe(new Decimal(t.entryPrice).toString());
      if (t.exitTs !== null) expect(new Decimal(spyRows.get(t.exitTs)!).minus(t.exitPrice!).toString()).toBe('0.01'); // a sell meets the bid, one tick under the open
    }
    // All in: the first entry's notional plus its 0.1 % fee is the whole 100,000 to within one quantity step.
    const t0 = report.trades[0]!;
    const cost = new Decimal(t0.quantity).times(t0.entryPrice).times(1.001);
    expect(cost.lte(100_000)).toBe(true);
    expect(new Decimal(t0.quantity).plus('0.0001').times(t0.entryPrice).times(1.001).gt(100_000)).toBe(true);
  });

  it('X-BT-3 the journal-derived trades add up to the simulator\'s books and the curve ends at the marked equity', () => {
    const closed = report.trades.filter((t) => t.exitTs !== null);
    const open = report.trades.filter((t) => t.exitTs === null);
    const realized = closed.reduce((a, t) => a.plus(t.pnl), new Decimal(0));
    const openFees = open.reduce((a, t) => a.plus(t.fees), new Decimal(0));
    const fees = report.trades.reduce((a, t) => a.plus(t.fees), new Decimal(0));
    expect(fees.toString()).toBe(report.metrics.fees);
    const last = report.equity[report.equity.length - 1]!;
    expect(last.equity).toBe(report.metrics.endingEquity);
    // Ending equity = start + closed PnL − the open cycle's entry fee + its mark-to-market.
    const marked = open.reduce((a, t) => a.plus(new Decimal(last.exposure[t.symbol] ?? '0').minus(new Decimal(t.quantity).times(t.entryPrice))), new Decimal(0));
    expect(new Decimal(100_000).plus(realized).minus(openFees).plus(marked).toString()).toBe(last.equity);
  });

  it('X-BT-3 report.html renders its charts offline in headless Chromium', async () => {
    const url = pathToFileURL(join(first, 'report.html')).href;
    await withPage(async ({ page, errors }) => {
      await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
      await page.goto(url);
      await page.waitForFunction("document.body.dataset.chartsReady === 'true'");
      const rendered = await page.evaluate<string[]>('window.__chartsRendered');
      expect(rendered).toEqual(expect.arrayContaining(['equity', 'drawdown', 'price-SPY']));
      // Pixels with any ink in each chart's canvas (the page's own code, run in the browser).
      const inked = await page.evaluate<number[]>(`[...document.querySelectorAll('[data-chart] canvas')].map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      })`);
      expect(inked.length).toBeGreaterThanOrEqual(3);
      for (const n of inked) expect(n).toBeGreaterThan(2000);
      expect(await page.locator('table[data-table=trades] tbody tr').count()).toBe(report.trades.length);
      expect(errors).toEqual([]);
    });
  });

  it('X-BT-6 S2-20 runs another symbol\'s file with --data/--symbol/--strategy/--param, without editing the config', async () => {
    const out = dir();
    const r = await cli(['--config', CONFIG, '--data', 'data/us-equity-1d/QQQ_1d_raw.csv', '--symbol', 'QQQ', '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const q = readReport(out);
    expect(Object.keys(q.run['data'] as object)).toEqual(['QQQ']);
    expect(q.trades.every((t) => t.symbol === 'QQQ')).toBe(true);
    expect(q.metrics.trades).toBeGreaterThan(10);
    expect(r.err).toMatch(/instrument QQQ: tick 0\.01/);
  });

  it('X-BT-6 --param changes the strategy: slow=50 gives other trades than slow=30', async () => {
    const out = dir();
    const r = await cli(['--config', CONFIG, '--param', 'slow=50', '--out', out]);
    expect(r.code, r.err).toBe(0);
    const other = readReport(out);
    expect((other.run['strategies'] as Record<string, { slow: number }>)['sma-cross']!.slow).toBe(50);
    expect(other.metrics.trades).not.toBe(report.metrics.trades);
  });

  it('X-BT-6 bad flags, parameters and data are refused with readable errors (exit 2), never a crash', async () => {
    const unknown = await cli(['--config', CONFIG, '--data-dri', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/Unknown option '--data-dri'/);
    const crossed = await cli(['--config', CONFIG, '--param', 'fast=40']);
    expect(crossed.code).toBe(2);
    expect(crossed.err).toMatch(/fast \(40\) must be shorter than slow \(30\)/);
    const unknownStrategy = await cli(['--config', CONFIG, '--strategy', 'nope']);
    expect(unknownStrategy.code).toBe(2);
    expect(unknownStrategy.err).toMatch(/not a registered strategy; known: breakout, sma-cross/);
    const badKey = await cli(['--config', CONFIG, '--param', 'fats=5']);
    expect(badKey.code).toBe(2);
    expect(badKey.err).toMatch(/fats/);
    const d = dir();
    const bad = join(d, 'bad.csv');
    writeFileSync(bad, 'date,open,high,low,close,volume\n2020-01-02,10,11,9,10.5,100\n2020-01-03,10,9,11,10,100\n2020-01-06,10,11,x,10,100\n');
    const rows = await cli(['--config', CONFIG, '--data', bad, '--symbol', 'SPY', '--from', '2020-01-01', '--out', d]);
    expect(rows.code).toBe(2);
    expect(rows.err).toMatch(/bad\.csv:3: inconsistent_ohlc/);
    expect(rows.err).toMatch(/and 1 more problem/);
    const missing = await cli(['--config', CONFIG, '--data', join(d, 'none.csv'), '--out', d]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/no such file/);
    const empty = await cli(['--config', CONFIG, '--from', '2030-01-01', '--out', d]);
    expect(empty.code).toBe(2);
    expect(empty.err).toMatch(/no bars for SPY/);
  });
});
