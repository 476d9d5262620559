/**
 * The session's scheduled reports and Telegram commands (issue 15 items 4 and 5), started by `startNotifications`
 * once the session's status source exists. A schedule runs only on the channels the config enables (a schedule with
 * none left is skipped and logged); commands run only with Telegram enabled and a non-empty `allowedChatIds`. Both
 * keep their state (sent markers, the update offset) in the first account's journal. The same poller hands channel
 * posts of signal sources' chats to the signal intake (one getUpdates reader per bot). Both are stopped before the
 * outboxes, so a report posted during the stop still reaches its queue.
 */
import type { AppConfig } from '../config/schema.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { OpsSource } from '../ops/types.ts';
import { schedulesOf } from './schedule/profileSchedules.ts';
import { startSchedules, type ScheduledMessage } from './schedule/startSchedules.ts';
import type { BotApiClient, TelegramMessage } from './telegram/BotApiClient.ts';
import { commandAllowlist, startCommandPoller } from './telegram/CommandPoller.ts';

/** What the reports and commands need. */
export interface ReportsAndCommandsOptions {
  readonly config: AppConfig;
  readonly source: OpsSource;
  /** Every account's journal; the first keeps the markers and the offset. */
  readonly journals: ReadonlyArray<Journal>;
  /** The session's scheduler and clock (the journals' time): reports fire on it, also on a virtual clock. */
  readonly scheduler: Scheduler;
  readonly clock: Clock;
  /** Wall-time timers for the command poll's backoff. */
  readonly wallScheduler: Scheduler;
  /** The enabled channel names. */
  readonly channels: ReadonlyArray<string>;
  /** The poller's own Bot API client (not the channel's: its long poll must not hold the sends), when Telegram is on. */
  readonly telegram: BotApiClient | undefined;
  readonly send: (message: ScheduledMessage) => void;
  /** The chats whose channel posts are signals (issue 16), and who takes them once the session can (else 'later'). */
  readonly signalChats: ReadonlySet<string>;
  readonly channelPostTaker: () => ChannelPostTaker | undefined;
  readonly logger: Logger;
}

/** Journals a signal source's channel post (the signal intake); true when taken. */
export type ChannelPostTaker = (post: TelegramMessage) => boolean;

/** Stops what was started. */
export interface ReportsAndCommands {
  stop(): Promise<void>;
}

/** Starts the schedules and the command poller the config asks for; returns a handle even when neither runs. */
export const startReportsAndCommands = (opts: ReportsAndCommandsOptions): ReportsAndCommands => {
  const { config, logger } = opts;
  const home = opts.journals[0];
  if (home === undefined) return { stop: () => Promise.resolve() };
  const enabled = new Set(opts.channels);
  const entries = schedulesOf(config).flatMap((e) => {
    const channels = e.channels.filter((c) => enabled.has(c));
    if (channels.length === 0) {
      logger.info({ event: 'schedule_skipped', schedule: e.id, channels: e.channels, reason: 'none of its channels is enabled' }, 'schedule_skipped');
      return [];
    }
    return [{ ...e, channels }];
  });
  const schedules =
    entries.length === 0
      ? undefined
      : startSchedules({
          config: { ...config, schedules: { ...config.schedules, entries } },
          source: opts.source, journal: home, journals: opts.journals, scheduler: opts.scheduler, clock: opts.clock, send: opts.send, logger,
        });
  const allow = commandAllowlist(config.notifications.telegram.allowedChatIds);
  // `/daily` counts days in the zone of the daily report when there is one.
  const timeZone = entries.find((e) => e.report === 'daily')?.timezone ?? 'UTC';
  const onChannelPost = (post: TelegramMessage): boolean | 'later' => {
    if (!opts.signalChats.has(String(post.chat.id))) return false;
    const taker = opts.channelPostTaker();
    return taker === undefined ? 'later' : taker(post);
  };
  const poller =
    opts.telegram === undefined || (allow.length === 0 && opts.signalChats.size === 0)
      ? undefined
      : startCommandPoller({ client: opts.telegram, source: opts.source, allow, journal: home, journals: opts.journals, scheduler: opts.wallScheduler, logger, timeZone, onChannelPost });
  if (opts.telegram !== undefined && allow.length === 0 && opts.signalChats.size === 0) logger.info({ event: 'telegram_commands_off', reason: 'notifications.telegram.allowedChatIds is empty' }, 'telegram_commands_off');
  return {
    stop: async () => {
      await poller?.stop();
      await schedules?.stop();
    },
  };
};
