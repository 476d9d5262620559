/**
 * The figures of a backtest report: return, risk and trade statistics of a run's equity curve, trades and fills, for
 * the whole run, one symbol or one strategy, and the table of monthly returns. Pure and deterministic: money is summed
 * in Decimal, ratios are rounded to 12 significant digits; it reads no clock, draws no random number, mutates no input.
 */
import { Decimal, ZERO, dec } from '../../domain/money.ts';
import type { BacktestFill, BacktestTrade, EquityPoint, Metrics, MonthlyReturns } from './types.ts';

const DAY_MS = 86_400_000;
/** A 365.25-day year in ms: CAGR and the inferred periods per year both count time in these years. */
const YEAR_MS = 31_557_600_000;
/** Bounds of an inferred periods-per-year: at least one period a year, at most one a calendar day. */
const MIN_PERIODS = 1;
const MAX_PERIODS = 366;
/** Significant digits kept of every float output, so ulp-level noise cannot change the bytes of report.json. */
const FLOAT_DIGITS = 12;
/** Significant digits of `expectancy`, the one money figure that needs a division that may not terminate. */
const EXPECTANCY_DIGITS = 20;
/**
 * A standard deviation at most this fraction of the mean's magnitude is rounding noise of the 40-digit arithmetic
 * (equal returns that do not terminate, such as 1/3, leave a stdev near 1e-40), so it counts as zero.
 */
const NOISE_FRACTION = new Decimal('1e-30');

/** The inputs of `computeMetrics`: the run's curve, trades and fills, and the equity before the first point. */
export interface MetricsInput {
  /** Equity points in time order (epoch ms, at bar closes). */
  readonly equity: ReadonlyArray<EquityPoint>;
  readonly trades: ReadonlyArray<BacktestTrade>;
  readonly fills: ReadonlyArray<BacktestFill>;
  /** Equity before the first point (decimal string). */
  readonly startingEquity: string;
  /** Annualisation factor of the daily returns; inferred from the curve when absent. */
  readonly periodsPerYear?: number;
}

/** The inputs of `subsetMetrics` and `metricsBy`: trades and fills, and the times of the whole run's equity points. */
export interface SubsetMetricsInput {
  readonly trades: ReadonlyArray<BacktestTrade>;
  readonly fills: ReadonlyArray<BacktestFill>;
  /** The run's starting equity (decimal string): a subset's returns are relative to the whole account. */
  readonly startingEquity: string;
  /** The ts of the whole run's equity points, in time order, so a subset's days line up with the run's. */
  readonly curveTimes: ReadonlyArray<number>;
  readonly periodsPerYear?: number;
}

interface CurvePoint {
  readonly ts: number;
  readonly equity: Decimal;
}

type ClosedTrade = BacktestTrade & { readonly exitTs: number };

const isClosed = (trade: BacktestTrade): trade is ClosedTrade => trade.exitTs !== null;

/** NaN becomes 0 and ±Infinity the largest finite double, so every output serialises as a JSON number. */
const finite = (x: number): number => (Number.isNaN(x) ? 0 : Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, x)));

/** A float output: finite, 12 significant digits, and never −0. */
const ratio = (x: Decimal | number): number => {
  const rounded = Number(finite(typeof x === 'number' ? x : x.toNumber()).toPrecision(FLOAT_DIGITS));
  return rounded === 0 ? 0 : rounded;
};

const money = (x: Decimal): string => x.toString();

/** Code-unit order: the same on every platform and locale, unlike localeCompare. */
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const checkPeriods = (periodsPerYear: number | undefined): void => {
  if (periodsPerYear !== undefined && !(Number.isFinite(periodsPerYear) && periodsPerYear > 0)) {
    throw new RangeError(`periodsPerYear must be a positive finite number, got ${String(periodsPerYear)}`);
  }
};

