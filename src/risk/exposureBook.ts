/**
 * The ExposureBook (issue 17): the exposure figures of one account's positions and working orders — per symbol, per
 * group, in total, at worst-case notional, the open risk, the counts and the per-strategy sums — kept incrementally,
 * so a RiskEngine decision reads them in O(1) instead of re-deriving them from every working order. Whoever owns the
 * orders and positions tells the book each change: an order placed, amended, partly filled (its remaining quantity)
 * or turned reduce-only (`putOrder`), filled or cancelled (`removeOrder`), a position opened, changed or closed
 * (`putPosition`, `removePosition`), and the market view it is valued against (`valueAt`, which revalues only the
 * symbols whose reference price moved). Each change adds its new terms and takes back its old ones; nothing re-sums
 * the book. The sums are exact (`ExactSum`), so any order of changes lands on the from-scratch figure to the last digit
 * (40-digit terms, such as an averaged entry price times a quantity, would otherwise make a total kept by deltas drift).
 * `exposureFromScratch` derives the same figures from a view's lists: the book must always equal it (the property
 * test of issue 17), and the engine falls back to it for a view that carries no book. Pure data: no I/O, no clock.
 */
import { ZERO, type Decimal } from '../domain/money.ts';
import { computeOpenRisk, positionRiskAt, workingOrderRisk, type OpenRiskSnapshot } from './capital.ts';
import {
  ExactSum, computeExposure, positionNotionalAt, referencePrice, sumExact, workingOrderWorstNotional, type ExposureFigures, type ExposureSnapshot,
} from './exposure.ts';
import type { MarketView, PortfolioView, PositionView, WorkingOrderView } from './views.ts';

/** One working entry order's figures at its symbol's reference price; undefined: it cannot be valued. */
interface Entry {
  readonly order: WorkingOrderView;
  worst: Decimal | undefined;
  risk: Decimal | undefined;
}

/** One symbol's part of the book. */
interface SymbolBook {
  readonly symbol: string;
  readonly group: string | undefined;
  /** The reference price its figures are valued at (that of the book's market view). */
  ref: Decimal | undefined;
  /** The open position; never a flat one. */
  position: PositionView | undefined;
  /** The position's terms at `ref` (zero without a position): what a change takes back. */
  positionNotional: Decimal;
  positionRisk: Decimal;
  /** Working entry orders (reduce-only ones add no exposure), by order id. */
  readonly entries: Map<string, Entry>;
  /** positionNotional + Σ entries' worst-case notional. */
  readonly exposure: ExactSum;
  /** Entries that cannot be valued. */
  unpriced: number;
}

/** A strategy's working entries: at worst-case notional (unpriced as zero) and at quantity × limit (market orders as zero). */
interface StrategySums {
  readonly worst: ExactSum;
  readonly atLimit: ExactSum;
}

const EMPTY: ReadonlyArray<string> = Object.freeze([]);

const sameRef = (a: Decimal | undefined, b: Decimal | undefined): boolean => a === b || (a !== undefined && b !== undefined && a.eq(b));
const atLimit = (o: WorkingOrderView): Decimal => o.quantity.times(o.price ?? ZERO);
const atEntry = (p: PositionView): Decimal => p.quantity.times(p.entryPrice);

/** The incremental exposure figures of one account; see the module comment. */
export class ExposureBook implements ExposureFigures {
  /** symbol → group (the view's `groups`); fixed for the book's life. */
  readonly groups: Readonly<Record<string, string>>;
  readonly exposure: ExposureSnapshot;
  readonly openRisk: OpenRiskSnapshot;
  private valuedAt: MarketView | undefined;
  /** Every working order (reduce-only ones too), in the order first put. */
  private readonly orders = new Map<string, WorkingOrderView>();
  private readonly symbols = new Map<string, SymbolBook>();
  private readonly bySymbol = new Map<string, Decimal>();
  private readonly byGroup = new Map<string, Decimal>();
  private readonly groupSums = new Map<string, ExactSum>();
  private readonly groupPositions = new Map<string, number>();
  private readonly activeSymbols = new Set<string>();
  private readonly strategies = new Map<string, StrategySums>();
  private readonly total = new ExactSum();
  private readonly risk = new ExactSum();
  private readonly held = new ExactSum();
  private readonly counts = { positions: 0, unpriced: 0 };
  private unpricedList: ReadonlyArray<string> | undefined;
  private orderList: ReadonlyArray<WorkingOrderView> | undefined;
  private positionList: ReadonlyArray<PositionView> | undefined;

