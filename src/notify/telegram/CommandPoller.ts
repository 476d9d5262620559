/**
 * The Telegram command poller (issue 15 item 4): long-polls `getUpdates`, serves commands from allowlisted chat ids
 * only (any other chat gets nothing; `telegram_command_refused` is logged with the chat id alone) and replies with the
 * command's text. The next offset is written to the journal's kv before an update is handled, so a restart never
 * handles one twice (an update in hand at a crash is dropped, not repeated). Poll failures back off on the injected
 * (wall) scheduler, a 429 waits its `retry_after`; a malformed update, an unknown command or a failing reply is logged
 * or answered politely, never thrown. The token never appears here: the client holds it.
 */
import type { Journal } from '../../journal/Journal.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import type { OpsSource } from '../../ops/types.ts';
import { TelegramError, type BotApiClient, type TelegramMessage, type TelegramUpdate } from './BotApiClient.ts';
import { parseCommand, runCommand } from './commands.ts';

/** The journal kv key of the next update id to ask for. */
export const COMMAND_OFFSET_KEY = 'telegram.commands.offset';

/** What `startCommandPoller` needs. */
export interface CommandPollerOptions {
  readonly client: BotApiClient;
  readonly source: OpsSource;
  /** The chat ids whose commands are served. */
  readonly allow: ReadonlyArray<number>;
  /** Where the offset is kept (the first account's journal). */
  readonly journal: Journal;
  /** The journals `/profit <days>` and `/daily` count closed trades in (default: `journal`). */
  readonly journals?: ReadonlyArray<Journal> | undefined;
  /** Wall-time timers for the poll backoff. */
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** The zone of `/daily`'s days and of displayed times (default UTC). */
  readonly timeZone?: string | undefined;
  /** The bot's username: `/cmd@other_bot` is then left to that bot. */
  readonly botUsername?: string | undefined;
  /**
   * Takes a channel post from a signal source's chat (issue 16) before it is treated as a command: true when it took
   * it (journaled it), false when it is not a signal source's, 'later' when it is but cannot be taken yet (the session
   * is still starting: the poller waits and asks again from the same offset). Called before the offset moves past the
   * update, so a crash in between hands it over again (the taker dedupes by message id).
   */
  readonly onChannelPost?: ((post: TelegramMessage, updateId: number) => boolean | 'later') | undefined;
  /** The long poll's timeout (default 25 s). */
  readonly pollTimeoutSeconds?: number | undefined;
  /** First backoff after a failed poll (default 1 s; doubling to 60 s). */
  readonly retryBaseMs?: number | undefined;
}

/** The running poller. */
export interface CommandPoller {
  /** Aborts the poll in flight, waits for the command being handled, and stops. */
  stop(): Promise<void>;
}

/** Returns the numeric chat ids of an allowlist as config holds it (`"-100123"`); `@channel` names cannot send commands. */
export const commandAllowlist = (chatIds: ReadonlyArray<string | number>): number[] =>
  chatIds.flatMap((c) => (typeof c === 'number' ? [c] : /^-?\d{1,20}$/.test(c) ? [Number(c)] : []));

const MAX_BACKOFF_MS = 60_000;
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Returns the handler of one update (exported for the tests of odd updates; the poller uses it for every update). */
export const commandHandler = (opts: CommandPollerOptions, signal?: AbortSignal): ((update: TelegramUpdate) => Promise<void>) => {
  const { client, logger } = opts;
  const allow = new Set(opts.allow);
  const journals = opts.journals ?? [opts.journal];
  const timeZone = opts.timeZone ?? 'UTC';
  return async (update) => {
    if (update.malformed !== undefined) return logger.warn({ event: 'telegram_update_malformed', updateId: update.update_id, error: update.malformed }, 'telegram_update_malformed');
    const message = update.message ?? update.channel_post;
    if (message === undefined) return logger.debug({ event: 'telegram_update_ignored', updateId: update.update_id }, 'telegram_update_ignored');
    const chatId = message.chat.id;
    if (!allow.has(chatId)) return logger.warn({ event: 'telegram_command_refused', chatId }, 'telegram_command_refused');
    const parsed = message.text === undefined ? undefined : parseCommand(message.text, opts.botUsername);
    if (parsed === undefined) return logger.debug({ event: 'telegram_update_ignored', updateId: update.update_id, chatId }, 'telegram_update_ignored');
    const name = parsed.ok ? parsed.command.kind : parsed.name;
    let reply: string;
    try {
      reply = parsed.ok ? await runCommand(parsed.command, { source: opts.source, who: `telegram:${String(chatId)}`, journals, timeZone }) : parsed.reply;
    } catch (e) {
      logger.error({ event: 'telegram_command_failed', chatId, command: name, error: errorText(e) }, 'telegram_command_failed');
      reply = `Sorry, /${name} failed: ${errorText(e)}`;
    }
    logger.info({ event: 'telegram_command', chatId, command: name, understood: parsed.ok }, 'telegram_command');
    try {
      await client.sendMessage({ chatId, text: reply, signal });
    } catch (e) {
      logger.warn({ event: 'telegram_reply_failed', chatId, command: name, error: errorText(e) }, 'telegram_reply_failed');
    }
  };
};

