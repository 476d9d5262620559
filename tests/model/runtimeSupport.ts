/**
 * Support for executing trade-chart paths against the REAL runtime (TradingRuntime → ActorHost → ExecutionEngine →
 * SimVenue → matching engine) on the virtual clock. It holds each venue request until a path step releases it, so the
 * chart's waiting states are observable, and it makes the simulator produce the venue events; it never fakes them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect, Schema } from 'effect';
import { createActor, type AnyActorRef, type EventObject, type InspectionEvent } from 'xstate';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { Decimal, dec } from '../../src/domain/money.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { nextClientOrderId } from '../../src/journal/clientOrderIds.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { seededRandom } from '../../src/kernel/random.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine, type ApprovedOrder, type RiskEngine } from '../../src/risk/RiskEngine.ts';
import type { MarketView, PortfolioView } from '../../src/risk/views.ts';
import type { ActorHost } from '../../src/runtime/ActorHost.ts';
import { TradingRuntime } from '../../src/runtime/TradingRuntime.ts';
import { bybitLinearInstrument, createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { barFeed } from '../../src/venues/sim/replay/barFeed.ts';
import { loadBarsCsv, type Bar } from '../../src/venues/sim/replay/loadBarsCsv.ts';
import { makeSimVenue, type SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { VenueError } from '../../src/venues/Venue.ts';
import { lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { modelEvents, modelInput, modelIntent, serializeForGraph } from '../../machines/trade/model.ts';
import { createTestModel } from 'xstate/graph';
import { transitionKey } from '../machines/support.ts';
import type { TradeEmitted, TradeEvent } from '../../machines/trade/tradeTypes.ts';

/** The symbol every model run trades. */
export const SYMBOL = 'BTCUSDT';
/** One model quantity unit in BTC: the model's quantity "2" is 0.002 BTC at the venue. */
export const UNIT = dec('0.001');
const ACCOUNT = 'main';
const COUNTERPARTY = 'mm';

/** The kinds of venue request the runtime makes for a trade actor. */
export type HeldKind = 'place' | 'cancel' | 'query' | 'protect';

/** A venue request held "on the wire" until the path releases it: performed at the simulator, or lost in transport. */
export interface HeldCall {
  readonly kind: HeldKind;
  /** The order's client id (empty for protections). */
  readonly clientOrderId: string;
  released: boolean;
  /** Performs the request at the simulator (`perform`), or fails it with a transport error without reaching it (`lose`). */
  readonly release: (mode: 'perform' | 'lose') => void;
}

/**
 * Wraps the real SimVenue so that order, cancel, query and protection requests wait for `release`: a stand-in for
 * network latency and loss, not for the venue (the simulator still decides every outcome of a performed request).
 */
export const holdVenue = (inner: SimVenue): { readonly venue: SimVenue; readonly calls: HeldCall[] } => {
  const calls: HeldCall[] = [];
  const hold = <A>(kind: HeldKind, clientOrderId: string, operation: string, effect: Effect.Effect<A, VenueError>): Effect.Effect<A, VenueError> =>
    Effect.async<A, VenueError>((resume) => {
      const call: HeldCall = {
        kind, clientOrderId, released: false,
        release: (mode) => {
          if (call.released) throw new Error(`${kind} ${clientOrderId} was already released`);
          call.released = true;
          resume(mode === 'perform' ? effect : Effect.fail(new VenueError({ venue: 'sim', operation, reason: { kind: 'transport', message: 'connection reset (model test)' } })));
        },
      };
      calls.push(call);
    });
  const venue: SimVenue = {
    ...inner,
    placeOrder: (r) => hold('place', r.clientOrderId, 'placeOrder', inner.placeOrder(r)),
    cancelOrder: (symbol, id) => hold('cancel', id, 'cancelOrder', inner.cancelOrder(symbol, id)),
    orderByClientId: (symbol, id) => hold('query', id, 'orderByClientId', inner.orderByClientId(symbol, id)),
    setProtection: (r) => hold('protect', '', 'setProtection', inner.setProtection(r)),
  };
  return { venue, calls };
};

let btcBars: Bar[] | undefined;

