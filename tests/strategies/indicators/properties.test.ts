/**
 * X-TST-6 property tests of every indicator, seeded (tests/strategies/indicators/arbitraries.ts: seed 1337, 200 runs
 * each) over random bar series: the batch function equals the incremental indicator fed bar by bar (and `value`
 * repeats what `update` returned), a value never depends on later bars, the incremental O(1) value equals a textbook
 * re-computation from whole windows (tests/strategies/indicators/naive.ts) within 1e-9 relative, and the bounds of
 * each indicator hold (0–100 oscillators, ordered bands, a channel around its bars, a VWAP inside their range).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Adx, adxSeries, Atr, atrSeries, Bollinger, bollingerSeries, Donchian, donchianSeries, Ema, emaSeries, Mfi, mfiSeries, RollingVwap, rollingVwapSeries, Rsi, rsiSeries,
  SessionVwap, sessionVwapSeries, sessionsStartingAt, Sma, smaSeries, utcDaySession, type BollingerValue, type Indicator, type PriceBar, type SessionOf,
} from '../../../src/strategies/indicators/index.ts';
import { barSeries, period, PROPERTY_RUNS } from './arbitraries.ts';
import { naiveAdx, naiveAtr, naiveBollinger, naiveDonchian, naiveEma, naiveMfi, naiveRollingVwap, naiveRsi, naiveSessionVwap, naiveSma } from './naive.ts';

/** One indicator under test: how to build it from generated parameters, its batch form, and its textbook form. */
interface Case<T, P> {
  readonly ids: string;
  readonly name: string;
  readonly params: fc.Arbitrary<P>;
  readonly make: (p: P) => Indicator<T>;
  readonly batch: (bars: PriceBar[], p: P) => Array<T | undefined>;
  readonly naive: (bars: PriceBar[], p: P) => Array<T | undefined>;
  /** The numbers of a value, compared one by one. */
  readonly numbers: (value: T) => ReadonlyArray<number | undefined>;
  /** Returns a broken bound of the value after bar `i`, or undefined when all hold. */
  readonly bound?: (value: T, bars: PriceBar[], i: number, p: P) => string | undefined;
}

const scalar = (v: number): ReadonlyArray<number> => [v];
const within = (name: string, v: number, lo: number, hi: number): string | undefined => (v >= lo - 1e-9 && v <= hi + 1e-9 ? undefined : `${name} ${String(v)} outside [${String(lo)}, ${String(hi)}]`);
const percent = (v: number): string | undefined => within('value', v, 0, 100);
const rangeOf = (bars: ReadonlyArray<PriceBar>): readonly [number, number] => [Math.min(...bars.map((b) => b.low)), Math.max(...bars.map((b) => b.high))];

