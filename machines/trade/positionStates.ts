/**
 * The position half of the trade chart's lifecycle: opened (protecting → protected) → closing | flattening → closed
 * (cooldown) → idle. Protection is requested only inside `opened`. State configs only; logic lives in tradeSetup.
 */
import { and } from 'xstate';
import { LIFECYCLE } from './entryStates.ts';
import { tradeSetup } from './tradeSetup.ts';

const CLOSED = `${LIFECYCLE}.closed`;
const PROTECTING = `${LIFECYCLE}.opened.protecting`;

// Exit fills: the one that leaves the position flat closes it; earlier ones accumulate. A late entry fill still counts.
const exitFill = [
  { guard: 'flattensPosition' as const, target: CLOSED, actions: ['routeToOrder' as const, 'recordExitFill' as const, 'recordPositionClosed' as const] },
  { guard: 'isNewExitFill' as const, actions: ['routeToOrder' as const, 'recordExitFill' as const] },
  { guard: 'isNewEntryFill' as const, actions: ['routeToOrder' as const, 'recordEntryFill' as const] },
  { guard: 'isExitEvent' as const, actions: 'routeToOrder' as const },
];

const positionClosed = { target: CLOSED, actions: 'recordPositionClosed' as const };
const queryExit = { guard: 'isExitEvent' as const, actions: ['routeToOrder' as const, 'queryOrder' as const] };

export const opened = tradeSetup.createStateConfig({
  description: 'OPENED: a real fill (qty > 0) created the position; the first fill price (OEP) is fixed. Protection is placed here.',
  // A KILL with flatten (or a flatten requested before the position opened) closes the position reduce-only.
  always: { guard: 'isFlattenRequested', target: `${LIFECYCLE}.flattening` },
  initial: 'protecting',
  on: {
    'venue.filled': [
      { guard: 'isNewEntryFill', actions: ['routeToOrder', 'recordEntryFill'] },
      { guard: 'isEntryEvent', actions: 'routeToOrder' },
    ],
    'venue.cancelled': { guard: 'isEntryEvent', actions: ['routeToOrder', 'markEntryDone'] },
    'venue.positionClosed': positionClosed,
    'command.close': { target: `${LIFECYCLE}.closing` },
  },
  states: {
    protecting: {
      description: 'TPSL: take-profit and stop-loss requested at the venue from the OEP; waiting for the venue to confirm.',
      entry: 'requestProtection',
      on: {
        'venue.protectionSet': {
          target: 'protected',
          actions: ['resetProtectionAttempts', { type: 'notify', params: { kind: 'protected', severity: 'info' } }],
        },
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
    },
  },
});

export const closing = tradeSetup.createStateConfig({
  description: 'CLOSING: a reduce-only exit for the open quantity was sent; exit fills loop here until the position is flat.',
  entry: { type: 'submitExit', params: { kind: 'exit' } },
  on: {
    'venue.filled': exitFill,
    'venue.positionClosed': positionClosed,
    // The exit did not happen: go back and re-assert protection for what is still open.
    'venue.rejected': {
      guard: 'isExitEvent',
      target: PROTECTING,
      actions: ['routeToOrder', 'resetProtectionAttempts', { type: 'notify', params: { kind: 'exitRejected', severity: 'warning' } }],
    },
    'venue.cancelled': { guard: 'isExitEvent', target: PROTECTING, actions: ['routeToOrder', 'resetProtectionAttempts'] },
    'venue.expired': { guard: 'isExitEvent', target: PROTECTING, actions: ['routeToOrder', 'resetProtectionAttempts'] },
    'venue.unknown': queryExit,
    'venue.queryResult': [
      { guard: and(['isExitEvent', 'isQueryNotFound']), target: PROTECTING, actions: ['routeToOrder', 'resetProtectionAttempts'] },
      { guard: 'isExitEvent', actions: 'routeToOrder' },
    ],
  },
});

export const flattening = tradeSetup.createStateConfig({
  description: 'Protection failed N times (or KILL with flatten): a reduce-only market order closes the position.',
  entry: [{ type: 'notify', params: { kind: 'flattening', severity: 'critical' } }, { type: 'submitExit', params: { kind: 'flatten' } }],
  on: {
    'venue.filled': exitFill,
    'venue.positionClosed': positionClosed,
    // An IOC remainder expired, or the venue proved the order absent: send a new one for what is still open.
    'venue.cancelled': { guard: 'isExitEvent', target: 'flattening', reenter: true, actions: 'routeToOrder' },
    'venue.expired': { guard: 'isExitEvent', target: 'flattening', reenter: true, actions: 'routeToOrder' },
    'venue.rejected': {
      guard: 'isExitEvent',
      actions: ['routeToOrder', { type: 'notify', params: { kind: 'exitRejected', severity: 'critical' } }],
    },
    'venue.unknown': queryExit,
    'venue.queryResult': [
      { guard: and(['isExitEvent', 'isQueryNotFound']), target: 'flattening', reenter: true, actions: 'routeToOrder' },
      { guard: 'isExitEvent', actions: 'routeToOrder' },
    ],
  },
});

export const closed = tradeSetup.createStateConfig({
  description: 'CLOSED: the position is flat and the cycle is accounted (position.closed emitted).',
  entry: ['reportPositionClosed', { type: 'notify', params: { kind: 'positionClosed', severity: 'info' } }],
  initial: 'cooldown',
  states: {
    cooldown: {
      description: 'Cooldown before the next entry; the host delivers timer.cooldownDone at the stored deadline.',
      on: { 'timer.cooldownDone': { target: `${LIFECYCLE}.idle`, actions: 'resetCycle' } },
    },
  },
});
