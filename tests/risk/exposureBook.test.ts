/**
 * Issue 17, incremental exposure: the ExposureBook's figures (per symbol, per group, total at worst-case notional,
 * open risk, the unpriced orders, position and concurrent-trade counts, positions per group, per-strategy sums) equal
 * the from-scratch derivation over the view's lists after every step of random sequences of order placements (limit
 * and market, reduce-only or not, with and without a stop), partial and full fills, cancels, amends (price, quantity,
 * reduce-only), position opens, changes and closes, price moves (a quote may vanish, the last trade may come and go)
 * and restarts — exact Decimal equality. Three books follow each sequence: one told each change directly, the
 * runtime's ExposureFeed syncing from projection-like rows (a restart is a fresh feed: the rebuild from the journaled
 * state), and a book rebuilt from the lists at every step. The RiskEngine's decision for a probe proposal is the same
 * with the book in the view as without it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ONE, ZERO, dec } from '../../src/domain/money.ts';
import type { Position } from '../../src/domain/orders.ts';
import { floorQuantity } from '../../src/domain/rounding.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { decisionRecord, makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import type { ExposureFigures } from '../../src/risk/exposure.ts';
import {
  ExposureBook,
  exposureFromScratch,
  heldAtEntryFromScratch,
  strategyWorkingAtLimitFromScratch,
  strategyWorkingWorstFromScratch,
} from '../../src/risk/exposureBook.ts';
import type { MarketView, PortfolioView, PositionView, SymbolMarketView, WorkingOrderView } from '../../src/risk/views.ts';
import { ExposureFeed } from '../../src/runtime/exposureFeed.ts';
import { NOW, config, instrument, market as marketFixture, portfolio as portfolioFixture, symbolMarket } from './fixtures.ts';

const SYMBOLS = ['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT', 'EUSDT'] as const;
const STRATEGIES = ['momo', 'meanrev'] as const;
const GROUP_NAMES = ['L1', 'DEFI'] as const;
const STEP = dec('0.001');
const TICK = dec('0.01');

const bps = (p: Decimal, b: number): Decimal => p.times(dec(10_000 + b)).div(10_000).toNearest(TICK, Decimal.ROUND_HALF_UP);
const bpsArb = fc.integer({ min: -600, max: 600 });
const qtyArb = fc.integer({ min: 1, max: 5_000 }).map((q) => dec(q).div(1000));
const symbolArb = fc.constantFrom(...SYMBOLS);
// undefined one time in three (fast-check's default is one in six): market orders, no last trade, no stop, no mark.
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const opArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('place' as const), symbol: symbolArb, side: fc.constantFrom('buy' as const, 'sell' as const), quantity: qtyArb,
      // undefined: a market order (valued at the reference price, unpriced without one).
      priceBps: optional(bpsArb), reduceOnly: fc.boolean(), strategyId: fc.constantFrom(...STRATEGIES), stopBps: optional(fc.integer({ min: 0, max: 2_000 })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('partialFill' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 99 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('fill' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), priceBps: optional(bpsArb), quantity: optional(qtyArb), reduceOnly: optional(fc.boolean()) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('position' as const), symbol: symbolArb, side: fc.constantFrom('long' as const, 'short' as const), quantity: qtyArb,
      entryBps: bpsArb, markBps: optional(bpsArb), stopBps: optional(fc.integer({ min: 0, max: 2_000 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), symbol: symbolArb, flat: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('price' as const), symbol: symbolArb, moveBps: bpsArb, spreadTicks: fc.integer({ min: 1, max: 5 }),
      // The last trade off the bid by some ticks, or none (then the mid is the reference); rarely no quote at all.
      lastTicks: optional(fc.integer({ min: -10, max: 10 })), quoted: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const probeArb = fc.record({ symbol: symbolArb, side: fc.constantFrom('buy' as const, 'sell' as const), strategyId: fc.constantFrom(...STRATEGIES), notionalBps: fc.integer({ min: 1, max: 400 }) });

const runArb = fc.record({
  basePrices: fc.tuple(...SYMBOLS.map(() => fc.integer({ min: 1_000, max: 300_000 }).map((c) => dec(c).div(100)))),
  groups: fc.tuple(...SYMBOLS.map(() => optional(fc.constantFrom(...GROUP_NAMES)))),
  steps: fc.array(fc.tuple(opArb, probeArb), { minLength: 10, maxLength: 40, size: 'max' }),
});

interface ModelOrder {
  readonly id: string;
  readonly createdSeq: number;
  updatedSeq: number;
  view: WorkingOrderView;
}

interface Quote {
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
  readonly last: Decimal | undefined;
}

/** The owner's state: working orders in created order, positions (with the venue's Position objects), quotes. */
class Model {
  seq = 0;
  readonly orders: ModelOrder[] = [];
  readonly positions = new Map<string, { source: Position; view: PositionView }>();
  readonly quotes = new Map<string, Quote>();
  market: MarketView;
  readonly base: ReadonlyMap<string, Decimal>;
  readonly groups: Readonly<Record<string, string>>;

