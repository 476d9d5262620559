/**
 * Transition table of the connection chart through pure `transition()` (next state, emitted intents, context), the
 * X-WS-5 invariant over every state, and snapshot round-trips. The table must exercise every transition.
 */
import { describe, expect, it } from 'vitest';
import { createActor, initialTransition, transition, type EventObject } from 'xstate';
import { CONNECTION_MACHINE_VERSION, connectionMachine, isTradingAllowed, type ConnectionSnapshot } from '../../machines/connection/connectionMachine.ts';
import type { ConnectionEvent, ConnectionInput } from '../../machines/connection/connectionTypes.ts';
import { modelEvents, modelInput as pub, modelPrivateInput as priv, serializeForGraph } from '../../machines/connection/model.ts';
import { allStateIds, allTransitionKeys, looseModel, restoreActor, runRow } from './support.ts';

const ev = <T extends ConnectionEvent['type']>(type: T, extra: Omit<Extract<ConnectionEvent, { type: T }>, 'type' | 'at'>, at = 100): ConnectionEvent =>
  ({ type, ...extra, at }) as ConnectionEvent;
const connect = ev('command.connect', {});
const disconnect = ev('command.disconnect', {});
const opened = ev('stream.opened', {});
const closed = ev('stream.closed', { reason: '1006' });
const error = ev('stream.error', { message: 'ECONNRESET' });
const authenticated = ev('stream.authenticated', {});
const authRejected = ev('stream.authRejected', { message: 'invalid key' });
const subscribed = ev('stream.subscribed', {});
const subscribeRejected = ev('stream.subscribeRejected', { message: 'bad topic' });
const data = ev('stream.data', {});
const pong = ev('stream.pong', {});
const gap = ev('stream.gap', { symbol: 'BTCUSDT', expected: '105', received: '106' });
const applied = ev('venue.snapshotApplied', {});
const failedSnapshot = ev('venue.snapshotFailed', { message: '503' });
const connectTimeout = ev('timer.connectTimeout', {});
const ping = ev('timer.ping', {}, 1000);
const pongTimeout = ev('timer.pongTimeout', {});
const stale = ev('timer.stale', {});
const reconnect = ev('timer.reconnect', {});

const CONNECTING = [connect];
const SYNCING = [connect, opened, subscribed];
const LIVE = [...SYNCING, applied];
const P_LIVE = [connect, opened, authenticated, subscribed, applied];

// A compact label per emitted intent, so rows read like the doc's table.
const label = (e: EventObject): string => {
  const r = e as { type: string; name?: string; frame?: string; reason?: string; attempt?: number };
  if (r.type === 'timer.set' || r.type === 'timer.clear') return `${r.type}:${r.name ?? ''}${r.attempt !== undefined ? `#${r.attempt}` : ''}`;
  if (r.type === 'socket.send') return `socket.send:${r.frame ?? ''}`;
  if (r.type === 'market.paused' || r.type === 'reconcile.request') return `${r.type}:${r.reason ?? ''}`;
  return r.type;
};

interface Row {
  readonly name: string;
  readonly input?: ConnectionInput;
  readonly reach: ReadonlyArray<ConnectionEvent>;
  readonly event: ConnectionEvent;
  readonly state: unknown;
  readonly emitted: ReadonlyArray<string>;
  readonly context?: Record<string, unknown>;
}

const toReconnect = (exitLabels: string[]): string[] => [...exitLabels, 'socket.close', 'timer.set:reconnect#1'];
const leaveOpen = ['timer.clear:ping', 'timer.clear:pongTimeout'];
const leaveLive = ['market.paused:disconnected', 'timer.clear:stale', ...leaveOpen];

