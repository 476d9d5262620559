import { Duration, Effect, Random, Schedule, TestClock, TestContext } from 'effect';
import { describe, expect, it } from 'vitest';
import { restartSchedule, superviseSymbols } from '../../src/runtime/SymbolSupervisor.ts';
import { makeHarness } from './harness.ts';

const policy = { restartBaseMs: 200, restartCapMs: 5000, restartMaxAttempts: 6, quarantineAfterRestarts: 5, quarantineWindowMs: 60_000 };

describe('X-RT-1 symbol supervisor', () => {
  it('restarts only the failed symbol from its snapshot, and quarantines it on the sixth defect within 60 s', async () => {
    const h = makeHarness();
    await h.runtime.prepare();
    const program = Effect.gen(function* () {
      yield* superviseSymbols(h.runtime, ['BTCUSDT', 'ADAUSDT'], policy);
      h.runtime.openGate();
      const ada = h.runtime.host('ADAUSDT')!;
      // ADA holds a working order at the venue: it must survive BTC's crashes untouched.
      ada.send({ type: 'stream.paused', reason: 'test', at: h.clock.now() });
      const adaOrdersBefore = h.exchange.orderHistory('main').length;
      const adaStateBefore = JSON.stringify(ada.snapshot().value);

      const crash = function* (n: number) {
        const host = h.runtime.host('BTCUSDT')!;
        host.injectDefect(`defect ${n}`);
        host.send({ type: 'stream.paused', reason: 'probe', at: h.clock.now() });
        expect(host.isStopped()).toBe(true);
        // Let the supervisor fiber observe the failure (it records the restart before sleeping).
        while (h.runtime.stats.restarts < n) yield* Effect.yieldNow();
        yield* TestClock.adjust('5 seconds'); // longer than any jittered delay at the cap
        const next = h.runtime.host('BTCUSDT')!;
        expect(next).not.toBe(host);
        expect(next.isStopped()).toBe(false);
      };
      for (let n = 1; n <= 5; n++) {
        yield* crash(n);
        expect((h.runtime.state.gates('BTCUSDT').quarantined !== undefined)).toBe(false);
      }
      yield* crash(6);
      expect((h.runtime.state.gates('BTCUSDT').quarantined !== undefined)).toBe(true);
      expect(h.runtime.host('ADAUSDT')).toBe(ada);
      expect(ada.isStopped()).toBe(false);
      expect(JSON.stringify(ada.snapshot().value)).toBe(adaStateBefore);
      expect(h.exchange.orderHistory('main').length).toBe(adaOrdersBefore);
      // The restored actor carries on from the journal: the pause sent before each crash was committed or rolled back whole.
      expect(h.runtime.host('BTCUSDT')!.state()).toBe('idle');
    });
    await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(TestContext.TestContext), Effect.withRandom(Random.make(1))));
    const types = [...h.journal.readEvents({ stream: 'trade:sim:BTCUSDT' })].map((e) => e.type);
    expect(types.filter((t) => t === 'ACTOR_DEFECT')).toHaveLength(6);
    expect(types.filter((t) => t === 'ACTOR_RESTORED')).toHaveLength(6);
    expect(types).toContain('SYMBOL_QUARANTINED');
    expect(h.logLines.some((l) => l.includes('"alert":"symbol_quarantined"'))).toBe(true);
    h.journal.close();
  });

  it('X-RTY-1 draws restart delays with full jitter within [0, min(cap, base·2^n)) and keeps restarting at the cap', () => {
    const bounds = [200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000];
    const maxSeen = bounds.map(() => 0);
    for (let seed = 0; seed < 300; seed++) {
      const delays = Effect.runSync(
        Schedule.run(Schedule.delays(restartSchedule(policy)), 0, bounds.map(() => undefined)).pipe(Effect.withRandom(Random.make(seed))),
      );
      const ms = [...delays].map((d) => Duration.toMillis(d));
      expect(ms).toHaveLength(bounds.length);
      ms.forEach((d, n) => {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(bounds[n]!);
        maxSeen[n] = Math.max(maxSeen[n]!, d);
      });
    }
    // Full jitter spans the whole range (not 0.8–1.2 × the bound): the largest draw comes close to each bound.
    maxSeen.forEach((m, n) => expect(m).toBeGreaterThan(bounds[n]! * 0.9));
  });
});
