/**
 * X-RT-3 invariants of the trade chart over paths generated with `xstate/graph` (shortest paths plus a
 * transition-cover set), ACK-gated notifications (X-ORD-2), and persisted-snapshot round-trips with order children.
 */
import { describe, expect, it } from 'vitest';
import { createActor, transition, type EventObject, type InspectionEvent } from 'xstate';
import { dec } from '../../src/domain/money.ts';
import { modelEvents, modelInput, serializeForGraph, serializeValueForGraph } from '../../machines/trade/model.ts';
import { TRADE_MACHINE_VERSION, lifecycleState, pendingTradeTimers, tradeMachine, type TradeSnapshot } from '../../machines/trade/tradeMachine.ts';
import type { TradeEmitted, TradeEvent } from '../../machines/trade/tradeTypes.ts';
import { allStateIds, coverPaths, emittedOf, looseModel, restoreActor, simplePaths } from './support.ts';
import { CLOSED, CLOSING, QUERYING, SUBMITTING, WORKING, f1, fill, open } from './tradeFixtures.ts';

interface Step {
  readonly event: TradeEvent;
  readonly before: TradeSnapshot;
  readonly after: TradeSnapshot;
  readonly emitted: TradeEmitted[];
  /** Lifecycle states the actor passed through during the step (eventless hops included). */
  readonly visited: string[];
}

// Runs the events on a live actor and records, per event, the snapshots around it, its intents and the microsteps.
const runPath = (events: ReadonlyArray<EventObject>): Step[] => {
  let visited: string[] = [];
  const actor = createActor(tradeMachine, {
    input: modelInput,
    inspect: (e: InspectionEvent) => {
      if (e.type === '@xstate.microstep' && e.actorRef === actor) visited.push(lifecycleState(e.snapshot as TradeSnapshot));
    },
  });
  let emitted: TradeEmitted[] = [];
  actor.on('*', (e) => emitted.push(e));
  actor.start();
  const steps: Step[] = [];
  for (const event of events as ReadonlyArray<TradeEvent>) {
    const before = actor.getSnapshot();
    emitted = [];
    visited = [];
    actor.send(event);
    steps.push({ event, before, after: actor.getSnapshot(), emitted, visited });
  }
  actor.stop();
  return steps;
};

const generated = coverPaths(tradeMachine, { input: modelInput, events: modelEvents, serializeState: serializeForGraph });
const simple = simplePaths(tradeMachine, { input: modelInput, events: modelEvents, serializeState: serializeValueForGraph });
const paths = [...generated.shortest, ...generated.cover, ...simple];
const runs = paths.map((p) => runPath(p.events));
const isPositionState = (s: string): boolean => /^(opened|closing|flattening|closed)/.test(s);

