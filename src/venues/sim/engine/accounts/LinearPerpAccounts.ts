/**
 * Linear (settle-coin margined) perpetual accounts: signed positions in one-way mode or one long and one short leg
 * per symbol in hedge mode, initial margin of positions and open orders against equity, leverage, reduce-only
 * enforcement, and realised PnL minus fees settled into the wallet. Books and publishes; never matches orders.
 */
import { Decimal, ZERO } from '../../../../domain/money.ts';
import type { Side } from '../../../../domain/orders.ts';
import { type EngineContext, markOf, type SymbolState } from '../EngineContext.ts';
import type { SimOrderInput, SimPosition, SimPositionMode, SimPositionSide, SimResult, SimWallet } from '../types.ts';
import type { AccountModel, ReduceOnlyAction } from './AccountModel.ts';
import { type AccountState, type OpenExposure, type OrderState, positionKey, settle } from './ledger.ts';
import { applyFill, increases, openingQuantity, positionIM, type PositionState, positionView, unrealisedPnl } from './positions.ts';

const reject = <A>(code: 'invalid_request' | 'reduce_only_no_position' | 'insufficient_margin' | 'not_modified', message: string): SimResult<A> => ({ ok: false, code, message });
const OK: SimResult<void> = { ok: true, value: undefined };
const LEGS: ReadonlyArray<SimPositionSide> = ['long', 'short'];

/** Returns whether an order on `side` closes a hedge leg (selling the long leg, buying back the short one). */
const closesLeg = (side: Side, positionSide: SimPositionSide): boolean => (side === 'sell') === (positionSide === 'long');

/**
 * Returns the initial margin held by open orders of one position: the side that adds to the position counts in
 * full; on the side that reduces it only the quantity beyond the position counts, valued at that side's average price.
 */
export const openOrdersIM = (e: OpenExposure, position: PositionState): Decimal => {
  const size = position.size;
  const part = (side: Side, quantity: Decimal, value: Decimal): Decimal => {
    if (quantity.isZero()) return ZERO;
    const reduces = !size.isZero() && size.isPositive() === (side === 'sell');
    if (!reduces) return value;
    const excess = quantity.minus(size.abs());
    return excess.lte(ZERO) ? ZERO : value.times(excess).dividedBy(quantity);
  };
  return part('buy', e.buyQuantity, e.buyValue).plus(part('sell', e.sellQuantity, e.sellValue)).dividedBy(position.leverage);
};

/** The linear-perpetual account model. */
export class LinearPerpAccounts implements AccountModel {
  readonly kind = 'linear_perp' as const;
  readonly takerCap = undefined;
  private readonly ctx: EngineContext;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  isOpen(): boolean {
    return true;
  }

  /** Returns a position (leg), creating a flat one at the default leverage when absent. */
  position(acct: AccountState, sym: SymbolState, positionSide?: SimPositionSide): PositionState {
    const key = positionKey(sym.instrument.symbol, positionSide);
    let p = acct.positions.get(key);
    if (p === undefined) {
      const ts = this.ctx.ts();
      p = {
        symbol: sym.instrument.symbol,
        positionSide,
        size: ZERO,
        entryPrice: ZERO,
        leverage: Decimal.min(this.ctx.settings.defaultLeverage, sym.instrument.maxLeverage),
        cumRealisedPnl: ZERO,
        takeProfit: undefined,
        stopLoss: undefined,
        tpTrigger: 'last',
        slTrigger: 'last',
        seq: -1,
        createdAt: ts,
        updatedAt: ts,
      };
      acct.positions.set(key, p);
    }
    return p;
  }

  leg(acct: AccountState, sym: SymbolState, positionSide: SimPositionSide | undefined): SimResult<PositionState> {
    if (acct.positionMode === 'one_way') {
      return positionSide === undefined ? { ok: true, value: this.position(acct, sym) } : reject('invalid_request', 'positionSide is for hedge mode only');
    }
    return positionSide === undefined ? reject('invalid_request', 'hedge mode needs a positionSide') : { ok: true, value: this.position(acct, sym, positionSide) };
  }

