/**
 * Test support for the chart suites: reads emitted intents out of pure `transition()` results, enumerates every
 * state and transition of a chart from its definition, and replays event paths on real actors to measure coverage.
 */
import { createActor, type AnyActorLogic, type AnyStateMachine, type AnyStateNode, type AnyTransitionDefinition, type EventObject, type InspectionEvent } from 'xstate';

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
  if (t.eventType === '') return `${source.id}|always|${source.always?.indexOf(t) ?? -1}`;
  return `${source.id}|${t.eventType}|${source.transitions.get(t.eventType)?.indexOf(t) ?? -1}`;
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
 * took into `coverage`. Throws when the actor errors. Returns the final snapshot.
 */
export const replay = <M extends AnyStateMachine>(
  machine: M,
  input: unknown,
  events: ReadonlyArray<EventObject>,
  coverage: Coverage,
): ReturnType<ReturnType<typeof createActor<M>>['getSnapshot']> => {
  const record = (value: unknown): void => {
    for (const id of collectActive(machine, value)) coverage.states.add(id);
  };
  const actor = createActor(machine as AnyActorLogic, {
    input,
    inspect: (e: InspectionEvent) => {
      if (e.type === '@xstate.microstep' && e.actorRef === actorRef()) for (const t of e._transitions) coverage.transitions.add(transitionKey(t));
    },
  } as never);
  const actorRef = () => actor;
  let failure: unknown;
  actor.subscribe({ error: (err) => (failure = err) });
  actor.start();
  record(actor.getSnapshot().value);
  for (const event of events) {
    actor.send(event);
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
    record(actor.getSnapshot().value);
  }
  const snapshot = actor.getSnapshot() as never;
  actor.stop();
  return snapshot;
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
