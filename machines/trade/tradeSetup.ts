/**
 * The trade chart's `setup`: its types and every named guard and action. Guards are pure predicates over context and
 * event; actions only assign context or emit intents. The chart is the one in-memory ledger of its cycle's orders:
 * sizes, fills (de-duplicated by trade id) and which orders have settled.
 */
import { and, assign, emit, enqueueActions, not, or, setup, stateIn } from 'xstate';
import { dec } from '../../src/domain/money.ts';
import { addExternal, addFill, averagePrice, emptyTotals, isPositive, rememberTradeId, rememberTradeIds } from './fillMath.ts';
import { completesExitPart, completesPart, currentPartQuantity, entryPartsOf, exitPartQuantity, legPriceOfPart } from './orderParts.ts';
import { queryOutcome } from './queryOutcome.ts';
import { heldLevels, initialStop, plannedStopMove } from './stopManagement.ts';
import { addOnFilledSome, addOnId, completesAddOn, isPendingAddOnEvent, ladderOf, ladderStepAt } from './ladderLogic.ts';
import { initialLadder } from '../../src/domain/ladder.ts';
import {
  closesHedge, completesHedge, hasOpenHedge, hedgeId, hedgeLegOf, hedgeOf, hedgeOpenQuantity, hedgePnl, hedgeSideOf, initialHedge,
  isHedgeLegEvent, isHedgeLegFlat, isHedgeOrderEvent, isUnhedgeOrderEvent, plannedHedge, unhedgeId,
} from './hedgeLogic.ts';
import { entryPartId } from '../../src/domain/clientOrderId.ts';
import {
  completesEntry, entryClientOrderId, exitClientOrderId, flattensPosition, hasOpenPosition, isEntryEvent, isExitEvent,
  externalFillsCloseAll, isNewEntryFill, isNewExitFill, isPartialStop, isVenueFlat, newExternalFills, newFill, openQuantity, entryLevels,
  realizedPnl, repricedPrice, venueCloseReason,
} from './tradeLogic.ts';
import { atOf, type TradeChartEvent, type TradeContext, type TradeEmitted, type TradeInput, type TradeNotifyKind } from './tradeTypes.ts';

type Notice = { readonly kind: TradeNotifyKind; readonly severity: 'info' | 'warning' | 'critical' };

const noticeText = (c: TradeContext, e: TradeChartEvent, kind: TradeNotifyKind): string => {
  const detail = e.type === 'venue.rejected' ? ` (${e.code} ${e.category})` : e.type === 'venue.protectionFailed' ? ` (${e.code})` : e.type === 'venue.leverageSet' && !e.ok ? ` (${e.reason ?? 'not confirmed'})` : '';
  const who = c.intent === null ? c.symbol : `${c.symbol} ${c.intent.side} ${c.intent.quantity} [${c.intent.intentId}]`;
  return `${kind}: ${who}${detail}`;
};

const queryOutcomeOf = (e: TradeChartEvent) =>
  e.type === 'venue.queryResult' ? queryOutcome(e.found, e.status, e.filledQuantity ?? '0') : undefined;

const cycleReset = {
  intent: null, attempt: 0, entryParts: [], entryPart: 0, entryOrders: 0, entryClientOrderId: null, entryPrice: null, entryDone: false, entry: emptyTotals,
  openingPrice: null, stop: initialStop, ladder: initialLadder, hedge: initialHedge, exit: emptyTotals, exitClientOrderIds: [], exitPrice: null, seenTradeIds: [], protectionAttempts: 0,
  ackDeadline: null, queryRetryAt: null, cooldownUntil: null, flattenRequested: false, closeReason: null, venueClosed: false, queryOrderId: null,
} satisfies Partial<TradeContext>;

// The cycle's PnL and fees, the hedge leg's included when it was hedged (S0-12).
const closedPnl = (c: TradeContext): { readonly realizedPnl: string; readonly fees: string; readonly hedgePnl?: string } => {
  const h = hedgeOf(c);
  const fees = dec(c.entry.fees).plus(dec(c.exit.fees));
  if (h.orders === 0) return { realizedPnl: realizedPnl(c), fees: fees.toString() };
  const hedge = hedgePnl(c);
  return { realizedPnl: dec(realizedPnl(c)).plus(dec(hedge)).toString(), fees: fees.plus(dec(h.entry.fees)).plus(dec(h.exit.fees)).toString(), hedgePnl: hedge };
};

