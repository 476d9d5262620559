/**
 * The `vwap-reversion` strategy (S2-7, S2-18) as a pure function: the entry (2 % below the session VWAP, a reversal bar,
 * a lower Bollinger band touch, ADX ≤ 25) with each condition shown necessary, the 10:30–14:30 ET window in summer and
 * winter, each exit (VWAP touch, 45 min timeout; the 1.5 % stop rides on the entry), the five-position limit, the VWAP
 * reset per New York session day, and a replay of the bundled minute bars checked against the CSV's own times.
 */
import { Either, Schema } from 'effect';
import { describe, expect, it } from 'vitest';
import { VwapReversionSection, type VwapReversionParams } from '../../src/config/vwapReversionSection.ts';
import type { BarView, HeldPosition, OwnFill } from '../../src/market/MarketState.ts';
import { Decimal } from '../../src/domain/money.ts';
import { strategyEntry } from '../../src/strategies/registry.ts';
import { sessionReadingOf, VWAP_REVERSION_ID, vwapReversionStrategy, type VwapReversionState } from '../../src/strategies/vwapReversion/VwapReversion.ts';
import { barAt, longOf, plusMinutes, readEquityRows, replay, snapshotOf, type EquityRow } from './usEquityReplay.ts';

const MINUTE = 60_000;
const paramsOf = (overrides: Record<string, unknown> = {}): VwapReversionParams => Schema.decodeUnknownSync(VwapReversionSection)({ enabled: true, ...overrides });
const strategyOf = (overrides: Record<string, unknown> = {}) => vwapReversionStrategy(paramsOf(overrides), MINUTE);

interface Day { readonly date: string; readonly offset: string }
const SUMMER: Day = { date: '2024-07-10', offset: '-04:00' };
const WINTER: Day = { date: '2024-01-10', offset: '-05:00' };
const at = (day: Day, hhmm: string): string => `${day.date}T${hhmm}:00${day.offset}`;
const openOf = (day: Day): number => Date.parse(at(day, '09:30'));

/**
 * A day that opens at 102 on heavy volume (09:30–09:32, 250,000 shares a bar) and then chops around 100 (1,000 a bar:
 * alternating up and down bars, so ADX fades below 25 by 10:29) until `until` (exclusive). Its VWAP stays near 101.8
 * until noon and 101.4 at 14:30.
 */
const chopDay = (day: Day, until: string): BarView[] => {
  const bars = [barAt(at(day, '09:29'), 100, 100, 100, 100, 10)];
  for (let t = '09:30'; t < '09:33'; t = plusMinutes(t, 1)) bars.push(barAt(at(day, t), 102, 102.1, 101.9, 102, 250_000));
  for (let t = '09:33', i = 0; t < until; t = plusMinutes(t, 1), i++) {
    bars.push(i % 2 === 0 ? barAt(at(day, t), 99.99, 100.08, 99.98, 100.05, 1000) : barAt(at(day, t), 100.01, 100.02, 99.92, 99.95, 1000));
  }
  return bars;
};
/** The reversal bar: a lower low (99.0) that touches the lower band, a close (99.3) above its open (99.2). */
const trigger = (day: Day, hhmm: string, o = 99.2, h = 99.4, l = 99.0, c = 99.3): BarView => barAt(at(day, hhmm), o, h, l, c, 3000);
const withTrigger = (day: Day, hhmm: string, bar?: BarView): BarView[] => [...chopDay(day, hhmm), bar ?? trigger(day, hhmm)];

/** The proposals for the newest bar of each symbol at its close. */
const decide = (bySymbol: Readonly<Record<string, ReadonlyArray<BarView>>>, opts: { params?: Record<string, unknown>; positions?: Record<string, HeldPosition>; state?: VwapReversionState; now?: number; fills?: OwnFill[] } = {}) => {
  const s = strategyOf(opts.params);
  const now = opts.now ?? Math.max(...Object.values(bySymbol).map((b) => b.at(-1)!.start)) + MINUTE;
  return s.propose(snapshotOf(now, bySymbol, opts.positions ?? {}, opts.fills ?? []), opts.state ?? s.init());
};
const sides = (step: { proposals: ReadonlyArray<{ side: string }> }): string[] => step.proposals.map((p) => p.side);

