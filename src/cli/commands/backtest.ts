/**
 * `tradewarden backtest --config <file> [--data <file|dir>]… [--symbol S]… [--from DATE] [--to DATE] [--strategy <id>]
 * [--param key=value]… [--strategy-path <dir>] [--out <dir>]`: runs the config's strategies (and the user strategies
 * of `--strategy-path`) through the whole trading path on the in-process simulator and the virtual clock, writes the
 * report files and prints a summary table. With `--sweep name=lo..hi:step` (repeatable; `--search random --samples N
 * --seed S`, `--workers N`, `--rank-by metric`) it runs one such backtest per parameter set on worker threads and
 * prints the ranked table instead (src/backtest/sweep/). `--walk-forward k=5,embargo=1d`, `--monte-carlo N`,
 * `--shock params=10%,slippage=5,latency=250` and `--regimes` add the validation toolkit's distributions to the run's
 * report (src/backtest/validation/). Flags override the config without editing it; anything it does not understand, and a
 * strategy module it cannot use, is refused (exit 2).
 */
import { join } from 'node:path';
import { Either } from 'effect';
import { SingleBar } from 'cli-progress';
import { runBacktest } from '../../app/backtest.ts';
import { loadConfigFile } from '../../config/load.ts';
import type { AppConfig } from '../../config/schema.ts';
import { isUsageProblem, prepareBacktest, type BacktestJobFlags } from '../../app/sweep/backtestJob.ts';
import { defaultWorkers } from '../../app/sweep/pool.ts';
import { parseRankBy } from '../../backtest/sweep/rank.ts';
import { planSweep, runSweep, type SweepSearch } from '../../app/sweep/runSweep.ts';
import { SweepError } from '../../backtest/sweep/space.ts';
import { sweepText } from '../../backtest/sweep/table.ts';
import { MAX_SIMULATIONS, monteCarlo } from '../../backtest/validation/monteCarlo.ts';
import { ValidationRunError } from '../../backtest/validation/errors.ts';
import { planWalkForward, runWalkForward, type WalkForwardPlan } from '../../app/sweep/runWalkForward.ts';
import type { ValidationReport } from '../../backtest/validation/types.ts';
import { validationText } from '../../backtest/validation/view.ts';
import { parseWalkForwardSpec } from '../../backtest/validation/walkForward.ts';
import { planShockRuns, runShocks, type ShockPlan } from '../../app/sweep/runShocks.ts';
import { parseShockSpec } from '../../backtest/validation/shocks.ts';
import { regimeReport, type RegimeSettings } from '../../backtest/validation/regimes.ts';
import { ValidationError } from '../../backtest/validation/errors.ts';
import type { BacktestResult } from '../../app/backtest.ts';
import type { StrategyEntry } from '../../strategies/registry.ts';
import { writeRunReport } from '../../app/runReport.ts';
import { buildInfo } from '../buildInfo.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** The flags of `backtest` besides `--config` (its table is in src/cli/main.ts). */
export interface BacktestOptions extends BacktestJobFlags {
  readonly out?: string | undefined;
  /** `--sweep name=lo..hi:step`, repeatable: run every combination (or a random sample) instead of one backtest. */
  readonly sweep?: ReadonlyArray<string> | undefined;
  /** `--search grid|random` (default grid). */
  readonly search?: string | undefined;
  /** `--samples N`: how many parameter sets a random search draws. */
  readonly samples?: string | undefined;
  /** `--seed S`: the random search's seed (default the config's sim.seed). */
  readonly seed?: string | undefined;
  /** `--workers N`: worker threads of a sweep (default: the cores). */
  readonly workers?: string | undefined;
  /** `--rank-by metric[:asc|:desc]` (default sharpe). */
  readonly rankBy?: string | undefined;
  /** `--walk-forward k=5,embargo=1d[,horizon=1d]`: also backtest each purged k-fold test fold (S1-10). */
  readonly walkForward?: string | undefined;
  /** `--monte-carlo N`: also reorder and resample the closed trades N times (S1-10; seeded by `--seed`). */
  readonly monteCarlo?: string | undefined;
  /** `--shock params=10%,slippage=5,latency=250`: also rerun with each parameter shocked, more slippage, more latency (S1-10). */
  readonly shock?: string | undefined;
  /** `--regimes`: also slice the trades by the market regime at their entry (S1-10; also `backtest.regimes.enabled`). */
  readonly regimes?: boolean | undefined;
}

