/**
 * Lifecycle messages from what one account's journal committed (X-ORD-2, X-NTF-2): it reads entries back after commit
 * (like the ops journal pump) and only then renders ORDER_PLACED (at the venue's ACK), POSITION_OPENED (at the entry's
 * fill, never before its ACK), TP_HIT / SL_HIT and POSITION_CLOSED (at TRADE_CLOSED) and ERROR (a refused signal, a
 * rejected order, a protection that failed). So every NOTIFY_QUEUED lands after its ACK or fill in the same journal. Dedupe keys come
 * from journaled ids, so a restart that reads an entry again makes the same key and the outbox skips it.
 */
import { Either } from 'effect';
import type { LifecycleEvent } from '../config/notificationsSection.ts';
import { Decimal, parseDecimal } from '../domain/money.ts';
import type { Journal, JournalEntry } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Outbox } from './Outbox.ts';
import { renderTemplate, type TemplateEvent } from './templates/index.ts';

/** How far before its cursor a restarted notifier re-reads the journal for context (decisions, requests), silently. */
const LOOKBACK_ENTRIES = 20_000;
/** Most entries read per pump. */
const BATCH = 500;
/** Most decisions and orders remembered. */
const MEMORY = 5_000;
/** kv key of the seq the notifier first started after (nothing before it is ever notified). */
export const NOTIFY_SINCE_KEY = 'notify.since';

/** Notifier settings for one account. */
export interface LifecycleNotifierOptions {
  readonly account: string;
  readonly journal: Journal;
  readonly outbox: Outbox;
  readonly events: ReadonlyArray<LifecycleEvent>;
  readonly channels: ReadonlyArray<string>;
  readonly settleAsset: string;
  readonly triggerSource: 'mark' | 'last' | 'index' | undefined;
  readonly logger: Pick<Logger, 'warn'>;
}

interface Decision {
  readonly leverage: Decimal | undefined;
  readonly notional: Decimal | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
}

interface OrderState {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly entry: boolean;
  readonly strategyId: string | undefined;
  readonly decisionId: string | undefined;
  venueOrderId: string | undefined;
  acked: boolean;
  filledQuantity: Decimal;
  /** The first fill's price: the OEP every S0 level derives from (S0-8). */
  firstFillPrice: Decimal | undefined;
  closed: boolean;
  opened: boolean;
}

type Payload = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const decimal = (v: unknown): Decimal | undefined => (typeof v === 'string' ? parseDecimal(v) : undefined);

const remember = <K, V>(map: Map<K, V>, key: K, value: V): void => {
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value as K);
};

/** One account's lifecycle notifier. */
export class LifecycleNotifier {
  private readonly opts: LifecycleNotifierOptions;
  private readonly decisions = new Map<string, Decision>();
  private readonly orders = new Map<string, OrderState>();
  private cursor = 0;
  private sinceToWrite: number | undefined;
  private refused = 0;

  constructor(opts: LifecycleNotifierOptions) {
    this.opts = opts;
  }

  /** Finds where to resume (after the last entry that made a queued message, or after the first start) and re-reads context. */
  start(): void {
    const { journal, outbox } = this.opts;
    const since = journal.kvGet(NOTIFY_SINCE_KEY);
    const first = typeof since === 'number' ? since : journal.lastSeq();
    if (typeof since !== 'number') this.sinceToWrite = first;
    const resumeAt = Math.max(first, outbox.lastSourceSeq());
    for (const e of journal.readEvents({ fromSeq: Math.max(1, resumeAt - LOOKBACK_ENTRIES), limit: LOOKBACK_ENTRIES + 1 })) {
      if (e.seq > resumeAt) break;
      this.take(e, false);
    }
    this.cursor = resumeAt;
  }

  /** Reads up to a batch of what was committed since the last pump and hands the messages to the outbox; returns how many entries it read. */
  pump(): number {
    const { journal } = this.opts;
    if (this.sinceToWrite !== undefined) {
      // Written from the pump's timer, not from the start path: the notifier never writes where trading writes.
      journal.kvSet(NOTIFY_SINCE_KEY, this.sinceToWrite);
      this.sinceToWrite = undefined;
    }
    const batch = [...journal.readEvents({ fromSeq: this.cursor + 1, limit: BATCH })];
    for (const e of batch) {
      this.cursor = e.seq;
      this.take(e, true);
    }
    return batch.length;
  }