describe('S2-7 entry', () => {
  it('S2-7 a close ≥ 2 % below the session VWAP on a reversal bar touching the lower 2σ band with ADX ≤ 25 proposes a long', () => {
    const bars = withTrigger(SUMMER, '10:45');
    const r = sessionReadingOf(bars, openOf(SUMMER), paramsOf())!;
    expect(r.vwap).toBeCloseTo(101.82, 2);
    expect(r.adx).toBeLessThan(25);
    expect(99.0).toBeLessThanOrEqual(r.lowerBand!);
    expect(99.3).toBeLessThanOrEqual(r.vwap! * 0.98);
    const step = decide({ SPY: bars });
    expect(step.proposals.map((p) => [p.side, p.strategyId, p.instrumentKind, p.notionalFraction, p.stopLossFraction, p.proposalId])).toEqual([
      ['buy', VWAP_REVERSION_ID, 'equity', 0.2, 0.015, `vwr-SPY-${String(Date.parse(at(SUMMER, '10:45')))}`],
    ]);
  });

  it('S2-7 the deviation: a close less than deviationFraction below VWAP does not enter', () => {
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:45', trigger(SUMMER, '10:45', 99.2, 100, 99.0, 100.0)) }))).toEqual([]);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:45') }, { params: { deviationFraction: 0.03 } }))).toEqual([]);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:45') }, { params: { deviationFraction: 0.024 } }))).toEqual(['buy']);
  });

  it('S2-7 the reversal: a close at its open, or a low above the bar before\'s low, does not enter', () => {
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:45', trigger(SUMMER, '10:45', 99.3, 99.4, 99.0, 99.3)) }))).toEqual([]);
    const deeperBefore = [...chopDay(SUMMER, '10:44'), barAt(at(SUMMER, '10:44'), 99.95, 100, 98.9, 99.9, 1000)];
    expect(sides(decide({ SPY: [...deeperBefore, trigger(SUMMER, '10:45')] }))).toEqual([]);
    expect(sides(decide({ SPY: [...deeperBefore, trigger(SUMMER, '10:45', 99.2, 99.4, 98.8, 99.3)] }))).toEqual(['buy']);
  });

  it('S2-7 the Bollinger confluence: a low above the lower band does not enter', () => {
    const r = sessionReadingOf(withTrigger(SUMMER, '10:45'), openOf(SUMMER), paramsOf({ bollingerStdDevs: 10 }))!;
    expect(r.lowerBand!).toBeLessThan(99.0);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:45') }, { params: { bollingerStdDevs: 10 } }))).toEqual([]);
  });

  it('S2-7 the ADX filter: on a trending day (ADX > 25) the same kind of bar does not enter; with adxMax 100 it does', () => {
    // A steady fall of 4 cents a minute from 102: every bar a lower low, ADX near its maximum.
    const bars: BarView[] = [];
    let p = 102;
    for (let t = '09:30'; t < '10:45'; t = plusMinutes(t, 1), p -= 0.04) bars.push(barAt(at(SUMMER, t), p, p + 0.02, p - 0.05, p - 0.04, 1000));
    bars.push(trigger(SUMMER, '10:45', 98.3, 98.5, 97.6, 98.35));
    const r = sessionReadingOf(bars, openOf(SUMMER), paramsOf())!;
    expect(r.adx).toBeGreaterThan(25);
    expect(98.35).toBeLessThanOrEqual(r.vwap! * 0.98);
    expect(97.6).toBeLessThanOrEqual(r.lowerBand!);
    expect(sides(decide({ SPY: bars }))).toEqual([]);
    expect(sides(decide({ SPY: bars }, { params: { adxMax: 100 } }))).toEqual(['buy']);
  });

  it('S2-7 the window is 10:30–14:30 ET: bars opening 10:29 and 14:30 do not enter, 10:30 and 14:29 do', () => {
    // At 10:29 every other condition holds already (ADX has faded): only the window keeps it out.
    const r = sessionReadingOf(withTrigger(SUMMER, '10:29'), openOf(SUMMER), paramsOf())!;
    expect([r.adx! <= 25, 99.3 <= r.vwap! * 0.98, 99.0 <= r.lowerBand!]).toEqual([true, true, true]);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:29') }))).toEqual([]);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:30') }))).toEqual(['buy']);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '14:29') }))).toEqual(['buy']);
    expect(sides(decide({ SPY: withTrigger(SUMMER, '14:30') }))).toEqual([]);
  });

  it('S2-7 a winter (EST) day enters on the same New York bar as a summer (EDT) day, an hour later in UTC', () => {
    const summer = decide({ SPY: withTrigger(SUMMER, '10:45') }).proposals.map((p) => new Date(p.createdAt).toISOString());
    const winter = decide({ SPY: withTrigger(WINTER, '10:45') }).proposals.map((p) => new Date(p.createdAt).toISOString());
    expect([summer, winter]).toEqual([['2024-07-10T14:46:00.000Z'], ['2024-01-10T15:46:00.000Z']]);
    // Summer UTC times on a winter day read 09:45 EST: before the window.
    expect(sides(decide({ SPY: withTrigger({ date: WINTER.date, offset: '-04:00' }, '10:45') }))).toEqual([]);
  });

  it('S2-7 no entry while the symbol has a position, and none when the snapshot starts after 09:30 (the VWAP would be partial)', () => {
    expect(sides(decide({ SPY: withTrigger(SUMMER, '10:45') }, { positions: { SPY: longOf('sma-cross') } }))).toEqual([]);
    const bars = withTrigger(SUMMER, '10:45').filter((b) => b.start > openOf(SUMMER));
    expect(sessionReadingOf(bars, openOf(SUMMER), paramsOf())).toBeUndefined();
    expect(sides(decide({ SPY: bars }))).toEqual([]);
  });

  it('S2-7 the session VWAP starts again each New York day at 09:30 and leaves out the pre-market', () => {
    const day1: Day = { date: '2024-07-09', offset: '-04:00' };
    const bars: BarView[] = [];
    for (let t = '09:30'; t < '16:00'; t = plusMinutes(t, 1)) bars.push(barAt(at(day1, t), 110, 110.1, 109.9, 110, 100_000));
    bars.push(barAt(at(SUMMER, '08:00'), 120, 120, 120, 120, 10_000_000));
    // Day 2 chops around 100 from the open, no heavy opening phase: its own VWAP is 100.
    for (let t = '09:30', i = 0; t < '10:45'; t = plusMinutes(t, 1), i++) {
      bars.push(i % 2 === 0 ? barAt(at(SUMMER, t), 99.99, 100.08, 99.98, 100.05, 1000) : barAt(at(SUMMER, t), 100.01, 100.02, 99.92, 99.95, 1000));
    }
    bars.push(trigger(SUMMER, '10:45'));
    expect(sessionReadingOf(bars, openOf(SUMMER), paramsOf())!.vwap).toBeCloseTo(100, 1);
    // 0.7 % below its own VWAP: no entry (against day 1's 110 it would be 10 % below).
    expect(sides(decide({ SPY: bars }))).toEqual([]);
  });
});

