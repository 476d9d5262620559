/**
 * Test support for the chart suites: reads emitted intents out of pure `transition()` results, enumerates every
 * state and transition of a chart from its definition, and replays event paths on real actors to measure coverage.
 */
import { createTestModel } from 'xstate/graph';
import { createActor, initialTransition, transition, type AnyActorLogic, type AnyStateMachine, type AnyStateNode, type AnyTransitionDefinition, type EventObject, type InspectionEvent } from 'xstate';

/** Returns the events a pure transition emitted (`xstate.emit` actions), in order. */
export const emittedOf = (actions: ReadonlyArray<{ readonly type: string; readonly params?: unknown }>): EventObject[] =>
  actions.filter((a) => a.type === 'xstate.emit').map((a) => (a.params as { event: EventObject }).event);

/** Returns the `sendTo` targets of a pure transition, as `id ← event type`. */
export const sentOf = (actions: ReadonlyArray<{ readonly type: string; readonly params?: unknown }>): string[] =>
  actions
    .filter((a) => a.type === 'xstate.sendTo')
    .map((a) => {
      const p = a.params as { to: string | { id: string }; event: EventObject };
      return `${typeof p.to === 'string' ? p.to : p.to.id} <- ${p.event.type}`;
    });

const nodesOf = (node: AnyStateNode): AnyStateNode[] => [node, ...Object.values(node.states).flatMap((n) => nodesOf(n))];

/** Returns every state node id of the chart except the root. */
export const allStateIds = (machine: AnyStateMachine): string[] => nodesOf(machine.root).filter((n) => n !== machine.root).map((n) => n.id);

/** Returns the stable key of a transition definition: `<source id>|<event>|<index among that event's branches>`. */
export const transitionKey = (t: AnyTransitionDefinition): string => {
  const source = t.source;
  const eventType = t.eventType as string;
  if (eventType === '') return `${source.id}|always|${source.always?.indexOf(t) ?? -1}`;
  return `${source.id}|${eventType}|${source.transitions.get(eventType)?.indexOf(t) ?? -1}`;
};

/** Returns the keys of every transition (guarded branches and eventless ones separately) defined in the chart. */
export const allTransitionKeys = (machine: AnyStateMachine): string[] =>
  nodesOf(machine.root).flatMap((n) => [
    ...[...n.transitions.values()].flatMap((defs) => defs.map(transitionKey)),
    ...(n.always ?? []).map(transitionKey),
  ]);

/** What replaying event paths on real actors touched. */
export interface Coverage {
  readonly states: Set<string>;
  readonly transitions: Set<string>;
}

/** Returns an empty coverage record. */
export const newCoverage = (): Coverage => ({ states: new Set(), transitions: new Set() });

/**
 * Replays the events on a fresh actor of the machine, recording the state nodes it entered and the transitions it
 * took into `coverage`. Throws when the actor errors.
 */
export const replay = (machine: AnyStateMachine, input: unknown, events: ReadonlyArray<EventObject>, coverage: Coverage): void => {
  const actor = createActor(machine as AnyActorLogic, {
    input,
    inspect: (e: InspectionEvent) => {
      if (e.type !== '@xstate.microstep' || e.actorRef !== actor) return;
      // A transition's source was active in that microstep: a transient state (left at once by an eventless
      // transition, never in a settled snapshot) counts as visited when its transitions are taken.
      for (const t of e._transitions) {
        coverage.transitions.add(transitionKey(t));
        coverage.states.add(t.source.id);
      }
    },
  } as never);
  const record = (): void => {
    for (const id of collectActive(machine, (actor.getSnapshot() as { value: unknown }).value)) coverage.states.add(id);
  };
  let failure: Error | undefined;
  actor.subscribe({ error: (err) => (failure = err instanceof Error ? err : new Error(JSON.stringify(err))) });
  actor.start();
  record();
  for (const event of events) {
    actor.send(event);
    if (failure !== undefined) throw failure;
    record();
  }
  actor.stop();
};

// Returns the ids of every state node active in the state value (compound and parallel ancestors included).
const collectActive = (machine: AnyStateMachine, value: unknown): string[] => {
  const ids: string[] = [];
  const walk = (node: AnyStateNode, v: unknown): void => {
    if (typeof v === 'string') {
      const child = node.states[v];
      if (child !== undefined) ids.push(child.id);
      return;
    }
    if (v !== null && typeof v === 'object') {
      for (const [k, sub] of Object.entries(v as Record<string, unknown>)) {
        const child = node.states[k];
        if (child === undefined) continue;
        ids.push(child.id);
        walk(child, sub);
      }
    }
  };
  walk(machine.root, value);
  return ids;
};

/** A generated path: the events to send from the initial state, and what it was generated for. */
export interface GeneratedPath {
  readonly description: string;
  readonly events: ReadonlyArray<EventObject>;
}

/** The parts of a `TestModel` the suites use, with loose snapshot types (the graph types do not narrow per chart). */
export interface LooseModel {
  getShortestPaths(options: { allowDuplicatePaths: boolean }): Array<{ description: string; state: unknown; steps: Array<{ event: EventObject }> }>;
  getSimplePaths(): Array<{ description: string; state: unknown; steps: Array<{ event: EventObject }> }>;
  getAdjacencyMap(): Record<string, { state: unknown; transitions: Record<string, { event: EventObject; state: unknown }> }>;
}

