/**
 * The `telegram` dependency (S0-20): the Bot API probed with `getMe` on wall-time timers, the first probe at start.
 * `failuresForDown` failed probes in a row mark it down, one answer marks it up again; each change is logged. The
 * session's dependency gate reads `health()` and, when the profile lists `telegram` among its gating dependencies,
 * journals the change and takes trading OFF while it is down. Never throws; the token stays inside the client.
 */
import type { Logger } from '../../kernel/logger.ts';
import type { Scheduler } from '../../kernel/Scheduler.ts';
import type { BotApiClient } from './BotApiClient.ts';

/** What the probe needs. */
export interface TelegramHealthOptions {
  readonly client: BotApiClient;
  readonly scheduler: Scheduler;
  readonly everyMs: number;
  readonly failuresForDown?: number | undefined;
  readonly logger: Logger;
}

/** The running probe. */
export interface TelegramHealth {
  health(): 'up' | 'down';
  /** Resolves once the probe in flight (if any) has answered. */
  settled(): Promise<void>;
  stop(): void;
}

/** Starts probing. */
export const startTelegramHealth = (opts: TelegramHealthOptions): TelegramHealth => {
  const { client, scheduler, logger } = opts;
  const failuresForDown = opts.failuresForDown ?? 2;
  const abort = new AbortController();
  let failures = 0;
  let state: 'up' | 'down' = 'up';
  let inFlight: Promise<void> = Promise.resolve();
  let cancel: (() => void) | undefined;
  let stopped = false;

  const probe = async (): Promise<void> => {
    try {
      await client.getMe({ signal: abort.signal });
      failures = 0;
      if (state === 'down') logger.warn({ event: 'telegram_dependency_up' }, 'telegram_dependency_up');
      state = 'up';
    } catch (e) {
      if (stopped) return;
      failures += 1;
      if (failures >= failuresForDown && state === 'up') {
        state = 'down';
        logger.error({ event: 'telegram_dependency_down', failures, error: e instanceof Error ? e.message : String(e) }, 'telegram_dependency_down');
      }
    }
  };
  const arm = (at: number): void => {
    cancel = scheduler.schedule(at, () => {
      inFlight = probe();
      void inFlight.finally(() => {
        if (!stopped) arm(scheduler.clock.now() + opts.everyMs);
      });
    });
  };
  arm(scheduler.clock.now());
  return {
    health: () => state,
    settled: () => inFlight,
    stop: () => {
      stopped = true;
      cancel?.();
      abort.abort();
    },
  };
};