describe('S2-7 exits', () => {
  const entered = Date.parse(at(SUMMER, '10:46'));
  const stateAfterEntry: VwapReversionState = { lastBarStart: {}, entryProposedAt: { SPY: entered }, heldSince: {}, exitProposedAt: {} };
  const own = { SPY: longOf(VWAP_REVERSION_ID, 99.3) };
  const fill: OwnFill = { ts: entered + 1000, symbol: 'SPY', side: 'buy', price: new Decimal('99.3'), quantity: new Decimal(1), fee: new Decimal(0) };
  /** The trigger day continued by bars at 99.5 (high `high`) until `until`. */
  const after = (until: string, high = 99.6): BarView[] => {
    const bars = withTrigger(SUMMER, '10:45');
    for (let t = '10:46'; t < until; t = plusMinutes(t, 1)) bars.push(barAt(at(SUMMER, t), 99.5, high, 99.4, 99.5, 1000));
    return bars;
  };

  it('S2-7 VWAP touch: a bar whose high reaches the session VWAP exits the position; one just below does not', () => {
    const touch = [...after('10:50'), barAt(at(SUMMER, '10:50'), 99.5, 102.5, 99.4, 101.9, 1000)];
    expect(102.5).toBeGreaterThanOrEqual(sessionReadingOf(touch, openOf(SUMMER), paramsOf())!.vwap!);
    expect(sides(decide({ SPY: touch }, { positions: own, state: stateAfterEntry, fills: [fill] }))).toEqual(['sell']);
    const below = [...after('10:50'), barAt(at(SUMMER, '10:50'), 99.5, 101.5, 99.4, 101.2, 1000)];
    expect(101.5).toBeLessThan(sessionReadingOf(below, openOf(SUMMER), paramsOf())!.vwap!);
    expect(sides(decide({ SPY: below }, { positions: own, state: stateAfterEntry, fills: [fill] }))).toEqual([]);
  });

  it('S2-7 timeout: 45 min after the entry\'s fill the position is exited, not a millisecond sooner', () => {
    const bars = after('11:32');
    expect(sides(decide({ SPY: bars }, { positions: own, state: stateAfterEntry, fills: [fill], now: fill.ts + 2_700_000 - 1 }))).toEqual([]);
    const exit = decide({ SPY: bars }, { positions: own, state: stateAfterEntry, fills: [fill], now: fill.ts + 2_700_000 });
    expect(exit.proposals.map((p) => [p.side, p.notionalFraction, p.createdAt])).toEqual([['sell', 1, fill.ts + 2_700_000]]);
  });

  it('S2-7 timeout without the fill in the feedback counts from the first cycle that saw the position; an older fill is ignored', () => {
    const bars = after('11:40');
    const older: OwnFill = { ...fill, ts: entered - 3_600_000 };
    const first = decide({ SPY: bars }, { positions: own, state: stateAfterEntry, fills: [older], now: entered + MINUTE });
    expect(first.proposals).toEqual([]);
    expect(first.state.heldSince['SPY']).toBe(entered + MINUTE);
    expect(sides(decide({ SPY: bars }, { positions: own, state: first.state, fills: [older], now: entered + MINUTE + 2_699_999 }))).toEqual([]);
    expect(sides(decide({ SPY: bars }, { positions: own, state: first.state, fills: [older], now: entered + MINUTE + 2_700_000 }))).toEqual(['sell']);
  });

  it('S2-7 an exit still unfilled is proposed again a minute later; positions of other strategies are never exited', () => {
    const bars = after('11:32');
    const now = fill.ts + 2_700_000;
    const first = decide({ SPY: bars }, { positions: own, state: stateAfterEntry, fills: [fill], now });
    expect(sides(decide({ SPY: bars }, { positions: own, state: first.state, fills: [fill], now: now + 59_999 }))).toEqual([]);
    expect(sides(decide({ SPY: bars }, { positions: own, state: first.state, fills: [fill], now: now + MINUTE }))).toEqual(['sell']);
    expect(sides(decide({ SPY: bars }, { positions: { SPY: longOf('opening-range') }, state: stateAfterEntry, fills: [fill], now }))).toEqual([]);
  });

  it('S2-7 stop-loss: every entry carries the 1.5 % stop the trade actor places at the venue', () => {
    expect(decide({ SPY: withTrigger(SUMMER, '10:45') }).proposals.map((p) => p.stopLossFraction)).toEqual([0.015]);
    expect(decide({ SPY: withTrigger(SUMMER, '10:45') }, { params: { stopLossFraction: '1%' } }).proposals.map((p) => p.stopLossFraction)).toEqual([0.01]);
  });
});