  constructor(base: ReadonlyMap<string, Decimal>, groups: Readonly<Record<string, string>>) {
    this.base = base;
    this.groups = groups;
    for (const [s, p] of base) this.quotes.set(s, { bid: p, ask: p.plus(TICK), last: p });
    this.market = this.buildMarket();
  }

  buildMarket(): MarketView {
    const symbols: Record<string, SymbolMarketView> = {};
    for (const [s, q] of this.quotes) symbols[s] = symbolMarket(s, { instrument: instrument(s, { kind: 'linear_perp', maxQuantity: dec('1000000'), minNotional: dec('1') }), ...q });
    return marketFixture({ symbols });
  }

  view(): PortfolioView {
    return portfolioFixture({
      nav: dec(1_000_000), positions: [...this.positions.values()].map((p) => p.view), workingOrders: this.orders.map((o) => o.view), groups: this.groups,
    });
  }

  pick(n: number): ModelOrder | undefined {
    return this.orders.length === 0 ? undefined : this.orders[n % this.orders.length];
  }
}

/** The three books of one sequence. */
interface Books {
  direct: ExposureBook;
  feed: ExposureFeed;
}

const restartDirect = (m: Model): ExposureBook => {
  // The owner's restart: a fresh book from the list of open orders (by their ids) and positions.
  const book = new ExposureBook(m.groups).valueAt(m.market);
  for (const p of m.positions.values()) book.putPosition(p.view);
  for (const o of m.orders) book.putOrder(o.id, o.view);
  return book;
};

