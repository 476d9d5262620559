/**
 * Hosts one symbol's trade actor: restores it from its journaled snapshot (refusing another chart version), journals
 * every event it receives together with the resulting snapshot in one transaction, arms the deadlines the chart
 * stores (`timer.*`), and hands every other emitted intent to the runtime — after the transition is committed.
 */
import { createActor, type InspectionEvent } from 'xstate';
import { inDocumentOrder, lifecycleState, pendingTradeTimers, TRADE_MACHINE_VERSION, tradeMachine, type TradeActorRef, type TradeSnapshot } from '../../machines/trade/tradeMachine.ts';
import type { TradeEmitted, TradeEvent, TradeInput, TradeTimerName } from '../../machines/trade/tradeTypes.ts';
import { Data } from 'effect';
import type { Journal, SnapshotRow } from '../journal/Journal.ts';
import { noCrashPoints, type CrashPoint } from '../kernel/crashPoints.ts';
import { oepHash } from '../domain/oep.ts';
import { Deadlines } from '../kernel/Deadlines.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';

/**
 * A journaled snapshot that cannot be restored: another chart version, or a snapshot that does not decode into a live
 * actor. Refused at start with a clear message (never restored into an error state, never retried in a loop).
 */
export class ActorRestoreRefused extends Data.TaggedError('ActorRestoreRefused')<{
  readonly actorId: string;
  readonly reason: 'version_mismatch' | 'undecodable';
  readonly detail: string;
}> {
  override get message(): string {
    return `${this.actorId}: cannot restore its journaled snapshot (${this.reason}): ${this.detail}`;
  }
}

/** Returns the saved snapshot of an actor after checking that it can be restored; throws ActorRestoreRefused. */
const restorableSnapshot = (journal: Journal, actorId: string, input: TradeInput): SnapshotRow | undefined => {
  const saved = journal.loadSnapshot(actorId);
  if (saved === undefined) return undefined;
  if (saved.machineVersion !== TRADE_MACHINE_VERSION) {
    throw new ActorRestoreRefused({
      actorId,
      reason: 'version_mismatch',
      detail: `the journal holds a snapshot of chart ${saved.machineVersion}, this build runs ${TRADE_MACHINE_VERSION}; settle the position with the previous build or reconcile from a fresh journal (docs/operations.md)`,
    });
  }
  const s = saved.snapshot as { readonly status?: unknown; readonly value?: unknown; readonly context?: unknown } | null;
  if (s === null || typeof s !== 'object' || s.status !== 'active' || typeof s.value !== 'object' || s.value === null || typeof s.context !== 'object' || s.context === null) {
    throw new ActorRestoreRefused({ actorId, reason: 'undecodable', detail: `snapshot at seq ${saved.seq} is not an active trade-chart snapshot` });
  }
  // A trial restore, with nothing journaled: a snapshot the chart cannot resume from is refused here, not looped on.
  let failure: unknown;
  try {
    const trial = createActor(tradeMachine, { input, snapshot: inDocumentOrder(saved.snapshot) as never });
    trial.subscribe({ error: (e) => (failure = e) });
    trial.start();
    if (trial.getSnapshot().status !== 'active') failure ??= new Error(`status ${trial.getSnapshot().status}`);
    else lifecycleState(trial.getSnapshot());
    trial.stop();
  } catch (e) {
    failure = e;
  }
  if (failure !== undefined) {
    throw new ActorRestoreRefused({ actorId, reason: 'undecodable', detail: `snapshot at seq ${saved.seq} does not restore: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}` });
  }
  return saved;
};

/** Checks that the journaled snapshot of a symbol's actor restores (start-up, before any actor runs); throws ActorRestoreRefused. */
export const checkActorRestorable = (journal: Journal, venue: string, input: TradeInput): void => {
  restorableSnapshot(journal, `trade:${venue}:${input.symbol}`, input);
};

/** A defect in or around an actor; the supervisor restarts the actor from its last committed snapshot. */
export class ActorDefect extends Error {
  override readonly name = 'ActorDefect';
}

/** What the host needs from the runtime. */
export interface ActorHostDeps {
  readonly venue: string;
  readonly input: TradeInput;
  readonly journal: Journal;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Performs an intent (order, protection, notify, position.closed); called after the transition is committed. */
  readonly perform: (intent: TradeEmitted, host: ActorHost) => void;
  /** Reports a defect (the supervisor decides on restart or quarantine). */
  readonly onDefect: (host: ActorHost, error: unknown) => void;
  readonly inspect?: ((e: InspectionEvent) => void) | undefined;
  /** Restart-drill hook at `actor:<state>` after a committed state change, before its intents run (no-op in production). */
  readonly crashPoint?: CrashPoint | undefined;
}

/** One symbol's trade actor and its timers. */
export class ActorHost {
  readonly actorId: string;
  readonly symbol: string;
  private readonly deps: ActorHostDeps;
  private readonly actor: TradeActorRef;
  private readonly timers: Deadlines<TradeTimerName>;
  private outbox: TradeEmitted[] = [];
  private readonly mailbox: TradeEvent[] = [];
  private draining = false;
  private stopped = false;
  /** Set by tests and drills to make the next event fail as a defect would. */
  private injectedDefect: string | undefined;
  private seal: { readonly key: string; readonly hash: string } | undefined;

