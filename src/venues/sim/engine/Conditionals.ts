/**
 * Conditional protection and orders of the simulator core, for each protection model of DESIGN §5: a position's
 * attached TP/SL (Bybit trading-stop), stand-alone conditional orders (stop / take-profit, market or limit, sized or
 * `closePosition`, Binance style), and OCO pairs and brackets (Alpaca / Coinbase style: the first fill of one leg
 * cancels the other). Triggers compare the mark, last or index price after every replayed tick; triggered orders go
 * through the engine's normal admission (`OrderGateway`). No clock reads: times come from the engine context.
 */
import { Decimal, ZERO } from '../../../domain/money.ts';
import type { Side, TriggerSource } from '../../../domain/orders.ts';
import { isMultipleOf } from '../../../domain/rounding.ts';
import type { AccountModel } from './accounts/AccountModel.ts';
import type { AccountState, OrderState } from './accounts/ledger.ts';
import { type EngineContext, type SymbolState, triggerPrice } from './EngineContext.ts';
import type { Matching, OrderObserver } from './Matching.ts';
import { accept, checkPrice, checkQuantity, reject } from './OrderRules.ts';
import type {
  SimBracketInput,
  SimConditional,
  SimConditionalInput,
  SimConditionalKind,
  SimConditionalStatus,
  SimOco,
  SimOcoInput,
  SimOrderInput,
  SimOrderOrigin,
  SimOrderRef,
  SimPosition,
  SimPositionSide,
  SimRejectCode,
  SimResult,
  SimTradingStop,
} from './types.ts';

/** How conditionals place the order they trigger: the engine's full admission path, returning the live order. */
export interface OrderGateway {
  place(input: SimOrderInput, origin: SimOrderOrigin): SimResult<OrderState>;
}

/** Returns whether a conditional's trigger rule holds at `price`: a stop fires against the position, a take-profit in its favour. */
export const isTriggered = (kind: SimConditionalKind, side: Side, price: Decimal, trigger: Decimal): boolean =>
  (kind === 'stop') === (side === 'sell') ? price.lte(trigger) : price.gte(trigger);

interface ConditionalSpec {
  readonly side: Side;
  readonly kind: SimConditionalKind;
  readonly triggerPrice: Decimal;
  readonly triggerBy: TriggerSource;
  readonly limitPrice: Decimal | undefined;
  readonly quantity: Decimal | undefined;
  readonly closePosition: boolean;
  readonly reduceOnly: boolean;
  readonly positionSide: SimPositionSide | undefined;
}

interface ConditionalState extends ConditionalSpec {
  readonly conditionalId: string;
  readonly clientOrderId: string;
  readonly account: string;
  readonly symbol: string;
  readonly ocoOrderId: string | undefined;
  status: SimConditionalStatus;
  triggeredOrderId: string | undefined;
  expiredBy: SimRejectCode | undefined;
  readonly createdAt: number;
  updatedAt: number;
}

/** The exit a bracket arms once its entry has filled. */
interface BracketExit {
  readonly account: string;
  readonly symbol: string;
  readonly side: Side;
  readonly positionSide: SimPositionSide | undefined;
  readonly takeProfitPrice: Decimal;
  readonly stopTriggerPrice: Decimal;
  readonly stopTriggerBy: TriggerSource;
  readonly stopLimitPrice: Decimal | undefined;
}

const view = (c: ConditionalState): SimConditional => ({
  conditionalId: c.conditionalId,
  clientOrderId: c.clientOrderId,
  account: c.account,
  symbol: c.symbol,
  side: c.side,
  kind: c.kind,
  triggerPrice: c.triggerPrice,
  triggerBy: c.triggerBy,
  limitPrice: c.limitPrice,
  quantity: c.quantity,
  closePosition: c.closePosition,
  reduceOnly: c.reduceOnly,
  positionSide: c.positionSide,
  status: c.status,
  ocoOrderId: c.ocoOrderId,
  triggeredOrderId: c.triggeredOrderId,
  expiredBy: c.expiredBy,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
});

