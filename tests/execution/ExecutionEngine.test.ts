import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { dec } from '../../src/domain/money.ts';
import type { OrderRequest } from '../../src/domain/orders.ts';
import { ExecutionEngine, ExecutionRefused } from '../../src/execution/ExecutionEngine.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { makeRiskEngine, type ApprovedOrder } from '../../src/risk/RiskEngine.ts';
import type { Venue } from '../../src/venues/Venue.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import { market, portfolio, proposal, config, symbolMarket } from '../risk/fixtures.ts';
import { ACCOUNT, START, startSimHarness, type SimHarness } from '../venues/bybit/simHarness.ts';

let h: SimHarness | undefined;
let journal: Journal | undefined;
afterEach(async () => {
  journal?.close();
  await h?.close();
  h = undefined;
  journal = undefined;
});

/** An approval minted by the real RiskEngine for a BTCUSDT buy around the simulator's price. */
const approve = (mid: string, over: { dryRun?: boolean } = {}): ApprovedOrder => {
  const engine = makeRiskEngine(config({ mode: over.dryRun === true ? 'DRY_RUN' : 'PAPER', allowShorts: true, fees: { makerRate: 0.0002, takerRate: 0.00055 } }));
  const m = dec(mid);
  const view = market({ clock: { offsetMs: 0, skewBlocked: false } }, ['BTCUSDT']);
  const sm = symbolMarket('BTCUSDT', {
    instrument: bybitLinearInstrument('BTCUSDT'), bid: m.minus('0.1'), ask: m, last: m, quoteTs: START - 100, lastBarCloseTs: START - 1000,
  });
  const decision = engine.check(
    proposal({ instrumentKind: 'perp', createdAt: START - 500, ttlMs: 60_000, notionalFraction: 0.01 as never }),
    portfolio({ accountSnapshotTs: START - 1000 }),
    { ...view, symbols: { BTCUSDT: sm } },
    START,
  );
  if (decision.kind !== 'approve') throw new Error(`vetoed: ${decision.veto.message}`);
  return decision.order;
};

const setup = async (opts: { requestTimeoutMs?: number; gate?: boolean; wrap?: (venue: Venue, j: Journal) => Venue } = {}) => {
  h = await startSimHarness({ requestTimeoutMs: opts.requestTimeoutMs ?? 5000 });
  journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-exec-')), 'journal.sqlite'), clock: h.clock });
  const engine = new ExecutionEngine({
    venue: opts.wrap?.(h.venue, journal) ?? h.venue, journal, clock: h.clock, logger: createLogger({ level: 'silent', clock: h.clock, targets: {} }),
    retry: { baseMs: 1, capMs: 5, maxAttempts: 6 }, seed: 3, gateOpen: () => opts.gate ?? true,
  });
  const mid = h.exchange.ticker('BTCUSDT').lastPrice.toString();
  return { engine, mid, journal, h };
};

const limitBuy = (clientOrderId: string, approval: ApprovedOrder, price = approval.limitPrice): OrderRequest => ({
  clientOrderId, symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: approval.quantity, price, timeInForce: 'gtc', reduceOnly: false,
});

