/**
 * Kill switch state (X-RSK-1, C-19, S2-15): transitions, critical-error counting, the effects the runtime must
 * perform, serialization round-trip, and the engine refusing everything while engaged.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import {
  decodeKillSwitchState,
  encodeKillSwitchState,
  engageKill,
  initialKillSwitch,
  killEffects,
  recordCriticalError,
  resumeKill,
  type KillSwitchState,
} from '../../src/risk/KillSwitch.ts';
import { makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import type { PositionView, WorkingOrderView } from '../../src/risk/views.ts';
import { NOW, market, portfolio, proposal } from './fixtures.ts';

const cfg = makeRiskConfig().killSwitch;

const order = (symbol: string, reduceOnly: boolean): WorkingOrderView => ({ symbol, side: 'sell', quantity: dec(1), price: dec(100), reduceOnly, strategyId: 's' });
const position = (symbol: string, qty: string): PositionView => ({ symbol, side: 'long', quantity: dec(qty), entryPrice: dec(100), markPrice: dec(100), stopLoss: dec(98) });

describe('KillSwitch', () => {
  it('X-RSK-1 engages with reason, source and time; a second engage keeps the first reason but may add flatten', () => {
    const a = engageKill(initialKillSwitch, { reason: 'operator', source: 'api', at: NOW }, cfg);
    expect(a).toMatchObject({ engaged: true, reason: 'operator', source: 'api', since: NOW, flatten: false });
    const b = engageKill(a, { reason: 'file flag', source: 'file', at: NOW + 5, flatten: true }, cfg);
    expect(b).toMatchObject({ engaged: true, reason: 'operator', source: 'api', since: NOW, flatten: true });
    expect(resumeKill(b)).toEqual(initialKillSwitch);
  });

  it('C-19 takes flatten from the profile when the request does not say (S2 sets true)', () => {
    const s2 = makeRiskConfig({ killSwitch: { flatten: true } }).killSwitch;
    expect(engageKill(initialKillSwitch, { reason: 'x', source: 'cli', at: NOW }, s2).flatten).toBe(true);
  });

  it('S2-15 X-RSK-1 the 5th critical error inside 60 s engages the switch with source critical_errors', () => {
    let s: KillSwitchState = initialKillSwitch;
    for (let i = 0; i < 4; i++) {
      const r = recordCriticalError(s, NOW + i * 10_000, cfg);
      expect(r.tripped).toBe(false);
      s = r.state;
    }
    const fifth = recordCriticalError(s, NOW + 59_999, cfg);
    expect(fifth.tripped).toBe(true);
    expect(fifth.state).toMatchObject({ engaged: true, source: 'critical_errors', since: NOW + 59_999 });
  });

  it('S2-15 errors spread wider than the window never trip it', () => {
    let s: KillSwitchState = initialKillSwitch;
    for (let i = 0; i < 20; i++) {
      const r = recordCriticalError(s, NOW + i * 15_000, cfg);
      expect(r.tripped).toBe(false);
      s = r.state;
    }
    expect(s.criticalErrors.length).toBe(4);
  });

  it('X-RSK-1 effects: cancel working entries and orphaned reduce-only orders, keep protections of open positions', () => {
    const book = {
      positions: [position('BTCUSDT', '1'), position('ETHUSDT', '0')],
      workingOrders: [order('BTCUSDT', true), order('BTCUSDT', false), order('ETHUSDT', true), order('SOLUSDT', false)],
    };
    expect(killEffects(initialKillSwitch, book)).toBeUndefined();
    const fx = killEffects(engageKill(initialKillSwitch, { reason: 'r', source: 'file', at: NOW }, cfg), book);
    expect(fx?.keep).toEqual([book.workingOrders[0]]);
    expect(fx?.cancel).toEqual([book.workingOrders[1], book.workingOrders[2], book.workingOrders[3]]);
    expect(fx?.flatten).toEqual([]);
    expect(fx?.alert.severity).toBe('CRITICAL');
    const flat = killEffects(engageKill(initialKillSwitch, { reason: 'r', source: 'file', at: NOW, flatten: true }, cfg), book);
    expect(flat?.flatten.map((p) => p.symbol)).toEqual(['BTCUSDT']);
    expect(flat?.keep).toEqual([book.workingOrders[0]]);
  });

  it('round-trips through JSON (halt_reason + ts persisted)', () => {
    const s = recordCriticalError(engageKill(initialKillSwitch, { reason: 'daily loss', source: 'breaker', at: NOW }, cfg), NOW + 1, cfg).state;
    const back = decodeKillSwitchState(JSON.parse(JSON.stringify(encodeKillSwitchState(s))));
    expect(back).toEqual(s);
    expect(decodeKillSwitchState(JSON.parse(JSON.stringify(encodeKillSwitchState(initialKillSwitch))))).toEqual(initialKillSwitch);
    expect(() => decodeKillSwitchState({ ...encodeKillSwitchState(s), source: 'telepathy' })).toThrow();
  });

  it('X-RSK-1 the engine refuses entries and exits while engaged, and approves again after resume', () => {
    const engine = makeRiskEngine(makeRiskConfig({ mode: 'PAPER' }));
    const killed = engageKill(initialKillSwitch, { reason: 'flag', source: 'file', at: NOW - 1 }, cfg);
    const entry = engine.check(proposal(), portfolio({ kill: killed }), market(), NOW);
    expect(entry.kind === 'veto' && entry.veto.reason).toBe('kill_switch');
    const exit = engine.check(proposal({ side: 'sell' }), portfolio({ kill: killed, positions: [position('BTCUSDT', '1')] }), market(), NOW);
    expect(exit.kind === 'veto' && exit.veto.reason).toBe('kill_switch');
    expect(engine.check(proposal(), portfolio({ kill: resumeKill(killed) }), market(), NOW).kind).toBe('approve');
  });
});
