/**
 * The bounded model of the trade chart for path generation with `xstate/graph`: one symbol, one intent (quantity 2,
 * one re-price allowed), a small event payload set and a state serializer that keeps traversal finite. No logic.
 */
import type { SnapshotFrom } from 'xstate';
import { dec } from '../../src/domain/money.ts';
import type { OrderStatus } from '../../src/domain/orders.ts';
import type { tradeMachine } from './tradeMachine.ts';
import type { TradeEvent, TradeInput, TradeIntent } from './tradeTypes.ts';
import { S0_LADDER } from '../../src/domain/ladder.ts';
import { hedgeOf } from './hedgeLogic.ts';

/** The input the model runs use. */
export const modelInput: TradeInput = { symbol: 'BTCUSDT', cooldownMs: 1000, maxProtectionAttempts: 2, queryRetryMs: 500, killFlatten: false };

/** The one intent the model opens (entry ids: `c1`, re-price `c1-r1`; exits `c1-x1`, `c1-x2`; flattens `c1-f1`, `c1-f2`). */
export const modelIntent: TradeIntent = {
  intentId: 'i1', clientOrderId: 'c1', side: 'buy', quantity: '2', price: '100', timeInForce: 'post_only',
  takeProfitFraction: '0.02', stopLossFraction: '0.01', maxRepriceAttempts: 1, repriceTicks: 1, tickSize: '0.5', ackTimeoutMs: 1000,
  // OEP 100: break-even from 102 (stop 100.5), the trailer from 105 (2 % behind the best mark, forward by 0.1 % at least).
  management: { breakEvenAtFraction: '0.02', breakEvenOffsetFraction: '0.0001', trailFromFraction: '0.05', trailDistanceFraction: '0.02', trailStepFraction: '0.001' },
};

const fill = (clientOrderId: string, tradeId: string, quantity: string): TradeEvent => ({
  type: 'venue.filled', clientOrderId, tradeId, price: '100', quantity, fee: '0.01', at: 3,
});
const query = (clientOrderId: string, found: boolean, status?: OrderStatus, filledQuantity = '0'): TradeEvent => ({
  type: 'venue.queryResult', clientOrderId, found, status, filledQuantity, at: 3,
});
const orderEvents = (id: string): TradeEvent[] => [
  { type: 'venue.cancelled', clientOrderId: id, at: 3 },
  { type: 'venue.expired', clientOrderId: id, at: 3 },
  { type: 'venue.unknown', clientOrderId: id, reason: 'timeout', at: 3 },
  { type: 'venue.rejected', clientOrderId: id, code: '110017', category: 'reduce_only_violation', at: 3 },
  query(id, false),
  query(id, true, 'new'),
];

