/**
 * Issue 17: on a power-of-ten grid (tick or step 1, 0.1, 0.01 … 1e-12) `roundPrice`, `roundPriceForSide` and
 * `floorQuantity` skip decimal.js's `toNearest` division and `isMultipleOf` its `mod`; this proves they still return
 * exactly what those give — the same sign, exponent and digit words, not just an equal value — over random decimals of
 * every size and sign (longer than the house precision too), both zeros, NaN, ±Infinity, and on other grids.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { floorQuantity, isMultipleOf, roundPrice, roundPriceForSide } from '../../../src/domain/rounding.ts';

const finite = fc
  .record({
    neg: fc.boolean(),
    int: fc.stringMatching(/^[0-9]{1,14}$/),
    frac: fc.option(fc.stringMatching(/^[0-9]{1,48}$/), { nil: undefined }),
    exp: fc.integer({ min: -30, max: 30 }),
    housePrecision: fc.boolean(),
  })
  .map(({ neg, int, frac, exp, housePrecision }) => {
    const raw = new Decimal(`${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}e${exp}`);
    // Half of them as arithmetic leaves them (40 digits), half as parsed (every digit kept).
    return housePrecision ? raw.plus(0) : raw;
  });
const special = fc.constantFrom(new Decimal(0), new Decimal('-0'), new Decimal(NaN), new Decimal(Infinity), new Decimal(-Infinity), new Decimal('0.005'), new Decimal('-0.015'));
const value = fc.oneof({ weight: 8, arbitrary: finite }, { weight: 1, arbitrary: special });
const grid = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -12, max: 0 }).map((e) => new Decimal(`1e${e}`)) },
  { weight: 1, arbitrary: fc.constantFrom('0.5', '0.25', '5', '10', '100', '0.05', '2.5', '1e-14').map((s) => new Decimal(s)) },
);

// Every field decimal.js keeps, so "equal" means the same Decimal, bit for bit.
const bits = (d: Decimal): string => `${d.s}|${d.e}|${JSON.stringify(d.d)}|${d.toString()}`;
const ROUNDING = { down: Decimal.ROUND_FLOOR, up: Decimal.ROUND_CEIL, nearest: Decimal.ROUND_HALF_EVEN } as const;

describe('rounding on power-of-ten grids (issue 17)', () => {
  it('issue 17 X-RT-9 roundPrice, roundPriceForSide and floorQuantity return the very Decimal toNearest returns (5,000 seeded cases)', () => {
    fc.assert(
      fc.property(value, grid, (x, inc) => {
        for (const mode of ['down', 'up', 'nearest'] as const) {
          expect(bits(roundPrice(x, inc, mode)), `${x.toString()} to ${inc.toString()} ${mode}`).toBe(bits(x.toNearest(inc, ROUNDING[mode])));
        }
        expect(bits(roundPriceForSide(x, inc, 'buy', 'passive'))).toBe(bits(x.toNearest(inc, Decimal.ROUND_FLOOR)));
        expect(bits(roundPriceForSide(x, inc, 'sell', 'passive'))).toBe(bits(x.toNearest(inc, Decimal.ROUND_CEIL)));
        expect(bits(floorQuantity(x, inc)), `${x.toString()} floored to ${inc.toString()}`).toBe(bits(x.toNearest(inc, Decimal.ROUND_FLOOR)));
      }),
      { seed: 17_0042, numRuns: 5_000 },
    );
  });

  it('issue 17 X-RT-9 isMultipleOf answers what mod answers, for values on the grid and off it (5,000 seeded cases)', () => {
    fc.assert(
      fc.property(value, grid, (x, inc) => {
        expect(isMultipleOf(x, inc), `${x.toString()} on ${inc.toString()}`).toBe(x.mod(inc).isZero());
        const on = x.isFinite() ? x.toNearest(inc, Decimal.ROUND_FLOOR) : x;
        expect(isMultipleOf(on, inc), `${on.toString()} on ${inc.toString()}`).toBe(on.mod(inc).isZero());
      }),
      { seed: 17_0043, numRuns: 5_000 },
    );
  });

  it('issue 17 X-RT-9 keeps refusing a tick or step that is not positive', () => {
    for (const bad of ['0', '-0.01', 'NaN', 'Infinity']) {
      expect(() => roundPrice(new Decimal('1.23'), new Decimal(bad), 'down')).toThrow(RangeError);
      expect(() => floorQuantity(new Decimal('1.23'), new Decimal(bad))).toThrow(RangeError);
    }
  });
});
