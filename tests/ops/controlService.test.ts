/**
 * The one control service of a running session (src/app/operations.ts) on a loopback PAPER run: each action is
 * journaled with who and why (OPERATOR_CONTROL, then its outcome) and goes through the kill switch, the RiskEngine or
 * the trading state's gates — a flatten is a RiskEngine-approved reduce-only exit the actor sends, an unblock lifts a
 * recovery-style block, a disabled strategy proposes nothing, a resume also clears the operator's KILL flag so the
 * next poll does not engage the switch again. Refusals say why and change nothing.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import type { OpsSource } from '../../src/ops/types.ts';
import { killFlagPath, writeKillFlag } from '../../src/runtime/killFlag.ts';
import type { VenueRuntime } from '../../src/runtime/VenueRuntime.ts';

const config = {
  ...loopbackConfig({ speed: 200, maxAgeMs: { quote: 600_000, bar: 600_000, account: 600_000 } }),
  ops: { ...demo.config.ops, heartbeatMs: 0 },
};

/** Resolves once `pred` holds, checked on every event of the feed and on a bounded poll of the real state. */
const until = <T>(source: OpsSource, pred: () => T | undefined | false, what: string, timeoutMs = 60_000): Promise<T> =>
  new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      if (done) return;
      const v = pred();
      if (v === undefined || v === false) return;
      done = true;
      off();
      clearInterval(poll);
      clearTimeout(timer);
      resolve(v);
    };
    const off = source.events.subscribe(check);
    const poll = setInterval(check, 50);
    const timer = setTimeout(() => {
      done = true;
      off();
      clearInterval(poll);
      reject(new Error(`not within ${String(timeoutMs)} ms: ${what}`));
    }, timeoutMs);
    check();
  });

const who = { who: 'test:ops', reason: 'control service test' };

