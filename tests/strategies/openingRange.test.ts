/**
 * The `opening-range` strategy (S2-6, S2-18) as a pure function: the range of 09:30–09:49 ET, the breakout buffer, the
 * volume confirmation, one entry per symbol and day, the 10:20 ET hard exit, the same New York window in summer (EDT)
 * and winter (EST), and a replay of the bundled SPY minute bars checked against the CSV's own New York times.
 */
import { Either, Schema } from 'effect';
import { describe, expect, it } from 'vitest';
import { OpeningRangeSection, type OpeningRangeParams } from '../../src/config/openingRangeSection.ts';
import { Decimal } from '../../src/domain/money.ts';
import type { BarView } from '../../src/market/MarketState.ts';
import { OPENING_RANGE_ID, openingRangeOf, openingRangeStrategy, type OpeningRangeState } from '../../src/strategies/openingRange/OpeningRange.ts';
import { strategyEntry } from '../../src/strategies/registry.ts';
import { etAndPt, newYorkTime } from '../../src/strategies/us/newYorkTime.ts';
import { barAt, longOf, plusMinutes, readEquityRows, replay, snapshotOf, type EquityRow } from './usEquityReplay.ts';

const MINUTE = 60_000;
const paramsOf = (overrides: Record<string, unknown> = {}): OpeningRangeParams => Schema.decodeUnknownSync(OpeningRangeSection)({ enabled: true, ...overrides });
const strategyOf = (overrides: Record<string, unknown> = {}) => openingRangeStrategy(paramsOf(overrides), MINUTE);

interface Day { readonly date: string; readonly offset: string }
/** Wednesdays: New York on daylight time (UTC−4) and on standard time (UTC−5). */
const SUMMER: Day = { date: '2024-07-10', offset: '-04:00' };
const WINTER: Day = { date: '2024-01-10', offset: '-05:00' };
const NEXT_SUMMER_DAY: Day = { date: '2024-07-11', offset: '-04:00' };
const at = (day: Day, hhmm: string): string => `${day.date}T${hhmm}:00${day.offset}`;

/**
 * A pre-market bar at 09:29 (high 200: outside the range), the twenty range bars 09:30–09:49 (high 101 at 09:37, low 99
 * at 09:42, volumes 1000/1200: mean 1100) and quiet bars from 09:50 until `until` (exclusive).
 */
const rangeDay = (day: Day, until = '09:50'): BarView[] => {
  const bars = [barAt(at(day, '09:29'), 150, 200, 99.5, 100, 5_000_000)];
  for (let i = 0; i < 20; i++) {
    bars.push(barAt(at(day, plusMinutes('09:30', i)), 100, i === 7 ? 101 : 100.2, i === 12 ? 99 : 99.8, 100, i % 2 === 0 ? 1000 : 1200));
  }
  for (let t = '09:50'; t < until; t = plusMinutes(t, 1)) bars.push(barAt(at(day, t), 100, 100.3, 99.9, 100.1, 1000));
  return bars;
};
/** Range high 101 × 1.02. */
const THRESHOLD = 103.02;
const breakout = (day: Day, hhmm: string, close = 103.03, volume = 1650): BarView => barAt(at(day, hhmm), 101, Math.max(close, 101), 100.9, close, volume);

/** Feeds the bars one at a time (now = each bar's close) from `state`, with the given positions; returns every proposal. */
const feed = (bars: ReadonlyArray<BarView>, strategy = strategyOf(), state: OpeningRangeState = strategy.init(), from = 0) => {
  const out = [];
  let s = state;
  for (let i = from; i < bars.length; i++) {
    const step = strategy.propose(snapshotOf(bars[i]!.start + MINUTE, { SPY: bars.slice(0, i + 1) }), s);
    s = step.state;
    out.push(...step.proposals);
  }
  return { proposals: out, state: s };
};

