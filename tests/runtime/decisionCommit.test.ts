/**
 * Issue 17 item 1: one durable commit per decision. A strategy's entry goes through the real DecisionLoop,
 * RiskEngine, VenueRuntime, trade actor and ExecutionEngine over the in-process simulator with a real journal on disk:
 * between the decision cycle and the venue's placeOrder call the journal commits exactly once, and at the moment of
 * that call the decision, the client order id, the actor's step and ORDER_REQUESTED are all committed (read through
 * a second, read-only connection, which sees committed entries only).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Strategy } from '../../src/strategies/Strategy.ts';
import { makeHarness, startedLoop } from './harness.ts';
import { onceStrategy } from '../support/onceStrategy.ts';

const buyOnce = onceStrategy({ side: 'buy', ttlMs: 10_000 });

describe('one durable commit per decision (issue 17)', () => {
  it('I17 X-ORD-2 X-LOG-7 an entry decision commits once, and its decision, order id, actor step and request are durable before placeOrder is called', async () => {
    let commits = 0;
    const calls: Array<{ readonly commitsBefore: number; readonly committed: ReadonlyArray<string> }> = [];
    let reader: Database.Database | undefined;
    let path = '';
    const committedTypes = (): string[] => {
      reader ??= new Database(path, { readonly: true });
      return reader.prepare<[], { type: string }>('SELECT type FROM events ORDER BY seq').all().map((r) => r.type);
    };
    let cycleStart = 0;
    const hx = makeHarness({
      strategies: [buyOnce as Strategy<unknown>],
      journalTelemetry: { observe: (metric) => void (metric === 'journal_append' && (commits += 1)), count: () => undefined },
      venue: (v) => ({ ...v, placeOrder: (r) => {
        calls.push({ commitsBefore: commits - cycleStart, committed: committedTypes() });
        return v.placeOrder(r);
      } }),
    });
    path = hx.journal.path;
    try {
      const loop = await startedLoop(hx, [buyOnce as Strategy<unknown>]);
      const seqBefore = hx.journal.lastSeq();
      cycleStart = commits;
      loop.runCycle();
      await hx.runtime.idle();
      expect(calls.length, 'the decision sent one order').toBe(1);
      expect(calls[0]!.commitsBefore).toBe(1);
      const mine = [...hx.journal.readEvents({ fromSeq: seqBefore + 1 })].map((e) => e.type);
      const decisionEntries = mine.slice(0, mine.indexOf('ORDER_REQUESTED') + 1);
      expect(decisionEntries).toEqual(['RISK_DECISION', 'COUNTER_ADVANCED', 'ACTOR_EVENT', 'ORDER_REQUESTED']);
      expect(calls[0]!.committed.slice(-4)).toEqual(decisionEntries);
    } finally {
      reader?.close();
      await hx.runtime.stop('test');
      hx.journal.close();
    }
  });
});