const clientOrderIdOf = (e: TradeChartEvent): string | undefined => ('clientOrderId' in e ? e.clientOrderId : undefined);

// Statuses with which a queried order is done at the venue.
const FINAL_QUERY = new Set(['notFound', 'filled', 'cancelled', 'expired', 'rejected']);

/** Returns the settled list with `id` added when the event settles one of the cycle's orders. */
const settledAfter = (c: TradeContext, e: TradeChartEvent, filled: Readonly<Record<string, string>>): ReadonlyArray<string> => {
  const id = clientOrderIdOf(e);
  if (id === undefined || !c.orderIds.includes(id) || c.settledOrderIds.includes(id)) return c.settledOrderIds;
  const size = c.orderSizes[id];
  const done =
    e.type === 'venue.rejected' || e.type === 'venue.cancelled' || e.type === 'venue.expired' ||
    (e.type === 'venue.queryResult' && FINAL_QUERY.has(queryOutcome(e.found, e.status, e.filledQuantity ?? '0'))) ||
    (e.type === 'venue.filled' && size !== undefined && dec(filled[id] ?? '0').gte(dec(size)));
  return done ? [...c.settledOrderIds, id] : c.settledOrderIds;
};

/** The typed setup the trade chart's state configs are written against. */
export const tradeSetup = setup({
  types: { context: {} as TradeContext, events: {} as TradeChartEvent, input: {} as TradeInput, emitted: {} as TradeEmitted },
  guards: {
    canOpen: and([stateIn('#trade.control.running'), stateIn('#trade.entries.allowed')]),
    isHalted: stateIn('#trade.control.halted'),
    // A live entry found while halted, or after a partial venue stop asked for the position to be closed (X-ORD-6).
    mustWithdrawEntry: or([stateIn('#trade.control.halted'), ({ context }) => context.flattenRequested]),
    isEntryEvent: ({ context, event }) => isEntryEvent(context, event),
    isExitEvent: ({ context, event }) => isExitEvent(context, event),
    isNewEntryFill: ({ context, event }) => isNewEntryFill(context, event),
    isNewExitFill: ({ context, event }) => isNewExitFill(context, event),
    completesEntry: ({ context, event }) => isNewEntryFill(context, event) && completesEntry(context, event),
    // S0-16: the current part of a split entry filled in full and more parts are left (the entry is not complete yet).
    completesPart: ({ context, event }) => isNewEntryFill(context, event) && !completesEntry(context, event) && completesPart(context, event),
    // S0-16: the last exit part filled in full and the position is still open.
    completesExitPart: ({ context, event }) => isNewExitFill(context, event) && !flattensPosition(context, event) && completesExitPart(context, event),
    flattensPosition: ({ context, event }) => isNewExitFill(context, event) && flattensPosition(context, event),
    hasEntryFill: ({ context }) => isPositive(context.entry.filledQuantity),
    hasOpenPosition: ({ context }) => hasOpenPosition(context),
    isFlattenRequested: ({ context }) => context.flattenRequested,
    canRetryProtection: ({ context }) => context.protectionAttempts < context.maxProtectionAttempts,
    // Post-only would take liquidity: step the price back and try again, while entries are allowed and budget remains.
    canReprice: and([
      stateIn('#trade.control.running'),
      stateIn('#trade.entries.allowed'),
      not('isFlattenRequested'),
      ({ context, event }) =>
        event.type === 'venue.rejected' && isEntryEvent(context, event) && event.category === 'post_only_would_take' &&
        context.intent !== null && context.intent.price !== undefined && context.attempt < context.intent.maxRepriceAttempts,
    ]),
    isQueryNotFound: ({ event }) => {
      const o = queryOutcomeOf(event);
      return o === 'notFound' || o === 'rejected';
    },
    isQueryClosedEmpty: ({ event }) => {
      const o = queryOutcomeOf(event);
      return (o === 'cancelled' || o === 'expired') && event.type === 'venue.queryResult' && !isPositive(event.filledQuantity ?? '0');
    },
    isQueryClosed: ({ event }) => {
      const o = queryOutcomeOf(event);
      return o === 'cancelled' || o === 'expired' || o === 'filled';
    },
    isVenueFlat: ({ context, event }) => isVenueFlat(context, event),
    isPartialStop: ({ context, event }) => isPartialStop(context, event),
    // The event carries fills of the venue's own (its TP/SL, a liquidation) the cycle has not counted yet.
    hasExternalFills: ({ context, event }) => newExternalFills(context, event) !== undefined,
    externalFillsCloseAll: ({ context, event }) => externalFillsCloseAll(context, event),
    isVenueClosed: ({ context }) => context.venueClosed,
    // S0-11, S0-13: the mark calls for a stop move (break-even once, then the trailer's forward moves).
    isStopMoveDue: ({ context, event }) => event.type === 'market.mark' && plannedStopMove(context, event.price) !== undefined,
    movesToTrailing: ({ context }) => context.stop.pending?.phase === 'trailing',
    isTrailing: ({ context }) => context.stop.phase === 'trailing',
    isBreakEven: ({ context }) => context.stop.phase === 'breakEven',
    // S0-9: the mark calls for a ladder step the venue must do (an add-on or Step 4's leverage), or for one it need not.
    // Only while trading runs and the symbol's data is live (as for entries), and no flatten is asked for.
    isLadderStepDue: and([stateIn('#trade.control.running'), stateIn('#trade.entries.allowed'), not('isFlattenRequested'), ({ context, event }) => {
      const step = event.type === 'market.mark' ? ladderStepAt(context, event.price) : undefined;
      return step !== undefined && step.kind !== 'none';
    }]),
    isLadderNoop: and([stateIn('#trade.control.running'), stateIn('#trade.entries.allowed'), not('isFlattenRequested'),
      ({ context, event }) => event.type === 'market.mark' && ladderStepAt(context, event.price)?.kind === 'none']),
    isPendingAddOnEvent: ({ context, event }) => isPendingAddOnEvent(context, event),
    completesAddOn: ({ context, event }) => completesAddOn(context, event),
    addOnFilledSome: ({ context }) => addOnFilledSome(context),
    isLeverageConfirmed: ({ context, event }) => event.type === 'venue.leverageSet' && event.ok && ladderOf(context).pending?.kind === 'leverage',
    // S0-12: the mark is the hedge trigger (gated like entries: the hedge opens exposure on the other leg).
    isHedgeDue: and([stateIn('#trade.control.running'), stateIn('#trade.entries.allowed'), not('isFlattenRequested'),
      ({ context, event }) => event.type === 'market.mark' && plannedHedge(context, event.price) !== undefined]),
    isHedgeOrderEvent: ({ context, event }) => isHedgeOrderEvent(context, event),
    isUnhedgeOrderEvent: ({ context, event }) => isUnhedgeOrderEvent(context, event),
    isNewHedgeFill: ({ context, event }) => newFill(context, event) !== undefined && isHedgeOrderEvent(context, event),
    isNewUnhedgeFill: ({ context, event }) => newFill(context, event) !== undefined && isUnhedgeOrderEvent(context, event),
    completesHedge: ({ context, event }) => completesHedge(context, event),
    closesHedge: ({ context, event }) => closesHedge(context, event),
    hedgeFilledSome: ({ context }) => dec(hedgeOf(context).entry.filledQuantity).gt(0),
    isHedgeOrderLive: ({ context }) => hedgeOf(context).status === 'opening',
    hasOpenHedge: ({ context }) => hasOpenHedge(context),
    isHedgeLegEvent: ({ context, event }) => isHedgeLegEvent(context, event),
    isHedgeLegFlat: ({ context, event }) => isHedgeLegFlat(context, event),
    isReduceOnlyRefusal: ({ event }) => event.type === 'venue.rejected' && event.category === 'reduce_only_violation',
    isQueriedExit: ({ context, event }) => event.type === 'timer.queryRetry' && context.queryOrderId !== null && !context.settledOrderIds.includes(context.queryOrderId),
  },
  actions: {
    startEntry: assign(({ event }) => {
      if (event.type !== 'command.open') return {};
      const { type: _type, at, ...intent } = event;
      return { ...cycleReset, intent, entryParts: entryPartsOf(intent), entryClientOrderId: intent.clientOrderId, entryPrice: intent.price ?? null, ackDeadline: at + intent.ackTimeoutMs, lastOutcome: null };
    }),
    repriceEntry: assign(({ context, event }) => {
      if (context.intent === null || context.entryPrice === null) return {};
      const attempt = context.attempt + 1;
      const n = context.entryOrders + 1;
      const { clientOrderId, side, tickSize, repriceTicks, ackTimeoutMs } = context.intent;
      return {
        attempt,
        entryOrders: n,
        entryClientOrderId: entryClientOrderId(clientOrderId, n),
        entryPrice: repricedPrice(context.entryPrice, side, tickSize, repriceTicks),
        ackDeadline: atOf(event) + ackTimeoutMs,
      };
    }),
    // S0-16: the next part of a split entry, under its own id, at the price the entry works at, with its own ack deadline.
    nextEntryPart: assign(({ context, event }) => {
      if (context.intent === null) return {};
      const n = context.entryOrders + 1;
      // S0-7: the first part of the second leg goes out at that leg's price; a later part of a leg at the leg's own.
      const price = legPriceOfPart(context.intent, context.entryPart + 1) ?? context.entryPrice;
      return { entryPart: context.entryPart + 1, entryOrders: n, attempt: 0, entryClientOrderId: entryPartId(context.intent.clientOrderId, n), entryPrice: price, ackDeadline: atOf(event) + context.intent.ackTimeoutMs };
    }),
    submitEntry: enqueueActions(({ context, enqueue }) => {
      const id = context.entryClientOrderId;
      if (context.intent === null || id === null) return;
      const { side, timeInForce, intentId } = context.intent;
      const quantity = currentPartQuantity(context);
      const price = context.entryPrice ?? undefined;
      enqueue.assign({ orderIds: [...context.orderIds, id], orderSizes: { ...context.orderSizes, [id]: quantity } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side, orderType: price === undefined ? 'market' : 'limit', quantity, price, timeInForce, reduceOnly: false, role: 'entry', intentId });
      if (context.ackDeadline !== null) enqueue.emit({ type: 'timer.set', name: 'ackTimeout', at: context.ackDeadline, clientOrderId: id });
    }),
    // Exits and flattens are reduce-only orders for the open quantity (X-ORD-5), at most the venue's maximum per order
    // (S0-16: the next part follows the fill of this one); a limit exit only when a price is given, its parts at that price.
    submitExit: enqueueActions(({ context, event, enqueue }, params: { kind: 'exit' | 'flatten' }) => {
      if (context.intent === null) return;
      const id = exitClientOrderId(context.intent.clientOrderId, context.exitClientOrderIds.length + 1, params.kind);
      const side = context.intent.side === 'buy' ? 'sell' : 'buy';
      const price = params.kind === 'exit' ? (event.type === 'command.close' ? event.price : (context.exitPrice ?? undefined)) : undefined;
      // The open quantity after this event's fill (a next part is sent from the fill that completed the one before).
      const fill = event.type === 'venue.filled' && isNewExitFill(context, event) ? event.quantity : '0';
      const open = dec(openQuantity(context)).minus(dec(fill)).toString();
      const quantity = exitPartQuantity(context.intent, open, price !== undefined);
      // Nothing open by the cycle's own count: no order of zero (the state's eventless transition closes the cycle).
      if (!dec(quantity).gt(0)) return;
      enqueue.assign({ orderIds: [...context.orderIds, id], exitClientOrderIds: [...context.exitClientOrderIds, id], exitPrice: price ?? null, orderSizes: { ...context.orderSizes, [id]: quantity } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side, orderType: price === undefined ? 'market' : 'limit', quantity, price, timeInForce: price === undefined ? 'ioc' : 'gtc', reduceOnly: true, role: params.kind, intentId: context.intent.intentId });
    }),
    // The ledger of the cycle's orders: fills per order (new trade ids only) and which orders reached a final state.
    trackOrder: assign(({ context, event }) => {
      const f = newFill(context, event);
      const filled = f !== undefined && context.orderIds.includes(f.clientOrderId)
        ? { ...context.orderFilled, [f.clientOrderId]: dec(context.orderFilled[f.clientOrderId] ?? '0').plus(dec(f.quantity)).toString() }
        : context.orderFilled;
      return { orderFilled: filled, settledOrderIds: settledAfter(context, event, filled) };
    }),
    clearAckTimer: enqueueActions(({ enqueue }) => {
      enqueue.assign({ ackDeadline: null });
      enqueue.emit({ type: 'timer.clear', name: 'ackTimeout' });
    }),
    recordEntryFill: assign(({ context, event }) => {
      const f = newFill(context, event);
      if (f === undefined) return {};
      return { entry: addFill(context.entry, f), seenTradeIds: rememberTradeId(context.seenTradeIds, f.tradeId), openingPrice: context.openingPrice ?? f.price };
    }),
    recordExitFill: assign(({ context, event }) => {
      const f = newFill(context, event);
      if (f === undefined) return {};
      return { exit: addFill(context.exit, f), seenTradeIds: rememberTradeId(context.seenTradeIds, f.tradeId) };
    }),
    markEntryDone: assign({ entryDone: true }),
    requestEntryCancel: emit(({ context }) => ({ type: 'order.cancel' as const, clientOrderId: context.entryClientOrderId ?? '', symbol: context.symbol })),
    requestQuery: enqueueActions(({ context, event, enqueue }) => {
      const at = atOf(event) + context.queryRetryMs;
      enqueue.assign({ queryRetryAt: at });
      enqueue.emit({ type: 'order.query', clientOrderId: context.entryClientOrderId ?? '', symbol: context.symbol });
      enqueue.emit({ type: 'timer.set', name: 'queryRetry', at });
    }),
    // An exit or flatten whose outcome is unknown is queried until the venue answers (the same timer as `querying`).
    queryExit: enqueueActions(({ context, event, enqueue }) => {
      const id = event.type === 'timer.queryRetry' ? context.queryOrderId : (clientOrderIdOf(event) ?? null);
      if (id === null) return;
      const at = atOf(event) + context.queryRetryMs;
      enqueue.assign({ queryOrderId: id, queryRetryAt: at });
      enqueue.emit({ type: 'order.query', clientOrderId: id, symbol: context.symbol });
      enqueue.emit({ type: 'timer.set', name: 'queryRetry', at });
    }),
    clearQueryTimer: enqueueActions(({ context, enqueue }) => {
      if (context.queryRetryAt === null && context.queryOrderId === null) return;
      enqueue.assign({ queryRetryAt: null, queryOrderId: null });
      enqueue.emit({ type: 'timer.clear', name: 'queryRetry' });
    }),
    // The levels the actor holds: after a break-even or trailing move, the moved stop (never the entry's again).
    requestProtection: enqueueActions(({ context, enqueue }) => {
      const prices = heldLevels(context);
      if (context.intent === null || prices === undefined) return;
      enqueue.assign({ protectionAttempts: context.protectionAttempts + 1 });
      enqueue.emit({ type: 'protection.set', symbol: context.symbol, side: context.intent.side, ...prices, attempt: context.protectionAttempts + 1 });
    }),
    planStopMove: assign(({ context, event }) => {
      const move = event.type === 'market.mark' ? plannedStopMove(context, event.price) : undefined;
      return move === undefined ? {} : { stop: { ...context.stop, pending: move } };
    }),
    // The TP stays; the stop goes to the planned price. The venue's answer commits or drops the move.
    requestStopMove: enqueueActions(({ context, enqueue }) => {
      const held = heldLevels(context);
      const move = context.stop.pending;
      if (context.intent === null || held === undefined || move === null) return;
      enqueue.emit({ type: 'protection.set', symbol: context.symbol, side: context.intent.side, takeProfit: held.takeProfit, stopLoss: move.stopLoss, attempt: 1 });
    }),
    commitStopMove: assign(({ context }) => {
      const p = context.stop.pending;
      return p === null ? {} : { stop: { phase: p.phase, stopLoss: p.stopLoss, pending: null } };
    }),
    // S0-9: the step a mark calls for becomes the step in flight; a step with nothing to ask the venue is reached at once.
    planLadderStep: assign(({ context, event }) => {
      const step = event.type === 'market.mark' ? ladderStepAt(context, event.price) : undefined;
      return step === undefined ? {} : { ladder: { ...ladderOf(context), pending: step } };
    }),
    recordLadderNoop: assign(({ context, event }) => {
      const step = event.type === 'market.mark' ? ladderStepAt(context, event.price) : undefined;
      return step === undefined ? {} : { ladder: { ...ladderOf(context), reached: step.step, last: { step: step.step, result: 'none' as const, why: step.kind === 'none' ? step.why : undefined } } };
    }),
    // An add-on is a market IOC for the step's quantity under `<base>-a<n>`; Step 4 asks for the leverage alone.
    requestLadderStep: enqueueActions(({ context, enqueue }) => {
      const l = ladderOf(context);
      const p = l.pending;
      if (context.intent === null || p === null) return;
      const { side, intentId } = context.intent;
      const leverage = l.leverage ?? context.intent.ladder?.leverage ?? '1';
      if (p.kind === 'leverage') {
        enqueue.emit({ type: 'leverage.set', symbol: context.symbol, leverage: p.leverage, step: p.step, intentId });
        return;
      }
      if (p.kind !== 'addOn') return;
      const id = addOnId(context, l.addOns + 1);
      if (id === undefined) return;
      enqueue.assign({ ladder: { ...l, addOns: l.addOns + 1 }, orderIds: [...context.orderIds, id], orderSizes: { ...context.orderSizes, [id]: p.quantity } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side, orderType: 'market', quantity: p.quantity, timeInForce: 'ioc', reduceOnly: false, role: 'entry', intentId, ladder: { step: p.step, leverage, maxLeverage: context.intent.ladder?.maxLeverage ?? leverage } });
    }),
    // The venue did the step (in full, or an IOC that filled part): the step is reached; Step 4's leverage is the position's.
    commitLadderStep: assign(({ context }) => {
      const l = ladderOf(context);
      const p = l.pending;
      if (p === null) return {};
      const leverage = p.kind === 'leverage' ? p.leverage : (l.leverage ?? context.intent?.ladder?.leverage ?? null);
      return { ladder: { ...l, reached: p.step, pending: null, leverage, last: { step: p.step, result: 'done' as const } } };
    }),
    // Refused, not found, or a leverage the venue did not confirm: the position stays as it was and the ladder stops.
    blockLadder: assign(({ context, event }) => {
      const l = ladderOf(context);
      const why = event.type === 'venue.leverageSet' ? `leverage x${event.leverage} not confirmed: ${event.reason ?? 'no reason given'}`
        : event.type === 'venue.rejected' ? `add-on rejected (${event.code})`
          : event.type === 'venue.queryResult' ? (event.found ? `add-on ${event.status ?? 'closed'} with nothing filled` : 'add-on not found at the venue')
            : `add-on ${event.type.replace('venue.', '')} with nothing filled`;
      const step = l.pending?.step ?? l.reached + 1;
      return { ladder: { ...l, pending: null, blocked: `Step ${String(step)}: ${why}`, last: { step, result: 'blocked' as const, why } } };
    }),
    // S0-12: a market IOC on the other leg for the size held, under `<base>-h<n>`.
    submitHedge: enqueueActions(({ context, event, enqueue }) => {
      const plan = event.type === 'market.mark' ? plannedHedge(context, event.price) : undefined;
      const h = hedgeOf(context);
      const id = hedgeId(context, h.orders + 1);
      if (context.intent === null || plan === undefined || id === undefined) return;
      const { side, intentId } = context.intent;
      enqueue.assign({ hedge: { ...h, status: 'opening', orders: h.orders + 1, quantity: plan.quantity, takeProfit: plan.takeProfit, stopLoss: plan.stopLoss, why: null }, orderIds: [...context.orderIds, id], orderSizes: { ...context.orderSizes, [id]: plan.quantity } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side: hedgeSideOf(side), orderType: 'market', quantity: plan.quantity, timeInForce: 'ioc', reduceOnly: false, role: 'hedge', intentId, leg: hedgeLegOf(side) });
    }),
    recordHedgeFill: assign(({ context, event }) => {
      const f = newFill(context, event);
      if (f === undefined) return {};
      const h = hedgeOf(context);
      return { hedge: { ...h, entry: addFill(h.entry, f) }, seenTradeIds: rememberTradeId(context.seenTradeIds, f.tradeId) };
    }),
    recordHedgeExitFill: assign(({ context, event }) => {
      const f = newFill(context, event);
      if (f === undefined) return {};
      const h = hedgeOf(context);
      const exit = addFill(h.exit, f);
      return { hedge: { ...h, exit, status: dec(exit.filledQuantity).gte(dec(h.entry.filledQuantity)) ? 'closed' as const : h.status }, seenTradeIds: rememberTradeId(context.seenTradeIds, f.tradeId) };
    }),
    // The opening order ended: what filled is the hedge (protected next, or closed with the cycle), else there is none.
    settleHedgeOrder: assign(({ context, event }) => {
      const h = hedgeOf(context);
      const filled = dec(h.entry.filledQuantity).gt(0);
      return { hedge: { ...h, status: filled ? 'protecting' as const : 'failed' as const, why: filled ? h.why : `hedge order ${event.type.replace('venue.', '')} with nothing filled` } };
    }),
    requestHedgeProtection: enqueueActions(({ context, enqueue }) => {
      const h = hedgeOf(context);
      if (context.intent === null || h.takeProfit === null || h.stopLoss === null) return;
      enqueue.assign({ hedge: { ...h, status: 'protecting' } });
      enqueue.emit({ type: 'protection.set', symbol: context.symbol, side: hedgeSideOf(context.intent.side), takeProfit: h.takeProfit, stopLoss: h.stopLoss, attempt: 1, leg: hedgeLegOf(context.intent.side) });
    }),
    openHedge: assign(({ context }) => ({ hedge: { ...hedgeOf(context), status: 'open' as const } })),
    noteLegClosedByVenue: assign(({ context }) => ({ hedge: { ...hedgeOf(context), why: 'the venue closed the leg itself (reduce-only close refused)' } })),
    failHedge: assign(({ context, event }) => {
      const why = event.type === 'venue.rejected' ? `hedge rejected (${event.code} ${event.category})` : event.type === 'venue.queryResult' ? 'hedge order not found or closed empty' : `hedge order ${event.type.replace('venue.', '')} with nothing filled`;
      return { hedge: { ...hedgeOf(context), status: 'failed' as const, why } };
    }),
    // A reduce-only market IOC on the hedge leg for what it holds, under `<base>-u<n>`.
    submitUnhedge: enqueueActions(({ context, enqueue }) => {
      const h = hedgeOf(context);
      const quantity = hedgeOpenQuantity(h);
      const id = unhedgeId(context, h.closes + 1);
      if (context.intent === null || id === undefined || !dec(quantity).gt(0)) return;
      const { side, intentId } = context.intent;
      enqueue.assign({ hedge: { ...h, status: 'closing', closes: h.closes + 1 }, orderIds: [...context.orderIds, id], orderSizes: { ...context.orderSizes, [id]: quantity } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side, orderType: 'market', quantity, timeInForce: 'ioc', reduceOnly: true, role: 'unhedge', intentId, leg: hedgeLegOf(side) });
    }),
    // The venue reports the hedge leg flat: its own fills (the leg's TP/SL) count as the hedge's exit, fees included.
    recordHedgeClose: assign(({ context, event }) => {
      const h = hedgeOf(context);
      const x = event.type === 'venue.positionChanged' ? event.external : undefined;
      const fresh = x !== undefined && dec(x.quantity).gt(0) && !x.tradeIds.some((id) => context.seenTradeIds.includes(id));
      if (!fresh) return { hedge: { ...h, status: 'closed' as const } };
      return { hedge: { ...h, exit: addExternal(h.exit, x), status: 'closed' as const }, seenTradeIds: rememberTradeIds(context.seenTradeIds, x.tradeIds) };
    }),
    dropStopMove: assign(({ context }) => ({ stop: { ...context.stop, pending: null } })),
    // A partly filled entry already is a position: its TP/SL go out on the first fill (same levels as OPENED will ask for,
    // from the same OEP; the venue's "not modified" to the second request counts as set). Answers are not awaited here.
    protectPartialEntry: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'venue.filled' || context.intent === null || context.openingPrice === null) return;
      if (!dec(context.entry.filledQuantity).eq(dec(event.quantity))) return;
      enqueue.emit({ type: 'protection.set', symbol: context.symbol, side: context.intent.side, ...entryLevels(context.intent, context.openingPrice), attempt: 0 });
    }),
    resetProtectionAttempts: assign({ protectionAttempts: 0 }),
    // The venue's own fills (TP/SL, liquidation, a manual close) count as exit fills of the cycle, fees included.
    recordExternalFills: assign(({ context, event }) => {
      const x = newExternalFills(context, event);
      if (x === undefined) return {};
      return { exit: addExternal(context.exit, x), seenTradeIds: rememberTradeIds(context.seenTradeIds, x.tradeIds) };
    }),
    // Must run before recordExternalFills in the same transition: the reason is read from the fills it is about to count.
    recordVenueClose: assign(({ context, event }) => ({ closeReason: venueCloseReason(context, event), venueClosed: true })),
    recordExitClose: assign({ closeReason: 'exit' as const }),
    recordReplaced: assign({ closeReason: 'external' as const }),
    reportPositionClosed: enqueueActions(({ context, event, enqueue }) => {
      if (context.intent === null) return;
      enqueue.emit({
        type: 'position.closed', symbol: context.symbol, intentId: context.intent.intentId, side: context.intent.side,
        quantity: context.entry.filledQuantity, entryPrice: context.openingPrice ?? '0',
        averageEntryPrice: averagePrice(context.entry) ?? '0', averageExitPrice: averagePrice(context.exit), ...closedPnl(context), reason: context.closeReason ?? 'exit',
      });
      enqueue.emit({ type: 'timer.set', name: 'cooldown', at: atOf(event) + context.cooldownMs });
      enqueue.assign({ lastOutcome: `closed:${context.closeReason ?? 'exit'}`, cooldownUntil: atOf(event) + context.cooldownMs });
    }),
    // The cycle is over: its orders' records live in the journal; clear the cycle's fields.
    resetCycle: assign({ ...cycleReset, orderIds: [], settledOrderIds: [], orderSizes: {}, orderFilled: {} }),
    recordHalt: assign(({ context, event }) =>
      event.type === 'operator.kill'
        ? { haltReason: event.reason, flattenRequested: context.flattenRequested || (event.flatten ?? context.killFlatten) }
        : event.type === 'runtime.defect'
          ? { haltReason: `defect: ${event.message}` }
          : {},
    ),
    clearHalt: assign({ haltReason: null, flattenRequested: false }),
    // X-ORD-6 during an entry: what is left once the entry is gone is closed reduce-only (cleared with the cycle).
    requestFlatten: assign({ flattenRequested: true }),
    recordOutcome: assign((_, params: { outcome: string }) => ({ lastOutcome: params.outcome })),
    // The flatten's critical notice, only when there is something to flatten (else the cycle just closes).
    announceFlatten: enqueueActions(({ context, event, enqueue }) => {
      if (hasOpenPosition(context)) enqueue.emit({ type: 'notify', kind: 'flattening', severity: 'critical', message: noticeText(context, event, 'flattening') });
    }),
    notify: emit(({ context, event }, params: Notice) => ({ type: 'notify' as const, kind: params.kind, severity: params.severity, message: noticeText(context, event, params.kind) })),
  },
});