  legs(acct: AccountState, symbol: string): ReadonlyArray<PositionState> {
    if (acct.positionMode === 'one_way') {
      const p = acct.positions.get(symbol);
      return p === undefined ? [] : [p];
    }
    return LEGS.flatMap((side) => acct.positions.get(positionKey(symbol, side)) ?? []);
  }

  private legOf(acct: AccountState, sym: SymbolState, positionSide: SimPositionSide | undefined): PositionState {
    return this.position(acct, sym, acct.positionMode === 'hedge' ? positionSide : undefined);
  }

  admitLeg(acct: AccountState, sym: SymbolState, input: SimOrderInput): SimResult<void> {
    const r = this.leg(acct, sym, input.positionSide);
    return r.ok ? OK : r;
  }

  isReducing(acct: AccountState, input: SimOrderInput): boolean {
    if (input.reduceOnly || input.closeOnTrigger) return true;
    return acct.positionMode === 'hedge' && input.positionSide !== undefined && closesLeg(input.side, input.positionSide);
  }

  closeAllQuantity(acct: AccountState, sym: SymbolState, input: SimOrderInput): SimResult<Decimal> {
    const inst = sym.instrument;
    const p = this.legOf(acct, sym, input.positionSide);
    const quantity = Decimal.min(p.size.abs(), input.type === 'market' ? inst.maxMarketQuantity : inst.maxQuantity);
    return quantity.isZero() ? reject('reduce_only_no_position', 'current position is zero, cannot fix reduce-only order qty') : { ok: true, value: quantity };
  }

  capReducing(acct: AccountState, sym: SymbolState, input: SimOrderInput, quantity: Decimal): SimResult<Decimal> {
    const p = this.legOf(acct, sym, input.positionSide);
    if (increases(p, input.side)) return reject('reduce_only_no_position', 'reduce-only order would open or increase the position');
    return { ok: true, value: Decimal.min(quantity, p.size.abs()) };
  }

  checkFunds(acct: AccountState, sym: SymbolState, input: SimOrderInput, quantity: Decimal, reference: Decimal | undefined): SimResult<void> {
    if (reference === undefined) return OK;
    const p = this.legOf(acct, sym, input.positionSide);
    const required = openingQuantity(p, input.side, quantity).times(reference).dividedBy(p.leverage);
    return required.gt(this.available(acct, sym.instrument.settleAsset)) ? reject('insufficient_margin', 'available balance is insufficient') : OK;
  }

  capReducingAmend(acct: AccountState, sym: SymbolState, order: OrderState, quantity: Decimal): Decimal {
    const p = this.legOf(acct, sym, order.positionSide);
    return Decimal.min(quantity, order.filledQuantity.plus(p.size.abs()));
  }

  checkAmendFunds(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal): SimResult<void> {
    const p = this.legOf(acct, sym, order.positionSide);
    const before = openingQuantity(p, order.side, order.remaining).times(order.price as Decimal);
    const after = openingQuantity(p, order.side, quantity.minus(order.filledQuantity)).times(price);
    const extra = after.minus(before).dividedBy(p.leverage);
    return extra.gt(ZERO) && extra.gt(this.available(acct, sym.instrument.settleAsset)) ? reject('insufficient_margin', 'available balance is insufficient') : OK;
  }

