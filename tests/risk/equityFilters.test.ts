/**
 * S2-10's equity filters as RiskEngine rules (`equityFilters`, rule 7a; `slippage`, rule 19a): the price band at its
 * boundaries, the session-day volume at its boundary and when missing, slippage at and beyond its limit, what happens
 * without a book in each mode, and the daily volume computed by MarketState from the bundled real US-equity minute
 * bars (SPY and BAC, 2013-10-04…11) against hand sums, judged through the runtime's market view.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.ts';
import { dec, type Decimal } from '../../src/domain/money.ts';
import { sessionDayOf } from '../../src/domain/sessionDay.ts';
import { ApprovalBook } from '../../src/execution/ApprovalBook.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { MarketState } from '../../src/market/MarketState.ts';
import { LocalOrderBook } from '../../src/market/OrderBook.ts';
import { Portfolio } from '../../src/portfolio/Portfolio.ts';
import { GATE_CHECKS, SIZED_CHECKS, expectedFill, slippageFraction } from '../../src/risk/checks/index.ts';
import { decodeRiskConfig, makeRiskConfig, type RiskConfigInput } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine, type RiskDecision } from '../../src/risk/RiskEngine.ts';
import { TradingState } from '../../src/risk/TradingState.ts';
import type { BookDepthView, MarketView, SymbolMarketView } from '../../src/risk/views.ts';
import { marketView, type RiskViewSources } from '../../src/runtime/RiskViews.ts';
import type { MarketEvent } from '../../src/venues/streams.ts';
import { NOW, config, d, instrument, market, portfolio, proposal, symbolMarket } from './fixtures.ts';

const NY = 'America/New_York';
const TODAY = sessionDayOf(NOW, NY);
const RULE_ORDER = [...GATE_CHECKS, ...SIZED_CHECKS].map(([name]) => name);
const ON: RiskConfigInput = { equityFilters: { enabled: true } };

/** A book with one big level a tick either side of `price` (ask = price). */
const deepBook = (price: Decimal, ts = NOW - 100): BookDepthView => ({
  bids: [{ price: price.minus('0.01'), size: d('100000') }],
  asks: [{ price, size: d('100000') }],
  ts,
});

/** BAC quoted at bid price − 0.01 / ask price, last = price, a million shares traded today and a deep book. */
const equity = (price: string, over: Partial<SymbolMarketView> = {}): SymbolMarketView => {
  const p = d(price);
  return symbolMarket('BAC', {
    instrument: instrument('BAC'), bid: p.minus('0.01'), ask: p, last: p, bidSize: d('100000'), askSize: d('100000'),
    sessionVolume: { day: TODAY, timeZone: NY, volume: d('1000000'), bars: 390 }, book: deepBook(p), ...over,
  });
};

const judge = (sm: SymbolMarketView, cfg: RiskConfigInput = ON, opts: { now?: number; side?: 'buy' | 'sell'; pf?: Parameters<typeof portfolio>[0] } = {}): RiskDecision => {
  const now = opts.now ?? NOW;
  const engine = makeRiskEngine(config({ caps: { allowDownscale: false }, ...cfg }));
  return engine.check(
    proposal({ symbol: 'BAC', side: opts.side ?? 'buy', createdAt: now - 500 }),
    portfolio({ accountSnapshotTs: now - 1_000, ...opts.pf }),
    market({ symbols: { BAC: sm } }),
    now,
  );
};

const approved = (r: RiskDecision): RiskDecision & { kind: 'approve' } => {
  if (r.kind !== 'approve') throw new Error(`expected approve, got ${r.rule}: ${JSON.stringify(r.veto)}`);
  return r;
};

const vetoed = (r: RiskDecision, want: { rule: string; reason: string; capType: string; current?: string; limit?: string }) => {
  if (r.kind !== 'veto') throw new Error(`expected veto ${want.reason}/${want.capType}, got approve`);
  expect([r.rule, r.veto.reason, r.veto.capType]).toEqual([want.rule, want.reason, want.capType]);
  if (want.current !== undefined) expect(r.veto.current).toBe(want.current);
  if (want.limit !== undefined) expect(r.veto.limit).toBe(want.limit);
  expect(r.veto.message).toContain('BAC');
  // X-ORD-4: every rule before the vetoing one ran, in the documented order.
  expect(r.trace).toEqual(RULE_ORDER.slice(0, RULE_ORDER.indexOf(r.rule) + 1));
  return r;
};

