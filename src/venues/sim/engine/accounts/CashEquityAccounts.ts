/**
 * Cash equity accounts: cash in the quote currency and long-only holdings (whole or fractional shares, per the
 * instrument's step) with average cost and realised PnL; no margin, leverage, reduce-only or shorting. A buy spends
 * cash (notional plus fee), a sell needs shares held; resting orders hold what they would spend. Orders and fills
 * happen only inside the profile's trading session. Books and publishes; never matches orders.
 */
import { Decimal, ZERO } from '../../../../domain/money.ts';
import { type EngineContext, markOf, type SymbolState } from '../EngineContext.ts';
import { isWithinSession } from '../sessions.ts';
import type { SimOrderInput, SimPosition, SimPositionMode, SimResult, SimWallet } from '../types.ts';
import type { AccountModel, ReduceOnlyAction } from './AccountModel.ts';
import { type AccountState, type OrderState, settle } from './ledger.ts';
import { applyFill, type PositionState, positionView, unrealisedPnl } from './positions.ts';

const OK: SimResult<void> = { ok: true, value: undefined };
const notSupported = <A>(message: string): SimResult<A> => ({ ok: false, code: 'not_supported', message });
const ONE = new Decimal(1);

/** The cash-equity account model. */
export class CashEquityAccounts implements AccountModel {
  readonly kind = 'cash_equity' as const;
  private readonly ctx: EngineContext;
  private readonly holdRate: Decimal;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
    this.holdRate = Decimal.max(ctx.settings.makerFeeRate, ctx.settings.takerFeeRate);
  }

  isOpen(_sym: SymbolState, ts: number): boolean {
    const session = this.ctx.profile.session;
    return session === undefined || isWithinSession(session, ts);
  }

  /** Returns the holding of a symbol, creating a flat one when absent. */
  private holding(acct: AccountState, sym: SymbolState): PositionState {
    let p = acct.positions.get(sym.instrument.symbol);
    if (p === undefined) {
      const ts = this.ctx.ts();
      p = { symbol: sym.instrument.symbol, positionSide: undefined, size: ZERO, entryPrice: ZERO, leverage: ONE, cumRealisedPnl: ZERO, takeProfit: undefined, stopLoss: undefined, tpTrigger: 'last', slTrigger: 'last', seq: -1, createdAt: ts, updatedAt: ts };
      acct.positions.set(p.symbol, p);
    }
    return p;
  }

  admitLeg(acct: AccountState, sym: SymbolState, input: SimOrderInput): SimResult<void> {
    if (input.positionSide !== undefined) return { ok: false, code: 'invalid_request', message: 'a cash account has no position sides' };
    if (input.reduceOnly || input.closeOnTrigger) return notSupported('a cash account has no reduce-only: selling shares held is the exit');
    this.holding(acct, sym);
    return OK;
  }

  isReducing(): boolean {
    return false;
  }

  closeAllQuantity(): SimResult<Decimal> {
    return notSupported('a cash account closes by selling its shares');
  }

  capReducing(): SimResult<Decimal> {
    return notSupported('a cash account has no reduce-only');
  }

  checkFunds(acct: AccountState, sym: SymbolState, input: SimOrderInput, quantity: Decimal, reference: Decimal | undefined): SimResult<void> {
    if (input.side === 'sell') return this.needShares(acct, sym, quantity);
    return reference === undefined ? OK : this.needCash(acct, sym, quantity.times(reference).times(this.holdRate.plus(1)));
  }

  capReducingAmend(_acct: AccountState, _sym: SymbolState, _order: OrderState, quantity: Decimal): Decimal {
    return quantity;
  }

  checkAmendFunds(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal): SimResult<void> {
    const remaining = quantity.minus(order.filledQuantity);
    if (order.side === 'sell') return this.needShares(acct, sym, remaining.minus(order.remaining));
    return this.needCash(acct, sym, remaining.times(price).minus(order.remaining.times(order.price as Decimal)).times(this.holdRate.plus(1)));
  }

  /** A market buy takes at most what free cash pays for at this level (fee included), floored to the share step. */
  readonly takerCap = (acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal): Decimal | undefined => {
    if (order.type !== 'market' || order.side !== 'buy') return undefined;
    const free = this.freeCash(acct, sym.instrument.quoteAsset);
    if (free.lte(ZERO)) return ZERO;
    return free.dividedBy(price.times(this.holdRate.plus(1))).toNearest(sym.instrument.quantityStep, Decimal.ROUND_FLOOR);
  };

  bookFill(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal, fee: Decimal): void {
    const p = this.holding(acct, sym);
    const change = applyFill(p.size, p.entryPrice, order.side, quantity, price);
    const net = settle(change.realised, this.ctx.settings.settleDecimals).minus(fee);
    p.size = change.size;
    p.entryPrice = change.entryPrice;
    p.cumRealisedPnl = p.cumRealisedPnl.plus(net);
    p.seq = p.seq < 0 ? 0 : p.seq + 1;
    p.updatedAt = this.ctx.ts();
    const cash = acct.wallet(sym.instrument.quoteAsset);
    const notional = price.times(quantity);
    cash.balance = order.side === 'buy' ? cash.balance.minus(notional).minus(fee) : cash.balance.plus(notional).minus(fee);
    cash.cumRealisedPnl = cash.cumRealisedPnl.plus(net);
  }

  publishFill(acct: AccountState, sym: SymbolState): void {
    this.positionEvent(acct, sym, this.holding(acct, sym));
    this.walletEvent(acct, sym.instrument.quoteAsset);
  }

  reduceOnlyActions(): ReadonlyArray<ReduceOnlyAction> {
    return [];
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
      const p = this.holding(acct, sym);
      return [positionView(acct.id, p, markOf(sym, p.entryPrice))];
    }
    const out: SimPosition[] = [];
    for (const p of acct.positions.values()) {
      const sym = this.ctx.symbols.get(p.symbol) as SymbolState;
      if (!p.size.isZero()) out.push(positionView(acct.id, p, markOf(sym, p.entryPrice)));
    }
    return out;
  }

  setLeverage(): SimResult<SimPosition> {
    return notSupported('a cash account has no leverage');
  }

  setPositionMode(): SimResult<SimPositionMode> {
    return notSupported('a cash account has no position mode');
  }

  leg(acct: AccountState, sym: SymbolState, positionSide: unknown): SimResult<PositionState> {
    return positionSide === undefined ? { ok: true, value: this.holding(acct, sym) } : { ok: false, code: 'invalid_request', message: 'a cash account has no position sides' };
  }

  legs(acct: AccountState, symbol: string): ReadonlyArray<PositionState> {
    const p = acct.positions.get(symbol);
    return p === undefined ? [] : [p];
  }

  positionEvent(acct: AccountState, sym: SymbolState, p: PositionState): SimPosition {
    const view = positionView(acct.id, p, markOf(sym, p.entryPrice));
    this.ctx.emit({ type: 'position', position: view });
    return view;
  }

  /** Shares not yet promised to open sells; selling more would be a short, which a cash account cannot do. */
  private needShares(acct: AccountState, sym: SymbolState, quantity: Decimal): SimResult<void> {
    if (quantity.lte(ZERO)) return OK;
    const held = acct.positions.get(sym.instrument.symbol)?.size ?? ZERO;
    const free = held.minus(acct.exposure(sym.instrument.symbol).sellQuantity);
    return quantity.gt(free) ? { ok: false, code: 'insufficient_balance', message: `long only: selling ${quantity.toString()} ${sym.instrument.symbol} needs that many shares free, ${free.toString()} are` } : OK;
  }

  private needCash(acct: AccountState, sym: SymbolState, amount: Decimal): SimResult<void> {
    if (amount.lte(ZERO)) return OK;
    const coin = sym.instrument.quoteAsset;
    const free = this.freeCash(acct, coin);
    return amount.gt(free) ? { ok: false, code: 'insufficient_balance', message: `${coin} cash is insufficient: needs ${amount.toString()}, free ${free.toString()}` } : OK;
  }

  /** Cash not held by open buys of symbols quoted in the coin. */
  private freeCash(acct: AccountState, coin: string): Decimal {
    let held = ZERO;
    for (const sym of this.ctx.symbols.values()) {
      if (sym.instrument.quoteAsset === coin) held = held.plus(acct.exposure(sym.instrument.symbol).buyValue.times(this.holdRate.plus(1)));
    }
    return acct.wallet(coin).balance.minus(held);
  }

  private walletView(acct: AccountState, coin: string): SimWallet {
    const w = acct.wallet(coin);
    let value = ZERO;
    let upnl = ZERO;
    for (const p of acct.positions.values()) {
      const sym = this.ctx.symbols.get(p.symbol);
      if (sym === undefined || sym.instrument.quoteAsset !== coin || p.size.isZero()) continue;
      const mark = markOf(sym, p.entryPrice);
      value = value.plus(p.size.times(mark));
      upnl = upnl.plus(unrealisedPnl(p, mark));
    }
    return {
      account: acct.id,
      coin,
      walletBalance: w.balance,
      equity: w.balance.plus(value),
      availableBalance: Decimal.max(ZERO, this.freeCash(acct, coin)),
      unrealisedPnl: upnl,
      cumRealisedPnl: w.cumRealisedPnl,
    };
  }

  private walletEvent(acct: AccountState, coin: string): void {
    this.ctx.emit({ type: 'wallet', wallet: this.walletView(acct, coin) });
  }
}
