/**
 * `tradewarden backtest --config config/backtests/opening-range-spy.yaml` in-process through the real CLI (S2-6,
 * S2-20): the opening range breakout on SPY's bundled minute bars through the whole trading path, each trade checked
 * against the CSV rows' own New York times and prices — the entry at the open after the first qualifying bar, the exit
 * at the open of the 10:20 ET bar (one tick under it: the bar model's bid).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../../src/backtest/report/types.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { runMain, type InProcessRun } from '../../support/runCli.ts';
import { readEquityRows, type EquityRow } from '../../strategies/usEquityReplay.ts';

const CONFIG = 'config/backtests/opening-range-spy.yaml';
const rows = readEquityRows('data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv');
const byStart = new Map(rows.map((r) => [r.bar.start, r]));
/** The bar fill model at 0 bps buys at the open and sells one tick under it (docs/backtesting.md, Fill models). */
const TICK = '0.01';

/** The day's first bar opening 09:50–10:18 ET that closes above the 09:30–09:49 high on ≥ 1.5 × their mean volume. */
const signalOf = (date: string): EquityRow | undefined => {
  const range = rows.filter((r) => r.date === date && r.time >= '09:30' && r.time < '09:50');
  const high = Decimal.max(...range.map((r) => r.bar.high));
  const mean = range.reduce((v, r) => v.plus(r.bar.volume), new Decimal(0)).div(range.length);
  return rows.find((r) => r.date === date && r.time >= '09:50' && r.time <= '10:18' && r.bar.close.gt(high) && r.bar.volume.gte(mean.times(1.5)));
};

describe('S2-6 S2-20 opening-range backtest on SPY minute bars', () => {
  let run: InProcessRun;
  let report: BacktestReport;
  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'tw-orb-'));
    run = await runMain(['backtest', '--config', CONFIG, '--out', out]);
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
  });

  it('S2-6 S2-20 runs through the CLI and prints the summary (exit 0)', () => {
    expect(run.code, run.err).toBe(0);
    expect(run.out).toMatch(/4839 bars[\s\S]*trades\s+\d+/);
  });

  it('S2-6 every trade enters at the open after the day\'s first qualifying bar and exits at the 10:20 ET bar\'s open (a tick under it)', () => {
    const days = [...new Set(rows.map((r) => r.date))];
    const expected = days.flatMap((date) => {
      const signal = signalOf(date);
      if (signal === undefined) return [];
      const entry = byStart.get(signal.bar.start + 60_000)!;
      const exit = rows.find((r) => r.date === date && r.time === '10:20')!;
      return [{ strategyId: 'opening-range', side: 'buy', entryTs: entry.bar.start, entryPrice: entry.bar.open.toString(), exitTs: exit.bar.start, exitPrice: exit.bar.open.minus(TICK).toString() }];
    });
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(report.trades.map((t) => ({ strategyId: t.strategyId, side: t.side, entryTs: t.entryTs, entryPrice: t.entryPrice, exitTs: t.exitTs, exitPrice: t.exitPrice }))).toEqual(expected);
  });
});
