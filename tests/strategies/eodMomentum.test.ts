/**
 * S2-8 / S2-9 / S2-1 / S2-5: the `eod-momentum` strategy (src/strategies/eodMomentum/EodMomentum.ts) on hand-built
 * minute bars — its 14:30–15:55 ET entry window in winter (EST) and summer (EDT), both modes, the VIX gate open,
 * closed, missing and stale, the one-trade-per-ticker-per-day blocklist, bearish setups as long inverse ETFs, the
 * 15:55 ET hard close, the S2-5 split of one cycle's entries and the config refusals — then one pass over a week of
 * real SPY minute bars (data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv) checking facts any run must keep.
 */
import { Either, Schema } from 'effect';
import { DateTime } from 'luxon';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOhlcvCsv } from '../../src/backtest/data/ohlcv.ts';
import { EodMomentumSection, type EodMomentumParams } from '../../src/config/eodMomentumSection.ts';
import { dec } from '../../src/domain/money.ts';
import type { TradeProposal } from '../../src/domain/TradeProposal.ts';
import type { BarView, HeldPosition, MarketSnapshot, SymbolMarket } from '../../src/market/MarketState.ts';
import { eodMomentumStrategy, newYorkDay, type EodMomentumState } from '../../src/strategies/eodMomentum/EodMomentum.ts';
import { strategyEntry } from '../../src/strategies/registry.ts';

const MIN = 60_000;
const WINTER = '2024-01-17'; // a Wednesday on EST (UTC−5)
const SUMMER = '2024-07-17'; // a Wednesday on EDT (UTC−4)
const NEXT_SUMMER_DAY = '2024-07-18';

/** Epoch ms of a New York wall time. */
const ny = (date: string, hhmm: string): number => DateTime.fromISO(`${date}T${hhmm}`, { zone: 'America/New_York' }).toMillis();

const params = (over: Record<string, unknown> = {}): EodMomentumParams => Schema.decodeUnknownSync(EodMomentumSection)({ enabled: true, ...over });

const bar = (start: number, open: number, close: number, extra = 0.01): BarView => ({
  start, open: dec(open), close: dec(close), high: dec(Math.max(open, close) + extra), low: dec(Math.min(open, close) - extra), volume: dec(1000),
});

/** Minute bars from 09:30 New York time until (not including) `until`, the close of minute i being `price(i)`. */
const dayBars = (date: string, until: string, price: (i: number) => number): BarView[] => {
  const out: BarView[] = [];
  for (let t = ny(date, '09:30'), i = 0; t < ny(date, until); t += MIN, i++) out.push(bar(t, i === 0 ? price(0) : price(i - 1), price(i)));
  return out;
};

/** A steady climb from 100 by `perMinute` each minute (every bar green). */
const rising = (date: string, until: string, perMinute = 0.005) => dayBars(date, until, (i) => 100 + perMinute * (i + 1));
/** A steady fall from 100 (every bar red). */
const falling = (date: string, until: string, perMinute = 0.005) => dayBars(date, until, (i) => 100 - perMinute * (i + 1));

const market = (symbol: string, bars: ReadonlyArray<BarView>, lastBarCloseTs?: number): SymbolMarket => ({
  symbol, bars, lastPrice: bars.at(-1)?.close, markPrice: undefined, bid: undefined, ask: undefined, bidSize: undefined, askSize: undefined,
  quoteTs: undefined, lastBarCloseTs,
});

/** A VIX reading whose last bar closed at `closedAt`. */
const vix = (value: number, closedAt: number): BarView[] => [bar(closedAt - MIN, value, value, 0)];

/** A snapshot at the close of the newest bar of the first symbol (or `now`), with VIX 20 fresh unless given. */
const snapshotOf = (
  symbols: Readonly<Record<string, ReadonlyArray<BarView>>>,
  opts: { readonly now?: number; readonly vix?: ReadonlyArray<BarView> | null; readonly positions?: Readonly<Record<string, HeldPosition>> } = {},
): MarketSnapshot => {
  const first = Object.values(symbols)[0]?.at(-1);
  const now = opts.now ?? (first === undefined ? 0 : first.start + MIN);
  const all = new Map<string, SymbolMarket>(Object.entries(symbols).map(([s, b]) => [s, market(s, b)]));
  if (opts.vix !== null) all.set('VIX', market('VIX', opts.vix ?? vix(20, now)));
  return { now, symbols: all, positions: opts.positions === undefined ? undefined : new Map(Object.entries(opts.positions)) };
};

