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

// ── path execution ────────────────────────────────────────────────────────────────────────────────────────────────

type Ev = EventObject & {
  readonly clientOrderId?: string;
  readonly quantity?: string;
  readonly tradeId?: string;
  readonly category?: string;
  readonly found?: boolean;
  readonly status?: string;
  readonly reason?: string;
  readonly flatten?: boolean;
};

/** How the first entry attempt is priced against the book, chosen from what the path needs the venue to do. */
type PriceMode = 'rest' | 'crossOnce' | 'crossTwice' | 'offGrid';

interface VenueOrderTruth {
  status: 'open' | 'closed';
  filled: number;
  readonly quantity: number;
}

/** Where a step's event came from in the real run. */
export type StepSource = 'venue' | 'host' | 'clock';

/** The abstract venue a path is checked against before it runs, and then tracked alongside the real run. */
interface Env {
  readonly rig: ModelRig | undefined;
  readonly oracle: ModelOracle;
  mode: PriceMode;
  cycle: number;
  base: string;
  held: Array<{ kind: HeldKind; key: string; call: HeldCall | undefined }>;
  readonly orders: Map<string, VenueOrderTruth>;
  readonly tradeIds: Set<string>;
  position: number;
  protectionAtVenue: boolean;
  readonly sources: StepSource[];
}

const isEntryId = (m: string): boolean => m === 'c1' || m === 'c1-r1';
const modelNumber = (q: string | undefined): number => Number(q ?? '0');

const planMode = (events: ReadonlyArray<Ev>): PriceMode => {
  const postOnly = (id: string) => events.some((e) => e.type === 'venue.rejected' && e.clientOrderId === id && e.category === 'post_only_would_take');
  if (postOnly('c1') && postOnly('c1-r1')) return 'crossTwice';
  if (postOnly('c1')) return 'crossOnce';
  if (events.some((e) => e.type === 'venue.rejected' && e.clientOrderId === 'c1' && e.category !== 'post_only_would_take')) return 'offGrid';
  return 'rest';
};

// Which entry attempts rest at the venue, for each price mode (c1 is priced so that its re-price lands where needed).
const rests = (mode: PriceMode, m: string): boolean =>
  m === 'c1' ? mode === 'rest' : m === 'c1-r1' ? mode === 'crossOnce' : false;
const crosses = (mode: PriceMode, m: string): boolean =>
  m === 'c1' ? mode === 'crossOnce' || mode === 'crossTwice' : m === 'c1-r1' ? mode === 'crossTwice' : false;

const realId = (env: Env, m: string): string => env.base + m.slice(2);
const key = (env: Env, m: string): string => `${env.cycle}:${m}`;

const latestHeld = (env: Env, kind: HeldKind, m?: string): Env['held'][number] | undefined =>
  [...env.held].reverse().find((h) => h.kind === kind && (m === undefined || h.key === key(env, m)));

const releaseHeld = (env: Env, h: Env['held'][number], mode: 'perform' | 'lose'): void => {
  env.held = env.held.filter((x) => x !== h);
  if (env.rig === undefined) return;
  if (h.call === undefined) throw new Error(`the runtime never sent the ${h.kind} request the chart asked for (${h.key})`);
  h.call.release(mode);
};

class Infeasible extends Error {
  override readonly name = 'Infeasible';
}
const infeasible = (why: string): never => {
  throw new Infeasible(why);
};

const instrumentTick = dec('0.1');

const entryPrice = (rig: ModelRig, mode: PriceMode): Decimal => {
  const book = rig.exchange.book(SYMBOL, 1);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid === undefined || ask === undefined || ask.minus(bid).lt(instrumentTick.times(2))) throw new Error('the replayed book needs a spread of at least two ticks');
  switch (mode) {
    case 'rest':
      return bid.plus(instrumentTick);
    case 'crossOnce':
      return ask; // post-only at the ask takes liquidity; its re-price (one tick lower) rests inside the spread
    case 'crossTwice':
      return ask.plus(instrumentTick);
    case 'offGrid':
      return bid.plus(instrumentTick.div(2)); // not on the tick grid: the venue refuses it (price_invalid)
  }
};

