/**
 * The session's signal intake (issue 16 item 1, S0-2, S0-3): with `signals.enabled`, one SignalInbox on the first
 * account's journal (S0 trades one account), parsing against the symbol registry's view of that venue (S0-15) and proposing each accepted
 * signal's entry through `DecisionLoop.decideExternal` — the RiskEngine is the only veto. The governance list is
 * checked first: a missing required source raises a CRITICAL `governance_incomplete` alert and nothing is acted on.
 * Messages a previous run received but did not handle are handled once; the replay file's messages are fed on the
 * session's own timers at their times (at start for those already due); a `via: telegram` source's channel posts come
 * from the notifications' Telegram poller (`receivePost`); a `via: webhook` source's messages from the operations
 * server's `POST /signals/<name>` (`receiveWebhook`, authenticated there with the secret `webhookSecretsOf` reads).
 * An accepted signal's entry that rests unfilled past its mode's `signals.staleEntry` preset is withdrawn (S0-17,
 * StaleEntryWatch); the deadlines of entries a previous run left resting are armed again at start. With
 * `signals.reentry.enabled`, a signal its stop loss closed before any take profit is re-entered at its OEP (S0-14,
 * ReEntryWatch); its chains are rebuilt from the journal at start.
 */
import { Redacted } from 'effect';
import type { AlertPort } from '../alerts/AlertRouter.ts';
import type { AppConfig } from '../config/schema.ts';
import { signalWebhookSecretVariable, type Secrets } from '../config/secrets.ts';
import { requiredSourcesOf, STALE_ENTRY_PRESET_MS, type DualEntrySection, type StaleEntrySection } from '../config/signalsSection.ts';
import { passiveSecondPrice } from '../domain/dualEntry.ts';
import type { TradeProposal } from '../domain/TradeProposal.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { WebhookSignal } from '../ops/types.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { DecisionLoop } from '../runtime/DecisionLoop.ts';
import type { ProposalHints } from '../risk/checks/types.ts';
import type { RiskDecision } from '../risk/RiskEngine.ts';
import { ReEntryWatch, reentryPlanOf, type ReEntryPort } from '../signals/intake/ReEntryWatch.ts';
import { readSignalReplay } from '../signals/intake/replayFile.ts';
import { SignalInbox, type SignalInboxOptions, type SignalOutcome } from '../signals/intake/SignalInbox.ts';
import { StaleEntryWatch, type StaleEntryPort } from '../signals/intake/StaleEntryWatch.ts';
import { modeLeverageOf } from '../signals/leverage.ts';
import { SymbolRegistry } from '../signals/SymbolRegistry.ts';
import type { Signal, SignalMode } from '../signals/types.ts';
import type { TelegramMessage } from '../notify/telegram/BotApiClient.ts';
import type { Venue } from '../venues/Venue.ts';

/** What the intake needs from the session. */
export interface SignalIntakeOptions {
  readonly config: AppConfig;
  readonly journal: Journal;
  readonly venue: Venue;
  readonly loop: Pick<DecisionLoop, 'decideExternal'>;
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: AlertPort;
  /**
   * The venue account that trades the signals (its VenueRuntime): a stale entry is withdrawn through its actor
   * (S0-17), and its closed trades start re-entries (S0-14). Without it neither runs (stand-in loops of tests only).
   */
  readonly entries?: (StaleEntryPort & ReEntryPort) | undefined;
}

/** The running intake. */
export interface SignalIntake {
  readonly inbox: SignalInbox;
  /** The re-entry chains (S0-14), when `signals.reentry.enabled` and the intake has its account. */
  readonly reentry: ReEntryWatch | undefined;
  /** Journals a Telegram channel post of a `via: telegram` source; false when the chat is no source's. */
  receivePost(post: TelegramMessage): boolean;
  /** Journals and handles a message of a `via: webhook` source (already authenticated); undefined `postedAt`: now. */
  receiveWebhook(message: WebhookSignal): SignalOutcome;
  stop(): void;
}