/** Every event payload path generation uses (payload-less events are listed too; see api-notes §2). */
export const modelEvents: ReadonlyArray<TradeEvent> = [
  { type: 'command.open', at: 1, ...modelIntent },
  { type: 'venue.accepted', clientOrderId: 'c1', venueOrderId: 'v1', at: 2 },
  { type: 'venue.accepted', clientOrderId: 'c1-r1', venueOrderId: 'v2', at: 2 },
  { type: 'venue.rejected', clientOrderId: 'c1', code: '170213', category: 'post_only_would_take', at: 2 },
  { type: 'venue.rejected', clientOrderId: 'c1', code: '10001', category: 'parameter', at: 2 },
  { type: 'venue.rejected', clientOrderId: 'c1-r1', code: '170213', category: 'post_only_would_take', at: 2 },
  fill('c1', 't1', '1'),
  fill('c1', 't2', '1'),
  fill('c1', 't3', '2'),
  fill('c1', 't0', '0'),
  fill('c1-r1', 't4', '2'),
  { type: 'venue.cancelled', clientOrderId: 'c1', at: 3 },
  { type: 'venue.expired', clientOrderId: 'c1', at: 3 },
  { type: 'venue.cancelRejected', clientOrderId: 'c1', code: '110001', at: 3 },
  { type: 'venue.unknown', clientOrderId: 'c1', reason: 'timeout', at: 3 },
  { type: 'timer.ackTimeout', clientOrderId: 'c1', at: 1001 },
  query('c1', false),
  query('c1', true, 'new'),
  query('c1', true, 'cancelled', '0'),
  query('c1', true, 'cancelled', '1'),
  { type: 'timer.queryRetry', at: 503 },
  { type: 'command.cancelEntry', at: 4 },
  { type: 'command.close', at: 5 },
  { type: 'venue.protectionSet', at: 4 },
  { type: 'venue.protectionFailed', code: '10001', message: 'trading-stop failed', at: 4 },
  // The venue's own close: its TP at 102 for the whole position; a partial stop leaving 1 without stops; flat, no fills.
  { type: 'venue.positionChanged', side: 'flat', quantity: '0', external: { quantity: '2', notional: '204', fee: '0.02', tradeIds: ['x1'] }, at: 6 },
  { type: 'venue.positionChanged', side: 'long', quantity: '1', external: { quantity: '1', notional: '99', fee: '0.01', tradeIds: ['x2'] }, at: 6 },
  { type: 'venue.positionChanged', side: 'flat', quantity: '0', at: 6 },
  { type: 'venue.positionChanged', side: 'long', quantity: '2', takeProfit: '102', stopLoss: '99', at: 6 },
  { type: 'recovery.positionReplaced', at: 6 },
  fill('c1-x1', 't5', '2'),
  fill('c1-x1', 't6', '1'),
  ...orderEvents('c1-x1'),
  fill('c1-f1', 't7', '2'),
  fill('c1-f1', 't8', '1'),
  ...orderEvents('c1-f1'),
  { type: 'timer.cooldownDone', at: 1006 },
  { type: 'operator.kill', reason: 'operator', at: 4 },
  { type: 'operator.kill', reason: 'operator', flatten: true, at: 4 },
  { type: 'operator.resume', at: 5 },
  { type: 'stream.paused', reason: 'gap', at: 2 },
  { type: 'stream.resumed', at: 3 },
  { type: 'runtime.defect', message: 'boom', at: 4 },
  // Marks after an OEP of 100: break-even (103), the trailer's first stop (106: 103.5) and a forward move (110: 107.5).
  { type: 'market.mark', price: '103', at: 5 },
  { type: 'market.mark', price: '106', at: 5 },
  { type: 'market.mark', price: '110', at: 5 },
];

/**
 * S0-16: the model intent on a venue whose orders carry at most 1, so its entry goes out in two parts (`c1`, `c1-p1`)
 * and its exits and flattens one unit at a time (`c1-x1`, `c1-x2`, `c1-f1`, `c1-f2`); with the events that reach the
 * split transitions. A second model rather than more events on the first: the first's simple paths grow factorially.
 */
export const modelSplitIntent: TradeIntent = { ...modelIntent, limits: { maxLimitQuantity: '1', maxMarketQuantity: '1', quantityStep: '1' } };

/** The events of the split model. */
export const modelSplitEvents: ReadonlyArray<TradeEvent> = [
  { type: 'command.open', at: 1, ...modelSplitIntent },
  { type: 'venue.accepted', clientOrderId: 'c1', venueOrderId: 'v1', at: 2 },
  { type: 'venue.accepted', clientOrderId: 'c1-p1', venueOrderId: 'v2', at: 2 },
  fill('c1', 't1', '1'),
  fill('c1-p1', 't2', '1'),
  { type: 'venue.rejected', clientOrderId: 'c1-p1', code: '10001', category: 'parameter', at: 2 },
  { type: 'venue.cancelled', clientOrderId: 'c1-p1', at: 3 },
  { type: 'venue.expired', clientOrderId: 'c1-p1', at: 3 },
  { type: 'timer.ackTimeout', clientOrderId: 'c1', at: 1001 },
  { type: 'timer.ackTimeout', clientOrderId: 'c1-p1', at: 1001 },
  query('c1-p1', false),
  query('c1-p1', true, 'cancelled', '0'),
  { type: 'command.cancelEntry', at: 4 },
  { type: 'stream.paused', reason: 'gap', at: 2 },
  { type: 'venue.positionChanged', side: 'flat', quantity: '0', at: 6 },
  // X-ORD-6 while the second part is out: the venue's stop closed half of the first part and cleared the stops.
  { type: 'venue.positionChanged', side: 'long', quantity: '0.5', external: { quantity: '0.5', notional: '49.5', fee: '0.01', tradeIds: ['x3'] }, at: 6 },
  { type: 'venue.protectionSet', at: 4 },
  { type: 'command.close', at: 5 },
  { type: 'operator.kill', reason: 'operator', flatten: true, at: 4 },
  fill('c1-x1', 't5', '1'),
  fill('c1-x2', 't6', '1'),
  fill('c1-f1', 't7', '1'),
  fill('c1-f2', 't8', '1'),
  // Graph generation also sends the chart's own events without payload; a mark at the OEP moves nothing.
  { type: 'market.mark', price: '100', at: 5 },
  // A stale read (1 of 2 left, stops cleared) whose fills already closed all 2: nothing open by the cycle's count, so a
  // close or a flatten after it sends no order of zero and the cycle ends (X-ORD-5).
  { type: 'venue.positionChanged', side: 'long', quantity: '1', external: { quantity: '2', notional: '198', fee: '0.02', tradeIds: ['x3'] }, at: 6 },
  { type: 'venue.protectionFailed', code: '10001', message: 'trading-stop failed', at: 4 },
  // Recovery: the entry being cancelled is still resting (the cancel died with the process).
  { type: 'recovery.entryLive', clientOrderId: 'c1', at: 9 },
];

