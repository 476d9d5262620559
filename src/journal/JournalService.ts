/**
 * The journal as an Effect service (DESIGN §3: opened first, closed last). `Journal.layer(opts)` takes the optional
 * single-instance lock, then opens the file, in a scoped acquire/release, so the connection closes (and the lock is
 * released) when the application scope ends, after everything built on it. It adds no behaviour to the store itself.
 */
import { Context, Effect, Layer } from 'effect';
import { JournalError } from '../domain/errors.ts';
import { InstanceLockError, acquireInstanceLock } from './instanceLock.ts';
import { openJournal, type Journal as JournalStore, type OpenJournalOptions } from './Journal.ts';

/** Options of `Journal.layer`. */
export interface JournalLayerOptions extends OpenJournalOptions {
  /** Verify the hash chain at open and fail the layer on any damage (default false; reconcile verifies anyway). */
  readonly verifyOnOpen?: boolean | undefined;
  /** Take the single-instance lock of this data directory before opening, release it after closing (X-RT-6). */
  readonly lockDir?: string | undefined;
}

const toError = (e: unknown): JournalError =>
  e instanceof JournalError ? e : new JournalError({ reason: e instanceof Error ? e.message : String(e), cause: e });

const openVerified = (opts: JournalLayerOptions): JournalStore => {
  const journal = openJournal(opts);
  if (opts.verifyOnOpen === true) {
    const result = journal.verify();
    if (!result.ok) {
      journal.close();
      throw new JournalError({ reason: `chain broken at seq ${result.firstBadSeq} (${result.problem}): ${result.detail}` });
    }
  }
  return journal;
};

/** The journal service tag; its service is the synchronous Journal store. */
export class Journal extends Context.Tag('tradewarden/journal/Journal')<Journal, JournalStore>() {
  /** Takes the lock (if `lockDir`), opens the journal on acquire; closes it, then releases the lock, on release. */
  static readonly layer = (opts: JournalLayerOptions): Layer.Layer<Journal, JournalError | InstanceLockError> =>
    Layer.scoped(
      Journal,
      Effect.gen(function* () {
        const lockDir = opts.lockDir;
        if (lockDir !== undefined) {
          yield* Effect.acquireRelease(
            Effect.try({
              try: () => acquireInstanceLock(lockDir),
              catch: (e) => (e instanceof InstanceLockError ? e : new InstanceLockError({ path: lockDir, reason: 'io', detail: String(e) })),
            }),
            (lock) => Effect.sync(() => lock.release()),
          );
        }
        return yield* Effect.acquireRelease(
          Effect.try({ try: () => openVerified(opts), catch: toError }),
          (journal) => Effect.sync(() => journal.close()),
        );
      }),
    );
}
