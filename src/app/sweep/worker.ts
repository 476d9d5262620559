/**
 * The entry of a sweep's worker thread (bundled as dist/sweepWorker.js; run from source as this file): one task is
 * one complete backtest — the config file loaded, the command's flags and the run's parameter set applied exactly as
 * `backtest --param` would (backtestJob.ts), the whole trading path on the virtual clock, the report files written
 * under the run's own directory — and its answer is the run's metrics. A composition root like src/app; the journal
 * of the run is removed afterwards (the report files stay), so a large sweep does not fill the disk.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Either } from 'effect';
import { BacktestError, runBacktest } from '../backtest.ts';
import { loadConfigFile } from '../../config/load.ts';
import { prepareBacktest, type BacktestJobFlags } from './backtestJob.ts';
import type { Metrics } from '../../backtest/report/types.ts';

/** One run of a sweep, as the main thread hands it over (structured-cloned: plain data only). */
export interface SweepTask {
  readonly configFile: string;
  readonly flags: BacktestJobFlags;
  /** Where this run's report files go. */
  readonly out: string;
  readonly version: string;
  readonly commit: string | null;
  /** Keep the run's journal (`<out>/session`) instead of removing it after the report is written. */
  readonly keepJournal: boolean;
}

/** What one run answers: its metrics and bar count, the wall time it took, and any warning lines it printed. */
export interface SweepTaskResult {
  readonly metrics: Metrics;
  readonly bars: number;
  readonly trades: number;
  readonly wallMs: number;
  readonly warnings: ReadonlyArray<string>;
}

/** Runs one backtest of a sweep; rejects with the run's error (a BacktestError for a request it cannot serve). */
export const runSweepTask = async (task: SweepTask): Promise<SweepTaskResult> => {
  const loaded = loadConfigFile(task.configFile);
  if (Either.isLeft(loaded)) throw new BacktestError(loaded.left.message);
  const warnings: string[] = [];
  const prepared = await prepareBacktest(loaded.right.config, task.flags, () => undefined);
  const result = await runBacktest({
    config: prepared.config, configHash: loaded.right.hash, out: task.out, version: task.version, commit: task.commit,
    progress: () => undefined, stderr: (line) => warnings.push(line.trimEnd()), userStrategies: prepared.user,
  });
  if (!task.keepJournal) rmSync(join(task.out, 'session'), { recursive: true, force: true });
  return { metrics: result.report.metrics, bars: result.bars, trades: result.report.trades.length, wallMs: result.wallMs, warnings };
};

export default runSweepTask;
