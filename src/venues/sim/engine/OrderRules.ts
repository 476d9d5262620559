/**
 * Order admission in neutral reject codes: the instrument's rules (trading status, tick, step, min/max quantity, min
 * notional, open-order limit) and the fixed order in which they and the account model's checks run, for new orders
 * and amends (docs/simulator.md, "Orders"). The first failure refuses; nothing here changes an order or the book.
 */
import { type Decimal, ZERO } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { Side, TimeInForce } from '../../../domain/orders.ts';
import { isMultipleOf } from '../../../domain/rounding.ts';
import type { AccountModel } from './accounts/AccountModel.ts';
import type { AccountState, OrderState } from './accounts/ledger.ts';
import type { EngineContext, SymbolState } from './EngineContext.ts';
import type { NewOrder } from './Matching.ts';
import type { SimOrderInput, SimOrderOrigin, SimRejectCode, SimResult } from './types.ts';

/** Returns a refusal. */
export const reject = <A>(code: SimRejectCode, message: string): SimResult<A> => ({ ok: false, code, message });
/** Returns an acceptance. */
export const accept = <A>(value: A): SimResult<A> => ({ ok: true, value });
const OK: SimResult<void> = accept(undefined);

/** Checks a quantity against the step and the order type's limits (`qty_invalid`). */
export const checkQuantity = (inst: Instrument, quantity: Decimal, market: boolean): SimResult<void> => {
  const maxQty = market ? inst.maxMarketQuantity : inst.maxQuantity;
  if (!quantity.isFinite() || quantity.lte(ZERO) || !isMultipleOf(quantity, inst.quantityStep) || quantity.lt(inst.minQuantity) || quantity.gt(maxQty)) {
    return reject('qty_invalid', `quantity ${quantity.toString()} is not valid for ${inst.symbol}`);
  }
  return OK;
};

/** Checks a limit (or trigger) price: present, positive, on the tick, within the instrument's band (`price_invalid`). */
export const checkPrice = (inst: Instrument, price: Decimal | undefined): SimResult<void> => {
  if (price === undefined || !price.isFinite() || price.lte(ZERO)) return reject('price_invalid', 'a limit order needs a positive price');
  if (!isMultipleOf(price, inst.tickSize) || price.lt(inst.minPrice) || price.gt(inst.maxPrice)) return reject('price_invalid', `price ${price.toString()} is not valid for ${inst.symbol}`);
  return OK;
};

/** Checks an order's value at a reference price against the minimum notional (`min_notional`). */
export const checkMinNotional = (inst: Instrument, quantity: Decimal, reference: Decimal): SimResult<void> =>
  quantity.times(reference).lt(inst.minNotional) ? reject('min_notional', `order value is below ${inst.minNotional.toString()}`) : OK;

/** Checks the per-account, per-symbol open-order limit (`too_many_orders`). */
export const checkOpenOrders = (inst: Instrument, open: number, max: number): SimResult<void> =>
  open >= max ? reject('too_many_orders', `more than ${max} open orders on ${inst.symbol}`) : OK;

/** A new order that passed every check: its account and the order to accept (effective quantity, price, time in force). */
export interface Admission {
  readonly acct: AccountState;
  readonly order: NewOrder;
}

/**
 * Runs a new order's checks in the documented order: trading status → session → duplicate client id → market
 * post-only → position leg and flags → zero-quantity close-all → quantity → price → reduce-only → min notional
 * (waived when reducing) → open-order limit (limit orders) → funds. `reference` values a market order.
 */
