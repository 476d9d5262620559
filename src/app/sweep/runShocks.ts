/**
 * Runs the shocks of `backtest --shock params=10%,slippage=5,latency=250`: planned before the main run (the strategy's numeric
 * parameters, each shocked set checked against its schema: a refused one is listed as skipped), then each shocked run
 * as one full backtest on the sweep's worker pool (reports under `shocks/<n>/`), compared with the main run. A
 * composition module like src/app; a shocked run that fails is a ValidationRunError naming it.
 */
import { join } from 'node:path';
import type { AppConfig } from '../../config/schema.ts';
import type { StrategyEntry } from '../../strategies/registry.ts';
import type { Metrics } from '../../backtest/report/types.ts';
import type { BacktestJobFlags } from './backtestJob.ts';
import { runOnWorkers } from './pool.ts';
import { objectionTo, withParams } from './runSweep.ts';
import { sweepTargetOf } from '../../backtest/sweep/target.ts';
import type { SweepTask } from './worker.ts';
import { ValidationRunError } from '../../backtest/validation/errors.ts';
import { planShocks, shockReport, type PlannedShock, type ShockReport, type ShockSpec } from '../../backtest/validation/shocks.ts';

/** The shocks of a run, planned and checked: each with the strategy's objection, if it has one. */
export interface ShockPlan {
  readonly spec: ShockSpec;
  readonly shocks: ReadonlyArray<{ readonly shock: PlannedShock; readonly problem: string | undefined }>;
}

/** Plans the shocks over the prepared config's strategy (the `--strategy` one, else the first enabled one). */
export const planShockRuns = (config: AppConfig, flags: BacktestJobFlags, user: ReadonlyArray<StrategyEntry>, spec: ShockSpec): ShockPlan => {
  const target = sweepTargetOf(config, flags.strategy, user);
  const shocks = planShocks(spec, target.values, config.backtest.slippageBps, config.backtest.latencyMs).map((shock) => ({
    shock, problem: shock.kind === 'parameter' ? objectionTo(config, flags, user, shock.params) : undefined,
  }));
  return { spec, shocks };
};

/** What running the shocks needs from the command. */
export interface ShockRequest {
  readonly configFile: string;
  readonly plan: ShockPlan;
  readonly flags: BacktestJobFlags;
  /** The unshocked run's metrics. */
  readonly base: Metrics;
  readonly workers: number;
  readonly out: string;
  readonly version: string;
  readonly commit: string | null;
  readonly onRun?: ((label: string, problem: string | undefined) => void) | undefined;
}

const flagsOf = (flags: BacktestJobFlags, shock: PlannedShock): BacktestJobFlags =>
  shock.kind === 'parameter' ? withParams(flags, shock.params)
  : shock.kind === 'slippage' ? { ...flags, slippageBps: shock.slippageBps }
  : { ...flags, latencyMs: shock.latencyMs };

/** Runs every shock the strategy accepts and returns the shock section of the report. */
export const runShocks = async (req: ShockRequest): Promise<ShockReport> => {
  const runnable = req.plan.shocks.filter((s) => s.problem === undefined);
  const tasks: SweepTask[] = runnable.map((s, i) => ({
    configFile: req.configFile, flags: flagsOf(req.flags, s.shock), out: join(req.out, 'shocks', String(i + 1).padStart(2, '0')),
    version: req.version, commit: req.commit, keepJournal: false,
  }));
  const outcomes = await runOnWorkers(tasks, req.workers, (i, o) => req.onRun?.(runnable[i]!.shock.label, o.ok ? undefined : o.problem));
  const failed = outcomes.findIndex((o) => !o.ok);
  if (failed >= 0) {
    const o = outcomes[failed]!;
    throw new ValidationRunError(`shock ${runnable[failed]!.shock.label} failed: ${o.ok ? '' : o.problem}`);
  }
  const metricsOf = new Map(runnable.flatMap((s, i) => {
    const o = outcomes[i]!;
    return o.ok ? [[s, o.result.metrics] as const] : [];
  }));
  return shockReport(req.plan.spec, req.base, req.plan.shocks.map((s) => ({ shock: s.shock, outcome: s.problem ?? metricsOf.get(s)! })));
};