  constructor(groups: Readonly<Record<string, string>>) {
    this.groups = groups;
    const { total, risk, counts } = this;
    const unpriced = (): ReadonlyArray<string> => this.unpriced();
    this.exposure = {
      bySymbol: this.bySymbol,
      byGroup: this.byGroup,
      groupPositions: this.groupPositions,
      activeSymbols: this.activeSymbols,
      get total() { return total.value; },
      get unpriced() { return unpriced(); },
      get positionsCount() { return counts.positions; },
    };
    this.openRisk = {
      get total() { return risk.value; },
      get unpriced() { return unpriced(); },
    };
  }

  /** Returns a book of a view's positions and working orders (ids by list index), valued against `market` (a restart). */
  static of(portfolio: Pick<PortfolioView, 'positions' | 'workingOrders' | 'groups'>, market: MarketView): ExposureBook {
    const book = new ExposureBook(portfolio.groups).valueAt(market);
    for (const p of portfolio.positions) book.putPosition(p);
    portfolio.workingOrders.forEach((o, i) => book.putOrder(String(i), o));
    return book;
  }

  /** The market view the figures are valued against. */
  get market(): MarketView | undefined {
    return this.valuedAt;
  }

  /** Open positions at entry price (quantity × entry), summed over every position. */
  get heldAtEntry(): Decimal {
    return this.held.value;
  }

  /** A strategy's working entries at worst-case notional, unpriced ones as zero. */
  strategyWorkingWorst(strategyId: string): Decimal {
    return this.strategies.get(strategyId)?.worst.value ?? ZERO;
  }

  /** A strategy's working entries at quantity × limit price, market orders as zero. */
  strategyWorkingAtLimit(strategyId: string): Decimal {
    return this.strategies.get(strategyId)?.atLimit.value ?? ZERO;
  }

  /** The working orders, in the order they were first put (a later put of the same id keeps its place). */
  workingOrders(): ReadonlyArray<WorkingOrderView> {
    this.orderList ??= [...this.orders.values()];
    return this.orderList;
  }

  /** The open positions. */
  positions(): ReadonlyArray<PositionView> {
    this.positionList ??= [...this.symbols.values()].flatMap((s) => (s.position === undefined ? [] : [s.position]));
    return this.positionList;
  }

  /** Whether the book holds a working order of that id. */
  hasOrder(id: string): boolean {
    return this.orders.has(id);
  }

  /**
   * A working order placed, amended, partly filled (`quantity` is what is left to fill) or turned reduce-only: its
   * figures replace the ones the id had.
   */
  putOrder(id: string, order: WorkingOrderView): void {
    const before = this.orders.get(id);
    if (before !== undefined) this.dropEntry(id, before);
    this.orders.set(id, order);
    this.orderList = undefined;
    if (!order.reduceOnly) this.addEntry(id, order);
  }

  /** A working order filled in full, cancelled, rejected or expired; returns whether the book held it. */
  removeOrder(id: string): boolean {
    const before = this.orders.get(id);
    if (before === undefined) return false;
    this.dropEntry(id, before);
    this.orders.delete(id);
    this.orderList = undefined;
    return true;
  }

  /** A position opened or changed (one per symbol); a zero quantity closes it. */
  putPosition(p: PositionView): void {
    if (p.quantity.isZero()) {
      this.removePosition(p.symbol);
      return;
    }
    const s = this.symbolBook(p.symbol);
    const before = s.position;
    if (before === undefined) this.countPosition(s, 1);
    else this.held.sub(atEntry(before));
    s.position = p;
    this.held.add(atEntry(p));
    this.valuePosition(s);
    this.positionList = undefined;
    this.settle(s);
  }