/** Applies one step to the model and tells the direct book; the feed and the rebuilt book read the model afterwards. */
const apply = (m: Model, books: Books, op: Op): void => {
  const basePrice = (s: string): Decimal => m.base.get(s) ?? dec(100);
  switch (op.kind) {
    case 'place': {
      const base = basePrice(op.symbol);
      const price = op.priceBps === undefined ? undefined : bps(base, op.priceBps);
      const stopLoss = op.stopBps === undefined ? undefined : bps(price ?? base, op.side === 'buy' ? -op.stopBps : op.stopBps);
      m.seq += 1;
      const o: ModelOrder = {
        id: `o${m.seq}`, createdSeq: m.seq, updatedSeq: m.seq,
        view: { symbol: op.symbol, side: op.side, quantity: op.quantity, price, reduceOnly: op.reduceOnly, strategyId: op.strategyId, stopLoss },
      };
      m.orders.push(o);
      books.direct.putOrder(o.id, o.view);
      return;
    }
    case 'partialFill': {
      const o = m.pick(op.pick);
      if (o === undefined) return;
      const left = floorQuantity(o.view.quantity.times(100 - op.percent).div(100), STEP);
      if (!left.gt(ZERO)) return;
      m.seq += 1;
      o.updatedSeq = m.seq;
      o.view = { ...o.view, quantity: left };
      books.direct.putOrder(o.id, o.view);
      return;
    }
    case 'fill':
    case 'cancel': {
      const o = m.pick(op.pick);
      if (o === undefined) return;
      m.orders.splice(m.orders.indexOf(o), 1);
      books.direct.removeOrder(o.id);
      return;
    }
    case 'amend': {
      const o = m.pick(op.pick);
      if (o === undefined) return;
      m.seq += 1;
      o.updatedSeq = m.seq;
      const price = op.priceBps === undefined ? o.view.price : bps(basePrice(o.view.symbol), op.priceBps);
      o.view = { ...o.view, price, quantity: op.quantity ?? o.view.quantity, reduceOnly: op.reduceOnly ?? o.view.reduceOnly };
      books.direct.putOrder(o.id, o.view);
      return;
    }
    case 'position': {
      const base = basePrice(op.symbol);
      const entryPrice = bps(base, op.entryBps);
      const markPrice = op.markBps === undefined ? undefined : bps(base, op.markBps);
      const stopLoss = op.stopBps === undefined ? undefined : bps(entryPrice, op.side === 'long' ? -op.stopBps : op.stopBps);
      const view: PositionView = { symbol: op.symbol, side: op.side, quantity: op.quantity, entryPrice, markPrice, stopLoss };
      const source: Position = {
        ...view, unrealizedPnl: ZERO, leverage: ONE, takeProfit: undefined, tpTrigger: undefined, slTrigger: undefined, updatedAt: m.seq,
      };
      m.positions.set(op.symbol, { source, view });
      books.direct.putPosition(view);
      return;
    }
    case 'close': {
      const held = m.positions.get(op.symbol);
      m.positions.delete(op.symbol);
      // Closed either by name, or by a flat update of the same position.
      if (op.flat && held !== undefined) books.direct.putPosition({ ...held.view, quantity: ZERO });
      else books.direct.removePosition(op.symbol);
      return;
    }
    case 'price': {
      const base = basePrice(op.symbol).times(dec(10_000 + op.moveBps)).div(10_000).toNearest(TICK, Decimal.ROUND_HALF_UP);
      const bid = op.quoted ? base : undefined;
      const ask = op.quoted ? base.plus(TICK.times(op.spreadTicks)) : undefined;
      const last = op.lastTicks === undefined ? undefined : base.plus(TICK.times(op.lastTicks));
      m.quotes.set(op.symbol, { bid, ask, last });
      m.market = m.buildMarket();
      books.direct.valueAt(m.market);
      return;
    }
    case 'restart':
      books.direct = restartDirect(m);
      books.feed = new ExposureFeed();
      return;
  }
};

const syncFeed = (m: Model, feed: ExposureFeed): ExposureBook => {
  const held = [...m.positions.values()];
  return feed.sync(
    m.orders.map((o) => ({ clientOrderId: o.id, createdSeq: o.createdSeq, updatedSeq: o.updatedSeq })),
    m.orders.map((o) => o.view),
    held.map((p) => p.source),
    held.map((p) => p.view),
    m.market,
    m.groups,
  );
};

const text = (d: Decimal): string => d.toString();

/** Every figure of the book against the from-scratch derivation of the same view and market (exact decimals). */
const expectEqualFigures = (label: string, book: ExposureBook, view: PortfolioView, market: MarketView): void => {
  const fresh: ExposureFigures = exposureFromScratch(view, market);
  const a = book.exposure;
  const e = fresh.exposure;
  const groups = [...GROUP_NAMES, 'none'];
  const snapshot = (x: typeof a, risk: ExposureFigures['openRisk']) => ({
    bySymbol: SYMBOLS.map((s) => text(x.bySymbol.get(s) ?? ZERO)),
    byGroup: groups.map((g) => text(x.byGroup.get(g) ?? ZERO)),
    total: text(x.total),
    unpriced: [...x.unpriced],
    positionsCount: x.positionsCount,
    groupPositions: groups.map((g) => x.groupPositions.get(g) ?? 0),
    activeSymbols: [...x.activeSymbols].sort(),
    openRisk: text(risk.total),
    openRiskUnpriced: [...risk.unpriced],
  });
  expect(snapshot(a, book.openRisk), label).toEqual(snapshot(e, fresh.openRisk));
  // Exact equality, not only the same rendering.
  expect(a.total.eq(e.total) && book.openRisk.total.eq(fresh.openRisk.total), label).toBe(true);
  expect(
    STRATEGIES.map((s) => [text(book.strategyWorkingWorst(s)), text(book.strategyWorkingAtLimit(s))]),
    label,
  ).toEqual(STRATEGIES.map((s) => [text(strategyWorkingWorstFromScratch(view, market, s)), text(strategyWorkingAtLimitFromScratch(view, s))]));
  expect(text(book.heldAtEntry), label).toBe(text(heldAtEntryFromScratch(view)));
  expect(book.workingOrders(), label).toEqual(view.workingOrders);
  expect([...book.positions()].sort((x, y) => x.symbol.localeCompare(y.symbol)), label).toEqual([...view.positions].sort((x, y) => x.symbol.localeCompare(y.symbol)));
  expect(book.market, label).toBe(market);
};

