/**
 * A parameter sweep (issue 13 item 6): the parameter sets of `--sweep` (every grid point, or a seeded random sample
 * of them), each checked against the strategy's schema in this thread (a refused set is listed as skipped, never
 * run), then each run as one full deterministic backtest on the worker pool, ranked by the chosen metric and written
 * as `sweep.json` and `sweep.csv` under the output directory, each run's report files under `runs/<run>/`. Wall time
 * goes to `sweep-timing.json` only. A composition module like src/app; refusals are SweepError or BacktestError.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Either } from 'effect';
import type { AppConfig } from '../../config/schema.ts';
import { wallClock } from '../../kernel/Clock.ts';
import { withStrategyOverrides, type StrategyEntry } from '../../strategies/registry.ts';
import { prepareBacktest, type BacktestJobFlags } from './backtestJob.ts';
import { runOnWorkers, type TaskOutcome } from './pool.ts';
import { rankOrder, type RankBy } from '../../backtest/sweep/rank.ts';
import { gridOf, paramsOf, parseSweepAxes, randomSampleOf, SweepError, type ParameterSet, type SweepAxis } from '../../backtest/sweep/space.ts';
import { sweepCsv, sweepJson, type SweepRow, type SweepTable } from '../../backtest/sweep/table.ts';
import { sweepTargetOf, type SweepTarget } from '../../backtest/sweep/target.ts';
import type { SweepTask } from './worker.ts';

/** How the parameter sets are chosen. */
export type SweepSearch = { readonly mode: 'grid' } | { readonly mode: 'random'; readonly samples: number; readonly seed: number };

/** What a sweep needs from the command. */
export interface SweepRequest {
  readonly configFile: string;
  /** The config file as loaded (the base every run's overrides apply to). */
  readonly loaded: AppConfig;
  /** The command's own flags; each run adds its parameter set after `--param`. */
  readonly flags: BacktestJobFlags;
  /** The `--sweep` values. */
  readonly specs: ReadonlyArray<string>;
  readonly search: SweepSearch;
  readonly rankBy: RankBy;
  readonly workers: number;
  readonly out: string;
  readonly version: string;
  readonly commit: string | null;
  readonly keepJournals?: boolean | undefined;
  /** Readable notes (stderr). */
  readonly note: (line: string) => void;
  /** Told of each run as it finishes (finishing order). */
  readonly onRun?: ((done: number, total: number, row: SweepRow, wallMs: number | undefined) => void) | undefined;
}

/** What a sweep leaves: the table, its files, and the wall-clock figures of the run (not part of the table). */
export interface SweepResult {
  readonly table: SweepTable;
  readonly files: { readonly json: string; readonly csv: string; readonly timing: string };
  readonly timing: SweepTiming;
}

/** Wall-clock figures of a sweep (sweep-timing.json): they depend on the machine and the worker count, the table does not. */
export interface SweepTiming {
  readonly workers: number;
  readonly wallMs: number;
  readonly runs: number;
  /** Bars replayed over all runs. */
  readonly bars: number;
  readonly runsPerSecond: number;
  readonly barsPerSecond: number;
  /** Each run's own wall time, by run id. */
  readonly runWallMs: Readonly<Record<string, number>>;
}

const runId = (index: number, total: number): string => String(index + 1).padStart(Math.max(3, String(total).length), '0');


const depthOf = (line: string): number => line.search(/[^\s└├│─]/);

/**
 * Returns a schema's multi-line problem tree as one line: its leaves (the causes), joined by "; "
 * ("fast (20) must be shorter than slow (20)"), so a table row and a CSV cell stay one line.
 */
export const leavesOf = (problem: string): string => {
  const lines = problem.split('\n').filter((l) => l.trim() !== '');
  if (lines.length <= 1) return problem.trim();
  return lines.filter((l, i) => i + 1 >= lines.length || depthOf(lines[i + 1]!) <= depthOf(l)).map((l) => l.slice(Math.max(0, depthOf(l))).trim()).join('; ');
};

/** Returns the strategy's objection to a parameter set on top of the command's flags, or undefined when it accepts it. */
export const objectionTo = (config: AppConfig, flags: BacktestJobFlags, user: ReadonlyArray<StrategyEntry>, point: ParameterSet): string | undefined => {
  const checked = withStrategyOverrides(config, { strategy: flags.strategy, params: [...(flags.param ?? []), ...paramsOf(point)] }, user);
  return Either.isLeft(checked) ? leavesOf(checked.left) : undefined;
};

/** One planned parameter set: its run id, the set, and the strategy's objection to it (then it is not run). */
export interface PlannedSet {
  readonly run: string;
  readonly params: ParameterSet;
  readonly problem: string | undefined;
}

/** A sweep's parameter sets, checked against the strategy. */
export interface SweepPlan {
  readonly axes: ReadonlyArray<SweepAxis>;
  readonly target: SweepTarget;
  readonly planned: ReadonlyArray<PlannedSet>;
  /** The sets the strategy accepts, in plan order (never empty). */
  readonly runnable: ReadonlyArray<PlannedSet>;
}

