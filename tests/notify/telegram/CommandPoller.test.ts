/**
 * The command poller against the loopback Bot API server (issue 15 item 4, S1-19): the real client over real HTTP, a
 * read-only status source. Updates without a message or text are ignored, a channel post from an allowlisted
 * channel is served, a stranger is logged with the chat id only and gets nothing, an unknown command gets a polite
 * answer, and a failing poll (500, 429 with retry_after) is logged and retried without losing the next command.
 * Synchronised on the server's recorded messages and requests, never on sleeps.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redacted } from 'effect';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournal, type Journal } from '../../../src/journal/Journal.ts';
import { wallClock } from '../../../src/kernel/Clock.ts';
import { createLogger, type Logger } from '../../../src/kernel/logger.ts';
import { wallScheduler } from '../../../src/kernel/Scheduler.ts';
import { makeBotApiClient, type BotApiClient } from '../../../src/notify/telegram/BotApiClient.ts';
import { COMMAND_OFFSET_KEY, commandAllowlist, commandHandler, startCommandPoller, type CommandPollerOptions } from '../../../src/notify/telegram/CommandPoller.ts';
import { startBotApiServer, type BotApiServer } from '../../support/botApiServer.ts';
import { opsSourceOf, sampleStatus } from '../../support/statusViews.ts';

const OPERATOR = 5_550_001;
const CHANNEL = -1_009_990_001;
const STRANGER = 6_660_002;

let server: BotApiServer;
let client: BotApiClient;
let journal: Journal;
let logs: string[];
let logger: Logger;

beforeEach(async () => {
  server = await startBotApiServer();
  client = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(server.token), timeoutMs: 5_000 });
  journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-poller-')), 'main.sqlite'), clock: wallClock, durability: 'scratch' });
  logs = [];
  logger = createLogger({ level: 'debug', clock: wallClock, targets: { memory: logs } });
});
afterEach(async () => {
  await client.close();
  await server.stop();
  journal.close();
});

const options = (): CommandPollerOptions => ({
  client, source: opsSourceOf(() => sampleStatus()), allow: [OPERATOR, CHANNEL], journal, scheduler: wallScheduler(), logger, pollTimeoutSeconds: 5, retryBaseMs: 20,
});
const logged = (event: string): Array<Record<string, unknown>> => logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['event'] === event);
const message = (chatId: number, text: string | undefined) => ({ message_id: 1, date: 0, chat: { id: chatId, type: chatId < 0 ? 'channel' : 'private' }, ...(text === undefined ? {} : { text }) });

describe('command poller', () => {
  it('S1-19 ignores updates without a message or text, serves an allowlisted channel post, logs a stranger by chat id only', async () => {
    const handle = commandHandler(options());
    await handle({ update_id: 1 });
    await handle({ update_id: 2, message: message(OPERATOR, undefined) });
    await handle({ update_id: 3, message: message(OPERATOR, 'just chatting') });
    await handle({ update_id: 4, message: message(STRANGER, '/stop secret plans') });
    await handle({ update_id: 5, channel_post: message(CHANNEL, '/positions') });
    expect(server.messages.map((m) => [m.chatId, m.text])).toEqual([[String(CHANNEL), 'Open positions:\n#BTCUSDT long 0.012 @ 64000.5, mark 64100, uPnL +1.194, SL 63000, TP 65000']]);
    const refused = logged('telegram_command_refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ chatId: STRANGER });
    expect(logs.some((l) => l.includes('secret plans'))).toBe(false);
    expect(logged('telegram_update_ignored').map((r) => r['updateId'])).toEqual([1, 2, 3]);
    expect(commandAllowlist(['-1001234', '42', '@public_channel', 7])).toEqual([-1001234, 42, 7]);
  });

  it('S1-19 answers an unknown command politely and keeps polling through a 500 and a 429 with retry_after', async () => {
    const poller = startCommandPoller(options());
    try {
      server.pushUpdate({ message: { chat: { id: OPERATOR }, text: '/frobnicate' } });
      await server.waitFor((ms) => ms.length === 1);
      expect(server.messages[0]!.text).toBe('Unknown command /frobnicate. Send /help for the list.');
      // The next two polls fail; the third carries the offset past the first update and brings /help.
      server.failNext('getUpdates', { kind: 'status', status: 500 });
      server.failNext('getUpdates', { kind: 'rateLimit', retryAfter: 1 });
      const id = server.pushUpdate({ message: { chat: { id: OPERATOR }, text: '/help' } });
      await server.waitFor((ms) => ms.length === 2);
      expect(server.messages[1]!.text).toMatch(/^Commands:\n\/status: /);
      expect(logged('telegram_poll_failed').map((r) => r['retryInMs'])).toEqual([20, 1000]);
      expect(server.requests.filter((r) => r.method === 'getUpdates').map((r) => r.status)).toEqual(expect.arrayContaining([500, 429]));
      expect(journal.kvGet(COMMAND_OFFSET_KEY)).toBe(id + 1);
      expect(logged('telegram_command').map((r) => [r['command'], r['understood']])).toEqual([['frobnicate', false], ['help', true]]);
    } finally {
      await poller.stop();
    }
  });

  it('S0-3 a signal channel post that cannot be taken yet is offered again after a pause, without polling Telegram again, and taken once', async () => {
    const id = server.pushRawUpdate({ channel_post: message(CHANNEL, 'BTCUSDT LONG SWING') });
    const offers: number[] = [];
    let pollsWhenTaken = -1;
    const polls = (): number => server.requests.filter((r) => r.method === 'getUpdates').length;
    const poller = startCommandPoller({
      ...options(),
      onChannelPost: (post, updateId) => {
        offers.push(updateId);
        if (offers.length < 4) return 'later';
        pollsWhenTaken = polls();
        expect(post.text).toBe('BTCUSDT LONG SWING');
        return true;
      },
    });
    try {
      await server.waitForRequests(() => journal.kvGet(COMMAND_OFFSET_KEY) === id + 1);
      expect(offers).toEqual([id, id, id, id]);
      expect(pollsWhenTaken).toBe(1);
      expect(server.messages).toEqual([]);
    } finally {
      await poller.stop();
    }
  });

  it('S1-19 X-RT-10 a malformed update in a batch is logged and confirmed; the valid commands of the same batch are served', async () => {
    // All three are queued before the poller starts, so the first getUpdates answers them as one batch.
    server.pushUpdate({ message: { chat: { id: OPERATOR }, text: '/help' } });
    const bad = server.pushRawUpdate({ message: { message_id: 'not a number', chat: { id: OPERATOR } } });
    const last = server.pushUpdate({ message: { chat: { id: OPERATOR }, text: '/positions' } });
    const poller = startCommandPoller(options());
    try {
      await server.waitFor((ms) => ms.length === 2);
      expect(server.messages.map((m) => m.text.split('\n')[0])).toEqual(['Commands:', 'Open positions:']);
      expect(logged('telegram_update_malformed').map((r) => r['updateId'])).toEqual([bad]);
      expect(journal.kvGet(COMMAND_OFFSET_KEY)).toBe(last + 1);
    } finally {
      await poller.stop();
    }
  });
});