export const admitOrder = (
  ctx: EngineContext,
  model: AccountModel,
  sym: SymbolState,
  input: SimOrderInput,
  origin: SimOrderOrigin,
  reference: (side: Side) => Decimal | undefined,
): SimResult<Admission> => {
  const inst = sym.instrument;
  if (inst.status !== 'trading') return reject('invalid_request', `${inst.symbol} is not trading`);
  if (!model.isOpen(sym, ctx.ts())) return reject('market_closed', `${inst.symbol} is outside its trading session`);
  const acct = ctx.account(input.account);
  const clientOrderId = input.clientOrderId ?? '';
  if (clientOrderId !== '' && acct.byClientId.has(clientOrderId)) return reject('duplicate_client_id', `duplicate clientOrderId ${clientOrderId}`);
  const market = input.type === 'market';
  if (market && input.timeInForce === 'post_only') return reject('invalid_request', 'a market order cannot be post-only');
  const leg = model.admitLeg(acct, sym, input);
  if (!leg.ok) return leg;
  const reducing = model.isReducing(acct, input);

  let quantity = input.quantity;
  if (ctx.profile.zeroQuantityClosesPosition && quantity.isZero() && input.reduceOnly && input.closeOnTrigger) {
    const all = model.closeAllQuantity(acct, sym, input);
    if (!all.ok) return all;
    quantity = all.value;
  }
  const qty = checkQuantity(inst, quantity, market);
  if (!qty.ok) return qty;
  const price = market ? undefined : input.price;
  if (!market) {
    const p = checkPrice(inst, price);
    if (!p.ok) return p;
  }
  if (reducing) {
    const capped = model.capReducing(acct, sym, input, quantity);
    if (!capped.ok) return capped;
    quantity = capped.value;
  }
  const ref = price ?? reference(input.side);
  if (!reducing && ref !== undefined) {
    const notional = checkMinNotional(inst, quantity, ref);
    if (!notional.ok) return notional;
  }
  if (!market) {
    const open = checkOpenOrders(inst, acct.openCount(inst.symbol), ctx.settings.maxOpenOrdersPerSymbol);
    if (!open.ok) return open;
  }
  if (!reducing) {
    const funds = model.checkFunds(acct, sym, input, quantity, ref);
    if (!funds.ok) return funds;
  }
  const timeInForce: TimeInForce = market && input.timeInForce !== 'fok' ? 'ioc' : input.timeInForce;
  const { side, type, reduceOnly, closeOnTrigger, positionSide } = input;
  return accept({ acct, order: { clientOrderId, side, type, timeInForce, price, quantity, reduceOnly, closeOnTrigger, origin, positionSide, reducing } });
};

/**
 * Runs an amend's checks: limit orders only → session → something changes → price on the grid → quantity on the step,
 * within limits and above the filled quantity → reducing orders are capped to the position; others need the funds
 * for what the amend adds, then the min notional. Returns the effective price and quantity.
 */
export const admitAmend = (
  ctx: EngineContext,
  model: AccountModel,
  sym: SymbolState,
  acct: AccountState,
  order: OrderState,
  changes: { readonly quantity?: Decimal | undefined; readonly price?: Decimal | undefined },
): SimResult<{ readonly price: Decimal; readonly quantity: Decimal }> => {
  if (order.price === undefined) return reject('invalid_request', 'only limit orders can be amended');
  const inst = sym.instrument;
  if (!model.isOpen(sym, ctx.ts())) return reject('market_closed', `${inst.symbol} is outside its trading session`);
  const price = changes.price ?? order.price;
  let quantity = changes.quantity ?? order.quantity;
  if (price.eq(order.price) && quantity.eq(order.quantity)) return reject('not_modified', 'order not modified');
  if (!isMultipleOf(price, inst.tickSize) || price.lt(inst.minPrice) || price.gt(inst.maxPrice) || price.lte(ZERO)) {
    return reject('price_invalid', `price ${price.toString()} is not valid for ${inst.symbol}`);
  }
  if (!isMultipleOf(quantity, inst.quantityStep) || quantity.lt(inst.minQuantity) || quantity.gt(inst.maxQuantity) || quantity.lte(order.filledQuantity)) {
    return reject('qty_invalid', `quantity ${quantity.toString()} is not valid (filled ${order.filledQuantity.toString()})`);
  }
  if (order.reducing) {
    quantity = model.capReducingAmend(acct, sym, order, quantity);
  } else {
    const funds = model.checkAmendFunds(acct, sym, order, price, quantity);
    if (!funds.ok) return funds;
    const notional = checkMinNotional(inst, quantity, price);
    if (!notional.ok) return notional;
  }
  return accept({ price, quantity });
};
