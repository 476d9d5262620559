/**
 * The exports over journals written through the real Journal API (S2-14, X-RPT-2, S2-13): the unresolved-orders log
 * lists rejections, partial fills and unknown outcomes with the venue's refusal and each order's trace; a trade with a
 * refused order carries its error_code; a LIVE run on a persistent journal exports only its own window into the live
 * book; a journal that does not verify is refused, never exported.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { exportDaily, exportGnucash, exportTrades, exportUnresolved, type ExportRequest } from '../../src/ledger/ledgerExports.ts';
import { exitCodeOf, LedgerError } from '../../src/ledger/LedgerError.ts';
import { balanceUnder, parseBook } from './demoRun.ts';

const T0 = Date.UTC(2024, 2, 8, 14, 30);
const d = (s: string): Decimal => new Decimal(s);

const order = (j: Journal, id: string, intentId: string, role: string, side: 'buy' | 'sell', quantity: string): void => {
  j.recordOrderRequested({ clientOrderId: id, intentId, venue: 'bybit', symbol: 'SPYUSDT', side, quantity: d(quantity), price: d('500.25'), orderType: 'limit', role, strategyId: 'vwap_revert' });
};
const fill = (j: Journal, id: string, tradeId: string, quantity: string, filled: string, state: 'partially_filled' | 'filled', fee: string): void => {
  j.recordOrderUpdate({ clientOrderId: id, type: 'ORDER_FILLED', state, filledQuantity: d(filled), payload: { tradeId, price: d('500.25'), quantity: d(quantity), fee: d(fee), isMaker: false } });
};

/** One trade whose first exit was refused (then flattened), plus the three kinds of unresolved order. */
const writeJournal = (path: string, clock: VirtualClock, at: number): void => {
  const j = openJournal({ path, clock });
  clock.advanceTo(at);
  j.append('runtime', 'GATE_OPENED', { symbols: ['SPYUSDT'], mode: 'LIVE' });
  order(j, 'tw-vwap-1-0', 'intent-1', 'entry', 'buy', '2');
  fill(j, 'tw-vwap-1-0', 'f-1', '2', '2', 'filled', '0.55');
  clock.advanceTo(at + 60_000);
  order(j, 'tw-vwap-1-0-x1', 'intent-1', 'exit', 'sell', '2');
  j.recordOrderUpdate({ clientOrderId: 'tw-vwap-1-0-x1', type: 'ORDER_REJECTED', state: 'rejected', payload: { code: '110007', category: 'insufficient_balance', message: 'ab not enough for new order' } });
  order(j, 'tw-vwap-1-0-f1', 'intent-1', 'flatten', 'sell', '2');
  fill(j, 'tw-vwap-1-0-f1', 'f-2', '2', '2', 'filled', '0.56');
  j.append('trade:bybit:SPYUSDT', 'TRADE_CLOSED', {
    type: 'position.closed', symbol: 'SPYUSDT', intentId: 'intent-1', side: 'buy', quantity: '2', entryPrice: '500.25', averageEntryPrice: '500.25', averageExitPrice: '501.25', realizedPnl: '0.89', fees: '1.11', reason: 'exit',
  });
  order(j, 'tw-vwap-2-0', 'intent-2', 'entry', 'buy', '3');
  fill(j, 'tw-vwap-2-0', 'f-3', '1', '1', 'partially_filled', '0.27');
  j.recordOrderUpdate({ clientOrderId: 'tw-vwap-2-0', type: 'ORDER_CANCELLED', state: 'cancelled', filledQuantity: d('1'), payload: { reason: 'timeout' } });
  order(j, 'tw-vwap-3-0', 'intent-3', 'entry', 'buy', '1');
  j.recordOrderUpdate({ clientOrderId: 'tw-vwap-3-0', type: 'ORDER_AMBIGUOUS', state: 'ambiguous', payload: { reason: 'request timed out' } });
  j.close();
};

const summaryOf = (runId: string, mode: string, from: number, to: number, trades: number, pnl: string, fees: string) => ({
  runId, profile: 's2-us-stock', mode, venue: 'bybit-testnet', accounts: ['main'], dataStart: from, dataEnd: to, trades, realizedPnl: pnl, fees, startingBalance: '1000', endingBalance: new Decimal(1000).plus(pnl).toFixed(),
  tradeList: trades === 0 ? [] : [{ symbol: 'SPYUSDT', side: 'buy', quantity: '2', entryPrice: '500.25', exitPrice: '501.25', realizedPnl: pnl, fees, reason: 'exit' }],
});