  /** Template refusals so far (a missing required field). */
  refusals(): number {
    return this.refused;
  }

  private emit(event: TemplateEvent, key: string, sourceSeq: number): void {
    if (!(this.opts.events as ReadonlyArray<string>).includes(event.template) || this.opts.channels.length === 0) return;
    const fullKey = `${this.opts.account}:${key}`;
    if (this.opts.outbox.knows(fullKey)) return;
    const rendered = renderTemplate(event);
    if (Either.isLeft(rendered)) {
      this.refused += 1;
      this.opts.logger.warn({ account: this.opts.account, key: fullKey, sourceSeq, problem: rendered.left.message }, 'notify_template_refused');
      return;
    }
    this.opts.outbox.enqueue({ key: fullKey, template: event.template, text: rendered.right.text, critical: event.template === 'ERROR', sourceSeq }, this.opts.channels);
  }

  private initialMargin(decisionId: string | undefined): Decision & { readonly im: Decimal | undefined } {
    const d = decisionId === undefined ? undefined : this.decisions.get(decisionId);
    const im = d?.notional !== undefined && d.leverage !== undefined && !d.leverage.isZero() ? d.notional.div(d.leverage) : undefined;
    return { leverage: d?.leverage, notional: d?.notional, takeProfit: d?.takeProfit, stopLoss: d?.stopLoss, im };
  }

  private orderFields(o: OrderState) {
    const d = this.initialMargin(o.decisionId);
    // The venue path confirms no initial margin yet (no position IM in the ack): shown as "IM confirmed: no".
    return {
      symbol: o.symbol, side: o.side, leverage: d.leverage, initialMargin: d.im, settleAsset: this.opts.settleAsset, orderId: o.venueOrderId,
      postOnly: o.postOnly, reduceOnly: o.reduceOnly, imConfirmed: false, sourceChannelName: o.strategyId, triggerSource: this.opts.triggerSource,
    };
  }

  private opened(o: OrderState, seq: number, emit: boolean): void {
    if (o.opened || !o.acked || !o.entry || o.firstFillPrice === undefined) return;
    o.opened = true;
    const d = this.initialMargin(o.decisionId);
    if (emit) {
      this.emit({ template: 'POSITION_OPENED', ...this.orderFields(o), entryPrice: o.firstFillPrice, quantity: o.filledQuantity, takeProfit: d.takeProfit, stopLoss: d.stopLoss }, `POSITION_OPENED:${o.clientOrderId}`, seq);
    }
  }