  /** A symbol's position closed. */
  removePosition(symbol: string): void {
    const s = this.symbols.get(symbol);
    const before = s?.position;
    if (s === undefined || before === undefined) return;
    this.countPosition(s, -1);
    this.held.sub(atEntry(before));
    s.position = undefined;
    this.valuePosition(s);
    this.positionList = undefined;
    this.settle(s);
  }

  /** Values the book against a market view: only the symbols whose reference price moved are revalued. */
  valueAt(market: MarketView): this {
    this.valuedAt = market;
    for (const s of this.symbols.values()) {
      const ref = referencePrice(market.symbols[s.symbol]);
      if (sameRef(s.ref, ref)) continue;
      s.ref = ref;
      this.revalue(s);
    }
    return this;
  }

  // Symbols of the working entries that cannot be valued, in order placed (as the from-scratch derivation lists them).
  private unpriced(): ReadonlyArray<string> {
    if (this.counts.unpriced === 0) return EMPTY;
    if (this.unpricedList === undefined) {
      const list: string[] = [];
      for (const [id, o] of this.orders) {
        if (!o.reduceOnly && this.symbols.get(o.symbol)?.entries.get(id)?.worst === undefined) list.push(o.symbol);
      }
      this.unpricedList = list;
    }
    return this.unpricedList;
  }

  private symbolBook(symbol: string): SymbolBook {
    let s = this.symbols.get(symbol);
    if (s === undefined) {
      s = {
        symbol, group: this.groups[symbol], ref: referencePrice(this.valuedAt?.symbols[symbol]), position: undefined, positionNotional: ZERO, positionRisk: ZERO,
        entries: new Map(), exposure: new ExactSum(), unpriced: 0,
      };
      this.symbols.set(symbol, s);
    }
    return s;
  }

  private strategy(id: string): StrategySums {
    let s = this.strategies.get(id);
    if (s === undefined) {
      s = { worst: new ExactSum(), atLimit: new ExactSum() };
      this.strategies.set(id, s);
    }
    return s;
  }

  private groupSum(group: string): ExactSum {
    let sum = this.groupSums.get(group);
    if (sum === undefined) {
      sum = new ExactSum();
      this.groupSums.set(group, sum);
    }
    return sum;
  }

  private addEntry(id: string, order: WorkingOrderView): void {
    const s = this.symbolBook(order.symbol);
    const e: Entry = { order, worst: workingOrderWorstNotional(order, s.ref), risk: workingOrderRisk(order, s.ref) };
    s.entries.set(id, e);
    this.countEntry(s, e, 1);
    this.strategy(order.strategyId).atLimit.add(atLimit(order));
    this.settle(s);
  }

  private dropEntry(id: string, order: WorkingOrderView): void {
    if (order.reduceOnly) return;
    const s = this.symbols.get(order.symbol);
    const e = s?.entries.get(id);
    if (s === undefined || e === undefined) return;
    s.entries.delete(id);
    this.countEntry(s, e, -1);
    this.strategy(order.strategyId).atLimit.sub(atLimit(order));
    this.settle(s);
  }

  // Adds (or takes back) an entry's terms: its symbol's, group's and the total's exposure, open risk, its strategy's sum.
  private countEntry(s: SymbolBook, e: Entry, sign: 1 | -1): void {
    this.shift(s, e.worst ?? ZERO, e.risk ?? ZERO, sign);
    const worst = this.strategy(e.order.strategyId).worst;
    if (sign > 0) worst.add(e.worst ?? ZERO);
    else worst.sub(e.worst ?? ZERO);
    if (e.worst === undefined) this.countUnpriced(s, sign);
  }

