/**
 * Starts what a running session publishes for other processes (issue 14): the journal pump that feeds the event hub,
 * the state files, the HTTP server (when `server.enabled`) with its `state/server.json` pointer for `tradewarden
 * status`, and the stdout heartbeat — all on wall-time timers, none of them able to fail or block the trading path
 * (a failing publisher is logged). `stop` publishes the final state and closes everything, last started first.
 */
import { join } from 'node:path';
import type { AppConfig } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import type { Journal } from '../journal/Journal.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { SignalReceiver } from '../ops/types.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import { removeServerFile, startStatePublisher, writeServerFile } from '../ops/stateFiles.ts';
import { dashboardAssets } from '../server/dashboard/dashboardAssets.ts';
import type { OpsMetrics } from '../server/OpsMetrics.ts';
import { startOpsServer } from '../server/OpsServer.ts';
import { startHeartbeat } from './heartbeat.ts';
import { journalPump } from './opsEvents.ts';
import type { Operations } from './operations.ts';
import { webhookSecretsOf } from './signalIntake.ts';

/** How often committed journal entries are read back into the event feed (wall ms). */
const PUMP_EVERY_MS = 250;

/** What the surface needs from the session. */
export interface OpsSurfaceOptions {
  readonly config: AppConfig;
  readonly ops: Operations;
  readonly dataDir: string;
  readonly secrets: Secrets | undefined;
  readonly logger: Logger;
  /** The network's wall-time scheduler and the wall clock. */
  readonly scheduler: Scheduler;
  readonly wall: Clock;
  readonly metrics: OpsMetrics;
  readonly journals: ReadonlyArray<{ readonly account: string; readonly journal: Journal }>;
  /** The CLI's progress output (heartbeat lines). */
  readonly progress: (line: string) => void;
  /** The running signal intake, for `POST /signals/<source>` (undefined until it has started: 503). */
  readonly signalReceiver?: (() => SignalReceiver | undefined) | undefined;
}

/** The started surface. */
export interface OpsSurface {
  /** The server's URL when it runs. */
  readonly serverUrl: string | undefined;
  stop(): Promise<void>;
}

/**
 * Starts the surface; rejects only when the server was asked for and cannot start (a missing token, a taken port), or
 * a webhook signal source cannot be served (SignalWebhookConfigError: no server, a missing secret).
 */
export const startOpsSurface = async (opts: OpsSurfaceOptions): Promise<OpsSurface> => {
  const { config, ops, scheduler, wall, logger } = opts;
  const webhooks = webhookSecretsOf(config, opts.secrets);
  const stateDir = join(opts.dataDir, 'state');
  const schedule = (at: number, run: () => void): (() => void) => scheduler.schedule(at, run);
  const guarded = (what: string, run: () => void) => (): void => {
    try {
      run();
    } catch (e) {
      logger.error({ err: e, what }, 'ops_publisher_failed');
    }
  };
  const stops: Array<() => void | Promise<void>> = [];

  const pump = guarded('journal_pump', journalPump(ops.events, opts.journals));
  let cancelPump: (() => void) | undefined;
  const tick = (at: number): void => {
    cancelPump = schedule(at, () => {
      pump();
      tick(at + PUMP_EVERY_MS);
    });
  };
  tick(wall.now() + PUMP_EVERY_MS);
  stops.push(() => {
    cancelPump?.();
    pump();
  });

  if (config.ops.stateFiles) {
    const publisher = startStatePublisher({ dir: stateDir, source: ops.source, schedule, now: () => wall.now(), everyMs: config.ops.stateEveryMs });
    stops.push(guarded('state_files', () => {
      publisher.publishNow();
      publisher.stop();
    }));
  }

  let serverUrl: string | undefined;
  if (config.server.enabled) {
    opts.metrics.readFrom(() => ops.source.status());
    const signals = webhooks.size === 0 ? undefined : { sources: webhooks, perMinute: config.signals.webhookPerMinute, toleranceMs: config.signals.webhookToleranceMs, receiver: opts.signalReceiver ?? (() => undefined) };
    const server = await startOpsServer({ source: ops.source, server: config.server, secrets: opts.secrets, clock: wall, logger, metrics: opts.metrics, dashboard: dashboardAssets(), signals });
    serverUrl = server.url;
    writeServerFile(stateDir, { url: server.url, pid: process.pid, startedAt: wall.now() });
    logger.info({ url: server.url }, 'ops_server_listening');
    stops.push(async () => {
      removeServerFile(stateDir);
      await server.close();
    });
  }

  if (config.ops.heartbeatMs > 0) {
    stops.push(startHeartbeat({ source: ops.source, everyMs: config.ops.heartbeatMs, schedule, now: () => wall.now(), out: opts.progress }));
  }

  return {
    serverUrl,
    stop: async () => {
      for (const s of stops.reverse()) await s();
    },
  };
};
