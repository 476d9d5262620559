/**
 * Issue #5 item 7 in CI: `tradewarden drill restart` with 20 trials (4 per kill window) against the simulator as its
 * own process, the runtime SIGKILLed at crash points and random instants. It must exit 0 with zero violations, and it
 * must actually have killed inside the windows (a drill whose crash points are never reached proves nothing).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';

const run = runCli;

/**
 * Runs `count` trials of a scenario (2 per kill window: 12 for six windows) and checks what every scenario must show: exit 0, zero violations,
 * and its own window hit twice without a violation, at most one kill missing its crash point. Returns the work dir.
 */
const scenarioDrill = async (scenario: string, seed: number, window: string, count = 12): Promise<string> => {
  const work = mkdtempSync(join(tmpdir(), `tw-drill-${scenario}-`));
  const r = await run(['drill', 'restart', '--trials', String(count), '--seed', String(seed), '--scenario', scenario, '--work-dir', work]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toContain(`scenario ${scenario}`);
  expect(r.stdout).toContain('0 violations');
  const row = r.stdout.split('\n').map((l) => l.trim()).find((l) => l.startsWith(window));
  const [trials, missed, violating] = (row ?? '').slice(window.length).trim().split(/\s+/).map(Number);
  expect(trials, r.stdout).toBe(2);
  expect(violating, r.stdout).toBe(0);
  expect(missed!, r.stdout).toBeLessThanOrEqual(1);
  return work;
};

/** Opens the main account's journal of the drill's first epoch read-only, hands it to `read`, closes it. */
const withMainJournal = (work: string, read: (db: Database.Database) => void): void => {
  const db = new Database(join(work, 'epoch-0', 'data', 'journal', 'bybit-main.sqlite'), { readonly: true });
  try {
    read(db);
  } finally {
    db.close();
  }
};

describe('X-REC-1 X-RT-7 restart drill (kill -9 at crash points, restart, reconcile)', () => {
  it('20 trials: no duplicate order, every position protected, actors equal the venue, chain intact, no entry while the gate is closed', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tw-drill-'));
    const r = await run(['drill', 'restart', '--trials', '20', '--seed', '7', '--work-dir', work]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('0 violations');
    const rows = new Map(
      r.stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c.length >= 5 && /^\d+$/.test(c[1] ?? '')).map((c) => [c[0]!, c.slice(1, 5).map(Number)]),
    );
    for (const w of ['sent→ACK', 'ACK→FILL', 'FILL→TPSL', 'CLOSE', 'random']) {
      const [trials, missed, violating] = rows.get(w) ?? [];
      expect(trials, `${w} row\n${r.stdout}`).toBe(4);
      expect(violating, r.stdout).toBe(0);
      // Most kills land inside the window they target (a miss is killed anyway and still checked).
      if (w !== 'random') expect(missed!, `${w} missed\n${r.stdout}`).toBeLessThanOrEqual(2);
    }
    expect(rows.get('total')?.[0]).toBe(20);
  }, 600_000);

  it('X-REC-1 a config of two venue accounts (main BTCUSDT, second ADAUSDT): 10 trials, each account checked against its own simulator account and journal', async () => {
    const work = mkdtempSync(join(tmpdir(), 'tw-drill2-'));
    const r = await run(['drill', 'restart', '--trials', '10', '--seed', '11', '--accounts', '2', '--work-dir', work]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('2 venue account(s)');
    expect(r.stdout).toContain('0 violations');
    // Each account kept its own journal, and both traded (their orders are journaled in their own file).
    for (const account of ['main', 'second']) {
      const path = join(work, 'epoch-0', 'data', 'journal', `bybit-${account}.sqlite`);
      expect(existsSync(path), path).toBe(true);
      const db = new Database(path, { readonly: true });
      try {
        const symbols = (db.prepare('SELECT DISTINCT symbol FROM orders').all() as Array<{ symbol: string }>).map((x) => x.symbol);
        expect(symbols).toEqual([account === 'main' ? 'BTCUSDT' : 'ADAUSDT']);
      } finally {
        db.close();
      }
    }
  }, 600_000);

  it('S0-11 S0-13 X-REC-1 the stops scenario (break-even and trailing stops): 12 trials with kills while a stop move is in flight or just confirmed, zero violations', async () => {
    const work = await scenarioDrill('stops', 3, 'STOP MOVE');
    // The children really moved stops: the journal shows moves asked and trailed stops confirmed.
    withMainJournal(work, (db) => {
      const to = (state: string) => (db.prepare("SELECT count(*) AS n FROM events WHERE type = 'ACTOR_EVENT' AND json_extract(payload, '$.to') = ?").get(state) as { n: number }).n;
      expect(to('opened.movingStop')).toBeGreaterThan(0);
      expect(to('opened.trailing') + to('opened.breakEven')).toBeGreaterThan(0);
    });
  }, 600_000);

  it('S0-16 X-REC-1 X-ORD-6 the split scenario (at most 0.1 BTC per order, limit and market, so entries, exits and the venue\'s own TP/SL go in parts): kills while a split is half done, zero violations', async () => {
    const work = await scenarioDrill('split', 5, 'SPLIT');
    // The children really split: later parts were requested, and no order ever asked the venue for more than 0.1.
    withMainJournal(work, (db) => {
      const requested = (db.prepare("SELECT json_extract(payload, '$.clientOrderId') AS id, json_extract(payload, '$.quantity') AS q FROM events WHERE type = 'ORDER_REQUESTED' AND json_extract(payload, '$.symbol') = 'BTCUSDT'").all() as Array<{ id: string; q: string }>);
      expect(requested.filter((o) => /-p[1-9]\d*$/.test(o.id)).length, JSON.stringify(requested)).toBeGreaterThan(0);
      for (const o of requested) expect(Number(o.q), o.id).toBeLessThanOrEqual(0.1);
    });
  }, 600_000);

  it('S0-7 S0-10 S0-16 X-REC-1 the signals scenario (signals posted to the webhook at the market, two post-only legs each, break-even and trailing): kills while a second leg is in flight, zero violations', async () => {
    const work = await scenarioDrill('signals', 5, 'LEG 2', 14);
    withMainJournal(work, (db) => {
      const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
      // The children followed signals (accepted through the webhook) and entered each with two post-only legs.
      expect(count("SELECT count(*) AS n FROM events WHERE type = 'SIGNAL_HANDLED' AND json_extract(payload, '$.outcome') = 'accepted'")).toBeGreaterThan(0);
      expect(count("SELECT count(*) AS n FROM events WHERE type = 'ORDER_REQUESTED' AND json_extract(payload, '$.role') = 'entry' AND json_extract(payload, '$.clientOrderId') LIKE '%-p1'")).toBeGreaterThan(0);
      expect(count("SELECT count(*) AS n FROM events WHERE type = 'ORDER_REQUESTED' AND json_extract(payload, '$.role') = 'entry' AND json_extract(payload, '$.timeInForce') != 'post_only'")).toBe(0);
      // Every entry approval carried the signal's own TP and SL (S0-10).
      expect(count("SELECT count(*) AS n FROM events WHERE type = 'RISK_DECISION' AND json_extract(payload, '$.kind') = 'approve' AND json_extract(payload, '$.order.intent') = 'entry' AND json_extract(payload, '$.order.exactLevels.stopLoss') IS NOT 1")).toBe(0);
    });
  }, 600_000);
});
