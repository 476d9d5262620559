/**
 * A table of named deadlines on the injected Scheduler: arming a name replaces its earlier deadline, a fired
 * deadline leaves the table before its callback runs, and `clear` cancels them all. Hosts of charts keep the
 * `timer.*` deadlines their charts store here; it decides nothing about what a deadline means.
 */
import type { Scheduler } from './Scheduler.ts';

interface Entry {
  cancel: () => void;
}

/** Named deadlines on one scheduler. */
export class Deadlines<N extends string> {
  private readonly scheduler: Scheduler;
  private readonly armed = new Map<N, Entry>();

  constructor(scheduler: Scheduler) {
    this.scheduler = scheduler;
  }

  /** Arms `name` at clock time `at` (replacing its earlier deadline); `fire` runs once, after the name was disarmed. */
  arm(name: N, at: number, fire: () => void): void {
    this.disarm(name);
    let fired = false;
    const entry: Entry = { cancel: () => undefined };
    entry.cancel = this.scheduler.schedule(at, () => {
      fired = true;
      if (this.armed.get(name) === entry) this.armed.delete(name);
      fire();
    });
    // A scheduler may run an overdue callback at once; the name is then already spent.
    if (!fired) this.armed.set(name, entry);
  }

  /** Cancels the deadline of `name`, if armed. */
  disarm(name: N): void {
    const entry = this.armed.get(name);
    if (entry === undefined) return;
    this.armed.delete(name);
    entry.cancel();
  }

  /** Cancels every deadline. */
  clear(): void {
    const entries = [...this.armed.values()];
    this.armed.clear();
    for (const e of entries) e.cancel();
  }

  /** Returns whether `name` is armed. */
  isArmed(name: N): boolean {
    return this.armed.has(name);
  }

  /** Returns the armed names. */
  names(): ReadonlyArray<N> {
    return [...this.armed.keys()];
  }
}
