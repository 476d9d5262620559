/**
 * Reads what the exports need from one account's journal in a single pass, after proving the journal intact (hash
 * chain, head record, tables): the closed trades (TRADE_CLOSED), who asked for each trade (ORDER_REQUESTED: strategy,
 * venue), when its entry first filled, the venue's refusals, the risk vetoes and errors by time, the run's mode and the
 * risk time zone (kv `drawdown`), and the orders projection with each order's own events. Opens the journal read-only;
 * never writes.
 */
import { Either } from 'effect';
import { JournalError } from '../domain/errors.ts';
import type { Clock } from '../kernel/Clock.ts';
import { decodeJournalPayload, ORDER_EVENTS, type JournalEventType, type JournalPayload } from '../journal/events.ts';
import { openJournal, type JournalEntry, type OrderRow } from '../journal/Journal.ts';
import { verifyJournal } from '../journal/verify.ts';
import { LedgerError } from './LedgerError.ts';
import type { RunJournal } from './runs.ts';

/** A closed trade as journaled, with the entry's commit time and seq. */
export interface ClosedTrade {
  readonly seq: number;
  readonly ts: number;
  readonly trade: JournalPayload<'TRADE_CLOSED'>;
}

/** What the orders of one intent (one trade cycle) tell. */
export interface IntentFacts {
  readonly intentId: string;
  readonly symbol: string;
  readonly strategyId: string | undefined;
  readonly venue: string;
  /** Time and seq of the first fill of any of its orders (the cycle opened). */
  firstFill: { readonly ts: number; readonly seq: number } | undefined;
  /** The first venue refusal of any of its orders: the venue's code, else its reason. */
  rejection: string | undefined;
}

/** A timestamped occurrence counted by the daily summary. */
export interface Occurrence {
  readonly ts: number;
  readonly kind: string;
}

/** One order of the projection with its journal history (what happened to it, in order). */
export interface OrderHistory {
  readonly row: OrderRow;
  readonly events: ReadonlyArray<{ readonly seq: number; readonly ts: number; readonly type: string; readonly payload: Readonly<Record<string, unknown>> }>;
}

/** Everything the exports read of one account's journal. */
export interface AccountFacts {
  readonly account: string;
  readonly path: string;
  readonly mode: string | undefined;
  readonly closed: ReadonlyArray<ClosedTrade>;
  readonly intents: ReadonlyMap<string, IntentFacts>;
  readonly vetoes: ReadonlyArray<Occurrence>;
  readonly errors: ReadonlyArray<Occurrence>;
  /** The risk time zone the run's daily-loss day used (kv `drawdown`), if it recorded one. */
  readonly timeZone: string | undefined;
  /** The fee asset of a venue fill, if any: the account's settle asset. */
  readonly feeAsset: string | undefined;
}

const ORDER_STATES = ['requested', 'ambiguous', 'new', 'partially_filled', 'untriggered', 'filled', 'cancelled', 'rejected', 'expired', 'triggered', 'deactivated'] as const;

const decode = <T extends JournalEventType>(type: T, e: JournalEntry, path: string): JournalPayload<T> => {
  const d = decodeJournalPayload(type, e.payload);
  if (Either.isLeft(d)) throw new LedgerError({ reason: 'journal_unreadable', message: `${path}: entry ${e.seq}: ${d.left.message}` });
  return d.right;
};

/** Proves a journal intact, then runs `read` on a read-only connection; every failure becomes a LedgerError. */
const withJournal = <A>(file: string, clock: Clock, read: (j: ReturnType<typeof openJournal>) => A): A => {
  let journal: ReturnType<typeof openJournal> | undefined;
  try {
    const verdict = verifyJournal(file);
    if (!verdict.ok) {
      throw new LedgerError({ reason: 'journal_unreadable', message: `${file} does not verify (seq ${verdict.firstBadSeq}, ${verdict.problem}: ${verdict.detail}); nothing exported — see \`tradewarden journal verify\`` });
    }
    journal = openJournal({ path: file, clock, readonly: true });
    return read(journal);
  } catch (e) {
    if (e instanceof LedgerError) throw e;
    const why = e instanceof JournalError ? e.reason : e instanceof Error ? e.message : String(e);
    throw new LedgerError({ reason: 'journal_unreadable', message: `cannot read journal ${file}: ${why}` });
  } finally {
    journal?.close();
  }
};

