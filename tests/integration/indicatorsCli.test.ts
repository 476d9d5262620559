/**
 * S1-18: `tradewarden indicators` run as the built CLI (`node dist/main.js`) on a bundled SPY minute day: the CSV it
 * prints (or writes to --out) has a `timestamp` column and one column per indicator output, and every value is the
 * one the library computes from the same file read by the same OHLCV reader. Bad specs and unusable data files exit
 * 2 with a readable message and no stack trace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOhlcvCsv } from '../../src/backtest/data/ohlcv.ts';
import { adxSeries, bollingerSeries, priceBarOf, rsiSeries, sessionVwapSeries, sessionsStartingAt } from '../../src/strategies/indicators/index.ts';
import { runCli } from '../support/runCli.ts';

const DATA = 'data/us-equity-1m/SPY_1m_2023-08-03.csv';
const SPECS = ['rsi:14', 'bollinger:20,2', 'adx:14', 'vwap:America/New_York,09:30'];
const HEADER = ['timestamp', 'rsi_14', 'bollinger_20_2_upper', 'bollinger_20_2_middle', 'bollinger_20_2_lower', 'adx_14', 'plus_di_14', 'minus_di_14', 'vwap_America_New_York_0930'];

const flags = (specs: ReadonlyArray<string>): string[] => specs.flatMap((s) => ['--indicator', s]);
const rowsOf = (csv: string): string[][] => parse(csv);
const text = (v: number | undefined): string => (v === undefined ? '' : String(v));

beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

describe('S1-18 tradewarden indicators', () => {
  it('S1-18 S2-7 prints timestamp and one column per output, each value equal to the library\'s on the same bars', async () => {
    const r = await runCli(['indicators', '--data', DATA, ...flags(SPECS)]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = rowsOf(r.stdout);
    expect(header).toEqual(HEADER);

    const bars = loadOhlcvCsv(DATA).bars.map(priceBarOf);
    expect(rows).toHaveLength(bars.length);
    const rsi = rsiSeries(bars, { period: 14 });
    const bands = bollingerSeries(bars, { period: 20, multiplier: 2 });
    const adx = adxSeries(bars, { period: 14 });
    const vwap = sessionVwapSeries(bars, { sessionOf: sessionsStartingAt('America/New_York', '09:30') });
    const expected = bars.map((b, i) => [
      new Date(b.start).toISOString(), text(rsi[i]), text(bands[i]?.upper), text(bands[i]?.middle), text(bands[i]?.lower),
      text(adx[i]?.adx), text(adx[i]?.plusDi), text(adx[i]?.minusDi), text(vwap[i]),
    ]);
    expect(rows[0]).toEqual(['2023-08-03T08:00:00.000Z', '', '', '', '', '', '', '', expected[0]![8]]);
    // RSI(14) first on the 15th bar, Bollinger(20) on the 20th, ADX(14) on the 28th; the 09:30 ET bar restarts the VWAP.
    expect([rows[13]![1], rows[14]![1] !== '', rows[18]![3], rows[19]![3] !== '', rows[26]![5], rows[27]![5] !== '']).toEqual(['', true, '', true, '', true]);
    const open = rows.findIndex((row) => row[0] === '2023-08-03T13:30:00.000Z');
    expect(Number(rows[open]![8])).toBeCloseTo((bars[open]!.high + bars[open]!.low + bars[open]!.close) / 3, 9);
    expect(rows).toEqual(expected);
  });

  it('S1-18 --out writes the same CSV to a file and reports what it wrote', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tw-indicators-')), 'nested', 'spy.csv');
    const r = await runCli(['indicators', '--data', DATA, ...flags(['rsi:14', 'mfi:14']), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`written: ${out}`);
    expect(r.stdout).toContain('947 bars, 2 columns (rsi_14, mfi_14)');
    const printed = await runCli(['indicators', '--data', DATA, ...flags(['rsi:14', 'mfi:14'])]);
    expect(readFileSync(out, 'utf8')).toBe(printed.stdout);
  });

  it('S1-18 a bad spec, a missing file or a malformed CSV exits 2 with a readable message and no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-indicators-'));
    const malformed = join(dir, 'bad.csv');
    writeFileSync(malformed, 'time_utc,open,high,low,close,volume\n2024-01-01T00:00:00Z,10,11,9,10,5\n2024-01-01T00:01:00Z,10,abc,9,10,5\n');
    const cases: Array<[string[], string]> = [
      [['--data', DATA, '--indicator', 'rsx:14'], 'indicators: unknown indicator "rsx:14"; known: sma, ema, rsi'],
      [['--data', DATA, '--indicator', 'rsi:0'], 'indicators: rsi: the period must be an integer from 1 to 100000, not 0'],
      [['--data', DATA, '--indicator', 'bollinger:20'], 'bollinger takes two parameters, the period and the multiplier'],
      [['--data', join(dir, 'missing.csv'), '--indicator', 'rsi:14'], 'missing.csv:0: unreadable: ENOENT'],
      [['--data', malformed, '--indicator', 'rsi:14'], 'bad.csv:3: bad_number: high "abc" is not a decimal'],
      [['--data', DATA], 'indicators needs --indicator'],
    ];
    // The runs are independent, so they run side by side.
    const runs = await Promise.all(cases.map(([args]) => runCli(['indicators', ...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const r = runs[i]!;
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toContain(message);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
    }
  });
});
