/**
 * Issue 17 item 2 through the real state: the account's incremental exposure (the ExposureFeed's ExposureBook that the
 * risk views carry) equals the from-scratch computation after every step of random sequences played against the
 * in-process simulator. The orders projection is written by the real ExecutionEngine — write-ahead requests, acks,
 * definitive rejects, lost answers (ambiguous), immediate and later fills (partial and full, by a counterparty's
 * orders), cancels, queries — positions and NAV come from the simulator's account stream, approvals from the
 * RiskEngine through the ApprovalBook. A restart closes the journal file and rebuilds everything from the restored state
 * as startup does: the journal reopened, the journal-level reconcile of `recoverAtStartup`, positions and balances read
 * from the venue, approvals rehydrated from RISK_DECISION, a fresh ExposureFeed; some restarts follow a crash mid-submit
 * or let the venue move on while the process is down, and after a clean one the aggregates equal those before it.
 * Amends are not part of the journaled state (no amend event; nothing calls `Venue.amendOrder`), so they are not
 * played here; tests/risk/exposureBook.test.ts covers amends at the book's level.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect } from 'effect';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO, dec, maxDec, type Decimal } from '../../src/domain/money.ts';
import type { OrderRequest, Side } from '../../src/domain/orders.ts';
import { floorQuantity, roundPrice } from '../../src/domain/rounding.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { ApprovalBook, RISK_DECISION } from '../../src/execution/ApprovalBook.ts';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.ts';
import { reconcile } from '../../src/execution/Reconciler.ts';
import { nextClientOrderId } from '../../src/journal/clientOrderIds.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { MarketState } from '../../src/market/MarketState.ts';
import { Portfolio } from '../../src/portfolio/Portfolio.ts';
import { aggregateFor, type ExposureFigures } from '../../src/risk/exposure.ts';
import { exposureFromScratch } from '../../src/risk/exposureBook.ts';
import { decisionRecord, makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { TradingState } from '../../src/risk/TradingState.ts';
import type { PortfolioView } from '../../src/risk/views.ts';
import type { HostRegistry } from '../../src/runtime/ports.ts';
import { ExposureFeed, WORKING_ORDER_STATES, riskViews, type RiskViewSources } from '../../src/runtime/RiskViews.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange, SimOrder } from '../../src/venues/sim/engine/types.ts';
import { makeSimVenue, type SimVenue } from '../../src/venues/sim/SimVenue.ts';
import type { AccountEvent, MarketEvent } from '../../src/venues/streams.ts';
import { VenueError } from '../../src/venues/Venue.ts';
import { NOW, config, instrument, market as marketFixture, portfolio as portfolioFixture, symbolMarket } from '../risk/fixtures.ts';

const SYMBOLS = ['AUSDT', 'BUSDT', 'CUSDT', 'DUSDT'] as const;
const STRATEGY_IDS = ['momo', 'meanrev'] as const;
const GROUP_NAMES = ['L1', 'DEFI'] as const;
const ACCOUNT = 'main';
const COUNTERPARTY = 'mm';
const BOT = 'tw';
const TICK = dec('0.01');
const STEP = dec('0.001');
const NO_TRADES: ReadonlyMap<string, number> = new Map();
const NO_HOSTS: HostRegistry = { host: () => undefined, hosts: () => [] };
const INSTRUMENTS = new Map(SYMBOLS.map((s) => [s, instrument(s, { kind: 'linear_perp', maxQuantity: dec('1000000'), maxMarketQuantity: dec('1000000') })]));
const STRATEGIES: ReadonlyArray<Strategy<unknown>> = STRATEGY_IDS.map((id) => ({ id, init: () => undefined, propose: (_snapshot, state) => ({ proposals: [], state }), selfCheck: () => [] }));

// Approves the test's entries: generous limits against a large book, so every entry gets an approval to send.
const MINT = makeRiskEngine(config({ allowShorts: true }));
// Judges the probes: caps tight enough for the account's 100 000 USDT that the probes meet every one of them.
const PROBE = makeRiskEngine(
  config({
    allowShorts: true,
    caps: { maxPositionFraction: 0.004, maxTotalAtRiskFraction: 0.012, groupCapFraction: 0.006, maxTradeFraction: '100%', allowDownscale: true },
    capital: { maxOpenRiskFraction: 0.003 },
    capacity: { maxConcurrentTrades: 4, maxOpenPositions: 3, maxPositionsPerGroup: 1 },
    defaultStrategyBudget: { budgetFraction: '100%', maxTradesPerCycle: 10 },
  }),
);

// undefined one time in three: no group, no last trade in a quote.
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
const symbolArb = fc.constantFrom(...SYMBOLS);
const sideArb = fc.constantFrom<Side>('buy', 'sell');

const orderArb = fc.record({
  symbol: symbolArb,
  side: sideArb,
  reduceOnly: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  market: fc.oneof({ weight: 7, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  priceBps: fc.integer({ min: -300, max: 300 }),
  quantity: fc.integer({ min: 1, max: 3_000 }).map((q) => dec(q).div(1000)),
  strategyId: fc.constantFrom(...STRATEGY_IDS),
  stopBps: fc.integer({ min: 50, max: 500 }),
});
type OrderSpec = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

const downtimeArb = fc.oneof(
  fc.record({ kind: fc.constant('hit' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 150 }) }),
  fc.record({ kind: fc.constant('venueCancel' as const), pick: fc.nat() }),
);
type VenueMove = typeof downtimeArb extends fc.Arbitrary<infer T> ? T : never;

const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      order: orderArb,
      // acked: awaited; inFlight: the views are taken while the request is on its way; lost: the venue took it, the answer was lost.
      answer: fc.oneof({ weight: 5, arbitrary: fc.constant('acked' as const) }, { weight: 2, arbitrary: fc.constant('inFlight' as const) }, { weight: 1, arbitrary: fc.constant('lost' as const) }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('hit' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 150 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('liquidity' as const), symbol: symbolArb, side: sideArb, priceBps: fc.integer({ min: -200, max: 200 }), quantity: fc.integer({ min: 1, max: 2_000 }).map((q) => dec(q).div(1000)) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('query' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('protect' as const), symbol: symbolArb, stopBps: fc.integer({ min: 50, max: 1_500 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('price' as const), symbol: symbolArb, moveBps: fc.integer({ min: -500, max: 500 }), spreadTicks: fc.integer({ min: 1, max: 5 }),
      lastTicks: optional(fc.integer({ min: -5, max: 5 })),
    }),
  },
  // The process dies inside submit: after the write-ahead record (the request never left) or after the venue took it.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), order: orderArb, at: fc.constantFrom('requested' as const, 'sent' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), downtime: fc.array(downtimeArb, { maxLength: 2 }) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const probeArb = fc.record({ symbol: symbolArb, side: sideArb, strategyId: fc.constantFrom(...STRATEGY_IDS), notionalBps: fc.integer({ min: 1, max: 400 }) });
type Probe = typeof probeArb extends fc.Arbitrary<infer T> ? T : never;

const runArb = fc.record({
  basePrices: fc.tuple(...SYMBOLS.map(() => fc.integer({ min: 1_000, max: 40_000 }).map((c) => dec(c).div(100)))),
  groups: fc.tuple(...SYMBOLS.map(() => optional(fc.constantFrom(...GROUP_NAMES)))),
  // Symbols without a quote yet: their working orders are valued at their limit alone, and probes there are stale.
  quoted: fc.tuple(...SYMBOLS.map(() => fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }))),
  // Each step: an op, a probe proposal, and whether the lagging feed (a slower decision cadence) is synced after it.
  steps: fc.array(fc.tuple(opArb, probeArb, fc.boolean()), { minLength: 8, maxLength: 24, size: 'max' }),
});

/** What outlives a process: the venue (with its counterparty), the market it quotes, the journal file. */
interface World {
  readonly dir: string;
  readonly clock: VirtualClock;
  readonly exchange: SimExchange;
  readonly venue: SimVenue;
  /** Set: the venue takes the next placement but its answer is lost (a timeout after accept). */
  readonly loseNextAnswer: { value: boolean };
  readonly groups: Readonly<Record<string, string>>;
  readonly base: Map<string, Decimal>;
  /** Each quoted symbol's latest full ticker and last closed bar: what the market stream delivers again after a reconnect. */
  readonly stream: Map<string, { ticker: Extract<MarketEvent, { type: 'ticker' }>; bar: MarketEvent }>;
  counterpartySeq: number;
}