const held = (strategyId = 'eod-momentum'): HeldPosition => ({ side: 'long', quantity: dec(10), entryPrice: dec(100), strategyId });

const run = (p: EodMomentumParams, snapshot: MarketSnapshot, state?: EodMomentumState) => {
  const s = eodMomentumStrategy(p, 60_000);
  return s.propose(snapshot, state ?? s.init());
};
const brief = (ps: ReadonlyArray<TradeProposal>) => ps.map((x) => `${x.side} ${x.symbol} ${x.instrumentKind} ${String(x.notionalFraction)}`);

describe('S2-8 New York window, DST-correct', () => {
  it('S2-8 the window opens at 14:30 ET: 19:30Z on EST, 18:30Z on EDT; the hard close is 15:55 ET', () => {
    expect(newYorkDay(ny(WINTER, '12:00')).windowStart).toBe(Date.UTC(2024, 0, 17, 19, 30));
    expect(newYorkDay(ny(SUMMER, '12:00')).windowStart).toBe(Date.UTC(2024, 6, 17, 18, 30));
    expect(newYorkDay(ny(WINTER, '12:00')).hardClose).toBe(Date.UTC(2024, 0, 17, 20, 55));
    expect(newYorkDay(ny(SUMMER, '12:00')).hardClose).toBe(Date.UTC(2024, 6, 17, 19, 55));
  });

  for (const date of [WINTER, SUMMER]) {
    it(`S2-8 on ${date} a trend at 14:29 ET is not traded, at 14:30 ET it is, at 15:55 ET it is not`, () => {
      const before = run(params(), snapshotOf({ SPY: rising(date, '14:28') }));
      expect(before.proposals).toEqual([]);
      expect(before.state.gate).toEqual({ open: false, reason: 'outside_window' });
      const inside = run(params(), snapshotOf({ SPY: rising(date, '14:30') }));
      expect(brief(inside.proposals)).toEqual(['buy SPY equity 0.3']);
      expect(inside.proposals[0]!.stopLossFraction).toBe(0.02);
      expect(inside.proposals[0]!.createdAt).toBe(ny(date, '14:30'));
      expect(run(params(), snapshotOf({ SPY: rising(date, '15:55') })).proposals).toEqual([]);
      expect(run(params(), snapshotOf({ SPY: rising(date, '15:54') })).proposals).toHaveLength(1);
    });
  }

  it('S2-8 proposes nothing on a Saturday inside the clock window', () => {
    const saturday = '2024-07-20';
    expect(run(params(), snapshotOf({ SPY: rising(saturday, '14:40') })).proposals).toEqual([]);
  });

  it('S2-8 judges a bar once: the same snapshot twice proposes once', () => {
    const s = eodMomentumStrategy(params(), 60_000);
    const snap = snapshotOf({ SPY: rising(SUMMER, '14:35') });
    const first = s.propose(snap, s.init());
    expect(first.proposals).toHaveLength(1);
    expect(s.propose(snap, first.state).proposals).toEqual([]);
    // Pure: equal inputs, equal outputs.
    expect(s.propose(snap, s.init())).toEqual(first);
  });
});

