/**
 * Runs a walk-forward (`backtest --walk-forward k=5,embargo=1d [--sweep …]`): the bars the backtest would replay (its
 * data files, resampled and cut to its range exactly as the backtest does), the purged k-fold plan over them, and one
 * full backtest per test fold — the same config and flags with the fold's date range — on the sweep's worker pool,
 * each fold's report files under `walk-forward/fold-<n>/`. With `--sweep`, each fold first backtests every parameter
 * set over each of its train ranges (`walk-forward/fold-<n>/train/`), keeps the best by the bar-weighted mean of the
 * ranking metric, and tests that set. Then the folds' metric distribution. A composition module like src/app; a run
 * that fails is a ValidationRunError naming it, a request it cannot serve a ValidationError.
 */
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { AppConfig } from '../../config/schema.ts';
import { filterRange, loadOhlcvCsv } from '../../backtest/data/ohlcv.ts';
import { resample, timeframeMs } from '../../backtest/data/resample.ts';
import type { Metrics } from '../../backtest/report/types.ts';
import type { BacktestJobFlags } from './backtestJob.ts';
import { runOnWorkers, type TaskOutcome } from './pool.ts';
import type { RankBy } from '../../backtest/sweep/rank.ts';
import { withParams, type SweepPlan } from './runSweep.ts';
import type { ParameterSet } from '../../backtest/sweep/space.ts';
import type { SweepTask } from './worker.ts';
import { ValidationError, ValidationRunError } from '../../backtest/validation/errors.ts';
import { chooseOnTrain, walkForwardPlan, walkForwardReport, type FoldChoice, type TimeRange, type WalkForwardFold, type WalkForwardReport, type WalkForwardSpec } from '../../backtest/validation/walkForward.ts';

/** The parameter search of an optimising walk-forward: the sweep's plan and the ranking its train runs are scored by. */
export interface WalkForwardSearch {
  readonly sweep: SweepPlan;
  readonly rankBy: RankBy;
}

/** A walk-forward planned over the bars a backtest replays: its spec, the bars' interval and count, and the folds. */
export interface WalkForwardPlan {
  readonly spec: WalkForwardSpec;
  readonly intervalMs: number;
  readonly samples: number;
  readonly folds: ReadonlyArray<WalkForwardFold>;
  /** With `--sweep`: the parameter sets each fold chooses from on its train ranges. */
  readonly search?: WalkForwardSearch | undefined;
}

/** What running a walk-forward needs from the command. */
export interface WalkForwardRequest {
  readonly configFile: string;
  readonly plan: WalkForwardPlan;
  readonly flags: BacktestJobFlags;
  readonly workers: number;
  readonly out: string;
  readonly version: string;
  readonly commit: string | null;
  /** Told of each fold as it finishes. */
  readonly onFold?: ((fold: number, problem: string | undefined) => void) | undefined;
}

const dateOf = (text: string | null): number | undefined => (text === null ? undefined : DateTime.fromISO(text, { zone: 'UTC' }).toMillis());

/** Returns the distinct bar starts the backtest replays (over every symbol, ascending) and the shortest bar interval. */
export const replayedBarStarts = (config: AppConfig): { readonly starts: ReadonlyArray<number>; readonly intervalMs: number } => {
  const from = dateOf(config.backtest.from);
  const to = dateOf(config.backtest.to);
  const starts = new Set<number>();
  let intervalMs = Number.POSITIVE_INFINITY;
  for (const d of config.backtest.data) {
    const loaded = loadOhlcvCsv(d.file, { timeZone: d.timeZone });
    const target = d.timeframe;
    const same = target === undefined || timeframeMs(target) === loaded.intervalMs;
    const bars = same ? loaded.bars : resample(loaded.bars, loaded.intervalMs, target, { timeZone: d.timeZone });
    for (const b of filterRange(bars, from, to)) starts.add(b.start);
    intervalMs = Math.min(intervalMs, target === undefined ? loaded.intervalMs : timeframeMs(target));
  }
  return { starts: [...starts].sort((a, b) => a - b), intervalMs };
};

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Plans a walk-forward over the bars the prepared config replays; throws ValidationError when they cannot make the
 * folds, before any backtest runs.
 */
