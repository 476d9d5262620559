/**
 * Property tests (fast-check, committed seeds) over random event sequences drawn from each chart's model payloads:
 * the actors never error and the safety invariants hold across many cycles, not only along generated paths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActor, type EventObject } from 'xstate';
import { connectionMachine, isTradingAllowed } from '../../machines/connection/connectionMachine.ts';
import * as connectionModel from '../../machines/connection/model.ts';
import { lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import * as tradeModel from '../../machines/trade/model.ts';
import type { TradeEmitted, TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { dec, sumDec } from '../../src/domain/money.ts';

const sequences = <E extends EventObject>(events: ReadonlyArray<E>, maxLength: number) => fc.array(fc.constantFrom(...events), { maxLength });

describe('chart properties over random event sequences', () => {
  it('trade: no entry while halted or paused, protection only with a position, OEP fixed per cycle, never errors', () => {
    fc.assert(
      fc.property(sequences(tradeModel.modelEvents, 60), (events) => {
        const actor = createActor(tradeMachine, { input: tradeModel.modelInput });
        let failure: unknown;
        let emitted: TradeEmitted[] = [];
        actor.on('*', (e) => emitted.push(e));
        actor.subscribe({ error: (err) => (failure = err) });
        actor.start();
        for (const event of events as ReadonlyArray<TradeEvent>) {
          const before = actor.getSnapshot();
          emitted = [];
          actor.send(event);
          const after = actor.getSnapshot();
          expect(failure).toBeUndefined();
          for (const e of emitted) {
            if (e.type === 'order.submit' && !e.reduceOnly) expect(before.value).toMatchObject({ control: 'running', entries: 'allowed' });
            if (e.type === 'protection.set') expect(dec(after.context.entry.filledQuantity).gt(0)).toBe(true);
          }
          const oep = before.context.openingPrice;
          if (oep !== null && lifecycleState(after) !== 'idle') expect(after.context.openingPrice).toBe(oep);
        }
        actor.stop();
      }),
      { seed: 20261123, numRuns: 300 },
    );
  });

  it('trade: the ledger fills each order with the sum of its distinct positive fills, and settles an order at most once', () => {
    fc.assert(
      fc.property(sequences(tradeModel.modelEvents, 60), (events) => {
        const actor = createActor(tradeMachine, { input: tradeModel.modelInput }).start();
        const accepted = new Map<string, Map<string, string>>();
        for (const event of events as ReadonlyArray<TradeEvent>) {
          const before = actor.getSnapshot().context;
          actor.send(event);
          const after = actor.getSnapshot().context;
          // A new cycle starts a new ledger.
          if (after.orderIds.length < before.orderIds.length) accepted.clear();
          if (event.type === 'venue.filled' && after.orderIds.includes(event.clientOrderId) && !before.seenTradeIds.includes(event.tradeId) && dec(event.quantity).gt(0)) {
            const fills = accepted.get(event.clientOrderId) ?? new Map<string, string>();
            fills.set(event.tradeId, event.quantity);
            accepted.set(event.clientOrderId, fills);
          }
          for (const id of after.orderIds) {
            const sum = sumDec([...(accepted.get(id)?.values() ?? [])].map((q) => dec(q)));
            expect(dec(after.orderFilled[id] ?? '0').eq(sum)).toBe(true);
          }
          expect(new Set(after.settledOrderIds).size).toBe(after.settledOrderIds.length);
          for (const id of after.settledOrderIds) expect(after.orderIds).toContain(id);
        }
        actor.stop();
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('X-WS-5 connection: trading allowed iff live; market.resumed and market.paused strictly alternate', () => {
    fc.assert(
      fc.property(fc.boolean(), sequences(connectionModel.modelEvents, 60), (isPrivate, events) => {
        const input = isPrivate ? connectionModel.modelPrivateInput : connectionModel.modelInput;
        const actor = createActor(connectionMachine, { input });
        const gates: string[] = [];
        actor.on('*', (e) => {
          if (e.type === 'market.paused' || e.type === 'market.resumed') gates.push(e.type);
        });
        actor.start();
        for (const event of events) {
          actor.send(event);
          const s = actor.getSnapshot();
          expect(isTradingAllowed(s)).toBe(JSON.stringify(s.value) === JSON.stringify({ open: 'live' }));
          // Paused by default: the first gate event is a resume, then they alternate; the last one matches the state.
          gates.forEach((g, i) => expect(g).toBe(i % 2 === 0 ? 'market.resumed' : 'market.paused'));
          expect(gates.length % 2 === 1).toBe(isTradingAllowed(s));
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
