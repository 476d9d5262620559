/**
 * Test harness for the Bybit façade: a real `SimExchange` replaying the bundled Bybit BTCUSDT 1-minute bars on a
 * VirtualClock, the façade on an ephemeral loopback port, and a raw client. Not a test itself; no mocks.
 */
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../../src/kernel/Clock.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { bybitLinearInstrument, createSimExchange } from '../../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../../src/venues/sim/engine/types.ts';
import { barFeed, loadBarsCsv } from '../../../src/venues/sim/replay/index.ts';
import { startBybitSim, type BybitSimApiKey, type BybitSimOptions, type BybitSimServer } from '../../../src/venues/sim/bybit/BybitSimServer.ts';
import type { BybitRateLimits } from '../../../src/venues/sim/bybit/rateLimit.ts';
import type { FaultPlan } from '../../../src/venues/sim/faults.ts';
import { createRawBybitClient, type RawBybitClient } from '../../support/bybitRawClient.ts';

/** Start of the replay (the bars are shifted to begin here). */
export const START = 1_700_000_000_000;
export const KEY = 'test-key-1';
export const SECRET = 'test-secret-1';
export const ACCOUNT = 'acct-1';
export const KEY2 = 'test-key-2';
export const SECRET2 = 'test-secret-2';
export const ACCOUNT2 = 'acct-2';

const BARS = fileURLToPath(new URL('../../../data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv', import.meta.url));

export interface Harness {
  clock: VirtualClock;
  exchange: SimExchange;
  server: BybitSimServer;
  rest: RawBybitClient;
  /** Moves the virtual clock and the engine forward together. */
  advance(ms: number): void;
  close(): Promise<void>;
}

/** Starts engine + façade; the first replayed tick has been processed, so books and prices exist. */
export const startHarness = async (
  opts: {
    faults?: FaultPlan;
    rateLimits?: Partial<BybitRateLimits>;
    bars?: number;
    extraKeys?: ReadonlyArray<BybitSimApiKey>;
    /** When set, the server also drives the engine along the virtual clock on a timer of this many ms. */
    driveIntervalMs?: number;
    /** Façade limits to set (`speed`, `maxRecvWindowMs`). */
    limits?: Pick<BybitSimOptions, 'speed' | 'maxRecvWindowMs'>;
  } = {},
): Promise<Harness> => {
  const clock = new VirtualClock(START);
  const bars = loadBarsCsv(BARS).slice(0, opts.bars ?? 120);
  const exchange = createSimExchange({
    clock,
    instruments: [bybitLinearInstrument('BTCUSDT'), bybitLinearInstrument('ADAUSDT')],
    feeds: [barFeed({ symbol: 'BTCUSDT', bars, seed: 7, tickSize: new Decimal('0.1'), quantityStep: new Decimal('0.001'), shiftTo: START })],
    seed: 42,
  });
  exchange.fundAccount(ACCOUNT, 'USDT', new Decimal(100_000));
  exchange.fundAccount(ACCOUNT2, 'USDT', new Decimal(100_000));
  const server = await startBybitSim({
    exchange,
    apiKeys: [
      { key: KEY, secret: SECRET, account: ACCOUNT },
      { key: KEY2, secret: SECRET2, account: ACCOUNT2 },
      ...(opts.extraKeys ?? []),
    ],
    faults: opts.faults,
    rateLimitClock: clock,
    rateLimits: opts.rateLimits ?? { orderPerSecond: 1000, otherPerSecond: 1000 },
    ...(opts.driveIntervalMs === undefined ? {} : { driveClock: true, clock, driveIntervalMs: opts.driveIntervalMs }),
    ...opts.limits,
  });
  const advance = (ms: number) => {
    const t = clock.now() + ms;
    clock.advanceTo(t);
    exchange.advanceTo(t);
  };
  advance(0);
  return {
    clock,
    exchange,
    server,
    rest: createRawBybitClient({ baseUrl: server.url, apiKey: KEY, secret: SECRET, now: () => clock.now() }),
    advance,
    close: () => server.close(),
  };
};
