/**
 * The GnuCash book of one run (S2-13), as data: the settle currency and one commodity per traded symbol, the chart of
 * accounts (Assets:Broker Cash, Assets:Positions:<symbol>, Income:Trading PnL, Expenses:Fees, Equity:Opening Balance),
 * an opening-balance transaction and one balanced transaction per trade, every amount an exact Decimal. Rendering to
 * XML is gnucashXml.ts. Pure: no I/O, no clock (dates are the trades' own).
 */
import { Decimal, ZERO } from '../../domain/money.ts';
import type { TradeHistory, TradeRecord } from '../tradeHistory.ts';
import { guidOf } from './guid.ts';
import { fractionOf, roundTo, scaleFor } from './rational.ts';

/** paper or live: the two books never mix (S2-3, S2-13). */
export type BookKind = 'paper' | 'live';

/** A GnuCash commodity: the settle currency (space CURRENCY) or a traded symbol (space: the venue). */
export interface Commodity {
  readonly space: string;
  readonly id: string;
  readonly name: string;
  /** Decimals of its smallest unit: the commodity fraction is 10^scale. */
  readonly scale: number;
}

/** GnuCash account types used by the book. */
export type AccountType = 'ROOT' | 'ASSET' | 'STOCK' | 'INCOME' | 'EXPENSE' | 'EQUITY';

/** One account of the chart. */
export interface BookAccount {
  readonly guid: string;
  readonly name: string;
  /** Colon-separated path from the root (`Assets:Broker Cash`); empty for the root. */
  readonly fullName: string;
  readonly type: AccountType;
  readonly commodity: Commodity;
  readonly description: string;
  readonly placeholder: boolean;
  readonly parent: string | undefined;
}

/** One split: `value` in the transaction currency (positive = debit), `quantity` in the account's commodity. */
export interface BookSplit {
  readonly guid: string;
  readonly account: string;
  readonly value: Decimal;
  readonly quantity: Decimal;
  readonly memo: string;
}

/** One transaction. */
export interface BookTransaction {
  readonly guid: string;
  readonly num: string;
  readonly posted: number;
  readonly description: string;
  /** GnuCash's transaction notes: strategy, symbol, trade id and run id in `key=value` form. */
  readonly notes: string;
  readonly splits: ReadonlyArray<BookSplit>;
}

/** A whole book. */
export interface GnucashBook {
  readonly guid: string;
  readonly kind: BookKind;
  readonly runId: string;
  readonly currency: Commodity;
  readonly commodities: ReadonlyArray<Commodity>;
  readonly accounts: ReadonlyArray<BookAccount>;
  readonly transactions: ReadonlyArray<BookTransaction>;
}

/** What a book is built from besides the trades. */
export interface BookInput {
  readonly history: TradeHistory;
  readonly kind: BookKind;
  /** The settle asset the run's cash is counted in (USDT). */
  readonly currency: string;
}

/** The full names of the accounts every book has. */
export const ACCOUNTS = {
  cash: 'Assets:Broker Cash',
  positions: 'Assets:Positions',
  pnl: 'Income:Trading PnL',
  fees: 'Expenses:Fees',
  opening: 'Equity:Opening Balance',
} as const;

const TOP: ReadonlyArray<readonly [string, AccountType, string]> = [
  ['Assets', 'ASSET', 'What the account holds'],
  [ACCOUNTS.cash, 'ASSET', 'Cash at the broker in the settle asset: opening balance, realized PnL, fees'],
  [ACCOUNTS.positions, 'ASSET', 'Positions by symbol, carried at cost; each closed trade opens and closes its position'],
  ['Income', 'INCOME', 'Income'],
  [ACCOUNTS.pnl, 'INCOME', 'Realized trading PnL before fees'],
  ['Expenses', 'EXPENSE', 'Expenses'],
  [ACCOUNTS.fees, 'EXPENSE', 'Trading fees paid to the venue'],
  ['Equity', 'EQUITY', 'Equity'],
  [ACCOUNTS.opening, 'EQUITY', 'The run\'s starting balance'],
];

const PLACEHOLDERS: ReadonlySet<string> = new Set(['Assets', ACCOUNTS.positions, 'Income', 'Expenses', 'Equity']);

const nameOf = (fullName: string): string => fullName.slice(fullName.lastIndexOf(':') + 1);
const parentOf = (fullName: string): string => (fullName.includes(':') ? fullName.slice(0, fullName.lastIndexOf(':')) : '');

const descriptionOf = (t: TradeRecord): string => {
  const who = t.strategyName === '' ? 'unknown strategy' : t.strategyName;
  const what = t.closedAt !== undefined ? `closed (${t.exitReason})` : 'open at the end of the run: fees so far';
  return `${who} ${t.symbol} ${t.side} ${t.size.toFixed()} ${what}`;
};

/** The position's cost at the entry price: kept to the book's unit, opened and closed in one trade, so it cancels. */
const costOf = (t: TradeRecord, scale: number): Decimal => roundTo(t.size.times(t.entryPrice), scale);

