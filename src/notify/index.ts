/**
 * Starts a session's notifications (issue 15): the enabled channels from config and secrets, one journaled outbox
 * and one lifecycle notifier per account (pumped on wall-time timers), the alert channel into the first account's
 * outbox and — with `persistAlerts` — the alert router's state in that journal's kv `alerts`; given the session's
 * status source, also the scheduled reports and the Telegram commands (reportsAndCommands.ts). Nothing here runs on the
 * trading path: a channel that fails, hangs or is slow delays only its own messages (X-NTF-1).
 */
import type { AlertChannel, AlertRouter, AlertStateStore, PersistedAlerts } from '../alerts/AlertRouter.ts';
import type { AppConfig } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { seededRandom } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { OpsSource } from '../ops/types.ts';
import { notifyAlertChannel } from './alertChannel.ts';
import { emailChannel } from './channels/emailChannel.ts';
import { logChannel } from './channels/logChannel.ts';
import { telegramChannel } from './channels/telegramChannel.ts';
import { webhookChannel } from './channels/webhookChannel.ts';
import { LifecycleNotifier } from './LifecycleNotifier.ts';
import { Outbox, type OutboxStats } from './Outbox.ts';
import { policyOf, resolveChannels } from './policy.ts';
import { startReportsAndCommands, type ChannelPostTaker, type ReportsAndCommands } from './reportsAndCommands.ts';
import { makeBotApiClient, telegramTokenOf } from './telegram/BotApiClient.ts';
import { startTelegramHealth } from './telegram/telegramHealth.ts';
import type { NotificationChannel, NotificationMessage } from './types.ts';

export type { NotificationChannel, NotificationMessage } from './types.ts';

/** kv key of the alert router's state (item 7). */
export const ALERTS_KV_KEY = 'alerts';

/** A channel that cannot start: its secret is missing (named like the venues' error, so `run` exits with usage, 2). */
export class NotificationsConfigError extends Error {
  override readonly name = 'MissingCredentials';
}

/** What `startNotifications` needs from the session. */
export interface StartNotificationsOptions {
  readonly config: AppConfig;
  readonly secrets: Secrets | undefined;
  readonly journals: ReadonlyArray<{ readonly account: string; readonly journal: Journal }>;
  /** The session's scheduler (on `clock`): the scheduled reports fire on it. */
  readonly scheduler: Scheduler;
  /** Wall-time timers: every pump, delivery timeout, retry and journal write of the outbox runs on them. */
  readonly wallScheduler: Scheduler;
  readonly logger: Logger;
  readonly clock: Clock;
  /** When given, the alert channel is attached to it (and its state persisted with `persistAlerts`). */
  readonly alerts?: AlertRouter | undefined;
  /** Keep the alert router's dedupe and escalation state in the first journal's kv (persistent journals only). */
  readonly persistAlerts?: boolean | undefined;
  /** The session's status and control: with it, the scheduled reports and the Telegram commands run too. */
  readonly source?: OpsSource | undefined;
}

/** The started notifications. */
export interface Notifications {
  /** The AlertRouter channel feeding the first account's outbox (already attached when `alerts` was given). */
  readonly alertChannel: AlertChannel;
  /** The enabled channel names. */
  readonly channels: ReadonlyArray<string>;
  /** Queues a message (a scheduled report) on the account's outbox (default: the first); returns how many channels took it. */
  enqueue(message: NotificationMessage, channels: ReadonlyArray<string>, account?: string): number;
  stats(): Readonly<Record<string, OutboxStats>>;
  /** Hands the signal sources' channel posts to the signal intake from now on (until then they wait at Telegram). */
  takeChannelPosts(taker: ChannelPostTaker): void;
  /** The health of the channels that are dependencies (S0-20): `telegram` when it is enabled. */
  health(): Readonly<Record<string, 'up' | 'down'>>;
  /** Reads the journals one last time, waits up to deliveryTimeoutMs for the queues, and closes the channels. */
  stop(): Promise<void>;
}