describe('S2-8 trend and fade modes', () => {
  it('S2-8 trend buys the ticker on a rise above VWAP of at least trendMoveMin and ignores a smaller one', () => {
    expect(brief(run(params({ mode: 'trend' }), snapshotOf({ SPY: rising(SUMMER, '14:40') })).proposals)).toEqual(['buy SPY equity 0.3']);
    // 0.001 a minute for 310 minutes: +0.31 %, under the 0.5 % default.
    expect(run(params({ mode: 'trend' }), snapshotOf({ SPY: rising(SUMMER, '14:40', 0.00001) })).proposals).toEqual([]);
  });

  it('S2-1 S2-8 trend on a fall buys the mapped inverse ETF, side buy, instrumentKind inverse_etf', () => {
    const step = run(params({ mode: 'trend' }), snapshotOf({ SPY: falling(SUMMER, '14:40') }));
    expect(brief(step.proposals)).toEqual(['buy SH inverse_etf 0.3']);
    expect(step.proposals.every((p) => p.side === 'buy')).toBe(true);
  });

  it('S2-1 a bearish setup without a mapping is not traded and is recorded as no_inverse_etf', () => {
    const step = run(params({ inverseEtfs: { QQQ: 'PSQ' } }), snapshotOf({ SPY: falling(SUMMER, '14:40') }));
    expect(step.proposals).toEqual([]);
    expect(step.state.skipped).toEqual([{ symbol: 'SPY', direction: 'bearish', reason: 'no_inverse_etf' }]);
  });

  /** Flat at 100 until 14:00, a spike of 0.05 a minute to 101.45, then one red bar closing `lastClose` at 14:30. */
  const spikeUp = (date: string, lastClose: number): BarView[] => {
    const bars = dayBars(date, '14:30', (i) => (i < 270 ? 100 : 100 + 0.05 * (i - 269)));
    const prev = bars.at(-1)!;
    return [...bars, bar(ny(date, '14:30'), prev.close.toNumber(), lastClose)];
  };
  const spikeDown = (date: string, lastClose: number): BarView[] => {
    const bars = dayBars(date, '14:30', (i) => (i < 270 ? 100 : 100 - 0.05 * (i - 269)));
    const prev = bars.at(-1)!;
    return [...bars, bar(ny(date, '14:30'), prev.close.toNumber(), lastClose)];
  };

  it('S2-8 fade buys the inverse ETF when a spike up reverses and the trend mode sees nothing there', () => {
    const snap = snapshotOf({ SPY: spikeUp(SUMMER, 101.1) });
    expect(brief(run(params({ mode: 'fade' }), snap).proposals)).toEqual(['buy SH inverse_etf 0.3']);
    expect(run(params({ mode: 'trend' }), snap).proposals).toEqual([]);
  });

  it('S2-8 fade needs the pull-back: a red bar still within fadePullbackMin of the high is not a reversal', () => {
    // 101.45 × (1 − 0.0025) ≈ 101.20: a close at 101.3 has not pulled back enough.
    expect(run(params({ mode: 'fade' }), snapshotOf({ SPY: spikeUp(SUMMER, 101.3) })).proposals).toEqual([]);
  });

  it('S2-8 fade needs a recent spike: a high 29 bars before the judged bar is faded with the default fadeLookbackBars 30, not with 29', () => {
    // Up 0.05 a minute from 13:30 to 14:00, down 0.01 a minute since (the 14:01 bar's high, 101.51, is the day's last
    // high), then a red bar at 14:30.
    const bars = dayBars(SUMMER, '14:30', (i) => (i < 240 ? 100 : i <= 270 ? 100 + 0.05 * (i - 240) : 101.5 - 0.01 * (i - 270)));
    const snap = snapshotOf({ SPY: [...bars, bar(ny(SUMMER, '14:30'), bars.at(-1)!.close.toNumber(), 101.1)] });
    expect(brief(run(params({ mode: 'fade' }), snap).proposals)).toEqual(['buy SH inverse_etf 0.3']);
    expect(run(params({ mode: 'fade', fadeLookbackBars: 29 }), snap).proposals).toEqual([]);
  });

  it('S2-8 fade buys the ticker when a spike down reverses, and a steady climb is not a fade', () => {
    expect(brief(run(params({ mode: 'fade' }), snapshotOf({ SPY: spikeDown(SUMMER, 98.9) })).proposals)).toEqual(['buy SPY equity 0.3']);
    expect(run(params({ mode: 'fade' }), snapshotOf({ SPY: rising(SUMMER, '14:40') })).proposals).toEqual([]);
  });
});

