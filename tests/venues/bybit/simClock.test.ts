/**
 * Clock discipline against the simulator façade's clock-skew fault: the offset estimate follows the venue clock and
 * drives the X-CLK-2 gate; a 10002 rejection caused by skew is healed by one resync and one retry (X-CLK-3).
 */
import { Effect } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { startSimHarness, type SimHarness } from './simHarness.ts';

let h: SimHarness;

beforeAll(async () => {
  h = await startSimHarness();
});

afterAll(async () => {
  await h.close();
});

/** Measures the server time as often as the estimator keeps samples, so only the new venue clock counts. */
const remeasure = async (): Promise<void> => {
  for (let i = 0; i < 8; i++) await Effect.runPromise(h.venue.serverTime());
};

describe('Bybit clock offset against the simulator', () => {
  it('X-CLK-2 drifts to 300 ms → blocked; back to 80 ms → still blocked at 101 ms, resumed at 80 ms', async () => {
    await remeasure();
    expect(h.venue.clockGate.isOpen()).toBe(true);
    h.setFaults({ clockSkewMs: 300 });
    await remeasure();
    expect(h.venue.clockOffsetMs()).toBeCloseTo(300, 0);
    expect(h.venue.clockGate.current()).toBe('blocked');
    h.setFaults({ clockSkewMs: 101 });
    await remeasure();
    expect(h.venue.clockGate.current()).toBe('blocked');
    h.setFaults({ clockSkewMs: 80 });
    await remeasure();
    expect(h.venue.clockOffsetMs()).toBeCloseTo(80, 0);
    expect(h.venue.clockGate.current()).toBe('open');
    h.setFaults({});
    await remeasure();
  });

  it('X-CLK-3 a venue clock 1.5 s behind rejects with 10002; the adapter resyncs once, retries once, and the order is accepted', async () => {
    await remeasure();
    expect(Math.abs(h.venue.clockOffsetMs())).toBeLessThan(1);
    h.setFaults({ clockSkewMs: -1500 });
    try {
      const bid = h.exchange.book('BTCUSDT', 1).bids[0]?.[0] ?? new Decimal('30000');
      const id = 'tw-clk3-1';
      const ack = await Effect.runPromise(
        h.venue.placeOrder({ clientOrderId: id, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: new Decimal('0.001'), price: bid.minus(500), timeInForce: 'gtc', reduceOnly: false }),
      );
      expect(ack.clientOrderId).toBe(id);
      expect(h.venue.clockOffsetMs()).toBeCloseTo(-1500, 0);
      const found = await Effect.runPromise(h.venue.orderByClientId('BTCUSDT', id));
      expect(found?.status).toBe('new');
      await Effect.runPromise(h.venue.cancelOrder('BTCUSDT', id));
    } finally {
      h.setFaults({});
    }
  });
});
