/**
 * Event builders, reach paths and emitted-intent labels shared by the trade chart suites; they use the model intent
 * (`c1`, quantity 2 at 100, one re-price, tick 0.5). Test support only.
 */
import type { EventObject } from 'xstate';
import { modelIntent } from '../../machines/trade/model.ts';
import type { TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { S0_LADDER, type LadderPlan } from '../../src/domain/ladder.ts';

export const open: TradeEvent = { type: 'command.open', at: 1, ...modelIntent };
/** S0-16: the model intent (2 at 100) on a venue whose orders carry at most 1: entry parts `c1` and `c1-p1`, exits 1 each. */
export const openSplit: TradeEvent = { type: 'command.open', at: 1, ...modelIntent, limits: { maxLimitQuantity: '1', maxMarketQuantity: '1', quantityStep: '1' } };
export const acc = (clientOrderId = 'c1'): TradeEvent => ({ type: 'venue.accepted', clientOrderId, venueOrderId: `v-${clientOrderId}`, at: 2 });
export const rejected = (clientOrderId: string, category: 'post_only_would_take' | 'parameter' | 'reduce_only_violation'): TradeEvent => ({
  type: 'venue.rejected', clientOrderId, code: '170213', category, at: 2,
});
export const fill = (clientOrderId: string, tradeId: string, quantity: string, price = '100'): TradeEvent => ({
  type: 'venue.filled', clientOrderId, tradeId, price, quantity, fee: '0.01', at: 3,
});
export const cancelled = (clientOrderId = 'c1'): TradeEvent => ({ type: 'venue.cancelled', clientOrderId, at: 3 });
export const expired = (clientOrderId = 'c1'): TradeEvent => ({ type: 'venue.expired', clientOrderId, at: 3 });
export const cancelRejected: TradeEvent = { type: 'venue.cancelRejected', clientOrderId: 'c1', code: '110001', at: 3 };
export const unknown = (clientOrderId = 'c1'): TradeEvent => ({ type: 'venue.unknown', clientOrderId, reason: 'timeout', at: 3 });
export const ackTimeout: TradeEvent = { type: 'timer.ackTimeout', clientOrderId: 'c1', at: 1001 };
export const query = (clientOrderId: string, found: boolean, status?: 'new' | 'cancelled' | 'filled', filledQuantity = '0'): TradeEvent => ({
  type: 'venue.queryResult', clientOrderId, found, status, filledQuantity, at: 4,
});
export const queryRetry: TradeEvent = { type: 'timer.queryRetry', at: 1501 };
export const cancelEntry: TradeEvent = { type: 'command.cancelEntry', at: 4 };
export const close: TradeEvent = { type: 'command.close', at: 5 };
export const protectionSet: TradeEvent = { type: 'venue.protectionSet', at: 4 };
export const protectionFailed: TradeEvent = { type: 'venue.protectionFailed', code: '10001', message: 'trading-stop failed', at: 4 };
/** The venue reports the position flat after its own TP filled the whole position at 102 (fee 0.02). */
export const venueFlat: TradeEvent = {
  type: 'venue.positionChanged', side: 'flat', quantity: '0', external: { quantity: '2', notional: '204', fee: '0.02', tradeIds: ['x1'] }, at: 6,
};
/** The venue reports the position flat without fills we could see (closed by hand, fills not known). */
export const venueFlatBare: TradeEvent = { type: 'venue.positionChanged', side: 'flat', quantity: '0', at: 6 };
/** A venue-side stop filled 1 of 2 at 99 and cleared the stops (X-ORD-6). */
export const partialStop: TradeEvent = {
  type: 'venue.positionChanged', side: 'long', quantity: '1', external: { quantity: '1', notional: '99', fee: '0.01', tradeIds: ['x2'] }, at: 6,
};
/** S0-16 split model (parts of 1): the venue's stop closed 0.5 of the first part at 99 and cleared the stops (X-ORD-6). */
export const partialStopOfPart: TradeEvent = {
  type: 'venue.positionChanged', side: 'long', quantity: '0.5', external: { quantity: '0.5', notional: '49.5', fee: '0.01', tradeIds: ['x3'] }, at: 6,
};
/** The same position read without the venue's fills (a read only: not proof that a stop fired). */
export const shrunkWithoutFills: TradeEvent = { type: 'venue.positionChanged', side: 'long', quantity: '0.5', at: 6 };
/** A stale position read (1 of 2 left, stops cleared) carrying the venue's fills that already closed all 2 (X-ORD-6). */
export const staleStop: TradeEvent = {
  type: 'venue.positionChanged', side: 'long', quantity: '1', external: { quantity: '2', notional: '198', fee: '0.02', tradeIds: ['x3'] }, at: 6,
};
/** A position update that changes nothing (the venue's TP/SL in place). */
export const positionUnchanged: TradeEvent = { type: 'venue.positionChanged', side: 'long', quantity: '2', takeProfit: '102', stopLoss: '99', at: 6 };
export const replaced: TradeEvent = { type: 'recovery.positionReplaced', at: 6 };
export const cooldownDone: TradeEvent = { type: 'timer.cooldownDone', at: 1006 };
export const kill: TradeEvent = { type: 'operator.kill', reason: 'operator', at: 4 };
export const killFlatten: TradeEvent = { type: 'operator.kill', reason: 'operator', flatten: true, at: 4 };
export const resume: TradeEvent = { type: 'operator.resume', at: 5 };
export const paused: TradeEvent = { type: 'stream.paused', reason: 'gap', at: 2 };
export const resumed: TradeEvent = { type: 'stream.resumed', at: 3 };
export const defect: TradeEvent = { type: 'runtime.defect', message: 'boom', at: 4 };

export const f1 = fill('c1', 't1', '1');
export const fAll = fill('c1', 't3', '2');
export const fEmpty = (clientOrderId = 'c1'): TradeEvent => fill(clientOrderId, 't0', '0');

/** Reach paths from the initial state to each lifecycle state. */
export const SUBMITTING = [open];
export const WORKING = [open, acc()];
export const QUERYING = [open, ackTimeout];
export const CANCELLING = [open, acc(), cancelEntry];
export const OPENED = [open, acc(), fAll];
export const PROTECTED = [...OPENED, protectionSet];
export const CLOSING = [...PROTECTED, close];
export const FLATTENING = [...OPENED, protectionFailed, protectionFailed];
export const CLOSED = [...CLOSING, fill('c1-x1', 't5', '2', '101')];
/** Marks after the OEP of 100 (management of the model intent): break-even at 103, the trailer at 106 and 110. */
export const mark = (price: string): TradeEvent => ({ type: 'market.mark', price, at: 5 });
export const MOVING_BE = [...PROTECTED, mark('103')];
export const BREAK_EVEN = [...MOVING_BE, protectionSet];
export const MOVING_TRAIL = [...BREAK_EVEN, mark('106')];
export const TRAILING = [...MOVING_TRAIL, protectionSet];

/** A compact label per emitted intent: type plus what tells two of a kind apart. */
export const label = (e: EventObject): string => {
  const r = e as { type: string; name?: string; clientOrderId?: string; kind?: string; reduceOnly?: boolean };
  switch (r.type) {
    case 'order.submit':
      return `order.submit:${r.clientOrderId ?? ''}${r.reduceOnly === true ? ':reduceOnly' : ''}`;
    case 'order.cancel':
    case 'order.query':
      return `${r.type}:${r.clientOrderId ?? ''}`;
    case 'timer.set':
    case 'timer.clear':
      return `${r.type}:${r.name ?? ''}`;
    case 'notify':
      return `notify:${r.kind ?? ''}`;
    default:
      return r.type;
  }
};

/**
 * S0-9: the model intent with a pyramid ladder at x6 → x50 (S0's thresholds, Step 3 at the model's +2 % break-even):
 * +1.5 % Step 2 (nothing to do without a TP hit), break-even at +2 %, +2.4 % Step 3 reached then Step 4's leverage.
 */
export const LADDER_PLAN: LadderPlan = {
  steps: S0_LADDER.map((s) => (s.step === 3 ? { ...s, atFraction: '0.02' } : s)),
  leverage: '6', maxLeverage: '50', quantityStep: '0.001', minQuantity: '0.001',
};
export const openLadder: TradeEvent = { type: 'command.open', at: 1, ...modelIntent, ladder: LADDER_PLAN };
export const leverageSet = (ok: boolean, reason?: string): TradeEvent => ({ type: 'venue.leverageSet', leverage: '50', ok, reason, at: 6 });
export const L_PROTECTED = [openLadder, acc(), fill('c1', 't1', '2'), protectionSet];
export const L_AT_STEP_2 = [...L_PROTECTED, mark('101.5')];
export const L_BREAK_EVEN = [...L_AT_STEP_2, mark('102'), protectionSet];
export const L_AT_STEP_3 = [...L_BREAK_EVEN, mark('102.4')];
export const L_LEVERAGING = [...L_AT_STEP_3, mark('102.4')];
export const L_AT_STEP_4 = [...L_LEVERAGING, leverageSet(true), protectionSet];
/** Step 5's add-on `c1-a1` of 17.56 (IM 4 → 40 at x50, at 102.5) with the venue. */
export const L_ADDING = [...L_AT_STEP_4, mark('102.5')];
/** The trailer took the stop at +6 % before the ladder passed Step 2; the same mark again reaches Step 3. */
export const L_TRAILING = [...L_AT_STEP_2, mark('106'), protectionSet];
