/**
 * S0-7 dual entries, the pure rules: an approved quantity shared 50/50 by two legs (the first the half floored to the
 * step, the second the rest), the first leg the one nearer the market, distinct prices, one order when a half is below
 * the venue's minima; the second price of a one-price signal; a post-only price that would take liquidity joining the
 * maker side `maker_join_ticks` from the taker level; and the chart's parts of the legs.
 */
import { describe, expect, it } from 'vitest';
import { dualEntryLegs, passiveSecondPrice } from '../../../src/domain/dualEntry.ts';
import { dec } from '../../../src/domain/money.ts';
import { makerJoined } from '../../../src/risk/sizing.ts';
import { entryPartsOf, legPriceOfPart } from '../../../machines/trade/orderParts.ts';

const BTC = { tickSize: dec('0.1'), quantityStep: dec('0.001'), minQuantity: dec('0.001'), minNotional: dec('5') };

describe('S0-7 dual entries', () => {
  it('S0-7 the quantity is shared 50/50 on the step, the legs add up to it, the first leg is the one nearer the market', () => {
    expect(dualEntryLegs('buy', dec('0.005'), dec('17000'), dec('16980'), BTC)).toEqual({ legs: [{ quantity: '0.002', price: '17000' }, { quantity: '0.003', price: '16980' }] });
    // Given the other way round, a long still sends the higher price first and a short the lower.
    expect(dualEntryLegs('buy', dec('0.004'), dec('16980'), dec('17000'), BTC)).toEqual({ legs: [{ quantity: '0.002', price: '17000' }, { quantity: '0.002', price: '16980' }] });
    expect(dualEntryLegs('sell', dec('0.004'), dec('17020'), dec('17000'), BTC)).toEqual({ legs: [{ quantity: '0.002', price: '17000' }, { quantity: '0.002', price: '17020' }] });
  });

  it('S0-7 two different prices: a second leg on the first one\'s price sits one tick further from the market', () => {
    expect(dualEntryLegs('buy', dec('0.004'), dec('17000'), dec('17000'), BTC)).toEqual({ legs: [{ quantity: '0.002', price: '17000' }, { quantity: '0.002', price: '16999.9' }] });
    expect(dualEntryLegs('sell', dec('0.004'), dec('17000'), dec('17000'), BTC)).toEqual({ legs: [{ quantity: '0.002', price: '17000' }, { quantity: '0.002', price: '17000.1' }] });
  });

  it('S0-7 a half below the minimum quantity or notional keeps the entry one order, and says why', () => {
    const small = dualEntryLegs('buy', dec('0.001'), dec('17000'), dec('16980'), BTC);
    expect(small).toEqual({ single: 'half of 0.001 is below the minimum quantity 0.001' });
    const ada = { tickSize: dec('0.0001'), quantityStep: dec('1'), minQuantity: dec('1'), minNotional: dec('5') };
    expect(dualEntryLegs('buy', dec('20'), dec('0.3'), dec('0.2997'), ada)).toEqual({ single: 'half of 20 is below the minimum notional 5' });
  });

  it('S0-7 a one-price signal\'s second leg sits 0.1 % away on the passive side: below for a long, above for a short', () => {
    expect(passiveSecondPrice('buy', dec('17000'), 0.001).toString()).toBe('16983');
    expect(passiveSecondPrice('sell', dec('17000'), 0.001).toString()).toBe('17017');
  });

  it('S0-7 maker_join_ticks: a post-only price that would take joins the maker side that many ticks from the taker level; others stay', () => {
    const [bid, ask, tick] = [dec('16999.5'), dec('17000'), dec('0.5')];
    expect(makerJoined(dec('17010'), 'buy', bid, ask, tick, 1).toString()).toBe('16999.5');
    expect(makerJoined(dec('17000'), 'buy', bid, ask, tick, 2).toString()).toBe('16999');
    expect(makerJoined(dec('16990'), 'buy', bid, ask, tick, 1).toString()).toBe('16990');
    expect(makerJoined(dec('16990'), 'sell', bid, ask, tick, 1).toString()).toBe('17000');
    expect(makerJoined(dec('17005'), 'sell', bid, ask, tick, 1).toString()).toBe('17005');
    expect(makerJoined(dec('17010'), 'buy', bid, ask, tick, undefined).toString()).toBe('17010');
  });

  it('S0-7 S0-16 the chart sends the legs one after another, each split at the maximum; the second leg\'s first part carries its price', () => {
    const limits = { maxLimitQuantity: '0.002', maxMarketQuantity: '0.002', quantityStep: '0.001' };
    const intent = { quantity: '0.007', price: '17000', limits, legs: [{ quantity: '0.003', price: '17000' }, { quantity: '0.004', price: '16980' }] };
    expect(entryPartsOf(intent)).toEqual(['0.002', '0.001', '0.002', '0.002']);
    expect([0, 1, 2, 3].map((n) => legPriceOfPart(intent, n))).toEqual([undefined, undefined, '16980', undefined]);
    // Without legs nothing changes: one leg at the intent's price.
    expect(legPriceOfPart({ quantity: '0.005', price: '17000', limits }, 2)).toBeUndefined();
  });
});