/** Returns the ids of the state nodes active in a state value (`trade.lifecycle.opened`, `trade.lifecycle.opened.protected`, …). */
export const activeIds = (value: unknown, prefix: string): string[] =>
  typeof value === 'string'
    ? [`${prefix}.${value}`]
    : Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [`${prefix}.${k}`, ...activeIds(v, `${prefix}.${k}`)]);

/** The parts of the runtime a model run reaches that it has no public API for (see `registerApproval`). */
interface RuntimeInternals {
  readonly approvals: Map<string, ApprovedOrder>;
  portfolioView(now: number, tradesThisCycle: ReadonlyMap<string, number>): PortfolioView;
  marketView(): MarketView;
}

/** A real runtime over the simulator for one symbol, with held venue requests and the actor's processed events. */
export interface ModelRig {
  readonly runtime: TradingRuntime;
  readonly host: ActorHost;
  readonly exchange: SimExchange;
  readonly journal: Journal;
  readonly clock: VirtualClock;
  readonly risk: RiskEngine;
  readonly calls: HeldCall[];
  /** Types of the events the trade actor (root, not its order children) has processed, in order. */
  readonly processed: string[];
  /** State node ids the real actor entered and transition keys (tests/machines/support `transitionKey`) it took. */
  readonly coverage: { readonly states: Set<string>; readonly transitions: Set<string> };
  readonly logLines: string[];
}

/** Builds the rig: bundled BTCUSDT bars, a funded account and a funded counterparty, the replay advanced past the first closed bar (quotes and bar age for the RiskEngine). */
export const makeModelRig = async (): Promise<ModelRig> => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-model-'));
  const seed = 7;
  const config = decodeDefaults(AppConfig);
  btcBars ??= loadBarsCsv('data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv').slice(0, 10);
  const clock = new VirtualClock(btcBars[0]!.start);
  const scheduler = virtualScheduler(clock);
  const instrument = bybitLinearInstrument(SYMBOL);
  const exchange = createSimExchange({
    clock, instruments: [instrument], seed,
    feeds: [barFeed({ symbol: SYMBOL, bars: btcBars, seed, ticksPerBar: 16, tickSize: instrument.tickSize })],
  });
  exchange.fundAccount(ACCOUNT, 'USDT', new Decimal(100_000));
  exchange.fundAccount(COUNTERPARTY, 'USDT', new Decimal(1_000_000));
  const sim = makeSimVenue(exchange, ACCOUNT);
  const { venue, calls } = holdVenue(sim);
  const journal = openJournal({ path: join(dir, 'journal.sqlite'), clock });
  const logLines: string[] = [];
  const logger = createLogger({ level: 'info', clock, targets: { memory: logLines } });
  const risk = makeRiskEngine({ ...config.risk, mode: 'PAPER', allowShorts: true, fees: { makerRate: 0.0002, takerRate: 0.00055, minNotional: new Decimal(0) } });
  const processed: string[] = [];
  const coverage = { states: new Set<string>(), transitions: new Set<string>() };
  const inspect = (e: InspectionEvent): void => {
    if ((e.actorRef as AnyActorRef).sessionId !== e.rootId) return;
    if (e.type === '@xstate.event' && !e.event.type.startsWith('xstate.')) processed.push(e.event.type);
    if (e.type === '@xstate.microstep') {
      for (const t of e._transitions) coverage.transitions.add(transitionKey(t));
      for (const id of activeIds((e.snapshot as { value: unknown }).value, 'trade')) coverage.states.add(id);
    }
  };
  const runtime = new TradingRuntime({
    settings: {
      profile: 'test', mode: 'PAPER', botId: 'tw', symbols: [SYMBOL], leverage: new Decimal(5), triggerSource: 'mark',
      cycleMs: 3_600_000, jitterFraction: 0, ackTimeoutMs: 5000, maxRepriceAttempts: modelIntent.maxRepriceAttempts,
      maxProtectionAttempts: modelInput.maxProtectionAttempts, cooldownMs: modelInput.cooldownMs,
      retry: { baseMs: 200, capMs: 5000, maxAttempts: 6 }, seed,
    },
    venue, journal, scheduler, logger, risk, strategies: [], random: seededRandom(seed), inspect,
  });
  sim.onMarket((e) => runtime.onMarket(e));
  sim.onAccount((e) => runtime.onAccount(e));
  // prepare() asks the venue for instruments, balances, positions and leverage: none of those calls is held.
  await runtime.start();
  clock.advanceBy(62_000);
  exchange.advanceTo(clock.now());
  const host = runtime.host(SYMBOL);
  if (host === undefined) throw new Error('no actor for the model symbol');
  processed.length = 0;
  for (const id of activeIds(host.snapshot().value, 'trade')) coverage.states.add(id);
  return { runtime, host, exchange, journal, clock, risk, calls, processed, coverage, logLines };
};