/** The last point of each UTC calendar day that has points, in time order. */
const dailyCloses = (curve: ReadonlyArray<CurvePoint>): ReadonlyArray<CurvePoint> => {
  const closes: CurvePoint[] = [];
  let lastDay: number | undefined;
  for (const point of curve) {
    const day = Math.floor(point.ts / DAY_MS);
    if (day === lastDay) closes[closes.length - 1] = point;
    else closes.push(point);
    lastDay = day;
  }
  return closes;
};

/** Simple return of `to` over `from`; a return off a non-positive base has no meaning and is taken as 0. */
const simpleReturn = (from: Decimal, to: Decimal): Decimal => (from.gt(0) ? to.div(from).minus(1) : ZERO);

interface Annualised {
  readonly sharpe: number;
  readonly sortino: number;
  readonly annualisation: string;
}

const PER_DAY = 'daily returns (UTC days with bars)';

/**
 * Sharpe and Sortino of the per-day returns (the first day's relative to the starting equity), all in Decimal.
 * Periods per year, when not given, are the days with points per 365.25-day year of the first-to-last-point span.
 */
const annualise = (curve: ReadonlyArray<CurvePoint>, starting: Decimal, periodsPerYear: number | undefined): Annualised => {
  const closes = dailyCloses(curve);
  if (closes.length < 2) {
    const factor = periodsPerYear === undefined ? '' : ` × √${String(periodsPerYear)}`;
    return { sharpe: 0, sortino: 0, annualisation: `${PER_DAY}${factor}; fewer than 2 days with bars, so Sharpe and Sortino are 0` };
  }
  let periods: number;
  let annualisation: string;
  if (periodsPerYear === undefined) {
    const first = curve[0]!.ts;
    const last = curve[curve.length - 1]!.ts;
    // Two distinct UTC days imply last > first, so the span is positive.
    const inferred = Math.round((closes.length * YEAR_MS) / (last - first));
    periods = Math.min(MAX_PERIODS, Math.max(MIN_PERIODS, inferred));
    annualisation = `${PER_DAY} × √${String(periods)} (periods per year inferred: ${String(closes.length)} days with bars per 365.25-day year of the curve's span, clamped to [1, 366])`;
  } else {
    periods = periodsPerYear;
    annualisation = `${PER_DAY} × √${String(periods)}`;
  }
  const returns: Decimal[] = [];
  let previous = starting;
  for (const close of closes) {
    returns.push(simpleReturn(previous, close.equity));
    previous = close.equity;
  }
  const n = returns.length;
  const mean = returns.reduce((acc, r) => acc.plus(r), ZERO).div(n);
  const variance = returns.reduce((acc, r) => acc.plus(r.minus(mean).pow(2)), ZERO).div(n - 1);
  const stdev = variance.sqrt();
  const downside = returns.reduce((acc, r) => (r.lt(0) ? acc.plus(r.pow(2)) : acc), ZERO).div(n).sqrt();
  const root = new Decimal(periods).sqrt();
  const noise = mean.abs().times(NOISE_FRACTION);
  const sharpe = stdev.isZero() || stdev.lte(noise) ? 0 : ratio(mean.div(stdev).times(root));
  const sortino = downside.isZero() || downside.lte(noise) ? 0 : ratio(mean.div(downside).times(root));
  return { sharpe, sortino, annualisation };
};

interface Drawdown {
  readonly maxDrawdown: Decimal;
  readonly durationMs: number;
}

/**
 * Largest fall from a running peak (the starting equity included) as a fraction, and the longest time from a peak
 * until equity is back at or above it, or until the last point when it never is. The starting equity has no time of
 * its own; it is placed at the first point's ts, so a first point below it starts the clock there.
 */
