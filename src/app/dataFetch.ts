/**
 * Composition root of `tradewarden data fetch`: resolves a venue account of the config (`venues.<name>`), builds its
 * adapter through the binding registry, reads the venue's clock (is it there?), downloads the symbol's bars through
 * the port's kline read, and writes them atomically (temp file, then rename) as a CSV that `tradewarden backtest
 * --data` and `tradewarden sim --data` both read: `time_utc,unix_ms,open,high,low,close,volume`, exact decimals. Bars
 * the venue has not finished yet are left out; gaps are reported, never filled. Public market data only: no
 * credentials are read. Dates are ISO 8601 in UTC (luxon); no clock is read here beyond the injected one.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Effect, Either, Redacted } from 'effect';
import { DateTime } from 'luxon';
import { parseTimeframe, timeframeMs, type Timeframe } from '../backtest/data/resample.ts';
import type { AppConfig } from '../config/schema.ts';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Kline, VenueError, WireVenue } from '../venues/Venue.ts';
import { accountNamed, type SessionAccount } from './accounts.ts';

/** The bar lengths `data fetch` writes: the backtester's timeframes (`backtest.data[].timeframe`). */
export const FETCH_TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d'] as const satisfies ReadonlyArray<Timeframe>;

/** What went wrong, and so the exit code: `venue_unavailable` is 4, `write_failed` 1, everything else a usage error (2). */
export type DataFetchProblem = 'unknown_account' | 'no_venue' | 'bad_timeframe' | 'bad_date' | 'bad_range' | 'refused' | 'no_bars' | 'venue_unavailable' | 'write_failed';

/** A readable refusal of `data fetch`. */
export class DataFetchError extends Error {
  override readonly name = 'DataFetchError';
  readonly problem: DataFetchProblem;
  constructor(problem: DataFetchProblem, message: string) {
    super(message);
    this.problem = problem;
  }
}

/** The arguments of one fetch (the parsed flags). */
export interface DataFetchArgs {
  readonly config: AppConfig;
  /** The venue account: a key of the config's `venues`. */
  readonly account: string;
  readonly symbol: string;
  /** One of `FETCH_TIMEFRAMES`. */
  readonly timeframe: string;
  /** ISO 8601 (`2024-01-01` or a full time); read in UTC when it has no offset. Inclusive. */
  readonly from: string;
  /** ISO 8601 like `from`; exclusive. */
  readonly to: string;
  readonly out: string;
  /** The clock the adapter paces its requests with (default the wall clock). */
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
}

/** A run of bars the venue did not have: `from` is the first missing bar's start, `to` the next bar's (or the range end). */
export interface FetchGap {
  readonly from: number;
  readonly to: number;
  readonly missingBars: number;
}

/** What a fetch wrote. */
export interface DataFetchResult {
  readonly file: string;
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly fromMs: number;
  readonly toMs: number;
  readonly bars: number;
  /** The first and last bar's start. */
  readonly first: number;
  readonly last: number;
  /** Bars in the range the venue had not finished (its current bar), left out of the file. */
  readonly unfinished: number;
  readonly gaps: ReadonlyArray<FetchGap>;
}

/** Returns the instant an ISO 8601 date or time names, reading one without an offset in UTC; throws DataFetchError. */
export const parseUtcDate = (flag: string, text: string): number => {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}(?:$|T)/.test(t)) throw new DataFetchError('bad_date', `${flag} ${JSON.stringify(text)} is not an ISO 8601 date such as 2024-01-01 or 2024-01-01T12:00:00Z`);
  const parsed = DateTime.fromISO(t, { zone: 'utc' });
  if (!parsed.isValid) throw new DataFetchError('bad_date', `${flag} ${JSON.stringify(text)} is not a valid date or time (${parsed.invalidExplanation ?? parsed.invalidReason ?? 'invalid'})`);
  return parsed.toMillis();
};

