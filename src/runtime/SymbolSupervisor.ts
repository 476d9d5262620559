/**
 * The symbol supervisors (DESIGN §3): one fiber per symbol in a FiberMap keeps that symbol's trade actor alive. A
 * defect stops only that actor; the fiber restores it from its last committed snapshot after a full-jitter delay
 * (random(0, min(cap, base·2^n)); `Schedule.jittered` would only scale by 0.8–1.2). More than K restarts inside the
 * window quarantine the symbol: no new entries, the actor keeps running so its protections and exits stay managed.
 */
import { Clock, Data, Deferred, Duration, Effect, FiberMap, Random, Ref, Schedule, type Scope } from 'effect';

/** A trade actor failed; carries the symbol and the defect. */
export class ActorCrashed extends Data.TaggedError('ActorCrashed')<{ readonly symbol: string; readonly cause: unknown }> {}

/** What the supervisor drives: start an actor (restoring it) and learn about its defects. */
export interface SupervisedRuntime {
  /** Starts (or restarts from its journaled snapshot) the actor of a symbol. */
  readonly startActor: (symbol: string) => { readonly stop: () => void };
  /** Registers the one defect listener; the runtime calls it with the symbol of a failed actor. */
  readonly setDefectHandler: (handler: (symbol: string, error: unknown) => void) => void;
  readonly quarantine: (symbol: string, reason: string) => void;
  readonly onRestart?: ((symbol: string, attempt: number) => void) | undefined;
}

/** Restart and quarantine settings (config `supervisor.*`). */
export interface SupervisorPolicy {
  readonly restartBaseMs: number;
  readonly restartCapMs: number;
  /** Attempts after which the backoff stops growing (it keeps restarting at the cap). */
  readonly restartMaxAttempts: number;
  readonly quarantineAfterRestarts: number;
  readonly quarantineWindowMs: number;
}

/** The full-jitter restart schedule: unbounded, the exponential bound stops growing after `restartMaxAttempts`. */
export const restartSchedule = (p: SupervisorPolicy): Schedule.Schedule<number> =>
  Schedule.forever.pipe(
    Schedule.modifyDelayEffect((n) =>
      Effect.map(Random.next, (r) => Duration.millis(r * Math.min(p.restartCapMs, p.restartBaseMs * 2 ** Math.min(n, p.restartMaxAttempts - 1)))),
    ),
  );

/**
 * Supervises the given symbols and returns once every actor has started; closing the scope interrupts every
 * supervisor and stops the actors.
 */
export const superviseSymbols = (
  runtime: SupervisedRuntime,
  symbols: ReadonlyArray<string>,
  policy: SupervisorPolicy,
): Effect.Effect<FiberMap.FiberMap<string>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const crashHandlers = new Map<string, (error: unknown) => void>();
    runtime.setDefectHandler((symbol, error) => crashHandlers.get(symbol)?.(error));
    const map = yield* FiberMap.make<string>();
    for (const symbol of symbols) {
      const restarts = yield* Ref.make<ReadonlyArray<number>>([]);
      const quarantined = yield* Ref.make(false);
      const started = yield* Deferred.make<void>();
      let lives = 0;
      // One life of the actor: runs until the actor reports a defect; interruption stops it.
      const life = Effect.async<never, ActorCrashed>((resume) => {
        const host = runtime.startActor(symbol);
        Deferred.unsafeDone(started, Effect.void);
        crashHandlers.set(symbol, (cause) => resume(Effect.fail(new ActorCrashed({ symbol, cause }))));
        return Effect.sync(() => {
          crashHandlers.delete(symbol);
          host.stop();
        });
      });
      const onCrash = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis;
        const recent = (yield* Ref.get(restarts)).filter((t) => t > now - policy.quarantineWindowMs);
        const next = [...recent, now];
        yield* Ref.set(restarts, next);
        lives += 1;
        runtime.onRestart?.(symbol, lives);
        if (next.length > policy.quarantineAfterRestarts && !(yield* Ref.get(quarantined))) {
          yield* Ref.set(quarantined, true);
          runtime.quarantine(symbol, `${next.length} restarts within ${policy.quarantineWindowMs} ms`);
        }
      });
      const supervised = life.pipe(
        // A throw inside the actor host is a defect; Effect.retry only retries failures, so convert first.
        Effect.catchAllDefect((cause) => Effect.fail(new ActorCrashed({ symbol, cause }))),
        Effect.tapError(() => onCrash),
        Effect.retry(restartSchedule(policy)),
      );
      yield* FiberMap.run(map, symbol, supervised);
      yield* Deferred.await(started);
    }
    return map;
  });