/**
 * S0-9: the model intent with a pyramid ladder at x6 → x50 (S0's thresholds, Step 3 at the model's +2 % break-even),
 * and the marks and venue answers that climb it: Step 2 at 101.5, break-even at 102, Steps 3 and 4 at 102.4, Step 5's
 * add-on `c1-a1` (17.56) at 102.5, the trailer at 106.
 */
export const modelLadderIntent: TradeIntent = {
  ...modelIntent,
  ladder: { steps: S0_LADDER.map((s) => (s.step === 3 ? { ...s, atFraction: '0.02' } : s)), leverage: '6', maxLeverage: '50', quantityStep: '0.001', minQuantity: '0.001' },
};

/** The events of the ladder model. */
export const modelLadderEvents: ReadonlyArray<TradeEvent> = [
  { type: 'command.open', at: 1, ...modelLadderIntent },
  // A ladder whose Step 2 is a leverage step: a step the venue must do straight from `protected`.
  { type: 'command.open', at: 1, ...modelLadderIntent, ladder: { ...modelLadderIntent.ladder!, steps: [S0_LADDER[0]!, { step: 2, atFraction: '0.015', action: { kind: 'leverage' } }] } },
  { type: 'venue.accepted', clientOrderId: 'c1', venueOrderId: 'v1', at: 2 },
  fill('c1', 't3', '2'),
  { type: 'venue.protectionSet', at: 4 },
  ...['101.5', '102', '102.4', '102.5', '106'].map((price): TradeEvent => ({ type: 'market.mark', price, at: 5 })),
  { type: 'venue.leverageSet', leverage: '50', ok: true, at: 6 },
  { type: 'venue.leverageSet', leverage: '50', ok: false, reason: 'timeout', at: 6 },
  fill('c1-a1', 't9', '17.56'),
  fill('c1-a1', 't10', '5'),
  ...orderEvents('c1-a1'),
  query('c1-a1', true, 'cancelled', '0'),
  { type: 'timer.queryRetry', at: 503 },
  { type: 'venue.positionChanged', side: 'long', quantity: '1', external: { quantity: '1', notional: '99', fee: '0.01', tradeIds: ['x2'] }, at: 6 },
];

/**
 * S0-12: the model intent with a hedge at −2 % and the signal's stop at 97 (beyond the trigger at 98): a mark at 97.5
 * opens the short leg `c1-h1` for 2 with TP 97 and SL 100; the leg's protection answers, its fills, its close `c1-u1`.
 */
export const modelHedgeIntent: TradeIntent = { ...modelIntent, levels: { stopLoss: '97' }, hedge: { atFraction: '0.02' } };

