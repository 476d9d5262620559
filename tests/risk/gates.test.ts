/**
 * Helpers of the gate rules: the clock-skew latch (X-CLK-2), trading windows across midnight and DST (X-MOD-5,
 * X-CLK-5), cooldown arithmetic (X-RSK-7), exposure valuation (X-RSK-4) and the σ measure (X-RSK-8).
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { cooldownUntil, isInsideTradingWindows, nextClockSkewBlocked, sigmaJump } from '../../src/risk/checks/index.ts';
import { computeExposure, workingOrderWorstNotional } from '../../src/risk/exposure.ts';
import { makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { NOW, config, market, portfolio, proposal, symbolMarket } from './fixtures.ts';

const cfg = makeRiskConfig();

describe('clock skew latch', () => {
  it('X-CLK-2 drifting to 300 ms blocks; 150 ms stays blocked; back to 80 ms resumes', () => {
    let blocked = false;
    const engine = makeRiskEngine(config());
    const decide = (offsetMs: number) => engine.check(proposal(), portfolio(), market({ clock: { offsetMs, skewBlocked: blocked } }), NOW).kind;
    for (const [offset, want, decision] of [
      [40, false, 'approve'],
      [250, false, 'approve'],
      [300, true, 'veto'],
      [150, true, 'veto'],
      [101, true, 'veto'],
      [80, false, 'approve'],
      [-260, true, 'veto'],
      [-100, false, 'approve'],
    ] as const) {
      blocked = nextClockSkewBlocked(blocked, offset, cfg.clock);
      expect(blocked).toBe(want);
      expect(decide(offset)).toBe(decision);
    }
  });
});

describe('trading windows', () => {
  it('X-MOD-5 a window wrapping midnight belongs to the day it opens on', () => {
    const w = [{ start: '22:00', end: '02:00', days: [5] }]; // Friday night only
    const at = (day: number, h: number, m = 0) => Date.UTC(2026, 10, day, h, m);
    expect(isInsideTradingWindows(at(27, 22), 'UTC', w)).toBe(true); // Fri 22:00
    expect(isInsideTradingWindows(at(28, 1, 59), 'UTC', w)).toBe(true); // Sat 01:59
    expect(isInsideTradingWindows(at(28, 2), 'UTC', w)).toBe(false); // Sat 02:00
    expect(isInsideTradingWindows(at(28, 22), 'UTC', w)).toBe(false); // Sat 22:00
    expect(isInsideTradingWindows(at(27, 1), 'UTC', w)).toBe(false); // Fri 01:00 (Thursday's night)
  });

  it('X-CLK-5 a 09:30 America/New_York window opens at 14:30 UTC in winter and 13:30 UTC in summer', () => {
    const w = [{ start: '09:30', end: '16:00' }];
    expect(isInsideTradingWindows(Date.UTC(2026, 0, 15, 14, 30), 'America/New_York', w)).toBe(true);
    expect(isInsideTradingWindows(Date.UTC(2026, 0, 15, 13, 30), 'America/New_York', w)).toBe(false);
    expect(isInsideTradingWindows(Date.UTC(2026, 6, 15, 13, 30), 'America/New_York', w)).toBe(true);
    expect(isInsideTradingWindows(Date.UTC(2026, 6, 15, 20, 0), 'America/New_York', w)).toBe(false);
  });

  it('an exit is allowed outside the windows', () => {
    const c = config({ tradingWindows: { timeZone: 'UTC', windows: [{ start: '00:00', end: '00:01' }] } });
    const pos = { symbol: 'BTCUSDT', side: 'long' as const, quantity: dec(1), entryPrice: dec(100), markPrice: dec(100), stopLoss: undefined };
    const engine = makeRiskEngine(c);
    expect(engine.check(proposal(), portfolio(), market(), NOW).kind).toBe('veto');
    expect(engine.check(proposal({ side: 'sell' }), portfolio({ positions: [pos] }), market(), NOW).kind).toBe('approve');
  });
});

describe('cooldowns', () => {
  it('X-RSK-7 S3-10 uses separate durations after a fill and after a stop', () => {
    const c = makeRiskConfig({ cooldowns: { afterFillMs: 60_000, afterStopMs: 600_000 } });
    expect(cooldownUntil(c, 'fill', 1_000)).toBe(61_000);
    expect(cooldownUntil(c, 'stop', 1_000)).toBe(601_000);
  });

  it('X-RSK-7 a cooldown persisted as `until` survives a restart (a fresh engine still refuses inside it)', () => {
    const persisted = JSON.parse(JSON.stringify({ BTCUSDT: { until: cooldownUntil(cfg, 'stop', NOW - 1_000), kind: 'stop' } })) as Record<string, { until: number; kind: 'stop' }>;
    const restarted = makeRiskEngine(config());
    expect(restarted.check(proposal(), portfolio({ cooldowns: persisted }), market(), NOW).kind).toBe('veto');
    expect(restarted.check(proposal({ createdAt: NOW + cfg.cooldowns.afterStopMs - 1_000 }), portfolio({ cooldowns: persisted, accountSnapshotTs: NOW + cfg.cooldowns.afterStopMs - 1_000 }), market({ symbols: { BTCUSDT: symbolMarket('BTCUSDT', { quoteTs: NOW + cfg.cooldowns.afterStopMs - 1_000, lastBarCloseTs: NOW + cfg.cooldowns.afterStopMs - 1_000 }) } }), NOW + cfg.cooldowns.afterStopMs - 1_000).kind).toBe('approve');
  });
});

describe('exposure', () => {
  it('X-RSK-4 values a working buy at the higher of its limit and the market, a market order at the market', () => {
    const o = { symbol: 'X', side: 'buy' as const, quantity: dec(2), price: dec(90), reduceOnly: false, strategyId: 's' };
    expect(workingOrderWorstNotional(o, dec(100))?.toString()).toBe('200');
    expect(workingOrderWorstNotional({ ...o, price: dec(110) }, dec(100))?.toString()).toBe('220');
    expect(workingOrderWorstNotional({ ...o, price: undefined }, dec(100))?.toString()).toBe('200');
    expect(workingOrderWorstNotional({ ...o, price: undefined }, undefined)).toBeUndefined();
  });

  it('X-RSK-4 an unpriceable working order blocks entries instead of counting as zero', () => {
    const wo = { symbol: 'GHOSTUSDT', side: 'buy' as const, quantity: dec(1), price: undefined, reduceOnly: false, strategyId: 's' };
    const pf = portfolio({ workingOrders: [wo] });
    expect(computeExposure(pf, market()).unpriced).toEqual(['GHOSTUSDT']);
    const r = makeRiskEngine(config()).check(proposal(), pf, market(), NOW);
    expect(r.kind === 'veto' && r.veto.capType).toBe('total_unpriced');
  });
});

describe('sigma measure', () => {
  it('X-RSK-8 ignores samples outside the 60 s window', () => {
    const samples = [
      { ts: NOW - 120_000, mid: dec(50), volume: dec(1) },
      { ts: NOW - 2_000, mid: dec(100), volume: dec(1) },
      { ts: NOW - 1_000, mid: dec(101), volume: dec(1) },
      { ts: NOW, mid: dec(100), volume: dec(1) },
    ];
    expect(sigmaJump(samples, NOW, cfg.marketQuality)).toEqual({ lastChange: -1, sigma: 0, samples: 1 });
  });
});
