/**
 * Imports OHLCV bars for the backtester from CSV files with flexible headers (epoch or ISO 8601 times, any column order
 * and case), keeping prices and volumes as Decimals and reporting every bad row and every gap with its file and line.
 * Reads a file only in `loadOhlcvCsv`; never repairs, fills or silently skips data, and reads no clock.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { Data } from 'effect';
import { DateTime, IANAZone } from 'luxon';
import { type Decimal, parseDecimal, ZERO } from '../../domain/money.ts';
import type { Bar, BarSession } from '../../venues/sim/replay/loadBarsCsv.ts';

/** The precise cause of an `OhlcvError`. */
export type OhlcvErrorReason =
  | 'unreadable'
  | 'bad_header'
  | 'bad_columns'
  | 'bad_time'
  | 'bad_number'
  | 'inconsistent_ohlc'
  | 'out_of_order'
  | 'duplicate_time'
  | 'empty'
  | 'bad_timeframe'
  | 'bad_time_zone';

/** One problem found in a file; `line` is 1-based (the header is line 1), 0 for file-level problems. */
export interface OhlcvProblem {
  readonly line: number;
  readonly reason: OhlcvErrorReason;
  readonly detail: string;
}

/**
 * Why market data cannot be used: the top-level fields repeat the first problem, `problems` lists up to
 * `MAX_LISTED_PROBLEMS` of them in line order, and `totalProblems` (default `problems.length`) counts them all.
 */
export class OhlcvError extends Data.TaggedError('OhlcvError')<{
  readonly file: string;
  readonly line: number;
  readonly reason: OhlcvErrorReason;
  readonly detail: string;
  readonly problems: ReadonlyArray<OhlcvProblem>;
  readonly totalProblems?: number;
}> {
  override get message(): string {
    const total = Math.max(this.totalProblems ?? 0, this.problems.length);
    const more = total > 1 ? ` (and ${String(total - 1)} more problems)` : '';
    return `${this.file}:${String(this.line)}: ${this.reason}: ${this.detail}${more}`;
  }
}

/** How many problems an `OhlcvError` lists; the rest are only counted. */
export const MAX_LISTED_PROBLEMS = 50;

/** How a file writes its bar times: epoch seconds, epoch milliseconds, `yyyymmdd` dates, or ISO 8601 text. */
export type OhlcvTimeFormat = 'epoch_s' | 'epoch_ms' | 'yyyymmdd' | 'iso';

/** Which header fed which field of the bars (headers as written in the file, trimmed). */
export interface OhlcvColumns {
  /** The time header; `date+time` when a date column and a time-of-day column are combined. */
  readonly time: string;
  readonly timeFormat: OhlcvTimeFormat;
  /** The IANA zone that times without a UTC offset (and dates) were read in. */
  readonly timeZone: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  /** Undefined when the file has no volume column; every bar's volume is then 0. */
  readonly volume: string | undefined;
  /** The session column, when present and every value in it is `pre`, `rth` or `post`. */
  readonly session: string | undefined;
  /** Headers present but not used for the bars (`adj close`, a second time column, a session column with other values). */
  readonly ignored: ReadonlyArray<string>;
  /** Other time columns that were checked row by row against the one used (they carry a UTC offset). */
  readonly crossChecked: ReadonlyArray<string>;
  readonly delimiter: string;
  /** Plain-language remarks on the mapping, e.g. that volumes default to 0. */
  readonly notes: ReadonlyArray<string>;
}

/**
 * A run of missing bars between two bars of a file: `from` and `to` are the starts of the bars either side, `line` is
 * the line of the bar after it. `kind` is `session` when the gap is most likely a market close (overnight, weekend,
 * pre/post-market minutes without trades) and `missing` otherwise; either way gaps are reported, never filled.
 */
export interface OhlcvGap {
  readonly line: number;
  readonly from: number;
  readonly to: number;
  readonly missingBars: number;
  readonly kind: 'missing' | 'session';
}