  bookFill(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal, fee: Decimal): void {
    const p = this.legOf(acct, sym, order.positionSide);
    const change = applyFill(p.size, p.entryPrice, order.side, quantity, price);
    const net = settle(change.realised, this.ctx.settings.settleDecimals).minus(fee);
    const flipped = !p.size.isZero() && !change.size.isZero() && p.size.isPositive() !== change.size.isPositive();
    p.size = change.size;
    p.entryPrice = change.entryPrice;
    p.cumRealisedPnl = p.cumRealisedPnl.plus(net);
    p.seq = p.seq < 0 ? 0 : p.seq + 1;
    p.updatedAt = this.ctx.ts();
    // Stops belong to the position: they go when it goes flat or flips to the other side.
    if (p.size.isZero() || flipped) {
      p.takeProfit = undefined;
      p.stopLoss = undefined;
    }
    const wallet = acct.wallet(sym.instrument.settleAsset);
    wallet.balance = wallet.balance.plus(net);
    wallet.cumRealisedPnl = wallet.cumRealisedPnl.plus(net);
  }

  publishFill(acct: AccountState, sym: SymbolState, order: OrderState): void {
    this.positionEvent(acct, sym, this.legOf(acct, sym, order.positionSide));
    this.walletEvent(acct, sym.instrument.settleAsset);
  }

  /** Reducing orders that would now increase their position (or find it flat) are cancelled; larger ones shrink to it (Bybit). */
  reduceOnlyActions(acct: AccountState, sym: SymbolState, order: OrderState): ReadonlyArray<ReduceOnlyAction> {
    if (acct.openReducing.size === 0) return [];
    const p = this.legOf(acct, sym, order.positionSide);
    const actions: ReduceOnlyAction[] = [];
    for (const o of acct.openReducing.values()) {
      if (o.symbol !== sym.instrument.symbol || o.positionSide !== p.positionSide || !sym.book.has(o.orderId)) continue;
      if (increases(p, o.side)) actions.push({ order: o, shrinkTo: undefined });
      else if (o.remaining.gt(p.size.abs())) actions.push({ order: o, shrinkTo: p.size.abs() });
    }
    return actions;
  }

  fund(acct: AccountState, coin: string, amount: Decimal): void {
    const w = acct.wallet(coin);
    w.balance = w.balance.plus(amount);
    this.walletEvent(acct, coin);
  }

  wallets(acct: AccountState): ReadonlyArray<SimWallet> {
    return [...acct.wallets.keys()].map((coin) => this.walletView(acct, coin));
  }

  positions(acct: AccountState, symbol?: string): ReadonlyArray<SimPosition> {
    if (symbol !== undefined) {
      const sym = this.ctx.symbols.get(symbol);
      if (sym === undefined) return [];
      const sides: ReadonlyArray<SimPositionSide | undefined> = acct.positionMode === 'hedge' ? LEGS : [undefined];
      return sides.map((side) => {
        const p = this.position(acct, sym, side);
        return positionView(acct.id, p, markOf(sym, p.entryPrice));
      });
    }
    const out: SimPosition[] = [];
    for (const p of acct.positions.values()) {
      const sym = this.ctx.symbols.get(p.symbol) as SymbolState;
      if (!p.size.isZero()) out.push(positionView(acct.id, p, markOf(sym, p.entryPrice)));
    }
    return out;
  }

  setLeverage(account: string, sym: SymbolState, leverage: Decimal): SimResult<SimPosition> {
    if (!leverage.isFinite() || leverage.lt(1) || leverage.gt(sym.instrument.maxLeverage) || leverage.decimalPlaces() > 2) {
      return reject('invalid_request', `leverage must be in [1, ${sym.instrument.maxLeverage.toString()}]`);
    }
    const acct = this.ctx.account(account);
    // One leverage per symbol: both legs in hedge mode.
    const legs = acct.positionMode === 'hedge' ? LEGS.map((side) => this.position(acct, sym, side)) : [this.position(acct, sym)];
    if (legs.every((p) => p.leverage.eq(leverage))) return reject('not_modified', 'leverage not modified');
    const previous = legs.map((p) => p.leverage);
    for (const p of legs) p.leverage = leverage;
    if (this.available(acct, sym.instrument.settleAsset).lt(ZERO)) {
      legs.forEach((p, i) => (p.leverage = previous[i] as Decimal));
      return reject('insufficient_margin', 'available balance is insufficient for this leverage');
    }
    const views = legs.map((p) => {
      if (p.seq >= 0) p.seq += 1;
      p.updatedAt = this.ctx.ts();
      return this.positionEvent(acct, sym, p);
    });
    this.walletEvent(acct, sym.instrument.settleAsset);
    return { ok: true, value: views[0] as SimPosition };
  }