/** Runs the rig's actor through one model event; returns which source delivered it. Throws Infeasible if the simulator cannot produce it. */
const step = async (env: Env, e: Ev): Promise<StepSource> => {
  const { rig, oracle } = env;
  const m = e.clientOrderId ?? '';
  const life = oracle.lifecycle();
  const before = rig?.processed.length ?? 0;
  const awaitEvent = async (): Promise<void> => {
    if (rig === undefined) return;
    await settle(() => rig.processed.slice(before).includes(e.type), `${e.type} to reach the actor (state ${rig.host.state()})`);
    await drain();
  };
  const now = rig?.clock.now() ?? 0;
  switch (e.type) {
    case 'command.open': {
      env.cycle += 1;
      if (rig !== undefined) {
        env.base = newClientOrderId(rig);
        const quantity = UNIT.times(modelIntent.quantity);
        const approval = registerApproval(rig, quantity);
        rig.host.send({
          ...modelIntent, type: 'command.open', at: now, intentId: approval.decisionId, clientOrderId: env.base, quantity: quantity.toString(),
          price: entryPrice(rig, env.mode).toString(), tickSize: instrumentTick.toString(), timeInForce: 'post_only', repriceTicks: 1,
        });
      }
      return 'host';
    }
    case 'venue.accepted': {
      const h = latestHeld(env, 'place', m) ?? infeasible(`no ${m} request on the wire to accept`);
      if (!rests(env.mode, m)) infeasible(`${m} is priced to ${crosses(env.mode, m) ? 'take liquidity' : 'be refused'}`);
      releaseHeld(env, h, 'perform');
      env.orders.set(key(env, m), { status: 'open', filled: 0, quantity: modelNumber(modelIntent.quantity) });
      await awaitEvent();
      return 'venue';
    }
    case 'venue.rejected': {
      if (!isEntryId(m)) infeasible(`the simulator cannot refuse ${m} while a position is open`);
      const h = latestHeld(env, 'place', m) ?? infeasible(`no ${m} request on the wire to refuse`);
      const postOnly = e.category === 'post_only_would_take';
      if (postOnly ? !crosses(env.mode, m) : !(m === 'c1' && env.mode === 'offGrid')) infeasible(`${m} is not priced for a ${String(e.category)} refusal`);
      releaseHeld(env, h, 'perform');
      if (postOnly) env.orders.set(key(env, m), { status: 'closed', filled: 0, quantity: modelNumber(modelIntent.quantity) });
      await awaitEvent();
      return 'venue';
    }
    case 'venue.filled': {
      const q = modelNumber(e.quantity);
      if (q <= 0) infeasible('a venue never reports an empty fill');
      if (env.tradeIds.has(`${env.cycle}:${String(e.tradeId)}`)) infeasible('a replayed fill (same trade id) is a stream duplicate, not a venue event');
      env.tradeIds.add(`${env.cycle}:${String(e.tradeId)}`);
      if (isEntryId(m)) {
        const o = env.orders.get(key(env, m));
        if (o === undefined || o.status !== 'open' || o.quantity - o.filled < q) infeasible(`${m} is not resting at the venue with ${q} left`);
        if (latestHeld(env, 'place', m) !== undefined) infeasible(`${m} is still on the wire`);
        o!.filled += q;
        if (o!.filled >= o!.quantity) o!.status = 'closed';
        env.position += q;
        if (rig !== undefined) {
          const order = rig.exchange.getOrder(ACCOUNT, SYMBOL, { clientOrderId: realId(env, m) });
          if (order?.price === undefined) throw new Error(`${realId(env, m)} is not at the venue`);
          // A counterparty takes our resting bid: the matching engine fills it and the account stream reports it.
          const r = rig.exchange.placeOrder({
            account: COUNTERPARTY, symbol: SYMBOL, side: 'sell', type: 'limit', quantity: UNIT.times(q), price: order.price, timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false,
          });
          if (!r.ok) throw new Error(`counterparty order refused: ${r.message}`);
        }
      } else {
        const h = latestHeld(env, 'place', m) ?? infeasible(`no exit ${m} on the wire`);
        if (q !== env.position) infeasible(`a market exit of the whole position fills ${env.position}, not ${q}`);
        releaseHeld(env, h, 'perform');
        env.position = 0;
      }
      await awaitEvent();
      return 'venue';
    }
    case 'venue.cancelled': {
      if (!isEntryId(m)) infeasible('an IOC exit against a liquid book is not cancelled');
      const o = env.orders.get(key(env, m));
      if (o === undefined || o.status !== 'open') infeasible(`${m} is not open at the venue`);
      o!.status = 'closed';
      const h = latestHeld(env, 'cancel', m);
      if (h !== undefined) releaseHeld(env, h, 'perform');
      else if (rig !== undefined) {
        // Cancelled at the venue by someone else (the operator's web UI): the account stream reports it.
        const r = rig.exchange.cancelOrder(ACCOUNT, SYMBOL, { clientOrderId: realId(env, m) });
        if (!r.ok) throw new Error(`external cancel refused: ${r.message}`);
      }
      await awaitEvent();
      return 'venue';
    }
    case 'venue.cancelRejected': {
      const h = latestHeld(env, 'cancel', m) ?? infeasible(`no cancel of ${m} on the wire`);
      releaseHeld(env, h, 'lose');
      await awaitEvent();
      return 'venue';
    }
    case 'venue.unknown': {
      const h = latestHeld(env, 'place', m) ?? infeasible(`no ${m} request on the wire`);
      releaseHeld(env, h, 'lose');
      await awaitEvent();
      return 'venue';
    }
    case 'venue.queryResult': {
      const h = latestHeld(env, 'query', m) ?? infeasible(`no query of ${m} on the wire`);
      const o = env.orders.get(key(env, m));
      if (e.found === false) {
        if (o !== undefined) infeasible(`${m} exists at the venue`);
      } else if (e.status === 'new') {
        if (o === undefined || o.status !== 'open' || o.filled > 0) infeasible(`${m} is not resting unfilled at the venue`);
      } else infeasible(`a ${String(e.status)} order is reported on the account stream before any query answers`);
      releaseHeld(env, h, 'perform');
      await awaitEvent();
      return 'venue';
    }
    case 'venue.protectionSet':
    case 'venue.protectionFailed': {
      const h = latestHeld(env, 'protect') ?? infeasible('no protection request on the wire');
      const set = e.type === 'venue.protectionSet';
      if (set && (env.position <= 0 || env.protectionAtVenue)) infeasible('the venue refuses TP/SL without a position or without a change');
      releaseHeld(env, h, set ? 'perform' : 'lose');
      if (set) env.protectionAtVenue = true;
      await awaitEvent();
      return 'venue';
    }
    case 'venue.positionClosed': {
      if (env.position <= 0 || !/^(opened|closing|flattening)/.test(life)) infeasible('no open position for the venue to close');
      env.position = 0;
      env.protectionAtVenue = false;
      if (rig !== undefined) {
        // Closed at the venue without our exit order (the operator's web UI): a reduce-only market order on our account.
        const r = rig.exchange.placeOrder({
          account: ACCOUNT, symbol: SYMBOL, side: 'sell', type: 'market', quantity: new Decimal(0), timeInForce: 'ioc', reduceOnly: true, closeOnTrigger: true,
        });
        if (!r.ok) throw new Error(`external close refused: ${r.message}`);
      }
      await awaitEvent();
      return 'venue';
    }
    case 'venue.expired':
      return infeasible('the simulator never expires these orders');
    case 'timer.ackTimeout':
    case 'timer.queryRetry':
    case 'timer.cooldownDone': {
      if (e.type === 'timer.ackTimeout' && (life !== 'submitting' || oracle.context().entryClientOrderId !== m)) infeasible('the host arms the ack deadline only for the current entry');
      if (e.type === 'timer.queryRetry' && life !== 'querying') infeasible('the query timer runs only while querying');
      if (e.type === 'timer.cooldownDone' && life !== 'closed.cooldown') infeasible('the cooldown timer runs only in closed');
      if (rig !== undefined) {
        const c = rig.host.snapshot().context;
        const at = e.type === 'timer.ackTimeout' ? c.ackDeadline : e.type === 'timer.queryRetry' ? c.queryRetryAt : c.cooldownUntil;
        if (at === null) throw new Error(`the actor holds no deadline for ${e.type}`);
        rig.clock.advanceTo(at);
        await awaitEvent();
      }
      return 'clock';
    }
    case 'stream.paused':
    case 'stream.resumed':
      rig?.runtime.setMarketPaused(SYMBOL, e.type === 'stream.paused', e.reason ?? 'resumed');
      return 'host';
    default: {
      // Commands and operator inputs: the decision cycle, the operator console and the supervisor send these to the host.
      if (rig !== undefined) rig.host.send({ ...(e as unknown as TradeEvent), at: now });
      return 'host';
    }
  }
};

