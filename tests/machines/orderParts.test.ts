/**
 * The split rules of the trade chart (S0-16): which parts an entry goes out in, how large the next exit part is, and
 * the cases a split cannot be made (the chart never throws; the intent goes out whole and the venue refuses it).
 */
import { describe, expect, it } from 'vitest';
import { entryPartsOf, exitPartQuantity } from '../../machines/trade/orderParts.ts';
import { entryPartId, parseClientOrderId } from '../../src/domain/clientOrderId.ts';

const limits = { maxLimitQuantity: '0.002', maxMarketQuantity: '0.003', quantityStep: '0.001' };

describe('order parts (S0-16)', () => {
  it('S0-16 a limit entry of 2.5 × the maximum goes out as max, max, 0.5 × max; the same input always gives the same parts', () => {
    const intent = { quantity: '0.005', price: '17000', limits };
    expect(entryPartsOf(intent)).toEqual(['0.002', '0.002', '0.001']);
    expect(entryPartsOf({ ...intent })).toEqual(entryPartsOf(intent));
  });

  it('S0-16 a market entry is cut at the market maximum; an entry within the maximum, or without limits, is one order', () => {
    expect(entryPartsOf({ quantity: '0.005', price: undefined, limits })).toEqual(['0.003', '0.002']);
    expect(entryPartsOf({ quantity: '0.002', price: '17000', limits })).toEqual(['0.002']);
    expect(entryPartsOf({ quantity: '5', price: '17000', limits: undefined })).toEqual(['5']);
  });

  it('S0-16 a split that cannot be made leaves the order whole (a maximum below one step, more than 1,000 parts)', () => {
    expect(entryPartsOf({ quantity: '0.005', price: '1', limits: { ...limits, maxLimitQuantity: '0.0005' } })).toEqual(['0.005']);
    expect(entryPartsOf({ quantity: '2.002', price: '1', limits })).toEqual(['2.002']);
  });

  it('S0-16 an exit part is what is open, at most the maximum of its order type', () => {
    expect(exitPartQuantity({ limits }, '0.005', false)).toBe('0.003');
    expect(exitPartQuantity({ limits }, '0.005', true)).toBe('0.002');
    expect(exitPartQuantity({ limits }, '0.001', false)).toBe('0.001');
    expect(exitPartQuantity({ limits: undefined }, '7', false)).toBe('7');
  });

  it('S0-16 X-ORD-1 a part id is ours: the base id plus -p<n>, parsed back to its intent as an entry', () => {
    const base = 'tw-once-lblgkgog-0';
    expect(entryPartId(base, 2)).toBe(`${base}-p2`);
    expect(parseClientOrderId(`${base}-p2`)).toMatchObject({ base, role: 'entry', n: 2 });
  });
});
