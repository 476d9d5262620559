/**
 * The S0-12 hedge as states of the trade chart: `opened.hedging` (the other leg's market IOC is with the venue) →
 * `opened.protectingHedge` (its TP = the original stop, SL = the OEP asked for) → `opened.hedged` (both legs held and
 * protected) → back to `opened.protected` once the leg is flat (its TP or SL, at the venue). A leg the venue will not
 * protect is closed at once (`opened.unhedging`). The cycle never ends with the leg open: `closed.settling` waits for a
 * hedge order still in flight (`closed.awaitingHedge`) and closes what is left (`closed.unhedging`) before the cooldown.
 * State configs only; logic lives in hedgeLogic and tradeSetup.
 */
import { and } from 'xstate';
import { tradeSetup } from './tradeSetup.ts';

const hedgeClosed = { type: 'notify' as const, params: { kind: 'hedgeClosed' as const, severity: 'info' as const } };
const hedgeFailed = { target: 'protected', actions: ['failHedge' as const, { type: 'notify' as const, params: { kind: 'hedgeFailed' as const, severity: 'warning' as const } }] };
const requery = { guard: 'isQueriedExit' as const, actions: 'queryExit' as const };
// The main leg's own updates still matter while the hedge is worked (X-ORD-6: a venue stop that closed only part).
const partialStop = {
  guard: 'isPartialStop' as const,
  target: '#trade.lifecycle.closing',
  actions: ['recordExternalFills' as const, { type: 'notify' as const, params: { kind: 'positionUnprotected' as const, severity: 'critical' as const } }],
};
// The opening order ended (rejected, cancelled, an IOC remainder expired): what filled is the hedge, or there is none.
const openingEnded = [
  { guard: and(['isHedgeOrderEvent', 'hedgeFilledSome']), target: 'protectingHedge', actions: 'settleHedgeOrder' as const },
  { guard: 'isHedgeOrderEvent' as const, ...hedgeFailed },
];

export const hedging = tradeSetup.createStateConfig({
  description: 'S0-12: the price went against the position by the hedge trigger; a market IOC opens the other leg for the size held. TP/SL of the position hold.',
  entry: 'submitHedge',
  exit: 'clearQueryTimer',
  on: {
    'venue.positionChanged': partialStop,
    'venue.filled': [
      { guard: 'completesHedge', target: 'protectingHedge', actions: 'recordHedgeFill' },
      { guard: 'isNewHedgeFill', actions: 'recordHedgeFill' },
    ],
    'venue.rejected': openingEnded,
    'venue.cancelled': openingEnded,
    'venue.expired': openingEnded,
    'venue.unknown': { guard: 'isHedgeOrderEvent', actions: 'queryExit' },
    'timer.queryRetry': requery,
    'venue.queryResult': [
      { guard: and(['isHedgeOrderEvent', 'isQueryNotFound']), ...hedgeFailed },
      { guard: and(['isHedgeOrderEvent', 'isQueryClosedEmpty']), ...hedgeFailed },
      { guard: 'isHedgeOrderEvent', actions: 'clearQueryTimer' },
    ],
  },
});

export const protectingHedge = tradeSetup.createStateConfig({
  description: 'S0-12: the hedge leg is open; its TP (the position\'s original stop) and SL (the OEP) were asked of the venue.',
  entry: 'requestHedgeProtection',
  on: {
    'venue.positionChanged': [{ guard: 'isHedgeLegFlat', target: 'protected', actions: ['recordHedgeClose', hedgeClosed] }, partialStop],
    'venue.protectionSet': { guard: 'isHedgeLegEvent', target: 'hedged', actions: ['openHedge', { type: 'notify', params: { kind: 'hedgeOpened', severity: 'info' } }] },
    // An unprotected hedge leg is not kept: it is closed reduce-only.
    'venue.protectionFailed': { guard: 'isHedgeLegEvent', target: 'unhedging', actions: { type: 'notify', params: { kind: 'hedgeFailed', severity: 'critical' } } },
  },
});

export const hedged = tradeSetup.createStateConfig({
  description: 'S0-12: both legs are held, each protected at the venue; the hedge ends when its TP or SL closes it.',
  on: {
    'venue.positionChanged': [{ guard: 'isHedgeLegFlat', target: 'protected', actions: ['recordHedgeClose', hedgeClosed] }, partialStop],
  },
});