const requestKinds: Partial<Record<string, HeldKind>> = { 'order.submit': 'place', 'order.cancel': 'cancel', 'order.query': 'query', 'protection.set': 'protect' };

/** Result of executing one generated path. */
export interface PathRun {
  readonly feasible: boolean;
  /** Why the simulator cannot produce the path (when not feasible). */
  readonly reason?: string | undefined;
  /** Lifecycle states entered and `from>event>to` transitions taken by the REAL actor, checked against the chart. */
  readonly states: ReadonlyArray<string>;
  readonly transitions: ReadonlyArray<string>;
  readonly sources: ReadonlyArray<StepSource>;
}

/**
 * Executes a path's events. With `rig` undefined it only checks that the simulator can produce them (no side
 * effects); with a rig it runs them against the real runtime and, after every step, compares the real actor, the
 * venue requests and the venue's truth with the chart (throws an assertion error on the first disagreement).
 */
export const executePath = async (events: ReadonlyArray<EventObject>, rig: ModelRig | undefined, check: (label: string, env: CheckView) => void): Promise<PathRun> => {
  const oracle = makeOracle();
  const env: Env = {
    rig, oracle, mode: planMode(events as ReadonlyArray<Ev>), cycle: 0, base: 'c1', held: [], orders: new Map(), tradeIds: new Set(),
    position: 0, protectionAtVenue: false, sources: [],
  };
  // The oracle's emitted requests become held calls (abstract), matched to the real runtime's calls in order.
  let seenCalls = 0;
  const states: string[] = [oracle.lifecycle()];
  const transitions: string[] = [];
  try {
    for (const [i, raw] of events.entries()) {
      const e = raw as Ev;
      const from = oracle.lifecycle();
      const captured: Array<{ kind: HeldKind; m: string }> = [];
      const off = captureEmits(oracle, captured);
      env.sources.push(await step(env, e));
      oracle.send(e);
      off();
      for (const c of captured) env.held.push({ kind: c.kind, key: key(env, c.m), call: undefined });
      if (rig !== undefined) {
        await drain();
        const fresh = rig.calls.slice(seenCalls);
        seenCalls = rig.calls.length;
        // Bind each abstract request to the runtime's real call of the same kind, in order.
        for (const call of fresh) {
          const slot = env.held.find((h) => h.kind === call.kind && h.call === undefined);
          if (slot !== undefined) slot.call = call;
        }
      }
      const to = oracle.lifecycle();
      states.push(to);
      transitions.push(`${from}>${e.type}>${to}`);
      if (rig !== undefined) check(`step ${i + 1} ${e.type}`, { rig, oracle, base: env.base, protectionAtVenue: env.protectionAtVenue });
    }
  } catch (err) {
    if (err instanceof Infeasible) return { feasible: false, reason: err.message, states, transitions, sources: env.sources };
    throw err;
  }
  return { feasible: true, states, transitions, sources: env.sources };
};

