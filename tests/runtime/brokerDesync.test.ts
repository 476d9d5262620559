/**
 * X-REC-2 periodic and reconnect reconcile: a divergence between an actor and the venue that lasts two checks sets
 * broker_desync (journaled, CRITICAL alert, new entries vetoed by the RiskEngine); a clean check clears it. Real runtime
 * over the real in-process simulator (harness), an order placed at the venue behind the runtime's back.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { makeHarness } from './harness.ts';

describe('X-REC-2 broker_desync from periodic checks', () => {
  it('sets broker_desync (which the RiskEngine vetoes entries on, tests/risk) on a divergence seen twice, and clears it once the venue agrees', async () => {
    const hx = makeHarness();
    await hx.runtime.start();
    hx.clock.advanceBy(60_000);
    await hx.runtime.idle();
    expect(await hx.runtime.checkVenue('test')).toEqual([]);

    // An order with our id prefix that the idle BTCUSDT actor does not own (placed behind the runtime's back).
    const placed = hx.exchange.placeOrder({
      account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('1000'), timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false,
      clientOrderId: 'tw-manual-1-0',
    });
    expect(placed.ok).toBe(true);
    await hx.runtime.idle();
    const first = await hx.runtime.checkVenue('periodic');
    expect(first.join('\n')).toContain('BTCUSDT: venue order tw-manual-1-0 is open but the actor does not own it');
    // One sighting may be an event still on the wire: not yet a desync.
    expect(hx.runtime.state.brokerDesync()).toBe(false);
    await hx.runtime.checkVenue('periodic');
    expect(hx.runtime.state.brokerDesync()).toBe(true);
    expect([...hx.journal.readEvents({ type: 'BROKER_DESYNC' })]).toHaveLength(1);
    expect(hx.logLines.join('\n')).toMatch(/"level":50.*"alert":"broker_desync".*"msg":"broker_desync"/);

    // The venue agrees again (the order is gone): the next check clears the flag.
    expect(hx.exchange.cancelOrder('main', 'BTCUSDT', { clientOrderId: 'tw-manual-1-0' }).ok).toBe(true);
    await hx.runtime.idle();
    expect(await hx.runtime.checkVenue('periodic')).toEqual([]);
    expect(hx.runtime.state.brokerDesync()).toBe(false);
    expect([...hx.journal.readEvents({ type: 'BROKER_RESYNCED' })]).toHaveLength(1);
    await hx.runtime.stop('test');
    hx.journal.close();
  });
});