describe('S2-8 VIX gate', () => {
  const spy = rising(SUMMER, '14:40');
  const now = ny(SUMMER, '14:40');

  it('S2-8 open at VIX 15 (the minimum) and above', () => {
    const step = run(params(), snapshotOf({ SPY: spy }, { vix: vix(15, now) }));
    expect(step.proposals).toHaveLength(1);
    expect(step.state.gate).toEqual({ open: true, vix: '15' });
  });

  it('S2-8 closed below vixMin: no entries, reason vix_below_min', () => {
    const step = run(params(), snapshotOf({ SPY: spy }, { vix: vix(14.99, now) }));
    expect(step.proposals).toEqual([]);
    expect(step.state.gate).toEqual({ open: false, reason: 'vix_below_min', vix: '14.99' });
    expect(run(params({ vixMin: 14 }), snapshotOf({ SPY: spy }, { vix: vix(14.99, now) })).proposals).toHaveLength(1);
  });

  it('S2-8 closed when the VIX symbol is missing: reason vix_missing', () => {
    const step = run(params(), snapshotOf({ SPY: spy }, { vix: null }));
    expect(step.proposals).toEqual([]);
    expect(step.state.gate).toEqual({ open: false, reason: 'vix_missing' });
    expect(run(params(), snapshotOf({ SPY: spy }, { vix: [] })).state.gate).toEqual({ open: false, reason: 'vix_missing' });
  });

  it('S2-8 closed when the last VIX bar is older than vixMaxAgeMs: reason vix_stale', () => {
    const step = run(params(), snapshotOf({ SPY: spy }, { vix: vix(25, now - 5 * MIN - 1) }));
    expect(step.proposals).toEqual([]);
    expect(step.state.gate).toEqual({ open: false, reason: 'vix_stale', vix: '25' });
    expect(run(params(), snapshotOf({ SPY: spy }, { vix: vix(25, now - 5 * MIN) })).proposals).toHaveLength(1);
  });

  it('S2-8 reads VIX from the configured vixSymbol and never trades it', () => {
    const snap: MarketSnapshot = { now, symbols: new Map([['SPY', market('SPY', spy)], ['^VIX', market('^VIX', vix(20, now))]]) };
    expect(run(params(), snap).state.gate).toEqual({ open: false, reason: 'vix_missing' });
    expect(brief(run(params({ vixSymbol: '^VIX' }), snap).proposals)).toEqual(['buy SPY equity 0.3']);
  });
});

describe('S2-9 ticker blocklist', () => {
  it('S2-9 a second signal for the ticker the same New York day is blocklisted; the next day it is accepted', () => {
    const s = eodMomentumStrategy(params(), 60_000);
    const first = s.propose(snapshotOf({ SPY: rising(SUMMER, '14:35') }), s.init());
    expect(first.proposals).toHaveLength(1);
    const second = s.propose(snapshotOf({ SPY: rising(SUMMER, '14:36') }), first.state);
    expect(second.proposals).toEqual([]);
    expect(second.state.skipped).toEqual([{ symbol: 'SPY', direction: 'bullish', reason: 'blocklisted' }]);
    expect(second.state.traded).toEqual(['SPY']);
    const nextDay = s.propose(snapshotOf({ SPY: rising(NEXT_SUMMER_DAY, '14:35') }), second.state);
    expect(brief(nextDay.proposals)).toEqual(['buy SPY equity 0.3']);
    expect(nextDay.state.day).toBe(NEXT_SUMMER_DAY);
  });

  it('S2-9 a bearish trade blocklists the ticker and its inverse ETF for the day', () => {
    const s = eodMomentumStrategy(params(), 60_000);
    const bear = s.propose(snapshotOf({ SPY: falling(SUMMER, '14:35') }), s.init());
    expect(brief(bear.proposals)).toEqual(['buy SH inverse_etf 0.3']);
    expect(bear.state.traded).toEqual(['SPY', 'SH']);
    // Later the same day SPY turns bullish: still one trade per ticker.
    const bull = s.propose(snapshotOf({ SPY: rising(SUMMER, '14:50') }), bear.state);
    expect(bull.proposals).toEqual([]);
    expect(bull.state.skipped).toEqual([{ symbol: 'SPY', direction: 'bullish', reason: 'blocklisted' }]);
  });
});

