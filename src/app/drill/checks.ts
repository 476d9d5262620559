/**
 * The restart drill's checks (issue #5 item 7), pure: given the simulator's truth (every order it ever saw, its open
 * positions), the journal's order ids and actor snapshots, they return the violations — duplicate orders for an intent,
 * positions without TP/SL, actors that disagree with the venue, orders placed while the gate was closed, unjournaled
 * orders. They read nothing themselves, so the drill and its tests feed them the same way.
 */
import { dec } from '../../domain/money.ts';
import { isEntryPartId, parseClientOrderId } from '../../domain/clientOrderId.ts';
import { actorVenueMismatches, actorViewOf } from '../../runtime/consistency.ts';
import type { TradeContext } from '../../../machines/trade/tradeTypes.ts';
import { holdsHedge } from '../../../machines/trade/tradeQueries.ts';

/** One order as the simulator's `/sim/control/orders` lists it. */
export interface SimOrderTruth {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly symbol: string;
  readonly side: string;
  readonly status: string;
  readonly qty: string;
  readonly cumExecQty: string;
  readonly reduceOnly: boolean;
  readonly createdTime: string;
}

/** One open position as `/sim/control/positions` lists it (`takeProfit`/`stopLoss` empty when unset). */
export interface SimPositionTruth {
  readonly symbol: string;
  readonly side: string;
  readonly size: string;
  readonly takeProfit: string;
  readonly stopLoss: string;
  /** 0 (or absent) one-way; 1 / 2 the long / short leg in hedge mode (S0-12). */
  readonly positionIdx?: number | undefined;
}

/** A persisted trade actor snapshot (`snapshots.snapshot` JSON). */
export interface SnapshotTruth {
  readonly value: unknown;
  readonly context: TradeContext;
}

/** Kinds of violations the drill counts. */
export type ViolationKind = 'duplicate_order' | 'unprotected_position' | 'state_mismatch' | 'chain_broken' | 'order_while_gate_closed' | 'unjournaled_order' | 'runtime_mismatch' | 'no_recovery';

/** One violation with a readable detail. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly detail: string;
}

const OPEN_STATUSES = new Set(['New', 'PartiallyFilled', 'Untriggered']);

/** The intent's base client order id: re-price (`-r<n>`), exit (`-x<n>`) and flatten (`-f<n>`) suffixes removed. */
export const intentOf = (clientOrderId: string): string => parseClientOrderId(clientOrderId)?.base ?? clientOrderId;

/**
 * No duplicate orders for any intent: no client order id on two venue orders; at most one entry order per intent live
 * at a time; and every entry order after the intent's first follows one that cannot leave a duplicate behind — a
 * re-price (`-r<n>`) an entry that closed empty, a later part of a split entry (`-p<n>`, S0-16) a part that filled in
 * full. So the entry orders of a cycle never hold more than the intent's parts.
 */
export const duplicateOrders = (orders: ReadonlyArray<SimOrderTruth>, prefix: string): Violation[] => {
  const out: Violation[] = [];
  const byLink = new Map<string, SimOrderTruth[]>();
  for (const o of orders) {
    if (!o.orderLinkId.startsWith(prefix)) continue;
    byLink.set(o.orderLinkId, [...(byLink.get(o.orderLinkId) ?? []), o]);
  }
  for (const [link, list] of byLink) {
    if (list.length > 1) out.push({ kind: 'duplicate_order', detail: `${link} is on ${list.length} venue orders (${list.map((o) => o.orderId).join(', ')})` });
  }
  const entries = new Map<string, Array<{ readonly order: SimOrderTruth; readonly n: number }>>();
  for (const o of orders) {
    const parsed = o.orderLinkId.startsWith(prefix) ? parseClientOrderId(o.orderLinkId) : undefined;
    if (parsed?.role !== 'entry') continue;
    entries.set(parsed.base, [...(entries.get(parsed.base) ?? []), { order: o, n: parsed.n }]);
  }
  for (const [intent, list] of entries) {
    const sorted = [...list].sort((a, b) => a.n - b.n);
    const live = sorted.filter((e) => OPEN_STATUSES.has(e.order.status)).map((e) => e.order.orderLinkId);
    if (live.length > 1) out.push({ kind: 'duplicate_order', detail: `intent ${intent} has ${live.length} live entry orders (${live.join(', ')})` });
    for (let i = 1; i < sorted.length; i++) {
      const prev = sorted[i - 1]!.order;
      const cur = sorted[i]!.order;
      const part = isEntryPartId(cur.orderLinkId);
      const ok = part ? dec(prev.cumExecQty).eq(dec(prev.qty)) && !OPEN_STATUSES.has(prev.status) : dec(prev.cumExecQty).isZero() && !OPEN_STATUSES.has(prev.status);
      if (!ok) {
        out.push({
          kind: 'duplicate_order',
          detail: `intent ${intent}: ${cur.orderLinkId} follows ${prev.orderLinkId} (${prev.status}, ${prev.cumExecQty} of ${prev.qty} filled), which ${part ? 'a next part needs filled in full' : 'a re-price needs closed empty'}`,
        });
      }
    }
  }
  return out;
};

