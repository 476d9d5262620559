import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect, Either, Schema } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { AppConfig } from '../../src/config/schema.ts';
import { decodeConfig, loadConfigFile } from '../../src/config/load.ts';
import { dec } from '../../src/domain/money.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { clearKillFlag, writeKillFlag } from '../../src/runtime/killFlag.ts';
import type { VenueRuntime } from '../../src/runtime/VenueRuntime.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { ACCOUNT, startSimHarness, type SimHarness } from '../venues/bybit/simHarness.ts';

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const runtimeOver = (sim: SimHarness, journal: Journal): VenueRuntime => {
  const base = Schema.decodeUnknownSync(AppConfig)({});
  return makeTestRuntime({
    settings: testSettings({ symbols: ['BTCUSDT'], maxRepriceAttempts: 0, retry: { baseMs: 1, capMs: 5, maxAttempts: 3 }, seed: 1 }),
    venue: sim.venue, journal, scheduler: virtualScheduler(sim.clock), logger: createLogger({ level: 'silent', clock: sim.clock, targets: {} }),
    risk: makeRiskEngine({ ...base.risk, mode: 'PAPER' }),
  });
};

describe('X-RSK-1 kill switch', () => {
  it('cancels 100 working orders through the Bybit adapter on loopback well within 10 s, halts the actor, and stays engaged across a restart', async () => {
    h = await startSimHarness();
    const dir = mkdtempSync(join(tmpdir(), 'tw-kill-'));
    const journal = openJournal({ path: join(dir, 'journal.sqlite'), clock: h.clock });
    const runtime = runtimeOver(h, journal);
    await runtime.start();
    const mid = h.exchange.ticker('BTCUSDT').lastPrice;
    for (let i = 0; i < 100; i++) {
      const price = mid.times('0.9').minus(i).toDecimalPlaces(1);
      await Effect.runPromise(
        h.venue.placeOrder({ clientOrderId: `tw-k-${i}-0`, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.001'), price, timeInForce: 'gtc', reduceOnly: false }),
      );
    }
    expect(h.exchange.openOrders(ACCOUNT, 'BTCUSDT')).toHaveLength(100);
    const started = performance.now();
    const result = await runtime.kill.engage({ reason: 'drill', source: 'cli' });
    const wallMs = performance.now() - started;
    expect(result.cancelled).toBe(100);
    expect(h.exchange.openOrders(ACCOUNT, 'BTCUSDT')).toHaveLength(0);
    expect(wallMs).toBeLessThan(10_000);
    expect(runtime.host('BTCUSDT')!.snapshot().matches({ control: 'halted' })).toBe(true);
    expect([...journal.readEvents({ type: 'KILL_ENGAGED' })]).toHaveLength(1);
    await runtime.stop('test');

    // A new process on the same journal comes back halted: the state is persisted until an operator resumes.
    const again = runtimeOver(h, journal);
    await again.start();
    expect(again.state.killSwitch()).toMatchObject({ engaged: true, reason: 'drill', source: 'cli' });
    expect(again.host('BTCUSDT')!.snapshot().matches({ control: 'halted' })).toBe(true);
    again.kill.resume();
    expect(again.state.killSwitch().engaged).toBe(false);
    expect(again.host('BTCUSDT')!.snapshot().matches({ control: 'running' })).toBe(true);
    await again.stop('test');
    journal.close();
  });

  it('a kill flag in the data directory vetoes every proposal of a paper session until resume removes it', async () => {
    const loaded = loadConfigFile('config/default.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-killflag-'));
    writeKillFlag(dataDir, { reason: 'operator drill', flatten: false, setAt: 0 });
    const killed = await runSession({ config: loaded.right.config, configHash: loaded.right.hash, dataDir, version: 't', commit: null, progress: () => undefined });
    expect(killed.summary['ordersSent']).toBe(0);
    expect(Object.keys(killed.summary['vetoes'] as object)).toEqual(['kill_switch']);
    expect(clearKillFlag(dataDir)).toBe(true);
    const resumed = await runSession({ config: loaded.right.config, configHash: loaded.right.hash, dataDir, version: 't', commit: null, progress: () => undefined });
    expect(resumed.summary['ordersSent']).toBeGreaterThan(0);
  });
});

describe('X-MOD-1 DRY_RUN', () => {
  it('sends zero orders while every strategy decision is still made and logged', async () => {
    const loaded = loadConfigFile('config/default.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const raw = Schema.encodeSync(AppConfig)(loaded.right.config);
    const dry = decodeConfig('dry', { ...raw, mode: 'DRY_RUN' });
    if (Either.isLeft(dry)) throw new Error(dry.left.message);
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-dry-'));
    const r = await runSession({ config: dry.right.config, configHash: dry.right.hash, dataDir, version: 't', commit: null, progress: () => undefined });
    expect(r.summary['ordersSent']).toBe(0);
    expect(r.summary['fills']).toBe(0);
    expect(r.summary['dryRunOrders']).toBeGreaterThan(0);
    const journal = openJournal({ path: r.journals['main']!, clock: { now: () => 0 } });
    expect([...journal.readEvents({ type: 'ORDER_REQUESTED' })]).toHaveLength(0);
    journal.close();
  });
});

describe('X-RSK-3 drawdown and daily-loss breaker', () => {
  it('puts the account in Reducing once the daily loss passes its limit: no entry after it, working entries withdrawn, CRITICAL alert', async () => {
    const loaded = loadConfigFile('config/default.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const raw = Schema.encodeSync(AppConfig)(loaded.right.config) as { risk: Record<string, unknown> };
    const tight = decodeConfig('tight', { ...raw, risk: { ...raw.risk, drawdown: { ...(raw.risk['drawdown'] as object), dailyLossLimitFraction: 0.0005 } } });
    if (Either.isLeft(tight)) throw new Error(tight.left.message);
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-dd-'));
    const r = await runSession({ config: tight.right.config, configHash: tight.right.hash, dataDir, version: 't', commit: null, progress: () => undefined });
    const journal = openJournal({ path: r.journals['main']!, clock: { now: () => 0 } });
    const breach = [...journal.readEvents({ type: 'DRAWDOWN_BREACH' })];
    expect(breach).toHaveLength(1);
    expect(breach[0]!.payload).toMatchObject({ reason: 'daily_loss', limit: '0.0005' });
    // Reducing is not a kill: the switch stays off, exits and protections go on.
    expect([...journal.readEvents({ type: 'KILL_ENGAGED' })]).toHaveLength(0);
    const entriesAfter = [...journal.readEvents({ type: 'ORDER_REQUESTED', fromSeq: breach[0]!.seq })].filter((e) => (e.payload as { role: string }).role === 'entry');
    expect(entriesAfter).toHaveLength(0);
    expect((r.summary['vetoes'] as Record<string, number>)['reducing_only']).toBeGreaterThan(0);
    // Every refusal after the breach is a journaled RiskEngine decision.
    const vetoes = [...journal.readEvents({ type: 'RISK_DECISION', fromSeq: breach[0]!.seq })].map((e) => e.payload as { kind: string; veto_reason?: string });
    expect(vetoes.filter((v) => v.kind === 'veto' && v.veto_reason === 'reducing_only').length).toBeGreaterThan(0);
    journal.close();
    const { readFileSync } = await import('node:fs');
    const log = readFileSync(join(r.runDir, 'tradewarden.log.jsonl'), 'utf8');
    expect(log).toMatch(/"alert_key":"drawdown:daily_loss","severity":"CRITICAL"/);
    expect(log).toMatch(/"msg":"trading_state_reducing"/);
  });

  it('halts through the kill switch on a drawdown breach (session), with a CRITICAL alert', async () => {
    const loaded = loadConfigFile('config/default.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const raw = Schema.encodeSync(AppConfig)(loaded.right.config) as { risk: Record<string, unknown> };
    const tight = decodeConfig('tight', { ...raw, risk: { ...raw.risk, drawdown: { ...(raw.risk['drawdown'] as object), maxSessionDrawdownFraction: 0.0005 } } });
    if (Either.isLeft(tight)) throw new Error(tight.left.message);
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-dd2-'));
    const r = await runSession({ config: tight.right.config, configHash: tight.right.hash, dataDir, version: 't', commit: null, progress: () => undefined });
    const journal = openJournal({ path: r.journals['main']!, clock: { now: () => 0 } });
    const breach = [...journal.readEvents({ type: 'DRAWDOWN_BREACH' })];
    const kill = [...journal.readEvents({ type: 'KILL_ENGAGED' })];
    expect(breach).toHaveLength(1);
    expect((breach[0]!.payload as { reason: string }).reason).not.toBe('daily_loss');
    expect(kill).toHaveLength(1);
    expect(kill[0]!.payload).toMatchObject({ source: 'breaker' });
    const entriesAfter = [...journal.readEvents({ type: 'ORDER_REQUESTED', fromSeq: kill[0]!.seq })].filter((e) => (e.payload as { role: string }).role === 'entry');
    expect(entriesAfter).toHaveLength(0);
    expect((r.summary['vetoes'] as Record<string, number>)['kill_switch']).toBeGreaterThan(0);
    journal.close();
  });
});

describe('X-RSK-1 kill flag against a running instance', () => {
  it('engages within one poll (1 s of the run clock) after the flag appears, and resumes after it is removed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-killpoll-'));
    const { readKillFlag } = await import('../../src/runtime/killFlag.ts');
    const { makeHarness } = await import('./harness.ts');
    const hx = makeHarness({ killFlag: () => readKillFlag(dataDir) });
    await hx.runtime.start();
    expect(hx.runtime.state.killSwitch().engaged).toBe(false);
    writeKillFlag(dataDir, { reason: 'ops drill', flatten: false, setAt: 0 });
    hx.clock.advanceBy(1000);
    await hx.runtime.idle();
    expect(hx.runtime.state.killSwitch()).toMatchObject({ engaged: true, reason: 'ops drill', source: 'file' });
    expect(hx.runtime.host('BTCUSDT')!.snapshot().matches({ control: 'halted' })).toBe(true);
    clearKillFlag(dataDir);
    hx.clock.advanceBy(1000);
    await hx.runtime.idle();
    expect(hx.runtime.state.killSwitch().engaged).toBe(false);
    await hx.runtime.stop('test');
    hx.journal.close();
  });
});

describe('X-RSK-7 cooldowns survive a restart', () => {
  it('a new runtime on the same journal keeps vetoing entries of a symbol in its cooldown', async () => {
    const loaded = loadConfigFile('config/default.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const r = await runSession({ config: loaded.right.config, configHash: loaded.right.hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-cd-')), version: 't', commit: null, progress: () => undefined });
    const journal = openJournal({ path: r.journals['main']!, clock: { now: () => 0 } });
    const saved = journal.kvGet('cooldowns') as Record<string, { until: number; kind: string }>;
    expect(Object.keys(saved).length).toBeGreaterThan(0);
    const { makeHarness } = await import('./harness.ts');
    journal.close();
    // Restart: a fresh runtime over the same journal file restores them before the gate opens.
    const hx = makeHarness({ dir: r.runDir, journalPath: r.journals['main'] });
    await hx.runtime.prepare();
    for (const [symbol, v] of Object.entries(saved)) expect(hx.runtime.state.cooldowns(0)[symbol]).toEqual(v);
    hx.journal.close();
  });
});
