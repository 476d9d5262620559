/**
 * S1-10 `backtest --walk-forward` and `--monte-carlo` through the real command on one year of the bundled SPY daily
 * bars: the distributions join report.json and report.html and are printed, each fold is the plain backtest of its
 * date range, the report is the same bytes with 1 and 2 workers, with `--sweep` each fold tests the set that scored best
 * on its own train ranges, and bad requests are refused with exit 2.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../src/backtest/report/types.ts';
import { runMain, type InProcessRun } from '../support/runCli.ts';

const CONFIG = 'config/backtests/sma-cross-spy.yaml';
const YEAR = ['--from', '2019-01-01', '--to', '2020-01-01'];
const VALIDATE = ['--walk-forward', 'k=3,embargo=1d', '--monte-carlo', '200', '--seed', '5'];

type CliRun = InProcessRun;
const cli = (args: ReadonlyArray<string>): Promise<CliRun> => runMain(['backtest', '--config', CONFIG, ...args]);
const dir = (): string => mkdtempSync(join(tmpdir(), 'tw-validate-'));
const read = (out: string, file: string): string => readFileSync(join(out, file), 'utf8');
const reportOf = (out: string): BacktestReport => JSON.parse(read(out, 'report.json')) as BacktestReport;

describe('S1-10 backtest --walk-forward --monte-carlo', () => {
  const two = dir();
  let run: CliRun;
  beforeAll(async () => {
    run = await cli([...YEAR, ...VALIDATE, '--workers', '2', '--out', two]);
  }, 60_000);

  it('S1-10 adds the walk-forward folds and their metric distribution to report.json', () => {
    expect(run.code, run.err).toBe(0);
    const w = reportOf(two).validation!.walkForward!;
    expect(w).toMatchObject({ method: 'purged k-fold with embargo', k: 3, embargoMs: 86_400_000, horizonMs: 86_400_000, samples: 252 });
    expect(w.folds.map((f) => f.test.bars)).toEqual([84, 84, 84]);
    expect(w.folds[0]!.test.from).toBe(Date.parse('2019-01-02T00:00:00Z'));
    for (let i = 1; i < 3; i++) expect(w.folds[i]!.test.from).toBe(w.folds[i - 1]!.test.to);
    // Fold 1 ends on Thu 2 May 2019: its last label (the next bar) reaches Sat 4 May, so Fri 3 May is purged; the next
    // bar, Mon 6 May, starts after the 1-day embargo. Fold 2 ends on Fri 30 Aug: the bar before it (its label reaches
    // the fold's first bar) is purged, and the next bar, Tue 3 Sep after Labor Day, starts after the embargo.
    expect(w.folds.map((f) => [f.train.map((r) => r.bars), f.purged, f.embargoed])).toEqual([[[167], 1, 0], [[83, 84], 1, 0], [[168], 0, 0]]);
    for (const f of w.folds) expect(f.test.bars + f.train.reduce((n, r) => n + r.bars, 0) + f.purged + f.embargoed).toBe(252);
    const pnls = w.folds.map((f) => Number(f.metrics.totalPnl));
    expect(Number(w.distribution.totalPnl.min)).toBe(Math.min(...pnls));
    expect(Number(w.distribution.totalPnl.max)).toBe(Math.max(...pnls));
    expect(w.distribution.sharpe.count).toBe(3);
  });

  it('S1-10 each fold is the plain backtest of its test range, to the byte', async () => {
    const w = reportOf(two).validation!.walkForward!;
    const f = w.folds[1]!;
    const single = dir();
    const r = await cli(['--from', new Date(f.test.from).toISOString(), '--to', new Date(f.test.to).toISOString(), '--out', single]);
    expect(r.code, r.err).toBe(0);
    expect(read(join(two, 'walk-forward', 'fold-2'), 'report.json')).toBe(read(single, 'report.json'));
    expect(reportOf(single).metrics.totalPnl).toBe(f.metrics.totalPnl);
  });

  it('S1-10 adds the Monte Carlo distributions of the run\'s closed trades to report.json', () => {
    const report = reportOf(two);
    const m = report.validation!.monteCarlo!;
    const closed = report.trades.filter((t) => t.exitTs !== null);
    expect(m).toMatchObject({ simulations: 200, seed: 5, trades: closed.length, startingEquity: '100000' });
    expect(m.permutation.maxDrawdown.count).toBe(200);
    expect(m.bootstrap.finalPnl.count).toBe(closed.length === 0 ? 0 : 200);
  });

  it('S1-10 prints the tables and renders the validation panel in report.html', () => {
    expect(run.out).toMatch(/^Walk-forward: purged 3-fold, embargo 1 d 0 h/m);
    expect(run.out).toMatch(/^\s+total PnL\s+-?[\d,.]+/m);
    expect(run.out).toMatch(/^Monte Carlo: 200 draws of \d+ closed trades, seed 5/m);
    const html = read(two, 'report.html');
    expect(html).toContain('data-section="validation"');
    for (const t of ['walk-forward-folds', 'walk-forward-distribution', 'monte-carlo']) expect(html).toContain(`data-table="${t}"`);
  });

  it('S1-10 X-BT-2 the report with its validation is the same bytes with 1 worker as with 2', async () => {
    const one = dir();
    const r = await cli([...YEAR, ...VALIDATE, '--workers', '1', '--out', one]);
    expect(r.code, r.err).toBe(0);
    expect(read(one, 'report.json')).toBe(read(two, 'report.json'));
    expect(r.out.replaceAll(one, 'OUT')).toBe(run.out.replaceAll(two, 'OUT'));
  }, 60_000);
});

describe('S1-10 backtest --walk-forward --sweep: parameters chosen on each fold\'s purged train ranges', () => {
  const out = dir();
  let run: CliRun;
  beforeAll(async () => {
    run = await cli([...YEAR, '--walk-forward', 'k=3,embargo=1d', '--sweep', 'fast=5,10', '--sweep', 'slow=20,30', '--rank-by', 'totalPnl', '--workers', '2', '--out', out]);
  }, 120_000);

  it('S1-10 each fold tests the set with the best bar-weighted train score, read back from its train runs', () => {
    expect(run.code, run.err).toBe(0);
    const w = reportOf(out).validation!.walkForward!;
    expect(w.optimisation).toMatchObject({ sets: 4, rankBy: { metric: 'totalPnl', direction: 'desc' } });
    const sets = ['001', '002', '003', '004'];
    for (const f of w.folds) {
      // Score each set from the train runs' own reports: Σ bars × totalPnl / Σ bars over the fold's train ranges.
      const scores = sets.map((set) => {
        const runs = f.train.map((_, r) => reportOf(join(out, 'walk-forward', `fold-${String(f.fold)}`, 'train', `${String(r + 1)}-${set}`)));
        const bars = runs.map((rep) => Object.values(rep.run['data'] as Record<string, { readonly bars: number }>)[0]!.bars);
        expect(bars).toEqual(f.train.map((r) => r.bars));
        return runs.reduce((sum, rep, i) => sum + Number(rep.metrics.totalPnl) * bars[i]!, 0) / bars.reduce((a, b) => a + b, 0);
      });
      const best = scores.indexOf(Math.max(...scores));
      const params = reportOf(join(out, 'walk-forward', `fold-${String(f.fold)}`, 'train', `1-${sets[best]!}`)).run['strategies'] as Record<string, { readonly fast: number; readonly slow: number }>;
      expect(f.chosen!.params).toEqual({ fast: String(params['sma-cross']!.fast), slow: String(params['sma-cross']!.slow) });
      expect(Number(f.chosen!.trainScore)).toBeCloseTo(scores[best]!, 6);
      // The fold's test run used the chosen set.
      expect(reportOf(join(out, 'walk-forward', `fold-${String(f.fold)}`)).run['strategies']).toMatchObject({ 'sma-cross': { fast: Number(f.chosen!.params['fast']), slow: Number(f.chosen!.params['slow']) } });
    }
    expect(run.out).toMatch(/chosen on train/);
    expect(run.out).toMatch(/Each fold chose among 4 parameter sets by the bar-weighted mean of totalPnl/);
  });
});

describe('S1-10 bad validation requests are refused (exit 2)', () => {
  const refusals: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ['a walk-forward without k', ['--walk-forward', 'embargo=1d'], /--walk-forward "embargo=1d": k is missing/],
    ['an embargo without a unit', ['--walk-forward', 'k=5,embargo=3'], /embargo "3": expected a duration such as 1d/],
    ['more folds than bars', ['--from', '2019-01-01', '--to', '2019-01-05', '--walk-forward', 'k=5'], /3 samples cannot make 5 folds/],
    ['zero Monte Carlo draws', ['--monte-carlo', '0'], /--monte-carlo "0": expected a whole number of at least 1/],
    ['--seed without a mode that takes it', ['--seed', '3'], /--seed goes with --sweep or --monte-carlo/],
    ['--workers without a mode that takes it', ['--workers', '2'], /--workers goes with --sweep or --walk-forward/],
    ['a sweep with a Monte Carlo', ['--sweep', 'fast=5,10', '--monte-carlo', '10'], /run the sweep first, then validate the chosen set with --param/],
    ['a walk-forward sweep whose every set is refused', ['--walk-forward', 'k=3', '--sweep', 'fast=30', '--sweep', 'slow=20'], /every parameter set of the sweep is refused/],
  ];
  for (const [what, args, message] of refusals) {
    it(`S1-10 refuses ${what}`, async () => {
      const r = await cli([...args, '--out', dir()]);
      expect(r.code, r.out).toBe(2);
      expect(r.err).toMatch(message);
    });
  }
});
