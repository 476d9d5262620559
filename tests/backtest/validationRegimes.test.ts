/**
 * S1-10 regime slicing (src/backtest/validation/regimes.ts): each trade labelled with the regime of the closed bars up
 * to its entry (src/market/regime.ts), on synthetic paths (a rise, a slide, a crash) and on the bundled SPY daily bars
 * through `backtest --regimes`; every label is checked against an independent classification of the bars that closed
 * by the entry, the slices' trades add up to the run's closed trades, and their figures to the trades' own.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { filterRange, loadOhlcvCsv } from '../../src/backtest/data/ohlcv.ts';
import type { BacktestReport, BacktestTrade } from '../../src/backtest/report/types.ts';
import { ValidationError } from '../../src/backtest/validation/errors.ts';
import { regimeReport, type RegimeLabel } from '../../src/backtest/validation/regimes.ts';
import { Decimal } from '../../src/domain/money.ts';
import { classifyRegime, DEFAULT_REGIME_PARAMS, type RegimeParams } from '../../src/market/regime.ts';
import type { Bar } from '../../src/venues/sim/replay/loadBarsCsv.ts';
import { runMain, type InProcessRun } from '../support/runCli.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2024-01-02T00:00:00Z');

/** Bars through the closes (high and low 0.1 % either side), one a minute from T0. */
const barsOf = (closes: ReadonlyArray<number>): Bar[] =>
  closes.map((c, i) => {
    const close = new Decimal(c.toFixed(4));
    return { start: T0 + i * MINUTE, open: close, high: close.times('1.001'), low: close.times('0.999'), close, volume: new Decimal(1) };
  });

/** An independent reading: every bar that closed at or before `ts`, whole, into the classifier. */
const independent = (bars: ReadonlyArray<Bar>, intervalMs: number, ts: number, params: RegimeParams): RegimeLabel => {
  const reading = classifyRegime(bars.filter((b) => b.start + intervalMs <= ts), params);
  return reading.kind === 'classified' ? reading.regime : 'unclassified';
};

const trade = (symbol: string, entryTs: number, pnl: string, closed = true): BacktestTrade => ({
  symbol, strategyId: 's', side: 'buy', quantity: '1', entryTs, exitTs: closed ? entryTs + 5 * MINUTE : null, entryPrice: '100', exitPrice: closed ? '101' : null, pnl, fees: '0', reason: closed ? 'exit' : 'open',
});

// 300 bars up 0.05 % a bar, 150 flat, 200 down 0.05 % a bar, then an 8 % drop in 10 bars, then 60 flat.
const closes: number[] = [];
for (let i = 0; i < 300; i++) closes.push(100 * 1.0005 ** i);
for (let i = 0; i < 150; i++) closes.push(closes[299]!);
for (let i = 0; i < 200; i++) closes.push(closes[449]! * 0.9995 ** (i + 1));
for (let i = 0; i < 10; i++) closes.push(closes[649]! * (1 - 0.008 * (i + 1)));
for (let i = 0; i < 60; i++) closes.push(closes[659]!);
const SYNTH = barsOf(closes);
const closeOf = (i: number): number => T0 + (i + 1) * MINUTE;

describe('S1-10 regime slicing, pure', () => {
  const entries = [closeOf(100), closeOf(290), closeOf(290) - 1, closeOf(500), closeOf(640), closeOf(662), closeOf(700), closeOf(300)];
  const trades = entries.map((ts, i) => trade('SYN', ts, ['5', '-3', '2', '-1', '4', '-7', '1.5', '0'][i]!, i !== 7));
  const report = regimeReport({ trades, bars: new Map([['SYN', { bars: SYNTH, intervalMs: MINUTE }]]), settings: { referenceSymbol: null, params: DEFAULT_REGIME_PARAMS }, startingEquity: '1000', curveTimes: SYNTH.map((b) => b.start + MINUTE) });

  it('S1-10 labels each trade with an independent classification of the bars closed by its entry', () => {
    expect(report.tradeRegimes).toEqual(entries.map((ts) => independent(SYNTH, MINUTE, ts, DEFAULT_REGIME_PARAMS)));
    // The path visits every regime: too few bars, the rise, the turn, the slide, the crash.
    expect(new Set(report.tradeRegimes)).toEqual(new Set(['unclassified', 'bull', 'chop', 'bear', 'crash']));
    // A bar still forming at the entry (its close one ms later) is not read: that trade sees one bar less.
    expect(report.tradeRegimes[2]).toBe(independent(SYNTH.slice(0, 290), MINUTE, Number.POSITIVE_INFINITY, DEFAULT_REGIME_PARAMS));
  });

  it('S1-10 the slices\' closed trades add up to the run\'s, and each slice\'s figures to its trades\'', () => {
    expect(report.slices.map((s) => s.regime)).toEqual(['bull', 'chop', 'bear', 'crash', 'unclassified']);
    expect(report.slices.reduce((n, s) => n + s.trades, 0)).toBe(trades.filter((t) => t.exitTs !== null).length);
    expect(report.slices.reduce((n, s) => n + s.open, 0)).toBe(1);
    for (const s of report.slices) {
      const mine = trades.filter((t, i) => report.tradeRegimes[i] === s.regime && t.exitTs !== null);
      const net = mine.reduce((sum, t) => sum.plus(t.pnl), new Decimal(0));
      expect(new Decimal(s.totalPnl).eq(net), s.regime).toBe(true);
      expect(s.trades).toBe(mine.length);
      expect(s.winRate).toBeCloseTo(mine.length === 0 ? 0 : mine.filter((t) => Number(t.pnl) > 0).length / mine.length, 10);
      expect(new Decimal(s.expectancy).eq(mine.length === 0 ? 0 : net.div(mine.length)), s.regime).toBe(true);
    }
  });

  it('S1-10 a reference symbol\'s bars classify every trade; one without bars is refused', () => {
    const flat = barsOf(closes.map(() => 50));
    const byRef = regimeReport({ trades, bars: new Map([['SYN', { bars: SYNTH, intervalMs: MINUTE }], ['REF', { bars: flat, intervalMs: MINUTE }]]), settings: { referenceSymbol: 'REF', params: DEFAULT_REGIME_PARAMS }, startingEquity: '1000', curveTimes: [] });
    expect(byRef.tradeRegimes).toEqual(entries.map((ts) => independent(flat, MINUTE, ts, DEFAULT_REGIME_PARAMS)));
    expect(byRef.referenceSymbol).toBe('REF');
    expect(() => regimeReport({ trades, bars: new Map(), settings: { referenceSymbol: 'REF', params: DEFAULT_REGIME_PARAMS }, startingEquity: '1000', curveTimes: [] })).toThrow(ValidationError);
  });
});