/** Every open position carries both a take-profit and a stop-loss. */
export const unprotectedPositions = (positions: ReadonlyArray<SimPositionTruth>): Violation[] =>
  positions
    .filter((p) => dec(p.size || '0').gt(0) && (p.takeProfit === '' || p.stopLoss === ''))
    .map((p) => ({ kind: 'unprotected_position' as const, detail: `${p.symbol} ${p.side} ${p.size} has tp '${p.takeProfit}' sl '${p.stopLoss}'` }));

/**
 * No entry of ours created at the venue in `[from, to]` (venue ms), the window in which the gate was closed. Reduce-only
 * closes are not entries: recovery lets an actor close a position whose TP/SL the venue refuses (`protectiveCloses`).
 */
export const ordersWhileGateClosed = (orders: ReadonlyArray<SimOrderTruth>, prefix: string, from: number, to: number): Violation[] =>
  inWindow(orders, prefix, from, to)
    .filter((o) => !o.reduceOnly)
    .map((o) => ({ kind: 'order_while_gate_closed' as const, detail: `${o.orderLinkId} created at ${o.createdTime} while the gate was closed (${from}..${to})` }));

const inWindow = (orders: ReadonlyArray<SimOrderTruth>, prefix: string, from: number, to: number): SimOrderTruth[] =>
  orders.filter((o) => o.orderLinkId.startsWith(prefix) && Number(o.createdTime) >= from && Number(o.createdTime) <= to);

/** Reduce-only orders of ours created while the gate was closed (protective closes during recovery; reported). */
export const protectiveCloses = (orders: ReadonlyArray<SimOrderTruth>, prefix: string, from: number, to: number): SimOrderTruth[] =>
  inWindow(orders, prefix, from, to).filter((o) => o.reduceOnly);

/** Every venue order with our prefix has a journal row (the write-ahead record precedes every request). */
export const unjournaledOrders = (orders: ReadonlyArray<SimOrderTruth>, prefix: string, journaled: ReadonlySet<string>): Violation[] =>
  orders
    .filter((o) => o.orderLinkId.startsWith(prefix) && !journaled.has(o.orderLinkId))
    .map((o) => ({ kind: 'unjournaled_order' as const, detail: `${o.orderLinkId} (${o.symbol}, ${o.status}) has no journal row` }));

/** Each symbol's journaled actor agrees with the venue (`actorVenueMismatches`, settled). */
export const stateMismatches = (
  symbols: ReadonlyArray<string>,
  snapshots: ReadonlyMap<string, SnapshotTruth>,
  orders: ReadonlyArray<SimOrderTruth>,
  positions: ReadonlyArray<SimPositionTruth>,
  prefix: string,
  adopted: ReadonlySet<string>,
): Violation[] => {
  const out: Violation[] = [];
  for (const symbol of symbols) {
    const snap = snapshots.get(symbol);
    // In hedge mode the actor's position is the leg of its side; the other leg is its hedge (S0-12), judged below.
    const side = snap?.context.intent?.side;
    const ownIdx = side === undefined ? undefined : side === 'buy' ? 1 : 2;
    const open = positions.filter((x) => x.symbol === symbol && dec(x.size || '0').gt(0));
    const hedgeMode = open.some((x) => (x.positionIdx ?? 0) !== 0);
    const p = hedgeMode && ownIdx !== undefined ? open.find((x) => x.positionIdx === ownIdx) : open[0];
    const hedgeLeg = hedgeMode && ownIdx !== undefined ? open.find((x) => x.positionIdx !== ownIdx) : undefined;
    if (snap !== undefined && hedgeLeg !== undefined && !holdsHedge(snap)) {
      out.push({ kind: 'state_mismatch', detail: `${symbol}: the venue holds a ${hedgeLeg.side} ${hedgeLeg.size} hedge leg the actor does not own` });
    }
    const venue = {
      openOrderIds: orders.filter((o) => o.symbol === symbol && o.orderLinkId.startsWith(prefix) && OPEN_STATUSES.has(o.status)).map((o) => o.orderLinkId),
      position: p === undefined ? undefined : {
        side: p.side === 'Sell' ? ('short' as const) : ('long' as const), quantity: dec(p.size),
        takeProfit: p.takeProfit === '' ? undefined : dec(p.takeProfit), stopLoss: p.stopLoss === '' ? undefined : dec(p.stopLoss),
      },
    };
    if (snap === undefined) {
      if (venue.position !== undefined || venue.openOrderIds.length > 0) out.push({ kind: 'state_mismatch', detail: `${symbol}: no actor snapshot but the venue has activity` });
      continue;
    }
    for (const m of actorVenueMismatches(actorViewOf(snap), venue, { settled: true, adopted: adopted.has(symbol) })) out.push({ kind: 'state_mismatch', detail: `${symbol}: ${m}` });
  }
  return out;
};