describe('ExecutionEngine over the Bybit adapter and the loopback simulator', () => {
  it('commits ORDER_REQUESTED before sending, then journals the ack (write-ahead, X-ORD-2)', async () => {
    const { engine, mid, journal: j } = await setup();
    const approval = approve(mid);
    const ev = await engine.submit(approval, limitBuy('tw-t-1-0', approval), { intentId: 'i-1', role: 'entry' });
    expect(ev.type).toBe('venue.accepted');
    const types = [...j.readEvents({ stream: 'order:tw-t-1-0' })].map((e) => e.type);
    expect(types).toEqual(['ORDER_REQUESTED', 'ORDER_ACKNOWLEDGED']);
    expect(j.getOrder('tw-t-1-0')?.state).not.toBe('requested');
    expect(h!.exchange.getOrder(ACCOUNT, 'BTCUSDT', { clientOrderId: 'tw-t-1-0' })).toBeDefined();
  });

  it('I17 X-ORD-2 a submit journaled inside a decision transaction calls the venue only after that transaction committed', async () => {
    // The venue is called (not merely reached over HTTP) only once a second connection, which sees committed entries
    // only, finds the ORDER_REQUESTED.
    const seen: number[] = [];
    let reader: Database.Database | undefined;
    const { engine, mid, journal: j } = await setup({
      wrap: (venue, jr) => ({
        ...venue,
        placeOrder: (r) => {
          reader ??= new Database(jr.path, { readonly: true });
          seen.push(reader.prepare<[string], { n: number }>("SELECT count(*) AS n FROM events WHERE type = 'ORDER_REQUESTED' AND stream = ?").get(`order:${r.clientOrderId}`)!.n);
          return venue.placeOrder(r);
        },
      }),
    });
    const approval = approve(mid);
    let pending: Promise<unknown> | undefined;
    const before = j.lastSeq();
    j.transaction(() => {
      j.kvSet('decision', { text: 'the decision' });
      pending = engine.submit(approval, limitBuy('tw-t-9-0', approval), { intentId: 'i-9', role: 'entry' });
      expect(seen).toEqual([]);
    });
    const ev = await pending;
    reader?.close();
    expect(ev).toMatchObject({ type: 'venue.accepted' });
    expect(seen).toEqual([1]);
    expect([...j.readEvents({})].filter((e) => e.seq > before).map((e) => e.type)).toEqual(['KV_SET', 'ORDER_REQUESTED', 'ORDER_ACKNOWLEDGED']);
  });

  it('I17 X-ORD-2 when the decision transaction rolls back, its request is never sent and nothing of it is journaled', async () => {
    const { engine, mid, journal: j, h: sim } = await setup();
    const approval = approve(mid);
    let pending: Promise<unknown> | undefined;
    const before = j.lastSeq();
    expect(() =>
      j.transaction(() => {
        pending = engine.submit(approval, limitBuy('tw-t-10-0', approval), { intentId: 'i-10', role: 'entry' });
        throw new Error('the decision failed after its request was journaled');
      }),
    ).toThrow('the decision failed');
    await expect(pending).rejects.toThrow('the decision failed');
    expect(j.lastSeq()).toBe(before);
    expect(j.getOrder('tw-t-10-0')).toBeUndefined();
    expect(sim.exchange.orderHistory(ACCOUNT).filter((o) => o.clientOrderId === 'tw-t-10-0')).toHaveLength(0);
  });

  it('I17 X-ORD-2 a request whose savepoint rolled back inside a transaction that committed is not sent', async () => {
    const { engine, mid, journal: j, h: sim } = await setup();
    const approval = approve(mid);
    let pending: Promise<unknown> | undefined;
    j.transaction(() => {
      j.kvSet('decision', { text: 'kept' });
      expect(() => j.transaction(() => {
        pending = engine.submit(approval, limitBuy('tw-t-11-0', approval), { intentId: 'i-11', role: 'entry' });
        throw new Error('a step after the request failed');
      })).toThrow('a step after the request failed');
    });
    expect(await pending).toMatchObject({ type: 'venue.rejected', code: 'not_journaled' });
    expect(j.kvGet('decision')).toEqual({ text: 'kept' });
    expect(j.getOrder('tw-t-11-0')).toBeUndefined();
    expect(sim.exchange.orderHistory(ACCOUNT).filter((o) => o.clientOrderId === 'tw-t-11-0')).toHaveLength(0);
  });

  it('maps a definitive venue reject to venue.rejected with its category and journals it', async () => {
    const { engine, mid, journal: j } = await setup();
    const approval = approve(mid);
    // A reduce-only order on a flat position: Bybit 110017, definitive.
    const ev = await engine.submit(approval, { ...limitBuy('tw-t-2-0', approval), side: 'sell', reduceOnly: true }, { intentId: 'i-2', role: 'exit' });
    expect(ev).toMatchObject({ type: 'venue.rejected', category: 'reduce_only_violation' });
    expect(j.getOrder('tw-t-2-0')?.state).toBe('rejected');
  });

  it('X-REC-6 accept-then-timeout is an unknown outcome, never a rejection; the query finds exactly one order', async () => {
    const { engine, mid, journal: j, h: sim } = await setup({ requestTimeoutMs: 300 });
    sim.setFaults({ timeoutAfterAcceptRate: 1, timeoutHoldMs: 1000 });
    const approval = approve(mid);
    const ev = await engine.submit(approval, limitBuy('tw-t-3-0', approval), { intentId: 'i-3', role: 'entry' });
    expect(ev.type).toBe('venue.unknown');
    expect(j.getOrder('tw-t-3-0')?.state).toBe('ambiguous');
    sim.setFaults({});
    const q = await engine.query('BTCUSDT', 'tw-t-3-0');
    expect(q).toMatchObject({ type: 'venue.queryResult', found: true });
    const mine = sim.exchange.orderHistory(ACCOUNT).filter((o) => o.clientOrderId === 'tw-t-3-0');
    expect(mine).toHaveLength(1);
    expect(j.getOrder('tw-t-3-0')?.state).not.toBe('ambiguous');
  });

  it('X-RTY-1 retries a rate-limited placement with the same client id and ends with exactly one order', async () => {
    const { engine, mid, h: sim } = await setup();
    sim.setFaults({ http429Rate: 0.5, retryAfterSeconds: 1, seed: 4 });
    const approval = approve(mid);
    const ev = await engine.submit(approval, limitBuy('tw-t-4-0', approval), { intentId: 'i-4', role: 'entry' });
    sim.setFaults({});
    // The seeded dice (seed 4) answer 429 at least once before the placement goes through.
    expect(sim.server.counters().http429).toBeGreaterThan(0);
    expect(ev, JSON.stringify(ev)).toMatchObject({ type: 'venue.accepted' });
    const mine = sim.exchange.orderHistory(ACCOUNT).filter((o) => o.clientOrderId === 'tw-t-4-0');
    expect(mine).toHaveLength(1);
  });

  it('X-RT-5 refuses anything without a real approval, DRY_RUN approvals, oversized entries, and sends nothing while the gate is closed', async () => {
    const { engine, mid } = await setup();
    const approval = approve(mid);
    const forged = { ...approval } as unknown as ApprovedOrder;
    await expect(engine.submit(forged, limitBuy('tw-t-5-0', approval), { intentId: 'i', role: 'entry' })).rejects.toBeInstanceOf(ExecutionRefused);
    await expect(engine.submit(approve(mid, { dryRun: true }), limitBuy('tw-t-5-1', approval), { intentId: 'i', role: 'entry' })).rejects.toBeInstanceOf(ExecutionRefused);
    await expect(
      engine.submit(approval, { ...limitBuy('tw-t-5-2', approval), quantity: approval.quantity.times(2) }, { intentId: 'i', role: 'entry' }),
    ).rejects.toBeInstanceOf(ExecutionRefused);
    const closed = (await setup({ gate: false })).engine;
    const ev = await closed.submit(approval, limitBuy('tw-t-5-3', approval), { intentId: 'i', role: 'entry' });
    expect(ev).toMatchObject({ type: 'venue.rejected', code: 'gate_closed' });
    expect(h!.exchange.orderHistory(ACCOUNT).filter((o) => o.clientOrderId.startsWith('tw-t-5'))).toHaveLength(0);
  });

  it('refuses an entry whose approval expired, and answers not-found queries and refused cancels with events', async () => {
    const { engine, mid, h: sim } = await setup();
    const approval = approve(mid);
    sim.advance(120_000);
    const ev = await engine.submit(approval, limitBuy('tw-t-6-0', approval), { intentId: 'i', role: 'entry' });
    expect(ev).toMatchObject({ type: 'venue.rejected', code: 'approval_expired' });
    expect(await engine.query('BTCUSDT', 'never-sent-1')).toMatchObject({ type: 'venue.queryResult', found: false });
    expect(await engine.cancel('BTCUSDT', 'never-sent-1')).toMatchObject({ type: 'venue.cancelRejected' });
  });
});
