/**
 * S1-10 parameter, slippage and latency shocks: the spec, the shocked values (whole numbers stay whole and always move), the
 * plan over a strategy's parameters, the comparison with the unshocked run on synthetic metrics, and one run of
 * `backtest --shock` on a year of the bundled SPY bars whose shocked runs equal the plain backtests they stand for.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport, Metrics } from '../../src/backtest/report/types.ts';
import { ValidationError } from '../../src/backtest/validation/errors.ts';
import { parseShockSpec, planShocks, shockedValue, shockReport } from '../../src/backtest/validation/shocks.ts';
import { runMain, type InProcessRun } from '../support/runCli.ts';
import { Decimal } from '../../src/domain/money.ts';

const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ValidationError ? `${e.reason}: ${e.message}` : `not a ValidationError: ${String(e)}`;
  }
  return undefined;
};

const metrics = (pnl: string, sharpe: number, maxDrawdown: number): Metrics => ({
  startingEquity: '100', endingEquity: '100', totalPnl: pnl, totalReturn: 0, cagr: 0, sharpe, sortino: 0, calmar: 0, maxDrawdown, maxDrawdownDurationMs: 0, trades: 3,
  winRate: 0.5, profitFactor: 1.2, expectancy: '0', averageTradeDurationMs: 0, medianTradeDurationMs: 0, exposureTime: 0, fees: '0', turnover: '0', annualisation: '',
});

describe('S1-10 shocks, pure', () => {
  it('S1-10 parses params=10%,slippage=5,latency=250 and refuses the rest', () => {
    expect(parseShockSpec('params=10%,slippage=5')).toEqual({ paramFraction: new Decimal('0.1'), slippageBps: 5 });
    expect(parseShockSpec('params=0.25')).toEqual({ paramFraction: new Decimal('0.25'), slippageBps: undefined });
    expect(parseShockSpec('slippage=2.5')).toEqual({ paramFraction: undefined, slippageBps: 2.5 });
    expect(parseShockSpec('latency=250,slippage=1')).toEqual({ paramFraction: undefined, slippageBps: 1, latencyMs: 250 });
    expect(parseShockSpec('latency=50ms').latencyMs).toBe(50);
    for (const bad of ['latency=-1', 'latency=abc', 'latency=0', 'latency=2.5', 'latency=3600001', 'latency=5,latency=6']) {
      expect(reasonOf(() => parseShockSpec(bad)), bad).toMatch(/^BadSpec: --shock ".*": latency/);
    }
    for (const bad of ['', 'params', 'params=0', 'params=100%', 'params=-5%', 'slippage=0', 'slippage=1001', 'params=10%,params=5%', 'fees=1']) {
      expect(reasonOf(() => parseShockSpec(bad)), bad).toMatch(/^BadSpec/);
    }
  });

  it('S1-10 a shocked whole number stays whole and always moves; a fraction moves exactly', () => {
    const ten = new Decimal('0.1');
    expect([shockedValue(10, ten, -1), shockedValue(10, ten, 1)]).toEqual(['9', '11']);
    expect([shockedValue(30, ten, -1), shockedValue(30, ten, 1)]).toEqual(['27', '33']);
    // 3 × 0.9 = 2.7 and 3 × 1.1 = 3.3 both round back to 3: the shock moves by one instead.
    expect([shockedValue(3, ten, -1), shockedValue(3, ten, 1)]).toEqual(['2', '4']);
    expect([shockedValue(0.5, ten, -1), shockedValue(0.5, ten, 1)]).toEqual(['0.45', '0.55']);
  });

  it('S1-10 plans a down and an up shock per numeric parameter, then the slippage shock on top of the base', () => {
    const plan = planShocks(parseShockSpec('params=10%,slippage=5'), { fast: 10, slow: 30, notionalFraction: '100%', stopLossFraction: 0.5, flag: true, zero: 0 }, 2);
    expect(plan.map((p) => (p.kind === 'parameter' ? `${p.parameter}=${p.value}` : p.kind === 'slippage' ? `slippage=${String(p.slippageBps)}` : `latency=${String(p.latencyMs)}`))).toEqual([
      'fast=9', 'fast=11', 'slow=27', 'slow=33', 'stopLossFraction=0.45', 'stopLossFraction=0.55', 'slippage=7',
    ]);
    expect(plan[0]!.label).toBe('fast −10 % (10 → 9)');
  });

  it('S1-10 compares each shocked run with the base and spreads the parameter shocks only', () => {
    const spec = parseShockSpec('params=10%,slippage=5');
    const plan = planShocks(spec, { fast: 10 }, 0);
    const report = shockReport(spec, metrics('100', 1, 0.1), [
      { shock: plan[0]!, outcome: metrics('80.5', 0.8, 0.12) },
      { shock: plan[1]!, outcome: 'fast (11) must be shorter than slow (11)' },
      { shock: plan[2]!, outcome: metrics('60', 0.5, 0.2) },
    ]);
    expect(report.runs.map((r) => r.status)).toEqual(['ok', 'skipped', 'ok']);
    const first = report.runs[0]!;
    expect(first.status === 'ok' && first.change).toEqual({ totalPnl: '-19.5', sharpe: -0.2, maxDrawdown: 0.02 });
    // The slippage run is not a parameter shock: the spread covers fast −10 % alone.
    expect(report.parameterDistribution.totalPnl).toMatchObject({ count: 1, min: '80.5', max: '80.5' });
    expect(report).toMatchObject({ paramFraction: 0.1, slippageBps: 5, base: { totalPnl: '100', sharpe: 1 } });
  });
});

describe('S1-10 backtest --shock', () => {
  const CONFIG = 'config/backtests/sma-cross-spy.yaml';
  const YEAR = ['--from', '2019-01-01', '--to', '2020-01-01'];
  const cli = (args: ReadonlyArray<string>): Promise<InProcessRun> => runMain(['backtest', '--config', CONFIG, ...YEAR, ...args]);
  const dir = (): string => mkdtempSync(join(tmpdir(), 'tw-shock-'));
  const reportOf = (out: string): BacktestReport => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
  const shocked = dir();
  let run: { readonly code: number; readonly out: string; readonly err: string };
  beforeAll(async () => {
    run = await cli(['--shock', 'params=10%,slippage=5', '--workers', '2', '--out', shocked]);
  }, 60_000);

  it('S1-10 reruns every parameter shock the strategy accepts and the slippage shock, and reports them against the base', () => {
    expect(run.code, run.err).toBe(0);
    const report = reportOf(shocked);
    const s = report.validation!.shocks!;
    expect(s.base.totalPnl).toBe(report.metrics.totalPnl);
    expect(s.runs.map((r) => `${r.label}: ${r.status}`)).toEqual([
      'fast −10 % (10 → 9): ok', 'fast +10 % (10 → 11): ok', 'slow −10 % (30 → 27): ok', 'slow +10 % (30 → 33): ok',
      'stopLossFraction −10 % (0.5 → 0.45): ok', 'stopLossFraction +10 % (0.5 → 0.55): skipped',
      'takeProfitFraction −10 % (0.5 → 0.45): ok', 'takeProfitFraction +10 % (0.5 → 0.55): skipped', 'slippage +5 bps (0 → 5 bps): ok',
    ]);
    for (const r of s.runs) {
      if (r.status === 'ok') expect(new Decimal(r.metrics.totalPnl).minus(report.metrics.totalPnl).toString()).toBe(r.change.totalPnl);
    }
    expect(s.parameterDistribution.totalPnl.count).toBe(6);
    expect(run.out).toMatch(/^Shocks: parameters ±10\.00 %, slippage \+5 bps/m);
    expect(run.out).toMatch(/stopLossFraction \+10 % \(0\.5 → 0\.55\) skipped: Expected a fraction in \(0, 0\.5\]/);
    expect(readFileSync(join(shocked, 'report.html'), 'utf8')).toContain('data-table="shocks"');
  });

  it('S1-10 a parameter shock is the plain backtest with that --param, to the metric', async () => {
    const plain = dir();
    const r = await cli(['--param', 'fast=11', '--out', plain]);
    expect(r.code, r.err).toBe(0);
    const up = reportOf(shocked).validation!.shocks!.runs.find((x) => x.label.startsWith('fast +10 %'))!;
    expect(up.status === 'ok' && up.metrics.totalPnl).toBe(reportOf(plain).metrics.totalPnl);
    expect(readFileSync(join(shocked, 'shocks', '02', 'report.json'), 'utf8')).toBe(readFileSync(join(plain, 'report.json'), 'utf8'));
  });

  it('S1-10 X-BT-5 refuses a bad latency shock (latency=-1, latency=abc) and a shock with a sweep (exit 2)', async () => {
    for (const value of ['-1', 'abc']) {
      const latency = await cli(['--shock', `latency=${value}`, '--out', dir()]);
      expect(latency.code, latency.err).toBe(2);
      expect(latency.err).toContain(`backtest: --shock "latency=${value}": latency "${value}" must be a whole number of milliseconds from 1 to 3600000`);
      expect(latency.err).not.toMatch(/\n\s+at /);
    }
    const sweep = await cli(['--shock', 'params=10%', '--sweep', 'fast=5,10', '--out', dir()]);
    expect(sweep.code).toBe(2);
  });
});
