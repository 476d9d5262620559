/**
 * The start-up vocabulary of a session: the typed reasons a start ends before the gate opens (a signal, a broken
 * journal, a venue that cannot be read), a race of each start-up step with the stop signal, the retry of venue
 * hiccups with backoff, the owner's open of a journal (claimed and proven before anything trades on it), and the
 * directory of a new run (earlier runs are never deleted).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Data } from 'effect';
import { openJournal, type Journal, type OpenJournalOptions } from '../journal/Journal.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Scheduler } from '../kernel/Scheduler.ts';

/** A signal (SIGINT/SIGTERM) arrived while the session was still starting: nothing traded, the gate never opened. */
export class StartupAborted extends Data.TaggedError('StartupAborted')<{ readonly phase: string }> {
  override get message(): string {
    return `stopped by signal during start-up (${this.phase}); the trading gate never opened`;
  }
}

/** The journal of the run refuses to verify: no trading on it (exit 3 from the CLI). */
export class JournalBroken extends Error {
  override readonly name = 'JournalBroken';
}

/** Start-up recovery could not read the venue after every attempt: the gate stayed closed (exit 4 from the CLI). */
export class RecoveryFailed extends Error {
  override readonly name = 'RecoveryFailed';
}

/** Races a start-up step with the abort signal, so SIGINT/SIGTERM stop a session in every phase (X-RT-7). */
export const abortable = <A>(signal: AbortSignal | undefined, phase: string, work: Promise<A>): Promise<A> => {
  if (signal === undefined) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(new StartupAborted({ phase }));
  }
  return new Promise<A>((resolve, reject) => {
    const onAbort = (): void => reject(new StartupAborted({ phase }));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
};

/** Start-up attempts (wall-time backoff between them) before a session gives up with the gate still closed. */
const STARTUP_ATTEMPTS = 5;
const STARTUP_BACKOFF_MS = 500;

/** Whether an error is a typed refusal (a tagged error): it keeps its own exit code instead of becoming RecoveryFailed. */
const isTagged = (e: unknown): boolean => typeof e === 'object' && e !== null && '_tag' in e;

/**
 * Runs a start-up step, retrying what `retryable` accepts with linear wall-time backoff (5 attempts); a typed refusal
 * is rethrown as it is, anything else ends start-up as RecoveryFailed with the gate closed. A signal ends it at once.
 */
export const startupStep = async <A>(opts: {
  readonly step: string;
  readonly run: () => Promise<A>;
  readonly retryable: (e: unknown) => boolean;
  readonly signal: AbortSignal | undefined;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
}): Promise<A> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await abortable(opts.signal, opts.step, opts.run());
    } catch (e) {
      if (e instanceof StartupAborted) throw e;
      const message = e instanceof Error ? e.message : String(e);
      if (!opts.retryable(e) && isTagged(e)) throw e;
      if (!opts.retryable(e) || attempt >= STARTUP_ATTEMPTS) {
        throw new RecoveryFailed(`start-up ${opts.step} failed after ${attempt} attempt(s): ${message}; the trading gate stays closed`);
      }
      opts.logger.warn({ step: opts.step, attempt, err: message }, 'startup_retry');
      let cancel = (): void => undefined;
      try {
        await abortable(opts.signal, opts.step, new Promise<void>((resolve) => (cancel = opts.scheduler.schedule(opts.scheduler.clock.now() + STARTUP_BACKOFF_MS * attempt, resolve))));
      } finally {
        cancel();
      }
    }
  }
};

/**
 * Opens a journal as its owner (a persistent one is claimed: no other process may have it open) and proves its
 * chain, head record and tables before anything trades on it (X-LOG-3); throws JournalBroken otherwise. `timing` has
 * each commit timed for the telemetry (`journal_append`).
 */
export const openOwnedJournal = (
  path: string, clock: Clock, claim: boolean, durability: 'full' | 'scratch' = 'full', timing: Pick<OpenJournalOptions, 'telemetry' | 'latencyClock'> = {},
): Journal => {
  const journal = openJournal({ path, clock, claim, durability, ...timing });
  const verified = journal.verify();
  if (!verified.ok) {
    journal.close();
    throw new JournalBroken(`journal ${path} is broken at seq ${verified.firstBadSeq} (${verified.problem}): ${verified.detail}; refusing to trade. Run \`tradewarden journal verify\` and see docs/operations.md, "A damaged journal".`);
  }
  return journal;
};

/**
 * Creates the directory of a new run under `<dataDir>/runs/`: `<runId>` when free, else `<runId>-2`, `-3`, …; an
 * earlier run (its journal, logs and summary) is never deleted or overwritten.
 */
export const newRunDir = (dataDir: string, runId: string): string => {
  for (let n = 1; ; n++) {
    const dir = join(dataDir, 'runs', n === 1 ? runId : `${runId}-${n}`);
    if (existsSync(dir)) continue;
    mkdirSync(dir, { recursive: true });
    return dir;
  }
};
