/**
 * Benchmarks of the Bybit adapter against the simulator's Bybit façade on loopback (not a test, not pass/fail):
 * place→ack latency of `placeOrder` (p50/p99), the rate at which public WS messages fanned out to several
 * subscribers are received and decoded by the adapter's stream decoder, and the decoder alone on book, trade and
 * ticker frames (issue 17 item 4: ≥ 300,000 book deltas/s) beside the bare JSON.parse floor.
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

  // 3. Decoder alone (issue 17 item 4; no I/O): an order-book delta, a publicTrade and a tickers frame, each decoded
  //    repeatedly; beside them, in the same run, bare JSON.parse of the delta (the floor every decoder pays), the
  //    delta through the schemas alone (the path before the hot-path checks), and decode + apply to a local book
  //    (book levels become Decimals when the book reads them, so this is where their parsing shows).
  {
    const { decodePublicFrame, decodePublicFrameWithSchemas } = await import('../../src/venues/bybit/ws/BybitWsStream.ts');
    const { LocalOrderBook } = await import('../../src/market/OrderBook.ts');
    const TS = 1_700_000_000_000;
    const delta = (u: number, ts: number): string =>
      JSON.stringify({
        topic: 'orderbook.50.BTCUSDT',
        type: 'delta',
        ts,
        data: { s: 'BTCUSDT', b: [['30000.1', '0.050'], ['30000.0', '0.100']], a: [['30000.2', '0.05'], ['30000.3', '0.1']], u, seq: 7 },
      });
    const book = delta(5, TS);
    const trade = JSON.stringify({
      topic: 'publicTrade.BTCUSDT',
      type: 'snapshot',
      ts: TS,
      data: [{ T: TS, s: 'BTCUSDT', S: 'Buy', v: '0.001', p: '30000.10', L: 'PlusTick', i: '20f43950-d8dd-5b31-9112-a178eb6023af', BT: false }],
    });
    // Bybit's documented linear ticker snapshot: 7 fields decoded, 13 ignored.
    const ticker = JSON.stringify({
      topic: 'tickers.BTCUSDT',
      type: 'snapshot',
      data: {
        symbol: 'BTCUSDT', tickDirection: 'PlusTick', price24hPcnt: '0.017103', lastPrice: '17216.00', prevPrice24h: '16926.50', highPrice24h: '17281.50',
        lowPrice24h: '16915.00', prevPrice1h: '17238.00', markPrice: '17217.33', indexPrice: '17227.36', openInterest: '68744.761', openInterestValue: '1183601235.91',
        turnover24h: '1570383121.943499', volume24h: '91705.276', nextFundingTime: '1673280000000', fundingRate: '-0.000212', bid1Price: '17215.50', bid1Size: '84.489',
        ask1Price: '17216.00', ask1Size: '83.020',
      },
      cs: 24987956059,
      ts: TS,
    });
    // A frame that does not decode to events would measure the refusal path: fail the bench instead.
    for (const [name, raw] of [['orderbook_delta', book], ['public_trade', trade], ['tickers', ticker]] as const) {
      const f = decodePublicFrame(raw);
      if (f.kind !== 'events') throw new Error(`bench frame ${name} does not decode: ${JSON.stringify(f)}`);
    }
    const perSecond = (n: number, run: () => void): number => {
      const t0 = performance.now();
      run();
      return Math.round(n / ((performance.now() - t0) / 1000));
    };
    const rate = (decode: () => unknown, n = 50_000): number => {
      for (let i = 0; i < 5000; i++) decode();
      return perSecond(n, () => {
        for (let i = 0; i < n; i++) decode();
      });
    };
    out.push({ name: 'bybit.ws.decode.orderbook_delta', value: rate(() => decodePublicFrame(book)), unit: 'frames/s' });
    out.push({ name: 'bybit.ws.decode.json_parse_floor', value: rate(() => JSON.parse(book), 200_000), unit: 'frames/s' });
    out.push({ name: 'bybit.ws.decode.public_trade', value: rate(() => decodePublicFrame(trade)), unit: 'frames/s' });
    out.push({ name: 'bybit.ws.decode.tickers', value: rate(() => decodePublicFrame(ticker)), unit: 'frames/s' });
    out.push({ name: 'bybit.ws.decode.orderbook_delta_schemas_only', value: rate(() => decodePublicFrameWithSchemas(book), 20_000), unit: 'frames/s' });
    {
      // Distinct deltas, u + 1 each after a snapshot at u = 5: every one applies (never stale, never a gap).
      const WARM = 5000;
      const N = 50_000;
      const frames = Array.from({ length: WARM + N }, (_, i) => delta(6 + i, TS + i));
      const local = new LocalOrderBook('BTCUSDT');
      local.applySnapshot({ symbol: 'BTCUSDT', bids: [], asks: [], updateId: 5, ts: TS });
      const step = (raw: string): void => {
        const f = decodePublicFrame(raw);
        const e = f.kind === 'events' ? f.events[0] : undefined;
        if (e?.type !== 'book' || !local.apply(e).ok) throw new Error('bench delta did not apply');
      };
      for (let i = 0; i < WARM; i++) step(frames[i]!);
      const value = perSecond(N, () => {
        for (let i = WARM; i < WARM + N; i++) step(frames[i]!);
      });
      out.push({ name: 'bybit.ws.decode_apply.orderbook_delta', value, unit: 'frames/s' });
    }
  }
  return out;
}
