/**
 * Textbook re-computations of the indicators for the property tests: each value is computed from the bars alone by
 * plain loops over whole windows (O(period) or more a bar), sharing no code with src/strategies/indicators/, so an
 * incremental shortcut (running means, variance updates, resyncs, session resets) that drifts or slips shows up as a
 * difference. Test support; pure.
 */
import type { AdxValue, BollingerValue, DonchianValue, PriceBar } from '../../../src/strategies/indicators/index.ts';

type Series = Array<number | undefined>;

const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sumOf = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0);
const typical = (b: PriceBar): number => (b.high + b.low + b.close) / 3;
const ratioIndex = (up: number, down: number, neutral: number): number => (up + down === 0 ? neutral : 100 - 100 / (1 + up / down));

/** Wilder's average of `xs`: undefined before `n` inputs, then seeded with their mean. */
const wilder = (xs: ReadonlyArray<number>, n: number): Series => {
  const out: Series = [];
  let avg: number | undefined;
  xs.forEach((x, i) => {
    if (i === n - 1) avg = mean(xs.slice(0, n));
    else if (avg !== undefined) avg = (avg * (n - 1) + x) / n;
    out.push(avg);
  });
  return out;
};

export const naiveSma = (bars: ReadonlyArray<PriceBar>, n: number): Series => bars.map((_, i) => (i + 1 < n ? undefined : mean(bars.slice(i + 1 - n, i + 1).map((b) => b.close))));

export const naiveEma = (bars: ReadonlyArray<PriceBar>, n: number): Series => {
  const k = 2 / (n + 1);
  let ema: number | undefined;
  return bars.map((b, i) => {
    if (i === n - 1) ema = mean(bars.slice(0, n).map((x) => x.close));
    else if (ema !== undefined) ema = b.close * k + ema * (1 - k);
    return ema;
  });
};

export const naiveRsi = (bars: ReadonlyArray<PriceBar>, n: number, averaging: 'wilder' | 'simple'): Series => {
  const changes = bars.slice(1).map((b, i) => b.close - bars[i]!.close);
  const gains = changes.map((c) => Math.max(c, 0));
  const losses = changes.map((c) => Math.max(-c, 0));
  const up = averaging === 'wilder' ? wilder(gains, n) : gains.map((_, i) => (i + 1 < n ? undefined : mean(gains.slice(i + 1 - n, i + 1))));
  const down = averaging === 'wilder' ? wilder(losses, n) : losses.map((_, i) => (i + 1 < n ? undefined : mean(losses.slice(i + 1 - n, i + 1))));
  return [undefined, ...up.map((u, i) => (u === undefined ? undefined : ratioIndex(u, down[i]!, 50)))];
};

const trueRanges = (bars: ReadonlyArray<PriceBar>): number[] =>
  bars.map((b, i) => (i === 0 ? b.high - b.low : Math.max(b.high - b.low, Math.abs(b.high - bars[i - 1]!.close), Math.abs(b.low - bars[i - 1]!.close))));

export const naiveAtr = (bars: ReadonlyArray<PriceBar>, n: number): Series => wilder(trueRanges(bars), n);

export const naiveAdx = (bars: ReadonlyArray<PriceBar>, n: number): Array<AdxValue | undefined> => {
  const later = bars.slice(1);
  const tr = trueRanges(bars).slice(1);
  const plusDm = later.map((b, i) => {
    const up = b.high - bars[i]!.high;
    const down = bars[i]!.low - b.low;
    return up > down && up > 0 ? up : 0;
  });
  const minusDm = later.map((b, i) => {
    const up = b.high - bars[i]!.high;
    const down = bars[i]!.low - b.low;
    return down > up && down > 0 ? down : 0;
  });
  // Wilder's worksheet form: running sums TR14 = TR14 − TR14/14 + TR, whose ratios equal those of the averages.
  const wilderSum = (xs: number[]): Series => wilder(xs, n).map((v) => (v === undefined ? v : v * n));
  const [trS, plusS, minusS] = [wilderSum(tr), wilderSum(plusDm), wilderSum(minusDm)];
  const di = trS.map((t, i) => (t === undefined ? undefined : { plus: t === 0 ? 0 : (100 * plusS[i]!) / t, minus: t === 0 ? 0 : (100 * minusS[i]!) / t }));
  const dxs = di.flatMap((d) => (d === undefined ? [] : [d.plus + d.minus === 0 ? 0 : (100 * Math.abs(d.plus - d.minus)) / (d.plus + d.minus)]));
  const adx = wilder(dxs, n);
  const firstDi = di.findIndex((d) => d !== undefined);
  return [undefined, ...di.map((d, i) => (d === undefined ? undefined : { plusDi: d.plus, minusDi: d.minus, dx: dxs[i - firstDi]!, adx: adx[i - firstDi] }))];
};

export const naiveBollinger = (bars: ReadonlyArray<PriceBar>, n: number, k: number): Array<BollingerValue | undefined> =>
  bars.map((_, i) => {
    if (i + 1 < n) return undefined;
    const window = bars.slice(i + 1 - n, i + 1).map((b) => b.close);
    const mid = mean(window);
    const sd = Math.sqrt(mean(window.map((x) => (x - mid) ** 2)));
    return { upper: mid + k * sd, middle: mid, lower: mid - k * sd, stdDev: sd };
  });

const vwapOf = (window: ReadonlyArray<PriceBar>): number | undefined => {
  const volume = sumOf(window.map((b) => b.volume));
  return volume === 0 ? undefined : sumOf(window.map((b) => typical(b) * b.volume)) / volume;
};

export const naiveSessionVwap = (bars: ReadonlyArray<PriceBar>, sessionOf: (start: number) => string | number): Series =>
  bars.map((b, i) => {
    let from = i;
    while (from > 0 && sessionOf(bars[from - 1]!.start) === sessionOf(b.start)) from -= 1;
    return vwapOf(bars.slice(from, i + 1));
  });

export const naiveRollingVwap = (bars: ReadonlyArray<PriceBar>, n: number): Series => bars.map((_, i) => (i + 1 < n ? undefined : vwapOf(bars.slice(i + 1 - n, i + 1))));

export const naiveMfi = (bars: ReadonlyArray<PriceBar>, n: number): Series =>
  bars.map((_, i) => {
    if (i < n) return undefined;
    let positive = 0;
    let negative = 0;
    for (let j = i + 1 - n; j <= i; j++) {
      const now = typical(bars[j]!);
      const before = typical(bars[j - 1]!);
      if (now > before) positive += now * bars[j]!.volume;
      if (now < before) negative += now * bars[j]!.volume;
    }
    return ratioIndex(positive, negative, 50);
  });

export const naiveDonchian = (bars: ReadonlyArray<PriceBar>, n: number): Array<DonchianValue | undefined> =>
  bars.map((_, i) => {
    if (i + 1 < n) return undefined;
    const window = bars.slice(i + 1 - n, i + 1);
    return { upper: Math.max(...window.map((b) => b.high)), lower: Math.min(...window.map((b) => b.low)) };
  });
