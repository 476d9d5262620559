/**
 * X-BT-4 the regression gate: each committed baseline's backtest is run through the real `tradewarden backtest`
 * command, and the suite fails, naming the figure, when total PnL, max drawdown or trade count moved by more than
 * ±2 %. The comparison itself is shown to catch a 3 % move and to let a 1 % one through.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baselineOf, deviations, describeDeviations, type Baseline } from '../../src/backtest/regression.ts';
import type { BacktestReport } from '../../src/backtest/report/types.ts';
import { main } from '../../src/cli/main.ts';
import { Decimal } from '../../src/domain/money.ts';

type Recorded = Baseline & { readonly config: string };
const BASELINES = JSON.parse(readFileSync('tests/backtest/baselines.json', 'utf8')) as Record<string, Recorded | string>;
const entries = Object.entries(BASELINES).filter((e): e is [string, Recorded] => typeof e[1] === 'object');

const runBacktest = async (config: string): Promise<BacktestReport> => {
  const out = mkdtempSync(join(tmpdir(), 'tw-regression-'));
  const lines: string[] = [];
  const code = await main(['backtest', '--config', config, '--out', out], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  expect(code, lines.join('\n')).toBe(0);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
};

describe('X-BT-4 backtest regression gate', () => {
  it('X-BT-4 has at least two committed baselines', () => {
    expect(entries.length).toBeGreaterThanOrEqual(2);
  });

  for (const [name, recorded] of entries) {
    it(`X-BT-4 ${name} stays within ±2 % of its baseline (total PnL, max drawdown, trades)`, async () => {
      const report = await runBacktest(recorded.config);
      const found = deviations(baselineOf(report.metrics), recorded);
      expect(describeDeviations(name, found)).toBe('');
    });
  }

  it('X-BT-4 a 3 % move of any baseline figure fails and says which; a 1 % move passes', () => {
    const base: Baseline = { totalPnl: '49193.14057146', maxDrawdown: 0.169151530852, trades: 44 };
    const moved = (f: number): Baseline => ({ totalPnl: new Decimal(base.totalPnl).times(f).toString(), maxDrawdown: base.maxDrawdown * f, trades: Math.round(base.trades * f) });
    const three = deviations(moved(1.03), base);
    expect(three.map((d) => d.metric).sort()).toEqual(['maxDrawdown', 'totalPnl', 'trades']);
    expect(describeDeviations('sma-cross-spy', three)).toMatch(/totalPnl moved from 49193\.14057146 to 50668\.9347886038 \(3\.00 %, limit ±2 %\)/);
    expect(deviations({ ...base, trades: 46 }, base).map((d) => d.metric)).toEqual(['trades']);
    expect(deviations(moved(0.97), base).map((d) => d.metric).sort()).toEqual(['maxDrawdown', 'totalPnl', 'trades']);
    expect(deviations(moved(1.01), base)).toEqual([]);
    expect(deviations({ totalPnl: '1', maxDrawdown: 0, trades: 0 }, { totalPnl: '0', maxDrawdown: 0, trades: 0 })[0]?.relative).toBe(Number.POSITIVE_INFINITY);
  });
});