let dataDir = '';
const req = (over: Partial<ExportRequest> = {}): ExportRequest => ({ dataDir, mode: 'auto', overwriteMode: 'refuse', now: T0, ...over });
const refusal = (f: () => unknown): LedgerError => {
  try {
    f();
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a LedgerError');
};

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tw-ledger-journal-'));
  // A LIVE run on a venue: the persistent journal holds an earlier run's day and this run's day.
  const clock = new VirtualClock(T0 - 86_400_000);
  const journal = join(dataDir, 'journal', 'bybit-main.sqlite');
  writeJournal(journal, clock, T0 - 86_400_000);
  const j = openJournal({ path: journal, clock });
  clock.advanceTo(T0);
  j.append('runtime', 'GATE_OPENED', { symbols: ['SPYUSDT'], mode: 'LIVE' });
  order(j, 'tw-vwap-4-0', 'intent-4', 'entry', 'buy', '2');
  fill(j, 'tw-vwap-4-0', 'f-4', '2', '2', 'filled', '0.5');
  clock.advanceTo(T0 + 120_000);
  order(j, 'tw-vwap-4-0-x1', 'intent-4', 'exit', 'sell', '2');
  fill(j, 'tw-vwap-4-0-x1', 'f-5', '2', '2', 'filled', '0.5');
  j.append('trade:bybit:SPYUSDT', 'TRADE_CLOSED', {
    type: 'position.closed', symbol: 'SPYUSDT', intentId: 'intent-4', side: 'buy', quantity: '2', entryPrice: '500.25', averageEntryPrice: '500.25', averageExitPrice: '499.75', realizedPnl: '-2', fees: '1', reason: 'stopLoss',
  });
  j.close();
  mkdirSync(join(dataDir, 'runs', 'earlier'), { recursive: true });
  writeFileSync(join(dataDir, 'runs', 'earlier', 'summary.json'), JSON.stringify(summaryOf('earlier', 'LIVE', T0 - 86_400_000, T0 - 3_600_000, 1, '0.89', '1.11')));
  mkdirSync(join(dataDir, 'runs', 'today'), { recursive: true });
  writeFileSync(join(dataDir, 'runs', 'today', 'summary.json'), JSON.stringify(summaryOf('today', 'LIVE', T0, T0 + 3_600_000, 1, '-2', '1')));
});

describe('S2-14 unresolved-orders log', () => {
  it('lists the rejected, partly filled and unknown-outcome orders with the refusal and the order trace, and nothing settled', () => {
    const outcome = exportUnresolved({ ...req(), runId: 'earlier', out: join(dataDir, 'out', 'unresolved.json') });
    const log = JSON.parse(readFileSync(outcome.file, 'utf8')) as { counts: Record<string, number>; orders: Array<Record<string, unknown>> };
    expect(log.counts).toEqual({ rejected: 1, partial_fill: 1, unknown_outcome: 1 });
    expect(log.orders.map((o) => [o['clientOrderId'], o['kind'], o['state']])).toEqual([
      ['tw-vwap-1-0-x1', 'rejected', 'rejected'],
      ['tw-vwap-2-0', 'partial_fill', 'cancelled'],
      ['tw-vwap-3-0', 'unknown_outcome', 'ambiguous'],
    ]);
    const [rejected, partial] = log.orders;
    expect(rejected!['rejection']).toEqual({ code: '110007', category: 'insufficient_balance', message: 'ab not enough for new order' });
    expect(rejected).toMatchObject({ account: 'main', symbol: 'SPYUSDT', role: 'exit', strategy: 'vwap_revert', intentId: 'intent-1', quantity: '2', filledQuantity: '0' });
    expect((rejected!['trace'] as Array<{ type: string }>).map((t) => t.type)).toEqual(['ORDER_REQUESTED', 'ORDER_REJECTED']);
    expect(partial).toMatchObject({ quantity: '3', filledQuantity: '1', rejection: null });
    expect((partial!['trace'] as Array<{ type: string; state: string }>).map((t) => `${t.type}:${t.state}`)).toEqual(['ORDER_REQUESTED:requested', 'ORDER_FILLED:partially_filled', 'ORDER_CANCELLED:cancelled']);
  });
});

