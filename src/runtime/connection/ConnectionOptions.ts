/**
 * What a connection host is given: the stream, its kind's sync hooks, the injected scheduler, jitter source, logger,
 * pause sink, journal and latency telemetry, and the timing of deadlines (with defaults). Types and defaults only.
 */
import type { Effect } from 'effect';
import type { Journal } from '../../journal/Journal.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import type { Telemetry } from '../../kernel/telemetry.ts';
import type { AccountEvent, MarketEvent, StreamDescription } from '../../venues/streams.ts';
import type { BookSnapshot, VenueError } from '../../venues/Venue.ts';
import type { MarketPauseSink } from './PauseBoard.ts';

/** Timing of one connection (all in the host scheduler's ms); every field has a default. */
export interface ConnectionTiming {
  /** A venue answers an app ping at once; no pong (or heartbeat) within this → reconnect. Default 10 s. */
  readonly pongTimeoutMs: number;
  /** No data while live for this long → stale (paused); twice → reconnect. Default 60 s. */
  readonly staleAfterMs: number;
  readonly connectTimeoutMs: number;
  /** Full-jitter reconnect backoff: random(0, min(cap, base·2^(attempt−1))). Defaults 200 ms / 5 s (DESIGN §6). */
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
}

/** Default connection timing. */
export const DEFAULT_CONNECTION_TIMING: ConnectionTiming = {
  pongTimeoutMs: 10_000,
  staleAfterMs: 60_000,
  connectTimeoutMs: 10_000,
  reconnectBaseMs: 200,
  reconnectCapMs: 5_000,
};

interface CommonOptions {
  readonly symbols: ReadonlyArray<string>;
  /** Runs the chart's deadlines; network liveness is wall time even when the market replays faster. */
  readonly scheduler: Scheduler;
  /** Seeded uniform [0, 1) source for the reconnect jitter. */
  readonly random: () => number;
  readonly logger: Logger;
  readonly pauses: MarketPauseSink;
  /** When given, gaps, resyncs and reconnects are journaled under `connection:<stream name>`. */
  readonly journal?: Pick<Journal, 'append'> | undefined;
  readonly timing?: Partial<ConnectionTiming> | undefined;
  /** Offset-corrected venue time passed to the description's `open(now)` (default: the scheduler's clock). */
  readonly venueNow?: (() => number) | undefined;
  /** Told when the stream reports a gap and when it is live again (the gap → resynced latency, X-OBS-2). */
  readonly latency?: StreamLatency | undefined;
  /** Told of every frame received (`ws_messages`), every gap (`ws_gaps`) and every sync after the first (`ws_resyncs`). */
  readonly telemetry?: Telemetry | undefined;
  /** The account the stream belongs to: the `account` label of `ws_messages` (default ''). */
  readonly account?: string | undefined;
}

/** The moments of a stream the latency telemetry times (gap → resynced), by stream name; it reads its own clock. */
export interface StreamLatency {
  streamGap(stream: string): void;
  streamLive(stream: string): void;
  streamStopped(stream: string): void;
}

/** Options of a public (market data) connection. */
export interface PublicConnectionOptions extends CommonOptions {
  readonly kind: 'public';
  readonly stream: StreamDescription<MarketEvent>;
  /** REST book snapshot (the Venue port's `orderBook`). */
  readonly orderBook: (symbol: string, depth: number) => Effect.Effect<BookSnapshot, VenueError>;
  readonly depth: number;
  /** Receives every decoded market event; book events only once applied in sequence to the local book. */
  readonly onMarket: (e: MarketEvent) => void;
}

/** Options of a private (account) connection. */
export interface PrivateConnectionOptions extends CommonOptions {
  readonly kind: 'private';
  readonly stream: StreamDescription<AccountEvent>;
  readonly onAccount: (e: AccountEvent) => void;
  /** Called after a reconnect, before the stream counts as live again (the runtime reconciles here, issue 5). */
  readonly onReconnect?: (() => void | Promise<void>) | undefined;
}

/** Options of a ConnectionHost. */
export type ConnectionHostOptions = PublicConnectionOptions | PrivateConnectionOptions;