const buildChannels = (config: AppConfig, secrets: Secrets | undefined, logger: Logger): NotificationChannel[] => {
  const n = config.notifications;
  const out: NotificationChannel[] = [];
  if (n.telegram.enabled) {
    const token = secrets === undefined ? undefined : telegramTokenOf(secrets);
    if (token === undefined) throw new NotificationsConfigError('notifications.telegram.enabled needs TW_TELEGRAM_BOT_TOKEN in the environment');
    out.push(telegramChannel(makeBotApiClient({ apiBaseUrl: n.telegram.apiBaseUrl, token, timeoutMs: n.deliveryTimeoutMs }), n.telegram.chatIds));
  }
  if (n.webhook.enabled) out.push(webhookChannel({ url: n.webhook.url, token: secrets?.get('TW_WEBHOOK_TOKEN') }));
  if (n.email.enabled) {
    const password = secrets?.get('TW_SMTP_PASSWORD');
    if (n.email.user !== '' && password === undefined) throw new NotificationsConfigError('notifications.email.user needs TW_SMTP_PASSWORD in the environment');
    out.push(emailChannel({ ...n.email, password, timeoutMs: n.deliveryTimeoutMs }));
  }
  if (n.log.enabled) out.push(logChannel(logger));
  return out;
};

/** The chats whose channel posts are signals: the Telegram sources of an enabled signal intake. */
const signalChatsOf = (config: AppConfig): ReadonlySet<string> =>
  new Set(config.signals.enabled ? config.signals.sources.flatMap((s) => (s.via === 'telegram' && s.chatId !== undefined ? [s.chatId] : [])) : []);

/** Keeps the router's state in a journal's kv: the latest state, written from a wall timer (never from the caller). */
const journalAlertStore = (journal: Journal, scheduler: Scheduler, logger: Logger): AlertStateStore & { flush(): void } => {
  let pending: PersistedAlerts | undefined;
  let cancel: (() => void) | undefined;
  const flush = (): void => {
    cancel = undefined;
    if (pending === undefined) return;
    const state = pending;
    pending = undefined;
    try {
      journal.kvSet(ALERTS_KV_KEY, state);
    } catch (e) {
      logger.error({ err: e }, 'alert_state_write_failed');
    }
  };
  return {
    load: () => journal.kvGet(ALERTS_KV_KEY),
    save: (state) => {
      pending = state;
      cancel ??= scheduler.schedule(scheduler.clock.now(), flush);
    },
    flush: () => {
      cancel?.();
      flush();
    },
  };
};

