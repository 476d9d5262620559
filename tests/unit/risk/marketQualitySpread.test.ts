/**
 * Issue 17: the market-quality rule skips the spread's division when ask − bid < maxSpreadFraction × mid (house rounding
 * is monotone, so the rounded quotient cannot exceed the limit then). This proves the verdict and the veto are still
 * exactly those of (ask − bid) ÷ mid compared with the limit, on quotes whose spread lies within a few units of the 40th
 * digit of the limit, and on ordinary ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { makeRiskConfig } from '../../../src/risk/RiskConfig.ts';
import { marketQuality } from '../../../src/risk/checks/marketQuality.ts';
import type { CheckContext } from '../../../src/risk/checks/types.ts';
import { NOW, market, portfolio, proposal, symbolMarket } from '../../risk/fixtures.ts';

const LIMITS = [0.015, 0.0002, 0.001, 0.00019999, 0.05, 0.1234, 0.5] as const;
const configs = new Map(LIMITS.map((f) => [f, makeRiskConfig({ marketQuality: { maxSpreadFraction: f } })]));

const quote = fc.record({
  limit: fc.constantFrom(...LIMITS),
  mid: fc.tuple(fc.integer({ min: 1, max: 1_000_000_000 }), fc.integer({ min: 0, max: 8 })).map(([u, s]) => new Decimal(u).div(new Decimal(10).pow(s)).plus('0.0001')),
  // Within a few units of the 37th–41st significant digit of the limit, an ordinary distance from it, or a spread
  // 10 to 10^6 times tighter than the limit.
  nudge: fc.oneof(
    fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 37, max: 41 })).map(([k, at]) => ({ units: k, at, tighter: 0 })),
    fc.double({ min: -0.9, max: 0.9, noNaN: true }).map((f) => ({ units: f, at: 0, tighter: 0 })),
    fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 6 })).map(([k, tighter]) => ({ units: k, at: 0, tighter })),
  ),
});

describe('market quality spread guard (issue 17)', () => {
  it('issue 17 X-RSK-8 S2-10 vetoes a spread above the limit exactly when (ask − bid) ÷ mid does, with the same figures (3,000 seeded quotes)', () => {
    fc.assert(
      fc.property(quote, ({ limit, mid, nudge }) => {
        const f = new Decimal(limit);
        const shift = nudge.at === 0 ? mid.times(f).times(nudge.units) : mid.times(new Decimal(10).pow(-nudge.at)).times(nudge.units);
        const half = nudge.tighter > 0 ? f.times(mid).times(nudge.units).div(new Decimal(10).pow(nudge.tighter + 1)) : f.times(mid).div(2).plus(shift);
        const bid = mid.minus(half);
        const ask = mid.plus(half);
        const sm = symbolMarket('BTCUSDT', { bid, ask });
        const ctx: CheckContext = {
          config: configs.get(limit) ?? makeRiskConfig({}), proposal: proposal(), hints: {}, portfolio: portfolio(), market: market(),
          symbolMarket: sm, position: undefined, intent: 'entry', now: NOW,
        };
        const spread = ask.minus(bid).div(bid.plus(ask).div(2));
        const v = marketQuality(ctx);
        if (spread.gt(f)) expect(v).toMatchObject({ reason: 'market_quality', capType: 'spread', current: spread.toString(), limit: String(limit) });
        else expect(v, `${bid.toString()} / ${ask.toString()} against ${limit}`).toBeUndefined();
      }),
      { seed: 17_0044, numRuns: 3_000 },
    );
  });
});
