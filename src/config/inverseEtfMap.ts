/**
 * The S2 inverse-ETF map (S2-1): the unleveraged inverse ETF a bearish setup on a ticker buys instead of shorting it
 * (`SPY: SH`, `QQQ: PSQ`). A map whose target is a leveraged ETF (a denylist of the common 2× and 3× funds, long and
 * inverse) or the ticker itself is refused when the config is decoded. Pure.
 */
import { Schema } from 'effect';

/**
 * Leveraged ETFs no S2 strategy may trade (S2-1), inverse and long: ProShares, Direxion and similar 2× and 3× funds on
 * the S&P 500, Nasdaq-100, Dow, Russell 2000 and common sectors. A denylist, so a fund missing here is not proven
 * unleveraged: keep the map to funds you have checked (SH, PSQ, DOG, RWM are −1×).
 */
export const LEVERAGED_ETFS: ReadonlySet<string> = new Set([
  // S&P 500
  'SDS', 'SPXU', 'SPXS', 'SSO', 'UPRO', 'SPXL',
  // Nasdaq-100
  'QID', 'SQQQ', 'QLD', 'TQQQ',
  // Dow 30
  'DXD', 'SDOW', 'DDM', 'UDOW',
  // Russell 2000
  'TWM', 'TZA', 'SRTY', 'UWM', 'TNA', 'URTY',
  // Sectors and others
  'SOXS', 'SOXL', 'FAZ', 'FAS', 'LABD', 'LABU', 'TECS', 'TECL', 'YANG', 'YINN', 'ERY', 'ERX', 'DRV', 'DRN', 'TMV', 'TMF', 'UVXY', 'SVXY',
]);

/** A ticker of a US stock or ETF as proposals spell it. */
export const Ticker = Schema.String.pipe(Schema.pattern(/^[A-Z0-9][A-Z0-9._/-]{0,31}$/, { message: () => 'Expected a ticker like SPY or BRK.B' }));

/** Returns the problems of an inverse-ETF map: leveraged targets and tickers mapped to themselves. */
export const inverseEtfProblems = (map: Readonly<Record<string, string>>): string[] =>
  Object.entries(map).flatMap(([ticker, target]) => [
    ...(LEVERAGED_ETFS.has(target) ? [`${ticker}: ${target} is a leveraged ETF; S2 trades only unleveraged inverse ETFs (e.g. SH for SPY, PSQ for QQQ)`] : []),
    ...(target === ticker ? [`${ticker}: a ticker cannot be its own inverse ETF`] : []),
  ]);

/** The map ticker → unleveraged inverse ETF, at most 200 entries, every target checked against `LEVERAGED_ETFS`. */
export const InverseEtfMap = Schema.Record({ key: Ticker, value: Ticker }).pipe(
  Schema.filter((m) => Object.keys(m).length <= 200 || `at most 200 inverse ETFs, got ${String(Object.keys(m).length)}`),
  Schema.filter((m) => {
    const problems = inverseEtfProblems(m);
    return problems.length === 0 || problems.join('; ');
  }),
).annotations({ identifier: 'an inverse-ETF map {TICKER: INVERSE_ETF}' });
