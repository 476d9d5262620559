/**
 * X-BT-5 S1-10 the backtest's order latency (src/venues/sim/engine/orderLatency.ts): on real BTCUSDT minute bars
 * replayed with the bar fill model (ticks at 0, 19 999, 39 998 and 59 999 ms of each bar), an order sent at a bar's
 * open reaches the engine `latencyMs` later on the virtual clock and fills at the market of that instant — the open
 * below 19 999 ms, the bar's first extreme after it — while the gateway acknowledges at once under the id the engine
 * then uses. Cancels are delayed the same way, a refusal on arrival comes back on the stream, and equal inputs give
 * equal events. The driver below is the session's (src/app/sessionClock.ts): due timers first, then the replayed tick.
 */
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { withOrderLatency } from '../../../src/venues/sim/engine/orderLatency.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import type { SimEvent, SimExchange, SimOrderInput } from '../../../src/venues/sim/engine/types.ts';
import { barFeed, intraBarPath, loadBarsCsv } from '../../../src/venues/sim/replay/index.ts';

const BTC = 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv';
const bars = loadBarsCsv(BTC).slice(0, 20);
const TICK = new Decimal('0.1');
const T0 = bars[0]!.start;

interface World {
  readonly ex: SimExchange;
  readonly events: SimEvent[];
  readonly runTo: (t: number) => void;
}

const world = (latencyMs: number): World => {
  const clock = new VirtualClock(T0);
  const feed = barFeed({ symbol: 'BTCUSDT', bars, seed: 7, ticksPerBar: 4, tickSize: TICK, quantityStep: new Decimal('0.001'), barFill: { slippageBps: 0, volumeFraction: 1 } });
  const engine = createSimExchange({ clock, instruments: [bybitLinearInstrument('BTCUSDT')], feeds: [feed], seed: 42 });
  const ex = withOrderLatency(engine, { latencyMs, seed: 42, schedule: (at, run) => clock.schedule(at, run) });
  ex.fundAccount('a', 'USDT', new Decimal(100_000));
  const events: SimEvent[] = [];
  ex.subscribe((e) => events.push(e));
  // The session's driver: the earlier of the next timer and the next tick; a timer due at a tick's instant runs first.
  const runTo = (t: number): void => {
    for (;;) {
      const tick = ex.nextEventAt();
      const timer = clock.nextTimerAt();
      const at = timer !== undefined && (tick === undefined || timer < tick) ? timer : tick;
      if (at === undefined || at > t) break;
      clock.advanceTo(at);
      if (at === tick) ex.advanceTo(at);
    }
    if (clock.now() < t) clock.advanceTo(t);
  };
  return { ex, events, runTo };
};

const market = (side: 'buy' | 'sell', quantity: string, clientOrderId = 'e1'): SimOrderInput => ({
  account: 'a', symbol: 'BTCUSDT', side, type: 'market', quantity: new Decimal(quantity), timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false, clientOrderId,
});

/** Finds a bar whose first extreme (tick 1) differs from its open, so the price moves within 20 s of the open. */
const movingBar = bars.findIndex((b, i) => i > 0 && !intraBarPath(b, 4, TICK)[1]!.eq(b.open));
const BAR = bars[movingBar]!;
const PATH = intraBarPath(BAR, 4, TICK);

/** Sends a market buy at the open of the moving bar (after its open tick) and runs to the bar's end. */
const buyAtOpen = (latencyMs: number): { readonly w: World; readonly ack: ReturnType<SimExchange['placeOrder']> } => {
  const w = world(latencyMs);
  w.runTo(BAR.start);
  const ack = w.ex.placeOrder(market('buy', '0.01'));
  w.runTo(BAR.start + 59_999);
  return { w, ack };
};

const fillsOf = (w: World): ReadonlyArray<{ readonly price: string; readonly ts: number; readonly orderId: string }> =>
  w.events.flatMap((e) => (e.type === 'execution' ? [{ price: e.execution.price.toString(), ts: e.execution.ts, orderId: e.execution.orderId }] : []));