/** Parses a whole-number flag (at least `min`); a bad value is a SweepError (exit 2). */
const wholeFlag = (name: string, text: string | undefined, min: number): number | undefined => {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new SweepError({ reason: 'BadOption', detail: `--${name} ${JSON.stringify(text)}: expected a whole number of at least ${String(min)}` });
  return n;
};

/** The search a sweep's flags ask for; `--search`/`--samples`/`--seed`/`--workers`/`--rank-by` without `--sweep` are refused. */
const searchOf = (values: BacktestOptions, config: AppConfig): SweepSearch => {
  const mode = values.search ?? 'grid';
  if (mode !== 'grid' && mode !== 'random') throw new SweepError({ reason: 'BadOption', detail: `--search ${JSON.stringify(mode)}: expected grid or random` });
  const samples = wholeFlag('samples', values.samples, 1);
  const seed = wholeFlag('seed', values.seed, 0);
  if (mode === 'grid') {
    if (samples !== undefined || seed !== undefined) throw new SweepError({ reason: 'BadOption', detail: '--samples and --seed go with --search random' });
    return { mode };
  }
  if (samples === undefined) throw new SweepError({ reason: 'BadOption', detail: '--search random needs --samples N' });
  return { mode, samples, seed: seed ?? config.sim.seed };
};

/** The flags that only some modes take, and the modes that take them. */
const MODE_FLAGS: ReadonlyArray<readonly [keyof BacktestOptions, string, ReadonlyArray<keyof BacktestOptions>]> = [
  ['search', '--search', ['sweep']], ['samples', '--samples', ['sweep']], ['rankBy', '--rank-by', ['sweep']],
  ['seed', '--seed', ['sweep', 'monteCarlo']], ['workers', '--workers', ['sweep', 'walkForward', 'shock']],
];

const MODE_NAMES: Readonly<Partial<Record<keyof BacktestOptions, string>>> = { sweep: '--sweep', walkForward: '--walk-forward', monteCarlo: '--monte-carlo', shock: '--shock' };

/** Refuses a flag given without a mode that takes it, and a sweep combined with the validation modes. */
const checkModeFlags = (values: BacktestOptions): void => {
  if (values.sweep !== undefined && (values.monteCarlo !== undefined || values.shock !== undefined)) {
    throw new SweepError({ reason: 'BadOption', detail: '--monte-carlo and --shock run on one parameter set: run the sweep first, then validate the chosen set with --param (--walk-forward does take --sweep)' });
  }
  if (values.sweep !== undefined && values.walkForward === undefined && values.regimes === true) {
    throw new SweepError({ reason: 'BadOption', detail: '--regimes slices the trades of one run: run the sweep first, then slice the chosen set with --param' });
  }
  for (const [key, flag, modes] of MODE_FLAGS) {
    if (values[key] !== undefined && !modes.some((m) => values[m] !== undefined)) {
      throw new SweepError({ reason: 'BadOption', detail: `${flag} goes with ${modes.map((m) => MODE_NAMES[m]).join(' or ')}` });
    }
  }
};

/** The validation a single run asks for, parsed and planned before it runs so a bad request is refused at once. */
interface ValidationAsked {
  readonly walkForward: WalkForwardPlan | undefined;
  readonly monteCarlo: { readonly simulations: number; readonly seed: number } | undefined;
  readonly shocks: ShockPlan | undefined;
  readonly regimes: RegimeSettings | undefined;
}

/** The regime slicing asked for (`--regimes` or `backtest.regimes.enabled`); a reference symbol without data is refused. */
const regimesAsked = (values: BacktestOptions, prepared: AppConfig): RegimeSettings | undefined => {
  const r = prepared.backtest.regimes;
  if (values.regimes !== true && !r.enabled) return undefined;
  if (r.referenceSymbol !== null && !prepared.backtest.data.some((d) => d.symbol === r.referenceSymbol)) {
    throw new ValidationError({ reason: 'BadOption', detail: `backtest.regimes.referenceSymbol ${r.referenceSymbol} has no backtest.data file (the regimes are classified on its bars)` });
  }
  return {
    referenceSymbol: r.referenceSymbol,
    params: { smaBars: r.smaBars, slopeBars: r.slopeBars, trendFraction: r.trendFraction, crashBars: r.crashBars, crashDrawdownFraction: r.crashDrawdownFraction },
  };
};