/** |a − b| ≤ 1e-9 · max(1, |a|, |b|), or both undefined. */
const close = (a: number | undefined, b: number | undefined): boolean => (a === undefined || b === undefined ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

const sessions: fc.Arbitrary<{ readonly label: string; readonly sessionOf: () => SessionOf }> = fc.constantFrom(
  { label: 'UTC days', sessionOf: () => utcDaySession },
  { label: 'New York 09:30', sessionOf: () => sessionsStartingAt('America/New_York', '09:30') },
);

const defineProperties = <T, P>(c: Case<T, P>): void => {
  describe(`${c.ids} ${c.name}`, () => {
    it(`${c.ids} ${c.name}: the batch series equals the incremental values bar by bar, and no value depends on a later bar`, () => {
      fc.assert(
        fc.property(barSeries(), c.params, (bars, p) => {
          const indicator = c.make(p);
          const stepwise = bars.map((bar) => {
            const value = indicator.update(bar);
            expect(indicator.value).toEqual(value);
            return value;
          });
          expect(c.batch(bars, p)).toEqual(stepwise);
          const cut = Math.floor(bars.length / 2);
          expect(c.batch(bars.slice(0, cut), p)).toEqual(stepwise.slice(0, cut));
          const first = stepwise.findIndex((v) => v !== undefined);
          if (first >= 0) expect(first + 1).toBeGreaterThanOrEqual(indicator.warmUpBars);
        }),
        PROPERTY_RUNS,
      );
    });

    it(`${c.ids} ${c.name}: the O(1) incremental value equals the textbook re-computation within 1e-9 relative`, () => {
      fc.assert(
        fc.property(barSeries(), c.params, (bars, p) => {
          const ours = c.batch(bars, p);
          const textbook = c.naive(bars, p);
          ours.forEach((value, i) => {
            const expected = textbook[i];
            expect([i, value === undefined], `bar ${String(i)}`).toEqual([i, expected === undefined]);
            if (value === undefined || expected === undefined) return;
            const [a, b] = [c.numbers(value), c.numbers(expected)];
            a.forEach((x, j) => expect(close(x, b[j]), `bar ${String(i)} output ${String(j)}: ${String(x)} vs ${String(b[j])}`).toBe(true));
          });
        }),
        PROPERTY_RUNS,
      );
    });

    const bound = c.bound;
    if (bound !== undefined) {
      it(`${c.ids} ${c.name}: every value keeps the indicator's bounds`, () => {
        fc.assert(
          fc.property(barSeries(), c.params, (bars, p) => {
            c.batch(bars, p).forEach((value, i) => {
              if (value !== undefined) expect(bound(value, bars, i, p), `bar ${String(i)}`).toBeUndefined();
            });
          }),
          PROPERTY_RUNS,
        );
      });
    }
  });
};

defineProperties({
  ids: 'X-TST-6 S1-18', name: 'SMA', params: period(), numbers: scalar,
  make: (n) => new Sma({ period: n }), batch: (bars, n) => smaSeries(bars, { period: n }), naive: naiveSma,
  bound: (v, bars, i, n) => within('sma', v, ...rangeOf(bars.slice(i + 1 - n, i + 1).map((b) => ({ ...b, low: b.close, high: b.close })))),
});
defineProperties({
  ids: 'X-TST-6 S1-18', name: 'EMA', params: period(), numbers: scalar,
  make: (n) => new Ema({ period: n }), batch: (bars, n) => emaSeries(bars, { period: n }), naive: naiveEma,
  bound: (v, bars, i) => within('ema', v, ...rangeOf(bars.slice(0, i + 1).map((b) => ({ ...b, low: b.close, high: b.close })))),
});
defineProperties({
  ids: 'X-TST-6 S1-18', name: 'RSI (Wilder)', params: period(), numbers: scalar,
  make: (n) => new Rsi({ period: n }), batch: (bars, n) => rsiSeries(bars, { period: n }), naive: (bars, n) => naiveRsi(bars, n, 'wilder'),
  bound: percent,
});
defineProperties({
  ids: 'X-TST-6 S1-18', name: 'RSI (simple)', params: period(), numbers: scalar,
  make: (n) => new Rsi({ period: n, averaging: 'simple' }), batch: (bars, n) => rsiSeries(bars, { period: n, averaging: 'simple' }), naive: (bars, n) => naiveRsi(bars, n, 'simple'),
  bound: percent,
});
defineProperties({
  ids: 'X-TST-6 S1-18', name: 'ATR', params: period(), numbers: scalar,
  make: (n) => new Atr({ period: n }), batch: (bars, n) => atrSeries(bars, { period: n }), naive: naiveAtr,
  bound: (v, bars, i) => within('atr', v, 0, Math.max(...bars.slice(0, i + 1).map((b, j) => Math.max(b.high, bars[j - 1]?.close ?? b.high) - Math.min(b.low, bars[j - 1]?.close ?? b.low)))),
});
defineProperties({
  ids: 'X-TST-6 S1-18 S2-7', name: 'ADX with +DI/−DI', params: period(), numbers: (v) => [v.plusDi, v.minusDi, v.dx, v.adx],
  make: (n) => new Adx({ period: n }), batch: (bars, n) => adxSeries(bars, { period: n }), naive: naiveAdx,
  bound: (v) => within('+DI', v.plusDi, 0, 100) ?? within('−DI', v.minusDi, 0, 100) ?? within('DX', v.dx, 0, 100) ?? (v.adx === undefined ? undefined : within('ADX', v.adx, 0, 100)),
});
defineProperties<BollingerValue, readonly [number, number]>({
  ids: 'X-TST-6 S1-18 S2-7', name: 'Bollinger Bands', params: fc.tuple(period(2), fc.constantFrom(1, 1.5, 2, 2.5, 3)), numbers: (v) => [v.upper, v.middle, v.lower, v.stdDev],
  make: ([n, k]) => new Bollinger({ period: n, multiplier: k }), batch: (bars, [n, k]) => bollingerSeries(bars, { period: n, multiplier: k }), naive: (bars, [n, k]) => naiveBollinger(bars, n, k),
  bound: (v, _bars, _i, [, k]) => (v.lower <= v.middle && v.middle <= v.upper && v.stdDev >= 0 && close(v.upper - v.middle, k * v.stdDev) ? undefined : `bands out of order: ${JSON.stringify(v)}`),
});
defineProperties({
  ids: 'X-TST-6 S1-18', name: 'Donchian channel', params: period(), numbers: (v) => [v.upper, v.lower],
  make: (n) => new Donchian({ period: n }), batch: (bars, n) => donchianSeries(bars, { period: n }), naive: naiveDonchian,
  bound: (v, bars, i) => (v.lower <= bars[i]!.low && bars[i]!.high <= v.upper ? undefined : `channel ${JSON.stringify(v)} misses its own bar`),
});
defineProperties({
  ids: 'X-TST-6 S1-18 S2-7', name: 'session VWAP', params: sessions, numbers: scalar,
  make: (s) => new SessionVwap({ sessionOf: s.sessionOf() }), batch: (bars, s) => sessionVwapSeries(bars, { sessionOf: s.sessionOf() }), naive: (bars, s) => naiveSessionVwap(bars, s.sessionOf()),
  bound: (v, bars, i, s) => {
    const sessionOf = s.sessionOf();
    const own = bars.slice(0, i + 1).filter((b) => sessionOf(b.start) === sessionOf(bars[i]!.start));
    return within('vwap', v, ...rangeOf(own));
  },
});
defineProperties({
  ids: 'X-TST-6 S1-18 S2-7', name: 'rolling VWAP', params: period(), numbers: scalar,
  make: (n) => new RollingVwap({ period: n }), batch: (bars, n) => rollingVwapSeries(bars, { period: n }), naive: naiveRollingVwap,
  bound: (v, bars, i, n) => within('vwap', v, ...rangeOf(bars.slice(i + 1 - n, i + 1))),
});
defineProperties({
  ids: 'X-TST-6 S1-18', name: 'MFI', params: period(), numbers: scalar,
  make: (n) => new Mfi({ period: n }), batch: (bars, n) => mfiSeries(bars, { period: n }), naive: naiveMfi,
  bound: percent,
});
