/**
 * Start-up recovery withdraws open venue orders of ours that no actor owns (journaled, but settled by their actor or
 * left from an earlier cycle), and reports nothing left in disagreement. Real runtime over the in-process simulator.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { makeHarness } from '../runtime/harness.ts';

describe('X-REC-1 start-up recovery and stray orders', () => {
  it('cancels an open journaled order no actor owns before the gate opens', async () => {
    const hx = makeHarness();
    hx.clock.advanceBy(60_000);
    const placed = hx.exchange.placeOrder({
      account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('1000'), timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false,
      clientOrderId: 'tw-breakout-old-0',
    });
    expect(placed.ok).toBe(true);
    hx.journal.recordOrderRequested({
      clientOrderId: 'tw-breakout-old-0', intentId: 'old', venue: hx.venue.id, symbol: 'BTCUSDT', side: 'buy', quantity: dec('0.01'), price: dec('1000'),
      orderType: 'limit', timeInForce: 'gtc', reduceOnly: false, details: {},
    });
    // Acknowledged in the journal: a known order (not an orphan), just not owned by any actor.
    if (placed.ok) hx.journal.recordOrderUpdate({ clientOrderId: 'tw-breakout-old-0', type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: placed.value.orderId, payload: {} });
    await hx.runtime.prepare();
    for (const s of ['BTCUSDT', 'ADAUSDT']) hx.runtime.startActor(s);
    const report = await hx.runtime.recover();
    expect(report.mismatches).toEqual({});
    expect(report.reconcile.applied).toEqual([]);
    expect(report.actions.join('\n')).toContain('open order tw-breakout-old-0 owned by no actor cancelled');
    expect(hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).not.toContain('tw-breakout-old-0');
    expect([...hx.journal.readEvents({ type: 'RECOVERY_STRAY_CANCELLED' })]).toHaveLength(1);
    await hx.runtime.stop('test');
    hx.journal.close();
  });
});