/**
 * Mints a RiskEngine approval for a buy of `quantity` and registers it with the runtime under its decision id, as the
 * decision cycle does before it sends `command.open`. The runtime has no public API for this (only `runCycle`, whose
 * price the test could not choose), so this reaches its private approval map; the ExecutionEngine still checks it.
 */
export const registerApproval = (rig: ModelRig, quantity: Decimal): ApprovedOrder => {
  const internals = rig.runtime as unknown as RuntimeInternals;
  const now = rig.clock.now();
  const proposal = Schema.decodeUnknownSync(TradeProposal)({
    proposalId: `p${now.toString(36)}`, strategyId: 'mbt', symbol: SYMBOL, side: 'buy', instrumentKind: 'perp', notionalFraction: 0.05,
    stopLossFraction: 0.01, takeProfitFraction: 0.02, conviction: 1, createdAt: now, ttlMs: 3_600_000,
  });
  const decision = rig.risk.check(proposal, internals.portfolioView(now, new Map()), internals.marketView(), now);
  if (decision.kind !== 'approve') throw new Error(`the RiskEngine vetoed the model intent: ${JSON.stringify(decision.veto)}`);
  if (decision.order.quantity.lt(quantity)) throw new Error(`approved ${decision.order.quantity.toString()} < ${quantity.toString()}`);
  internals.approvals.set(decision.decisionId, decision.order);
  return decision.order;
};

/** Returns a fresh client order id from the journal's sequence, as the decision cycle makes one. */
export const newClientOrderId = (rig: ModelRig): string =>
  nextClientOrderId(rig.journal, { botId: 'tw', strategyId: 'mbt' }).clientOrderId;

/**
 * Waits until the event loop has run the promise chains started by a release (ExecutionEngine → runtime → host):
 * it returns once `done()` holds, or throws with `what` after `turns` macrotask turns. Not a clock sleep.
 */
export const settle = async (done: () => boolean, what: string, turns = 200): Promise<void> => {
  for (let i = 0; i < turns; i++) {
    if (done()) return;
    await new Promise<void>((r) => setImmediate(r));
  }
  if (!done()) throw new Error(`timed out waiting for ${what}`);
};

/** Lets trailing answers of earlier releases (a REST ack after the stream's) land before the step is checked. */
export const drain = async (turns = 8): Promise<void> => {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
};

/** A pure trade actor fed the model's own events: the oracle of the chart's state and emitted intents along a path. */
export interface ModelOracle {
  send(event: EventObject): void;
  value(): unknown;
  lifecycle(): string;
  context(): ReturnType<ReturnType<typeof createActor<typeof tradeMachine>>['getSnapshot']>['context'];
  /** Counts of the venue requests the chart asked for, by kind. */
  readonly requests: Record<HeldKind, number>;
  /** Registers a listener for the chart's emitted intents; returns an unsubscribe function. */
  listen(f: (e: TradeEmitted) => void): () => void;
}

/** Starts the oracle actor over the model input. */
export const makeOracle = (): ModelOracle => {
  const actor = createActor(tradeMachine, { input: modelInput });
  const requests: Record<HeldKind, number> = { place: 0, cancel: 0, query: 0, protect: 0 };
  const kinds: Partial<Record<TradeEmitted['type'], HeldKind>> = { 'order.submit': 'place', 'order.cancel': 'cancel', 'order.query': 'query', 'protection.set': 'protect' };
  actor.on('*', (e) => {
    const k = kinds[e.type];
    if (k !== undefined) requests[k] += 1;
  });
  actor.start();
  return {
    send: (event) => actor.send(event as TradeEvent),
    value: () => actor.getSnapshot().value,
    lifecycle: () => lifecycleState(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
    requests,
    listen: (f) => actor.on('*', f).unsubscribe,
  };
};

