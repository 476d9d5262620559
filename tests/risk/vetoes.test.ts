/**
 * Veto follow-ups: the typed error (X-ORD-10 CapacityExceeded) and the alert a safety veto raises (X-RSK-2
 * STALENESS, X-NTF-3 dedupe keys), driven from real engine decisions.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { CapacityExceeded, RiskVeto, alertForVeto, vetoError } from '../../src/risk/vetoes.ts';
import { NOW, config, market, portfolio, proposal, symbolMarket } from './fixtures.ts';

const vetoOf = (r: ReturnType<ReturnType<typeof makeRiskEngine>['check']>) => {
  if (r.kind !== 'veto') throw new Error('expected a veto');
  return r.veto;
};

describe('veto follow-ups', () => {
  it('X-ORD-10 a full capacity cap yields a typed CapacityExceeded and a WARN alarm', () => {
    const positions = ['A', 'B', 'C', 'D', 'E'].map((s) => ({ symbol: `${s}USDT`, side: 'long' as const, quantity: dec('0.001'), entryPrice: dec(100), markPrice: dec(100), stopLoss: undefined }));
    const v = vetoOf(makeRiskEngine(config()).check(proposal(), portfolio({ positions }), market(), NOW));
    const e = vetoError('p-1', v);
    expect(e).toBeInstanceOf(CapacityExceeded);
    expect(e._tag).toBe('CapacityExceeded');
    expect(alertForVeto('BTCUSDT', v)).toMatchObject({ key: 'capacity_exceeded:BTCUSDT', severity: 'WARN' });
  });

  it('X-RSK-2 a stale quote raises a STALENESS alert keyed per symbol', () => {
    const v = vetoOf(makeRiskEngine(config()).check(proposal(), portfolio(), market({ symbols: { BTCUSDT: symbolMarket('BTCUSDT', { quoteTs: NOW - 6_000 }) } }), NOW));
    expect(vetoError('p-1', v)).toBeInstanceOf(RiskVeto);
    expect(alertForVeto('BTCUSDT', v)).toMatchObject({ key: 'staleness:BTCUSDT', severity: 'WARN', fields: { veto_reason: 'staleness_quote', current: '6000', limit: '5000' } });
    expect(alertForVeto('BTCUSDT', v)?.message).toMatch(/^STALENESS/);
  });

  it('X-RSK-1 a kill-switch veto is CRITICAL; a cooldown veto raises nothing', () => {
    const kill = vetoOf(makeRiskEngine(config()).check(proposal(), portfolio({ kill: { engaged: true, reason: 'flag' } }), market(), NOW));
    expect(alertForVeto('BTCUSDT', kill)?.severity).toBe('CRITICAL');
    const cool = vetoOf(makeRiskEngine(config()).check(proposal(), portfolio({ cooldowns: { BTCUSDT: { until: NOW + 1, kind: 'fill' } } }), market(), NOW));
    expect(alertForVeto('BTCUSDT', cool)).toBeUndefined();
  });
});
