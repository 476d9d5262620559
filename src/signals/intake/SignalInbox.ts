/**
 * The signal inbox (issue 16 item 1, S0-2, S0-3): every message from a signal source is journaled (SIGNAL_RECEIVED)
 * before it is parsed, and gets exactly one outcome (SIGNAL_HANDLED). The outcome of an accepted signal is journaled
 * in the same transaction as the RiskEngine's decision, the actor's step and the order's ORDER_REQUESTED, so a crash
 * either leaves all of them or none: a restart acts on every received message at most once. On start the inbox reads
 * back what the journal holds — messages already received are dropped as duplicates; one received but never handled
 * (the process died in between) is handled now, unless it is older than `maxAgeMs`. A re-post of an accepted text by
 * the same source is a duplicate too. With the governance list incomplete nothing is acted on.
 */
import { Either } from 'effect';
import type { Decimal } from '../../domain/money.ts';
import { TradeProposal, type Fraction } from '../../domain/TradeProposal.ts';
import { decodeJournalPayload } from '../../journal/events.ts';
import type { Journal } from '../../journal/Journal.ts';
import type { Clock } from '../../kernel/Clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import { parseSignal, rawTextHash } from '../parseSignal.ts';
import { refusalCode, refusalText } from '../refusalText.ts';
import type { ParseContext, Signal, SignalMode } from '../types.ts';

/** A message as a source delivered it. */
export interface InboundSignal {
  /** The configured source's name (CRYPTORAKETEN). */
  readonly source: string;
  readonly via: 'telegram' | 'webhook' | 'replay';
  /** The source's own id of the message (Telegram message id, webhook id, replay line). */
  readonly messageId: string;
  readonly text: string;
  /** When the source posted it (ms, the session clock's epoch). */
  readonly postedAt: number;
}

/** What became of a message. */
export type SignalOutcome = 'accepted' | 'refused' | 'duplicate' | 'stale' | 'governance_incomplete';

/** What acting on an accepted signal returned: the RiskEngine's decision (id and veto reason if any), or why none. */
export type ActResult = { readonly decisionId: string; readonly veto?: string | undefined } | { readonly problem: string };

/** What the inbox needs. */
export interface SignalInboxOptions {
  readonly journal: Journal;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly parse: ParseContext;
  /** Proposes the signal's entry to the RiskEngine (synchronously: it runs inside the outcome's transaction). */
  readonly act: (proposal: TradeProposal, signal: Signal, message: InboundSignal) => ActResult;
  readonly notionalFraction: number;
  readonly maxAgeMs: number;
  /** Required source names that are not configured (S0-2); non-empty: nothing is acted on. */
  readonly missingSources: ReadonlyArray<string>;
  /**
   * How long a mode's entry may rest unfilled (S0-17), the time to live of its proposal: the approval's `expiresAt`
   * is then the entry's stale deadline. Default: SWING 6 d, DYNAMIC and FIXED 24 h (the config's defaults).
   */
  readonly staleEntryMs?: ((mode: SignalMode) => number) | undefined;
}

const DAY_MS = 86_400_000;
const DEFAULT_STALE_MS: Readonly<Record<SignalMode, number>> = { SWING: 6 * DAY_MS, DYNAMIC: DAY_MS, FIXED: DAY_MS };

const keyOf = (m: { readonly source: string; readonly messageId: string }): string => `${m.source}:${m.messageId}`;

/**
 * Returns the entry proposal of a signal: its side, the stop and first target as fractions of the first entry, alive
 * for `ttlMs` (its mode's stale-entry preset, S0-17: the entry is withdrawn once the approval expires unfilled). A
 * signal without a stop loss is proposed without one (fraction 0): the RiskEngine's own missing-SL case then applies,
 * the auto-SL from the OEP and the x10 lock (S0-5), so the engine stays the one judge of the trade's leverage.
 */
export const proposalOf = (signal: Signal, message: InboundSignal, notionalFraction: number, now: number, ttlMs: number = DEFAULT_STALE_MS[signal.mode]): TradeProposal => {
  const entry = signal.entries[0]!;
  const fraction = (level: Decimal): Fraction => Math.min(1, level.minus(entry).abs().div(entry).toNumber()) as Fraction;
  return new TradeProposal({
    proposalId: `sig-${rawTextHash(keyOf(message)).slice(0, 24)}`, strategyId: 'signals', symbol: signal.symbol, side: signal.side === 'long' ? 'buy' : 'sell',
    instrumentKind: 'perp', notionalFraction: notionalFraction as Fraction, stopLossFraction: signal.plan.autoSl ? (0 as Fraction) : fraction(signal.plan.stopLoss),
    takeProfitFraction: fraction(signal.targets[0]!),
    conviction: 1 as Fraction, createdAt: now, ttlMs,
  });
};

/** The inbox of one session (on the journal of the account that trades the signals). */
export class SignalInbox {
  private readonly opts: SignalInboxOptions;
  private readonly received = new Set<string>();
  private readonly acceptedDigests = new Set<string>();
  /** The mode of each accepted signal's decision (SIGNAL_HANDLED), for its stale-entry deadline after a restart. */
  private readonly modes = new Map<string, string>();
  private readonly pending: InboundSignal[] = [];
  private readonly counts: Record<SignalOutcome, number> = { accepted: 0, refused: 0, duplicate: 0, stale: 0, governance_incomplete: 0 };