/** One process's life: the journal it opened and everything built on it. */
interface Proc {
  readonly journal: Journal;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly market: MarketState;
  readonly approvals: ApprovalBook;
  /** The sources the decision loop's views come from, synced after every step. */
  readonly every: RiskViewSources;
  /** The same sources with a feed synced only when a step says so. */
  readonly lagging: RiskViewSources;
  /** No feed: the views' figures are derived from the lists. */
  readonly scratch: RiskViewSources;
  /** The crash point armed for the next submit. */
  readonly crashAt: { value: string | undefined };
  readonly stop: () => void;
}

class ProcessCrashed extends Error {}

const LOST_ANSWER = new VenueError({ venue: 'sim', operation: 'placeOrder', reason: { kind: 'timeout', afterMs: 5_000 } });

// Publishes a quote for a symbol moved by `moveBps`; a quote without a last trade keeps the previous last.
const quote = (w: World, symbol: string, moveBps: number, spreadTicks: number, lastTicks: number | undefined): MarketEvent[] => {
  const now = w.clock.now();
  const base = maxDec(roundPrice((w.base.get(symbol) ?? dec(100)).times(10_000 + moveBps).div(10_000), TICK, 'down'), TICK.times(10));
  w.base.set(symbol, base);
  const before = w.stream.get(symbol);
  const last = lastTicks === undefined ? undefined : base.plus(TICK.times(lastTicks));
  const ticker = {
    type: 'ticker' as const, symbol, lastPrice: last, markPrice: undefined, indexPrice: undefined,
    bidPrice: base, bidSize: dec(10), askPrice: base.plus(TICK.times(spreadTicks)), askSize: dec(10), ts: now,
  };
  const bar: MarketEvent = before?.bar ?? { type: 'bar', symbol, intervalMinutes: 1, start: now - 60_000, open: base, high: base, low: base, close: base, volume: dec(1), closed: true, ts: now };
  w.stream.set(symbol, { ticker: { ...ticker, lastPrice: last ?? before?.ticker.lastPrice }, bar });
  return before === undefined ? [bar, ticker] : [ticker];
};