describe('S1-10 backtest --regimes on SPY daily bars', () => {
  const CONFIG = 'config/backtests/sma-cross-spy.yaml';
  const dir = (): string => mkdtempSync(join(tmpdir(), 'tw-regimes-'));
  const out = dir();
  let run: InProcessRun;
  beforeAll(async () => {
    run = await runMain(['backtest', '--config', CONFIG, '--regimes', '--out', out]);
  }, 60_000);
  const reportOf = (d: string): BacktestReport => JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')) as BacktestReport;

  it('S1-10 each trade\'s regime is the classification of the SPY bars closed by its entry; the slices add up', () => {
    expect(run.code, run.err).toBe(0);
    const report = reportOf(out);
    const r = report.validation!.regimes!;
    const bars = filterRange(loadOhlcvCsv('data/us-equity-1d/SPY_1d_raw.csv', { timeZone: 'UTC' }).bars, Date.parse('2010-01-04'), Date.parse('2021-01-01'));
    expect(r.tradeRegimes.length).toBe(report.trades.length);
    expect(r.tradeRegimes).toEqual(report.trades.map((t) => independent(bars, 86_400_000, t.entryTs, DEFAULT_REGIME_PARAMS)));
    expect(r.slices.reduce((n, s) => n + s.trades, 0)).toBe(report.metrics.trades);
    expect(r.slices.reduce((sum, s) => sum.plus(s.totalPnl), new Decimal(0)).eq(report.trades.filter((t) => t.exitTs !== null).reduce((sum, t) => sum.plus(t.pnl), new Decimal(0)))).toBe(true);
    // The first 260 daily bars (SMA 200 + 60) leave the early trades unclassified; later ones get a regime.
    expect(r.slices.find((s) => s.regime === 'unclassified')!.trades).toBeGreaterThan(0);
    expect(r.slices.filter((s) => s.regime !== 'unclassified').reduce((n, s) => n + s.trades, 0)).toBeGreaterThan(0);
  });

  it('S1-10 prints the regime table and renders it in report.html\'s validation panel', () => {
    expect(run.out).toMatch(/^Regimes at entry: each trade's own symbol, SMA\(200\) slope over 60 bars ±0\.20 %, crash 5\.00 % below the 60-bar high$/m);
    expect(run.out).toMatch(/^\s+bull\s+\d+\s+[\d.]+ %/m);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('data-section="validation"');
    expect(html).toContain('data-table="regimes"');
  });

  it('S1-10 off unless asked: the report without --regimes has no validation section', async () => {
    const plain = dir();
    const r = await runMain(['backtest', '--config', CONFIG, '--from', '2019-01-01', '--to', '2020-01-01', '--out', plain]);
    expect(r.code, r.err).toBe(0);
    expect(reportOf(plain).validation).toBeUndefined();
    expect(r.out).not.toMatch(/Regimes at entry/);
  });

  it('S1-10 --regimes with a plain sweep (no one run to slice) is refused (exit 2)', async () => {
    const r = await runMain(['backtest', '--config', CONFIG, '--regimes', '--sweep', 'fast=5,10', '--out', dir()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--regimes slices the trades of one run/);
  });

  it('S1-10 a reference symbol without a data file is refused (exit 2)', async () => {
    const file = join(dir(), 'ref.yaml');
    writeFileSync(file, readFileSync(CONFIG, 'utf8').replace('  slippageBps: 0\n', '  slippageBps: 0\n  regimes: { enabled: true, referenceSymbol: QQQ }\n'));
    const r = await runMain(['backtest', '--config', file, '--out', dir()]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/backtest\.regimes\.referenceSymbol QQQ has no backtest\.data file/);
  });
});
