/**
 * The `scored-triggers` strategy (S3-5, S3-7) as a pure function on synthetic OHLCV: a symbol fires only at or above
 * the score threshold, the per-cycle cap keeps the highest scores with ties broken by symbol name, the minimum
 * conviction filters what fired, each lookback covers exactly its bars, held longs exit below the trailing low; its
 * config section enforces the policy bounds; and a run over bundled Coinbase BTC-USD minutes whose every proposal is
 * re-scored independently from the CSV text.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Either, Schema } from 'effect';
import { describe, expect, it } from 'vitest';
import { decodeConfig } from '../../src/config/load.ts';
import { ScoredTriggersSection, type ScoredTriggersParams } from '../../src/config/scoredTriggersSection.ts';
import { dec } from '../../src/domain/money.ts';
import type { BarView, HeldPosition, MarketSnapshot, SymbolMarket } from '../../src/market/MarketState.ts';
import { enabledStrategies, withStrategyOverrides } from '../../src/strategies/registry.ts';
import { scoredTriggersStrategy, triggerScore, type ScoredTriggersState } from '../../src/strategies/scoredTriggers/ScoredTriggers.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 2);
const TTL = 60_000;

/** Returns the section's defaults with overrides (decoded, so every bound applies). */
const params = (over: Record<string, unknown> = {}): ScoredTriggersParams => Schema.decodeUnknownSync(ScoredTriggersSection)({ enabled: true, ...over });

/** Equal weights and a 0.5 threshold: a full breakout alone scores exactly 0.5, a volume spike alone 0.5. */
const EVEN = { breakoutWeight: 1, volumeWeight: 1, scoreThreshold: 0.5, minConviction: 0, breakoutLookback: 5, volumeLookback: 5, volumeMultiple: 2, exitLookback: 3 };

interface BarSpec {
  readonly high?: number;
  readonly low?: number;
  readonly close?: number;
  readonly volume?: number;
}

const bar = (i: number, s: BarSpec = {}): BarView => {
  const close = s.close ?? 100;
  return { start: T0 + i * MINUTE, open: dec(close), high: dec(s.high ?? Math.max(101, close)), low: dec(s.low ?? Math.min(99, close)), close: dec(close), volume: dec(s.volume ?? 10) };
};

/** `count` quiet bars (range 99–101, volume 10), with `over` replacing some by index, then the newest bar `last`. */
const series = (count: number, last: BarSpec, over: Readonly<Record<number, BarSpec>> = {}): BarView[] => [
  ...Array.from({ length: count }, (_, i) => bar(i, over[i])),
  bar(count, last),
];

const symbolMarket = (symbol: string, bars: ReadonlyArray<BarView>): SymbolMarket => ({
  symbol, bars, lastPrice: bars.at(-1)?.close, markPrice: undefined, bid: undefined, ask: undefined, bidSize: undefined, askSize: undefined,
  quoteTs: undefined, lastBarCloseTs: undefined,
});

const snapshot = (bySymbol: Readonly<Record<string, ReadonlyArray<BarView>>>, positions?: ReadonlyMap<string, HeldPosition>): MarketSnapshot => {
  const symbols = new Map(Object.entries(bySymbol).map(([s, bars]) => [s, symbolMarket(s, bars)]));
  const newest = Math.max(...Object.values(bySymbol).map((b) => b.at(-1)?.start ?? 0));
  return { now: newest + MINUTE, symbols, positions };
};

const once = (p: ScoredTriggersParams, snap: MarketSnapshot, state?: ScoredTriggersState) => {
  const s = scoredTriggersStrategy(p, TTL);
  return s.propose(snap, state ?? s.init());
};

const long = (strategyId: string | undefined): HeldPosition => ({ side: 'long', quantity: dec(1), entryPrice: dec(100), strategyId });