const drawdown = (curve: ReadonlyArray<CurvePoint>, starting: Decimal): Drawdown => {
  const first = curve[0];
  if (first === undefined) return { maxDrawdown: ZERO, durationMs: 0 };
  let peak = starting;
  let peakTs = first.ts;
  let underwater = false;
  let maxDrawdown = ZERO;
  let durationMs = 0;
  for (const point of curve) {
    if (point.equity.gte(peak)) {
      if (underwater) durationMs = Math.max(durationMs, point.ts - peakTs);
      underwater = false;
      peak = point.equity;
      peakTs = point.ts;
    } else {
      underwater = true;
      // A fraction of a non-positive peak has no meaning; such a curve reports the falls from positive peaks only.
      if (peak.gt(0)) {
        const fall = peak.minus(point.equity).div(peak);
        if (fall.gt(maxDrawdown)) maxDrawdown = fall;
      }
    }
  }
  if (underwater) durationMs = Math.max(durationMs, curve[curve.length - 1]!.ts - peakTs);
  return { maxDrawdown, durationMs };
};

/**
 * CAGR over the curve's span from its first to its last point in 365.25-day years (the same clock the periods per
 * year are inferred on). A span under one day reports the total return; a non-positive ending equity reports −1.
 */
const compoundAnnualGrowth = (curve: ReadonlyArray<CurvePoint>, starting: Decimal, ending: Decimal, totalReturn: Decimal): Decimal => {
  const first = curve[0];
  const last = curve[curve.length - 1];
  if (first === undefined || last === undefined || last.ts - first.ts < DAY_MS) return totalReturn;
  if (!starting.gt(0)) return ZERO;
  const growth = ending.div(starting);
  if (!growth.gt(0)) return new Decimal(-1);
  return growth.pow(new Decimal(YEAR_MS).div(last.ts - first.ts)).minus(1);
};

interface TradeStats {
  readonly trades: number;
  readonly winRate: number;
  readonly profitFactor: number | null;
  readonly expectancy: string;
  readonly averageTradeDurationMs: number;
  readonly medianTradeDurationMs: number;
}

/** Statistics of the closed trades; trades still open at the end of the run are left out. */
const tradeStats = (trades: ReadonlyArray<BacktestTrade>): TradeStats => {
  const closed = trades.filter(isClosed);
  if (closed.length === 0) {
    return { trades: 0, winRate: 0, profitFactor: null, expectancy: '0', averageTradeDurationMs: 0, medianTradeDurationMs: 0 };
  }
  let wins = 0;
  let losses = 0;
  let grossProfit = ZERO;
  let grossLoss = ZERO;
  let net = ZERO;
  for (const trade of closed) {
    const pnl = dec(trade.pnl);
    net = net.plus(pnl);
    if (pnl.gt(0)) {
      wins += 1;
      grossProfit = grossProfit.plus(pnl);
    } else if (pnl.lt(0)) {
      losses += 1;
      grossLoss = grossLoss.minus(pnl);
    }
  }
  const durations = closed.map((trade) => trade.exitTs - trade.entryTs).sort((a, b) => a - b);
  const middle = Math.floor(durations.length / 2);
  const median = durations.length % 2 === 1 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
  const total = durations.reduce((acc, d) => acc + d, 0);
  return {
    trades: closed.length,
    winRate: ratio(wins / closed.length),
    profitFactor: losses === 0 ? null : ratio(grossProfit.div(grossLoss)),
    // Exact when the mean has at most 20 significant digits (it does whenever the count divides the sum evenly
    // enough, e.g. 7/4 = 1.75); otherwise rounded half-even to 20 digits.
    expectancy: money(net.div(closed.length).toSignificantDigits(EXPECTANCY_DIGITS)),
    averageTradeDurationMs: ratio(total / closed.length),
    medianTradeDurationMs: ratio(median),
  };
};

/** Fees and turnover (Σ |price × quantity|) of the fills, exact in Decimal. */
const fillStats = (fills: ReadonlyArray<BacktestFill>): { readonly fees: string; readonly turnover: string } => {
  let fees = ZERO;
  let turnover = ZERO;
  for (const fill of fills) {
    fees = fees.plus(dec(fill.fee));
    turnover = turnover.plus(dec(fill.price).times(dec(fill.quantity)).abs());
  }
  return { fees: money(fees), turnover: money(turnover) };
};

