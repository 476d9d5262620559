/**
 * The backtest's order latency (X-BT-5, `backtest.latencyMs`): a `SimExchange` in front of the matching engine whose
 * order placements and cancels reach the engine `latencyMs` virtual milliseconds after they were sent, so the market
 * may have moved meanwhile. The gateway acknowledges at once (the ack carries the order id the engine will use, and
 * the order reads as `new` until it arrives); what the engine refuses on arrival comes back on the account stream as
 * a rejected order. Deterministic: arrivals are timers on the injected virtual-clock scheduler, in send order; ids
 * come from the seed. Performs no I/O and reads no clock of its own.
 */
import { ZERO } from '../../../domain/money.ts';
import type { Decimal } from '../../../domain/money.ts';
import type { Instrument } from '../../../domain/Instrument.ts';
import type { ExecutionFilter } from './accounts/ledger.ts';
import { deterministicUuid } from './ids.ts';
import type * as T from './types.ts';

/** What the latency model needs besides the engine. */
export interface OrderLatencyOptions {
  /** One-way delay of an order or a cancel, in ms of the virtual clock; 0 returns the engine itself. */
  readonly latencyMs: number;
  /** Runs `run` at virtual time `at` (the session's virtual-clock scheduler); returns a cancel function. */
  readonly schedule: (at: number, run: () => void) => () => void;
  /** The engine seed: the acknowledged order ids are derived from it (their own id stream). */
  readonly seed: number;
}

/** The id stream of acknowledged orders (the engine's own streams are 1–4, ids.ts). */
const ACK_ID_STREAM = 5;

type Request =
  | { readonly kind: 'place'; readonly input: T.SimOrderInput & { readonly orderId: string }; readonly pending: T.SimOrder }
  | { readonly kind: 'cancel'; readonly account: string; readonly symbol: string; readonly ref: T.SimOrderRef };

interface Queued {
  readonly request: Request;
  readonly cancelTimer: () => void;
}

const sameRef = (o: T.SimOrder, ref: T.SimOrderRef): boolean =>
  ref.orderId !== undefined ? o.orderId === ref.orderId : ref.clientOrderId !== undefined && ref.clientOrderId !== '' && o.clientOrderId === ref.clientOrderId;

class LatentExchange implements T.SimExchange {
  private readonly inner: T.SimExchange;
  private readonly opts: OrderLatencyOptions;
  /** Requests sent and not yet arrived, in send (= arrival) order. */
  private queue: Queued[] = [];
  private acked = 0;
  private listeners: Array<(event: T.SimEvent) => void> = [];

  constructor(inner: T.SimExchange, opts: OrderLatencyOptions) {
    this.inner = inner;
    this.opts = opts;
  }

  get instruments(): ReadonlyArray<Instrument> {
    return this.inner.instruments;
  }

  now(): number {
    return this.inner.now();
  }

