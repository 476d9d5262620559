/**
 * Builds the RiskEngine's inputs for one venue account from its read models: the portfolio view (positions and NAV
 * from the venue, working orders from the journal's projection, cooldowns, trading state, breakers, actor
 * availability) and the market view (quotes, bars, mid history, session-day volume, the synced local book when the
 * account has one, product status, symbol gates, clock and dependency health, regime). The portfolio view carries the account's exposure aggregates (its ExposureFeed's book, valued against
 * the market view built with it), so the RiskEngine's caps read them in O(1) (issue 17). Read-only; every decision of
 * the one gate is made from these.
 */
import type { Decimal } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import type { ApprovalBook } from '../execution/ApprovalBook.ts';
import type { Journal, JournalOrderState, OrderRow } from '../journal/Journal.ts';
import type { HeldPosition, MarketState } from '../market/MarketState.ts';
import type { LocalOrderBook } from '../market/OrderBook.ts';
import type { Portfolio } from '../portfolio/Portfolio.ts';
import type { Regime } from '../risk/RiskConfig.ts';
import type { TradingState } from '../risk/TradingState.ts';
import { heldAtEntryFromScratch, strategyWorkingAtLimitFromScratch } from '../risk/exposureBook.ts';
import type { ActorAvailability, BookDepthView, MarketView, PortfolioView, ProductStatus, SymbolMarketView, WorkingOrderView } from '../risk/views.ts';
import type { Strategy } from '../strategies/Strategy.ts';
import { acceptsEntry, acceptsExit } from '../../machines/trade/tradeQueries.ts';
import type { ExposureFeed } from './exposureFeed.ts';
import type { HostRegistry } from './ports.ts';

export { ExposureFeed } from './exposureFeed.ts';

/** The projection states whose orders are working (open, or sent with the outcome not yet known). */
export const WORKING_ORDER_STATES: ReadonlyArray<JournalOrderState> = ['requested', 'ambiguous', 'new', 'partially_filled', 'untriggered'];

/** What the views are built from. */
export interface RiskViewSources {
  readonly symbols: ReadonlyArray<string>;
  readonly journal: Journal;
  readonly portfolio: Portfolio;
  readonly market: MarketState;
  readonly state: TradingState;
  readonly approvals: ApprovalBook;
  readonly hosts: HostRegistry;
  readonly strategies: ReadonlyArray<Strategy<unknown>>;
  readonly instrument: (symbol: string) => Instrument | undefined;
  readonly clock: () => { readonly offsetMs: number; readonly skewBlocked: boolean };
  readonly dependencies: () => Readonly<Record<string, 'up' | 'down'>>;
  readonly regime: Regime;
  readonly groups: Readonly<Record<string, string>>;
  /** Whether the venue can hold a short at all (spot and cash equity cannot). */
  readonly venueShorting: boolean;
  /** The account's incremental exposure (issue 17); without it the views carry no aggregate and the caps sum the lists. */
  readonly exposure?: ExposureFeed | undefined;
  /** The market stream's local book of a symbol (over the wire); absent, the market view carries no book (S2-10 slippage). */
  readonly book?: ((symbol: string) => LocalOrderBook | undefined) | undefined;
}

/** How many levels per side of a synced local book the market view carries (the slippage rule walks them). */
export const BOOK_VIEW_DEPTH = 50;

// Only a book in sync is visible: one that gapped keeps stale levels until its snapshot, and the rule must not read them.
const bookViewOf = (book: LocalOrderBook | undefined): BookDepthView | undefined =>
  book === undefined || !book.isSynced() ? undefined : { ...book.levels(BOOK_VIEW_DEPTH), ts: book.lastEventTs() };

const productStatusOf = (i: Instrument | undefined): ProductStatus => (i === undefined ? 'unknown' : i.status === 'trading' ? 'online' : i.status === 'halted' ? 'offline' : 'unknown');

/** Returns the account's open positions by symbol, as the strategies' snapshot carries them; `owner` names who opened each. */
export const heldPositions = (portfolio: Portfolio, owner?: (symbol: string) => string | undefined): ReadonlyMap<string, HeldPosition> =>
  new Map(portfolio.openPositions().map((p) => [p.symbol, { side: p.side as 'long' | 'short', quantity: p.quantity, entryPrice: p.entryPrice, strategyId: owner?.(p.symbol) }]));

/** Returns the strategy whose approved entry the symbol's actor is working (its open position's owner), if any. */
export const positionOwner = (src: Pick<RiskViewSources, 'hosts' | 'approvals'>, symbol: string): string | undefined => {
  const intentId = src.hosts.host(symbol)?.snapshot().context.intent?.intentId;
  return intentId === undefined ? undefined : src.approvals.get(intentId)?.strategyId;
};

/** Returns the account's open positions by symbol, each with the strategy that opened it (the strategies' snapshot). */
export const ownedPositions = (src: RiskViewSources): ReadonlyMap<string, HeldPosition> => heldPositions(src.portfolio, (symbol) => positionOwner(src, symbol));

