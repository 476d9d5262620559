/**
 * Lifecycle messages from what one account's journal committed (X-ORD-2, X-NTF-2): it reads entries back after commit
 * (like the ops journal pump) and only then renders ORDER_PLACED (at the venue's ACK), POSITION_OPENED (at the entry's
 * fill, never before its ACK), TP_HIT / SL_HIT and POSITION_CLOSED (at TRADE_CLOSED) and ERROR (a refused signal, a
 * rejected order, a protection that failed). So every NOTIFY_QUEUED lands after its ACK or fill in the same journal. Dedupe keys come
 * from journaled ids, so a restart that reads an entry again makes the same key and the outbox skips it. The S0-18 fields
 * come from the journal too: the source of a followed signal's order from its decision's SIGNAL_HANDLED, and "IM
 * confirmed" from the LEVERAGE_SET entries written between the entry's request and its ACK. STOP_MOVED (S0-11, S0-13)
 * comes at the ACTOR_EVENT that takes the trade actor out of its stop move on the venue's confirmation, with the stop
 * of the PROTECTION_SET journaled since the move began.
 */
import { Either } from 'effect';
import type { LifecycleEvent } from '../config/notificationsSection.ts';
import { Decimal } from '../domain/money.ts';
import { parseClientOrderId } from '../domain/clientOrderId.ts';
import type { Journal, JournalEntry } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { decimal, remember, text, type Payload } from './lifecycle/journalFields.ts';
import { LeverageReadBack, type LeverageWatch } from './lifecycle/leverageReadBack.ts';
import { StopMoves } from './lifecycle/stopMoves.ts';
import type { Outbox } from './Outbox.ts';
import { renderTemplate, type TemplateEvent } from './templates/index.ts';

/** How far before its cursor a restarted notifier re-reads the journal for context (decisions, requests), silently. */
const LOOKBACK_ENTRIES = 20_000;
/** Most entries read per pump. */
const BATCH = 500;
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
  readonly proposalId: string | undefined;
  readonly leverage: Decimal | undefined;
  readonly notional: Decimal | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
}

interface OrderState extends LeverageWatch {
  readonly side: 'buy' | 'sell';
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly postOnly: boolean;
  readonly reduceOnly: boolean;
  readonly strategyId: string | undefined;
  readonly decisionId: string | undefined;
  venueOrderId: string | undefined;
  acked: boolean;
  /** S0-18: the venue confirmed, before the entry went out, the leverage its IM is figured at (fixed at the ACK). */
  imConfirmed: boolean;
  filledQuantity: Decimal;
  /** The first fill's price: the OEP every S0 level derives from (S0-8). */
  firstFillPrice: Decimal | undefined;
  closed: boolean;
  opened: boolean;
}

