/**
 * The Reconciler core (DESIGN §4, X-REC-1, X-REC-6): compares the journal's orders projection with what the venue
 * says (open orders, per-client-id queries, positions) and, when asked, makes them agree — the venue is the truth.
 * It never infers anything from a failed venue call (a failed fetch throws `ReconcileError`; a failed query leaves
 * that order unresolved) and it never places new orders.
 */
import { Data, Effect, Either } from 'effect';
import { withoutProtective, withVenueProtection } from './venueProtection.ts';
import type { Decimal } from '../domain/money.ts';
import type { OrderStatus, Position, ProtectionRequest, VenueOrder } from '../domain/orders.ts';
import type { JournalEventType } from '../journal/events.ts';
import type { Journal, JournalOrderState, OrderRow } from '../journal/Journal.ts';
import { clientOrderIdPrefix } from '../journal/clientOrderIds.ts';
import type { Venue, VenueError } from '../venues/Venue.ts';

/** Journal states whose order is settled by a query by client order id (outcome unknown, or open at the venue). */
export const QUERIED_STATES: ReadonlyArray<JournalOrderState> = ['requested', 'ambiguous', 'new', 'partially_filled', 'untriggered'];

const UNSETTLED: ReadonlySet<JournalOrderState> = new Set<JournalOrderState>(['requested', 'ambiguous']);
const OPEN: ReadonlySet<JournalOrderState> = new Set<JournalOrderState>(['new', 'partially_filled', 'untriggered']);

/** Journal event types written by `reconcile` with `apply: true`. */
export const RECONCILED_ADOPTED = 'RECONCILED_ADOPTED' satisfies JournalEventType;
export const RECONCILED_REJECTED = 'RECONCILED_REJECTED' satisfies JournalEventType;
export const RECONCILED_STATUS = 'RECONCILED_STATUS' satisfies JournalEventType;
export const RECONCILED_MISSING = 'RECONCILED_MISSING' satisfies JournalEventType;
export const RECONCILED_ORPHAN_CANCELLED = 'RECONCILED_ORPHAN_CANCELLED' satisfies JournalEventType;
export const RECONCILED_PROTECTED = 'RECONCILED_PROTECTED' satisfies JournalEventType;
export const RECONCILED_POSITION_ADOPTED = 'RECONCILED_POSITION_ADOPTED' satisfies JournalEventType;
/** The one summary event of an applied run. */
export const RECONCILE_REPORT = 'RECONCILE_REPORT' satisfies JournalEventType;
/** The journal stream of reconcile's own events. */
export const RECONCILE_STREAM = 'reconcile';

/** One disagreement between the journal and the venue, with the action that resolves it. */
export type Difference =
  | {
      /** A venue open order carrying our prefix that the journal has no row for. */
      readonly kind: 'orphan_order';
      readonly symbol: string;
      readonly clientOrderId: string;
      readonly venueOrderId: string;
      readonly venueStatus: OrderStatus;
      readonly action: 'cancel';
    }
  | {
      /** A journal `requested`/`ambiguous` order: adopt the venue's status, or mark rejected when the venue has none. */
      readonly kind: 'unsettled_order';
      readonly symbol: string;
      readonly clientOrderId: string;
      readonly journalState: JournalOrderState;
      readonly venueStatus: OrderStatus | undefined;
      readonly venueOrderId: string | undefined;
      readonly filledQuantity: Decimal | undefined;
      readonly action: 'adopt_status' | 'mark_rejected';
    }
  | {
      /** The journal and the venue disagree on status or filled quantity of a known order. */
      readonly kind: 'status_mismatch';
      readonly symbol: string;
      readonly clientOrderId: string;
      readonly journalState: JournalOrderState;
      readonly journalFilled: Decimal;
      readonly venueStatus: OrderStatus;
      readonly venueOrderId: string;
      readonly filledQuantity: Decimal;
      readonly action: 'update_journal';
    }
  | {
      /** A journal-open order the venue definitively does not know. */
      readonly kind: 'missing_at_venue';
      readonly symbol: string;
      readonly clientOrderId: string;
      readonly journalState: JournalOrderState;
      readonly action: 'close_unknown';
    }
  | {
      /** A non-flat position with neither take-profit nor stop-loss. */
      readonly kind: 'unprotected_position';
      readonly symbol: string;
      readonly side: Position['side'];
      readonly quantity: Decimal;
      readonly action: 're_protect';
    }
  | {
      /** A non-flat position in a symbol where the journal has no order that could have opened it. */
      readonly kind: 'foreign_position';
      readonly symbol: string;
      readonly side: Position['side'];
      readonly quantity: Decimal;
      readonly action: 'report' | 'adopt';
    };

