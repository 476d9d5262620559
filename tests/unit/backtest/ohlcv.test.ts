/**
 * Specifies the backtester's market-data import (X-BT-1): flexible OHLCV headers, epoch and ISO times in a zone, every
 * bad row reported with its line, gaps reported and never filled, and exact resampling. Reads only the bundled data/.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, dec, maxDec, minDec, sumDec } from '../../../src/domain/money.ts';
import { filterRange, loadOhlcvCsv, OhlcvError, parseOhlcvCsv } from '../../../src/backtest/data/ohlcv.ts';
import { parseTimeframe, resample, type Timeframe, timeframeMs } from '../../../src/backtest/data/resample.ts';
import { type Bar, parseBarsCsv } from '../../../src/venues/sim/replay/loadBarsCsv.ts';

const dataFile = (path: string): string => fileURLToPath(new URL(`../../../data/${path}`, import.meta.url));
const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2022, 11, 13); // 2022-12-13T00:00:00Z

/** Returns the OhlcvError thrown by `run`, failing the test when nothing (or something else) is thrown. */
const errorOf = (run: () => unknown): OhlcvError => {
  try {
    run();
  } catch (error) {
    if (error instanceof OhlcvError) return error;
    throw error;
  }
  throw new Error('expected an OhlcvError');
};

const csv = (...lines: string[]): string => `${lines.join('\n')}\n`;
/** One-minute rows from T0 (`unix_ms` header), one per given minute offset, with prices 10/11/9/10.5 and volume 1. */
const minuteRows = (minutes: ReadonlyArray<number>): string =>
  csv('unix_ms,open,high,low,close,volume', ...minutes.map((m) => `${String(T0 + m * MINUTE)},10,11,9,10.5,1`));
const values = (bar: Bar): string[] => [bar.open, bar.high, bar.low, bar.close, bar.volume].map((d) => d.toString());

describe('X-BT-5 OHLCV import: bundled files', () => {
  it('[X-BT-5] reads the bundled Bybit 1m feed of sim.feeds: one bar per data line, 60 s interval, same bars as parseBarsCsv', () => {
    const file = dataFile('crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv');
    const text = readFileSync(file, 'utf8');
    const dataLines = text.split('\n').filter((l) => l.trim() !== '').length - 1;
    const data = loadOhlcvCsv(file);
    expect(data.bars).toHaveLength(dataLines);
    expect(data.intervalMs).toBe(60_000);
    expect(data.gaps).toEqual([]);
    expect(data.columns).toMatchObject({ time: 'unix_ms', timeFormat: 'epoch_ms', volume: 'volume', crossChecked: ['time_utc'], ignored: ['time_utc'] });
    expect(data.bars[0]?.start).toBe(T0);
    expect(values(data.bars[0]!)).toEqual(['17194', '17199.5', '17193.5', '17199', '78.677']);
    const legacy = parseBarsCsv(text, file);
    expect(data.bars.map((b) => [b.start, ...values(b)])).toEqual(legacy.map((b) => [b.start, ...values(b)]));
  });

  it('[X-BT-5] reads the bundled US-equity 1m file with its session column; its gaps are reported as session gaps', () => {
    const file = dataFile('us-equity-1m/SPY_1m_2023-08-03.csv');
    const data = loadOhlcvCsv(file, { timeZone: 'America/New_York' });
    expect(data.bars).toHaveLength(readFileSync(file, 'utf8').trim().split('\n').length - 1);
    expect(data.columns).toMatchObject({ time: 'unix_ms', session: 'session', crossChecked: ['time_et'] });
    expect(data.bars[0]).toMatchObject({ start: Date.parse('2023-08-03T04:00:00-04:00'), session: 'pre' });
    expect(data.bars.filter((b) => b.session === 'rth')).toHaveLength(390);
    expect(data.gaps.length).toBeGreaterThan(0);
    expect(data.gaps.every((g) => g.kind === 'session')).toBe(true);
  });

  it('[X-BT-5] reads the bundled SPY daily file (date header) at UTC midnight with holidays as gaps and no weekend gaps', () => {
    const data = loadOhlcvCsv(dataFile('us-equity-1d/SPY_1d_raw.csv'));
    expect(data.bars).toHaveLength(5849);
    expect(data.intervalMs).toBe(DAY);
    expect(data.bars[0]?.start).toBe(Date.UTC(1998, 0, 2));
    expect(data.columns).toMatchObject({ time: 'date', timeFormat: 'iso', timeZone: 'UTC' });
    // 1998-01-19 (Martin Luther King Day) is the first weekday without a bar: line 13 is 1998-01-20.
    expect(data.gaps[0]).toEqual({ line: 13, from: Date.UTC(1998, 0, 16), to: Date.UTC(1998, 0, 20), missingBars: 1, kind: 'missing' });
    expect(data.gaps.every((g) => g.missingBars >= 1)).toBe(true);
  });
});

