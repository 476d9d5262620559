/**
 * `tradewarden indicators --data <csv> --indicator rsi:14 [--indicator bollinger:20,2 …] [--out <csv>]
 * [--time-zone <zone>]`: reads an OHLCV CSV with the backtester's reader (src/backtest/data/ohlcv.ts), runs the
 * incremental indicators of src/strategies/indicators/ over its bars and writes a CSV with a `timestamp` column (the
 * bar's open, ISO 8601 UTC) and one column per output, empty while an output warms up — to stdout, or to `--out`.
 * Exit 0 written, 2 a bad spec or unusable data file (typed, readable, no stack trace), 1 a failed write.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { loadOhlcvCsv, OhlcvError } from '../../backtest/data/ohlcv.ts';
import { columnSetsOf, IndicatorError, INDICATOR_USAGE, priceBarOf } from '../../strategies/indicators/index.ts';
import { ExitCode, type CliIo } from '../io.ts';

/** The flags of `indicators`. */
export interface IndicatorsOptions {
  readonly data: string;
  readonly indicators: ReadonlyArray<string>;
  readonly out?: string | undefined;
  readonly timeZone?: string | undefined;
}

/** The indicator CSV of a data file: its header and one row per bar. */
export interface IndicatorTable {
  readonly columns: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<ReadonlyArray<string>>;
}

const cell = (value: number | undefined): string => (value === undefined || !Number.isFinite(value) ? '' : String(value));

/** Computes the table; throws `IndicatorError` on a bad spec and `OhlcvError` on a data file the reader refuses. */
export const indicatorTable = (opts: IndicatorsOptions): IndicatorTable => {
  const set = columnSetsOf(opts.indicators);
  const { bars } = loadOhlcvCsv(opts.data, opts.timeZone === undefined ? {} : { timeZone: opts.timeZone });
  const rows = bars.map((bar) => [new Date(bar.start).toISOString(), ...set.update(priceBarOf(bar)).map(cell)]);
  return { columns: ['timestamp', ...set.columns], rows };
};

/** Runs the indicators command. */
export const indicatorsCommand = (io: CliIo, opts: IndicatorsOptions): number => {
  let table: IndicatorTable;
  try {
    table = indicatorTable(opts);
  } catch (e) {
    if (e instanceof IndicatorError) {
      const list = e.reason === 'unknown_indicator' || e.reason === 'bad_spec' ? `\nspecs: ${INDICATOR_USAGE.join('\n       ')}` : '';
      io.err(`indicators: ${e.message}${list}`);
      return ExitCode.usage;
    }
    if (e instanceof OhlcvError) {
      io.err(`indicators: ${e.message}`);
      return ExitCode.usage;
    }
    throw e;
  }
  const csv = stringify(table.rows.map((r) => [...r]), { header: true, columns: [...table.columns], record_delimiter: '\n', eof: true });
  if (opts.out === undefined) {
    io.out(csv.slice(0, -1));
    return ExitCode.ok;
  }
  try {
    mkdirSync(dirname(opts.out), { recursive: true });
    writeFileSync(opts.out, csv);
  } catch (e) {
    io.err(`indicators: cannot write ${opts.out}: ${e instanceof Error ? e.message : String(e)}`);
    return ExitCode.runtimeFailure;
  }
  io.out(`indicators: ${String(table.rows.length)} bars, ${String(table.columns.length - 1)} columns (${table.columns.slice(1).join(', ')})`);
  io.out(`written: ${opts.out}`);
  return ExitCode.ok;
};