describe('X-RSK-1 X-MOD-5 S1-15 control service on loopback', () => {
  it('flatten goes through the RiskEngine, unblock lifts a block, strategies switch off and on, kill and resume (clearing the KILL flag), each journaled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-control-'));
    const abort = new AbortController();
    let source: OpsSource | undefined;
    let runtime: VenueRuntime | undefined;
    let started!: () => void;
    const ready = new Promise<void>((r) => (started = r));
    const session = runSession({
      wire: true, config, configHash: demo.hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, maxWallMs: 150_000, signal: abort.signal,
      onOps: (ops) => (source = ops.source),
      onStarted: (runtimes) => {
        runtime = runtimes.get('main');
        started();
      },
    });
    try {
      await ready;
      const ops = source!;
      const { control } = ops;

      // Refusals change nothing and say why.
      const noSymbol = await control.flatten('DOGEUSDT', who);
      expect([noSymbol.ok, noSymbol.detail]).toEqual([false, 'no account of this session trades DOGEUSDT']);
      const noStrategy = await control.setStrategyEnabled('nosuch', false, who);
      expect(noStrategy.ok).toBe(false);
      expect(noStrategy.detail).toContain('not running in this session');
      expect(await control.resume(who)).toMatchObject({ ok: false, detail: 'the kill switch is not engaged' });
      expect(await control.unblock('ADAUSDT', who)).toMatchObject({ ok: false, detail: 'ADAUSDT is not blocked' });

      // Unblock lifts a block the runtime set (as recovery does for a symbol it could not bring into agreement).
      runtime!.blockSymbol('ADAUSDT', 'test: recovery could not agree');
      expect(ops.status().accounts[0]!.symbolGates).toEqual([{ symbol: 'ADAUSDT', blocked: 'test: recovery could not agree', quarantined: null, paused: null }]);
      expect(await control.unblock('ADAUSDT', who)).toMatchObject({ ok: true });
      expect(ops.status().accounts[0]!.symbolGates).toEqual([]);

      // Flatten: wait for a position, then close it through the one gate.
      const held = await until(ops, () => ops.status().positions[0], 'a position opens');
      const flattened = await control.flatten(held.symbol, who);
      expect(flattened.ok, flattened.detail).toBe(true);
      expect(flattened.detail).toContain('reduce-only exit');
      await until(ops, () => !ops.status().positions.some((p) => p.symbol === held.symbol && p.side === held.side && p.quantity === held.quantity), `${held.symbol} position closed`);

      // A disabled strategy proposes nothing while cycles go on; enabled again, it is judged again.
      expect(await control.setStrategyEnabled('breakout', false, who)).toMatchObject({ ok: true });
      expect(await control.setStrategyEnabled('breakout', false, who)).toMatchObject({ ok: false, detail: 'strategy breakout is already disabled' });
      expect(ops.status().strategies).toEqual([{ id: 'breakout', enabled: false }]);
      const before = ops.status();
      await until(ops, () => ops.status().heartbeat.cycles >= before.heartbeat.cycles + 3, 'three more decision cycles');
      expect(ops.status().counters.proposals).toBe(before.counters.proposals);
      expect(await control.setStrategyEnabled('breakout', true, who)).toMatchObject({ ok: true });

      // The operator's KILL flag engages the switch at the next poll; a resume over the control service clears the
      // flag too, so the poll after it does not engage it again.
      writeKillFlag(dir, { reason: 'flag from the cli', flatten: false, setAt: 0 });
      await until(ops, () => ops.status().accounts[0]!.killSwitch.engaged, 'the KILL flag engages the switch');
      expect(ops.ready().ready).toBe(false);
      const resumed = await control.resume(who);
      expect(resumed.ok).toBe(true);
      expect(resumed.detail).toContain('KILL flag file removed');
      expect(existsSync(killFlagPath(dir))).toBe(false);
      const resumedAt = ops.status().heartbeat.cycles;
      await until(ops, () => ops.status().heartbeat.cycles >= resumedAt + 2, 'two cycles after the resume');
      expect(ops.status().accounts[0]!.killSwitch.engaged).toBe(false);
    } finally {
      abort.abort();
    }
    const result = await session;
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      const rows = (db.prepare("SELECT payload FROM events WHERE type = 'OPERATOR_CONTROL' ORDER BY seq").all() as Array<{ payload: string }>).map(
        (r) => JSON.parse(r.payload) as { action: string; who: string; reason: string; outcome?: { ok: boolean } },
      );
      // Every action is journaled before it acts and again with its outcome, with who and why (refusals on an
      // account's symbol too; a symbol no account trades has no journal to write to).
      const outcomes = rows.filter((r) => r.outcome !== undefined).map((r) => `${r.action}:${String(r.outcome!.ok)}`);
      expect(outcomes).toEqual([
        'strategy_disable:false', 'resume:false', 'unblock:false', 'unblock:true', 'flatten:true',
        'strategy_disable:true', 'strategy_disable:false', 'strategy_enable:true', 'resume:true',
      ]);
      expect(rows.every((r) => r.who === 'test:ops' && r.reason === 'control service test')).toBe(true);
      expect(rows.filter((r) => r.outcome === undefined).length).toBe(outcomes.length);
      const unblocked = db.prepare("SELECT payload FROM events WHERE type = 'SYMBOL_UNBLOCKED'").all() as Array<{ payload: string }>;
      expect(unblocked.map((r) => (JSON.parse(r.payload) as { reason: string }).reason)).toEqual(['operator test:ops: control service test']);
      const exits = (db.prepare("SELECT payload FROM events WHERE type = 'RISK_DECISION'").all() as Array<{ payload: string }>)
        .map((r) => JSON.parse(r.payload) as { kind: string; proposalId: string; order?: { intent: string; reduceOnly: boolean } })
        .filter((d) => d.proposalId.startsWith('operator-flatten-'));
      expect(exits).toHaveLength(1);
      expect(exits[0]).toMatchObject({ kind: 'approve', order: { intent: 'exit', reduceOnly: true } });
    } finally {
      db.close();
    }
  }, 180_000);
});