describe('X-BT-5 OHLCV import: times and headers', () => {
  const daily = csv('date,open,high,low,close,volume', '2010-01-04,112.37,113.39,111.51,113.33,118944600', '2010-07-06,102.01,102.2,99.9,101.02,249700000');

  it('[X-BT-5] reads daily `date` bars at UTC midnight by default', () => {
    const data = parseOhlcvCsv(daily, {});
    expect(data.bars.map((b) => b.start)).toEqual([Date.UTC(2010, 0, 4), Date.UTC(2010, 6, 6)]);
    expect(values(data.bars[0]!)).toEqual(['112.37', '113.39', '111.51', '113.33', '118944600']);
  });

  it('[X-BT-5] reads daily `date` bars at New York midnight with timeZone America/New_York (EST in winter, EDT in summer)', () => {
    const data = parseOhlcvCsv(daily, { timeZone: 'America/New_York' });
    expect(data.bars.map((b) => b.start)).toEqual([Date.UTC(2010, 0, 4, 5), Date.UTC(2010, 6, 6, 4)]);
    expect(data.bars.map((b) => b.start)).toEqual([1262581200000, 1278388800000]);
    expect(data.columns.timeZone).toBe('America/New_York');
  });

  it('[X-BT-5] reads epoch-second timestamps as seconds and epoch-ms timestamps as ms, decided from the first row', () => {
    const seconds = parseOhlcvCsv(csv('timestamp,open,high,low,close,volume', '1670889600,1,2,0.5,1.5,10', '1670889660,1,2,0.5,1.5,10'), {});
    expect(seconds.bars.map((b) => b.start)).toEqual([T0, T0 + MINUTE]);
    expect(seconds.columns.timeFormat).toBe('epoch_s');
    const ms = parseOhlcvCsv(csv('timestamp,open,high,low,close,volume', '1670889600000,1,2,0.5,1.5,10', '1670889660000,1,2,0.5,1.5,10'), {});
    expect(ms.bars.map((b) => b.start)).toEqual([T0, T0 + MINUTE]);
    expect(ms.columns.timeFormat).toBe('epoch_ms');
  });

  it('[X-BT-5] refuses a file that mixes epoch seconds and epoch ms (line 3 disagrees with the first row)', () => {
    const error = errorOf(() => parseOhlcvCsv(csv('ts,open,high,low,close', '1670889600,1,2,0.5,1.5', '1670889660000,1,2,0.5,1.5'), { file: 'mixed.csv' }));
    expect(error).toMatchObject({ file: 'mixed.csv', line: 3, reason: 'bad_time' });
  });

  it('[X-BT-5] reads ISO 8601 times with Z or a UTC offset as the instant they name, whatever the time zone option', () => {
    const text = csv('datetime,open,high,low,close,volume', '2022-12-13T00:00:00Z,1,2,0.5,1.5,1', '2022-12-13T00:01:00+00:00,1,2,0.5,1.5,1', '2022-12-12T19:02:00-05:00,1,2,0.5,1.5,1');
    for (const timeZone of ['UTC', 'Asia/Tokyo']) {
      expect(parseOhlcvCsv(text, { timeZone }).bars.map((b) => b.start)).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE]);
    }
  });

  it('[X-BT-5] reads ISO date-times without an offset (T or space separated) in the given zone', () => {
    const text = csv('time,open,high,low,close,volume', '2010-01-04 09:30:00,1,2,0.5,1.5,1', '2010-01-04T09:31,1,2,0.5,1.5,1');
    expect(parseOhlcvCsv(text, {}).bars.map((b) => b.start)).toEqual([Date.UTC(2010, 0, 4, 9, 30), Date.UTC(2010, 0, 4, 9, 31)]);
    expect(parseOhlcvCsv(text, { timeZone: 'America/New_York' }).bars.map((b) => b.start)).toEqual([Date.UTC(2010, 0, 4, 14, 30), Date.UTC(2010, 0, 4, 14, 31)]);
  });

  it('[X-BT-5] refuses a wall time the clocks skip in the zone (02:30 on the spring-forward day in New York)', () => {
    const error = errorOf(() => parseOhlcvCsv(csv('datetime,open,high,low,close', '2021-03-14T01:59:00,1,2,0.5,1.5', '2021-03-14T02:30:00,1,2,0.5,1.5'), { timeZone: 'America/New_York' }));
    expect(error).toMatchObject({ line: 3, reason: 'bad_time' });
    expect(error.detail).toContain('does not exist in America/New_York');
  });

  it('[X-BT-5] combines a date column with a time-of-day column', () => {
    const data = parseOhlcvCsv(csv('Date,Time,Open,High,Low,Close,Volume', '2010-01-04,9:30,1,2,0.5,1.5,1', '2010-01-04,09:31:00,1,2,0.5,1.5,1'), { timeZone: 'America/New_York' });
    expect(data.bars.map((b) => b.start)).toEqual([Date.UTC(2010, 0, 4, 14, 30), Date.UTC(2010, 0, 4, 14, 31)]);
    expect(data.columns.time).toBe('Date+Time');
    expect(data.columns.ignored).toEqual([]);
  });

  it('[X-BT-5] reads an 8-digit yyyymmdd date as a date, not as epoch seconds in 1970', () => {
    const data = parseOhlcvCsv(csv('date,open,high,low,close', '20100104,1,2,0.5,1.5', '20100105,1,2,0.5,1.5'), {});
    expect(data.bars.map((b) => b.start)).toEqual([Date.UTC(2010, 0, 4), Date.UTC(2010, 0, 5)]);
    expect(data.columns.timeFormat).toBe('yyyymmdd');
  });

  it('[X-BT-5] accepts headers in any case, order and padding (`Timestamp,Open,High,Low,Close,Volume`, `o,h,l,c`, `vol`)', () => {
    const capitalised = parseOhlcvCsv(csv('Timestamp,Open,High,Low,Close,Volume', '1670889600000,1,2,0.5,1.5,3'), {});
    expect(capitalised.columns).toMatchObject({ time: 'Timestamp', open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume' });
    expect(values(capitalised.bars[0]!)).toEqual(['1', '2', '0.5', '1.5', '3']);
    const shuffled = parseOhlcvCsv(csv(' VOL , C ,l,H,o, Date ', '3,1.5,0.5,2,1,2010-01-04'), {});
    expect(values(shuffled.bars[0]!)).toEqual(['1', '2', '0.5', '1.5', '3']);
    expect(shuffled.bars[0]?.start).toBe(Date.UTC(2010, 0, 4));
    expect(shuffled.columns).toMatchObject({ time: 'Date', open: 'o', close: 'C', volume: 'VOL' });
  });

  it('[X-BT-5] reads semicolon- and tab-separated files and CRLF line endings', () => {
    for (const text of ['date;open;high;low;close\r\n2010-01-04;1;2;0.5;1.5\r\n', 'date\topen\thigh\tlow\tclose\n2010-01-04\t1\t2\t0.5\t1.5\n']) {
      expect(values(parseOhlcvCsv(text, {}).bars[0]!)).toEqual(['1', '2', '0.5', '1.5', '0']);
    }
  });

  it('[X-BT-5] gives every bar volume 0 when the file has no volume column, and says so in columns', () => {
    const data = parseOhlcvCsv(csv('date,open,high,low,close', '2010-01-04,1,2,0.5,1.5', '2010-01-05,1,2,0.5,1.5'), {});
    expect(data.bars.every((b) => b.volume.isZero())).toBe(true);
    expect(data.columns.volume).toBeUndefined();
    expect(data.columns.notes).toContain('no volume column: every bar has volume 0');
  });

  it('[X-BT-5] ignores extra columns such as `Adj Close` and notes them in columns', () => {
    const data = parseOhlcvCsv(csv('Date,Open,High,Low,Close,Adj Close,Volume', '2010-01-04,1,2,0.5,1.5,1.2,7'), {});
    expect(values(data.bars[0]!)).toEqual(['1', '2', '0.5', '1.5', '7']);
    expect(data.columns.ignored).toEqual(['Adj Close']);
    expect(data.columns.notes.some((n) => n.includes('Adj Close'))).toBe(true);
  });

  it('[X-BT-5] prefers unix_ms over another time column and cross-checks a time column that carries an offset', () => {
    const good = parseOhlcvCsv(csv('time_utc,unix_ms,open,high,low,close,volume', `2022-12-13T00:00:00Z,${String(T0)},1,2,0.5,1.5,1`), {});
    expect(good.columns).toMatchObject({ time: 'unix_ms', crossChecked: ['time_utc'] });
    const error = errorOf(() => parseOhlcvCsv(csv('time_utc,unix_ms,open,high,low,close,volume', `2022-12-13T00:00:00Z,${String(T0)},1,2,0.5,1.5,1`, `2022-12-13T00:05:00Z,${String(T0 + MINUTE)},1,2,0.5,1.5,1`), {}));
    expect(error).toMatchObject({ line: 3, reason: 'bad_time' });
  });

  it('[X-BT-5] passes a session column through only when every value is pre, rth or post', () => {
    const text = (third: string): string => csv('unix_ms,open,high,low,close,volume,session', `${String(T0)},1,2,0.5,1.5,1,pre`, `${String(T0 + MINUTE)},1,2,0.5,1.5,1,RTH`, `${String(T0 + 2 * MINUTE)},1,2,0.5,1.5,1,${third}`);
    expect(parseOhlcvCsv(text('post'), {}).bars.map((b) => b.session)).toEqual(['pre', 'rth', 'post']);
    const odd = parseOhlcvCsv(text('regular'), {});
    expect(odd.bars.map((b) => b.session)).toEqual([undefined, undefined, undefined]);
    expect(odd.columns.session).toBeUndefined();
    expect(odd.columns.ignored).toEqual(['session']);
    expect(odd.columns.notes.some((n) => n.includes('line 4') && n.includes('regular'))).toBe(true);
  });
});

