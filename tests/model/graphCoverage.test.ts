/**
 * Pure graph coverage of the three charts: paths generated with `xstate/graph` (shortest and simple paths, plus
 * transition-cover paths, over each machine's bounded model) are replayed on real actors, and their union must enter every state and
 * take every transition counted from the machine definitions. Prints the figures.
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateMachine, EventObject } from 'xstate';
import { connectionMachine } from '../../machines/connection/connectionMachine.ts';
import * as connectionModel from '../../machines/connection/model.ts';
import { tradeMachine } from '../../machines/trade/tradeMachine.ts';
import * as tradeModel from '../../machines/trade/model.ts';
import { allStateIds, allTransitionKeys, coverPaths, newCoverage, replay, simplePaths } from '../machines/support.ts';

interface Subject {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly inputs: ReadonlyArray<unknown>;
  readonly events: ReadonlyArray<EventObject>;
  readonly serializeState: (s: never) => string;
  readonly serializeValue: (s: never) => string;
  /** Further models of the same chart (shortest and cover paths only), whose coverage adds to the subject's. */
  readonly extra?: ReadonlyArray<{ readonly input: unknown; readonly events: ReadonlyArray<EventObject> }>;
}

const subjects: Subject[] = [
  {
    name: 'connection',
    machine: connectionMachine,
    inputs: [connectionModel.modelInput, connectionModel.modelPrivateInput],
    events: connectionModel.modelEvents,
    serializeState: connectionModel.serializeForGraph,
    serializeValue: connectionModel.serializeValueForGraph,
  },
  {
    name: 'trade', machine: tradeMachine, inputs: [tradeModel.modelInput], events: tradeModel.modelEvents, serializeState: tradeModel.serializeForGraph, serializeValue: tradeModel.serializeValueForGraph,
    // S0-16: the split entry and exit parts (an intent above the venue's maximum order quantity).
    // S0-9: the pyramid ladder's marks, leverage answers and add-on outcomes. S0-12: the hedge leg's orders, TP/SL and close.
    extra: [{ input: tradeModel.modelInput, events: tradeModel.modelSplitEvents }, { input: tradeModel.modelInput, events: tradeModel.modelLadderEvents }, { input: tradeModel.modelInput, events: tradeModel.modelHedgeEvents }],
  },
];

describe('graph coverage of the charts', () => {
  it.each(subjects)('X-RT-3 paths generated for the $name chart cover 100 % of its states and transitions', (subject) => {
    const started = performance.now();
    const coverage = newCoverage();
    const simpleOnly = newCoverage();
    let shortest = 0;
    let simple = 0;
    let cover = 0;
    let steps = 0;
    for (const input of subject.inputs) {
      const paths = coverPaths(subject.machine, { input, events: subject.events, serializeState: subject.serializeState });
      const simples = simplePaths(subject.machine, { input, events: subject.events, serializeState: subject.serializeValue });
      shortest += paths.shortest.length;
      simple += simples.length;
      cover += paths.cover.length;
      for (const path of [...paths.shortest, ...simples, ...paths.cover]) {
        replay(subject.machine, input, path.events, coverage);
        steps += path.events.length;
      }
      for (const path of simples) replay(subject.machine, input, path.events, simpleOnly);
    }
    for (const model of subject.extra ?? []) {
      const paths = coverPaths(subject.machine, { input: model.input, events: model.events, serializeState: subject.serializeState });
      shortest += paths.shortest.length;
      cover += paths.cover.length;
      for (const path of [...paths.shortest, ...paths.cover]) {
        replay(subject.machine, model.input, path.events, coverage);
        steps += path.events.length;
      }
    }
    const states = allStateIds(subject.machine);
    const transitions = allTransitionKeys(subject.machine);
    const statesHit = states.filter((s) => coverage.states.has(s));
    const transitionsHit = transitions.filter((t) => coverage.transitions.has(t));
    process.stdout.write(
      `${subject.name}: ${shortest} shortest + ${simple} simple + ${cover} cover paths (${steps} events); ` +
        `states ${statesHit.length}/${states.length}, transitions ${transitionsHit.length}/${transitions.length} ` +
        `(simple paths alone: ${simpleOnly.transitions.size}); ${(performance.now() - started).toFixed(0)} ms\n`,
    );
    expect(states.filter((s) => !coverage.states.has(s))).toEqual([]);
    expect(transitions.filter((t) => !coverage.transitions.has(t))).toEqual([]);
    // Nothing outside the definition was counted: the replay and the definition agree on what a transition is.
    expect([...coverage.transitions].filter((t) => !transitions.includes(t))).toEqual([]);
    // Generating and replaying every path of the trade chart is a minute of CPU on a quiet 2-core machine and over
    // three when the rest of the suite shares it (measured 200 s); the limit is a hang guard, not a speed goal.
  }, 420_000);
});
