/**
 * The Telegram Bot API client over undici (https://core.telegram.org/bots/api): `sendMessage`, `sendPhoto`
 * (multipart/form-data) and `getUpdates` (long poll). Every answer's JSON envelope `{ ok, result | error_code,
 * description, parameters }` is schema-checked; every failure is a typed `TelegramError`. The token sits in the URL
 * path, so it is scrubbed from every error text; it is never logged. It never retries: the outbox decides that.
 */
import { Data, Either, ParseResult, Redacted, Schema } from 'effect';
import { Agent, FormData, fetch, type Dispatcher } from 'undici';
import { parseBoundedJson } from '../../kernel/boundedJson.ts';
import { REDACTED } from '../../kernel/redaction.ts';
import type { Secrets } from '../../config/secrets.ts';

/** Telegram's default API host; `notifications.telegram.apiBaseUrl` replaces it (tests point it at a loopback server). */
export const DEFAULT_TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

/** The secret variable holding the bot token. */
export const TELEGRAM_TOKEN_VARIABLE = 'TW_TELEGRAM_BOT_TOKEN';

/** Why a Bot API call failed. */
export type TelegramFailure =
  | { readonly _tag: 'RateLimited'; readonly retryAfterSeconds: number }
  | { readonly _tag: 'Unauthorized' }
  | { readonly _tag: 'BadRequest'; readonly description: string }
  /** Any other refusal of the API (403 blocked by the user, 404, 409 webhook active …). */
  | { readonly _tag: 'Refused'; readonly errorCode: number; readonly description: string }
  /** 5xx from the API or a proxy in front of it. */
  | { readonly _tag: 'ServerError'; readonly status: number; readonly description: string }
  /** No answer: connection refused or reset, DNS, timeout, aborted. */
  | { readonly _tag: 'Transport'; readonly message: string; readonly timedOut: boolean }
  /** An answer that is not a Bot API envelope (HTML from a proxy, truncated JSON, wrong shape). */
  | { readonly _tag: 'BadResponse'; readonly status: number; readonly message: string };

/** The one error of this module. */
export class TelegramError extends Data.TaggedError('TelegramError')<{ readonly method: string; readonly reason: TelegramFailure }> {
  override get message(): string {
    const r = this.reason;
    switch (r._tag) {
      case 'RateLimited':
        return `telegram ${this.method}: rate limited, retry after ${String(r.retryAfterSeconds)} s`;
      case 'Unauthorized':
        return `telegram ${this.method}: unauthorized (bot token rejected)`;
      case 'BadRequest':
        return `telegram ${this.method}: bad request: ${r.description}`;
      case 'Refused':
        return `telegram ${this.method}: refused ${String(r.errorCode)}: ${r.description}`;
      case 'ServerError':
        return `telegram ${this.method}: server error ${String(r.status)}: ${r.description}`;
      case 'Transport':
        return `telegram ${this.method}: transport${r.timedOut ? ' timeout' : ''}: ${r.message}`;
      case 'BadResponse':
        return `telegram ${this.method}: bad response (HTTP ${String(r.status)}): ${r.message}`;
    }
  }
}

/** Returns whether sending the same request again may succeed (rate limit, 5xx, transport, garbled answer). */
export const isRetryableTelegramError = (e: TelegramError): boolean =>
  e.reason._tag === 'RateLimited' || e.reason._tag === 'ServerError' || e.reason._tag === 'Transport' || e.reason._tag === 'BadResponse';

/** A chat: a numeric id (negative for groups and channels) or `@channelusername`. */
export type ChatId = number | string;

const TelegramChat = Schema.Struct({ id: Schema.Number, type: Schema.String, title: Schema.optional(Schema.String), username: Schema.optional(Schema.String) });
const TelegramUser = Schema.Struct({ id: Schema.Number, is_bot: Schema.Boolean, first_name: Schema.String, username: Schema.optional(Schema.String) });

/** The part of a Bot API `Message` tradewarden reads. */
export const TelegramMessage = Schema.Struct({
  message_id: Schema.Number,
  date: Schema.Number,
  chat: TelegramChat,
  from: Schema.optional(TelegramUser),
  text: Schema.optional(Schema.String),
  caption: Schema.optional(Schema.String),
});
export type TelegramMessage = typeof TelegramMessage.Type;

