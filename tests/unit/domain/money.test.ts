import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { DecimalParseError, dec, maxDec, minDec, parseDecimal, sumDec, ZERO } from '../../../src/domain/money.ts';
import { decodeTradeProposal } from '../../../src/domain/TradeProposal.ts';
import { ConfigError, SafetyRefusal } from '../../../src/domain/errors.ts';

describe('money', () => {
  it('parses decimal literals exactly and refuses anything else with a typed error', () => {
    expect(dec('0.1').plus(dec('0.2')).toString()).toBe('0.3');
    expect(dec(' 1e-3 ').toString()).toBe('0.001');
    expect(() => dec('12abc')).toThrow(DecimalParseError);
    expect(() => dec(Number.NaN)).toThrow(DecimalParseError);
    expect(parseDecimal('x')).toBeUndefined();
    expect(parseDecimal('-2.5')?.toString()).toBe('-2.5');
  });

  it('keeps 40 significant digits so price × quantity is exact', () => {
    expect(dec('17199.123456789').times(dec('123.456789123')).toString()).toBe('2123348.557705242375706047');
  });

  it('min, max and sum work on decimals', () => {
    expect(minDec(dec(1), dec(2)).toString()).toBe('1');
    expect(maxDec(dec(1), dec(2)).toString()).toBe('2');
    expect(sumDec([dec('0.1'), dec('0.2'), dec('0.3')]).toString()).toBe('0.6');
    expect(sumDec([]).eq(ZERO)).toBe(true);
  });
});

describe('S3-5 TradeProposal', () => {
  const valid = {
    proposalId: 'p-1', strategyId: 'breakout', symbol: 'BTCUSDT', side: 'buy', instrumentKind: 'perp',
    notionalFraction: 0.05, stopLossFraction: 0.004, takeProfitFraction: 0.006, conviction: 0.5, createdAt: 1670889600000, ttlMs: 60000,
  };
  it('decodes a valid proposal', () => {
    expect(Either.isRight(decodeTradeProposal(valid))).toBe(true);
  });
  it('rejects every bad field at once', () => {
    const r = decodeTradeProposal({ ...valid, side: 'long', notionalFraction: 1.5, symbol: 'btc usdt' });
    expect(Either.isLeft(r)).toBe(true);
    if (Either.isLeft(r)) {
      const text = r.left.message;
      expect(text).toContain('side');
      expect(text).toContain('notionalFraction');
      expect(text).toContain('symbol');
    }
  });
});

describe('domain errors', () => {
  it('format readable messages', () => {
    expect(new ConfigError({ file: 'a.yaml', issues: [{ path: 'x.y', message: 'bad' }] }).message).toBe('invalid config a.yaml:\n  - x.y: bad');
    expect(new SafetyRefusal({ code: 'c', detail: 'd' }).message).toBe('c: d');
  });
});
