/**
 * S2-10's liquidity filters on quotes built around real bundled US-equity minute closes (SPY and BAC, 2013-10-04…11):
 * the RiskEngine never approves an entry when the spread is above 1.5 % of the price or when the best bid or ask size is
 * 0, and approves the same entry at exactly 1.5 % with both sides quoted. (The price 2–100 USD, daily-volume
 * ≥ 1,000,000 and slippage filters of S2-10 are the `equityFilters` and `slippage` rules, off by default and so off
 * here; tests/risk/equityFilters.test.ts proves them, on the same bundled bars among others.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dec, type Decimal } from '../../src/domain/money.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { NOW, config, instrument, market, portfolio, proposal, symbolMarket } from '../risk/fixtures.ts';

/** Every 97th regular-session close of a bundled minute file. */
const closes = (file: string): Decimal[] =>
  readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).filter((f) => f[7] === 'rth').filter((_, i) => i % 97 === 0).map((f) => dec(f[5]!));

const engine = makeRiskEngine(config({ caps: { allowDownscale: false } }));
const judge = (symbol: string, mid: Decimal, halfSpread: string, sizes: { bid: string; ask: string }) => {
  const h = dec(halfSpread);
  const sm = symbolMarket(symbol, { instrument: instrument(symbol), bid: mid.times(dec(1).minus(h)), ask: mid.times(dec(1).plus(h)), last: mid, bidSize: dec(sizes.bid), askSize: dec(sizes.ask) });
  return engine.check(proposal({ symbol }), portfolio(), market({ symbols: { [symbol]: sm } }), NOW);
};

describe('S2-10 liquidity filters on real US-equity prices', () => {
  for (const [symbol, file] of [['SPY', 'data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv'], ['BAC', 'data/us-equity-1m/BAC_1m_2013-10-04_2013-10-11.csv']] as const) {
    it(`S2-10 ${symbol}: a spread of exactly 1.5 % is traded, 1.52 % is not; a best bid or ask size of 0 is never traded`, () => {
      const mids = closes(file);
      expect(mids.length).toBeGreaterThan(10);
      for (const mid of mids) {
        const ok = judge(symbol, mid, '0.0075', { bid: '10', ask: '10' });
        expect(ok.kind, `${symbol} at ${mid.toString()}`).toBe('approve');
        const wide = judge(symbol, mid, '0.0076', { bid: '10', ask: '10' });
        expect(wide.kind === 'veto' && [wide.veto.reason, wide.veto.capType, wide.veto.limit]).toEqual(['market_quality', 'spread', '0.015']);
        for (const sizes of [{ bid: '0', ask: '10' }, { bid: '10', ask: '0' }]) {
          const empty = judge(symbol, mid, '0.0075', sizes);
          expect(empty.kind === 'veto' && [empty.veto.reason, empty.veto.capType]).toEqual(['market_quality', 'zero_size']);
        }
      }
    });
  }
});