/**
 * Plans the parameter sets of `--sweep` specs over a prepared config and checks each against the strategy; throws a
 * SweepError for a bad spec, an unknown parameter, or a space whose every set the strategy refuses.
 */
export const planSweep = (specs: ReadonlyArray<string>, search: SweepSearch, config: AppConfig, flags: BacktestJobFlags, user: ReadonlyArray<StrategyEntry>): SweepPlan => {
  if (specs.length === 0) throw new SweepError({ reason: 'BadOption', detail: '--search needs at least one --sweep name=lo..hi:step' });
  const axes = parseSweepAxes(specs);
  const points = search.mode === 'grid' ? gridOf(axes) : randomSampleOf(axes, search.samples, search.seed);
  const target = sweepTargetOf(config, flags.strategy, user, axes);
  const planned = points.map((params, index) => ({ run: runId(index, points.length), params, problem: objectionTo(config, flags, user, params) }));
  const runnable = planned.filter((p) => p.problem === undefined);
  if (runnable.length === 0) {
    throw new SweepError({ reason: 'NoValidRun', detail: `every parameter set of the sweep is refused by ${target.strategyId}: ${planned[0]?.problem ?? 'no parameter set'}` });
  }
  return { axes, target, planned, runnable };
};

/** Returns the command's flags with a parameter set added after its `--param`s. */
export const withParams = (flags: BacktestJobFlags, params: ParameterSet): BacktestJobFlags => ({ ...flags, param: [...(flags.param ?? []), ...paramsOf(params)] });

/** Runs the sweep and writes its files; throws SweepError or BacktestError for a request it cannot serve. */
export const runSweep = async (req: SweepRequest): Promise<SweepResult> => {
  const base = await prepareBacktest(req.loaded, req.flags, req.note);
  const { axes, target, planned, runnable } = planSweep(req.specs, req.search, base.config, req.flags, base.user);

  rmSync(join(req.out, 'runs'), { recursive: true, force: true });
  mkdirSync(join(req.out, 'runs'), { recursive: true });
  const tasks: SweepTask[] = runnable.map((p) => ({
    configFile: req.configFile, flags: withParams(req.flags, p.params), out: join(req.out, 'runs', p.run),
    version: req.version, commit: req.commit, keepJournal: req.keepJournals === true,
  }));
  const rowOf = (i: number, o: TaskOutcome): SweepRow => {
    const p = runnable[i]!;
    return o.ok ? { run: p.run, params: p.params, status: 'ok', rank: 0, metrics: o.result.metrics, bars: o.result.bars } : { run: p.run, params: p.params, status: 'failed', problem: o.problem };
  };
  const started = wallClock.now();
  let done = 0;
  const outcomes = await runOnWorkers(tasks, req.workers, (i, o) => {
    done += 1;
    req.onRun?.(done, tasks.length, rowOf(i, o), o.ok ? o.result.wallMs : undefined);
  });
  const wallMs = wallClock.now() - started;

  const ran = outcomes.map((o, i) => rowOf(i, o));
  const ok = ran.filter((r) => r.status === 'ok');
  const order = rankOrder(ok, (r) => r.metrics, req.rankBy);
  const rows: SweepRow[] = [
    ...order.map((i, rank) => ({ ...ok[i]!, rank: rank + 1 })),
    ...ran.filter((r) => r.status === 'failed'),
    ...planned.filter((p) => p.problem !== undefined).map((p): SweepRow => ({ run: p.run, params: p.params, status: 'skipped', problem: p.problem! })),
  ];
  const table: SweepTable = { kind: 'tradewarden.sweep', version: 1, strategy: target.strategyId, search: req.search, axes, rankBy: req.rankBy, rows };

  const bars = outcomes.reduce((n, o) => n + (o.ok ? o.result.bars : 0), 0);
  const timing: SweepTiming = {
    workers: Math.max(1, Math.min(req.workers, tasks.length)), wallMs, runs: tasks.length, bars,
    runsPerSecond: wallMs > 0 ? Number(((tasks.length * 1000) / wallMs).toFixed(3)) : 0,
    barsPerSecond: wallMs > 0 ? Math.round((bars * 1000) / wallMs) : 0,
    runWallMs: Object.fromEntries(outcomes.flatMap((o, i) => (o.ok ? [[runnable[i]!.run, o.result.wallMs]] : []))),
  };
  const files = { json: join(req.out, 'sweep.json'), csv: join(req.out, 'sweep.csv'), timing: join(req.out, 'sweep-timing.json') };
  writeFileSync(files.json, sweepJson(table));
  writeFileSync(files.csv, sweepCsv(table));
  writeFileSync(files.timing, `${JSON.stringify(timing, null, 2)}\n`);
  return { table, files, timing };
};
