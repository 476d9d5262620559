/**
 * The notification channels against real loopback servers (X-NTF-1): the JSON webhook against a node:http server
 * (body, bearer token, Idempotency-Key, 5xx/429 retryable with Retry-After, other 4xx refused, a dead port
 * retryable), e-mail against an smtp-server (login with TW_SMTP_PASSWORD, subject, body, Message-ID from the key,
 * 5xx refused, a wrong password refused) and the Telegram channel against the loopback Bot API (429 → retry_after).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redacted } from 'effect';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailChannel } from '../../src/notify/channels/emailChannel.ts';
import { telegramChannel } from '../../src/notify/channels/telegramChannel.ts';
import { webhookChannel } from '../../src/notify/channels/webhookChannel.ts';
import { makeBotApiClient } from '../../src/notify/telegram/BotApiClient.ts';
import { NotifyError, type NotificationChannel, type NotificationMessage } from '../../src/notify/types.ts';
import { startBotApiServer } from '../support/botApiServer.ts';

const message: NotificationMessage = { key: 'main:ORDER_PLACED:tw-breakout-1', template: 'ORDER_PLACED', text: '🟢 ORDER PLACED #BTCUSDT\nSide: LONG', critical: false, fields: { symbol: 'BTCUSDT' } };
const signal = (): AbortSignal => new AbortController().signal;

const failureOf = async (channel: NotificationChannel): Promise<NotifyError> => {
  try {
    await channel.deliver(message, signal());
  } catch (e) {
    expect(e).toBeInstanceOf(NotifyError);
    return e as NotifyError;
  }
  throw new Error('expected a NotifyError');
};

describe('webhook channel (X-NTF-1)', () => {
  let server: Server;
  let url = '';
  const received: Array<{ headers: IncomingMessage['headers']; body: unknown }> = [];
  let answer: { status: number; headers?: Record<string, string> } = { status: 204 };
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) as unknown });
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/hook`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('X-NTF-1 posts the message as JSON with the bearer token and the dedupe key as Idempotency-Key', async () => {
    const channel = webhookChannel({ url, token: Redacted.make('webhook-secret-123') });
    answer = { status: 204 };
    await channel.deliver(message, signal());
    await channel.close?.();
    expect(received.at(-1)!.body).toEqual({ key: message.key, template: 'ORDER_PLACED', critical: false, text: message.text, fields: { symbol: 'BTCUSDT' } });
    expect(received.at(-1)!.headers).toMatchObject({ authorization: 'Bearer webhook-secret-123', 'idempotency-key': message.key, 'content-type': 'application/json' });
  });

  it('X-NTF-1 a 503 and a 429 are retryable (with Retry-After), a 400 is refused, a dead port is retryable', async () => {
    const channel = webhookChannel({ url });
    answer = { status: 503 };
    expect((await failureOf(channel)).reason._tag).toBe('Retryable');
    answer = { status: 429, headers: { 'retry-after': '3' } };
    expect((await failureOf(channel)).reason).toMatchObject({ _tag: 'Retryable', retryAfterMs: 3000 });
    answer = { status: 400 };
    expect((await failureOf(channel)).reason).toEqual({ _tag: 'Refused', message: 'HTTP 400' });
    expect(received.at(-1)!.headers.authorization).toBeUndefined();
    await channel.close?.();
    const dead = webhookChannel({ url: 'http://127.0.0.1:1/hook' });
    expect((await failureOf(dead)).reason._tag).toBe('Retryable');
    await dead.close?.();
  });
});

describe('e-mail channel over SMTP (X-NTF-1, S2-15)', () => {
  let smtp: SMTPServer;
  let port = 0;
  const mails: Array<{ from: string; to: string[]; data: string; user: string | undefined }> = [];
  let refuseData = false;
  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'], allowInsecureAuth: true, authMethods: ['PLAIN', 'LOGIN'], logger: false,
      onAuth: (auth, _session, cb) => (auth.username === 'bot' && auth.password === 'smtp-pass-xyz' ? cb(null, { user: 'bot' }) : cb(new Error('Invalid username or password'))),
      onData: (stream, session, cb) => {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          if (refuseData) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          mails.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), data, user: session.user as string | undefined });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => smtp.close(() => r())));
  const options = { host: '127.0.0.1', tls: 'opportunistic' as const, user: 'bot', from: 'bot@tradewarden.test', to: ['ops@example.test'], timeoutMs: 5000 };

  it('X-NTF-1 logs in with the password from the secrets gateway and sends subject, body and a Message-ID from the key', async () => {
    const channel = emailChannel({ ...options, port, password: Redacted.make('smtp-pass-xyz') });
    await channel.deliver(message, signal());
    await channel.close?.();
    const mail = mails.at(-1)!;
    expect(mail).toMatchObject({ from: 'bot@tradewarden.test', to: ['ops@example.test'], user: 'bot' });
    expect(mail.data).toMatch(/^Subject: =\?UTF-8\?/m);
    expect(mail.data).toMatch(/^Message-ID: <[0-9a-f]{32}@tradewarden\.notify>/m);
    expect(mail.data).toContain(`X-Tradewarden-Key: ${message.key}`);
    expect(mail.data).toContain('Side: LONG');
  });

  it('X-NTF-1 a 550 and a wrong password are refused (no retry can help); the password never shows in the error', async () => {
    refuseData = true;
    const channel = emailChannel({ ...options, port, password: Redacted.make('smtp-pass-xyz') });
    expect((await failureOf(channel)).reason._tag).toBe('Refused');
    refuseData = false;
    const wrong = emailChannel({ ...options, port, password: Redacted.make('not-the-password-777') });
    const e = await failureOf(wrong);
    expect(e.reason._tag).toBe('Refused');
    expect(e.message).not.toContain('not-the-password-777');
    const dead = emailChannel({ ...options, port: 1, password: Redacted.make('smtp-pass-xyz') });
    expect((await failureOf(dead)).reason._tag).toBe('Retryable');
  });
});

describe('Telegram channel (X-NTF-1)', () => {
  it('X-NTF-1 sends to every chat, turns a 429 into a retry after retry_after, and does not resend to a chat that took it', async () => {
    const server = await startBotApiServer();
    const client = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(server.token) });
    const channel = telegramChannel(client, ['111', '-100222']);
    await channel.deliver(message, signal());
    expect(server.messages.map((m) => m.chatId)).toEqual(['111', '-100222']);
    // The first chat takes the next message, the second is rate limited: the retry goes to the second chat only.
    server.failNext('sendMessage', { kind: 'rateLimit', retryAfter: 4 }, 1, 1);
    const next = { ...message, key: 'k2', text: 'second' };
    const e = await failureOf({ ...channel, deliver: (_m, s) => channel.deliver(next, s) });
    expect(e.reason).toMatchObject({ _tag: 'Retryable', retryAfterMs: 4000 });
    await channel.deliver(next, signal());
    expect(server.messages.filter((m) => m.text === 'second').map((m) => m.chatId)).toEqual(['111', '-100222']);
    // A refusal (a chat that does not exist) is final.
    const refused = await startBotApiServer({ knownChats: [111] });
    const other = telegramChannel(makeBotApiClient({ apiBaseUrl: refused.url, token: Redacted.make(refused.token) }), ['999']);
    expect((await failureOf(other)).reason).toMatchObject({ _tag: 'Refused', message: expect.stringContaining('chat not found') as unknown });
    await other.close?.();
    await refused.stop();
    await channel.close?.();
    await server.stop();
  });
});
