/**
 * Support for executing trade-chart paths against the REAL runtime (TradingRuntime → ActorHost → ExecutionEngine →
 * SimVenue → matching engine) on the virtual clock. Venue requests are held "on the wire" until a step releases them,
 * so the chart's waiting states are observable; venue events are produced by the simulator, never injected.
 *
 * Event sources: venue.accepted / rejected (post-only at the ask, off-grid price) / cancelled (our cancel, or an
 * external cancel) / filled (a counterparty account trades against our resting bid; exits fill against the book) /
 * positionClosed (an external reduce-only close on our account) / queryResult / protectionSet come from the simulator
 * when the held request is performed; venue.unknown, cancelRejected and protectionFailed come from a held request lost
 * in transport (the ExecutionEngine sees a transport VenueError). Timers fire from the VirtualClock at the deadlines
 * the actor stored; commands, operator and supervisor inputs are sent to the host as the runtime's callers do.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect, Schema } from 'effect';
import { createActor, initialTransition, transition, type AnyActorRef, type EventObject, type InspectionEvent } from 'xstate';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import type { Instrument } from '../../src/domain/Instrument.ts';
import { Decimal, dec } from '../../src/domain/money.ts';
import { TradeProposal } from '../../src/domain/TradeProposal.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { nextClientOrderId } from '../../src/journal/clientOrderIds.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine, type ApprovedOrder, type RiskEngine } from '../../src/risk/RiskEngine.ts';
import type { ActorHost } from '../../src/runtime/ActorHost.ts';
import type { VenueRuntime } from '../../src/runtime/VenueRuntime.ts';
import { makeTestRuntime, testSettings } from '../support/testRuntime.ts';
import { bybitLinearInstrument, createSimExchange } from '../../src/venues/sim/engine/SimExchange.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { barFeed } from '../../src/venues/sim/replay/barFeed.ts';
import { loadBarsCsv, type Bar } from '../../src/venues/sim/replay/loadBarsCsv.ts';
import { makeSimVenue, type SimVenue } from '../../src/venues/sim/SimVenue.ts';
import { VenueError } from '../../src/venues/Venue.ts';
import { lifecycleState, tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { modelEvents, modelInput, modelIntent, serializeForGraph } from '../../machines/trade/model.ts';
import { expect, it } from 'vitest';
import { protectionPrices } from '../../machines/trade/tradeLogic.ts';
import { allStateIds, allTransitionKeys, transitionKey } from '../machines/support.ts';
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

/** A real runtime over the simulator for one symbol, with held venue requests and the actor's processed events. */
export interface ModelRig {
  readonly runtime: VenueRuntime;
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
export const makeModelRig = async (opts: { readonly instrument?: (i: Instrument) => Instrument } = {}): Promise<ModelRig> => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-model-'));
  const seed = 7;
  const config = decodeDefaults(AppConfig);
  btcBars ??= loadBarsCsv('data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv').slice(0, 10);
  const clock = new VirtualClock(btcBars[0]!.start);
  const scheduler = virtualScheduler(clock);
  const instrument = (opts.instrument ?? ((i: Instrument) => i))(bybitLinearInstrument(SYMBOL));
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
      for (const id of activeIds((e.snapshot as unknown as { value: unknown }).value, 'trade')) coverage.states.add(id);
    }
  };
  const runtime = makeTestRuntime({
    settings: testSettings({
      symbols: [SYMBOL], maxRepriceAttempts: modelIntent.maxRepriceAttempts, maxProtectionAttempts: modelInput.maxProtectionAttempts, cooldownMs: modelInput.cooldownMs, seed,
    }),
    venue, journal, scheduler, logger, risk, inspect,
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
 * Mints a RiskEngine approval for a buy of `quantity` against the runtime's own views and keeps it in its ApprovalBook
 * under its decision id, as the decision loop does before it sends `command.open` (whose price the test could not
 * choose); the ExecutionEngine still checks it.
 */
export const registerApproval = (rig: ModelRig, quantity: Decimal): ApprovedOrder => {
  const now = rig.clock.now();
  const proposal = Schema.decodeUnknownSync(TradeProposal)({
    proposalId: `p${now.toString(36)}`, strategyId: 'mbt', symbol: SYMBOL, side: 'buy', instrumentKind: 'perp', notionalFraction: 0.05,
    stopLossFraction: 0.01, takeProfitFraction: 0.02, conviction: 1, createdAt: now, ttlMs: 3_600_000,
  });
  const views = rig.runtime.views(now, new Map());
  // The path may send `command.open` where the decision loop would not (a KILL just before it, an entry in flight): the
  // chart's own guards are what it tests there, so the actor-availability rule is left out of this one approval.
  const decision = rig.risk.check(proposal, { ...views.portfolio, actors: undefined }, views.market, now);
  if (decision.kind !== 'approve') throw new Error(`the RiskEngine vetoed the model intent: ${JSON.stringify(decision.veto)}`);
  if (decision.order.quantity.lt(quantity)) throw new Error(`approved ${decision.order.quantity.toString()} < ${quantity.toString()}`);
  rig.runtime.approvals.put(decision.decisionId, decision.order);
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
    listen: (f) => {
      const sub = actor.on('*', f);
      return () => sub.unsubscribe();
    },
  };
};

// ── path planning: what the venue must do for each model event, checked against an abstract venue ──────────────────

type Ev = EventObject & {
  readonly clientOrderId?: string;
  readonly quantity?: string;
  readonly tradeId?: string;
  readonly category?: string;
  readonly found?: boolean;
  readonly status?: string;
  readonly reason?: string;
};

/** How the first entry attempt is priced against the book, chosen for what the path needs the venue to do. */
export type PriceMode = 'rest' | 'crossOnce' | 'crossTwice' | 'offGrid';
/** Every price mode, in search order. */
export const PRICE_MODES: ReadonlyArray<PriceMode> = ['rest', 'crossOnce', 'crossTwice', 'offGrid'];

/** Where a step's event came from in the real run. */
export type StepSource = 'venue' | 'host' | 'clock';

/** The venue as the path has arranged it so far (model quantities; order keys are `<cycle>:<model id>`). */
interface Abstract {
  readonly mode: PriceMode;
  cycle: number;
  nextCall: number;
  held: Array<{ readonly n: number; readonly kind: HeldKind; readonly key: string }>;
  orders: Record<string, { status: 'open' | 'closed'; filled: number; readonly quantity: number }>;
  tradeIds: string[];
  position: number;
  protectionAtVenue: boolean;
}

/** What the real run does for one step. */
type Act =
  | { readonly do: 'open' }
  | { readonly do: 'release'; readonly n: number; readonly how: 'perform' | 'lose' }
  | { readonly do: 'counterpartyFill'; readonly m: string; readonly q: number }
  | { readonly do: 'externalCancel'; readonly m: string }
  | { readonly do: 'externalClose' }
  | { readonly do: 'advance'; readonly timer: 'ackDeadline' | 'queryRetryAt' | 'cooldownUntil' }
  | { readonly do: 'pause'; readonly paused: boolean; readonly reason: string }
  | { readonly do: 'hostSend' };

interface Plan {
  readonly source: StepSource;
  readonly acts: ReadonlyArray<Act>;
}

class Infeasible extends Error {
  override readonly name = 'Infeasible';
}
const infeasible = (why: string): never => {
  throw new Infeasible(why);
};

const isEntryId = (m: string): boolean => m === 'c1' || m === 'c1-r1';
const modelNumber = (q: string | undefined): number => Number(q ?? '0');
const entryQuantity = modelNumber(modelIntent.quantity);
const okey = (a: Abstract, m: string): string => `${a.cycle}:${m}`;

// Which entry attempts rest at, take from, or are refused by the book, per price mode (c1 is priced so that its
// one-tick re-price lands where needed).
const rests = (mode: PriceMode, m: string): boolean => (m === 'c1' ? mode === 'rest' : m === 'c1-r1' ? mode === 'crossOnce' : false);
const crosses = (mode: PriceMode, m: string): boolean =>
  m === 'c1' ? mode === 'crossOnce' || mode === 'crossTwice' : m === 'c1-r1' ? mode === 'crossTwice' : false;

const takeHeld = (a: Abstract, kind: HeldKind, m: string | undefined, why: string): number => {
  const h = [...a.held].reverse().find((x) => x.kind === kind && (m === undefined || x.key === okey(a, m))) ?? infeasible(why);
  a.held = a.held.filter((x) => x !== h);
  return h.n;
};

/**
 * Plans one model event: checks that the venue (or the host) can produce it now and updates the abstract venue.
 * `life` and `entryId` are the chart's lifecycle state and current entry id before the event. Throws Infeasible.
 */
const plan = (a: Abstract, e: Ev, life: string, entryId: string | null): Plan => {
  const m = e.clientOrderId ?? '';
  const venue = (...acts: Act[]): Plan => ({ source: 'venue', acts });
  switch (e.type) {
    case 'command.open':
      a.cycle += 1;
      return { source: 'host', acts: [{ do: 'open' }] };
    case 'venue.accepted': {
      if (!rests(a.mode, m)) infeasible(`${m} is not priced to rest`);
      const n = takeHeld(a, 'place', m, `no ${m} request on the wire to accept`);
      a.orders[okey(a, m)] = { status: 'open', filled: 0, quantity: entryQuantity };
      return venue({ do: 'release', n, how: 'perform' });
    }
    case 'venue.rejected': {
      if (!isEntryId(m)) infeasible(`the venue does not refuse a reduce-only exit of an open position (${m})`);
      const postOnly = e.category === 'post_only_would_take';
      if (postOnly ? !crosses(a.mode, m) : !(m === 'c1' && a.mode === 'offGrid')) infeasible(`${m} is not priced for a ${String(e.category)} refusal`);
      const n = takeHeld(a, 'place', m, `no ${m} request on the wire to refuse`);
      if (postOnly) a.orders[okey(a, m)] = { status: 'closed', filled: 0, quantity: entryQuantity };
      return venue({ do: 'release', n, how: 'perform' });
    }
    case 'venue.filled': {
      const q = modelNumber(e.quantity);
      if (q <= 0) infeasible('a venue never reports an empty fill');
      const trade = `${a.cycle}:${String(e.tradeId)}`;
      if (a.tradeIds.includes(trade)) infeasible('a replayed fill (same trade id) is a stream duplicate');
      a.tradeIds.push(trade);
      if (isEntryId(m)) {
        const o = a.orders[okey(a, m)];
        if (o === undefined || o.status !== 'open' || o.quantity - o.filled < q) return infeasible(`${m} is not resting at the venue with ${q} left`);
        o.filled += q;
        if (o.filled >= o.quantity) o.status = 'closed';
        a.position += q;
        return venue({ do: 'counterpartyFill', m, q });
      }
      if (q !== a.position) infeasible(`a market exit of the whole position fills ${a.position}, not ${q}`);
      const n = takeHeld(a, 'place', m, `no exit ${m} on the wire`);
      a.position = 0;
      a.protectionAtVenue = false;
      return venue({ do: 'release', n, how: 'perform' });
    }
    case 'venue.cancelled': {
      if (!isEntryId(m)) infeasible('an IOC exit against a liquid book is not cancelled');
      const o = a.orders[okey(a, m)];
      if (o === undefined || o.status !== 'open') return infeasible(`${m} is not open at the venue`);
      o.status = 'closed';
      const h = [...a.held].reverse().find((x) => x.kind === 'cancel' && x.key === okey(a, m));
      if (h === undefined) return venue({ do: 'externalCancel', m });
      a.held = a.held.filter((x) => x !== h);
      return venue({ do: 'release', n: h.n, how: 'perform' });
    }
    case 'venue.cancelRejected':
      return venue({ do: 'release', n: takeHeld(a, 'cancel', m, `no cancel of ${m} on the wire`), how: 'lose' });
    case 'venue.unknown':
      return venue({ do: 'release', n: takeHeld(a, 'place', m, `no ${m} request on the wire`), how: 'lose' });
    case 'venue.queryResult': {
      const o = a.orders[okey(a, m)];
      if (e.found === false) {
        if (o !== undefined) infeasible(`${m} exists at the venue`);
        // The ExecutionEngine answers no "not found" while the create of the same id is still on the wire.
        if (a.held.some((h) => h.kind === 'place' && h.key === okey(a, m))) infeasible(`the create of ${m} is still in flight`);
      } else if (e.status === 'new') {
        if (o === undefined || o.status !== 'open' || o.filled > 0) infeasible(`${m} is not resting unfilled at the venue`);
      } else infeasible(`a ${String(e.status)} order reaches the actor on the account stream before any query answers`);
      return venue({ do: 'release', n: takeHeld(a, 'query', m, `no query of ${m} on the wire`), how: 'perform' });
    }
    case 'venue.protectionSet':
    case 'venue.protectionFailed': {
      const set = e.type === 'venue.protectionSet';
      // An unchanged TP/SL answers "not modified", which the adapter reports as set.
      if (set && a.position <= 0) infeasible('the venue refuses TP/SL without a position');
      const n = takeHeld(a, 'protect', undefined, 'no protection request on the wire');
      if (set) a.protectionAtVenue = true;
      return venue({ do: 'release', n, how: set ? 'perform' : 'lose' });
    }
    case 'venue.positionChanged': {
      // The simulator reports a position change on its own only when it is closed from outside (the web UI): flat, with
      // that close's fills, for the whole position. Partial stops and idle updates are not produced on demand.
      const x = (e as { readonly external?: { readonly quantity: string } }).external;
      if (modelNumber(e.quantity) !== 0) infeasible('the simulator reports a partial position change only after a partial venue-side stop');
      if (x === undefined) infeasible('a close at the venue reaches the runtime with its fills');
      if (a.position <= 0 || !/^(opened|closing|flattening|working|cancelling)/.test(life)) infeasible('no open position for the venue to close');
      if (modelNumber(x?.quantity) !== a.position) infeasible(`an external close takes the whole position (${a.position}), not ${String(x?.quantity)}`);
      a.position = 0;
      a.protectionAtVenue = false;
      return venue({ do: 'externalClose' });
    }
    case 'venue.expired':
      return infeasible('the simulator never expires these orders');
    case 'timer.ackTimeout':
      if (life !== 'submitting' || entryId !== m) infeasible('the host arms the ack deadline only for the current entry');
      return { source: 'clock', acts: [{ do: 'advance', timer: 'ackDeadline' }] };
    case 'timer.queryRetry':
      if (!/^(querying|closing|flattening)$/.test(life)) infeasible('the query timer runs only while an order outcome is being queried');
      return { source: 'clock', acts: [{ do: 'advance', timer: 'queryRetryAt' }] };
    case 'timer.cooldownDone':
      if (life !== 'closed.cooldown') infeasible('the cooldown timer runs only in closed');
      return { source: 'clock', acts: [{ do: 'advance', timer: 'cooldownUntil' }] };
    case 'recovery.positionReplaced':
      return infeasible('only start-up recovery sends it, after the venue changed the position while the runtime was down (the restart drill covers it)');
    case 'stream.paused':
    case 'stream.resumed':
      return { source: 'host', acts: [{ do: 'pause', paused: e.type === 'stream.paused', reason: e.reason ?? 'resumed' }] };
    default:
      // Commands and operator inputs: the decision cycle, the operator console and the supervisor send these to the host.
      return { source: 'host', acts: [{ do: 'hostSend' }] };
  }
};

const requestKinds: Partial<Record<string, HeldKind>> = { 'order.submit': 'place', 'order.cancel': 'cancel', 'order.query': 'query', 'protection.set': 'protect' };

/** Registers the venue requests a transition emitted as held calls of the abstract venue; returns their numbers. */
const holdEmitted = (a: Abstract, emitted: ReadonlyArray<EventObject>): Array<{ n: number; kind: HeldKind }> => {
  const out: Array<{ n: number; kind: HeldKind }> = [];
  for (const e of emitted) {
    const kind = requestKinds[e.type];
    if (kind === undefined) continue;
    const m = (e as Ev).clientOrderId ?? '';
    const h = { n: a.nextCall++, kind, key: okey(a, m) };
    a.held.push(h);
    out.push(h);
  }
  return out;
};

const emittedOfActions = (actions: ReadonlyArray<{ readonly type: string; readonly params?: unknown }>): EventObject[] =>
  actions.filter((x) => x.type === 'xstate.emit').map((x) => (x.params as { event: EventObject }).event);

const newAbstract = (mode: PriceMode): Abstract => ({
  mode, cycle: 0, nextCall: 0, held: [], orders: {}, tradeIds: [], position: 0, protectionAtVenue: false,
});

// ── real execution ─────────────────────────────────────────────────────────────────────────────────────────────────

const instrumentTick = dec('0.1');

const entryPrice = (rig: ModelRig, mode: PriceMode): Decimal => {
  const book = rig.exchange.book(SYMBOL, 1);
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid === undefined || ask === undefined || ask.minus(bid).lt(instrumentTick.times(2))) throw new Error('the replayed book needs a spread of at least two ticks');
  switch (mode) {
    case 'rest':
      return bid.plus(instrumentTick); // inside the spread: the best bid, so a counterparty's sell fills only us
    case 'crossOnce':
      return ask; // post-only at the ask would take; the re-price one tick lower rests inside the spread
    case 'crossTwice':
      return ask.plus(instrumentTick);
    case 'offGrid':
      return bid.plus(instrumentTick.div(2)); // off the tick grid: the venue refuses it (price_invalid)
  }
};

