/**
 * X-ORD-2 / X-NTF-2 acceptance on a loopback paper run (the setup of tests/runtime/loopback.test.ts: the Bybit wire
 * protocol to the in-process simulator's façade, accelerated clock) with Telegram pointed at the loopback Bot API
 * server: the lifecycle messages arrive in order, exactly once per dedupe key, and the journal shows REQUEST → ACK →
 * NOTIFY — every NOTIFY_QUEUED after its order's ACK (and after the fill for fills), with order id, IM and leverage.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { startBotApiServer, type BotApiServer } from '../support/botApiServer.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

let server: BotApiServer;
beforeAll(async () => {
  server = await startBotApiServer();
});
afterAll(() => server.stop());

interface Row {
  seq: number;
  type: string;
  payload: string;
}

describe('ACK-gated lifecycle notifications on a loopback paper run (X-ORD-2, X-NTF-2)', () => {
  it('X-ORD-2 X-NTF-2 X-NTF-5 delivers the lifecycle messages in order, once each, every NOTIFY_QUEUED after its ACK (and fill)', async () => {
    const config = {
      ...base,
      sim: { ...base.sim, clock: 'accelerated' as const, speed: 500 },
      risk: { ...base.risk, staleness: { ...base.risk.staleness, quoteMaxAgeMs: 60_000, barMaxAgeMs: 300_000, accountMaxAgeMs: 300_000 } },
      strategies: { ...base.strategies, breakout: { ...base.strategies.breakout, stopLossFraction: 0.0015, takeProfitFraction: 0.0015 } },
      notifications: { ...base.notifications, telegram: { ...base.notifications.telegram, enabled: true, apiBaseUrl: server.url, chatIds: ['424242'] }, deliveryTimeoutMs: 3_000 },
    };
    const dir = mkdtempSync(join(tmpdir(), 'tw-notify-timeline-'));
    const result = await runSession({
      wire: true, config, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: 150, maxWallMs: 50_000,
      secrets: loadSecrets({ TW_TELEGRAM_BOT_TOKEN: server.token }),
    });
    expect(result.summary['trades'] as number).toBeGreaterThan(0);
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      const rows = db.prepare<[], Row>("SELECT seq, type, payload FROM events WHERE type IN ('ORDER_REQUESTED','ORDER_ACKNOWLEDGED','ORDER_FILLED','TRADE_CLOSED','NOTIFY_QUEUED','NOTIFY_SENT') ORDER BY seq").all();
      const parsed = rows.map((r) => ({ seq: r.seq, type: r.type, p: JSON.parse(r.payload) as Record<string, unknown> }));
      const queued = parsed.filter((r) => r.type === 'NOTIFY_QUEUED');
      const byTemplate = (t: string) => queued.filter((q) => q.p['template'] === t);
      expect(byTemplate('ORDER_PLACED').length).toBeGreaterThan(0);
      expect(byTemplate('POSITION_OPENED').length).toBeGreaterThan(0);
      expect(byTemplate('POSITION_CLOSED').length).toBe(result.summary['trades']);

      const seqOf = (type: string, clientOrderId: string): number | undefined => parsed.find((r) => r.type === type && r.p['clientOrderId'] === clientOrderId)?.seq;
      for (const q of [...byTemplate('ORDER_PLACED'), ...byTemplate('POSITION_OPENED')]) {
        const clientOrderId = String(q.p['key']).split(':').at(-1)!;
        const requested = seqOf('ORDER_REQUESTED', clientOrderId)!;
        const acked = seqOf('ORDER_ACKNOWLEDGED', clientOrderId)!;
        // REQUEST → ACK → NOTIFY in the journal, with the order id and the figures the order carried.
        expect(requested).toBeLessThan(acked);
        expect(q.seq, `${String(q.p['key'])} queued before its ACK`).toBeGreaterThan(acked);
        expect(q.p['sourceSeq'] as number).toBeGreaterThanOrEqual(acked);
        const ackId = JSON.parse(db.prepare<[number], { payload: string }>('SELECT payload FROM events WHERE seq = ?').get(acked)!.payload) as { venueOrderId: string };
        expect(q.p['text']).toContain(`Order ID: ${ackId.venueOrderId}`);
        expect(q.p['text']).toMatch(/\nLeverage: x\d+\.\d\d\n/);
        expect(q.p['text']).toMatch(/\nIM: \d+\.\d\d USDT\n/);
        expect(q.p['text']).toContain('Trigger: Mark');
        if (q.p['template'] === 'POSITION_OPENED') {
          const fills = parsed.filter((r) => r.type === 'ORDER_FILLED' && r.p['clientOrderId'] === clientOrderId);
          expect(q.seq).toBeGreaterThan(fills.find((f) => f.p['state'] === 'filled')?.seq ?? fills.at(-1)!.seq);
          const placed = byTemplate('ORDER_PLACED').find((p) => p.p['key'] === String(q.p['key']).replace('POSITION_OPENED', 'ORDER_PLACED'))!;
          expect(placed.seq).toBeLessThan(q.seq);
        }
      }
      for (const q of byTemplate('POSITION_CLOSED')) {
        const intentId = String(q.p['key']).split(':').at(-1)!;
        const closed = parsed.find((r) => r.type === 'TRADE_CLOSED' && r.p['intentId'] === intentId)!;
        expect(q.seq).toBeGreaterThan(closed.seq);
      }

      // Delivered to the Bot API exactly once per key, in the order they were queued.
      const sent = parsed.filter((r) => r.type === 'NOTIFY_SENT').map((r) => r.p['key']);
      expect(new Set(sent).size).toBe(sent.length);
      expect(sent).toEqual(queued.map((q) => q.p['key']));
      expect(server.messages.map((m) => m.text)).toEqual(queued.map((q) => q.p['text']));
      expect(server.messages.every((m) => m.chatId === '424242')).toBe(true);
    } finally {
      db.close();
    }
    expect(verifyJournal(result.journals['main']!).ok).toBe(true);
  }, 120_000);
});
