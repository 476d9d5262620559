/**
 * Composition root of `tradewarden sim`: builds a replaying `SimExchange` with the chosen venue's simulator profile on
 * an accelerated wall clock, funds the venue's documented sim accounts, and starts that venue's façade on 127.0.0.1
 * with the server driving the engine. The venue comes from the binding registry; no matching, protocol or fault logic
 * lives here.
 */
import { basename } from 'node:path';
import { Either } from 'effect';
import { Decimal } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import { isMultipleOf } from '../domain/rounding.ts';
import { wallClock, type Clock } from '../kernel/Clock.ts';
import { CatalogueError, SIM_SYMBOLS, simCatalogue, simInstrument } from '../venues/sim/catalogue.ts';
import { createSimExchange } from '../venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../venues/sim/engine/types.ts';
import { parseFaultSpec, type FaultPlan } from '../venues/sim/faults.ts';
import { barFeed, loadBarsCsv, syntheticFeed, type MarketFeed } from '../venues/sim/replay/index.ts';
import { acceleratedClock } from '../venues/sim/server.ts';
import { BOUND_VENUES, bindingNamed, type FacadeServer } from './venues.ts';

/** Arguments of `runSim` (the parsed `tradewarden sim` flags). */
export interface RunSimArgs {
  /** A venue kind of the binding registry. */
  readonly venue: string;
  /** 0 picks an ephemeral port. */
  readonly port: number;
  /** Bars CSV files named `<source>_<SYMBOL>_…csv` (e.g. `<source>_BTCUSDT_perp_1m_2022-12-13.csv` under data/crypto-1m/). */
  readonly dataFiles?: ReadonlyArray<string> | undefined;
  readonly speed: number;
  readonly seed: number;
  /** A `--faults` spec (grammar in src/venues/sim/faults.ts). */
  readonly faults?: string | undefined;
  /** Default: the venue's documented sim keys (`sim-key-1` / `sim-secret-1` for account main, `sim-key-2` for second). */
  readonly apiKeys?: ReadonlyArray<{ readonly key: string; readonly secret: string; readonly account: string }> | undefined;
  readonly logger?: ((line: object) => void) | undefined;
  /** The base clock the accelerated clock runs over (default the wall clock). */
  readonly baseClock?: Clock | undefined;
  /**
   * A smaller maximum quantity of one limit order (Bybit's `maxOrderQty`) for these symbols than the venue's table
   * gives: larger limit orders are refused, as the venue refuses them, so clients must split them (S0-16; the restart
   * drill's `split` scenario). Market orders keep the table's maximum.
   */
  readonly maxOrderQuantity?: ReadonlyArray<{ readonly symbol: string; readonly quantity: Decimal }> | undefined;
  /**
   * A smaller maximum quantity of one market order (Bybit's `maxMktOrderQty`) for these symbols: larger market orders
   * are refused, and the venue's own TP/SL close at most this much of a position (as Bybit's close-position does).
   */
  readonly maxMarketOrderQuantity?: ReadonlyArray<{ readonly symbol: string; readonly quantity: Decimal }> | undefined;
}

/** A running standalone simulator. */
export interface RunningSim {
  readonly server: FacadeServer;
  readonly exchange: SimExchange;
  stop(): Promise<void>;
}

/** Error for arguments `runSim` cannot work with (unknown symbol in a data file name, bad fault spec, …). */
export class SimArgsError extends Error {
  override readonly name = 'SimArgsError';
}

/** Returns the symbol named by a data file (`<source>_BTCUSDT_perp_1m_….csv` → `BTCUSDT`). */
export const symbolOfDataFile = (file: string): string | undefined => /^[a-z]+_([A-Z0-9]+)_/.exec(basename(file))?.[1];

