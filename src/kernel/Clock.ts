/**
 * The injected clock (DESIGN §7). Domain, runtime and strategy code read time only through a `Clock`, so a backtest
 * on the virtual clock is deterministic to the byte. The wall clock lives here and nowhere else.
 */

/** A source of epoch milliseconds. */
export interface Clock {
  /** Returns the current time in epoch ms (UTC). */
  now(): number;
}

/** The wall clock: the only place in tradewarden that reads `Date.now()`. */
export const wallClock: Clock = { now: () => Date.now() };

/**
 * The wall clock with sub-millisecond resolution (the high-resolution timer from the process's time origin): for
 * measuring latencies of a millisecond or less, never for timestamps that are stored or compared with the venue's.
 */
export const preciseWallClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/** A timer registered on a VirtualClock. */
interface VirtualTimer {
  readonly id: number;
  readonly at: number;
  readonly run: () => void;
}

/**
 * A virtual clock that moves only when told to: `advanceTo` runs due timers in (time, registration) order, so a replay
 * takes no wall-clock sleeps and gives the same order of effects every run.
 */
export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: VirtualTimer[] = [];

  constructor(start: number) {
    this.current = start;
  }

  /** Returns the virtual time. */
  now(): number {
    return this.current;
  }

  /** Schedules `run` at virtual time `at` (or now, if earlier); returns a cancel function. */
  schedule(at: number, run: () => void): () => void {
    const timer: VirtualTimer = { id: this.nextId++, at: Math.max(at, this.current), run };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    return () => {
      this.timers = this.timers.filter((t) => t.id !== timer.id);
    };
  }

  /** Returns the time of the earliest pending timer, if any. */
  nextTimerAt(): number | undefined {
    return this.timers[0]?.at;
  }

  /** Moves time forward to `t`, running every timer due on the way at its own time. Time never goes back. */
  advanceTo(t: number): void {
    for (;;) {
      const next = this.timers[0];
      if (next === undefined || next.at > t) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.run();
    }
    this.current = Math.max(this.current, t);
  }

  /** Moves time forward by `ms`. */
  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms);
  }
}