/** A webhook signal source that cannot be served (named like the venues' error, so `run` exits with usage, 2). */
export class SignalWebhookConfigError extends Error {
  override readonly name = 'MissingCredentials';
}

/** The shortest webhook secret accepted: an HMAC key an attacker cannot guess (`openssl rand -hex 32` gives 64). */
export const MIN_WEBHOOK_SECRET_LENGTH = 32;

/**
 * Returns each `via: webhook` source's HMAC secret (none when signals are off). Throws SignalWebhookConfigError, naming
 * every problem, when such a source cannot be read: the operations server is off, or a source's
 * `TW_SIGNAL_WEBHOOK_SECRET_<NAME>` is missing or shorter than MIN_WEBHOOK_SECRET_LENGTH characters.
 */
export const webhookSecretsOf = (config: AppConfig, secrets: Secrets | undefined): ReadonlyMap<string, Redacted.Redacted<string>> => {
  const names = config.signals.enabled ? config.signals.sources.filter((x) => x.via === 'webhook').map((x) => x.name) : [];
  if (names.length === 0) return new Map();
  if (!config.server.enabled) {
    throw new SignalWebhookConfigError(`signals.sources: the webhook sources (${names.join(', ')}) are served by the operations server (POST /signals/<name>); set server.enabled: true (with TW_CONTROL_TOKEN)`);
  }
  const found = new Map<string, Redacted.Redacted<string>>();
  const problems: string[] = [];
  for (const name of names) {
    const variable = signalWebhookSecretVariable(name);
    const secret = secrets?.get(variable);
    if (secret === undefined) problems.push(`signal source ${name} (via: webhook) needs ${variable} in the environment (.env); see .env.example`);
    else if (Redacted.value(secret).length < MIN_WEBHOOK_SECRET_LENGTH) problems.push(`${variable} is shorter than ${String(MIN_WEBHOOK_SECRET_LENGTH)} characters (openssl rand -hex 32 makes one)`);
    else found.set(name, secret);
  }
  if (problems.length > 0) throw new SignalWebhookConfigError(problems.join('; '));
  return found;
};

/**
 * The hints of a signal's dual entry (S0-7): the two post-only legs at the signal's two entry prices, or at its one
 * price and the configured offset from it on the passive side; a leg that would take liquidity joins the maker side.
 */
export const dualEntryHints = (signal: Signal, dual: DualEntrySection): ProposalHints => {
  if (!dual.enabled) return {};
  const side = signal.side === 'long' ? 'buy' : 'sell';
  const [a, b] = [signal.entries[0]!, signal.entries[1] ?? passiveSecondPrice(side, signal.entries[0]!, dual.secondOffsetFraction)];
  return { postOnlyLimit: a, secondPostOnlyLimit: b, makerJoinTicks: dual.makerJoinTicks };
};

/**
 * Returns the inbox's `act`: the signal's entry proposed through `decideExternal` with its mode and the leverage that
 * mode trades at as hints, so the RiskEngine's leverage rule judges it again and the approval carries the trade's own
 * leverage, which the execution path sets at the venue before the entry (S0-4). A signal without a stop loss comes
 * without one (`proposalOf`): the engine's missing-SL case locks it at x10 (S0-5). With `dual`, two post-only legs
 * (S0-7, `dualEntryHints`); without, one limit at the market.
 */
export const signalAct = (
  loop: Pick<DecisionLoop, 'decideExternal'>,
  onApproved?: (decision: Extract<RiskDecision, { kind: 'approve' }>, signal: Signal, proposal: TradeProposal, hints: ProposalHints) => void,
  dual?: DualEntrySection,
): SignalInboxOptions['act'] => (proposal, signal) => {
  const hints: ProposalHints = {
    leverageMode: signal.mode, leverage: modeLeverageOf(signal.mode, signal.leverage), ...(dual === undefined ? {} : dualEntryHints(signal, dual)),
    // S0-10: the signal's TP1 and SL exactly; without a stop loss the auto-SL comes from the OEP (S0-5).
    exactLevels: { takeProfit: signal.targets[0], stopLoss: signal.plan.autoSl ? undefined : signal.plan.stopLoss },
  };
  const d = loop.decideExternal(proposal, hints);
  if (typeof d === 'string') return { problem: d };
  if (d.kind === 'veto') return { decisionId: d.decisionId, veto: d.veto.reason };
  onApproved?.(d, signal, proposal, hints);
  return { decisionId: d.decisionId };
};

