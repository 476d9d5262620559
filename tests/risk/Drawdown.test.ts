/**
 * Drawdown breaker (X-RSK-3, S2-4): daily loss across local day boundaries in Europe/Stockholm and America/New_York
 * (incl. DST), rolling and session drawdown, the latch, serialization, and the engine's veto on a breach.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import {
  clearDrawdownBreach,
  decodeDrawdownState,
  drawdownMeasures,
  encodeDrawdownState,
  initDrawdown,
  localDayKey,
  recordEquity,
  startSession,
  type DrawdownState,
} from '../../src/risk/Drawdown.ts';
import { makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { NOW, market, portfolio, proposal } from './fixtures.ts';

const cfg = makeRiskConfig().drawdown;
const utc = (mo: number, day: number, h: number, mi = 0) => Date.UTC(2026, mo - 1, day, h, mi);

const feed = (s: DrawdownState, points: ReadonlyArray<readonly [number, string]>): DrawdownState =>
  points.reduce((acc, [ts, eq]) => recordEquity(acc, dec(eq), ts, cfg).state, s);

describe('localDayKey', () => {
  it('X-CLK-5 follows DST in America/New_York (local midnight at 05:00 UTC in EST, 04:00 UTC in EDT)', () => {
    expect(localDayKey(utc(3, 8, 4, 59), 'America/New_York')).toBe('2026-03-07');
    expect(localDayKey(utc(3, 8, 5, 0), 'America/New_York')).toBe('2026-03-08');
    expect(localDayKey(utc(3, 9, 3, 59), 'America/New_York')).toBe('2026-03-08');
    expect(localDayKey(utc(3, 9, 4, 0), 'America/New_York')).toBe('2026-03-09');
  });

  it('X-CLK-5 follows DST in Europe/Stockholm (local midnight at 23:00 UTC in CET, 22:00 UTC in CEST)', () => {
    expect(localDayKey(utc(3, 28, 22, 59), 'Europe/Stockholm')).toBe('2026-03-28');
    expect(localDayKey(utc(3, 28, 23, 0), 'Europe/Stockholm')).toBe('2026-03-29');
    expect(localDayKey(utc(3, 29, 21, 59), 'Europe/Stockholm')).toBe('2026-03-29');
    expect(localDayKey(utc(3, 29, 22, 0), 'Europe/Stockholm')).toBe('2026-03-30');
  });
});

describe('daily loss across a day boundary', () => {
  // The same equity path in three zones: 23:30 UTC on 23 Nov is already 24 Nov in Stockholm, still 23 Nov in UTC/New York.
  const path: ReadonlyArray<readonly [number, string]> = [
    [utc(11, 23, 22, 30), '97000'],
    [utc(11, 23, 23, 30), '96000'],
    [utc(11, 23, 23, 45), '95000'],
  ];

  it('S2-4 X-RSK-3 Europe/Stockholm starts a new day at local midnight from the last equity before it', () => {
    const s = feed(initDrawdown(dec('100000'), utc(11, 23, 10), 'Europe/Stockholm'), path);
    expect(s.dayKey).toBe('2026-11-24');
    expect(s.dayStartEquity.toString()).toBe('97000');
    expect(drawdownMeasures(s).dailyLoss.toString()).toBe(dec(2000).div(97000).toString());
    expect(s.breach).toBeUndefined();
  });

  it('S2-4 X-RSK-3 America/New_York keeps the day: exactly 5 % passes, one unit more trips daily_loss', () => {
    const s = feed(initDrawdown(dec('100000'), utc(11, 23, 10), 'America/New_York'), path);
    expect(s.dayKey).toBe('2026-11-23');
    expect(drawdownMeasures(s).dailyLoss.toString()).toBe('0.05');
    expect(s.breach).toBeUndefined();
    const r = recordEquity(s, dec('94999'), utc(11, 23, 23, 50), cfg);
    expect(r.tripped).toEqual({ reason: 'daily_loss', observed: '0.05001', limit: '0.05', at: utc(11, 23, 23, 50) });
    // A new local day in New York (05:00 UTC) resets the daily measure but the breach stays latched.
    const next = recordEquity(r.state, dec('94999'), utc(11, 24, 5, 1), cfg);
    expect(next.state.dayKey).toBe('2026-11-24');
    expect(drawdownMeasures(next.state).dailyLoss.toString()).toBe('0');
    expect(next.state.breach?.reason).toBe('daily_loss');
    expect(next.tripped).toBeUndefined();
    expect(clearDrawdownBreach(next.state).breach).toBeUndefined();
  });
});

describe('rolling and session drawdown', () => {
  it('X-RSK-3 trips session drawdown beyond 10 % from the session peak', () => {
    const sessionOnly = { ...cfg, dailyLossLimitFraction: 1, maxRollingDrawdownFraction: 1 };
    let s = initDrawdown(dec('100000'), utc(11, 23, 10), 'UTC');
    s = recordEquity(s, dec('120000'), utc(11, 23, 11), sessionOnly).state;
    const at = recordEquity(s, dec('108000'), utc(11, 23, 12), sessionOnly);
    expect(at.tripped).toBeUndefined();
    expect(drawdownMeasures(at.state).sessionDrawdown.toString()).toBe('0.1');
    const beyond = recordEquity(at.state, dec('107999'), utc(11, 23, 13), sessionOnly);
    expect(beyond.tripped).toEqual({ reason: 'session_drawdown', observed: dec(12001).div(120000).toString(), limit: '0.1', at: utc(11, 23, 13) });
  });

  it('X-RSK-3 measures rolling drawdown only against peaks inside the window', () => {
    const tight = { ...cfg, rollingWindowMs: 3_600_000, maxSessionDrawdownFraction: 1, dailyLossLimitFraction: 1 };
    let s = initDrawdown(dec('110'), utc(11, 23, 10), 'UTC');
    s = recordEquity(s, dec('100'), utc(11, 23, 10, 30), tight).state;
    expect(drawdownMeasures(s).rollingDrawdown.toString()).toBe(dec(10).div(110).toString());
    s = recordEquity(s, dec('100'), utc(11, 23, 12), tight).state;
    expect(drawdownMeasures(s).rollingDrawdown.toString()).toBe('0');
    expect(drawdownMeasures(s).sessionDrawdown.toString()).toBe(dec(10).div(110).toString());
    expect(recordEquity(s, dec('89.99'), utc(11, 23, 12, 30), tight).tripped?.reason).toBe('rolling_drawdown');
  });

  it('startSession resets the session peak and keeps a latched breach', () => {
    const tripped = recordEquity(initDrawdown(dec('100'), NOW, 'UTC'), dec('80'), NOW + 1, cfg).state;
    const s = startSession(tripped, dec('80'), NOW + 2);
    expect(drawdownMeasures(s).sessionDrawdown.toString()).toBe('0');
    expect(s.breach).toBeDefined();
  });

  it('ignores points older than the last one', () => {
    const s = initDrawdown(dec('100'), NOW, 'UTC');
    expect(recordEquity(s, dec('1'), NOW - 1, cfg).state).toBe(s);
  });
});

describe('serialization', () => {
  it('round-trips through JSON and behaves identically afterwards', () => {
    let s = initDrawdown(dec('100000'), utc(11, 23, 10), 'Europe/Stockholm');
    s = feed(s, [[utc(11, 23, 11), '101000.5'], [utc(11, 23, 12), '99000.25']]);
    const restored = decodeDrawdownState(JSON.parse(JSON.stringify(encodeDrawdownState(s))));
    expect(encodeDrawdownState(restored)).toEqual(encodeDrawdownState(s));
    const a = recordEquity(s, dec('93000'), utc(11, 23, 13), cfg);
    const b = recordEquity(restored, dec('93000'), utc(11, 23, 13), cfg);
    expect(b.tripped).toEqual(a.tripped);
    expect(a.tripped?.reason).toBe('daily_loss');
    expect(() => decodeDrawdownState({ ...encodeDrawdownState(s), sessionPeak: 'lots' })).toThrow();
  });
});

describe('engine integration', () => {
  it('X-RSK-3 no new entry after a breach: a drawdown halts (drawdown_breach), a daily loss reduces (reducing_only)', () => {
    const s = recordEquity(initDrawdown(dec('100000'), NOW - 10_000, 'UTC'), dec('94000'), NOW - 5_000, cfg).state;
    const engine = makeRiskEngine(makeRiskConfig({ mode: 'PAPER' }));
    const r = engine.check(proposal(), portfolio({ drawdown: s }), market(), NOW);
    expect(r.kind === 'veto' && r.veto.reason).toBe(s.breach?.reason === 'daily_loss' ? 'reducing_only' : 'drawdown_breach');
    expect(s.breach).toBeDefined();
    expect(engine.check(proposal(), portfolio({ drawdown: clearDrawdownBreach(s) }), market(), NOW).kind).toBe('approve');
  });
});
