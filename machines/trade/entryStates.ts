/**
 * The entry half of the trade chart's lifecycle: idle → submitting → (querying) → working → (cancelling), until a
 * real fill opens the position or the entry ends with nothing filled. State configs only; logic lives in tradeSetup.
 */
import { and, not } from 'xstate';
import { tradeSetup } from './tradeSetup.ts';

/** Absolute id prefix of the lifecycle region's states. */
export const LIFECYCLE = '#trade.lifecycle';
const OPENED = `${LIFECYCLE}.opened`;
const IDLE = `${LIFECYCLE}.idle`;
const CLOSED = `${LIFECYCLE}.closed`;

// An entry fill either completes the entry (→ opened), or is a partial fill that loops in `partial`
// (undefined = stay); replays and empty fills change nothing.
const opening = { type: 'notify' as const, params: { kind: 'positionOpened' as const, severity: 'info' as const } };
const entryFill = (partial: string | undefined) => [
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

// Before the first fill (submitting re-starts for every attempt): a closed entry simply ends the cycle.
const entryClosedEmpty = entryClosed[2];

const entryRejected = {
  guard: 'isEntryEvent' as const,
  target: IDLE,
  actions: [
    'markEntryDone' as const,
    { type: 'notify' as const, params: { kind: 'entryRejected' as const, severity: 'warning' as const } },
    { type: 'recordOutcome' as const, params: { outcome: 'rejected' } },
  ],
};

// A post-only rejection re-prices one step and resends under a new id (at most N times); any other rejection, or the
// last allowed attempt, ends the entry. Bybit may report it before or after the ack, so submitting and working share it.
const repriceOrReject = [
  {
    guard: 'canReprice' as const,
    target: `${LIFECYCLE}.submitting`,
    reenter: true,
    actions: ['repriceEntry' as const, { type: 'notify' as const, params: { kind: 'entryRepriced' as const, severity: 'info' as const } }],
  },
  entryRejected,
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
    'venue.cancelled': entryClosedEmpty,
    'venue.expired': entryClosedEmpty,
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
      { guard: and(['isEntryEvent', 'isHalted', not('isQueryClosed')]), target: 'cancelling', actions: ['requestEntryCancel'] },
      // Closed with fills: the position exists; its fills (trade ids, prices) arrive on the stream or from the reconciler.
      { guard: and(['isEntryEvent', 'isQueryClosed']), target: 'working', actions: ['markEntryDone'] },
      { guard: 'isEntryEvent', target: 'working' },
    ],
    'venue.accepted': [
      { guard: and(['isEntryEvent', 'isHalted']), target: 'cancelling', actions: ['requestEntryCancel'] },
      { guard: 'isEntryEvent', target: 'working' },
    ],
    'venue.rejected': entryRejected,
    'venue.filled': entryFill(`${LIFECYCLE}.working`),
    'venue.cancelled': entryClosed,
    'venue.expired': entryClosed,
    'timer.queryRetry': { target: 'querying', reenter: true },
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
    'venue.positionChanged': closedWhileResting,
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
    'venue.filled': entryFill(undefined),
    'venue.rejected': entryRejected,
    // The venue refused the cancel (already closed, or not known yet): only a query tells which.
    'venue.cancelRejected': toQuerying,
    'venue.unknown': toQuerying,
    'venue.positionChanged': { guard: and(['isVenueFlat', 'hasEntryFill']), actions: ['recordVenueClose', 'recordExternalFills'] },
    'operator.kill': { actions: 'recordHalt' },
    'runtime.defect': { actions: 'recordHalt' },
  },
});
