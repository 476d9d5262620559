/**
 * The shapes of a backtest's results: the trade list, the equity curve, the fills and the price series a run
 * produces, and the report built from them (metrics, tables, chart series). Money values are decimal strings, times
 * epoch ms; nothing here reads a clock or carries wall time, so a report is the same bytes for the same run. Pure types.
 */
import type { ValidationReport } from '../validation/types.ts';

/** One closed (or, at the end of the run, still open) trade cycle. */
export interface BacktestTrade {
  readonly symbol: string;
  readonly strategyId: string;
  /** The entry's side: buy = long, sell = short. */
  readonly side: 'buy' | 'sell';
  /** The cycle's entry quantity (decimal string). */
  readonly quantity: string;
  /** Epoch ms of the first entry fill. */
  readonly entryTs: number;
  /** Epoch ms of the closing fill; null while open at the end of the run. */
  readonly exitTs: number | null;
  readonly entryPrice: string;
  readonly exitPrice: string | null;
  /** Realized PnL net of every fee of the cycle (decimal string; marked to the last close when still open). */
  readonly pnl: string;
  readonly fees: string;
  /** takeProfit | stopLoss | exit | liquidation | external | open. */
  readonly reason: string;
}

/** One point of the equity curve: account equity marked to the bar closes, and the notional held per symbol. */
export interface EquityPoint {
  readonly ts: number;
  /** Cash plus positions marked to the last close (decimal string). */
  readonly equity: string;
  /** Absolute notional held per symbol at this point (decimal strings); symbols with no position are left out. */
  readonly exposure: Readonly<Record<string, string>>;
}

/** One fill of the run (ours or a venue-side TP/SL). */
export interface BacktestFill {
  readonly ts: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: string;
  readonly quantity: string;
  readonly fee: string;
}

/** The closes of one symbol, for the price chart with trade markers. */
export interface PriceSeries {
  readonly symbol: string;
  readonly ts: ReadonlyArray<number>;
  /** Closes as numbers (chart data only; never money). */
  readonly close: ReadonlyArray<number>;
}

/** The figures of a run (or of one symbol or strategy within it). Ratios are plain numbers; money is decimal strings. */
export interface Metrics {
  readonly startingEquity: string;
  readonly endingEquity: string;
  /** endingEquity − startingEquity, net of fees. */
  readonly totalPnl: string;
  /** Fraction: 0.25 = +25 %. */
  readonly totalReturn: number;
  /** Compound annual growth rate over the calendar span of the curve (365.25-day years). */
  readonly cagr: number;
  /** Mean/stdev of per-day returns × √periodsPerYear (see `annualisation`). */
  readonly sharpe: number;
  /** Mean per-day return / downside deviation × √periodsPerYear. */
  readonly sortino: number;
  /** cagr / |maxDrawdown| (0 when there is no drawdown). */
  readonly calmar: number;
  /** Largest peak-to-trough fall of equity as a fraction (0.2 = −20 %), ≥ 0. */
  readonly maxDrawdown: number;
  /** Longest time below a previous peak, ms. */
  readonly maxDrawdownDurationMs: number;
  readonly trades: number;
  /** Winning closed trades / closed trades (0 without trades). */
  readonly winRate: number;
  /** Gross profit / gross loss of closed trades (null when there is no loss). */
  readonly profitFactor: number | null;
  /** Mean PnL per closed trade (decimal string). */
  readonly expectancy: string;
  readonly averageTradeDurationMs: number;
  readonly medianTradeDurationMs: number;
  /** Fraction of the curve's time with any position open. */
  readonly exposureTime: number;
  readonly fees: string;
  /** Sum of |price × quantity| over all fills (decimal string). */
  readonly turnover: string;
  /** How Sharpe and Sortino were annualised, e.g. "daily returns × √252". */
  readonly annualisation: string;
}

/** Returns by calendar month (UTC): { "2010": { "01": 0.012, … } }. */
export type MonthlyReturns = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** Everything `report.json` holds; the HTML report renders exactly this. */
export interface BacktestReport {
  readonly kind: 'tradewarden.backtest';
  readonly version: 1;
  /** The run's identity: config hash, seed, strategies with their parameters, data files and their sha256, fill model. */
  readonly run: Readonly<Record<string, unknown>>;
  readonly metrics: Metrics;
  readonly bySymbol: Readonly<Record<string, Metrics>>;
  readonly byStrategy: Readonly<Record<string, Metrics>>;
  readonly monthlyReturns: MonthlyReturns;
  readonly trades: ReadonlyArray<BacktestTrade>;
  readonly equity: ReadonlyArray<EquityPoint>;
  readonly prices: ReadonlyArray<PriceSeries>;
  /** Group or theme → symbols (X-BT-3: exposure by theme over time is summed from `equity[].exposure`). */
  readonly themes: Readonly<Record<string, ReadonlyArray<string>>>;
  /** S1-10: walk-forward and Monte Carlo distributions, when `--walk-forward` / `--monte-carlo` asked for them. */
  readonly validation?: ValidationReport | undefined;
}
