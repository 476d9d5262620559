/**
 * Orders above the venue's maximum quantity against the simulator (S0-16, X-ORD-1): the simulator's BTCUSDT takes at
 * most 0.002 per order (limit and market) and refuses more, as Bybit does; a long the RiskEngine sized above that
 * goes out through the real DecisionLoop, VenueRuntime, trade actor and ExecutionEngine as parts of at most 0.002,
 * one after another, each under its own id; its strategy exit closes it in parts the same way. Two runs of the same
 * session send the same parts under the same ids.
 */
import { describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import { splitQuantity } from '../../src/domain/rounding.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { lifecycleState } from '../../machines/trade/tradeMachine.ts';
import { onceStrategy } from '../support/onceStrategy.ts';
import { makeHarness, startedLoop } from './harness.ts';

const MAX = dec('0.002');
const STEP = dec('0.001');

const buyOnce = onceStrategy({ side: 'buy', ttlMs: 3_600_000, stopLossFraction: 0.05, takeProfitFraction: 0.05 });

interface Sent {
  readonly clientOrderId: string;
  readonly quantity: string;
  readonly reduceOnly: boolean;
}

/** One session: the entry in parts until the position is open and protected, then the exit in parts until closed. */
const session = async (): Promise<{ readonly sent: ReadonlyArray<Sent>; readonly approved: string; readonly states: ReadonlyArray<string>; readonly closed: Record<string, string> }> => {
  const hx = makeHarness({ bars: 200, instrument: (i) => (i.symbol === 'BTCUSDT' ? { ...i, maxQuantity: MAX, maxMarketQuantity: MAX } : i) });
  try {
    const loop = await startedLoop(hx, [buyOnce as Strategy<unknown>]);
    loop.runCycle();
    await hx.runtime.idle();
    const host = hx.runtime.host('BTCUSDT')!;
    const states: string[] = [];
    const step = async (until: (s: string) => boolean): Promise<void> => {
      const end = hx.clock.now() + 120 * 60_000;
      for (let t = hx.clock.now() + 1_000; t <= end; t += 1_000) {
        hx.clock.advanceTo(t);
        hx.exchange.advanceTo(t);
        await hx.runtime.idle();
        const s = lifecycleState(host.snapshot());
        if (states[states.length - 1] !== s) states.push(s);
        if (until(s)) return;
      }
    };
    await step((s) => s === 'opened.protected');
    host.send({ type: 'command.close', at: hx.clock.now() });
    await hx.runtime.idle();
    await step((s) => s === 'closed.cooldown');
    const events = [...hx.journal.readEvents({ fromSeq: 1 })];
    const sent = events.filter((e) => e.type === 'ORDER_REQUESTED').map((e) => {
      const p = e.payload as { clientOrderId: string; quantity: string; reduceOnly?: boolean };
      return { clientOrderId: p.clientOrderId, quantity: dec(p.quantity).toString(), reduceOnly: p.reduceOnly === true };
    });
    const decision = events.find((e) => e.type === 'RISK_DECISION' && (e.payload as { kind?: string }).kind === 'approve')?.payload as { order: { quantity: string } };
    const closed = events.find((e) => e.type === 'TRADE_CLOSED')?.payload as Record<string, string>;
    return { sent, approved: dec(decision.order.quantity).toString(), states, closed };
  } finally {
    await hx.runtime.stop('test');
    hx.journal.close();
  }
};

describe('orders above the venue maximum (S0-16)', () => {
  it('S0-16 X-ORD-1 an entry and its exit above the maximum order quantity go out in deterministic parts, one after another, with ids stable across two runs', async () => {
    const first = await session();
    // S0-16's case: the RiskEngine sized 0.005 = 2.5 × the maximum, so three parts: max, max, 0.5 × max.
    expect(first.approved).toBe(MAX.times(2.5).toString());
    const parts = splitQuantity(dec(first.approved), MAX, STEP).map(String);
    expect(parts).toEqual(['0.002', '0.002', '0.001']);
    // The RiskEngine sized the entry above the maximum, so it has at least two parts: full ones, then the rest.
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.slice(0, -1).every((q) => q === MAX.toString())).toBe(true);
    const entries = first.sent.filter((s) => !s.reduceOnly);
    const exits = first.sent.filter((s) => s.reduceOnly);
    expect(entries.map((s) => s.quantity)).toEqual(parts);
    const base = entries[0]!.clientOrderId;
    expect(entries.map((s) => s.clientOrderId)).toEqual([base, ...parts.slice(1).map((_, k) => `${base}-p${String(k + 1)}`)]);
    // The exit: the open position (all parts filled) closed by market orders of at most the maximum.
    expect(exits.map((s) => s.quantity)).toEqual(parts);
    expect(exits.map((s) => s.clientOrderId)).toEqual(parts.map((_, k) => `${base}-x${String(k + 1)}`));
    expect(first.states).toContain('opened.protected');
    expect(first.states[first.states.length - 1]).toBe('closed.cooldown');
    expect(first.closed).toMatchObject({ reason: 'exit', quantity: first.approved });
    // The same session again: the same parts under the same ids (X-ORD-1, deterministic on the virtual clock).
    const second = await session();
    expect(second.sent).toEqual(first.sent);
  }, 180_000);
});
