/**
 * The position half of the trade chart's lifecycle: opened (protecting → protected) → closing | flattening → closed
 * (cooldown) → idle. Protection is requested only inside `opened`. State configs only; logic lives in tradeSetup.
 */
import { and } from 'xstate';
import { LIFECYCLE } from './entryStates.ts';
import { tradeSetup } from './tradeSetup.ts';
import { closedHedgeStates, hedged, hedging, protectingHedge, unhedging } from './hedgeStates.ts';

const CLOSED = `${LIFECYCLE}.closed`;
const PROTECTING = `${LIFECYCLE}.opened.protecting`;

// Exit fills: the one that leaves the position flat closes it; earlier ones accumulate, and one that fills an exit
// part in full while the position stays open sends the next part (S0-16). A late entry fill still counts.
const exitFill = (kind: 'exit' | 'flatten') => [
  { guard: 'flattensPosition' as const, target: CLOSED, actions: ['recordExitFill' as const, 'recordExitClose' as const] },
  { guard: 'completesExitPart' as const, actions: ['recordExitFill' as const, { type: 'submitExit' as const, params: { kind } }] },
  { guard: 'isNewExitFill' as const, actions: 'recordExitFill' as const },
  { guard: 'isNewEntryFill' as const, actions: 'recordEntryFill' as const },
];

// The venue reports the position flat (its TP/SL, a liquidation or a close by hand): the cycle closes, and the venue's
// own fills (fees included) are counted, so the trade's PnL is what the balance did.
const venueFlat = { guard: 'isVenueFlat' as const, target: CLOSED, actions: ['recordVenueClose' as const, 'recordExternalFills' as const] };
// A stale read that still shows a remainder, with the venue's fills that closed all of it: the fills decide (closed).
const closedByFills = { guard: 'externalFillsCloseAll' as const, target: CLOSED, actions: ['recordVenueClose' as const, 'recordExternalFills' as const] };
// Recovery found another position at the venue than the one this cycle opened: the cycle ends; reconcile adopts it.
const replaced = { target: CLOSED, actions: 'recordReplaced' as const };
const queryExit = { guard: 'isExitEvent' as const, actions: 'queryExit' as const };
const requery = { guard: 'isQueriedExit' as const, actions: 'queryExit' as const };

// X-ORD-6: a venue-side TP/SL filled only part of the position and the venue cleared the stops: the trigger already
// decided to exit, so the unprotected remainder is closed reduce-only (and alerted).
const partialStop = {
  guard: 'isPartialStop' as const,
  target: `${LIFECYCLE}.closing`,
  actions: ['recordExternalFills' as const, { type: 'notify' as const, params: { kind: 'positionUnprotected' as const, severity: 'critical' as const } }],
};
// S0-11, S0-13: a mark that calls for a stop move (plannedStopMove) sends it; other marks are never delivered.
const moveStop = { guard: 'isStopMoveDue' as const, target: 'movingStop', actions: 'planStopMove' as const };
const moveFailed = { type: 'notify' as const, params: { kind: 'stopMoveFailed' as const, severity: 'warning' as const } };
// S0-9: a mark that calls for a ladder step. A stop move goes first (protection before size); a step with nothing to
// ask the venue is reached at once (journaled with the transition, then told); one the venue must do is `laddering`.
const ladderNoop = { guard: 'isLadderNoop' as const, actions: ['recordLadderNoop' as const, { type: 'notify' as const, params: { kind: 'pyramidStep' as const, severity: 'info' as const } }] };
const ladderStep = { guard: 'isLadderStepDue' as const, target: 'laddering', actions: 'planLadderStep' as const };
const onMark = [moveStop, ladderNoop, ladderStep];
// A step done (in full or, for an IOC add-on, in part): the position is re-protected at its held levels for its new
// size, and the step is told once the venue confirmed it; a step that did nothing blocks the ladder.
const stepDone = { target: 'protecting', actions: ['commitLadderStep' as const, 'resetProtectionAttempts' as const, { type: 'notify' as const, params: { kind: 'pyramidStep' as const, severity: 'info' as const } }] };
const stepBlocked = { target: 'protecting', actions: ['blockLadder' as const, 'resetProtectionAttempts' as const, { type: 'notify' as const, params: { kind: 'ladderBlocked' as const, severity: 'warning' as const } }] };
const addOnEnded = [{ guard: and(['isPendingAddOnEvent', 'addOnFilledSome']), ...stepDone }, { guard: 'isPendingAddOnEvent' as const, ...stepBlocked }];

