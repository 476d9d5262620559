/**
 * X-WS-2: a LocalOrderBook maintained from ≥ 10,000 order-book deltas of the simulator's Bybit public stream, with
 * the façade's sequence-gap fault switched on. Every gap is detected, the book is resynced from the adapter's REST
 * `orderBook` snapshot, and after each resync (and at every caught-up step) it equals the simulator's own book.
 * The engine only moves when the test advances it, and a ping/pong barrier proves every frame sent has arrived.
 */
import { Effect } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalOrderBook } from '../../../src/market/OrderBook.ts';
import type { MarketEvent } from '../../../src/venues/streams.ts';
import { startSimHarness, type SimHarness } from './simHarness.ts';
import { runStream, type StreamRun } from './wsRunner.ts';

let h: SimHarness;
let pub: StreamRun<MarketEvent>;

beforeAll(async () => {
  h = await startSimHarness({ tickIntervalMs: 10, ticks: 400_000 });
  pub = await runStream(h.venue.streams.public(['BTCUSDT'], 50, ['orderbook']), () => h.clock.now());
});

afterAll(async () => {
  await pub.close();
  await h.close();
});

describe('LocalOrderBook over the simulator stream', () => {
  it('X-WS-2 stays equal to the simulator book across ≥ 10,000 deltas with injected gaps, resyncing by REST snapshot', async () => {
    const book = new LocalOrderBook('BTCUSDT');
    let deltas = 0;
    let detectedGaps = 0;
    let needResync = false;
    let invalid = 0;
    pub.onFrame((f) => {
      if (f.kind === 'invalid') invalid++;
      if (f.kind !== 'events') return;
      for (const e of f.events) {
        if (e.type !== 'book' || e.symbol !== 'BTCUSDT') continue;
        if (e.kind === 'delta') deltas++;
        const r = book.apply(e);
        if (!r.ok && !needResync) {
          detectedGaps++;
          needResync = true;
        }
      }
    });
    await pub.barrier();
    expect(book.isSynced()).toBe(true);

    const engineBookEquals = (): boolean => {
      const own = h.exchange.book('BTCUSDT', 50);
      const mine = book.levels();
      return (
        book.lastUpdateId() === own.updateId &&
        mine.bids.length === own.bids.length &&
        mine.asks.length === own.asks.length &&
        book.equals({ bids: own.bids.map(([price, size]) => ({ price, size })), asks: own.asks.map(([price, size]) => ({ price, size })) })
      );
    };

    h.setFaults({ gapRate: 0.01, seed: 4 });
    let resyncs = 0;
    let caughtUpChecks = 0;
    for (let step = 0; deltas < 10_000 && step < 5000; step++) {
      h.advance(1000);
      await pub.barrier();
      if (needResync) {
        // The engine is frozen between steps, so the REST snapshot is the engine's current book.
        const snapshot = await Effect.runPromise(h.venue.orderBook('BTCUSDT', 50));
        book.applySnapshot(snapshot);
        needResync = false;
        resyncs++;
        expect(engineBookEquals()).toBe(true);
      } else if (book.lastUpdateId() === h.exchange.book('BTCUSDT', 50).updateId) {
        // Not caught up means the step's last delta was the dropped one; the next step's first delta reveals it.
        caughtUpChecks++;
        expect(engineBookEquals()).toBe(true);
      }
    }
    h.setFaults({});
    expect(deltas).toBeGreaterThanOrEqual(10_000);
    expect(invalid).toBe(0);
    expect(detectedGaps).toBeGreaterThanOrEqual(10);
    expect(resyncs).toBe(detectedGaps);
    expect(caughtUpChecks).toBeGreaterThan(0);
    // Gaps inside one step coalesce into one detection; none goes unnoticed by more than one step.
    const injected = h.server.counters().gapsInjected;
    expect(detectedGaps).toBeLessThanOrEqual(injected);
    expect(detectedGaps).toBeGreaterThanOrEqual(Math.floor(injected * 0.5));
  });
});
