import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { verifyJournal } from '../../src/journal/verify.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config, hash } = loaded.right;

const run = (dataDir: string) =>
  runSession({ config, configHash: hash, dataDir, version: 'test', commit: null, progress: () => undefined });

interface Row {
  seq: number;
  stream: string;
  type: string;
  payload: string;
}

describe('X-TST/ X-LOG-6 PAPER demo on the virtual clock', () => {
  const dirA = mkdtempSync(join(tmpdir(), 'tw-paper-a-'));
  const dirB = mkdtempSync(join(tmpdir(), 'tw-paper-b-'));

  it('runs to the end of the data with trades that went ACK → FILL → OPENED → TPSL → CLOSE, journaled in order', async () => {
    const result = await run(dirA);
    const s = result.summary;
    expect(s['trades']).toBeGreaterThan(0);
    expect(s['journalChainIntact']).toBe(true);
    // A position still open at the end of the data stays protected at the venue (TP and SL both set).
    for (const p of s['openPositions'] as Array<Record<string, string | null>>) {
      expect(p['takeProfit']).not.toBeNull();
      expect(p['stopLoss']).not.toBeNull();
    }
    const db = new Database(result.journals['main'], { readonly: true });
    const closed = db.prepare<[], Row>("SELECT seq, stream, type, payload FROM events WHERE type = 'TRADE_CLOSED' ORDER BY seq").all();
    expect(closed.length).toBe(s['trades']);
    // Take the first trade and walk its actor's journal from the intent to the close.
    const first = JSON.parse(closed[0]!.payload) as { intentId: string; symbol: string };
    const actorEvents = db
      .prepare<[string, number], Row>("SELECT seq, stream, type, payload FROM events WHERE stream = ? AND seq <= ? ORDER BY seq")
      .all(`trade:sim:${first.symbol}`, closed[0]!.seq);
    const transitions = actorEvents
      .filter((r) => r.type === 'ACTOR_EVENT')
      .map((r) => JSON.parse(r.payload) as { event: { type: string; intentId?: string }; from: string; to: string });
    const start = transitions.findIndex((t) => t.event.type === 'command.open' && t.event.intentId === first.intentId);
    expect(start).toBeGreaterThanOrEqual(0);
    const path = transitions.slice(start).filter((t) => t.from !== t.to).map((t) => `${t.from}>${t.to}`);
    // OPENED only after a fill, TPSL only after OPENED, CLOSE last.
    expect(path[0]).toBe('idle>submitting');
    const opened = path.findIndex((p) => p.endsWith('>opened.protecting'));
    const protectedAt = path.indexOf('opened.protecting>opened.protected');
    const closedAt = path.findIndex((p) => p.endsWith('>closed.cooldown'));
    expect(opened).toBeGreaterThan(0);
    expect(protectedAt).toBeGreaterThan(opened);
    expect(closedAt).toBeGreaterThan(protectedAt);
    const openedEvent = transitions.slice(start).find((t) => t.to === 'opened.protecting')!;
    expect(openedEvent.event.type).toBe('venue.filled');
    // Write-ahead: the entry's ORDER_REQUESTED precedes its ack and fill, and the protection was set before the close.
    const orderRows = db.prepare<[string], Row>("SELECT seq, stream, type, payload FROM events WHERE stream LIKE ? ORDER BY seq").all('order:%');
    const requested = orderRows.find((r) => r.type === 'ORDER_REQUESTED' && (JSON.parse(r.payload) as { intentId: string }).intentId === first.intentId)!;
    const later = orderRows.filter((r) => r.stream === requested.stream && r.seq > requested.seq).map((r) => r.type);
    expect(later).toContain('ORDER_FILLED');
    db.close();

    // The journal is append-only and its chain recomputes.
    expect(verifyJournal(result.journals['main']!).ok).toBe(true);
    const rw = new Database(result.journals['main']);
    expect(() => rw.prepare("UPDATE events SET payload = '{}' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => rw.prepare('DELETE FROM events WHERE seq = 1').run()).toThrow(/append-only/);
    rw.close();

    // Logs are JSON lines and the first one is the version banner (X-LOG-1, X-OBS-5).
    const lines = readFileSync(join(result.runDir, 'tradewarden.log.jsonl'), 'utf8').trim().split('\n');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ event: 'startup', version: 'test', configHash: hash, profile: 'demo', mode: 'PAPER' });
  });

  it('X-BT two virtual-clock replays with the same seed write byte-identical summaries', async () => {
    const a = await run(dirB);
    const textA = readFileSync(join(a.runDir, 'summary.json'), 'utf8');
    const b = await run(mkdtempSync(join(tmpdir(), 'tw-paper-c-')));
    expect(readFileSync(join(b.runDir, 'summary.json'), 'utf8')).toBe(textA);
    expect(JSON.parse(textA)).toMatchObject({ seed: 42, mode: 'PAPER' });
  });
});
