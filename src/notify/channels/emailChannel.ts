/**
 * The e-mail channel over SMTP (nodemailer): one mail per message, subject = the message's first line, the text as
 * the body, a report's chart as a PNG attachment, and a Message-ID derived from the dedupe key (a relay or mailbox
 * can spot a repeat). SMTP 5xx and a refused login are refusals; 4xx, timeouts and connection failures are retried.
 * The password comes from TW_SMTP_PASSWORD through the secrets gateway and is never logged.
 */
import { createHash } from 'node:crypto';
import { Redacted } from 'effect';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { REDACTED } from '../../kernel/redaction.ts';
import { NotifyError, type NotificationChannel, type NotificationMessage } from '../types.ts';

/** SMTP settings (the `notifications.email` section plus the password). */
export interface EmailChannelOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: 'implicit' | 'require' | 'opportunistic';
  readonly user: string;
  readonly password?: Redacted.Redacted<string> | undefined;
  readonly from: string;
  readonly to: ReadonlyArray<string>;
  /** Connection, greeting and socket timeout (ms). */
  readonly timeoutMs: number;
}

const subjectOf = (text: string): string => {
  const first = text.split('\n', 1)[0]?.trim() ?? '';
  return first.length > 160 ? `${first.slice(0, 159)}…` : first || 'tradewarden';
};

/** Returns the e-mail channel. */
export const emailChannel = (options: EmailChannelOptions): NotificationChannel => {
  const password = options.password === undefined ? undefined : Redacted.value(options.password);
  const scrub = (text: string): string => (password === undefined || password === '' ? text : text.split(password).join(REDACTED));
  const transportOptions: SMTPTransport.Options = {
    host: options.host,
    port: options.port,
    secure: options.tls === 'implicit',
    requireTLS: options.tls === 'require',
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    ...(options.user === '' ? {} : { auth: { user: options.user, pass: password ?? '' } }),
  };
  const transport = nodemailer.createTransport(transportOptions);
  const fail = (reason: NotifyError['reason']): NotifyError => new NotifyError({ channel: 'email', reason });
  return {
    name: 'email',
    deliver: async (message: NotificationMessage, signal: AbortSignal) => {
      if (signal.aborted) throw fail({ _tag: 'Retryable', message: 'aborted before sending' });
      const id = createHash('sha256').update(message.key).digest('hex').slice(0, 32);
      try {
        await transport.sendMail({
          from: options.from,
          to: [...options.to],
          subject: subjectOf(message.text),
          text: message.text,
          messageId: `<${id}@tradewarden.notify>`,
          headers: { 'X-Tradewarden-Key': message.key, 'X-Tradewarden-Template': message.template },
          ...(message.image === undefined ? {} : { attachments: [{ filename: 'chart.png', content: message.image, contentType: 'image/png' }] }),
        });
      } catch (e) {
        const err = e as { code?: unknown; responseCode?: unknown; message?: unknown };
        const text = scrub(typeof err.message === 'string' ? err.message : String(e));
        const code = typeof err.responseCode === 'number' ? err.responseCode : undefined;
        // EAUTH: the login was refused; 5xx: the server refuses the mail for good (RFC 5321 §4.2.1).
        if (err.code === 'EAUTH' || (code !== undefined && code >= 500)) throw fail({ _tag: 'Refused', message: text });
        throw fail({ _tag: 'Retryable', message: text });
      }
    },
    close: () => {
      transport.close();
      return Promise.resolve();
    },
  };
};
