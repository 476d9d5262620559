/**
 * The simulated venue of the scale bench, on a worker thread of its own: a `SimExchange` listing N synthetic
 * linear perpetuals (seeded random walks generated here, nothing read from disk), driven along venue time by the
 * simulator's Bybit façade on 127.0.0.1. It runs off the runtime's thread because a real venue is another machine:
 * the bench's event-loop lag, heap and tick → order figures are the runtime's, not the simulator's encoding work
 * (the process RSS still holds both). Posts `ready` with the URLs, then the engine-publish time of every ticker of
 * the probe symbol (`performance.timeOrigin + performance.now()`, comparable across threads); `stop` closes it.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { Decimal } from '../../src/domain/money.ts';
import type { Clock } from '../../src/kernel/Clock.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { startBybitSim } from '../../src/venues/sim/bybit/BybitSimServer.ts';
import { BYBIT_LINEAR_PROFILE } from '../../src/venues/sim/bybit/profile.ts';
import { createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import { syntheticFeed } from '../../src/venues/sim/replay/syntheticFeed.ts';

/** What the bench hands the worker. */
export interface ScaleVenueInput {
  readonly symbols: ReadonlyArray<string>;
  readonly probe: string;
  /** Venue ms between two ticks of one symbol. */
  readonly intervalMs: number;
  /** Venue time = wall time + offsetMs (speed 1; the runtime uses the same mapping). */
  readonly offsetMs: number;
  /** Venue time of every feed's first tick. */
  readonly start: number;
  /** How many ticks each feed holds (more than the point can use). */
  readonly ticks: number;
  readonly seed: number;
  readonly key: string;
  readonly secret: string;
  readonly account: string;
  readonly funding: string;
}

/** What the worker posts. */
export type ScaleVenueMessage =
  | { readonly t: 'ready'; readonly url: string; readonly wsPublicUrl: string; readonly wsPrivateUrl: string }
  | { readonly t: 'tick'; readonly ts: number; readonly at: number }
  | { readonly t: 'window' }
  | { readonly t: 'stopped'; readonly framesSent: number; readonly engineTime: number; readonly loopLagP99Ms: number; readonly utilization: number }
  | { readonly t: 'failed'; readonly message: string };

const port = parentPort;
if (port === null) throw new Error('scaleVenue.worker.ts runs as a worker thread');
const input = workerData as ScaleVenueInput;
const clock: Clock = { now: () => wallClock.now() + input.offsetMs };

try {
  // Prices spread over 20–180 so the instruments get different grids (the profile derives them from the first price).
  const priceOf = (i: number): Decimal => new Decimal(20 + ((i * 37) % 161));
  // The same volatility per second at every tick rate: a step's σ shrinks with √(interval).
  const volatility = 0.0005 * Math.sqrt(input.intervalMs / 1000);
  const instruments = input.symbols.map((symbol, i) => {
    const instrument = BYBIT_LINEAR_PROFILE.instrument(symbol, priceOf(i));
    if (instrument === undefined) throw new Error(`the Bybit profile cannot list ${symbol}`);
    return instrument;
  });
  const exchange = createSimExchange({
    clock,
    instruments,
    seed: input.seed,
    feeds: instruments.map((instrument, i) =>
      syntheticFeed({
        // Staggered over one interval: the symbols of a real venue do not all tick in the same millisecond.
        symbol: instrument.symbol, start: input.start + Math.floor((i * input.intervalMs) / input.symbols.length), startPrice: priceOf(i), ticks: input.ticks, seed: input.seed, volatility,
        intervalMs: input.intervalMs, tickSize: instrument.tickSize, quantityStep: instrument.quantityStep,
      }),
    ),
  });
  exchange.fundAccount(input.account, 'USDT', new Decimal(input.funding));
  // Registered before the façade's own listener: the time is taken before the ticker is encoded for the wire.
  exchange.subscribe((e) => {
    if (e.type === 'ticker' && e.ticker.symbol === input.probe) port.postMessage({ t: 'tick', ts: e.ticker.ts, at: performance.timeOrigin + performance.now() } satisfies ScaleVenueMessage);
  });
  const server = await startBybitSim({
    exchange, apiKeys: [{ key: input.key, secret: input.secret, account: input.account }], driveClock: true, clock, speed: 1, driveIntervalMs: 5,
    seed: input.seed,
    // The bench measures the runtime, not Bybit's per-UID limits (10 orders/s, 50 queries/s): see the ADR for what they cost a real start.
    rateLimits: { orderPerSecond: 100_000, otherPerSecond: 100_000 },
  });
  // The venue thread's own load over the bench's window (`window` starts it): is the simulator keeping up?
  const eld = monitorEventLoopDelay({ resolution: 10 });
  let elu = performance.eventLoopUtilization();
  port.on('message', (m: { readonly t: string }) => {
    if (m.t === 'window') {
      eld.enable();
      elu = performance.eventLoopUtilization();
      return;
    }
    if (m.t !== 'stop') return;
    eld.disable();
    const utilization = performance.eventLoopUtilization(elu).utilization;
    const loopLagP99Ms = Math.max(0, eld.percentile(99) / 1e6 - 10);
    const framesSent = server.counters().framesSent;
    void server.close().then(() => {
      port.postMessage({ t: 'stopped', framesSent, engineTime: exchange.now(), loopLagP99Ms, utilization } satisfies ScaleVenueMessage);
      port.close();
    });
  });
  port.postMessage({ t: 'ready', url: server.url, wsPublicUrl: server.wsPublicUrl, wsPrivateUrl: server.wsPrivateUrl } satisfies ScaleVenueMessage);
} catch (e) {
  port.postMessage({ t: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies ScaleVenueMessage);
  port.close();
}
