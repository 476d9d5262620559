/**
 * The session's event feed for the operations surface (`GET /events`, the dashboard's log): a bounded ring of recent
 * events with live subscribers, fed by the journal pump (every journaled transition, order, fill, veto, gate change
 * and operator action, read back from each account's journal after it was committed) and by the alert channel. A
 * subscriber that throws is dropped; publishing never fails the caller.
 */
import type { AlertChannel } from '../alerts/AlertRouter.ts';
import type { Journal, JournalEntry } from '../journal/Journal.ts';
import type { OpsEvent, OpsEvents } from '../ops/types.ts';

/** How many events the ring keeps for `Last-Event-ID` catch-up. */
const RING = 2_000;

/** The hub: an OpsEvents plus publishing. */
export class OpsEventHub implements OpsEvents {
  private readonly ring: OpsEvent[] = [];
  private readonly listeners = new Set<(e: OpsEvent) => void>();
  private nextId = 1;

  since(after: number): ReadonlyArray<OpsEvent> {
    const first = this.ring.findIndex((e) => e.id > after);
    return first < 0 ? [] : this.ring.slice(first);
  }

  subscribe(listener: (e: OpsEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Appends an event and tells every subscriber. */
  publish(kind: OpsEvent['kind'], at: number, account: string | null, data: Readonly<Record<string, unknown>>): void {
    const e: OpsEvent = { id: this.nextId++, kind, at, account, data };
    this.ring.push(e);
    if (this.ring.length > RING) this.ring.splice(0, this.ring.length - RING);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        this.listeners.delete(l);
      }
    }
  }

  /** An alert channel that publishes every raise, escalation and resolution. */
  alertChannel(): AlertChannel {
    return { name: 'ops-events', deliver: (r) => this.publish('alert', r.ts, null, { ...r }) };
  }
}

const GATE_TYPES = new Set([
  'GATE_OPENED', 'KILL_ENGAGED', 'KILL_RESUMED', 'SYMBOL_BLOCKED', 'SYMBOL_UNBLOCKED', 'SYMBOL_QUARANTINED', 'MARKET_PAUSED', 'MARKET_RESUMED',
  'BROKER_DESYNC', 'BROKER_RESYNCED', 'DRAWDOWN_BREACH', 'DEPENDENCY_CHANGED', 'RUNTIME_STOPPED',
]);

/** Maps one journal entry to the event the surface shows, or undefined for bookkeeping entries (kv, snapshots of unchanged states). */
export const opsEventOf = (e: JournalEntry): { readonly kind: OpsEvent['kind']; readonly data: Record<string, unknown> } | undefined => {
  // The order row's digest is the journal's bookkeeping, not news.
  const { orderRow: _row, ...p } = (e.payload ?? {}) as Record<string, unknown>;
  const base = { seq: e.seq, stream: e.stream, type: e.type };
  if (e.type === 'ACTOR_EVENT') {
    if (p['from'] === p['to']) return undefined;
    const event = p['event'] as { type?: unknown } | undefined;
    return { kind: 'transition', data: { ...base, symbol: e.stream.split(':').at(-1), from: p['from'], to: p['to'], event: event?.type } };
  }
  if (e.type === 'RISK_DECISION') {
    if (p['kind'] !== 'veto') return { kind: 'order', data: { ...base, decision: 'approve', proposalId: p['proposalId'] } };
    return { kind: 'veto', data: { ...base, proposalId: p['proposalId'], reason: p['veto_reason'], message: p['message'] } };
  }
  if (e.type === 'VENUE_FILL' || e.type === 'TRADE_CLOSED' || e.type.includes('FILL')) return { kind: 'fill', data: { ...base, ...p } };
  if (e.type.startsWith('ORDER_') || e.type.startsWith('PROTECTION_')) return { kind: 'order', data: { ...base, ...p } };
  if (e.type === 'OPERATOR_CONTROL') return { kind: 'control', data: { ...base, ...p } };
  if (GATE_TYPES.has(e.type)) return { kind: 'gate', data: { ...base, ...p } };
  return undefined;
};

/**
 * Publishes what each account's journal committed since the last call (the pump runs on a wall timer; it reads at
 * most `batch` entries per account per call so a burst cannot stall the loop).
 */
export const journalPump = (hub: OpsEventHub, journals: ReadonlyArray<{ readonly account: string; readonly journal: Journal }>, batch = 500): (() => void) => {
  const after = new Map(journals.map((j) => [j.account, j.journal.lastSeq()]));
  return () => {
    for (const { account, journal } of journals) {
      let last = after.get(account) ?? 0;
      for (const e of journal.readEvents({ fromSeq: last + 1, limit: batch })) {
        last = e.seq;
        const shown = opsEventOf(e);
        if (shown !== undefined) hub.publish(shown.kind, e.ts, account, shown.data);
      }
      after.set(account, last);
    }
  };
};
