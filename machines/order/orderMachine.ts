/**
 * The lifecycle of one order, from submission to a settled status, mirroring the domain order-status table. The
 * chart only records what the venue reported (it emits observability intents, never I/O); the trade chart decides.
 */
import { assign, emit, setup } from 'xstate';
import type { OrderStatus } from '../../src/domain/orders.ts';
import { addFill, averagePrice, emptyTotals, isPositive, maxString, reaches, rememberTradeId, type FillTotals } from './fillMath.ts';
import type { OrderEmitted, OrderEvent, OrderInput, OrderRole } from './orderEvents.ts';

/** Version of this chart, stored next to every persisted snapshot; bump it whenever states or context change. */
export const ORDER_MACHINE_VERSION = 'order@1';

/** The serializable context of one order. Decimal values are strings. */
export interface OrderContext extends FillTotals {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderInput['side'];
  readonly role: OrderRole;
  readonly quantity: string;
  readonly price: string | null;
  readonly venueOrderId: string | null;
  /** Cumulative filled quantity the venue reported in a query; fills seen on the stream may lag behind it. */
  readonly venueFilledQuantity: string;
  readonly seenTradeIds: ReadonlyArray<string>;
  readonly lastError: { readonly code: string; readonly message: string } | null;
  /** Host time of the last event that changed the order. */
  readonly updatedAt: number | null;
}

/** What a settled order reports to its parent. */
export interface OrderOutput {
  readonly clientOrderId: string;
  readonly status: 'filled' | 'rejected';
  readonly filledQuantity: string;
  readonly averagePrice: string | null;
  readonly fees: string;
}

/** Returns the filled quantity counting both stream fills and the venue's reported total. */
export const effectiveFilled = (c: Pick<OrderContext, 'filledQuantity' | 'venueFilledQuantity'>): string =>
  maxString(c.filledQuantity, c.venueFilledQuantity);

/** Which state a query result settles the order into. */
export type QueryOutcome = 'notFound' | 'accepted' | 'partiallyFilled' | 'filled' | 'cancelled' | 'expired' | 'rejected';

/** Returns the state a venue query result leads to (conditional statuses map onto their plain equivalents). */
export const queryOutcome = (found: boolean, status: OrderStatus | undefined, filled: string): QueryOutcome => {
  if (!found) return 'notFound';
  switch (status) {
    case 'filled':
    case 'triggered':
      return 'filled';
    case 'cancelled':
    case 'deactivated':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'partially_filled':
      return 'partiallyFilled';
    default:
      return isPositive(filled) ? 'partiallyFilled' : 'accepted';
  }
};

type FillEvent = Extract<OrderEvent, { type: 'venue.filled' }>;
const asFill = (e: OrderEvent): FillEvent | undefined => (e.type === 'venue.filled' ? e : undefined);
const isIgnorable = (c: OrderContext, f: FillEvent): boolean => c.seenTradeIds.includes(f.tradeId) || !isPositive(f.quantity);

// The fill branch every live state shares: ignore replays, settle when complete, otherwise stay in `partial`.
const fillBranch = (partial: string) => [
  { guard: 'isIgnorableFill' as const, actions: 'reportIgnoredFill' as const },
  { guard: 'completesOrder' as const, target: '#order.filled', actions: 'recordFill' as const },
  { target: partial, actions: 'recordFill' as const },
];

const settled = {
  'venue.cancelled': { target: '#order.cancelled', actions: 'recordUpdate' as const },
  'venue.expired': { target: '#order.expired', actions: 'recordUpdate' as const },
};