describe('scored-triggers on synthetic OHLCV', () => {
  it('S3-7 fires exactly at the score threshold and not just below it', () => {
    const p = params(EVEN);
    // Range 99–101 (width 2): a close of 103 is one full width above the high (breakout 1, score 0.5 = threshold).
    const at = once(p, snapshot({ BTCUSD: series(5, { close: 103 }) }));
    expect(at.proposals).toHaveLength(1);
    expect(at.proposals[0]!.conviction).toBe(0.5);
    // 102.98 is 0.99 widths above: score 0.495 < 0.5.
    expect(triggerScore(series(5, { close: 102.98 }), p)?.score).toBeCloseTo(0.495, 12);
    expect(once(p, snapshot({ BTCUSD: series(5, { close: 102.98 }) })).proposals).toEqual([]);
    // A volume spike alone (20 = 2 × the mean of 10) scores 0.5 and fires; 19.99 is no spike.
    expect(once(p, snapshot({ BTCUSD: series(5, { volume: 20 }) })).proposals).toHaveLength(1);
    expect(once(p, snapshot({ BTCUSD: series(5, { volume: 19.99 }) })).proposals).toEqual([]);
    // Both: half a width above the high with a spike scores 0.75.
    const both = once(p, snapshot({ BTCUSD: series(5, { close: 102, volume: 30 }) }));
    expect(both.proposals[0]!.conviction).toBe(0.75);
  });

  it('S3-7 the default weights keep a breakout without volume below the default threshold', () => {
    const p = params({ breakoutLookback: 5, volumeLookback: 5 });
    // Weights 0.6 / 0.4, threshold 0.6: a full breakout alone is exactly 0.6 and fires; a spike alone (0.4) does not.
    expect(once(p, snapshot({ BTCUSD: series(5, { close: 110 }) })).proposals.map((x) => x.conviction)).toEqual([0.6]);
    expect(once(p, snapshot({ BTCUSD: series(5, { volume: 1_000 }) })).proposals).toEqual([]);
  });

  it('S3-7 S3-5 at most maxTriggersPerCycle entries: the highest scores, ties by symbol name, whatever the map order', () => {
    const p = params({ ...EVEN, maxTriggersPerCycle: 2 });
    // Scores: AAA 0.5 (full breakout), BBB 0.75, CCC 0.75, DDD 1 (full breakout + spike), EEE 0.25.
    const bars: Record<string, BarView[]> = {
      EEE: series(5, { close: 102 }),
      CCC: series(5, { close: 102, volume: 30 }),
      AAA: series(5, { close: 103 }),
      BBB: series(5, { close: 102, volume: 30 }),
      DDD: series(5, { close: 104, volume: 30 }),
    };
    const picked = once(p, snapshot(bars)).proposals.map((x) => [x.symbol, x.conviction]);
    expect(picked).toEqual([['DDD', 1], ['BBB', 0.75]]);
    const reversed = Object.fromEntries(Object.entries(bars).reverse());
    expect(once(p, snapshot(reversed)).proposals.map((x) => [x.symbol, x.conviction])).toEqual(picked);
    // With room for three, the tie at 0.75 is taken whole, BBB before CCC; EEE (0.25) is below the threshold anyway.
    const three = once(params({ ...EVEN, maxTriggersPerCycle: 3 }), snapshot(bars)).proposals.map((x) => x.symbol);
    expect(three).toEqual(['DDD', 'BBB', 'CCC']);
    const all = once(params({ ...EVEN, maxTriggersPerCycle: 10 }), snapshot(bars)).proposals.map((x) => x.symbol);
    expect(all).toEqual(['DDD', 'BBB', 'CCC', 'AAA']);
  });

  it('S3-5 a fired trigger below minConviction is not proposed; the conviction is the score', () => {
    const p = params({ ...EVEN, scoreThreshold: 0.3, minConviction: 0.8 });
    const bars = { AAA: series(5, { close: 103 }), BBB: series(5, { close: 102, volume: 30 }), CCC: series(5, { close: 104, volume: 30 }) };
    // AAA 0.5 and BBB 0.75 fire (≥ 0.3) but stay below 0.8; only CCC (1) becomes a proposal.
    const r = once(p, snapshot(bars));
    expect(r.proposals.map((x) => [x.symbol, x.conviction])).toEqual([['CCC', 1]]);
    const q = r.proposals[0]!;
    expect([q.side, q.instrumentKind, q.notionalFraction, q.stopLossFraction, q.takeProfitFraction, q.strategyId]).toEqual(['buy', 'spot', 0.05, 0.02, 0.04, 'scored-triggers']);
    expect(q.createdAt).toBe(T0 + 6 * MINUTE);
    expect(q.ttlMs).toBe(TTL);
  });

  it('S3-7 the breakout lookback covers exactly breakoutLookback previous bars', () => {
    const p = params({ ...EVEN, breakoutLookback: 5 });
    // Bars 0..5, newest 6: the range is bars 1..5. A high of 200 at bar 0 is outside it; at bar 1 it is inside.
    const outside = series(6, { close: 103 }, { 0: { high: 200 } });
    const inside = series(6, { close: 103 }, { 1: { high: 200 } });
    expect(triggerScore(outside, p)?.breakout).toBe(1);
    expect(triggerScore(inside, p)?.breakout).toBe(0);
    // Fewer than max(lookbacks) + 1 bars: nothing is judged.
    expect(triggerScore(series(4, { close: 103 }), p)).toBeUndefined();
    expect(once(p, snapshot({ BTCUSD: series(4, { close: 103, volume: 50 }) })).proposals).toEqual([]);
  });

  it('S3-7 the volume lookback averages exactly volumeLookback previous bars', () => {
    const p = params({ ...EVEN, breakoutLookback: 3, volumeLookback: 3 });
    // Newest bar 6 with volume 20; the mean is over bars 3..5. A volume of 100 at bar 2 is outside (mean 10: spike),
    // at bar 3 inside (mean 40: no spike).
    expect(triggerScore(series(6, { volume: 20 }, { 2: { volume: 100 } }), p)?.volumeSpike).toBe(true);
    expect(triggerScore(series(6, { volume: 20 }, { 3: { volume: 100 } }), p)?.volumeSpike).toBe(false);
    // A zero-volume bar after zero-volume bars is no spike (0 ≥ 2 × 0 must not count).
    const silent = { 0: { volume: 0 }, 1: { volume: 0 }, 2: { volume: 0 }, 3: { volume: 0 }, 4: { volume: 0 }, 5: { volume: 0 } };
    expect(triggerScore(series(6, { volume: 0 }, silent), p)?.volumeSpike).toBe(false);
    expect(triggerScore(series(6, { volume: 1 }, silent), p)?.volumeSpike).toBe(true);
  });

  it('S3-7 a held long it opened exits on a close below the trailing low; others are left alone and no entry is doubled', () => {
    const p = params(EVEN);
    // exitLookback 3: lows of bars 3..5 are 99; a close of 98.9 is below them, 99 is not.
    const below = { BTCUSD: series(6, { close: 98.9 }) };
    const mine = new Map([['BTCUSD', long('scored-triggers')]]);
    const exit = once(p, snapshot(below, mine)).proposals;
    expect(exit.map((x) => [x.side, x.notionalFraction, x.proposalId])).toEqual([['sell', 1, `scored-triggers-x-BTCUSD-${String(T0 + 6 * MINUTE)}`]]);
    expect(once(p, snapshot({ BTCUSD: series(6, { close: 99 }) }, mine)).proposals).toEqual([]);
    expect(once(p, snapshot(below, new Map([['BTCUSD', long('sma-cross')]]))).proposals).toEqual([]);
    expect(once(p, snapshot(below, new Map([['BTCUSD', long(undefined)]]))).proposals).toEqual([]);
    // A breakout on a symbol already held proposes nothing.
    expect(once(p, snapshot({ BTCUSD: series(6, { close: 104, volume: 30 }) }, mine)).proposals).toEqual([]);
  });

  it('S3-7 judges each bar once and is deterministic', () => {
    const p = params(EVEN);
    const snap = snapshot({ BTCUSD: series(5, { close: 104, volume: 30 }) });
    const first = once(p, snap);
    expect(first.proposals).toHaveLength(1);
    expect(once(p, snap, first.state).proposals).toEqual([]);
    expect(once(p, snap)).toEqual(first);
  });
});