/** Returns the `createTestModel` model of a chart with the given bounded options. */
export const looseModel = <M extends AnyStateMachine>(machine: M, options: CoverOptions): LooseModel =>
  createTestModel(machine, { events: [...options.events], serializeState: options.serializeState as never, input: options.input } as never) as unknown as LooseModel;

/** Options for `coverPaths`: the same bounded model options `createTestModel` takes. */
export interface CoverOptions {
  readonly input: unknown;
  readonly events: ReadonlyArray<EventObject>;
  /** Any chart's serializer; typed loosely because the graph API does not narrow snapshots per chart. */
  readonly serializeState: (s: never) => string;
}

/**
 * Returns `createTestModel`'s simple paths (no repeated state) under the given serializer. Use a coarse one (the
 * state value): simple paths grow factorially with the number of distinct states.
 */
export const simplePaths = (machine: AnyStateMachine, options: CoverOptions): GeneratedPath[] =>
  looseModel(machine, options)
    .getSimplePaths()
    .map((p) => ({ description: p.description, events: p.steps.map((s) => s.event).filter((e) => !e.type.startsWith('xstate.')) }));

/**
 * Returns the shortest path to every (serialized) state of the model, plus a transition-cover path for every
 * (state, event) edge whose enabled transitions were not yet taken by an earlier path: the shortest path to the
 * state followed by that event. Simple paths are not used: they grow factorially with cycles (> 120 s measured for
 * the 46-state connection graph), while this set reaches every transition with a few hundred short paths.
 */
export const coverPaths = <M extends AnyStateMachine>(machine: M, options: CoverOptions): { shortest: GeneratedPath[]; cover: GeneratedPath[] } => {
  const model = looseModel(machine, options);
  const toEvents = (steps: ReadonlyArray<{ event: EventObject }>): EventObject[] =>
    steps.map((s) => s.event).filter((e) => !e.type.startsWith('xstate.'));
  const shortestPaths = model.getShortestPaths({ allowDuplicatePaths: true });
  const byState = new Map<string, EventObject[]>();
  for (const p of shortestPaths) byState.set(options.serializeState(p.state as never), toEvents(p.steps));
  const seen = new Set<string>();
  const cover: GeneratedPath[] = [];
  const adjacency = model.getAdjacencyMap();
  for (const [key, entry] of Object.entries(adjacency)) {
    const prefix = byState.get(key);
    if (prefix === undefined) continue;
    for (const { event } of Object.values(entry.transitions)) {
      const keys = machine.getTransitionData(entry.state as never, event as never).map(transitionKey);
      if (keys.length === 0 || keys.every((k) => seen.has(k))) continue;
      for (const k of keys) seen.add(k);
      cover.push({ description: `${key} + ${JSON.stringify(event)}`, events: [...prefix, event] });
    }
  }
  return { shortest: shortestPaths.map((p) => ({ description: p.description, events: toEvents(p.steps) })), cover };
};

/** The result of one table row: the snapshot before the event, after it, the emitted intents and the transitions taken. */
export interface RowResult<M extends AnyStateMachine> {
  readonly before: ReturnType<M['getInitialSnapshot']>;
  readonly after: ReturnType<M['getInitialSnapshot']>;
  readonly emitted: EventObject[];
  readonly sent: string[];
  readonly keys: string[];
}

/** Runs `reach` then `event` through pure `initialTransition`/`transition` and reports what the last event did. */
export const runRow = <M extends AnyStateMachine>(machine: M, input: unknown, reach: ReadonlyArray<EventObject>, event: EventObject): RowResult<M> => {
  let [s] = initialTransition(machine, input as never);
  for (const e of reach) [s] = transition(machine, s, e as never);
  const [after, actions] = transition(machine, s, event as never);
  return { before: s as never, after: after as never, emitted: emittedOf(actions), sent: sentOf(actions), keys: takenKeys(machine, input, reach, event) };
};

/** Returns the keys of the transitions (eventless ones included) a live actor takes for `event` after `reach`. */
export const takenKeys = (machine: AnyStateMachine, input: unknown, reach: ReadonlyArray<EventObject>, event: EventObject): string[] => {
  const keys: string[] = [];
  let recording = false;
  const actor = createActor(machine as AnyActorLogic, {
    input,
    inspect: (e: InspectionEvent) => {
      if (recording && e.type === '@xstate.microstep' && e.actorRef === actor) for (const t of e._transitions) keys.push(transitionKey(t));
    },
  } as never);
  actor.start();
  for (const e of reach) actor.send(e);
  recording = true;
  actor.send(event);
  actor.stop();
  return keys;
};

/**
 * Returns an actor (not started) restored from a JSON-serialized persisted snapshot. The options are cast because
 * the typed options demand an input, which a restore ignores.
 */
export const restoreActor = <M extends AnyStateMachine>(machine: M, json: string) => createActor<M>(machine, { snapshot: JSON.parse(json) as unknown } as never);