/** What the per-step check sees. */
export interface CheckView {
  readonly rig: ModelRig;
  readonly oracle: ModelOracle;
  /** The real client order id of the cycle's first entry attempt. */
  readonly base: string;
  /** Whether the path has had the venue set TP/SL on the current position. */
  readonly protectionAtVenue: boolean;
}

/** A path to run: its events and the price mode of its entries. */
export interface RuntimePath {
  readonly kind: 'shortest' | 'cover' | 'simple';
  readonly mode: PriceMode;
  readonly events: ReadonlyArray<EventObject>;
}

/** Result of executing one path. */
export interface PathRun {
  readonly sources: ReadonlyArray<StepSource>;
}

/**
 * Runs a path's events on the rig: each venue event is produced by the simulator (a held request released, a
 * counterparty order, an external cancel or close), timers by the virtual clock, commands by the host. After every
 * step `check` compares the real actor and the venue with the oracle chart. Throws on any disagreement.
 */
export const executePath = async (path: RuntimePath, rig: ModelRig, check: (label: string, v: CheckView) => void): Promise<PathRun> => {
  const oracle = makeOracle();
  const a = newAbstract(path.mode);
  const bound = new Map<number, HeldCall>();
  const waiting: Array<{ n: number; kind: HeldKind }> = [];
  let seenCalls = 0;
  let base = '';
  const sources: StepSource[] = [];
  for (const [i, raw] of path.events.entries()) {
    const e = raw as Ev;
    const label = `step ${i + 1} ${e.type}${e.clientOrderId === undefined ? '' : `(${e.clientOrderId})`}`;
    const p = plan(a, e, oracle.lifecycle(), oracle.context().entryClientOrderId);
    sources.push(p.source);
    const before = rig.processed.length;
    const now = rig.clock.now();
    for (const act of p.acts) {
      switch (act.do) {
        case 'open': {
          base = newClientOrderId(rig);
          const quantity = UNIT.times(modelIntent.quantity);
          const approval = registerApproval(rig, quantity);
          rig.host.send({
            ...modelIntent, type: 'command.open', at: now, intentId: approval.decisionId, clientOrderId: base, quantity: quantity.toString(),
            price: entryPrice(rig, path.mode).toString(), tickSize: instrumentTick.toString(), timeInForce: 'post_only', repriceTicks: 1,
          });
          break;
        }
        case 'release': {
          const call = bound.get(act.n);
          if (call === undefined) throw new Error(`${label}: the runtime never sent the venue request the chart asked for`);
          call.release(act.how);
          break;
        }
        case 'counterpartyFill': {
          const order = rig.exchange.getOrder(ACCOUNT, SYMBOL, { clientOrderId: base + act.m.slice(2) });
          if (order?.price === undefined) throw new Error(`${label}: ${act.m} is not at the venue`);
          // A counterparty sells into our resting bid: the matching engine fills it and the account stream reports it.
          const r = rig.exchange.placeOrder({
            account: COUNTERPARTY, symbol: SYMBOL, side: 'sell', type: 'limit', quantity: UNIT.times(act.q), price: order.price, timeInForce: 'ioc', reduceOnly: false, closeOnTrigger: false,
          });
          if (!r.ok) throw new Error(`${label}: counterparty order refused: ${r.message}`);
          break;
        }
        case 'externalCancel': {
          // Cancelled at the venue by someone else (e.g. the exchange's web UI): the account stream reports it.
          const r = rig.exchange.cancelOrder(ACCOUNT, SYMBOL, { clientOrderId: base + act.m.slice(2) });
          if (!r.ok) throw new Error(`${label}: external cancel refused: ${r.message}`);
          break;
        }
        case 'externalClose': {
          // Closed at the venue without our exit order (e.g. the web UI): a reduce-only market order for the whole position.
          const r = rig.exchange.placeOrder({
            account: ACCOUNT, symbol: SYMBOL, side: 'sell', type: 'market', quantity: new Decimal(0), timeInForce: 'ioc', reduceOnly: true, closeOnTrigger: true,
          });
          if (!r.ok) throw new Error(`${label}: external close refused: ${r.message}`);
          // The router hands position updates to the actor on the next scheduler turn: let it run.
          rig.clock.advanceTo(rig.clock.now());
          break;
        }
        case 'advance': {
          const at = rig.host.snapshot().context[act.timer];
          if (at === null) throw new Error(`${label}: the actor holds no ${act.timer}`);
          rig.clock.advanceTo(at);
          break;
        }
        case 'pause':
          rig.runtime.setMarketPaused(SYMBOL, act.paused, act.reason);
          break;
        case 'hostSend':
          rig.host.send({ ...(e as unknown as TradeEvent), at: now });
          break;
      }
    }
    if (p.source !== 'host') await settle(() => rig.processed.slice(before).includes(e.type), `${label} to reach the actor (state ${rig.host.state()})`);
    await drain();
    // The oracle takes the model's own event; the requests it emits are matched, in order, to the runtime's real calls.
    const emitted: EventObject[] = [];
    const off = oracle.listen((x) => emitted.push(x));
    oracle.send(e);
    off();
    waiting.push(...holdEmitted(a, emitted));
    for (const call of rig.calls.slice(seenCalls)) {
      const slot = waiting.findIndex((w) => w.kind === call.kind);
      if (slot >= 0) bound.set(waiting.splice(slot, 1)[0]!.n, call);
    }
    seenCalls = rig.calls.length;
    check(label, { rig, oracle, base, protectionAtVenue: a.protectionAtVenue });
  }
  return { sources };
};