describe('X-BT-5 OHLCV import: bad rows are reported with file and line', () => {
  const header = 'date,open,high,low,close,volume';
  const good = (day: number): string => `2010-01-${String(day).padStart(2, '0')},10,11,9,10.5,100`;
  const failWith = (badRow: string): OhlcvError => errorOf(() => parseOhlcvCsv(csv(header, good(4), badRow, good(6)), { file: 'spy.csv' }));

  it.each([
    ['bad_columns', '2010-01-05,10,11,9,10.5', 'expected 6 columns, got 5'],
    ['bad_time', 'yesterday,10,11,9,10.5,100', 'date: "yesterday" is neither an epoch time nor an ISO 8601 date'],
    ['bad_time', '2010-02-30,10,11,9,10.5,100', 'date: "2010-02-30" is not a valid ISO 8601 time'],
    ['bad_time', '9000000000000000,10,11,9,10.5,100', 'date: "9000000000000000" is too large for an epoch time'],
    ['bad_number', '2010-01-05,ten,11,9,10.5,100', 'open "ten" is not a decimal'],
    ['bad_number', '2010-01-05,10,11,0,10.5,100', 'low 0 is not > 0'],
    ['bad_number', '2010-01-05,10,11,9,10.5,-1', 'volume "-1" is not a decimal >= 0'],
    ['bad_number', '2010-01-05,10,11,9,10.5,NaN', 'volume "NaN" is not a decimal >= 0'],
    ['bad_number', '2010-01-05,10,11,9,Infinity,100', 'close "Infinity" is not a decimal'],
    ['inconsistent_ohlc', '2010-01-05,10,8,9,8.5,100', 'O 10 H 8 L 9 C 8.5: low is above high'],
    ['inconsistent_ohlc', '2010-01-05,10,10.4,9,10.5,100', 'O 10 H 10.4 L 9 C 10.5: high is below the open or close'],
    ['inconsistent_ohlc', '2010-01-05,10,11,9.5,9.4,100', 'O 10 H 11 L 9.5 C 9.4: low is above the open or close'],
    ['duplicate_time', `${good(4)}`, '2010-01-04 repeats the time of line 2'],
    ['out_of_order', '2010-01-03,10,11,9,10.5,100', '2010-01-03 is before line 2'],
  ] as const)('[X-BT-5] reports %s on line 3 (row 2 after the header): %s', (reason, row, detail) => {
    const error = failWith(row);
    expect(error).toMatchObject({ _tag: 'OhlcvError', file: 'spy.csv', line: 3, reason });
    expect(error.detail).toContain(detail);
    expect(error.problems).toEqual([{ line: 3, reason, detail: error.detail }]);
    expect(error.message).toBe(`spy.csv:3: ${reason}: ${error.detail}`);
  });

  it('[X-BT-5] reports high < low on row 3 as line 4 (the header is line 1)', () => {
    const error = errorOf(() => parseOhlcvCsv(csv(header, good(4), good(5), '2010-01-06,10,9,11,10,100'), { file: 'x.csv' }));
    expect(error).toMatchObject({ line: 4, reason: 'inconsistent_ohlc' });
  });

  it('[X-BT-5] reports several bad rows together, each with its own line, in line order', () => {
    const text = csv(header, good(4), '2010-01-05,10,8,9,8.5,100', good(6), '2010-01-07,x,11,9,10.5,100', good(8), good(8), '2010-01-11,10,11,9');
    const error = errorOf(() => parseOhlcvCsv(text, { file: 'many.csv' }));
    expect(error.problems.map((p) => [p.line, p.reason])).toEqual([
      [3, 'inconsistent_ohlc'],
      [5, 'bad_number'],
      [7, 'duplicate_time'],
      [8, 'bad_columns'],
    ]);
    expect(error).toMatchObject({ file: 'many.csv', line: 3, reason: 'inconsistent_ohlc' });
    expect(error.message).toMatch(/^many\.csv:3: inconsistent_ohlc: .* \(and 3 more problems\)$/);
  });

  it('[X-BT-5] one misplaced row is reported once, at the row that then goes back in time', () => {
    const error = errorOf(() => parseOhlcvCsv(csv(header, good(4), '2011-01-05,10,11,9,10.5,100', good(6), good(7)), {}));
    expect(error.problems.map((p) => [p.line, p.reason])).toEqual([[4, 'out_of_order']]);
  });

  it('[X-BT-5] counts blank lines and CRLF endings in line numbers', () => {
    const text = [header, good(4), '', good(5), '2010-01-06,10,11,9,10.5,oops', ''].join('\r\n');
    expect(errorOf(() => parseOhlcvCsv(text, {}))).toMatchObject({ line: 5, reason: 'bad_number' });
  });

  it('[X-BT-5] lists at most 50 problems and counts the rest in the message', () => {
    const rows = Array.from({ length: 60 }, (_, i) => `${String(T0 + i * MINUTE)},10,11,9,10.5,-1`);
    const error = errorOf(() => parseOhlcvCsv(csv('unix_ms,open,high,low,close,volume', ...rows), { file: 'f.csv' }));
    expect(error.problems).toHaveLength(50);
    expect(error.problems[49]?.line).toBe(51);
    expect(error.message).toMatch(/\(and 59 more problems\)$/);
  });

  it('[X-BT-5] refuses a header without a time column or a price column, and one naming a field twice', () => {
    expect(errorOf(() => parseOhlcvCsv(csv('open,high,low,close', '1,2,0.5,1.5'), {}))).toMatchObject({ line: 1, reason: 'bad_header' });
    const noClose = errorOf(() => parseOhlcvCsv(csv('date,open,high,low,volume', '2010-01-04,1,2,0.5,1'), {}));
    expect(noClose).toMatchObject({ line: 1, reason: 'bad_header' });
    expect(noClose.detail).toContain('close (close/c)');
    expect(errorOf(() => parseOhlcvCsv(csv('date,open,o,high,low,close', '2010-01-04,1,1,2,0.5,1.5'), {}))).toMatchObject({ line: 1, reason: 'bad_header' });
  });

  it('[X-BT-5] refuses an empty file and a header-only file as empty', () => {
    for (const text of ['', '\n\n', `${header}\n`, `${header}\n\n`]) expect(errorOf(() => parseOhlcvCsv(text, { file: 'e.csv' }))).toMatchObject({ file: 'e.csv', reason: 'empty' });
  });

  it('[X-BT-5] refuses a time zone that is not an IANA zone', () => {
    expect(errorOf(() => parseOhlcvCsv(csv(header, good(4)), { timeZone: 'Mars/Olympus_Mons' }))).toMatchObject({ line: 0, reason: 'bad_time_zone' });
    expect(errorOf(() => loadOhlcvCsv(dataFile('us-equity-1d/SPY_1d_raw.csv'), { timeZone: 'EST+5' }))).toMatchObject({ reason: 'bad_time_zone' });
  });

  it('[X-BT-5] reports a file it cannot read as unreadable with the file name', () => {
    const file = dataFile('no-such-file.csv');
    expect(errorOf(() => loadOhlcvCsv(file))).toMatchObject({ file, line: 0, reason: 'unreadable' });
  });

  it('[X-BT-5] reports broken CSV quoting as bad_columns with the line', () => {
    expect(errorOf(() => parseOhlcvCsv(csv(header, good(4), '"2010-01-05,10,11,9,10.5,100'), {}))).toMatchObject({ reason: 'bad_columns', line: 3 });
  });
});