describe('scored-triggers config', () => {
  it('S3-5 refuses stop and take-profit distances outside the policy bounds, and two zero weights, with readable errors', () => {
    const bad = decodeConfig('x', { strategies: { 'scored-triggers': { stopLossFraction: '60%' } } });
    expect(Either.isLeft(bad) && bad.left.message).toMatch(/stopLossFraction[\s\S]*\(0, 0\.5\]/);
    const zero = decodeConfig('x', { strategies: { 'scored-triggers': { takeProfitFraction: 0 } } });
    expect(Either.isLeft(zero) && zero.left.message).toMatch(/takeProfitFraction/);
    const weights = decodeConfig('x', { strategies: { 'scored-triggers': { breakoutWeight: 0, volumeWeight: 0 } } });
    expect(Either.isLeft(weights) && weights.left.message).toMatch(/cannot both be 0/);
  });

  it('S3-7 is registered, disabled by default, and takes --strategy / --param overrides', () => {
    const base = decodeConfig('x', {});
    if (Either.isLeft(base)) throw new Error(base.left.message);
    const skipped: string[] = [];
    expect(enabledStrategies(base.right.config, (id) => skipped.push(id)).map((s) => s.id)).not.toContain('scored-triggers');
    expect(skipped).toContain('scored-triggers');
    const over = withStrategyOverrides(base.right.config, { strategy: 'scored-triggers', params: ['scoreThreshold=0.7', 'maxTriggersPerCycle=1'] });
    if (Either.isLeft(over)) throw new Error(over.left);
    expect(over.right.strategies['scored-triggers']).toMatchObject({ enabled: true, scoreThreshold: 0.7, maxTriggersPerCycle: 1 });
    expect(enabledStrategies(over.right).map((s) => s.id)).toEqual(['scored-triggers']);
    const refused = withStrategyOverrides(base.right.config, { strategy: 'scored-triggers', params: ['breakoutLookback=0'] });
    expect(Either.isLeft(refused) && refused.left).toMatch(/breakoutLookback/);
  });
});

