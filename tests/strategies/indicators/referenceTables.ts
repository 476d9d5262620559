/**
 * Reads the Lean reference tables of data/indicator-reference-lean/ (comma-separated, a header row, empty cells or `NaN`
 * while an indicator warms up) and compares an indicator's series with one of their columns row by row. Test support;
 * reads only the fixtures.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PriceBar } from '../../../src/strategies/indicators/index.ts';

/** One reference table: its header and its cells by row. */
export interface ReferenceTable {
  readonly file: string;
  readonly header: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<ReadonlyArray<string>>;
}

const DAY_MS = 86_400_000;

/** Reads `data/indicator-reference-lean/<file>` (the bundled copy; data/README.md names its source and licence). */
export const readTable = (file: string): ReferenceTable => {
  const text = readFileSync(fileURLToPath(new URL(`../../../data/indicator-reference-lean/${file}`, import.meta.url)), 'utf8');
  const [header = '', ...lines] = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return { file, header: header.split(',').map((h) => h.trim()), rows: lines.map((l) => l.split(',').map((c) => c.trim())) };
};

/** Returns the numbers of a column, named in any case (undefined for an empty or `NaN` cell); fails on an unknown one. */
export const column = (table: ReferenceTable, name: string): Array<number | undefined> => {
  const i = table.header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  if (i < 0) throw new Error(`${table.file} has no column ${JSON.stringify(name)}; it has ${table.header.join(', ')}`);
  return table.rows.map((r) => {
    const cell = r[i] ?? '';
    if (cell === '' || cell === 'NaN') return undefined;
    const value = Number(cell);
    if (!Number.isFinite(value)) throw new Error(`${table.file}: ${name} ${JSON.stringify(cell)} is not a number`);
    return value;
  });
};

/**
 * Returns the table's bars: open/high/low/close/volume from the columns of those names, a missing column taking the
 * close (the indicators table has closes only) or 0 for volume; one bar a day, as the tables are daily.
 */
export const barsOf = (table: ReferenceTable): PriceBar[] => {
  const has = (name: string): boolean => table.header.some((h) => h.toLowerCase() === name.toLowerCase());
  const close = column(table, 'Close');
  const field = (name: string): Array<number | undefined> => (has(name) ? column(table, name) : close);
  const [open, high, low] = [field('Open'), field('High'), field('Low')];
  const volume = has('Volume') ? column(table, 'Volume') : [];
  return close.map((c, i) => ({ start: i * DAY_MS, open: open[i]!, high: high[i]!, low: low[i]!, close: c!, volume: volume[i] ?? 0 }));
};

/** The outcome of comparing a series with a reference column. */
export interface Comparison {
  /** The first row the reference has a value in, and the first row the series has one in. */
  readonly referenceFirst: number;
  readonly ourFirst: number;
  /** Rows compared: every row from the reference's first value on. */
  readonly compared: number;
  /** Rows where the series had no value or was farther than the tolerance, as `row: ours vs reference`. */
  readonly failures: ReadonlyArray<string>;
  /** The largest absolute difference seen. */
  readonly maxDifference: number;
}

/** Compares `ours` with `reference` on every row where the reference has a value, within `tolerance` (absolute). */
export const compare = (ours: ReadonlyArray<number | undefined>, reference: ReadonlyArray<number | undefined>, tolerance: number): Comparison => {
  const referenceFirst = reference.findIndex((v) => v !== undefined);
  const ourFirst = ours.findIndex((v) => v !== undefined);
  const failures: string[] = [];
  let compared = 0;
  let maxDifference = 0;
  for (let i = Math.max(0, referenceFirst); i < reference.length; i++) {
    const expected = reference[i];
    const actual = ours[i];
    compared += 1;
    if (expected === undefined || actual === undefined) {
      failures.push(`row ${String(i)}: ${String(actual)} vs ${String(expected)}`);
      continue;
    }
    const difference = Math.abs(actual - expected);
    maxDifference = Math.max(maxDifference, difference);
    if (!(difference <= tolerance)) failures.push(`row ${String(i)}: ${String(actual)} vs ${String(expected)} (off by ${difference.toExponential(2)})`);
  }
  return { referenceFirst, ourFirst, compared, failures, maxDifference };
};
