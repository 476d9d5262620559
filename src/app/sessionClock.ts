/**
 * How a session's time passes: on the virtual clock the session steps from event to event (the replay's next tick
 * or the next timer, whichever is first) and waits for the runtimes to settle between steps, so a run is the same
 * byte for byte; on a wall (or accelerated) clock it waits until the data is exhausted, a wall-time bound passes or
 * a signal arrives. Also the clock of a session on an external simulator, anchored to the simulator's own time.
 */
import type { Clock, VirtualClock } from '../kernel/Clock.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';
import type { VenueRuntime } from '../runtime/VenueRuntime.ts';
import { acceleratedClock } from '../venues/sim/server.ts';
import type { SessionAccount } from './accounts.ts';
import type { SimWorld } from './simWorld.ts';

/** How often a wall-clock session checks whether the simulator's data is exhausted (wall ms). */
const EXHAUSTION_POLL_MS = 100;

/**
 * Returns a clock running at `speed` anchored to an external simulator's server time. At ×speed every wall
 * millisecond of request latency is `speed` venue milliseconds, so the anchor is the sample with the smallest round
 * trip of seven, taken at its wall midpoint (the adapter's clock gate would otherwise block on the anchoring error).
 */
export const externalClock = async (account: SessionAccount, speed: number, base: Clock, signal: AbortSignal | undefined): Promise<Clock> => {
  let best: { readonly rtt: number; readonly time: number; readonly mid: number } | undefined;
  for (let i = 0; i < 7; i++) {
    const before = base.now();
    const time = await account.binding.serverTime(account.simUrl, signal);
    const after = base.now();
    if (best === undefined || after - before < best.rtt) best = { rtt: after - before, time, mid: (before + after) / 2 };
  }
  const anchor = best!;
  return acceleratedClock(speed, anchor.time + Math.round((base.now() - anchor.mid) * speed), base);
};

/** Why and after how many replay ticks trading stopped. */
export interface TradeEnd {
  readonly reason: 'end_of_data' | 'signal' | 'max_wall_time' | 'dependency_down';
  readonly ticks: number;
}

const idle = (runtimes: ReadonlyArray<VenueRuntime>): Promise<unknown> => Promise.all(runtimes.map((r) => r.idle()));

/** Lets time pass until the session should stop (see the module comment); never throws for the reasons above. */
export const tradeUntilStopped = async (opts: {
  readonly world: SimWorld | undefined;
  readonly virtualClock: VirtualClock | undefined;
  readonly runtimes: ReadonlyArray<VenueRuntime>;
  readonly signal: AbortSignal | undefined;
  readonly maxWallMs: number | undefined;
  readonly base: Clock;
  readonly netScheduler: Scheduler;
  /** Asked at every poll of a wall-clock session: a reason to stop now (a gating dependency down too long), or undefined. */
  readonly stopWhen?: (() => TradeEnd['reason'] | undefined) | undefined;
  /** Called after each replay tick of the virtual clock has been applied (the bar_close decision trigger). */
  readonly afterTick?: ((t: number) => void) | undefined;
}): Promise<TradeEnd> => {
  const { world, virtualClock: clock, runtimes } = opts;
  if (world !== undefined && clock !== undefined) {
    let ticks = 0;
    for (;;) {
      await idle(runtimes);
      if (opts.signal?.aborted === true) return { reason: 'signal', ticks };
      const nextTick = world.nextEventAt();
      if (nextTick === undefined) return { reason: 'end_of_data', ticks };
      const nextTimer = clock.nextTimerAt();
      const t = nextTimer !== undefined && nextTimer < nextTick ? nextTimer : nextTick;
      clock.advanceTo(t);
      await idle(runtimes);
      if (t === nextTick) {
        world.advanceTo(t);
        opts.afterTick?.(t);
        ticks += 1;
        // Let the event loop breathe (signals, the inspector relay) — the virtual clock does not move meanwhile.
        if (ticks % 500 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  const wallStart = opts.base.now();
  let cancel = (): void => undefined;
  const reason = await new Promise<TradeEnd['reason']>((resolve) => {
    const check = (): void => {
      if (opts.signal?.aborted === true) return resolve('signal');
      if (opts.maxWallMs !== undefined && opts.base.now() - wallStart >= opts.maxWallMs) return resolve('max_wall_time');
      if (world !== undefined && world.nextEventAt() === undefined) return resolve('end_of_data');
      const stop = opts.stopWhen?.();
      if (stop !== undefined) return resolve(stop);
      cancel = opts.netScheduler.schedule(opts.base.now() + EXHAUSTION_POLL_MS, check);
    };
    opts.signal?.addEventListener('abort', () => resolve('signal'), { once: true });
    check();
  });
  cancel();
  return { reason, ticks: 0 };
};
