/**
 * Robustness of the Bybit façade against arbitrary client input (fast-check, committed seeds): every websocket frame
 * gets exactly one answer and the connection survives; every signed request body gets a Bybit envelope, never a 500.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawWs, type Frame } from '../../support/bybitRawClient.ts';
import { ACCOUNT, KEY, SECRET, startHarness, type Harness } from './bybitFacadeHarness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const isAnswer = (f: Frame) => 'success' in f || f['op'] === 'pong';

const frames = fc.oneof(
  fc.string(),
  fc.json(),
  fc.record({ op: fc.oneof(fc.constantFrom('subscribe', 'unsubscribe', 'auth', 'ping', 'nope'), fc.string()), args: fc.array(fc.oneof(fc.string(), fc.integer(), fc.constant(null))) }).map((o) => JSON.stringify(o)),
);

describe('Bybit façade: hostile input', () => {
  for (const kind of ['public', 'private'] as const) {
    it(`answers every ${kind} websocket frame once and keeps the connection`, async () => {
      const inputs = fc.sample(frames, { numRuns: 150, seed: 20261123 });
      const ws = await RawWs.open(kind === 'public' ? h.server.wsPublicUrl : h.server.wsPrivateUrl);
      if (kind === 'private') {
        ws.auth(KEY, SECRET, h.clock.now() + 60_000);
        await ws.next((f) => f['op'] === 'auth');
      }
      for (const text of inputs) ws.send(text);
      ws.send({ op: 'ping', req_id: 'final' });
      await ws.next((f) => f['req_id'] === 'final' && (f['op'] === 'ping' || f['op'] === 'pong'));
      const answers = ws.received.filter(isAnswer).length - (kind === 'private' ? 1 : 0);
      expect(answers).toBe(inputs.length + 1);
      expect(ws.socket.readyState).toBe(ws.socket.OPEN);
      await ws.close();
    });
  }

  it('answers arbitrary signed order bodies with a Bybit envelope, never a server error', async () => {
    const bodies = fc.sample(
      fc.oneof(
        fc.json(),
        fc.record({
          category: fc.constantFrom('linear', 'spot', ''),
          symbol: fc.constantFrom('BTCUSDT', 'btcusdt', 'ADAUSDT', 'X'),
          side: fc.constantFrom('Buy', 'Sell', 'buy', 1),
          orderType: fc.constantFrom('Market', 'Limit', 'Stop'),
          qty: fc.oneof(fc.constantFrom('0.01', '0', '-1', '1e3', 'abc', '0.0000001'), fc.double()),
          price: fc.oneof(fc.constantFrom('17000', '0.05', '', 'NaN'), fc.integer()),
          timeInForce: fc.constantFrom('GTC', 'IOC', 'FOK', 'PostOnly', 'RPI'),
          reduceOnly: fc.oneof(fc.boolean(), fc.constant('true')),
        }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
      ),
      { numRuns: 120, seed: 42 },
    );
    const acceptedIds: string[] = [];
    for (const body of bodies) {
      const r = await h.rest.post<{ orderId?: string }>('/v5/order/create', body);
      expect(r.status).toBe(200);
      expect(typeof r.body?.retCode).toBe('number');
      expect(r.body?.retExtInfo).toEqual({});
      if (r.body?.retCode === 0) acceptedIds.push(String(r.body.result.orderId));
      else expect(r.body?.result).toEqual({});
    }
    // Every acceptance is a real engine order, and every refusal left nothing behind.
    expect(h.exchange.orderHistory(ACCOUNT).map((o) => o.orderId).sort()).toEqual([...acceptedIds].sort());
  });
});