describe('S2-8 hard close at 15:55 ET', () => {
  for (const date of [WINTER, SUMMER]) {
    it(`S2-8 on ${date} its own longs are kept at 15:54 ET and proposed for exit from 15:55 ET`, () => {
      const positions = { SPY: held(), SH: held(), QQQ: held('breakout') };
      expect(run(params(), snapshotOf({ SPY: rising(date, '15:54') }, { positions })).proposals).toEqual([]);
      const close = run(params(), snapshotOf({ SPY: rising(date, '15:55') }, { positions }));
      expect(brief(close.proposals)).toEqual(['sell SH inverse_etf 1', 'sell SPY equity 1']);
      expect(close.proposals.every((p) => p.createdAt === ny(date, '15:55'))).toBe(true);
    });
  }

  it('S2-8 keeps proposing the exit while the position is still open (after 16:00 and on the next morning)', () => {
    const positions = { SPY: held() };
    expect(run(params(), snapshotOf({}, { now: ny(SUMMER, '16:10'), positions })).proposals).toHaveLength(1);
    expect(run(params(), snapshotOf({}, { now: ny(NEXT_SUMMER_DAY, '09:31'), positions })).proposals).toHaveLength(1);
  });
});

describe('S2-5 S2-8 allocation of one cycle', () => {
  it('S2-5 two signals in one cycle split allocationFraction 60/40 in ticker order', () => {
    const step = run(params(), snapshotOf({ QQQ: rising(SUMMER, '14:40'), SPY: rising(SUMMER, '14:40') }));
    expect(step.proposals.map((p) => [p.symbol, p.notionalFraction])).toEqual([['QQQ', 0.18], ['SPY', 0.12]]);
  });

  it('C-20 a fifth signal in one cycle is recorded as round_full; the four share 40/20/20/20', () => {
    const symbols = Object.fromEntries(['AAA', 'BBB', 'CCC', 'DDD', 'EEE'].map((s) => [s, rising(SUMMER, '14:40')]));
    const step = run(params({ allocationFraction: 0.4 }), snapshotOf(symbols));
    expect(step.proposals.map((p) => [p.symbol, p.notionalFraction])).toEqual([['AAA', 0.16], ['BBB', 0.08], ['CCC', 0.08], ['DDD', 0.08]]);
    expect(step.state.skipped).toEqual([{ symbol: 'EEE', direction: 'bullish', reason: 'round_full' }]);
  });

  it('S2-1 never judges the inverse ETF, a leveraged ETF or the VIX symbol as a ticker, and skips a held target', () => {
    const bars = rising(SUMMER, '14:40');
    expect(run(params(), snapshotOf({ SH: bars, TQQQ: bars })).proposals).toEqual([]);
    const step = run(params(), snapshotOf({ SPY: bars }, { positions: { SPY: held('breakout') } }));
    expect(step.proposals).toEqual([]);
    expect(step.state.skipped).toEqual([{ symbol: 'SPY', direction: 'bullish', reason: 'position_open' }]);
  });
});

describe('S2-1 config of the inverse-ETF map', () => {
  const decode = (section: Record<string, unknown>) => strategyEntry('eod-momentum')!.decode(section);
  const problem = (section: Record<string, unknown>): string => {
    const r = decode(section);
    if (Either.isRight(r)) throw new Error('expected a refusal');
    return r.left;
  };

  it('S2-1 refuses a leveraged inverse ETF as a target with a readable reason', () => {
    expect(problem({ inverseEtfs: { QQQ: 'SQQQ' } })).toContain('QQQ: SQQQ is a leveraged ETF');
    expect(problem({ inverseEtfs: { SPY: 'SPXU' } })).toContain('leveraged ETF');
    expect(problem({ inverseEtfs: { SPY: 'SPY' } })).toContain('cannot be its own inverse ETF');
    expect(problem({ vixSymbol: 'SH' })).toContain('VIX symbol');
  });

  it('S2-8 decodes the registry defaults: trend, VIX ≥ 15, 2 % stop, 30 % allocation, SPY→SH and QQQ→PSQ', () => {
    const r = decode({});
    expect(Either.isRight(r) && r.right).toMatchObject({
      enabled: false, mode: 'trend', vixSymbol: 'VIX', vixMin: 15, stopLossFraction: 0.02, allocationFraction: 0.3, inverseEtfs: { SPY: 'SH', QQQ: 'PSQ' },
    });
    expect(problem({ allocationFraction: 0.5 })).toContain('[0.3, 0.4]');
    expect(problem({ mode: 'scalp' })).toContain('mode');
  });

  it('S2-1 selfCheck reports a leveraged target in parameters built without the schema', () => {
    const s = eodMomentumStrategy({ ...params(), inverseEtfs: { QQQ: 'SQQQ' } }, 60_000);
    expect(s.selfCheck()).toEqual([expect.stringContaining('SQQQ is a leveraged ETF')]);
    expect(eodMomentumStrategy(params(), 60_000).selfCheck()).toEqual([]);
  });
});