  private take(e: JournalEntry, emit: boolean): void {
    const p = (e.payload ?? {}) as Payload;
    switch (e.type) {
      case 'RISK_DECISION': {
        const order = p['order'] as Payload | undefined;
        if (p['kind'] === 'approve' && order !== undefined && typeof p['decisionId'] === 'string') {
          remember(this.decisions, p['decisionId'], { leverage: decimal(order['leverage']), notional: decimal(order['notional']), takeProfit: decimal(order['takeProfit']), stopLoss: decimal(order['stopLoss']) });
        }
        return;
      }
      case 'ORDER_REQUESTED': {
        const id = text(p['clientOrderId']);
        const quantity = decimal(p['quantity']);
        if (id === undefined || quantity === undefined) return;
        remember(this.orders, id, {
          clientOrderId: id, symbol: text(p['symbol']) ?? '?', side: p['side'] === 'sell' ? 'sell' : 'buy', quantity, price: decimal(p['price']),
          postOnly: p['timeInForce'] === 'post_only', reduceOnly: p['reduceOnly'] === true, entry: p['role'] === 'entry', strategyId: text(p['strategyId']), decisionId: text(p['decisionId']),
          venueOrderId: undefined, acked: false, filledQuantity: new Decimal(0), firstFillPrice: undefined, closed: false, opened: false,
        });
        return;
      }
      case 'ORDER_ACKNOWLEDGED': {
        const o = this.orders.get(text(p['clientOrderId']) ?? '');
        if (o === undefined || o.acked) return;
        o.acked = true;
        o.venueOrderId = text(p['venueOrderId']);
        if (emit && o.entry) this.emit({ template: 'ORDER_PLACED', ...this.orderFields(o), price: o.price, quantity: o.quantity, clientOrderId: o.clientOrderId }, `ORDER_PLACED:${o.clientOrderId}`, e.seq);
        // The fill may be journaled before the ack (the account stream was faster): the position opens now.
        if (o.closed) this.opened(o, e.seq, emit);
        return;
      }
      case 'ORDER_FILLED': {
        const o = this.orders.get(text(p['clientOrderId']) ?? '');
        const price = decimal(p['price']);
        const quantity = decimal(p['quantity']);
        if (o === undefined || price === undefined || quantity === undefined) return;
        o.filledQuantity = o.filledQuantity.plus(quantity);
        o.firstFillPrice ??= price;
        if (p['state'] === 'filled') {
          o.closed = true;
          this.opened(o, e.seq, emit);
        }
        return;
      }
      case 'ORDER_CANCELLED':
      case 'ORDER_EXPIRED': {
        // A partly filled entry that is withdrawn still opened a position of its filled size.
        const o = this.orders.get(text(p['clientOrderId']) ?? '');
        if (o === undefined) return;
        o.closed = true;
        this.opened(o, e.seq, emit);
        return;
      }
      case 'ORDER_REJECTED': {
        const o = this.orders.get(text(p['clientOrderId']) ?? '');
        const message = text(p['message']) ?? text(p['reason']) ?? 'rejected by the venue';
        if (emit) this.emit({ template: 'ERROR', code: 'ORDER_REJECTED', message, venueCode: text(p['code']), symbol: o?.symbol, clientOrderId: text(p['clientOrderId']) }, `ERROR:${String(e.seq)}`, e.seq);
        return;
      }
      case 'PROTECTION_FAILED': {
        if (emit) this.emit({ template: 'ERROR', code: 'PROTECTION_FAILED', message: text(p['reason']) ?? 'the venue did not set TP/SL', symbol: text(p['symbol']) }, `ERROR:${String(e.seq)}`, e.seq);
        return;
      }
      case 'SIGNAL_HANDLED': {
        // S0-1 / S0-3: every refused signal goes to the private channel as ERROR, with the parser's reason.
        if (emit && p['outcome'] === 'refused') {
          this.emit({ template: 'ERROR', code: text(p['reason']) ?? 'SIGNAL_REFUSED', message: text(p['detail']) ?? 'the signal was refused', symbol: text(p['symbol']) }, `ERROR:${String(e.seq)}`, e.seq);
        }
        return;
      }
      case 'TRADE_CLOSED':
        if (emit) this.closed(p, e.seq);
        return;
      default:
        return;
    }
  }

  private closed(p: Payload, seq: number): void {
    const intentId = text(p['intentId']);
    const entryPrice = decimal(p['entryPrice']);
    const quantity = decimal(p['quantity']);
    const realizedPnl = decimal(p['realizedPnl']);
    if (intentId === undefined || entryPrice === undefined || quantity === undefined || realizedPnl === undefined) return;
    // The entry side of the cycle: a sell opened a short.
    const exit = {
      symbol: text(p['symbol']) ?? '?', side: p['side'] === 'sell' ? ('short' as const) : ('long' as const), entryPrice, exitPrice: decimal(p['averageExitPrice']), quantity, realizedPnl,
      initialMargin: this.initialMargin(intentId).im, settleAsset: this.opts.settleAsset,
    };
    const reason = p['reason'];
    // One take-profit level per cycle in this runtime: TP 1 (S0's multi-level TPs will number on from here).
    if (reason === 'takeProfit') this.emit({ template: 'TP_HIT', level: 1, ...exit }, `TP_HIT:${intentId}:1`, seq);
    if (reason === 'stopLoss') this.emit({ template: 'SL_HIT', ...exit }, `SL_HIT:${intentId}`, seq);
    const closeReason = reason === 'takeProfit' || reason === 'stopLoss' || reason === 'liquidation' || reason === 'external' ? reason : 'exit';
    this.emit({ template: 'POSITION_CLOSED', ...exit, reason: closeReason, fees: decimal(p['fees']) ?? new Decimal(0) }, `POSITION_CLOSED:${intentId}`, seq);
  }
}