const validationAsked = (values: BacktestOptions, prepared: AppConfig, user: ReadonlyArray<StrategyEntry>): ValidationAsked => {
  const simulations = wholeFlag('monte-carlo', values.monteCarlo, 1);
  if (simulations !== undefined && simulations > MAX_SIMULATIONS) throw new SweepError({ reason: 'BadOption', detail: `--monte-carlo ${String(simulations)}: at most ${String(MAX_SIMULATIONS)}` });
  return {
    walkForward: values.walkForward === undefined ? undefined : planWalkForward(prepared, parseWalkForwardSpec(values.walkForward), values.sweep === undefined ? undefined : {
      sweep: planSweep(values.sweep, searchOf(values, prepared), prepared, values, user), rankBy: parseRankBy(values.rankBy),
    }),
    monteCarlo: simulations === undefined ? undefined : { simulations, seed: wholeFlag('seed', values.seed, 0) ?? prepared.sim.seed },
    shocks: values.shock === undefined ? undefined : planShockRuns(prepared, values, user, parseShockSpec(values.shock)),
    regimes: regimesAsked(values, prepared),
  };
};

/** Runs the asked validation over the finished run; undefined when none was asked. */
const runValidation = async (io: CliIo, asked: ValidationAsked, values: BacktestOptions, file: string, result: BacktestResult, out: string): Promise<ValidationReport | undefined> => {
  if (asked.walkForward === undefined && asked.monteCarlo === undefined && asked.shocks === undefined && asked.regimes === undefined) return undefined;
  const report = result.report;
  const workers = wholeFlag('workers', values.workers, 1) ?? defaultWorkers();
  const common = { configFile: file, flags: values, workers, out, version: buildInfo.version, commit: buildInfo.commit };
  const walkForward = asked.walkForward === undefined ? undefined : await runWalkForward({
    ...common, plan: asked.walkForward, onFold: (fold, problem) => io.err(`walk-forward fold ${String(fold)}: ${problem ?? 'done'}`),
  });
  const monteCarloReport = asked.monteCarlo === undefined ? undefined : monteCarlo(report.trades, report.metrics.startingEquity, asked.monteCarlo.simulations, asked.monteCarlo.seed);
  const shocks = asked.shocks === undefined ? undefined : await runShocks({
    ...common, plan: asked.shocks, base: report.metrics, onRun: (label, problem) => io.err(`shock ${label}: ${problem ?? 'done'}`),
  });
  const regimes = asked.regimes === undefined ? undefined : regimeReport({
    trades: report.trades, bars: result.replayed, settings: asked.regimes, startingEquity: report.metrics.startingEquity, curveTimes: report.equity.map((p) => p.ts),
  });
  return {
    ...(walkForward === undefined ? {} : { walkForward }), ...(monteCarloReport === undefined ? {} : { monteCarlo: monteCarloReport }), ...(shocks === undefined ? {} : { shocks }),
    ...(regimes === undefined ? {} : { regimes }),
  };
};

/** Runs `backtest --sweep …`: the table on stdout, sweep.json/sweep.csv (and each run's reports) under `out`. */
const sweepCommand = async (io: CliIo, values: BacktestOptions, file: string, loaded: AppConfig, out: string): Promise<number> => {
  const search = searchOf(values, loaded);
  const rankBy = parseRankBy(values.rankBy);
  const workers = wholeFlag('workers', values.workers, 1) ?? defaultWorkers();
  const result = await runSweep({
    configFile: file, loaded, flags: values, specs: values.sweep ?? [], search, rankBy, workers, out, version: buildInfo.version, commit: buildInfo.commit, note: io.err,
    onRun: (done, total, row, wallMs) => io.err(`sweep ${done}/${total} run ${row.run} ${Object.entries(row.params).map(([k, v]) => `${k}=${v}`).join(' ')}: ${row.status === 'ok' ? `${rankBy.metric} ${String(row.metrics[rankBy.metric])}` : row.problem}${wallMs === undefined ? '' : ` (${wallMs} ms)`}`),
  });
  const t = result.table;
  io.out(`sweep ${file}: ${t.strategy}, ${t.rows.length} parameter sets (${t.search.mode === 'grid' ? 'grid' : `random, ${t.search.samples} samples, seed ${t.search.seed}`}), ranked by ${rankBy.metric} ${rankBy.direction === 'asc' ? 'ascending' : 'descending'}`);
  for (const line of sweepText(t)) io.out(`  ${line}`);
  io.out(`table: ${result.files.csv}, ${result.files.json}; each run's report under ${join(out, 'runs')}/<run>/`);
  io.err(`sweep wall ${result.timing.wallMs} ms on ${result.timing.workers} worker${result.timing.workers === 1 ? '' : 's'}: ${result.timing.runsPerSecond} runs/s, ${result.timing.barsPerSecond} bars/s (timing: ${result.files.timing})`);
  return t.rows.some((r) => r.status === 'failed') ? ExitCode.runtimeFailure : ExitCode.ok;
};