describe('S2-7 position limit', () => {
  // Six symbols trigger at once, SYM0 the shallowest below VWAP, SYM5 the deepest.
  const six = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`SYM${String(i)}`, withTrigger(SUMMER, '10:45', trigger(SUMMER, '10:45', 99.2 - i * 0.05, 99.4, 99.0 - i * 0.05, 99.3 - i * 0.05))]));

  it('S2-7 at most 5 positions: of six triggers the five deepest below VWAP enter', () => {
    expect(decide(six).proposals.map((p) => p.symbol)).toEqual(['SYM5', 'SYM4', 'SYM3', 'SYM2', 'SYM1']);
  });

  it('S2-7 its own open positions (also of symbols not in this snapshot) count against the limit; other strategies\' do not', () => {
    const ownFour = Object.fromEntries(['AAA', 'BBB', 'CCC', 'DDD'].map((s) => [s, longOf(VWAP_REVERSION_ID)]));
    expect(decide(six, { positions: ownFour }).proposals.map((p) => p.symbol)).toEqual(['SYM5']);
    const others = Object.fromEntries(['AAA', 'BBB', 'CCC', 'DDD', 'EEE'].map((s) => [s, longOf('opening-range')]));
    expect(decide(six, { positions: others }).proposals).toHaveLength(5);
    expect(decide(six, { params: { maxPositions: 2 } }).proposals.map((p) => p.symbol)).toEqual(['SYM5', 'SYM4']);
  });
});