/** Time-weighted fraction of the curve during which the earlier point of each interval holds any exposure. */
const pointExposureTime = (equity: ReadonlyArray<EquityPoint>): number => {
  const first = equity[0];
  const last = equity[equity.length - 1];
  if (equity.length < 2 || first === undefined || last === undefined || last.ts <= first.ts) return 0;
  let exposed = 0;
  for (let i = 0; i + 1 < equity.length; i += 1) {
    if (Object.keys(equity[i]!.exposure).length > 0) exposed += equity[i + 1]!.ts - equity[i]!.ts;
  }
  return ratio(exposed / (last.ts - first.ts));
};

/** Fraction of the curve's span covered by the union of the trades' [entryTs, exitTs) intervals (open: to the end). */
const intervalExposureTime = (trades: ReadonlyArray<BacktestTrade>, curveTimes: ReadonlyArray<number>): number => {
  const first = curveTimes[0];
  const last = curveTimes[curveTimes.length - 1];
  if (curveTimes.length < 2 || first === undefined || last === undefined || last <= first) return 0;
  const intervals = trades
    .map((trade): readonly [number, number] => [Math.max(trade.entryTs, first), Math.min(trade.exitTs ?? last, last)])
    .filter(([start, end]) => start < end)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  let reach = first;
  for (const [start, end] of intervals) {
    // Overlapping cycles (two strategies on one symbol) count their common time once.
    const from = Math.max(start, reach);
    if (end > from) covered += end - from;
    reach = Math.max(reach, end);
  }
  return ratio(covered / (last - first));
};

const buildMetrics = (
  curve: ReadonlyArray<CurvePoint>,
  starting: Decimal,
  trades: ReadonlyArray<BacktestTrade>,
  fills: ReadonlyArray<BacktestFill>,
  exposureTime: number,
  periodsPerYear: number | undefined,
): Metrics => {
  const ending = curve[curve.length - 1]?.equity ?? starting;
  const totalReturn = starting.gt(0) ? ending.div(starting).minus(1) : ZERO;
  const cagr = compoundAnnualGrowth(curve, starting, ending, totalReturn);
  const { maxDrawdown, durationMs } = drawdown(curve, starting);
  const { sharpe, sortino, annualisation } = annualise(curve, starting, periodsPerYear);
  const { fees, turnover } = fillStats(fills);
  return {
    startingEquity: money(starting),
    endingEquity: money(ending),
    totalPnl: money(ending.minus(starting)),
    totalReturn: ratio(totalReturn),
    cagr: ratio(cagr),
    sharpe,
    sortino,
    calmar: maxDrawdown.isZero() ? 0 : ratio(cagr.div(maxDrawdown)),
    maxDrawdown: ratio(maxDrawdown),
    maxDrawdownDurationMs: durationMs,
    ...tradeStats(trades),
    exposureTime,
    fees,
    turnover,
    annualisation,
  };
};

/**
 * Computes the metrics of a whole run from its equity curve, trades and fills; throws a RangeError when
 * `periodsPerYear` is given but is not a positive finite number.
 */
export const computeMetrics = (input: MetricsInput): Metrics => {
  checkPeriods(input.periodsPerYear);
  const starting = dec(input.startingEquity);
  const curve = input.equity.map((point): CurvePoint => ({ ts: point.ts, equity: dec(point.equity) }));
  return buildMetrics(curve, starting, input.trades, input.fills, pointExposureTime(input.equity), input.periodsPerYear);
};

/**
 * Computes the metrics of one symbol's or one strategy's trades and fills, on the curve of the starting equity plus
 * the cumulative PnL of its closed trades, a trade counting from the first curve time at or after its exitTs.
 */
