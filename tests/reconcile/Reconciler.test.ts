/**
 * The Reconciler against a real simulator (engine + Bybit façade + Bybit adapter on loopback) and a real journal in a
 * temp dir: each mismatch kind is seeded, listed exactly, applied, and a second run finds nothing. Nothing is mocked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect } from 'effect';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../src/domain/money.ts';
import type { OrderRequest, Position, ProtectionRequest, VenueOrder } from '../../src/domain/orders.ts';
import {
  RECONCILE_REPORT,
  ReconcileError,
  diffJournalAndVenue,
  describe as describeDifference,
  reconcile,
} from '../../src/execution/Reconciler.ts';
import { formatClientOrderId } from '../../src/journal/clientOrderIds.ts';
import { openJournal, type Journal, type OrderRow } from '../../src/journal/Journal.ts';
import type { VenueError } from '../../src/venues/Venue.ts';
import { startSimHarness, type SimHarness } from '../venues/bybit/simHarness.ts';

const BOT = 'tw';
const SYMBOL = 'BTCUSDT';
const TICK = new Decimal('0.1');

const run = <A>(eff: Effect.Effect<A, VenueError>): Promise<A> => Effect.runPromise(eff);
const id = (seq: number): string => formatClientOrderId({ botId: BOT, strategyId: 'rec', seq });

let h: SimHarness;
let journal: Journal;
let dir: string;

beforeEach(async () => {
  h = await startSimHarness({ requestTimeoutMs: 1500 });
  dir = mkdtempSync(join(tmpdir(), 'tw-reconcile-'));
  journal = openJournal({ path: join(dir, 'journal.sqlite'), clock: h.clock });
});

afterEach(async () => {
  journal.close();
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

const bestBid = (): Decimal => {
  const bid = h.exchange.book(SYMBOL, 1).bids[0]?.[0];
  if (bid === undefined) throw new Error('simulator book is empty');
  return bid;
};

const restingBuy = (clientOrderId: string, below: number): OrderRequest => ({
  clientOrderId, symbol: SYMBOL, side: 'buy', type: 'limit', quantity: dec('0.010'), price: bestBid().minus(below), timeInForce: 'gtc', reduceOnly: false,
});

const journalRequest = (clientOrderId: string, req: Pick<OrderRequest, 'side' | 'quantity' | 'price'>): void => {
  journal.recordOrderRequested({ clientOrderId, intentId: `intent-${clientOrderId}`, venue: h.venue.id, symbol: SYMBOL, side: req.side, quantity: req.quantity, price: req.price });
};

const protectionFor = (p: Position): ProtectionRequest => ({
  symbol: p.symbol,
  takeProfit: p.entryPrice.plus(2000).toNearest(TICK),
  stopLoss: p.entryPrice.minus(2000).toNearest(TICK),
  trigger: 'mark',
});

const deps = (): Parameters<typeof reconcile>[0] => ({ venue: h.venue, journal, botId: BOT, symbols: [SYMBOL], protectionFor });

describe('Reconciler (X-REC-1)', () => {
  it('X-REC-1 lists exactly the seeded mismatches, applies them, and a second run finds none', async () => {
    // 1. An orphan: placed at the venue with our prefix, no journal row.
    const orphan = id(1);
    await run(h.venue.placeOrder(restingBuy(orphan, 300)));
    // 2. A journal `ambiguous` order the venue accepted (X-REC-6: the response was lost).
    const ambFound = id(2);
    const ambReq = restingBuy(ambFound, 400);
    journalRequest(ambFound, ambReq);
    journal.recordOrderUpdate({ clientOrderId: ambFound, type: 'ORDER_AMBIGUOUS', state: 'ambiguous', payload: { reason: 'timeout' } });
    await run(h.venue.placeOrder(ambReq));
    // 3. A journal `ambiguous` order that never reached the venue.
    const ambMissing = id(3);
    journalRequest(ambMissing, restingBuy(ambMissing, 500));
    journal.recordOrderUpdate({ clientOrderId: ambMissing, type: 'ORDER_AMBIGUOUS', state: 'ambiguous', payload: { reason: 'timeout' } });
    // 4. A journal-open order the venue filled (the fill was missed), which leaves a position…
    const filled = id(4);
    const mkt: OrderRequest = { clientOrderId: filled, symbol: SYMBOL, side: 'buy', type: 'market', quantity: dec('0.020'), timeInForce: 'ioc', reduceOnly: false };
    journalRequest(filled, mkt);
    const ack = await run(h.venue.placeOrder(mkt));
    journal.recordOrderUpdate({ clientOrderId: filled, type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: ack.venueOrderId });
    // 5. …whose TP/SL were set and then cleared at the venue.
    const [pos] = await run(h.venue.positions(SYMBOL));
    if (pos === undefined) throw new Error('expected a position');
    await run(h.venue.setProtection(protectionFor(pos)));
    const cleared = h.exchange.setTradingStop('adapter-acct-1', SYMBOL, { takeProfit: dec(0), stopLoss: dec(0) });
    expect(cleared.ok).toBe(true);

    const dry = await reconcile(deps(), { apply: false });
    expect(dry.differences.map((d) => [d.kind, 'clientOrderId' in d ? d.clientOrderId : d.symbol])).toEqual([
      ['unsettled_order', ambFound],
      ['unsettled_order', ambMissing],
      ['status_mismatch', filled],
      ['orphan_order', orphan],
      ['unprotected_position', SYMBOL],
    ]);
    expect(dry.differences.map(describeDifference).join('\n')).toContain(`orphan order ${orphan}`);
    expect(dry.applied).toEqual([]);
    // A dry run changes neither side.
    expect((await run(h.venue.openOrders(SYMBOL))).map((o) => o.clientOrderId).sort()).toEqual([orphan, ambFound].sort());
    expect(journal.getOrder(ambMissing)?.state).toBe('ambiguous');
    expect(journal.lastEventOfType(RECONCILE_REPORT)).toBeUndefined();

    const applied = await reconcile(deps(), { apply: true });
    expect(applied.differences).toEqual(dry.differences);
    expect(applied.failed).toEqual([]);
    expect(applied.skipped).toEqual([]);
    expect(applied.applied).toHaveLength(5);

    // Venue and journal agree.
    expect((await run(h.venue.openOrders(SYMBOL))).map((o) => o.clientOrderId)).toEqual([ambFound]);
    expect((await run(h.venue.orderByClientId(SYMBOL, orphan)))?.status).toBe('cancelled');
    expect(journal.getOrder(orphan)).toBeUndefined();
    expect([journal.getOrder(ambFound)?.state, journal.getOrder(ambFound)?.venueOrderId !== undefined]).toEqual(['new', true]);
    expect(journal.getOrder(ambMissing)?.state).toBe('rejected');
    expect([journal.getOrder(filled)?.state, journal.getOrder(filled)?.filledQuantity.toString()]).toEqual(['filled', '0.02']);
    const [after] = await run(h.venue.positions(SYMBOL));
    const want = protectionFor(pos);
    expect([after?.takeProfit?.toString(), after?.stopLoss?.toString()]).toEqual([want.takeProfit?.toString(), want.stopLoss?.toString()]);
    const report = journal.lastEventOfType(RECONCILE_REPORT)?.payload as { counts: Record<string, number>; applied: string[] } | undefined;
    expect(report?.counts).toEqual({ unsettled_order: 2, status_mismatch: 1, orphan_order: 1, unprotected_position: 1 });
    expect(report?.applied).toEqual(applied.applied);
    expect(journal.verify().ok).toBe(true);

    const again = await reconcile(deps(), { apply: true });
    expect(again.differences).toEqual([]);
    expect(again.unresolved).toEqual([]);
  });

  it('X-REC-1 closes a journal-open order the venue does not know, and reports (not guesses) a position without known protection', async () => {
    const gone = id(7);
    journalRequest(gone, restingBuy(gone, 300));
    journal.recordOrderUpdate({ clientOrderId: gone, type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: 'v-lost' });
    const mine = id(8);
    const mkt: OrderRequest = { clientOrderId: mine, symbol: SYMBOL, side: 'sell', type: 'market', quantity: dec('0.010'), timeInForce: 'ioc', reduceOnly: false };
    journalRequest(mine, mkt);
    await run(h.venue.placeOrder(mkt));
    const res = await reconcile({ ...deps(), protectionFor: () => undefined }, { apply: true });
    expect(res.differences.map((d) => `${d.kind}:${d.action}`)).toEqual(['unsettled_order:adopt_status', 'missing_at_venue:close_unknown', 'unprotected_position:re_protect']);
    expect(journal.getOrder(gone)?.state).toBe('cancelled');
    expect([journal.getOrder(mine)?.state, journal.getOrder(mine)?.filledQuantity.toString()]).toEqual(['filled', '0.01']);
    expect(res.skipped).toEqual(['no protection known for short 0.01 BTCUSDT']);
    const [pos] = await run(h.venue.positions(SYMBOL));
    expect([pos?.side, pos?.takeProfit, pos?.stopLoss]).toEqual(['short', undefined, undefined]);
    // The unprotected position is still a difference on the next run; the settled orders are not.
    expect((await reconcile(deps(), { apply: false })).differences.map((d) => d.kind)).toEqual(['unprotected_position']);
  });

  it('X-REC-1 a failing openOrders fetch throws ReconcileError and applies nothing', async () => {
    const orphan = id(1);
    await run(h.venue.placeOrder(restingBuy(orphan, 300)));
    const amb = id(2);
    journalRequest(amb, restingBuy(amb, 400));
    journal.recordOrderUpdate({ clientOrderId: amb, type: 'ORDER_AMBIGUOUS', state: 'ambiguous', payload: { reason: 'timeout' } });
    const seqBefore = journal.lastSeq();
    h.setFaults({ http5xxRate: 1 });
    const err = await reconcile(deps(), { apply: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReconcileError);
    expect((err as ReconcileError).step).toBe('openOrders');
    expect((err as ReconcileError).cause.reason.kind).toBe('server');
    h.setFaults({});
    // Nothing was inferred from the failure: the orphan still rests, the journal is untouched.
    expect(journal.lastSeq()).toBe(seqBefore);
    expect(journal.getOrder(amb)?.state).toBe('ambiguous');
    expect((await run(h.venue.openOrders(SYMBOL))).map((o) => o.clientOrderId)).toEqual([orphan]);
  });
});

const row = (over: Partial<OrderRow> & Pick<OrderRow, 'clientOrderId' | 'state'>): OrderRow => ({
  venue: 'bybit', symbol: SYMBOL, intentId: 'i', side: 'buy', quantity: dec('1'), price: dec('100'), venueOrderId: undefined, filledQuantity: dec(0), role: 'entry', strategyId: 's', reduceOnly: false,
  createdSeq: 1, updatedSeq: 1, createdTs: 0, updatedTs: 0, ...over,
});

const vorder = (over: Partial<VenueOrder> & Pick<VenueOrder, 'clientOrderId' | 'status'>): VenueOrder => ({
  venueOrderId: `v-${over.clientOrderId}`, symbol: SYMBOL, side: 'buy', type: 'limit', timeInForce: 'gtc', price: dec('100'), quantity: dec('1'),
  filledQuantity: dec(0), averageFillPrice: undefined, rejectReason: undefined, reduceOnly: false, createdAt: 0, updatedAt: 0, ...over,
});

const position = (symbol: string, over: Partial<Position> = {}): Position => ({
  symbol, side: 'long', quantity: dec('1'), entryPrice: dec('100'), markPrice: undefined, unrealizedPnl: dec(0), leverage: dec('1'),
  takeProfit: undefined, stopLoss: undefined, tpTrigger: undefined, slTrigger: undefined, updatedAt: 0, ...over,
});

describe('diffJournalAndVenue (pure)', () => {
  it('X-REC-1 never infers from a failed query, flags missing and foreign, and orders output deterministically', () => {
    const input = {
      journalOrders: [
        row({ clientOrderId: 'tw-a-2-0', state: 'new' }), // queried: not found → missing_at_venue
        row({ clientOrderId: 'tw-a-1-0', state: 'partially_filled', filledQuantity: dec('0.3') }), // query failed → nothing
        row({ clientOrderId: 'tw-a-3-0', state: 'ambiguous' }), // query failed → nothing
        row({ clientOrderId: 'tw-a-4-0', state: 'partially_filled', filledQuantity: dec('0.3') }), // more fills → mismatch
      ],
      venueOpenOrders: [
        vorder({ clientOrderId: 'other-x', status: 'new' }), // not our prefix → ignored
        vorder({ clientOrderId: 'tw-z-9-0', status: 'new' }), // orphan
        vorder({ clientOrderId: 'tw-a-4-0', status: 'partially_filled', filledQuantity: dec('0.50') }),
      ],
      venuePositions: [position('ETHUSDT'), position(SYMBOL, { stopLoss: dec('90') }), position('SOLUSDT', { side: 'flat', quantity: dec(0) })],
      botPrefix: 'tw-',
      queried: new Map<string, VenueOrder | undefined>([
        ['tw-a-2-0', undefined],
        ['tw-a-4-0', vorder({ clientOrderId: 'tw-a-4-0', status: 'partially_filled', filledQuantity: dec('0.5') })],
      ]),
    };
    const diffs = diffJournalAndVenue(input);
    expect(diffs.map((d) => `${d.kind}:${'clientOrderId' in d ? d.clientOrderId : d.symbol}:${d.action}`)).toEqual([
      'status_mismatch:tw-a-4-0:update_journal',
      'missing_at_venue:tw-a-2-0:close_unknown',
      'orphan_order:tw-z-9-0:cancel',
      'foreign_position:ETHUSDT:report',
    ]);
    // Same input in another order → same output; adopting a foreign position also checks its protection.
    const shuffled = { ...input, journalOrders: [...input.journalOrders].reverse(), venueOpenOrders: [...input.venueOpenOrders].reverse() };
    expect(diffJournalAndVenue(shuffled)).toEqual(diffs);
    expect(diffJournalAndVenue({ ...input, adoptForeign: true }).filter((d) => d.symbol === 'ETHUSDT').map((d) => `${d.kind}:${d.action}`)).toEqual([
      'foreign_position:adopt',
      'unprotected_position:re_protect',
    ]);
    // Equal Decimals written differently are not a mismatch.
    const equal = diffJournalAndVenue({ ...input, journalOrders: [row({ clientOrderId: 'tw-a-4-0', state: 'partially_filled', filledQuantity: dec('0.500') })] });
    expect(equal.filter((d) => d.kind === 'status_mismatch')).toEqual([]);
  });
});