  subscribe(listener: (event: T.SimEvent) => void): () => void {
    this.listeners.push(listener);
    const off = this.inner.subscribe(listener);
    return () => {
      off();
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  fundAccount(account: string, coin: string, amount: Decimal): void {
    this.inner.fundAccount(account, coin, amount);
  }

  // After the last replayed tick the market can no longer move: a request then arrives at once.
  private exhausted(): boolean {
    return this.inner.nextEventAt() === undefined;
  }

  private inFlight(account: string, symbol: string | undefined): ReadonlyArray<T.SimOrder> {
    return this.queue.flatMap((q) => (q.request.kind === 'place' && q.request.input.account === account && (symbol === undefined || q.request.input.symbol === symbol) ? [q.request.pending] : []));
  }

  private send(request: Request): void {
    const q: Queued = { request, cancelTimer: this.opts.schedule(this.now() + this.opts.latencyMs, () => this.arrive(q)) };
    this.queue.push(q);
  }

  // Requests arrive in send order: one sent earlier whose timer has not run yet (same instant) arrives first.
  private arrive(q: Queued): void {
    if (!this.queue.includes(q)) return;
    while (this.queue.length > 0) {
      const head = this.queue.shift()!;
      head.cancelTimer();
      this.deliver(head.request);
      if (head === q) return;
    }
  }

  /** Delivers every request still on its way now (the data is exhausted). */
  private flush(): void {
    while (this.queue.length > 0) {
      const head = this.queue.shift()!;
      head.cancelTimer();
      this.deliver(head.request);
    }
  }

  private deliver(request: Request): void {
    if (request.kind === 'cancel') {
      // Too late (filled or closed meanwhile): the fills already told the account; nothing more to say.
      this.inner.cancelOrder(request.account, request.symbol, request.ref);
      return;
    }
    const r = this.inner.placeOrder(request.input);
    if (r.ok) return;
    const ts = this.now();
    this.emit({ type: 'order', order: { ...request.pending, status: 'rejected', rejectReason: r.code, updatedAt: ts } });
  }

  private emit(event: T.SimEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  placeOrder(input: T.SimOrderInput): T.SimResult<T.SimOrder> {
    if (this.exhausted()) {
      this.flush();
      return this.inner.placeOrder(input);
    }
    if (!this.inner.instruments.some((i) => i.symbol === input.symbol)) return { ok: false, code: 'unknown_symbol', message: `unknown symbol ${input.symbol}` };
    const clientOrderId = input.clientOrderId ?? '';
    const taken = clientOrderId !== '' && (this.inner.getOrder(input.account, undefined, { clientOrderId }) !== undefined || this.inFlight(input.account, undefined).some((o) => o.clientOrderId === clientOrderId));
    if (taken) return { ok: false, code: 'duplicate_client_id', message: `duplicate clientOrderId ${clientOrderId}` };
    const orderId = deterministicUuid(this.opts.seed >>> 0, ACK_ID_STREAM, ++this.acked);
    const ts = this.now();
    const pending: T.SimOrder = {
      orderId, clientOrderId, account: input.account, symbol: input.symbol, side: input.side, type: input.type, timeInForce: input.timeInForce,
      price: input.price, quantity: input.quantity, filledQuantity: ZERO, averagePrice: undefined, cumulativeFee: ZERO, status: 'new',
      rejectReason: '', cancelType: '', reduceOnly: input.reduceOnly, closeOnTrigger: input.closeOnTrigger, stopOrderType: '', createdAt: ts, updatedAt: ts,
      ...(input.positionSide === undefined ? {} : { positionSide: input.positionSide }),
    };
    this.send({ kind: 'place', input: { ...input, orderId }, pending });
    return { ok: true, value: pending };
  }

  amendOrder(account: string, symbol: string, ref: T.SimOrderRef, changes: { readonly quantity?: Decimal | undefined; readonly price?: Decimal | undefined }): T.SimResult<T.SimOrder> {
    return this.inner.amendOrder(account, symbol, ref, changes);
  }

  cancelOrder(account: string, symbol: string, ref: T.SimOrderRef): T.SimResult<T.SimOrder> {
    if (this.exhausted()) {
      this.flush();
      return this.inner.cancelOrder(account, symbol, ref);
    }
    // A closed order never reopens, so one neither open nor on its way is refused now, as it would be on arrival.
    const target = this.inFlight(account, symbol).find((o) => sameRef(o, ref)) ?? this.inner.openOrders(account, symbol).find((o) => sameRef(o, ref));
    if (target === undefined) return { ok: false, code: 'order_not_found', message: 'order does not exist or is closed' };
    this.send({ kind: 'cancel', account, symbol, ref });
    return { ok: true, value: target };
  }

  cancelAll(account: string, symbol?: string): ReadonlyArray<T.SimOrder> {
    return this.inner.cancelAll(account, symbol);
  }

  setTradingStop(account: string, symbol: string, stop: T.SimTradingStop): T.SimResult<T.SimPosition> {
    return this.inner.setTradingStop(account, symbol, stop);
  }

  setLeverage(account: string, symbol: string, leverage: Decimal): T.SimResult<T.SimPosition> {
    return this.inner.setLeverage(account, symbol, leverage);
  }

  setPositionMode(account: string, mode: T.SimPositionMode): T.SimResult<T.SimPositionMode> {
    return this.inner.setPositionMode(account, mode);
  }

  positionMode(account: string): T.SimPositionMode {
    return this.inner.positionMode(account);
  }

  placeConditional(input: T.SimConditionalInput): T.SimResult<T.SimConditional> {
    return this.inner.placeConditional(input);
  }

  cancelConditional(account: string, symbol: string, ref: T.SimOrderRef): T.SimResult<T.SimConditional> {
    return this.inner.cancelConditional(account, symbol, ref);
  }

  conditionalOrders(account: string, symbol?: string): ReadonlyArray<T.SimConditional> {
    return this.inner.conditionalOrders(account, symbol);
  }

  placeOco(input: T.SimOcoInput): T.SimResult<T.SimOco> {
    return this.inner.placeOco(input);
  }

  placeBracket(input: T.SimBracketInput): T.SimResult<T.SimOrder> {
    return this.inner.placeBracket(input);
  }

  getOrder(account: string, symbol: string | undefined, ref: T.SimOrderRef): T.SimOrder | undefined {
    return this.inner.getOrder(account, symbol, ref) ?? this.inFlight(account, symbol).find((o) => sameRef(o, ref));
  }

  openOrders(account: string, symbol?: string): ReadonlyArray<T.SimOrder> {
    return [...this.inner.openOrders(account, symbol), ...this.inFlight(account, symbol)];
  }

  orderHistory(account: string, symbol?: string): ReadonlyArray<T.SimOrder> {
    return this.inner.orderHistory(account, symbol);
  }

  executions(account: string, filter?: ExecutionFilter): ReadonlyArray<T.SimExecution> {
    return this.inner.executions(account, filter);
  }

  positions(account: string, symbol?: string): ReadonlyArray<T.SimPosition> {
    return this.inner.positions(account, symbol);
  }

  wallet(account: string): ReadonlyArray<T.SimWallet> {
    return this.inner.wallet(account);
  }

  book(symbol: string, depth: number): T.SimBook {
    return this.inner.book(symbol, depth);
  }

  ticker(symbol: string): T.SimTicker {
    return this.inner.ticker(symbol);
  }

  klines(symbol: string, intervalMinutes: number, startMs: number, endMs: number): T.SimResult<ReadonlyArray<T.SimKline>> {
    return this.inner.klines(symbol, intervalMinutes, startMs, endMs);
  }

  nextEventAt(): number | undefined {
    return this.inner.nextEventAt();
  }

  advanceTo(t: number): boolean {
    const more = this.inner.advanceTo(t);
    if (!more) this.flush();
    return more;
  }

  setInstrumentStatus(symbol: string, status: Instrument['status']): T.SimResult<Instrument> {
    return this.inner.setInstrumentStatus === undefined ? { ok: false, code: 'not_supported', message: 'the engine cannot switch instrument status' } : this.inner.setInstrumentStatus(symbol, status);
  }
}

/**
 * Returns the exchange with order latency: placements and cancels reach `exchange` `latencyMs` later on the virtual
 * clock (at once after its data is exhausted); everything else (TP/SL, leverage, reads, amends) goes straight through.
 * Returns `exchange` itself for 0, so a run without latency is unchanged. Throws RangeError for a bad latency.
 */
export const withOrderLatency = (exchange: T.SimExchange, opts: OrderLatencyOptions): T.SimExchange => {
  if (!Number.isSafeInteger(opts.latencyMs) || opts.latencyMs < 0) throw new RangeError(`latencyMs must be a whole number of ms ≥ 0, got ${String(opts.latencyMs)}`);
  return opts.latencyMs === 0 ? exchange : new LatentExchange(exchange, opts);
};