  // Values the position at the symbol's reference price: its old terms out, its new ones in.
  private valuePosition(s: SymbolBook): void {
    this.shift(s, s.positionNotional, s.positionRisk, -1);
    const p = s.position;
    s.positionNotional = p === undefined ? ZERO : positionNotionalAt(p, s.ref);
    s.positionRisk = p === undefined ? ZERO : positionRiskAt(p, s.ref);
    this.shift(s, s.positionNotional, s.positionRisk, 1);
  }

  // A symbol's reference price moved: its position and every entry of it are valued again, O(its own orders).
  private revalue(s: SymbolBook): void {
    this.valuePosition(s);
    for (const e of s.entries.values()) {
      this.countEntry(s, e, -1);
      e.worst = workingOrderWorstNotional(e.order, s.ref);
      e.risk = workingOrderRisk(e.order, s.ref);
      this.countEntry(s, e, 1);
    }
    this.unpricedList = undefined;
    this.settle(s);
  }

  // Adds (or takes back) one term of a symbol: its exposure, its group's and the total exposure, and the open risk.
  private shift(s: SymbolBook, exposure: Decimal, risk: Decimal, sign: 1 | -1): void {
    const sums = s.group === undefined ? [s.exposure, this.total] : [s.exposure, this.total, this.groupSum(s.group)];
    for (const sum of sums) {
      if (sign > 0) sum.add(exposure);
      else sum.sub(exposure);
    }
    if (sign > 0) this.risk.add(risk);
    else this.risk.sub(risk);
  }

  private countUnpriced(s: SymbolBook, by: number): void {
    if (by === 0) return;
    s.unpriced += by;
    this.counts.unpriced += by;
    this.unpricedList = undefined;
  }

  private countPosition(s: SymbolBook, by: number): void {
    this.counts.positions += by;
    if (s.group === undefined) return;
    const n = (this.groupPositions.get(s.group) ?? 0) + by;
    if (n === 0) this.groupPositions.delete(s.group);
    else this.groupPositions.set(s.group, n);
  }

  // Keeps the per-symbol and per-group maps and the active set in step; a symbol with nothing left leaves the book.
  private settle(s: SymbolBook): void {
    if (s.group !== undefined) this.byGroup.set(s.group, this.groupSum(s.group).value);
    if (s.position !== undefined || s.entries.size > 0) {
      this.bySymbol.set(s.symbol, s.exposure.value);
      this.activeSymbols.add(s.symbol);
      return;
    }
    this.bySymbol.delete(s.symbol);
    this.activeSymbols.delete(s.symbol);
    this.symbols.delete(s.symbol);
  }
}

/** A strategy's working entries at worst-case notional (unpriced ones as zero), derived from the view's list. */
export const strategyWorkingWorstFromScratch = (portfolio: Pick<PortfolioView, 'workingOrders'>, market: MarketView, strategyId: string): Decimal =>
  sumExact(
    portfolio.workingOrders
      .filter((o) => !o.reduceOnly && o.strategyId === strategyId)
      .map((o) => workingOrderWorstNotional(o, referencePrice(market.symbols[o.symbol])) ?? ZERO),
  );

/** A strategy's working entries at quantity × limit price (market orders as zero), derived from the view's list. */
export const strategyWorkingAtLimitFromScratch = (portfolio: Pick<PortfolioView, 'workingOrders'>, strategyId: string): Decimal =>
  sumExact(portfolio.workingOrders.filter((w) => w.strategyId === strategyId && !w.reduceOnly).map(atLimit));

/** The open positions at entry price (quantity × entry), derived from the view's list. */
export const heldAtEntryFromScratch = (portfolio: Pick<PortfolioView, 'positions'>): Decimal => sumExact(portfolio.positions.map(atEntry));

/** The figures of a view derived from its lists, valued against `market`: what an ExposureBook must always equal. */
export const exposureFromScratch = (portfolio: PortfolioView, market: MarketView): ExposureFigures => ({
  market,
  exposure: computeExposure(portfolio, market),
  openRisk: computeOpenRisk(portfolio, market),
  strategyWorkingWorst: (strategyId) => strategyWorkingWorstFromScratch(portfolio, market, strategyId),
});