/** One account's lifecycle notifier. */
export class LifecycleNotifier {
  private readonly opts: LifecycleNotifierOptions;
  private readonly decisions = new Map<string, Decision>();
  private readonly orders = new Map<string, OrderState>();
  /** The signal source (its configured name) of each decision that acted on a followed signal, and of each such proposal. */
  private readonly sourceOfDecision = new Map<string, string>();
  private readonly sourceOfProposal = new Map<string, string>();
  /** Decisions whose POSITION_OPENED was sent (or, on replay, would have been): once per trade. */
  private readonly openedDecisions = new Map<string, true>();
  /** Per symbol, the leverage the venue holds as the last LEVERAGE_SET left it (S0-4, S0-18). */
  private readonly leverage = new LeverageReadBack();
  /** Per symbol, the client order id of the open cycle's first entry order (its OEP, side and source). */
  private readonly cycleEntry = new Map<string, string>();
  /** Per symbol, the stop the venue holds and the move in flight (S0-11, S0-13). */
  private readonly stops = new StopMoves();
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
    return { proposalId: d?.proposalId, leverage: d?.leverage, notional: d?.notional, takeProfit: d?.takeProfit, stopLoss: d?.stopLoss, im };
  }

  private orderFields(o: OrderState) {
    const d = this.initialMargin(o.decisionId);
    // S0-18: a followed signal's order shows its source's name; a strategy's own order its strategy id.
    const source = (o.decisionId === undefined ? undefined : this.sourceOfDecision.get(o.decisionId)) ?? o.strategyId;
    return {
      symbol: o.symbol, side: o.side, leverage: d.leverage, initialMargin: d.im, settleAsset: this.opts.settleAsset, orderId: o.venueOrderId,
      postOnly: o.postOnly, reduceOnly: o.reduceOnly, imConfirmed: o.imConfirmed, sourceChannelName: source, triggerSource: this.opts.triggerSource,
    };
  }

  private opened(o: OrderState, seq: number, emit: boolean): void {
    if (o.opened || !o.acked || !o.entry || o.firstFillPrice === undefined) return;
    o.opened = true;
    // Once per trade: a later leg or part of the same decision's entry (S0-7, S0-16) adds to the position it opened.
    if (o.decisionId !== undefined) {
      if (this.openedDecisions.has(o.decisionId)) return;
      remember(this.openedDecisions, o.decisionId, true);
    }
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
          const proposalId = text(p['proposalId']) ?? text(order['proposalId']);
          remember(this.decisions, p['decisionId'], { proposalId, leverage: decimal(order['leverage']), notional: decimal(order['notional']), takeProfit: decimal(order['takeProfit']), stopLoss: decimal(order['stopLoss']) });
          // A later decision on a followed signal's proposal (its re-entry) keeps the signal's source.
          const source = proposalId === undefined ? undefined : this.sourceOfProposal.get(proposalId);
          if (source !== undefined) remember(this.sourceOfDecision, p['decisionId'], source);
        }
        return;
      }
      case 'LEVERAGE_SET':
        this.leverage.set(p, this.orders.values());
        return;
      case 'ORDER_REQUESTED': {
        const id = text(p['clientOrderId']);
        const quantity = decimal(p['quantity']);
        if (id === undefined || quantity === undefined) return;
        const symbol = text(p['symbol']) ?? '?';
        remember(this.orders, id, {
          clientOrderId: id, symbol, side: p['side'] === 'sell' ? 'sell' : 'buy', quantity, price: decimal(p['price']),
          // S0-9: a ladder add-on (`<base>-a<n>`) adds to the open position; PYRAMID_STEP tells of it, not ORDER_PLACED / POSITION_OPENED.
          postOnly: p['timeInForce'] === 'post_only', reduceOnly: p['reduceOnly'] === true, entry: p['role'] === 'entry' && parseClientOrderId(id)?.role !== 'addOn', strategyId: text(p['strategyId']), decisionId: text(p['decisionId']),
          venueOrderId: undefined, acked: false, filledQuantity: new Decimal(0), firstFillPrice: undefined, closed: false, opened: false,
          heldLeverage: this.leverage.heldFor(symbol), ownLeverage: undefined, imConfirmed: false,
        });
        // A cycle's later entry parts keep its first entry (the OEP's); an entry that never filled gives way to the next.
        const current = this.orders.get(this.cycleEntry.get(symbol) ?? '');
        if (p['role'] === 'entry' && current?.firstFillPrice === undefined) this.cycleEntry.set(symbol, id);
        return;
      }
      case 'ORDER_ACKNOWLEDGED': {
        const o = this.orders.get(text(p['clientOrderId']) ?? '');
        if (o === undefined || o.acked) return;
        o.acked = true;
        o.venueOrderId = text(p['venueOrderId']);
        // S0-18: the venue confirmed, read back, the leverage the IM is figured at before the entry went out (S0-4).
        o.imConfirmed = LeverageReadBack.confirms(o, this.initialMargin(o.decisionId).leverage);
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
        // S0-18: the inbox journals a signal's outcome on `signal:<source>`, after the decision it acted on.
        const decisionId = text(p['decisionId']);
        if (p['outcome'] === 'accepted' && decisionId !== undefined && e.stream.startsWith('signal:')) {
          const source = e.stream.slice('signal:'.length);
          remember(this.sourceOfDecision, decisionId, source);
          const proposalId = this.decisions.get(decisionId)?.proposalId;
          if (proposalId !== undefined) remember(this.sourceOfProposal, proposalId, source);
        }
        // S0-1 / S0-3: every refused signal goes to the private channel as ERROR, with the parser's reason.
        if (emit && p['outcome'] === 'refused') {
          this.emit({ template: 'ERROR', code: text(p['reason']) ?? 'SIGNAL_REFUSED', message: text(p['detail']) ?? 'the signal was refused', symbol: text(p['symbol']) }, `ERROR:${String(e.seq)}`, e.seq);
        }
        return;
      }
      case 'TRADE_CLOSED':
        if (emit) this.closed(p, e.seq);
        if (typeof p['symbol'] === 'string') this.cycleEntry.delete(p['symbol']);
        return;
      case 'PROTECTION_REQUESTED':
      case 'PROTECTION_SET':
        this.stops.protection(e.type, p);
        return;
      case 'ACTOR_EVENT':
        this.actorStep(e, p, emit);
        return;
      case 'LADDER_STEP':
        if (emit) this.ladderStep(p, e.seq);
        return;
      case 'HEDGE_STEP':
        if (emit) this.hedgeStep(p, e.seq);
        return;
      default:
        return;
    }
  }

  /** S0-11 / S0-13: STOP_MOVED for a stop move the venue confirmed (StopMoves), with the cycle's OEP, side and source. */
  private actorStep(e: JournalEntry, p: Payload, emit: boolean): void {
    const move = this.stops.actorStep(e, p);
    if (move === undefined || !emit) return;
    const { symbol, confirmed } = move;
    const entry = this.orders.get(this.cycleEntry.get(symbol) ?? '');
    this.emit({
      template: 'STOP_MOVED', symbol, side: entry === undefined ? undefined : entry.side === 'buy' ? 'long' : 'short', movedBy: move.movedBy,
      stopLoss: confirmed?.stopLoss, previousStopLoss: move.previousStopLoss, entryPrice: entry?.firstFillPrice, takeProfit: confirmed?.takeProfit,
      triggerSource: confirmed?.trigger, sourceChannelName: entry === undefined ? undefined : this.orderFields(entry).sourceChannelName,
    }, `STOP_MOVED:${String(e.seq)}`, e.seq);
  }

  /** S0-9: PYRAMID_STEP for a ladder step the actor journaled (LADDER_STEP, written after its transition). */
  private ladderStep(p: Payload, seq: number): void {
    const symbol = text(p['symbol']);
    const step = p['step'];
    const result = p['result'];
    if (symbol === undefined || typeof step !== 'number' || (result !== 'done' && result !== 'none' && result !== 'blocked')) return;
    const entry = this.orders.get(this.cycleEntry.get(symbol) ?? '');
    this.emit({
      template: 'PYRAMID_STEP', symbol, side: entry === undefined ? undefined : entry.side === 'buy' ? 'long' : 'short', step, result, reason: text(p['reason']),
      entryPrice: decimal(p['oep']), quantity: decimal(p['quantity']), leverage: decimal(p['leverage']),
      sourceChannelName: entry === undefined ? undefined : this.orderFields(entry).sourceChannelName,
    }, `PYRAMID_STEP:${text(p['intentId']) ?? String(seq)}:${String(step)}`, seq);
  }

  /** S0-12: HEDGE for a hedge leg the actor journaled (HEDGE_STEP, written after its transition). */
  private hedgeStep(p: Payload, seq: number): void {
    const symbol = text(p['symbol']);
    const action = p['action'];
    if (symbol === undefined || (action !== 'on' && action !== 'off' && action !== 'refused')) return;
    const entry = this.orders.get(this.cycleEntry.get(symbol) ?? '');
    this.emit({
      template: 'HEDGE', symbol, side: entry === undefined ? undefined : entry.side === 'buy' ? 'long' : 'short', action, entryPrice: decimal(p['oep']), quantity: decimal(p['quantity']),
      takeProfit: decimal(p['takeProfit']), stopLoss: decimal(p['stopLoss']), pnl: decimal(p['pnl']), settleAsset: this.opts.settleAsset, reason: text(p['reason']),
      sourceChannelName: entry === undefined ? undefined : this.orderFields(entry).sourceChannelName,
    }, `HEDGE:${text(p['intentId']) ?? String(seq)}:${action}`, seq);
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
