/**
 * Exposure arithmetic for the caps (X-RSK-4): open positions at mark plus working entry orders at worst-case notional,
 * per symbol, per group and in total. Pure; performs no I/O.
 */
import { Decimal, ZERO, maxDec } from '../domain/money.ts';
import type { MarketView, PortfolioView, PositionView, SymbolMarketView, WorkingOrderView } from './views.ts';

/** Returns the mid of a quote, if both sides are known. */
export const midOf = (m: SymbolMarketView | undefined): Decimal | undefined =>
  m?.bid !== undefined && m.ask !== undefined ? m.bid.plus(m.ask).div(2) : undefined;

/** Returns the price exposure is valued at: last trade, else mid. */
export const referencePrice = (m: SymbolMarketView | undefined): Decimal | undefined => m?.last ?? midOf(m);

/** Returns a position's notional at its mark (else the reference price, else its entry). */
export const positionNotional = (p: PositionView, m: SymbolMarketView | undefined): Decimal =>
  p.quantity.abs().times(p.markPrice ?? referencePrice(m) ?? p.entryPrice);

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
  /** Symbols with an open position or a working entry order (concurrent trades, S0-6). */
  readonly activeSymbols: ReadonlySet<string>;
}

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
  return { bySymbol, byGroup, total, unpriced, positionsCount, activeSymbols };
};
