/**
 * Worked examples and edge cases of the indicators: MFI against a hand computation (no reference table exists for it),
 * the degenerate windows (no movement, no volume, flat bars), session-anchored VWAP resetting at UTC days and at
 * 09:30 New York across a clock change and on a real SPY minute day, warm-up lengths, long-series drift, and the typed
 * refusal of bad parameters.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOhlcvCsv } from '../../../src/backtest/data/ohlcv.ts';
import { dec } from '../../../src/domain/money.ts';
import {
  Adx, adxSeries, Atr, atrSeries, Bollinger, bollingerSeries, Donchian, Ema, IndicatorError, MAX_PERIOD, Mfi, mfiSeries, priceBarOf, priceOf, RollingVwap,
  Rsi, rsiSeries, SessionVwap, sessionVwapSeries, sessionsStartingAt, Sma, smaSeries, utcDaySession, type PriceBar,
} from '../../../src/strategies/indicators/index.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 2); // 2024-01-02T00:00:00Z

/** A bar at minute `i` after T0 with the given high, low, close and volume (open = close). */
const bar = (i: number, high: number, low: number, close: number, volume: number): PriceBar => ({ start: T0 + i * MINUTE, open: close, high, low, close, volume });
const closes = (...xs: number[]): PriceBar[] => xs.map((c, i) => bar(i, c, c, c, 1));

/** Returns the IndicatorError `run` throws. */
const refusal = (run: () => unknown): IndicatorError => {
  try {
    run();
  } catch (e) {
    if (e instanceof IndicatorError) return e;
    throw e;
  }
  throw new Error('expected an IndicatorError');
};