/** Returns the time of a bar as the CSV writes it: ISO 8601 UTC, without milliseconds when they are zero. */
const isoUtc = (ms: number): string => DateTime.fromMillis(ms, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? String(ms);

/** Returns the bars as the CSV file's text (the bundled crypto files' columns, '\n' line endings). */
export const klinesCsv = (bars: ReadonlyArray<Kline>): string =>
  stringify(
    bars.map((b) => [isoUtc(b.start), String(b.start), b.open.toFixed(), b.high.toFixed(), b.low.toFixed(), b.close.toFixed(), b.volume.toFixed()]),
    { header: true, columns: ['time_utc', 'unix_ms', 'open', 'high', 'low', 'close', 'volume'], record_delimiter: '\n', eof: true },
  );

/**
 * Returns the runs of bars missing from `bars` (ascending, `intervalMs` apart when complete) between the first bar the
 * range [fromMs, toMs) should hold and the last one the venue had finished by `venueNow`, on the bars' own grid (UTC
 * multiples of the length for a real venue; a simulator replaying shifted data has its own phase).
 */
export const findGaps = (bars: ReadonlyArray<Kline>, intervalMs: number, fromMs: number, toMs: number, venueNow: number): FetchGap[] => {
  const gaps: FetchGap[] = [];
  const phase = (((bars[0]?.start ?? 0) % intervalMs) + intervalMs) % intervalMs;
  const gridAtOrAfter = (t: number): number => phase + Math.ceil((t - phase) / intervalMs) * intervalMs;
  const firstExpected = gridAtOrAfter(fromMs);
  // The last bar that starts before `toMs` and had ended by `venueNow`.
  const lastExpected = Math.min(gridAtOrAfter(toMs), gridAtOrAfter(venueNow - intervalMs + 1)) - intervalMs;
  const add = (from: number, to: number): void => {
    const missingBars = Math.ceil((to - from) / intervalMs);
    if (missingBars > 0) gaps.push({ from, to, missingBars });
  };
  let expected = firstExpected;
  for (const b of bars) {
    if (b.start > expected) add(expected, b.start);
    expected = Math.max(expected, b.start + intervalMs);
  }
  if (lastExpected >= expected) add(expected, lastExpected + intervalMs);
  return gaps;
};

/** Writes `text` to `file` atomically: a temp file in the same directory, flushed, then renamed over it. */
const writeAtomically = (file: string, text: string): void => {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(tmp, text, { flush: true });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new DataFetchError('write_failed', `cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
};

/** Public market data needs no credentials; the adapter never signs a kline or server-time request. */
const NO_CREDENTIALS = { apiKey: Redacted.make(''), apiSecret: Redacted.make('') };

/** Returns the account's adapter, or refuses an account whose venue exists only inside a run. */
const connect = (args: DataFetchArgs, account: SessionAccount, clock: Clock): { readonly venue: WireVenue; readonly where: string } => {
  if (account.endpoint === 'simulator' && account.simUrl === '') {
    throw new DataFetchError(
      'no_venue',
      `venues.${account.name} is the in-process simulator, which has no history outside a run: set its simUrl to a running \`tradewarden sim\`, or name a testnet or mainnet account`,
    );
  }
  const baseUrl = account.simUrl !== '' ? account.simUrl : account.binding.endpointOverride(account.section);
  const risk = args.config.risk.clock;
  const venue = account.binding.connect(account.section, {
    baseUrl, credentials: NO_CREDENTIALS, clock, logger: args.logger, speed: 1,
    clockGate: { blockAboveMs: risk.blockAboveMs, resumeAtOrBelowMs: risk.resumeAtOrBelowMs },
  });
  return { venue, where: `${account.binding.label} ${account.endpoint}${baseUrl === undefined ? '' : ` at ${baseUrl}`}` };
};

/** Runs a venue call; a failure becomes a DataFetchError (a parameter refusal is a usage error, the rest "unavailable"). */
const venueCall = async <A>(effect: Effect.Effect<A, VenueError>, where: string): Promise<A> => {
  const result = await Effect.runPromise(Effect.either(effect));
  if (Either.isRight(result)) return result.right;
  const failure = result.left;
  if (failure.reason.kind === 'rejected' && failure.reason.category === 'parameter') throw new DataFetchError('refused', `${where} refused: ${failure.message}`);
  throw new DataFetchError('venue_unavailable', `${where} is unavailable: ${failure.message}`);
};

/** Downloads the bars and writes the CSV; throws DataFetchError with a readable message. */
export const fetchHistory = async (args: DataFetchArgs): Promise<DataFetchResult> => {
  const timeframe = parseTimeframe(args.timeframe);
  if (timeframe === undefined || !(FETCH_TIMEFRAMES as ReadonlyArray<string>).includes(timeframe)) {
    throw new DataFetchError('bad_timeframe', `--timeframe ${JSON.stringify(args.timeframe)} is not supported; use one of ${FETCH_TIMEFRAMES.join(', ')}`);
  }
  const fromMs = parseUtcDate('--from', args.from);
  const toMs = parseUtcDate('--to', args.to);
  if (fromMs >= toMs) throw new DataFetchError('bad_range', `--from ${isoUtc(fromMs)} must be before --to ${isoUtc(toMs)}`);
  const account = accountNamed(args.config, args.account);
  if (typeof account === 'string') throw new DataFetchError('unknown_account', `--venue: ${account}`);
  const intervalMs = timeframeMs(timeframe);
  const { venue, where } = connect(args, account, args.clock ?? wallClock);
  try {
    const venueNow = await venueCall(venue.serverTime(), where);
    const all = await venueCall(venue.klines(args.symbol, intervalMs / 60_000, fromMs, toMs), where);
    const bars = all.filter((b) => b.start + intervalMs <= venueNow);
    const first = bars[0];
    const last = bars[bars.length - 1];
    if (first === undefined || last === undefined) {
      throw new DataFetchError('no_bars', `${where} has no finished ${timeframe} bars of ${args.symbol} from ${isoUtc(fromMs)} to ${isoUtc(toMs)} (its clock reads ${isoUtc(venueNow)}); nothing written`);
    }
    writeAtomically(args.out, klinesCsv(bars));
    return {
      file: args.out, venue: where, symbol: args.symbol, timeframe, fromMs, toMs, bars: bars.length, first: first.start, last: last.start,
      unfinished: all.length - bars.length, gaps: findGaps(bars, intervalMs, fromMs, toMs, venueNow),
    };
  } finally {
    await venue.close();
  }
};
