/**
 * The market-regime classifier (S3-4): reads a reference symbol's closed bars and names the regime whose multiplier
 * the RiskEngine applies (`risk.regimes`) — crash on a sharp drop from the recent high, else bull or bear on a clear
 * SMA slope with the close on the same side of the SMA, else chop. Pure; floats only (a regime is never an amount).
 */
import type { Regime } from '../config/risk.ts';
import type { BarView } from './MarketState.ts';

/** The classifier's parameters, in bars of the series it is given (1-minute bars in the runtime). */
export interface RegimeParams {
  /** Length of the simple moving average of closes. */
  readonly smaBars: number;
  /** The slope compares the SMA now with the SMA this many bars earlier. */
  readonly slopeBars: number;
  /** A slope of at least this fraction (up or down) over `slopeBars` is a trend. */
  readonly trendFraction: number;
  /** The crash test looks at the highest high of the last this-many bars (the newest included). */
  readonly crashBars: number;
  /** A close at least this fraction below that high is a crash. */
  readonly crashDrawdownFraction: number;
}

/** Defaults for 1-minute bars: SMA(200) against its value an hour earlier, a 0.2 % trend, a 5 % drop within an hour is a crash. */
export const DEFAULT_REGIME_PARAMS: RegimeParams = { smaBars: 200, slopeBars: 60, trendFraction: 0.002, crashBars: 60, crashDrawdownFraction: 0.05 };

/** What the classifier read from the bars; `unclassified` says why it could not name a regime. */
export type RegimeReading =
  | {
      readonly kind: 'classified';
      readonly regime: Regime;
      /** (SMA now − SMA `slopeBars` earlier) ÷ SMA `slopeBars` earlier. */
      readonly slopeFraction: number;
      /** (highest high of the last `crashBars` bars − last close) ÷ that high. */
      readonly drawdownFraction: number;
      readonly sma: number;
      readonly close: number;
    }
  | { readonly kind: 'unclassified'; readonly reason: 'invalid_params' | 'insufficient_bars' | 'invalid_bars'; readonly message: string };

const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 1;
const isFraction = (n: number): boolean => Number.isFinite(n) && n > 0 && n < 1;

/** Returns the problems with a set of classifier parameters (empty when fine). */
export const regimeParamsProblems = (p: RegimeParams): ReadonlyArray<string> => [
  ...(['smaBars', 'slopeBars', 'crashBars'] as const).filter((k) => !isCount(p[k])).map((k) => `${k} must be a whole number ≥ 1, got ${String(p[k])}`),
  ...(['trendFraction', 'crashDrawdownFraction'] as const).filter((k) => !isFraction(p[k])).map((k) => `${k} must be a fraction in (0, 1), got ${String(p[k])}`),
];

/** Returns how many closed bars the classifier needs with these parameters. */
export const regimeBarsNeeded = (p: RegimeParams): number => Math.max(p.smaBars + p.slopeBars, p.crashBars);

const meanOf = (xs: ReadonlyArray<number>, end: number, length: number): number => {
  let sum = 0;
  for (let i = end - length; i < end; i++) sum += xs[i]!;
  return sum / length;
};

/**
 * Returns the regime of the newest bar of `bars` (oldest first). In order: **crash** when the last close is at least
 * `crashDrawdownFraction` below the highest high of the last `crashBars` bars; **bull** when the SMA rose by at least
 * `trendFraction` over `slopeBars` and the close is above it; **bear** when it fell by at least that much and the
 * close is below it; otherwise **chop**.
 */
export const classifyRegime = (bars: ReadonlyArray<BarView>, params: RegimeParams = DEFAULT_REGIME_PARAMS): RegimeReading => {
  const problems = regimeParamsProblems(params);
  if (problems.length > 0) return { kind: 'unclassified', reason: 'invalid_params', message: problems.join('; ') };
  const needed = regimeBarsNeeded(params);
  if (bars.length < needed) return { kind: 'unclassified', reason: 'insufficient_bars', message: `needs ${String(needed)} closed bars, has ${String(bars.length)}` };
  const window = bars.slice(bars.length - needed);
  const closes = window.map((b) => b.close.toNumber());
  const highs = window.slice(window.length - params.crashBars).map((b) => b.high.toNumber());
  const n = closes.length;
  const close = closes[n - 1]!;
  const sma = meanOf(closes, n, params.smaBars);
  const smaBefore = meanOf(closes, n - params.slopeBars, params.smaBars);
  const high = Math.max(...highs);
  if (!(smaBefore > 0 && high > 0 && closes.every((c) => Number.isFinite(c) && c > 0))) {
    return { kind: 'unclassified', reason: 'invalid_bars', message: 'every close and high must be a positive price' };
  }
  const slopeFraction = (sma - smaBefore) / smaBefore;
  const drawdownFraction = (high - close) / high;
  const regime: Regime =
    drawdownFraction >= params.crashDrawdownFraction ? 'crash'
    : slopeFraction >= params.trendFraction && close > sma ? 'bull'
    : slopeFraction <= -params.trendFraction && close < sma ? 'bear'
    : 'chop';
  return { kind: 'classified', regime, slopeFraction, drawdownFraction, sma, close };
};