describe('S2-10 equity filters: configuration and order', () => {
  it('S2-10 the filters are off by default and the S2 profile turns them on', () => {
    const c = makeRiskConfig().equityFilters;
    expect([c.enabled, c.minPrice.toString(), c.maxPrice.toString(), c.minDailyVolume.toString(), c.maxSlippageFraction, c.timeZone]).toEqual([false, '2', '100', '1000000', 0.005, NY]);
    // Off: a 1-dollar stock with no volume figure and no book is traded like any other.
    expect(judge(equity('1', { sessionVolume: undefined, book: undefined }), {}).kind).toBe('approve');
    const s2 = loadConfigFile('config/profiles/s2-us-stock.yaml');
    const demo = loadConfigFile('config/default.yaml');
    expect(Either.isRight(s2) && s2.right.config.risk.equityFilters.enabled).toBe(true);
    expect(Either.isRight(demo) && demo.right.config.risk.equityFilters.enabled).toBe(false);
  });

  it('S2-10 refuses a band whose minimum exceeds its maximum, an unknown zone and an ambiguous slippage, and reads percents', () => {
    const band = decodeRiskConfig({ equityFilters: { minPrice: 50, maxPrice: 10 } });
    expect(Either.isLeft(band) && band.left.message).toContain('minPrice 50 must not exceed maxPrice 10');
    expect(Either.isLeft(decodeRiskConfig({ equityFilters: { timeZone: 'Mars/Olympus' } }))).toBe(true);
    expect(Either.isLeft(decodeRiskConfig({ equityFilters: { maxSlippageFraction: 1 } }))).toBe(true);
    expect(makeRiskConfig({ equityFilters: { maxSlippageFraction: '0.5%' } }).equityFilters.maxSlippageFraction).toBeCloseTo(0.005, 12);
  });

  it('S2-10 runs the price and volume gate right after market quality and slippage right after the price band', () => {
    const r = approved(judge(equity('50')));
    expect(r.trace.slice(r.trace.indexOf('marketQuality'), r.trace.indexOf('marketQuality') + 3)).toEqual(['marketQuality', 'equityFilters', 'cooldown']);
    expect(r.trace.slice(r.trace.indexOf('priceBand'), r.trace.indexOf('priceBand') + 3)).toEqual(['priceBand', 'slippage', 'venueFilters']);
    expect(r.trace).toEqual(RULE_ORDER);
  });
});

describe('S2-10 price band 2–100 USD', () => {
  it('S2-10 approves a reference price of exactly 2 and exactly 100', () => {
    expect(approved(judge(equity('2'))).order.limitPrice.toString()).toBe('2');
    expect(approved(judge(equity('100'))).order.limitPrice.toString()).toBe('100');
  });

  it('S2-10 vetoes 1.99 below the band and 100.01 above it', () => {
    vetoed(judge(equity('1.99')), { rule: 'equityFilters', reason: 'price_filter', capType: 'min_price', current: '1.99', limit: '2' });
    vetoed(judge(equity('100.01')), { rule: 'equityFilters', reason: 'price_filter', capType: 'max_price', current: '100.01', limit: '100' });
  });

  it('S2-10 judges the mid when there is no last trade, and a configured band instead of the default', () => {
    // bid 1.98 / ask 2.00: mid 1.99.
    vetoed(judge(equity('2', { last: undefined, bid: d('1.98') })), { rule: 'equityFilters', reason: 'price_filter', capType: 'min_price', current: '1.99' });
    expect(judge(equity('150'), { equityFilters: { enabled: true, maxPrice: 200 } }).kind).toBe('approve');
    vetoed(judge(equity('5'), { equityFilters: { enabled: true, minPrice: '5.01' } }), { rule: 'equityFilters', reason: 'price_filter', capType: 'min_price', limit: '5.01' });
  });
});

