/**
 * Model-based tests of the trade chart against the REAL runtime: paths generated from the chart with `xstate/graph`
 * are executed on TradingRuntime + ActorHost + ExecutionEngine over the in-process simulator, the venue events made
 * by the matching engine, and after every step the actor, its venue requests and the venue's truth must match the chart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { EventObject } from 'xstate';
import { dec } from '../../src/domain/money.ts';
import { protectionPrices } from '../../machines/trade/tradeLogic.ts';
import { tradeMachine } from '../../machines/trade/tradeMachine.ts';
import { modelEvents, modelInput, serializeForGraph } from '../../machines/trade/model.ts';
import { coverPaths } from '../machines/support.ts';
import { executePath, makeModelRig, RIG_ACCOUNT, SYMBOL, UNIT, type CheckView, type HeldKind, type PathRun } from './runtimeSupport.ts';

// The realizable vocabulary: model events the simulator (or the host's own timers and commands) can produce. Dropped
// up front: empty fills, expiries, reduce-only refusals and query answers for orders the stream already closed.
const unrealizable = (e: EventObject & { quantity?: string; category?: string; status?: string; found?: boolean }): boolean =>
  e.type === 'venue.expired' ||
  (e.type === 'venue.filled' && e.quantity === '0') ||
  (e.type === 'venue.rejected' && e.category === 'reduce_only_violation') ||
  (e.type === 'venue.queryResult' && e.found === true && e.status !== 'new');
const events = modelEvents.filter((e) => !unrealizable(e));

const generated = coverPaths(tradeMachine, { input: modelInput, events, serializeState: serializeForGraph as never });
const candidates = [
  ...generated.shortest.map((p) => ({ kind: 'shortest', ...p })),
  ...generated.cover.map((p) => ({ kind: 'cover', ...p })),
].filter((p) => p.events.length > 0);

// Paths whose steps the simulator cannot produce in that order (e.g. a fill of an order the venue refused) are
// counted and reported, not run.
const dryRuns = await Promise.all(candidates.map(async (p) => ({ path: p, run: await executePath(p.events, undefined, () => undefined) })));
const feasible = dryRuns.filter((d) => d.run.feasible).map((d) => d.path);
const infeasibleReasons = new Map<string, number>();
for (const d of dryRuns) if (!d.run.feasible) infeasibleReasons.set(d.run.reason ?? '?', (infeasibleReasons.get(d.run.reason ?? '?') ?? 0) + 1);

const describePath = (events: ReadonlyArray<EventObject>): string =>
  events.map((e) => `${e.type}${'clientOrderId' in e ? `(${String(e.clientOrderId)}${'quantity' in e ? `:${String(e.quantity)}` : ''})` : ''}`).join(' → ');

const countCalls = (v: CheckView): Record<HeldKind, number> => {
  const n: Record<HeldKind, number> = { place: 0, cancel: 0, query: 0, protect: 0 };
  for (const c of v.rig.calls) n[c.kind] += 1;
  return n;
};

/** The per-step agreement between the real actor, the venue and the chart. */
const check = (label: string, v: CheckView): void => {
  const { rig, oracle } = v;
  const real = rig.host.snapshot();
  expect(real.value, `${label}: the real actor's state`).toEqual(oracle.value());
  expect(countCalls(v), `${label}: venue requests performed vs intents the chart emitted`).toEqual(oracle.requests);
  const life = oracle.lifecycle();
  const c = oracle.context();
  const position = rig.exchange.positions(RIG_ACCOUNT, SYMBOL)[0];
  const size = position?.size ?? dec(0);
  const entryFilled = dec(c.entry.filledQuantity).times(UNIT);
  const open = dec(c.entry.filledQuantity).minus(dec(c.exit.filledQuantity)).times(UNIT);
  const expectedSize = /^(idle|closed)/.test(life) ? dec(0) : /^(opened|closing|flattening)/.test(life) ? open : entryFilled;
  expect(size.toString(), `${label}: venue position size in ${life}`).toBe(expectedSize.toString());
  if (c.intent !== null) {
    const filledAtVenue = [v.base, `${v.base}-r1`]
      .map((id) => rig.exchange.getOrder(RIG_ACCOUNT, SYMBOL, { clientOrderId: id })?.filledQuantity ?? dec(0))
      .reduce((a, b) => a.plus(b), dec(0));
    expect(filledAtVenue.toString(), `${label}: entry quantity filled at the venue`).toBe(entryFilled.toString());
  }
  if (life === 'working') {
    const id = v.base + (c.entryClientOrderId ?? 'c1').slice(2);
    expect(rig.exchange.getOrder(RIG_ACCOUNT, SYMBOL, { clientOrderId: id })?.status, `${label}: entry order at the venue`).toMatch(/^(new|partially_filled)$/);
  }
  const rc = real.context;
  if (life === 'opened.protected') {
    const intent = rc.intent!;
    const want = protectionPrices(intent.side, rc.openingPrice!, intent.takeProfitFraction, intent.stopLossFraction, intent.tickSize);
    expect(position?.takeProfit?.toString(), `${label}: TP at the venue`).toBe(want.takeProfit);
    expect(position?.stopLoss?.toString(), `${label}: SL at the venue`).toBe(want.stopLoss);
  } else if (!v.protectionAtVenue) {
    expect([position?.takeProfit, position?.stopLoss], `${label}: no TP/SL at the venue before the chart confirmed them`).toEqual([undefined, undefined]);
  }
};

const runs: PathRun[] = [];
const started = performance.now();

describe('X-TST-4 X-RT-3 trade chart paths executed on the real runtime and simulator', () => {
  it('generates realizable paths from the chart', () => {
    expect(feasible.length).toBeGreaterThan(20);
  });

  it.each(feasible.map((p, i) => ({ i, name: `${p.kind} #${i}: ${describePath(p.events)}`, events: p.events })))('$name', async ({ events: pathEvents }) => {
    const rig = await makeModelRig();
    try {
      const run = await executePath(pathEvents, rig, check);
      expect(run.feasible).toBe(true);
      runs.push(run);
    } finally {
      rig.journal.close();
    }
  });

  afterAll(() => {
    const states = new Set(runs.flatMap((r) => r.states));
    const transitions = new Set(runs.flatMap((r) => r.transitions));
    const sources = runs.flatMap((r) => r.sources);
    const bySource = (s: string) => sources.filter((x) => x === s).length;
    process.stdout.write(
      `runtime model run: ${candidates.length} generated (${generated.shortest.length} shortest + ${generated.cover.length} cover), ${feasible.length} realizable, ${runs.length} run in ` +
        `${(performance.now() - started).toFixed(0)} ms; steps venue=${bySource('venue')} host=${bySource('host')} clock=${bySource('clock')}\n` +
        `lifecycle states reached (${states.size}): ${[...states].sort().join(', ')}\n` +
        `lifecycle transitions taken (${transitions.size}):\n  ${[...transitions].sort().join('\n  ')}\n` +
        `not realizable: ${[...infeasibleReasons].map(([r, n]) => `${n}× ${r}`).join('; ')}\n`,
    );
  });
});
