/**
 * Test support for adapter ↔ simulator tests: a real `SimExchange` on a VirtualClock fed by a seeded synthetic
 * random walk, the simulator's Bybit façade on an ephemeral loopback port, and our adapter pointed at it (sharing the
 * virtual clock, so signed timestamps equal engine time). Nothing here is mocked.
 */
import { Redacted } from 'effect';
import { Decimal } from '../../../src/domain/money.ts';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { decodeBybitConfig } from '../../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue, type BybitVenue } from '../../../src/venues/bybit/BybitVenue.ts';
import { startBybitSim, type BybitSimServer } from '../../../src/venues/sim/bybit/BybitSimServer.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../../src/venues/sim/engine/types.ts';
import { makeFaultPlan, type FaultPlanInput } from '../../../src/venues/sim/faults.ts';
import { syntheticFeed } from '../../../src/venues/sim/replay/index.ts';

export const START = 1_750_000_000_000;
export const KEY = 'adapter-key-1';
export const SECRET = 'adapter-secret-1';
export const ACCOUNT = 'adapter-acct-1';

export interface SimHarness {
  readonly clock: VirtualClock;
  readonly exchange: SimExchange;
  readonly server: BybitSimServer;
  readonly venue: BybitVenue;
  /** Moves the virtual clock and the engine forward together. */
  advance(ms: number): void;
  setFaults(plan: FaultPlanInput): void;
  close(): Promise<void>;
}

/** Starts engine + façade + adapter. `tickIntervalMs` sets how often the synthetic market moves. */
export const startSimHarness = async (opts: { readonly tickIntervalMs?: number; readonly ticks?: number; readonly requestTimeoutMs?: number } = {}): Promise<SimHarness> => {
  const clock = new VirtualClock(START);
  const exchange = createSimExchange({
    clock,
    instruments: [bybitLinearInstrument('BTCUSDT')],
    feeds: [
      syntheticFeed({
        symbol: 'BTCUSDT',
        start: START,
        startPrice: new Decimal('30000'),
        ticks: opts.ticks ?? 100_000,
        seed: 11,
        volatility: 0.0005,
        intervalMs: opts.tickIntervalMs ?? 1000,
      }),
    ],
    seed: 5,
  });
  exchange.fundAccount(ACCOUNT, 'USDT', new Decimal(1_000_000));
  const server = await startBybitSim({
    exchange,
    apiKeys: [{ key: KEY, secret: SECRET, account: ACCOUNT }],
    rateLimitClock: clock,
    rateLimits: { orderPerSecond: 100_000, otherPerSecond: 100_000 },
  });
  const advance = (ms: number): void => {
    const t = clock.now() + ms;
    clock.advanceTo(t);
    exchange.advanceTo(t);
  };
  advance(0);
  const venue = makeBybitVenue(
    decodeBybitConfig({
      environment: 'sim',
      baseUrl: server.url,
      wsPublicUrl: server.wsPublicUrl,
      wsPrivateUrl: server.wsPrivateUrl,
      apiKey: Redacted.make(KEY),
      apiSecret: Redacted.make(SECRET),
      requestTimeoutMs: opts.requestTimeoutMs ?? 5000,
      // The virtual clock only moves when the test says so: local pacing would never refill.
      rateLimits: {
        order: { burst: 100_000, perSecond: 100_000 },
        position: { burst: 100_000, perSecond: 100_000 },
        account: { burst: 100_000, perSecond: 100_000 },
        market: { burst: 100_000, perSecond: 100_000 },
        maxQueueMs: 0,
      },
    }),
    { clock },
  );
  return {
    clock,
    exchange,
    server,
    venue,
    advance,
    setFaults: (plan) => server.setFaults(makeFaultPlan(plan)),
    close: async () => {
      await venue.close();
      await server.close();
    },
  };
};
