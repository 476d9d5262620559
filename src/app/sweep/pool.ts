/**
 * Runs a sweep's backtests on worker threads through tinypool: a fixed pool of N threads, one backtest per thread at
 * a time, each task's outcome delivered in task order whatever the order they finish in (so the result never depends
 * on N). The worker is worker.ts when this module runs from source (Node strips its types) and dist/sweepWorker.js,
 * built beside the CLI bundle, when it runs from dist. Performs no I/O of its own beyond starting the threads.
 */
import { availableParallelism } from 'node:os';
import Tinypool from 'tinypool';
import type { SweepTask, SweepTaskResult } from './worker.ts';

/** One task's outcome: its result, or the message of the error it failed with. */
export type TaskOutcome = { readonly ok: true; readonly result: SweepTaskResult } | { readonly ok: false; readonly problem: string };

/** Returns the worker module's URL: the bundled worker next to the bundle, or worker.ts next to this file. */
export const workerUrl = (): URL =>
  import.meta.url.endsWith('.ts') ? new URL('./worker.ts', import.meta.url) : new URL('./sweepWorker.js', import.meta.url);

/** The default number of worker threads: the cores the process may use. */
export const defaultWorkers = (): number => availableParallelism();

const problemOf = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/**
 * Runs every task on `workers` threads (at most one per task) and returns their outcomes in task order; `onDone` is
 * told of each as it finishes (in finishing order). The threads are stopped before it returns.
 */
export const runOnWorkers = async (
  tasks: ReadonlyArray<SweepTask>, workers: number, onDone?: (index: number, outcome: TaskOutcome) => void,
): Promise<ReadonlyArray<TaskOutcome>> => {
  if (tasks.length === 0) return [];
  const threads = Math.max(1, Math.min(workers, tasks.length));
  const pool = new Tinypool({ filename: workerUrl().href, minThreads: threads, maxThreads: threads, isolateWorkers: false });
  try {
    return await Promise.all(tasks.map(async (task, index): Promise<TaskOutcome> => {
      let outcome: TaskOutcome;
      try {
        outcome = { ok: true, result: (await pool.run(task)) as SweepTaskResult };
      } catch (e) {
        outcome = { ok: false, problem: problemOf(e) };
      }
      onDone?.(index, outcome);
      return outcome;
    }));
  } finally {
    await pool.destroy();
  }
};