/** The hedge leg's reduce-only close; `done` is where the chart goes once the leg is flat. */
const unhedgingTo = (done: string, description: string) =>
  tradeSetup.createStateConfig({
    description,
    entry: 'submitUnhedge',
    exit: 'clearQueryTimer',
    on: {
      'venue.positionChanged': { guard: 'isHedgeLegFlat', target: done, actions: ['recordHedgeClose', hedgeClosed] },
      'venue.filled': [
        { guard: 'closesHedge', target: done, actions: ['recordHedgeExitFill', hedgeClosed] },
        { guard: 'isNewUnhedgeFill', actions: 'recordHedgeExitFill' },
      ],
      // An IOC remainder expired, or the venue proved the order absent: a new one for what is still open.
      'venue.cancelled': { guard: 'isUnhedgeOrderEvent', target: 'unhedging', reenter: true },
      'venue.expired': { guard: 'isUnhedgeOrderEvent', target: 'unhedging', reenter: true },
      // Reduce-only refused: the venue closed the leg itself (its TP sits at the position's stop, so both fire at once);
      // its flat update, with the venue's fills, ends the hedge. Any other refusal is the operator's (critical).
      'venue.rejected': [
        { guard: and(['isUnhedgeOrderEvent', 'isReduceOnlyRefusal']), actions: 'noteLegClosedByVenue' },
        { guard: 'isUnhedgeOrderEvent', actions: { type: 'notify', params: { kind: 'exitRejected', severity: 'critical' } } },
      ],
      'venue.unknown': { guard: 'isUnhedgeOrderEvent', actions: 'queryExit' },
      'timer.queryRetry': requery,
      'venue.queryResult': [
        { guard: and(['isUnhedgeOrderEvent', 'isQueryNotFound']), target: 'unhedging', reenter: true },
        { guard: 'isUnhedgeOrderEvent', actions: 'clearQueryTimer' },
      ],
    },
  });

export const unhedging = unhedgingTo('protected', 'S0-12: the hedge leg could not be protected; a reduce-only market order closes it while the position stays.');

export const closedHedgeStates = {
  settling: tradeSetup.createStateConfig({
    description: 'The position is flat: a hedge order still in flight is waited for and an open hedge leg closed before the cycle ends.',
    always: [{ guard: 'isHedgeOrderLive', target: 'awaitingHedge' }, { guard: 'hasOpenHedge', target: 'unhedging' }, { target: 'cooldown' }],
  }),
  awaitingHedge: tradeSetup.createStateConfig({
    description: 'S0-12: the position closed while the hedge\'s opening order was with the venue; its outcome decides what is left to close.',
    exit: 'clearQueryTimer',
    on: {
      'venue.filled': [
        { guard: 'completesHedge', target: 'settling', actions: ['recordHedgeFill', 'settleHedgeOrder'] },
        { guard: 'isNewHedgeFill', actions: 'recordHedgeFill' },
      ],
      'venue.rejected': { guard: 'isHedgeOrderEvent', target: 'settling', actions: 'settleHedgeOrder' },
      'venue.cancelled': { guard: 'isHedgeOrderEvent', target: 'settling', actions: 'settleHedgeOrder' },
      'venue.expired': { guard: 'isHedgeOrderEvent', target: 'settling', actions: 'settleHedgeOrder' },
      'venue.unknown': { guard: 'isHedgeOrderEvent', actions: 'queryExit' },
      'timer.queryRetry': requery,
      'venue.queryResult': [
        { guard: and(['isHedgeOrderEvent', 'isQueryNotFound']), target: 'settling', actions: 'settleHedgeOrder' },
        { guard: and(['isHedgeOrderEvent', 'isQueryClosedEmpty']), target: 'settling', actions: 'settleHedgeOrder' },
        { guard: 'isHedgeOrderEvent', actions: 'clearQueryTimer' },
      ],
    },
  }),
  unhedging: unhedgingTo('cooldown', 'S0-12: the position is flat and its hedge leg is not: a reduce-only market order closes the leg before the cycle ends.'),
};
