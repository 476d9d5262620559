/**
 * The risk config schema (X-SEC-8, X-SEC-9, C-2): every numeric default the requirements name for the risk rules is a
 * key with that default; percent fields accept fractions and "N%" (bare percents are refused); invalid values name their path.
 */
import { Either, ParseResult } from 'effect';
import { describe, expect, it } from 'vitest';
import { PercentFraction, decodeRiskConfig, makeRiskConfig } from '../../src/risk/RiskConfig.ts';
import { Schema } from 'effect';

const failurePaths = (raw: unknown): string[] => {
  const r = decodeRiskConfig(raw);
  if (Either.isRight(r)) return [];
  return ParseResult.ArrayFormatter.formatErrorSync(r.left).map((i) => i.path.join('.'));
};

describe('RiskConfig defaults', () => {
  it('X-SEC-8 names every requirement default as a key with that value', () => {
    const c = makeRiskConfig();
    expect(c.mode).toBe('DRY_RUN'); // X-MOD-1
    expect(c.staleness).toEqual({ quoteMaxAgeMs: 5_000, barMaxAgeMs: 90_000, accountMaxAgeMs: 90_000 }); // X-RSK-2, S4-2
    expect(c.clock).toEqual({ startGateMs: 100, blockAboveMs: 250, resumeAtOrBelowMs: 100 }); // X-CLK-1/2
    expect(c.marketQuality.sigmaLimit).toBe(6); // X-RSK-8
    expect(c.marketQuality.sigmaWindowMs).toBe(60_000);
    expect(c.marketQuality.jumpWithoutVolumeFraction).toBe(0.1);
    expect(c.marketQuality.maxSpreadFraction).toBe(0.015); // S2-10
    expect(c.caps.maxPositionFraction).toBe(0.05); // S3-9
    expect(c.caps.maxTotalAtRiskFraction).toBe(0.15); // S3-9
    expect(c.caps.groupCapFraction).toBe(0.1); // S3-3
    expect(c.caps.maxTradeFraction).toBe(0.06); // S4-4
    expect(c.caps.tierCaps).toEqual({ CORE: 0.3, SATELLITE: 0.2, TACTICAL: 0.1, ALT_EXT: 0.05 }); // S4-3
    expect(c.regimes).toEqual({ bull: 1.2, chop: 1.0, bear: 0.6, crash: 0.0 }); // S3-4
    expect(c.capacity).toEqual({ maxConcurrentTrades: 100, maxOpenPositions: 5 }); // S0-6, S2-5
    expect(c.defaultStrategyBudget.maxTradesPerCycle).toBe(4); // S2-5 (≤ 4 per round)
    expect(c.leverage.swingLeverage.toString()).toBe('6'); // S0-4
    expect(c.leverage.dynamicMinLeverage.toString()).toBe('7.5');
    expect(c.leverage.autoStopLossFraction).toBe(0.02); // S0-5
    expect(c.leverage.autoStopLossLeverage.toString()).toBe('10');
    expect(c.fees.makerRate).toBe(0.004); // S3-12
    expect(c.fees.takerRate).toBe(0.006);
    expect(c.drawdown.dailyLossLimitFraction).toBe(0.05); // S2-4
    expect(c.killSwitch.flatten).toBe(false); // C-19
    expect(c.allowShorts).toBe(false); // S3-8
    expect(c.dependencies.onDown).toBe('pause'); // C-6
  });

  it('round-trips through its encoded form', () => {
    const c = makeRiskConfig({ caps: { maxPositionFraction: '7%' }, leverage: { swingLeverage: '6' } });
    expect(makeRiskConfig(JSON.parse(JSON.stringify(c)) as never)).toEqual(c);
  });
});

describe('PercentFraction', () => {
  const decode = Schema.decodeUnknownEither(PercentFraction);
  it('X-SEC-9 loads 0.05 and "5%" as 0.05 and rejects the ambiguous bare 5 and 500', () => {
    for (const raw of [0.05, '5%']) expect(decode(raw)).toEqual(Either.right(0.05));
    expect(Either.isLeft(decode(5))).toBe(true);
    expect(Either.isLeft(decode(500))).toBe(true);
    expect(Either.isLeft(decode('-5%'))).toBe(true);
    expect(() => makeRiskConfig({ drawdown: { dailyLossLimitFraction: 5 } })).toThrow(/ambiguous/);
  });
});

describe('RiskConfig validation', () => {
  it('X-SEC-8 reports the path of every invalid value', () => {
    const paths = failurePaths({ caps: { maxPositionFraction: 500 }, staleness: { quoteMaxAgeMs: -1 }, tradingWindows: { timeZone: 'Mars/Olympus' } });
    expect(paths).toEqual(expect.arrayContaining(['caps.maxPositionFraction', 'staleness.quoteMaxAgeMs', 'tradingWindows.timeZone']));
  });

  it('C-2 lets a profile tighten the clock limits but never loosen them', () => {
    expect(makeRiskConfig({ clock: { blockAboveMs: 200, resumeAtOrBelowMs: 50 } }).clock.blockAboveMs).toBe(200);
    expect(failurePaths({ clock: { blockAboveMs: 400 } })).toContain('clock');
    expect(failurePaths({ clock: { startGateMs: 150 } })).toContain('clock');
    expect(failurePaths({ clock: { blockAboveMs: 250 } })).toEqual([]);
  });

  it('rejects a malformed trading window and an unknown leverage mode', () => {
    expect(failurePaths({ tradingWindows: { windows: [{ start: '9:30', end: '16:00' }] } })).toContain('tradingWindows.windows.0.start');
    expect(failurePaths({ leverage: { defaultMode: 'FAST' } })).toContain('leverage.defaultMode');
    expect(failurePaths({ fees: { takerRate: 1 } })).toContain('fees');
    expect(failurePaths({ tradingWindows: { windows: [{ start: '22:00', end: '02:00', days: [5] }] } })).toEqual([]);
  });
});
