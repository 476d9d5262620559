/**
 * Spot accounts: a balance per asset and nothing else — no positions, no leverage, no reduce-only, no shorting. A buy
 * spends the quote asset (price × quantity plus the fee, in the quote), a sell spends the base asset; resting orders
 * hold what they would spend (a buy at its limit price and the higher fee rate). Books and publishes wallets only.
 */
import { Decimal, ZERO } from '../../../../domain/money.ts';
import type { EngineContext, SymbolState } from '../EngineContext.ts';
import type { SimOrderInput, SimPosition, SimPositionMode, SimResult, SimWallet } from '../types.ts';
import type { AccountModel, ReduceOnlyAction } from './AccountModel.ts';
import type { AccountState, OrderState } from './ledger.ts';
import type { PositionState } from './positions.ts';

const OK: SimResult<void> = { ok: true, value: undefined };
const notSupported = <A>(message: string): SimResult<A> => ({ ok: false, code: 'not_supported', message });

/** The spot account model. */
export class SpotAccounts implements AccountModel {
  readonly kind = 'spot' as const;
  private readonly ctx: EngineContext;
  /** Buys hold their notional times (1 + this): the higher of the two fee rates, so a fill never overdraws. */
  private readonly holdRate: Decimal;

  constructor(ctx: EngineContext) {
    this.ctx = ctx;
    this.holdRate = Decimal.max(ctx.settings.makerFeeRate, ctx.settings.takerFeeRate);
  }

  isOpen(): boolean {
    return true;
  }

  admitLeg(_acct: AccountState, _sym: SymbolState, input: SimOrderInput): SimResult<void> {
    if (input.positionSide !== undefined) return { ok: false, code: 'invalid_request', message: 'spot has no position sides' };
    if (input.reduceOnly || input.closeOnTrigger) return notSupported('spot orders have no reduce-only or close-on-trigger: selling what is held is the exit');
    return OK;
  }

  isReducing(): boolean {
    return false;
  }

  closeAllQuantity(): SimResult<Decimal> {
    return notSupported('spot has no position to close');
  }

  capReducing(): SimResult<Decimal> {
    return notSupported('spot orders have no reduce-only');
  }

  checkFunds(acct: AccountState, sym: SymbolState, input: SimOrderInput, quantity: Decimal, reference: Decimal | undefined): SimResult<void> {
    const inst = sym.instrument;
    if (input.side === 'sell') return this.need(acct, inst.baseAsset, quantity);
    // A market buy with nothing to value it against cannot fill either; `takerCap` guards the fills themselves.
    return reference === undefined ? OK : this.need(acct, inst.quoteAsset, quantity.times(reference).times(this.holdRate.plus(1)));
  }

  capReducingAmend(_acct: AccountState, _sym: SymbolState, _order: OrderState, quantity: Decimal): Decimal {
    return quantity;
  }

  checkAmendFunds(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal): SimResult<void> {
    const remaining = quantity.minus(order.filledQuantity);
    if (order.side === 'sell') return this.need(acct, sym.instrument.baseAsset, remaining.minus(order.remaining));
    const extra = remaining.times(price).minus(order.remaining.times(order.price as Decimal)).times(this.holdRate.plus(1));
    return this.need(acct, sym.instrument.quoteAsset, extra);
  }

  /** A market buy takes at most what the free quote balance pays for at this level (fee included), floored to the step. */
  readonly takerCap = (acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal): Decimal | undefined => {
    if (order.type !== 'market' || order.side !== 'buy') return undefined;
    const free = this.available(acct, sym.instrument.quoteAsset);
    if (free.lte(ZERO)) return ZERO;
    return free.dividedBy(price.times(this.holdRate.plus(1))).toNearest(sym.instrument.quantityStep, Decimal.ROUND_FLOOR);
  };

  bookFill(acct: AccountState, sym: SymbolState, order: OrderState, price: Decimal, quantity: Decimal, fee: Decimal): void {
    const base = acct.wallet(sym.instrument.baseAsset);
    const quote = acct.wallet(sym.instrument.quoteAsset);
    const notional = price.times(quantity);
    if (order.side === 'buy') {
      base.balance = base.balance.plus(quantity);
      quote.balance = quote.balance.minus(notional).minus(fee);
    } else {
      base.balance = base.balance.minus(quantity);
      quote.balance = quote.balance.plus(notional).minus(fee);
    }
  }

  publishFill(acct: AccountState, sym: SymbolState): void {
    this.walletEvent(acct, sym.instrument.quoteAsset);
    this.walletEvent(acct, sym.instrument.baseAsset);
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

  positions(): ReadonlyArray<SimPosition> {
    return [];
  }

  setLeverage(): SimResult<SimPosition> {
    return notSupported('spot has no leverage');
  }

  setPositionMode(): SimResult<SimPositionMode> {
    return notSupported('spot has no position mode');
  }

  leg(): SimResult<PositionState> {
    return notSupported('spot has no positions');
  }

  legs(): ReadonlyArray<PositionState> {
    return [];
  }

  positionEvent(): SimPosition {
    throw new RangeError('spot has no positions');
  }

  /** Refuses with `insufficient_balance` when `amount` of the coin is not free (a non-positive amount always is). */
  private need(acct: AccountState, coin: string, amount: Decimal): SimResult<void> {
    if (amount.lte(ZERO)) return OK;
    const free = this.available(acct, coin);
    return amount.gt(free) ? { ok: false, code: 'insufficient_balance', message: `${coin} balance is insufficient: needs ${amount.toString()}, free ${free.toString()}` } : OK;
  }

  /** What open orders hold of a coin: buys of symbols quoted in it (notional and fee), sells of symbols based on it. */
  private held(acct: AccountState, coin: string): Decimal {
    let held = ZERO;
    for (const sym of this.ctx.symbols.values()) {
      const inst = sym.instrument;
      if (inst.quoteAsset !== coin && inst.baseAsset !== coin) continue;
      const e = acct.exposure(inst.symbol);
      if (inst.quoteAsset === coin) held = held.plus(e.buyValue.times(this.holdRate.plus(1)));
      if (inst.baseAsset === coin) held = held.plus(e.sellQuantity);
    }
    return held;
  }

  private available(acct: AccountState, coin: string): Decimal {
    return acct.wallet(coin).balance.minus(this.held(acct, coin));
  }

  private walletView(acct: AccountState, coin: string): SimWallet {
    const w = acct.wallet(coin);
    return {
      account: acct.id,
      coin,
      walletBalance: w.balance,
      equity: w.balance,
      availableBalance: Decimal.max(ZERO, this.available(acct, coin)),
      unrealisedPnl: ZERO,
      cumRealisedPnl: ZERO,
    };
  }

  private walletEvent(acct: AccountState, coin: string): void {
    this.ctx.emit({ type: 'wallet', wallet: this.walletView(acct, coin) });
  }
}