describe('S2-10 daily volume ≥ 1,000,000', () => {
  const volume = (v: string, day = TODAY, timeZone = NY) => ({ day, timeZone, volume: d(v), bars: 120 });

  it('S2-10 vetoes 999,999 shares traded today and approves 1,000,000', () => {
    vetoed(judge(equity('20', { sessionVolume: volume('999999') })), { rule: 'equityFilters', reason: 'daily_volume', capType: 'min_daily_volume', current: '999999', limit: '1000000' });
    approved(judge(equity('20', { sessionVolume: volume('1000000') })));
  });

  it('S2-10 a missing volume figure vetoes with its own reason (fail closed), as does a figure of another day or zone', () => {
    vetoed(judge(equity('20', { sessionVolume: undefined })), { rule: 'equityFilters', reason: 'daily_volume_unknown', capType: 'session_volume', current: 'missing' });
    vetoed(judge(equity('20', { sessionVolume: volume('50000000', '2026-11-22') })), { rule: 'equityFilters', reason: 'daily_volume_unknown', capType: 'session_volume' });
    vetoed(judge(equity('20', { sessionVolume: volume('50000000', TODAY, 'UTC') })), { rule: 'equityFilters', reason: 'daily_volume_unknown', capType: 'session_volume' });
  });

  it('S2-10 the session day is the New York calendar day, daylight saving included', () => {
    // 22:00 in New York on 2026-11-23 is already 2026-11-24 in UTC: the New York day's figure counts.
    const late = Date.UTC(2026, 10, 24, 3, 0);
    const at = (v: ReturnType<typeof volume>) =>
      judge(equity('20', { sessionVolume: v, quoteTs: late - 100, lastBarCloseTs: late - 1_000, book: deepBook(d('20'), late - 100) }), ON, { now: late });
    approved(at(volume('2000000', '2026-11-23')));
    vetoed(at(volume('2000000', '2026-11-24')), { rule: 'equityFilters', reason: 'daily_volume_unknown', capType: 'session_volume' });
    // 23:30 EDT on 2026-03-08 (the day clocks moved) and 00:30 EDT on 03-09; 23:30 EST on 2026-01-14.
    expect([Date.UTC(2026, 2, 9, 3, 30), Date.UTC(2026, 2, 9, 4, 30), Date.UTC(2026, 0, 15, 4, 30)].map((t) => sessionDayOf(t, NY))).toEqual(['2026-03-08', '2026-03-09', '2026-01-14']);
  });

  it('S2-10 MarketState sums the closed bars of each New York day and starts again on the next', () => {
    const state = new MarketState(['BAC'], 500, NY);
    const figure = () => {
      const v = state.sessionVolume('BAC');
      return v === undefined ? undefined : { ...v, volume: v.volume.toString() };
    };
    const bar = (startIso: string, volume: string, closed = true): MarketEvent => {
      const start = Date.parse(startIso);
      return { type: 'bar', symbol: 'BAC', intervalMinutes: 1, start, open: d(14), high: d(14), low: d(14), close: d(14), volume: d(volume), closed, ts: start + 60_000 };
    };
    expect(figure()).toBeUndefined();
    state.apply(bar('2026-11-23T09:30:00-05:00', '400000'));
    state.apply(bar('2026-11-23T09:31:00-05:00', '999', false)); // a bar in progress is not counted
    state.apply(bar('2026-11-23T09:31:00-05:00', '350000'));
    state.apply(bar('2026-11-23T09:31:00-05:00', '350000')); // a duplicate is not counted twice
    state.apply(bar('2026-11-23T23:59:00-05:00', '250000')); // 04:59 UTC on the 24th: still the 23rd in New York
    expect(figure()).toEqual({ day: '2026-11-23', timeZone: NY, volume: '1000000', bars: 3 });
    state.apply(bar('2026-11-24T00:00:00-05:00', '7'));
    expect(figure()).toEqual({ day: '2026-11-24', timeZone: NY, volume: '7', bars: 1 });
    expect(() => new MarketState(['BAC'], 500, 'Nowhere/Else')).toThrow(/not an IANA time zone/);
  });
});