// Caps tight enough that the probes meet every one of them (symbol, group, total, open risk, capacity, group positions).
const ENGINE = makeRiskEngine(
  config({
    allowShorts: true,
    caps: { maxPositionFraction: 0.004, maxTotalAtRiskFraction: 0.012, groupCapFraction: 0.006, maxTradeFraction: '100%', allowDownscale: true },
    capital: { maxOpenRiskFraction: 0.003 },
    capacity: { maxConcurrentTrades: 4, maxOpenPositions: 3, maxPositionsPerGroup: 1 },
    defaultStrategyBudget: { budgetFraction: '100%', maxTradesPerCycle: 10 },
  }),
);

const probeProposal = (p: { readonly symbol: string; readonly side: 'buy' | 'sell'; readonly strategyId: string; readonly notionalBps: number }, i: number): TradeProposal =>
  new TradeProposal({
    proposalId: `probe-${i}`, strategyId: p.strategyId, symbol: p.symbol, side: p.side, instrumentKind: 'perp',
    notionalFraction: (p.notionalBps / 10_000) as never, stopLossFraction: 0.02 as never, takeProfitFraction: 0.04 as never, conviction: 0.5 as never,
    createdAt: NOW - 100, ttlMs: 60_000,
  });

describe('ExposureBook (issue 17)', () => {
  it('issue 17 X-RSK-4 S3-3 S3-9 S2-4 S0-6 S1-13 S3-6: after every step of random orders, fills, cancels, amends, positions, price moves and restarts the incremental exposure equals the from-scratch computation (300 seeded sequences)', () => {
    const outcomes = new Map<string, number>();
    const capTypes = new Map<string, number>();
    let steps = 0;
    let unpricedSteps = 0;
    fc.assert(
      fc.property(runArb, (run) => {
        const groups: Record<string, string> = {};
        SYMBOLS.forEach((s, i) => {
          const g = run.groups[i];
          if (g !== undefined) groups[s] = g;
        });
        const m = new Model(new Map(SYMBOLS.map((s, i) => [s, run.basePrices[i] ?? dec(100)])), groups);
        const books: Books = { direct: new ExposureBook(groups).valueAt(m.market), feed: new ExposureFeed() };
        run.steps.forEach(([op, probe], i) => {
          apply(m, books, op);
          steps += 1;
          const view = m.view();
          const label = `step ${i} (${op.kind})`;
          expectEqualFigures(`${label}, direct`, books.direct, view, m.market);
          const fed = syncFeed(m, books.feed);
          expectEqualFigures(`${label}, feed`, fed, view, m.market);
          expectEqualFigures(`${label}, rebuilt`, ExposureBook.of(view, m.market), view, m.market);
          if (fed.exposure.unpriced.length > 0) unpricedSteps += 1;
          // The one gate decides the same with the aggregate as from the lists.
          const proposal = probeProposal(probe, i);
          const fromLists = ENGINE.check(proposal, view, m.market, NOW);
          const fromBook = ENGINE.check(proposal, { ...view, exposure: fed }, m.market, NOW);
          expect(decisionRecord(fromBook), label).toEqual(decisionRecord(fromLists));
          expect(fromBook.trace, label).toEqual(fromLists.trace);
          const outcome = fromLists.kind === 'approve' ? 'approve' : fromLists.veto.reason;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          if (fromLists.kind === 'veto') capTypes.set(fromLists.veto.capType, (capTypes.get(fromLists.veto.capType) ?? 0) + 1);
        });
      }),
      { seed: 17_2026, numRuns: 300 },
    );
    // The probes met every cap the aggregates feed, not only approvals; unpriced orders were in the book.
    expect(outcomes.get('approve') ?? 0).toBeGreaterThan(0);
    const met = (prefix: string): number => [...capTypes].filter(([k]) => k.startsWith(prefix)).reduce((a, [, n]) => a + n, 0);
    for (const capType of ['symbol', 'group:', 'total', 'total_unpriced', 'open_risk', 'max_concurrent_trades', 'max_open_positions', 'group_positions:']) {
      expect(met(capType), capType).toBeGreaterThan(0);
    }
    expect(unpricedSteps).toBeGreaterThan(0);
    expect(steps).toBeGreaterThan(6_000);
  });

  it('issue 17 X-RSK-4: the feed rebuilds the book when a working order comes back out of the projection order (unpriced orders keep their order)', () => {
    const m = new Model(new Map([['AUSDT', dec(100)], ['BUSDT', dec(50)]]), {});
    const unquoted = (): void => {
      m.quotes.set('AUSDT', { bid: undefined, ask: undefined, last: undefined });
      m.quotes.set('BUSDT', { bid: undefined, ask: undefined, last: undefined });
      m.market = m.buildMarket();
    };
    unquoted();
    const order = (id: string, createdSeq: number, symbol: string): ModelOrder => ({
      id, createdSeq, updatedSeq: createdSeq, view: { symbol, side: 'buy', quantity: dec(1), price: undefined, reduceOnly: false, strategyId: 'momo' },
    });
    const feed = new ExposureFeed();
    m.orders.push(order('a', 1, 'AUSDT'), order('b', 2, 'BUSDT'), order('c', 3, 'AUSDT'));
    expect([...syncFeed(m, feed).exposure.unpriced]).toEqual(['AUSDT', 'BUSDT', 'AUSDT']);
    // b leaves the working states, then comes back with its old created seq (a conditional order re-armed).
    const b = m.orders.splice(1, 1)[0]!;
    expect([...syncFeed(m, feed).exposure.unpriced]).toEqual(['AUSDT', 'AUSDT']);
    m.orders.splice(1, 0, { ...b, updatedSeq: 9 });
    const book = syncFeed(m, feed);
    expect([...book.exposure.unpriced]).toEqual(['AUSDT', 'BUSDT', 'AUSDT']);
    expectEqualFigures('re-armed', book, m.view(), m.market);
  });

  it('issue 17 X-RSK-4: the engine reads a book only against the market view it is valued at, and derives the figures from the lists otherwise', () => {
    const m = new Model(new Map([['AUSDT', dec(100)]]), {});
    m.orders.push({ id: 'w', createdSeq: 1, updatedSeq: 1, view: { symbol: 'AUSDT', side: 'buy', quantity: dec(30), price: dec(99), reduceOnly: false, strategyId: 'momo' } });
    const book = ExposureBook.of(m.view(), m.market);
    // The market moved after the book was valued: the book is not read for the new view.
    m.quotes.set('AUSDT', { bid: dec(130), ask: dec('130.01'), last: dec(130) });
    const moved = m.buildMarket();
    const proposal = probeProposal({ symbol: 'AUSDT', side: 'buy', strategyId: 'momo', notionalBps: 10 }, 0);
    const withStaleBook = ENGINE.check(proposal, { ...m.view(), exposure: book }, moved, NOW);
    const fromLists = ENGINE.check(proposal, m.view(), moved, NOW);
    expect(decisionRecord(withStaleBook)).toEqual(decisionRecord(fromLists));
    expect(fromLists.kind === 'veto' ? fromLists.veto.current : undefined).toBe(dec(30).times(130).div(1_000_000).toString());
    // Valued at the moved market, the book gives the same decision again.
    expect(decisionRecord(ENGINE.check(proposal, { ...m.view(), exposure: book.valueAt(moved) }, moved, NOW))).toEqual(decisionRecord(fromLists));
  });
});