const makeWorld = (run: { basePrices: ReadonlyArray<Decimal>; groups: ReadonlyArray<string | undefined>; quoted: ReadonlyArray<boolean> }): World => {
  const clock = new VirtualClock(NOW);
  const exchange = createSimExchange({ clock, instruments: [...INSTRUMENTS.values()], feeds: [], seed: 17 });
  exchange.fundAccount(ACCOUNT, 'USDT', dec(100_000));
  exchange.fundAccount(COUNTERPARTY, 'USDT', dec(100_000_000));
  const sim = makeSimVenue(exchange, ACCOUNT);
  const loseNextAnswer = { value: false };
  const venue: SimVenue = {
    ...sim,
    placeOrder: (r) =>
      sim.placeOrder(r).pipe(
        Effect.flatMap((ack) => {
          if (!loseNextAnswer.value) return Effect.succeed(ack);
          loseNextAnswer.value = false;
          return Effect.fail(LOST_ANSWER);
        }),
      ),
  };
  const groups: Record<string, string> = {};
  SYMBOLS.forEach((s, i) => {
    const g = run.groups[i];
    if (g !== undefined) groups[s] = g;
  });
  const w: World = {
    dir: mkdtempSync(join(tmpdir(), 'tw-exposure-')), clock, exchange, venue, loseNextAnswer, groups,
    base: new Map(SYMBOLS.map((s, i) => [s, run.basePrices[i] ?? dec(100)])), stream: new Map(), counterpartySeq: 0,
  };
  SYMBOLS.forEach((s, i) => {
    if (run.quoted[i] === true) quote(w, s, 0, 1, undefined);
  });
  return w;
};

const workingRows = (journal: Journal) => journal.ordersInState(WORKING_ORDER_STATES);