describe('scored-triggers on real data', () => {
  const FILE = fileURLToPath(new URL('../../data/crypto-1m/coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv', import.meta.url));
  const rows = readFileSync(FILE, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));

  /** An independent re-scoring from the CSV text in plain numbers: the section's formula, written again. */
  const rescore = (i: number, p: ScoredTriggersParams): number => {
    const num = (r: number, c: number): number => Number(rows[r]![c]);
    let high = -Infinity;
    let low = Infinity;
    for (let k = i - p.breakoutLookback; k < i; k++) {
      high = Math.max(high, num(k, 3));
      low = Math.min(low, num(k, 4));
    }
    const close = num(i, 5);
    const breakout = close > high ? (high === low ? 1 : Math.min(1, (close - high) / (high - low))) : 0;
    let sum = 0;
    for (let k = i - p.volumeLookback; k < i; k++) sum += num(k, 6);
    const spike = num(i, 6) > 0 && num(i, 6) >= (p.volumeMultiple * sum) / p.volumeLookback ? 1 : 0;
    return (p.breakoutWeight * breakout + p.volumeWeight * spike) / (p.breakoutWeight + p.volumeWeight);
  };

  it('S3-7 over Coinbase BTC-USD 2018-04-04..06 every proposal re-scores at or above the threshold, and every such bar proposed', () => {
    const p = params();
    const strategy = scoredTriggersStrategy(p, TTL);
    const bars: BarView[] = rows.map((f) => ({ start: Number(f[1]), open: dec(f[2]!), high: dec(f[3]!), low: dec(f[4]!), close: dec(f[5]!), volume: dec(f[6]!) }));
    const indexOf = new Map(bars.map((b, i) => [b.start, i]));
    let state = strategy.init();
    const fired: number[] = [];
    for (let i = 0; i < bars.length; i++) {
      // The runtime's snapshot holds at most the last 500 closed bars.
      const step = strategy.propose(snapshot({ BTCUSD: bars.slice(Math.max(0, i - 499), i + 1) }), state);
      state = step.state;
      for (const q of step.proposals) {
        expect(q.side).toBe('buy');
        const at = indexOf.get(Number(q.proposalId.split('-').at(-1)))!;
        expect(at).toBe(i);
        const score = rescore(at, p);
        expect(score).toBeGreaterThanOrEqual(p.scoreThreshold - 1e-12);
        expect(q.conviction).toBeCloseTo(score, 9);
        fired.push(at);
      }
    }
    const expected: number[] = [];
    for (let i = Math.max(p.breakoutLookback, p.volumeLookback); i < rows.length; i++) if (rescore(i, p) >= p.scoreThreshold) expected.push(i);
    expect(fired).toEqual(expected);
    // 53 bars of the 3 887 fire with the defaults: each a close above the 20-bar high (a spike alone scores 0.4).
    expect(fired.length).toBe(53);
    for (const i of fired) expect(Number(rows[i]![5])).toBeGreaterThan(Math.max(...rows.slice(i - 20, i).map((r) => Number(r[3]))));
  });
});
