/**
 * The simulator's matching engine behind the `SimExchange` API: a façade composing the neutral core — shared state
 * (`EngineContext`), order admission (`OrderRules`), price-time matching (`Matching`), the account model of the
 * venue profile (`accounts/`), conditionals (`Conditionals`) and the replay loop (`Replay`). The profile (default:
 * Bybit linear, one-way) supplies fees, limits, the account model and the venue's spelling. Deterministic for a
 * given seed and input; reads time only from the injected clock (or the replayed tick being processed); no I/O.
 */
import type { Clock } from '../../../kernel/Clock.ts';
import type { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import { BYBIT_LINEAR_PROFILE } from '../bybit/profile.ts';
import type { MarketFeed } from '../replay/MarketFeed.ts';
import type { AccountModel } from './accounts/AccountModel.ts';
import type { AccountState, ExecutionFilter, OrderState } from './accounts/ledger.ts';
import { accountModelFor } from './accounts/models.ts';
import { Conditionals } from './Conditionals.ts';
import { EngineContext, settingsOf, type SymbolState } from './EngineContext.ts';
import { KlineHistory } from './klineHistory.ts';
import { Matching } from './Matching.ts';
import { accept, admitAmend, admitOrder, reject } from './OrderRules.ts';
import type { SimVenueProfile } from './profiles.ts';
import { Replay } from './Replay.ts';
import type * as T from './types.ts';

/** Options of `createSimExchange`. */
export interface SimExchangeOptions {
  readonly clock: Clock;
  readonly instruments: ReadonlyArray<Instrument>;
  /** At most one feed per symbol; symbols without a feed have no synthetic liquidity. */
  readonly feeds: ReadonlyArray<MarketFeed>;
  readonly seed: number;
  /** The venue profile (default `BYBIT_LINEAR_PROFILE`); the options below override its defaults. */
  readonly profile?: SimVenueProfile | undefined;
  /** Default: the profile's (Bybit linear maker 0.0002). */
  readonly makerFeeRate?: Decimal | undefined;
  /** Default: the profile's (Bybit linear taker 0.00055). */
  readonly takerFeeRate?: Decimal | undefined;
  /** Default: the profile's (Bybit 500). */
  readonly maxOpenOrdersPerSymbol?: number | undefined;
  /** Leverage of a position that was never set (default: the profile's, 10 for Bybit; capped to the instrument's maximum). */
  readonly defaultLeverage?: Decimal | undefined;
  /**
   * Receives errors thrown by subscribers. The engine never lets a subscriber's error interrupt a state change half
   * way; by default the error is re-thrown from a microtask so it still surfaces (as an uncaught exception).
   */
  readonly onListenerError?: ((error: unknown, event: T.SimEvent) => void) | undefined;
}

/** Kept for existing callers: the Bybit instruments now live with the Bybit profile. */
export { bybitLinearInstrument } from '../bybit/profile.ts';

class SimExchangeEngine implements T.SimExchange {
  private readonly ctx: EngineContext;
  private readonly model: AccountModel;
  private readonly matching: Matching;
  private readonly conditionals: Conditionals;
  private readonly replay: Replay;
  /** The bars the replay has published, for kline history (fed by the first listener, before any façade's). */
  private readonly history = new KlineHistory();

  constructor(opts: SimExchangeOptions) {
    const profile = opts.profile ?? BYBIT_LINEAR_PROFILE;
    this.ctx = new EngineContext({
      clock: opts.clock,
      seed: opts.seed,
      profile,
      instruments: opts.instruments,
      settings: settingsOf(profile, opts),
      onListenerError: opts.onListenerError,
    });
    this.model = accountModelFor(this.ctx);
    this.matching = new Matching(this.ctx, this.model);
    this.conditionals = new Conditionals(this.ctx, this.model, this.matching, { place: (input, origin) => this.place(input, origin) });
    this.matching.observer = this.conditionals;
    this.replay = new Replay(this.ctx, opts.feeds, this.matching, this.conditionals, this.model);
    this.ctx.subscribe((e) => {
      if (e.type === 'kline') this.history.record(e.kline);
    });
  }

  get instruments(): ReadonlyArray<Instrument> {
    return [...this.ctx.symbols.values()].map((s) => s.instrument);
  }

  setInstrumentStatus(symbol: string, status: Instrument['status']): T.SimResult<Instrument> {
    const sym = this.ctx.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    if (sym.instrument.status === status) return reject('not_modified', `${symbol} is already ${status}`);
    sym.instrument = { ...sym.instrument, status };
    return accept(sym.instrument);
  }

  now(): number {
    return this.ctx.now();
  }

  subscribe(listener: (event: T.SimEvent) => void): () => void {
    return this.ctx.subscribe(listener);
  }

  fundAccount(account: string, coin: string, amount: Decimal): void {
    this.model.fund(this.ctx.account(account), coin, amount);
  }

  /** Admits and runs an order; the one path for user orders and the orders conditionals trigger. */
  private place(input: T.SimOrderInput, origin: T.SimOrderOrigin): T.SimResult<OrderState> {
    this.replay.catchUp(input.symbol);
    const sym = this.ctx.symbols.get(input.symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${input.symbol}`);
    const admitted = admitOrder(this.ctx, this.model, sym, input, origin, (side) => this.matching.referencePrice(sym, side));
    if (!admitted.ok) return admitted;
    const order = this.matching.acceptOrder(admitted.value.acct, sym, admitted.value.order, input.orderId);
    this.matching.flushBook(sym);
    return accept(order);
  }

  placeOrder(input: T.SimOrderInput): T.SimResult<T.SimOrder> {
    return this.settled(this.place(input, 'user'));
  }

  /** Views the result, then lets armed bracket exits go out (they never run inside the command's own matching). */
  private settled(r: T.SimResult<OrderState>): T.SimResult<T.SimOrder> {
    const out = r.ok ? accept(this.ctx.view(r.value)) : r;
    this.conditionals.settle();
    return out;
  }

  /** Finds an open order of the account in the symbol, or refuses with `unknown_symbol` / `order_not_found`. */
  private findOpen(account: string, symbol: string, ref: T.SimOrderRef): T.SimResult<{ readonly sym: SymbolState; readonly acct: AccountState; readonly order: OrderState }> {
    const sym = this.ctx.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    const acct = this.ctx.accounts.get(account);
    const order = acct?.find(ref);
    if (acct === undefined || order === undefined || order.symbol !== symbol || !acct.open.has(order.orderId)) {
      return reject('order_not_found', 'order does not exist or is closed');
    }
    return accept({ sym, acct, order });
  }

  amendOrder(account: string, symbol: string, ref: T.SimOrderRef, changes: { readonly quantity?: Decimal | undefined; readonly price?: Decimal | undefined }): T.SimResult<T.SimOrder> {
    this.replay.catchUp(symbol);
    const found = this.findOpen(account, symbol, ref);
    if (!found.ok) return found;
    const { sym, acct, order } = found.value;
    const admitted = admitAmend(this.ctx, this.model, sym, acct, order, changes);
    if (!admitted.ok) return admitted;
    this.matching.amend(acct, sym, order, admitted.value.price, admitted.value.quantity);
    this.matching.flushBook(sym);
    return this.settled(accept(order));
  }

  cancelOrder(account: string, symbol: string, ref: T.SimOrderRef): T.SimResult<T.SimOrder> {
    const found = this.findOpen(account, symbol, ref);
    if (!found.ok) return found;
    this.matching.closeOrder(found.value.order, 'cancelled', 'none', 'user');
    this.matching.flushBook(found.value.sym);
    // A bracket entry cancelled after a partial fill arms its exits for what did fill.
    return this.settled(accept(found.value.order));
  }

  cancelAll(account: string, symbol?: string): ReadonlyArray<T.SimOrder> {
    const acct = this.ctx.accounts.get(account);
    if (acct === undefined) return [];
    const cancelled: T.SimOrder[] = [];
    const touched = new Set<SymbolState>();
    for (const o of [...acct.open.values()]) {
      if (symbol !== undefined && o.symbol !== symbol) continue;
      this.matching.closeOrder(o, 'cancelled', 'none', 'user');
      cancelled.push(this.ctx.view(o));
      touched.add(this.ctx.symbols.get(o.symbol) as SymbolState);
    }
    for (const sym of touched) this.matching.flushBook(sym);
    this.conditionals.settle();
    return cancelled;
  }

  setTradingStop(account: string, symbol: string, stop: T.SimTradingStop): T.SimResult<T.SimPosition> {
    this.replay.catchUp(symbol);
    return this.conditionals.setTradingStop(account, symbol, stop);
  }

  setLeverage(account: string, symbol: string, leverage: Decimal): T.SimResult<T.SimPosition> {
    this.replay.catchUp(symbol);
    const sym = this.ctx.symbols.get(symbol);
    return sym === undefined ? reject('unknown_symbol', `unknown symbol ${symbol}`) : this.model.setLeverage(account, sym, leverage);
  }

  setPositionMode(account: string, mode: T.SimPositionMode): T.SimResult<T.SimPositionMode> {
    return this.model.setPositionMode(account, mode);
  }

  positionMode(account: string): T.SimPositionMode {
    return this.ctx.accounts.get(account)?.positionMode ?? this.ctx.profile.positionMode;
  }

  placeConditional(input: T.SimConditionalInput): T.SimResult<T.SimConditional> {
    this.replay.catchUp(input.symbol);
    return this.conditionals.place(input);
  }

  cancelConditional(account: string, symbol: string, ref: T.SimOrderRef): T.SimResult<T.SimConditional> {
    return this.conditionals.cancel(account, symbol, ref);
  }

  conditionalOrders(account: string, symbol?: string): ReadonlyArray<T.SimConditional> {
    return this.conditionals.list(account, symbol);
  }

  placeOco(input: T.SimOcoInput): T.SimResult<T.SimOco> {
    this.replay.catchUp(input.symbol);
    const r = this.conditionals.placeOco(input);
    this.conditionals.settle();
    return r;
  }

  placeBracket(input: T.SimBracketInput): T.SimResult<T.SimOrder> {
    this.replay.catchUp(input.entry.symbol);
    return this.settled(this.conditionals.placeBracket(input));
  }

  getOrder(account: string, symbol: string | undefined, ref: T.SimOrderRef): T.SimOrder | undefined {
    const o = this.ctx.accounts.get(account)?.find(ref);
    return o === undefined || (symbol !== undefined && o.symbol !== symbol) ? undefined : this.ctx.view(o);
  }

  openOrders(account: string, symbol?: string): ReadonlyArray<T.SimOrder> {
    const acct = this.ctx.accounts.get(account);
    if (acct === undefined) return [];
    return [...acct.open.values()].filter((o) => symbol === undefined || o.symbol === symbol).map((o) => this.ctx.view(o));
  }

  orderHistory(account: string, symbol?: string): ReadonlyArray<T.SimOrder> {
    const acct = this.ctx.accounts.get(account);
    if (acct === undefined) return [];
    return acct.orders.filter((o) => symbol === undefined || o.symbol === symbol).map((o) => this.ctx.view(o));
  }

  executions(account: string, filter?: ExecutionFilter): ReadonlyArray<T.SimExecution> {
    return this.ctx.accounts.get(account)?.executionsWhere(filter ?? {}) ?? [];
  }

  positions(account: string, symbol?: string): ReadonlyArray<T.SimPosition> {
    return this.model.positions(this.ctx.account(account), symbol);
  }

  wallet(account: string): ReadonlyArray<T.SimWallet> {
    const acct = this.ctx.accounts.get(account);
    return acct === undefined ? [] : this.model.wallets(acct);
  }

  book(symbol: string, depth: number): T.SimBook {
    this.replay.catchUp(symbol);
    return this.matching.book(symbol, depth);
  }

  ticker(symbol: string): T.SimTicker {
    this.replay.catchUp(symbol);
    return this.replay.ticker(symbol);
  }

  klines(symbol: string, intervalMinutes: number, startMs: number, endMs: number): T.SimResult<ReadonlyArray<T.SimKline>> {
    const sym = this.ctx.symbols.get(symbol);
    if (sym === undefined) return reject('unknown_symbol', `unknown symbol ${symbol}`);
    if (!Number.isSafeInteger(intervalMinutes) || intervalMinutes <= 0) return reject('invalid_request', `a bar length must be a whole number of minutes, got ${intervalMinutes}`);
    if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(endMs) || startMs >= endMs) return reject('invalid_request', `the range [${startMs}, ${endMs}) is empty`);
    // A passed-over tick would leave the forming bar behind the market that `book` and `ticker` show.
    this.replay.catchUp(symbol);
    return this.history.klines(symbol, intervalMinutes * 60_000, startMs, endMs, sym.lastTickTs);
  }

  nextEventAt(): number | undefined {
    return this.replay.nextEventAt();
  }

  advanceTo(t: number): boolean {
    return this.replay.advanceTo(t);
  }
}

/** Creates a simulator exchange over the given instruments and replay feeds. */
export const createSimExchange = (opts: SimExchangeOptions): T.SimExchange => new SimExchangeEngine(opts);