describe('X-BT-5 OHLCV import: gaps', () => {
  it('[X-BT-5] reports a missing minute in the middle with the line after it and the number of missing bars', () => {
    const data = parseOhlcvCsv(minuteRows([0, 1, 2, 4, 5, 9, 10]), { file: 'm.csv' });
    expect(data.intervalMs).toBe(MINUTE);
    expect(data.bars).toHaveLength(7);
    expect(data.gaps).toEqual([
      { line: 5, from: T0 + 2 * MINUTE, to: T0 + 4 * MINUTE, missingBars: 1, kind: 'missing' },
      { line: 7, from: T0 + 5 * MINUTE, to: T0 + 9 * MINUTE, missingBars: 3, kind: 'missing' },
    ]);
  });

  it('[X-BT-5] does not report a weekend in daily data as a gap, but reports a missing weekday', () => {
    // 2010-01-08 is a Friday, 2010-01-11 a Monday; Tuesday 2010-01-12 is missing.
    const text = csv('date,open,high,low,close', ...['2010-01-07', '2010-01-08', '2010-01-11', '2010-01-13', '2010-01-14'].map((d) => `${d},1,2,0.5,1.5`));
    for (const timeZone of ['UTC', 'America/New_York']) {
      const data = parseOhlcvCsv(text, { timeZone });
      expect(data.intervalMs).toBe(DAY);
      expect(data.gaps).toEqual([{ line: 5, from: data.bars[2]!.start, to: data.bars[3]!.start, missingBars: 1, kind: 'missing' }]);
    }
  });

  it('[X-BT-5] counts only weekdays in a daily gap that spans a weekend, and counts days across a clock change', () => {
    // Thursday 2021-03-11 to Tuesday 2021-03-16 in New York: Fri 12 and Mon 15 are missing; the clocks change on the 14th.
    const data = parseOhlcvCsv(csv('date,open,high,low,close', '2021-03-09,1,2,0.5,1.5', '2021-03-10,1,2,0.5,1.5', '2021-03-11,1,2,0.5,1.5', '2021-03-16,1,2,0.5,1.5', '2021-03-17,1,2,0.5,1.5'), { timeZone: 'America/New_York' });
    expect(data.gaps.map((g) => [g.line, g.missingBars])).toEqual([[5, 2]]);
  });

  it('[X-BT-5] reports an overnight break of intraday data as a session gap (information only)', () => {
    // 15:58 and 15:59 New York, then 09:30 the next day.
    const starts = [Date.UTC(2013, 9, 4, 19, 58), Date.UTC(2013, 9, 4, 19, 59), Date.UTC(2013, 9, 7, 13, 30), Date.UTC(2013, 9, 7, 13, 31)];
    const data = parseOhlcvCsv(csv('unix_ms,open,high,low,close', ...starts.map((s) => `${String(s)},1,2,0.5,1.5`)), { timeZone: 'America/New_York' });
    expect(data.gaps).toEqual([{ line: 4, from: starts[1], to: starts[2], missingBars: (starts[2]! - starts[1]!) / MINUTE - 1, kind: 'session' }]);
  });
});