/** Bars parsed from one file, with the inferred bar interval, the gaps found and the header mapping. */
export interface OhlcvData {
  readonly bars: Bar[];
  /** The most common positive step between consecutive bar starts in ms (0 when the file has a single bar). */
  readonly intervalMs: number;
  readonly gaps: ReadonlyArray<OhlcvGap>;
  readonly columns: OhlcvColumns;
}

/** Options of `parseOhlcvCsv`: the file name for messages and the zone of times written without a UTC offset. */
export interface OhlcvParseOptions {
  readonly file?: string;
  /** An IANA zone such as `America/New_York`; default `UTC`. */
  readonly timeZone?: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// An overnight or weekend close lasts hours; a shorter hole that merely crosses midnight is lost data.
const SESSION_BREAK_MIN_MS = 4 * HOUR_MS;
// Epoch values below 1e11 are seconds (1e11 s is the year 5138); at or above, milliseconds (1e11 ms is 1973-03-03).
const EPOCH_MS_THRESHOLD = 1e11;
// The last instant a JavaScript Date (and luxon) can represent.
const MAX_EPOCH_MS = 8.64e15;
const SESSIONS: ReadonlyArray<string> = ['pre', 'rth', 'post'];
const TIME_NAMES: ReadonlyArray<string> = ['timestamp', 'datetime', 'date', 'time', 'time_utc', 'time_et', 'unix_ms', 'unix', 'open_time', 'ts'];
const FIELD_NAMES = {
  open: ['open', 'o'],
  high: ['high', 'h'],
  low: ['low', 'l'],
  close: ['close', 'c'],
  volume: ['volume', 'vol', 'v'],
  session: ['session'],
} as const;
type Field = keyof typeof FIELD_NAMES;
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::?(\d{2}))?)?/;

/** Returns whether `zone` is an IANA time zone luxon knows (`UTC` included). */
export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/** Collects problems in line order, keeping the first `MAX_LISTED_PROBLEMS` and counting the rest. */
class ProblemList {
  readonly listed: OhlcvProblem[] = [];
  total = 0;
  add(line: number, reason: OhlcvErrorReason, detail: string): void {
    this.total += 1;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push({ line, reason, detail });
  }
  throwIfAny(file: string): void {
    const first = this.listed[0];
    if (first !== undefined) throw new OhlcvError({ ...first, file, problems: this.listed, totalProblems: this.total });
  }
}

const fail = (file: string, line: number, reason: OhlcvErrorReason, detail: string): never => {
  throw new OhlcvError({ file, line, reason, detail, problems: [{ line, reason, detail }] });
};

type ParsedTime = { readonly start: number; readonly format: OhlcvTimeFormat } | { readonly problem: string };

const hasOffset = (iso: string): boolean => /T.*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(iso);

/** Reads one time value; times without an offset are wall-clock times in `zone` and must exist there. */
const parseTime = (raw: string, zone: string): ParsedTime => {
  if (/^\d+$/.test(raw)) {
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value > MAX_EPOCH_MS) return { problem: `${JSON.stringify(raw)} is too large for an epoch time` };
    // An 8-digit integer that is a calendar date is the ISO 8601 basic date format, not epoch seconds in 1970–73.
    if (raw.length === 8) {
      const basic = DateTime.fromFormat(raw, 'yyyyMMdd', { zone });
      if (basic.isValid && basic.year >= 1900) return { start: basic.toMillis(), format: 'yyyymmdd' };
    }
    return value < EPOCH_MS_THRESHOLD ? { start: value * 1000, format: 'epoch_s' } : { start: value, format: 'epoch_ms' };
  }
  // Only calendar dates, optionally with a time: luxon would read a bare time of day as "today", a clock read.
  if (!/^\d{4}-\d{2}-\d{2}(?:$|[T ])/.test(raw)) return { problem: `${JSON.stringify(raw)} is neither an epoch time nor an ISO 8601 date` };
  const iso = raw.length > 10 && raw[10] === ' ' ? `${raw.slice(0, 10)}T${raw.slice(11)}` : raw;
  const parsed = DateTime.fromISO(iso, { zone, setZone: true });
  if (!parsed.isValid) return { problem: `${JSON.stringify(raw)} is not a valid ISO 8601 time (${parsed.invalidExplanation ?? 'invalid'})` };
  const wall = hasOffset(iso) ? null : WALL_TIME.exec(iso);
  if (wall !== null) {
    // luxon moves a wall time inside a spring-forward gap to a later hour; such a time names no instant in the zone.
    const [, year, month, day, hour = '0', minute = '0'] = wall;
    if (parsed.year !== Number(year) || parsed.month !== Number(month) || parsed.day !== Number(day) || parsed.hour !== Number(hour) || parsed.minute !== Number(minute)) {
      return { problem: `${raw} does not exist in ${zone} (the clocks skip it)` };
    }
  }
  return { start: parsed.toMillis(), format: 'iso' };
};

