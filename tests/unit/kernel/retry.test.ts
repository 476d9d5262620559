import { Duration, Effect, Either, Random, Schedule, TestClock, TestContext, Fiber } from 'effect';
import { describe, expect, it } from 'vitest';
import { fullJitter, DEFAULT_RETRY } from '../../../src/kernel/retry.ts';
import { fullJitterDelay, seededRandom } from '../../../src/kernel/random.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { virtualScheduler } from '../../../src/kernel/Scheduler.ts';
import { effectClockFrom } from '../../../src/kernel/effectClock.ts';

describe('X-RTY-1 full-jitter retry policy', () => {
  it('gives at most 6 attempts with delays in [0, min(5 s, 200 ms·2^n))', () => {
    for (let seed = 0; seed < 200; seed++) {
      const delays = Effect.runSync(
        Schedule.run(Schedule.delays(fullJitter(DEFAULT_RETRY)), 0, Array.from({ length: 10 }, () => undefined)).pipe(Effect.withRandom(Random.make(seed))),
      );
      // Schedule.run also reports the delay computed by the final, stopping step: 5 retries = 5 delays + 1.
      const ms = [...delays].map((d) => Duration.toMillis(d)).slice(0, 5);
      expect([...delays]).toHaveLength(6);
      ms.forEach((d, n) => {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(5000, 200 * 2 ** n));
      });
    }
  });

  it('retries a failing effect exactly maxAttempts times on the TestClock, then fails', async () => {
    let attempts = 0;
    const flaky = Effect.suspend(() => {
      attempts += 1;
      return Effect.fail('transient' as const);
    });
    const result = await Effect.runPromise(
      Effect.gen(function* () {
        const fiber = yield* Effect.fork(flaky.pipe(Effect.retry(fullJitter(DEFAULT_RETRY)), Effect.either));
        yield* TestClock.adjust('1 minute');
        return yield* Fiber.join(fiber);
      }).pipe(Effect.provide(TestContext.TestContext), Effect.withRandom(Random.make('seed-42'))),
    );
    expect(Either.isLeft(result)).toBe(true);
    expect(attempts).toBe(6);
  });

  it('the plain full-jitter helper and the seeded random are deterministic and bounded', () => {
    const a = seededRandom(9);
    const b = seededRandom(9);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r = seededRandom(1);
    for (let n = 0; n < 10; n++) expect(fullJitterDelay(n, 200, 5000, r)).toBeLessThan(Math.min(5000, 200 * 2 ** n));
  });
});

describe('DESIGN §7 one clock for Effect, timers and the virtual replay', () => {
  it('Effect sleeps on the virtual clock advance only when the clock is advanced', async () => {
    const clock = new VirtualClock(1000);
    const scheduler = virtualScheduler(clock);
    const order: string[] = [];
    const done = Effect.runPromise(
      Effect.sleep('2 seconds').pipe(Effect.tap(() => Effect.sync(() => order.push(`effect@${clock.now()}`))), Effect.withClock(effectClockFrom(scheduler))),
    );
    const slept = new Promise<void>((resolve) => scheduler.schedule(clock.now() + 1000, resolve)).then(() => order.push(`timer@${clock.now()}`));
    await Promise.resolve();
    expect(order).toEqual([]);
    clock.advanceTo(2000);
    await slept;
    clock.advanceTo(2999);
    await Promise.resolve();
    expect(order).toEqual(['timer@2000']);
    clock.advanceTo(3000);
    await done;
    clock.advanceTo(5000);
    expect(order).toEqual(['timer@2000', 'effect@3000']);
    expect(Effect.runSync(effectClockFrom(scheduler).currentTimeMillis)).toBe(5000);
  });
});
