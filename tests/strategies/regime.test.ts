/**
 * The regime classifier (S3-4, src/market/regime.ts) on synthetic price paths, one per regime, with the crash window
 * and the typed refusals; its readings on bundled Coinbase BTC-USD minutes checked against an independent
 * recomputation; and the classified regime fed to the RiskEngine's market view changing the size it approves.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import type { BarView } from '../../src/market/MarketState.ts';
import { classifyRegime, DEFAULT_REGIME_PARAMS, regimeBarsNeeded, type RegimeParams, type RegimeReading } from '../../src/market/regime.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { NOW, config, market, portfolio, proposal } from '../risk/fixtures.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2024, 0, 2);

/** Bars whose closes are `closes`; each bar's high and low sit 0.01 % around its close. */
const path = (closes: ReadonlyArray<number>): BarView[] =>
  closes.map((c, i) => ({ start: T0 + i * MINUTE, open: dec(c), high: dec(c * 1.0001), low: dec(c * 0.9999), close: dec(c), volume: dec(1) }));

const N = regimeBarsNeeded(DEFAULT_REGIME_PARAMS); // 260 with the defaults

const regimeOf = (r: RegimeReading): string => (r.kind === 'classified' ? r.regime : `unclassified:${r.reason}`);

describe('classifyRegime on synthetic paths', () => {
  it('S3-4 a steady rise is bull, a steady fall bear, a flat oscillation chop', () => {
    const rise = path(Array.from({ length: N }, (_, i) => 100 + 0.01 * i));
    const fall = path(Array.from({ length: N }, (_, i) => 100 - 0.01 * i));
    const chop = path(Array.from({ length: N }, (_, i) => 100 + 0.5 * Math.sin(i / 5)));
    expect(regimeOf(classifyRegime(rise))).toBe('bull');
    expect(regimeOf(classifyRegime(fall))).toBe('bear');
    expect(regimeOf(classifyRegime(chop))).toBe('chop');
    const r = classifyRegime(rise);
    // SMA(200) rose by 60 × 0.01 over 60 bars, from its value 60 bars earlier (closes 0..199, mean 100.995).
    if (r.kind !== 'classified') throw new Error(r.message);
    expect(r.slopeFraction).toBeCloseTo(0.6 / (100 + 0.01 * 99.5), 9);
  });

  it('S3-4 a rising SMA with the close back below it is not bull (chop)', () => {
    const closes = Array.from({ length: N }, (_, i) => 100 + 0.01 * i);
    closes[N - 1] = 100; // below SMA(200) ≈ 101.6, a 2.6 % drop: no crash
    expect(regimeOf(classifyRegime(path(closes)))).toBe('chop');
  });

  it('S3-4 a drop beyond crashDrawdownFraction within crashBars is crash; the same drop spread wider is not', () => {
    // Flat at 100, then 6 % down over the last 30 bars: 6 % below the 60-bar high.
    const sudden = path([...Array.from({ length: N - 30 }, () => 100), ...Array.from({ length: 30 }, (_, i) => 100 - 0.2 * (i + 1))]);
    const reading = classifyRegime(sudden);
    expect(regimeOf(reading)).toBe('crash');
    if (reading.kind === 'classified') expect(reading.drawdownFraction).toBeGreaterThanOrEqual(0.05);
    // 6 % over the last 120 bars: only 3 % of it inside the 60-bar window, a falling SMA: bear.
    const slow = path([...Array.from({ length: N - 120 }, () => 100), ...Array.from({ length: 120 }, (_, i) => 100 - 0.05 * (i + 1))]);
    expect(regimeOf(classifyRegime(slow))).toBe('bear');
    // A crash even while the SMA still rises: the drop check comes first.
    const closes = Array.from({ length: N }, (_, i) => 100 + 0.05 * i);
    closes[N - 1] = closes[N - 2]! * 0.94;
    expect(regimeOf(classifyRegime(path(closes)))).toBe('crash');
  });

  it('S3-4 refuses too few bars, bad parameters and non-positive prices with a typed reason, never a throw', () => {
    expect(classifyRegime(path(Array.from({ length: N - 1 }, () => 100)))).toEqual({ kind: 'unclassified', reason: 'insufficient_bars', message: `needs ${String(N)} closed bars, has ${String(N - 1)}` });
    const bad: RegimeParams = { ...DEFAULT_REGIME_PARAMS, smaBars: 0, crashDrawdownFraction: 1.5 };
    const r = classifyRegime(path([100]), bad);
    expect(r.kind === 'unclassified' && r.reason).toBe('invalid_params');
    expect(r.kind === 'unclassified' && r.message).toMatch(/smaBars must be a whole number ≥ 1, got 0; crashDrawdownFraction must be a fraction in \(0, 1\), got 1.5/);
    const zero = path(Array.from({ length: N }, () => 100));
    zero[10] = { ...zero[10]!, close: dec(0) };
    expect(regimeOf(classifyRegime(zero))).toBe('unclassified:invalid_bars');
  });
});

