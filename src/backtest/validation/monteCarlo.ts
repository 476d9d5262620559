/**
 * Monte Carlo trade reordering (S1-10): the closed trades' net PnL, in exit order, replayed N times as an equity path
 * from the starting equity — reordered (a seeded Fisher–Yates permutation: same trades, same final PnL, another path,
 * so another drawdown) and resampled (a seeded bootstrap with replacement: the final PnL varies too) — and the
 * distribution of the maximum drawdown and the final PnL over the draws. The path moves at trade exits only (no
 * marking inside a trade), so its drawdown is the closed-trade drawdown. Pure: money in Decimal, the seeded PCG
 * generator of effect, the same trades, N and seed give the same bytes.
 */
import { PCGRandom } from 'effect/Utils';
import { Decimal } from '../../domain/money.ts';
import type { BacktestTrade } from '../report/types.ts';
import { ValidationError } from './errors.ts';
import { moneyDistribution, ratioDistribution, ratioOf, type Distribution } from './stats.ts';

/** The most draws one run may ask for. */
export const MAX_SIMULATIONS = 100_000;

/** The drawdown and final PnL of one path. */
export interface PathFigures {
  /** Largest fall from a running peak, as a fraction of that peak (0.2 = −20 %). */
  readonly maxDrawdown: Decimal;
  /** The same fall in money. */
  readonly maxDrawdownMoney: Decimal;
  readonly finalPnl: Decimal;
}

/** What the report's `validation.monteCarlo` holds. */
export interface MonteCarloReport {
  readonly method: 'closed-trade PnL reordering (permutation) and resampling (bootstrap)';
  readonly simulations: number;
  readonly seed: number;
  /** Closed trades drawn from (open trades at the end are left out). */
  readonly trades: number;
  readonly startingEquity: string;
  /** The run's own order. */
  readonly actual: { readonly finalPnl: string; readonly maxDrawdown: number; readonly maxDrawdownMoney: string };
  readonly permutation: {
    readonly maxDrawdown: Distribution<number>;
    readonly maxDrawdownMoney: Distribution<string>;
    /** Share of reorderings whose drawdown is deeper than the actual one. */
    readonly worseThanActual: number;
  };
  readonly bootstrap: {
    readonly finalPnl: Distribution<string>;
    readonly maxDrawdown: Distribution<number>;
    readonly maxDrawdownMoney: Distribution<string>;
    /** Share of resamples that end below the starting equity. */
    readonly probabilityOfLoss: number;
  };
}

/** Returns the drawdown and final PnL of the equity path `starting + pnl₁ + … + pnlᵢ`. */
export const pathFigures = (starting: Decimal, pnls: ReadonlyArray<Decimal>): PathFigures => {
  let equity = starting;
  let peak = starting;
  let worst = new Decimal(0);
  let worstMoney = new Decimal(0);
  for (const p of pnls) {
    equity = equity.plus(p);
    if (equity.gt(peak)) peak = equity;
    const fall = peak.minus(equity);
    if (fall.gt(worstMoney)) worstMoney = fall;
    if (peak.gt(0)) {
      const fraction = fall.div(peak);
      if (fraction.gt(worst)) worst = fraction;
    }
  }
  return { maxDrawdown: worst, maxDrawdownMoney: worstMoney, finalPnl: equity.minus(starting) };
};

/** Returns a seeded Fisher–Yates permutation of `items`. */
export const permuted = <T>(items: ReadonlyArray<T>, random: PCGRandom): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.integer(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

/** Returns `items.length` draws from `items` with replacement. */
export const resampled = <T>(items: ReadonlyArray<T>, random: PCGRandom): T[] => items.map(() => items[random.integer(items.length)]!);

/** Returns the closed trades' PnL in exit order (ties by entry time, then list order). */
export const closedPnls = (trades: ReadonlyArray<BacktestTrade>): Decimal[] =>
  trades
    .map((t, i) => ({ t, i }))
    .filter((x) => x.t.exitTs !== null)
    .sort((a, b) => a.t.exitTs! - b.t.exitTs! || a.t.entryTs - b.t.entryTs || a.i - b.i)
    .map((x) => new Decimal(x.t.pnl));

const share = (count: number, total: number): number => (total === 0 ? 0 : ratioOf(new Decimal(count).div(total)));

/** Runs the Monte Carlo reordering and resampling of a run's closed trades; throws ValidationError on a bad N. */
export const monteCarlo = (trades: ReadonlyArray<BacktestTrade>, startingEquity: string, simulations: number, seed: number): MonteCarloReport => {
  if (!Number.isSafeInteger(simulations) || simulations < 1 || simulations > MAX_SIMULATIONS) {
    throw new ValidationError({ reason: 'BadOption', detail: `--monte-carlo ${String(simulations)}: a whole number from 1 to ${String(MAX_SIMULATIONS)}` });
  }
  const starting = new Decimal(startingEquity);
  const pnls = closedPnls(trades);
  const actual = pathFigures(starting, pnls);
  // One generator per method, so adding draws of one never shifts the other's.
  const forPermutations = new PCGRandom(seed);
  const forBootstrap = new PCGRandom(seed ^ 0x5bd1e995);
  const perms = Array.from({ length: simulations }, () => pathFigures(starting, permuted(pnls, forPermutations)));
  const boots = pnls.length === 0 ? [] : Array.from({ length: simulations }, () => pathFigures(starting, resampled(pnls, forBootstrap)));
  return {
    method: 'closed-trade PnL reordering (permutation) and resampling (bootstrap)', simulations, seed, trades: pnls.length, startingEquity: starting.toString(),
    actual: { finalPnl: actual.finalPnl.toString(), maxDrawdown: ratioOf(actual.maxDrawdown), maxDrawdownMoney: actual.maxDrawdownMoney.toString() },
    permutation: {
      maxDrawdown: ratioDistribution(perms.map((p) => p.maxDrawdown)), maxDrawdownMoney: moneyDistribution(perms.map((p) => p.maxDrawdownMoney)),
      worseThanActual: share(perms.filter((p) => p.maxDrawdown.gt(actual.maxDrawdown)).length, perms.length),
    },
    bootstrap: {
      finalPnl: moneyDistribution(boots.map((p) => p.finalPnl)), maxDrawdown: ratioDistribution(boots.map((p) => p.maxDrawdown)),
      maxDrawdownMoney: moneyDistribution(boots.map((p) => p.maxDrawdownMoney)), probabilityOfLoss: share(boots.filter((p) => p.finalPnl.lt(0)).length, boots.length),
    },
  };
};
