/**
 * The walk-forward plan and its summary (S1-10): `--walk-forward k=5,embargo=1d[,horizon=1d]` parsed, the replayed
 * bars turned into samples (a bar and its label horizon: the next bar, where a decision on its close fills, by
 * default), cut by purged k-fold with the embargo (purgedKFold.ts) into test folds with their purged train sets, each
 * test fold's date range for its own backtest, the choice of a fold's parameters on its train ranges (with `--sweep`:
 * the best bar-weighted mean of the ranking metric), and the distribution of the folds' key metrics. Pure: the runner
 * that backtests each fold is src/app/sweep/runWalkForward.ts.
 */
import { Decimal } from '../../domain/money.ts';
import type { Metrics } from '../report/types.ts';
import { rankScores, rankValue, type RankBy } from '../sweep/rank.ts';
import type { ParameterSet, SweepAxis } from '../sweep/space.ts';
import { ValidationError } from './errors.ts';
import { parseDuration, purgedKFold, type IndexRange, type LabelSpan } from './purgedKFold.ts';
import { moneyDistribution, ratioDistribution, type Distribution } from './stats.ts';

/** A parsed `--walk-forward`. */
export interface WalkForwardSpec {
  readonly k: number;
  readonly embargoMs: number;
  /** How far past its bar a sample's label looks; undefined = one bar interval. */
  readonly horizonMs: number | undefined;
}

/** A time range [from, to) in epoch ms with its bar count. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
  readonly bars: number;
}

/** One fold of the plan, in time. */
export interface WalkForwardFold {
  /** 1-based, as printed. */
  readonly fold: number;
  readonly test: TimeRange;
  /** The purged and embargoed train set, as contiguous time ranges. */
  readonly train: ReadonlyArray<TimeRange>;
  readonly purged: number;
  readonly embargoed: number;
}

/** The key metrics each fold reports, and their distribution over the folds. */
export const FOLD_METRICS = ['totalPnl', 'totalReturn', 'sharpe', 'maxDrawdown', 'trades', 'winRate', 'profitFactor'] as const;
export type FoldMetric = (typeof FOLD_METRICS)[number];

/** The key metrics of a run, as the validation sections list them. */
export type KeyMetrics = Pick<Metrics, FoldMetric>;

/** Returns the key metrics of a run. */
export const keyMetrics = (m: Metrics): KeyMetrics => ({
  totalPnl: m.totalPnl, totalReturn: m.totalReturn, sharpe: m.sharpe, maxDrawdown: m.maxDrawdown, trades: m.trades, winRate: m.winRate, profitFactor: m.profitFactor,
});

/** The parameter set a fold chose on its train ranges, and its train score. */
export interface FoldChoice {
  readonly params: ParameterSet;
  /** The bar-weighted mean of the ranking metric over the fold's train ranges (decimal text; null: no value). */
  readonly trainScore: string | null;
}

/** A fold's result: its plan and its test backtest's key metrics (with the parameters it chose, when optimising). */
export interface WalkForwardFoldResult extends WalkForwardFold {
  readonly chosen?: FoldChoice | undefined;
  readonly metrics: KeyMetrics;
}

/** How the folds chose their parameters (`--walk-forward` with `--sweep`). */
export interface WalkForwardOptimisation {
  readonly axes: ReadonlyArray<SweepAxis>;
  readonly rankBy: RankBy;
  /** The parameter sets each fold tried (the strategy refused the others). */
  readonly sets: number;
  readonly score: string;
}

/** One train run of an optimising walk-forward: how many bars it covered and its metrics. */
export interface TrainRun {
  readonly bars: number;
  readonly metrics: Metrics;
}

/** Returns the bar-weighted mean of the metric over a set's train runs (null when no run has a value). */
export const trainScore = (runs: ReadonlyArray<TrainRun>, by: RankBy): Decimal | null => {
  const valued = runs.flatMap((r) => {
    const v = rankValue(r.metrics, by.metric);
    return v === null ? [] : [{ bars: r.bars, v }];
  });
  const bars = valued.reduce((n, r) => n + r.bars, 0);
  if (valued.length === 0 || bars === 0) return null;
  return valued.reduce((sum, r) => sum.plus(r.v.times(r.bars)), new Decimal(0)).div(bars);
};

/** Returns the best of the sets by train score (ties: the earlier set) and its score. */
export const chooseOnTrain = (sets: ReadonlyArray<ParameterSet>, runs: ReadonlyArray<ReadonlyArray<TrainRun>>, by: RankBy): FoldChoice => {
  const scores = runs.map((r) => trainScore(r, by));
  const best = rankScores(scores, by.direction)[0]!;
  return { params: sets[best]!, trainScore: scores[best]?.toString() ?? null };
};