const sameFormatFamily = (file: OhlcvTimeFormat, row: OhlcvTimeFormat): boolean => file === row || (file === 'yyyymmdd' && row === 'iso') || (file === 'iso' && row === 'yyyymmdd');

/** Picks the delimiter of the header line: the most frequent of comma, semicolon and tab (comma on a tie). */
const detectDelimiter = (text: string): string => {
  const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
  const count = (d: string): number => firstLine.split(d).length - 1;
  const candidates = [',', ';', '\t'];
  return candidates.reduce((best, d) => (count(d) > count(best) ? d : best), ',');
};

interface RawRecord {
  readonly record: string[];
  readonly info: { readonly lines: number };
}

/** Parses the CSV text into records, each with the 1-based line it starts on; blank lines are dropped. */
const readRecords = (text: string, file: string, delimiter: string): Array<{ fields: string[]; line: number }> => {
  let raw: RawRecord[];
  try {
    raw = parse(text, { bom: true, delimiter, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as RawRecord[];
  } catch (cause) {
    const lines = cause instanceof Error && 'lines' in cause && typeof cause.lines === 'number' ? cause.lines : 0;
    return fail(file, lines, 'bad_columns', cause instanceof Error ? cause.message : String(cause));
  }
  // `info.lines` is the line a record ends on; a quoted field may span lines, so count back to where it starts.
  return raw
    .map((r) => ({ fields: r.record, line: r.info.lines - r.record.reduce((n, f) => n + (f.split('\n').length - 1), 0) }))
    .filter((r) => !(r.fields.length === 1 && r.fields[0] === ''));
};

interface HeaderMap {
  readonly time: number;
  readonly timeOfDay: number | undefined;
  readonly fields: Readonly<Record<Field, number | undefined>>;
  readonly secondaryTimes: ReadonlyArray<number>;
  readonly unused: ReadonlyArray<number>;
}

const mapHeader = (header: ReadonlyArray<string>, file: string): HeaderMap => {
  const names = header.map((h) => h.trim().toLowerCase());
  const indexOf = (aliases: ReadonlyArray<string>): number | undefined => {
    const hits = names.flatMap((n, i) => (aliases.includes(n) ? [i] : []));
    if (hits.length > 1) fail(file, 1, 'bad_header', `columns ${hits.map((i) => JSON.stringify(header[i])).join(' and ')} both name the same field`);
    return hits[0];
  };
  const fields = {} as Record<Field, number | undefined>;
  for (const field of Object.keys(FIELD_NAMES) as Field[]) fields[field] = indexOf(FIELD_NAMES[field]);
  const missing = (['open', 'high', 'low', 'close'] as const).filter((f) => fields[f] === undefined);
  const timeColumns = TIME_NAMES.flatMap((n) => {
    const i = indexOf([n]);
    return i === undefined ? [] : [i];
  });
  // The bundled files carry both a readable time and `unix_ms`; the integer is exact, so it wins.
  const unixMs = names.indexOf('unix_ms');
  const time = unixMs >= 0 ? unixMs : timeColumns[0];
  if (time === undefined || missing.length > 0) {
    const wanted = [...(time === undefined ? [`a time column (${TIME_NAMES.join(', ')})`] : []), ...missing.map((f) => `${f} (${FIELD_NAMES[f].join('/')})`)];
    fail(file, 1, 'bad_header', `missing ${wanted.join(', ')}; header is ${JSON.stringify(header.join(','))}`);
  }
  const timeIndex = time as number;
  const timeOfDay = names[timeIndex] === 'date' && names.includes('time') ? names.indexOf('time') : undefined;
  const used = new Set<number>([timeIndex, ...Object.values(fields).filter((i): i is number => i !== undefined)]);
  return {
    time: timeIndex,
    timeOfDay,
    fields,
    secondaryTimes: timeColumns.filter((i) => i !== timeIndex),
    unused: header.flatMap((_, i) => (used.has(i) ? [] : [i])),
  };
};

interface Row {
  readonly line: number;
  readonly start: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly session: string | undefined;
}

/** Returns the most common positive step between consecutive starts (the smaller one on a tie), 0 for fewer than two bars. */
const inferInterval = (starts: ReadonlyArray<number>): number => {
  const counts = new Map<number, number>();
  for (let i = 1; i < starts.length; i++) {
    const step = starts[i]! - starts[i - 1]!;
    if (step > 0) counts.set(step, (counts.get(step) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [step, n] of counts) {
    if (n > bestCount || (n === bestCount && step < best)) [best, bestCount] = [step, n];
  }
  return best;
};

/** Days since 1970-01-01 of the calendar date `start` falls on in `zone`. */
const localDayNumber = (start: number, zone: string): number => {
  if (zone === 'UTC') return Math.floor(start / DAY_MS);
  const local = DateTime.fromMillis(start, { zone });
  return Date.UTC(local.year, local.month - 1, local.day) / DAY_MS;
};

const isWeekday = (dayNumber: number): boolean => {
  // 1970-01-01 was a Thursday: (n + 4) mod 7 is 0 on Sundays and 6 on Saturdays.
  const weekday = (((dayNumber + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
};

const findGaps = (rows: ReadonlyArray<Row>, intervalMs: number, zone: string, sessions: boolean): OhlcvGap[] => {
  if (intervalMs <= 0) return [];
  // Daily bars opened at local midnight step 23 or 25 hours across a clock change, so days are counted, not hours.
  const daily = Math.abs(intervalMs - DAY_MS) <= HOUR_MS;
  const days = rows.map((r) => localDayNumber(r.start, zone));
  const gaps: OhlcvGap[] = [];
  for (let i = 1; i < rows.length; i++) {
    const before = rows[i - 1]!;
    const after = rows[i]!;
    const step = after.start - before.start;
    if (daily) {
      let missingBars = 0;
      for (let d = days[i - 1]! + 1; d < days[i]!; d++) if (isWeekday(d)) missingBars += 1;
      if (missingBars > 0) gaps.push({ line: after.line, from: before.start, to: after.start, missingBars, kind: 'missing' });
      continue;
    }
    if (step <= intervalMs) continue;
    const overnight = days[i - 1] !== days[i] && step >= SESSION_BREAK_MIN_MS;
    const outsideRegular = sessions && !(before.session === 'rth' && after.session === 'rth');
    gaps.push({
      line: after.line,
      from: before.start,
      to: after.start,
      missingBars: Math.ceil(step / intervalMs) - 1,
      kind: overnight || outsideRegular ? 'session' : 'missing',
    });
  }
  return gaps;
};

/**
 * Parses OHLCV CSV text (headers case-insensitive, in any order; see `OhlcvColumns`) into bars, checking every row and
 * throwing one `OhlcvError` that lists each bad row with its line; gaps are returned, not filled.
 */
export const parseOhlcvCsv = (text: string, opts: OhlcvParseOptions = {}): OhlcvData => {
  const file = opts.file ?? '<input>';
  const zone = opts.timeZone ?? 'UTC';
  if (!isValidTimeZone(zone)) fail(file, 0, 'bad_time_zone', `${JSON.stringify(zone)} is not an IANA time zone`);
  // csv-parse miscounts lines after a blank CRLF line; with LF endings every record's line number is exact.
  const normalized = text.replace(/\r\n?/g, '\n');
  const delimiter = detectDelimiter(normalized);
  const records = readRecords(normalized, file, delimiter);
  const headerRecord = records[0];
  if (headerRecord === undefined) return fail(file, 0, 'empty', 'no header and no bars');
  if (records.length === 1) fail(file, 0, 'empty', 'a header but no bars');
  const header = headerRecord.fields;
  const map = mapHeader(header, file);
  const firstData = records[1]!.fields;
  const combine = map.timeOfDay !== undefined && /^\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(firstData[map.timeOfDay] ?? '');
  // A second time column is checked only when it names an instant by itself (ISO with a UTC offset or Z).
  const crossChecked = map.secondaryTimes.filter((i) => i !== (combine ? map.timeOfDay : -1) && hasOffset((firstData[i] ?? '').replace(' ', 'T')));

  const problems = new ProblemList();
  const rows: Row[] = [];
  let fileFormat: OhlcvTimeFormat | undefined;
  // Order is checked against the previous row with a readable time, so one misplaced row is one problem, not a cascade.
  let previous: { start: number; line: number } | undefined;
  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== header.length) {
      problems.add(line, 'bad_columns', `expected ${String(header.length)} columns, got ${String(fields.length)}`);
      continue;
    }
    const cell = (i: number): string => fields[i] ?? '';
    const timeText = combine ? `${cell(map.time)}T${cell(map.timeOfDay).replace(/^(\d):/, '0$1:')}` : cell(map.time);
    const time = parseTime(timeText, zone);
    if ('problem' in time) {
      problems.add(line, 'bad_time', `${header[map.time] ?? 'time'}: ${time.problem}`);
      continue;
    }
    fileFormat ??= time.format;
    const prior = previous;
    previous = { start: time.start, line };
    if (!sameFormatFamily(fileFormat, time.format)) {
      problems.add(line, 'bad_time', `${JSON.stringify(timeText)} is ${time.format} but the file's first row is ${fileFormat}`);
      continue;
    }
    const rowProblem = checkRow(fields, map, time.start, header, crossChecked, zone);
    if ('reason' in rowProblem) {
      problems.add(line, rowProblem.reason, rowProblem.detail);
      continue;
    }
    if (prior !== undefined && time.start === prior.start) {
      problems.add(line, 'duplicate_time', `${timeText} repeats the time of line ${String(prior.line)}`);
      continue;
    }
    if (prior !== undefined && time.start < prior.start) {
      problems.add(line, 'out_of_order', `${timeText} is before line ${String(prior.line)} (${new Date(prior.start).toISOString()})`);
      continue;
    }
    rows.push({ line, start: time.start, ...rowProblem, session: map.fields.session === undefined ? undefined : cell(map.fields.session).toLowerCase() });
  }
  problems.throwIfAny(file);

  const sessionHeader = map.fields.session;
  const offSession = sessionHeader === undefined ? undefined : rows.find((r) => r.session !== undefined && r.session !== '' && !SESSIONS.includes(r.session));
  const useSessions = sessionHeader !== undefined && offSession === undefined;
  const bars: Bar[] = rows.map((r) => {
    const bar = { start: r.start, open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume };
    return useSessions && r.session !== undefined && r.session !== '' ? { ...bar, session: r.session as BarSession } : bar;
  });
  const intervalMs = inferInterval(rows.map((r) => r.start));

  const notes: string[] = [];
  if (map.fields.volume === undefined) notes.push('no volume column: every bar has volume 0');
  if (combine) notes.push(`times combine ${header[map.time] ?? ''} and ${header[map.timeOfDay] ?? ''}`);
  if (offSession !== undefined) notes.push(`${header[sessionHeader!] ?? ''} ignored: line ${String(offSession.line)} has ${JSON.stringify(offSession.session)}, not pre, rth or post`);
  const usedTimeOfDay = combine ? [map.timeOfDay] : [];
  const ignored = [...map.unused, ...(useSessions || sessionHeader === undefined ? [] : [sessionHeader])].filter((i) => !usedTimeOfDay.includes(i));
  if (ignored.length > 0) notes.push(`not used: ${ignored.map((i) => header[i] ?? '').join(', ')}`);
  const name = (i: number | undefined): string | undefined => (i === undefined ? undefined : header[i]);
  return {
    bars,
    intervalMs,
    gaps: findGaps(rows, intervalMs, zone, useSessions),
    columns: {
      time: combine ? `${name(map.time) ?? ''}+${name(map.timeOfDay) ?? ''}` : (name(map.time) ?? ''),
      timeFormat: fileFormat ?? 'iso',
      timeZone: zone,
      open: name(map.fields.open) ?? '',
      high: name(map.fields.high) ?? '',
      low: name(map.fields.low) ?? '',
      close: name(map.fields.close) ?? '',
      volume: name(map.fields.volume),
      session: useSessions ? name(sessionHeader) : undefined,
      ignored: ignored.map((i) => header[i] ?? ''),
      crossChecked: crossChecked.map((i) => header[i] ?? ''),
      delimiter,
      notes,
    },
  };
};

type RowValues = Pick<Row, 'open' | 'high' | 'low' | 'close' | 'volume'>;

/** Checks a row's numbers, OHLC consistency and any cross-checked time column; returns the values or the first problem. */
const checkRow = (
  fields: ReadonlyArray<string>,
  map: HeaderMap,
  start: number,
  header: ReadonlyArray<string>,
  crossChecked: ReadonlyArray<number>,
  zone: string,
): RowValues | { reason: OhlcvErrorReason; detail: string } => {
  const prices: Decimal[] = [];
  for (const field of ['open', 'high', 'low', 'close'] as const) {
    const i = map.fields[field]!;
    const value = parseDecimal(fields[i] ?? '');
    if (value === undefined) return { reason: 'bad_number', detail: `${header[i] ?? field} ${JSON.stringify(fields[i])} is not a decimal` };
    if (value.lte(0)) return { reason: 'bad_number', detail: `${header[i] ?? field} ${value.toString()} is not > 0` };
    prices.push(value);
  }
  const [open, high, low, close] = prices as [Decimal, Decimal, Decimal, Decimal];
  let volume = ZERO;
  if (map.fields.volume !== undefined) {
    const i = map.fields.volume;
    const value = parseDecimal(fields[i] ?? '');
    if (value === undefined || value.isNegative()) return { reason: 'bad_number', detail: `${header[i] ?? 'volume'} ${JSON.stringify(fields[i])} is not a decimal >= 0` };
    volume = value;
  }
  const ohlc = `O ${open.toString()} H ${high.toString()} L ${low.toString()} C ${close.toString()}`;
  if (low.gt(high)) return { reason: 'inconsistent_ohlc', detail: `${ohlc}: low is above high` };
  if (high.lt(open) || high.lt(close)) return { reason: 'inconsistent_ohlc', detail: `${ohlc}: high is below the open or close` };
  if (low.gt(open) || low.gt(close)) return { reason: 'inconsistent_ohlc', detail: `${ohlc}: low is above the open or close` };
  for (const i of crossChecked) {
    const other = parseTime(fields[i] ?? '', zone);
    if ('problem' in other) return { reason: 'bad_time', detail: `${header[i] ?? 'time'}: ${other.problem}` };
    if (other.start !== start) {
      return { reason: 'bad_time', detail: `${header[i] ?? 'time'} ${fields[i] ?? ''} is ${new Date(other.start).toISOString()} but ${header[map.time] ?? 'time'} says ${new Date(start).toISOString()}` };
    }
  }
  return { open, high, low, close, volume };
};

/** Reads and parses an OHLCV CSV file; throws `OhlcvError` (`unreadable` when it cannot be read). */
export const loadOhlcvCsv = (file: string, opts: { readonly timeZone?: string } = {}): OhlcvData => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    return fail(file, 0, 'unreadable', cause instanceof Error ? cause.message : String(cause));
  }
  return parseOhlcvCsv(text, { ...opts, file });
};

/** Returns the bars whose start is at or after `from` and before `to` (either bound optional). */
export const filterRange = <B extends Bar>(bars: ReadonlyArray<B>, from?: number, to?: number): B[] =>
  bars.filter((b) => (from === undefined || b.start >= from) && (to === undefined || b.start < to));
