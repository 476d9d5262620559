/**
 * S0-15's market guards as RiskEngine rules: the price band (the instrument's min/max price and the venue's band
 * around the mark), and the venue filters an entry must clear before it is submitted (tick, step, min/max quantity,
 * min notional). Exactly at a limit passes, one tick beyond vetoes. The spread and liquidity guards are the
 * marketQuality rule's (tests/risk/rules.test.ts, tagged S0-15).
 */
import { describe, expect, it } from 'vitest';
import { validateOrderSize } from '../../src/domain/rounding.ts';
import type { Instrument } from '../../src/domain/Instrument.ts';
import { makeRiskEngine, type RiskDecision } from '../../src/risk/RiskEngine.ts';
import type { RiskConfigInput } from '../../src/risk/RiskConfig.ts';
import type { SymbolMarketView } from '../../src/risk/views.ts';
import { NOW, config, d, instrument, market, portfolio, proposal, symbolMarket } from './fixtures.ts';

/** A Bybit-like linear perpetual: the fixture's filters and the venue's band of 1 % (X) / 2 % (Y) around the mark. */
const perp = (over: Partial<Instrument> = {}): Instrument => instrument('BTCUSDT', { kind: 'linear_perp', priceLimitRatio: { x: d('0.01'), y: d('0.02') }, ...over });

interface Case {
  readonly inst?: Instrument;
  readonly side?: 'buy' | 'sell';
  readonly offset?: number;
  readonly cfg?: RiskConfigInput;
  readonly sym?: Partial<SymbolMarketView>;
  readonly notionalFraction?: number;
  readonly held?: string;
}

// Quote: bid 99.9 / ask 100 (mid 99.95); the limit is the touch moved by `offset`, rounded passively to the 0.01 tick.
const decide = (c: Case): RiskDecision => {
  const inst = c.inst ?? perp();
  const btc = symbolMarket('BTCUSDT', { instrument: inst, ...c.sym });
  const cfg = config({ caps: { allowDownscale: false }, allowShorts: true, orders: { limitOffsetFraction: c.offset ?? 0 }, ...c.cfg });
  const positions = c.held === undefined ? [] : [{ symbol: 'BTCUSDT', side: 'long' as const, quantity: d(c.held), entryPrice: d('100'), markPrice: d('100'), stopLoss: undefined }];
  const p = proposal({ side: c.side ?? 'buy', instrumentKind: 'perp', ...(c.notionalFraction === undefined ? {} : { notionalFraction: c.notionalFraction as never }) });
  return makeRiskEngine(cfg).check(p, portfolio({ positions }), market({ symbols: { BTCUSDT: btc } }), NOW);
};

const approved = (c: Case) => {
  const r = decide(c);
  if (r.kind !== 'approve') throw new Error(`expected approve, got ${JSON.stringify(r.veto)}`);
  return r.order;
};

const vetoed = (c: Case) => {
  const r = decide(c);
  if (r.kind !== 'veto') throw new Error(`expected a veto, got an approval at ${r.order.limitPrice.toString()}`);
  return { rule: r.rule, ...r.veto };
};

describe('S0-15 price-band guard', () => {
  it('S0-15 vetoes a buy above mid × (1 + X) of the venue band and passes one a tick inside it', () => {
    // mid × 1.01 = 100.9495; 100 × 1.0094 = 100.94 passes, 100 × 1.0095 = 100.95 is beyond it.
    expect(approved({ offset: 0.0094 }).limitPrice.toString()).toBe('100.94');
    const v = vetoed({ offset: 0.0095 });
    expect(v).toMatchObject({ rule: 'priceBand', reason: 'price_band', capType: 'mark_band', current: '100.95', limit: '100.9495' });
    expect(v.message).toBe('BTCUSDT buy limit 100.95 is above the highest buy price 100.9495 (mid 99.95 + 0.01)');
  });

  it('S0-15 vetoes a sell below mid × (1 − X) of the venue band and passes one a tick inside it', () => {
    // mid × 0.99 = 98.9505; 99.9 × 0.9905 = 98.95095 rounds up to 98.96 (passes), 99.9 × 0.9904 → 98.95 (beyond).
    expect(approved({ side: 'sell', offset: 0.0095 }).limitPrice.toString()).toBe('98.96');
    expect(vetoed({ side: 'sell', offset: 0.0096 })).toMatchObject({ rule: 'priceBand', reason: 'price_band', capType: 'mark_band', current: '98.95', limit: '98.9505' });
  });

  it('S0-15 vetoes an entry priced outside the instrument min/max price; exactly at the maximum passes', () => {
    expect(approved({ inst: perp({ maxPrice: d('100') }) }).limitPrice.toString()).toBe('100');
    expect(vetoed({ inst: perp({ maxPrice: d('99.99') }) })).toMatchObject({ rule: 'priceBand', reason: 'price_band', capType: 'venue_price_limits', current: '100', limit: '0.01..99.99' });
    expect(vetoed({ side: 'sell', inst: perp({ minPrice: d('99.91') }) })).toMatchObject({ rule: 'priceBand', capType: 'venue_price_limits', current: '99.9', limit: '99.91..1000000' });
  });

  it('S0-15 without a published band only the min/max price applies, and an exit of a held position is never held back by the band', () => {
    expect(approved({ inst: perp({ priceLimitRatio: undefined }), offset: 0.05 }).limitPrice.toString()).toBe('105');
    const exit = approved({ side: 'sell', offset: 0.05, held: '2' });
    expect([exit.reduceOnly, exit.quantity.toString()]).toEqual([true, '2']);
  });
});

describe('S0-15 venue filters before submit', () => {
  it('S0-15 an approved entry is on the tick and step and within the quantity and notional limits; too small an entry is vetoed', () => {
    // Tick 0.05, step 0.01: ask 100.03 × 1.0001 = 100.040003 rounds down to 100.00; 1 % of 100 000 at 100 → 10 exactly.
    const odd = perp({ tickSize: d('0.05'), quantityStep: d('0.01'), minQuantity: d('0.05'), maxQuantity: d('50'), minNotional: d('5'), minPrice: d('0.05') });
    const order = approved({ inst: odd, offset: 0.0001, sym: { bid: d('99.98'), ask: d('100.03') } });
    expect([order.limitPrice.toString(), order.quantity.toString()]).toEqual(['100', '10']);
    expect(validateOrderSize(odd, order.quantity, order.limitPrice)).toEqual([]);
    // 0.004 % of NAV is 4 USDT: 0.04 at 100, below the minimum quantity 0.05.
    expect(vetoed({ inst: odd, sym: { bid: d('99.98'), ask: d('100.03') }, notionalFraction: 0.00004 })).toMatchObject({ rule: 'venueFilters', reason: 'venue_filter', current: 'below_min_quantity', limit: '0.05' });
    // 0.005 % of NAV is 0.05 at 100: the minimum quantity, but 5 USDT is below a minimum notional of 8.
    expect(vetoed({ inst: { ...odd, minNotional: d('8') }, sym: { bid: d('99.98'), ask: d('100.03') }, notionalFraction: 0.00005 })).toMatchObject({ rule: 'venueFilters', current: 'below_min_notional', limit: '8' });
  });

  it('S0-15 S0-16 above the maximum order quantity the entry is approved for a deterministic split, not sent whole', () => {
    const order = approved({ inst: perp({ maxQuantity: d('4') }) });
    expect([order.quantity.toString(), order.requiresSplit]).toEqual(['10', true]);
  });
});