const same = (a: Decimal | undefined, b: Decimal | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.eq(b));

/** The conditional orders and position stops of one engine. */
export class Conditionals implements OrderObserver {
  private readonly ctx: EngineContext;
  private readonly model: AccountModel;
  private readonly matching: Matching;
  private readonly gateway: OrderGateway;
  /** Untriggered conditionals in acceptance order. */
  private readonly open = new Map<string, ConditionalState>();
  private readonly byId = new Map<string, ConditionalState>();
  private readonly byClientId = new Map<string, ConditionalState>();
  /** The stop leg of each live OCO pair, by its take-profit order id. */
  private readonly ocoStops = new Map<string, ConditionalState>();
  /** Exits of brackets whose entry is still open, by entry order id. */
  private readonly brackets = new Map<string, BracketExit>();
  /** Exits armed by a filled entry, placed at the next safe point (never inside a match). */
  private readonly armed: Array<{ readonly exit: BracketExit; readonly quantity: Decimal }> = [];
  private settling = false;

  constructor(ctx: EngineContext, model: AccountModel, matching: Matching, gateway: OrderGateway) {
    this.ctx = ctx;
    this.model = model;
    this.matching = matching;
    this.gateway = gateway;
  }

  // ── position-attached TP/SL ───────────────────────────────────────────────────────────────────────────────────

  /** Sets, keeps or clears a position's TP/SL (profiles with `position` protection only). */
  setTradingStop(account: string, symbol: string, stop: SimTradingStop): SimResult<SimPosition> {
    const sym = this.ctx.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    if (this.ctx.profile.protection !== 'position') return reject('not_supported', `${this.ctx.profile.id} keeps protection in orders, not on the position`);
    const acct = this.ctx.account(account);
    const leg = this.model.leg(acct, sym, stop.positionSide);
    if (!leg.ok) return leg;
    const p = leg.value;
    if (p.size.isZero()) return reject('invalid_request', 'can not set tp/sl for zero position');
    const tpTrigger = stop.tpTrigger ?? p.tpTrigger;
    const slTrigger = stop.slTrigger ?? p.slTrigger;
    const long = p.size.isPositive();
    const resolve = (value: Decimal | undefined, current: Decimal | undefined, source: TriggerSource, kind: 'tp' | 'sl'): Decimal | undefined | string => {
      if (value === undefined) return current;
      if (value.isZero()) return undefined;
      if (value.isNegative() || !isMultipleOf(value, sym.instrument.tickSize)) return `${kind} ${value.toString()} is not a valid price`;
      const ref = triggerPrice(sym, source);
      // Bybit refuses a TP/SL that is already crossed (retCode 10001, "should be higher/lower than base_price").
      const wrongSide = ref !== undefined && ((kind === 'tp') === long ? value.lte(ref) : value.gte(ref));
      return wrongSide ? `${kind} ${value.toString()} is on the wrong side of the ${source} price ${ref.toString()}` : value;
    };
    const tp = resolve(stop.takeProfit, p.takeProfit, tpTrigger, 'tp');
    if (typeof tp === 'string') return reject('price_invalid', tp);
    const sl = resolve(stop.stopLoss, p.stopLoss, slTrigger, 'sl');
    if (typeof sl === 'string') return reject('price_invalid', sl);
    if (same(tp, p.takeProfit) && same(sl, p.stopLoss) && tpTrigger === p.tpTrigger && slTrigger === p.slTrigger) {
      return reject('not_modified', 'trading stop not modified');
    }
    p.takeProfit = tp;
    p.stopLoss = sl;
    p.tpTrigger = tpTrigger;
    p.slTrigger = slTrigger;
    p.seq += 1;
    p.updatedAt = this.ctx.ts();
    return accept(this.model.positionEvent(acct, sym, p));
  }

