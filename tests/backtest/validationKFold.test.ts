/**
 * S1-10 purged k-fold with embargo and the walk-forward plan over it, pure and on synthetic samples: the folds tile
 * the samples, no train label overlaps its test window, no train sample starts inside the embargo after it, nothing
 * else is left out (property, committed seed), a worked example, the refusals, and the fold-metric distribution.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/backtest/validation/errors.ts';
import { parseDuration, purgedKFold, testRanges, type LabelSpan } from '../../src/backtest/validation/purgedKFold.ts';
import { moneyDistribution, quantile, ratioDistribution } from '../../src/backtest/validation/stats.ts';
import { barSamples, chooseOnTrain, parseWalkForwardSpec, trainScore, walkForwardPlan, walkForwardReport } from '../../src/backtest/validation/walkForward.ts';
import type { Metrics } from '../../src/backtest/report/types.ts';
import { Decimal } from '../../src/domain/money.ts';

const DAY = 86_400_000;

const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ValidationError ? e.reason : `not a ValidationError: ${String(e)}`;
  }
  return undefined;
};

/** Time-ordered samples: random gaps between starts (ties allowed), random label horizons. */
const samplesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 12 })), { minLength: 2, maxLength: 120 }).map((steps) => {
  let t = 1_000;
  return steps.map(([gap, horizon]): LabelSpan => {
    t += gap;
    return { start: t, end: t + horizon };
  });
});

describe('S1-10 purged k-fold with embargo', () => {
  it('S1-10 no train sample overlaps its test window or starts inside the embargo, and nothing else is left out (property)', () => {
    fc.assert(
      fc.property(samplesArb, fc.integer({ min: 2, max: 10 }), fc.integer({ min: 0, max: 20 }), (samples, kWanted, embargo) => {
        const k = Math.min(kWanted, samples.length);
        const folds = purgedKFold(samples, k, embargo);
        expect(folds).toHaveLength(k);
        // The test folds tile 0 … n-1 in order, sizes within one of each other.
        expect(folds[0]!.test.from).toBe(0);
        expect(folds[k - 1]!.test.to).toBe(samples.length);
        const sizes = folds.map((f) => f.test.to - f.test.from);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let i = 1; i < k; i++) expect(folds[i]!.test.from).toBe(folds[i - 1]!.test.to);
        for (const f of folds) {
          const { start, end } = f.testWindow;
          const train = f.train.flatMap((r) => Array.from({ length: r.to - r.from }, (_, j) => r.from + j));
          for (const j of train) {
            expect(j >= f.test.from && j < f.test.to, `train ${j} inside test`).toBe(false);
            const s = samples[j]!;
            // No train label overlaps the test window …
            expect(s.end < start || s.start > end, `train ${j} [${s.start}, ${s.end}] overlaps [${start}, ${end}]`).toBe(true);
            // … and none starts inside the embargo after it.
            expect(s.start > end && s.start <= end + embargo, `train ${j} starts inside the embargo`).toBe(false);
          }
          // Only the purge and the embargo remove samples: every sample is test, train, purged or embargoed.
          expect(train.length + (f.test.to - f.test.from) + f.purged + f.embargoed).toBe(samples.length);
          // Train ranges are maximal: sorted, non-empty, never touching.
          for (let i = 0; i < f.train.length; i++) {
            expect(f.train[i]!.to).toBeGreaterThan(f.train[i]!.from);
            if (i > 0) expect(f.train[i]!.from).toBeGreaterThan(f.train[i - 1]!.to);
          }
        }
      }),
      { seed: 20_130_610, numRuns: 300 },
    );
  });

  it('S1-10 a worked example: 10 daily samples, 2-day labels, 5 folds, a 1-day embargo', () => {
    const samples = Array.from({ length: 10 }, (_, i): LabelSpan => ({ start: i * DAY, end: i * DAY + 2 * DAY }));
    const folds = purgedKFold(samples, 5, DAY);
    // Fold 2 tests samples 4 and 5: window [4d, 7d]. Samples 2 and 3 end at 4d and 5d (overlap: purged), 6 and 7
    // start inside the window (purged), 8 starts at 8d, within 1 d after 7d (embargoed); 0, 1 and 9 train.
    expect(folds[2]).toEqual({ index: 2, test: { from: 4, to: 6 }, testWindow: { start: 4 * DAY, end: 7 * DAY }, train: [{ from: 0, to: 2 }, { from: 9, to: 10 }], purged: 4, embargoed: 1 });
    // Without labels reaching forward and without an embargo, the train set is everything else.
    const plain = purgedKFold(samples.map((s) => ({ start: s.start, end: s.start })), 5, 0);
    expect(plain[2]!.train).toEqual([{ from: 0, to: 4 }, { from: 6, to: 10 }]);
    expect(plain[2]!.purged + plain[2]!.embargoed).toBe(0);
    expect(testRanges(11, 3)).toEqual([{ from: 0, to: 4 }, { from: 4, to: 8 }, { from: 8, to: 11 }]);
  });

  it('S1-10 refuses k < 2, fewer samples than folds, unordered samples and labels that end before they start', () => {
    const ok: LabelSpan[] = [{ start: 0, end: 1 }, { start: 1, end: 2 }, { start: 2, end: 3 }];
    expect(reasonOf(() => purgedKFold(ok, 1, 0))).toBe('BadOption');
    expect(reasonOf(() => purgedKFold(ok, 2, -1))).toBe('BadOption');
    expect(reasonOf(() => purgedKFold(ok, 4, 0))).toBe('TooFewSamples');
    expect(reasonOf(() => purgedKFold([ok[1]!, ok[0]!, ok[2]!], 2, 0))).toBe('UnorderedSamples');
    expect(reasonOf(() => purgedKFold([{ start: 5, end: 4 }, ...ok], 2, 0))).toBe('UnorderedSamples');
  });
});