/** What the per-step check sees. */
export interface CheckView {
  readonly rig: ModelRig;
  readonly oracle: ModelOracle;
  /** The real client order id of the cycle's first entry attempt. */
  readonly base: string;
  readonly protectionAtVenue: boolean;
}

// The oracle's emitted intents, captured per step with their model client order ids.
const captureEmits = (oracle: ModelOracle, into: Array<{ kind: HeldKind; m: string }>): (() => void) =>
  oracle.listen((e) => {
    const k = requestKinds[e.type];
    if (k !== undefined) into.push({ kind: k, m: ('clientOrderId' in e ? e.clientOrderId : undefined) ?? '' });
  });

/** Exposes the venue account used by the rig (for checks). */
export const RIG_ACCOUNT = ACCOUNT;

// ── path generation ───────────────────────────────────────────────────────────────────────────────────────────────

/** A path generated from the chart for a runtime run. */
export interface RuntimePath {
  readonly kind: 'shortest' | 'cover' | 'simple';
  readonly events: ReadonlyArray<EventObject>;
}

type Loose = Ev & { readonly found?: boolean };

/**
 * The model events the simulator, the host's timers or its commands can produce. Dropped: empty fills, expiries,
 * reduce-only refusals (our exits never exceed the position) and query answers for orders the stream already closed.
 */
export const realizableEvents: ReadonlyArray<EventObject> = modelEvents.filter((raw) => {
  const e = raw as Loose;
  return !(
    e.type === 'venue.expired' ||
    (e.type === 'venue.filled' && e.quantity === '0') ||
    (e.type === 'venue.rejected' && e.category === 'reduce_only_violation') ||
    (e.type === 'venue.queryResult' && e.found === true && e.status !== 'new')
  );
});

/**
 * Prunes, during traversal, events the venue cannot send in a lifecycle state (a fill before the order reached the
 * venue, a protection answer outside `protecting`, …), so the shortest paths run through realizable routes. The
 * exact check is `executePath` without a rig; this only steers the search.
 */
