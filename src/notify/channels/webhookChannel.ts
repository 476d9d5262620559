/**
 * The generic JSON webhook channel (Slack, SMS or e-mail relays): one POST per message over undici with the message as
 * JSON, an `Idempotency-Key` header carrying the dedupe key so a relay can drop a repeat, and `Authorization: Bearer`
 * when TW_WEBHOOK_TOKEN is set. 2xx is delivered; 408, 429 (honouring Retry-After) and 5xx are retried; other 4xx refused.
 */
import { Redacted } from 'effect';
import { Agent, request } from 'undici';
import { REDACTED } from '../../kernel/redaction.ts';
import { NotifyError, type NotificationChannel, type NotificationMessage } from '../types.ts';

/** The body a webhook receives. */
export interface WebhookBody {
  readonly key: string;
  readonly template: string;
  readonly critical: boolean;
  readonly text: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Webhook settings. */
export interface WebhookChannelOptions {
  readonly url: string;
  readonly token?: Redacted.Redacted<string> | undefined;
}

const retryAfterMs = (header: string | string[] | undefined): number | undefined => {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined) return undefined;
  const seconds = Number(v);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
};

/** Returns the webhook channel. */
export const webhookChannel = (options: WebhookChannelOptions): NotificationChannel => {
  const dispatcher = new Agent({ connections: 2, keepAliveTimeout: 10_000 });
  const token = options.token === undefined ? undefined : Redacted.value(options.token);
  const scrub = (text: string): string => (token === undefined || token === '' ? text : text.split(token).join(REDACTED));
  const fail = (reason: NotifyError['reason']): NotifyError => new NotifyError({ channel: 'webhook', reason });
  return {
    name: 'webhook',
    deliver: async (message: NotificationMessage, signal: AbortSignal) => {
      const body: WebhookBody = { key: message.key, template: message.template, critical: message.critical, text: message.text, fields: message.fields ?? {} };
      let status: number;
      let headers: Record<string, string | string[] | undefined>;
      try {
        const res = await request(options.url, {
          method: 'POST',
          dispatcher,
          signal,
          headers: {
            'content-type': 'application/json',
            'idempotency-key': message.key,
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify(body),
        });
        status = res.statusCode;
        headers = res.headers;
        // The answer's body is not needed; read it so the connection can be reused.
        await res.body.dump();
      } catch (e) {
        throw fail({ _tag: 'Retryable', message: scrub(`transport: ${e instanceof Error ? e.message : String(e)}`) });
      }
      if (status >= 200 && status < 300) return;
      if (status === 408 || status === 429 || status >= 500) throw fail({ _tag: 'Retryable', message: `HTTP ${String(status)}`, retryAfterMs: retryAfterMs(headers['retry-after']) });
      throw fail({ _tag: 'Refused', message: `HTTP ${String(status)}` });
    },
    close: () => dispatcher.close(),
  };
};