  /** Fires crossed position TP/SL: clears both stops and closes the position with a reduce-only market order. */
  private firePositionStops(sym: SymbolState): void {
    for (const acct of this.ctx.accounts.values()) {
      for (const p of this.model.legs(acct, sym.instrument.symbol)) {
        if (p.size.isZero() || (p.takeProfit === undefined && p.stopLoss === undefined)) continue;
        const long = p.size.isPositive();
        const tpPrice = triggerPrice(sym, p.tpTrigger);
        const slPrice = triggerPrice(sym, p.slTrigger);
        const tpHit = p.takeProfit !== undefined && tpPrice !== undefined && (long ? tpPrice.gte(p.takeProfit) : tpPrice.lte(p.takeProfit));
        const slHit = p.stopLoss !== undefined && slPrice !== undefined && (long ? slPrice.lte(p.stopLoss) : slPrice.gte(p.stopLoss));
        if (!tpHit && !slHit) continue;
        p.takeProfit = undefined;
        p.stopLoss = undefined;
        p.seq += 1;
        p.updatedAt = this.ctx.ts();
        this.model.positionEvent(acct, sym, p);
        this.matching.acceptOrder(acct, sym, {
          clientOrderId: '',
          side: long ? 'sell' : 'buy',
          type: 'market',
          timeInForce: 'ioc',
          price: undefined,
          quantity: Decimal.min(p.size.abs(), sym.instrument.maxMarketQuantity),
          reduceOnly: true,
          closeOnTrigger: true,
          origin: slHit ? 'position_stop_loss' : 'position_take_profit',
          positionSide: p.positionSide,
          reducing: true,
        });
      }
    }
  }

  // ── stand-alone conditionals ──────────────────────────────────────────────────────────────────────────────────

  /** Checks a conditional against the instrument, the account model and (unless `allowCrossed`) the current trigger price. */
  private checkSpec(acct: AccountState, sym: SymbolState, spec: ConditionalSpec, allowCrossed: boolean): SimResult<ConditionalSpec> {
    const inst = sym.instrument;
    const t = spec.triggerPrice;
    if (!t.isFinite() || t.lte(ZERO) || !isMultipleOf(t, inst.tickSize) || t.lt(inst.minPrice) || t.gt(inst.maxPrice)) {
      return reject('price_invalid', `trigger price ${t.toString()} is not valid for ${inst.symbol}`);
    }
    if (spec.limitPrice !== undefined) {
      const limit = checkPrice(inst, spec.limitPrice);
      if (!limit.ok) return limit;
    }
    const perp = this.model.kind === 'linear_perp';
    if ((spec.closePosition || spec.reduceOnly) && !perp) return reject('not_supported', `${this.model.kind} accounts have no closePosition or reduce-only`);
    if (spec.closePosition) {
      if (spec.limitPrice !== undefined || spec.reduceOnly || (spec.quantity !== undefined && !spec.quantity.isZero())) {
        return reject('invalid_request', 'closePosition goes with a market order and neither a quantity nor reduceOnly');
      }
    } else {
      if (spec.quantity === undefined) return reject('invalid_request', 'a conditional order needs a quantity unless it closes the position');
      const qty = checkQuantity(inst, spec.quantity, spec.limitPrice === undefined);
      if (!qty.ok) return qty;
    }
    if (perp) {
      const leg = this.model.leg(acct, sym, spec.positionSide);
      if (!leg.ok) return leg;
    } else if (spec.positionSide !== undefined) {
      return reject('invalid_request', `${this.model.kind} accounts have no position sides`);
    }
    const price = triggerPrice(sym, spec.triggerBy);
    if (!allowCrossed && price !== undefined && isTriggered(spec.kind, spec.side, price, t)) {
      return reject('would_trigger_immediately', `the ${spec.triggerBy} price ${price.toString()} has already crossed ${t.toString()}`);
    }
    return accept({ ...spec, quantity: spec.closePosition ? undefined : spec.quantity });
  }