const rows: Row[] = [
  { name: 'disconnected: connect opens the socket with a deadline', reach: [], event: connect, state: 'connecting', emitted: ['socket.open', 'timer.set:connectTimeout'] },
  { name: 'connecting: private stream authenticates first', input: priv, reach: CONNECTING, event: opened, state: { open: 'authenticating' }, emitted: ['timer.clear:connectTimeout', 'timer.set:ping', 'socket.send:auth'] },
  { name: 'connecting: public stream subscribes', reach: CONNECTING, event: opened, state: { open: 'subscribing' }, emitted: ['timer.clear:connectTimeout', 'timer.set:ping', 'socket.send:subscribe'] },
  { name: 'connecting: close → reconnect with backoff', reach: CONNECTING, event: closed, state: 'reconnecting', emitted: toReconnect(['timer.clear:connectTimeout']), context: { attempt: 1, lastError: 'closed: 1006' } },
  { name: 'connecting: error → reconnect', reach: CONNECTING, event: error, state: 'reconnecting', emitted: toReconnect(['timer.clear:connectTimeout']) },
  { name: 'connecting: deadline → reconnect', reach: CONNECTING, event: connectTimeout, state: 'reconnecting', emitted: toReconnect(['timer.clear:connectTimeout']) },
  { name: 'connecting: disconnect', reach: CONNECTING, event: disconnect, state: 'disconnected', emitted: ['timer.clear:connectTimeout', 'socket.close'] },
  { name: 'X-WS-1 open: ping timer sends a ping and arms the pong deadline', reach: LIVE, event: ping, state: { open: 'live' }, emitted: ['socket.send:ping', 'timer.set:pongTimeout', 'timer.set:ping'], context: { pongDeadline: 1000 + pub.pongTimeoutMs } },
  { name: 'open: pong clears the deadline', reach: [...LIVE, ping], event: pong, state: { open: 'live' }, emitted: ['timer.clear:pongTimeout'], context: { pongDeadline: null } },
  { name: 'X-WS-1 open: pong timeout → reconnect', reach: [...LIVE, ping], event: pongTimeout, state: 'reconnecting', emitted: toReconnect(leaveLive) },
  { name: 'open: socket closed → reconnect', reach: LIVE, event: closed, state: 'reconnecting', emitted: toReconnect(leaveLive) },
  { name: 'open: socket error → reconnect', reach: SYNCING, event: error, state: 'reconnecting', emitted: toReconnect(leaveOpen) },
  { name: 'open: disconnect pauses the market as stopped', reach: LIVE, event: disconnect, state: 'disconnected', emitted: ['market.paused:stopped', 'timer.clear:stale', ...leaveOpen, 'socket.close'] },
  { name: 'authenticating: accepted → subscribe', input: priv, reach: [connect, opened], event: authenticated, state: { open: 'subscribing' }, emitted: ['socket.send:subscribe'] },
  { name: 'authenticating: refused → failed, no retry', input: priv, reach: [connect, opened], event: authRejected, state: 'failed', emitted: [...leaveOpen, 'socket.close'], context: { lastError: 'stream.authRejected: invalid key' } },
  { name: 'subscribing: confirmed → public fetches a snapshot', reach: [connect, opened], event: subscribed, state: { open: 'syncing' }, emitted: ['snapshot.fetch'] },
  { name: 'subscribing: refused → reconnect', reach: [connect, opened], event: subscribeRejected, state: 'reconnecting', emitted: toReconnect(leaveOpen) },
  { name: 'syncing: snapshot applied → live, market resumed', reach: SYNCING, event: applied, state: { open: 'live' }, emitted: ['market.resumed', 'timer.set:stale'], context: { wasLive: true, attempt: 0 } },
  { name: 'syncing: snapshot failed → reconnect', reach: SYNCING, event: failedSnapshot, state: 'reconnecting', emitted: toReconnect(leaveOpen) },
  { name: 'syncing: gap restarts the sync', reach: SYNCING, event: gap, state: { open: 'syncing' }, emitted: ['snapshot.fetch'], context: { lastGap: { symbol: 'BTCUSDT', expected: '105', received: '106' } } },
  { name: 'X-WS-2 live: gap pauses the symbols and fetches a snapshot', reach: LIVE, event: gap, state: { open: 'resyncing' }, emitted: ['market.paused:gap', 'timer.clear:stale', 'snapshot.fetch'] },
  { name: 'live: no data → stale, market paused', reach: LIVE, event: stale, state: { open: 'stale' }, emitted: ['market.paused:stale', 'timer.clear:stale', 'timer.set:stale'] },
  { name: 'stale: data again → live, market resumed', reach: [...LIVE, stale], event: data, state: { open: 'live' }, emitted: ['timer.clear:stale', 'market.resumed', 'timer.set:stale'] },
  { name: 'stale: gap → resync', reach: [...LIVE, stale], event: gap, state: { open: 'resyncing' }, emitted: ['timer.clear:stale', 'snapshot.fetch'] },
  { name: 'stale: still no data → reconnect', reach: [...LIVE, stale], event: stale, state: 'reconnecting', emitted: toReconnect(['timer.clear:stale', ...leaveOpen]) },
  { name: 'X-WS-2 resyncing: snapshot applied → live, market resumed', reach: [...LIVE, gap], event: applied, state: { open: 'live' }, emitted: ['market.resumed', 'timer.set:stale'] },
  { name: 'resyncing: snapshot failed → reconnect', reach: [...LIVE, gap], event: failedSnapshot, state: 'reconnecting', emitted: toReconnect(leaveOpen) },
  { name: 'resyncing: another gap fetches again', reach: [...LIVE, gap], event: gap, state: { open: 'resyncing' }, emitted: ['snapshot.fetch'] },
  { name: 'reconnecting: backoff elapsed → connect again', reach: [connect, closed], event: reconnect, state: 'connecting', emitted: ['socket.open', 'timer.set:connectTimeout'], context: { attempt: 1 } },
  { name: 'reconnecting: disconnect cancels the backoff', reach: [connect, closed], event: disconnect, state: 'disconnected', emitted: ['timer.clear:reconnect'] },
  { name: 'failed: operator reconnects', input: priv, reach: [connect, opened, authRejected], event: connect, state: 'connecting', emitted: ['socket.open', 'timer.set:connectTimeout'] },
  { name: 'failed: disconnect', input: priv, reach: [connect, opened, authRejected], event: disconnect, state: 'disconnected', emitted: [] },
];

