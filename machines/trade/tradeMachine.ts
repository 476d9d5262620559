/**
 * The trade chart, one actor per symbol: the position lifecycle ACK → FILL → OPENED → TPSL → CLOSE in the
 * `lifecycle` region, with the KILL switch (`control`) and MARKET_PAUSED (`entries`) as orthogonal regions. Pure: no
 * I/O, no clock, no timers; every side effect leaves as a typed emitted intent that the runtime's ActorHost performs.
 */
import type { ActorRefFrom, AnyStateNode, SnapshotFrom } from 'xstate';
import { and } from 'xstate';
import { cancelling, idle, querying, submitting, working } from './entryStates.ts';
import { closed, closing, flattening, opened } from './positionStates.ts';
import { initialStop } from './stopManagement.ts';
import { initialLadder } from '../../src/domain/ladder.ts';
import { initialHedge } from './hedgeLogic.ts';
import { tradeSetup } from './tradeSetup.ts';
import type { TradeTimerName } from './tradeTypes.ts';

/** Version of this chart, stored next to every persisted snapshot; bump it whenever states or context change. */
export const TRADE_MACHINE_VERSION = 'trade@3';

/** The trade chart for one symbol; spawn it as `trade:<venue>:<symbol>` with a `TradeInput`. */
export const tradeMachine = tradeSetup.createMachine({
  id: 'trade',
  description: 'One symbol: entry, position, protection and exit, with kill switch and market pause as parallel regions.',
  type: 'parallel',
  context: ({ input }) => ({
    symbol: input.symbol,
    cooldownMs: input.cooldownMs,
    maxProtectionAttempts: input.maxProtectionAttempts,
    queryRetryMs: input.queryRetryMs,
    killFlatten: input.killFlatten,
    intent: null,
    attempt: 0,
    entryParts: [],
    entryPart: 0,
    entryOrders: 0,
    entryClientOrderId: null,
    entryPrice: null,
    entryDone: false,
    entry: { filledQuantity: '0', filledNotional: '0', fees: '0' },
    openingPrice: null,
    stop: initialStop,
    ladder: initialLadder,
    hedge: initialHedge,
    exit: { filledQuantity: '0', filledNotional: '0', fees: '0' },
    exitClientOrderIds: [],
    exitPrice: null,
    seenTradeIds: [],
    protectionAttempts: 0,
    orderIds: [],
    settledOrderIds: [],
    orderSizes: {},
    orderFilled: {},
    venueClosed: false,
    queryOrderId: null,
    ackDeadline: null,
    queryRetryAt: null,
    cooldownUntil: null,
    flattenRequested: false,
    haltReason: null,
    closeReason: null,
    lastOutcome: null,
  }),
  states: {
    // First in document order, so it sees each event before the lifecycle records it (trade-id de-duplication).
    orders: {
      description: "The ledger of the cycle's orders: each order's fills, and which orders reached a final state at the venue.",
      initial: 'tracking',
      states: {
        tracking: {
          description: 'Every venue event about one of the cycle’s orders updates its fills and whether it has settled.',
          on: {
            'venue.filled': { actions: 'trackOrder' },
            'venue.rejected': { actions: 'trackOrder' },
            'venue.cancelled': { actions: 'trackOrder' },
            'venue.expired': { actions: 'trackOrder' },
            'venue.queryResult': { actions: 'trackOrder' },
          },
        },
      },
    },
    lifecycle: {
      description: 'The position lifecycle of the symbol; loops back to idle after every cycle.',
      initial: 'idle',
      // Defaults for states without their own handler: record the halt; a requested flatten is taken by `opened`.
      on: {
        'operator.kill': { actions: 'recordHalt' },
        'runtime.defect': { actions: 'recordHalt' },
        // S0-12: the hedge leg's orders and updates count wherever the position is (a close asked for while hedging).
        'venue.filled': [{ guard: 'isNewHedgeFill', actions: 'recordHedgeFill' }, { guard: 'isNewUnhedgeFill', actions: 'recordHedgeExitFill' }],
        'venue.rejected': { guard: 'isHedgeOrderEvent', actions: 'settleHedgeOrder' },
        'venue.cancelled': { guard: 'isHedgeOrderEvent', actions: 'settleHedgeOrder' },
        'venue.expired': { guard: 'isHedgeOrderEvent', actions: 'settleHedgeOrder' },
        'venue.positionChanged': { guard: and(['isHedgeLegFlat', 'hasOpenHedge']), actions: 'recordHedgeClose' },
      },
      states: { idle, submitting, querying, working, cancelling, opened, closing, flattening, closed },
    },
    control: {
      description: 'The kill switch for this symbol (X-RSK-1).',
      initial: 'running',
      states: {
        running: {
          description: 'Trading runs: entries may be opened (subject to the entries region).',
          on: {
            'operator.kill': { target: 'halted', actions: { type: 'notify', params: { kind: 'halted', severity: 'critical' } } },
            'runtime.defect': { target: 'halted', actions: { type: 'notify', params: { kind: 'halted', severity: 'critical' } } },
          },
        },
        halted: {
          description: 'HALTED: no new entries; working entries are cancelled, protections kept, positions flattened only if asked.',
          on: {
            'operator.resume': { target: 'running', actions: ['clearHalt', { type: 'notify', params: { kind: 'resumed', severity: 'info' } }] },
          },
        },
      },
    },
    entries: {
      description: 'MARKET_PAUSED gate for this symbol: entries blocked while paused, exits always allowed.',
      initial: 'allowed',
      states: {
        allowed: {
          description: 'Market data for the symbol is live; new entries and re-prices may be sent.',
          on: { 'stream.paused': 'paused' },
        },
        paused: {
          description: 'PAUSED: a gap, stale data or a connection that is not live; no entry leaves until stream.resumed.',
          on: { 'stream.resumed': 'allowed' },
        },
      },
    },
  },
});