describe('S2-7 as a registered strategy', () => {
  it('S2-7 equal inputs give equal outputs and the state passed in is not changed', () => {
    const s = strategyOf();
    const state: VwapReversionState = { lastBarStart: { QQQ: 1 }, entryProposedAt: {}, heldSince: { QQQ: 5 }, exitProposedAt: {} };
    const frozen = structuredClone(state);
    const snapshot = snapshotOf(Date.parse(at(SUMMER, '10:46')), { SPY: withTrigger(SUMMER, '10:45') });
    expect(s.propose(snapshot, state)).toEqual(s.propose(snapshot, state));
    expect(state).toEqual(frozen);
  });

  it('S2-7 the config section refuses out-of-range values with readable messages; defaults are S2-7\'s', () => {
    const bad = strategyEntry('vwap-reversion')!.decode({ adxMax: 101, exitTimeoutMs: 1000, maxPositions: 0 });
    expect(Either.isLeft(bad) ? bad.left : '').toMatch(/adxMax[\s\S]*\[0, 100\][\s\S]*exitTimeoutMs[\s\S]*\[60000, 86400000\] ms[\s\S]*maxPositions/);
    const d = paramsOf();
    expect([d.deviationFraction, d.adxPeriod, d.adxMax, d.bollingerPeriod, d.bollingerStdDevs, d.exitTimeoutMs, d.maxPositions, d.stopLossFraction]).toEqual([0.02, 14, 25, 20, 2, 2_700_000, 5, 0.015]);
  });
});

