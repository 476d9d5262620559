/**
 * The trade history of one run (X-RPT-2): every trade cycle as one record, exact Decimals throughout. Closed trades
 * come from the journals' TRADE_CLOSED entries (figures as the trade chart computed them, the same ones RunStats puts
 * in the summary), with the strategy and venue of the orders that made them; cycles still open at the end of the run
 * come from the summary's trade list (what they realized so far, fees mostly), matched to their entry in the journal.
 * `pnl` is net of fees, as in the summary; `grossPnl` is before fees. Pure over what it is given, plus the journal reads.
 */
import { Decimal, ZERO } from '../domain/money.ts';
import type { Clock } from '../kernel/Clock.ts';
import { readAccountFacts, type AccountFacts, type IntentFacts } from './journalFacts.ts';
import type { RunSource, SummaryTrade } from './runs.ts';

/** One trade cycle of a run. */
export interface TradeRecord {
  /** The cycle's intent id (the id of every order it sent); `open:<account>:<symbol>` when the journal does not show it. */
  readonly tradeId: string;
  readonly account: string;
  /** When the trade closed; for a cycle still open, when its entry first filled (else the end of the run). */
  readonly timestamp: number;
  readonly openedAt: number | undefined;
  readonly closedAt: number | undefined;
  readonly strategyName: string;
  readonly symbol: string;
  /** The entry's side. */
  readonly side: 'buy' | 'sell';
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  readonly exitPrice: Decimal | undefined;
  /** Realized PnL net of fees (the summary's `realizedPnl`). */
  readonly pnl: Decimal;
  readonly fees: Decimal;
  /** Realized PnL before fees: `pnl + fees`. */
  readonly grossPnl: Decimal;
  readonly venue: string;
  readonly mode: string;
  readonly status: 'closed' | 'open';
  /** takeProfit, stopLoss, exit, liquidation, external; `open` for a cycle still open. */
  readonly exitReason: string;
  /** The first venue refusal among the trade's orders (its code, else its reason); empty when none. */
  readonly errorCode: string;
}

/** The trade history of a run, with the journal facts it was read from. */
export interface TradeHistory {
  readonly source: RunSource;
  readonly trades: ReadonlyArray<TradeRecord>;
  readonly facts: ReadonlyArray<AccountFacts>;
}

const belongsTo = (t: SummaryTrade, account: string, single: boolean): boolean => (t.account === undefined ? single : t.account === account);

/** The entry in the journal of a cycle still open: its symbol's latest filled intent that did not close. */
const openIntentOf = (facts: AccountFacts, symbol: string, closedIds: ReadonlySet<string>, taken: ReadonlySet<string>): IntentFacts | undefined => {
  let best: IntentFacts | undefined;
  for (const intent of facts.intents.values()) {
    if (intent.symbol !== symbol || intent.firstFill === undefined || closedIds.has(intent.intentId) || taken.has(intent.intentId)) continue;
    if (best === undefined || intent.firstFill.seq > best.firstFill!.seq) best = intent;
  }
  return best;
};

const closedRecords = (facts: AccountFacts, mode: string, venue: string): TradeRecord[] =>
  facts.closed.map(({ ts, trade }) => {
    const intent = facts.intents.get(trade.intentId);
    const pnl = new Decimal(trade.realizedPnl);
    const fees = new Decimal(trade.fees);
    return {
      tradeId: trade.intentId, account: facts.account, timestamp: ts, openedAt: intent?.firstFill?.ts, closedAt: ts,
      strategyName: intent?.strategyId ?? '', symbol: trade.symbol, side: trade.side, size: new Decimal(trade.quantity),
      entryPrice: new Decimal(trade.averageEntryPrice), exitPrice: trade.averageExitPrice === null ? undefined : new Decimal(trade.averageExitPrice),
      pnl, fees, grossPnl: pnl.plus(fees), venue: intent?.venue ?? venue, mode, status: 'closed', exitReason: trade.reason, errorCode: intent?.rejection ?? '',
    };
  });

const openRecords = (facts: AccountFacts, open: ReadonlyArray<SummaryTrade>, mode: string, venue: string, end: number): TradeRecord[] => {
  const closedIds = new Set(facts.closed.map((c) => c.trade.intentId));
  const taken = new Set<string>();
  return open.map((c) => {
    const intent = openIntentOf(facts, c.symbol, closedIds, taken);
    if (intent !== undefined) taken.add(intent.intentId);
    const pnl = new Decimal(c.realizedPnl);
    const fees = new Decimal(c.fees);
    return {
      tradeId: intent?.intentId ?? `open:${facts.account}:${c.symbol}`, account: facts.account, timestamp: intent?.firstFill?.ts ?? end, openedAt: intent?.firstFill?.ts, closedAt: undefined,
      strategyName: intent?.strategyId ?? '', symbol: c.symbol, side: c.side, size: new Decimal(c.quantity), entryPrice: new Decimal(c.entryPrice), exitPrice: undefined,
      pnl, fees, grossPnl: pnl.plus(fees), venue: intent?.venue ?? venue, mode, status: 'open', exitReason: 'open', errorCode: intent?.rejection ?? '',
    };
  });
};

/** Reads a run's trade history from its journals and summary; ordered by timestamp, then account, then trade id. */
export const readTradeHistory = (source: RunSource, clock: Clock): TradeHistory => {
  const { summary } = source;
  const single = source.journals.length === 1;
  const facts = source.journals.map((j) => readAccountFacts(j, clock));
  const trades = facts.flatMap((f) => {
    const mode = f.mode ?? summary.mode;
    const open = summary.tradeList.filter((t) => t.reason === 'open' && belongsTo(t, f.account, single));
    return [...closedRecords(f, mode, summary.venue), ...openRecords(f, open, mode, summary.venue, summary.dataEnd)];
  });
  trades.sort((a, b) => a.timestamp - b.timestamp || a.account.localeCompare(b.account) || a.tradeId.localeCompare(b.tradeId));
  return { source, trades, facts };
};

/** Where a history and its run's summary disagree (counts and sums); empty when they agree to the unit. */
export const disagreementsWithSummary = (history: TradeHistory): ReadonlyArray<string> => {
  const { summary } = history.source;
  const sum = (xs: ReadonlyArray<Decimal>): Decimal => xs.reduce((a, x) => a.plus(x), ZERO);
  const problems: string[] = [];
  const closed = history.trades.filter((t) => t.closedAt !== undefined);
  if (closed.length !== summary.trades) problems.push(`${closed.length} closed trade(s) in the journal, ${summary.trades} in the summary`);
  const pnl = sum(history.trades.map((t) => t.pnl));
  if (!pnl.eq(summary.realizedPnl)) problems.push(`realized PnL ${pnl.toFixed()} in the journal, ${summary.realizedPnl} in the summary`);
  const listed = sum(summary.tradeList.map((t) => new Decimal(t.fees)));
  const fees = sum(history.trades.map((t) => t.fees));
  if (!fees.eq(listed)) problems.push(`fees ${fees.toFixed()} in the journal, ${listed.toFixed()} in the summary's trade list`);
  return problems;
};
