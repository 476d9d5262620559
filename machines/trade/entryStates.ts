/**
 * The entry half of the trade chart's lifecycle: idle → submitting → (querying) → working → (cancelling), until a
 * real fill opens the position or the entry ends with nothing filled. State configs only; logic lives in tradeSetup.
 */
import { and, not, or, stateIn } from 'xstate';
import { tradeSetup } from './tradeSetup.ts';

/** Absolute id prefix of the lifecycle region's states. */
export const LIFECYCLE = '#trade.lifecycle';
const OPENED = `${LIFECYCLE}.opened`;
const IDLE = `${LIFECYCLE}.idle`;
const CLOSED = `${LIFECYCLE}.closed`;

// An entry fill either completes the entry (→ opened), or is a partial fill that loops in `partial`
// (undefined = stay); replays and empty fills change nothing. A fill that completes a part of a split entry (S0-16)
// sends the next part when entries may be sent (`nextPart`), else the entry ends with what it filled.
const opening = { type: 'notify' as const, params: { kind: 'positionOpened' as const, severity: 'info' as const } };
const partDone = { guard: 'completesPart' as const, target: OPENED, actions: ['recordEntryFill' as const, 'markEntryDone' as const, opening] };
const entryFill = (partial: string | undefined, nextPart = true) => [
  ...(nextPart
    ? [{
        guard: and(['completesPart', stateIn('#trade.control.running'), stateIn('#trade.entries.allowed'), not('isFlattenRequested')]),
        target: `${LIFECYCLE}.submitting`,
        reenter: true,
        actions: ['recordEntryFill' as const, 'protectPartialEntry' as const, 'nextEntryPart' as const],
      }]
    : []),
  partDone,
  { guard: 'completesEntry' as const, target: OPENED, actions: ['recordEntryFill' as const, opening] },
  { guard: 'isNewEntryFill' as const, target: partial, actions: ['recordEntryFill' as const, 'protectPartialEntry' as const] },
];

// The entry order closed at the venue (cancel or expiry): with fills we hold a position, without we are done — unless
// the venue already closed what the entry filled (see `working`), which ends the cycle.
const entryClosed = [
  { guard: and(['isEntryEvent', 'hasEntryFill', 'isVenueClosed']), target: CLOSED, actions: 'markEntryDone' as const },
  { guard: and(['isEntryEvent', 'hasEntryFill']), target: OPENED, actions: ['markEntryDone' as const, opening] },
  {
    guard: 'isEntryEvent' as const,
    target: IDLE,
    actions: [
      'markEntryDone' as const,
      { type: 'notify' as const, params: { kind: 'entryCancelled' as const, severity: 'info' as const } },
      { type: 'recordOutcome' as const, params: { outcome: 'cancelled' } },
    ],
  },
];

// Submitting: the venue cannot have closed the position yet (that ends in cancelling), so two outcomes remain.
const entryClosedSubmitting = [entryClosed[1], entryClosed[2]];

// A refused entry order ends the entry: with nothing filled the cycle is over; after earlier parts of a split entry
// filled (S0-16), the position is what they filled.
const entryRejected = [
  { guard: and(['isEntryEvent', 'hasEntryFill']), target: OPENED, actions: ['markEntryDone' as const, opening] },
  {
    guard: 'isEntryEvent' as const,
    target: IDLE,
    actions: [
      'markEntryDone' as const,
      { type: 'notify' as const, params: { kind: 'entryRejected' as const, severity: 'warning' as const } },
      { type: 'recordOutcome' as const, params: { outcome: 'rejected' } },
    ],
  },
];

// While the entry is being withdrawn because the venue's TP/SL closed what filled (`venueClosed`), a refusal of the
// part or re-price still out leaves nothing: the cycle ends instead of opening a position of zero.
const entryRejectedAfterVenueClose = [
  { guard: and(['isEntryEvent', 'hasEntryFill', 'isVenueClosed']), target: CLOSED, actions: 'markEntryDone' as const },
  ...entryRejected,
];

// A post-only rejection re-prices one step and resends under a new id (at most N times); any other rejection, or the
// last allowed attempt, ends the entry. Bybit may report it before or after the ack, so submitting and working share it.
const repriceOrReject = [
  {
    guard: 'canReprice' as const,
    target: `${LIFECYCLE}.submitting`,
    reenter: true,
    actions: ['repriceEntry' as const, { type: 'notify' as const, params: { kind: 'entryRepriced' as const, severity: 'info' as const } }],
  },
  ...entryRejected,
];