export const steer = (s: { readonly value: unknown }, raw: EventObject): boolean => {
  const e = raw as Loose;
  const life = JSON.stringify((s.value as { lifecycle: unknown }).lifecycle);
  const entry = e.clientOrderId === 'c1' || e.clientOrderId === 'c1-r1';
  const inAny = (...names: string[]): boolean => names.some((n) => life.includes(n));
  switch (e.type) {
    case 'venue.accepted':
      return inAny('submitting', 'querying', 'cancelling');
    case 'venue.filled':
      return entry ? inAny('working', 'cancelling', 'querying', 'opened') : inAny('closing', 'flattening');
    case 'venue.cancelled':
      return entry && inAny('working', 'cancelling', 'querying', 'opened');
    case 'venue.rejected':
    case 'venue.unknown':
      return inAny('submitting', 'cancelling', 'closing', 'flattening');
    case 'venue.cancelRejected':
      return inAny('cancelling');
    case 'venue.queryResult':
      return inAny('querying', 'closing', 'flattening');
    case 'venue.protectionSet':
    case 'venue.protectionFailed':
      return inAny('protecting');
    case 'venue.positionClosed':
      return inAny('opened', 'closing', 'flattening');
    default:
      return true;
  }
};

interface AdjacencyModel {
  getShortestPaths(options: { allowDuplicatePaths: boolean }): Array<{ state: unknown; steps: Array<{ event: EventObject }> }>;
  getAdjacencyMap(): Record<string, { state: unknown; transitions: Record<string, { event: EventObject; state: unknown }> }>;
}

/**
 * Generates paths from the trade chart with `xstate/graph` over the realizable events: every shortest path, a
 * transition-cover path per (state, event) edge whose transitions no earlier path took, and simple paths (no state
 * twice) of exactly `simpleDepth` events, every `simpleStride`-th of them in traversal order (the bound that keeps
 * the run short). Keeps only what the simulator can produce, and reports how many it dropped and why.
 */
export const generateRuntimePaths = async (opts: { readonly simpleDepth: number; readonly simpleStride: number }): Promise<{
  readonly paths: ReadonlyArray<RuntimePath>;
  readonly generated: Record<RuntimePath['kind'], number>;
  readonly dropped: ReadonlyMap<string, number>;
}> => {
  const serialize = serializeForGraph as (s: unknown) => string;
  const model = createTestModel(tradeMachine, {
    events: [...realizableEvents], serializeState: serializeForGraph, filterEvents: steer, input: modelInput,
  } as never) as unknown as AdjacencyModel;
  const toEvents = (steps: ReadonlyArray<{ event: EventObject }>): EventObject[] => steps.map((x) => x.event).filter((e) => !e.type.startsWith('xstate.'));
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true }).map((p) => ({ key: serialize(p.state), events: toEvents(p.steps) }));
  const prefixOf = new Map(shortest.map((p) => [p.key, p.events]));
  const adjacency = model.getAdjacencyMap();
  const cover: EventObject[][] = [];
  const seen = new Set<string>();
  for (const [k, entry] of Object.entries(adjacency)) {
    const prefix = prefixOf.get(k);
    if (prefix === undefined) continue;
    for (const { event } of Object.values(entry.transitions)) {
      const keys = tradeMachine.getTransitionData(entry.state as never, event as never).map(transitionKey);
      if (keys.length === 0 || keys.every((x) => seen.has(x))) continue;
      for (const x of keys) seen.add(x);
      cover.push([...prefix, event]);
    }
  }
  const simple: EventObject[][] = [];
  const start = serialize(createActor(tradeMachine, { input: modelInput }).getSnapshot());
  let counter = 0;
  const walk = (k: string, visited: Set<string>, events: EventObject[]): void => {
    if (events.length === opts.simpleDepth) {
      if (counter++ % opts.simpleStride === 0) simple.push([...events]);
      return;
    }
    for (const { event, state } of Object.values(adjacency[k]?.transitions ?? {})) {
      const next = serialize(state);
      if (visited.has(next)) continue;
      visited.add(next);
      events.push(event);
      walk(next, visited, events);
      events.pop();
      visited.delete(next);
    }
  };
  walk(start, new Set([start]), []);
  const all: RuntimePath[] = [
    ...shortest.filter((p) => p.events.length > 0).map((p) => ({ kind: 'shortest' as const, events: p.events })),
    ...cover.map((events) => ({ kind: 'cover' as const, events })),
    ...simple.map((events) => ({ kind: 'simple' as const, events })),
  ];
  const paths: RuntimePath[] = [];
  const dropped = new Map<string, number>();
  for (const p of all) {
    const run = await executePath(p.events, undefined, () => undefined);
    if (run.feasible) paths.push(p);
    else dropped.set(run.reason ?? '?', (dropped.get(run.reason ?? '?') ?? 0) + 1);
  }
  const count = (kind: RuntimePath['kind']): number => all.filter((p) => p.kind === kind).length;
  return { paths, generated: { shortest: count('shortest'), cover: count('cover'), simple: count('simple') }, dropped };
};