export const subsetMetrics = (input: SubsetMetricsInput): Metrics => {
  checkPeriods(input.periodsPerYear);
  const starting = dec(input.startingEquity);
  // Array.prototype.sort is stable, so trades closing at one ts keep their order (the Decimal sum is exact anyway).
  const closed = input.trades.filter(isClosed).sort((a, b) => a.exitTs - b.exitTs);
  let next = 0;
  let realized = ZERO;
  const curve = input.curveTimes.map((ts): CurvePoint => {
    while (next < closed.length && closed[next]!.exitTs <= ts) {
      realized = realized.plus(dec(closed[next]!.pnl));
      next += 1;
    }
    return { ts, equity: starting.plus(realized) };
  });
  return buildMetrics(curve, starting, input.trades, input.fills, intervalExposureTime(input.trades, input.curveTimes), input.periodsPerYear);
};

/**
 * Assigns each fill to the strategy of the trade cycle that holds it (same symbol, entryTs ≤ ts ≤ exitTs, or open),
 * the latest-entered such cycle when several do; fills carry no strategy id of their own, and a fill no cycle holds
 * goes to no strategy.
 */
const fillsByStrategy = (trades: ReadonlyArray<BacktestTrade>, fills: ReadonlyArray<BacktestFill>): ReadonlyMap<string, BacktestFill[]> => {
  const cyclesBySymbol = new Map<string, BacktestTrade[]>();
  for (const trade of trades) {
    const cycles = cyclesBySymbol.get(trade.symbol) ?? [];
    cycles.push(trade);
    cyclesBySymbol.set(trade.symbol, cycles);
  }
  const out = new Map<string, BacktestFill[]>();
  for (const fill of fills) {
    let owner: BacktestTrade | undefined;
    for (const cycle of cyclesBySymbol.get(fill.symbol) ?? []) {
      const holds = cycle.entryTs <= fill.ts && (cycle.exitTs === null || fill.ts <= cycle.exitTs);
      if (holds && (owner === undefined || cycle.entryTs > owner.entryTs)) owner = cycle;
    }
    if (owner === undefined) continue;
    const list = out.get(owner.strategyId) ?? [];
    list.push(fill);
    out.set(owner.strategyId, list);
  }
  return out;
};

/**
 * Computes `subsetMetrics` per symbol or per strategy, keyed in code-unit order; symbols come from trades and fills,
 * strategies from trades, and a strategy's fills are those of its trade cycles.
 */
export const metricsBy = (key: 'symbol' | 'strategyId', input: SubsetMetricsInput): Record<string, Metrics> => {
  const groups = new Set<string>(input.trades.map((trade) => trade[key]));
  if (key === 'symbol') for (const fill of input.fills) groups.add(fill.symbol);
  const strategyFills = key === 'strategyId' ? fillsByStrategy(input.trades, input.fills) : undefined;
  const out: Record<string, Metrics> = {};
  for (const group of [...groups].sort(byCodeUnit)) {
    const trades = input.trades.filter((trade) => trade[key] === group);
    const fills = strategyFills === undefined ? input.fills.filter((fill) => fill.symbol === group) : (strategyFills.get(group) ?? []);
    out[group] = subsetMetrics({ ...input, trades, fills });
  }
  return out;
};

/**
 * Returns the return of each UTC calendar month with points: its last point's equity over the previous such month's
 * (or over the starting equity), minus one, keyed "YYYY" → "MM" in time order.
 */
export const monthlyReturns = (equity: ReadonlyArray<EquityPoint>, startingEquity: string): MonthlyReturns => {
  const monthEnds: { year: string; month: string; equity: Decimal }[] = [];
  for (const point of equity) {
    const date = new Date(point.ts);
    const year = String(date.getUTCFullYear()).padStart(4, '0');
    const month = String(date.getUTCMonth() + 1).padStart(2, '0');
    const last = monthEnds[monthEnds.length - 1];
    if (last !== undefined && last.year === year && last.month === month) last.equity = dec(point.equity);
    else monthEnds.push({ year, month, equity: dec(point.equity) });
  }
  const out: Record<string, Record<string, number>> = {};
  let previous = dec(startingEquity);
  for (const end of monthEnds) {
    const row = out[end.year] ?? {};
    row[end.month] = ratio(simpleReturn(previous, end.equity));
    out[end.year] = row;
    previous = end.equity;
  }
  return out;
};
