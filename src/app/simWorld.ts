/**
 * The in-process simulator of a session: one `SimExchange` per venue kind among the accounts (each with that venue's
 * simulator profile, the configured bars of its accounts' symbols, and every account funded in its settle asset),
 * all on the session's one clock, and — for a session over the wire protocol — each venue's façade on loopback.
 * Wires only; no matching, replay or protocol logic lives here.
 */
import { Either } from 'effect';
import type { BacktestSettings } from '../config/backtestSection.ts';
import type { AppConfig } from '../config/schema.ts';
import { Decimal } from '../domain/money.ts';
import { VirtualClock, type Clock } from '../kernel/Clock.ts';
import { simCatalogue } from '../venues/sim/catalogue.ts';
import { createSimExchange } from '../venues/sim/engine/SimExchange.ts';
import { withOrderLatency } from '../venues/sim/engine/orderLatency.ts';
import { instrumentFrom, type SimVenueProfile } from '../venues/sim/engine/profiles.ts';
import type { SimExchange } from '../venues/sim/engine/types.ts';
import { parseFaultSpec, type FaultPlan } from '../venues/sim/faults.ts';
import { BAR_INTERVAL_MS, barFeed } from '../venues/sim/replay/barFeed.ts';
import { loadBarsCsv, type Bar } from '../venues/sim/replay/loadBarsCsv.ts';
import type { SessionAccount } from './accounts.ts';
import type { FacadeServer } from './venues.ts';

/** The in-process simulator: its exchanges by venue kind, on one clock. */
export interface SimWorld {
  readonly clock: Clock;
  /** The first bar's time: where the session's clock starts. */
  readonly start: number;
  readonly exchanges: ReadonlyMap<string, SimExchange>;
  /** The exchange an account trades on. */
  exchangeOf(account: SessionAccount): SimExchange;
  /** The earliest pending market event over every exchange; undefined when the data is exhausted. */
  nextEventAt(): number | undefined;
  /** Advances every exchange to `t`. */
  advanceTo(t: number): void;
  /** The bars each symbol replays, with their length (what a run's report marks its equity to). */
  readonly bars: ReadonlyMap<string, { readonly bars: ReadonlyArray<Bar>; readonly intervalMs: number }>;
}

/** A backtest's market data and venue overrides (`tradewarden backtest`); absent, the world replays `sim.feeds`. */
export interface ReplaySetup {
  /** Each symbol's bars (already imported, resampled and cut to the range) and their length. */
  readonly feeds: ReadonlyMap<string, { readonly bars: ReadonlyArray<Bar>; readonly intervalMs: number }>;
  /** Instruments declared for symbols the venue profile does not list. */
  readonly instruments: ReadonlyArray<BacktestSettings['instruments'][number]>;
  readonly fees?: { readonly makerRate: number; readonly takerRate: number } | undefined;
  readonly fillModel: 'bar' | 'path';
  readonly slippageBps: number;
  readonly volumeFraction: number;
  /** Order latency on the virtual clock (`backtest.latencyMs`, orderLatency.ts); absent or 0: none. */
  readonly latencyMs?: number | undefined;
}

/** Returns the venue profile of a replay: the binding's, with the declared instruments and fees. */
const replayProfile = (base: SimVenueProfile, replay: ReplaySetup | undefined, settleAsset: string): SimVenueProfile => {
  if (replay === undefined) return base;
  const kind = base.accountModel === 'linear_perp' ? 'linear_perp' : base.accountModel === 'spot' ? 'spot' : 'equity';
  const declared = new Map(replay.instruments.map((i) => [i.symbol, instrumentFrom('sim', kind, i.symbol, {
    baseAsset: i.symbol, quoteAsset: settleAsset, tickSize: i.tickSize, quantityStep: i.quantityStep, minQuantity: i.minQuantity, minNotional: i.minNotional, maxLeverage: new Decimal(100),
    // A declared instrument has no venue's order-size limits: an all-in order of any account size is one order.
    maxQuantity: i.quantityStep.times(1e15), maxMarketQuantity: i.quantityStep.times(1e15),
  })]));
  return {
    ...base,
    ...(replay.fees === undefined ? {} : { makerFeeRate: new Decimal(replay.fees.makerRate), takerFeeRate: new Decimal(replay.fees.takerRate) }),
    instrument: (symbol, firstPrice) => declared.get(symbol) ?? base.instrument(symbol, firstPrice),
  };
};

/** Returns the fault plan of `sim.faults` (undefined when empty); throws on a spec the preflight would refuse. */
export const faultPlanOf = (config: AppConfig): FaultPlan | undefined => {
  if (config.sim.faults.trim() === '') return undefined;
  const parsed = parseFaultSpec(config.sim.faults);
  if (Either.isLeft(parsed)) throw new Error(`sim.faults: ${parsed.left}`);
  return parsed.right;
};

/**
 * Builds the simulator of the accounts: loads each symbol's bars (the first `barLimit` of them when given), lists
 * the instruments from each venue's profile, replays the bars on the instruments' grids, and funds every simulator
 * account with `sim.startingBalance` of its settle asset. `clockAt(start)` makes the session clock.
 */
