/**
 * Test harness: a real VenueRuntime over the real in-process simulator (SimVenue), a real journal on disk and the
 * virtual clock — the same parts the paper run wires, minus the replay loop, which each test drives itself.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Schema } from 'effect';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import type { RiskConfig } from '../../src/risk/RiskConfig.ts';
import { makeRiskEngine, type RiskEngine } from '../../src/risk/RiskEngine.ts';
import { DecisionLoop } from '../../src/runtime/DecisionLoop.ts';
import type { VenueRuntime } from '../../src/runtime/VenueRuntime.ts';
import type { RuntimeSettings } from '../../src/runtime/ports.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { bybitLinearInstrument, createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { barFeed } from '../../src/venues/sim/replay/barFeed.ts';
import { loadBarsCsv } from '../../src/venues/sim/replay/loadBarsCsv.ts';
import { makeSimVenue, type SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { Decimal } from '../../src/domain/money.ts';
import type { Instrument } from '../../src/domain/Instrument.ts';
import type { Telemetry } from '../../src/kernel/telemetry.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';

export interface Harness {
  readonly runtime: VenueRuntime;
  /** The runtime's RiskEngine (a DecisionLoop over this runtime must use the same one). */
  readonly risk: RiskEngine;
  readonly exchange: SimExchange;
  readonly venue: SimVenue;
  readonly journal: Journal;
  readonly clock: VirtualClock;
  readonly logLines: string[];
  readonly dir: string;
}

/** Builds the runtime for BTCUSDT and ADAUSDT with the bundled bars (first `bars` of each). */
export const makeHarness = (
  opts: {
    readonly bars?: number; readonly seed?: number; readonly dir?: string; readonly journalPath?: string; readonly venue?: (v: SimVenue) => SimVenue;
    readonly killFlag?: () => { reason: string; flatten: boolean } | undefined;
    /** Told of every journal commit (`journal_append`). */
    readonly journalTelemetry?: Telemetry | undefined;
    readonly strategies?: ReadonlyArray<Strategy<unknown>> | undefined;
    /** Runtime settings over the test defaults (e.g. `stopManagement`). */
    readonly settings?: Partial<RuntimeSettings> | undefined;
    /** Changes the simulator's instruments (e.g. a smaller maximum order quantity). */
    readonly instrument?: ((i: Instrument) => Instrument) | undefined;
    /** The RiskEngine's cooldowns over the default config's (e.g. a profile's `afterStopMs`). */
    readonly riskCooldowns?: Partial<RiskConfig['cooldowns']> | undefined;
  } = {},
): Harness => {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'tw-rt-'));
  const seed = opts.seed ?? 7;
  const config = decodeDefaults(AppConfig);
  const btc = loadBarsCsv('data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv').slice(0, opts.bars ?? 120);
  const ada = loadBarsCsv('data/crypto-1m/binance_ADAUSDT_perp_1m_2022-12-13.csv').slice(0, opts.bars ?? 120);
  const clock = new VirtualClock(btc[0]!.start);
  const scheduler = virtualScheduler(clock);
  const instruments = [bybitLinearInstrument('BTCUSDT'), bybitLinearInstrument('ADAUSDT')].map(opts.instrument ?? ((i) => i));
  const exchange = createSimExchange({
    clock, instruments, seed,
    feeds: [
      barFeed({ symbol: 'BTCUSDT', bars: btc, seed, ticksPerBar: 16, tickSize: instruments[0]!.tickSize }),
      barFeed({ symbol: 'ADAUSDT', bars: ada, seed, ticksPerBar: 16, tickSize: instruments[1]!.tickSize }),
    ],
  });
  exchange.fundAccount('main', 'USDT', new Decimal(100_000));
  const simVenue = makeSimVenue(exchange, 'main');
  // A test may present the simulator as a venue of another protection model (the same engine underneath).
  const venue = opts.venue?.(simVenue) ?? simVenue;
  const journal = openJournal({ path: opts.journalPath ?? join(dir, 'journal.sqlite'), clock, telemetry: opts.journalTelemetry });
  const logLines: string[] = [];
  const logger = createLogger({ level: 'debug', clock, targets: { memory: logLines } });
  const risk = makeRiskEngine({
    ...config.risk, mode: 'PAPER', allowShorts: true, fees: { makerRate: 0.0002, takerRate: 0.00055, minNotional: new Decimal(0) },
    cooldowns: { ...config.risk.cooldowns, ...opts.riskCooldowns },
  });
  const runtime = makeTestRuntime({
    settings: testSettings({ symbols: ['BTCUSDT', 'ADAUSDT'], seed, ...opts.settings }),
    venue, journal, scheduler, logger, risk,
    killFlag: opts.killFlag,
    killPollMs: 1000,
    ...(opts.strategies === undefined ? {} : { strategies: opts.strategies }),
  });
  venue.onMarket((e) => runtime.onMarket(e));
  venue.onAccount((e) => runtime.onAccount(e));
  return { runtime, risk, exchange, venue, journal, clock, logLines, dir };
};

/** The default config's encoded form, for tests that need a config file. */
export const defaultEncodedConfig = (): unknown => Schema.encodeSync(AppConfig)(decodeDefaults(AppConfig));

/**
 * Starts the harness runtime, lets the market run `warmUpMs` (1 s steps, so every bar and quote arrives), and returns
 * a started DecisionLoop over it with `strategies` (no timers: a test runs its cycles itself).
 */
export const startedLoop = async (hx: Harness, strategies: ReadonlyArray<Strategy<unknown>>, warmUpMs = 70_000): Promise<DecisionLoop> => {
  await hx.runtime.start();
  const t0 = hx.clock.now();
  for (let t = t0; t <= t0 + warmUpMs; t += 1_000) {
    hx.clock.advanceTo(t);
    hx.exchange.advanceTo(t);
  }
  const loop = new DecisionLoop({
    scheduler: { clock: hx.clock, schedule: () => () => undefined }, random: () => 0, cycleMs: 60_000, jitterFraction: 0,
    strategies, risk: hx.risk, targets: [hx.runtime], track: (w) => hx.runtime.track(w),
  });
  loop.start();
  return loop;
};
