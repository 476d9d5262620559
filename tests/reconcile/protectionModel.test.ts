/**
 * The protection model on the port (issue 11 item 4): a venue that keeps TP/SL as separate orders of ours (OCO or
 * conditional legs) reports them through `protectionOf`, and start-up recovery and the journal-level reconcile treat
 * them as the position's protection — never as stray or orphan orders to cancel. The same engine, read through the
 * position-attached model, withdraws that order: the rule is what keeps it. Real runtime over the in-process simulator.
 */
import { Effect } from 'effect';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import type { SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { makeHarness } from '../runtime/harness.ts';

const TP_ID = 'tw-breakout-tp-0';
const TP_PRICE = dec('30000');
const SL_PRICE = dec('10000');

/** The simulator presented as a venue whose TP/SL live in separate orders: the resting reduce-only sell is the TP leg. */
const ocoVenue = (v: SimVenue): SimVenue => ({
  ...v,
  capabilities: { ...v.capabilities, protectionModel: 'oco' },
  protectionOf: (symbol) =>
    Effect.sync(() => {
      const leg = v.exchange.openOrders('main', symbol).find((o) => o.clientOrderId === TP_ID);
      return leg === undefined ? { takeProfit: undefined, stopLoss: undefined, orderIds: [] } : { takeProfit: TP_PRICE, stopLoss: SL_PRICE, orderIds: [TP_ID] };
    }),
});

const setUp = async (venue?: (v: SimVenue) => SimVenue) => {
  const hx = makeHarness({ venue });
  hx.clock.advanceBy(60_000);
  hx.exchange.advanceTo(hx.clock.now());
  // A position the previous process left (no attached TP/SL) and its TP leg resting as a reduce-only limit sell.
  const entry = hx.exchange.placeOrder({
    account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'market', quantity: dec('0.01'), timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false, clientOrderId: 'tw-breakout-old-0',
  });
  expect(entry.ok).toBe(true);
  const leg = hx.exchange.placeOrder({
    account: 'main', symbol: 'BTCUSDT', side: 'sell', type: 'limit', quantity: dec('0.01'), price: TP_PRICE, timeInForce: 'gtc', reduceOnly: true, closeOnTrigger: false, clientOrderId: TP_ID,
  });
  expect(leg.ok).toBe(true);
  await hx.runtime.prepare();
  for (const s of ['BTCUSDT', 'ADAUSDT']) hx.runtime.startActor(s);
  return hx;
};

describe('X-REC-1 X-ORD-7 protection that lives in separate orders', () => {
  it('recovery adopts the position as protected and leaves its TP leg resting (protectionOf names it)', async () => {
    const hx = await setUp(ocoVenue);
    const report = await hx.runtime.recover();
    expect(report.actions.join('\n')).toContain('BTCUSDT: adopted long 0.01 (already protected)');
    expect(report.actions.join('\n')).not.toContain(TP_ID);
    expect(report.reconcile.applied).toEqual([]);
    expect(hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).toContain(TP_ID);
    expect([...hx.journal.readEvents({ type: 'RECOVERY_STRAY_CANCELLED' })]).toHaveLength(0);
    await hx.runtime.stop('test');
    hx.journal.close();
  });

  it('read as a position-attached venue, the same order is no protection: it is withdrawn and the position re-protected', async () => {
    const hx = await setUp();
    const report = await hx.runtime.recover();
    expect(hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId)).not.toContain(TP_ID);
    expect(report.actions.join('\n')).toMatch(/BTCUSDT: adopted long 0\.01 and protected it/);
    await hx.runtime.stop('test');
    hx.journal.close();
  });

  it('X-RSK-1 the kill switch cancels every working order but the protective ones, so the position stays protected', async () => {
    const hx = await setUp(ocoVenue);
    await hx.runtime.recover();
    const working = hx.exchange.placeOrder({
      account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec('1000'), timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId: 'tw-breakout-w-0',
    });
    expect(working.ok).toBe(true);
    const result = await hx.runtime.kill.engage({ reason: 'drill', source: 'cli' });
    expect(result.cancelled).toBe(1);
    const open = hx.exchange.openOrders('main', 'BTCUSDT').map((o) => o.clientOrderId);
    expect(open).toEqual([TP_ID]);
    await hx.runtime.stop('test');
    hx.journal.close();
  });
});