// ── path generation ─────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * The model events the simulator, the host's timers or its commands can produce. Dropped: empty fills, expiries,
 * reduce-only refusals (our exits never exceed the position) and query answers for orders the stream already closed.
 */
export const realizableEvents: ReadonlyArray<EventObject> = modelEvents.filter((raw) => {
  const e = raw as Ev;
  return !(
    e.type === 'venue.expired' ||
    (e.type === 'venue.filled' && e.quantity === '0') ||
    (e.type === 'venue.rejected' && e.category === 'reduce_only_violation') ||
    (e.type === 'venue.queryResult' && e.found === true && e.status !== 'new') ||
    // The replayed mark cannot be steered to the model's levels, and a stop above the real mark is refused: the stop
    // moves run against the simulator in tests/runtime/stopManagement.test.ts, on its real price path.
    e.type === 'market.mark'
  );
});

type TradeSnap = ReturnType<typeof initialTransition<typeof tradeMachine>>[0];

interface Node {
  readonly snap: TradeSnap;
  readonly a: Abstract;
  readonly events: ReadonlyArray<EventObject>;
}

const expand = (node: Node, e: EventObject): Node | undefined => {
  const a = structuredClone(node.a);
  try {
    plan(a, e, lifecycleState(node.snap), node.snap.context.entryClientOrderId);
  } catch (err) {
    if (err instanceof Infeasible) return undefined;
    throw err;
  }
  const [snap, actions] = transition(tradeMachine, node.snap, e as TradeEvent);
  holdEmitted(a, emittedOfActions(actions));
  return { snap, a, events: [...node.events, e] };
};