describe('X-BT-5 order latency on the virtual clock', () => {
  it('X-BT-5 latency 0 is the engine itself: the buy fills at the open, at the instant it is sent', () => {
    const engine = createSimExchange({ clock: new VirtualClock(T0), instruments: [bybitLinearInstrument('BTCUSDT')], feeds: [], seed: 1 });
    expect(withOrderLatency(engine, { latencyMs: 0, seed: 1, schedule: () => () => undefined })).toBe(engine);
    const { w } = buyAtOpen(0);
    expect(fillsOf(w).map((f) => [f.price, f.ts])).toEqual([[BAR.open.toString(), BAR.start]]);
  });

  it('X-BT-5 S1-10 a buy arriving 20 s after the open fills at the bar\'s first extreme, 20 s later, as the bars say', () => {
    expect(PATH[1]!.eq(BAR.open), 'the fixture bar moves within its first 20 s').toBe(false);
    const { w, ack } = buyAtOpen(20_000);
    // Acknowledged at once, not yet at the engine: no fill, and the order reads as new meanwhile.
    expect(ack.ok && ack.value.status).toBe('new');
    const fills = fillsOf(w);
    // Tick 1 (19 999 ms) printed the first extreme; with 0 bps the ask is that price itself.
    expect(fills.map((f) => [f.price, f.ts])).toEqual([[PATH[1]!.toString(), BAR.start + 20_000]]);
    expect(fills[0]!.orderId).toBe(ack.ok ? ack.value.orderId : 'refused');
    const zero = fillsOf(buyAtOpen(0).w)[0]!;
    expect(new Decimal(fills[0]!.price).minus(zero.price).toString()).toBe(PATH[1]!.minus(BAR.open).toString());
  });

  it('X-BT-5 a request due at a tick\'s instant arrives before that tick: 19 999 ms still meets the open', () => {
    const fills = fillsOf(buyAtOpen(19_999).w);
    expect(fills.map((f) => [f.price, f.ts])).toEqual([[BAR.open.toString(), BAR.start + 19_999]]);
  });

  it('X-BT-5 the same latency twice gives the same events, byte for byte', () => {
    const a = buyAtOpen(20_000).w;
    const b = buyAtOpen(20_000).w;
    expect(JSON.stringify(b.events)).toBe(JSON.stringify(a.events));
    expect(JSON.stringify(b.ex.executions('a'))).toBe(JSON.stringify(a.ex.executions('a')));
  });

  it('X-BT-5 a cancel reaches the engine latency later: the order stays open until then', () => {
    const w = world(5_000);
    w.runTo(BAR.start);
    const far = BAR.low.minus(1000);
    w.ex.placeOrder({ ...market('buy', '0.01', 'r1'), type: 'limit', price: far, timeInForce: 'gtc' });
    expect(w.ex.openOrders('a').map((o) => o.clientOrderId)).toEqual(['r1']);
    w.runTo(BAR.start + 5_000);
    expect(w.ex.cancelOrder('a', 'BTCUSDT', { clientOrderId: 'r1' }).ok).toBe(true);
    w.runTo(BAR.start + 9_999);
    expect(w.ex.openOrders('a').map((o) => o.status)).toEqual(['new']);
    w.runTo(BAR.start + 10_000);
    expect(w.ex.openOrders('a')).toEqual([]);
    expect(w.ex.getOrder('a', 'BTCUSDT', { clientOrderId: 'r1' })?.status).toBe('cancelled');
    // A closed order is refused at once: it can never be open when a cancel would arrive.
    expect(w.ex.cancelOrder('a', 'BTCUSDT', { clientOrderId: 'r1' })).toMatchObject({ ok: false, code: 'order_not_found' });
  });

  it('X-BT-5 what the engine refuses on arrival comes back on the stream as a rejected order under the acknowledged id', () => {
    const w = world(1_000);
    w.runTo(BAR.start);
    const ack = w.ex.placeOrder(market('buy', '90'));
    expect(ack.ok).toBe(true);
    expect(w.ex.placeOrder(market('buy', '1'))).toMatchObject({ ok: false, code: 'duplicate_client_id' });
    w.runTo(BAR.start + 1_000);
    const orders = w.events.flatMap((e) => (e.type === 'order' ? [e.order] : []));
    expect(orders.map((o) => [o.clientOrderId, o.status, o.rejectReason, o.orderId, o.updatedAt])).toEqual([
      ['e1', 'rejected', 'insufficient_margin', ack.ok ? ack.value.orderId : '', BAR.start + 1_000],
    ]);
    expect(fillsOf(w)).toEqual([]);
  });

  it('X-BT-5 after the last replayed tick the market cannot move: requests arrive at once', () => {
    const w = world(30_000);
    const last = bars[bars.length - 1]!;
    w.runTo(last.start + 59_999);
    expect(w.ex.nextEventAt()).toBeUndefined();
    w.ex.placeOrder(market('buy', '0.01'));
    expect(fillsOf(w).map((f) => f.ts)).toEqual([last.start + 59_999]);
  });
});