// The value of `node` with the keys of its child regions in the chart's document order (unknown keys kept, last).
const inNodeOrder = (node: AnyStateNode, value: unknown): unknown => {
  if (typeof value !== 'object' || value === null) return value;
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node.states)) if (key in v) out[key] = inNodeOrder(node.states[key]!, v[key]);
  for (const key of Object.keys(v)) if (!(key in out)) out[key] = v[key];
  return out;
};

/**
 * Returns a persisted trade snapshot with its state value's regions in the chart's document order. XState runs the
 * transitions of parallel regions in the order of the snapshot's state-value keys, and the journal stores snapshots
 * as canonical (key-sorted) JSON, which puts `orders` last: the cycle's ledger must see each event before the
 * lifecycle records it (a fill counts for its order only while its trade id is new), so a restored actor whose
 * regions ran in sorted order stopped counting its orders' fills — a split entry's part that filled after a restart
 * never sent the next part (found by the restart drill's split scenario). Restore through this, never the stored value.
 */
export const inDocumentOrder = (snapshot: unknown): unknown => {
  if (typeof snapshot !== 'object' || snapshot === null || !('value' in snapshot)) return snapshot;
  return { ...snapshot, value: inNodeOrder(tradeMachine.root, (snapshot as { readonly value: unknown }).value) };
};

/** A trade actor reference. */
export type TradeActorRef = ActorRefFrom<typeof tradeMachine>;
/** A trade chart snapshot. */
export type TradeSnapshot = SnapshotFrom<typeof tradeMachine>;

/** Returns the deadlines the host must (re-)arm for this snapshot, e.g. after restoring it from the journal. */
export const pendingTradeTimers = (s: TradeSnapshot): ReadonlyArray<{ readonly name: TradeTimerName; readonly at: number }> => {
  const c = s.context;
  const timers: Array<{ name: TradeTimerName; at: number }> = [];
  if (s.matches({ lifecycle: 'submitting' }) && c.ackDeadline !== null) timers.push({ name: 'ackTimeout', at: c.ackDeadline });
  const queries = s.matches({ lifecycle: 'querying' }) || s.matches({ lifecycle: 'closing' }) || s.matches({ lifecycle: 'flattening' });
  if (queries && c.queryRetryAt !== null) timers.push({ name: 'queryRetry', at: c.queryRetryAt });
  if (s.matches({ lifecycle: 'closed' }) && c.cooldownUntil !== null) timers.push({ name: 'cooldown', at: c.cooldownUntil });
  return timers;
};

/**
 * Returns the lifecycle state name (`idle`, `working`, `opened.protected`, …) of a snapshot: for logs, the journal and
 * status pages. Code outside `machines/` asks the predicates of `tradeQueries.ts` instead of comparing these names.
 */
export const lifecycleState = (s: TradeSnapshot): string => {
  const v = (s.value as { lifecycle: string | Record<string, string> }).lifecycle;
  return typeof v === 'string' ? v : Object.entries(v).map(([k, child]) => `${k}.${child}`).join('');
};
