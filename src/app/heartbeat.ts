/**
 * The run's heartbeat line (issue 14 item 7): every few seconds of wall time one line on the CLI's progress output —
 * wall time, session time, trades, realized PnL, open positions, the trading gate and live connections — so a trader
 * sees a run is alive between its header and its summary. Reads the status read model only; time comes from the
 * injected wall clock and scheduler.
 */
import type { OpsSource, StatusView } from '../ops/types.ts';

/** Options of the heartbeat. */
export interface HeartbeatOptions {
  readonly source: OpsSource;
  /** Wall milliseconds between two lines (> 0). */
  readonly everyMs: number;
  /** The wall scheduler: runs `run` at wall time `at`, returns a cancel function. */
  readonly schedule: (at: number, run: () => void) => () => void;
  /** The wall clock (epoch ms). */
  readonly now: () => number;
  readonly out: (line: string) => void;
}

const iso = (ms: number): string => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/** Returns the heartbeat line of a status view at wall time `wallNow`. */
export const heartbeatLine = (view: StatusView, wallNow: number): string => {
  const live = view.connections.filter((c) => c.live).length;
  return [
    `heartbeat ${iso(wallNow)}`,
    `t=${iso(view.at)}`,
    `trades=${String(view.counters.trades)}`,
    `pnl=${view.pnl.realized}`,
    `positions=${String(view.positions.length)}`,
    `gate=${view.trading.on ? 'ON' : 'OFF'}`,
    `connections=${String(live)}/${String(view.connections.length)}`,
  ].join(' ');
};

/**
 * Starts the heartbeat: the first line `everyMs` after the start, then one every `everyMs`. A status that cannot be
 * built gives a `heartbeat <wall ISO> status unavailable: <why>` line instead. Returns the function that stops it.
 */
export const startHeartbeat = (opts: HeartbeatOptions): (() => void) => {
  let stopped = false;
  let cancel: (() => void) | undefined;
  const beat = (at: number): void => {
    cancel = opts.schedule(at, () => {
      if (stopped) return;
      const now = opts.now();
      let line: string;
      try {
        line = heartbeatLine(opts.source.status(), now);
      } catch (e) {
        line = `heartbeat ${iso(now)} status unavailable: ${e instanceof Error ? e.message : String(e)}`;
      }
      opts.out(line);
      // Timed from this beat's due time, so the lines do not drift; after a stall the missed beats are skipped.
      const next = at + opts.everyMs;
      beat(next > now ? next : now + opts.everyMs);
    });
  };
  if (opts.everyMs > 0) beat(opts.now() + opts.everyMs);
  return () => {
    stopped = true;
    cancel?.();
  };
};
