/**
 * Transition table of the trade chart through pure `transition()`: each row asserts the next lifecycle state (and
 * kill/pause regions), the emitted intents in order, and the context change; the table must take every transition.
 */
import { describe, expect, it } from 'vitest';
import { lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { modelHedgeIntent, modelInput, modelIntent } from '../../machines/trade/model.ts';
import type { TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { orderRecoveryEvents, positionRecoveryEvents } from '../../machines/trade/reconcileActor.ts';
import { dec } from '../../src/domain/money.ts';
import type { Fill, Position } from '../../src/domain/orders.ts';
import { allTransitionKeys, runRow } from './support.ts';
import {
  CANCELLING, CLOSED, CLOSING, FLATTENING, OPENED, PROTECTED, QUERYING, SUBMITTING, WORKING, ackTimeout, acc, cancelEntry,
  cancelRejected, cancelled, close, cooldownDone, defect, expired, f1, fAll, fEmpty, fill, kill, killFlatten, label, open, openSplit,
  BREAK_EVEN, L_ADDING, L_AT_STEP_3, L_BREAK_EVEN, L_LEVERAGING, L_PROTECTED, L_TRAILING, LADDER_PLAN, leverageSet, openLadder, mark, partialStopOfPart, shrunkWithoutFills, MOVING_BE, MOVING_TRAIL, TRAILING, partialStop, paused, staleStop, positionUnchanged, protectionFailed, protectionSet, query, queryRetry, rejected, replaced, resume, resumed, unknown,
  venueFlat, venueFlatBare,
} from './tradeFixtures.ts';

interface Row {
  readonly name: string;
  readonly reach: ReadonlyArray<TradeEvent>;
  readonly event: TradeEvent;
  readonly state: string;
  readonly emitted: ReadonlyArray<string>;
  readonly context?: Record<string, unknown>;
  readonly control?: 'running' | 'halted';
  readonly entries?: 'allowed' | 'paused';
}

const OPENING = ['notify:positionOpened', 'protection.set'];
const CLOSING_OUT = ['position.closed', 'timer.set:cooldown', 'notify:positionClosed'];
const QUERY_C1 = ['order.query:c1', 'timer.set:queryRetry'];
const LEAVE_SUBMIT = 'timer.clear:ackTimeout';
const LEAVE_QUERY = 'timer.clear:queryRetry';
const HALTED_QUERYING = [...QUERYING, kill, cancelRejected];
const QUERYING_WITH_FILL = [open, acc(), f1, cancelEntry, cancelRejected];
// The venue closed the filled part of a resting entry; the actor withdraws the rest (cancelling, venueClosed).
const VENUE_CLOSED = [open, acc(), f1, venueFlatBare];

// S0-16: the split model intent's reach paths (parts c1 and c1-p1 of 1 each).
const SPLIT = [openSplit];
const PART2 = [openSplit, fill('c1', 't1', '1')];
const PART2_QUERYING = [...PART2, { type: 'timer.ackTimeout', clientOrderId: 'c1-p1', at: 1001 } as TradeEvent];
const SPLIT_OPENED = [...PART2, fill('c1-p1', 't2', '1')];
const SPLIT_CLOSING = [...SPLIT_OPENED, protectionSet, close];
// S0-7: a dual entry of 2 (no venue maximum): the first leg of 1 at 100, the second of 1 at 99.
const DUAL = { ...open, legs: [{ quantity: '1', price: '100' }, { quantity: '1', price: '99' }] } as TradeEvent;
// The drill's case (signals scenario, seed 17): the first leg filled; while the second is out, the venue's stop closes
// what filled (flat, its fills counted) and the chart withdraws the second leg.
const DUAL_CLOSED_WHILE_LEG2: TradeEvent[] = [
  DUAL, fill('c1', 't1', '1'),
  { type: 'venue.positionChanged', side: 'flat', quantity: '0', external: { quantity: '1', notional: '99', fee: '0.01', tradeIds: ['x7'] }, at: 6 },
];
// X-ORD-6 in a three-part entry: a partial stop while part 2 rests, its cancel refused (it filled meanwhile), the query
// finds it filled; its fill has not arrived yet.
const THREE_PARTS_STOPPED: TradeEvent[] = [
  { ...openSplit, quantity: '3' } as TradeEvent, fill('c1', 't1', '1'), acc('c1-p1'), partialStopOfPart,
  { type: 'venue.cancelRejected', clientOrderId: 'c1-p1', code: '110001', at: 3 }, query('c1-p1', true, 'filled', '1'),
];

// S0-12: the hedge model intent (stop 97, hedge at −2 %): a mark at 97.5 opens the short leg c1-h1 for 2 (TP 97, SL 100).
const HEDGE_OPEN = { type: 'command.open', at: 1, ...modelHedgeIntent } as TradeEvent;
const H_PROTECTED = [HEDGE_OPEN, acc(), fAll, protectionSet];
const H_HEDGING = [...H_PROTECTED, mark('97.5')];
const hFill = (tradeId: string, quantity: string): TradeEvent => fill('c1-h1', tradeId, quantity, '97.5');
const H_PROTECTING = [...H_HEDGING, hFill('h1', '2')];
const hedgeSet: TradeEvent = { type: 'venue.protectionSet', leg: 'short', at: 6 };
const hedgeRefused: TradeEvent = { type: 'venue.protectionFailed', leg: 'short', code: '10001', message: 'trading-stop failed', at: 6 };
const H_HEDGED = [...H_PROTECTING, hedgeSet];
const H_UNHEDGING = [...H_PROTECTING, hedgeRefused];
// The hedge leg's SL (the OEP) closed it at the venue: bought back 2 at 100.
const hedgeFlat: TradeEvent = { type: 'venue.positionChanged', leg: 'short', side: 'flat', quantity: '0', external: { quantity: '2', notional: '200', fee: '0.02', tradeIds: ['hx1'] }, at: 7 };
const uFill = (tradeId: string, quantity: string): TradeEvent => fill('c1-u1', tradeId, quantity, '97');
const H_AWAITING = [...H_HEDGING, venueFlat];
const H_CLOSED_UNHEDGING = [...H_HEDGED, venueFlat];
const UNHEDGE = 'order.submit:c1-u1:reduceOnly';
const UNHEDGE_AGAIN = 'order.submit:c1-u2:reduceOnly';

const rows: Row[] = [
  { name: 'idle: KILL halts (no order to cancel)', reach: [], event: kill, state: 'idle', control: 'halted', emitted: ['notify:halted'], context: { haltReason: 'operator' } },
  { name: 'idle: a defect halts', reach: [], event: defect, state: 'idle', control: 'halted', emitted: ['notify:halted'], context: { haltReason: 'defect: boom' } },
  { name: 'idle: approved intent submits the entry with an ack deadline', reach: [], event: open, state: 'submitting', emitted: ['order.submit:c1', 'timer.set:ackTimeout'], context: { entryClientOrderId: 'c1', ackDeadline: 1001, orderIds: ['c1'], attempt: 0 } },
  { name: 'idle: MARKET_PAUSED blocks the entry', reach: [paused], event: open, state: 'idle', entries: 'paused', emitted: ['notify:entryBlocked'], context: { lastOutcome: 'blocked', intent: null } },
  { name: 'idle: a fill racing the cancel ack opens the position', reach: [open, acc(), cancelled()], event: f1, state: 'opened.protecting', emitted: OPENING, context: { openingPrice: '100' } },

  { name: 'submitting: ack → working (success notified after the ack)', reach: SUBMITTING, event: acc(), state: 'working', emitted: [LEAVE_SUBMIT, 'notify:entryAccepted'] },
  { name: 'submitting: post-only would take → re-price one tick with a new id', reach: SUBMITTING, event: rejected('c1', 'post_only_would_take'), state: 'submitting', emitted: [LEAVE_SUBMIT, 'notify:entryRepriced', 'order.submit:c1-r1', 'timer.set:ackTimeout'], context: { attempt: 1, entryPrice: '99.5', entryClientOrderId: 'c1-r1', orderIds: ['c1', 'c1-r1'] } },
  { name: 'submitting: other rejection → idle with the reason', reach: SUBMITTING, event: rejected('c1', 'parameter'), state: 'idle', emitted: [LEAVE_SUBMIT, 'notify:entryRejected'], context: { lastOutcome: 'rejected' } },
  { name: 'submitting: a fill of the whole quantity before the ack opens', reach: SUBMITTING, event: fAll, state: 'opened.protecting', emitted: [LEAVE_SUBMIT, ...OPENING] },
  { name: 'submitting: a partial fill before the ack → working, its position protected', reach: SUBMITTING, event: f1, state: 'working', emitted: [LEAVE_SUBMIT, 'protection.set'], context: { entry: { filledQuantity: '1', filledNotional: '100', fees: '0.01' } } },
  { name: 'submitting: an empty fill is only routed', reach: SUBMITTING, event: fEmpty(), state: 'submitting', emitted: [] },
  { name: 'submitting: cancelled at the venue → idle', reach: SUBMITTING, event: cancelled(), state: 'idle', emitted: [LEAVE_SUBMIT, 'notify:entryCancelled'] },
  { name: 'submitting: expired at the venue → idle', reach: SUBMITTING, event: expired(), state: 'idle', emitted: [LEAVE_SUBMIT, 'notify:entryCancelled'] },
  { name: 'X-REC-6 submitting: transport error → query, never resend', reach: SUBMITTING, event: unknown(), state: 'querying', emitted: [LEAVE_SUBMIT, ...QUERY_C1], context: { queryRetryAt: 503 } },
  { name: 'X-REC-6 submitting: ack timeout → query, never resend', reach: SUBMITTING, event: ackTimeout, state: 'querying', emitted: [LEAVE_SUBMIT, ...QUERY_C1] },
  { name: 'submitting: strategy cancels', reach: SUBMITTING, event: cancelEntry, state: 'cancelling', emitted: [LEAVE_SUBMIT, 'order.cancel:c1'] },
  { name: 'X-RSK-1 submitting: KILL cancels the entry', reach: SUBMITTING, event: kill, state: 'cancelling', control: 'halted', emitted: [LEAVE_SUBMIT, 'order.cancel:c1', 'notify:halted'] },
  { name: 'submitting: a defect cancels the entry', reach: SUBMITTING, event: defect, state: 'cancelling', control: 'halted', emitted: [LEAVE_SUBMIT, 'order.cancel:c1', 'notify:halted'] },

  { name: 'querying: not found → idle (definitive)', reach: QUERYING, event: query('c1', false), state: 'idle', emitted: [LEAVE_QUERY, 'notify:entryRejected'], context: { lastOutcome: 'notFound' } },
  { name: 'querying: cancelled with nothing filled → idle', reach: QUERYING, event: query('c1', true, 'cancelled'), state: 'idle', emitted: [LEAVE_QUERY], context: { lastOutcome: 'cancelled' } },
  { name: 'querying: live while halted → cancel it', reach: HALTED_QUERYING, event: query('c1', true, 'new'), state: 'cancelling', control: 'halted', emitted: [LEAVE_QUERY, 'order.cancel:c1'] },
  { name: 'querying: closed with fills → working until the fills arrive', reach: QUERYING, event: query('c1', true, 'cancelled', '1'), state: 'working', emitted: [LEAVE_QUERY], context: { entryDone: true } },
  { name: 'querying: resting → working', reach: QUERYING, event: query('c1', true, 'new'), state: 'working', emitted: [LEAVE_QUERY], context: { entryDone: false } },
  { name: 'querying: the ack arrives while halted → cancel', reach: HALTED_QUERYING, event: acc(), state: 'cancelling', control: 'halted', emitted: [LEAVE_QUERY, 'order.cancel:c1'] },
  { name: 'querying: the ack arrives → working', reach: QUERYING, event: acc(), state: 'working', emitted: [LEAVE_QUERY] },
  { name: 'querying: a rejection arrives → idle', reach: QUERYING, event: rejected('c1', 'parameter'), state: 'idle', emitted: [LEAVE_QUERY, 'notify:entryRejected'] },
  { name: 'querying: a full fill arrives → opened', reach: QUERYING, event: fAll, state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING] },
  { name: 'querying: a partial fill arrives → working, its position protected', reach: QUERYING, event: f1, state: 'working', emitted: [LEAVE_QUERY, 'protection.set'] },
  { name: 'querying: an empty fill is only routed', reach: QUERYING, event: fEmpty(), state: 'querying', emitted: [] },
  { name: 'querying: cancelled after partial fills → opened', reach: QUERYING_WITH_FILL, event: cancelled(), state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING], context: { entryDone: true } },
  { name: 'querying: cancelled → idle', reach: QUERYING, event: cancelled(), state: 'idle', emitted: [LEAVE_QUERY, 'notify:entryCancelled'] },
  { name: 'querying: expired after partial fills → opened', reach: QUERYING_WITH_FILL, event: expired(), state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING] },
  { name: 'querying: expired → idle', reach: QUERYING, event: expired(), state: 'idle', emitted: [LEAVE_QUERY, 'notify:entryCancelled'] },
  { name: 'querying: no answer yet → ask again', reach: QUERYING, event: queryRetry, state: 'querying', emitted: [LEAVE_QUERY, ...QUERY_C1], context: { queryRetryAt: 2001 } },
  { name: 'querying: strategy cancels (by client order id)', reach: QUERYING, event: cancelEntry, state: 'cancelling', emitted: [LEAVE_QUERY, 'order.cancel:c1'] },
  { name: 'querying: KILL cancels', reach: QUERYING, event: kill, state: 'cancelling', control: 'halted', emitted: [LEAVE_QUERY, 'order.cancel:c1', 'notify:halted'] },
  { name: 'querying: a defect cancels', reach: QUERYING, event: defect, state: 'cancelling', control: 'halted', emitted: [LEAVE_QUERY, 'order.cancel:c1', 'notify:halted'] },

  { name: 'X-ORD-3 working: the completing fill opens', reach: WORKING, event: fAll, state: 'opened.protecting', emitted: OPENING, context: { openingPrice: '100' } },
  { name: 'X-ORD-3 working: a partial fill loops and protects what filled', reach: WORKING, event: f1, state: 'working', emitted: ['protection.set'], context: { entry: { filledQuantity: '1', filledNotional: '100', fees: '0.01' } } },
  { name: 'working: a replayed fill is not counted twice', reach: [...WORKING, f1], event: f1, state: 'working', emitted: [], context: { entry: { filledQuantity: '1', filledNotional: '100', fees: '0.01' } } },
  { name: 'working: cancelled after a partial fill → opened for what filled', reach: [...WORKING, f1], event: cancelled(), state: 'opened.protecting', emitted: OPENING },
  { name: 'working: cancelled → idle', reach: WORKING, event: cancelled(), state: 'idle', emitted: ['notify:entryCancelled'] },
  { name: 'working: expired after a partial fill → opened', reach: [...WORKING, f1], event: expired(), state: 'opened.protecting', emitted: OPENING },
  { name: 'working: expired → idle', reach: WORKING, event: expired(), state: 'idle', emitted: ['notify:entryCancelled'] },
  { name: 'working: post-only cancelled after the ack → re-price one tick with a new id', reach: WORKING, event: rejected('c1', 'post_only_would_take'), state: 'submitting', emitted: ['notify:entryRepriced', 'order.submit:c1-r1', 'timer.set:ackTimeout'], context: { attempt: 1, entryPrice: '99.5', entryClientOrderId: 'c1-r1', orderIds: ['c1', 'c1-r1'] } },
  { name: 'working: other rejection after the ack → idle with the reason', reach: WORKING, event: rejected('c1', 'parameter'), state: 'idle', emitted: ['notify:entryRejected'], context: { lastOutcome: 'rejected' } },
  { name: 'working: strategy cancels', reach: WORKING, event: cancelEntry, state: 'cancelling', emitted: ['order.cancel:c1'] },
  { name: 'X-RSK-1 working: KILL cancels the working entry', reach: WORKING, event: kill, state: 'cancelling', control: 'halted', emitted: ['order.cancel:c1', 'notify:halted'] },
  { name: 'working: a defect cancels', reach: WORKING, event: defect, state: 'cancelling', control: 'halted', emitted: ['order.cancel:c1', 'notify:halted'] },

  { name: 'cancelling: cancelled after a partial fill → opened', reach: [...WORKING, f1, cancelEntry], event: cancelled(), state: 'opened.protecting', emitted: OPENING },
  { name: 'cancelling: cancelled → idle', reach: CANCELLING, event: cancelled(), state: 'idle', emitted: ['notify:entryCancelled'] },
  { name: 'cancelling: expired after a partial fill → opened', reach: [...WORKING, f1, cancelEntry], event: expired(), state: 'opened.protecting', emitted: OPENING },
  { name: 'cancelling: expired → idle', reach: CANCELLING, event: expired(), state: 'idle', emitted: ['notify:entryCancelled'] },
  { name: 'cancelling: the fill won the race → opened', reach: CANCELLING, event: fAll, state: 'opened.protecting', emitted: OPENING },
  { name: 'X-REC-1 cancelling: recovery finds the entry still resting (the crash lost the cancel) → the cancel is asked again', reach: CANCELLING, event: { type: 'recovery.entryLive', clientOrderId: 'c1', at: 9 }, state: 'cancelling', emitted: ['order.cancel:c1'] },
  { name: 'cancelling: a partial fill racing the cancel is recorded and protected', reach: CANCELLING, event: f1, state: 'cancelling', emitted: ['protection.set'], context: { openingPrice: '100' } },
  { name: 'cancelling: an empty fill is only routed', reach: CANCELLING, event: fEmpty(), state: 'cancelling', emitted: [] },
  { name: 'cancelling: the entry was rejected', reach: CANCELLING, event: rejected('c1', 'parameter'), state: 'idle', emitted: ['notify:entryRejected'] },
  { name: 'cancelling: cancel refused → query', reach: CANCELLING, event: cancelRejected, state: 'querying', emitted: QUERY_C1 },
  { name: 'cancelling: cancel outcome unknown → query', reach: CANCELLING, event: unknown(), state: 'querying', emitted: QUERY_C1 },
  { name: 'cancelling: the venue closed the filled part meanwhile → remembered', reach: [open, acc(), f1, cancelEntry], event: venueFlatBare, state: 'cancelling', emitted: [], context: { venueClosed: true, closeReason: 'external' } },
  { name: 'working: the venue closed the filled part → withdraw the rest', reach: [...WORKING, f1], event: venueFlat, state: 'cancelling', emitted: ['order.cancel:c1'], context: { venueClosed: true, exit: { filledQuantity: '2', filledNotional: '204', fees: '0.02' } } },
  { name: 'cancelling: the entry withdrawn after the venue closed its filled part → closed, no protection', reach: VENUE_CLOSED, event: cancelled(), state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'external' } },
  { name: 'cancelling: the entry expired after the venue closed its filled part → closed', reach: VENUE_CLOSED, event: expired(), state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'querying: the entry closed after the venue closed its filled part → closed', reach: [...VENUE_CLOSED, cancelRejected], event: cancelled(), state: 'closed.cooldown', emitted: [LEAVE_QUERY, ...CLOSING_OUT] },
  { name: 'querying: the entry expired after the venue closed its filled part → closed', reach: [...VENUE_CLOSED, cancelRejected], event: expired(), state: 'closed.cooldown', emitted: [LEAVE_QUERY, ...CLOSING_OUT] },
  { name: 'working: the entry closed after the venue closed its filled part → closed', reach: [...VENUE_CLOSED, cancelRejected, query('c1', true, 'new')], event: cancelled(), state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'working: the entry expired after the venue closed its filled part → closed', reach: [...VENUE_CLOSED, cancelRejected, query('c1', true, 'new')], event: expired(), state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'cancelling: KILL keeps cancelling', reach: CANCELLING, event: kill, state: 'cancelling', control: 'halted', emitted: ['notify:halted'] },
  { name: 'cancelling: a defect keeps cancelling', reach: CANCELLING, event: defect, state: 'cancelling', control: 'halted', emitted: ['notify:halted'] },

  { name: 'opened: a late entry fill grows the position, OEP unchanged', reach: [...WORKING, fill('c1', 't1', '1', '99'), cancelled()], event: fill('c1', 't2', '1', '98'), state: 'opened.protecting', emitted: [], context: { openingPrice: '99', entry: { filledQuantity: '2', filledNotional: '197', fees: '0.02' } } },
  { name: 'opened: a replayed entry fill is only routed', reach: [...WORKING, f1, cancelled()], event: f1, state: 'opened.protecting', emitted: [] },
  { name: 'opened: the entry order closes', reach: OPENED, event: cancelled(), state: 'opened.protecting', emitted: [], context: { entryDone: true } },
  { name: 'opened: TP/SL hit at the venue → closed, its fills and fees counted', reach: PROTECTED, event: venueFlat, state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'takeProfit', cooldownUntil: 1006, exit: { filledQuantity: '2', filledNotional: '204', fees: '0.02' } } },
  { name: 'opened: a position update that changes nothing', reach: PROTECTED, event: positionUnchanged, state: 'opened.protected', emitted: [] },
  { name: 'X-ORD-6 protected: a partial stop fill → close the unprotected remainder', reach: PROTECTED, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'], context: { exit: { filledQuantity: '1', filledNotional: '99', fees: '0.01' } } },
  { name: 'S0-11 protected: a mark 3 % past the OEP → movingStop, break-even asked (TP kept)', reach: PROTECTED, event: mark('103'), state: 'opened.movingStop', emitted: ['protection.set'], context: { stop: { phase: 'entry', stopLoss: null, pending: { phase: 'breakEven', stopLoss: '100.5' } } } },
  { name: 'S0-11 movingStop: the venue sets it → breakEven', reach: MOVING_BE, event: protectionSet, state: 'opened.breakEven', emitted: ['notify:stopMoved'], context: { stop: { phase: 'breakEven', stopLoss: '100.5', pending: null } } },
  { name: 'S0-11 movingStop: refused → protected, the entry stop stands', reach: MOVING_BE, event: protectionFailed, state: 'opened.protected', emitted: ['notify:stopMoveFailed'], context: { stop: { phase: 'entry', stopLoss: null, pending: null } } },
  { name: 'S0-13 breakEven: a mark 6 % past the OEP → movingStop, the trailer asked 2 % behind it', reach: BREAK_EVEN, event: mark('106'), state: 'opened.movingStop', emitted: ['protection.set'], context: { stop: { phase: 'breakEven', stopLoss: '100.5', pending: { phase: 'trailing', stopLoss: '103.5' } } } },
  { name: 'S0-13 movingStop: the venue sets the trailer → trailing', reach: MOVING_TRAIL, event: protectionSet, state: 'opened.trailing', emitted: ['notify:stopMoved'], context: { stop: { phase: 'trailing', stopLoss: '103.5', pending: null } } },
  { name: 'S0-13 movingStop: the trailer refused → breakEven, its stop stands', reach: MOVING_TRAIL, event: protectionFailed, state: 'opened.breakEven', emitted: ['notify:stopMoveFailed'], context: { stop: { phase: 'breakEven', stopLoss: '100.5', pending: null } } },
  { name: 'S0-13 trailing: a new best mark → movingStop, forward only', reach: TRAILING, event: mark('110'), state: 'opened.movingStop', emitted: ['protection.set'], context: { stop: { phase: 'trailing', stopLoss: '103.5', pending: { phase: 'trailing', stopLoss: '107.5' } } } },
  { name: 'S0-13 movingStop: a forward move refused → trailing, the last trailed stop stands', reach: [...TRAILING, mark('110')], event: protectionFailed, state: 'opened.trailing', emitted: ['notify:stopMoveFailed'], context: { stop: { phase: 'trailing', stopLoss: '103.5', pending: null } } },
  { name: 'S0-9 protected: +1.5 % reaches Step 2 (no TP hit: nothing asked of the venue)', reach: L_PROTECTED, event: mark('101.5'), state: 'opened.protected', emitted: ['notify:pyramidStep'], context: { ladder: { reached: 2, leverage: null, pending: null, addOns: 0, blocked: null, last: { step: 2, result: 'none', why: 'no take profit hit: the initial margin stays' } } } },
  { name: 'S0-9 protected: a step the venue must do → laddering', reach: [{ ...openLadder, ladder: { ...LADDER_PLAN, steps: [LADDER_PLAN.steps[0]!, { step: 2, atFraction: '0.015', action: { kind: 'leverage' } }] } } as TradeEvent, acc(), fAll, protectionSet], event: mark('101.5'), state: 'opened.laddering', emitted: ['leverage.set'] },
  { name: 'S0-9 breakEven: +2.4 % reaches Step 3 once the venue confirmed break-even', reach: L_BREAK_EVEN, event: mark('102.4'), state: 'opened.breakEven', emitted: ['notify:pyramidStep'] },
  { name: 'S0-9 breakEven: Step 4 asks for the leverage alone → laddering', reach: L_AT_STEP_3, event: mark('102.4'), state: 'opened.laddering', emitted: ['leverage.set'] },
  { name: 'S0-9 trailing: the trailer holds the stop; Step 3 is reached on the next mark', reach: L_TRAILING, event: mark('106'), state: 'opened.trailing', emitted: ['notify:pyramidStep'] },
  { name: 'S0-9 trailing: Step 4 → laddering', reach: [...L_TRAILING, mark('106')], event: mark('106'), state: 'opened.laddering', emitted: ['leverage.set'] },
  { name: 'S0-9 laddering: the leverage confirmed → Step 4 reached, TP/SL re-asserted', reach: L_LEVERAGING, event: leverageSet(true), state: 'opened.protecting', emitted: ['notify:pyramidStep', 'protection.set'] },
  { name: 'S0-9 laddering: the leverage not confirmed → the ladder blocked, TP/SL re-asserted', reach: L_LEVERAGING, event: leverageSet(false, 'timeout'), state: 'opened.protecting', emitted: ['notify:ladderBlocked', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on fills in full → Step 5 reached', reach: L_ADDING, event: fill('c1-a1', 't9', '17.56', '102.5'), state: 'opened.protecting', emitted: ['notify:pyramidStep', 'protection.set'], context: { openingPrice: '100' } },
  { name: 'S0-9 laddering: the add-on refused after a part filled → Step 5 reached with what filled', reach: [...L_ADDING, fill('c1-a1', 't9', '5', '102.5')], event: rejected('c1-a1', 'parameter'), state: 'opened.protecting', emitted: ['notify:pyramidStep', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on refused → blocked', reach: L_ADDING, event: rejected('c1-a1', 'parameter'), state: 'opened.protecting', emitted: ['notify:ladderBlocked', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on cancelled after a part filled → Step 5 reached with what filled', reach: [...L_ADDING, fill('c1-a1', 't9', '5', '102.5')], event: cancelled('c1-a1'), state: 'opened.protecting', emitted: ['notify:pyramidStep', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on cancelled empty → blocked', reach: L_ADDING, event: cancelled('c1-a1'), state: 'opened.protecting', emitted: ['notify:ladderBlocked', 'protection.set'] },
  { name: 'S0-9 laddering: the IOC add-on expired after a part filled → Step 5 reached', reach: [...L_ADDING, fill('c1-a1', 't9', '5', '102.5')], event: expired('c1-a1'), state: 'opened.protecting', emitted: ['notify:pyramidStep', 'protection.set'] },
  { name: 'S0-9 laddering: the IOC add-on expired empty → blocked', reach: L_ADDING, event: expired('c1-a1'), state: 'opened.protecting', emitted: ['notify:ladderBlocked', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on\'s outcome unknown → asked for by id', reach: L_ADDING, event: unknown('c1-a1'), state: 'opened.laddering', emitted: ['order.query:c1-a1', 'timer.set:queryRetry'] },
  { name: 'S0-9 laddering: no answer yet → asked again', reach: [...L_ADDING, unknown('c1-a1')], event: queryRetry, state: 'opened.laddering', emitted: ['order.query:c1-a1', 'timer.set:queryRetry'] },
  { name: 'S0-9 laddering: the add-on not found → blocked', reach: [...L_ADDING, unknown('c1-a1')], event: query('c1-a1', false), state: 'opened.protecting', emitted: [LEAVE_QUERY, 'notify:ladderBlocked', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on found cancelled empty → blocked', reach: [...L_ADDING, unknown('c1-a1')], event: query('c1-a1', true, 'cancelled', '0'), state: 'opened.protecting', emitted: [LEAVE_QUERY, 'notify:ladderBlocked', 'protection.set'] },
  { name: 'S0-9 laddering: the add-on found live → its fills will tell', reach: [...L_ADDING, unknown('c1-a1')], event: query('c1-a1', true, 'new'), state: 'opened.laddering', emitted: [LEAVE_QUERY] },
  { name: 'X-ORD-6 laddering: a partial stop fill → close the unprotected remainder', reach: L_ADDING, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'X-ORD-6 movingStop: a partial stop fill → close the unprotected remainder', reach: MOVING_BE, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'X-ORD-6 breakEven: a partial stop fill → close the unprotected remainder', reach: BREAK_EVEN, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'X-ORD-6 trailing: a partial stop fill → close the unprotected remainder', reach: TRAILING, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'S0-13 protecting after a refused exit: set → trailing again (the trailer\'s stop re-asserted)', reach: [...TRAILING, close, rejected('c1-x1', 'reduce_only_violation')], event: protectionSet, state: 'opened.trailing', emitted: ['notify:protected'] },
  { name: 'S0-11 protecting after a refused exit: set → breakEven again', reach: [...BREAK_EVEN, close, rejected('c1-x1', 'reduce_only_violation')], event: protectionSet, state: 'opened.breakEven', emitted: ['notify:protected'] },
  { name: 'X-ORD-6 protected: a stale partial read whose fills already closed everything → closed by those fills, no zero-quantity close', reach: PROTECTED, event: staleStop, state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'stopLoss', venueClosed: true, exit: { filledQuantity: '2', filledNotional: '198', fees: '0.02' } } },
  { name: 'opened: recovery found another position → cycle closed (external)', reach: PROTECTED, event: replaced, state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'external' } },
  { name: 'X-ORD-5 opened: strategy exit sends a reduce-only close', reach: PROTECTED, event: close, state: 'closing', emitted: ['order.submit:c1-x1:reduceOnly'], context: { exitClientOrderIds: ['c1-x1'] } },
  { name: 'X-RSK-1 opened: KILL with flatten closes reduce-only', reach: PROTECTED, event: killFlatten, state: 'flattening', control: 'halted', emitted: ['notify:halted', 'notify:flattening', 'order.submit:c1-f1:reduceOnly'] },
  { name: 'protecting: TP/SL confirmed → protected', reach: OPENED, event: protectionSet, state: 'opened.protected', emitted: ['notify:protected'], context: { protectionAttempts: 0 } },
  { name: 'protecting: a failure is retried', reach: OPENED, event: protectionFailed, state: 'opened.protecting', emitted: ['notify:protectionFailed', 'protection.set'], context: { protectionAttempts: 2 } },
  { name: 'protecting: N failures → flatten', reach: [...OPENED, protectionFailed], event: protectionFailed, state: 'flattening', emitted: ['notify:protectionFailed', 'notify:flattening', 'order.submit:c1-f1:reduceOnly'] },

  { name: 'closing: the exit fill that flattens → closed', reach: CLOSING, event: fill('c1-x1', 't5', '2', '101'), state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'exit' } },
  { name: 'closing: a partial exit fill loops', reach: CLOSING, event: fill('c1-x1', 't6', '1'), state: 'closing', emitted: [], context: { exit: { filledQuantity: '1', filledNotional: '100', fees: '0.01' } } },
  { name: 'closing: a late entry fill still counts', reach: CLOSING, event: fill('c1', 't9', '1'), state: 'closing', emitted: [], context: { entry: { filledQuantity: '3', filledNotional: '300', fees: '0.02' } } },
  { name: 'closing: an empty exit fill is only routed', reach: CLOSING, event: fEmpty('c1-x1'), state: 'closing', emitted: [] },
  { name: 'closing: TP/SL closed it first → closed', reach: CLOSING, event: venueFlat, state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'takeProfit' } },
  { name: 'closing: recovery found another position → closed', reach: CLOSING, event: replaced, state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'closing: the unknown exit is queried again on its timer', reach: [...CLOSING, unknown('c1-x1')], event: queryRetry, state: 'closing', emitted: ['order.query:c1-x1', 'timer.set:queryRetry'], context: { queryOrderId: 'c1-x1' } },
  { name: 'closing: exit rejected → re-assert protection', reach: CLOSING, event: rejected('c1-x1', 'reduce_only_violation'), state: 'opened.protecting', emitted: ['notify:exitRejected', 'protection.set'], context: { protectionAttempts: 1 } },
  { name: 'closing: exit cancelled → re-assert protection', reach: CLOSING, event: cancelled('c1-x1'), state: 'opened.protecting', emitted: ['protection.set'] },
  { name: 'closing: IOC exit expired → re-assert protection', reach: CLOSING, event: expired('c1-x1'), state: 'opened.protecting', emitted: ['protection.set'] },
  { name: 'X-REC-6 closing: exit outcome unknown → query on a retry timer', reach: CLOSING, event: unknown('c1-x1'), state: 'closing', emitted: ['order.query:c1-x1', 'timer.set:queryRetry'], context: { queryOrderId: 'c1-x1', queryRetryAt: 503 } },
  { name: 'closing: exit not found → re-assert protection', reach: [...CLOSING, unknown('c1-x1')], event: query('c1-x1', false), state: 'opened.protecting', emitted: [LEAVE_QUERY, 'protection.set'] },
  { name: 'closing: exit found → keep waiting for fills', reach: [...CLOSING, unknown('c1-x1')], event: query('c1-x1', true, 'new'), state: 'closing', emitted: [LEAVE_QUERY], context: { queryOrderId: null } },

  { name: 'flattening: the flatten fill → closed', reach: FLATTENING, event: fill('c1-f1', 't7', '2'), state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'flattening: a partial flatten fill loops', reach: FLATTENING, event: fill('c1-f1', 't8', '1'), state: 'flattening', emitted: [] },
  { name: 'flattening: a late entry fill still counts', reach: FLATTENING, event: fill('c1', 't9', '1'), state: 'flattening', emitted: [] },
  { name: 'flattening: an empty flatten fill is only routed', reach: FLATTENING, event: fEmpty('c1-f1'), state: 'flattening', emitted: [] },
  { name: 'flattening: closed at the venue → closed', reach: FLATTENING, event: venueFlatBare, state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'flattening: recovery found another position → closed', reach: FLATTENING, event: replaced, state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'flattening: the unknown flatten is queried again on its timer', reach: [...FLATTENING, unknown('c1-f1')], event: queryRetry, state: 'flattening', emitted: ['order.query:c1-f1', 'timer.set:queryRetry'] },
  { name: 'flattening: remainder cancelled → send another', reach: FLATTENING, event: cancelled('c1-f1'), state: 'flattening', emitted: ['notify:flattening', 'order.submit:c1-f2:reduceOnly'] },
  { name: 'flattening: IOC remainder expired → send another', reach: FLATTENING, event: expired('c1-f1'), state: 'flattening', emitted: ['notify:flattening', 'order.submit:c1-f2:reduceOnly'] },
  { name: 'flattening: rejected → critical alert, wait', reach: FLATTENING, event: rejected('c1-f1', 'reduce_only_violation'), state: 'flattening', emitted: ['notify:exitRejected'] },
  { name: 'X-REC-6 flattening: outcome unknown → query on a retry timer', reach: FLATTENING, event: unknown('c1-f1'), state: 'flattening', emitted: ['order.query:c1-f1', 'timer.set:queryRetry'] },
  { name: 'flattening: not found → send another', reach: [...FLATTENING, unknown('c1-f1')], event: query('c1-f1', false), state: 'flattening', emitted: [LEAVE_QUERY, 'notify:flattening', 'order.submit:c1-f2:reduceOnly'] },
  { name: 'flattening: found → keep waiting', reach: [...FLATTENING, unknown('c1-f1')], event: query('c1-f1', true, 'new'), state: 'flattening', emitted: [LEAVE_QUERY] },

  // S0-16: an entry above the venue's maximum order quantity goes out in parts, one after another; so do exits.
  { name: 'S0-16 submitting: the first part filled in full → the next part, its own id and ack deadline', reach: SPLIT, event: fill('c1', 't1', '1'), state: 'submitting', emitted: [LEAVE_SUBMIT, 'protection.set', 'order.submit:c1-p1', 'timer.set:ackTimeout'], context: { entryPart: 1, entryOrders: 1, entryClientOrderId: 'c1-p1', entryParts: ['1', '1'], orderSizes: { c1: '1', 'c1-p1': '1' } } },
  { name: 'S0-16 submitting: a part filled while the market is paused → the entry ends with what filled', reach: [...SPLIT, paused], event: fill('c1', 't1', '1'), state: 'opened.protecting', emitted: [LEAVE_SUBMIT, ...OPENING], context: { entryDone: true } },
  { name: 'S0-16 submitting: the next part refused → opened with the parts that filled', reach: PART2, event: rejected('c1-p1', 'parameter'), state: 'opened.protecting', emitted: [LEAVE_SUBMIT, ...OPENING], context: { entryDone: true, entry: { filledQuantity: '1', filledNotional: '100', fees: '0.01' } } },
  { name: 'S0-16 submitting: the next part cancelled → opened with the parts that filled', reach: PART2, event: cancelled('c1-p1'), state: 'opened.protecting', emitted: [LEAVE_SUBMIT, ...OPENING] },
  { name: 'S0-16 submitting: the next part expired → opened with the parts that filled', reach: PART2, event: expired('c1-p1'), state: 'opened.protecting', emitted: [LEAVE_SUBMIT, ...OPENING] },
  { name: 'S0-16 submitting: the venue closed the first part while the next is on its way → withdraw it', reach: PART2, event: venueFlatBare, state: 'cancelling', emitted: [LEAVE_SUBMIT, 'order.cancel:c1-p1'], context: { venueClosed: true } },
  { name: 'S0-7 X-ORD-6 cancelling: the venue\'s stop closed the first leg while the second was out; the second leg refused → closed, never a position of zero', reach: DUAL_CLOSED_WHILE_LEG2, event: rejected('c1-p1', 'post_only_would_take'), state: 'closed.cooldown', emitted: CLOSING_OUT, context: { closeReason: 'stopLoss', exit: { filledQuantity: '1', filledNotional: '99', fees: '0.01' } } },
  { name: 'S0-7 X-ORD-6 querying: the same, the cancel refused and the second leg not found → closed', reach: [...DUAL_CLOSED_WHILE_LEG2, { type: 'venue.cancelRejected', clientOrderId: 'c1-p1', code: '110001', at: 3 }], event: query('c1-p1', false), state: 'closed.cooldown', emitted: [LEAVE_QUERY, ...CLOSING_OUT] },
  { name: 'S0-7 X-ORD-6 querying: the same, the second leg\'s refusal arriving late → closed', reach: [...DUAL_CLOSED_WHILE_LEG2, { type: 'venue.cancelRejected', clientOrderId: 'c1-p1', code: '110001', at: 3 }], event: rejected('c1-p1', 'post_only_would_take'), state: 'closed.cooldown', emitted: [LEAVE_QUERY, ...CLOSING_OUT] },
  { name: 'S0-7 submitting: the first leg of a dual entry filled in full → the second leg at its own price, under its own id', reach: [DUAL], event: fill('c1', 't1', '1'), state: 'submitting', emitted: [LEAVE_SUBMIT, 'protection.set', 'order.submit:c1-p1', 'timer.set:ackTimeout'], context: { entryPart: 1, entryClientOrderId: 'c1-p1', entryPrice: '99', entryParts: ['1', '1'], orderSizes: { c1: '1', 'c1-p1': '1' } } },
  { name: 'S0-7 S0-11 working: a break-even mark while the rest of the entry rests → the rest withdrawn, to be managed as opened', reach: [...WORKING, f1], event: mark('103'), state: 'cancelling', emitted: ['order.cancel:c1'], context: { openingPrice: '100' } },
  { name: 'S0-16 working: the first part filled in full → the next part', reach: [...SPLIT, acc()], event: fill('c1', 't1', '1'), state: 'submitting', emitted: ['protection.set', 'order.submit:c1-p1', 'timer.set:ackTimeout'] },
  { name: 'S0-16 working: a part filled while the market is paused → the entry ends with what filled', reach: [...SPLIT, acc(), paused], event: fill('c1', 't1', '1'), state: 'opened.protecting', emitted: OPENING },
  { name: 'S0-16 working: the next part refused after its ack → opened with what filled', reach: [...PART2, acc('c1-p1')], event: rejected('c1-p1', 'parameter'), state: 'opened.protecting', emitted: OPENING },
  { name: 'S0-16 querying: the first part filled in full → the next part', reach: [...SPLIT, ackTimeout], event: fill('c1', 't1', '1'), state: 'submitting', emitted: [LEAVE_QUERY, 'protection.set', 'order.submit:c1-p1', 'timer.set:ackTimeout'] },
  { name: 'S0-16 querying: a part filled while paused → the entry ends with what filled', reach: [...SPLIT, ackTimeout, paused], event: fill('c1', 't1', '1'), state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING] },
  { name: 'S0-16 querying: the next part not found → opened with what filled', reach: PART2_QUERYING, event: query('c1-p1', false), state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING] },
  { name: 'S0-16 querying: the next part closed empty → opened with what filled', reach: PART2_QUERYING, event: query('c1-p1', true, 'cancelled'), state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING] },
  { name: 'S0-16 querying: the next part refused → opened with what filled', reach: PART2_QUERYING, event: rejected('c1-p1', 'parameter'), state: 'opened.protecting', emitted: [LEAVE_QUERY, ...OPENING] },
  { name: 'S0-16 cancelling: a part filled in full during the cancel → opened, no further part', reach: [...SPLIT, acc(), cancelEntry], event: fill('c1', 't1', '1'), state: 'opened.protecting', emitted: OPENING, context: { entryDone: true, entryClientOrderId: 'c1' } },
  { name: 'S0-16 cancelling: the next part refused during the cancel → opened with what filled', reach: [...PART2, cancelEntry], event: rejected('c1-p1', 'parameter'), state: 'opened.protecting', emitted: OPENING },
  { name: 'X-ORD-6 S0-16 submitting: a partial venue stop while the next part is on its way → withdraw it, flatten after', reach: PART2, event: partialStopOfPart, state: 'cancelling', emitted: [LEAVE_SUBMIT, 'order.cancel:c1-p1', 'notify:positionUnprotected'], context: { flattenRequested: true, venueClosed: false, exit: { filledQuantity: '0.5', filledNotional: '49.5', fees: '0.01' } } },
  { name: 'X-ORD-6 S0-16 working: a partial venue stop while the next part rests → withdraw it, flatten after', reach: [...PART2, acc('c1-p1')], event: partialStopOfPart, state: 'cancelling', emitted: ['order.cancel:c1-p1', 'notify:positionUnprotected'], context: { flattenRequested: true } },
  { name: 'X-ORD-6 S0-16 querying: a partial venue stop while the next part is unknown → withdraw it, flatten after', reach: PART2_QUERYING, event: partialStopOfPart, state: 'cancelling', emitted: [LEAVE_QUERY, 'order.cancel:c1-p1', 'notify:positionUnprotected'], context: { flattenRequested: true } },
  { name: 'X-ORD-6 S0-16 cancelling: a partial venue stop during the cancel → flatten once it is gone', reach: [...PART2, cancelEntry], event: partialStopOfPart, state: 'cancelling', emitted: ['notify:positionUnprotected'], context: { flattenRequested: true } },
  { name: 'X-ORD-6 S0-16 cancelling: the part withdrawn after a partial stop → the remainder is flattened reduce-only', reach: [...PART2, acc('c1-p1'), partialStopOfPart], event: cancelled('c1-p1'), state: 'flattening', emitted: [...OPENING, 'notify:flattening', 'order.submit:c1-f1:reduceOnly'], context: { orderSizes: { c1: '1', 'c1-p1': '1', 'c1-f1': '0.5' } } },
  { name: 'X-ORD-6 S0-16 querying: a part found resting after a partial stop is withdrawn again', reach: THREE_PARTS_STOPPED.slice(0, -1), event: query('c1-p1', true, 'new'), state: 'cancelling', emitted: [LEAVE_QUERY, 'order.cancel:c1-p1'] },
  { name: 'X-ORD-6 S0-16 working: after a partial stop, a part that fills in full sends no further part → flattened', reach: THREE_PARTS_STOPPED, event: fill('c1-p1', 't2', '1'), state: 'flattening', emitted: [...OPENING, 'notify:flattening', 'order.submit:c1-f1:reduceOnly'], context: { orderIds: ['c1', 'c1-p1', 'c1-f1'], orderSizes: { c1: '1', 'c1-p1': '1', 'c1-f1': '1' } } },
  { name: 'S0-16 closing: an exit part filled in full with more open → the next exit part', reach: SPLIT_CLOSING, event: fill('c1-x1', 't5', '1'), state: 'closing', emitted: ['order.submit:c1-x2:reduceOnly'], context: { orderSizes: { c1: '1', 'c1-p1': '1', 'c1-x1': '1', 'c1-x2': '1' } } },
  { name: 'S0-16 flattening: a flatten part filled in full with more open → the next flatten part', reach: [...SPLIT_OPENED, killFlatten], event: fill('c1-f1', 't7', '1'), state: 'flattening', emitted: ['order.submit:c1-f2:reduceOnly'] },


  // S0-12: the hedge leg, opened at −2 % from the OEP, protected at the original stop (TP) and the OEP (SL), closed by the venue or by us.
  { name: 'S0-12 protected: a mark past −2 % with the stop beyond it → the other leg opened, market IOC for the size held', reach: H_PROTECTED, event: mark('97.5'), state: 'opened.hedging', emitted: ['order.submit:c1-h1'], context: { hedge: { status: 'opening', orders: 1, closes: 0, quantity: '2', entry: { filledQuantity: '0', filledNotional: '0', fees: '0' }, exit: { filledQuantity: '0', filledNotional: '0', fees: '0' }, takeProfit: '97', stopLoss: '100', why: null } } },
  { name: 'S0-12 hedging: a partial stop of the position → closed reduce-only', reach: H_HEDGING, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'S0-12 hedging: the hedge filled in full → its TP/SL asked for', reach: H_HEDGING, event: hFill('h1', '2'), state: 'opened.protectingHedge', emitted: ['protection.set'] },
  { name: 'S0-12 hedging: part of the hedge filled → still hedging', reach: H_HEDGING, event: hFill('h1', '1'), state: 'opened.hedging', emitted: [] },
  { name: 'S0-12 hedging: refused after a part filled → that part is the hedge', reach: [...H_HEDGING, hFill('h1', '1')], event: rejected('c1-h1', 'parameter'), state: 'opened.protectingHedge', emitted: ['protection.set'] },
  { name: 'S0-12 hedging: refused with nothing filled → no hedge, the position as it was', reach: H_HEDGING, event: rejected('c1-h1', 'parameter'), state: 'opened.protected', emitted: ['notify:hedgeFailed'] },
  { name: 'S0-12 hedging: IOC remainder cancelled after a part filled → that part is the hedge', reach: [...H_HEDGING, hFill('h1', '1')], event: cancelled('c1-h1'), state: 'opened.protectingHedge', emitted: ['protection.set'] },
  { name: 'S0-12 hedging: cancelled with nothing filled → no hedge', reach: H_HEDGING, event: cancelled('c1-h1'), state: 'opened.protected', emitted: ['notify:hedgeFailed'] },
  { name: 'S0-12 hedging: IOC remainder expired after a part filled → that part is the hedge', reach: [...H_HEDGING, hFill('h1', '1')], event: expired('c1-h1'), state: 'opened.protectingHedge', emitted: ['protection.set'] },
  { name: 'S0-12 hedging: expired with nothing filled → no hedge', reach: H_HEDGING, event: expired('c1-h1'), state: 'opened.protected', emitted: ['notify:hedgeFailed'] },
  { name: 'S0-12 X-REC-6 hedging: outcome unknown → queried on a retry timer', reach: H_HEDGING, event: unknown('c1-h1'), state: 'opened.hedging', emitted: ['order.query:c1-h1', 'timer.set:queryRetry'] },
  { name: 'S0-12 hedging: the unknown hedge is queried again on its timer', reach: [...H_HEDGING, unknown('c1-h1')], event: queryRetry, state: 'opened.hedging', emitted: ['order.query:c1-h1', 'timer.set:queryRetry'] },
  { name: 'S0-12 hedging: the hedge not found → no hedge', reach: [...H_HEDGING, unknown('c1-h1')], event: query('c1-h1', false), state: 'opened.protected', emitted: [LEAVE_QUERY, 'notify:hedgeFailed'] },
  { name: 'S0-12 hedging: the hedge closed empty → no hedge', reach: [...H_HEDGING, unknown('c1-h1')], event: query('c1-h1', true, 'cancelled'), state: 'opened.protected', emitted: [LEAVE_QUERY, 'notify:hedgeFailed'] },
  { name: 'S0-12 hedging: the hedge found open → keep waiting for its fills', reach: [...H_HEDGING, unknown('c1-h1')], event: query('c1-h1', true, 'new'), state: 'opened.hedging', emitted: [LEAVE_QUERY] },
  { name: 'S0-12 protectingHedge: the leg closed before its TP/SL were confirmed → back to protected', reach: H_PROTECTING, event: hedgeFlat, state: 'opened.protected', emitted: ['notify:hedgeClosed'] },
  { name: 'S0-12 protectingHedge: a partial stop of the position → closed reduce-only', reach: H_PROTECTING, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'S0-12 protectingHedge: the venue holds the leg\'s TP/SL → hedged', reach: H_PROTECTING, event: hedgeSet, state: 'opened.hedged', emitted: ['notify:hedgeOpened'], context: { hedge: { status: 'open', orders: 1, closes: 0, quantity: '2', entry: { filledQuantity: '2', filledNotional: '195', fees: '0.01' }, exit: { filledQuantity: '0', filledNotional: '0', fees: '0' }, takeProfit: '97', stopLoss: '100', why: null } } },
  { name: 'S0-12 protectingHedge: the leg\'s TP/SL refused → the leg closed reduce-only', reach: H_PROTECTING, event: hedgeRefused, state: 'opened.unhedging', emitted: ['notify:hedgeFailed', UNHEDGE] },
  { name: 'S0-12 hedged: the leg\'s TP or SL closed it at the venue → protected, its fills the hedge\'s', reach: H_HEDGED, event: hedgeFlat, state: 'opened.protected', emitted: ['notify:hedgeClosed'], context: { exit: { filledQuantity: '0', filledNotional: '0', fees: '0' } } },
  { name: 'S0-12 hedged: a partial stop of the position → closed reduce-only', reach: H_HEDGED, event: partialStop, state: 'closing', emitted: ['notify:positionUnprotected', 'order.submit:c1-x1:reduceOnly'] },
  { name: 'S0-12 unhedging: the leg flat at the venue → protected', reach: H_UNHEDGING, event: hedgeFlat, state: 'opened.protected', emitted: ['notify:hedgeClosed'] },
  { name: 'S0-12 unhedging: the close filled → protected', reach: H_UNHEDGING, event: uFill('u1', '2'), state: 'opened.protected', emitted: ['notify:hedgeClosed'] },
  { name: 'S0-12 unhedging: part of the close filled → still closing', reach: H_UNHEDGING, event: uFill('u1', '1'), state: 'opened.unhedging', emitted: [] },
  { name: 'S0-12 unhedging: the close cancelled → another for what is open', reach: H_UNHEDGING, event: cancelled('c1-u1'), state: 'opened.unhedging', emitted: [UNHEDGE_AGAIN] },
  { name: 'S0-12 unhedging: the close expired → another', reach: H_UNHEDGING, event: expired('c1-u1'), state: 'opened.unhedging', emitted: [UNHEDGE_AGAIN] },
  { name: 'S0-12 unhedging: the close refused reduce-only → the venue closed the leg itself; its flat update ends the hedge, no alert', reach: H_UNHEDGING, event: rejected('c1-u1', 'reduce_only_violation'), state: 'opened.unhedging', emitted: [] },
  { name: 'S0-12 unhedging: the close refused otherwise → critical alert, wait', reach: H_UNHEDGING, event: rejected('c1-u1', 'parameter'), state: 'opened.unhedging', emitted: ['notify:exitRejected'] },
  { name: 'S0-12 unhedging: outcome unknown → queried', reach: H_UNHEDGING, event: unknown('c1-u1'), state: 'opened.unhedging', emitted: ['order.query:c1-u1', 'timer.set:queryRetry'] },
  { name: 'S0-12 unhedging: queried again on its timer', reach: [...H_UNHEDGING, unknown('c1-u1')], event: queryRetry, state: 'opened.unhedging', emitted: ['order.query:c1-u1', 'timer.set:queryRetry'] },
  { name: 'S0-12 unhedging: the close not found → another', reach: [...H_UNHEDGING, unknown('c1-u1')], event: query('c1-u1', false), state: 'opened.unhedging', emitted: [LEAVE_QUERY, UNHEDGE_AGAIN] },
  { name: 'S0-12 unhedging: the close found → keep waiting', reach: [...H_UNHEDGING, unknown('c1-u1')], event: query('c1-u1', true, 'new'), state: 'opened.unhedging', emitted: [LEAVE_QUERY] },
  { name: 'S0-12 closed: the position closed while the hedge order was out → its outcome awaited', reach: H_HEDGING, event: venueFlat, state: 'closed.awaitingHedge', emitted: [] },
  { name: 'S0-12 closed: the position closed with the hedge leg open → the leg closed before the cycle ends', reach: H_HEDGED, event: venueFlat, state: 'closed.unhedging', emitted: [UNHEDGE] },
  { name: 'S0-12 awaitingHedge: the hedge filled in full → the leg closed', reach: H_AWAITING, event: hFill('h1', '2'), state: 'closed.unhedging', emitted: [UNHEDGE] },
  { name: 'S0-12 awaitingHedge: part of it filled → still waiting', reach: H_AWAITING, event: hFill('h1', '1'), state: 'closed.awaitingHedge', emitted: [] },
  { name: 'S0-12 awaitingHedge: refused with nothing filled → the cycle ends', reach: H_AWAITING, event: rejected('c1-h1', 'parameter'), state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'S0-12 awaitingHedge: cancelled with nothing filled → the cycle ends', reach: H_AWAITING, event: cancelled('c1-h1'), state: 'closed.cooldown', emitted: CLOSING_OUT },
  { name: 'S0-12 awaitingHedge: an IOC remainder expired after a part filled → that part closed', reach: [...H_AWAITING, hFill('h1', '1')], event: expired('c1-h1'), state: 'closed.unhedging', emitted: ['order.submit:c1-u1:reduceOnly'] },
  { name: 'S0-12 awaitingHedge: outcome unknown → queried', reach: H_AWAITING, event: unknown('c1-h1'), state: 'closed.awaitingHedge', emitted: ['order.query:c1-h1', 'timer.set:queryRetry'] },
  { name: 'S0-12 awaitingHedge: queried again on its timer', reach: [...H_AWAITING, unknown('c1-h1')], event: queryRetry, state: 'closed.awaitingHedge', emitted: ['order.query:c1-h1', 'timer.set:queryRetry'] },
  { name: 'S0-12 awaitingHedge: not found → the cycle ends', reach: [...H_AWAITING, unknown('c1-h1')], event: query('c1-h1', false), state: 'closed.cooldown', emitted: [LEAVE_QUERY, ...CLOSING_OUT] },
  { name: 'S0-12 awaitingHedge: closed empty → the cycle ends', reach: [...H_AWAITING, unknown('c1-h1')], event: query('c1-h1', true, 'cancelled'), state: 'closed.cooldown', emitted: [LEAVE_QUERY, ...CLOSING_OUT] },
  { name: 'S0-12 awaitingHedge: found open → keep waiting', reach: [...H_AWAITING, unknown('c1-h1')], event: query('c1-h1', true, 'new'), state: 'closed.awaitingHedge', emitted: [LEAVE_QUERY] },
  { name: 'S0-12 closed.unhedging: the leg flat at the venue → the cycle ends, the hedge\'s PnL in the trade\'s', reach: H_CLOSED_UNHEDGING, event: hedgeFlat, state: 'closed.cooldown', emitted: ['notify:hedgeClosed', ...CLOSING_OUT] },
  { name: 'S0-12 closed.unhedging: the close filled → the cycle ends', reach: H_CLOSED_UNHEDGING, event: uFill('u1', '2'), state: 'closed.cooldown', emitted: ['notify:hedgeClosed', ...CLOSING_OUT] },
  { name: 'S0-12 closed.unhedging: part of the close filled → still closing', reach: H_CLOSED_UNHEDGING, event: uFill('u1', '1'), state: 'closed.unhedging', emitted: [] },
  { name: 'S0-12 closed.unhedging: the close cancelled → another', reach: H_CLOSED_UNHEDGING, event: cancelled('c1-u1'), state: 'closed.unhedging', emitted: [UNHEDGE_AGAIN] },
  { name: 'S0-12 closed.unhedging: the close expired → another', reach: H_CLOSED_UNHEDGING, event: expired('c1-u1'), state: 'closed.unhedging', emitted: [UNHEDGE_AGAIN] },
  { name: 'S0-12 closed.unhedging: the close refused reduce-only (the leg\'s TP fired with the position\'s stop) → wait for its flat update, no alert', reach: H_CLOSED_UNHEDGING, event: rejected('c1-u1', 'reduce_only_violation'), state: 'closed.unhedging', emitted: [], context: { hedge: { why: 'the venue closed the leg itself (reduce-only close refused)', status: 'closing' } } },
  { name: 'S0-12 closed.unhedging: the close refused otherwise → critical alert, wait', reach: H_CLOSED_UNHEDGING, event: rejected('c1-u1', 'parameter'), state: 'closed.unhedging', emitted: ['notify:exitRejected'] },
  { name: 'S0-12 closed.unhedging: outcome unknown → queried', reach: H_CLOSED_UNHEDGING, event: unknown('c1-u1'), state: 'closed.unhedging', emitted: ['order.query:c1-u1', 'timer.set:queryRetry'] },
  { name: 'S0-12 closed.unhedging: queried again on its timer', reach: [...H_CLOSED_UNHEDGING, unknown('c1-u1')], event: queryRetry, state: 'closed.unhedging', emitted: ['order.query:c1-u1', 'timer.set:queryRetry'] },
  { name: 'S0-12 closed.unhedging: the close not found → another', reach: [...H_CLOSED_UNHEDGING, unknown('c1-u1')], event: query('c1-u1', false), state: 'closed.unhedging', emitted: [LEAVE_QUERY, UNHEDGE_AGAIN] },
  { name: 'S0-12 closed.unhedging: the close found → keep waiting', reach: [...H_CLOSED_UNHEDGING, unknown('c1-u1')], event: query('c1-u1', true, 'new'), state: 'closed.unhedging', emitted: [LEAVE_QUERY] },
  { name: 'S0-12 closing: a hedge fill while the position closes still counts', reach: [...H_HEDGING, close], event: hFill('h1', '2'), state: 'closing', emitted: [] },
  { name: 'S0-12 closing: a fill of the leg\'s close while the position closes counts', reach: [...H_UNHEDGING, close], event: uFill('u1', '2'), state: 'closing', emitted: [] },
  { name: 'S0-12 closing: the hedge refused while the position closes → settled', reach: [...H_HEDGING, close], event: rejected('c1-h1', 'parameter'), state: 'closing', emitted: [] },
  { name: 'S0-12 closing: the hedge cancelled while the position closes → settled', reach: [...H_HEDGING, close], event: cancelled('c1-h1'), state: 'closing', emitted: [] },
  { name: 'S0-12 closing: the hedge expired while the position closes → settled', reach: [...H_HEDGING, close], event: expired('c1-h1'), state: 'closing', emitted: [] },
  { name: 'S0-12 closing: the hedge leg closed at the venue while the position closes → counted', reach: [...H_HEDGED, close], event: hedgeFlat, state: 'closing', emitted: [] },
  { name: 'closed: cooldown over → idle, cycle forgotten', reach: CLOSED, event: cooldownDone, state: 'idle', emitted: [], context: { intent: null, orderIds: [], openingPrice: null, entryClientOrderId: null } },
  { name: 'halted: resume', reach: [kill], event: resume, state: 'idle', control: 'running', emitted: ['notify:resumed'], context: { haltReason: null } },
  { name: 'entries: MARKET_PAUSED', reach: WORKING, event: paused, state: 'working', entries: 'paused', emitted: [] },
  { name: 'entries: MARKET_RESUMED', reach: [paused], event: resumed, state: 'idle', entries: 'allowed', emitted: [] },
];

describe('trade chart transition table', () => {
  it.each(rows)('$name', (row) => {
    const r = runRow(tradeMachine, modelInput, row.reach, row.event);
    expect(r.keys.length).toBeGreaterThan(0);
    expect(lifecycleState(r.after)).toBe(row.state);
    expect((r.after.value as { control: string }).control).toBe(row.control ?? (r.before.value as { control: string }).control);
    expect((r.after.value as { entries: string }).entries).toBe(row.entries ?? (r.before.value as { entries: string }).entries);
    expect(r.emitted.map(label)).toEqual(row.emitted);
    if (row.context !== undefined) expect(r.after.context).toMatchObject(row.context);
  });

  it('X-ORD-6 S0-16 a smaller position read without the venue\'s own fills is not taken for a partial stop during an entry', () => {
    for (const reach of [PART2, [...PART2, acc('c1-p1')], PART2_QUERYING]) {
      const r = runRow(tradeMachine, modelInput, reach, shrunkWithoutFills);
      expect(r.emitted.map(label)).toEqual([]);
      expect(lifecycleState(r.after)).toBe(lifecycleState(r.before));
      expect(r.after.context.flattenRequested).toBe(false);
    }
  });

  it('X-ORD-6 S0-16 X-REC-3 recovery: a venue stop that closed part of a split entry while the process was down reaches the chart, which withdraws the rest and flattens', () => {
    const resting = runRow(tradeMachine, modelInput, [...PART2, acc('c1-p1')], shrunkWithoutFills).after;
    const position = (quantity: string, stops: boolean): Position => ({
      symbol: 'BTCUSDT', side: 'long', quantity: dec(quantity), entryPrice: dec('100'), markPrice: dec('99'), unrealizedPnl: dec('0'), leverage: dec('5'),
      takeProfit: stops ? dec('102') : undefined, stopLoss: stops ? dec('99') : undefined, tpTrigger: undefined, slTrigger: undefined, updatedAt: 9,
    });
    const stopFill: Fill = {
      symbol: 'BTCUSDT', clientOrderId: '', venueOrderId: 'v-stop', tradeId: 'x9', side: 'sell', price: dec('99'), quantity: dec('0.5'), fee: dec('0.01'), feeAsset: 'USDT', isMaker: false, ts: 8,
    };
    const stopped = positionRecoveryEvents(resting, position('0.5', false), [stopFill], 9);
    expect(stopped.action).toBe('protect_partial_entry');
    expect(stopped.events.map((e) => e.type)).toEqual(['venue.positionChanged']);
    const after = runRow(tradeMachine, modelInput, [...PART2, acc('c1-p1')], stopped.events[0]!);
    expect(lifecycleState(after.after)).toBe('cancelling');
    expect(after.after.context.flattenRequested).toBe(true);
    expect(after.emitted.map(label)).toEqual(['order.cancel:c1-p1', 'notify:positionUnprotected']);
    // Without the venue's fills, or with the stops still in place, it is only a partly filled entry to protect.
    expect(positionRecoveryEvents(resting, position('0.5', false), [], 9)).toEqual({ events: [], action: 'protect_partial_entry' });
    expect(positionRecoveryEvents(resting, position('0.5', true), [stopFill], 9)).toEqual({ events: [], action: 'none' });
  });

  it('X-REC-1 recovery: an entry the actor was cancelling when the process died, still resting at the venue, gets its cancel again (drill: signals, seed 17, trial 167)', () => {
    const cancelling = runRow(tradeMachine, modelInput, CANCELLING.slice(0, -1), CANCELLING.at(-1)!).after;
    const resting = (status: 'new' | 'partially_filled' | 'cancelled') => ({
      venueOrderId: 'v-c1', clientOrderId: 'c1', symbol: 'BTCUSDT', side: 'buy' as const, type: 'limit' as const, timeInForce: 'post_only' as const, price: dec('100'),
      quantity: dec('2'), filledQuantity: dec(status === 'partially_filled' ? '1' : '0'), averageFillPrice: undefined, status, rejectReason: undefined, reduceOnly: false, createdAt: 1, updatedAt: 2,
    });
    const events = orderRecoveryEvents(cancelling, 'c1', resting('new'), 9);
    expect(events.map((e) => e.type)).toEqual(['venue.accepted', 'recovery.entryLive']);
    const after = runRow(tradeMachine, modelInput, [...CANCELLING, events[0]!], events[1]!);
    expect(after.emitted.map(label)).toEqual(['order.cancel:c1']);
    expect(orderRecoveryEvents(cancelling, 'c1', resting('partially_filled'), 9).map((e) => e.type)).toContain('recovery.entryLive');
    // Closed at the venue meanwhile, or an actor not cancelling: nothing to ask again.
    expect(orderRecoveryEvents(cancelling, 'c1', resting('cancelled'), 9).map((e) => e.type)).not.toContain('recovery.entryLive');
    const working = runRow(tradeMachine, modelInput, WORKING.slice(0, -1), WORKING.at(-1)!).after;
    expect(orderRecoveryEvents(working, 'c1', resting('new'), 9).map((e) => e.type)).not.toContain('recovery.entryLive');
  });

  it('covers every transition of the chart', () => {
    const covered = new Set(rows.flatMap((row) => runRow(tradeMachine, modelInput, row.reach, row.event).keys));
    const all = allTransitionKeys(tradeMachine);
    expect(all.filter((k) => !covered.has(k))).toEqual([]);
    expect(all.length).toBeGreaterThan(90);
  });
});

describe('trade chart behaviour', () => {
  it('does not re-price while the market is paused: a would-take rejection ends the entry', () => {
    const r = runRow(tradeMachine, modelInput, [open, paused], rejected('c1', 'post_only_would_take'));
    expect(lifecycleState(r.after)).toBe('idle');
    expect(r.emitted.map(label)).not.toContain('order.submit:c1-r1');
  });

  it('stops re-pricing after maxRepriceAttempts', () => {
    const r = runRow(tradeMachine, modelInput, [open, rejected('c1', 'post_only_would_take')], rejected('c1-r1', 'post_only_would_take'));
    expect(lifecycleState(r.after)).toBe('idle');
    expect(r.emitted.map(label)).toEqual(['timer.clear:ackTimeout', 'notify:entryRejected']);
  });

  it('ignores venue events for another client order id', () => {
    const r = runRow(tradeMachine, modelInput, WORKING, fill('someone-else', 't1', '2'));
    expect(lifecycleState(r.after)).toBe('working');
    expect(r.after.context.entry.filledQuantity).toBe('0');
    expect(r.sent).toEqual([]);
  });

  it('keeps the ledger of its orders: an entry settles once its fills reach its size, a rejected exit at once', () => {
    const r = runRow(tradeMachine, modelInput, [...WORKING, f1], fill('c1', 't2', '1'));
    expect(r.after.context).toMatchObject({ orderFilled: { c1: '2' }, settledOrderIds: ['c1'] });
    const x = runRow(tradeMachine, modelInput, CLOSING, rejected('c1-x1', 'reduce_only_violation'));
    expect(x.after.context.settledOrderIds).toEqual(['c1', 'c1-x1']);
  });

  it('X-RSK-1 KILL keeps the protection of an open position and cancels nothing', () => {
    const r = runRow(tradeMachine, modelInput, PROTECTED, kill);
    expect(lifecycleState(r.after)).toBe('opened.protected');
    expect(r.emitted.map(label)).toEqual(['notify:halted']);
  });

  it('X-RSK-1 killFlatten in the input flattens on any KILL', () => {
    const r = runRow(tradeMachine, { ...modelInput, killFlatten: true }, PROTECTED, kill);
    expect(lifecycleState(r.after)).toBe('flattening');
    expect(r.emitted).toContainEqual(expect.objectContaining({ type: 'order.submit', clientOrderId: 'c1-f1', side: 'sell', quantity: '2', orderType: 'market', reduceOnly: true }));
  });

  it('protects with TP and SL from the first fill price, not the average', () => {
    const r = runRow(tradeMachine, modelInput, [...WORKING, fill('c1', 't1', '1', '100')], fill('c1', 't2', '1', '90'));
    expect(r.emitted).toContainEqual({ type: 'protection.set', symbol: 'BTCUSDT', side: 'buy', takeProfit: '102', stopLoss: '99', attempt: 1 });
  });

  it('reports the closed position with OEP, averages, fees and PnL', () => {
    const r = runRow(tradeMachine, modelInput, CLOSING, fill('c1-x1', 't5', '2', '101'));
    expect(r.emitted).toContainEqual({
      type: 'position.closed', symbol: 'BTCUSDT', intentId: 'i1', side: 'buy', quantity: '2', entryPrice: '100', averageEntryPrice: '100',
      averageExitPrice: '101', realizedPnl: '1.98', fees: '0.02', reason: 'exit',
    });
  });

  it('counts the fills and fees of a venue-side stop in the closed trade (net PnL = what the balance did)', () => {
    const stopped: TradeEvent = { type: 'venue.positionChanged', side: 'flat', quantity: '0', external: { quantity: '2', notional: '198', fee: '0.05', tradeIds: ['s1'] }, at: 9 };
    const r = runRow(tradeMachine, modelInput, PROTECTED, stopped);
    // Entry 2 @ 100 with 0.01 fees; the stop sold 2 @ 99 with 0.05 fees: -2 - 0.06.
    expect(r.emitted).toContainEqual(expect.objectContaining({ type: 'position.closed', realizedPnl: '-2.06', fees: '0.06', averageExitPrice: '99', reason: 'stopLoss' }));
  });

  it('a second cycle starts clean after the cooldown', () => {
    const second: TradeEvent = { type: 'command.open', at: 2000, ...modelIntent, clientOrderId: 'c2', intentId: 'i2' };
    const r = runRow(tradeMachine, modelInput, [...CLOSED, cooldownDone], second);
    expect(r.emitted.map(label)).toEqual(['order.submit:c2', 'timer.set:ackTimeout']);
    expect(r.after.context).toMatchObject({ orderIds: ['c2'], seenTradeIds: [], openingPrice: null, entry: { filledQuantity: '0' } });
  });
});
