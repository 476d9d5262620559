import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../../src/domain/money.ts';
import type { Instrument } from '../../../src/domain/Instrument.ts';
import {
  describeSizeViolation,
  floorQuantity,
  isMultipleOf,
  roundPrice,
  roundPriceForSide,
  splitQuantity,
  validateOrderSize,
} from '../../../src/domain/rounding.ts';

const SEED = 20261123;
const btc: Instrument = {
  venue: 'bybit', symbol: 'BTCUSDT', kind: 'linear_perp', baseAsset: 'BTC', quoteAsset: 'USDT', settleAsset: 'USDT',
  tickSize: dec('0.10'), quantityStep: dec('0.001'), minQuantity: dec('0.001'), maxQuantity: dec('1190'),
  maxMarketQuantity: dec('500'), minNotional: dec('5'), minPrice: dec('0.10'), maxPrice: dec('1999999.80'),
  maxLeverage: dec('100'), status: 'trading',
};

// Decimal arbitraries built from integers so they are exact: value = units * 10^-scale.
const decimalArb = (maxUnits: number, scale: number) => fc.integer({ min: 1, max: maxUnits }).map((u) => new Decimal(u).div(new Decimal(10).pow(scale)));
const tickArb = fc.constantFrom('0.1', '0.01', '0.5', '0.0001', '1', '5', '0.25').map(dec);

describe('X-RT-9 price rounding', () => {
  it('rounds a buy down and a sell up under the passive policy (ROUND_DOWN for entries)', () => {
    expect(roundPriceForSide(dec('17199.57'), dec('0.1'), 'buy').toString()).toBe('17199.5');
    expect(roundPriceForSide(dec('17199.51'), dec('0.1'), 'sell').toString()).toBe('17199.6');
    expect(roundPriceForSide(dec('17199.51'), dec('0.1'), 'buy', 'aggressive').toString()).toBe('17199.6');
    expect(roundPriceForSide(dec('17199.59'), dec('0.1'), 'sell', 'aggressive').toString()).toBe('17199.5');
  });

  it('rounds to the nearest tick with half-even ties', () => {
    expect(roundPrice(dec('1.25'), dec('0.1'), 'nearest').toString()).toBe('1.2');
    expect(roundPrice(dec('1.35'), dec('0.1'), 'nearest').toString()).toBe('1.4');
  });

  it('refuses a non-positive tick size', () => {
    expect(() => roundPrice(dec('1'), dec('0'), 'down')).toThrow(RangeError);
  });

  it('X-TST-6 a rounded price is always a multiple of the tick and within one tick of the input (1,000 cases)', () => {
    fc.assert(
      fc.property(decimalArb(10_000_000_000, 6), tickArb, fc.constantFrom<'down' | 'up' | 'nearest'>('down', 'up', 'nearest'), (price, tick, mode) => {
        const r = roundPrice(price, tick, mode);
        expect(isMultipleOf(r, tick)).toBe(true);
        expect(r.minus(price).abs().lte(tick)).toBe(true);
        if (mode === 'down') expect(r.lte(price)).toBe(true);
        if (mode === 'up') expect(r.gte(price)).toBe(true);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('X-RT-9 quantity flooring', () => {
  it('floors to the step (ROUND_FLOOR)', () => {
    expect(floorQuantity(dec('0.0129'), dec('0.001')).toString()).toBe('0.012');
    expect(floorQuantity(dec('7'), dec('5')).toString()).toBe('5');
  });

  it('X-TST-6 a floored quantity never exceeds the input, is on the step, and loses less than one step (1,000 cases)', () => {
    fc.assert(
      fc.property(decimalArb(1_000_000_000, 5), fc.constantFrom('0.001', '0.01', '1', '0.1', '10').map(dec), (qty, step) => {
        const f = floorQuantity(qty, step);
        expect(f.lte(qty)).toBe(true);
        expect(isMultipleOf(f, step)).toBe(true);
        expect(qty.minus(f).lt(step)).toBe(true);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

describe('venue filters', () => {
  it('accepts a valid order and reports each violation of an invalid one', () => {
    expect(validateOrderSize(btc, dec('0.01'), dec('17000.0'))).toEqual([]);
    const kinds = (q: string, p: string, o = {}) => validateOrderSize(btc, dec(q), dec(p), o).map((v) => v.kind);
    expect(kinds('0.0005', '1000')).toEqual(['not_on_step', 'below_min_quantity', 'below_min_notional']);
    expect(kinds('0.0001', '1000')).toContain('below_min_quantity');
    expect(kinds('1191', '17000')).toEqual(['above_max_quantity']);
    expect(kinds('501', '17000', { market: true })).toEqual(['above_max_quantity']);
    expect(kinds('0.001', '17000.05')).toEqual(['not_on_tick']);
    expect(kinds('0.001', '4000')).toEqual(['below_min_notional']);
    expect(kinds('0.001', '4000', { reduceOnly: true })).toEqual([]);
    expect(kinds('0.001', '9999999')).toEqual(['price_out_of_range']);
  });

  it('describes every violation in words', () => {
    const all = [
      ...validateOrderSize(btc, dec('0.0005'), dec('0.05')),
      ...validateOrderSize(btc, dec('2000'), dec('17000')),
    ];
    expect(new Set(all.map((v) => v.kind)).size).toBe(6);
    for (const v of all) expect(describeSizeViolation(v)).toMatch(/\d/);
  });
});

describe('S0-16 splitting above the max order quantity', () => {
  it('splits deterministically into full parts and a floored remainder', () => {
    expect(splitQuantity(dec('2500.0005'), dec('1190'), dec('0.001')).map(String)).toEqual(['1190', '1190', '120']);
    expect(splitQuantity(dec('0.0004'), dec('1190'), dec('0.001'))).toEqual([]);
    expect(() => splitQuantity(dec('1000'), dec('0.001'), dec('0.001'))).toThrow(/more than 1000 parts/);
  });

  it('parts sum to the floored input and never exceed the max (1,000 cases)', () => {
    fc.assert(
      fc.property(decimalArb(100_000_000, 3), fc.integer({ min: 1, max: 1000 }), decimalArb(1000, 3), (qty, count, extra) => {
        const max = qty.div(count).plus(extra); // at most ~1,000 parts
        const step = dec('0.001');
        const parts = splitQuantity(qty, max, step);
        const sum = parts.reduce((a, p) => a.plus(p), new Decimal(0));
        expect(sum.eq(floorQuantity(qty, step))).toBe(true);
        for (const p of parts) {
          expect(p.lte(max)).toBe(true);
          expect(p.gt(0)).toBe(true);
          expect(isMultipleOf(p, step)).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});
