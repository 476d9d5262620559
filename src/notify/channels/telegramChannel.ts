/**
 * The Telegram channel: each message to every configured chat through the Bot API client, `sendPhoto` when it carries
 * an image. A 429 becomes a retry after its `retry_after`; 400/401/403 are refusals (retrying cannot help). A chat
 * that already took a message is not sent it again when a later chat fails and the outbox retries.
 */
import { TelegramError, isRetryableTelegramError, type BotApiClient, type ChatId } from '../telegram/BotApiClient.ts';
import { NotifyError, type NotificationChannel, type NotificationMessage } from '../types.ts';

/** Telegram's limits: 4096 characters of text, 1024 of caption. */
const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;

const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const notifyErrorOf = (e: unknown): NotifyError => {
  if (!(e instanceof TelegramError)) return new NotifyError({ channel: 'telegram', reason: { _tag: 'Retryable', message: e instanceof Error ? e.message : String(e) } });
  if (e.reason._tag === 'RateLimited') return new NotifyError({ channel: 'telegram', reason: { _tag: 'Retryable', message: e.message, retryAfterMs: e.reason.retryAfterSeconds * 1000 } });
  return new NotifyError({ channel: 'telegram', reason: isRetryableTelegramError(e) ? { _tag: 'Retryable', message: e.message } : { _tag: 'Refused', message: e.message } });
};

/** Returns the Telegram channel over `client` to `chatIds`. */
export const telegramChannel = (client: BotApiClient, chatIds: ReadonlyArray<ChatId>): NotificationChannel => {
  // Chats that took a message whose delivery to another chat is still being retried (by dedupe key).
  const delivered = new Map<string, Set<string>>();
  return {
    name: 'telegram',
    deliver: async (message: NotificationMessage, signal: AbortSignal) => {
      const done = delivered.get(message.key) ?? new Set<string>();
      delivered.set(message.key, done);
      try {
        for (const chatId of chatIds) {
          if (done.has(String(chatId))) continue;
          if (message.image !== undefined) {
            await client.sendPhoto({ chatId, png: message.image, caption: clip(message.text, CAPTION_MAX), signal });
            if (message.text.length > CAPTION_MAX) await client.sendMessage({ chatId, text: clip(message.text, TEXT_MAX), signal });
          } else {
            await client.sendMessage({ chatId, text: clip(message.text, TEXT_MAX), signal });
          }
          done.add(String(chatId));
        }
        delivered.delete(message.key);
      } catch (e) {
        const error = notifyErrorOf(e);
        // A refusal ends the message's deliveries: forget which chats took it.
        if (error.reason._tag === 'Refused') delivered.delete(message.key);
        throw error;
      }
    },
    close: () => client.close(),
  };
};