export const opened = tradeSetup.createStateConfig({
  description: 'OPENED: a real fill (qty > 0) created the position; the first fill price (OEP) is fixed. Protection is placed here.',
  // A KILL with flatten (or a flatten requested before the position opened) closes the position reduce-only.
  always: { guard: 'isFlattenRequested', target: `${LIFECYCLE}.flattening` },
  initial: 'protecting',
  on: {
    'venue.filled': { guard: 'isNewEntryFill', actions: 'recordEntryFill' },
    'venue.cancelled': { guard: 'isEntryEvent', actions: 'markEntryDone' },
    'venue.positionChanged': [venueFlat, closedByFills, { actions: 'recordExternalFills' }],
    'recovery.positionReplaced': replaced,
    'command.close': { target: `${LIFECYCLE}.closing` },
  },
  states: {
    protecting: {
      description: 'TPSL: take-profit and stop-loss requested at the venue from the OEP; waiting for the venue to confirm.',
      entry: 'requestProtection',
      on: {
        // A re-protection after a stop move keeps the moved stop (heldLevels) and returns to the state that set it.
        'venue.protectionSet': [
          { guard: 'isTrailing', target: 'trailing', actions: ['resetProtectionAttempts', { type: 'notify', params: { kind: 'protected', severity: 'info' } }] },
          { guard: 'isBreakEven', target: 'breakEven', actions: ['resetProtectionAttempts', { type: 'notify', params: { kind: 'protected', severity: 'info' } }] },
          { target: 'protected', actions: ['resetProtectionAttempts', { type: 'notify', params: { kind: 'protected', severity: 'info' } }] },
        ],
        'venue.protectionFailed': [
          {
            guard: 'canRetryProtection',
            target: 'protecting',
            reenter: true,
            actions: { type: 'notify', params: { kind: 'protectionFailed', severity: 'warning' } },
          },
          // N failures: an unprotected position is not kept (flattened reduce-only).
          {
            target: `${LIFECYCLE}.flattening`,
            actions: { type: 'notify', params: { kind: 'protectionFailed', severity: 'critical' } },
          },
        ],
      },
    },
    protected: {
      description: 'The venue confirmed TP and SL; waiting for a strategy exit or for TP/SL to close the position.',
      // S0-12: a mark past the hedge trigger opens the other leg (marks against the position call for nothing else).
      on: { 'venue.positionChanged': partialStop, 'market.mark': [...onMark, { guard: 'isHedgeDue', target: 'hedging' }] },
    },
    hedging,
    protectingHedge,
    hedged,
    unhedging,
    laddering: {
      description: 'S0-9: a pyramid ladder step is with the venue (a market IOC add-on, or Step 4\'s leverage); TP/SL hold meanwhile.',
      entry: 'requestLadderStep',
      exit: 'clearQueryTimer',
      on: {
        'venue.positionChanged': partialStop,
        // Fills of the add-on count as entry fills (the parent's handler); the one that completes it ends the step.
        'venue.filled': { guard: 'completesAddOn', ...stepDone, actions: ['recordEntryFill', ...stepDone.actions] },
        'venue.rejected': addOnEnded,
        'venue.cancelled': addOnEnded,
        'venue.expired': addOnEnded,
        'venue.unknown': { guard: 'isPendingAddOnEvent', actions: 'queryExit' },
        'timer.queryRetry': requery,
        'venue.queryResult': [
          { guard: and(['isPendingAddOnEvent', 'isQueryNotFound']), ...stepBlocked },
          { guard: and(['isPendingAddOnEvent', 'isQueryClosedEmpty']), ...stepBlocked },
          { guard: 'isPendingAddOnEvent', actions: 'clearQueryTimer' },
        ],
        'venue.leverageSet': [{ guard: 'isLeverageConfirmed', ...stepDone }, stepBlocked],
      },
    },
    movingStop: {
      description: 'S0-11/S0-13: a stop move (break-even or trailer) was asked of the venue; the old stop holds until it confirms.',
      entry: 'requestStopMove',
      on: {
        'venue.positionChanged': partialStop,
        'venue.protectionSet': [
          { guard: 'movesToTrailing', target: 'trailing', actions: ['commitStopMove', { type: 'notify', params: { kind: 'stopMoved', severity: 'info' } }] },
          { target: 'breakEven', actions: ['commitStopMove', { type: 'notify', params: { kind: 'stopMoved', severity: 'info' } }] },
        ],
        // Refused: the previous stop is still the venue's; the next mark that calls for a move asks again.
        'venue.protectionFailed': [
          { guard: 'isTrailing', target: 'trailing', actions: ['dropStopMove', moveFailed] },
          { guard: 'isBreakEven', target: 'breakEven', actions: ['dropStopMove', moveFailed] },
          { target: 'protected', actions: ['dropStopMove', moveFailed] },
        ],
      },
    },
    breakEven: {
      description: 'S0-11: the stop sits at break-even (OEP plus the offset), applied once; only the trailer moves it from here.',
      on: { 'venue.positionChanged': partialStop, 'market.mark': onMark },
    },
    trailing: {
      description: 'S0-13: the trailer holds the stop behind the best price; from here only the trailer moves it, only forward.',
      on: { 'venue.positionChanged': partialStop, 'market.mark': onMark },
    },
  },
});

