/**
 * The bounded model of the order chart for path generation with `xstate/graph`: a small event payload set and a
 * state serializer that keeps traversal finite. Shared by the graph tests and the runtime model runs; no logic.
 */
import type { SnapshotFrom } from 'xstate';
import type { OrderEvent, OrderInput } from './orderEvents.ts';
import type { orderMachine } from './orderMachine.ts';

/** The input the model runs use. */
export const modelInput: OrderInput = { clientOrderId: 'o1', symbol: 'BTCUSDT', side: 'buy', quantity: '2', price: '100', role: 'entry' };

const id = modelInput.clientOrderId;
const fill = (tradeId: string, quantity: string): OrderEvent => ({ type: 'venue.filled', clientOrderId: id, tradeId, price: '100', quantity, fee: '0.01', at: 2 });
const query = (found: boolean, status?: 'new' | 'partially_filled' | 'filled' | 'cancelled' | 'expired' | 'rejected', filledQuantity = '0'): OrderEvent => ({
  type: 'venue.queryResult', clientOrderId: id, found, status, filledQuantity, at: 3,
});

/** Every event payload path generation uses (payload-less events are listed too; see api-notes §2). */
export const modelEvents: ReadonlyArray<OrderEvent> = [
  { type: 'venue.accepted', clientOrderId: id, venueOrderId: 'v1', at: 1 },
  { type: 'venue.rejected', clientOrderId: id, code: '10001', category: 'parameter', at: 1 },
  fill('t1', '1'),
  fill('t2', '1'),
  fill('t3', '2'),
  fill('t0', '0'),
  { type: 'venue.cancelled', clientOrderId: id, at: 2 },
  { type: 'venue.expired', clientOrderId: id, at: 2 },
  { type: 'venue.cancelRejected', clientOrderId: id, code: '110001', at: 2 },
  { type: 'venue.amended', clientOrderId: id, price: '99', at: 2 },
  { type: 'venue.amendRejected', clientOrderId: id, code: '10001', at: 2 },
  { type: 'venue.unknown', clientOrderId: id, reason: 'timeout', at: 2 },
  { type: 'timer.ackTimeout', clientOrderId: id, at: 5 },
  { type: 'command.cancel', clientOrderId: id, at: 2 },
  { type: 'command.amend', clientOrderId: id, price: '99', at: 2 },
  query(false),
  query(true, 'new'),
  query(true, 'partially_filled', '1'),
  query(true, 'filled', '2'),
  query(true, 'cancelled', '0'),
  query(true, 'expired', '0'),
  query(true, 'rejected'),
];

/** Returns the graph identity of an order snapshot: its state plus the bounded fields that change its behaviour. */
export const serializeForGraph = (s: SnapshotFrom<typeof orderMachine>): string => {
  const c = s.context;
  return JSON.stringify([s.value, c.filledQuantity, c.venueFilledQuantity, c.venueOrderId !== null, [...c.seenTradeIds].sort(), c.price]);
};

/** A coarse identity (the state value only) for simple-path generation, which grows factorially with states. */
export const serializeValueForGraph = (s: SnapshotFrom<typeof orderMachine>): string => JSON.stringify(s.value);
