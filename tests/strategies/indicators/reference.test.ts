/**
 * S1-18: the indicator pipeline against the Lean reference tables (data/indicator-reference-lean/, described in data/README.md). Every row
 * from the table's first value on is compared, and the first value must come on the same bar as the table's. Each
 * tolerance is the rounding of the printed column — half a unit of its last printed decimal where our value rounds
 * to the printed one on every row, one unit where the sheet's own arithmetic is off by a little more (stated per
 * column with the difference measured) — and far tighter than Lean's own tests (1e-3, 1e-4 for ADX).
 */
import { describe, expect, it } from 'vitest';
import { adxSeries, atrSeries, bollingerSeries, emaSeries, rollingVwapSeries, rsiSeries, smaSeries } from '../../../src/strategies/indicators/index.ts';
import { barsOf, column, compare, readTable, type Comparison } from './referenceTables.ts';

/** Half a unit of the `decimals`-th decimal, plus 1e-9 for the binary representation of the printed value. */
const halfUnit = (decimals: number): number => 0.5 * 10 ** -decimals + 1e-9;
/** One unit of the `decimals`-th decimal. */
const oneUnit = (decimals: number): number => 10 ** -decimals;

/** Expects a comparison without failures, over `rows` rows, starting on the same bar as the reference. */
const expectMatch = (c: Comparison, rows: number, sameStart = true): void => {
  expect(c.failures.slice(0, 5)).toEqual([]);
  expect(c.compared).toBe(rows - c.referenceFirst);
  if (sameStart) expect(c.ourFirst).toBe(c.referenceFirst);
};

const indicatorsTable = readTable('spy_with_indicators.txt');
const indicatorBars = barsOf(indicatorsTable);

describe('S1-18 SMA, EMA and RSI against spy_with_indicators.txt (closes only)', () => {
  it('S1-18 SMA(14) matches the SMA14 column on every row within 0.01 (printed to 2 decimals)', () => {
    // Half a unit (0.005) covers 484 of 487 rows; on 3 the sheet's own sum is off by 0.0057 (0.08 / 14), so one unit.
    const c = compare(smaSeries(indicatorBars, { period: 14 }), column(indicatorsTable, 'SMA14'), oneUnit(2));
    expectMatch(c, indicatorBars.length);
    expect(c.referenceFirst).toBe(13);
  });

  it('S1-18 EMA(14), seeded with the SMA of the first 14 closes, matches the EMA14 column within 0.01 (2 decimals)', () => {
    // The sheet's EMA is over half a unit off on 24 of 487 rows (0.0059 at most, measured), so one printed unit.
    const c = compare(emaSeries(indicatorBars, { period: 14 }), column(indicatorsTable, 'EMA14'), oneUnit(2));
    expectMatch(c, indicatorBars.length);
  });

  it('S1-18 RSI(14) with Wilder averaging matches the RSI 14 Wilder column within half a unit of its 5 decimals', () => {
    const c = compare(rsiSeries(indicatorBars, { period: 14 }), column(indicatorsTable, 'RSI 14 Wilder'), halfUnit(5));
    expectMatch(c, indicatorBars.length);
    expect(c.referenceFirst).toBe(14);
  });

  it('S1-18 RSI(14) with simple averaging matches the RSI 14 column within 5e-4', () => {
    // Not a rounding of the print: the sheet computed this column in single precision (closes near 16,000 have a
    // float32 spacing of 0.002, which moves RSI by up to 3.0e-4, measured); a float32 re-computation reproduces the
    // column to 1.3e-5. Lean's own test allows 1e-3. The sheet also starts it one bar late (row 15, not 14).
    const c = compare(rsiSeries(indicatorBars, { period: 14, averaging: 'simple' }), column(indicatorsTable, 'RSI 14'), 5e-4);
    expectMatch(c, indicatorBars.length, false);
    expect([c.ourFirst, c.referenceFirst]).toEqual([14, 15]);
  });
});

