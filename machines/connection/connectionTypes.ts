/**
 * Types of the connection chart: its input, serializable context, the events the host feeds it and the intents it
 * emits. Every event carries the host time `at` (epoch ms). Types only; no logic.
 */

/** What the host passes when it creates the connection actor for one venue stream. */
export interface ConnectionInput {
  /** Stream name for logs and metrics (`bybit:public:linear`). */
  readonly name: string;
  /** The symbols whose trading depends on this stream. */
  readonly symbols: ReadonlyArray<string>;
  /** Private (account) streams authenticate before subscribing and reconcile instead of fetching a book snapshot. */
  readonly requiresAuth: boolean;
  /** Venue heartbeat interval (Bybit 20 s). */
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  /** No data for this long while live → stale (trading paused). */
  readonly staleAfterMs: number;
  readonly connectTimeoutMs: number;
}

/** Names of the deadlines the host keeps for the connection chart. */
export type ConnectionTimerName = 'connectTimeout' | 'ping' | 'pongTimeout' | 'stale' | 'reconnect';

/** Why trading for the stream's symbols is paused. */
export type PauseReason = 'gap' | 'stale' | 'disconnected' | 'stopped';

/** Every event the connection chart accepts. */
export type ConnectionEvent =
  | { readonly type: 'command.connect'; readonly at: number }
  | { readonly type: 'command.disconnect'; readonly at: number }
  | { readonly type: 'stream.opened'; readonly at: number }
  | { readonly type: 'stream.closed'; readonly reason: string; readonly at: number }
  | { readonly type: 'stream.error'; readonly message: string; readonly at: number }
  | { readonly type: 'stream.authenticated'; readonly at: number }
  | { readonly type: 'stream.authRejected'; readonly message: string; readonly at: number }
  | { readonly type: 'stream.subscribed'; readonly at: number }
  | { readonly type: 'stream.subscribeRejected'; readonly message: string; readonly at: number }
  /**
   * Data arrived. The host tracks freshness itself and forwards this to the chart only while it is `stale` (raw
   * ticks never go through a chart; api-notes §1).
   */
  | { readonly type: 'stream.data'; readonly at: number }
  | { readonly type: 'stream.pong'; readonly at: number }
  /** A sequence gap (u/seq/pu/sequence_num) on one symbol. */
  | { readonly type: 'stream.gap'; readonly symbol: string; readonly expected: string; readonly received: string; readonly at: number }
  /** Public: REST snapshot applied and newer buffered deltas replayed. Private: reconcile finished. */
  | { readonly type: 'venue.snapshotApplied'; readonly at: number }
  | { readonly type: 'venue.snapshotFailed'; readonly message: string; readonly at: number }
  | { readonly type: 'timer.connectTimeout'; readonly at: number }
  | { readonly type: 'timer.ping'; readonly at: number }
  | { readonly type: 'timer.pongTimeout'; readonly at: number }
  | { readonly type: 'timer.stale'; readonly at: number }
  | { readonly type: 'timer.reconnect'; readonly at: number };

/** Every intent the connection chart emits; the host's socket driver performs them. */
export type ConnectionEmitted =
  | { readonly type: 'socket.open'; readonly name: string; readonly attempt: number }
  | { readonly type: 'socket.close'; readonly name: string; readonly reason: string }
  | { readonly type: 'socket.send'; readonly name: string; readonly frame: 'auth' | 'subscribe' | 'ping' }
  | { readonly type: 'snapshot.fetch'; readonly name: string; readonly symbols: ReadonlyArray<string> }
  /** Private stream (re)synced: orders, positions and exits must be reconciled with the venue (X-WS-3). */
  | { readonly type: 'reconcile.request'; readonly name: string; readonly reason: 'start' | 'reconnect' }
  | { readonly type: 'market.paused'; readonly name: string; readonly symbols: ReadonlyArray<string>; readonly reason: PauseReason }
  | { readonly type: 'market.resumed'; readonly name: string; readonly symbols: ReadonlyArray<string> }
  /**
   * Arm a deadline. `at` is absolute host time; the `reconnect` timer carries `attempt` instead, and the host draws
   * its full-jitter delay (X-RTY-1) from its seeded RNG.
   */
  | { readonly type: 'timer.set'; readonly name: ConnectionTimerName; readonly at?: number | undefined; readonly attempt?: number | undefined }
  | { readonly type: 'timer.clear'; readonly name: ConnectionTimerName };

/** The serializable context of one connection actor. */
export interface ConnectionContext extends ConnectionInput {
  /** Reconnect attempts since the stream was last live (drives the backoff). */
  readonly attempt: number;
  /** Whether the stream has been live at least once (a later sync is a reconnect). */
  readonly wasLive: boolean;
  /** Host time by which a pong must arrive, or null when no ping is outstanding. */
  readonly pongDeadline: number | null;
  readonly lastGap: { readonly symbol: string; readonly expected: string; readonly received: string } | null;
  readonly lastError: string | null;
}
