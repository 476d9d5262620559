/**
 * The connection chart, one actor per venue stream: connect → authenticate (private) → subscribe → sync → live, with
 * gap resync, stale-data watchdog, heartbeat and full-jitter reconnects. Pure: sockets, REST snapshots and timers
 * are typed emitted intents performed by the host; trading for the stream's symbols is allowed only in `live`.
 */
import { assign, emit, enqueueActions, setup, type SnapshotFrom } from 'xstate';
import type { ConnectionContext, ConnectionEmitted, ConnectionEvent, ConnectionInput, PauseReason } from './connectionTypes.ts';

/** Version of this chart, stored next to every persisted snapshot; bump it whenever states or context change. */
export const CONNECTION_MACHINE_VERSION = 'connection@1';

const pauseReasonOf = (e: ConnectionEvent): PauseReason =>
  e.type === 'stream.gap' ? 'gap' : e.type === 'timer.stale' ? 'stale' : e.type === 'command.disconnect' ? 'stopped' : 'disconnected';

const errorOf = (e: ConnectionEvent): string => {
  switch (e.type) {
    case 'stream.closed':
      return `closed: ${e.reason}`;
    case 'stream.error':
    case 'stream.authRejected':
    case 'stream.subscribeRejected':
    case 'venue.snapshotFailed':
      return `${e.type}: ${e.message}`;
    default:
      return e.type;
  }
};

const RECONNECTING = '#connection.reconnecting';