describe('trade chart invariants over generated paths (X-RT-3)', () => {
  it('generates a non-trivial path set', () => {
    expect(generated.shortest.length).toBeGreaterThan(50);
    expect(generated.cover.length).toBeGreaterThan(50);
    expect(simple.length).toBeGreaterThan(500);
  });

  it('X-RT-3 X-ORD-3 no path reaches OPENED without a venue fill with qty > 0 in the cycle', () => {
    let checked = 0;
    for (const steps of runs) {
      let fillsThisCycle = 0;
      for (const step of steps) {
        if (lifecycleState(step.before) === 'idle' && step.event.type === 'command.open') fillsThisCycle = 0;
        if (step.event.type === 'venue.filled' && dec(step.event.quantity).gt(0)) fillsThisCycle += 1;
        const entered = lifecycleState(step.after).startsWith('opened') && !isPositionState(lifecycleState(step.before));
        if (!entered) continue;
        checked += 1;
        expect(fillsThisCycle).toBeGreaterThan(0);
        expect(step.after.context.openingPrice).not.toBeNull();
        expect(dec(step.after.context.entry.filledQuantity).gt(0)).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('X-RT-3 S0-11 S0-13 protection.set is emitted only on a real fill: passing through OPENED, on the first fill of a partly filled entry, or as a stop move of an open position', () => {
    let checked = 0;
    let partial = 0;
    let moves = 0;
    for (const step of runs.flat()) {
      if (!step.emitted.some((e) => e.type === 'protection.set')) continue;
      checked += 1;
      expect(step.after.context.openingPrice).not.toBeNull();
      expect(dec(step.after.context.entry.filledQuantity).gt(0)).toBe(true);
      if (step.event.type === 'market.mark') {
        // A stop move: only from a protected position, never through OPENED's own protection, with the TP unchanged.
        moves += 1;
        expect(new Set(step.visited)).toEqual(new Set(['opened.movingStop']));
        expect(step.after.context.stop.pending).not.toBeNull();
        continue;
      }
      if (!step.visited.some((s) => s === 'opened.protecting')) {
        // The partial-fill protection: only on the entry's first fill, whose quantity is all that is filled.
        partial += 1;
        expect(step.event.type).toBe('venue.filled');
        expect(step.after.context.entry.filledQuantity).toBe((step.event as { quantity: string }).quantity);
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(partial).toBeGreaterThan(0);
    expect(moves).toBeGreaterThan(0);
  });

  it('X-RSK-1 X-WS-2 no entry order leaves while halted or paused; exits stay possible', () => {
    let entries = 0;
    for (const step of runs.flat()) {
      for (const e of step.emitted) {
        if (e.type !== 'order.submit') continue;
        if (e.reduceOnly) {
          expect(['exit', 'flatten']).toContain(e.role);
          continue;
        }
        entries += 1;
        expect(step.before.value).toMatchObject({ control: 'running', entries: 'allowed' });
      }
    }
    expect(entries).toBeGreaterThan(10);
  });

  it('X-ORD-2 success notifications follow venue confirmations only', () => {
    const success = new Set(['entryAccepted', 'positionOpened', 'protected', 'positionClosed']);
    let checked = 0;
    for (const step of runs.flat()) {
      for (const e of step.emitted) {
        if (e.type !== 'notify' || !success.has(e.kind)) continue;
        checked += 1;
        // Venue evidence: a venue event, or what recovery read from the venue (another position than the actor's).
        expect(step.event.type.startsWith('venue.') || step.event.type.startsWith('recovery.')).toBe(true);
      }
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('keeps the first fill price (OEP) for the whole cycle', () => {
    for (const steps of runs) {
      for (const step of steps) {
        const was = step.before.context.openingPrice;
        if (was !== null && lifecycleState(step.after) !== 'idle') expect(step.after.context.openingPrice).toBe(was);
      }
    }
  });

  const adjacency = looseModel(tradeMachine, { events: modelEvents, serializeState: serializeForGraph, input: modelInput }).getAdjacencyMap();
  const reachable = Object.values(adjacency).map((a) => a.state as TradeSnapshot);

  it('X-RT-3 every reachable state handles KILL (halts, never sends an entry) and GAP (pauses entries)', () => {
    for (const s of reachable) {
      const [killed, actions] = transition(tradeMachine, s, { type: 'operator.kill', reason: 'test', at: 9 });
      expect(killed.value).toMatchObject({ control: 'halted' });
      const entrySubmits = emittedOf(actions).filter((e) => e.type === 'order.submit' && (e as { reduceOnly?: boolean }).reduceOnly !== true);
      expect(entrySubmits).toEqual([]);
      const [gapped] = transition(tradeMachine, s, { type: 'stream.paused', reason: 'gap', at: 9 });
      expect(gapped.value).toMatchObject({ entries: 'paused' });
      expect(lifecycleState(gapped)).toBe(lifecycleState(s));
    }
    expect(reachable.length).toBeGreaterThan(100);
  });

  it('X-RT-3 idle or closed is reachable from every reachable state (no dead ends)', () => {
    const keys = Object.keys(adjacency);
    const good = new Set(keys.filter((k) => /^(idle|closed)/.test(lifecycleState(adjacency[k]!.state as TradeSnapshot))));
    let grew = true;
    while (grew) {
      grew = false;
      for (const k of keys) {
        if (good.has(k)) continue;
        const next = Object.values(adjacency[k]!.transitions).map((t) => serializeForGraph(t.state as TradeSnapshot));
        if (next.some((n) => good.has(n))) {
          good.add(k);
          grew = true;
        }
      }
    }
    expect(keys.filter((k) => !good.has(k))).toEqual([]);
  });
});

describe('trade chart persistence', () => {
  it('round-trips through JSON with its order ledger, which keeps settling orders after the restore', () => {
    const actor = createActor(tradeMachine, { input: modelInput }).start();
    for (const e of [...WORKING, f1]) actor.send(e);
    const json = JSON.stringify(actor.getPersistedSnapshot());
    const restored = restoreActor(tradeMachine, json);
    const emitted: string[] = [];
    restored.on('*', (e) => emitted.push(e.type));
    restored.start();
    expect(restored.getSnapshot().context).toMatchObject({ orderFilled: { c1: '1' }, settledOrderIds: [] });
    restored.send(fill('c1', 't2', '1'));
    expect(lifecycleState(restored.getSnapshot())).toBe('opened.protecting');
    expect(restored.getSnapshot().context.settledOrderIds).toEqual(['c1']);
    expect(emitted).toEqual(['notify', 'protection.set']);
    expect(TRADE_MACHINE_VERSION).toMatch(/^trade@\d+$/);
  });

  it('a restore mid-path continues exactly like an uninterrupted run', () => {
    for (const path of [...generated.shortest, ...generated.cover].filter((p) => p.events.length >= 4)) {
      const whole = createActor(tradeMachine, { input: modelInput }).start();
      for (const e of path.events) whole.send(e as TradeEvent);
      const half = Math.floor(path.events.length / 2);
      const first = createActor(tradeMachine, { input: modelInput }).start();
      for (const e of path.events.slice(0, half)) first.send(e as TradeEvent);
      const resumed = restoreActor(tradeMachine, JSON.stringify(first.getPersistedSnapshot())).start();
      for (const e of path.events.slice(half)) resumed.send(e as TradeEvent);
      expect(resumed.getSnapshot().value).toEqual(whole.getSnapshot().value);
      expect(resumed.getSnapshot().context).toEqual(whole.getSnapshot().context);
    }
  });

  it('lists the deadlines a host must re-arm after a restore', () => {
    const at = (events: ReadonlyArray<TradeEvent>) => {
      const a = createActor(tradeMachine, { input: modelInput }).start();
      for (const e of events) a.send(e);
      return restoreActor(tradeMachine, JSON.stringify(a.getPersistedSnapshot())).getSnapshot();
    };
    expect(pendingTradeTimers(at(SUBMITTING))).toEqual([{ name: 'ackTimeout', at: open.at + 1000 }]);
    expect(pendingTradeTimers(at(QUERYING))).toEqual([{ name: 'queryRetry', at: 1001 + modelInput.queryRetryMs }]);
    expect(pendingTradeTimers(at(CLOSED))).toEqual([{ name: 'cooldown', at: 3 + modelInput.cooldownMs }]);
    expect(pendingTradeTimers(at(WORKING))).toEqual([]);
    // An exit whose outcome is unknown is queried on the same timer (X-REC-6).
    expect(pendingTradeTimers(at([...CLOSING, { type: 'venue.unknown', clientOrderId: 'c1-x1', reason: 'timeout', at: 7 }]))).toEqual([{ name: 'queryRetry', at: 7 + modelInput.queryRetryMs }]);
  });

  it('gives every state a description', () => {
    const nodes = allStateIds(tradeMachine).map((id) => tradeMachine.getStateNodeById(id));
    expect(nodes.filter((n) => !n.description).map((n) => n.id)).toEqual([]);
  });
});