const rejectionOf = (p: JournalPayload<'ORDER_REJECTED'>): string => ('code' in p ? p.code : (p.reason ?? 'rejected'));

const timeZoneOf = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as { timeZone?: unknown }).timeZone === 'string' ? (value as { timeZone: string }).timeZone : undefined;

/** Reads one journal of a run (entries outside a persistent journal's run window are left out). */
export const readAccountFacts = (source: RunJournal, clock: Clock): AccountFacts =>
  withJournal(source.path, clock, (journal) => {
    const inRun = (ts: number): boolean => source.window === undefined || (ts >= source.window.from && ts <= source.window.to);
    const intents = new Map<string, IntentFacts>();
    const intentOfOrder = new Map<string, string>();
    const closed: ClosedTrade[] = [];
    const vetoes: Occurrence[] = [];
    const errors: Occurrence[] = [];
    let mode: string | undefined;
    let feeAsset: string | undefined;
    const intentOf = (clientOrderId: string): IntentFacts | undefined => intents.get(intentOfOrder.get(clientOrderId) ?? '');
    for (const e of journal.readEvents()) {
      switch (e.type) {
        case 'ORDER_REQUESTED': {
          // Orders are indexed whatever their time: a trade closed in this run may have opened in an earlier one.
          const p = decode('ORDER_REQUESTED', e, source.path);
          intentOfOrder.set(p.clientOrderId, p.intentId);
          if (!intents.has(p.intentId)) intents.set(p.intentId, { intentId: p.intentId, symbol: p.symbol, strategyId: p.strategyId, venue: p.venue, firstFill: undefined, rejection: undefined });
          break;
        }
        case 'ORDER_FILLED': {
          const intent = intentOf(decode('ORDER_FILLED', e, source.path).clientOrderId);
          if (intent !== undefined) intent.firstFill ??= { ts: e.ts, seq: e.seq };
          break;
        }
        case 'ORDER_REJECTED': {
          const p = decode('ORDER_REJECTED', e, source.path);
          const intent = intentOf(p.clientOrderId);
          if (intent !== undefined) intent.rejection ??= rejectionOf(p);
          if (inRun(e.ts)) errors.push({ ts: e.ts, kind: 'order_rejected' });
          break;
        }
        case 'ORDER_AMBIGUOUS':
        case 'PROTECTION_FAILED':
        case 'ACTOR_DEFECT':
          if (inRun(e.ts)) errors.push({ ts: e.ts, kind: e.type.toLowerCase() });
          break;
        case 'TRADE_CLOSED':
          if (inRun(e.ts)) closed.push({ seq: e.seq, ts: e.ts, trade: decode('TRADE_CLOSED', e, source.path) });
          break;
        case 'RISK_DECISION': {
          const p = decode('RISK_DECISION', e, source.path);
          if (p.kind === 'veto' && inRun(e.ts)) vetoes.push({ ts: e.ts, kind: p.veto_reason });
          break;
        }
        case 'GATE_OPENED':
          if (inRun(e.ts)) mode ??= decode('GATE_OPENED', e, source.path).mode;
          break;
        case 'VENUE_FILL':
          feeAsset ??= decode('VENUE_FILL', e, source.path).feeAsset;
          break;
        default:
          break;
      }
    }
    return { account: source.account, path: source.path, mode, closed, intents, vetoes, errors, timeZone: timeZoneOf(journal.kvGet('drawdown')), feeAsset };
  });

/** Reads a journal's orders projection, every row with the order events that name it (in seq order), by created seq. */
export const readOrderHistories = (source: RunJournal, clock: Clock): ReadonlyArray<OrderHistory> =>
  withJournal(source.path, clock, (journal) => {
    const byOrder = new Map<string, Array<OrderHistory['events'][number]>>();
    for (const e of journal.readEvents()) {
      if (!(e.type in ORDER_EVENTS)) continue;
      const payload = e.payload as Readonly<Record<string, unknown>>;
      const id = payload['clientOrderId'];
      if (typeof id !== 'string') continue;
      const list = byOrder.get(id) ?? [];
      list.push({ seq: e.seq, ts: e.ts, type: e.type, payload });
      byOrder.set(id, list);
    }
    return journal.ordersInState(ORDER_STATES).map((row) => ({ row, events: byOrder.get(row.clientOrderId) ?? [] }));
  });
