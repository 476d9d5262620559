/**
 * Stale signal entries (S0-17, X-ORD-11): a followed signal's entry that has not filled within its mode's preset (24h
 * or 6d, `signals.staleEntry`) is withdrawn at the venue through the trade actor's own `command.cancelEntry`, so the
 * chart cancels it as it does any cancel and a filled part stays (the chart already protects it). One timer per
 * entry on the injected scheduler, at the approval's `expiresAt` (the signal's proposal lives as long as its preset):
 * no polling. At the deadline the symbol's actor must still work that intent's entry, else nothing happens. The
 * withdrawal is journaled (SIGNAL_ENTRY_STALE) in the transaction of the actor's step and logged `stale_entry_cancelled`.
 */
import type { Journal } from '../../journal/Journal.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import { hasEntryInFlight, type TradeSnapshotLike } from '../../../machines/trade/tradeQueries.ts';

/** What the watch needs of one symbol's trade actor (an ActorHost). */
export interface StaleEntryHost {
  snapshot(): TradeSnapshotLike;
  send(event: { readonly type: 'command.cancelEntry'; readonly at: number }): void;
  isStopped(): boolean;
}

/** What the watch needs of the venue account that trades the signals (a VenueRuntime). */
export interface StaleEntryPort {
  readonly symbols: ReadonlyArray<string>;
  host(symbol: string): StaleEntryHost | undefined;
  readonly approvals: { get(intentId: string): { readonly strategyId: string; readonly decidedAt: number; readonly expiresAt: number } | undefined };
}

/** One watched entry: the decision (the actor's intent id) and when it goes stale. */
export interface WatchedEntry {
  readonly decisionId: string;
  readonly symbol: string;
  readonly mode: string;
  /** The preset's name (24h, 6d), for the journal and the log. */
  readonly preset: string;
  readonly decidedAt: number;
  readonly deadline: number;
}

/** Options of the watch. */
export interface StaleEntryWatchOptions {
  readonly port: StaleEntryPort;
  readonly scheduler: Scheduler;
  readonly journal: Journal;
  readonly logger: Logger;
}

/** The stale-entry timers of one session's signal intake. */
export class StaleEntryWatch {
  private readonly opts: StaleEntryWatchOptions;
  private readonly timers = new Map<string, () => void>();

  constructor(opts: StaleEntryWatchOptions) {
    this.opts = opts;
  }

  /** Arms the deadline of one entry (again: replaces the earlier timer of the same decision). */
  watch(entry: WatchedEntry): void {
    this.timers.get(entry.decisionId)?.();
    this.timers.set(entry.decisionId, this.opts.scheduler.schedule(entry.deadline, () => {
      this.timers.delete(entry.decisionId);
      this.expire(entry);
    }));
  }

  /**
   * Re-arms, after a restart, the deadline of every signal entry the actors still work (from its restored approval);
   * `modeOf` names a decision's mode from the journal. A deadline already past fires at once. Returns how many.
   */
  resume(modeOf: (decisionId: string) => string | undefined, presetOf: (mode: string) => string): number {
    let armed = 0;
    for (const symbol of this.opts.port.symbols) {
      const host = this.opts.port.host(symbol);
      if (host === undefined || host.isStopped()) continue;
      const snap = host.snapshot();
      const intentId = snap.context.intent?.intentId;
      if (intentId === undefined || !hasEntryInFlight(snap)) continue;
      const approval = this.opts.port.approvals.get(intentId);
      if (approval?.strategyId !== 'signals') continue;
      const mode = modeOf(intentId) ?? 'unknown';
      this.watch({ decisionId: intentId, symbol, mode, preset: presetOf(mode), decidedAt: approval.decidedAt, deadline: approval.expiresAt });
      armed += 1;
    }
    return armed;
  }

  /** How many deadlines are armed. */
  size(): number {
    return this.timers.size;
  }

  /** Cancels every timer (the intake stops). */
  stop(): void {
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private expire(entry: WatchedEntry): void {
    const { port, journal, logger, scheduler } = this.opts;
    const host = port.host(entry.symbol);
    if (host === undefined || host.isStopped()) return;
    const snap = host.snapshot();
    const c = snap.context;
    // Filled, cancelled or replaced by a later intent meanwhile: nothing of this signal rests any more.
    if (c.intent?.intentId !== entry.decisionId || !hasEntryInFlight(snap)) return;
    const now = scheduler.clock.now();
    const record = {
      symbol: entry.symbol, decisionId: entry.decisionId, clientOrderId: c.entryClientOrderId, mode: entry.mode, preset: entry.preset,
      ageMs: now - entry.decidedAt, filledQuantity: c.entry.filledQuantity,
    };
    journal.transaction(() => {
      journal.append(`signal:stale:${entry.symbol}`, 'SIGNAL_ENTRY_STALE', record);
      host.send({ type: 'command.cancelEntry', at: now });
    });
    logger.warn({ event: 'stale_entry_cancelled', reason: 'stale_entry_cancelled', ...record }, 'stale_entry_cancelled');
  }
}