/** The part of a Bot API `Update` tradewarden reads (messages and channel posts; other kinds are ignored). */
export const TelegramUpdate = Schema.Struct({
  update_id: Schema.Number,
  message: Schema.optional(TelegramMessage),
  channel_post: Schema.optional(TelegramMessage),
});
/**
 * An update as `getUpdates` returns it: decoded one by one, so an update of an unexpected shape does not hide the
 * others of its batch. One whose `update_id` is readable but whose body is not comes back with `malformed` (the
 * decode error, no message) so the caller can confirm it and move on; one without a readable `update_id` is dropped.
 */
export type TelegramUpdate = typeof TelegramUpdate.Type & { readonly malformed?: string | undefined };
const UpdateId = Schema.Struct({ update_id: Schema.Number });
const decodeUpdate = Schema.decodeUnknownEither(TelegramUpdate, { errors: 'all' });
const decodeUpdateId = Schema.decodeUnknownEither(UpdateId);

/** Decodes a batch update by update (see TelegramUpdate). */
const decodeUpdates = (raw: ReadonlyArray<unknown>): ReadonlyArray<TelegramUpdate> =>
  raw.flatMap((u): TelegramUpdate[] => {
    const full = decodeUpdate(u);
    if (Either.isRight(full)) return [full.right];
    const id = decodeUpdateId(u);
    return Either.isRight(id) ? [{ update_id: id.right.update_id, malformed: snippet(ParseResult.TreeFormatter.formatErrorSync(full.left)) }] : [];
  });

/** The Bot API's answer envelope. */
const TelegramEnvelope = Schema.Struct({
  ok: Schema.Boolean,
  result: Schema.optional(Schema.Unknown),
  error_code: Schema.optional(Schema.Number),
  description: Schema.optional(Schema.String),
  parameters: Schema.optional(Schema.Struct({ retry_after: Schema.optional(Schema.Number), migrate_to_chat_id: Schema.optional(Schema.Number) })),
});

/** Text formatting modes of `sendMessage` and captions. */
export type ParseMode = 'HTML' | 'MarkdownV2' | 'Markdown';

/** Client settings. */
export interface BotApiClientOptions {
  readonly apiBaseUrl: string;
  readonly token: Redacted.Redacted<string>;
  /** Whole-request timeout of sendMessage/sendPhoto (default 10 s); getUpdates adds its long-poll timeout to it. */
  readonly timeoutMs?: number | undefined;
  readonly dispatcher?: Dispatcher | undefined;
}

/** The Bot API methods tradewarden uses. Each rejects with a `TelegramError` only. */
export interface BotApiClient {
  sendMessage(p: { readonly chatId: ChatId; readonly text: string; readonly parseMode?: ParseMode | undefined; readonly signal?: AbortSignal | undefined }): Promise<TelegramMessage>;
  sendPhoto(p: { readonly chatId: ChatId; readonly png: Buffer; readonly caption?: string | undefined; readonly parseMode?: ParseMode | undefined; readonly signal?: AbortSignal | undefined }): Promise<TelegramMessage>;
  /** The bot's own user (`getMe`): the cheapest authenticated call, used as the Telegram health probe. */
  getMe(p?: { readonly signal?: AbortSignal | undefined }): Promise<{ readonly id: number; readonly username?: string | undefined }>;
  /** Long-polls for updates with `update_id >= offset` (confirming the older ones), waiting up to `timeoutSeconds`. */
  getUpdates(p: { readonly offset?: number | undefined; readonly timeoutSeconds: number; readonly signal?: AbortSignal | undefined }): Promise<ReadonlyArray<TelegramUpdate>>;
  /** Closes the client's own connection pool (not an injected dispatcher). */
  close(): Promise<void>;
}

/** Returns the bot token from the secrets gateway, or undefined when TW_TELEGRAM_BOT_TOKEN is not set. */
export const telegramTokenOf = (secrets: Secrets): Redacted.Redacted<string> | undefined => secrets.get(TELEGRAM_TOKEN_VARIABLE);

const snippet = (text: string): string => (text.length > 160 ? `${text.slice(0, 160)}…` : text);