/** The kind tag of a Difference. */
export type DifferenceKind = Difference['kind'];

// Output order: orders before positions, settle-what-we-sent before cleaning up what we did not.
const KIND_ORDER: ReadonlyArray<DifferenceKind> = ['unsettled_order', 'status_mismatch', 'missing_at_venue', 'orphan_order', 'foreign_position', 'unprotected_position'];

/** Returns a one-line human-readable description of a difference. */
export const describe = (d: Difference): string => {
  switch (d.kind) {
    case 'orphan_order':
      return `orphan order ${d.clientOrderId} (${d.symbol}, venue ${d.venueOrderId}, ${d.venueStatus}) has no journal row → cancel`;
    case 'unsettled_order':
      return d.venueStatus === undefined
        ? `journal ${d.journalState} order ${d.clientOrderId} (${d.symbol}) is unknown to the venue → mark rejected`
        : `journal ${d.journalState} order ${d.clientOrderId} (${d.symbol}) is ${d.venueStatus} at the venue (filled ${d.filledQuantity?.toString() ?? '0'}) → adopt`;
    case 'status_mismatch':
      return `order ${d.clientOrderId} (${d.symbol}) is ${d.journalState}/${d.journalFilled.toString()} in the journal but ${d.venueStatus}/${d.filledQuantity.toString()} at the venue → update journal`;
    case 'missing_at_venue':
      return `journal ${d.journalState} order ${d.clientOrderId} (${d.symbol}) is unknown to the venue → close as unknown`;
    case 'unprotected_position':
      return `${d.side} position ${d.quantity.toString()} ${d.symbol} has neither TP nor SL → re-protect`;
    case 'foreign_position':
      return `${d.side} position ${d.quantity.toString()} ${d.symbol} has no journal intent → ${d.action}`;
  }
};

/** Alias of `describe` for callers that also import a test framework's `describe`. */
export const describeDifference = describe;

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const sortKey = (d: Difference): string => ('clientOrderId' in d ? d.clientOrderId : '');

/** Input of `diffJournalAndVenue`. */
export interface DiffInput {
  /** Journal rows of the venue and symbols under reconcile (any state: closed rows stop a known id counting as an orphan). */
  readonly journalOrders: ReadonlyArray<OrderRow>;
  readonly venueOpenOrders: ReadonlyArray<VenueOrder>;
  readonly venuePositions: ReadonlyArray<Position>;
  /** `clientOrderIdPrefix(botId)`: only venue orders with it can be orphans. */
  readonly botPrefix: string;
  /** `orderByClientId` results of the rows in QUERIED_STATES; a failed query is absent (never read as "not found"). */
  readonly queried: ReadonlyMap<string, VenueOrder | undefined>;
  /** Foreign positions are adopted (and then checked for protection) instead of only reported. Default false. */
  readonly adoptForeign?: boolean | undefined;
}

const isOpenPosition = (p: Position): boolean => p.side !== 'flat' && p.quantity.gt(0);

