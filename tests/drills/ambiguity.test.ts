/**
 * Ambiguity drill (issue #5 item 8): a PAPER session over the real Bybit adapter against the in-process loopback
 * simulator, with the accept-then-timeout fault on 20 % of its mutating requests, must end with exactly one venue
 * order per intent: every unknown outcome settled by a query by client order id, never by a second order. It checks the
 * journal against the simulator's own ledger and must not stand anything in for the runtime, adapter or simulator.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { withAccount } from '../support/configs.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { clientOrderIdPrefix } from '../../src/journal/clientOrderIds.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { groupBy, splitClientOrderId, venueOrders } from './support/venueTruth.ts';

/** The adapter's whole-request timeout in this drill (wall ms). */
const REQUEST_TIMEOUT_MS = 1000;
// A faulted request is performed by the engine, then its socket is held three times longer than the adapter waits, so
// every injected fault surfaces as the adapter's own request timeout (an unknown outcome), not as a connection reset.
// The dice seed is committed: the fault hits draws 3, 5, 13, 14, 15, 20, 22, 24 of the first 40 mutating requests
// (8/40, the 20 % rate). Draws 1-2 are the two set-leverage calls at startup, so the first order request is always one
// of the faulted ones and the drill cannot pass without the fault having fired on an order.
const FAULTS = `timeout-after-accept:0.2@${3 * REQUEST_TIMEOUT_MS}ms,seed:34`;
const SPEED = 800;
/** One-minute bars replayed (the session ends when they are exhausted). */
const BARS = 300;
/**
 * Fewest intents a session must produce for the drill to mean something. Measured 10 to 13 per session (also under
 * the load of the runtime suite running alongside), with the loopback runner judging clock skew in wall milliseconds;
 * with offsets judged in venue milliseconds most entries were vetoed and sessions fell to 2.
 */
const MIN_INTENTS = 5;

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;
const config = {
  ...withAccount(base, { requestTimeoutMs: REQUEST_TIMEOUT_MS }),
  sim: { ...base.sim, clock: 'accelerated' as const, speed: SPEED, faults: FAULTS },
  // At ×800 one wall millisecond is 0.8 s of venue time and CI runs other files on the same two cores: the age limits
  // are widened so scheduling jitter does not veto entries. Exits are tightened so trades open and close often.
  risk: { ...base.risk, staleness: { ...base.risk.staleness, quoteMaxAgeMs: 60_000, barMaxAgeMs: 300_000, accountMaxAgeMs: 300_000 } },
  strategies: { ...base.strategies, breakout: { ...base.strategies.breakout, stopLossFraction: 0.0015, takeProfitFraction: 0.0015 } },
  // The simulator's per-request lines (each injected fault with its path) reach the run log at debug level.
  logging: { ...base.logging, level: 'debug' as const },
};

interface LogLine {
  readonly sim?: { readonly path?: unknown; readonly fault?: unknown };
}

interface OrderRequested {
  readonly clientOrderId: string;
  readonly intentId: string;
}

