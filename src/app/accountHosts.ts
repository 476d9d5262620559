/**
 * The connection hosts of one venue account over the wire protocol: a public host (its symbols' books and trades,
 * gap detection, resync from the REST snapshot) and a private host (orders, executions, positions; after a reconnect
 * the runtime compares its actors with the venue before the stream counts as live). Sockets live in wall time:
 * heartbeats, connect deadlines and reconnect backoff are about the network, not the replay. Wires only.
 */
import type { Telemetry } from '../kernel/telemetry.ts';
import type { AppConfig } from '../config/schema.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Logger } from '../kernel/logger.ts';
import { seededRandom } from '../kernel/random.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { ConnectionHost } from '../runtime/connection/ConnectionHost.ts';
import type { StreamLatency } from '../runtime/connection/ConnectionOptions.ts';
import { createPauseBoard } from '../runtime/connection/PauseBoard.ts';
import type { VenueRuntime } from '../runtime/VenueRuntime.ts';
import type { WireVenue } from '../venues/Venue.ts';
import type { SessionAccount } from './accounts.ts';

/** An account's two hosts. */
export interface AccountHosts {
  readonly public: ConnectionHost;
  readonly private: ConnectionHost;
}

/** Builds (does not start) the public and private hosts of an account; the seeds differ per account so reconnects do not align. */
export const accountHosts = (opts: {
  readonly config: AppConfig;
  readonly account: SessionAccount;
  readonly index: number;
  readonly venue: WireVenue;
  readonly runtime: VenueRuntime;
  readonly journal: Journal;
  readonly logger: Logger;
  /** The wall-time scheduler of the network. */
  readonly netScheduler: Scheduler;
  readonly speed: number;
  readonly onPrivateReconnect?: ((runtime: VenueRuntime) => void | Promise<void>) | undefined;
  /** The session's latency telemetry (gap → resynced). */
  readonly latency?: StreamLatency | undefined;
  /** The session's metrics (messages, gaps, resyncs). */
  readonly telemetry?: Telemetry | undefined;
}): AccountHosts => {
  const { config, account, venue, runtime } = opts;
  const board = createPauseBoard(runtime);
  const timing = { reconnectBaseMs: config.supervisor.restartBaseMs, reconnectCapMs: config.supervisor.restartCapMs };
  const depth = account.trading.orderbookDepth;
  const seed = config.sim.seed ^ (0x9b1c + 2 * opts.index);
  const logger = opts.logger.child({ account: account.name });
  return {
    public: new ConnectionHost({
      kind: 'public', stream: venue.streams.public(account.symbols, depth), orderBook: venue.orderBook, depth,
      onMarket: (e) => runtime.onMarket(e), symbols: account.symbols, scheduler: opts.netScheduler, random: seededRandom(seed),
      logger, pauses: board('public'), journal: opts.journal, timing, latency: opts.latency, telemetry: opts.telemetry, account: account.name,
    }),
    private: new ConnectionHost({
      kind: 'private', stream: venue.streams.private(),
      onAccount: (e) => runtime.onAccount(e),
      // After a reconnect the stream may have missed events: compare the actors with the venue before going live.
      onReconnect: async () => {
        await runtime.checkVenue('private_reconnect');
        await opts.onPrivateReconnect?.(runtime);
      },
      // `expires` is 10 s of venue time, milliseconds of wall time at replay speed: give it one wall second on top.
      venueNow: () => venue.venueNow() + opts.speed * 1000,
      symbols: account.symbols, scheduler: opts.netScheduler, random: seededRandom(seed + 1), logger,
      pauses: board('private'), journal: opts.journal, timing, latency: opts.latency, telemetry: opts.telemetry, account: account.name,
    }),
  };
};
