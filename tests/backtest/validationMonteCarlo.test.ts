/**
 * S1-10 Monte Carlo trade reordering on synthetic trade lists: the closed-trade equity path's drawdown and final PnL,
 * permutations that keep the trades (and so the final PnL), resampling that varies it, seeded reproducibility, the
 * open trade left out, and the refusals.
 */
import fc from 'fast-check';
import { PCGRandom } from 'effect/Utils';
import { describe, expect, it } from 'vitest';
import { closedPnls, monteCarlo, pathFigures, permuted, resampled } from '../../src/backtest/validation/monteCarlo.ts';
import { ValidationError } from '../../src/backtest/validation/errors.ts';
import type { BacktestTrade } from '../../src/backtest/report/types.ts';
import { Decimal } from '../../src/domain/money.ts';

const trade = (pnl: string, entryTs: number, exitTs: number | null): BacktestTrade => ({
  symbol: 'SPY', strategyId: 'sma-cross', side: 'buy', quantity: '1', entryTs, exitTs, entryPrice: '100', exitPrice: exitTs === null ? null : '101', pnl, fees: '0', reason: exitTs === null ? 'open' : 'exit',
});

/** Ten closed trades, exits out of list order, and one still open at the end. */
const TRADES: ReadonlyArray<BacktestTrade> = [
  ...['120.5', '-80', '45.25', '-150', '60', '-30.75', '210', '-95', '15', '-40'].map((pnl, i) => trade(pnl, i * 10, (9 - i) * 10 + 5)),
  trade('999', 200, null),
];

describe('S1-10 Monte Carlo trade reordering', () => {
  it('S1-10 the path figures: the deepest fall from a running peak, as a fraction and in money, and the final PnL', () => {
    const f = pathFigures(new Decimal(100), ['10', '-20', '5', '-10', '30'].map((x) => new Decimal(x)));
    // 110 → 90 → 95 → 85 → 115: the peak 110 falls to 85.
    expect(f.maxDrawdownMoney.toString()).toBe('25');
    expect(f.maxDrawdown.toString()).toBe(new Decimal(25).div(110).toString());
    expect(f.finalPnl.toString()).toBe('15');
    expect(pathFigures(new Decimal(100), ['5', '5'].map((x) => new Decimal(x))).maxDrawdown.toString()).toBe('0');
  });

  it('S1-10 takes the closed trades in exit order and leaves the open one out', () => {
    expect(closedPnls(TRADES).map((d) => d.toString())).toEqual(['-40', '15', '-95', '210', '-30.75', '60', '-150', '45.25', '-80', '120.5']);
  });

  it('S1-10 a permutation is the same trades in another order; a resample draws only from them (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (items, seed) => {
        const random = new PCGRandom(seed);
        expect([...permuted(items, random)].sort((a, b) => a - b)).toEqual([...items].sort((a, b) => a - b));
        const drawn = resampled(items, random);
        expect(drawn).toHaveLength(items.length);
        for (const x of drawn) expect(items).toContain(x);
      }),
      { seed: 424_242, numRuns: 200 },
    );
  });

  it('S1-10 reordering keeps the final PnL and spreads the drawdown around the actual one; resampling varies the final PnL', () => {
    const r = monteCarlo(TRADES, '1000', 500, 7);
    expect(r.trades).toBe(10);
    const sum = closedPnls(TRADES).reduce((s, x) => s.plus(x), new Decimal(0)).toString();
    expect(r.actual.finalPnl).toBe(sum);
    expect(r.permutation.maxDrawdown.count).toBe(500);
    expect(r.permutation.maxDrawdown.min!).toBeLessThanOrEqual(r.actual.maxDrawdown);
    expect(r.permutation.maxDrawdown.max!).toBeGreaterThanOrEqual(r.actual.maxDrawdown);
    expect(r.permutation.maxDrawdown.max!).toBeGreaterThan(r.permutation.maxDrawdown.min!);
    // The deepest reordering cannot fall more than all the losses together, nor less than the largest loss.
    expect(Number(r.permutation.maxDrawdownMoney.max)).toBeLessThanOrEqual(395.75);
    expect(Number(r.permutation.maxDrawdownMoney.min)).toBeGreaterThanOrEqual(150);
    expect(r.bootstrap.finalPnl.count).toBe(500);
    expect(r.bootstrap.finalPnl.min).not.toBe(r.bootstrap.finalPnl.max);
    expect(Number(r.bootstrap.finalPnl.min)).toBeGreaterThanOrEqual(-1500);
    expect(Number(r.bootstrap.finalPnl.max)).toBeLessThanOrEqual(2100);
    expect(r.bootstrap.probabilityOfLoss).toBeGreaterThan(0);
    expect(r.bootstrap.probabilityOfLoss).toBeLessThan(1);
    expect(r.permutation.worseThanActual).toBeGreaterThanOrEqual(0);
    expect(r.permutation.worseThanActual).toBeLessThanOrEqual(1);
  });

  it('S1-10 X-BT-2 the same trades, N and seed give the same report to the byte; another seed another one', () => {
    const a = JSON.stringify(monteCarlo(TRADES, '1000', 300, 11));
    expect(JSON.stringify(monteCarlo(TRADES, '1000', 300, 11))).toBe(a);
    expect(JSON.stringify(monteCarlo(TRADES, '1000', 300, 12))).not.toBe(a);
  });

  it('S1-10 no closed trade gives zero drawdowns and no resamples; N outside 1 … 100000 is refused', () => {
    const r = monteCarlo([trade('5', 0, null)], '1000', 10, 1);
    expect(r.trades).toBe(0);
    expect(r.permutation.maxDrawdown).toMatchObject({ count: 10, min: 0, max: 0 });
    expect(r.bootstrap.finalPnl.count).toBe(0);
    for (const n of [0, -1, 1.5, 100_001]) {
      expect(() => monteCarlo(TRADES, '1000', n, 1)).toThrow(ValidationError);
    }
  });
});