  constructor(opts: SignalInboxOptions) {
    this.opts = opts;
    const handled = new Set<string>();
    const byKey = new Map<string, InboundSignal & { digest: string }>();
    // Collected first: nothing may write through the journal while its statement iterates. An entry that does not
    // decode is logged and its key, when it has one, still counts as received: a message is acted on at most once.
    const unreadable = (seq: number, type: string, problem: string, payload: unknown): void => {
      opts.logger.error({ event: 'signal_journal_unreadable', seq, type, problem }, 'signal_journal_unreadable');
      const key = (payload as { key?: unknown } | null)?.key;
      if (typeof key === 'string') {
        this.received.add(key);
        handled.add(key);
      }
    };
    for (const e of [...opts.journal.readEvents({ type: 'SIGNAL_RECEIVED' })]) {
      const d = decodeJournalPayload('SIGNAL_RECEIVED', e.payload);
      if (Either.isLeft(d)) {
        unreadable(e.seq, e.type, d.left.message, e.payload);
        continue;
      }
      const { digest, key, ...m } = d.right;
      this.received.add(key);
      byKey.set(key, { ...m, digest });
    }
    for (const e of [...opts.journal.readEvents({ type: 'SIGNAL_HANDLED' })]) {
      const d = decodeJournalPayload('SIGNAL_HANDLED', e.payload);
      if (Either.isLeft(d)) {
        unreadable(e.seq, e.type, d.left.message, e.payload);
        continue;
      }
      handled.add(d.right.key);
      if (d.right.decisionId !== undefined && d.right.mode !== undefined) this.modes.set(d.right.decisionId, d.right.mode);
      const m = byKey.get(d.right.key);
      if (d.right.outcome === 'accepted' && m !== undefined) this.acceptedDigests.add(`${m.source}:${m.digest}`);
    }
    for (const [key, m] of byKey) if (!handled.has(key)) this.pending.push(m);
  }

  /** Handles, once, the messages a previous run received but did not handle; returns how many. */
  resumePending(): number {
    const list = this.pending.splice(0);
    for (const m of list) {
      this.opts.logger.warn({ event: 'signal_resumed', key: keyOf(m) }, 'signal_resumed');
      this.handle(m);
    }
    return list.length;
  }

  /** Journals a message and handles it; a message already received is a duplicate and is not journaled again. */
  receive(message: InboundSignal): SignalOutcome {
    const key = keyOf(message);
    if (this.received.has(key)) {
      this.counts.duplicate += 1;
      this.opts.logger.info({ event: 'signal_duplicate', key }, 'signal_duplicate');
      return 'duplicate';
    }
    this.opts.journal.append(`signal:${message.source}`, 'SIGNAL_RECEIVED', {
      key, source: message.source, via: message.via, messageId: message.messageId, text: message.text, digest: rawTextHash(message.text), postedAt: message.postedAt,
    });
    this.received.add(key);
    return this.handle(message);
  }

  /** Returns the mode of the accepted signal a decision acted on (this run's or a journaled one's), if known. */
  modeOf(decisionId: string): string | undefined {
    return this.modes.get(decisionId);
  }

  /** How many messages had each outcome in this run. */
  stats(): Readonly<Record<SignalOutcome, number>> {
    return { ...this.counts };
  }

  private handle(message: InboundSignal): SignalOutcome {
    const { journal, logger, clock } = this.opts;
    const key = keyOf(message);
    const record = (outcome: SignalOutcome, extra: { reason?: string; detail?: string; symbol?: string; decisionId?: string; mode?: string } = {}): SignalOutcome => {
      journal.append(`signal:${message.source}`, 'SIGNAL_HANDLED', { key, outcome, ...extra });
      this.counts[outcome] += 1;
      logger[outcome === 'accepted' ? 'info' : 'warn']({ event: 'signal_handled', key, outcome, ...extra }, `signal_${outcome}`);
      return outcome;
    };
    if (this.opts.missingSources.length > 0) return record('governance_incomplete', { detail: `not configured: ${this.opts.missingSources.join(', ')}` });
    const age = clock.now() - message.postedAt;
    if (age > this.opts.maxAgeMs) return record('stale', { detail: `${String(age)} ms old, limit ${String(this.opts.maxAgeMs)} ms` });
    const parsed = parseSignal(message.text, this.opts.parse);
    if (!parsed.ok) return record('refused', { reason: refusalCode(parsed.error), detail: refusalText(parsed.error, message.text), ...(parsed.error.symbol === undefined ? {} : { symbol: parsed.error.symbol }) });
    const signal = parsed.signal;
    const digest = `${message.source}:${rawTextHash(message.text)}`;
    if (this.acceptedDigests.has(digest)) return record('duplicate', { symbol: signal.symbol, detail: 'the same text from this source was acted on before' });
    // The decision, the actor's step, the request and this outcome commit together (one transaction).
    return journal.transaction(() => {
      const ttlMs = this.opts.staleEntryMs?.(signal.mode) ?? DEFAULT_STALE_MS[signal.mode];
      const result = this.opts.act(proposalOf(signal, message, this.opts.notionalFraction, clock.now(), ttlMs), signal, message);
      if ('problem' in result) return record('refused', { reason: 'SIGNAL_NOT_TRADED', detail: result.problem, symbol: signal.symbol });
      if (result.veto !== undefined) return record('refused', { reason: `RISK_${result.veto.toUpperCase()}`, detail: `the RiskEngine vetoed it (${result.veto})`, symbol: signal.symbol, decisionId: result.decisionId });
      this.acceptedDigests.add(digest);
      this.modes.set(result.decisionId, signal.mode);
      return record('accepted', { symbol: signal.symbol, decisionId: result.decisionId, mode: signal.mode });
    });
  }
}
