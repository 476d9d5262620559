/**
 * Composition root of `tradewarden sim`: builds a replaying `SimExchange` on an accelerated wall clock, funds the
 * documented sim accounts, and starts the Bybit façade on 127.0.0.1 with the server driving the engine. Wires only;
 * no matching, protocol or fault logic lives here.
 */
import { basename } from 'node:path';
import { Either } from 'effect';
import { Decimal } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import { DEFAULT_SIM_API_KEYS, DEFAULT_SIM_FUNDING } from '../venues/sim/bybit/defaults.ts';
import { startBybitSim, type BybitSimApiKey, type BybitSimServer } from '../venues/sim/bybit/BybitSimServer.ts';
import { bybitLinearInstrument, createSimExchange } from '../venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../venues/sim/engine/types.ts';
import { parseFaultSpec, type FaultPlan } from '../venues/sim/faults.ts';
import { barFeed, loadBarsCsv, syntheticFeed, type MarketFeed } from '../venues/sim/replay/index.ts';
import { acceleratedClock } from '../venues/sim/server.ts';

/** Arguments of `runSim` (the parsed `tradewarden sim` flags). */
export interface RunSimArgs {
  readonly venue: 'bybit';
  /** 0 picks an ephemeral port. */
  readonly port: number;
  /** Bars CSV files named `<venue>_<SYMBOL>_…csv` (e.g. data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv). */
  readonly dataFiles?: ReadonlyArray<string> | undefined;
  readonly speed: number;
  readonly seed: number;
  /** A `--faults` spec (grammar in src/venues/sim/faults.ts). */
  readonly faults?: string | undefined;
  /** Default: `DEFAULT_SIM_API_KEYS` (key sim-key-1 / secret sim-secret-1 / account main). */
  readonly apiKeys?: ReadonlyArray<BybitSimApiKey> | undefined;
  readonly logger?: ((line: object) => void) | undefined;
  /** The base clock the accelerated clock runs over (default the wall clock). */
  readonly baseClock?: Clock | undefined;
}

/** A running standalone simulator. */
export interface RunningSim {
  readonly server: BybitSimServer;
  readonly exchange: SimExchange;
  stop(): Promise<void>;
}

/** Error for arguments `runSim` cannot work with (unknown symbol in a data file name, bad fault spec, …). */
export class SimArgsError extends Error {
  override readonly name = 'SimArgsError';
}

const SUPPORTED = ['BTCUSDT', 'ADAUSDT'] as const;
type SupportedSymbol = (typeof SUPPORTED)[number];
const isSupported = (s: string): s is SupportedSymbol => (SUPPORTED as ReadonlyArray<string>).includes(s);

/** Returns the symbol named by a data file (`bybit_BTCUSDT_perp_1m_….csv` → `BTCUSDT`). */
export const symbolOfDataFile = (file: string): string | undefined => /^[a-z]+_([A-Z0-9]+)_/.exec(basename(file))?.[1];

/** Starts the standalone simulator and resolves once it listens. */
export const runSim = async (args: RunSimArgs): Promise<RunningSim> => {
  let faults: FaultPlan | undefined;
  if (args.faults !== undefined && args.faults.trim() !== '') {
    const parsed = parseFaultSpec(args.faults);
    if (Either.isLeft(parsed)) throw new SimArgsError(parsed.left);
    faults = parsed.right;
  }
  const startAt = (args.baseClock ?? wallClock).now();
  const clock = acceleratedClock(args.speed, startAt, args.baseClock ?? wallClock);
  const instruments: Instrument[] = [];
  const feeds: MarketFeed[] = [];
  for (const file of args.dataFiles ?? []) {
    const symbol = symbolOfDataFile(file);
    if (symbol === undefined || !isSupported(symbol)) {
      throw new SimArgsError(`cannot tell a supported symbol (${SUPPORTED.join(', ')}) from the data file name ${JSON.stringify(file)}`);
    }
    if (instruments.some((i) => i.symbol === symbol)) throw new SimArgsError(`two data files for ${symbol}`);
    const instrument = bybitLinearInstrument(symbol);
    instruments.push(instrument);
    // Replayed bars are shifted to start now, so the façade's timestamps read like live ones.
    feeds.push(barFeed({ symbol, bars: loadBarsCsv(file), seed: args.seed, tickSize: instrument.tickSize, quantityStep: instrument.quantityStep, shiftTo: startAt }));
  }
  if (feeds.length === 0) {
    // No data: a seeded random walk of BTCUSDT, one tick per second, for a week of simulated time.
    const instrument = bybitLinearInstrument('BTCUSDT');
    instruments.push(instrument);
    feeds.push(
      syntheticFeed({ symbol: 'BTCUSDT', start: startAt, startPrice: new Decimal('17000'), ticks: 7 * 24 * 3600, seed: args.seed, volatility: 0.0003, tickSize: instrument.tickSize, quantityStep: instrument.quantityStep }),
    );
  }
  for (const symbol of SUPPORTED) if (!instruments.some((i) => i.symbol === symbol)) instruments.push(bybitLinearInstrument(symbol));
  const exchange = createSimExchange({ clock, instruments, feeds, seed: args.seed });
  const apiKeys = args.apiKeys ?? DEFAULT_SIM_API_KEYS;
  for (const account of new Set(apiKeys.map((k) => k.account))) exchange.fundAccount(account, DEFAULT_SIM_FUNDING.coin, new Decimal(DEFAULT_SIM_FUNDING.amount));
  exchange.advanceTo(clock.now());
  const server = await startBybitSim({ exchange, port: args.port, apiKeys, faults, logger: args.logger, driveClock: true, clock, speed: args.speed, seed: args.seed });
  return { server, exchange, stop: () => server.close() };
};

/** Parses `tradewarden sim` flags (`--venue bybit --port <p> [--data <file>]… [--speed <x>] [--seed <n>] [--faults <spec>]`). */
export const parseSimArgs = (argv: ReadonlyArray<string>): Either.Either<RunSimArgs, string> => {
  let venue: string | undefined;
  let port: number | undefined;
  let speed = 1;
  let seed = 1;
  let faults: string | undefined;
  const dataFiles: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const need = (): string | undefined => {
      i += 1;
      return value;
    };
    switch (flag) {
      case '--venue':
        venue = need();
        break;
      case '--port': {
        const v = need();
        if (v === undefined || !/^\d+$/.test(v) || Number(v) > 65535) return Either.left('--port needs an integer in [0, 65535]');
        port = Number(v);
        break;
      }
      case '--data': {
        const v = need();
        if (v === undefined) return Either.left('--data needs a file');
        dataFiles.push(v);
        break;
      }
      case '--speed': {
        const v = need();
        if (v === undefined || !(Number(v) > 0) || !Number.isFinite(Number(v))) return Either.left('--speed needs a positive number');
        speed = Number(v);
        break;
      }
      case '--seed': {
        const v = need();
        if (v === undefined || !/^-?\d+$/.test(v)) return Either.left('--seed needs an integer');
        seed = Number(v);
        break;
      }
      case '--faults':
        faults = need();
        if (faults === undefined) return Either.left('--faults needs a spec');
        break;
      default:
        return Either.left(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (venue !== 'bybit') return Either.left('--venue bybit is required (the only venue the simulator speaks so far)');
  if (port === undefined) return Either.left('--port is required (0 picks a free port)');
  if (faults !== undefined) {
    const parsed = parseFaultSpec(faults);
    if (Either.isLeft(parsed)) return Either.left(parsed.left);
  }
  return Either.right({ venue: 'bybit', port, dataFiles, speed, seed, faults });
};