describe('S1-10 walk-forward plan', () => {
  it('S1-10 parses k=5,embargo=1d[,horizon=…] and refuses anything else', () => {
    expect(parseWalkForwardSpec('k=5,embargo=1d')).toEqual({ k: 5, embargoMs: DAY, horizonMs: undefined });
    expect(parseWalkForwardSpec(' k=3 , embargo=12h , horizon=30m ')).toEqual({ k: 3, embargoMs: 43_200_000, horizonMs: 1_800_000 });
    expect(parseWalkForwardSpec('k=2')).toEqual({ k: 2, embargoMs: 0, horizonMs: undefined });
    for (const bad of ['', 'embargo=1d', 'k=1', 'k=101', 'k=two', 'k=5,embargo=1', 'k=5,embargo=1y', 'k=5,purge=1d', 'k=5,k=6', 'k=5,embargo']) {
      expect(reasonOf(() => parseWalkForwardSpec(bad)), bad).toBe('BadSpec');
    }
    expect(parseDuration('0', 'x')).toBe(0);
    expect(parseDuration('1.5h', 'x')).toBe(5_400_000);
    expect(parseDuration('2w', 'x')).toBe(14 * DAY);
  });

  it('S1-10 the test folds tile the bars in time and the train ranges leave the embargo out', () => {
    const starts = Array.from({ length: 20 }, (_, i) => i * DAY);
    const folds = walkForwardPlan(starts, DAY, { k: 4, embargoMs: 2 * DAY, horizonMs: 0 });
    expect(folds.map((f) => [f.test.from / DAY, f.test.to / DAY, f.test.bars])).toEqual([[0, 5, 5], [5, 10, 5], [10, 15, 5], [15, 20, 5]]);
    // Fold 2 tests days 5 … 9 (labels reach day 10 − 1 ms); day 4 ends at day 5 − 1 ms: kept; days 10 and 11 start
    // within 2 days of the window's end: embargoed.
    expect(folds[1]!.train.map((r) => [r.from / DAY, r.to / DAY, r.bars])).toEqual([[0, 5, 5], [12, 20, 8]]);
    expect(folds[1]!.embargoed).toBe(2);
    expect(barSamples([0], DAY, DAY)).toEqual([{ start: 0, end: 2 * DAY - 1 }]);
  });

  it('S1-10 reports each fold\'s metrics and their min, median, max, mean ± sd', () => {
    const starts = Array.from({ length: 9 }, (_, i) => i * DAY);
    const folds = walkForwardPlan(starts, DAY, { k: 3, embargoMs: 0, horizonMs: undefined });
    const m = (pnl: string, sharpe: number, profitFactor: number | null): Metrics => ({
      startingEquity: '100', endingEquity: '100', totalPnl: pnl, totalReturn: Number(pnl) / 100, cagr: 0, sharpe, sortino: 0, calmar: 0, maxDrawdown: 0.1,
      maxDrawdownDurationMs: 0, trades: 2, winRate: 0.5, profitFactor, expectancy: '0', averageTradeDurationMs: 0, medianTradeDurationMs: 0, exposureTime: 0, fees: '0', turnover: '0', annualisation: '',
    });
    const report = walkForwardReport({ k: 3, embargoMs: 0, horizonMs: undefined }, DAY, 9, folds, [m('10', 1, 2), m('-4', -0.5, 0.5), m('1', 0.2, null)]);
    expect(report.horizonMs).toBe(DAY);
    expect(report.folds.map((f) => f.metrics.totalPnl)).toEqual(['10', '-4', '1']);
    expect(report.distribution.totalPnl).toMatchObject({ count: 3, min: '-4', median: '1', max: '10', mean: '2.33333333' });
    expect(report.distribution.sharpe).toMatchObject({ min: -0.5, median: 0.2, max: 1, mean: 0.233333333333 });
    expect(report.distribution.sharpe.sd).toBeCloseTo(Math.sqrt(((1 - 0.7 / 3) ** 2 + (-0.5 - 0.7 / 3) ** 2 + (0.2 - 0.7 / 3) ** 2) / 2), 10);
    expect(report.distribution.profitFactor.count).toBe(2);
  });

  it('S1-10 a fold chooses the set with the best bar-weighted train score; missing values are skipped, ties keep the earlier set', () => {
    const m = (sharpe: number, profitFactor: number | null = 1): Metrics => ({
      startingEquity: '100', endingEquity: '100', totalPnl: '0', totalReturn: 0, cagr: 0, sharpe, sortino: 0, calmar: 0, maxDrawdown: sharpe, maxDrawdownDurationMs: 0, trades: 1,
      winRate: 0, profitFactor, expectancy: '0', averageTradeDurationMs: 0, medianTradeDurationMs: 0, exposureTime: 0, fees: '0', turnover: '0', annualisation: '',
    });
    const by = { metric: 'sharpe', direction: 'desc' } as const;
    // (100 × 1 + 300 × 0.2) / 400 = 0.4 against (100 × 0 + 300 × 0.5) / 400 = 0.375.
    const a = [{ bars: 100, metrics: m(1) }, { bars: 300, metrics: m(0.2) }];
    const b = [{ bars: 100, metrics: m(0) }, { bars: 300, metrics: m(0.5) }];
    expect(trainScore(a, by)!.toString()).toBe('0.4');
    expect(chooseOnTrain([{ fast: '5' }, { fast: '10' }], [a, b], by)).toEqual({ params: { fast: '5' }, trainScore: '0.4' });
    expect(chooseOnTrain([{ fast: '5' }, { fast: '10' }], [a, b], { metric: 'maxDrawdown', direction: 'asc' }).params).toEqual({ fast: '10' });
    expect(chooseOnTrain([{ fast: '5' }, { fast: '10' }], [a, a], by).params).toEqual({ fast: '5' });
    const pf = { metric: 'profitFactor', direction: 'desc' } as const;
    expect(trainScore([{ bars: 10, metrics: m(0, null) }, { bars: 30, metrics: m(0, 2) }], pf)!.toString()).toBe('2');
    expect(chooseOnTrain([{ fast: '5' }, { fast: '10' }], [[{ bars: 10, metrics: m(0, null) }], [{ bars: 10, metrics: m(0, 0.5) }]], pf)).toEqual({ params: { fast: '10' }, trainScore: '0.5' });
  });

  it('S1-10 percentiles interpolate like NumPy\'s default; empty and single-value summaries are well defined', () => {
    const sorted = [1, 2, 3, 4].map((x) => new Decimal(x));
    expect(quantile(sorted, 0.05).toNumber()).toBeCloseTo(1.15, 12);
    expect(quantile(sorted, 0.5).toNumber()).toBe(2.5);
    expect(quantile(sorted, 0.95).toNumber()).toBeCloseTo(3.85, 12);
    expect(ratioDistribution([])).toEqual({ count: 0, min: null, p5: null, median: null, p95: null, max: null, mean: null, sd: null });
    expect(moneyDistribution(['7.5'])).toEqual({ count: 1, min: '7.5', p5: '7.5', median: '7.5', p95: '7.5', max: '7.5', mean: '7.5', sd: '0' });
  });
});