/** Returns the book of a run. Throws LedgerError `amount_out_of_range` for an amount GnuCash cannot hold exactly. */
export const buildGnucashBook = (input: BookInput): GnucashBook => {
  const { history, kind } = input;
  const { source, trades } = history;
  const runId = source.runId;
  const start = source.summary.startingBalance === null ? undefined : new Decimal(source.summary.startingBalance);
  const scale = scaleFor([...(start === undefined ? [] : [start]), ...trades.flatMap((t) => [t.grossPnl, t.fees])], 'amount', 2);
  const currency: Commodity = { space: 'CURRENCY', id: input.currency, name: `${input.currency} (settle asset)`, scale };
  const symbols = [...new Set(trades.filter((t) => t.closedAt !== undefined).map((t) => t.symbol))].sort();
  const space = (source.summary.venue === '' ? 'VENUE' : source.summary.venue).toUpperCase();
  const commodities = symbols.map((s): Commodity => ({ space, id: s, name: s, scale: scaleFor(trades.filter((t) => t.symbol === s).map((t) => t.size), `${s} size`) }));

  const accounts: BookAccount[] = [];
  const guid = (k: 'account' | 'transaction' | 'split' | 'book', key: string): string => guidOf(runId, kind, k, key);
  const add = (fullName: string, type: AccountType, description: string, commodity: Commodity): void => {
    const parent = parentOf(fullName);
    accounts.push({ guid: guid('account', fullName), name: nameOf(fullName), fullName, type, commodity, description, placeholder: PLACEHOLDERS.has(fullName), parent: guid('account', parent) });
  };
  accounts.push({ guid: guid('account', ''), name: 'Root Account', fullName: '', type: 'ROOT', commodity: currency, description: '', placeholder: false, parent: undefined });
  for (const [fullName, type, description] of TOP) add(fullName, type, description, currency);
  for (const c of commodities) add(`${ACCOUNTS.positions}:${c.id}`, 'STOCK', `${c.id} on ${space.toLowerCase()}`, c);
  const accountOf = (fullName: string): string => guid('account', fullName);

  const transactions: BookTransaction[] = [];
  if (start !== undefined && !start.isZero()) {
    transactions.push({
      guid: guid('transaction', 'opening'), num: '0', posted: source.summary.dataStart, description: `Opening balance of run ${runId}`, notes: `run=${runId}`,
      splits: [
        { guid: guid('split', 'opening#0'), account: accountOf(ACCOUNTS.cash), value: start, quantity: start, memo: 'starting balance' },
        { guid: guid('split', 'opening#1'), account: accountOf(ACCOUNTS.opening), value: start.neg(), quantity: start.neg(), memo: 'starting balance' },
      ],
    });
  }
  trades.forEach((t, i) => {
    const legs: Array<Omit<BookSplit, 'guid'>> = [];
    if (t.closedAt !== undefined && !t.size.isZero()) {
      // A long opens with +size, a short with -size; both legs at the same cost, so the position account nets to zero.
      const sign = t.side === 'buy' ? 1 : -1;
      const cost = costOf(t, scale).times(sign);
      const position = accountOf(`${ACCOUNTS.positions}:${t.symbol}`);
      const exit = t.exitPrice === undefined ? '' : ` (exit at ${t.exitPrice.toFixed()})`;
      legs.push({ account: position, value: cost, quantity: t.size.times(sign), memo: `open ${t.side} ${t.size.toFixed()} @ ${t.entryPrice.toFixed()}` });
      legs.push({ account: position, value: cost.neg(), quantity: t.size.times(-sign), memo: `close at cost${exit}` });
    }
    if (!t.grossPnl.isZero()) {
      legs.push({ account: accountOf(ACCOUNTS.cash), value: t.grossPnl, quantity: t.grossPnl, memo: 'realized PnL before fees' });
      legs.push({ account: accountOf(ACCOUNTS.pnl), value: t.grossPnl.neg(), quantity: t.grossPnl.neg(), memo: 'realized PnL before fees' });
    }
    if (!t.fees.isZero()) {
      legs.push({ account: accountOf(ACCOUNTS.cash), value: t.fees.neg(), quantity: t.fees.neg(), memo: 'fees' });
      legs.push({ account: accountOf(ACCOUNTS.fees), value: t.fees, quantity: t.fees, memo: 'fees' });
    }
    if (legs.length === 0) return;
    transactions.push({
      guid: guid('transaction', t.tradeId), num: String(i + 1), posted: t.timestamp, description: descriptionOf(t),
      notes: `strategy=${t.strategyName} symbol=${t.symbol} account=${t.account} trade=${t.tradeId} run=${runId}`,
      splits: legs.map((l, n) => ({ ...l, guid: guid('split', `${t.tradeId}#${n}`) })),
    });
  });
  return { guid: guid('book', 'book'), kind, runId, currency, commodities, accounts, transactions };
};

/** Returns the sum of every split's value in an account (GnuCash's sign: debits positive), exactly. */
export const balanceOf = (book: GnucashBook, fullName: string): Decimal => {
  const account = book.accounts.find((a) => a.fullName === fullName);
  if (account === undefined) return ZERO;
  return book.transactions.flatMap((t) => t.splits).filter((s) => s.account === account.guid).reduce((a, s) => a.plus(s.value), ZERO);
};

/** The commodity fraction of a commodity (10^scale). */
export const fractionOfCommodity = (c: Commodity): number => fractionOf(c.scale);
