/**
 * X-NTF-5 / X-ORD-2 acceptance: a restart between ACK and send delivers the message exactly once. A simulator that
 * outlives the runtime (runSim on loopback), a persistent journal, and the runtime in a child process whose Telegram
 * channel answers 500 until the child is SIGKILLed (its messages are journaled NOTIFY_QUEUED, none SENT); a second
 * session on the same data directory, with the channel healthy, delivers each of them once — no key twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Either, Schema } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentJournalPath } from '../../src/app/reconcileCommand.ts';
import { runSession } from '../../src/app/session.ts';
import { runSim, type RunningSim } from '../../src/app/sim.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { AppConfig } from '../../src/config/schema.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { withAccount } from '../support/configs.ts';
import { startBotApiServer, type BotApiServer } from '../support/botApiServer.ts';

const CHILD = fileURLToPath(new URL('../support/notifySessionChild.ts', import.meta.url));
const loaded = loadConfigFile('config/paper-loopback.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

let sim: RunningSim;
let bot: BotApiServer;
beforeAll(async () => {
  sim = await runSim({ venue: 'bybit', port: 0, speed: 600, seed: 11 });
  bot = await startBotApiServer();
});
afterAll(async () => {
  await bot.stop();
  await sim.stop();
});

interface Notify {
  seq: number;
  type: string;
  key: string;
  text: string;
}
const notifyRows = (path: string): Notify[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { seq: number; type: string; payload: string }>("SELECT seq, type, payload FROM events WHERE stream = 'notify' ORDER BY seq").all().map((r) => {
      const p = JSON.parse(r.payload) as { key: string; text?: string };
      return { seq: r.seq, type: r.type, key: p.key, text: p.text ?? '' };
    });
  } finally {
    db.close();
  }
};

describe('exactly once across a kill between ACK and send (X-NTF-5, X-ORD-2)', () => {
  it('X-NTF-5 X-ORD-2 messages journaled before a SIGKILL are delivered once after the restart, none twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-notify-restart-'));
    const config = {
      ...withAccount(base, { simUrl: sim.server.url }),
      strategies: { ...base.strategies, breakout: { ...base.strategies.breakout, lookbackBars: 2, cooldownBars: 0, stopLossFraction: 0.003, takeProfitFraction: 0.003 } },
      execution: { ...base.execution, reentryCooldownMs: 0 },
      risk: { ...base.risk, cooldowns: { afterFillMs: 0, afterStopMs: 0 }, staleness: { ...base.risk.staleness, quoteMaxAgeMs: 60_000, barMaxAgeMs: 300_000, accountMaxAgeMs: 300_000 } },
      notifications: {
        ...base.notifications, retryBaseMs: 100, retryCapMs: 400, deliveryTimeoutMs: 2_000,
        telegram: { ...base.notifications.telegram, enabled: true, apiBaseUrl: bot.url, chatIds: ['777'] },
      },
    };
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(Schema.encodeSync(AppConfig)(config)));

    // Run 1 in a child: every sendMessage answers 500, so what it queues stays unsent until it is killed.
    bot.setFault('sendMessage', { kind: 'status', status: 500 });
    const child = spawn(process.execPath, [CHILD, configFile, dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TW_TELEGRAM_BOT_TOKEN: bot.token } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    // Two failed attempts of an ORDER_PLACED: it was journaled (QUEUED comes before any attempt) and is being retried. An ERROR
    // (an order the venue rejected) can come first and has no ACK, so the wait names the success template.
    const placedFailures = (r: ReadonlyArray<{ method: string; status: number; params: Record<string, string> }>): number =>
      r.filter((x) => x.method === 'sendMessage' && x.status === 500 && (x.params['text'] ?? '').includes('ORDER PLACED')).length;
    await bot.waitForRequests((r) => placedFailures(r) >= 2, 90_000).catch((e: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`${e instanceof Error ? e.message : String(e)}; child stderr: ${stderr}`);
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(bot.messages).toHaveLength(0);

    const journalPath = persistentJournalPath(dir, 'bybit', 'main');
    const afterKill = notifyRows(journalPath);
    const pending = afterKill.filter((r) => r.type === 'NOTIFY_QUEUED');
    expect(pending.length).toBeGreaterThan(0);
    expect(afterKill.filter((r) => r.type === 'NOTIFY_SENT')).toEqual([]);
    // Every success message was queued after its order's ACK (REQUEST → ACK → NOTIFY), and none was sent before the kill. An ERROR
    // message (a rejected order, keyed by its journal seq) has no ACK, so only the keys that name an order are checked.
    const successes = pending.filter((p) => /:(ORDER_PLACED|POSITION_OPENED):/.test(p.key));
    expect(successes.length, pending.map((p) => p.key).join(', ')).toBeGreaterThan(0);
    const db = new Database(journalPath, { readonly: true });
    const ackOf = db.prepare<[string], { seq: number }>("SELECT seq FROM events WHERE type = 'ORDER_ACKNOWLEDGED' AND json_extract(payload, '$.clientOrderId') = ?");
    const acks = successes.map((p) => ({ p, ack: ackOf.get(p.key.split(':').at(-1)!) }));
    db.close();
    for (const { p, ack } of acks) {
      expect(ack, p.key).toBeDefined();
      expect(p.seq, p.key).toBeGreaterThan(ack!.seq);
    }

    // Run 2 in process, the channel healthy: it re-queues the unsent messages and delivers each once.
    bot.setFault('sendMessage', undefined);
    // It stops once the gate is open and the messages arrived (the outbox may deliver them while start-up still runs).
    const stop = new AbortController();
    let trading = false;
    let arrived = false;
    const stopWhenDone = (): void => {
      if (trading && arrived) stop.abort();
    };
    const delivered = bot.waitFor((m) => pending.every((p) => m.some((x) => x.text === p.text)), 90_000).then(() => {
      arrived = true;
      stopWhenDone();
    });
    await runSession({
      config, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, maxWallMs: 90_000, signal: stop.signal,
      secrets: loadSecrets({ TW_TELEGRAM_BOT_TOKEN: bot.token }),
      onStarted: () => {
        trading = true;
        stopWhenDone();
      },
    });
    await delivered;

    const texts = bot.messages.map((m) => m.text);
    for (const p of pending) expect(texts.filter((t) => t === p.text), p.key).toHaveLength(1);
    expect(new Set(texts).size).toBe(texts.length);
    const rows = notifyRows(journalPath);
    const sentKeys = rows.filter((r) => r.type === 'NOTIFY_SENT').map((r) => r.key);
    expect(new Set(sentKeys).size).toBe(sentKeys.length);
    for (const p of pending) expect(sentKeys).toContain(p.key);
    // No key was queued twice either (the restarted notifier made the same keys and skipped them).
    const queuedKeys = rows.filter((r) => r.type === 'NOTIFY_QUEUED').map((r) => r.key);
    expect(new Set(queuedKeys).size).toBe(queuedKeys.length);
  }, 240_000);
});
