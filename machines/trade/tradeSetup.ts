/**
 * The trade chart's `setup`: its types, the order child logic, and every named guard and action. Guards are pure
 * predicates over context and event; actions only assign context, spawn/route order children or emit intents.
 */
import { and, assign, emit, enqueueActions, setup, stateIn } from 'xstate';
import { dec } from '../../src/domain/money.ts';
import { addFill, averagePrice, emptyTotals, isPositive, rememberTradeId } from '../order/fillMath.ts';
import { orderMachine, queryOutcome } from '../order/orderMachine.ts';
import {
  completesEntry, entryClientOrderId, exitClientOrderId, flattensPosition, hasOpenPosition, isEntryEvent, isExitEvent,
  isNewEntryFill, isNewExitFill, newFill, openQuantity, protectionPrices, realizedPnl, repricedPrice,
} from './tradeLogic.ts';
import { atOf, type TradeChartEvent, type TradeContext, type TradeEmitted, type TradeInput, type TradeNotifyKind } from './tradeTypes.ts';

type Notice = { readonly kind: TradeNotifyKind; readonly severity: 'info' | 'warning' | 'critical' };

const noticeText = (c: TradeContext, e: TradeChartEvent, kind: TradeNotifyKind): string => {
  const detail = e.type === 'venue.rejected' ? ` (${e.code} ${e.category})` : e.type === 'venue.protectionFailed' ? ` (${e.code})` : '';
  const who = c.intent === null ? c.symbol : `${c.symbol} ${c.intent.side} ${c.intent.quantity} [${c.intent.intentId}]`;
  return `${kind}: ${who}${detail}`;
};

const queryOutcomeOf = (e: TradeChartEvent) =>
  e.type === 'venue.queryResult' ? queryOutcome(e.found, e.status, e.filledQuantity ?? '0') : undefined;

const cycleReset = {
  intent: null, attempt: 0, entryClientOrderId: null, entryPrice: null, entryDone: false, entry: emptyTotals,
  openingPrice: null, exit: emptyTotals, exitClientOrderIds: [], seenTradeIds: [], protectionAttempts: 0,
  ackDeadline: null, queryRetryAt: null, cooldownUntil: null, flattenRequested: false, closeReason: null, venueRealizedPnl: null, venueExitPrice: null,
} satisfies Partial<TradeContext>;