/** Runs the backtest command. */
export const backtestCommand = async (io: CliIo, values: BacktestOptions, global: GlobalOptions): Promise<number> => {
  const file = global.config;
  if (file === undefined) {
    io.err('backtest needs --config <file> (for example config/backtests/sma-cross-spy.yaml)');
    return ExitCode.usage;
  }
  const loaded = loadConfigFile(file);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const out = values.out ?? join(global.dataDir, 'backtest');
  let bar: SingleBar | undefined;
  try {
    checkModeFlags(values);
    if (values.sweep !== undefined && values.walkForward === undefined) return await sweepCommand(io, values, file, loaded.right.config, out);
    const prepared = await prepareBacktest(loaded.right.config, values, io.err);
    const config = prepared.config;
    const asked = validationAsked(values, config, prepared.user);
    // X-BT-8: a progress bar on a terminal only; redirected output stays clean.
    if (process.stderr.isTTY) bar = new SingleBar({ format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | {rate} bars/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, fps: 5 });
    let started = false;
    const wallStart = Date.now();
    const result = await runBacktest({
      config, configHash: loaded.right.hash, out, version: buildInfo.version, commit: buildInfo.commit, progress: io.out, stderr: (line) => io.err(line.trimEnd()), userStrategies: prepared.user,
      onProgress: bar === undefined ? undefined : (done, total) => {
        if (!started) {
          bar!.start(total, 0, { rate: 0 });
          started = true;
        }
        const value = Math.round(done * total);
        bar!.update(value, { rate: Math.round((value * 1000) / Math.max(1, Date.now() - wallStart)) });
      },
    });
    bar?.stop();
    bar = undefined;
    const m = result.report.metrics;
    const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
    const rows: Array<[string, string]> = [
      ['total PnL', `${m.totalPnl} ${String(result.report.run['settleAsset'])}`], ['total return', pct(m.totalReturn)], ['CAGR', pct(m.cagr)],
      ['Sharpe', m.sharpe.toFixed(3)], ['Sortino', m.sortino.toFixed(3)], ['max drawdown', pct(m.maxDrawdown)], ['trades', String(m.trades)],
      ['win rate', pct(m.winRate)], ['profit factor', m.profitFactor === null ? 'n/a' : m.profitFactor.toFixed(3)], ['fees', m.fees], ['exposure time', pct(m.exposureTime)],
    ];
    io.out(`backtest ${file}: ${result.bars} bars`);
    for (const [k, v] of rows) io.out(`  ${k.padEnd(14)} ${v}`);
    const validation = await runValidation(io, asked, values, file, result, out);
    if (validation !== undefined) {
      // S1-10: the distributions join the run's report (report.json and report.html are written again with them).
      writeRunReport(out, { ...result.report, validation });
      for (const line of validationText(validation)) io.out(line);
    }
    io.out(`report: ${result.files.report}, ${result.files.html}, ${result.files.trades}, ${result.files.equity}`);
    io.err(`wall ${result.wallMs} ms, ${result.wallMs > 0 ? Math.round((result.bars * 1000) / result.wallMs) : 0} bars/s (timing: ${result.files.timing})`);
    return ExitCode.ok;
  } catch (e) {
    bar?.stop();
    if (isUsageProblem(e)) {
      io.err(`backtest: ${e.message}`);
      return ExitCode.usage;
    }
    if (e instanceof ValidationRunError) {
      io.err(`backtest: ${e.message}`);
      return ExitCode.runtimeFailure;
    }
    throw e;
  }
};
