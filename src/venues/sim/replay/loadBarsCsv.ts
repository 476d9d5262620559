/**
 * Loads and validates 1-minute OHLCV bars from the bundled CSV files — crypto `time_utc,unix_ms,open,high,low,close,volume`
 * and US equity `time_et,unix_ms,open,high,low,close,volume,session` (data/README.md) — keeping prices and volumes as
 * Decimals. Reads files only when asked; throws a typed `BarsCsvError` on bad input and never repairs data.
 */
import { readFileSync } from 'node:fs';
import { Data } from 'effect';
import { type Decimal, parseDecimal } from '../../../domain/money.ts';

/** One OHLCV bar; `start` is the bar's open time in epoch ms. */
export interface Bar {
  readonly start: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  /** Equity files only: the bar's session, `pre` (04:00–09:29 ET), `rth` (09:30–15:59) or `post` (16:00–19:59). */
  readonly session?: BarSession | undefined;
}

/** The trading session an equity bar belongs to. */
export type BarSession = 'pre' | 'rth' | 'post';

/** Why a bars file cannot be used; `line` is 1-based (0 for file-level problems). */
export class BarsCsvError extends Data.TaggedError('BarsCsvError')<{
  readonly file: string;
  readonly line: number;
  readonly reason: 'unreadable' | 'bad_header' | 'bad_columns' | 'bad_time' | 'bad_number' | 'inconsistent_ohlc' | 'out_of_order' | 'empty';
  readonly detail: string;
}> {
  override get message(): string {
    return `${this.file}:${this.line}: ${this.reason}: ${this.detail}`;
  }
}

const HEADER = 'time_utc,unix_ms,open,high,low,close,volume';
/** The US equity files: the time is New York local with its UTC offset, and a session column follows the volume. */
const EQUITY_HEADER = 'time_et,unix_ms,open,high,low,close,volume,session';
const SESSIONS: ReadonlyArray<string> = ['pre', 'rth', 'post'];

/** Parses CSV text of bars (either header); `file` names the source in errors. Rows must be strictly increasing in time. */
export const parseBarsCsv = (text: string, file = '<input>'): Bar[] => {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, reason: BarsCsvError['reason'], detail: string): never => {
    throw new BarsCsvError({ file, line, reason, detail });
  };
  const header = (lines[0] ?? '').trim();
  if (header !== HEADER && header !== EQUITY_HEADER) fail(1, 'bad_header', `expected ${HEADER} or ${EQUITY_HEADER}`);
  const equity = header === EQUITY_HEADER;
  const columns = equity ? 8 : 7;
  const bars: Bar[] = [];
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') continue;
    const lineNo = i + 1;
    const cols = raw.split(',');
    if (cols.length !== columns) fail(lineNo, 'bad_columns', `expected ${columns} columns, got ${cols.length}`);
    const session = equity ? cols.pop() : undefined;
    if (session !== undefined && !SESSIONS.includes(session)) fail(lineNo, 'bad_columns', `session ${JSON.stringify(session)} is not pre, rth or post`);
    const [timeUtc = '', unixMs = '', ...nums] = cols;
    if (!/^\d{1,15}$/.test(unixMs)) fail(lineNo, 'bad_time', `unix_ms ${JSON.stringify(unixMs)} is not an integer`);
    const start = Number(unixMs);
    const parsedTime = Date.parse(timeUtc);
    if (!Number.isFinite(parsedTime) || parsedTime !== start) fail(lineNo, 'bad_time', `${equity ? 'time_et' : 'time_utc'} ${timeUtc} does not equal unix_ms ${unixMs}`);
    const values = nums.map((s) => {
      const d = parseDecimal(s);
      if (d === undefined || d.isNegative()) return fail(lineNo, 'bad_number', `${JSON.stringify(s)} is not a non-negative decimal`);
      return d;
    });
    const [open, high, low, close, volume] = values as [Decimal, Decimal, Decimal, Decimal, Decimal];
    if (open.lte(0) || low.lte(0)) fail(lineNo, 'bad_number', 'prices must be > 0');
    if (low.gt(high) || open.gt(high) || close.gt(high) || open.lt(low) || close.lt(low)) {
      fail(lineNo, 'inconsistent_ohlc', `O ${open.toString()} H ${high.toString()} L ${low.toString()} C ${close.toString()}`);
    }
    const previous = bars[bars.length - 1];
    if (previous !== undefined && start <= previous.start) fail(lineNo, 'out_of_order', `${start} is not after ${previous.start}`);
    bars.push(session === undefined ? { start, open, high, low, close, volume } : { start, open, high, low, close, volume, session: session as BarSession });
  }
  if (bars.length === 0) fail(0, 'empty', 'no bars');
  return bars;
};

/** Reads and parses a bars CSV file; throws `BarsCsvError` when it cannot be read or is invalid. */
export const loadBarsCsv = (path: string): Bar[] => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new BarsCsvError({ file: path, line: 0, reason: 'unreadable', detail: String(cause) });
  }
  return parseBarsCsv(text, path);
};