/** Returns every difference between journal and venue, in a deterministic order. Pure. */
export const diffJournalAndVenue = (input: DiffInput): ReadonlyArray<Difference> => {
  const out: Difference[] = [];
  const rows = new Map<string, OrderRow>();
  for (const r of input.journalOrders) rows.set(r.clientOrderId, r);
  const openAtVenue = new Map<string, VenueOrder>();
  for (const o of input.venueOpenOrders) openAtVenue.set(o.clientOrderId, o);

  for (const row of rows.values()) {
    const queried = input.queried.has(row.clientOrderId);
    // A definitive query answer wins; without one, the open-orders listing is still venue evidence of an open order.
    const venue = queried ? input.queried.get(row.clientOrderId) : openAtVenue.get(row.clientOrderId);
    if (UNSETTLED.has(row.state)) {
      if (venue !== undefined) {
        out.push({
          kind: 'unsettled_order', symbol: row.symbol, clientOrderId: row.clientOrderId, journalState: row.state, venueStatus: venue.status,
          venueOrderId: venue.venueOrderId, filledQuantity: venue.filledQuantity, action: 'adopt_status',
        });
      } else if (queried) {
        out.push({
          kind: 'unsettled_order', symbol: row.symbol, clientOrderId: row.clientOrderId, journalState: row.state, venueStatus: undefined,
          venueOrderId: undefined, filledQuantity: undefined, action: 'mark_rejected',
        });
      }
      continue;
    }
    if (venue === undefined) {
      if (queried && OPEN.has(row.state)) {
        out.push({ kind: 'missing_at_venue', symbol: row.symbol, clientOrderId: row.clientOrderId, journalState: row.state, action: 'close_unknown' });
      }
      continue;
    }
    if (venue.status !== row.state || !venue.filledQuantity.eq(row.filledQuantity)) {
      out.push({
        kind: 'status_mismatch', symbol: row.symbol, clientOrderId: row.clientOrderId, journalState: row.state, journalFilled: row.filledQuantity,
        venueStatus: venue.status, venueOrderId: venue.venueOrderId, filledQuantity: venue.filledQuantity, action: 'update_journal',
      });
    }
  }

  for (const o of openAtVenue.values()) {
    if (!o.clientOrderId.startsWith(input.botPrefix) || rows.has(o.clientOrderId)) continue;
    out.push({ kind: 'orphan_order', symbol: o.symbol, clientOrderId: o.clientOrderId, venueOrderId: o.venueOrderId, venueStatus: o.status, action: 'cancel' });
  }

  // A symbol "has a journal intent" when some row there is unsettled, open, or has filled quantity.
  const intentSymbols = new Set<string>();
  for (const r of rows.values()) {
    if (UNSETTLED.has(r.state) || OPEN.has(r.state) || r.filledQuantity.gt(0)) intentSymbols.add(r.symbol);
  }
  const adopt = input.adoptForeign === true;
  for (const p of input.venuePositions) {
    if (!isOpenPosition(p)) continue;
    const foreign = !intentSymbols.has(p.symbol);
    if (foreign) out.push({ kind: 'foreign_position', symbol: p.symbol, side: p.side, quantity: p.quantity, action: adopt ? 'adopt' : 'report' });
    if ((!foreign || adopt) && p.takeProfit === undefined && p.stopLoss === undefined) {
      out.push({ kind: 'unprotected_position', symbol: p.symbol, side: p.side, quantity: p.quantity, action: 're_protect' });
    }
  }

  return out.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || cmp(a.symbol, b.symbol) || cmp(sortKey(a), sortKey(b)));
};

/** A venue fetch reconcile depends on failed: nothing was inferred and nothing applied. */
export class ReconcileError extends Data.TaggedError('ReconcileError')<{
  readonly step: string;
  readonly symbol: string | undefined;
  readonly cause: VenueError;
}> {
  override get message(): string {
    return `reconcile ${this.step}${this.symbol === undefined ? '' : ` ${this.symbol}`} failed: ${this.cause.message}`;
  }
}

/** Dependencies of `reconcile`. */
export interface ReconcileDeps {
  readonly venue: Venue;
  readonly journal: Journal;
  readonly botId: string;
  /** The symbols under reconcile (orders and positions elsewhere are not looked at). */
  readonly symbols: ReadonlyArray<string>;
  /** The protection to re-attach to an unprotected position; `undefined` skips it (reported in `skipped`). */
  readonly protectionFor?: ((p: Position) => ProtectionRequest | undefined) | undefined;
  /** Adopt foreign positions instead of only reporting them. Default false. */
  readonly adoptForeign?: boolean | undefined;
}