  private create(acct: AccountState, sym: SymbolState, spec: ConditionalSpec, clientOrderId: string, ocoOrderId: string | undefined): ConditionalState {
    const ts = this.ctx.ts();
    const c: ConditionalState = {
      ...spec,
      conditionalId: this.ctx.ids.conditionalId(),
      clientOrderId,
      account: acct.id,
      symbol: sym.instrument.symbol,
      ocoOrderId,
      status: 'untriggered',
      triggeredOrderId: undefined,
      expiredBy: undefined,
      createdAt: ts,
      updatedAt: ts,
    };
    this.open.set(c.conditionalId, c);
    this.byId.set(c.conditionalId, c);
    if (clientOrderId !== '') this.byClientId.set(`${acct.id}\u0000${clientOrderId}`, c);
    this.ctx.emit({ type: 'conditional', conditional: view(c) });
    return c;
  }

  private close(c: ConditionalState, status: Exclude<SimConditionalStatus, 'untriggered'>): void {
    this.open.delete(c.conditionalId);
    c.status = status;
    c.updatedAt = this.ctx.ts();
    this.ctx.emit({ type: 'conditional', conditional: view(c) });
  }

  /** Accepts a stand-alone conditional order. */
  place(input: SimConditionalInput): SimResult<SimConditional> {
    const sym = this.ctx.symbols.get(input.symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${input.symbol}`);
    if (sym.instrument.status !== 'trading') return reject('invalid_request', `${input.symbol} is not trading`);
    const acct = this.ctx.account(input.account);
    const clientOrderId = input.clientOrderId ?? '';
    if (clientOrderId !== '' && this.byClientId.has(`${acct.id}\u0000${clientOrderId}`)) return reject('duplicate_client_id', `duplicate clientOrderId ${clientOrderId}`);
    const spec = this.checkSpec(acct, sym, {
      side: input.side,
      kind: input.kind,
      triggerPrice: input.triggerPrice,
      triggerBy: input.triggerBy,
      limitPrice: input.limitPrice,
      quantity: input.quantity,
      closePosition: input.closePosition ?? false,
      reduceOnly: input.reduceOnly ?? false,
      positionSide: input.positionSide,
    }, false);
    if (!spec.ok) return spec;
    return accept(view(this.create(acct, sym, spec.value, clientOrderId, undefined)));
  }

  /** Cancels an untriggered conditional; cancelling an OCO stop cancels its take-profit order too. */
  cancel(account: string, symbol: string, ref: SimOrderRef): SimResult<SimConditional> {
    const sym = this.ctx.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    const c = ref.orderId !== undefined && ref.orderId !== '' ? this.byId.get(ref.orderId) : ref.clientOrderId !== undefined && ref.clientOrderId !== '' ? this.byClientId.get(`${account}\u0000${ref.clientOrderId}`) : undefined;
    if (c === undefined || c.account !== account || c.symbol !== symbol || c.status !== 'untriggered') return reject('order_not_found', 'conditional order does not exist or is closed');
    this.close(c, 'cancelled');
    if (c.ocoOrderId !== undefined) {
      this.ocoStops.delete(c.ocoOrderId);
      const acct = this.ctx.accounts.get(account) as AccountState;
      const tp = acct.byOrderId.get(c.ocoOrderId);
      if (tp !== undefined && acct.open.has(tp.orderId)) this.matching.closeOrder(tp, 'cancelled', 'none', 'user');
      this.matching.flushBook(sym);
    }
    return accept(view(c));
  }

  /** Returns the untriggered conditionals of an account, oldest first. */
  list(account: string, symbol?: string): ReadonlyArray<SimConditional> {
    return [...this.open.values()].filter((c) => c.account === account && (symbol === undefined || c.symbol === symbol)).map(view);
  }

  /** Places the order of a crossed conditional (an OCO stop first cancels its take-profit, releasing what it held). */
  private trigger(c: ConditionalState, sym: SymbolState): void {
    const acct = this.ctx.accounts.get(c.account) as AccountState;
    this.open.delete(c.conditionalId);
    if (c.ocoOrderId !== undefined) {
      this.ocoStops.delete(c.ocoOrderId);
      const tp = acct.byOrderId.get(c.ocoOrderId);
      if (tp !== undefined && acct.open.has(tp.orderId)) this.matching.closeOrder(tp, 'cancelled', 'none', 'one_cancels_other');
    }
    let quantity = c.quantity ?? ZERO;
    if (c.closePosition) {
      const leg = this.model.leg(acct, sym, c.positionSide);
      quantity = leg.ok ? Decimal.min(leg.value.size.abs(), sym.instrument.maxMarketQuantity) : ZERO;
      if (quantity.isZero()) {
        c.expiredBy = 'reduce_only_no_position';
        this.close(c, 'expired');
        return;
      }
    }
    const limit = c.limitPrice !== undefined;
    const r = this.gateway.place(
      {
        account: c.account,
        symbol: c.symbol,
        side: c.side,
        type: limit ? 'limit' : 'market',
        quantity,
        price: c.limitPrice,
        timeInForce: limit ? 'gtc' : 'ioc',
        reduceOnly: c.reduceOnly || c.closePosition,
        closeOnTrigger: c.closePosition,
        positionSide: c.positionSide,
      },
      c.kind === 'stop' ? 'stop' : 'take_profit',
    );
    if (r.ok) c.triggeredOrderId = r.value.orderId;
    else c.expiredBy = r.code;
    this.close(c, r.ok ? 'triggered' : 'expired');
  }

  // ── OCO pairs and brackets ────────────────────────────────────────────────────────────────────────────────────

  /** Places an OCO exit: the take-profit rests as a limit order, the stop waits as a conditional. */
  placeOco(input: SimOcoInput, allowCrossed = false): SimResult<SimOco> {
    const sym = this.ctx.symbols.get(input.symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${input.symbol}`);
    if (sym.instrument.status !== 'trading') return reject('invalid_request', `${input.symbol} is not trading`);
    const sell = input.side === 'sell';
    if (sell ? !input.takeProfitPrice.gt(input.stopTriggerPrice) : !input.takeProfitPrice.lt(input.stopTriggerPrice)) {
      return reject('price_invalid', `an OCO ${input.side} needs its take-profit ${sell ? 'above' : 'below'} its stop`);
    }
    const acct = this.ctx.account(input.account);
    // Perpetual exits only ever reduce; spot and cash exits sell (or buy back) what the balances allow.
    const reduceOnly = this.model.kind === 'linear_perp';
    const spec = this.checkSpec(acct, sym, {
      side: input.side,
      kind: 'stop',
      triggerPrice: input.stopTriggerPrice,
      triggerBy: input.stopTriggerBy,
      limitPrice: input.stopLimitPrice,
      quantity: input.quantity,
      closePosition: false,
      reduceOnly,
      positionSide: input.positionSide,
    }, allowCrossed);
    if (!spec.ok) return spec;
    const tp = this.gateway.place(
      { account: input.account, symbol: input.symbol, side: input.side, type: 'limit', quantity: input.quantity, price: input.takeProfitPrice, timeInForce: 'gtc', reduceOnly, closeOnTrigger: false, clientOrderId: input.clientOrderId, positionSide: input.positionSide },
      'oco_take_profit',
    );
    if (!tp.ok) return tp;
    const stop = this.create(acct, sym, spec.value, '', tp.value.orderId);
    // A take-profit that traded on arrival has already decided the pair.
    if (tp.value.filledQuantity.gt(ZERO) || !acct.open.has(tp.value.orderId)) this.close(stop, 'cancelled');
    else this.ocoStops.set(tp.value.orderId, stop);
    return accept({ takeProfit: this.ctx.view(tp.value), stop: view(stop) });
  }