/** The events of the hedge model. */
export const modelHedgeEvents: ReadonlyArray<TradeEvent> = [
  { type: 'command.open', at: 1, ...modelHedgeIntent },
  { type: 'venue.accepted', clientOrderId: 'c1', venueOrderId: 'v1', at: 2 },
  fill('c1', 't3', '2'),
  { type: 'venue.protectionSet', at: 4 },
  { type: 'market.mark', price: '97.5', at: 5 },
  fill('c1-h1', 'h1', '2'),
  fill('c1-h1', 'h2', '1'),
  ...orderEvents('c1-h1'),
  query('c1-h1', true, 'cancelled', '0'),
  { type: 'venue.protectionSet', leg: 'short', at: 6 },
  { type: 'venue.protectionFailed', leg: 'short', code: '10001', message: 'trading-stop failed', at: 6 },
  fill('c1-u1', 'u1', '2'),
  fill('c1-u1', 'u2', '1'),
  ...orderEvents('c1-u1'),
  { type: 'venue.rejected', clientOrderId: 'c1-u1', code: '10001', category: 'parameter', at: 3 },
  { type: 'timer.queryRetry', at: 503 },
  { type: 'command.close', at: 7 },
  { type: 'venue.positionChanged', leg: 'short', side: 'flat', quantity: '0', external: { quantity: '2', notional: '200', fee: '0.02', tradeIds: ['hx1'] }, at: 7 },
  { type: 'venue.positionChanged', side: 'flat', quantity: '0', external: { quantity: '2', notional: '194', fee: '0.02', tradeIds: ['x1'] }, at: 7 },
  { type: 'venue.positionChanged', side: 'long', quantity: '1', external: { quantity: '1', notional: '99', fee: '0.01', tradeIds: ['x2'] }, at: 6 },
];

// Quantities fold into none / part / all of the model intent's quantity, so the traversal stays finite.
const bucket = (quantity: string): 'none' | 'part' | 'all' => {
  const q = dec(quantity);
  return q.isZero() ? 'none' : q.lt(dec(modelIntent.quantity)) ? 'part' : 'all';
};

// S0-12: where the hedge stands (its status, how much of it is open, its close orders, a query in flight).
const hedgeFields = (c: SnapshotFrom<typeof tradeMachine>['context']): ReadonlyArray<unknown> => {
  const h = hedgeOf(c);
  return [h.status, bucket(h.entry.filledQuantity), bucket(h.exit.filledQuantity), Math.min(h.closes, 2)];
};

/**
 * Returns the graph identity of a trade snapshot: its state plus only the context fields that change what the
 * current lifecycle state can do next (a closed cycle forgets its history), so the traversal stays small.
 */
export const serializeForGraph = (s: SnapshotFrom<typeof tradeMachine>): string => {
  const c = s.context;
  const life = JSON.stringify((s.value as { lifecycle: unknown }).lifecycle);
  const entryPhase = [c.attempt, c.entryPart, c.entryDone, bucket(c.entry.filledQuantity), c.flattenRequested, c.venueClosed];
  const fields =
    life === '"idle"'
      ? [c.entryClientOrderId !== null, c.entryDone]
      : life.includes('opened')
        ? [c.protectionAttempts, c.flattenRequested, bucket(c.entry.filledQuantity), bucket(c.exit.filledQuantity), Math.min(c.exitClientOrderIds.length, 2), c.stop.phase, c.stop.pending?.phase ?? null,
          c.ladder.reached, c.ladder.pending?.kind ?? null, c.ladder.blocked !== null, c.queryOrderId !== null, c.orderFilled['c1-a1'] ?? null, ...hedgeFields(c)]
        : life === '"closing"' || life === '"flattening"'
          ? [c.flattenRequested, bucket(c.entry.filledQuantity), bucket(c.exit.filledQuantity), Math.min(c.exitClientOrderIds.length, 2), c.queryOrderId !== null, c.stop.phase, ...hedgeFields(c)]
          : life.includes('closed')
            // How it closed (our exit, the venue's TP/SL, replaced, or nothing left to close: null) tells closes apart.
            ? [c.closeReason, c.queryOrderId !== null, ...hedgeFields(c)]
            : entryPhase;
  // The ladder model opens two ladders (S0's and one with a leverage Step 2): their cycles are different states.
  return JSON.stringify([s.value, fields, c.intent?.ladder?.steps.length ?? 0]);
};

/**
 * A coarse identity (the lifecycle state only) for simple-path generation, which grows factorially with states; the
 * kill and pause regions are left out, or the generation does not finish (measured: > 90 s).
 */
export const serializeValueForGraph = (s: SnapshotFrom<typeof tradeMachine>): string =>
  JSON.stringify((s.value as { lifecycle: unknown }).lifecycle).replace(STOP_MOVES, '"protected"');

// The stop-management and ladder states count as `protected` for simple paths: their mark → move → answer cycles would multiply
// the simple paths (measured: > 10 min); shortest and transition-cover paths reach each of them.
const STOP_MOVES = /"(movingStop|breakEven|trailing|laddering|hedging|protectingHedge|hedged|unhedging|awaitingHedge)"/;