/** Starts a process on the world's journal file and venue, as startup does (journal-level reconcile, then the account). */
const start = async (w: World): Promise<Proc> => {
  // Scratch durability: the same file, schema, chain and projection, without an fsync per commit (the crashes here are
  // played in-process; the drills prove what survives a real kill).
  const journal = openJournal({ path: join(w.dir, 'journal.sqlite'), clock: w.clock, durability: 'scratch' });
  const crashAt = { value: undefined as string | undefined };
  const execution = new ExecutionEngine({
    venue: w.venue, journal, clock: w.clock, logger: silentLogger(w.clock), retry: { baseMs: 1, capMs: 5, maxAttempts: 3 }, seed: 17, gateOpen: () => true,
    crashPoint: (name) => {
      if (name !== crashAt.value) return;
      crashAt.value = undefined;
      throw new ProcessCrashed(name);
    },
  });
  await reconcile({ venue: w.venue, journal, botId: BOT, symbols: SYMBOLS, protectionFor: () => undefined }, { apply: true });
  const portfolio = new Portfolio('USDT');
  portfolio.applyBalances(await Effect.runPromise(w.venue.balances()), w.clock.now());
  for (const p of await Effect.runPromise(w.venue.positions())) portfolio.applyPosition(p);
  const market = new MarketState(SYMBOLS);
  for (const { bar, ticker } of w.stream.values()) {
    market.apply(bar);
    market.apply(ticker);
  }
  const state = new TradingState({ journal, config: PROBE.config, timeZone: 'UTC' });
  state.restore();
  // The intents the restored actors would still work: those of the working entries.
  const approvals = new ApprovalBook();
  approvals.rehydrate(journal, MINT, workingRows(journal).filter((r) => !r.reduceOnly).map((r) => r.intentId));
  const sources = (exposure: ExposureFeed | undefined): RiskViewSources => ({
    symbols: SYMBOLS, journal, portfolio, market, state, approvals, hosts: NO_HOSTS, strategies: STRATEGIES, instrument: (s) => INSTRUMENTS.get(s as (typeof SYMBOLS)[number]),
    clock: () => ({ offsetMs: 0, skewBlocked: false }), dependencies: () => ({ venue_rest: 'up', venue_ws: 'up', journal: 'up' }), regime: 'chop', groups: w.groups,
    venueShorting: true, exposure,
  });
  // The account stream as the router journals it: our fills and closes through the ExecutionEngine, positions and NAV to the portfolio.
  const onAccount = (e: AccountEvent): void => {
    if (e.type === 'wallet') portfolio.applyBalances(e.balances, w.clock.now());
    else if (e.type === 'position') portfolio.applyPosition(e.position);
    else if (e.type === 'execution') execution.recordFill(e.fill);
    else execution.recordOrderUpdate(e.order);
  };
  const unsubscribe = w.venue.onAccount(onAccount);
  return {
    journal, execution, portfolio, market, approvals, every: sources(new ExposureFeed()), lagging: sources(new ExposureFeed()), scratch: sources(undefined), crashAt,
    stop: () => {
      unsubscribe();
      journal.close();
    },
  };
};

/** Approves an entry with the RiskEngine and keeps the approval as the decision loop does (journaled, in the ApprovalBook). */
const approveEntry = (w: World, p: Proc, o: OrderSpec, proposalId: string) => {
  const now = w.clock.now();
  const base = w.base.get(o.symbol) ?? dec(100);
  const view = marketFixture({
    symbols: { [o.symbol]: symbolMarket(o.symbol, { instrument: INSTRUMENTS.get(o.symbol), bid: base, ask: base.plus(TICK), last: base, quoteTs: now - 100, lastBarCloseTs: now - 1_000 }) },
  });
  const proposal = new TradeProposal({
    proposalId, strategyId: o.strategyId, symbol: o.symbol, side: o.side, instrumentKind: 'perp', notionalFraction: 0.01 as never,
    stopLossFraction: (o.stopBps / 10_000) as never, takeProfitFraction: 0.04 as never, conviction: 0.5 as never, createdAt: now - 100, ttlMs: 60_000,
  });
  const decision = MINT.check(proposal, portfolioFixture({ nav: dec(1_000_000_000), accountSnapshotTs: now - 1_000 }), view, now);
  if (decision.kind !== 'approve') throw new Error(`the test's entry was vetoed: ${decision.veto.message}`);
  p.journal.append(`risk:${o.symbol}`, RISK_DECISION, { proposalId, ...decisionRecord(decision) });
  p.approvals.put(decision.decisionId, decision.order);
  return decision;
};