/** The connection chart; create it with a `ConnectionInput` per venue stream. */
export const connectionMachine = setup({
  types: { context: {} as ConnectionContext, events: {} as ConnectionEvent, input: {} as ConnectionInput, emitted: {} as ConnectionEmitted },
  guards: {
    requiresAuth: ({ context }) => context.requiresAuth,
  },
  actions: {
    openSocket: enqueueActions(({ context, event, enqueue }) => {
      enqueue.emit({ type: 'socket.open', name: context.name, attempt: context.attempt });
      enqueue.emit({ type: 'timer.set', name: 'connectTimeout', at: event.at + context.connectTimeoutMs });
    }),
    clearConnectTimeout: emit({ type: 'timer.clear', name: 'connectTimeout' }),
    closeSocket: emit(({ context, event }) => ({ type: 'socket.close' as const, name: context.name, reason: errorOf(event) })),
    sendAuth: emit(({ context }) => ({ type: 'socket.send' as const, name: context.name, frame: 'auth' as const })),
    sendSubscribe: emit(({ context }) => ({ type: 'socket.send' as const, name: context.name, frame: 'subscribe' as const })),
    armPing: emit(({ context, event }) => ({ type: 'timer.set' as const, name: 'ping' as const, at: event.at + context.pingIntervalMs })),
    // One heartbeat: send the ping, expect the pong by the deadline, and schedule the next ping.
    sendPing: enqueueActions(({ context, event, enqueue }) => {
      const deadline = context.pongDeadline ?? event.at + context.pongTimeoutMs;
      enqueue.assign({ pongDeadline: deadline });
      enqueue.emit({ type: 'socket.send', name: context.name, frame: 'ping' });
      enqueue.emit({ type: 'timer.set', name: 'pongTimeout', at: deadline });
      enqueue.emit({ type: 'timer.set', name: 'ping', at: event.at + context.pingIntervalMs });
    }),
    clearPongTimeout: enqueueActions(({ enqueue }) => {
      enqueue.assign({ pongDeadline: null });
      enqueue.emit({ type: 'timer.clear', name: 'pongTimeout' });
    }),
    clearHeartbeat: enqueueActions(({ enqueue }) => {
      enqueue.assign({ pongDeadline: null });
      enqueue.emit({ type: 'timer.clear', name: 'ping' });
      enqueue.emit({ type: 'timer.clear', name: 'pongTimeout' });
    }),
    armStale: emit(({ context, event }) => ({ type: 'timer.set' as const, name: 'stale' as const, at: event.at + context.staleAfterMs })),
    clearStale: emit({ type: 'timer.clear', name: 'stale' }),
    // Public streams fetch a REST book snapshot; private streams reconcile orders, positions and exits (X-WS-3).
    requestSync: enqueueActions(({ context, enqueue }) => {
      if (context.requiresAuth) enqueue.emit({ type: 'reconcile.request', name: context.name, reason: context.wasLive ? 'reconnect' : 'start' });
      else enqueue.emit({ type: 'snapshot.fetch', name: context.name, symbols: context.symbols });
    }),
    resumeMarket: emit(({ context }) => ({ type: 'market.resumed' as const, name: context.name, symbols: context.symbols })),
    pauseMarket: emit(({ context, event }) => ({ type: 'market.paused' as const, name: context.name, symbols: context.symbols, reason: pauseReasonOf(event) })),
    markLive: assign({ attempt: 0, wasLive: true, lastError: null }),
    scheduleReconnect: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ attempt: context.attempt + 1 });
      enqueue.emit({ type: 'timer.set', name: 'reconnect', attempt: context.attempt + 1 });
    }),
    clearReconnect: emit({ type: 'timer.clear', name: 'reconnect' }),
    recordError: assign({ lastError: ({ event }) => errorOf(event) }),
    recordGap: assign(({ event }) =>
      event.type === 'stream.gap' ? { lastGap: { symbol: event.symbol, expected: event.expected, received: event.received } } : {},
    ),
  },
}).createMachine({
  id: 'connection',
  description: 'One venue stream: connect, authenticate, subscribe, sync, live; gaps resync, silence and errors reconnect.',
  context: ({ input }) => ({ ...input, attempt: 0, wasLive: false, pongDeadline: null, lastGap: null, lastError: null }),
  initial: 'disconnected',
  states: {
    disconnected: {
      description: 'No socket. Trading for the stream\'s symbols is paused.',
      on: { 'command.connect': 'connecting' },
    },
    connecting: {
      description: 'Socket requested; waiting for it to open before the connect deadline.',
      entry: 'openSocket',
      exit: 'clearConnectTimeout',
      on: {
        'stream.opened': [{ guard: 'requiresAuth', target: 'open.authenticating' }, { target: 'open.subscribing' }],
        'stream.closed': { target: 'reconnecting', actions: 'recordError' },
        'stream.error': { target: 'reconnecting', actions: 'recordError' },
        'timer.connectTimeout': { target: 'reconnecting', actions: 'recordError' },
        'command.disconnect': { target: 'disconnected', actions: 'closeSocket' },
      },
    },
    open: {
      description: 'The socket is open; the heartbeat runs in every sub-state (ping every interval, pong by the deadline).',
      entry: 'armPing',
      exit: 'clearHeartbeat',
      initial: 'subscribing',
      on: {
        'timer.ping': { actions: 'sendPing' },
        'stream.pong': { actions: 'clearPongTimeout' },
        'timer.pongTimeout': { target: 'reconnecting', actions: 'recordError' },
        'stream.closed': { target: 'reconnecting', actions: 'recordError' },
        'stream.error': { target: 'reconnecting', actions: 'recordError' },
        'command.disconnect': { target: 'disconnected', actions: 'closeSocket' },
      },
      states: {
        authenticating: {
          description: 'Private stream only: the auth frame was sent; waiting for the venue to accept it.',
          entry: 'sendAuth',
          on: {
            'stream.authenticated': 'subscribing',
            // Bad credentials do not get better by retrying: stop and wait for the operator (AuthError halts).
            'stream.authRejected': { target: '#connection.failed', actions: ['recordError', 'closeSocket'] },
          },
        },
        subscribing: {
          description: 'Subscribe frames for every topic were sent; waiting for the confirmation.',
          entry: 'sendSubscribe',
          on: {
            'stream.subscribed': 'syncing',
            'stream.subscribeRejected': { target: RECONNECTING, actions: 'recordError' },
          },
        },
        syncing: {
          description: 'Deltas are buffered while the REST snapshot (public) or the reconcile (private) runs.',
          entry: 'requestSync',
          on: {
            'venue.snapshotApplied': 'live',
            'venue.snapshotFailed': { target: RECONNECTING, actions: 'recordError' },
            'stream.gap': { target: 'syncing', reenter: true, actions: 'recordGap' },
          },
        },
        live: {
          description: 'LIVE: in sequence and fresh. The only state in which trading for the stream\'s symbols is allowed.',
          entry: ['markLive', 'resumeMarket', 'armStale'],
          exit: ['pauseMarket', 'clearStale'],
          on: {
            'stream.gap': { target: 'resyncing', actions: 'recordGap' },
            'timer.stale': 'stale',
          },
        },
        stale: {
          description: 'No data within the watchdog window: trading paused until data flows again; a second expiry reconnects.',
          entry: 'armStale',
          exit: 'clearStale',
          on: {
            'stream.data': 'live',
            'stream.gap': { target: 'resyncing', actions: 'recordGap' },
            'timer.stale': { target: RECONNECTING, actions: 'recordError' },
          },
        },
        resyncing: {
          description: 'A sequence gap paused the symbols (market.paused); a fresh snapshot is fetched and newer deltas replayed.',
          entry: 'requestSync',
          on: {
            'venue.snapshotApplied': 'live',
            'venue.snapshotFailed': { target: RECONNECTING, actions: 'recordError' },
            'stream.gap': { target: 'resyncing', reenter: true, actions: 'recordGap' },
          },
        },
      },
    },
    reconnecting: {
      description: 'Socket closed; waiting out the full-jitter backoff the host draws for this attempt.',
      entry: ['closeSocket', 'scheduleReconnect'],
      on: {
        'timer.reconnect': 'connecting',
        'command.disconnect': { target: 'disconnected', actions: 'clearReconnect' },
      },
    },
    failed: {
      description: 'Authentication was refused; no automatic retries until an operator reconnects.',
      on: { 'command.connect': 'connecting', 'command.disconnect': 'disconnected' },
    },
  },
});

/** A connection chart snapshot. */
export type ConnectionSnapshot = SnapshotFrom<typeof connectionMachine>;

/** Returns whether trading for the stream's symbols is allowed in this snapshot: only when live (X-WS-5). */
export const isTradingAllowed = (snapshot: ConnectionSnapshot): boolean => snapshot.matches({ open: 'live' });