export const buildSimWorld = (opts: {
  readonly config: AppConfig;
  readonly accounts: ReadonlyArray<SessionAccount>;
  readonly barLimit?: number | undefined;
  readonly clockAt: (start: number) => Clock;
  readonly replay?: ReplaySetup | undefined;
}): SimWorld => {
  const { config, replay } = opts;
  const bars = new Map<string, ReadonlyArray<Bar>>();
  for (const a of opts.accounts) {
    for (const symbol of a.symbols) {
      const given = replay?.feeds.get(symbol);
      if (replay !== undefined) {
        if (given === undefined) throw new Error(`no market data: the backtest has no data for ${symbol}`);
        bars.set(symbol, opts.barLimit === undefined ? given.bars : given.bars.slice(0, opts.barLimit));
        continue;
      }
      const feed = config.sim.feeds.find((f) => f.symbol === symbol);
      if (feed === undefined) throw new Error(`no market data: sim.feeds has no entry for ${symbol}`);
      const all = loadBarsCsv(feed.file);
      bars.set(symbol, opts.barLimit === undefined ? all : all.slice(0, opts.barLimit));
    }
  }
  const start = Math.min(...[...bars.values()].map((b) => b[0]?.start ?? Number.POSITIVE_INFINITY));
  if (!Number.isFinite(start)) throw new Error('no market data: sim.feeds lists no bars for the configured symbols');
  const clock = opts.clockAt(start);
  const exchanges = new Map<string, SimExchange>();
  for (const kind of new Set(opts.accounts.map((a) => a.section.kind))) {
    const ofKind = opts.accounts.filter((a) => a.section.kind === kind);
    const binding = ofKind[0]!.binding;
    const profile = replayProfile(binding.simProfile, replay, ofKind[0]!.trading.settleAsset);
    const feeds = ofKind.flatMap((a) => a.symbols.map((symbol) => ({ symbol, bars: bars.get(symbol)! })));
    const instruments = simCatalogue(profile, feeds);
    const barModel = replay?.fillModel === 'bar';
    const engine = createSimExchange({
      clock, instruments, seed: config.sim.seed, profile,
      feeds: feeds.map((f) => {
        const grid = instruments.find((i) => i.symbol === f.symbol);
        return barFeed({
          symbol: f.symbol, bars: f.bars, seed: config.sim.seed, ticksPerBar: barModel ? 4 : 16, tickSize: grid?.tickSize, quantityStep: grid?.quantityStep,
          intervalMs: replay?.feeds.get(f.symbol)?.intervalMs,
          barFill: barModel ? { slippageBps: replay.slippageBps, volumeFraction: replay.volumeFraction } : undefined,
        });
      }),
    });
    const latencyMs = replay?.latencyMs ?? 0;
    let exchange = engine;
    if (latencyMs > 0) {
      if (!(clock instanceof VirtualClock)) throw new Error('backtest.latencyMs needs the virtual clock (a backtest)');
      exchange = withOrderLatency(engine, { latencyMs, seed: config.sim.seed, schedule: (at, run) => clock.schedule(at, run) });
    }
    for (const a of ofKind) exchange.fundAccount(a.simAccount, a.trading.settleAsset, config.sim.startingBalance);
    exchanges.set(kind, exchange);
  }
  const all = [...exchanges.values()];
  return {
    clock, start, exchanges,
    bars: new Map([...bars].map(([symbol, b]) => [symbol, { bars: b, intervalMs: replay?.feeds.get(symbol)?.intervalMs ?? BAR_INTERVAL_MS }])),
    exchangeOf: (a) => exchanges.get(a.section.kind)!,
    nextEventAt: () => {
      const next = all.map((e) => e.nextEventAt()).filter((t): t is number => t !== undefined);
      return next.length === 0 ? undefined : Math.min(...next);
    },
    advanceTo: (t) => {
      for (const e of all) e.advanceTo(t);
    },
  };
};

/**
 * Starts each venue's façade over its exchange on 127.0.0.1 (an ephemeral port), opening the accounts' simulator
 * credentials; the façade drives its engine along the session clock. Returns the façades by venue kind.
 */
export const startFacades = async (opts: {
  readonly config: AppConfig;
  readonly world: SimWorld;
  readonly accounts: ReadonlyArray<SessionAccount>;
  /** The credentials the adapters will sign with, by account name (overrides of the documented ones included). */
  readonly keyOf: (account: SessionAccount) => { readonly key: string; readonly secret: string };
  readonly speed: number;
  readonly logger: (line: object) => void;
}): Promise<ReadonlyMap<string, FacadeServer>> => {
  const { config, world } = opts;
  const faults = faultPlanOf(config);
  const servers = new Map<string, FacadeServer>();
  try {
    for (const [kind, exchange] of world.exchanges) {
      const ofKind = opts.accounts.filter((a) => a.section.kind === kind);
      const binding = ofKind[0]!.binding;
      exchange.advanceTo(world.clock.now());
      servers.set(kind, await binding.startFacade({
        exchange,
        apiKeys: ofKind.map((a) => ({ ...opts.keyOf(a), account: a.simAccount })),
        faults, logger: opts.logger, clock: world.clock, speed: opts.speed, seed: config.sim.seed, rateLimitClock: world.clock,
        // Between two engine advances venue time jumps by interval × speed: keep that well under the quote staleness limit.
        driveIntervalMs: Math.max(1, Math.min(20, Math.floor(config.risk.staleness.quoteMaxAgeMs / opts.speed / 4))),
      }));
    }
  } catch (e) {
    for (const s of servers.values()) await s.close();
    throw e;
  }
  return servers;
};
