/**
 * Benchmarks of the Bybit adapter against the simulator's Bybit façade on loopback (not a test, not pass/fail):
 * place→ack latency of `placeOrder` (p50/p99) and the rate at which public WS messages fanned out to several
 * subscribers are received and decoded by the adapter's stream decoder.
 */
import { Effect } from 'effect';
import { Decimal } from '../../src/domain/money.ts';
import { startSimHarness } from '../venues/bybit/simHarness.ts';
import { runStream } from '../venues/bybit/wsRunner.ts';

const percentile = (sorted: ReadonlyArray<number>, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Runs the benchmarks and returns one figure per line. */
export async function benchBybitAdapter(): Promise<Array<{ name: string; value: number; unit: string }>> {
  const out: Array<{ name: string; value: number; unit: string }> = [];

  // 1. place → ack latency: resting limit orders far from the market, one at a time.
  {
    const h = await startSimHarness();
    try {
      await Effect.runPromise(h.venue.instruments());
      const bid = h.exchange.book('BTCUSDT', 1).bids[0]?.[0] ?? new Decimal('30000');
      const price = bid.minus(1000);
      const lat: number[] = [];
      const N = 600;
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await Effect.runPromise(
          h.venue.placeOrder({ clientOrderId: `bench-${i}`, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: new Decimal('0.001'), price, timeInForce: 'gtc', reduceOnly: false }),
        );
        if (i >= 100) lat.push(performance.now() - t0); // first 100 are warm-up
        if (i % 400 === 399) await Effect.runPromise(h.venue.cancelAll('BTCUSDT')); // stay below 500 open orders
      }
      lat.sort((a, b) => a - b);
      out.push({ name: 'bybit.placeOrder.ack.p50', value: Number(percentile(lat, 50).toFixed(3)), unit: 'ms' });
      out.push({ name: 'bybit.placeOrder.ack.p99', value: Number(percentile(lat, 99).toFixed(3)), unit: 'ms' });
    } finally {
      await h.close();
    }
  }

  // 2. WS fan-out: 4 subscribers to every public channel; count decoded frames per second of wall time.
  {
    const h = await startSimHarness({ tickIntervalMs: 10, ticks: 200_000 });
    const SUBSCRIBERS = 4;
    try {
      const runs = await Promise.all(Array.from({ length: SUBSCRIBERS }, () => runStream(h.venue.streams.public(['BTCUSDT'], 50), () => h.clock.now())));
      let frames = 0;
      let invalid = 0;
      for (const r of runs) {
        r.onFrame((f) => {
          if (f.kind === 'events') frames++;
          else if (f.kind === 'invalid') invalid++;
        });
      }
      await Promise.all(runs.map((r) => r.barrier()));
      frames = 0;
      const t0 = performance.now();
      for (let step = 0; step < 50; step++) {
        h.advance(1000);
        await Promise.all(runs.map((r) => r.barrier()));
      }
      const seconds = (performance.now() - t0) / 1000;
      out.push({ name: 'bybit.ws.public.fanout.messages_per_s', value: Math.round(frames / seconds), unit: 'msg/s' });
      out.push({ name: 'bybit.ws.public.fanout.subscribers', value: SUBSCRIBERS, unit: 'count' });
      out.push({ name: 'bybit.ws.public.invalid_frames', value: invalid, unit: 'count' });
      await Promise.all(runs.map((r) => r.close()));
    } finally {
      await h.close();
    }
  }

  // 3. Decoder alone: one order-book delta, decoded repeatedly (no I/O).
  {
    const { decodePublicFrame } = await import('../../src/venues/bybit/ws/BybitWsStream.ts');
    const raw = JSON.stringify({
      topic: 'orderbook.50.BTCUSDT',
      type: 'delta',
      ts: 1,
      data: { s: 'BTCUSDT', b: [['30000.1', '0.050'], ['30000.0', '0.100']], a: [['30000.2', '0.05'], ['30000.3', '0.1']], u: 5, seq: 7 },
    });
    for (let i = 0; i < 5000; i++) decodePublicFrame(raw);
    const N = 50_000;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) decodePublicFrame(raw);
    out.push({ name: 'bybit.ws.decode.orderbook_delta', value: Math.round(N / ((performance.now() - t0) / 1000)), unit: 'frames/s' });
  }
  return out;
}
