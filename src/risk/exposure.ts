/**
 * Exposure arithmetic for the caps (X-RSK-4): open positions at mark plus working entry orders at worst-case notional,
 * per symbol, per group and in total. `computeExposure` derives it from a view's lists; the runtime keeps the same
 * figures incrementally in an ExposureBook (exposureBook.ts) and hands them over as `ExposureFigures`. Pure; performs
 * no I/O.
 */
import { Decimal, ZERO, maxDec } from '../domain/money.ts';
import type { OpenRiskSnapshot } from './capital.ts';
import type { MarketView, PortfolioView, PositionView, SymbolMarketView, WorkingOrderView } from './views.ts';

/** Returns the mid of a quote, if both sides are known. */
export const midOf = (m: SymbolMarketView | undefined): Decimal | undefined =>
  m?.bid !== undefined && m.ask !== undefined ? m.bid.plus(m.ask).div(2) : undefined;

/** Returns the price exposure is valued at: last trade, else mid. */
export const referencePrice = (m: SymbolMarketView | undefined): Decimal | undefined => m?.last ?? midOf(m);

/** Returns a position's notional at its mark (else the reference price `ref`, else its entry). */
export const positionNotionalAt = (p: PositionView, ref: Decimal | undefined): Decimal => p.quantity.abs().times(p.markPrice ?? ref ?? p.entryPrice);

/** Returns a position's notional at its mark (else the reference price, else its entry). */
export const positionNotional = (p: PositionView, m: SymbolMarketView | undefined): Decimal => positionNotionalAt(p, referencePrice(m));

/**
 * Returns a working order's worst-case notional: quantity × the higher of its limit and the reference price (a buy
 * can fill up to its limit; the market may already be above it for valuation), or undefined when neither is known.
 */
export const workingOrderWorstNotional = (o: WorkingOrderView, ref: Decimal | undefined): Decimal | undefined => {
  const price = o.price !== undefined && ref !== undefined ? maxDec(o.price, ref) : (o.price ?? ref);
  return price === undefined ? undefined : (o.quantity.isNeg() ? o.quantity.abs() : o.quantity).times(price);
};

/** Exposure of the whole book, in the quote asset. */
export interface ExposureSnapshot {
  readonly bySymbol: ReadonlyMap<string, Decimal>;
  readonly byGroup: ReadonlyMap<string, Decimal>;
  readonly total: Decimal;
  /** Symbols with a working order that has neither a price nor a reference price: exposure unknown. */
  readonly unpriced: ReadonlyArray<string>;
  readonly positionsCount: number;
  /** Open positions per group (S1-13 positions per group). */
  readonly groupPositions: ReadonlyMap<string, number>;
  /** Symbols with an open position or a working entry order (concurrent trades, S0-6). */
  readonly activeSymbols: ReadonlySet<string>;
}

/**
 * Exposure and open risk of a view's positions and working orders, kept by whoever owns them (an ExposureBook) so a
 * decision reads them in O(1) instead of re-deriving them from every working order. The figures are valued at the
 * reference prices of `market`: the RiskEngine reads them only when it is handed that very market view, and derives
 * them from the view's lists otherwise.
 */
export interface ExposureFigures {
  /** The market view the figures are valued against (undefined: not valued yet, so never read). */
  readonly market: MarketView | undefined;
  readonly exposure: ExposureSnapshot;
  readonly openRisk: OpenRiskSnapshot;
  /** A strategy's working entries at worst-case notional, unpriced ones as zero (its own at-risk cap, S3-6). */
  strategyWorkingWorst(strategyId: string): Decimal;
}

/** Returns the figures to read for a decision: the view's own aggregate when it is valued against `market`, else none. */
export const aggregateFor = (portfolio: PortfolioView, market: MarketView): ExposureFigures | undefined => {
  const figures = portfolio.exposure;
  return figures !== undefined && figures.market === market ? figures : undefined;
};

/** Returns the exposure of positions plus non-reduce-only working orders; reduce-only orders only lower risk. */
export const computeExposure = (portfolio: PortfolioView, market: MarketView): ExposureSnapshot => {
  const bySymbol = new Map<string, Decimal>();
  const add = (symbol: string, amount: Decimal): void => {
    bySymbol.set(symbol, (bySymbol.get(symbol) ?? ZERO).plus(amount));
  };
  const unpriced: string[] = [];
  const activeSymbols = new Set<string>();
  let positionsCount = 0;
  for (const p of portfolio.positions) {
    if (p.quantity.isZero()) continue;
    positionsCount += 1;
    activeSymbols.add(p.symbol);
    add(p.symbol, positionNotional(p, market.symbols[p.symbol]));
  }
  // One reference price per symbol, not per order: a book of hundreds of working orders is the common case.
  const refs = new Map<string, Decimal | undefined>();
  for (const o of portfolio.workingOrders) {
    if (o.reduceOnly) continue;
    activeSymbols.add(o.symbol);
    let ref = refs.get(o.symbol);
    if (ref === undefined && !refs.has(o.symbol)) {
      ref = referencePrice(market.symbols[o.symbol]);
      refs.set(o.symbol, ref);
    }
    const n = workingOrderWorstNotional(o, ref);
    if (n === undefined) unpriced.push(o.symbol);
    else add(o.symbol, n);
  }
  const byGroup = new Map<string, Decimal>();
  let total = ZERO;
  for (const [symbol, amount] of bySymbol) {
    total = total.plus(amount);
    const group = portfolio.groups[symbol];
    if (group !== undefined) byGroup.set(group, (byGroup.get(group) ?? ZERO).plus(amount));
  }
  const groupPositions = new Map<string, number>();
  for (const p of portfolio.positions) {
    const group = portfolio.groups[p.symbol];
    if (!p.quantity.isZero() && group !== undefined) groupPositions.set(group, (groupPositions.get(group) ?? 0) + 1);
  }
  return { bySymbol, byGroup, total, unpriced, positionsCount, groupPositions, activeSymbols };
};