describe('S2-10 slippage from the visible book', () => {
  // NAV 100 000 × 1 % at 100 = 10 shares: 5 at 100 and 5 at the next level.
  const thin = (next: string): Partial<SymbolMarketView> => ({ book: { bids: [{ price: d('99.99'), size: d('100') }], asks: [{ price: d('100'), size: d('5') }, { price: d(next), size: d('10') }], ts: NOW - 100 } });

  it('S2-10 approves an expected average fill exactly at the limit and vetoes one beyond it', () => {
    const cfg: RiskConfigInput = { equityFilters: { enabled: true, maxSlippageFraction: 0.005 } };
    // (5 × 100 + 5 × 101) / 10 = 100.5: 0.5 % above the reference 100.
    expect(approved(judge(equity('100', thin('101')), cfg)).order.quantity.toString()).toBe('10');
    // (5 × 100 + 5 × 101.01) / 10 = 100.505: 0.505 %.
    vetoed(judge(equity('100', thin('101.01')), cfg), { rule: 'slippage', reason: 'slippage', capType: 'max_slippage', current: '0.00505', limit: '0.005' });
    vetoed(judge(equity('100', thin('101')), { equityFilters: { enabled: true, maxSlippageFraction: 0.0049 } }), { rule: 'slippage', reason: 'slippage', capType: 'max_slippage', current: '0.005' });
  });

  it('S2-10 vetoes an order the visible book cannot fill', () => {
    const r = judge(equity('100', { book: { bids: [], asks: [{ price: d('100'), size: d('4') }, { price: d('100.01'), size: d('5') }], ts: NOW - 100 } }));
    vetoed(r, { rule: 'slippage', reason: 'slippage', capType: 'book_depth', current: '9', limit: '10' });
  });

  it('S2-10 without a book LIVE and DRY_RUN refuse (fail closed) and PAPER judges the best level', () => {
    const noBook = (askSize: string) => equity('100', { book: undefined, askSize: d(askSize) });
    for (const mode of ['LIVE', 'DRY_RUN'] as const) {
      vetoed(judge(noBook('100000'), { ...ON, mode }), { rule: 'slippage', reason: 'slippage', capType: 'no_book', current: 'missing' });
    }
    approved(judge(noBook('10'), { ...ON, mode: 'PAPER' }));
    vetoed(judge(noBook('9'), { ...ON, mode: 'PAPER' }), { rule: 'slippage', reason: 'slippage', capType: 'book_depth', current: '9' });
  });

  it('S2-10 an exit is not held back by the entry filters', () => {
    const held = { positions: [{ symbol: 'BAC', side: 'long' as const, quantity: d('10'), entryPrice: d('2'), markPrice: d('1.5'), stopLoss: undefined }] };
    const r = approved(judge(equity('1.5', { sessionVolume: undefined, book: undefined }), { ...ON, mode: 'LIVE' }, { side: 'sell', pf: held }));
    expect([r.order.intent, r.order.reduceOnly]).toEqual(['exit', true]);
  });

  it('S2-10 the expected fill walks the bids for a sell and measures the move down', () => {
    const bids = [{ price: d('20'), size: d('3') }, { price: d('19.9'), size: d('1') }];
    const fill = expectedFill(bids, d('4'));
    expect([fill.filled.toString(), fill.averagePrice?.toString()]).toEqual(['4', '19.975']);
    expect(slippageFraction('sell', fill.averagePrice!, d('20')).toString()).toBe('0.00125');
    expect(expectedFill(bids, d('5')).filled.toString()).toBe('4');
    expect(expectedFill([], d('1')).averagePrice).toBeUndefined();
  });
});