  constructor(deps: ActorHostDeps) {
    this.deps = deps;
    this.timers = new Deadlines(deps.scheduler);
    this.symbol = deps.input.symbol;
    this.actorId = `trade:${deps.venue}:${deps.input.symbol}`;
    const saved = restorableSnapshot(deps.journal, this.actorId, deps.input);
    this.actor = createActor(tradeMachine, {
      input: deps.input,
      ...(saved === undefined ? {} : { snapshot: inDocumentOrder(saved.snapshot) as never }),
      ...(deps.inspect === undefined ? {} : { inspect: deps.inspect }),
    });
    this.actor.on('*', (emitted) => {
      this.outbox.push(emitted);
    });
    this.actor.subscribe({ error: (e) => this.deps.onDefect(this, e) });
    this.actor.start();
    if (saved === undefined) {
      deps.journal.appendWithSnapshot(this.actorId, 'ACTOR_STARTED', { symbol: this.symbol, version: TRADE_MACHINE_VERSION, state: this.state() }, this.persisted());
    } else {
      deps.journal.append(this.actorId, 'ACTOR_RESTORED', { symbol: this.symbol, fromSeq: saved.seq, state: this.state() });
    }
    this.outbox = [];
    // Deadlines are not part of the restored actor's scheduler (api-notes §1): re-arm them from the context.
    for (const t of pendingTradeTimers(this.snapshot())) this.arm(t.name, t.at);
  }

  private persisted(): { readonly actorId: string; readonly machineVersion: string; readonly snapshot: unknown } {
    return { actorId: this.actorId, machineVersion: TRADE_MACHINE_VERSION, snapshot: this.actor.getPersistedSnapshot() };
  }

  /** Returns the current snapshot. */
  snapshot(): TradeSnapshot {
    return this.actor.getSnapshot();
  }

  /** Returns the lifecycle state name (idle, submitting, working, opened.protected, …). */
  state(): string {
    return lifecycleState(this.snapshot());
  }

  /** Returns whether the actor is stopped (after a defect or shutdown). */
  isStopped(): boolean {
    return this.stopped;
  }

  /** Makes the next event fail as a defect (tests and drills of the supervisor). */
  injectDefect(message: string): void {
    this.injectedDefect = message;
  }

  /**
   * Delivers one event: journals it with the transition it causes and the new snapshot in one commit, then performs
   * the emitted intents. A defect rolls the commit back and is reported to the supervisor.
   */
  send(event: TradeEvent): void {
    // A mailbox: an event sent while an earlier one is still being handled (a synchronous venue answering inside
    // `perform`) waits its turn, so intents run in the order their transitions were committed.
    this.mailbox.push(event);
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.mailbox.shift(); next !== undefined; next = this.mailbox.shift()) this.handle(next);
    } finally {
      this.draining = false;
    }
  }

  private handle(event: TradeEvent): void {
    if (this.stopped) return;
    const { journal } = this.deps;
    const from = this.state();
    try {
      journal.transaction(() => {
        if (this.injectedDefect !== undefined) {
          const message = this.injectedDefect;
          this.injectedDefect = undefined;
          throw new ActorDefect(message);
        }
        this.actor.send(event);
        const snap = this.snapshot();
        if (snap.status === 'error') throw new ActorDefect(`${this.actorId} entered the error state on ${event.type}`);
        const to = this.state();
        const seal = this.oepSeal(snap.context.intent?.intentId, snap.context.openingPrice);
        journal.appendWithSnapshot(this.actorId, 'ACTOR_EVENT', { event, from, to, ...(seal === undefined ? {} : { oepHash: seal }) }, this.persisted());
      });
    } catch (e) {
      this.outbox = [];
      this.stop();
      this.deps.onDefect(this, e);
      return;
    }
    const intents = this.outbox;
    this.outbox = [];
    const to = this.state();
    if (to !== from) (this.deps.crashPoint ?? noCrashPoints)(`actor:${to}`);
    for (const intent of intents) {
      if (intent.type === 'timer.set') this.arm(intent.name, intent.at);
      else if (intent.type === 'timer.clear') this.disarm(intent.name);
      else this.deps.perform(intent, this);
    }
  }

  // S0-8: the cycle's OEP seal, computed once per (trade, OEP).
  private oepSeal(tradeId: string | undefined, oep: string | null): string | undefined {
    if (tradeId === undefined || oep === null) return undefined;
    const key = `${tradeId}|${oep}`;
    if (this.seal?.key !== key) this.seal = { key, hash: oepHash(tradeId, oep) };
    return this.seal.hash;
  }

  private arm(name: TradeTimerName, at: number): void {
    this.timers.arm(name, at, () => {
      const now = this.deps.scheduler.clock.now();
      if (name === 'ackTimeout') {
        const id = this.snapshot().context.entryClientOrderId;
        if (id !== null) this.send({ type: 'timer.ackTimeout', clientOrderId: id, at: now });
      } else if (name === 'queryRetry') this.send({ type: 'timer.queryRetry', at: now });
      else this.send({ type: 'timer.cooldownDone', at: now });
    });
  }

  private disarm(name: TradeTimerName): void {
    this.timers.disarm(name);
  }

  /** Stops the actor and its timers; its last committed snapshot stays in the journal. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.clear();
    this.actor.stop();
  }
}