describe('X-RPT-3 daily summary of a run with refusals', () => {
  it('counts the day\'s errors by kind next to its trades', () => {
    const doc = JSON.parse(readFileSync(exportDaily({ ...req(), runId: 'earlier', timeZone: 'America/New_York', out: join(dataDir, 'out', 'daily.json') }).file, 'utf8')) as { timeZone: string; days: Array<Record<string, unknown>> };
    expect(doc.timeZone).toBe('America/New_York');
    expect(doc.days).toEqual([{ date: '2024-03-07', trades: 1, wins: 1, losses: 0, winRate: '1', pnl: '0.89', grossPnl: '2', fees: '1.11', openPositions: [], vetoes: {}, errors: { order_ambiguous: 1, order_rejected: 1 } }]);
  });
});

describe('X-RPT-2 / S2-13 a LIVE run on a persistent journal', () => {
  it('gives a trade with a refused order its error_code, and exports only the entries of the run\'s own window', () => {
    const earlier = parse<Record<string, string>>(readFileSync(exportTrades({ ...req(), runId: 'earlier', format: 'csv', out: join(dataDir, 'out', 'earlier.csv') }).file, 'utf8'), { columns: true });
    expect(earlier.map((r) => [r['trade_id'], r['error_code'], r['mode'], r['venue'], r['strategy_name'], r['pnl']])).toEqual([['intent-1', '110007', 'LIVE', 'bybit', 'vwap_revert', '0.89']]);
    // The most recently finished run is the default.
    const today = exportTrades({ ...req(), format: 'json', out: join(dataDir, 'out', 'today.json') });
    expect(today.runId).toBe('today');
    expect(today.warnings).toEqual([]);
    const rows = (JSON.parse(readFileSync(today.file, 'utf8')) as { trades: Array<Record<string, string | null>> }).trades;
    expect(rows.map((r) => [r['trade_id'], r['exit_reason'], r['error_code'], r['opened_at']])).toEqual([['intent-4', 'stopLoss', null, new Date(T0).toISOString()]]);
  });

  it('writes the LIVE run into the live book, balanced, and refuses it into the paper book', () => {
    const outcome = exportGnucash({ ...req(), runId: 'today', out: join(dataDir, 'out', 'live.gnucash') });
    const book = parseBook(readFileSync(outcome.file, 'utf8'));
    expect(book.bookSlots['tradewarden-book']).toBe('live');
    expect(book.commodities.map((c) => `${c.space}:${c.id}:${c.fraction}`)).toEqual(['CURRENCY:USDT:100', 'BYBIT-TESTNET:SPYUSDT:1']);
    for (const t of book.transactions) expect(t.splits.reduce((a, s) => a.plus(s.value), new Decimal(0)).isZero()).toBe(true);
    expect(balanceUnder(book, 'Income').neg().eq('-1')).toBe(true);
    expect(balanceUnder(book, 'Expenses').eq('1')).toBe(true);
    expect(balanceUnder(book, 'Assets').eq('998')).toBe(true);
    expect(refusal(() => exportGnucash({ ...req(), runId: 'today', book: 'paper', out: join(dataDir, 'out', 'paper.gnucash') })).reason).toBe('wrong_book');
  });

  it('names the runs there are when asked for one that does not exist', () => {
    const e = refusal(() => exportTrades({ ...req(), runId: 'nope', format: 'csv', out: join(dataDir, 'out', 'nope.csv') }));
    expect(e.reason).toBe('no_run');
    expect(e.message).toContain('earlier, today');
    expect(exitCodeOf(e)).toBe(2);
  });

  it('refuses a journal that does not verify (a trade\'s PnL edited in the file) with exit 3, writing nothing', () => {
    const db = new Database(join(dataDir, 'journal', 'bybit-main.sqlite'));
    db.exec('DROP TRIGGER events_no_update');
    db.prepare(`UPDATE events SET payload = replace(payload, '"realizedPnl":"-2"', '"realizedPnl":"200"') WHERE type = 'TRADE_CLOSED'`).run();
    db.close();
    const e = refusal(() => exportGnucash({ ...req(), runId: 'today', out: join(dataDir, 'out', 'broken.gnucash') }));
    expect(e.reason).toBe('journal_unreadable');
    expect(e.message).toMatch(/bybit-main\.sqlite does not verify \(seq \d+, hash_mismatch/);
    expect(exitCodeOf(e)).toBe(3);
    expect(existsSync(join(dataDir, 'out', 'broken.gnucash'))).toBe(false);
  });
});
