/**
 * Telegram commands on a real loopback PAPER session (issue 15 acceptance, S1-19, X-RSK-1): the session's own
 * control service (handed out by `runSession`'s `onOps`), the real Bot API client and helper E's loopback Bot API
 * server. A stranger's /stop changes nothing and gets no reply; the operator's /stop engages the kill switch and is
 * answered; /forceexit of a symbol without a position is refused; /start resumes; every action is journaled as
 * OPERATOR_CONTROL with `telegram:<chat>`; and a poller restarted over the same journal does not replay the update
 * it already handled, although the server still holds it. Synchronised on the session's events and the server's
 * recorded messages.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redacted } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../../src/app/session.ts';
import { demo, loopbackConfig } from '../../support/loopbackConfig.ts';
import { openJournal, type Journal } from '../../../src/journal/Journal.ts';
import { wallClock } from '../../../src/kernel/Clock.ts';
import { createLogger } from '../../../src/kernel/logger.ts';
import { wallScheduler } from '../../../src/kernel/Scheduler.ts';
import { makeBotApiClient } from '../../../src/notify/telegram/BotApiClient.ts';
import { COMMAND_OFFSET_KEY, startCommandPoller, type CommandPoller } from '../../../src/notify/telegram/CommandPoller.ts';
import type { OpsSource, StatusView } from '../../../src/ops/types.ts';
import { startBotApiServer } from '../../support/botApiServer.ts';

// As tests/runtime/loopback.test.ts (×500 on loopback, age limits widened for a shared machine), with the strategy
// off: no position ever opens, so /forceexit has a symbol of the session without one.
const config = {
  ...loopbackConfig({ speed: 500 }),
  strategies: { ...demo.config.strategies, breakout: { ...demo.config.strategies.breakout, enabled: false } },
};

const OPERATOR = 5_550_001;
const STRANGER = 6_660_002;

/** Resolves once `pred(status)` holds, checked now and after every session event. */
const until = (source: OpsSource, pred: (s: StatusView) => boolean): Promise<void> =>
  new Promise((resolve) => {
    if (pred(source.status())) return resolve();
    const off = source.events.subscribe(() => {
      if (!pred(source.status())) return;
      off();
      resolve();
    });
  });

