/**
 * Renders a run's trade history as CSV (csv-stringify) or JSON (X-RPT-2): the required fields first, in the order
 * X-RPT-2 lists them — timestamp, strategy_name, symbol, side, size, entry_price, exit_price, pnl, fees, venue, mode,
 * error_code — then the fields that make a row traceable (gross PnL, status, exit reason, open and close times, account,
 * trade id, run id). Amounts are exact decimal strings, times ISO 8601 UTC. Pure.
 */
import { stringify } from 'csv-stringify/sync';
import type { Decimal } from '../domain/money.ts';
import type { TradeHistory, TradeRecord } from './tradeHistory.ts';

/** The columns of the trade history, in file order; the first twelve are X-RPT-2's. */
export const TRADE_COLUMNS = [
  'timestamp', 'strategy_name', 'symbol', 'side', 'size', 'entry_price', 'exit_price', 'pnl', 'fees', 'venue', 'mode', 'error_code',
  'gross_pnl', 'status', 'exit_reason', 'opened_at', 'closed_at', 'account', 'trade_id', 'run_id',
] as const;

/** One row of the export: every column as text (empty for an absent value in CSV, null in JSON). */
export type TradeRow = { readonly [K in (typeof TRADE_COLUMNS)[number]]: string | null };

/** Returns the plain decimal text of an amount (no exponent, `-0` as `0`). */
export const plain = (d: Decimal): string => (d.isZero() ? '0' : d.toFixed());

/** Returns the ISO 8601 UTC text of an epoch-ms instant. */
export const isoOf = (ms: number): string => new Date(ms).toISOString();

const optional = <A>(a: A | undefined, f: (a: A) => string): string | null => (a === undefined ? null : f(a));

/** Returns the export row of one trade. */
export const tradeRow = (t: TradeRecord, runId: string): TradeRow => ({
  timestamp: isoOf(t.timestamp),
  strategy_name: t.strategyName,
  symbol: t.symbol,
  side: t.side,
  size: plain(t.size),
  entry_price: plain(t.entryPrice),
  exit_price: optional(t.exitPrice, plain),
  pnl: plain(t.pnl),
  fees: plain(t.fees),
  venue: t.venue,
  mode: t.mode,
  error_code: t.errorCode === '' ? null : t.errorCode,
  gross_pnl: plain(t.grossPnl),
  status: t.status,
  exit_reason: t.exitReason,
  opened_at: optional(t.openedAt, isoOf),
  closed_at: optional(t.closedAt, isoOf),
  account: t.account,
  trade_id: t.tradeId,
  run_id: runId,
});

/** Returns the trade history as CSV: a header line, then one line per trade (RFC 4180 quoting). */
export const tradesCsv = (history: TradeHistory): string =>
  stringify(history.trades.map((t) => tradeRow(t, history.source.runId)), {
    header: true,
    columns: [...TRADE_COLUMNS],
  });

/** Returns the trade history as one JSON document: the run, then the rows (absent values as null). */
export const tradesJson = (history: TradeHistory): string => {
  const { source } = history;
  const doc = {
    runId: source.runId,
    profile: source.summary.profile,
    mode: source.summary.mode,
    columns: TRADE_COLUMNS,
    trades: history.trades.map((t) => tradeRow(t, source.runId)),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
};