/** Starts the standalone simulator and resolves once it listens. */
export const runSim = async (args: RunSimArgs): Promise<RunningSim> => {
  const binding = bindingNamed(args.venue);
  if (binding === undefined) throw new SimArgsError(`the simulator speaks ${BOUND_VENUES.join(', ')}; not ${JSON.stringify(args.venue)}`);
  let faults: FaultPlan | undefined;
  if (args.faults !== undefined && args.faults.trim() !== '') {
    const parsed = parseFaultSpec(args.faults);
    if (Either.isLeft(parsed)) throw new SimArgsError(parsed.left);
    faults = parsed.right;
  }
  const startAt = (args.baseClock ?? wallClock).now();
  const clock = acceleratedClock(args.speed, startAt, args.baseClock ?? wallClock);
  const profile = binding.simProfile;
  const loaded: Array<{ readonly symbol: string; readonly bars: ReturnType<typeof loadBarsCsv> }> = [];
  for (const file of args.dataFiles ?? []) {
    const symbol = symbolOfDataFile(file);
    if (symbol === undefined) throw new SimArgsError(`cannot tell the symbol from the data file name ${JSON.stringify(file)} (expected <source>_<SYMBOL>_….csv)`);
    if (loaded.some((f) => f.symbol === symbol)) throw new SimArgsError(`two data files for ${symbol}`);
    loaded.push({ symbol, bars: loadBarsCsv(file) });
  }
  let instruments: Instrument[];
  try {
    instruments = [...simCatalogue(profile, loaded)];
  } catch (e) {
    if (e instanceof CatalogueError) throw new SimArgsError(`the ${binding.label} simulator cannot list ${e.symbols.join(', ')} (its table lists ${SIM_SYMBOLS.join(', ')}; other symbols need a quote it trades)`);
    throw e;
  }
  const feeds: MarketFeed[] = loaded.map((f) => {
    const i = instruments.find((x) => x.symbol === f.symbol)!;
    // Replayed bars are shifted to start now, so the façade's timestamps read like live ones.
    return barFeed({ symbol: f.symbol, bars: f.bars, seed: args.seed, tickSize: i.tickSize, quantityStep: i.quantityStep, shiftTo: startAt });
  });
  if (feeds.length === 0) {
    // No data: a seeded random walk of the table's first symbol, one tick per second, for a week of simulated time.
    const instrument = simInstrument(SIM_SYMBOLS[0], profile)!;
    instruments.push(instrument);
    feeds.push(syntheticFeed({ symbol: instrument.symbol, start: startAt, startPrice: new Decimal('17000'), ticks: 7 * 24 * 3600, seed: args.seed, volatility: 0.0003, tickSize: instrument.tickSize, quantityStep: instrument.quantityStep }));
  }
  for (const symbol of SIM_SYMBOLS) {
    const listed = simInstrument(symbol, profile);
    if (listed !== undefined && !instruments.some((i) => i.symbol === symbol)) instruments.push(listed);
  }
  const capOf = (flag: string, cap: { readonly symbol: string; readonly quantity: Decimal }, field: 'maxQuantity' | 'maxMarketQuantity'): void => {
    const at = instruments.findIndex((i) => i.symbol === cap.symbol);
    const listed = instruments[at];
    if (listed === undefined) throw new SimArgsError(`${flag} names ${cap.symbol}, which this simulator does not list (${instruments.map((i) => i.symbol).join(', ')})`);
    if (!cap.quantity.gt(0) || !isMultipleOf(cap.quantity, listed.quantityStep)) throw new SimArgsError(`${flag} ${cap.symbol}=${cap.quantity.toString()} is not a positive multiple of its quantity step ${listed.quantityStep.toString()}`);
    if (cap.quantity.gt(listed[field])) throw new SimArgsError(`${flag} ${cap.symbol}=${cap.quantity.toString()} is above the venue's own ${field === 'maxQuantity' ? 'limit' : 'market'}-order maximum ${listed[field].toString()}`);
    instruments[at] = { ...listed, [field]: cap.quantity };
  };
  for (const cap of args.maxOrderQuantity ?? []) capOf('--max-order-qty', cap, 'maxQuantity');
  for (const cap of args.maxMarketOrderQuantity ?? []) capOf('--max-market-order-qty', cap, 'maxMarketQuantity');
  const exchange = createSimExchange({ clock, instruments, feeds, seed: args.seed, profile });
  const apiKeys = args.apiKeys ?? binding.simDefaults.apiKeys;
  for (const account of new Set(apiKeys.map((k) => k.account))) exchange.fundAccount(account, binding.simDefaults.funding.asset, new Decimal(binding.simDefaults.funding.amount));
  exchange.advanceTo(clock.now());
  const server = await binding.startFacade({ exchange, port: args.port, apiKeys, faults, logger: args.logger, clock, speed: args.speed, seed: args.seed });
  return { server, exchange, stop: () => server.close() };
};

/** Parses `tradewarden sim` flags (`--venue <kind> --port <p> [--data <file>]… [--speed <x>] [--seed <n>] [--faults <spec>] [--max-order-qty <SYMBOL=qty>]… [--max-market-order-qty <SYMBOL=qty>]…`). */
export const parseSimArgs = (argv: ReadonlyArray<string>): Either.Either<RunSimArgs, string> => {
  let venue: string | undefined;
  let port: number | undefined;
  let speed = 1;
  let seed = 1;
  let faults: string | undefined;
  const dataFiles: string[] = [];
  const maxOrderQuantity: Array<{ readonly symbol: string; readonly quantity: Decimal }> = [];
  const maxMarketOrderQuantity: Array<{ readonly symbol: string; readonly quantity: Decimal }> = [];
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
      case '--max-order-qty':
      case '--max-market-order-qty': {
        const v = need();
        const list = flag === '--max-order-qty' ? maxOrderQuantity : maxMarketOrderQuantity;
        const m = v === undefined ? null : /^([A-Z0-9]{2,20})=(\d{1,12}(?:\.\d{1,12})?)$/.exec(v);
        if (m === null) return Either.left(`${flag} needs SYMBOL=quantity, e.g. BTCUSDT=0.1`);
        if (list.some((c) => c.symbol === m[1])) return Either.left(`${flag} names ${m[1]!} twice`);
        list.push({ symbol: m[1]!, quantity: new Decimal(m[2]!) });
        break;
      }
      default:
        return Either.left(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (venue === undefined || bindingNamed(venue) === undefined) return Either.left(`--venue is required: one of ${BOUND_VENUES.join(', ')}`);
  if (port === undefined) return Either.left('--port is required (0 picks a free port)');
  if (faults !== undefined) {
    const parsed = parseFaultSpec(faults);
    if (Either.isLeft(parsed)) return Either.left(parsed.left);
  }
  return Either.right({ venue, port, dataFiles, speed, seed, faults, ...(maxOrderQuantity.length === 0 ? {} : { maxOrderQuantity }), ...(maxMarketOrderQuantity.length === 0 ? {} : { maxMarketOrderQuantity }) });
};