describe('S2-8 S2-9 one week of real SPY minute bars (2013-10-04 … 2013-10-11)', () => {
  const { bars } = loadOhlcvCsv(fileURLToPath(new URL('../../data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv', import.meta.url)));

  /** Replays the file cycle by cycle (one cycle per bar close, VIX 20 beside it), holding what the entries bought. */
  const replay = (mode: 'trend' | 'fade') => {
    const s = eodMomentumStrategy(params({ mode }), 60_000);
    let state = s.init();
    const positions = new Map<string, HeldPosition>();
    const out: TradeProposal[] = [];
    for (let i = 0; i < bars.length; i++) {
      const now = bars[i]!.start + MIN;
      const snap: MarketSnapshot = {
        now, symbols: new Map([['SPY', market('SPY', bars.slice(Math.max(0, i - 499), i + 1), now)], ['VIX', market('VIX', vix(20, now), now)]]), positions: new Map(positions),
      };
      const step = s.propose(snap, state);
      state = step.state;
      for (const p of step.proposals) {
        out.push(p);
        if (p.side === 'buy') positions.set(p.symbol, held());
        else positions.delete(p.symbol);
      }
    }
    return { proposals: out, open: positions };
  };

  for (const mode of ['trend', 'fade'] as const) {
    it(`S2-8 S2-9 ${mode}: entries only 14:30–15:55 ET on weekdays, at most one per day and ticker, every one closed from 15:55 ET the same day`, () => {
      const { proposals, open } = replay(mode);
      const entries = proposals.filter((p) => p.side === 'buy');
      const exits = proposals.filter((p) => p.side === 'sell');
      for (const p of entries) {
        const day = newYorkDay(p.createdAt);
        expect(day.weekday).toBeLessThanOrEqual(5);
        expect(p.createdAt).toBeGreaterThanOrEqual(day.windowStart);
        expect(p.createdAt).toBeLessThan(day.hardClose);
        expect(['SPY', 'SH']).toContain(p.symbol);
        expect(p.instrumentKind).toBe(p.symbol === 'SH' ? 'inverse_etf' : 'equity');
      }
      const perDay = entries.map((p) => newYorkDay(p.createdAt).day);
      expect(new Set(perDay).size).toBe(perDay.length);
      expect(exits).toHaveLength(entries.length);
      exits.forEach((x, k) => {
        const day = newYorkDay(x.createdAt);
        expect(day.day).toBe(perDay[k]);
        expect(x.createdAt).toBeGreaterThanOrEqual(day.hardClose);
        expect(x.createdAt).toBeLessThan(day.sessionClose);
      });
      expect(open.size).toBe(0);
    });
  }

  it('S2-1 S2-8 both modes trade that week; trend follows the 8 October sell-off (SPY 167.45 → 165.5) through SH', () => {
    const entries = (mode: 'trend' | 'fade') => replay(mode).proposals.filter((p) => p.side === 'buy');
    expect(entries('fade').length).toBeGreaterThan(0);
    const trend = entries('trend');
    expect(trend.length).toBeGreaterThan(1);
    expect(trend.filter((p) => newYorkDay(p.createdAt).day === '2013-10-08').map((p) => p.symbol)).toEqual(['SH']);
  });
});