export const closing = tradeSetup.createStateConfig({
  description: 'CLOSING: a reduce-only exit for the open quantity was sent; exit fills loop here until the position is flat.',
  entry: { type: 'submitExit', params: { kind: 'exit' } },
  exit: 'clearQueryTimer',
  on: {
    'venue.filled': exitFill('exit'),
    'venue.positionChanged': venueFlat,
    'recovery.positionReplaced': replaced,
    // The exit did not happen: go back and re-assert protection for what is still open.
    'venue.rejected': {
      guard: 'isExitEvent',
      target: PROTECTING,
      actions: ['resetProtectionAttempts', { type: 'notify', params: { kind: 'exitRejected', severity: 'warning' } }],
    },
    'venue.cancelled': { guard: 'isExitEvent', target: PROTECTING, actions: 'resetProtectionAttempts' },
    'venue.expired': { guard: 'isExitEvent', target: PROTECTING, actions: 'resetProtectionAttempts' },
    // Unknown is not rejected: ask the venue by client order id until it answers (X-REC-6).
    'venue.unknown': queryExit,
    'timer.queryRetry': requery,
    'venue.queryResult': [
      { guard: and(['isExitEvent', 'isQueryNotFound']), target: PROTECTING, actions: ['clearQueryTimer', 'resetProtectionAttempts'] },
      { guard: 'isExitEvent', actions: 'clearQueryTimer' },
    ],
  },
});

export const flattening = tradeSetup.createStateConfig({
  description: 'Protection failed N times (or KILL with flatten): a reduce-only market order closes the position.',
  entry: ['announceFlatten', { type: 'submitExit', params: { kind: 'flatten' } }],
  exit: 'clearQueryTimer',
  on: {
    'venue.filled': exitFill('flatten'),
    'venue.positionChanged': venueFlat,
    'recovery.positionReplaced': replaced,
    // An IOC remainder expired, or the venue proved the order absent: send a new one for what is still open.
    'venue.cancelled': { guard: 'isExitEvent', target: 'flattening', reenter: true },
    'venue.expired': { guard: 'isExitEvent', target: 'flattening', reenter: true },
    'venue.rejected': { guard: 'isExitEvent', actions: { type: 'notify', params: { kind: 'exitRejected', severity: 'critical' } } },
    'venue.unknown': queryExit,
    'timer.queryRetry': requery,
    'venue.queryResult': [
      { guard: and(['isExitEvent', 'isQueryNotFound']), target: 'flattening', reenter: true },
      { guard: 'isExitEvent', actions: 'clearQueryTimer' },
    ],
  },
});

export const closed = tradeSetup.createStateConfig({
  description: 'CLOSED: the position is flat and the cycle is accounted (position.closed emitted).',
  initial: 'settling',
  states: {
    ...closedHedgeStates,
    cooldown: {
      description: 'Cooldown before the next entry; the host delivers timer.cooldownDone at the stored deadline.',
      // Accounted here, once nothing of the cycle is open (its hedge leg included, S0-12).
      entry: ['reportPositionClosed', { type: 'notify', params: { kind: 'positionClosed', severity: 'info' } }],
      on: { 'timer.cooldownDone': { target: `${LIFECYCLE}.idle`, actions: 'resetCycle' } },
    },
  },
});