/**
 * Generates realizable paths from the trade chart by breadth-first search over the chart's own pure transitions
 * (`xstate` `transition`) paired with the abstract venue, for each price mode:
 * - `shortest`: the shortest realizable path to every graph state (`serializeForGraph` identity);
 * - `cover`: the shortest realizable path taking each chart transition not taken by a shortest path;
 * - `simple`: paths of exactly `simpleDepth` events that never revisit a graph state, every `simpleStride`-th in
 *   search order — the documented bound that keeps the run short.
 */
export const generateRuntimePaths = (opts: {
  readonly modes: ReadonlyArray<PriceMode>;
  readonly maxDepth: number;
  readonly simpleDepth: number;
  readonly simpleStride: number;
}): {
  readonly paths: ReadonlyArray<RuntimePath>;
  readonly searched: number;
} => {
  const serialize = serializeForGraph as (s: unknown) => string;
  const toStateKey = new Map<string, RuntimePath>();
  const byTransition = new Map<string, RuntimePath>();
  let searched = 0;
  const simple: RuntimePath[] = [];
  let simpleCounter = 0;
  for (const mode of opts.modes) {
    const [s0] = initialTransition(tradeMachine, modelInput);
    const seen = new Set<string>();
    let frontier: Node[] = [{ snap: s0, a: newAbstract(mode), events: [] }];
    for (let depth = 0; depth < opts.maxDepth && frontier.length > 0; depth++) {
      const next: Node[] = [];
      for (const node of frontier) {
        for (const e of realizableEvents) {
          const child = expand(node, e);
          if (child === undefined) continue;
          searched += 1;
          const path: RuntimePath = { kind: 'shortest', mode, events: child.events };
          const graphKey = serialize(child.snap);
          if (!toStateKey.has(graphKey)) toStateKey.set(graphKey, path);
          for (const t of tradeMachine.getTransitionData(node.snap as never, e as never).map(transitionKey)) {
            if (!byTransition.has(t)) byTransition.set(t, { ...path, kind: 'cover' });
          }
          const productKey = `${graphKey}|${JSON.stringify({ ...child.a, tradeIds: child.a.tradeIds.length, cycle: 0, nextCall: 0, held: child.a.held.map((h) => [h.kind, h.key.split(':')[1]]) })}`;
          if (seen.has(productKey)) continue;
          seen.add(productKey);
          next.push(child);
        }
      }
      frontier = next;
    }
    if (opts.simpleDepth === 0) continue;
    // Simple paths: depth-first, no graph state twice, exactly simpleDepth events.
    const walk = (node: Node, visited: Set<string>): void => {
      if (node.events.length === opts.simpleDepth) {
        if (simpleCounter++ % opts.simpleStride === 0) simple.push({ kind: 'simple', mode, events: node.events });
        return;
      }
      for (const e of realizableEvents) {
        const child = expand(node, e);
        if (child === undefined) continue;
        const k = serialize(child.snap);
        if (visited.has(k)) continue;
        visited.add(k);
        walk(child, visited);
        visited.delete(k);
      }
    };
    walk({ snap: s0, a: newAbstract(mode), events: [] }, new Set([serialize(s0)]));
  }
  const shortest = [...toStateKey.values()];
  const shortestKeys = new Set(shortest.map((p) => JSON.stringify(p.events)));
  const cover = [...byTransition.values()].filter((p) => !shortestKeys.has(JSON.stringify(p.events)));
  const unique = (ps: RuntimePath[]): RuntimePath[] => [...new Map(ps.map((p) => [JSON.stringify(p.events), p])).values()];
  return { paths: [...shortest, ...unique(cover), ...simple], searched };
};
export const RIG_ACCOUNT = ACCOUNT;

