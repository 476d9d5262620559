/**
 * `tradewarden data fetch --venue <account> --symbol S --timeframe 1m --from DATE --to DATE --out <file> [--config
 * <file>]`: downloads a symbol's OHLCV history through the account's venue adapter (its kline endpoint) and writes a
 * CSV that `tradewarden backtest --data` reads, then prints how many bars it wrote and every gap. Exit 0 written, 2 a
 * usage or config error (unknown flag or account, unsupported timeframe, from ≥ to, a symbol the venue refuses, no
 * bars), 3 a safety refusal of the config, 4 the venue unreachable or failing, 1 the file could not be written.
 */
import { Either } from 'effect';
import { DateTime } from 'luxon';
import { DataFetchError, fetchHistory, type DataFetchResult } from '../../app/dataFetch.ts';
import { loadConfigFile } from '../../config/load.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** The flags of `data fetch` besides `--config` (its table, with all six required, is in src/cli/main.ts). */
export interface DataFetchOptions {
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly from: string;
  readonly to: string;
  readonly out: string;
}

const DEFAULT_CONFIG = 'config/default.yaml';
/** 4, as for a start-up recovery that could not read the venue: the venue's data could not be had. */
const VENUE_UNAVAILABLE = ExitCode.differences;
const MAX_LISTED_GAPS = 20;

const iso = (ms: number): string => DateTime.fromMillis(ms, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? String(ms);

const exitCodeOf = (e: DataFetchError): number => (e.problem === 'venue_unavailable' ? VENUE_UNAVAILABLE : e.problem === 'write_failed' ? ExitCode.runtimeFailure : ExitCode.usage);

const report = (io: CliIo, r: DataFetchResult): void => {
  io.out(`data fetch: ${r.bars} ${r.timeframe} bars of ${r.symbol} from ${r.venue}, ${iso(r.first)} to ${iso(r.last)}`);
  io.out(`written: ${r.file}`);
  if (r.unfinished > 0) io.out(`left out: ${r.unfinished} bar(s) the venue had not finished yet`);
  if (r.gaps.length === 0) {
    io.out(`gaps: none between ${iso(r.fromMs)} and ${iso(r.toMs)}`);
    return;
  }
  const missing = r.gaps.reduce((n, g) => n + g.missingBars, 0);
  io.out(`gaps: ${r.gaps.length} (${missing} bars missing; left as they are):`);
  for (const g of r.gaps.slice(0, MAX_LISTED_GAPS)) io.out(`  ${iso(g.from)} to ${iso(g.to)}: ${g.missingBars} bar(s) missing`);
  if (r.gaps.length > MAX_LISTED_GAPS) io.out(`  … and ${r.gaps.length - MAX_LISTED_GAPS} more`);
};

/** Runs the data command. */
export const dataCommand = async (io: CliIo, values: DataFetchOptions, global: GlobalOptions): Promise<number> => {
  const { venue, symbol, timeframe, from, to, out } = values;
  const missing = Object.entries({ venue, symbol, timeframe, from, to, out }).filter(([, v]) => v.trim() === '').map(([k]) => `--${k}`);
  if (missing.length > 0) {
    io.err(`data fetch needs ${missing.join(', ')} (given empty)\nRun \`tradewarden data fetch --help\` for every flag.`);
    return ExitCode.usage;
  }
  const file = global.config ?? DEFAULT_CONFIG;
  const loaded = loadConfigFile(file);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  try {
    report(io, await fetchHistory({ config: loaded.right.config, account: venue, symbol, timeframe, from, to, out }));
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof DataFetchError) {
      io.err(`data fetch: ${e.message}`);
      return exitCodeOf(e);
    }
    throw e;
  }
};
