/**
 * The bounded model of the connection chart for path generation with `xstate/graph`: a private and a public input,
 * the event payload set and a state serializer that keeps traversal finite. No logic.
 */
import type { SnapshotFrom } from 'xstate';
import type { connectionMachine } from './connectionMachine.ts';
import type { ConnectionEvent, ConnectionInput } from './connectionTypes.ts';

/** A public (market data) stream input. */
export const modelInput: ConnectionInput = {
  name: 'sim:public', symbols: ['BTCUSDT', 'ETHUSDT'], requiresAuth: false, pingIntervalMs: 20_000, pongTimeoutMs: 10_000, staleAfterMs: 5_000, connectTimeoutMs: 10_000,
};
/** A private (account) stream input: authenticates and reconciles instead of fetching a book. */
export const modelPrivateInput: ConnectionInput = { ...modelInput, name: 'sim:private', requiresAuth: true };

/** Every event payload path generation uses (payload-less events are listed too; see api-notes §2). */
export const modelEvents: ReadonlyArray<ConnectionEvent> = [
  { type: 'command.connect', at: 1 },
  { type: 'command.disconnect', at: 1 },
  { type: 'stream.opened', at: 2 },
  { type: 'stream.closed', reason: '1006', at: 3 },
  { type: 'stream.error', message: 'ECONNRESET', at: 3 },
  { type: 'stream.authenticated', at: 3 },
  { type: 'stream.authRejected', message: 'invalid api key', at: 3 },
  { type: 'stream.subscribed', at: 4 },
  { type: 'stream.subscribeRejected', message: 'bad topic', at: 4 },
  { type: 'stream.data', at: 5 },
  { type: 'stream.pong', at: 5 },
  { type: 'stream.gap', symbol: 'BTCUSDT', expected: '105', received: '106', at: 5 },
  { type: 'venue.snapshotApplied', at: 6 },
  { type: 'venue.snapshotFailed', message: '503', at: 6 },
  { type: 'timer.connectTimeout', at: 10_001 },
  { type: 'timer.ping', at: 20_000 },
  { type: 'timer.pongTimeout', at: 30_000 },
  { type: 'timer.stale', at: 5_005 },
  { type: 'timer.reconnect', at: 40_000 },
];

/** Returns the graph identity of a connection snapshot: its state plus the bounded fields that change its behaviour. */
export const serializeForGraph = (s: SnapshotFrom<typeof connectionMachine>): string =>
  JSON.stringify([s.value, s.context.wasLive, s.context.pongDeadline !== null, Math.min(s.context.attempt, 2)]);

/** A coarse identity (the state value only) for simple-path generation, which grows factorially with states. */
export const serializeValueForGraph = (s: SnapshotFrom<typeof connectionMachine>): string => JSON.stringify(s.value);