// KILL while an entry may be live: cancel it (by client order id, safe even before the ack) and keep going.
const killEntry = { target: `${LIFECYCLE}.cancelling`, actions: ['recordHalt' as const, 'requestEntryCancel' as const] };
const toQuerying = { guard: 'isEntryEvent' as const, target: `${LIFECYCLE}.querying` };

// The venue closed the filled part of the entry (its TP/SL triggered) while the rest still rests: withdraw the rest;
// the cycle closes once the entry is gone (`entryClosed`). The venue's own fills are counted.
const closedWhileResting = {
  guard: and(['isVenueFlat', 'hasEntryFill']),
  target: `${LIFECYCLE}.cancelling`,
  actions: ['recordVenueClose' as const, 'recordExternalFills' as const, 'requestEntryCancel' as const],
};

// X-ORD-6 while a split entry is still going out (S0-16): a venue-side TP/SL closed part of what the earlier parts
// filled and cleared the stops. The trigger already decided to exit: the rest of the entry is withdrawn and, once it
// is gone, the remainder is flattened reduce-only (OPENED → flattening). The venue's own fills are counted.
const partialStopWhileEntering = {
  guard: and(['hasEntryFill', 'isPartialStop', 'hasExternalFills']),
  target: `${LIFECYCLE}.cancelling`,
  actions: [
    'recordExternalFills' as const,
    'requestFlatten' as const,
    'requestEntryCancel' as const,
    { type: 'notify' as const, params: { kind: 'positionUnprotected' as const, severity: 'critical' as const } },
  ],
};

export const idle = tradeSetup.createStateConfig({
  description: 'No entry in flight and no position. Accepts an approved intent when trading runs and entries are allowed.',
  on: {
    'command.open': [
      { guard: 'canOpen', target: 'submitting', actions: ['resetCycle', 'startEntry'] },
      {
        actions: [
          { type: 'notify', params: { kind: 'entryBlocked', severity: 'warning' } },
          { type: 'recordOutcome', params: { outcome: 'blocked' } },
        ],
      },
    ],
    // A fill that raced the entry's cancel (or expiry) ack: the position is real and must be protected.
    'venue.filled': [{ guard: 'isNewEntryFill', target: OPENED, actions: ['recordEntryFill', opening] }],
  },
});

export const submitting = tradeSetup.createStateConfig({
  description: 'Entry order sent, waiting for the venue ack; the ack deadline is armed. Post-only rejections re-price here.',
  entry: 'submitEntry',
  exit: 'clearAckTimer',
  on: {
    'venue.accepted': {
      guard: 'isEntryEvent',
      target: 'working',
      actions: [{ type: 'notify', params: { kind: 'entryAccepted', severity: 'info' } }],
    },
    'venue.rejected': repriceOrReject,
    'venue.filled': entryFill(`${LIFECYCLE}.working`),
    // A later part of a split entry (S0-16) may close with the earlier parts' position open.
    'venue.cancelled': entryClosedSubmitting,
    'venue.expired': entryClosedSubmitting,
    // The venue closed what earlier parts filled (their TP/SL) while the next part is on its way: withdraw it.
    'venue.positionChanged': [closedWhileResting, partialStopWhileEntering],
    // Unknown is not rejected: ask the venue by client order id, never send again blindly (X-REC-6).
    'venue.unknown': toQuerying,
    'timer.ackTimeout': toQuerying,
    'command.cancelEntry': { target: 'cancelling', actions: 'requestEntryCancel' },
    'operator.kill': killEntry,
    'runtime.defect': killEntry,
  },
});

