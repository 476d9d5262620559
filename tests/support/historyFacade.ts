/**
 * Test support for kline history (issue 12, `tradewarden data fetch`): a real `SimExchange` on a VirtualClock replaying
 * the bundled 2022-12-13 1-minute bars at their own timestamps (Binance ADAUSDT, a full day, with a few minutes taken
 * out so the data has gaps; Bybit BTCUSDT, 00:00–12:00), the simulator's Bybit façade on an ephemeral loopback port,
 * and a Bybit adapter pointed at it. Nothing is mocked; the façade logs one line per request.
 */
import { fileURLToPath } from 'node:url';
import { Redacted } from 'effect';
import { Decimal } from '../../src/domain/money.ts';
import { VirtualClock, wallClock } from '../../src/kernel/Clock.ts';
import { decodeBybitConfig } from '../../src/venues/bybit/BybitConfig.ts';
import { makeBybitVenue, type BybitVenue } from '../../src/venues/bybit/BybitVenue.ts';
import { startBybitSim, type BybitSimServer } from '../../src/venues/sim/bybit/BybitSimServer.ts';
import { bybitLinearInstrument, createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { barFeed, loadBarsCsv, type Bar } from '../../src/venues/sim/replay/index.ts';

const file = (name: string): string => fileURLToPath(new URL(`../../data/crypto-1m/${name}`, import.meta.url));

/** 2022-12-13T00:00:00Z, the day of the bundled files. */
export const DAY = Date.UTC(2022, 11, 13);
export const MINUTE = 60_000;

/** Indexes of the ADAUSDT minutes left out of the replay: 01:40–01:44 and 11:40. */
export const ADA_REMOVED: ReadonlyArray<number> = [100, 101, 102, 103, 104, 700];

/** The bars the simulator replays, by symbol (ADAUSDT without `ADA_REMOVED`). */
export const sourceBars = (): { readonly ADAUSDT: Bar[]; readonly BTCUSDT: Bar[] } => ({
  ADAUSDT: loadBarsCsv(file('binance_ADAUSDT_perp_1m_2022-12-13.csv')).filter((_, i) => !ADA_REMOVED.includes(i)),
  BTCUSDT: loadBarsCsv(file('bybit_BTCUSDT_perp_1m_2022-12-13.csv')),
});

export interface HistoryFacade {
  readonly clock: VirtualClock;
  readonly exchange: SimExchange;
  readonly server: BybitSimServer;
  readonly venue: BybitVenue;
  readonly bars: ReturnType<typeof sourceBars>;
  /** Request lines the façade logged for `path`. */
  requests(path: string): ReadonlyArray<Record<string, unknown>>;
  /** Moves the virtual clock and the engine to `t`. */
  advanceTo(t: number): void;
  close(): Promise<void>;
}

/** Starts engine + façade + adapter; the engine has replayed up to `replayTo` (default: the whole day). */
export const startHistoryFacade = async (opts: { readonly replayTo?: number } = {}): Promise<HistoryFacade> => {
  const bars = sourceBars();
  const clock = new VirtualClock(DAY);
  const exchange = createSimExchange({
    clock,
    instruments: [bybitLinearInstrument('ADAUSDT'), bybitLinearInstrument('BTCUSDT')],
    feeds: [
      barFeed({ symbol: 'ADAUSDT', bars: bars.ADAUSDT, seed: 3, tickSize: new Decimal('0.0001'), quantityStep: new Decimal('1') }),
      barFeed({ symbol: 'BTCUSDT', bars: bars.BTCUSDT, seed: 3, tickSize: new Decimal('0.1'), quantityStep: new Decimal('0.001') }),
    ],
    seed: 9,
  });
  const lines: Array<Record<string, unknown>> = [];
  const server = await startBybitSim({ exchange, apiKeys: [], logger: (l) => lines.push(l as Record<string, unknown>), rateLimitClock: clock });
  const advanceTo = (t: number): void => {
    clock.advanceTo(t);
    exchange.advanceTo(t);
  };
  advanceTo(opts.replayTo ?? DAY + 1440 * MINUTE);
  // Public market data only: the key is never used to sign; the adapter paces itself on the wall clock.
  const venue = makeBybitVenue(
    decodeBybitConfig({ environment: 'sim', baseUrl: server.url, apiKey: Redacted.make('unused'), apiSecret: Redacted.make('unused') }),
    { clock: wallClock },
  );
  return {
    clock,
    exchange,
    server,
    venue,
    bars,
    requests: (path) => lines.filter((l) => l['kind'] === 'http' && l['path'] === path),
    advanceTo,
    close: async () => {
      await venue.close();
      await server.close();
    },
  };
};