/** Sends one order through the ExecutionEngine (write-ahead, venue, outcome); returns the submit in flight. */
const submit = (w: World, p: Proc, o: OrderSpec): Promise<unknown> => {
  const now = w.clock.now();
  const base = w.base.get(o.symbol) ?? dec(100);
  const price = o.market ? undefined : roundPrice(base.times(10_000 + o.priceBps).div(10_000), TICK, 'down');
  const { clientOrderId } = nextClientOrderId(p.journal, { botId: BOT, strategyId: o.strategyId, floorMs: now });
  const request: OrderRequest = {
    clientOrderId, symbol: o.symbol, side: o.side, type: o.market ? 'market' : 'limit', quantity: o.quantity, price, timeInForce: o.market ? 'ioc' : 'gtc', reduceOnly: o.reduceOnly,
  };
  if (o.reduceOnly) {
    const exit = MINT.approveExit({ intentId: clientOrderId, clientOrderId, strategyId: o.strategyId, symbol: o.symbol, side: o.side, quantity: o.quantity, referencePrice: price ?? base }, now);
    return p.execution.submit(exit.order, request, { intentId: clientOrderId, role: 'exit' });
  }
  const entry = approveEntry(w, p, o, clientOrderId);
  return p.execution.submit(entry.order, request, { intentId: entry.decisionId, role: 'entry' });
};

const pickOpen = (w: World, pick: number): SimOrder | undefined => {
  const open = w.exchange.openOrders(ACCOUNT);
  return open.length === 0 ? undefined : open[pick % open.length];
};

/** The counterparty takes part (1–99 %) or all (≥ 100 %) of what is left of one of our open orders. */
const hit = (w: World, pick: number, percent: number): void => {
  const o = pickOpen(w, pick);
  if (o === undefined || o.price === undefined) return;
  const left = o.quantity.minus(o.filledQuantity);
  const quantity = percent >= 100 ? left : maxDec(floorQuantity(left.times(percent).div(100), STEP), STEP);
  w.counterpartySeq += 1;
  w.exchange.placeOrder({
    account: COUNTERPARTY, symbol: o.symbol, side: o.side === 'buy' ? 'sell' : 'buy', type: 'limit', quantity, price: o.price, timeInForce: 'ioc', reduceOnly: false,
    closeOnTrigger: false, clientOrderId: `mm-${w.counterpartySeq}`,
  });
};

const venueMove = (w: World, m: VenueMove): void => {
  if (m.kind === 'hit') {
    hit(w, m.pick, m.percent);
    return;
  }
  const o = pickOpen(w, m.pick);
  if (o !== undefined) w.exchange.cancelOrder(ACCOUNT, o.symbol, { clientOrderId: o.clientOrderId });
};

const text = (d: Decimal): string => d.toString();

/** Every aggregate the caps read, as exact decimal text. */
const figuresOf = (f: ExposureFigures) => ({
  bySymbol: SYMBOLS.map((s) => text(f.exposure.bySymbol.get(s) ?? ZERO)),
  byGroup: GROUP_NAMES.map((g) => text(f.exposure.byGroup.get(g) ?? ZERO)),
  total: text(f.exposure.total),
  unpriced: [...f.exposure.unpriced],
  positions: f.exposure.positionsCount,
  groupPositions: GROUP_NAMES.map((g) => f.exposure.groupPositions.get(g) ?? 0),
  activeSymbols: [...f.exposure.activeSymbols].sort(),
  openRisk: text(f.openRisk.total),
  openRiskUnpriced: [...f.openRisk.unpriced],
  strategyWorkingWorst: STRATEGY_IDS.map((s) => text(f.strategyWorkingWorst(s))),
});
const committed = (v: PortfolioView) => STRATEGY_IDS.map((s) => text(v.strategies[s]?.committedNotional ?? ZERO));

/** The figures the views built from `src` carry, checked against the from-scratch computation over the same views. */
const checkedFigures = (label: string, src: RiskViewSources, now: number) => {
  const views = riskViews(src, now, NO_TRADES);
  const book = views.portfolio.exposure;
  if (book === undefined) throw new Error(`${label}: the views carry no aggregate`);
  // The engine reads this very book for these views (valued against the market view handed over with them).
  expect(aggregateFor(views.portfolio, views.market), label).toBe(book);
  const figures = figuresOf(book);
  expect(figures, label).toEqual(figuresOf(exposureFromScratch(views.portfolio, views.market)));
  return { views, figures };
};