export const querying = tradeSetup.createStateConfig({
  description: 'RECONCILING: the entry outcome is unknown (timeout or transport error); the order is queried by client order id until settled.',
  entry: 'requestQuery',
  exit: 'clearQueryTimer',
  on: {
    'venue.queryResult': [
      // A later part of a split entry (S0-16) the venue does not have, or closed empty: the position is what filled.
      // The venue already closed what filled (its TP/SL, while the entry was being withdrawn): the cycle ends.
      { guard: and(['isEntryEvent', 'hasEntryFill', 'isVenueClosed', or(['isQueryNotFound', 'isQueryClosedEmpty'])]), target: CLOSED, actions: ['markEntryDone'] },
      { guard: and(['isEntryEvent', 'hasEntryFill', 'isQueryNotFound']), target: OPENED, actions: ['markEntryDone', opening] },
      { guard: and(['isEntryEvent', 'hasEntryFill', 'isQueryClosedEmpty']), target: OPENED, actions: ['markEntryDone', opening] },
      {
        guard: and(['isEntryEvent', 'isQueryNotFound']),
        target: 'idle',
        actions: ['markEntryDone', { type: 'notify', params: { kind: 'entryRejected', severity: 'warning' } }, { type: 'recordOutcome', params: { outcome: 'notFound' } }],
      },
      {
        guard: and(['isEntryEvent', 'isQueryClosedEmpty']),
        target: 'idle',
        actions: ['markEntryDone', { type: 'recordOutcome', params: { outcome: 'cancelled' } }],
      },
      // Halted, or a partial venue stop wants the position closed (X-ORD-6): an entry still live is withdrawn.
      { guard: and(['isEntryEvent', 'mustWithdrawEntry', not('isQueryClosed')]), target: 'cancelling', actions: ['requestEntryCancel'] },
      // Closed with fills: the position exists; its fills (trade ids, prices) arrive on the stream or from the reconciler.
      { guard: and(['isEntryEvent', 'isQueryClosed']), target: 'working', actions: ['markEntryDone'] },
      { guard: 'isEntryEvent', target: 'working' },
    ],
    'venue.accepted': [
      { guard: and(['isEntryEvent', 'mustWithdrawEntry']), target: 'cancelling', actions: ['requestEntryCancel'] },
      { guard: 'isEntryEvent', target: 'working' },
    ],
    'venue.rejected': entryRejectedAfterVenueClose,
    'venue.filled': entryFill(`${LIFECYCLE}.working`),
    'venue.cancelled': entryClosed,
    'venue.expired': entryClosed,
    'timer.queryRetry': { target: 'querying', reenter: true },
    'venue.positionChanged': partialStopWhileEntering,
    'command.cancelEntry': { target: 'cancelling', actions: 'requestEntryCancel' },
    'operator.kill': killEntry,
    'runtime.defect': killEntry,
  },
});

export const working = tradeSetup.createStateConfig({
  description: 'Entry acknowledged and resting; partial fills loop here. OPENED only on the fill that completes the entry.',
  on: {
    'venue.filled': entryFill(undefined),
    // Bybit acknowledges a post-only create (retCode 0) and only then cancels it with EC_PostOnlyWillTakeLiquidity
    // on the stream, so the rejection can arrive after the ack: re-price as in `submitting`, or end the entry.
    'venue.rejected': repriceOrReject,
    'venue.cancelled': entryClosed,
    'venue.expired': entryClosed,
    'venue.positionChanged': [closedWhileResting, partialStopWhileEntering],
    // S0-7/S0-11: the filled part already reached the break-even trigger while the rest (the second leg) still rests:
    // the rest is withdrawn, so the position is managed as opened (break-even, trailing) instead of waiting for it.
    'market.mark': { guard: and(['hasEntryFill', 'isStopMoveDue']), target: 'cancelling', actions: 'requestEntryCancel' },
    'command.cancelEntry': { target: 'cancelling', actions: 'requestEntryCancel' },
    'operator.kill': killEntry,
    'runtime.defect': killEntry,
  },
});

export const cancelling = tradeSetup.createStateConfig({
  description: 'Cancel of the entry requested (strategy, ttl or KILL); fills racing the cancel still count.',
  on: {
    'venue.cancelled': entryClosed,
    'venue.expired': entryClosed,
    // A part that fills in full while the cancel is on its way ends the entry there: no further part is sent.
    'venue.filled': entryFill(undefined, false),
    'venue.rejected': entryRejectedAfterVenueClose,
    // Recovery found the entry still resting at the venue: the crash lost the cancel request, so it is asked again.
    'recovery.entryLive': { guard: 'isEntryEvent', actions: 'requestEntryCancel' },
    // The venue refused the cancel (already closed, or not known yet): only a query tells which.
    'venue.cancelRejected': toQuerying,
    'venue.unknown': toQuerying,
    'venue.positionChanged': [
      { guard: and(['isVenueFlat', 'hasEntryFill']), actions: ['recordVenueClose', 'recordExternalFills'] },
      // A partial venue-side stop while the entry is being withdrawn: flatten what is left once it is gone (X-ORD-6).
      { guard: and(['hasEntryFill', 'isPartialStop', 'hasExternalFills']), actions: ['recordExternalFills', 'requestFlatten', { type: 'notify', params: { kind: 'positionUnprotected', severity: 'critical' } }] },
    ],
    'operator.kill': { actions: 'recordHalt' },
    'runtime.defect': { actions: 'recordHalt' },
  },
});
