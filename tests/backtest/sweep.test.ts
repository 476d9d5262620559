/**
 * Parameter sweeps (issue 13 item 6) through the real `tradewarden backtest --sweep` command on half a year of the
 * bundled SPY daily bars: the grid runs every combination as a full backtest on worker threads, the table is the same
 * bytes with 1, 2 and 4 workers, each row equals the plain backtest with those `--param`s, a seeded random search is
 * reproducible, and bad sweeps are refused with exit 2. The parameter space and the ranking alone: sweepSpace.test.ts.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../src/backtest/report/types.ts';
import type { SweepTable } from '../../src/backtest/sweep/table.ts';
import { runMain, type InProcessRun } from '../support/runCli.ts';

const CONFIG = 'config/backtests/sma-cross-spy.yaml';
/** Half a year of daily bars: 124 bars a run, well under a second each once a thread is warm. */
const YEAR = ['--from', '2019-01-01', '--to', '2019-07-01'];
const GRID = ['--sweep', 'fast=5..10:5', '--sweep', 'slow=10..30:10'];

type CliRun = InProcessRun;
const cli = (args: ReadonlyArray<string>): Promise<CliRun> => runMain(['backtest', '--config', CONFIG, ...args]);
const dir = (): string => mkdtempSync(join(tmpdir(), 'tw-sweep-'));
const read = (out: string, file: string): string => readFileSync(join(out, file), 'utf8');
const tableOf = (out: string): SweepTable => JSON.parse(read(out, 'sweep.json')) as SweepTable;

describe('S1-10 X-BT-2 backtest --sweep on worker threads', () => {
  const outs = new Map<number, { readonly dir: string; readonly run: CliRun }>();
  beforeAll(async () => {
    for (const workers of [1, 2, 4]) {
      const d = dir();
      outs.set(workers, { dir: d, run: await cli([...YEAR, ...GRID, '--workers', String(workers), '--rank-by', 'totalPnl', '--out', d]) });
    }
  }, 120_000);

  it('S1-10 the grid runs every combination the strategy accepts and lists the refused ones as skipped', () => {
    const { dir: d, run } = outs.get(1)!;
    expect(run.code, run.err).toBe(0);
    const t = tableOf(d);
    expect(t.strategy).toBe('sma-cross');
    expect(t.axes).toEqual([{ name: 'fast', values: ['5', '10'] }, { name: 'slow', values: ['10', '20', '30'] }]);
    // 2 × 3 = 6 points; fast=10 slow=10 breaks the schema's fast < slow and is not run.
    expect(t.rows).toHaveLength(6);
    const ok = t.rows.filter((r) => r.status === 'ok');
    expect(ok.map((r) => `${r.params['fast']}/${r.params['slow']}`).sort()).toEqual(['10/20', '10/30', '5/10', '5/20', '5/30']);
    const skipped = t.rows.filter((r) => r.status === 'skipped');
    expect(skipped.map((r) => r.params)).toEqual([{ fast: '10', slow: '10' }]);
    expect(skipped[0]!.status === 'skipped' && skipped[0]!.problem).toMatch(/fast \(10\) must be shorter than slow \(10\)/);
    for (const r of ok) expect(existsSync(join(d, 'runs', r.run, 'report.json')), r.run).toBe(true);
    // The journal of each run is removed once its report is written.
    expect(existsSync(join(d, 'runs', ok[0]!.run, 'session'))).toBe(false);
    expect(read(d, 'sweep.csv').trim().split('\n')).toHaveLength(7);
  });

  it('S1-10 the table is ranked by the chosen metric, best first, and printed on stdout', () => {
    const { dir: d, run } = outs.get(1)!;
    const ok = tableOf(d).rows.filter((r) => r.status === 'ok');
    const pnls = ok.map((r) => (r.status === 'ok' ? Number(r.metrics.totalPnl) : Number.NaN));
    expect(pnls).toEqual([...pnls].sort((a, b) => b - a));
    expect(ok.map((r) => (r.status === 'ok' ? r.rank : 0))).toEqual([1, 2, 3, 4, 5]);
    expect(run.out).toMatch(/ranked by totalPnl descending/);
    expect(run.out).toMatch(/^\s+rank\s+run\s+fast\s+slow\s+totalPnl \(desc\)/m);
    expect(run.out).toMatch(/skipped \d+ fast=10 slow=10: /);
  });

  it('S1-10 X-BT-2 sweep.json, sweep.csv and the stdout table are byte-identical with 1, 2 and 4 workers', () => {
    const one = outs.get(1)!;
    for (const workers of [2, 4]) {
      const other = outs.get(workers)!;
      expect(other.run.code, other.run.err).toBe(0);
      expect(read(other.dir, 'sweep.json')).toBe(read(one.dir, 'sweep.json'));
      expect(read(other.dir, 'sweep.csv')).toBe(read(one.dir, 'sweep.csv'));
      // stdout differs only in the output directory it names.
      expect(other.run.out.replaceAll(other.dir, 'OUT')).toBe(one.run.out.replaceAll(one.dir, 'OUT'));
      expect(JSON.parse(read(other.dir, 'sweep-timing.json'))).toMatchObject({ workers, runs: 5, bars: 5 * 124 });
    }
  });

  it('S1-10 X-BT-2 each row is the full backtest that --param with the same values runs, to the byte', async () => {
    const { dir: d } = outs.get(2)!;
    const row = tableOf(d).rows.find((r) => r.params['fast'] === '5' && r.params['slow'] === '20')!;
    const single = dir();
    const r = await cli([...YEAR, '--param', 'fast=5', '--param', 'slow=20', '--out', single]);
    expect(r.code, r.err).toBe(0);
    expect(read(join(d, 'runs', row.run), 'report.json')).toBe(read(single, 'report.json'));
    const report = JSON.parse(read(single, 'report.json')) as BacktestReport;
    expect(row.status === 'ok' && row.metrics).toEqual(report.metrics);
    expect(report.run['strategies']).toMatchObject({ 'sma-cross': { fast: 5, slow: 20 } });
  });
});