interface Tally {
  steps: number;
  cleanRestarts: number;
  readonly workingStates: Map<string, number>;
  readonly events: Map<string, number>;
  readonly outcomes: Map<string, number>;
}
const count = (m: Map<string, number>, k: string): void => {
  m.set(k, (m.get(k) ?? 0) + 1);
};

const probeProposal = (p: Probe, now: number, i: number): TradeProposal =>
  new TradeProposal({
    proposalId: `probe-${i}`, strategyId: p.strategyId, symbol: p.symbol, side: p.side, instrumentKind: 'perp', notionalFraction: (p.notionalBps / 10_000) as never,
    stopLossFraction: 0.02 as never, takeProfitFraction: 0.04 as never, conviction: 0.5 as never, createdAt: now - 100, ttlMs: 60_000,
  });

/** After a step: the feed synced now (and the lagging one when `observe`) equals from-scratch, and the one gate decides alike. */
const agree = (label: string, w: World, p: Proc, probe: Probe, observe: boolean, tally: Tally, i: number): void => {
  const now = w.clock.now();
  const { views } = checkedFigures(`${label}, synced every step`, p.every, now);
  const listed = riskViews(p.scratch, now, NO_TRADES);
  expect(listed.portfolio.exposure, label).toBeUndefined();
  expect(views.portfolio.workingOrders, label).toEqual(listed.portfolio.workingOrders);
  expect(committed(views.portfolio), label).toEqual(committed(listed.portfolio));
  // Actors are not part of this world: their availability is left out of both views alike.
  const proposal = probeProposal(probe, now, i);
  const fromBook = PROBE.check(proposal, { ...views.portfolio, actors: undefined }, views.market, now);
  const fromLists = PROBE.check(proposal, { ...listed.portfolio, actors: undefined }, listed.market, now);
  expect(decisionRecord(fromBook), label).toEqual(decisionRecord(fromLists));
  expect(fromBook.trace, label).toEqual(fromLists.trace);
  count(tally.outcomes, fromLists.kind === 'approve' ? 'approve' : `${fromLists.veto.reason}:${fromLists.veto.capType.replace(/:.*/, ':')}`);
  for (const r of workingRows(p.journal)) count(tally.workingStates, r.state);
  if (observe) checkedFigures(`${label}, synced when observed`, p.lagging, now);
};

const restart = async (w: World, p: Proc, downtime: ReadonlyArray<VenueMove>): Promise<Proc> => {
  p.stop();
  for (const m of downtime) venueMove(w, m);
  return start(w);
};

