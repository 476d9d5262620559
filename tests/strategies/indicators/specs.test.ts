/**
 * S1-18: indicator specs as text (`rsi:14`, `bollinger:20,2`, …) name one pipeline for every caller — the CLI, a
 * config, a learner's features — and give the same numbers as the indicator classes; a bad spec is a typed, readable
 * refusal.
 */
import { describe, expect, it } from 'vitest';
import {
  adxSeries, atrSeries, bollingerSeries, columnSetOf, columnSetsOf, donchianSeries, emaSeries, IndicatorError, mfiSeries, rollingVwapSeries, rsiSeries,
  sessionVwapSeries, sessionsStartingAt, smaSeries, type PriceBar,
} from '../../../src/strategies/indicators/index.ts';
import { barsOf, readTable } from './referenceTables.ts';

const bars: PriceBar[] = barsOf(readTable('spy_with_vwap.txt'));

/** Runs a spec's column set over `bars` and returns its columns as series. */
const run = (spec: string): Record<string, Array<number | undefined>> => {
  const set = columnSetOf(spec);
  const rows = bars.map((b) => set.update(b));
  return Object.fromEntries(set.columns.map((c, j) => [c, rows.map((r) => r[j])]));
};

const refusal = (specs: string[]): IndicatorError => {
  try {
    columnSetsOf(specs);
  } catch (e) {
    if (e instanceof IndicatorError) return e;
    throw e;
  }
  throw new Error('expected an IndicatorError');
};

describe('S1-18 indicator specs', () => {
  it('S1-18 each spec names its columns and gives the same values as the indicator itself', () => {
    const adx = adxSeries(bars, { period: 14 });
    const bands = bollingerSeries(bars, { period: 20, multiplier: 2 });
    expect(run('sma:20')).toEqual({ sma_20: smaSeries(bars, { period: 20 }) });
    expect(run('ema:14')).toEqual({ ema_14: emaSeries(bars, { period: 14 }) });
    expect(run('RSI:14')).toEqual({ rsi_14: rsiSeries(bars, { period: 14 }) });
    expect(run('rsi_simple:14')).toEqual({ rsi_simple_14: rsiSeries(bars, { period: 14, averaging: 'simple' }) });
    expect(run('atr:14')).toEqual({ atr_14: atrSeries(bars, { period: 14 }) });
    expect(run('mfi:14')).toEqual({ mfi_14: mfiSeries(bars, { period: 14 }) });
    expect(run('rolling_vwap:50')).toEqual({ rolling_vwap_50: rollingVwapSeries(bars, { period: 50 }) });
    expect(run('adx:14')).toEqual({ adx_14: adx.map((v) => v?.adx), plus_di_14: adx.map((v) => v?.plusDi), minus_di_14: adx.map((v) => v?.minusDi) });
    expect(run(' bollinger:20,2 ')).toEqual({
      bollinger_20_2_upper: bands.map((v) => v?.upper), bollinger_20_2_middle: bands.map((v) => v?.middle), bollinger_20_2_lower: bands.map((v) => v?.lower),
    });
    const channel = donchianSeries(bars, { period: 20 });
    expect(run('donchian:20')).toEqual({ donchian_20_upper: channel.map((v) => v?.upper), donchian_20_lower: channel.map((v) => v?.lower) });
    expect(run('vwap')).toEqual({ vwap: sessionVwapSeries(bars) });
    expect(run('vwap:America/New_York,09:30')).toEqual({ vwap_America_New_York_0930: sessionVwapSeries(bars, { sessionOf: sessionsStartingAt('America/New_York', '09:30') }) });
    expect(columnSetOf('bollinger:20,2.5').columns[0]).toBe('bollinger_20_2.5_upper');
    expect(columnSetOf('vwap:Europe/Berlin').columns).toEqual(['vwap_Europe_Berlin_0000']);
  });

  it('S1-18 several specs make one row per bar with every column in order', () => {
    const set = columnSetsOf(['rsi:14', 'adx:14']);
    expect(set.columns).toEqual(['rsi_14', 'adx_14', 'plus_di_14', 'minus_di_14']);
    expect(set.update(bars[0]!)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('S1-18 refuses an unknown indicator, a bad period or multiplier, a wrong parameter count and a repeated column, by reason', () => {
    const cases: Array<[string[], IndicatorError['reason'], string]> = [
      [['macd:12,26'], 'unknown_indicator', 'unknown indicator "macd:12,26"; known: sma, ema, rsi'],
      [[''], 'unknown_indicator', 'unknown indicator ""'],
      [['rsi:abc'], 'bad_period', 'rsi: the period must be a whole number such as 14, not "abc"'],
      [['rsi:'], 'bad_period', 'not ""'],
      [['sma:0'], 'bad_period', 'sma: the period must be an integer from 1 to 100000, not 0'],
      [['ema:1e3'], 'bad_period', 'whole number'],
      [['rsi'], 'bad_spec', 'rsi takes one parameter, the period: rsi:<period>'],
      [['atr:14,2'], 'bad_spec', 'atr takes one parameter'],
      [['bollinger:20'], 'bad_spec', 'bollinger takes two parameters'],
      [['bollinger:20,-2'], 'bad_parameter', 'the multiplier must be a number such as 2 or 2.5, not "-2"'],
      [['bollinger:20,0'], 'bad_parameter', 'the multiplier must be a number > 0'],
      [['bollinger:1,2'], 'bad_period', 'from 2 to'],
      [['vwap:Mars/Olympus'], 'bad_parameter', '"Mars/Olympus" is not an IANA time zone'],
      [['vwap:UTC,930'], 'bad_parameter', 'HH:MM'],
      [['vwap:UTC,09:30,x'], 'bad_spec', 'at most a time zone and a session start'],
      [['rsi:14', 'RSI:14'], 'bad_spec', 'the column rsi_14 is asked for twice'],
      [[], 'bad_spec', 'no indicator given'],
    ];
    for (const [specs, reason, message] of cases) {
      const e = refusal(specs);
      expect([specs, e.reason], e.message).toEqual([specs, reason]);
      expect(e.message).toContain(message);
    }
  });
});
