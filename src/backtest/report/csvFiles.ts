/**
 * Writes a backtest's trade list and equity curve as CSV text (`trades.csv`, `equity.csv`): fixed columns, ISO-8601 UTC
 * times, '\n' line endings, the same bytes for the same input. Pure; performs no I/O and reads no clock.
 */
import { stringify } from 'csv-stringify/sync';
import type { BacktestTrade, EquityPoint } from './types.ts';

const TRADE_COLUMNS = ['symbol', 'strategy', 'side', 'quantity', 'entry_time', 'exit_time', 'entry_price', 'exit_price', 'pnl', 'fees', 'reason'];

const isoTime = (ts: number | null): string => (ts === null ? '' : new Date(ts).toISOString());

const toCsv = (columns: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  stringify(
    rows.map((row) => [...row]),
    { header: true, columns: [...columns], record_delimiter: '\n', eof: true },
  );

/** Returns the trade list as CSV, one row per trade in the given order, with an empty exit for a trade still open. */
export const tradesCsv = (trades: ReadonlyArray<BacktestTrade>): string =>
  toCsv(
    TRADE_COLUMNS,
    trades.map((t) => [
      t.symbol,
      t.strategyId,
      t.side,
      t.quantity,
      isoTime(t.entryTs),
      isoTime(t.exitTs),
      t.entryPrice,
      t.exitPrice ?? '',
      t.pnl,
      t.fees,
      t.reason,
    ]),
  );

/** Returns the equity curve as CSV with one `exposure_<SYMBOL>` column per given symbol, 0 where nothing is held. */
export const equityCsv = (equity: ReadonlyArray<EquityPoint>, symbols: ReadonlyArray<string>): string =>
  toCsv(
    ['time', 'equity', ...symbols.map((s) => `exposure_${s}`)],
    equity.map((p) => [isoTime(p.ts), p.equity, ...symbols.map((s) => p.exposure[s] ?? '0')]),
  );