/** The runtime's view sources of one account over a real journal, with a MarketState and an optional local book. */
const dirs: string[] = [];
const journals: Journal[] = [];
afterEach(() => {
  for (const j of journals.splice(0)) j.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const sourcesFor = (symbol: string, state: MarketState, book: LocalOrderBook | undefined, start: number): RiskViewSources => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-equity-'));
  dirs.push(dir);
  const journal = openJournal({ path: join(dir, 'journal.sqlite'), clock: new VirtualClock(start), durability: 'scratch' });
  journals.push(journal);
  return {
    symbols: [symbol], journal, portfolio: new Portfolio('USD'), market: state, state: new TradingState({ journal, config: config(ON), timeZone: NY }),
    approvals: new ApprovalBook(), hosts: { host: () => undefined, hosts: () => [] }, strategies: [], instrument: (s) => instrument(s),
    clock: () => ({ offsetMs: 0, skewBlocked: false }), dependencies: () => ({ venue_rest: 'up', venue_ws: 'up', journal: 'up' }), regime: 'chop', groups: {},
    venueShorting: false, book: book === undefined ? undefined : (s) => (s === symbol ? book : undefined),
  };
};

describe('S2-10 the market view the risk engine gets', () => {
  it('S2-10 carries the session volume and the local book only while it is in sync', () => {
    const state = new MarketState(['BAC'], 500, NY);
    const book = new LocalOrderBook('BAC');
    const src = sourcesFor('BAC', state, book, NOW);
    expect(marketView(src).symbols['BAC']?.book).toBeUndefined(); // no snapshot yet
    book.apply({ type: 'book', kind: 'snapshot', symbol: 'BAC', bids: [{ price: d('19.99'), size: d('500') }], asks: [{ price: d('20'), size: d('700') }], updateId: 1, seq: 1, ts: NOW - 50 });
    state.apply({ type: 'bar', symbol: 'BAC', intervalMinutes: 1, start: NOW - 60_000, open: d(20), high: d(20), low: d(20), close: d(20), volume: d('1200000'), closed: true, ts: NOW });
    const view = marketView(src).symbols['BAC'];
    const levels = (side: ReadonlyArray<{ price: Decimal; size: Decimal }> | undefined) => side?.map((l) => `${l.size.toString()}@${l.price.toString()}`);
    expect([levels(view?.book?.bids), levels(view?.book?.asks), view?.book?.ts]).toEqual([['500@19.99'], ['700@20'], NOW - 50]);
    expect([view?.sessionVolume?.day, view?.sessionVolume?.timeZone, view?.sessionVolume?.volume.toString(), view?.sessionVolume?.bars]).toEqual([TODAY, NY, '1200000', 1]);
    book.invalidate(); // a gap: the stale levels must not be read
    const after = marketView(src).symbols['BAC'];
    expect(after?.book).toBeUndefined();
    vetoed(judge(equity('20', { book: after?.book, sessionVolume: after?.sessionVolume }), { ...ON, mode: 'LIVE' }), { rule: 'slippage', reason: 'slippage', capType: 'no_book' });
  });
});

interface Row {
  readonly timeEt: string;
  readonly start: number;
  readonly close: Decimal;
  readonly volume: Decimal;
}

const rows = (file: string): Row[] =>
  readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')).map((f) => ({ timeEt: f[0]!, start: Number(f[1]), close: dec(f[5]!), volume: dec(f[6]!) }));

// Each day's total of the volume column (`awk -F, '{ v[substr($1, 1, 10)] += $7 }'` over the files): the hand sums.
const HAND_DAY_TOTALS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  BAC: { '2013-10-04': '63291464', '2013-10-07': '64410352', '2013-10-08': '92425707', '2013-10-09': '94549464', '2013-10-10': '101834427', '2013-10-11': '83211423' },
};