describe('classifyRegime on real data', () => {
  const FILE = fileURLToPath(new URL('../../data/crypto-1m/coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv', import.meta.url));
  const rows = readFileSync(FILE, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
  const bars: BarView[] = rows.map((f) => ({ start: f[1]!, open: dec(f[2]!), high: dec(f[3]!), low: dec(f[4]!), close: dec(f[5]!), volume: dec(f[6]!) }));

  it('S3-4 over Coinbase BTC-USD 2018-04-04..06 each reading matches an independent recomputation from the CSV', () => {
    // A 3 % crash threshold: the file's largest 60-minute drop is about 4 %, so every regime shows up.
    const p: RegimeParams = { ...DEFAULT_REGIME_PARAMS, crashDrawdownFraction: 0.03 };
    const seen = new Map<string, number>();
    for (let i = N - 1; i < rows.length; i += 7) {
      // The runtime's buffer: the last 500 closed bars.
      const r = classifyRegime(bars.slice(Math.max(0, i - 499), i + 1), p);
      if (r.kind !== 'classified') throw new Error(r.message);
      const close = rows[i]![5]!;
      const mean = (end: number) => rows.slice(end - 200, end).reduce((a, f) => a + f[5]!, 0) / 200;
      const sma = mean(i + 1);
      const slope = (sma - mean(i + 1 - 60)) / mean(i + 1 - 60);
      const high = Math.max(...rows.slice(i - 59, i + 1).map((f) => f[3]!));
      const drawdown = (high - close) / high;
      const want = drawdown >= 0.03 ? 'crash' : slope >= 0.002 && close > sma ? 'bull' : slope <= -0.002 && close < sma ? 'bear' : 'chop';
      expect(r.regime).toBe(want);
      expect(r.slopeFraction).toBeCloseTo(slope, 9);
      expect(r.drawdownFraction).toBeCloseTo(drawdown, 9);
      seen.set(r.regime, (seen.get(r.regime) ?? 0) + 1);
    }
    // BTC fell from about 7 420 to 6 620 over the file: every regime is read somewhere along the way.
    expect([...seen.keys()].sort()).toEqual(['bear', 'bull', 'chop', 'crash']);
  });
});

describe('the classified regime and the RiskEngine', () => {
  it('S3-4 a market view carrying the classified regime sizes an entry 1.2 × in bull and 0 (zero_size) in crash', () => {
    const engine = makeRiskEngine(config({ caps: { allowDownscale: false } }));
    const rise = classifyRegime(path(Array.from({ length: N }, (_, i) => 100 + 0.01 * i)));
    const crash = classifyRegime(path([...Array.from({ length: N - 30 }, () => 100), ...Array.from({ length: 30 }, (_, i) => 100 - 0.2 * (i + 1))]));
    if (rise.kind !== 'classified' || crash.kind !== 'classified') throw new Error('expected both paths classified');
    const bull = engine.check(proposal(), portfolio(), market({ regime: rise.regime }), NOW);
    const chop = engine.check(proposal(), portfolio(), market({ regime: 'chop' }), NOW);
    const down = engine.check(proposal(), portfolio(), market({ regime: crash.regime }), NOW);
    // 1 % of NAV 100 000 at 100: 10 in chop, 12 in bull; crash vetoes with the regime named.
    expect(chop.kind === 'approve' && chop.order.quantity.toString()).toBe('10');
    expect(bull.kind === 'approve' && bull.order.quantity.toString()).toBe('12');
    expect(down.kind === 'veto' && [down.veto.reason, down.veto.capType, down.veto.limit]).toEqual(['zero_size', 'regime', 'crash']);
  });
});