/** Starts the notifications; rejects with NotificationsConfigError when an enabled channel lacks its secret. */
export const startNotifications = (opts: StartNotificationsOptions): Promise<Notifications> => {
  const { config, logger, wallScheduler } = opts;
  const n = config.notifications;
  const policy = policyOf(config);
  let channels: NotificationChannel[];
  try {
    channels = buildChannels(config, opts.secrets, logger);
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  const names = channels.map((c) => c.name);
  const byName = new Map(channels.map((c) => [c.name, c]));
  const random = seededRandom(config.sim.seed ^ 0x6e6f7466);
  const outboxes = new Map<string, Outbox>();
  const notifiers: LifecycleNotifier[] = [];
  const lifecycleChannels = resolveChannels(policy.lifecycle.channels, names);
  if (channels.length > 0) {
    for (const { account, journal } of opts.journals) {
      const outbox = new Outbox({
        account, journal, channels: byName, scheduler: wallScheduler, max: n.outboxMax, timeoutMs: n.deliveryTimeoutMs, random, logger,
        retry: { baseMs: n.retryBaseMs, capMs: n.retryCapMs, maxAttempts: n.retryMaxAttempts },
      });
      outbox.start();
      outboxes.set(account, outbox);
      const section = config.venues[account];
      const notifier = new LifecycleNotifier({
        account, journal, outbox, events: policy.lifecycle.events, channels: lifecycleChannels, logger,
        settleAsset: section?.settleAsset ?? 'USDT', triggerSource: section?.triggerSource,
      });
      notifier.start();
      notifiers.push(notifier);
    }
  }
  const home = opts.journals[0] === undefined ? undefined : outboxes.get(opts.journals[0].account);
  const alertChannel = notifyAlertChannel({ policy, enabled: names, enqueue: (m, c) => void home?.enqueue(m, c) });
  const detach = opts.alerts?.addChannel(alertChannel);
  const store = opts.persistAlerts === true && opts.alerts !== undefined && opts.journals[0] !== undefined ? journalAlertStore(opts.journals[0].journal, wallScheduler, logger) : undefined;
  if (store !== undefined) opts.alerts!.persistTo(store);

  // One batch per notifier per tick; `drain` reads on to the journal's end (the final read at stop).
  const pumpAll = (drain = false): void => {
    for (const notifier of notifiers) {
      try {
        while (notifier.pump() > 0 && drain);
      } catch (e) {
        logger.error({ err: e }, 'notify_pump_failed');
      }
    }
  };
  let cancelPump: (() => void) | undefined;
  const tick = (): void => {
    cancelPump = wallScheduler.schedule(wallScheduler.clock.now() + n.pumpEveryMs, () => {
      pumpAll();
      tick();
    });
  };
  if (notifiers.length > 0) tick();
  if (names.length > 0) logger.info({ event: 'notifications', channels: names, lifecycle: lifecycleChannels, accounts: [...outboxes.keys()] }, 'notifications_started');

  let postTaker: ChannelPostTaker | undefined;
  const enqueue = (message: NotificationMessage, list: ReadonlyArray<string>, account?: string): number => (account === undefined ? home : outboxes.get(account))?.enqueue(message, list) ?? 0;
  // The command poller and the health probe share a client of their own: the long poll holds a connection the
  // outbox's sends must not wait on.
  const token = n.telegram.enabled && opts.secrets !== undefined ? telegramTokenOf(opts.secrets) : undefined;
  const sideClient = token === undefined ? undefined : makeBotApiClient({ apiBaseUrl: n.telegram.apiBaseUrl, token, timeoutMs: n.deliveryTimeoutMs });
  const commandClient = opts.source === undefined ? undefined : sideClient;
  const telegramHealth = sideClient === undefined ? undefined : startTelegramHealth({ client: sideClient, scheduler: wallScheduler, everyMs: n.telegram.probeEveryMs, logger });
  const remote: ReportsAndCommands | undefined =
    opts.source === undefined || names.length === 0
      ? undefined
      : startReportsAndCommands({
          config, source: opts.source, journals: opts.journals.map((j) => j.journal), scheduler: opts.scheduler, clock: opts.clock, wallScheduler,
          channels: names, telegram: commandClient, send: (m) => void enqueue(m, m.channels), logger,
          signalChats: signalChatsOf(config), channelPostTaker: () => postTaker,
        });

  return Promise.resolve({
    alertChannel,
    channels: names,
    enqueue,
    takeChannelPosts: (taker) => {
      postTaker = taker;
    },
    health: (): Readonly<Record<string, 'up' | 'down'>> => (telegramHealth === undefined ? {} : { telegram: telegramHealth.health() }),
    stats: () => Object.fromEntries([...outboxes].map(([a, o]) => [a, o.stats()])),
    stop: async () => {
      await remote?.stop();
      telegramHealth?.stop();
      await sideClient?.close();
      cancelPump?.();
      pumpAll(true);
      detach?.();
      store?.flush();
      await Promise.all([...outboxes.values()].map((o) => o.stop(n.deliveryTimeoutMs)));
      for (const c of channels) await c.close?.().catch(() => undefined);
    },
  });
};