/** Replays a file's bars into MarketState (New York days) and judges a 1 % entry at each bar close through the runtime's market view. */
const replay = (symbol: string, file: string, onBar: (r: Row, decision: RiskDecision, view: SymbolMarketView) => void): MarketState => {
  const state = new MarketState([symbol], 500, NY);
  const book = new LocalOrderBook(symbol);
  const all = rows(file);
  const src = sourcesFor(symbol, state, book, all[0]!.start);
  const engine = makeRiskEngine(config({ caps: { allowDownscale: false }, ...ON }));
  let u = 0;
  for (const r of all) {
    const now = r.start + 60_000;
    state.apply({ type: 'bar', symbol, intervalMinutes: 1, start: r.start, open: r.close, high: r.close, low: r.close, close: r.close, volume: r.volume, closed: true, ts: now });
    const bid = r.close.minus('0.01');
    state.apply({ type: 'ticker', symbol, lastPrice: r.close, markPrice: undefined, indexPrice: undefined, bidPrice: bid, bidSize: d('50000'), askPrice: r.close, askSize: d('50000'), ts: now - 100 });
    u += 1;
    book.apply({ type: 'book', kind: 'snapshot', symbol, bids: [{ price: bid, size: d('50000') }], asks: [{ price: r.close, size: d('50000') }], updateId: u, seq: u, ts: now - 100 });
    const view: MarketView = marketView(src);
    const decision = engine.check(proposal({ symbol, createdAt: now - 500 }), portfolio({ accountSnapshotTs: now - 1_000 }), view, now);
    onBar(r, decision, view.symbols[symbol]!);
  }
  return state;
};

describe('S2-10 equity filters on the bundled real US-equity minute bars', () => {
  it('S2-10 BAC: the session-day volume from the real bars equals the hand sums, and entries wait until 1,000,000 shares have traded', () => {
    const sums = new Map<string, Decimal>();
    const crossings: string[] = [];
    let approvals = 0;
    replay('BAC', 'data/us-equity-1m/BAC_1m_2013-10-04_2013-10-11.csv', (r, decision, view) => {
      const day = r.timeEt.slice(0, 10); // the file's own New York date, not luxon's
      const before = sums.get(day) ?? dec(0);
      const sum = before.plus(r.volume);
      sums.set(day, sum);
      expect(view.sessionVolume?.day).toBe(day);
      expect(view.sessionVolume?.volume.eq(sum), `${r.timeEt}: ${view.sessionVolume?.volume.toString()} ≠ ${sum.toString()}`).toBe(true);
      if (sum.lt(1_000_000)) {
        expect(decision.kind === 'veto' && [decision.rule, decision.veto.reason, decision.veto.current]).toEqual(['equityFilters', 'daily_volume', sum.toString()]);
      } else {
        if (before.lt(1_000_000)) crossings.push(r.timeEt);
        expect(decision.kind, `${r.timeEt}: ${decision.kind === 'veto' ? decision.veto.message : ''}`).toBe('approve');
        approvals += 1;
      }
    });
    expect(Object.fromEntries([...sums].map(([k, v]) => [k, v.toString()]))).toEqual(HAND_DAY_TOTALS['BAC']);
    // The first bar of each day whose running sum reaches 1,000,000 (found by hand with awk over the file), and the
    // 3 035 of the 3 466 bars from there on.
    expect(crossings).toEqual(['2013-10-04T09:20:00-04:00', '2013-10-07T09:11:00-04:00', '2013-10-08T09:30:00-04:00', '2013-10-09T09:30:00-04:00', '2013-10-10T08:35:00-04:00', '2013-10-11T08:33:00-04:00']);
    expect(approvals).toBe(3_035);
  });

  it('S2-10 SPY: above 100 USD it is never traded, however many shares change hands', () => {
    let judged = 0;
    const state = replay('SPY', 'data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv', (r, decision) => {
      judged += 1;
      expect(r.close.gt(100)).toBe(true);
      expect(decision.kind === 'veto' && [decision.rule, decision.veto.reason, decision.veto.capType, decision.veto.current]).toEqual(['equityFilters', 'price_filter', 'max_price', r.close.toString()]);
    });
    expect(judged).toBe(4_839);
    // The last day's figure is the file's own sum for 2013-10-11.
    const last = rows('data/us-equity-1m/SPY_1m_2013-10-04_2013-10-11.csv').filter((r) => r.timeEt.startsWith('2013-10-11')).reduce((a, r) => a.plus(r.volume), dec(0));
    expect(state.sessionVolume('SPY')?.volume.eq(last)).toBe(true);
    expect(last.gt(1_000_000)).toBe(true);
  });
});
