/** Deadlines: named timers on the injected scheduler (virtual clock): arm replaces, disarm cancels, clear cancels all. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { Deadlines } from '../../../src/kernel/Deadlines.ts';
import { virtualScheduler, type Scheduler } from '../../../src/kernel/Scheduler.ts';

const setup = () => {
  const clock = new VirtualClock(1_000);
  const deadlines = new Deadlines<'ping' | 'pongTimeout' | 'reconnect'>(virtualScheduler(clock));
  const fired: Array<[string, number]> = [];
  const fire = (name: string) => () => fired.push([name, clock.now()]);
  return { clock, deadlines, fired, fire };
};

describe('Deadlines', () => {
  it('fires each armed name once at its time, and the name is no longer armed when its callback runs', () => {
    const { clock, deadlines, fired, fire } = setup();
    let armedInside: boolean | undefined;
    deadlines.arm('ping', 1_200, fire('ping'));
    deadlines.arm('pongTimeout', 1_100, () => {
      armedInside = deadlines.isArmed('pongTimeout');
      fire('pongTimeout')();
    });
    expect(deadlines.names()).toEqual(['ping', 'pongTimeout']);
    clock.advanceTo(1_500);
    expect(fired).toEqual([['pongTimeout', 1_100], ['ping', 1_200]]);
    expect(armedInside).toBe(false);
    expect(deadlines.names()).toEqual([]);
  });

  it('arming a name again replaces its earlier deadline', () => {
    const { clock, deadlines, fired, fire } = setup();
    deadlines.arm('ping', 1_100, fire('first'));
    deadlines.arm('ping', 1_300, fire('second'));
    clock.advanceTo(2_000);
    expect(fired).toEqual([['second', 1_300]]);
  });

  it('disarm cancels one name; clear cancels every name', () => {
    const { clock, deadlines, fired, fire } = setup();
    deadlines.arm('ping', 1_100, fire('ping'));
    deadlines.arm('pongTimeout', 1_100, fire('pongTimeout'));
    deadlines.arm('reconnect', 1_100, fire('reconnect'));
    deadlines.disarm('ping');
    deadlines.disarm('ping');
    expect(deadlines.isArmed('ping')).toBe(false);
    clock.advanceTo(1_050);
    deadlines.clear();
    clock.advanceTo(2_000);
    expect(fired).toEqual([]);
    expect(deadlines.names()).toEqual([]);
  });

  it('a callback may re-arm its own name', () => {
    const { clock, deadlines, fired } = setup();
    const tick = (): void => {
      fired.push(['ping', clock.now()]);
      if (fired.length < 3) deadlines.arm('ping', clock.now() + 100, tick);
    };
    deadlines.arm('ping', 1_100, tick);
    clock.advanceTo(2_000);
    expect(fired).toEqual([['ping', 1_100], ['ping', 1_200], ['ping', 1_300]]);
    expect(deadlines.isArmed('ping')).toBe(false);
  });

  it('a scheduler that runs an overdue callback at once leaves nothing armed', () => {
    const eager: Scheduler = { clock: { now: () => 5 }, schedule: (_at, fn) => (fn(), () => undefined) };
    const deadlines = new Deadlines<'ping'>(eager);
    let runs = 0;
    deadlines.arm('ping', 0, () => (runs += 1));
    expect(runs).toBe(1);
    expect(deadlines.isArmed('ping')).toBe(false);
  });
});