  setPositionMode(account: string, mode: SimPositionMode): SimResult<SimPositionMode> {
    const acct = this.ctx.account(account);
    if (acct.positionMode === mode) return reject('not_modified', 'position mode not modified');
    if (acct.open.size > 0 || [...acct.positions.values()].some((p) => !p.size.isZero())) {
      return reject('invalid_request', 'position mode cannot change while the account has open orders or positions');
    }
    // The flat positions only carry each symbol's leverage; it survives the switch.
    const flat = [...acct.positions.values()];
    acct.positions.clear();
    acct.positionMode = mode;
    for (const old of flat) {
      const sym = this.ctx.symbols.get(old.symbol) as SymbolState;
      const sides: ReadonlyArray<SimPositionSide | undefined> = mode === 'hedge' ? LEGS : [undefined];
      for (const side of sides) {
        if (acct.positions.has(positionKey(old.symbol, side))) continue;
        this.position(acct, sym, side).leverage = old.leverage;
      }
    }
    return { ok: true, value: mode };
  }

  positionEvent(acct: AccountState, sym: SymbolState, p: PositionState): SimPosition {
    const view = positionView(acct.id, p, markOf(sym, p.entryPrice));
    this.ctx.emit({ type: 'position', position: view });
    return view;
  }

  /** Equity, unrealised PnL and initial margin (positions + open orders) of the account in one coin. */
  private margin(acct: AccountState, coin: string): { readonly equity: Decimal; readonly upnl: Decimal; readonly im: Decimal } {
    const w = acct.wallet(coin);
    let upnl = ZERO;
    let im = ZERO;
    for (const p of acct.positions.values()) {
      const sym = this.ctx.symbols.get(p.symbol);
      if (sym === undefined || sym.instrument.settleAsset !== coin) continue;
      upnl = upnl.plus(unrealisedPnl(p, markOf(sym, p.entryPrice)));
      im = im.plus(positionIM(p));
    }
    im = im.plus(this.ordersIM(acct, coin));
    return { equity: w.balance.plus(upnl), upnl, im };
  }

  /** Margin held by open orders (see `openOrdersIM`), over the symbols settled in the coin. */
  private ordersIM(acct: AccountState, coin: string): Decimal {
    let im = ZERO;
    const sides: ReadonlyArray<SimPositionSide | undefined> = acct.positionMode === 'hedge' ? LEGS : [undefined];
    for (const sym of this.ctx.symbols.values()) {
      if (sym.instrument.settleAsset !== coin) continue;
      for (const side of sides) {
        const e = acct.exposure(positionKey(sym.instrument.symbol, side));
        if (e.buyQuantity.isZero() && e.sellQuantity.isZero()) continue;
        im = im.plus(openOrdersIM(e, this.position(acct, sym, side)));
      }
    }
    return im;
  }

  /** Available balance before clamping at zero (negative when margin is short). */
  private available(acct: AccountState, coin: string): Decimal {
    const m = this.margin(acct, coin);
    return m.equity.minus(m.im);
  }

  private walletView(acct: AccountState, coin: string): SimWallet {
    const w = acct.wallet(coin);
    const m = this.margin(acct, coin);
    return {
      account: acct.id,
      coin,
      walletBalance: w.balance,
      equity: m.equity,
      availableBalance: Decimal.max(ZERO, m.equity.minus(m.im)),
      unrealisedPnl: m.upnl,
      cumRealisedPnl: w.cumRealisedPnl,
    };
  }

  private walletEvent(acct: AccountState, coin: string): void {
    this.ctx.emit({ type: 'wallet', wallet: this.walletView(acct, coin) });
  }
}
