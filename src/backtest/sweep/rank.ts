/**
 * Ranking a sweep's runs by one of the report's metrics (`--rank-by sharpe`, `--rank-by maxDrawdown`,
 * `--rank-by total_pnl:asc`): the metric names of report/types.ts (camelCase or snake_case), each with its natural
 * direction (drawdowns and costs ascending, returns and ratios descending) unless `:asc`/`:desc` says otherwise.
 * Money compares exactly as Decimal; a missing value (profit factor without a loss) ranks last; ties keep run order,
 * so the ranking is a pure function of the metrics. Pure.
 */
import { Decimal } from '../../domain/money.ts';
import type { Metrics } from '../report/types.ts';
import { SweepError } from './space.ts';

/** The metrics a sweep can be ranked by: every figure of `Metrics` but the annualisation text. */
export type RankMetric = Exclude<keyof Metrics, 'annualisation'>;

/** Which way is better. */
export type RankDirection = 'asc' | 'desc';

/** A parsed `--rank-by`. */
export interface RankBy {
  readonly metric: RankMetric;
  readonly direction: RankDirection;
}

/** Every rankable metric with its natural direction (the one `--rank-by <metric>` uses). */
export const RANK_METRICS: { readonly [K in RankMetric]: RankDirection } = {
  totalPnl: 'desc', totalReturn: 'desc', cagr: 'desc', sharpe: 'desc', sortino: 'desc', calmar: 'desc',
  maxDrawdown: 'asc', maxDrawdownDurationMs: 'asc', trades: 'desc', winRate: 'desc', profitFactor: 'desc',
  expectancy: 'desc', averageTradeDurationMs: 'asc', medianTradeDurationMs: 'asc', exposureTime: 'desc', fees: 'asc',
  turnover: 'asc', startingEquity: 'desc', endingEquity: 'desc',
};

/** The default ranking: Sharpe, best first. */
export const DEFAULT_RANK: RankBy = { metric: 'sharpe', direction: 'desc' };

/** Other names a trader may type for a metric. */
const ALIASES: Readonly<Record<string, RankMetric>> = { netPnl: 'totalPnl', pnl: 'totalPnl', drawdown: 'maxDrawdown' };

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const isRankMetric = (name: string): name is RankMetric => Object.hasOwn(RANK_METRICS, name);

/** Parses `--rank-by <metric>[:asc|:desc]`; an unknown metric is a SweepError (BadOption) listing the known ones. */
export const parseRankBy = (text: string | undefined): RankBy => {
  if (text === undefined) return DEFAULT_RANK;
  const [rawName, rawDirection, ...extra] = text.trim().split(':');
  const name = camel(rawName ?? '');
  const metric = isRankMetric(name) ? name : ALIASES[name];
  if (metric === undefined || extra.length > 0 || (rawDirection !== undefined && rawDirection !== 'asc' && rawDirection !== 'desc')) {
    throw new SweepError({ reason: 'BadOption', detail: `--rank-by ${JSON.stringify(text)}: expected a metric of the report, optionally with :asc or :desc (${Object.keys(RANK_METRICS).join(', ')})` });
  }
  return { metric, direction: rawDirection ?? RANK_METRICS[metric] };
};

/** A metric's value as a Decimal for comparing (null when the run has none). */
export const rankValue = (metrics: Metrics, metric: RankMetric): Decimal | null => {
  const v = metrics[metric];
  return v === null ? null : new Decimal(v);
};

/** Returns the positions of `scores` in ranked order: in the direction asked, missing scores last, ties in their original order. */
export const rankScores = (scores: ReadonlyArray<Decimal | null>, direction: RankDirection): ReadonlyArray<number> => {
  const sign = direction === 'asc' ? 1 : -1;
  return scores
    .map((value, index) => ({ index, value }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) return a.value === b.value ? a.index - b.index : a.value === null ? 1 : -1;
      return a.value.comparedTo(b.value) * sign || a.index - b.index;
    })
    .map((k) => k.index);
};

/** Returns the positions of `items` in ranked order by the metric of `by` (see rankScores); an item without metrics ranks last. */
export const rankOrder = <T>(items: ReadonlyArray<T>, metricsOf: (item: T) => Metrics | undefined, by: RankBy): ReadonlyArray<number> =>
  rankScores(items.map((item) => {
    const m = metricsOf(item);
    return m === undefined ? null : rankValue(m, by.metric);
  }), by.direction);