describe('S1-10 backtest --search random', () => {
  it('S1-10 X-BT-2 a seeded random search draws the same distinct grid points every time', async () => {
    const args = [...YEAR, '--sweep', 'fast=2..9', '--sweep', 'slow=20..60:10', '--search', 'random', '--samples', '3', '--seed', '11', '--workers', '2'];
    const [a, b] = [dir(), dir()];
    for (const d of [a, b]) {
      const r = await cli([...args, '--out', d]);
      expect(r.code, r.err).toBe(0);
    }
    expect(read(b, 'sweep.json')).toBe(read(a, 'sweep.json'));
    const points = tableOf(a).rows.map((r) => `${r.params['fast']}/${r.params['slow']}`);
    expect(new Set(points).size).toBe(3);
    for (const p of points) expect(p).toMatch(/^[2-9]\/(20|30|40|50|60)$/);
    expect(tableOf(a).search).toEqual({ mode: 'random', samples: 3, seed: 11 });
  }, 60_000);
});

describe('S1-10 bad sweeps are refused (exit 2)', () => {
  const refusals: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
    ['an unknown parameter', ['--sweep', 'fastest=5..20:5'], /--sweep fastest: not a parameter of sma-cross \(its parameters: fast, slow, notionalFraction/],
    ['a range whose start is above its end', ['--sweep', 'fast=20..5:5'], /the start 20 is above the end 5/],
    ['a non-positive step', ['--sweep', 'fast=5..20:0'], /the step 0 must be positive/],
    ['a value that is not a number', ['--sweep', 'fast=5..x'], /the end "x" is not a number/],
    ['a parameter swept twice', ['--sweep', 'fast=5,10', '--sweep', 'fast=20'], /fast is given twice/],
    ['a grid where every set is refused', ['--sweep', 'fast=30..40:10', '--sweep', 'slow=10,20'], /every parameter set of the sweep is refused by sma-cross: .*must be shorter/],
    ['too many runs', ['--sweep', 'fast=1..200', '--sweep', 'slow=300..400'], /asks for 20200 runs; at most 10000/],
    ['an unknown ranking metric', ['--sweep', 'fast=5,10', '--rank-by', 'luck'], /--rank-by "luck": expected a metric of the report/],
    ['--samples on a grid', ['--sweep', 'fast=5,10', '--samples', '3'], /--samples and --seed go with --search random/],
    ['random without --samples', ['--sweep', 'fast=5,10', '--search', 'random'], /--search random needs --samples N/],
    ['an unknown search', ['--sweep', 'fast=5,10', '--search', 'bayes'], /--search "bayes": expected grid or random/],
    ['zero workers', ['--sweep', 'fast=5,10', '--workers', '0'], /--workers "0": expected a whole number of at least 1/],
    ['sweep flags without --sweep', ['--workers', '2'], /--workers goes with --sweep/],
  ];
  for (const [what, args, message] of refusals) {
    it(`S1-10 refuses ${what}`, async () => {
      const r = await cli([...YEAR, ...args, '--out', dir()]);
      expect(r.code, r.out).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
});