describe('X-BT-5 OHLCV import: filterRange', () => {
  it('[X-BT-5] keeps bars from `from` (inclusive) to `to` (exclusive) by bar start', () => {
    const { bars } = parseOhlcvCsv(minuteRows([0, 1, 2, 3, 4]), {});
    expect(filterRange(bars, T0 + MINUTE, T0 + 3 * MINUTE).map((b) => b.start)).toEqual([T0 + MINUTE, T0 + 2 * MINUTE]);
    expect(filterRange(bars, T0 + 3 * MINUTE)).toHaveLength(2);
    expect(filterRange(bars, undefined, T0 + MINUTE)).toHaveLength(1);
    expect(filterRange(bars)).toHaveLength(5);
  });
});

describe('X-BT-5 resampling', () => {
  const bar = (start: number, o: string, h: string, l: string, c: string, v: string, session?: Bar['session']): Bar => ({
    start,
    open: dec(o),
    high: dec(h),
    low: dec(l),
    close: dec(c),
    volume: dec(v),
    ...(session === undefined ? {} : { session }),
  });

  it('[X-BT-5] names the timeframes and their lengths', () => {
    expect(parseTimeframe('5m')).toBe('5m');
    expect(parseTimeframe(' 1h ')).toBe('1h');
    expect(parseTimeframe('7m')).toBeUndefined();
    expect(parseTimeframe('toString')).toBeUndefined();
    expect(timeframeMs('4h')).toBe(4 * 3_600_000);
    expect(timeframeMs('1d')).toBe(DAY);
  });

  it('[X-BT-5] resamples 1m to 5m with exact OHLCV, aligning buckets to UTC multiples when the first bar is mid-bucket', () => {
    const bars = [
      bar(T0 + 3 * MINUTE, '10', '10.5', '9.9', '10.2', '0.1'),
      bar(T0 + 4 * MINUTE, '10.2', '10.3', '10.1', '10.25', '0.2'),
      bar(T0 + 5 * MINUTE, '10.25', '10.4', '10.2', '10.3', '1'),
      bar(T0 + 6 * MINUTE, '10.3', '11', '10.3', '10.9', '2'),
      bar(T0 + 7 * MINUTE, '10.9', '10.95', '9.5', '9.6', '3'),
      bar(T0 + 9 * MINUTE, '9.6', '9.7', '9.55', '9.65', '4'),
      bar(T0 + 10 * MINUTE, '9.65', '9.65', '9.65', '9.65', '0'),
    ];
    const out = resample(bars, MINUTE, '5m');
    expect(out.map((b) => [b.start, ...values(b)])).toEqual([
      [T0, '10', '10.5', '9.9', '10.25', '0.3'],
      [T0 + 5 * MINUTE, '10.25', '11', '9.5', '9.65', '10'],
      [T0 + 10 * MINUTE, '9.65', '9.65', '9.65', '9.65', '0'],
    ]);
  });

  it('[X-BT-5] resamples 1m to 1d by the New York calendar date, each day starting at local midnight', () => {
    const bars = [
      bar(Date.UTC(2022, 11, 13, 4, 59), '1', '2', '0.5', '1.5', '1', 'post'), // 2022-12-12 23:59 EST
      bar(Date.UTC(2022, 11, 13, 5, 0), '1.5', '3', '1', '2', '2', 'pre'), // 2022-12-13 00:00 EST
      bar(Date.UTC(2022, 11, 13, 14, 30), '2', '4', '1.8', '3.5', '3', 'rth'),
      bar(Date.UTC(2023, 6, 3, 13, 30), '5', '6', '4', '5.5', '4', 'rth'), // 2023-07-03 09:30 EDT
      bar(Date.UTC(2023, 6, 3, 19, 59), '5.5', '5.6', '5.4', '5.45', '5', 'rth'),
    ];
    const out = resample(bars, MINUTE, '1d', { timeZone: 'America/New_York' });
    expect(out.map((b) => [b.start, ...values(b), b.session])).toEqual([
      [Date.UTC(2022, 11, 12, 5), '1', '2', '0.5', '1.5', '1', 'post'],
      [Date.UTC(2022, 11, 13, 5), '1.5', '4', '1', '3.5', '5', undefined],
      [Date.UTC(2023, 6, 3, 4), '5', '6', '4', '5.45', '9', 'rth'],
    ]);
    expect('session' in out[1]!).toBe(false);
    // The same bars by UTC date: 04:59Z and 05:00Z fall on the same day.
    expect(resample(bars, MINUTE, '1d').map((b) => b.start)).toEqual([Date.UTC(2022, 11, 13), Date.UTC(2023, 6, 3)]);
  });

  it('[X-BT-5] refuses a target shorter than the source interval or not a whole multiple of it', () => {
    const bars = [bar(T0, '1', '2', '0.5', '1.5', '1')];
    const shorter = errorOf(() => resample(bars, 5 * MINUTE, '1m'));
    expect(shorter).toMatchObject({ _tag: 'OhlcvError', file: '<resample>', line: 0, reason: 'bad_timeframe' });
    expect(errorOf(() => resample(bars, 3 * MINUTE, '5m'))).toMatchObject({ reason: 'bad_timeframe' });
    expect(errorOf(() => resample(bars, 7 * MINUTE, '15m'))).toMatchObject({ reason: 'bad_timeframe' });
    expect(errorOf(() => resample(bars, 2 * DAY, '1d'))).toMatchObject({ reason: 'bad_timeframe' });
    expect(errorOf(() => resample(bars, 0, '5m'))).toMatchObject({ reason: 'bad_timeframe' });
    expect(errorOf(() => resample(bars, MINUTE, '1d', { timeZone: 'Nowhere/Land' }))).toMatchObject({ reason: 'bad_time_zone' });
    expect(resample(bars, 7 * MINUTE, '1d')).toHaveLength(1);
    expect(resample(bars, DAY, '1d')).toHaveLength(1);
  });

  it('[X-BT-5] refuses source bars that straddle a target bucket and bars out of order', () => {
    expect(errorOf(() => resample([bar(T0 + 4 * MINUTE + 30_000, '1', '2', '0.5', '1.5', '1')], MINUTE, '5m'))).toMatchObject({ reason: 'bad_timeframe' });
    expect(errorOf(() => resample([bar(T0 + MINUTE, '1', '2', '0.5', '1.5', '1'), bar(T0, '1', '2', '0.5', '1.5', '1')], MINUTE, '5m'))).toMatchObject({ reason: 'out_of_order' });
  });

  it('[X-BT-5] resamples the bundled Bybit 1m feed to 1h: 12 full hours and the 12:00 bar, volume preserved', () => {
    const data = loadOhlcvCsv(dataFile('crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv'));
    const hourly = resample(data.bars, data.intervalMs, '1h');
    expect(hourly.map((b) => b.start)).toEqual(Array.from({ length: 13 }, (_, i) => T0 + i * 3_600_000));
    expect(sumDec(hourly.map((b) => b.volume)).eq(sumDec(data.bars.map((b) => b.volume)))).toBe(true);
  });

  it('[X-BT-5] property: resampling preserves total volume, the global high and low, the first open and the last close', () => {
    const TARGETS: ReadonlyArray<Timeframe> = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d'];
    const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe'];
    const barArb = fc.record({ low: fc.integer({ min: 1, max: 1_000_000 }), range: fc.integer({ min: 0, max: 10_000 }), openAt: fc.double({ min: 0, max: 1, noNaN: true }), closeAt: fc.double({ min: 0, max: 1, noNaN: true }), volume: fc.integer({ min: 0, max: 1_000_000_000 }) });
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 4 * 1440 }), { minLength: 1, maxLength: 300 }), fc.array(barArb, { minLength: 300, maxLength: 300 }), fc.constantFrom(...TARGETS), fc.constantFrom(...ZONES), (minutes, shapes, target, timeZone) => {
        const sorted = [...minutes].sort((a, b) => a - b);
        const bars = sorted.map((m, i) => {
          const s = shapes[i]!;
          // Prices with 4 decimals: low, low + range, and open/close placed inside [low, high].
          const low = new Decimal(s.low).div(10_000);
          const high = low.plus(new Decimal(s.range).div(10_000));
          const inside = (f: number): Decimal => low.plus(high.minus(low).times(Math.round(f * 100)).div(100));
          return bar(T0 + m * MINUTE, inside(s.openAt).toString(), high.toString(), low.toString(), inside(s.closeAt).toString(), new Decimal(s.volume).div(1000).toString());
        });
        const out = resample(bars, MINUTE, target, { timeZone });
        expect(sumDec(out.map((b) => b.volume)).eq(sumDec(bars.map((b) => b.volume)))).toBe(true);
        expect(out.map((b) => b.high).reduce(maxDec).eq(bars.map((b) => b.high).reduce(maxDec))).toBe(true);
        expect(out.map((b) => b.low).reduce(minDec).eq(bars.map((b) => b.low).reduce(minDec))).toBe(true);
        expect(out[0]!.open.eq(bars[0]!.open)).toBe(true);
        expect(out[out.length - 1]!.close.eq(bars[bars.length - 1]!.close)).toBe(true);
        expect(out.length).toBeLessThanOrEqual(bars.length);
        for (let i = 1; i < out.length; i++) expect(out[i]!.start).toBeGreaterThan(out[i - 1]!.start);
        for (const b of out) expect(b.low.lte(minDec(b.open, b.close)) && b.high.gte(maxDec(b.open, b.close))).toBe(true);
      }),
      { seed: 20261213, numRuns: 200 },
    );
  });
});