/** Returns the stale-entry time of a mode under the `signals.staleEntry` presets (S0-17). */
export const staleEntryMsOf = (presets: StaleEntrySection) => (mode: SignalMode): number => STALE_ENTRY_PRESET_MS[presets[mode]];

/**
 * Returns the inbox's `act` with the stale-entry watch (S0-17): an approved entry's deadline is armed at its approval's
 * `expiresAt`, which the proposal's ttl (the mode's preset) put there. With a re-entry watch (S0-14), the approved
 * signal's plan is journaled in the same commit as its outcome, which also clears a pause of its symbol.
 */
export const watchedSignalAct = (loop: Pick<DecisionLoop, 'decideExternal'>, watch: StaleEntryWatch, presets: StaleEntrySection, reentry?: ReEntryWatch, dual?: DualEntrySection): SignalInboxOptions['act'] =>
  signalAct(loop, (d, signal, proposal, hints) => {
    if (d.dryRun) return;
    watch.watch({ decisionId: d.decisionId, symbol: d.order.symbol, mode: signal.mode, preset: presets[signal.mode], decidedAt: d.order.decidedAt, deadline: d.order.expiresAt });
    reentry?.planned(reentryPlanOf(d.decisionId, proposal, hints));
  }, dual);

/** A symbol list for a log line: the symbols when few (a refresh's news), their count when many (the first listing). */
const listed = (symbols: ReadonlyArray<string>): ReadonlyArray<string> | number => (symbols.length > 20 ? symbols.length : symbols);