describe('S2-6 opening range', () => {
  it('S2-6 the range is the high and low of the bars opening 09:30–09:49 ET; the 09:29 pre-market bar and later bars are not in it', () => {
    const bars = [...rangeDay(SUMMER, '10:00'), breakout(SUMMER, '10:00', 110, 9999)];
    const range = openingRangeOf(bars, Date.parse(at(SUMMER, '09:30')), 20);
    expect(range?.high.toString()).toBe('101');
    expect(range?.low.toString()).toBe('99');
    expect(range?.meanVolume.toString()).toBe('1100');
    expect(range?.bars).toBe(20);
    expect(openingRangeOf(bars, Date.parse(at(SUMMER, '09:30')), 5)?.high.toString()).toBe('100.2');
    expect(openingRangeOf(bars.slice(0, 1), Date.parse(at(SUMMER, '09:30')), 20)).toBeUndefined();
  });

  it('S2-6 enters long on the first close above range high × 1.02 with volume ≥ 1.5 × the range mean', () => {
    const bars = [...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58')];
    const { proposals } = feed(bars);
    expect(proposals).toHaveLength(1);
    const p = proposals[0]!;
    expect({ side: p.side, symbol: p.symbol, strategyId: p.strategyId, kind: p.instrumentKind, id: p.proposalId, createdAt: p.createdAt }).toEqual({
      side: 'buy', symbol: 'SPY', strategyId: OPENING_RANGE_ID, kind: 'equity', id: `orb-SPY-${String(Date.parse(at(SUMMER, '09:58')))}`, createdAt: Date.parse(at(SUMMER, '09:59')),
    });
    expect([p.notionalFraction, p.stopLossFraction, p.takeProfitFraction, p.ttlMs]).toEqual([0.2, 0.02, 0.5, MINUTE]);
  });

  it('S2-6 the buffer: a close at exactly high × 1.02, or above the high inside the buffer, does not enter; with buffer 0 it does', () => {
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', THRESHOLD)]).proposals).toEqual([]);
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', 102)]).proposals).toEqual([]);
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', 101.01)], strategyOf({ breakoutBufferFraction: 0 })).proposals).toHaveLength(1);
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', 101)], strategyOf({ breakoutBufferFraction: 0 })).proposals).toEqual([]);
  });

  it('S2-6 volume confirmation: 1649 shares (below 1.5 × 1100) do not enter, exactly 1650 do; volumeMultiple 0 takes any volume', () => {
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', 103.03, 1649)]).proposals).toEqual([]);
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', 103.03, 1650)]).proposals).toHaveLength(1);
    expect(feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58', 103.03, 1)], strategyOf({ volumeMultiple: 0 })).proposals).toHaveLength(1);
  });

  it('S2-6 one entry per symbol and session day, whether or not it filled; the next day enters again', () => {
    const day1 = [...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58'), breakout(SUMMER, '09:59', 104), breakout(SUMMER, '10:05', 105)];
    const first = feed(day1);
    expect(first.proposals.map((p) => p.proposalId)).toEqual([`orb-SPY-${String(Date.parse(at(SUMMER, '09:58')))}`]);
    expect(first.state.enteredOn['SPY']).toBe('2024-07-10');
    const both = [...day1, ...rangeDay(NEXT_SUMMER_DAY, '09:51'), breakout(NEXT_SUMMER_DAY, '09:51')];
    const second = feed(both, strategyOf(), first.state, day1.length);
    expect(second.proposals.map((p) => p.createdAt)).toEqual([Date.parse(at(NEXT_SUMMER_DAY, '09:52'))]);
  });

  it('S2-6 no entry before the range is complete or from a bar closing at or after 10:20 ET, nor one judged at 10:20', () => {
    // 09:45 is inside the range: its high becomes the range high, it is not a breakout of it.
    const early = rangeDay(SUMMER).map((b, i) => (i === 16 ? breakout(SUMMER, '09:45', 110, 99_999) : b));
    expect(feed(early).proposals).toEqual([]);
    expect(feed([...rangeDay(SUMMER, '10:19'), breakout(SUMMER, '10:19')]).proposals).toEqual([]);
    expect(feed([...rangeDay(SUMMER, '10:18'), breakout(SUMMER, '10:18')]).proposals).toHaveLength(1);
    const late = [...rangeDay(SUMMER, '10:18'), breakout(SUMMER, '10:18')];
    const s = strategyOf();
    expect(s.propose(snapshotOf(Date.parse(at(SUMMER, '10:20')), { SPY: late }), s.init()).proposals).toEqual([]);
  });

  it('S2-6 no entry while a position in the symbol is open (its own or another strategy\'s)', () => {
    const bars = [...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58')];
    const s = strategyOf();
    expect(s.propose(snapshotOf(bars.at(-1)!.start + MINUTE, { SPY: bars }, { SPY: longOf('sma-cross') }), s.init()).proposals).toEqual([]);
  });
});

describe('S2-6 hard exit at 10:20 ET', () => {
  const bars = rangeDay(SUMMER, '10:25');
  const enteredToday: OpeningRangeState = { lastBarStart: {}, enteredOn: { SPY: SUMMER.date }, exitProposedAt: {} };
  /** `owner` null: an adopted position (no strategy of this run opened it). */
  const propose = (hhmmss: string, state: OpeningRangeState = enteredToday, owner: string | null = OPENING_RANGE_ID) =>
    strategyOf().propose(snapshotOf(Date.parse(`${SUMMER.date}T${hhmmss}${SUMMER.offset}`), { SPY: bars }, { SPY: longOf(owner ?? undefined) }), state);

  it('S2-6 a position it opened is held until 10:19:59 and gets a sell of all of it at 10:20:00', () => {
    expect(propose('10:19:59').proposals).toEqual([]);
    const exit = propose('10:20:00');
    expect(exit.proposals.map((p) => [p.side, p.notionalFraction, p.strategyId, p.createdAt])).toEqual([['sell', 1, OPENING_RANGE_ID, Date.parse(at(SUMMER, '10:20'))]]);
    expect(exit.state.exitProposedAt['SPY']).toBe(Date.parse(at(SUMMER, '10:20')));
  });

  it('S2-6 a position still held is proposed for exit again a minute later, not sooner; a closed one leaves no exit memory', () => {
    const first = propose('10:20:00');
    expect(propose('10:20:59', first.state).proposals).toEqual([]);
    expect(propose('10:21:00', first.state).proposals.map((p) => p.side)).toEqual(['sell']);
    const s = strategyOf();
    const flat = s.propose(snapshotOf(Date.parse(at(SUMMER, '10:22')), { SPY: bars }), first.state);
    expect(flat.proposals).toEqual([]);
    expect(flat.state.exitProposedAt).toEqual({});
  });

  it('S2-6 positions of other strategies and adopted ones are never exited; its own from an earlier day are, even inside the window', () => {
    expect(propose('10:30:00', enteredToday, 'sma-cross').proposals).toEqual([]);
    expect(propose('10:30:00', enteredToday, null).proposals).toEqual([]);
    const yesterday: OpeningRangeState = { ...enteredToday, enteredOn: { SPY: '2024-07-09' } };
    expect(propose('09:55:00', yesterday).proposals.map((p) => p.side)).toEqual(['sell']);
    expect(propose('09:55:00').proposals).toEqual([]);
  });
});

describe('S2-6 S2-18 New York time across daylight saving', () => {
  it('S2-6 a summer (EDT) and a winter (EST) day enter on the same New York bar, one hour apart in UTC', () => {
    const summer = feed([...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58')]).proposals;
    const winter = feed([...rangeDay(WINTER, '09:58'), breakout(WINTER, '09:58')]).proposals;
    expect(summer.map((p) => new Date(p.createdAt).toISOString())).toEqual(['2024-07-10T13:59:00.000Z']);
    expect(winter.map((p) => new Date(p.createdAt).toISOString())).toEqual(['2024-01-10T14:59:00.000Z']);
    expect(summer.map((p) => newYorkTime(p.createdAt).minutes)).toEqual(winter.map((p) => newYorkTime(p.createdAt).minutes));
  });

  it('S2-6 the summer UTC times on a winter day are an hour early (08:29–09:57 EST): no range, no entry', () => {
    const shifted: Day = { date: WINTER.date, offset: '-04:00' };
    expect(feed([...rangeDay(shifted, '09:58'), breakout(shifted, '09:58')]).proposals).toEqual([]);
  });

  it('S2-6 the hard exit is 10:20 New York time in both seasons: 14:20Z in July, 15:20Z in January', () => {
    const state = (day: Day): OpeningRangeState => ({ lastBarStart: {}, enteredOn: { SPY: day.date }, exitProposedAt: {} });
    const exitAt = (day: Day, utc: string) => strategyOf().propose(snapshotOf(Date.parse(`${day.date}T${utc}Z`), { SPY: [] }, { SPY: longOf(OPENING_RANGE_ID) }), state(day)).proposals.length;
    expect([exitAt(SUMMER, '14:19:00'), exitAt(SUMMER, '14:20:00')]).toEqual([0, 1]);
    expect([exitAt(WINTER, '15:19:00'), exitAt(WINTER, '15:20:00')]).toEqual([0, 1]);
  });

  it('S2-18 the window reads in ET and PT: 09:30 ET / 06:30 PT to 10:20 ET / 07:20 PT', () => {
    expect([etAndPt(9 * 60 + 30), etAndPt(10 * 60 + 20), etAndPt(60)]).toEqual(['09:30 ET / 06:30 PT', '10:20 ET / 07:20 PT', '01:00 ET / 22:00 PT']);
    expect(newYorkTime(Date.parse('2024-03-10T06:59:00Z'))).toEqual({ date: '2024-03-10', weekday: 7, minutes: 60 + 59 });
    expect(newYorkTime(Date.parse('2024-03-10T07:00:00Z'))).toEqual({ date: '2024-03-10', weekday: 7, minutes: 3 * 60 });
  });
});

describe('S2-6 as a registered strategy', () => {
  it('S2-6 equal inputs give equal outputs and the state passed in is not changed', () => {
    const bars = [...rangeDay(SUMMER, '09:58'), breakout(SUMMER, '09:58')];
    const s = strategyOf();
    const state: OpeningRangeState = { lastBarStart: { SPY: 1 }, enteredOn: { QQQ: SUMMER.date }, exitProposedAt: {} };
    const frozen = structuredClone(state);
    const snapshot = snapshotOf(bars.at(-1)!.start + MINUTE, { SPY: bars });
    expect(s.propose(snapshot, state)).toEqual(s.propose(snapshot, state));
    expect(state).toEqual(frozen);
  });

  it('S2-6 the config section refuses a range reaching 10:20 and an ambiguous buffer with readable messages; defaults are S2-6\'s', () => {
    const entry = strategyEntry('opening-range');
    expect(entry).toBeDefined();
    const bad = entry!.decode({ rangeMinutes: 50, breakoutBufferFraction: 5 });
    expect(Either.isLeft(bad) ? bad.left : '').toMatch(/rangeMinutes[\s\S]*\[1, 49\] minutes[\s\S]*breakoutBufferFraction/);
    const defaults = paramsOf();
    expect([defaults.rangeMinutes, defaults.breakoutBufferFraction, defaults.stopLossFraction, defaults.enabled]).toEqual([20, 0.02, 0.02, true]);
    expect(Schema.decodeUnknownSync(OpeningRangeSection)({}).enabled).toBe(false);
    expect(strategyOf().selfCheck()).toEqual([]);
  });
});

describe('S2-6 on the bundled SPY minute bars (2013-10-04 … 2013-10-11, 2023-08-03)', () => {
  const files = ['data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv', 'data/us-equity-1m/SPY_1m_2023-08-03.csv'];
  const rows = files.flatMap(readEquityRows);
  const byStart = new Map(rows.map((r) => [r.bar.start, r]));
  const days = [...new Set(rows.map((r) => r.date))];

  /** The range of a day from the rows whose own New York time text reads 09:30–09:49. */
  const expectedRange = (date: string) => {
    const inRange = rows.filter((r) => r.date === date && r.time >= '09:30' && r.time < '09:50');
    const volume = inRange.reduce((v, r) => v.plus(r.bar.volume), new Decimal(0));
    return {
      high: Decimal.max(...inRange.map((r) => r.bar.high)).toString(), low: Decimal.min(...inRange.map((r) => r.bar.low)).toString(),
      meanVolume: volume.div(inRange.length).toString(), bars: inRange.length,
    };
  };
  /** The first bar of the day opening 09:50–10:18 that closes above high × (1 + buffer) on volume ≥ multiple × mean. */
  const expectedEntry = (date: string, buffer: number, multiple: number): EquityRow | undefined => {
    const r = expectedRange(date);
    return rows.find((row) => row.date === date && row.time >= '09:50' && row.time <= '10:18'
      && row.bar.close.gt(new Decimal(r.high).times(1 + buffer)) && row.bar.volume.gte(new Decimal(r.meanVolume).times(multiple)));
  };

  it('S2-6 each day\'s range equals the high, low and mean volume of the CSV rows stamped 09:30–09:49 ET', () => {
    expect(days).toEqual(['2013-10-04', '2013-10-07', '2013-10-08', '2013-10-09', '2013-10-10', '2013-10-11', '2023-08-03']);
    for (const date of days) {
      const open = rows.find((r) => r.date === date && r.time === '09:30')!.bar.start;
      const bars = rows.filter((r) => r.date === date).map((r) => r.bar);
      const range = openingRangeOf(bars, open, 20)!;
      expect({ high: range.high.toString(), low: range.low.toString(), meanVolume: range.meanVolume.toString(), bars: range.bars }, date).toEqual(expectedRange(date));
    }
  });

  for (const [buffer, multiple] of [[0, 1], [0.001, 0.5], [0.02, 1.5]] as const) {
    it(`S2-6 a replay with buffer ${String(buffer)} and volume × ${String(multiple)} enters exactly on the first qualifying bar of each day and exits at 10:20 ET`, () => {
      const result = replay(strategyOf({ breakoutBufferFraction: buffer, volumeMultiple: multiple }), { SPY: rows.map((r) => r.bar) });
      const buys = result.proposed.filter((p) => p.proposal.side === 'buy');
      const sells = result.proposed.filter((p) => p.proposal.side === 'sell');
      const expected = days.map((d) => expectedEntry(d, buffer, multiple)).filter((r) => r !== undefined);
      // The bar a proposal was made on closed at `now`: its row opened a minute earlier.
      expect(buys.map((p) => byStart.get(p.now - MINUTE))).toEqual(expected);
      expect(sells.map((p) => { const r = byStart.get(p.now - MINUTE)!; return `${r.date} ${r.time}`; })).toEqual(expected.map((r) => `${r.date} 10:19`));
      if (buffer === 0) expect(buys.length).toBeGreaterThanOrEqual(4);
    });
  }
});