describe('Telegram commands on a loopback PAPER session', () => {
  it('S1-19 X-RSK-1 /stop from the allowlist engages the kill switch, a stranger changes nothing, /forceexit refuses, /start resumes, a restart replays nothing', async () => {
    const server = await startBotApiServer();
    const client = makeBotApiClient({ apiBaseUrl: server.url, token: Redacted.make(server.token), timeoutMs: 5_000 });
    const dir = mkdtempSync(join(tmpdir(), 'tw-telegram-session-'));
    const logs: string[] = [];
    const logger = createLogger({ level: 'info', clock: wallClock, targets: { memory: logs } });
    const stop = new AbortController();
    let resolveOps: (s: OpsSource) => void = () => undefined;
    const ops = new Promise<OpsSource>((r) => (resolveOps = r));
    const run = runSession({
      wire: true, config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: 600, maxWallMs: 100_000,
      signal: stop.signal, onOps: ({ source }) => resolveOps(source),
    });
    const offsetPath = join(dir, 'poller.sqlite');
    let journal: Journal = openJournal({ path: offsetPath, clock: wallClock });
    let poller: CommandPoller | undefined;
    const start = (): CommandPoller => startCommandPoller({ client, source, allow: [OPERATOR], journal, scheduler: wallScheduler(), logger, pollTimeoutSeconds: 5 });
    const source = await Promise.race([ops, run.then(() => Promise.reject(new Error('the session ended before its operations surface ran')))]);
    const push = (chat: number, text: string): number => server.pushUpdate({ message: { chat: { id: chat }, text } });
    const killed = (): boolean => source.status().accounts[0]!.killSwitch.engaged;
    try {
      await until(source, (s) => s.phase === 'trading');
      poller = start();

      // A stranger's /stop: no reply, no change, a log line with the chat id only. The operator's /status after it
      // proves the stranger's update was handled (one at a time, in order).
      push(STRANGER, '/stop');
      push(OPERATOR, '/status');
      await server.waitFor((ms) => ms.length === 1);
      expect(server.messages[0]!.chatId).toBe(String(OPERATOR));
      expect(server.messages[0]!.text).toMatch(/^Status .*\nSession: trading, PAPER, profile demo\nTrading: ON\nmain: \S+, kill switch off, gate open/);
      expect(killed()).toBe(false);
      const refused = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r['event'] === 'telegram_command_refused');
      expect(refused.map((r) => r['chatId'])).toEqual([STRANGER]);

      // The operator's /stop engages the kill switch through the control service, and the reply says so.
      push(OPERATOR, '/stop telegram drill');
      await server.waitFor((ms) => ms.length === 2);
      expect(killed()).toBe(true);
      expect(source.status().accounts[0]!.killSwitch.reason).toBe(`telegram drill (telegram:${String(OPERATOR)})`);
      expect(server.messages[1]!.text).toMatch(/^kill switch engaged on main\b/);

      push(OPERATOR, '/forceexit ADAUSDT');
      await server.waitFor((ms) => ms.length === 3);
      expect(server.messages[2]!.text).toBe('Refused: no open position in ADAUSDT');

      // /start resumes. Right after its reply the server's next getUpdates hangs, so it never learns the offset and
      // still holds the /start update when the poller is torn down.
      const startId = push(OPERATOR, '/start');
      await server.waitFor((ms) => ms.length === 4);
      server.failNext('getUpdates', { kind: 'hang' });
      expect(server.messages[3]!.text).toMatch(/^kill switch cleared on main/);
      expect(killed()).toBe(false);
      expect(journal.kvGet(COMMAND_OFFSET_KEY)).toBe(startId + 1);
      await server.waitForRequests((rs) => rs.some((r) => r.method === 'getUpdates' && r.status === 0));

      // Restart over the same journal file: it asks from the persisted offset, so /start is not handled again.
      await poller.stop();
      journal.close();
      journal = openJournal({ path: offsetPath, clock: wallClock });
      poller = start();
      push(OPERATOR, '/help');
      await server.waitFor((ms) => ms.length === 5);
      expect(server.messages[4]!.text).toMatch(/^Commands:\n/);
      const polls = server.requests.filter((r) => r.method === 'getUpdates');
      const hung = polls.findIndex((r) => r.status === 0);
      expect(polls[hung + 1]?.params['offset']).toBe(String(startId + 1));
      // A replayed /start would have been answered "Refused: the kill switch is not engaged".
      expect(server.messages.filter((m) => /^(kill switch cleared|Refused: the kill switch)/.test(m.text)).length).toBe(1);
      expect(server.messages.length).toBe(5);
      expect(killed()).toBe(false);

      // Each action is journaled with who and why, before and after it acted.
      const tail = source.journalTail(0, 100_000);
      if ('problem' in tail) throw new Error(tail.problem);
      const controls = tail.entries.filter((e) => e.type === 'OPERATOR_CONTROL').map((e) => e.payload as { action: string; who: string; reason: string; outcome?: { ok: boolean } });
      expect(controls.map((c) => [c.action, c.who, c.reason, c.outcome?.ok])).toEqual([
        ['kill', `telegram:${String(OPERATOR)}`, 'telegram drill', undefined],
        ['kill', `telegram:${String(OPERATOR)}`, 'telegram drill', true],
        ['flatten', `telegram:${String(OPERATOR)}`, 'telegram /forceexit ADAUSDT', undefined],
        ['flatten', `telegram:${String(OPERATOR)}`, 'telegram /forceexit ADAUSDT', false],
        ['resume', `telegram:${String(OPERATOR)}`, 'telegram /start', undefined],
        ['resume', `telegram:${String(OPERATOR)}`, 'telegram /start', true],
      ]);
    } finally {
      await poller?.stop();
      stop.abort();
      await run.catch(() => undefined);
      journal.close();
      await client.close();
      await server.stop();
    }
  }, 120_000);
});