// ── per-step check and vitest registration ───────────────────────────────────────────────────────────────────────────

const countCalls = (v: CheckView): Record<HeldKind, number> => {
  const n: Record<HeldKind, number> = { place: 0, cancel: 0, query: 0, protect: 0 };
  for (const c of v.rig.calls) n[c.kind] += 1;
  return n;
};

/** Compares the real actor, the venue requests it made and the venue's truth with the oracle chart. */
export const checkStep = (label: string, v: CheckView): void => {
  const { rig, oracle } = v;
  const real = rig.host.snapshot();
  expect(real.value, `${label}: the real actor's state`).toEqual(oracle.value());
  expect(countCalls(v), `${label}: venue requests performed vs intents the chart emitted`).toEqual(oracle.requests);
  const life = oracle.lifecycle();
  const c = oracle.context();
  const position = rig.exchange.positions(RIG_ACCOUNT, SYMBOL)[0];
  const entryFilled = dec(c.entry.filledQuantity).times(UNIT);
  const open = dec(c.entry.filledQuantity).minus(dec(c.exit.filledQuantity)).times(UNIT);
  const expectedSize = /^(idle|closed)/.test(life) ? dec(0) : /^(opened|closing|flattening)/.test(life) ? open : entryFilled;
  expect((position?.size ?? dec(0)).toString(), `${label}: venue position size in ${life}`).toBe(expectedSize.toString());
  if (c.intent !== null) {
    const filledAtVenue = [v.base, `${v.base}-r1`]
      .map((id) => rig.exchange.getOrder(RIG_ACCOUNT, SYMBOL, { clientOrderId: id })?.filledQuantity ?? dec(0))
      .reduce((x, y) => x.plus(y), dec(0));
    expect(filledAtVenue.toString(), `${label}: entry quantity filled at the venue`).toBe(entryFilled.toString());
  }
  if (life === 'working') {
    const id = v.base + (c.entryClientOrderId ?? 'c1').slice(2);
    expect(rig.exchange.getOrder(RIG_ACCOUNT, SYMBOL, { clientOrderId: id })?.status, `${label}: entry order at the venue`).toMatch(/^(new|partially_filled)$/);
  }
  if (life === 'opened.protected') {
    const rc = real.context;
    const intent = rc.intent!;
    const want = protectionPrices(intent.side, rc.openingPrice!, intent.takeProfitFraction, intent.stopLossFraction, intent.tickSize);
    expect(position?.takeProfit?.toString(), `${label}: TP at the venue`).toBe(want.takeProfit);
    expect(position?.stopLoss?.toString(), `${label}: SL at the venue`).toBe(want.stopLoss);
  } else if (!v.protectionAtVenue) {
    expect([position?.takeProfit, position?.stopLoss], `${label}: no TP/SL at the venue before the chart confirmed them`).toEqual([undefined, undefined]);
  }
};