/** Outcome of one reconcile run. */
export interface ReconcileResult {
  readonly differences: ReadonlyArray<Difference>;
  /** One line per action performed (empty unless `apply`). */
  readonly applied: ReadonlyArray<string>;
  /** Actions not taken by design (no protection known, foreign position only reported). */
  readonly skipped: ReadonlyArray<string>;
  /** Actions attempted that the venue refused or did not answer; the next run sees the difference again. */
  readonly failed: ReadonlyArray<string>;
  /** Journal orders whose query failed: not resolved, nothing inferred. */
  readonly unresolved: ReadonlyArray<string>;
}

const attempt = <A>(eff: Effect.Effect<A, VenueError>): Promise<Either.Either<A, VenueError>> => Effect.runPromise(Effect.either(eff));

const fetchOrThrow = async <A>(step: string, symbol: string | undefined, eff: Effect.Effect<A, VenueError>): Promise<A> => {
  const r = await attempt(eff);
  if (Either.isLeft(r)) throw new ReconcileError({ step, symbol, cause: r.left });
  return r.right;
};

/**
 * Fetches the venue's open orders and positions (throwing ReconcileError on a failed fetch), queries every journal
 * order in QUERIED_STATES by client order id, computes the differences and, with `apply`, resolves them and journals
 * one RECONCILE_REPORT. Must not race the execution path on the same orders: run it with the trading gate closed.
 */
