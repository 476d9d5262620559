/**
 * Exposure arithmetic for the caps (X-RSK-4): open positions at mark plus working entry orders at worst-case notional,
 * per symbol, per group and in total. `computeExposure` derives it from a view's lists; the runtime keeps the same
 * figures incrementally in an ExposureBook (exposureBook.ts) and hands them over as `ExposureFigures`. Every sum is
 * taken exactly (`ExactSum`) and rounded once when read, so a sum kept by deltas equals the same sum taken afresh.
 * Pure; performs no I/O.
 */
import { Decimal, WideDecimal, ZERO, maxDec } from '../domain/money.ts';
import type { OpenRiskSnapshot } from './capital.ts';
import type { MarketView, PortfolioView, PositionView, SymbolMarketView, WorkingOrderView } from './views.ts';

// The wide Decimal of money.ts: never seen outside ExactSum.
const Wide = WideDecimal;

/**
 * An exact running sum of Decimals. Terms are added and taken back without rounding, so the order of changes does not
 * matter and a sum kept by deltas equals the sum taken afresh; `value` is the sum at the house precision (rounded once,
 * kept until the next change; zero is always ZERO). Adding terms of different magnitudes at the house precision
 * instead rounds at every step: a total kept by deltas would drift from a fresh sum in its last digits.
 */
export class ExactSum {
  private exact: Decimal = new Wide(0);
  private rounded: Decimal | undefined = ZERO;

  /** Adds a term. */
  add(term: Decimal): this {
    if (!term.isZero()) {
      this.exact = this.exact.plus(term);
      this.rounded = undefined;
    }
    return this;
  }

  /** Adds another sum, exactly. */
  addSum(other: ExactSum): this {
    if (!other.exact.isZero()) {
      this.exact = this.exact.plus(other.exact);
      this.rounded = undefined;
    }
    return this;
  }

  /** Takes a term back. */
  sub(term: Decimal): this {
    if (!term.isZero()) {
      this.exact = this.exact.minus(term);
      this.rounded = undefined;
    }
    return this;
  }

  /** The sum at the house precision. */
  get value(): Decimal {
    this.rounded ??= this.exact.isZero() ? ZERO : ZERO.plus(this.exact);
    return this.rounded;
  }
}

/** Returns the exact sum of the terms at the house precision (see `ExactSum`). */
export const sumExact = (terms: Iterable<Decimal>): Decimal => {
  const sum = new ExactSum();
  for (const t of terms) sum.add(t);
  return sum.value;
};

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
  const symbols = new Map<string, ExactSum>();
  const add = (symbol: string, amount: Decimal): void => {
    let sum = symbols.get(symbol);
    if (sum === undefined) {
      sum = new ExactSum();
      symbols.set(symbol, sum);
    }
    sum.add(amount);
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
  const bySymbol = new Map<string, Decimal>();
  const groups = new Map<string, ExactSum>();
  const total = new ExactSum();
  for (const [symbol, sum] of symbols) {
    bySymbol.set(symbol, sum.value);
    total.addSum(sum);
    const group = portfolio.groups[symbol];
    if (group === undefined) continue;
    const g = groups.get(group) ?? new ExactSum();
    groups.set(group, g.addSum(sum));
  }
  const byGroup = new Map([...groups].map(([g, sum]) => [g, sum.value]));
  const groupPositions = new Map<string, number>();
  for (const p of portfolio.positions) {
    const group = portfolio.groups[p.symbol];
    if (!p.quantity.isZero() && group !== undefined) groupPositions.set(group, (groupPositions.get(group) ?? 0) + 1);
  }
  return { bySymbol, byGroup, total: total.value, unpriced, positionsCount, groupPositions, activeSymbols };
};