describe('connection chart transition table', () => {
  it.each(rows)('$name', (row) => {
    const r = runRow(connectionMachine, row.input ?? pub, row.reach, row.event);
    expect(r.keys.length).toBeGreaterThan(0);
    expect(r.after.value).toEqual(row.state);
    expect(r.emitted.map(label)).toEqual(row.emitted);
    if (row.context !== undefined) expect(r.after.context).toMatchObject(row.context);
  });

  it('covers every transition of the chart', () => {
    const covered = new Set(rows.flatMap((row) => runRow(connectionMachine, row.input ?? pub, row.reach, row.event).keys));
    expect(allTransitionKeys(connectionMachine).filter((k) => !covered.has(k))).toEqual([]);
  });
});

describe('connection chart behaviour', () => {
  it('X-WS-3 a private stream reconciles on start and again after a reconnect', () => {
    const first = runRow(connectionMachine, priv, [connect, opened, authenticated], subscribed);
    expect(first.emitted).toContainEqual({ type: 'reconcile.request', name: priv.name, reason: 'start' });
    const again = runRow(connectionMachine, priv, [...P_LIVE, closed, reconnect, opened, authenticated], subscribed);
    expect(again.emitted).toContainEqual({ type: 'reconcile.request', name: priv.name, reason: 'reconnect' });
    expect(again.emitted.some((e) => e.type === 'snapshot.fetch')).toBe(false);
  });

  it('X-WS-3 reconnect attempts grow until live, then reset', () => {
    const r = runRow(connectionMachine, pub, [connect, closed, reconnect, closed, reconnect], closed);
    expect(r.emitted).toContainEqual({ type: 'timer.set', name: 'reconnect', attempt: 3 });
    const live = runRow(connectionMachine, pub, [connect, closed, reconnect, opened, subscribed], applied);
    expect(live.after.context.attempt).toBe(0);
  });

  it('X-WS-5 trading is allowed in live and in no other state', () => {
    // One reachable snapshot per state (by id), gathered by walking the table's paths for both stream kinds.
    const byState = new Map<string, ConnectionSnapshot>();
    for (const row of rows) {
      let [s] = initialTransition(connectionMachine, row.input ?? pub);
      for (const e of [...row.reach, row.event]) {
        for (const id of activeIds(s)) if (!byState.has(id)) byState.set(id, s);
        [s] = transition(connectionMachine, s, e);
      }
      for (const id of activeIds(s)) if (!byState.has(id)) byState.set(id, s);
    }
    const ids = allStateIds(connectionMachine).filter((id) => id !== 'connection.open');
    expect([...ids].sort()).toEqual([...byState.keys()].filter((id) => id !== 'connection.open').sort());
    for (const id of ids) expect([id, isTradingAllowed(byState.get(id)!)]).toEqual([id, id === 'connection.open.live']);
  });

  it('X-WS-5 holds in every state of the generated graph, for public and private streams', () => {
    let live = 0;
    for (const input of [pub, priv]) {
      const adjacency = looseModel(connectionMachine, { input, events: modelEvents, serializeState: serializeForGraph }).getAdjacencyMap();
      for (const { state } of Object.values(adjacency)) {
        const s = state as ConnectionSnapshot;
        const isLive = JSON.stringify(s.value) === JSON.stringify({ open: 'live' });
        if (isLive) live += 1;
        expect([s.value, isTradingAllowed(s)]).toEqual([s.value, isLive]);
      }
    }
    expect(live).toBeGreaterThan(1);
  });

  it('round-trips a persisted snapshot through JSON and keeps running', () => {
    const actor = createActor(connectionMachine, { input: pub }).start();
    for (const e of LIVE) actor.send(e);
    const json = JSON.stringify(actor.getPersistedSnapshot());
    const restored = restoreActor(connectionMachine, json);
    const seen: string[] = [];
    restored.on('*', (e) => seen.push(label(e)));
    restored.start();
    expect(isTradingAllowed(restored.getSnapshot())).toBe(true);
    restored.send(gap);
    expect(restored.getSnapshot().value).toEqual({ open: 'resyncing' });
    expect(seen).toContain('market.paused:gap');
    expect(CONNECTION_MACHINE_VERSION).toMatch(/^connection@\d+$/);
  });

  it('gives every state a description', () => {
    const nodes = allStateIds(connectionMachine).map((id) => connectionMachine.getStateNodeById(id));
    expect(nodes.filter((n) => !n.description).map((n) => n.id)).toEqual([]);
  });
});

const activeIds = (s: ConnectionSnapshot): string[] =>
  typeof s.value === 'string' ? [`connection.${s.value}`] : Object.entries(s.value).map(([k, v]) => `connection.${k}.${String(v)}`);