// The working-order views of the last projection read, by the journal's rows array: the journal hands the same array out
// until an order row changes, so an unchanged book is not mapped again (nor its remaining quantities subtracted) per
// decision. Reused only while every row's approval still gives the same stop.
const workingViews = new WeakMap<ReadonlyArray<OrderRow>, ReadonlyArray<WorkingOrderView>>();

const workingOrdersOf = (src: RiskViewSources, rows: ReadonlyArray<OrderRow>): ReadonlyArray<WorkingOrderView> => {
  const cached = workingViews.get(rows);
  if (cached !== undefined && cached.every((w, i) => w.stopLoss === src.approvals.get(rows[i]!.intentId)?.stopLoss)) return cached;
  const working = rows.map((o) => ({
    symbol: o.symbol, side: o.side, quantity: o.quantity.minus(o.filledQuantity), price: o.price, stopLoss: src.approvals.get(o.intentId)?.stopLoss,
    reduceOnly: o.reduceOnly, strategyId: o.strategyId ?? 'unknown',
  }));
  workingViews.set(rows, working);
  return working;
};

/**
 * Returns the portfolio view at `now`, counting this round's approvals per strategy. With `market` (the market view
 * it is handed over with) and an ExposureFeed in the sources, the view carries the feed's book valued against it.
 */
export const portfolioView = (src: RiskViewSources, now: number, tradesThisCycle: ReadonlyMap<string, number>, market?: MarketView): PortfolioView => {
  const open = src.portfolio.openPositions();
  const positions = open.map((p) => ({
    symbol: p.symbol, side: p.side as 'long' | 'short', quantity: p.quantity, entryPrice: p.entryPrice, markPrice: p.markPrice, stopLoss: p.stopLoss,
  }));
  const rows = src.journal.ordersInState(WORKING_ORDER_STATES);
  const working = workingOrdersOf(src, rows);
  const book = market === undefined ? undefined : src.exposure?.sync(rows, working, open, positions, market, src.groups);
  const strategies: Record<string, { committedNotional: Decimal; tradesThisCycle: number }> = {};
  const held = book?.heldAtEntry ?? heldAtEntryFromScratch({ positions });
  for (const s of src.strategies) {
    const entries = book?.strategyWorkingAtLimit(s.id) ?? strategyWorkingAtLimitFromScratch({ workingOrders: working }, s.id);
    strategies[s.id] = { committedNotional: entries.plus(held), tradesThisCycle: tradesThisCycle.get(s.id) ?? 0 };
  }
  const actors: Record<string, ActorAvailability> = {};
  for (const symbol of src.symbols) {
    const host = src.hosts.host(symbol);
    const running = host !== undefined && !host.isStopped();
    const snapshot = running ? host.snapshot() : undefined;
    actors[symbol] = { available: running, acceptsEntry: snapshot !== undefined && acceptsEntry(snapshot), acceptsExit: snapshot !== undefined && acceptsExit(snapshot) };
  }
  const kill = src.state.killSwitch();
  return {
    nav: src.portfolio.nav(), accountSnapshotTs: src.portfolio.navTimestamp(), positions, workingOrders: working, strategies,
    cooldowns: src.state.cooldowns(now), tradingState: src.state.state(), kill, drawdown: { breach: src.state.breach() },
    brokerDesync: src.state.brokerDesync(), groups: src.groups, actors, exposure: book,
  };
};

/** Returns both views of the account at `now`: the market view first, so the portfolio view's aggregate is valued against it. */
export const riskViews = (src: RiskViewSources, now: number, tradesThisCycle: ReadonlyMap<string, number>): { readonly portfolio: PortfolioView; readonly market: MarketView } => {
  const market = marketView(src);
  return { portfolio: portfolioView(src, now, tradesThisCycle, market), market };
};

/** Returns the market view now. */
export const marketView = (src: RiskViewSources): MarketView => {
  const symbols: Record<string, SymbolMarketView> = {};
  for (const symbol of src.symbols) {
    const m = src.market.get(symbol);
    const instrument = src.instrument(symbol);
    const g = src.state.gates(symbol);
    symbols[symbol] = {
      instrument, bid: m?.bid, ask: m?.ask, bidSize: m?.bidSize, askSize: m?.askSize, last: m?.lastPrice,
      quoteTs: m?.quoteTs, lastBarCloseTs: m?.lastBarCloseTs, productStatus: productStatusOf(instrument), midHistory: src.market.midHistory(symbol),
      gates: { blocked: g.blocked, quarantined: g.quarantined, paused: g.paused },
      sessionVolume: src.market.sessionVolume(symbol), book: bookViewOf(src.book?.(symbol)),
    };
  }
  return { symbols, clock: src.clock(), dependencies: src.dependencies(), regime: src.regime, venueShorting: src.venueShorting };
};
