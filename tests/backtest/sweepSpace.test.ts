/**
 * The sweep's parameter space and ranking, pure (src/backtest/sweep/space.ts, rank.ts, table.ts): ranges in exact
 * decimals, lists, the grid's order, the seeded random sample (distinct, reproducible, seed-dependent, a subset of the
 * grid), refusals with their reasons, and ranking with natural directions, ties and missing values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leavesOf } from '../../src/app/sweep/runSweep.ts';
import { parseRankBy, rankOrder } from '../../src/backtest/sweep/rank.ts';
import { gridOf, gridSize, parseSweepAxes, parseSweepAxis, randomSampleOf, SweepError, type SweepAxis } from '../../src/backtest/sweep/space.ts';
import type { Metrics } from '../../src/backtest/report/types.ts';

const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof SweepError ? e.reason : `not a SweepError: ${String(e)}`;
  }
  return undefined;
};

describe('S1-10 sweep ranges', () => {
  it('S1-10 lo..hi:step includes both ends when the step lands on hi, and stops below hi otherwise', () => {
    expect(parseSweepAxis('fast=5..20:5')).toEqual({ name: 'fast', values: ['5', '10', '15', '20'] });
    expect(parseSweepAxis('slow=20..45:10').values).toEqual(['20', '30', '40']);
    expect(parseSweepAxis('n=3..6').values).toEqual(['3', '4', '5', '6']);
    expect(parseSweepAxis('n=7..7').values).toEqual(['7']);
  });

  it('S1-10 decimal steps are exact (0.1..0.3:0.1 is three values, not float drift)', () => {
    expect(parseSweepAxis('stopLossFraction=0.1..0.3:0.1').values).toEqual(['0.1', '0.2', '0.3']);
    expect(parseSweepAxis('x=-0.02..0.02:0.01').values).toEqual(['-0.02', '-0.01', '0', '0.01', '0.02']);
  });

  it('S1-10 a list keeps its order and canonicalises numbers', () => {
    expect(parseSweepAxis('fast=10, 05,20').values).toEqual(['10', '5', '20']);
    expect(parseSweepAxis('mode=trend,fade').values).toEqual(['trend', 'fade']);
  });

  it('S1-10 bad specs are SweepErrors with a reason', () => {
    for (const spec of ['fast', '=5..6', 'fast=', 'fast=6..5', 'fast=1..5:0', 'fast=1..5:-1', 'fast=a..5', 'fast=1..2..3', 'fast=1..5:1:2', 'fast=1,,2', 'fast=1,1', '9x=1..2', 'fast=1..5000']) {
      expect(reasonOf(() => parseSweepAxis(spec)), spec).toBe('BadSpec');
    }
    expect(reasonOf(() => parseSweepAxes(['fast=1,2', 'fast=3']))).toBe('DuplicateParameter');
    expect(reasonOf(() => gridOf(parseSweepAxes(['a=1..200', 'b=1..200'])))).toBe('TooManyRuns');
  });
});

describe('S1-10 sweep grid and random search', () => {
  const axes: ReadonlyArray<SweepAxis> = parseSweepAxes(['fast=5..20:5', 'slow=20..60:10']);
  const key = (p: Readonly<Record<string, string>>): string => JSON.stringify(p);

  it('S1-10 the grid is every combination once, the last axis varying fastest', () => {
    const grid = gridOf(axes);
    expect(grid).toHaveLength(gridSize(axes));
    expect(grid).toHaveLength(20);
    expect(grid.slice(0, 6)).toEqual([
      { fast: '5', slow: '20' }, { fast: '5', slow: '30' }, { fast: '5', slow: '40' }, { fast: '5', slow: '50' }, { fast: '5', slow: '60' }, { fast: '10', slow: '20' },
    ]);
    expect(new Set(grid.map(key)).size).toBe(20);
  });

  it('S1-10 a random sample is distinct grid points in grid order, the same for the same seed (property)', () => {
    const grid = gridOf(axes).map(key);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (samples, seed) => {
        const drawn = randomSampleOf(axes, samples, seed).map(key);
        expect(drawn).toEqual(randomSampleOf(axes, samples, seed).map(key));
        expect(drawn).toHaveLength(Math.min(samples, grid.length));
        expect(new Set(drawn).size).toBe(drawn.length);
        const positions = drawn.map((d) => grid.indexOf(d));
        expect(positions.every((p) => p >= 0)).toBe(true);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
      }),
      { seed: 1310, numRuns: 200 },
    );
  });

  it('S1-10 different seeds draw different samples, and every grid point can be drawn', () => {
    const draws = Array.from({ length: 50 }, (_, seed) => randomSampleOf(axes, 3, seed).map(key).join('|'));
    expect(new Set(draws).size).toBeGreaterThan(40);
    const seen = new Set(draws.flatMap((d) => d.split('|')));
    expect(seen.size).toBe(20);
    expect(reasonOf(() => randomSampleOf(axes, 0, 1))).toBe('BadOption');
  });
});

const metrics = (over: Partial<Metrics>): Metrics => ({
  startingEquity: '100', endingEquity: '100', totalPnl: '0', totalReturn: 0, cagr: 0, sharpe: 0, sortino: 0, calmar: 0, maxDrawdown: 0,
  maxDrawdownDurationMs: 0, trades: 0, winRate: 0, profitFactor: null, expectancy: '0', averageTradeDurationMs: 0, medianTradeDurationMs: 0,
  exposureTime: 0, fees: '0', turnover: '0', annualisation: '', ...over,
});

describe('S1-10 sweep ranking', () => {
  it('S1-10 --rank-by takes the report\'s metric names (camel or snake case) with their natural direction', () => {
    expect(parseRankBy(undefined)).toEqual({ metric: 'sharpe', direction: 'desc' });
    expect(parseRankBy('max_drawdown')).toEqual({ metric: 'maxDrawdown', direction: 'asc' });
    expect(parseRankBy('net_pnl')).toEqual({ metric: 'totalPnl', direction: 'desc' });
    expect(parseRankBy('totalPnl:asc')).toEqual({ metric: 'totalPnl', direction: 'asc' });
    for (const bad of ['luck', 'sharpe:up', 'annualisation', 'sharpe:asc:desc', '']) expect(reasonOf(() => parseRankBy(bad)), bad).toBe('BadOption');
  });

  it('S1-10 money ranks exactly as Decimal, ties keep run order, missing values rank last', () => {
    const rows = [metrics({ totalPnl: '0.30000000000000000001' }), metrics({ totalPnl: '0.3' }), metrics({ totalPnl: '0.3' }), metrics({ totalPnl: '-5' })];
    expect(rankOrder(rows, (m) => m, parseRankBy('totalPnl'))).toEqual([0, 1, 2, 3]);
    expect(rankOrder(rows, (m) => m, parseRankBy('totalPnl:asc'))).toEqual([3, 1, 2, 0]);
    const pf = [metrics({ profitFactor: null }), metrics({ profitFactor: 1.5 }), metrics({ profitFactor: 3 })];
    expect(rankOrder(pf, (m) => m, parseRankBy('profitFactor'))).toEqual([2, 1, 0]);
    expect(rankOrder(pf, (m) => m, parseRankBy('profitFactor:asc'))).toEqual([1, 2, 0]);
    const dd = [metrics({ maxDrawdown: 0.2 }), metrics({ maxDrawdown: 0.05 })];
    expect(rankOrder(dd, (m) => m, parseRankBy('maxDrawdown'))).toEqual([1, 0]);
  });

  it('S1-10 a schema\'s problem tree becomes one line of its causes', () => {
    const tree = 'strategy sma-cross parameters: { (Struct (Encoded side) <-> Struct (Type side)) | filter }\n└─ Predicate refinement failure\n   └─ fast (30) must be shorter than slow (10)';
    expect(leavesOf(tree)).toBe('fast (30) must be shorter than slow (10)');
    expect(leavesOf('one line')).toBe('one line');
    expect(leavesOf('head\n├─ a\n│  └─ cause a\n└─ cause b')).toBe('cause a; cause b');
  });
});
