/**
 * A short PAPER session over the real Bybit wire protocol on loopback: the simulator's façade in-process on
 * 127.0.0.1:0, the real adapter, the runtime on an accelerated clock, and the public and private connection hosts.
 * It must trade end to end (ACK → FILL → OPENED → TPSL → CLOSE) and leave an intact journal chain.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import { verifyJournal } from '../../src/journal/verify.ts';

// Replay speed ×500 over the first 150 one-minute bars (about eighteen seconds of wall time). Exits are tightened so
// that positions opened in that data also close in it, and the age limits are widened: at ×500 one wall millisecond
// of latency is half a second of venue time, and CI runs other test files on the same two cores meanwhile.
const config = loopbackConfig({ speed: 500, tightExits: true });

interface Row {
  seq: number;
  stream: string;
  type: string;
  payload: string;
}

describe('PAPER session over the Bybit wire protocol on loopback', () => {
  it('X-WS-5 trades through ACK → FILL → OPENED → TPSL → CLOSE with streams gating entries and an intact journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-loopback-'));
    const progress: string[] = [];
    const result = await runSession({
      wire: true,
      config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: (l) => progress.push(l), barLimit: 150, maxWallMs: 50_000,
    });
    const s = result.summary;
    expect(s['venue']).toBe('bybit-sim-loopback');
    expect(s['stoppedBy']).toBe('end_of_data');
    expect(s['trades'] as number).toBeGreaterThan(0);
    expect(s['journalChainIntact']).toBe(true);
    expect(progress.find((l) => l.includes('over the Bybit v5 linear wire protocol'))).toMatch(/over the Bybit v5 linear wire protocol on http:\/\/127\.0\.0\.1:\d+/);
    expect(progress.find((l) => l.startsWith('recovery:'))).toMatch(/^recovery: \d+ actions, 0 symbols in disagreement/);
    expect(existsSync(join(result.runDir, 'summary.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(result.runDir, 'summary.json'), 'utf8'))).toMatchObject({ venue: 'bybit-sim-loopback', trades: s['trades'] });

    const db = new Database(result.journals['main'], { readonly: true });
    try {
      // Entries stayed paused until both streams were live, and the gate opened only after that pause was journaled.
      const first = db.prepare<[], Row>("SELECT seq, stream, type, payload FROM events WHERE stream LIKE 'market:%' ORDER BY seq").all();
      expect(first[0]?.type).toBe('MARKET_PAUSED');
      expect(first.some((r) => r.type === 'MARKET_RESUMED')).toBe(true);

      const closed = db.prepare<[], Row>("SELECT seq, stream, type, payload FROM events WHERE type = 'TRADE_CLOSED' ORDER BY seq").all();
      expect(closed.length).toBe(s['trades']);
      const trade = JSON.parse(closed[0]!.payload) as { intentId: string; symbol: string };
      const transitions = db
        .prepare<[string, number], Row>('SELECT seq, stream, type, payload FROM events WHERE stream = ? AND seq <= ? ORDER BY seq')
        .all(`trade:bybit:${trade.symbol}`, closed[0]!.seq)
        .filter((r) => r.type === 'ACTOR_EVENT')
        .map((r) => JSON.parse(r.payload) as { event: { type: string; intentId?: string }; from: string; to: string });
      const start = transitions.findIndex((t) => t.event.type === 'command.open' && t.event.intentId === trade.intentId);
      expect(start).toBeGreaterThanOrEqual(0);
      const moves = transitions.slice(start).filter((t) => t.from !== t.to);
      const path = moves.map((t) => `${t.from}>${t.to}`);
      expect(path[0]).toBe('idle>submitting');
      // The ACK may come straight from submitting, or through querying when the ack deadline (venue time) ran out first.
      const acked = moves.findIndex((t) => t.to === 'working' && t.event.type === 'venue.accepted');
      const opened = path.findIndex((p) => p.endsWith('>opened.protecting'));
      const protectedAt = path.indexOf('opened.protecting>opened.protected');
      const closedAt = path.findIndex((p) => p.endsWith('>closed.cooldown'));
      expect(acked).toBeGreaterThan(-1);
      expect(opened).toBeGreaterThan(acked);
      expect(protectedAt).toBeGreaterThan(opened);
      expect(closedAt).toBeGreaterThan(protectedAt);
      expect(transitions.slice(start).find((t) => t.to === 'opened.protecting')!.event.type).toBe('venue.filled');
    } finally {
      db.close();
    }
    expect(verifyJournal(result.journals['main']!).ok).toBe(true);
  }, 90_000);
});