export const reconcile = async (deps: ReconcileDeps, opts: { readonly apply: boolean }): Promise<ReconcileResult> => {
  const { venue, journal } = deps;
  const botPrefix = clientOrderIdPrefix(deps.botId);
  const symbols = [...new Set(deps.symbols)].sort(cmp);
  const inScope = new Set(symbols);

  const venueOpenOrders: VenueOrder[] = [];
  const venuePositions: Position[] = [];
  for (const symbol of symbols) {
    const orders = await fetchOrThrow('openOrders', symbol, venue.openOrders(symbol));
    const positions = (await fetchOrThrow('positions', symbol, venue.positions(symbol))).filter((p) => inScope.has(p.symbol));
    // Protection kept as separate orders is folded into the position, and those orders are not orphans.
    const open = positions.find((p) => p.symbol === symbol && p.side !== 'flat' && p.quantity.gt(0));
    const guarded = await fetchOrThrow('protection', symbol, withVenueProtection(venue, symbol, open));
    venueOpenOrders.push(...withoutProtective(orders, guarded.protectiveOrderIds));
    venuePositions.push(...positions.map((p) => (p === open && guarded.position !== undefined ? guarded.position : p)));
  }

  // Rows in queried states, plus the rows (any state) of every id the venue lists as open, so a known id is never an orphan.
  const rows = new Map<string, OrderRow>();
  for (const r of journal.ordersInState(QUERIED_STATES)) {
    if (r.venue === venue.id && inScope.has(r.symbol)) rows.set(r.clientOrderId, r);
  }
  for (const o of venueOpenOrders) {
    const r = journal.getOrder(o.clientOrderId);
    if (r !== undefined && r.venue === venue.id) rows.set(r.clientOrderId, r);
  }
  // Rows with fills count as intents for the foreign-position check.
  for (const r of journal.ordersInState(['filled', 'cancelled', 'expired', 'triggered', 'deactivated'])) {
    if (r.venue === venue.id && inScope.has(r.symbol) && r.filledQuantity.gt(0) && !rows.has(r.clientOrderId)) rows.set(r.clientOrderId, r);
  }

  const queried = new Map<string, VenueOrder | undefined>();
  const unresolved: string[] = [];
  for (const r of [...rows.values()].sort((a, b) => a.createdSeq - b.createdSeq || cmp(a.clientOrderId, b.clientOrderId))) {
    if (!QUERIED_STATES.includes(r.state)) continue;
    const res = await attempt(venue.orderByClientId(r.symbol, r.clientOrderId));
    if (Either.isRight(res)) queried.set(r.clientOrderId, res.right);
    else unresolved.push(`${r.clientOrderId}: ${res.left.message}`);
  }

  const differences = diffJournalAndVenue({
    journalOrders: [...rows.values()], venueOpenOrders, venuePositions, botPrefix, queried, adoptForeign: deps.adoptForeign,
  });
  const applied: string[] = [];
  const skipped: string[] = [];
  const failed: string[] = [];
  if (!opts.apply) return { differences, applied, skipped, failed, unresolved };

  for (const d of differences) {
    const note = { reason: d.kind, description: describe(d) };
    switch (d.kind) {
      case 'unsettled_order':
        if (d.venueStatus === undefined) {
          journal.recordOrderUpdate({ clientOrderId: d.clientOrderId, type: RECONCILED_REJECTED, state: 'rejected', payload: note });
          applied.push(`${d.clientOrderId}: ${d.journalState} → rejected`);
        } else {
          journal.recordOrderUpdate({
            clientOrderId: d.clientOrderId, type: RECONCILED_ADOPTED, state: d.venueStatus, venueOrderId: d.venueOrderId, filledQuantity: d.filledQuantity, payload: note,
          });
          applied.push(`${d.clientOrderId}: ${d.journalState} → ${d.venueStatus}`);
        }
        break;
      case 'status_mismatch':
        journal.recordOrderUpdate({
          clientOrderId: d.clientOrderId, type: RECONCILED_STATUS, state: d.venueStatus, venueOrderId: d.venueOrderId, filledQuantity: d.filledQuantity, payload: note,
        });
        applied.push(`${d.clientOrderId}: ${d.journalState} → ${d.venueStatus}`);
        break;
      case 'missing_at_venue':
        // The venue no longer knows the order: it is closed. Its fills (if any) stay as journaled; nothing is invented.
        journal.recordOrderUpdate({ clientOrderId: d.clientOrderId, type: RECONCILED_MISSING, state: 'cancelled', payload: { ...note, inferred: 'closed_unknown' } });
        applied.push(`${d.clientOrderId}: ${d.journalState} → cancelled (unknown to the venue)`);
        break;
      case 'orphan_order': {
        const res = await attempt(venue.cancelOrder(d.symbol, d.clientOrderId));
        if (Either.isLeft(res) && res.left.reason.kind !== 'not_found') {
          failed.push(`cancel orphan ${d.clientOrderId}: ${res.left.message}`);
          break;
        }
        journal.append(RECONCILE_STREAM, RECONCILED_ORPHAN_CANCELLED, {
          ...note, clientOrderId: d.clientOrderId, venueOrderId: d.venueOrderId, symbol: d.symbol, alreadyGone: Either.isLeft(res),
        });
        applied.push(`cancelled orphan ${d.clientOrderId}`);
        break;
      }
      case 'foreign_position':
        if (d.action === 'adopt') {
          journal.append(RECONCILE_STREAM, RECONCILED_POSITION_ADOPTED, { ...note, symbol: d.symbol, side: d.side, quantity: d.quantity });
          applied.push(`adopted ${d.side} ${d.quantity.toString()} ${d.symbol}`);
        } else {
          skipped.push(`foreign ${d.side} ${d.quantity.toString()} ${d.symbol} reported, not adopted`);
        }
        break;
      case 'unprotected_position': {
        const position = venuePositions.find((p) => p.symbol === d.symbol && isOpenPosition(p));
        const request = position === undefined ? undefined : deps.protectionFor?.(position);
        if (request === undefined) {
          skipped.push(`no protection known for ${d.side} ${d.quantity.toString()} ${d.symbol}`);
          break;
        }
        const res = await attempt(venue.setProtection(request));
        if (Either.isLeft(res)) {
          failed.push(`protect ${d.symbol}: ${res.left.message}`);
          break;
        }
        journal.append(RECONCILE_STREAM, RECONCILED_PROTECTED, {
          ...note, symbol: request.symbol, takeProfit: request.takeProfit, stopLoss: request.stopLoss, trigger: request.trigger,
        });
        applied.push(`protected ${d.symbol} tp=${request.takeProfit?.toString() ?? '-'} sl=${request.stopLoss?.toString() ?? '-'}`);
        break;
      }
    }
  }

  const counts: Record<string, number> = {};
  for (const d of differences) counts[d.kind] = (counts[d.kind] ?? 0) + 1;
  journal.append(RECONCILE_STREAM, RECONCILE_REPORT, {
    botId: deps.botId, venue: venue.id, symbols, counts, differences: differences.map(describe), applied, skipped, failed, unresolved,
  });
  return { differences, applied, skipped, failed, unresolved };
};