/** Plays one step; returns the process that runs after it (a new one after a crash or a restart). */
const play = async (w: World, p: Proc, op: Op, check: () => void, tally: Tally): Promise<Proc> => {
  switch (op.kind) {
    case 'place': {
      if (op.answer === 'lost') w.loseNextAnswer.value = true;
      const pending = submit(w, p, op.order);
      if (op.answer === 'inFlight') check();
      await pending;
      w.loseNextAnswer.value = false;
      return p;
    }
    case 'crash': {
      p.crashAt.value = `${op.order.reduceOnly ? 'exit' : 'entry'}.${op.at}`;
      try {
        await submit(w, p, op.order);
      } catch (e) {
        if (!(e instanceof ProcessCrashed)) throw e;
        return restart(w, p, []);
      } finally {
        p.crashAt.value = undefined;
      }
      // Refused before it reached the crash point (an expired approval, a closed gate): the process lives on.
      return p;
    }
    case 'hit':
      hit(w, op.pick, op.percent);
      return p;
    case 'liquidity': {
      const base = w.base.get(op.symbol) ?? dec(100);
      w.counterpartySeq += 1;
      w.exchange.placeOrder({
        account: COUNTERPARTY, symbol: op.symbol, side: op.side, type: 'limit', quantity: op.quantity, price: roundPrice(base.times(10_000 + op.priceBps).div(10_000), TICK, 'down'),
        timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId: `mm-${w.counterpartySeq}`,
      });
      return p;
    }
    case 'cancel':
    case 'query': {
      const rows = workingRows(p.journal);
      const row = rows[op.pick % Math.max(rows.length, 1)];
      if (row === undefined) return p;
      if (op.kind === 'cancel') await p.execution.cancel(row.symbol, row.clientOrderId);
      else await p.execution.query(row.symbol, row.clientOrderId);
      return p;
    }
    case 'protect': {
      const held = p.portfolio.position(op.symbol);
      if (held === undefined || held.side === 'flat' || held.quantity.isZero()) return p;
      const away = held.side === 'long' ? 10_000 - op.stopBps : 10_000 + op.stopBps;
      await p.execution.protect({ symbol: op.symbol, takeProfit: undefined, stopLoss: roundPrice(held.entryPrice.times(away).div(10_000), TICK, 'down'), trigger: 'mark' });
      return p;
    }
    case 'price':
      for (const e of quote(w, op.symbol, op.moveBps, op.spreadTicks, op.lastTicks)) p.market.apply(e);
      return p;
    case 'restart': {
      const before = checkedFigures('before the restart', p.every, w.clock.now());
      const next = await restart(w, p, op.downtime);
      const after = checkedFigures('after the restart', next.every, w.clock.now());
      if (op.downtime.length === 0) {
        // Nothing moved while the process was down: the rebuilt aggregates are the ones it had.
        expect(after.figures, 'a clean restart').toEqual(before.figures);
        expect(committed(after.views.portfolio), 'a clean restart').toEqual(committed(before.views.portfolio));
        tally.cleanRestarts += 1;
      }
      return next;
    }
  }
};

describe('incremental exposure through the journaled state (issue 17)', () => {
  it(
    'X-RSK-4 S3-3 S3-9 S2-4 S0-6 S1-13 I17 incremental exposure equals from-scratch after every step of random placements, acks, rejects, lost answers, partial and full fills, cancels, queries, protection, price moves, crashes and restarts rebuilt from the journal and the venue (300 seeded sequences)',
    async () => {
      const tally: Tally = { steps: 0, cleanRestarts: 0, workingStates: new Map(), events: new Map(), outcomes: new Map() };
      await fc.assert(
        fc.asyncProperty(runArb, async (run) => {
          const w = makeWorld(run);
          let p = await start(w);
          try {
            for (const [i, [op, probe, observe]] of run.steps.entries()) {
              const label = `step ${i} (${op.kind})`;
              p = await play(w, p, op, () => agree(`${label} in flight`, w, p, probe, false, tally, i), tally);
              w.clock.advanceTo(w.clock.now() + 10);
              agree(label, w, p, probe, observe, tally, i);
              tally.steps += 1;
            }
            for (const e of p.journal.readEvents()) count(tally.events, e.type);
          } finally {
            p.stop();
            rmSync(w.dir, { recursive: true, force: true });
          }
        }),
        { seed: 17_2027, numRuns: 300 },
      );
      // The sequences went through every kind of order event and restart, and the probes met the caps the aggregates feed.
      for (const type of ['ORDER_REQUESTED', 'ORDER_ACKNOWLEDGED', 'ORDER_REJECTED', 'ORDER_AMBIGUOUS', 'ORDER_FILLED', 'ORDER_CANCELLED', 'ORDER_QUERIED', 'RECONCILED_REJECTED', 'RECONCILED_ADOPTED', 'RECONCILED_STATUS', 'PROTECTION_SET']) {
        expect(tally.events.get(type) ?? 0, type).toBeGreaterThan(0);
      }
      for (const state of ['requested', 'ambiguous', 'new', 'partially_filled']) expect(tally.workingStates.get(state) ?? 0, state).toBeGreaterThan(0);
      expect(tally.cleanRestarts).toBeGreaterThan(50);
      expect(tally.steps).toBeGreaterThan(4_000);
      expect(tally.outcomes.get('approve') ?? 0).toBeGreaterThan(0);
      for (const veto of ['symbol_cap:symbol', 'theme_cap:group:', 'total_cap:total', 'open_risk_cap:open_risk', 'capacity_exceeded:max_open_positions']) {
        expect(tally.outcomes.get(veto) ?? 0, veto).toBeGreaterThan(0);
      }
    },
    240_000,
  );
});