const failureOf = (status: number, env: typeof TelegramEnvelope.Type, retryAfterHeader: string | null): TelegramFailure => {
  const description = env.description ?? `HTTP ${String(status)}`;
  const code = env.error_code ?? status;
  if (code === 429) {
    const header = retryAfterHeader === null ? Number.NaN : Number(retryAfterHeader);
    const seconds = env.parameters?.retry_after ?? (Number.isFinite(header) ? header : 1);
    return { _tag: 'RateLimited', retryAfterSeconds: Math.max(0, seconds) };
  }
  if (code === 401) return { _tag: 'Unauthorized' };
  if (code === 400) return { _tag: 'BadRequest', description };
  if (code >= 500 || status >= 500) return { _tag: 'ServerError', status: status >= 500 ? status : code, description };
  return { _tag: 'Refused', errorCode: code, description };
};

/** Returns a Bot API client. The URL is `<apiBaseUrl>/bot<token>/<method>` as Telegram documents it. */
export const makeBotApiClient = (options: BotApiClientOptions): BotApiClient => {
  const base = options.apiBaseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const own = options.dispatcher === undefined ? new Agent({ connections: 2, keepAliveTimeout: 10_000 }) : undefined;
  const dispatcher = options.dispatcher ?? own!;
  const token = Redacted.value(options.token);
  // The token is part of every URL: no error text may carry it (undici puts the URL in some of its messages).
  const scrub = (text: string): string => (token === '' ? text : text.split(token).join(REDACTED));

  const call = async <A, I>(method: string, body: FormData | string, schema: Schema.Schema<A, I>, waitMs: number, signal: AbortSignal | undefined): Promise<A> => {
    const fail = (reason: TelegramFailure): TelegramError => new TelegramError({ method, reason });
    const timeout = AbortSignal.timeout(waitMs);
    const combined = signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const res = await fetch(`${base}/bot${token}/${method}`, {
        method: 'POST',
        body,
        headers: typeof body === 'string' ? { 'content-type': 'application/json' } : {},
        dispatcher,
        signal: combined,
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (e) {
      const timedOut = timeout.aborted;
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      throw fail({ _tag: 'Transport', timedOut, message: scrub(timedOut ? `no answer within ${String(waitMs)} ms` : `${e instanceof Error ? e.message : String(e)}${cause}`) });
    }
    const json = parseBoundedJson(text, { maxLength: 1024 * 1024 });
    if (!json.ok) {
      if (status >= 500) throw fail({ _tag: 'ServerError', status, description: scrub(snippet(text)) || `HTTP ${String(status)}` });
      throw fail({ _tag: 'BadResponse', status, message: scrub(`${json.failure.reason}: ${snippet(text)}`) });
    }
    const env = Schema.decodeUnknownEither(TelegramEnvelope)(json.value);
    if (Either.isLeft(env)) throw fail({ _tag: 'BadResponse', status, message: scrub(ParseResult.TreeFormatter.formatErrorSync(env.left)) });
    if (!env.right.ok || status >= 300) throw fail(failureOf(status, env.right, retryAfter));
    const result = Schema.decodeUnknownEither(schema)(env.right.result, { errors: 'all' });
    if (Either.isLeft(result)) throw fail({ _tag: 'BadResponse', status, message: scrub(`result: ${ParseResult.TreeFormatter.formatErrorSync(result.left)}`) });
    return result.right;
  };

  return {
    sendMessage: (p) =>
      call('sendMessage', JSON.stringify({ chat_id: p.chatId, text: p.text, ...(p.parseMode === undefined ? {} : { parse_mode: p.parseMode }) }), TelegramMessage, timeoutMs, p.signal),
    sendPhoto: (p) => {
      const form = new FormData();
      form.append('chat_id', String(p.chatId));
      if (p.caption !== undefined) form.append('caption', p.caption);
      if (p.parseMode !== undefined) form.append('parse_mode', p.parseMode);
      form.append('photo', new Blob([new Uint8Array(p.png)], { type: 'image/png' }), 'chart.png');
      return call('sendPhoto', form, TelegramMessage, timeoutMs, p.signal);
    },
    getMe: (p) => call('getMe', '{}', TelegramUser, timeoutMs, p?.signal),
    getUpdates: (p) =>
      call(
        'getUpdates',
        JSON.stringify({ ...(p.offset === undefined ? {} : { offset: p.offset }), timeout: p.timeoutSeconds, allowed_updates: ['message', 'channel_post'] }),
        Schema.Array(Schema.Unknown),
        timeoutMs + p.timeoutSeconds * 1000,
        p.signal,
      ).then(decodeUpdates),
    close: async () => {
      await own?.close();
    },
  };
};