/** Starts the intake (reads the replay file first: a bad file rejects with SignalReplayError before anything runs). */
export const startSignalIntake = async (opts: SignalIntakeOptions): Promise<SignalIntake> => {
  const { config, logger, scheduler } = opts;
  const s = config.signals;
  const replay = s.replayFile === '' ? [] : readSignalReplay(s.replayFile);
  const configured = new Set(s.sources.map((x) => x.name));
  const missing = requiredSourcesOf(config).filter((name) => !configured.has(name));
  if (missing.length > 0) {
    logger.error({ event: 'governance_incomplete', missing }, 'governance_incomplete');
    opts.alerts.raise({ key: 'governance_incomplete', severity: 'CRITICAL', message: `signal sources not configured: ${missing.join(', ')}; no signal is acted on`, fields: { missing: missing.join(',') } });
  }
  // S0-15: signals parse against the venue's trading USDT perpetuals with full metadata, less the blacklist, listed
  // again every symbolRefreshMs; a first listing that fails fails the start (the session retries it).
  const registry = new SymbolRegistry({
    venue: opts.venue, scheduler, refreshMs: s.symbolRefreshMs, blacklist: s.blacklist,
    onRefresh: (r) => {
      if (!r.ok) logger.warn({ event: 'symbol_registry_refresh_failed', error: r.message }, 'symbol_registry_refresh_failed');
      else if (r.added.length > 0 || r.removed.length > 0) logger.info({ event: 'symbol_registry_refreshed', tradable: r.tradable, added: listed(r.added), removed: listed(r.removed) }, 'symbol_registry_refreshed');
    },
  });
  const first = await registry.start();
  if (!first.ok) {
    registry.stop();
    throw first.error;
  }
  const watch = opts.entries === undefined ? undefined : new StaleEntryWatch({ port: opts.entries, scheduler, journal: opts.journal, logger });
  const reentry = opts.entries === undefined || !s.reentry.enabled ? undefined : new ReEntryWatch({
    port: opts.entries, loop: opts.loop, scheduler, journal: opts.journal, logger, alerts: opts.alerts, settings: s.reentry,
    secondLegOffset: s.dualEntry.enabled ? s.dualEntry.secondOffsetFraction : undefined,
  });
  const inbox = new SignalInbox({
    journal: opts.journal, clock: opts.clock, logger, parse: { instrument: (symbol) => registry.instrument(symbol), whyNot: (symbol) => { const r = registry.lookup(symbol); return r.ok ? undefined : r.message; } }, notionalFraction: s.notionalFraction, maxAgeMs: s.maxAgeMs,
    missingSources: missing, staleEntryMs: staleEntryMsOf(s.staleEntry),
    act: watch === undefined ? signalAct(opts.loop, undefined, s.dualEntry) : watchedSignalAct(opts.loop, watch, s.staleEntry, reentry, s.dualEntry),
  });
  if (reentry !== undefined) {
    // S0-14: armed before the stale-entry deadlines, so a try's own withdrawal runs first at a shared deadline.
    const r = reentry.resume();
    if (r.chains > 0 || r.paused > 0) logger.info({ event: 'reentry_watch_resumed', ...r }, 'reentry_watch_resumed');
    const cooldown = Math.max(config.risk.cooldowns.afterStopMs, config.execution.reentryCooldownMs);
    if (cooldown >= s.reentry.baseDelayMs) {
      logger.warn({ event: 'reentry_cooldown_too_long', cooldownMs: cooldown, baseDelayMs: s.reentry.baseDelayMs }, 'reentry_cooldown_too_long');
    }
  }
  // S0-17: entries a previous run left resting keep their deadlines (a past one withdraws the entry now).
  const resumed = watch?.resume((id) => inbox.modeOf(id), (mode) => (mode in s.staleEntry ? s.staleEntry[mode as SignalMode] : 'unknown')) ?? 0;
  if (resumed > 0) logger.info({ event: 'stale_entry_watch_resumed', entries: resumed }, 'stale_entry_watch_resumed');
  inbox.resumePending();
  const unknown = replay.filter((m) => !configured.has(m.source));
  if (unknown.length > 0) logger.warn({ event: 'signal_replay_unknown_sources', sources: [...new Set(unknown.map((m) => m.source))] }, 'signal_replay_unknown_sources');
  const cancels: Array<() => void> = [];
  const now = opts.clock.now();
  for (const m of replay) {
    if (!configured.has(m.source)) continue;
    cancels.push(scheduler.schedule(Math.max(now, m.postedAt), () => {
      try {
        inbox.receive(m);
      } catch (e) {
        logger.error({ event: 'signal_intake_failed', source: m.source, messageId: m.messageId, error: e instanceof Error ? e.message : String(e) }, 'signal_intake_failed');
      }
    }));
  }
  logger.info({ event: 'signal_intake_started', sources: [...configured], replayed: replay.length, missing }, 'signal_intake_started');
  const byChat = new Map(s.sources.flatMap((x) => (x.via === 'telegram' && x.chatId !== undefined ? [[x.chatId, x.name] as const] : [])));
  const receivePost = (post: TelegramMessage): boolean => {
    const source = byChat.get(String(post.chat.id));
    if (source === undefined) return false;
    const text = post.text ?? post.caption;
    if (text !== undefined) inbox.receive({ source, via: 'telegram', messageId: String(post.message_id), text, postedAt: post.date * 1000 });
    return true;
  };
  const webhookSources = new Set(s.sources.flatMap((x) => (x.via === 'webhook' ? [x.name] : [])));
  const receiveWebhook = (m: WebhookSignal): SignalOutcome => {
    // The server routes only the webhook sources' names here; anything else is a wiring mistake.
    if (!webhookSources.has(m.source)) throw new Error(`signal source ${m.source} does not read the webhook`);
    return inbox.receive({ source: m.source, via: 'webhook', messageId: m.messageId, text: m.text, postedAt: m.postedAt ?? opts.clock.now() });
  };
  return {
    inbox, reentry, receivePost, receiveWebhook,
    stop: () => {
      registry.stop();
      watch?.stop();
      reentry?.stop();
      cancels.forEach((c) => c());
    },
  };
};
