/**
 * The run's heartbeat line (issue 14 item 7, X-OBS-4): one line every `everyMs` of wall time with wall and session
 * time, trades, realized PnL, positions, the gate and live connections, on a VirtualClock-driven scheduler.
 */
import { describe, expect, it } from 'vitest';
import { startHeartbeat } from '../../src/app/heartbeat.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import type { StatusView } from '../../src/ops/types.ts';
import { opsSourceOf, SAMPLE_AT, sampleStatus } from '../support/statusViews.ts';

const WALL_START = Date.parse('2026-10-01T08:00:00.000Z');

const heartbeatOn = (status: () => StatusView, everyMs = 10_000) => {
  const clock = new VirtualClock(WALL_START);
  const scheduler = virtualScheduler(clock);
  const lines: string[] = [];
  const stop = startHeartbeat({ source: opsSourceOf(status), everyMs, schedule: (at, run) => scheduler.schedule(at, run), now: () => clock.now(), out: (l) => lines.push(l) });
  return { clock, lines, stop };
};

describe('heartbeat line', () => {
  it('X-OBS-4 prints one line every 10 s of wall time with session time, trades, PnL, positions, gate and connections', () => {
    let view = sampleStatus();
    const { clock, lines, stop } = heartbeatOn(() => view);
    clock.advanceBy(9_999);
    expect(lines).toEqual([]);
    clock.advanceBy(1);
    expect(lines).toEqual([`heartbeat 2026-10-01T08:00:10.000Z t=${new Date(SAMPLE_AT).toISOString()} trades=1 pnl=12.5 positions=1 gate=ON connections=1/2`]);
    view = sampleStatus({ at: SAMPLE_AT + 600_000, positions: [], trading: { on: false, reasons: ['main: kill_switch (operator)'] }, counters: { ...view.counters, trades: 3 }, pnl: { ...view.pnl, realized: '-4.25' } });
    clock.advanceBy(20_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('heartbeat 2026-10-01T08:00:30.000Z t=2026-09-22T10:10:00.000Z trades=3 pnl=-4.25 positions=0 gate=OFF connections=1/2');
    stop();
    clock.advanceBy(60_000);
    expect(lines).toHaveLength(3);
  });

  it('X-OBS-4 a status that cannot be built prints a line saying so, and the beat goes on', () => {
    let fail = true;
    const { clock, lines } = heartbeatOn(() => {
      if (fail) throw new Error('runtime stopped');
      return sampleStatus();
    }, 2_000);
    clock.advanceBy(2_000);
    fail = false;
    clock.advanceBy(2_000);
    expect(lines).toEqual([
      'heartbeat 2026-10-01T08:00:02.000Z status unavailable: runtime stopped',
      expect.stringMatching(/^heartbeat 2026-10-01T08:00:04\.000Z t=\S+ trades=1 /) as unknown as string,
    ]);
  });

  it('X-OBS-4 heartbeatMs 0 prints nothing', () => {
    const { clock, lines } = heartbeatOn(() => sampleStatus(), 0);
    clock.advanceBy(3_600_000);
    expect(lines).toEqual([]);
  });
});