/** The typed setup the trade chart's state configs are written against. */
export const tradeSetup = setup({
  types: { context: {} as TradeContext, events: {} as TradeChartEvent, input: {} as TradeInput, emitted: {} as TradeEmitted },
  actors: { order: orderMachine },
  guards: {
    canOpen: and([stateIn('#trade.control.running'), stateIn('#trade.entries.allowed')]),
    isHalted: stateIn('#trade.control.halted'),
    isEntryEvent: ({ context, event }) => isEntryEvent(context, event),
    isExitEvent: ({ context, event }) => isExitEvent(context, event),
    isNewEntryFill: ({ context, event }) => isNewEntryFill(context, event),
    isNewExitFill: ({ context, event }) => isNewExitFill(context, event),
    completesEntry: ({ context, event }) => isNewEntryFill(context, event) && completesEntry(context, event),
    flattensPosition: ({ context, event }) => isNewExitFill(context, event) && flattensPosition(context, event),
    hasEntryFill: ({ context }) => isPositive(context.entry.filledQuantity),
    hasOpenPosition: ({ context }) => hasOpenPosition(context),
    isFlattenRequested: ({ context }) => context.flattenRequested,
    canRetryProtection: ({ context }) => context.protectionAttempts < context.maxProtectionAttempts,
    // Post-only would take liquidity: step the price back and try again, while entries are allowed and budget remains.
    canReprice: and([
      stateIn('#trade.control.running'),
      stateIn('#trade.entries.allowed'),
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
  },
  actions: {
    startEntry: assign(({ event }) => {
      if (event.type !== 'command.open') return {};
      const { type: _type, at, ...intent } = event;
      return { ...cycleReset, intent, entryClientOrderId: intent.clientOrderId, entryPrice: intent.price ?? null, ackDeadline: at + intent.ackTimeoutMs, lastOutcome: null };
    }),
    repriceEntry: assign(({ context, event }) => {
      if (context.intent === null || context.entryPrice === null) return {};
      const attempt = context.attempt + 1;
      const { clientOrderId, side, tickSize, repriceTicks, ackTimeoutMs } = context.intent;
      return {
        attempt,
        entryClientOrderId: entryClientOrderId(clientOrderId, attempt),
        entryPrice: repricedPrice(context.entryPrice, side, tickSize, repriceTicks),
        ackDeadline: atOf(event) + ackTimeoutMs,
      };
    }),
    submitEntry: enqueueActions(({ context, enqueue }) => {
      const id = context.entryClientOrderId;
      if (context.intent === null || id === null) return;
      const { side, quantity, timeInForce, intentId } = context.intent;
      const price = context.entryPrice ?? undefined;
      enqueue.assign({ orderIds: [...context.orderIds, id] });
      enqueue.spawnChild('order', { id: `order:${id}`, input: { clientOrderId: id, symbol: context.symbol, side, quantity, price, role: 'entry' } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side, orderType: price === undefined ? 'market' : 'limit', quantity, price, timeInForce, reduceOnly: false, role: 'entry', intentId });
      if (context.ackDeadline !== null) enqueue.emit({ type: 'timer.set', name: 'ackTimeout', at: context.ackDeadline, clientOrderId: id });
    }),
    // Exits and flattens are reduce-only orders for the open quantity (X-ORD-5); a limit exit only when a price is given.
    submitExit: enqueueActions(({ context, event, enqueue }, params: { kind: 'exit' | 'flatten' }) => {
      if (context.intent === null) return;
      const id = exitClientOrderId(context.intent.clientOrderId, context.exitClientOrderIds.length + 1, params.kind);
      const side = context.intent.side === 'buy' ? 'sell' : 'buy';
      const quantity = openQuantity(context);
      const price = params.kind === 'exit' && event.type === 'command.close' ? event.price : undefined;
      enqueue.assign({ orderIds: [...context.orderIds, id], exitClientOrderIds: [...context.exitClientOrderIds, id] });
      enqueue.spawnChild('order', { id: `order:${id}`, input: { clientOrderId: id, symbol: context.symbol, side, quantity, price, role: 'exit' } });
      enqueue.emit({ type: 'order.submit', clientOrderId: id, symbol: context.symbol, side, orderType: price === undefined ? 'market' : 'limit', quantity, price, timeInForce: price === undefined ? 'ioc' : 'gtc', reduceOnly: true, role: 'exit', intentId: context.intent.intentId });
    }),
    // Route an order event to its child only when that child exists: `sendTo` a missing child throws (api-notes §1).
    // The context's id list is checked (not `self`), so pure `transition()` routes exactly like a live actor.
    routeToOrder: enqueueActions(({ context, event, enqueue }) => {
      if (!('clientOrderId' in event) || !context.orderIds.includes(event.clientOrderId)) return;
      if (context.settledOrderIds.includes(event.clientOrderId)) return;
      const child = `order:${event.clientOrderId}`;
      if (event.type.startsWith('venue.') || event.type === 'timer.ackTimeout') enqueue.sendTo(child, event);
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
    requestEntryCancel: enqueueActions(({ context, event, enqueue }) => {
      const id = context.entryClientOrderId;
      if (id === null) return;
      enqueue.emit({ type: 'order.cancel', clientOrderId: id, symbol: context.symbol });
      if (context.orderIds.includes(id) && !context.settledOrderIds.includes(id)) {
        enqueue.sendTo(`order:${id}`, { type: 'command.cancel', clientOrderId: id, at: atOf(event) });
      }
    }),
    requestQuery: enqueueActions(({ context, event, enqueue }) => {
      const at = atOf(event) + context.queryRetryMs;
      enqueue.assign({ queryRetryAt: at });
      enqueue.emit({ type: 'order.query', clientOrderId: context.entryClientOrderId ?? '', symbol: context.symbol });
      enqueue.emit({ type: 'timer.set', name: 'queryRetry', at });
    }),
    queryOrder: emit(({ context, event }) => ({ type: 'order.query' as const, clientOrderId: 'clientOrderId' in event ? event.clientOrderId : '', symbol: context.symbol })),
    clearQueryTimer: enqueueActions(({ enqueue }) => {
      enqueue.assign({ queryRetryAt: null });
      enqueue.emit({ type: 'timer.clear', name: 'queryRetry' });
    }),
    requestProtection: enqueueActions(({ context, enqueue }) => {
      if (context.intent === null || context.openingPrice === null) return;
      const { side, takeProfitFraction, stopLossFraction, tickSize } = context.intent;
      const prices = protectionPrices(side, context.openingPrice, takeProfitFraction, stopLossFraction, tickSize);
      enqueue.assign({ protectionAttempts: context.protectionAttempts + 1 });
      enqueue.emit({ type: 'protection.set', symbol: context.symbol, side, ...prices, attempt: context.protectionAttempts + 1 });
    }),
    // A partly filled entry already is a position: its TP/SL go out on the first fill (same levels as OPENED will ask for,
    // from the same OEP; the venue's "not modified" to the second request counts as set). Answers are not awaited here.
    protectPartialEntry: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'venue.filled' || context.intent === null || context.openingPrice === null) return;
      if (!dec(context.entry.filledQuantity).eq(dec(event.quantity))) return;
      const { side, takeProfitFraction, stopLossFraction, tickSize } = context.intent;
      enqueue.emit({ type: 'protection.set', symbol: context.symbol, side, ...protectionPrices(side, context.openingPrice, takeProfitFraction, stopLossFraction, tickSize), attempt: 0 });
    }),
    resetProtectionAttempts: assign({ protectionAttempts: 0 }),
    forgetSettledOrder: assign(({ context, event }) => {
      const prefix = 'xstate.done.actor.order:';
      if (!event.type.startsWith(prefix)) return {};
      return { settledOrderIds: [...context.settledOrderIds, event.type.slice(prefix.length)] };
    }),
    recordPositionClosed: assign(({ event }) =>
      event.type === 'venue.positionClosed'
        ? { closeReason: event.reason, venueRealizedPnl: event.realizedPnl ?? null, venueExitPrice: event.exitPrice ?? null }
        : { closeReason: 'exit' as const },
    ),
    reportPositionClosed: enqueueActions(({ context, event, enqueue }) => {
      if (context.intent === null) return;
      enqueue.emit({
        type: 'position.closed', symbol: context.symbol, intentId: context.intent.intentId, side: context.intent.side,
        quantity: context.entry.filledQuantity, entryPrice: context.openingPrice ?? '0',
        averageEntryPrice: averagePrice(context.entry) ?? '0', averageExitPrice: averagePrice(context.exit) ?? context.venueExitPrice,
        realizedPnl: realizedPnl(context), fees: dec(context.entry.fees).plus(dec(context.exit.fees)).toString(), reason: context.closeReason ?? 'exit',
      });
      enqueue.emit({ type: 'timer.set', name: 'cooldown', at: atOf(event) + context.cooldownMs });
      enqueue.assign({ lastOutcome: `closed:${context.closeReason ?? 'exit'}`, cooldownUntil: atOf(event) + context.cooldownMs });
    }),
    // The cycle is over: stop the order children (their records live in the journal) and clear the cycle's fields.
    resetCycle: enqueueActions(({ context, enqueue }) => {
      for (const id of context.orderIds) enqueue.stopChild(`order:${id}`);
      enqueue.assign({ ...cycleReset, orderIds: [], settledOrderIds: [] });
    }),
    recordHalt: assign(({ context, event }) =>
      event.type === 'operator.kill'
        ? { haltReason: event.reason, flattenRequested: context.flattenRequested || (event.flatten ?? context.killFlatten) }
        : event.type === 'runtime.defect'
          ? { haltReason: `defect: ${event.message}` }
          : {},
    ),
    clearHalt: assign({ haltReason: null, flattenRequested: false }),
    recordOutcome: assign((_, params: { outcome: string }) => ({ lastOutcome: params.outcome })),
    notify: emit(({ context, event }, params: Notice) => ({ type: 'notify' as const, kind: params.kind, severity: params.severity, message: noticeText(context, event, params.kind) })),
  },
});
