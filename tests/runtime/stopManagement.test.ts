/**
 * Stop management against the simulator (S0-8, S0-11, S0-13): a short BTCUSDT position opened through the real
 * DecisionLoop, RiskEngine, VenueRuntime, trade actor and ExecutionEngine rides the bundled 2022-12-13 bars down. The
 * runtime's mark feed hands the actor a mark only when its stop would move; the venue's stop goes to break-even once,
 * then the trailer takes it, only downward (a short's stop follows the lowest mark), each move journaled as a
 * confirmed TP/SL request. The fractions are scaled to the replayed morning's −0.6 % (S0's defaults are +2.3 % /
 * +6.1 % / 2.5 %, the same rules).
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { oepHash } from '../../src/domain/oep.ts';
import { roundPrice } from '../../src/domain/rounding.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { makeHarness, startedLoop } from './harness.ts';
import { onceStrategy } from '../support/onceStrategy.ts';

const sellOnce = onceStrategy({ side: 'sell', ttlMs: 600_000 });

const TICK = dec('0.1');
const management = { breakEvenAtFraction: '0.001', breakEvenOffsetFraction: '0.000015', trailFromFraction: '0.003', trailDistanceFraction: '0.001', trailStepFraction: '0.0002' };

describe('stop management against the simulator (S0-11, S0-13)', () => {
  it('S0-8 S0-11 S0-13 a short\'s stop goes to break-even once, then trails the lowest mark downward until the trailed stop closes it in profit; every move confirmed at the venue', async () => {
    const hx = makeHarness({ bars: 200, settings: { stopManagement: management } });
    try {
      const loop = await startedLoop(hx, [sellOnce as Strategy<unknown>]);
      loop.runCycle();
      await hx.runtime.idle();
      const host = hx.runtime.host('BTCUSDT')!;
      const states = new Set<string>();
      const end = hx.clock.now() + 180 * 60_000;
      for (let t = hx.clock.now() + 2_000; t <= end && !states.has('closed.cooldown'); t += 2_000) {
        hx.clock.advanceTo(t);
        hx.exchange.advanceTo(t);
        await hx.runtime.idle();
        states.add(lifecycleState(host.snapshot()));
      }
      expect([...states]).toEqual(['opened.protected', 'opened.breakEven', 'opened.trailing', 'closed.cooldown']);
      const events = [...hx.journal.readEvents({ fromSeq: 1 })];
      const payloads = (type: string) => events.filter((e) => e.type === type).map((e) => e.payload as Record<string, string>);
      const oep = dec(payloads('ORDER_FILLED')[0]!['price']!);
      const stops = payloads('PROTECTION_SET').map((p) => dec(p['stopLoss']!));
      // The entry's stop at OEP + 1 %; break-even just below the OEP (OEP − 0.0015 %, rounded down); then the trailer.
      expect(stops[0]!.toString()).toBe(roundPrice(oep.times(1.01), TICK, 'nearest').toString());
      expect(stops[1]!.lt(oep) && stops[1]!.gte(oep.times(0.99998))).toBe(true);
      expect(stops.length).toBeGreaterThan(3);
      for (let i = 1; i < stops.length; i += 1) expect(stops[i]!.lt(stops[i - 1]!), `stop ${String(i)} moves down`).toBe(true);
      // The TP never moved; a mark reached the actor only for a move (one per stop after the entry's).
      expect(new Set(payloads('PROTECTION_SET').map((p) => p['takeProfit']))).toEqual(new Set([roundPrice(oep.times(0.98), TICK, 'nearest').toString()]));
      const marks = events.filter((e) => e.type === 'ACTOR_EVENT' && (e.payload as { event: { type: string } }).event.type === 'market.mark');
      expect(marks.map((m) => (m.payload as { to: string }).to)).toEqual(stops.slice(1).map(() => 'opened.movingStop'));
      // S0-8: every actor step from the first fill on carries the OEP seal of this trade (SHA-256 of "<trade id>|<OEP>");
      // none before it, and no other seal: the OEP never changed through the stop moves.
      const steps = events.filter((e) => e.type === 'ACTOR_EVENT' && e.stream === 'trade:sim:BTCUSDT').map((e) => e.payload as { oepHash?: string; to: string });
      const firstSealed = steps.findIndex((p) => p.oepHash !== undefined);
      expect(firstSealed).toBeGreaterThan(0);
      expect(steps.slice(0, firstSealed).every((p) => p.to === 'idle' || p.to === 'submitting' || p.to === 'working')).toBe(true);
      const intentId = payloads('TRADE_CLOSED')[0]!['intentId']!;
      expect(new Set(steps.slice(firstSealed).map((p) => p.oepHash))).toEqual(new Set([oepHash(intentId, oep.toString())]));
      // The trailed stop closed it in profit; the OEP is the first fill's price throughout.
      const closed = payloads('TRADE_CLOSED')[0]!;
      expect(closed).toMatchObject({ reason: 'stopLoss', entryPrice: oep.toString(), side: 'sell' });
      expect(dec(closed['realizedPnl']!).gt(0)).toBe(true);
      expect(dec(closed['averageExitPrice']!).lt(stops[1]!)).toBe(true);
    } finally {
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  }, 120_000);
});