describe('ambiguity drill: accept-then-timeout on 20 % of order requests', () => {
  it('X-REC-6 X-ORD-1 ends a PAPER session with exactly one venue order per intent, every unknown outcome settled by query', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-ambiguity-'));
    // The in-process simulator's engine, handed out by the runner's connection hook: its ledger is the venue's truth.
    let exchange: SimExchange | undefined;
    const result = await runSession({
      wire: true,
      config, configHash: hash, dataDir: dir, version: 'test', commit: null, progress: () => undefined, barLimit: BARS, maxWallMs: 50_000,
      onConnections: (c) => (exchange = c.exchanges.get('bybit')),
    });
    expect(result.summary['stoppedBy']).toBe('end_of_data');
    expect(exchange).toBeDefined();
    const orders = venueOrders(exchange!, 'main');

    // The fault was injected, and on order creation in particular: the simulator's own line for each faulted request.
    const simLines = readFileSync(join(result.runDir, 'tradewarden.log.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"sim"'))
      .map((l) => (JSON.parse(l) as LogLine).sim);
    const faulted = simLines.filter((s) => s?.fault === 'timeout-after-accept');
    const simCounters = result.summary['simCounters'] as { readonly timeoutsAfterAccept: number };
    expect(simCounters.timeoutsAfterAccept).toBe(faulted.length);
    expect(faulted.filter((s) => s?.path === '/v5/order/create').length).toBeGreaterThanOrEqual(1);

    const journal = openJournal({ path: result.journals['main']!, clock: wallClock, readonly: true });
    try {
      const requested = [...journal.readEvents({ type: 'ORDER_REQUESTED' })].map((e) => e.payload as OrderRequested);
      const ambiguous = [...journal.readEvents({ type: 'ORDER_AMBIGUOUS' })].map((e) => e.payload as { readonly clientOrderId: string; readonly reason: string });
      const timedOut = ambiguous.filter((p) => /placeOrder timeout/.test(p.reason)).map((p) => p.clientOrderId);

      // Not vacuous: enough intents, and the adapter met its own timeout on order requests.
      const intents = groupBy(requested, (r) => r.intentId);
      expect(intents.size).toBeGreaterThanOrEqual(MIN_INTENTS);
      expect(timedOut.length).toBeGreaterThanOrEqual(1);

      // X-ORD-1: an intent has one base client order id; every other id of it is a derived re-price/exit/flatten id,
      // so an unknown outcome was never answered by submitting the intent again under a new id.
      for (const [intentId, rows] of intents) {
        const bases = [...new Set(rows.map((r) => splitClientOrderId(r.clientOrderId)?.base ?? `unparsable ${r.clientOrderId}`))];
        expect({ intentId, bases }).toEqual({ intentId, bases: [rows[0]!.clientOrderId] });
      }

      const prefix = clientOrderIdPrefix(config.botId);
      const ours = orders.filter((o) => o.clientOrderId.startsWith(prefix));
      // No client order id on two venue orders.
      const duplicated = [...groupBy(ours, (o) => o.clientOrderId)].filter(([, os]) => os.length > 1).map(([id, os]) => ({ id, venueOrderIds: os.map((o) => o.orderId) }));
      expect(duplicated).toEqual([]);
      // No unjournaled venue order: every order with our prefix has a journal row.
      expect(ours.filter((o) => journal.getOrder(o.clientOrderId) === undefined).map((o) => o.clientOrderId)).toEqual([]);

      // X-REC-6: per intent, at most one entry order (base id or `-r<n>`) ever had fills.
      const filledEntries = ours.filter((o) => {
        const role = splitClientOrderId(o.clientOrderId)?.role;
        return (role === 'entry' || role === 'reprice') && !o.filledQuantity.isZero();
      });
      const doubleFilled = [...groupBy(filledEntries, (o) => splitClientOrderId(o.clientOrderId)?.base ?? o.clientOrderId)]
        .filter(([, os]) => os.length > 1)
        .map(([intent, os]) => ({ intent, orders: os.map((o) => o.clientOrderId) }));
      expect(doubleFilled).toEqual([]);

      // Every unknown outcome was settled: no order is left requested or ambiguous, and each order whose outcome was
      // unknown at some point ends with the venue's filled quantity in the journal (zero when the venue never had it:
      // a request can also time out before the venue took it, e.g. on a loaded machine).
      expect(journal.ordersInState(['requested', 'ambiguous']).map((o) => `${o.clientOrderId} ${o.state}`)).toEqual([]);
      const byClientId = new Map(ours.map((o) => [o.clientOrderId, o]));
      const disagreeing = [...new Set(ambiguous.map((p) => p.clientOrderId))]
        .map((id) => ({ id, venue: byClientId.get(id)?.filledQuantity.toString() ?? '0', journal: journal.getOrder(id)?.filledQuantity.toString() }))
        .filter((d) => d.venue !== d.journal);
      expect(disagreeing).toEqual([]);
    } finally {
      journal.close();
    }
  }, 60_000);
});