describe('S1-18 EMA against spy_ema.csv (full precision)', () => {
  it('S1-18 EMA(14) matches every printed double to 1e-12 relative', () => {
    const table = readTable('spy_ema.csv');
    const reference = column(table, 'EMA14');
    const ours = emaSeries(barsOf(table), { period: 14 });
    // Relative, as the closes run from 44 to 475; measured 0: the recursion gives the very doubles printed.
    const relative = ours.map((v, i) => (v === undefined || reference[i] === undefined ? v : v / reference[i]));
    const c = compare(relative, reference.map((v) => (v === undefined ? v : 1)), 1e-12);
    expectMatch(c, reference.length);
  });
});

describe('S1-18 ATR against spy_atr_wilder.txt', () => {
  it('S1-18 ATR(14) with Wilder smoothing matches within half a unit of its 5 decimals, from the 14th bar', () => {
    const table = readTable('spy_atr_wilder.txt');
    const c = compare(atrSeries(barsOf(table), { period: 14 }), column(table, 'Average True Range 14'), halfUnit(5));
    expectMatch(c, table.rows.length);
    expect(c.referenceFirst).toBe(13);
  });
});

describe('S1-18 S2-7 ADX, +DI and −DI against spy_with_adx.txt', () => {
  const table = readTable('spy_with_adx.txt');
  const values = adxSeries(barsOf(table), { period: 14 });

  it('S1-18 S2-7 +DI14 and −DI14 match within half a unit of their 4 decimals, from the 15th bar', () => {
    const plus = compare(values.map((v) => v?.plusDi), column(table, '+DI14'), halfUnit(4));
    const minus = compare(values.map((v) => v?.minusDi), column(table, '-DI14'), halfUnit(4));
    expectMatch(plus, table.rows.length);
    expectMatch(minus, table.rows.length);
    expect(plus.referenceFirst).toBe(14);
  });

  it('S1-18 S2-7 ADX(14) matches within half a unit of its 4 decimals on every row, from the 28th bar', () => {
    const c = compare(values.map((v) => v?.adx), column(table, 'ADX 14'), halfUnit(4));
    expectMatch(c, table.rows.length);
    expect(c.referenceFirst).toBe(27);
  });

  it('S1-18 S2-7 DX matches within half a unit of its 2 decimals', () => {
    const c = compare(values.map((v) => v?.dx), column(table, 'DX'), halfUnit(2));
    expectMatch(c, table.rows.length);
  });
});

describe('S1-18 S2-7 Bollinger Bands against spy_bollinger_bands.txt', () => {
  const table = readTable('spy_bollinger_bands.txt');
  const values = bollingerSeries(barsOf(table), { period: 20, multiplier: 2 });

  it('S1-18 S2-7 the middle band is the SMA(20) within half a unit of its 4 decimals', () => {
    const c = compare(values.map((v) => v?.middle), column(table, 'Moving Average 20'), halfUnit(4));
    expectMatch(c, table.rows.length);
    expect(c.referenceFirst).toBe(19);
  });

  it('S1-18 S2-7 the bands lie 2 population standard deviations out, within one unit of their 4 decimals', () => {
    // The sheet's bands are over half a unit off on 20 (upper) and 22 (lower) of 481 rows, 6.1e-5 at most
    // (measured), so one printed unit (1e-4); a sample σ (÷19) would be off by 0.033 to 0.30 and fail every row.
    const upper = compare(values.map((v) => v?.upper), column(table, 'Bollinger Bands® 20 2 Top'), oneUnit(4));
    const lower = compare(values.map((v) => v?.lower), column(table, 'Bollinger Bands® 20 2 Bottom'), oneUnit(4));
    expectMatch(upper, table.rows.length);
    expectMatch(lower, table.rows.length);
  });
});

describe('S1-18 S2-7 rolling VWAP against spy_with_vwap.txt', () => {
  it('S1-18 S2-7 VWAP over the last 50 bars priced at ohlc4 matches within one unit of its 4 decimals', () => {
    // Measured 5.6e-5: over half a unit on 13 of 452 rows, so one printed unit. Lean prices a bar at ohlc4; the
    // typical price hlc3 (our default) is off by up to 0.11 here, which is why the test names the source.
    const table = readTable('spy_with_vwap.txt');
    const c = compare(rollingVwapSeries(barsOf(table), { period: 50, source: 'ohlc4' }), column(table, 'Moving VWAP 50'), oneUnit(4));
    expectMatch(c, table.rows.length);
    expect(c.referenceFirst).toBe(49);
  });
});
