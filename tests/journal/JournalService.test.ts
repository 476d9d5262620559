/** The Effect service around the journal: opened on acquire, closed when the scope ends, after its dependents. */
import { Effect, Exit, Layer, Context } from 'effect';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalError } from '../../src/domain/errors.ts';
import { openJournal, type Journal as JournalStore } from '../../src/journal/Journal.ts';
import { Journal } from '../../src/journal/JournalService.ts';
import { InstanceLockError } from '../../src/journal/instanceLock.ts';
import Database from 'better-sqlite3';
import { openRawJournal, rawJournal } from '../support/rawJournal.ts';
import { steppingClock, tempDir } from './fixtures.ts';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('service');
});
afterEach(() => {
  tmp.cleanup();
});

class Recorder extends Context.Tag('test/Recorder')<Recorder, { readonly log: string[] }>() {}

describe('Journal layer', () => {
  it('opens first and closes last: a dependent released before the journal can still write its final entry', async () => {
    const log: string[] = [];
    let captured: JournalStore | undefined;
    const dependent = Layer.scoped(
      Recorder,
      Effect.gen(function* () {
        const journal = yield* Journal;
        log.push('dependent:acquire');
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            rawJournal(journal).append('app', 'SHUTDOWN', {});
            log.push('dependent:release');
          }),
        );
        return { log };
      }),
    );
    const path = tmp.file('j.sqlite');
    const program = Effect.gen(function* () {
      const journal = yield* Journal;
      captured = journal;
      rawJournal(journal).append('app', 'STARTED', {});
      yield* Recorder;
    });
    await Effect.runPromise(program.pipe(Effect.provide(dependent.pipe(Layer.provideMerge(Journal.layer({ path, clock: steppingClock() }))))));
    expect(log).toEqual(['dependent:acquire', 'dependent:release']);
    // Closed after the scope: further use fails with JournalError.
    expect(() => captured?.lastSeq()).toThrow(JournalError);
    const reopened = openJournal({ path, clock: steppingClock() });
    try {
      expect([...reopened.readEvents()].map((e) => e.type)).toEqual(['STARTED', 'SHUTDOWN']);
    } finally {
      reopened.close();
    }
  });

  it('fails the layer with JournalError when verifyOnOpen finds a broken chain', async () => {
    const path = tmp.file('broken.sqlite');
    const j = openRawJournal({ path, clock: steppingClock() });
    j.append('s', 'A', { n: 1 });
    j.close();
    const raw = new Database(path);
    raw.exec("DROP TRIGGER events_no_update; UPDATE events SET payload = '{\"n\":2}' WHERE seq = 1;");
    raw.close();
    const exit = await Effect.runPromiseExit(
      Effect.void.pipe(Effect.provide(Journal.layer({ path, clock: steppingClock(), verifyOnOpen: true }))),
    );
    expect(Exit.isFailure(exit)).toBe(true);
    if (Exit.isFailure(exit)) {
      const error = exit.cause._tag === 'Fail' ? exit.cause.error : undefined;
      expect(error).toBeInstanceOf(JournalError);
      expect(error?.message).toMatch(/chain broken at seq 1 \(hash_mismatch\)/);
    }
  });
});

describe('Journal layer with the single-instance lock', () => {
  it('X-RT-6 a second layer on the same data directory fails with InstanceLockError while the first is running', async () => {
    const dataDir = tmp.file('data');
    const opts = { path: tmp.file('data/journal.sqlite'), clock: steppingClock(), lockDir: dataDir };
    const inner = await Effect.runPromiseExit(
      Effect.gen(function* () {
        const journal = yield* Journal;
        rawJournal(journal).append('app', 'STARTED', {});
        // While this scope holds the lock, a second application on the same directory must refuse to start.
        return yield* Effect.exit(Effect.provide(Effect.void, Journal.layer(opts)));
      }).pipe(Effect.provide(Journal.layer(opts))),
    );
    expect(Exit.isSuccess(inner)).toBe(true);
    if (Exit.isSuccess(inner)) {
      const second = inner.value;
      expect(Exit.isFailure(second)).toBe(true);
      if (Exit.isFailure(second)) {
        const error = second.cause._tag === 'Fail' ? second.cause.error : undefined;
        expect(error).toBeInstanceOf(InstanceLockError);
        expect(error?.message).toContain('single-instance lock');
      }
    }
    // Released with the scope: a new application starts.
    const again = await Effect.runPromiseExit(Effect.provide(Effect.void, Journal.layer(opts)));
    expect(Exit.isSuccess(again)).toBe(true);
  });
});
