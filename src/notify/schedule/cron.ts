/**
 * Cron expressions in an IANA time zone, through croner (https://croner.56k.guru): next and previous fire times
 * computed from a given instant, DST included (a time in a spring-forward gap is skipped, one in a fall-back overlap
 * fires once, at its first occurrence). Croner never runs a timer of its own here: no callback is ever given to it,
 * every job is created paused, and the caller schedules the instants on the injected Scheduler. Pure apart from that.
 */
import { Cron } from 'croner';
import { Data } from 'effect';

/** Why a schedule cannot be used. */
export type ScheduleFailure =
  | { readonly _tag: 'BadCron'; readonly expression: string; readonly message: string }
  | { readonly _tag: 'BadTimeZone'; readonly zone: string }
  /** The expression is valid but has no fire time after the given instant (`0 0 30 2 *`). */
  | { readonly _tag: 'NeverFires'; readonly expression: string };

/** The one error of the schedules. */
export class ScheduleError extends Data.TaggedError('ScheduleError')<{ readonly schedule: string; readonly reason: ScheduleFailure }> {
  override get message(): string {
    const r = this.reason;
    switch (r._tag) {
      case 'BadCron':
        return `schedule ${this.schedule}: bad cron expression ${JSON.stringify(r.expression)}: ${r.message}`;
      case 'BadTimeZone':
        return `schedule ${this.schedule}: unknown time zone ${JSON.stringify(r.zone)} (an IANA name such as Europe/Stockholm or America/New_York)`;
      case 'NeverFires':
        return `schedule ${this.schedule}: ${JSON.stringify(r.expression)} never fires again`;
    }
  }
}

/** A compiled cron expression in its time zone. */
export interface CronSchedule {
  readonly expression: string;
  readonly timeZone: string;
  /** The first fire time strictly after `at` (epoch ms), or undefined when there is none. */
  nextAfter(at: number): number | undefined;
  /** The last fire time strictly before `at`, or undefined when there is none. */
  previousBefore(at: number): number | undefined;
  /** The last fire time at or before `at`, or undefined. */
  latestAtOrBefore(at: number): number | undefined;
}

/** Returns whether `zone` is an IANA time zone this runtime knows. */
export const isTimeZone = (zone: string): boolean => {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const MINUTE_MS = 60_000;

/** Compiles a five-field cron expression (minute hour day-of-month month day-of-week) in `timeZone`. */
export const compileCron = (schedule: string, expression: string, timeZone: string): CronSchedule | ScheduleError => {
  if (!isTimeZone(timeZone)) return new ScheduleError({ schedule, reason: { _tag: 'BadTimeZone', zone: timeZone } });
  let cron: Cron;
  try {
    // `paused` and no callback: croner only computes; it sets no timer.
    cron = new Cron(expression, { timezone: timeZone, paused: true, mode: '5-part' });
  } catch (e) {
    return new ScheduleError({ schedule, reason: { _tag: 'BadCron', expression, message: e instanceof Error ? e.message.replace(/^CronPattern:\s*/, '') : String(e) } });
  }
  // croner 10.0.1 throws a TypeError searching backwards for a date that never exists (`0 0 30 2 *`): no answer.
  const at = (find: () => Date | null | undefined): number | undefined => {
    try {
      const d = find();
      return d === null || d === undefined ? undefined : d.getTime();
    } catch {
      return undefined;
    }
  };
  const previousBefore = (t: number): number | undefined => at(() => cron.previousRuns(1, new Date(t))[0]);
  return {
    expression,
    timeZone,
    nextAfter: (t) => at(() => cron.nextRun(new Date(t))),
    previousBefore,
    // Fire times are whole minutes: anything in (t, t + 1 min) that croner returns for the next minute is dropped.
    latestAtOrBefore: (t) => {
      const candidate = previousBefore(t + MINUTE_MS);
      return candidate === undefined || candidate <= t ? candidate : previousBefore(candidate);
    },
  };
};

/** Returns a sentence saying why an expression or zone is unusable, or undefined when it is fine (config checks). */
export const cronProblem = (expression: string, timeZone: string): string | undefined => {
  const compiled = compileCron('-', expression, timeZone);
  if (!(compiled instanceof ScheduleError)) return undefined;
  const r = compiled.reason;
  return r._tag === 'BadTimeZone' ? `unknown time zone ${JSON.stringify(r.zone)} (an IANA name such as Europe/Stockholm)` : r._tag === 'BadCron' ? `bad cron expression ${JSON.stringify(expression)}: ${r.message}` : undefined;
};