export const planWalkForward = (config: AppConfig, spec: WalkForwardSpec, search?: WalkForwardSearch): WalkForwardPlan => {
  const { starts, intervalMs } = replayedBarStarts(config);
  if (!Number.isFinite(intervalMs)) throw new ValidationError({ reason: 'TooFewSamples', detail: '--walk-forward: the backtest has no data to cut into folds' });
  return { spec, intervalMs, samples: starts.length, folds: walkForwardPlan(starts, intervalMs, spec), ...(search === undefined ? {} : { search }) };
};

/** A backtest of one range with one parameter set, and where its report goes. */
interface RangeRun {
  readonly label: string;
  readonly range: TimeRange;
  readonly params: ParameterSet;
  readonly out: string;
}

/** Runs every range on the pool; returns their metrics in order, or throws ValidationRunError for the first that failed. */
const runRanges = async (req: WalkForwardRequest, runs: ReadonlyArray<RangeRun>, onDone: (i: number, o: TaskOutcome) => void): Promise<ReadonlyArray<{ readonly bars: number; readonly metrics: Metrics }>> => {
  const tasks: SweepTask[] = runs.map((r) => ({
    configFile: req.configFile, flags: { ...withParams(req.flags, r.params), from: iso(r.range.from), to: iso(r.range.to) }, out: r.out,
    version: req.version, commit: req.commit, keepJournal: false,
  }));
  const outcomes = await runOnWorkers(tasks, req.workers, onDone);
  return outcomes.map((o, i) => {
    if (!o.ok) throw new ValidationRunError(`walk-forward ${runs[i]!.label} (${iso(runs[i]!.range.from)} … ${iso(runs[i]!.range.to)}) failed: ${o.problem}`);
    return { bars: o.result.bars, metrics: o.result.metrics };
  });
};

const foldDir = (req: WalkForwardRequest, f: WalkForwardFold): string => join(req.out, 'walk-forward', `fold-${String(f.fold)}`);

/** Backtests every parameter set over every train range of every fold and returns each fold's choice. */
const chooseParameters = async (req: WalkForwardRequest, search: WalkForwardSearch): Promise<ReadonlyArray<FoldChoice>> => {
  const sets = search.sweep.runnable;
  const runs = req.plan.folds.flatMap((f) => f.train.flatMap((range, r) => sets.map((set): RangeRun => ({
    label: `fold ${String(f.fold)} train range ${String(r + 1)} run ${set.run}`, range, params: set.params, out: join(foldDir(req, f), 'train', `${String(r + 1)}-${set.run}`),
  }))));
  const results = await runRanges(req, runs, () => undefined);
  let next = 0;
  return req.plan.folds.map((f) => {
    const perSet = sets.map(() => [] as Array<{ readonly bars: number; readonly metrics: Metrics }>);
    for (let r = 0; r < f.train.length; r++) for (let s = 0; s < sets.length; s++) perSet[s]!.push(results[next++]!);
    return chooseOnTrain(sets.map((set) => set.params), perSet, search.rankBy);
  });
};

/** Runs every test fold's backtest (after choosing its parameters, when optimising) and returns the walk-forward section. */
export const runWalkForward = async (req: WalkForwardRequest): Promise<WalkForwardReport> => {
  const { folds, search } = req.plan;
  const chosen = search === undefined ? undefined : await chooseParameters(req, search);
  const tests = folds.map((f, i): RangeRun => ({ label: `fold ${String(f.fold)}`, range: f.test, params: chosen?.[i]!.params ?? {}, out: foldDir(req, f) }));
  const results = await runRanges(req, tests, (i, o) => req.onFold?.(folds[i]!.fold, o.ok ? undefined : o.problem));
  const optimised = search === undefined || chosen === undefined ? undefined : {
    chosen,
    optimisation: {
      axes: search.sweep.axes, rankBy: search.rankBy, sets: search.sweep.runnable.length,
      score: `the bar-weighted mean of ${search.rankBy.metric} over the fold's train ranges, ${search.rankBy.direction === 'asc' ? 'lowest' : 'highest'} wins`,
    },
  };
  return walkForwardReport(req.plan.spec, req.plan.intervalMs, req.plan.samples, folds, results.map((r) => r.metrics), optimised);
};
