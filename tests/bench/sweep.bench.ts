/**
 * Benchmark of `backtest --sweep` on worker threads (issue 13 item 6): one 8-set grid (sma-cross fast × slow) over
 * all of the bundled SPY daily bars (2,769 a run), run through the CLI with 1 worker and then with 2. Prints parameter
 * sets per second and bars per second over all workers (from the sweep's own sweep-timing.json) and the wall time of
 * each; the tables themselves are identical whatever the worker count (tests/backtest/sweep.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from '../support/runCli.ts';

interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

const ARGS = ['backtest', '--config', 'config/backtests/sma-cross-spy.yaml', '--sweep', 'fast=5..20:5', '--sweep', 'slow=30..40:10'];

/** Runs the sweep with 1 and 2 workers and returns their figures. */
export async function benchSweep(): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const workers of [1, 2]) {
    const dir = mkdtempSync(join(tmpdir(), 'tw-bench-sweep-'));
    try {
      const run = await runMain([...ARGS, '--workers', String(workers), '--out', dir]);
      if (run.code !== 0) throw new Error(`sweep exited ${String(run.code)}: ${run.err}`);
      const timing = JSON.parse(readFileSync(join(dir, 'sweep-timing.json'), 'utf8')) as { runs: number; bars: number; wallMs: number; runsPerSecond: number; barsPerSecond: number };
      out.push(
        { name: `sweep_${String(workers)}_workers_parameter_sets_per_s`, value: Number(timing.runsPerSecond.toFixed(3)), unit: 'sets/s' },
        { name: `sweep_${String(workers)}_workers_bars_per_s`, value: Math.round(timing.barsPerSecond), unit: 'bars/s' },
        { name: `sweep_${String(workers)}_workers_wall_s`, value: Number((timing.wallMs / 1000).toFixed(2)), unit: 's' },
        { name: `sweep_${String(workers)}_workers_runs`, value: timing.runs, unit: 'count' },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return out;
}