/** What the report's `validation.walkForward` holds. */
export interface WalkForwardReport {
  readonly method: 'purged k-fold with embargo';
  readonly k: number;
  readonly embargoMs: number;
  readonly horizonMs: number;
  readonly samples: number;
  readonly folds: ReadonlyArray<WalkForwardFoldResult>;
  /** Present when each fold chose its parameters on its train ranges. */
  readonly optimisation?: WalkForwardOptimisation | undefined;
  /** totalPnl as money text, the rest as numbers; profitFactor over the folds that have one. */
  readonly distribution: { readonly totalPnl: Distribution<string> } & { readonly [K in Exclude<FoldMetric, 'totalPnl'>]: Distribution<number> };
}

const bad = (spec: string, why: string): ValidationError =>
  new ValidationError({ reason: 'BadSpec', detail: `--walk-forward ${JSON.stringify(spec)}: ${why} (expected k=5,embargo=1d and optionally horizon=1d)` });

/** Parses `k=5,embargo=1d[,horizon=1d]`; throws ValidationError (BadSpec). */
export const parseWalkForwardSpec = (spec: string): WalkForwardSpec => {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const [key, value, ...extra] = part.split('=').map((x) => x.trim());
    if (key === undefined || value === undefined || value === '' || extra.length > 0) throw bad(spec, `${JSON.stringify(part)} is not key=value`);
    if (!['k', 'embargo', 'horizon'].includes(key)) throw bad(spec, `unknown key ${JSON.stringify(key)}`);
    if (fields.has(key)) throw bad(spec, `${key} is given twice`);
    fields.set(key, value);
  }
  const kText = fields.get('k');
  if (kText === undefined) throw bad(spec, 'k is missing');
  const k = /^\d+$/.test(kText) ? Number(kText) : Number.NaN;
  if (!Number.isSafeInteger(k) || k < 2 || k > 100) throw bad(spec, `k must be a whole number from 2 to 100, got ${JSON.stringify(kText)}`);
  const embargo = fields.get('embargo') ?? '0';
  const horizon = fields.get('horizon');
  return { k, embargoMs: parseDuration(embargo, 'embargo'), horizonMs: horizon === undefined ? undefined : parseDuration(horizon, 'horizon') };
};

/** Returns the samples of bars starting at `starts` (ascending): each bar and its label horizon, as [start, end]. */
export const barSamples = (starts: ReadonlyArray<number>, intervalMs: number, horizonMs: number): ReadonlyArray<LabelSpan> =>
  starts.map((start) => ({ start, end: start + intervalMs + horizonMs - 1 }));

/** Returns the time range of an index range of bars; the last bar's range ends one interval after its start. */
const timeRange = (starts: ReadonlyArray<number>, intervalMs: number, r: IndexRange): TimeRange => ({
  from: starts[r.from]!, to: r.to < starts.length ? starts[r.to]! : starts[starts.length - 1]! + intervalMs, bars: r.to - r.from,
});

/** Returns the folds of a walk-forward over bars starting at `starts` (ascending, distinct) of the given interval. */
export const walkForwardPlan = (starts: ReadonlyArray<number>, intervalMs: number, spec: WalkForwardSpec): ReadonlyArray<WalkForwardFold> => {
  const horizon = spec.horizonMs ?? intervalMs;
  const folds = purgedKFold(barSamples(starts, intervalMs, horizon), spec.k, spec.embargoMs);
  return folds.map((f) => ({
    fold: f.index + 1, test: timeRange(starts, intervalMs, f.test), train: f.train.map((r) => timeRange(starts, intervalMs, r)), purged: f.purged, embargoed: f.embargoed,
  }));
};

/** Returns the walk-forward section of the report: the folds with their test metrics and the metrics' distribution. */
export const walkForwardReport = (
  spec: WalkForwardSpec, intervalMs: number, samples: number, folds: ReadonlyArray<WalkForwardFold>, metrics: ReadonlyArray<Metrics>,
  optimised?: { readonly optimisation: WalkForwardOptimisation; readonly chosen: ReadonlyArray<FoldChoice> },
): WalkForwardReport => {
  const results = folds.map((f, i) => ({ ...f, ...(optimised === undefined ? {} : { chosen: optimised.chosen[i]! }), metrics: keyMetrics(metrics[i]!) }));
  const of = (k: Exclude<FoldMetric, 'totalPnl' | 'profitFactor'>): Distribution<number> => ratioDistribution(metrics.map((m) => m[k]));
  return {
    method: 'purged k-fold with embargo', k: spec.k, embargoMs: spec.embargoMs, horizonMs: spec.horizonMs ?? intervalMs, samples, folds: results,
    ...(optimised === undefined ? {} : { optimisation: optimised.optimisation }),
    distribution: {
      totalPnl: moneyDistribution(metrics.map((m) => m.totalPnl)), totalReturn: of('totalReturn'), sharpe: of('sharpe'), maxDrawdown: of('maxDrawdown'),
      trades: of('trades'), winRate: of('winRate'), profitFactor: ratioDistribution(metrics.flatMap((m) => (m.profitFactor === null ? [] : [m.profitFactor]))),
    },
  };
};