/** One order's chart; spawned by the trade chart as `order:<clientOrderId>`. */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderInput,
    emitted: {} as OrderEmitted,
    output: {} as OrderOutput,
  },
  guards: {
    isIgnorableFill: ({ context, event }) => {
      const f = asFill(event);
      return f !== undefined && isIgnorable(context, f);
    },
    completesOrder: ({ context, event }) => {
      const f = asFill(event);
      return f !== undefined && reaches(context.filledQuantity, f.quantity, context.quantity);
    },
    hasFills: ({ context }) => isPositive(effectiveFilled(context)),
    isAcknowledged: ({ context }) => context.venueOrderId !== null,
    isQueryOutcome: ({ event }, params: { outcome: QueryOutcome }) =>
      event.type === 'venue.queryResult' && queryOutcome(event.found, event.status, event.filledQuantity ?? '0') === params.outcome,
  },
  actions: {
    recordUpdate: assign({ updatedAt: ({ event }) => event.at }),
    recordAccept: assign(({ event }) => (event.type === 'venue.accepted' ? { venueOrderId: event.venueOrderId, updatedAt: event.at } : {})),
    recordReject: assign(({ event }) =>
      event.type === 'venue.rejected' ? { lastError: { code: event.code, message: event.message ?? event.category }, updatedAt: event.at } : {},
    ),
    recordNotFound: assign(({ event }) => ({ lastError: { code: 'not_found', message: 'no order with this client order id' }, updatedAt: event.at })),
    recordRequestError: assign(({ event }) =>
      event.type === 'venue.cancelRejected' || event.type === 'venue.amendRejected'
        ? { lastError: { code: event.code, message: event.type }, updatedAt: event.at }
        : {},
    ),
    recordFill: assign(({ context, event }) => {
      const f = asFill(event);
      if (f === undefined) return {};
      return { ...addFill(context, f), seenTradeIds: rememberTradeId(context.seenTradeIds, f.tradeId), updatedAt: f.at };
    }),
    applyAmend: assign(({ context, event }) =>
      event.type === 'venue.amended'
        ? { price: event.price ?? context.price, quantity: event.quantity ?? context.quantity, updatedAt: event.at }
        : {},
    ),
    recordQueryResult: assign(({ context, event }) =>
      event.type === 'venue.queryResult'
        ? { venueFilledQuantity: maxString(context.venueFilledQuantity, event.filledQuantity ?? '0'), updatedAt: event.at }
        : {},
    ),
    reportIgnoredFill: emit(({ context, event }) => ({
      type: 'order.duplicateFill' as const,
      clientOrderId: context.clientOrderId,
      tradeId: event.type === 'venue.filled' ? event.tradeId : '',
    })),
    // A fill after the cancel (or expiry) ack is legal: the execution happened before the cancel reached the matching
    // engine, but the private stream delivered it after the cancel confirmation. It is recorded, and reported.
    reportLateFill: emit(({ context, event }) => ({
      type: 'order.lateFill' as const,
      clientOrderId: context.clientOrderId,
      tradeId: event.type === 'venue.filled' ? event.tradeId : '',
      quantity: event.type === 'venue.filled' ? event.quantity : '0',
    })),
  },
}).createMachine({
  id: 'order',
  description: 'One order from submission to a settled status; fills are de-duplicated by trade id.',
  context: ({ input }) => ({
    clientOrderId: input.clientOrderId,
    symbol: input.symbol,
    side: input.side,
    role: input.role,
    quantity: input.quantity,
    price: input.price ?? null,
    venueOrderId: null,
    ...emptyTotals,
    venueFilledQuantity: '0',
    seenTradeIds: [],
    lastError: null,
    updatedAt: null,
  }),
  initial: 'submitted',
  // The final state's own output names the status; the root output adds the totals.
  output: ({ context, event }) => ({
    clientOrderId: context.clientOrderId,
    status: (event.output as { status?: OrderOutput['status'] } | undefined)?.status ?? 'rejected',
    filledQuantity: effectiveFilled(context),
    averagePrice: averagePrice(context),
    fees: context.fees,
  }),
  states: {
    submitted: {
      description: 'Sent to the venue, no acknowledgement yet. A fill may overtake the ack on the private stream.',
      on: {
        'venue.accepted': { target: 'accepted', actions: 'recordAccept' },
        'venue.rejected': { target: 'rejected', actions: 'recordReject' },
        'venue.filled': fillBranch('partiallyFilled'),
        ...settled,
        'venue.unknown': { target: 'unknown', actions: 'recordUpdate' },
        'timer.ackTimeout': { target: 'unknown', actions: 'recordUpdate' },
        'command.cancel': { target: 'pendingCancel', actions: 'recordUpdate' },
      },
    },
    accepted: {
      description: 'Resting at the venue with nothing filled.',
      on: {
        'venue.filled': fillBranch('partiallyFilled'),
        ...settled,
        'command.cancel': { target: 'pendingCancel', actions: 'recordUpdate' },
        'command.amend': { target: 'pendingAmend', actions: 'recordUpdate' },
      },
    },
    partiallyFilled: {
      description: 'Resting at the venue with part of the quantity filled; further fills loop here.',
      on: {
        'venue.filled': fillBranch('partiallyFilled'),
        ...settled,
        'command.cancel': { target: 'pendingCancel', actions: 'recordUpdate' },
        'command.amend': { target: 'pendingAmend', actions: 'recordUpdate' },
      },
    },
    pendingCancel: {
      description: 'A cancel was requested; fills that race the cancel are still recorded.',
      on: {
        'venue.accepted': { actions: 'recordAccept' },
        'venue.rejected': { target: 'rejected', actions: 'recordReject' },
        'venue.filled': fillBranch('pendingCancel'),
        ...settled,
        'venue.cancelRejected': [
          { guard: 'hasFills', target: 'partiallyFilled', actions: 'recordRequestError' },
          { guard: 'isAcknowledged', target: 'accepted', actions: 'recordRequestError' },
          // The cancel of an order we never saw acknowledged was refused: only a query can tell whether it exists.
          { target: 'unknown', actions: 'recordRequestError' },
        ],
        'venue.unknown': { target: 'unknown', actions: 'recordUpdate' },
        'timer.ackTimeout': { target: 'unknown', actions: 'recordUpdate' },
      },
    },
    pendingAmend: {
      description: 'An amend (price or quantity) was requested and is not yet confirmed.',
      on: {
        'venue.amended': [
          { guard: 'hasFills', target: 'partiallyFilled', actions: 'applyAmend' },
          { target: 'accepted', actions: 'applyAmend' },
        ],
        'venue.amendRejected': [
          { guard: 'hasFills', target: 'partiallyFilled', actions: 'recordRequestError' },
          { target: 'accepted', actions: 'recordRequestError' },
        ],
        'venue.filled': fillBranch('pendingAmend'),
        ...settled,
        'command.cancel': { target: 'pendingCancel', actions: 'recordUpdate' },
        'venue.unknown': { target: 'unknown', actions: 'recordUpdate' },
      },
    },
    unknown: {
      description: 'The outcome of a request is unknown (timeout, transport error); in flight until a query or the stream settles it.',
      on: {
        'venue.queryResult': [
          { guard: { type: 'isQueryOutcome', params: { outcome: 'notFound' } }, target: 'rejected', actions: 'recordNotFound' },
          { guard: { type: 'isQueryOutcome', params: { outcome: 'accepted' } }, target: 'accepted', actions: 'recordQueryResult' },
          { guard: { type: 'isQueryOutcome', params: { outcome: 'partiallyFilled' } }, target: 'partiallyFilled', actions: 'recordQueryResult' },
          { guard: { type: 'isQueryOutcome', params: { outcome: 'filled' } }, target: 'filled', actions: 'recordQueryResult' },
          { guard: { type: 'isQueryOutcome', params: { outcome: 'cancelled' } }, target: 'cancelled', actions: 'recordQueryResult' },
          { guard: { type: 'isQueryOutcome', params: { outcome: 'expired' } }, target: 'expired', actions: 'recordQueryResult' },
          { target: 'rejected', actions: 'recordQueryResult' },
        ],
        'venue.accepted': { target: 'accepted', actions: 'recordAccept' },
        'venue.rejected': { target: 'rejected', actions: 'recordReject' },
        'venue.filled': fillBranch('partiallyFilled'),
        ...settled,
      },
    },
    cancelled: {
      description: 'The venue confirmed the cancel. Not final: a fill that raced the cancel may still arrive and is recorded.',
      on: {
        'venue.filled': [
          { guard: 'isIgnorableFill', actions: 'reportIgnoredFill' },
          { guard: 'completesOrder', target: 'filled', actions: ['recordFill', 'reportLateFill'] },
          { actions: ['recordFill', 'reportLateFill'] },
        ],
      },
    },
    expired: {
      description: 'The venue expired the order (IOC/FOK remainder, time in force). Not final, for the same race as cancelled.',
      on: {
        'venue.filled': [
          { guard: 'isIgnorableFill', actions: 'reportIgnoredFill' },
          { guard: 'completesOrder', target: 'filled', actions: ['recordFill', 'reportLateFill'] },
          { actions: ['recordFill', 'reportLateFill'] },
        ],
      },
    },
    filled: { type: 'final', description: 'The whole quantity filled.', output: { status: 'filled' } },
    rejected: {
      type: 'final',
      description: 'The venue refused the order, or a query proved it never reached the book.',
      output: { status: 'rejected' },
    },
  },
});
