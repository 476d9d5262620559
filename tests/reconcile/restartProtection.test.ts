/**
 * Issue #5 acceptance: a position's TP/SL deleted at the venue while the runtime is down is back after the restart,
 * before the trading gate opens (so before any new entry). Real parts throughout: a simulator that outlives the
 * runtime (runSim on loopback), two runtime sessions over the real Bybit adapter on the persistent journal (ADR 0006).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { withAccount } from '../support/configs.ts';
import { persistentJournalPath } from '../../src/app/reconcileCommand.ts';
import { runSim, type RunningSim } from '../../src/app/sim.ts';
import type { SimPosition } from '../../src/venues/sim/engine/types.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { dec } from '../../src/domain/money.ts';
import { verifyJournal } from '../../src/journal/verify.ts';

const SPEED = 600;
let sim: RunningSim;
beforeAll(async () => {
  sim = await runSim({ venue: 'bybit', port: 0, speed: SPEED, seed: 11 });
});
afterAll(async () => {
  await sim.stop();
});

const loaded = loadConfigFile('config/paper-loopback.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

describe('X-REC-1 restart re-protects a position whose TP/SL vanished while the runtime was down', () => {
  it('restores TP and SL at the venue before the gate opens, and places no order while it is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-restart-protect-'));
    const config = {
      ...withAccount(base, { simUrl: sim.server.url }),
      // Wide TP/SL: pausing the simulator first catches its engine up to the (×600) clock, and a close in that catch-up
      // would leave nothing to re-protect; 3 % is far more than the bundled minutes move in the seconds that takes.
      strategies: { ...base.strategies, breakout: { ...base.strategies.breakout, lookbackBars: 2, cooldownBars: 0, stopLossFraction: 0.03, takeProfitFraction: 0.03 } },
      execution: { ...base.execution, reentryCooldownMs: 0 },
      risk: { ...base.risk, cooldowns: { afterFillMs: 0, afterStopMs: 0 }, staleness: { ...base.risk.staleness, quoteMaxAgeMs: 60_000, barMaxAgeMs: 300_000, accountMaxAgeMs: 300_000 } },
    };
    const common = { config, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, maxWallMs: 60_000 };

    // Session 1 runs until the venue reports a protected position, then stops (the runtime is down from here on). An
    // order already on its way when the session stops (the breakout's opposite signal is an exit) can still close the
    // position at the frozen price; then the market runs on and session 1 is started again on the same journal (a
    // restart like any other), at most three times, until a position is open when the market stands still.
    let symbol: string | undefined;
    let before: SimPosition | undefined;
    for (let attempt = 1; attempt <= 3 && before === undefined; attempt++) {
      const first = new AbortController();
      let protectedSymbol: string | undefined;
      const off = sim.exchange.subscribe((e) => {
        // The simulator's position size is signed (a short's is negative): any open position counts, long or short.
        if (e.type === 'position' && e.position.account === 'main' && !e.position.size.isZero() && e.position.takeProfit !== undefined && e.position.stopLoss !== undefined) {
          protectedSymbol ??= e.position.symbol;
          // Freeze the market right after this dispatch, so no trigger closes the position before the test looks at it.
          setImmediate(() => sim.server.setPaused(true));
          first.abort();
        }
      });
      await runSession({ ...common, signal: first.signal });
      off();
      expect(protectedSymbol, `session 1 (attempt ${String(attempt)}) never protected a position`).toBeDefined();
      // The market is frozen (no trigger can close the position meanwhile).
      expect(sim.server.isPaused()).toBe(true);
      const open = sim.exchange.positions('main', protectedSymbol)[0];
      if (open !== undefined && !open.size.isZero()) {
        symbol = protectedSymbol;
        before = open;
      } else sim.server.setPaused(false);
    }
    if (symbol === undefined || before === undefined) throw new Error('in three tries of session 1, no protected position was still open once the market stood still');
    // Delete its TP/SL at the venue.
    expect(sim.exchange.setTradingStop('main', symbol, { takeProfit: dec(0), stopLoss: dec(0) }).ok).toBe(true);
    const stripped = sim.exchange.positions('main', symbol)[0]!;
    expect(stripped.takeProfit).toBeUndefined();
    expect(stripped.stopLoss).toBeUndefined();
    const ordersBefore = sim.exchange.orderHistory('main').length + sim.exchange.openOrders('main').length;

    // Session 2: at the moment the gate would open, the venue shows the position protected again and no new order.
    const second = new AbortController();
    let atGate: { tp: string | undefined; sl: string | undefined; orders: number; size: string } | undefined;
    await runSession({
      ...common,
      signal: second.signal,
      beforeGate: (reports) => {
        const report = reports.get('main')!;
        const p = sim.exchange.positions('main', symbol)[0];
        atGate = {
          tp: p?.takeProfit?.toString(), sl: p?.stopLoss?.toString(), size: p?.size.toString() ?? '0',
          orders: sim.exchange.orderHistory('main').length + sim.exchange.openOrders('main').length,
        };
        expect(report.mismatches).toEqual({});
        second.abort();
        return Promise.resolve();
      },
    });
    expect(atGate).toBeDefined();
    expect(atGate!.size).toBe(before.size.toString());
    expect(atGate!.tp).toBeDefined();
    expect(atGate!.sl).toBeDefined();
    // The levels are the actor's own (first fill price and the intent's fractions), which the first session had set.
    expect(atGate!.tp).toBe(before.takeProfit!.toString());
    expect(atGate!.sl).toBe(before.stopLoss!.toString());
    expect(atGate!.orders).toBe(ordersBefore);

    const journalPath = persistentJournalPath(dir, 'bybit', 'main');
    expect(verifyJournal(journalPath).ok).toBe(true);
    const db = new Database(journalPath, { readonly: true });
    try {
      const rows = db.prepare("SELECT type, payload FROM events WHERE stream = 'recovery' ORDER BY seq").all() as Array<{ type: string; payload: string }>;
      expect(rows.map((r) => r.type)).toContain('RECOVERY_REPROTECTED');
      const reprotected = JSON.parse(rows.find((r) => r.type === 'RECOVERY_REPROTECTED')!.payload) as { symbol: string; outcome: string };
      expect(reprotected).toMatchObject({ symbol, outcome: 'venue.protectionSet' });
      // The gate opened only after the recovery report (same journal, later sequence number).
      const seqs = db.prepare("SELECT seq, type FROM events WHERE type IN ('RECOVERY_REPORT', 'GATE_OPENED') ORDER BY seq").all() as Array<{ seq: number; type: string }>;
      expect(seqs.at(-1)?.type).toBe('GATE_OPENED');
      expect(seqs.at(-2)?.type).toBe('RECOVERY_REPORT');
    } finally {
      db.close();
      sim.server.setPaused(false);
    }
  }, 120_000);
});