describe('S2-7 on the bundled SPY, IBM and BAC minute bars (2013-10-04 … 2013-10-11)', () => {
  const symbols = ['SPY', 'IBM', 'BAC'] as const;
  const rows: Record<string, EquityRow[]> = Object.fromEntries(symbols.map((s) => [s, readEquityRows(`data/us-equity-1m/${s}_1m_2013-10-04_2013-10-11.csv`)]));
  const rowAt = (symbol: string, start: number): EquityRow => rows[symbol]!.find((r) => r.bar.start === start)!;
  /** The VWAP (typical price) after each row stamped 09:30 or later, summed from that day's 09:30 row on, from the CSV text. */
  const vwaps: Record<string, Map<number, number>> = Object.fromEntries(symbols.map((s) => {
    const out = new Map<number, number>();
    let day = '';
    let pv = 0;
    let v = 0;
    for (const r of rows[s]!) {
      if (r.time < '09:30') continue;
      if (r.date !== day) [day, pv, v] = [r.date, 0, 0];
      pv += ((r.bar.high.toNumber() + r.bar.low.toNumber() + r.bar.close.toNumber()) / 3) * r.bar.volume.toNumber();
      v += r.bar.volume.toNumber();
      out.set(r.bar.start, pv / v);
    }
    return [s, out];
  }));
  const csvVwap = (symbol: string, row: EquityRow): number => vwaps[symbol]!.get(row.bar.start)!;

  it('S2-7 the session VWAP equals the CSV rows\' own from 09:30 ET at every 30th RTH bar of every day', () => {
    const spy = rows['SPY']!;
    let checked = 0;
    spy.forEach((row, i) => {
      if (row.session !== 'rth' || i % 30 !== 0) return;
      const bars = spy.slice(Math.max(0, i - 499), i + 1).map((r) => r.bar);
      const open = spy.find((r) => r.date === row.date && r.time === '09:30')!.bar.start;
      expect(sessionReadingOf(bars, open, paramsOf())!.vwap!, `${row.date} ${row.time}`).toBeCloseTo(csvVwap('SPY', row), 9);
      checked++;
    });
    expect(checked).toBeGreaterThan(60);
  });

  it('S2-7 a replay of three symbols with loosened triggers: every entry lies in 10:30–14:29 ET and meets its conditions, every exit is a VWAP touch or a timeout, never more than 2 held', () => {
    // The long side alone (no inverse ETF mapped): the bearish leg's replay is in vwapReversionInverse.test.ts.
    const params = { deviationFraction: 0.001, adxMax: 100, maxPositions: 2, inverseEtfs: {} };
    const result = replay(strategyOf(params), Object.fromEntries(symbols.map((s) => [s, rows[s]!.map((r) => r.bar)])));
    const buys = result.proposed.filter((p) => p.proposal.side === 'buy');
    const sells = result.proposed.filter((p) => p.proposal.side === 'sell');
    expect(buys.length).toBeGreaterThanOrEqual(10);
    expect(result.maxHeld).toBeLessThanOrEqual(2);
    for (const { now, proposal } of buys) {
      const row = rowAt(proposal.symbol, now - MINUTE);
      const i = rows[proposal.symbol]!.indexOf(row);
      const before = rows[proposal.symbol]![i - 1]!;
      expect(row.time >= '10:30' && row.time < '14:30', `${proposal.proposalId} at ${row.time}`).toBe(true);
      expect(row.bar.close.toNumber()).toBeLessThanOrEqual(csvVwap(proposal.symbol, row) * (1 - params.deviationFraction));
      expect(row.bar.close.gt(row.bar.open) && row.bar.low.lt(before.bar.low), proposal.proposalId).toBe(true);
    }
    for (const { now, proposal } of sells) {
      const entryFill = result.fills.filter((f) => f.symbol === proposal.symbol && f.side === 'buy' && f.ts < now).at(-1)!;
      const row = rowAt(proposal.symbol, now - MINUTE);
      const timedOut = now - entryFill.ts >= 2_700_000;
      expect(timedOut || row.bar.high.toNumber() >= csvVwap(proposal.symbol, row), `${proposal.proposalId}`).toBe(true);
    }
    expect(sells.length).toBeGreaterThanOrEqual(buys.length - symbols.length);
  });

  it('S2-7 with the defaults, no bar of these calm days is 2 % below its VWAP in the window, and the strategy proposes nothing', () => {
    for (const s of symbols) {
      const deep = rows[s]!.filter((r) => r.time >= '10:30' && r.time < '14:30' && r.bar.close.toNumber() <= csvVwap(s, r) * 0.98);
      expect(deep, s).toEqual([]);
    }
    expect(replay(strategyOf(), Object.fromEntries(symbols.map((s) => [s, rows[s]!.map((r) => r.bar)]))).proposed).toEqual([]);
  });
});
