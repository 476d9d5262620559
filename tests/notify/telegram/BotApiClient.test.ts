/**
 * The Bot API client against the loopback Bot API server (X-NTF-1): the real undici client over real HTTP, the wire
 * format of sendMessage, sendPhoto (multipart) and getUpdates, and every typed failure — 429 with retry_after, 401,
 * 400, 5xx, a hang, a garbled answer, a refused connection — with the token never in an error text.
 */
import { Redacted } from 'effect';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramError, isRetryableTelegramError, makeBotApiClient, type BotApiClient } from '../../../src/notify/telegram/BotApiClient.ts';
import { startBotApiServer, type BotApiServer } from '../../support/botApiServer.ts';

// A minimal valid PNG header plus bytes: enough for the server to see a PNG.
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);

let server: BotApiServer;
let client: BotApiClient;

beforeEach(async () => {
  server = await startBotApiServer();
  client = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(server.token), timeoutMs: 2_000 });
});
afterEach(async () => {
  await client.close();
  await server.stop();
});

const failureOf = async (p: Promise<unknown>): Promise<TelegramError> => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TelegramError);
    return e as TelegramError;
  }
  throw new Error('expected a TelegramError');
};

describe('BotApiClient (X-NTF-1)', () => {
  it('X-NTF-1 sendMessage posts chat_id, text and parse_mode and returns the sent message', async () => {
    const sent = await client.sendMessage({ chatId: -1001234, text: '🟢 ORDER PLACED #BTCUSDT', parseMode: 'HTML' });
    expect(sent.message_id).toBe(1);
    expect(sent.chat.id).toBe(-1001234);
    expect(sent.text).toBe('🟢 ORDER PLACED #BTCUSDT');
    expect(server.messages).toMatchObject([{ method: 'sendMessage', chatId: '-1001234', text: '🟢 ORDER PLACED #BTCUSDT', parseMode: 'HTML' }]);
  });

  it('X-NTF-1 sendPhoto uploads the PNG as multipart/form-data with its caption', async () => {
    const sent = await client.sendPhoto({ chatId: 42, png: PNG, caption: 'Equity 2026-03-01' });
    expect(sent.caption).toBe('Equity 2026-03-01');
    expect(server.messages[0]).toMatchObject({ method: 'sendPhoto', chatId: '42', text: 'Equity 2026-03-01', photo: { filename: 'chart.png', contentType: 'image/png', bytes: PNG.length, isPng: true } });
  });

  it('X-NTF-1 getUpdates long-polls, returns pushed updates and forgets those below the offset', async () => {
    const pending = client.getUpdates({ timeoutSeconds: 5 });
    await server.waitForOpenPoll();
    const id = server.pushUpdate({ message: { chat: { id: 555 }, text: '/status', from: { id: 555, username: 'op' } } });
    const first = await pending;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ update_id: id, message: { chat: { id: 555 }, text: '/status', from: { id: 555, username: 'op' } } });
    expect(server.openPolls()).toBe(0);
    expect(await client.getUpdates({ offset: id + 1, timeoutSeconds: 0 })).toEqual([]);
  });

  it('X-NTF-1 a 429 is RateLimited with retry_after from the body parameters', async () => {
    server.failNext('sendMessage', { kind: 'rateLimit', retryAfter: 7 });
    const e = await failureOf(client.sendMessage({ chatId: 1, text: 'x' }));
    expect(e.reason).toEqual({ _tag: 'RateLimited', retryAfterSeconds: 7 });
    expect(isRetryableTelegramError(e)).toBe(true);
    await client.sendMessage({ chatId: 1, text: 'after' });
    expect(server.messages.map((m) => m.text)).toEqual(['after']);
  });

  it('X-NTF-1 a wrong token is Unauthorized, not retryable, and no error text carries the token', async () => {
    const secret = '999999:WRONG-token-value-BBBBBBBBBBBBBBBBBBBBBB';
    const wrong = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(secret) });
    const e = await failureOf(wrong.sendMessage({ chatId: 1, text: 'x' }));
    await wrong.close();
    expect(e.reason._tag).toBe('Unauthorized');
    expect(isRetryableTelegramError(e)).toBe(false);
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(secret);
  });

  it('X-NTF-1 a 400 is BadRequest with the description; a 500 is a retryable ServerError', async () => {
    const bad = await failureOf(client.sendMessage({ chatId: 1, text: '' }));
    expect(bad.reason).toEqual({ _tag: 'BadRequest', description: 'Bad Request: message text is empty' });
    server.failNext('*', { kind: 'status', status: 500 });
    const down = await failureOf(client.sendMessage({ chatId: 1, text: 'x' }));
    expect(down.reason).toMatchObject({ _tag: 'ServerError', status: 500 });
    expect(isRetryableTelegramError(down)).toBe(true);
  });

  it('X-NTF-1 a hanging server is a Transport timeout within the client timeout', async () => {
    server.setFault('sendMessage', { kind: 'hang' });
    const quick = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(server.token), timeoutMs: 300 });
    const e = await failureOf(quick.sendMessage({ chatId: 1, text: 'x' }));
    expect(e.reason).toMatchObject({ _tag: 'Transport', timedOut: true });
    server.release();
    await quick.close();
  });

  it('X-NTF-1 a non-JSON answer is BadResponse; a refused connection is Transport without the token', async () => {
    server.failNext('sendMessage', { kind: 'garbage' });
    const e = await failureOf(client.sendMessage({ chatId: 1, text: 'x' }));
    expect(e.reason._tag).toBe('BadResponse');
    const url = server.url;
    await server.stop();
    server = await startBotApiServer();
    const gone = makeBotApiClient({ apiBaseUrl: url, token: Redacted.make('123456:SECRET-token-CCCCCCCCCCCCCCCCCCCCCCCCCC') });
    const t = await failureOf(gone.sendMessage({ chatId: 1, text: 'x' }));
    await gone.close();
    expect(t.reason).toMatchObject({ _tag: 'Transport', timedOut: false });
    expect(t.message).not.toContain('SECRET-token');
  });
});
