/**
 * Issue 17: `compareDec` (the allocation-free comparison the risk decision's hot path uses) answers exactly what
 * decimal.js's `comparedTo` answers, and `gtDec`/`gteDec`/`ltDec`/`lteDec`/`minDec`/`maxDec` what `gt`/`gte`/`lt`/`lte`
 * and the old `lte`/`gte`-based min/max did — over random decimals of every size and sign, equal and near-equal pairs,
 * both zeros, NaN, ±Infinity and exponents beyond the configured range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, compareDec, gtDec, gteDec, ltDec, lteDec, maxDec, minDec } from '../../../src/domain/money.ts';

const digits = fc.stringMatching(/^[1-9][0-9]{0,45}$/);
const finite = fc
  .record({ neg: fc.boolean(), int: digits, frac: fc.option(fc.stringMatching(/^[0-9]{1,45}$/), { nil: undefined }), exp: fc.integer({ min: -60, max: 60 }) })
  .map(({ neg, int, frac, exp }) => new Decimal(`${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}e${exp}`));
const special = fc.constantFrom(
  new Decimal(0), new Decimal('-0'), new Decimal(NaN), new Decimal(Infinity), new Decimal(-Infinity), new Decimal(1), new Decimal(-1),
  new Decimal('1e9000000000000000'), new Decimal('-1e9000000000000000'), new Decimal('1e-9000000000000000'),
);
const decimal = fc.oneof({ weight: 6, arbitrary: finite }, { weight: 1, arbitrary: special });
// Near-equal pairs: a value and itself nudged in its last digits, or written differently.
const pair = fc.oneof(
  fc.tuple(decimal, decimal),
  fc.tuple(finite, fc.integer({ min: -3, max: 3 })).map(([a, k]) => [a, a.plus(new Decimal(k).times(new Decimal(10).pow(a.e - 45)))] as const),
  finite.map((a) => [a, new Decimal(a.toString())] as const),
);

const same = (x: number, y: number): boolean => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

describe('compareDec (issue 17)', () => {
  it('issue 17: compareDec equals decimal.js comparedTo, and the predicates and min/max their decimal.js forms (5,000 seeded pairs)', () => {
    fc.assert(
      fc.property(pair, ([a, b]) => {
        expect(same(compareDec(a, b), a.comparedTo(b)), `${a.toString()} vs ${b.toString()}`).toBe(true);
        expect([gtDec(a, b), gteDec(a, b), ltDec(a, b), lteDec(a, b)]).toEqual([a.gt(b), a.gte(b), a.lt(b), a.lte(b)]);
        expect(minDec(a, b)).toBe(a.lte(b) ? a : b);
        expect(maxDec(a, b)).toBe(a.gte(b) ? a : b);
      }),
      { seed: 17_0017, numRuns: 5_000 },
    );
  });
});