const describePath = (p: RuntimePath): string =>
  `[${p.mode}] ` +
  p.events.map((e) => `${e.type.replace(/^venue\./, '')}${'clientOrderId' in e ? `(${String(e.clientOrderId)}${'quantity' in e ? `:${String(e.quantity)}` : ''})` : ''}`).join(' > ');

/** Registers one vitest case per path (a fresh rig each) and a final case that prints what the real actor covered. */
export const runPaths = (title: string, paths: ReadonlyArray<RuntimePath>): void => {
  const states = new Set<string>();
  const transitions = new Set<string>();
  const sources: StepSource[] = [];
  const started = performance.now();
  let ran = 0;
  for (const [i, p] of paths.entries()) {
    it(`${p.kind} #${i} ${describePath(p)}`, async () => {
      const rig = await makeModelRig();
      try {
        const run = await executePath(p, rig, checkStep);
        sources.push(...run.sources);
        ran += 1;
      } finally {
        for (const s of rig.coverage.states) states.add(s);
        for (const t of rig.coverage.transitions) transitions.add(t);
        rig.journal.close();
      }
    });
  }
  it(`${title}: reports the chart states and transitions the real actor covered`, () => {
    const allStates = allStateIds(tradeMachine);
    const allTransitions = allTransitionKeys(tradeMachine);
    const n = (s: StepSource): number => sources.filter((x) => x === s).length;
    process.stdout.write(
      `${title}: ${ran}/${paths.length} paths passed in ${(performance.now() - started).toFixed(0)} ms; steps: venue-produced ${n('venue')}, ` +
        `host-delivered ${n('host')}, clock ${n('clock')}\n` +
        `  real actor states ${allStates.filter((s) => states.has(s)).length}/${allStates.length}; missing: ${allStates.filter((s) => !states.has(s)).join(', ') || '-'}\n` +
        `  real actor transitions ${allTransitions.filter((t) => transitions.has(t)).length}/${allTransitions.length}; missing:\n    ` +
        `${allTransitions.filter((t) => !transitions.has(t)).join('\n    ')}\n`,
    );
    expect(states.size).toBeGreaterThan(0);
  });
};