describe('S1-18 MFI', () => {
  it('S1-18 MFI(3) on six bars equals the hand computation', () => {
    // typical price tp = (H + L + C) / 3, raw money flow = tp × volume, signed by tp against the previous bar's tp.
    const bars = [
      bar(0, 11, 9, 10, 100), // tp 10                  (no previous bar: no flow)
      bar(1, 12, 10, 11, 200), // tp 11 > 10: +11 × 200 = +2200
      bar(2, 11, 9, 10, 150), //  tp 10 < 11: −10 × 150 = −1500
      bar(3, 13, 11, 12, 100), // tp 12 > 10: +12 × 100 = +1200
      bar(4, 13, 11, 12, 300), // tp 12 = 12: no flow either way
      bar(5, 12, 9, 9, 200), //   tp 10 < 12: −10 × 200 = −2000
    ];
    const mfi = mfiSeries(bars, { period: 3 });
    expect(mfi.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    // bars 1–3: positive 2200 + 1200 = 3400, negative 1500 → 100 × 3400 / 4900 = 69.3877551…
    expect(mfi[3]).toBeCloseTo((100 * 3400) / 4900, 12);
    // bars 2–4: positive 1200, negative 1500 → 100 × 1200 / 2700 = 44.444…
    expect(mfi[4]).toBeCloseTo((100 * 1200) / 2700, 12);
    // bars 3–5: positive 1200, negative 2000 → 100 × 1200 / 3200 = 37.5
    expect(mfi[5]).toBeCloseTo(37.5, 12);
  });

  it('S1-18 MFI reads 100 on rising typical prices, 0 on falling ones and 50 without any money flow', () => {
    expect(mfiSeries(closes(1, 2, 3, 4), { period: 3 })[3]).toBe(100);
    expect(mfiSeries(closes(4, 3, 2, 1), { period: 3 })[3]).toBe(0);
    expect(mfiSeries(closes(5, 5, 5, 5), { period: 3 })[3]).toBe(50);
    const noVolume = [1, 2, 3, 4].map((c, i) => bar(i, c, c, c, 0));
    expect(mfiSeries(noVolume, { period: 3 })[3]).toBe(50);
  });
});

describe('S1-18 degenerate windows', () => {
  it('S1-18 RSI reads 100 after gains only, 0 after losses only and 50 without movement, in both averagings', () => {
    for (const averaging of ['wilder', 'simple'] as const) {
      expect(rsiSeries(closes(1, 2, 3, 4), { period: 3, averaging })[3]).toBe(100);
      expect(rsiSeries(closes(4, 3, 2, 1), { period: 3, averaging })[3]).toBe(0);
      expect(rsiSeries(closes(7, 7, 7, 7), { period: 3, averaging })[3]).toBe(50);
    }
  });

  it('S1-18 S2-7 flat bars give +DI, −DI, DX and ADX of 0, an ATR of 0 and Bollinger bands collapsed onto the price', () => {
    const flat = closes(...Array.from({ length: 12 }, () => 50));
    expect(adxSeries(flat, { period: 3 }).at(-1)).toEqual({ plusDi: 0, minusDi: 0, dx: 0, adx: 0 });
    expect(atrSeries(flat, { period: 3 }).at(-1)).toBe(0);
    // Exactly 0 once the window slid off a move, not the square root of a rounding residue (5.5e-8 here without the
    // equal-run rule: the case fast-check found).
    const afterMove = closes(101.92, 102.78, 102.78);
    expect(bollingerSeries(afterMove, { period: 2, multiplier: 2 }).at(-1)).toEqual({ upper: 102.78, middle: 102.78, lower: 102.78, stdDev: 0 });
  });

  it('S1-18 S2-7 a VWAP has no value while its bars traded no volume', () => {
    const quiet = [bar(0, 2, 1, 1.5, 0), bar(1, 3, 2, 2.5, 0), bar(2, 4, 3, 3.5, 10)];
    expect(sessionVwapSeries(quiet)).toEqual([undefined, undefined, 3.5]);
    const rolling = new RollingVwap({ period: 2 });
    expect([...quiet, bar(3, 4, 3, 3.5, 0), bar(4, 4, 3, 3.5, 0)].map((b) => rolling.update(b))).toEqual([undefined, undefined, 3.5, 3.5, undefined]);
  });
});

describe('S1-18 Donchian channel', () => {
  it('S1-18 read before a bar\'s update it is the breakout window: the highest high and lowest low of the bars before', () => {
    const channel = new Donchian({ period: 3 });
    const bars = [bar(0, 10, 8, 9, 1), bar(1, 12, 9, 11, 1), bar(2, 11, 7, 8, 1), bar(3, 9, 8, 8.5, 1), bar(4, 13, 10, 12.5, 1)];
    const before = bars.map((b) => {
      const previous = channel.value;
      channel.update(b);
      return previous;
    });
    // Bars 0–2: highs 10, 12, 11 and lows 8, 9, 7; bars 1–3: highs 12, 11, 9 and lows 9, 7, 8.
    expect(before).toEqual([undefined, undefined, undefined, { upper: 12, lower: 7 }, { upper: 12, lower: 7 }]);
    // Bar 4 closes at 12.5 above the window's 12: the breakout's long signal. After it, bars 2–4: 13 and 7.
    expect(bars[4]!.close > before[4]!.upper).toBe(true);
    expect(channel.value).toEqual({ upper: 13, lower: 7 });
  });
});

describe('S2-7 session VWAP', () => {
  it('S2-7 resets at each UTC day by default: the hand computation over two days', () => {
    const day = 1440;
    const bars = [
      bar(0, 11, 9, 10, 100), //        day 1: tp 10, Σpv 1000, Σv 100 → 10
      bar(1, 14, 10, 12, 300), //       day 1: tp 12, Σpv 1000 + 3600 = 4600, Σv 400 → 11.5
      bar(day, 21, 19, 20, 50), //      day 2 starts again: tp 20 → 20
      bar(day + 1, 23, 19, 21, 150), // day 2: tp 21, Σpv 1000 + 3150 = 4150, Σv 200 → 20.75
    ];
    expect(sessionVwapSeries(bars)).toEqual([10, 11.5, 20, 20.75]);
    expect(utcDaySession(T0 + day * MINUTE - 1)).toBe(utcDaySession(T0));
    expect(utcDaySession(T0 + day * MINUTE)).toBe(Number(utcDaySession(T0)) + 1);
  });

  it('S2-7 sessions starting 09:30 New York follow the clock change (14:30Z before 2024-03-10, 13:30Z after)', () => {
    const session = sessionsStartingAt('America/New_York', '09:30');
    expect(session(Date.UTC(2024, 2, 8, 14, 29))).toBe('2024-03-07');
    expect(session(Date.UTC(2024, 2, 8, 14, 30))).toBe('2024-03-08');
    // Sunday 10 March: the clocks went forward at 02:00, so 09:30 EDT is 13:30Z.
    expect(session(Date.UTC(2024, 2, 11, 13, 29))).toBe('2024-03-10');
    expect(session(Date.UTC(2024, 2, 11, 13, 30))).toBe('2024-03-11');
    expect(sessionsStartingAt('Europe/Berlin')(Date.UTC(2024, 5, 30, 22, 0))).toBe('2024-07-01');
  });

  it('S2-7 on SPY 2023-08-03 minute bars the 09:30 New York session starts at the opening bar and weighs every bar since', () => {
    const { bars } = loadOhlcvCsv(fileURLToPath(new URL('../../../data/us-equity-1m/SPY_1m_2023-08-03.csv', import.meta.url)));
    const priced = bars.map(priceBarOf);
    const vwap = sessionVwapSeries(priced, { sessionOf: sessionsStartingAt('America/New_York', '09:30') });
    const open = priced.findIndex((b) => b.start === Date.UTC(2023, 7, 3, 13, 30));
    expect(bars[open]!.session).toBe('rth');
    expect(vwap[open]).toBeCloseTo(priceOf(priced[open]!, 'hlc3'), 9);
    // The premarket bars belong to the session of 2 August, which in this file starts with the first bar.
    expect(vwap[0]).toBeCloseTo(priceOf(priced[0]!, 'hlc3'), 9);
    const since = priced.slice(open);
    const expected = since.reduce((s, b) => s + priceOf(b, 'hlc3') * b.volume, 0) / since.reduce((s, b) => s + b.volume, 0);
    expect(vwap.at(-1)).toBeCloseTo(expected, 9);
    expect(vwap[open - 1]).not.toBeCloseTo(vwap[open]!, 3);
  });

  it('S2-7 refuses an unknown zone and a malformed session start with a typed error', () => {
    expect(refusal(() => sessionsStartingAt('Mars/Olympus'))).toMatchObject({ reason: 'bad_parameter' });
    expect(refusal(() => sessionsStartingAt('America/New_York', '9:30')).message).toContain('HH:MM');
    expect(refusal(() => sessionsStartingAt('America/New_York', '24:00'))).toMatchObject({ reason: 'bad_parameter' });
  });
});

describe('S1-18 warm-up, drift and parameters', () => {
  const walk = (n: number, scale: number): PriceBar[] => {
    let price = scale;
    let seed = 7;
    return Array.from({ length: n }, (_, i) => {
      // A small linear congruential generator keeps the series the same on every run.
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      price = Math.max(scale / 100, price * (1 + (seed / 2_147_483_648 - 0.5) / 50));
      return { start: T0 + i * MINUTE, open: price, high: price * 1.001, low: price * 0.999, close: price, volume: 1 + (seed % 1000) };
    });
  };

  it('S1-18 each indicator has its first value exactly after its stated warm-up', () => {
    const bars = walk(100, 100);
    const first = (values: ReadonlyArray<unknown>): number => values.findIndex((v) => v !== undefined) + 1;
    const p = 14;
    const cases = [
      [new Sma({ period: p }), p], [new Ema({ period: p }), p], [new Rsi({ period: p }), p + 1], [new Atr({ period: p }), p],
      [new Adx({ period: p }), p + 1], [new Bollinger({ period: p, multiplier: 2 }), p], [new Mfi({ period: p }), p + 1],
      [new RollingVwap({ period: p }), p], [new SessionVwap(), 1], [new Donchian({ period: p }), p],
    ] as const;
    for (const [indicator, bars_] of cases) {
      expect(indicator.warmUpBars).toBe(bars_);
      expect(first(bars.map((b) => indicator.update(b)))).toBe(bars_);
    }
    expect(first(adxSeries(bars, { period: p }).map((v) => v?.adx))).toBe(2 * p);
  });

  it('S1-18 200,000 bars that fall from 1e6 to 1 leave no drift in the running mean and variance (resynced every lap)', () => {
    const bars = [...walk(100_000, 1e6), ...walk(100_000, 1)];
    const window = bars.slice(-20).map((b) => b.close);
    const mean = window.reduce((a, b) => a + b, 0) / 20;
    const sd = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / 20);
    expect(smaSeries(bars, { period: 20 }).at(-1)).toBeCloseTo(mean, 12);
    expect(bollingerSeries(bars, { period: 20, multiplier: 2 }).at(-1)?.stdDev).toBeCloseTo(sd, 12);
  });

  it('S1-18 reads a market bar\'s Decimals once, as floats, and each price source as defined', () => {
    const b = priceBarOf({ start: 5, open: dec('10.5'), high: dec('12'), low: dec('9'), close: dec('11.25'), volume: dec('300') });
    expect(b).toEqual({ start: 5, open: 10.5, high: 12, low: 9, close: 11.25, volume: 300 });
    expect([priceOf(b, 'hl2'), priceOf(b, 'hlc3'), priceOf(b, 'ohlc4')]).toEqual([10.5, (12 + 9 + 11.25) / 3, (10.5 + 12 + 9 + 11.25) / 4]);
  });

  it('S1-18 refuses a period that is not a whole number in range, and a multiplier that is not > 0, with a typed error', () => {
    expect(refusal(() => new Sma({ period: 0 }))).toMatchObject({ reason: 'bad_period' });
    expect(refusal(() => new Rsi({ period: 1.5 }))).toMatchObject({ reason: 'bad_period' });
    expect(refusal(() => new Ema({ period: MAX_PERIOD + 1 })).message).toContain(`1 to ${String(MAX_PERIOD)}`);
    expect(refusal(() => new Bollinger({ period: 1, multiplier: 2 })).message).toContain('from 2');
    expect(refusal(() => new Bollinger({ period: 20, multiplier: 0 }))).toMatchObject({ reason: 'bad_parameter' });
    expect(refusal(() => new Bollinger({ period: 20, multiplier: Number.NaN }))).toMatchObject({ reason: 'bad_parameter' });
    expect(refusal(() => new Adx({ period: -14 }))).toMatchObject({ reason: 'bad_period' });
  });
});
