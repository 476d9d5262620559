/**
 * The RiskEngine approvals of the intents a venue account is working, by intent id (the approval's decision id). An
 * entry's approval travels with its intent: the IntentPerformer takes it from here when the actor submits (and
 * re-prices); it is released when the actor's cycle ends, so nothing leaks. A restart rehydrates the approvals of
 * the intents its actors still work from the journaled RISK_DECISION entries. Exits get approvals of their own.
 */
import type { JournalEventType } from '../journal/events.ts';
import type { Journal } from '../journal/Journal.ts';
import type { ApprovedOrder, RiskEngine } from '../risk/RiskEngine.ts';

/** Event type of every journaled risk decision. */
export const RISK_DECISION = 'RISK_DECISION' satisfies JournalEventType;

/** Approvals by intent id. */
export class ApprovalBook {
  private readonly byIntent = new Map<string, ApprovedOrder>();

  /** Keeps the approval of an intent. */
  put(intentId: string, order: ApprovedOrder): void {
    this.byIntent.set(intentId, order);
  }

  /** Returns the approval of an intent, if any. */
  get(intentId: string): ApprovedOrder | undefined {
    return this.byIntent.get(intentId);
  }

  /** Forgets the approval of an intent whose cycle ended. */
  release(intentId: string): void {
    this.byIntent.delete(intentId);
  }

  /** How many approvals are held (status, tests of the leak). */
  size(): number {
    return this.byIntent.size;
  }

  /**
   * Restores, from the journal's RISK_DECISION entries, the approvals of the given intents (those restored actors still
   * work). Returns the intent ids it could not restore.
   */
  rehydrate(journal: Pick<Journal, 'readEvents'>, risk: Pick<RiskEngine, 'restoreApproval'>, intentIds: ReadonlyArray<string>): string[] {
    const wanted = new Set(intentIds.filter((id) => !this.byIntent.has(id)));
    if (wanted.size === 0) return [];
    for (const e of journal.readEvents({ type: RISK_DECISION })) {
      const p = e.payload as { readonly kind?: unknown; readonly decisionId?: unknown; readonly order?: unknown };
      if (p.kind !== 'approve' || typeof p.decisionId !== 'string' || !wanted.has(p.decisionId)) continue;
      const order = risk.restoreApproval(p.order);
      if (order === undefined) continue;
      this.byIntent.set(p.decisionId, order);
      wanted.delete(p.decisionId);
      if (wanted.size === 0) break;
    }
    return [...wanted];
  }
}
