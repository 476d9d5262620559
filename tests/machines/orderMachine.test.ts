/**
 * Transition table of the order chart, run through pure `transition()`: every row asserts the next state, the
 * emitted intents and the context change, and the table as a whole must exercise every transition of the chart.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type EventObject } from 'xstate';
import type { OrderEvent } from '../../machines/order/orderEvents.ts';
import { ORDER_MACHINE_VERSION, orderMachine, queryOutcome } from '../../machines/order/orderMachine.ts';
import { modelInput } from '../../machines/order/model.ts';
import { allTransitionKeys, restoreActor, runRow } from './support.ts';

const id = modelInput.clientOrderId;
const at = 10;
const acc: OrderEvent = { type: 'venue.accepted', clientOrderId: id, venueOrderId: 'v1', at };
const rej: OrderEvent = { type: 'venue.rejected', clientOrderId: id, code: '10001', category: 'parameter', message: 'bad qty', at };
const fill = (tradeId: string, quantity: string): OrderEvent => ({ type: 'venue.filled', clientOrderId: id, tradeId, price: '100', quantity, fee: '0.01', at });
const f1 = fill('t1', '1');
const empty = fill('t0', '0');
const cancelled: OrderEvent = { type: 'venue.cancelled', clientOrderId: id, at };
const expired: OrderEvent = { type: 'venue.expired', clientOrderId: id, at };
const cancelRejected: OrderEvent = { type: 'venue.cancelRejected', clientOrderId: id, code: '110001', at };
const amended: OrderEvent = { type: 'venue.amended', clientOrderId: id, price: '99', at };
const amendRejected: OrderEvent = { type: 'venue.amendRejected', clientOrderId: id, code: '10001', at };
const unknown: OrderEvent = { type: 'venue.unknown', clientOrderId: id, reason: 'timeout', at };
const ackTimeout: OrderEvent = { type: 'timer.ackTimeout', clientOrderId: id, at };
const cancel: OrderEvent = { type: 'command.cancel', clientOrderId: id, at };
const amend: OrderEvent = { type: 'command.amend', clientOrderId: id, price: '99', at };
const query = (found: boolean, status?: 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'expired' | 'rejected', filledQuantity = '0'): OrderEvent => ({
  type: 'venue.queryResult', clientOrderId: id, found, status, filledQuantity, at,
});

interface Row {
  readonly name: string;
  readonly reach: ReadonlyArray<OrderEvent>;
  readonly event: OrderEvent;
  readonly state: string;
  readonly emitted?: ReadonlyArray<string>;
  readonly context?: Record<string, unknown>;
}

// The three fill branches of every live state: ignored (replay or empty), completing, partial.
const fillRows = (state: string, reach: ReadonlyArray<OrderEvent>, partialState: string): Row[] => [
  { name: `${state}: empty fill is ignored and reported`, reach, event: empty, state, emitted: ['order.duplicateFill'] },
  { name: `${state}: fill of the whole quantity settles filled`, reach, event: fill('t9', '2'), state: 'filled', context: { filledQuantity: '2', filledNotional: '200' } },
  { name: `${state}: partial fill`, reach, event: fill('t8', '0.5'), state: partialState, context: { filledQuantity: '0.5', seenTradeIds: ['t8'] } },
];

const rows: Row[] = [
  { name: 'submitted: ack records the venue order id', reach: [], event: acc, state: 'accepted', context: { venueOrderId: 'v1', updatedAt: at } },
  { name: 'submitted: rejection is final', reach: [], event: rej, state: 'rejected', context: { lastError: { code: '10001', message: 'bad qty' } } },
  ...fillRows('submitted', [], 'partiallyFilled'),
  { name: 'submitted: cancel ack', reach: [], event: cancelled, state: 'cancelled' },
  { name: 'submitted: expiry', reach: [], event: expired, state: 'expired' },
  { name: 'submitted: transport error is unknown, not rejected', reach: [], event: unknown, state: 'unknown' },
  { name: 'submitted: ack timeout is unknown', reach: [], event: ackTimeout, state: 'unknown' },
  { name: 'submitted: cancel before ack', reach: [], event: cancel, state: 'pendingCancel' },

  ...fillRows('accepted', [acc], 'partiallyFilled'),
  { name: 'accepted: cancel ack', reach: [acc], event: cancelled, state: 'cancelled' },
  { name: 'accepted: expiry', reach: [acc], event: expired, state: 'expired' },
  { name: 'accepted: cancel requested', reach: [acc], event: cancel, state: 'pendingCancel' },
  { name: 'accepted: amend requested', reach: [acc], event: amend, state: 'pendingAmend' },

  { name: 'partiallyFilled: replayed trade id is ignored', reach: [acc, f1], event: f1, state: 'partiallyFilled', emitted: ['order.duplicateFill'], context: { filledQuantity: '1' } },
  { name: 'partiallyFilled: the rest fills', reach: [acc, f1], event: fill('t2', '1'), state: 'filled', context: { filledQuantity: '2', seenTradeIds: ['t1', 't2'] } },
  { name: 'partiallyFilled: another partial fill loops', reach: [acc, f1], event: fill('t2', '0.5'), state: 'partiallyFilled', context: { filledQuantity: '1.5' } },
  { name: 'partiallyFilled: cancel ack', reach: [acc, f1], event: cancelled, state: 'cancelled', context: { filledQuantity: '1' } },
  { name: 'partiallyFilled: expiry', reach: [acc, f1], event: expired, state: 'expired' },
  { name: 'partiallyFilled: cancel requested', reach: [acc, f1], event: cancel, state: 'pendingCancel' },
  { name: 'partiallyFilled: amend requested', reach: [acc, f1], event: amend, state: 'pendingAmend' },

  { name: 'pendingCancel: late ack records the venue id', reach: [cancel], event: acc, state: 'pendingCancel', context: { venueOrderId: 'v1' } },
  { name: 'pendingCancel: the order itself was rejected', reach: [cancel], event: rej, state: 'rejected' },
  ...fillRows('pendingCancel', [acc, cancel], 'pendingCancel'),
  { name: 'pendingCancel: cancel ack', reach: [acc, cancel], event: cancelled, state: 'cancelled' },
  { name: 'pendingCancel: expiry', reach: [acc, cancel], event: expired, state: 'expired' },
  { name: 'pendingCancel: refused with fills → partiallyFilled', reach: [acc, f1, cancel], event: cancelRejected, state: 'partiallyFilled', context: { lastError: { code: '110001', message: 'venue.cancelRejected' } } },
  { name: 'pendingCancel: refused after ack → accepted', reach: [acc, cancel], event: cancelRejected, state: 'accepted' },
  { name: 'pendingCancel: refused before any ack → unknown (query)', reach: [cancel], event: cancelRejected, state: 'unknown' },
  { name: 'pendingCancel: cancel outcome unknown', reach: [acc, cancel], event: unknown, state: 'unknown' },
  { name: 'pendingCancel: ack timeout', reach: [cancel], event: ackTimeout, state: 'unknown' },

  { name: 'pendingAmend: amended with fills', reach: [acc, f1, amend], event: amended, state: 'partiallyFilled', context: { price: '99' } },
  { name: 'pendingAmend: amended', reach: [acc, amend], event: amended, state: 'accepted', context: { price: '99' } },
  { name: 'pendingAmend: amend refused with fills', reach: [acc, f1, amend], event: amendRejected, state: 'partiallyFilled', context: { price: '100' } },
  { name: 'pendingAmend: amend refused', reach: [acc, amend], event: amendRejected, state: 'accepted', context: { price: '100' } },
  ...fillRows('pendingAmend', [acc, amend], 'pendingAmend'),
  { name: 'pendingAmend: cancel ack', reach: [acc, amend], event: cancelled, state: 'cancelled' },
  { name: 'pendingAmend: expiry', reach: [acc, amend], event: expired, state: 'expired' },
  { name: 'pendingAmend: cancel requested', reach: [acc, amend], event: cancel, state: 'pendingCancel' },
  { name: 'pendingAmend: outcome unknown', reach: [acc, amend], event: unknown, state: 'unknown' },

  { name: 'unknown: query finds nothing → rejected (never reached the book)', reach: [unknown], event: query(false), state: 'rejected', context: { lastError: { code: 'not_found', message: 'no order with this client order id' } } },
  { name: 'unknown: query says resting', reach: [unknown], event: query(true, 'new'), state: 'accepted' },
  { name: 'unknown: query says partially filled', reach: [unknown], event: query(true, 'partially_filled', '1'), state: 'partiallyFilled', context: { venueFilledQuantity: '1', filledQuantity: '0' } },
  { name: 'unknown: query says filled', reach: [unknown], event: query(true, 'filled', '2'), state: 'filled', context: { venueFilledQuantity: '2' } },
  { name: 'unknown: query says cancelled', reach: [unknown], event: query(true, 'cancelled'), state: 'cancelled' },
  { name: 'unknown: query says expired', reach: [unknown], event: query(true, 'expired'), state: 'expired' },
  { name: 'unknown: query says rejected', reach: [unknown], event: query(true, 'rejected'), state: 'rejected' },
  { name: 'unknown: the stream delivers the ack', reach: [unknown], event: acc, state: 'accepted' },
  { name: 'unknown: the stream delivers a rejection', reach: [unknown], event: rej, state: 'rejected' },
  ...fillRows('unknown', [unknown], 'partiallyFilled'),
  { name: 'unknown: the stream delivers a cancel', reach: [unknown], event: cancelled, state: 'cancelled' },
  { name: 'unknown: the stream delivers an expiry', reach: [unknown], event: expired, state: 'expired' },

  { name: 'cancelled: replayed fill is ignored', reach: [acc, cancelled], event: empty, state: 'cancelled', emitted: ['order.duplicateFill'] },
  { name: 'cancelled: a fill racing the cancel completes the order', reach: [acc, cancelled], event: fill('t3', '2'), state: 'filled', emitted: ['order.lateFill'], context: { filledQuantity: '2' } },
  { name: 'cancelled: a partial fill racing the cancel is recorded', reach: [acc, cancelled], event: f1, state: 'cancelled', emitted: ['order.lateFill'], context: { filledQuantity: '1' } },
  { name: 'expired: replayed fill is ignored', reach: [expired], event: empty, state: 'expired', emitted: ['order.duplicateFill'] },
  { name: 'expired: a late fill completes the order', reach: [expired], event: fill('t3', '2'), state: 'filled', emitted: ['order.lateFill'] },
  { name: 'expired: a late partial fill is recorded', reach: [expired], event: f1, state: 'expired', emitted: ['order.lateFill'], context: { filledQuantity: '1' } },
];

describe('order chart transition table', () => {
  it.each(rows)('$name', (row) => {
    const r = runRow(orderMachine, modelInput, row.reach, row.event);
    expect(r.keys.length).toBeGreaterThan(0);
    expect(r.after.value).toBe(row.state);
    expect(r.emitted.map((e) => e.type)).toEqual(row.emitted ?? []);
    if (row.context !== undefined) expect(r.after.context).toMatchObject(row.context);
  });

  it('covers every transition of the chart', () => {
    const covered = new Set(rows.flatMap((row) => runRow(orderMachine, modelInput, row.reach, row.event).keys));
    const all = allTransitionKeys(orderMachine);
    expect(all.filter((k) => !covered.has(k))).toEqual([]);
    expect(all.length).toBeGreaterThan(60);
  });
});

describe('order chart behaviour', () => {
  it('de-duplicates fills by trade id: a replayed execution never double-counts', () => {
    const r = runRow(orderMachine, modelInput, [acc, f1, f1, f1], fill('t2', '0.5'));
    expect(r.after.context.filledQuantity).toBe('1.5');
    expect(r.after.context.seenTradeIds).toEqual(['t1', 't2']);
  });

  it('counts the venue-reported total and stream fills once when they overlap', () => {
    const r = runRow(orderMachine, modelInput, [unknown, query(true, 'partially_filled', '1')], f1);
    expect(r.after.value).toBe('partiallyFilled');
    expect(r.after.context.filledQuantity).toBe('1');
    expect(r.after.context.venueFilledQuantity).toBe('1');
  });

  it('reports output with status and totals when it settles', () => {
    const actor = createActor(orderMachine, { input: modelInput }).start();
    for (const e of [acc, f1, fill('t2', '1')] as EventObject[]) actor.send(e as OrderEvent);
    expect(actor.getSnapshot().status).toBe('done');
    expect(actor.getSnapshot().output).toEqual({ clientOrderId: id, status: 'filled', filledQuantity: '2', averagePrice: '100', fees: '0.02' });
    const rejected = createActor(orderMachine, { input: modelInput }).start();
    rejected.send(rej);
    expect(rejected.getSnapshot().output?.status).toBe('rejected');
  });

  it('maps conditional statuses in query results onto plain ones', () => {
    expect(queryOutcome(true, 'triggered', '0')).toBe('filled');
    expect(queryOutcome(true, 'deactivated', '0')).toBe('cancelled');
    expect(queryOutcome(true, 'untriggered', '0')).toBe('accepted');
    expect(queryOutcome(true, undefined, '1')).toBe('partiallyFilled');
    expect(queryOutcome(false, 'filled', '2')).toBe('notFound');
  });

  it('round-trips a persisted snapshot through JSON', () => {
    const actor = createActor(orderMachine, { input: modelInput }).start();
    actor.send(acc);
    actor.send(f1);
    const json = JSON.stringify(actor.getPersistedSnapshot());
    const restored = restoreActor(orderMachine, json).start();
    expect(restored.getSnapshot().value).toBe('partiallyFilled');
    restored.send(f1);
    expect(restored.getSnapshot().context.filledQuantity).toBe('1');
    restored.send(fill('t2', '1'));
    expect(restored.getSnapshot().value).toBe('filled');
    expect(ORDER_MACHINE_VERSION).toMatch(/^order@\d+$/);
  });

  it('gives every state a description', () => {
    const missing = Object.values(orderMachine.root.states).filter((s) => !s.description);
    expect(missing.map((s) => s.id)).toEqual([]);
  });
});