  /** Places a bracket's entry; its exits are armed once it has filled (or closed with a fill). */
  placeBracket(input: SimBracketInput): SimResult<OrderState> {
    const entry = input.entry;
    const sym = this.ctx.symbols.get(entry.symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${entry.symbol}`);
    const side: Side = entry.side === 'buy' ? 'sell' : 'buy';
    const [high, low] = side === 'sell' ? [input.takeProfitPrice, input.stopTriggerPrice] : [input.stopTriggerPrice, input.takeProfitPrice];
    const inside = entry.price === undefined || (entry.price.lt(high) && entry.price.gt(low));
    if (!high.gt(low) || !inside) return reject('price_invalid', `a ${entry.side} bracket needs take-profit ${side === 'sell' ? '>' : '<'} entry ${side === 'sell' ? '>' : '<'} stop`);
    const trigger = input.stopTriggerPrice;
    if (!isMultipleOf(trigger, sym.instrument.tickSize) || !isMultipleOf(input.takeProfitPrice, sym.instrument.tickSize)) {
      return reject('price_invalid', `bracket prices must be on the ${sym.instrument.tickSize.toString()} tick`);
    }
    const placed = this.gateway.place(entry, 'user');
    if (!placed.ok) return placed;
    const order = placed.value;
    const exit: BracketExit = {
      account: entry.account,
      symbol: entry.symbol,
      side,
      positionSide: entry.positionSide,
      takeProfitPrice: input.takeProfitPrice,
      stopTriggerPrice: trigger,
      stopTriggerBy: input.stopTriggerBy,
      stopLimitPrice: input.stopLimitPrice,
    };
    const acct = this.ctx.accounts.get(entry.account) as AccountState;
    if (acct.open.has(order.orderId)) this.brackets.set(order.orderId, exit);
    else if (order.filledQuantity.gt(ZERO)) this.armed.push({ exit, quantity: order.filledQuantity });
    return placed;
  }

  /** Places armed bracket exits; called by the engine after each command and tick (never inside a match). */
  settle(): void {
    if (this.settling || this.armed.length === 0) return;
    this.settling = true;
    try {
      for (let next = this.armed.shift(); next !== undefined; next = this.armed.shift()) {
        const { exit, quantity } = next;
        // The exit's stop may already be crossed by the time the entry filled: it then fires on the next tick.
        this.placeOco({ ...exit, quantity }, true);
      }
    } finally {
      this.settling = false;
    }
  }

  private arm(order: OrderState): void {
    const exit = this.brackets.get(order.orderId);
    if (exit === undefined) return;
    this.brackets.delete(order.orderId);
    if (order.filledQuantity.gt(ZERO)) this.armed.push({ exit, quantity: order.filledQuantity });
  }

  onFill(order: OrderState): void {
    const stop = this.ocoStops.get(order.orderId);
    if (stop !== undefined) {
      this.ocoStops.delete(order.orderId);
      if (stop.status === 'untriggered') this.close(stop, 'cancelled');
    }
    if (order.remaining.isZero()) this.arm(order);
  }

  onClosed(order: OrderState): void {
    const stop = this.ocoStops.get(order.orderId);
    if (stop !== undefined) {
      // The take-profit went without a fill (cancelled by the user or a reduce-only check): the pair goes with it.
      this.ocoStops.delete(order.orderId);
      if (stop.status === 'untriggered') this.close(stop, 'cancelled');
    }
    this.arm(order);
  }

  /** After a tick: fires position stops, then crossed conditionals (inside the trading session), then armed exits. */
  /** Whether anything here waits on the symbol's prices: an untriggered conditional, a bracket exit, an armed exit. */
  watches(symbol: string): boolean {
    if (this.armed.length > 0) return true;
    for (const c of this.open.values()) if (c.symbol === symbol) return true;
    for (const b of this.brackets.values()) if (b.symbol === symbol) return true;
    return false;
  }

  onTick(sym: SymbolState): void {
    this.firePositionStops(sym);
    if (this.open.size > 0 && this.model.isOpen(sym, this.ctx.ts())) {
      for (const c of [...this.open.values()]) {
        if (c.symbol !== sym.instrument.symbol || c.status !== 'untriggered') continue;
        const price = triggerPrice(sym, c.triggerBy);
        if (price !== undefined && isTriggered(c.kind, c.side, price, c.triggerPrice)) this.trigger(c, sym);
      }
    }
    this.settle();
  }
}
