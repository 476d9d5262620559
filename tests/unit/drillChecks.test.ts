/**
 * The restart drill's checks must be able to fail: each one is fed a venue truth that breaks its invariant.
 */
import { describe, expect, it } from 'vitest';
import { duplicateOrders, intentOf, ordersWhileGateClosed, protectiveCloses, stateMismatches, unjournaledOrders, unprotectedPositions, type SimOrderTruth } from '../../src/app/drill/checks.ts';

const order = (o: Partial<SimOrderTruth> & { orderLinkId: string }): SimOrderTruth => ({
  orderId: `v-${o.orderLinkId}-${o.createdTime ?? '1'}`, symbol: 'BTCUSDT', side: 'Buy', status: 'Filled', qty: '1', cumExecQty: '1', reduceOnly: false, createdTime: '1', ...o,
});

describe('restart drill checks', () => {
  it('maps re-price, exit and flatten ids to their intent', () => {
    expect(intentOf('tw-breakout-a-0')).toBe('tw-breakout-a-0');
    expect(intentOf('tw-breakout-a-0-r2')).toBe('tw-breakout-a-0');
    expect(intentOf('tw-breakout-a-0-x1')).toBe('tw-breakout-a-0');
    expect(intentOf('tw-breakout-a-0-f3')).toBe('tw-breakout-a-0');
  });

  it('X-ORD-1 finds a client id on two venue orders and two filled entries of one intent', () => {
    const ok = [order({ orderLinkId: 'tw-b-1-0', status: 'Cancelled', cumExecQty: '0' }), order({ orderLinkId: 'tw-b-1-0-r1' }), order({ orderLinkId: 'tw-b-1-0-x1' })];
    expect(duplicateOrders(ok, 'tw-')).toEqual([]);
    expect(duplicateOrders([...ok, order({ orderLinkId: 'tw-b-1-0-x1', createdTime: '2' })], 'tw-').map((v) => v.kind)).toEqual(['duplicate_order']);
    expect(duplicateOrders([order({ orderLinkId: 'tw-b-2-0' }), order({ orderLinkId: 'tw-b-2-0-r1', status: 'New', cumExecQty: '0' })], 'tw-')[0]?.detail).toContain('tw-b-2-0-r1 follows tw-b-2-0 (Filled, 1 of 1 filled), which a re-price needs closed empty');
    expect(duplicateOrders([order({ orderLinkId: 'other-1' }), order({ orderLinkId: 'other-1', createdTime: '2' })], 'tw-')).toEqual([]);
  });

  it('S0-16 X-ORD-1 a split entry\'s parts are not duplicates when each follows a part filled in full; a part after a partial fill, or two live parts, are', () => {
    const parts = [order({ orderLinkId: 'tw-b-3-0' }), order({ orderLinkId: 'tw-b-3-0-p1' }), order({ orderLinkId: 'tw-b-3-0-p2', qty: '0.5', status: 'New', cumExecQty: '0' })];
    expect(duplicateOrders(parts, 'tw-')).toEqual([]);
    // A re-price of a later part after it closed empty is fine too.
    expect(duplicateOrders([...parts.slice(0, 2), order({ orderLinkId: 'tw-b-3-0-p2', status: 'Rejected', cumExecQty: '0' }), order({ orderLinkId: 'tw-b-3-0-r3', status: 'New', cumExecQty: '0' })], 'tw-')).toEqual([]);
    const afterPartial = duplicateOrders([order({ orderLinkId: 'tw-b-4-0', status: 'Cancelled', cumExecQty: '0.4' }), order({ orderLinkId: 'tw-b-4-0-p1' })], 'tw-');
    expect(afterPartial.map((v) => v.detail)).toEqual(['intent tw-b-4-0: tw-b-4-0-p1 follows tw-b-4-0 (Cancelled, 0.4 of 1 filled), which a next part needs filled in full']);
    const twoLive = duplicateOrders([order({ orderLinkId: 'tw-b-5-0', status: 'New', cumExecQty: '0' }), order({ orderLinkId: 'tw-b-5-0-p1', status: 'New', cumExecQty: '0' })], 'tw-');
    expect(twoLive.map((v) => v.detail)[0]).toBe('intent tw-b-5-0 has 2 live entry orders (tw-b-5-0, tw-b-5-0-p1)');
  });

  it('finds positions without TP or SL', () => {
    expect(unprotectedPositions([{ symbol: 'BTCUSDT', side: 'Buy', size: '1', takeProfit: '10', stopLoss: '9' }])).toEqual([]);
    expect(unprotectedPositions([{ symbol: 'BTCUSDT', side: 'Buy', size: '1', takeProfit: '10', stopLoss: '' }])).toHaveLength(1);
  });

  it('finds entries created while the gate was closed and reports reduce-only closes apart', () => {
    const orders = [order({ orderLinkId: 'tw-b-3-0', createdTime: '150' }), order({ orderLinkId: 'tw-b-4-0-f1', createdTime: '160', reduceOnly: true }), order({ orderLinkId: 'tw-b-5-0', createdTime: '300' })];
    expect(ordersWhileGateClosed(orders, 'tw-', 100, 200).map((v) => v.detail)).toEqual([expect.stringContaining('tw-b-3-0')]);
    expect(protectiveCloses(orders, 'tw-', 100, 200).map((o) => o.orderLinkId)).toEqual(['tw-b-4-0-f1']);
  });

  it('finds venue orders without a journal row', () => {
    expect(unjournaledOrders([order({ orderLinkId: 'tw-b-6-0' })], 'tw-', new Set(['tw-b-6-0']))).toEqual([]);
    expect(unjournaledOrders([order({ orderLinkId: 'tw-b-6-0' })], 'tw-', new Set())).toHaveLength(1);
  });

  it('X-REC-1 finds an idle actor facing a venue position, and agrees when both are flat', () => {
    const idle = { value: { lifecycle: 'idle', control: 'running', entries: 'allowed' }, context: { orderIds: [], settledOrderIds: [], intent: null, entryClientOrderId: null, entry: { filledQuantity: '0', filledNotional: '0', fees: '0' }, exit: { filledQuantity: '0', filledNotional: '0', fees: '0' } } } as never;
    const snaps = new Map([['BTCUSDT', idle]]);
    expect(stateMismatches(['BTCUSDT'], snaps, [], [], 'tw-', new Set())).toEqual([]);
    const pos = [{ symbol: 'BTCUSDT', side: 'Buy', size: '0.1', takeProfit: '2', stopLoss: '1' }];
    expect(stateMismatches(['BTCUSDT'], snaps, [], pos, 'tw-', new Set())[0]?.detail).toContain('the actor is idle');
    expect(stateMismatches(['BTCUSDT'], snaps, [], pos, 'tw-', new Set(['BTCUSDT']))).toEqual([]);
  });

  it('S0-12 X-REC-1 in hedge mode the actor is judged on its own leg, and a hedge leg it does not own is a mismatch', () => {
    const totals = (q: string, n: string) => ({ filledQuantity: q, filledNotional: n, fees: '0' });
    const hedgeState = (status: string) => ({ status, orders: 1, closes: 0, quantity: '0.1', entry: totals('0.1', '1690'), exit: totals('0', '0'), takeProfit: '16800', stopLoss: '17000', why: null });
    const hedged = (status: string) => ({
      value: { lifecycle: { opened: 'hedged' }, control: 'running', entries: 'allowed' },
      context: {
        orderIds: ['tw-b-1-0', 'tw-b-1-0-h1'], settledOrderIds: ['tw-b-1-0', 'tw-b-1-0-h1'], intent: { side: 'buy', clientOrderId: 'tw-b-1-0' }, entryClientOrderId: 'tw-b-1-0', entryDone: true,
        entry: totals('0.1', '1700'), exit: totals('0', '0'), hedge: hedgeState(status),
      },
    }) as never;
    // The short leg is listed first: the long actor is still judged on its long leg, which matches.
    const legs = [
      { symbol: 'BTCUSDT', side: 'Sell', size: '0.1', takeProfit: '16800', stopLoss: '17000', positionIdx: 2 },
      { symbol: 'BTCUSDT', side: 'Buy', size: '0.1', takeProfit: '17100', stopLoss: '16800', positionIdx: 1 },
    ];
    expect(stateMismatches(['BTCUSDT'], new Map([['BTCUSDT', hedged('open')]]), [], legs, 'tw-', new Set())).toEqual([]);
    // The actor's hedge is over by its own account, yet the venue still holds the short leg: nobody manages it.
    const found = stateMismatches(['BTCUSDT'], new Map([['BTCUSDT', hedged('closed')]]), [], legs, 'tw-', new Set());
    expect(found.map((v) => v.detail)).toEqual(['BTCUSDT: the venue holds a Sell 0.1 hedge leg the actor does not own']);
  });
});
