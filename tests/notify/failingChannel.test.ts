/**
 * X-NTF-1 acceptance: a notification channel that answers 500 or never answers does not change the run. The
 * virtual-clock demo is deterministic, so its trades, realised PnL and fees with Telegram failing or hanging equal
 * those of a run without notifications; the failures are logged, the messages stay queued in the journal.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import type { AppConfig } from '../../src/config/schema.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { startBotApiServer, type BotApiFault, type BotApiServer } from '../support/botApiServer.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

let bot: BotApiServer;
beforeAll(async () => {
  bot = await startBotApiServer();
});
afterAll(() => bot.stop());

const run = async (config: AppConfig) => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-notify-failing-'));
  const result = await runSession({ config, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: 400, secrets: loadSecrets({ TW_TELEGRAM_BOT_TOKEN: bot.token }) });
  const figures = JSON.parse(readFileSync(join(result.runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
  return { result, figures, log: readFileSync(join(result.runDir, 'tradewarden.log.jsonl'), 'utf8') };
};

const withTelegram = (fault: BotApiFault): AppConfig => {
  bot.setFault('sendMessage', fault);
  return {
    ...base,
    notifications: { ...base.notifications, deliveryTimeoutMs: 300, retryBaseMs: 50, retryCapMs: 200, telegram: { ...base.notifications.telegram, enabled: true, apiBaseUrl: bot.url, chatIds: ['1'] } },
  };
};

const queuedAndSent = (path: string): { queued: number; sent: number } => {
  const j = openJournal({ path, clock: { now: () => 0 }, readonly: true });
  try {
    return { queued: [...j.readEvents({ type: 'NOTIFY_QUEUED' })].length, sent: [...j.readEvents({ type: 'NOTIFY_SENT' })].length };
  } finally {
    j.close();
  }
};

describe('a failing notification channel does not touch trading (X-NTF-1)', () => {
  it('X-NTF-1 with Telegram answering 500 or hanging, the trades, realised PnL and fees equal those of a run without notifications', async () => {
    const quiet = await run(base);
    expect(quiet.figures['trades'] as number).toBeGreaterThan(0);
    const same = (f: Record<string, unknown>) => ({ trades: f['trades'], wins: f['wins'], losses: f['losses'], realizedPnl: f['realizedPnl'], fees: f['fees'], ordersSent: f['ordersSent'] });

    const failing = await run(withTelegram({ kind: 'status', status: 500 }));
    expect(same(failing.figures)).toEqual(same(quiet.figures));
    expect(failing.log).toContain('notify_delivery_failed');
    expect(queuedAndSent(failing.result.journals['main']!)).toMatchObject({ sent: 0 });
    expect(queuedAndSent(failing.result.journals['main']!).queued).toBeGreaterThan(0);

    const hanging = await run(withTelegram({ kind: 'hang' }));
    bot.release();
    expect(same(hanging.figures)).toEqual(same(quiet.figures));
    expect(hanging.log).toContain('no answer within 300 ms');
    expect(bot.messages).toHaveLength(0);
  }, 120_000);
});
