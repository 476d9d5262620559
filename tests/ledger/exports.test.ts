/**
 * The ledger exports against a real short demo session (X-RPT-2, X-RPT-3, S2-13): the trade history equals the run
 * summary's trade list, the daily summary adds up to the run in any time zone, the GnuCash book parses, balances per
 * transaction and agrees with the run's PnL, fees and balances to the unit, and no export ever overwrites a file.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { localDay } from '../../src/ledger/dailySummary.ts';
import { exportDaily, exportGnucash, exportTrades, type ExportRequest } from '../../src/ledger/ledgerExports.ts';
import { LedgerError } from '../../src/ledger/LedgerError.ts';
import { TRADE_COLUMNS } from '../../src/ledger/tradesExport.ts';
import { balanceUnder, parseBook, runDemo } from './demoRun.ts';

type Summary = Record<string, unknown> & { tradeList: Array<Record<string, string | null>> };

let dataDir = '';
let summary: Summary;
let out = '';
const req = (file: string, over: Partial<ExportRequest> = {}): ExportRequest => ({ dataDir, out: join(out, file), mode: 'auto', overwriteMode: 'refuse', now: Date.UTC(2026, 10, 20, 7, 48, 13, 123), ...over });
const sum = (xs: ReadonlyArray<string | null | undefined>): Decimal => xs.reduce((a: Decimal, x) => a.plus(x ?? 0), new Decimal(0));
const refusal = (f: () => unknown): LedgerError => {
  try {
    f();
  } catch (e) {
    if (e instanceof LedgerError) return e;
    throw e;
  }
  throw new Error('expected a LedgerError');
};

beforeAll(async () => {
  const demo = await runDemo('tw-ledger-');
  dataDir = demo.dataDir;
  summary = demo.result.summary as Summary;
  out = mkdtempSync(join(tmpdir(), 'tw-ledger-out-'));
  // The run must exercise both kinds of rows: closed trades and cycles still open at the end.
  expect(summary['trades']).toBeGreaterThan(2);
  expect(summary.tradeList.some((t) => t['reason'] === 'open')).toBe(true);
});

describe('X-RPT-2 trade history export', () => {
  it('writes one CSV row per trade of the summary, with the X-RPT-2 fields first and the same PnL and fees to the unit', () => {
    const outcome = exportTrades({ ...req('trades.csv'), format: 'csv' });
    expect(outcome.warnings).toEqual([]);
    const text = readFileSync(outcome.file, 'utf8');
    expect(text.split('\n')[0]).toBe(TRADE_COLUMNS.join(','));
    expect(TRADE_COLUMNS.slice(0, 12)).toEqual(['timestamp', 'strategy_name', 'symbol', 'side', 'size', 'entry_price', 'exit_price', 'pnl', 'fees', 'venue', 'mode', 'error_code']);
    const rows = parse<Record<string, string>>(text, { columns: true });
    expect(rows.length).toBe(summary.tradeList.length);
    expect(rows.filter((r) => r['status'] === 'closed').length).toBe(summary['trades']);
    expect(sum(rows.map((r) => r['pnl'])).eq(summary['realizedPnl'] as string)).toBe(true);
    expect(sum(rows.map((r) => r['fees'])).eq(summary['fees'] as string)).toBe(true);
    // Row for row (as multisets): symbol, side, size, PnL and fees are the summary's own decimals.
    const key = (symbol: unknown, side: unknown, size: unknown, pnl: unknown, fees: unknown): string => [symbol, side, new Decimal(size as string).toFixed(), new Decimal(pnl as string).toFixed(), new Decimal(fees as string).toFixed()].join('|');
    expect(rows.map((r) => key(r['symbol'], r['side'], r['size'], r['pnl'], r['fees'])).sort()).toEqual(summary.tradeList.map((t) => key(t['symbol'], t['side'], t['quantity'], t['realizedPnl'], t['fees'])).sort());
    for (const r of rows) {
      expect(r['strategy_name']).toBe('breakout');
      expect(r['mode']).toBe('PAPER');
      expect(r['venue']).toBe('sim');
      expect(r['error_code']).toBe('');
      expect(r['timestamp']).toMatch(/^2022-12-13T\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(new Decimal(r['gross_pnl']!).eq(new Decimal(r['pnl']!).plus(r['fees']!))).toBe(true);
      expect(r['exit_price'] === '').toBe(r['status'] === 'open');
    }
    const times = rows.map((r) => r['timestamp']!);
    expect([...times].sort()).toEqual(times);
  });

  it('writes the same rows as JSON, absent values as null', () => {
    const csv = parse<Record<string, string>>(readFileSync(join(out, 'trades.csv'), 'utf8'), { columns: true });
    const doc = JSON.parse(readFileSync(exportTrades({ ...req('trades.json'), format: 'json' }).file, 'utf8')) as { runId: string; trades: Array<Record<string, string | null>> };
    expect(doc.runId).toBe(summary['runId']);
    expect(doc.trades.map((t) => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v ?? ''])))).toEqual(csv);
  });

  it('refuses a second export to the same path and keeps the file; backup mode copies it to a dated .bak first', () => {
    const file = join(out, 'again.csv');
    writeFileSync(file, 'an earlier export\n');
    const e = refusal(() => exportTrades({ ...req('again.csv'), format: 'csv' }));
    expect(e.reason).toBe('exists');
    expect(e.message).toContain('--overwrite-mode backup');
    expect(readFileSync(file, 'utf8')).toBe('an earlier export\n');
    const outcome = exportTrades({ ...req('again.csv', { overwriteMode: 'backup' }), format: 'csv' });
    expect(outcome.backup).toBe(`${file}.20261120T074813123Z.bak`);
    expect(readFileSync(outcome.backup!, 'utf8')).toBe('an earlier export\n');
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(out, 'trades.csv'), 'utf8'));
    // A second backup in the same millisecond never overwrites the first.
    const again = exportTrades({ ...req('again.csv', { overwriteMode: 'backup' }), format: 'csv' });
    expect(again.backup).toBe(`${file}.20261120T074813123Z-2.bak`);
    expect(readFileSync(outcome.backup!, 'utf8')).toBe('an earlier export\n');
  });

  it('exports.mode off refuses every export and writes nothing', () => {
    const e = refusal(() => exportTrades({ ...req('off.csv', { mode: 'off' }), format: 'csv' }));
    expect(e.reason).toBe('exports_off');
    expect(existsSync(join(out, 'off.csv'))).toBe(false);
  });
});

describe('X-RPT-3 daily summary', () => {
  it('has one record per day in the time zone with the schema fields, adding up to the run', () => {
    const doc = JSON.parse(readFileSync(exportDaily(req('daily-utc.json')).file, 'utf8')) as { timeZone: string; days: Array<Record<string, unknown>>; totals: Record<string, unknown> };
    // The demo's risk time zone (recorded by the run in its journal) is UTC, and its data is one UTC day.
    expect(doc.timeZone).toBe('UTC');
    expect(doc.days.map((d) => d['date'])).toEqual(['2022-12-13']);
    const day = doc.days[0]!;
    expect(Object.keys(day).sort()).toEqual(['date', 'errors', 'fees', 'grossPnl', 'losses', 'openPositions', 'pnl', 'trades', 'vetoes', 'winRate', 'wins'].sort());
    expect(day['trades']).toBe(summary['trades']);
    expect(day['wins']).toBe(summary['wins']);
    expect(day['losses']).toBe(summary['losses']);
    expect(new Decimal(day['winRate'] as string).eq(new Decimal(summary['wins'] as number).div(summary['trades'] as number))).toBe(true);
    expect(new Decimal(day['pnl'] as string).eq(summary['realizedPnl'] as string)).toBe(true);
    expect(new Decimal(day['fees'] as string).eq(summary['fees'] as string)).toBe(true);
    expect(day['vetoes']).toEqual(summary['vetoes']);
    expect(day['openPositions']).toEqual((summary['openPositions'] as Array<{ symbol: string }>).map((p) => p.symbol).sort());
  });

  it('splits the days at local midnight of the chosen zone (America/Sao_Paulo: 03:00 UTC), still adding up to the run', () => {
    const zone = 'America/Sao_Paulo';
    const doc = JSON.parse(readFileSync(exportDaily({ ...req('daily-sp.json'), timeZone: zone }).file, 'utf8')) as { days: Array<Record<string, unknown>> };
    const trades = parse<Record<string, string>>(readFileSync(join(out, 'trades.csv'), 'utf8'), { columns: true });
    const expected = new Map<string, Decimal>();
    for (const t of trades) {
      const d = localDay(Date.parse(t['timestamp']!), zone);
      expected.set(d, (expected.get(d) ?? new Decimal(0)).plus(t['pnl']!));
    }
    expect(doc.days.map((d) => d['date'])).toEqual(['2022-12-12', '2022-12-13']);
    for (const d of doc.days) expect(new Decimal(d['pnl'] as string).eq(expected.get(d['date'] as string) ?? 0)).toBe(true);
    expect(sum(doc.days.map((d) => d['pnl'] as string)).eq(summary['realizedPnl'] as string)).toBe(true);
    expect(doc.days.reduce((n, d) => n + (d['trades'] as number), 0)).toBe(summary['trades']);
  });

  it('refuses an unknown time zone with a sentence', () => {
    expect(refusal(() => exportDaily({ ...req('daily-bad.json'), timeZone: 'Mars/Olympus' })).message).toContain('unknown IANA time zone');
  });
});

describe('S2-13 GnuCash book', () => {
  it('parses as a GnuCash XML book with the chart of accounts, the commodities and one transaction per trade', () => {
    const outcome = exportGnucash(req('paper.gnucash'));
    const book = parseBook(readFileSync(outcome.file, 'utf8'));
    expect(book.root['@xmlns:gnc']).toBe('http://www.gnucash.org/XML/gnc');
    expect(book.bookSlots).toEqual({ 'tradewarden-book': 'paper', 'tradewarden-run': summary['runId'] });
    expect((book.root['gnc:count-data'] as Array<Record<string, string>>).map((c) => [c['@cd:type'], c['#text']])).toEqual([['book', '1']]);
    expect(book.counts).toEqual({ commodity: book.commodities.length, account: book.accounts.length, transaction: book.transactions.length });
    const symbols = [...new Set(summary.tradeList.filter((t) => t['reason'] !== 'open').map((t) => t['symbol']!))].sort();
    expect(book.commodities.map((c) => `${c.space}:${c.id}`)).toEqual(['CURRENCY:USDT', ...symbols.map((s) => `SIM:${s}`)]);
    expect(book.accounts.map((a) => a.fullName).sort()).toEqual(
      ['', 'Assets', 'Assets:Broker Cash', 'Assets:Positions', ...symbols.map((s) => `Assets:Positions:${s}`), 'Equity', 'Equity:Opening Balance', 'Expenses', 'Expenses:Fees', 'Income', 'Income:Trading PnL'].sort(),
    );
    expect(book.accounts.filter((a) => a.fullName.startsWith('Assets:Positions:')).every((a) => a.type === 'STOCK' && a.commodity.startsWith('SIM:'))).toBe(true);
    // The opening balance, then one transaction per trade of the summary, each naming its strategy and symbol.
    expect(book.transactions.length).toBe(1 + summary.tradeList.length);
    expect(book.transactions[0]!.description).toContain('Opening balance');
    for (const [i, t] of book.transactions.slice(1).entries()) {
      expect(t.description).toMatch(/^breakout (BTCUSDT|ADAUSDT) (buy|sell) /);
      expect(t.currency).toBe('USDT');
      expect(t.posted).toMatch(/^2022-12-13 \d\d:\d\d:\d\d \+0000$/);
      expect(book.transactions[i]!.posted <= t.posted).toBe(true);
    }
    const guids = [...book.accounts.map((a) => a.guid), ...book.transactions.map((t) => t.guid)];
    expect(new Set(guids).size).toBe(guids.length);
    expect(guids.every((g) => /^[0-9a-f]{32}$/.test(g))).toBe(true);
  });

  it('balances every transaction and agrees with the run: income = PnL before fees, expenses = fees, assets = start + net PnL', () => {
    const book = parseBook(readFileSync(join(out, 'paper.gnucash'), 'utf8'));
    for (const t of book.transactions) {
      expect(t.splits.length).toBeGreaterThanOrEqual(2);
      expect(t.splits.reduce((a, s) => a.plus(s.value), new Decimal(0)).isZero()).toBe(true);
      // Exact rationals at the book's denominator (the settle currency's fraction), e.g. 549139553/100000000.
      for (const s of t.splits) expect(s.valueText).toMatch(/^-?\d+\/100000000$/);
    }
    const realized = new Decimal(summary['realizedPnl'] as string);
    const fees = new Decimal(summary['fees'] as string);
    const start = new Decimal(summary['startingBalance'] as string);
    const income = balanceUnder(book, 'Income').neg();
    const expenses = balanceUnder(book, 'Expenses');
    expect(income.eq(realized.plus(fees))).toBe(true);
    expect(expenses.eq(fees)).toBe(true);
    expect(income.minus(expenses).eq(realized)).toBe(true);
    expect(balanceUnder(book, 'Assets').eq(start.plus(realized))).toBe(true);
    expect(balanceUnder(book, 'Assets:Broker Cash').eq(summary['endingBalance'] as string)).toBe(true);
    expect(balanceUnder(book, 'Assets:Positions').isZero()).toBe(true);
    expect(balanceUnder(book, 'Equity').eq(start.neg())).toBe(true);
    // Every closed position opens and closes in its trade: no quantity is left in a position account.
    const positions = new Set(book.accounts.filter((a) => a.type === 'STOCK').map((a) => a.guid));
    expect(book.transactions.flatMap((t) => t.splits).filter((s) => positions.has(s.account)).reduce((a, s) => a.plus(s.quantity), new Decimal(0)).isZero()).toBe(true);
  });

  it('is byte-identical when exported again (deterministic GUIDs and dates), and refuses to overwrite it', () => {
    const first = readFileSync(join(out, 'paper.gnucash'), 'utf8');
    const second = exportGnucash({ ...req('paper-again.gnucash'), now: Date.UTC(2030, 0, 1) });
    expect(readFileSync(second.file, 'utf8')).toBe(first);
    expect(refusal(() => exportGnucash(req('paper.gnucash'))).reason).toBe('exists');
    const backedUp = exportGnucash(req('paper.gnucash', { overwriteMode: 'backup' }));
    expect(readFileSync(backedUp.backup!, 'utf8')).toBe(first);
    expect(readdirSync(out).filter((f) => f.startsWith('paper.gnucash.') && f.endsWith('.bak'))).toEqual(['paper.gnucash.20261120T074813123Z.bak']);
  });

  it('keeps paper and live books apart: a paper run is refused into the live book, and exports.mode live refuses it too', () => {
    const asked = refusal(() => exportGnucash({ ...req('live.gnucash'), book: 'live' }));
    expect(asked.reason).toBe('wrong_book');
    expect(asked.message).toContain('PAPER run');
    expect(refusal(() => exportGnucash(req('live.gnucash', { mode: 'live' }))).reason).toBe('wrong_book');
    expect(existsSync(join(out, 'live.gnucash'))).toBe(false);
    // Without --out, the book goes to <data-dir>/exports/<run-id>/paper.gnucash.
    expect(exportGnucash({ ...req('x'), out: undefined }).file).toBe(join(dataDir, 'exports', summary['runId'] as string, 'paper.gnucash'));
  });
});