/** Starts polling; commands run one at a time, in update order. */
export const startCommandPoller = (opts: CommandPollerOptions): CommandPoller => {
  const { client, journal, scheduler, logger } = opts;
  const abort = new AbortController();
  const handle = commandHandler(opts, abort.signal);
  const timeoutSeconds = opts.pollTimeoutSeconds ?? 25;
  const retryBaseMs = opts.retryBaseMs ?? 1_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  let cancelWait = (): void => undefined;

  const stored = journal.kvGet(COMMAND_OFFSET_KEY);
  let offset = typeof stored === 'number' && Number.isSafeInteger(stored) ? stored : undefined;

  /** Waits on the scheduler; `stop` ends the wait early. */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      cancelWait = scheduler.schedule(scheduler.clock.now() + ms, resolve);
    });

  /** Moves the persisted offset past an update; false (and the poller stops) when the journal refuses it. */
  const advance = (updateId: number): boolean => {
    try {
      journal.kvSet(COMMAND_OFFSET_KEY, updateId + 1);
    } catch (e) {
      logger.error({ event: 'telegram_offset_unwritable', updateId, error: errorText(e) }, 'telegram_offset_unwritable');
      stopped = true;
      return false;
    }
    offset = updateId + 1;
    return true;
  };

  /** Hands a channel post to its taker; 'failed' (and the poller stops) when the taker threw. */
  const takePost = (post: TelegramMessage, updateId: number): boolean | 'later' | 'failed' => {
    try {
      return opts.onChannelPost?.(post, updateId) ?? false;
    } catch (e) {
      logger.error({ event: 'telegram_channel_post_failed', updateId, error: errorText(e) }, 'telegram_channel_post_failed');
      stopped = true;
      return 'failed';
    }
  };

  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!stopped) {
      let updates: ReadonlyArray<TelegramUpdate>;
      try {
        updates = await client.getUpdates({ offset, timeoutSeconds, signal: abort.signal });
        failures = 0;
      } catch (e) {
        if (stopped) break;
        failures += 1;
        const waitMs = e instanceof TelegramError && e.reason._tag === 'RateLimited' ? e.reason.retryAfterSeconds * 1000 : Math.min(MAX_BACKOFF_MS, retryBaseMs * 2 ** Math.min(failures - 1, 16));
        logger.warn({ event: 'telegram_poll_failed', error: errorText(e), failures, retryInMs: waitMs }, 'telegram_poll_failed');
        await pause(waitMs);
        continue;
      }
      for (const update of [...updates].sort((a, b) => a.update_id - b.update_id)) {
        if (stopped) break;
        if (offset !== undefined && update.update_id < offset) continue;
        // A signal source's post is journaled by its taker first, then confirmed: a crash in between hands it over again.
        if (update.channel_post !== undefined && opts.onChannelPost !== undefined) {
          // Not takeable yet (the session is still starting): the same post is offered again after a pause, without
          // asking Telegram for the batch again.
          let taken = takePost(update.channel_post, update.update_id);
          while (taken === 'later' && !stopped) {
            await pause(retryBaseMs);
            taken = stopped ? 'later' : takePost(update.channel_post, update.update_id);
          }
          if (taken === 'later' || taken === 'failed' || (taken && !advance(update.update_id))) break;
          if (taken) continue;
        }
        // Written before the command runs: a restart asks from here on and never handles this update again.
        if (!advance(update.update_id)) break;
        await handle(update);
      }
    }
  };
  const done = loop().catch((e: unknown) => logger.error({ event: 'telegram_poller_failed', error: errorText(e) }, 'telegram_poller_failed'));
  logger.info({ event: 'telegram_commands_started', chats: opts.allow.length, offset: offset ?? null }, 'telegram_commands_started');

  return {
    stop: async () => {
      stopped = true;
      abort.abort();
      cancelWait();
      wake?.();
      await done;
    },
  };
};
