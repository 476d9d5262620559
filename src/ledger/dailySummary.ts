/**
 * The daily summary of a run (X-RPT-3, S2-14): one record per calendar day in the risk time zone — trades closed,
 * wins, losses, win rate, realized PnL (net and before fees), fees, the positions still open at the day's end, the
 * risk vetoes and the errors of the day. A trade counts on the day of its timestamp (its close; a cycle still open, its
 * entry), so the days add up to the run's totals exactly. Pure over the trade history it is given.
 */
import { Decimal, ZERO } from '../domain/money.ts';
import type { Occurrence } from './journalFacts.ts';
import { plain } from './tradesExport.ts';
import type { TradeHistory, TradeRecord } from './tradeHistory.ts';

/** One day of the summary; amounts as exact decimal strings. */
export interface DailyRecord {
  /** The local calendar day, YYYY-MM-DD in `timeZone`. */
  readonly date: string;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / trades as a decimal fraction, null on a day without closed trades. */
  readonly winRate: string | null;
  readonly pnl: string;
  readonly grossPnl: string;
  readonly fees: string;
  /** Cycles open at the end of the day (opened by then, not closed by then), by symbol. */
  readonly openPositions: ReadonlyArray<string>;
  readonly vetoes: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
}

/** The daily summary document. */
export interface DailySummary {
  readonly runId: string;
  readonly profile: string;
  readonly mode: string;
  readonly timeZone: string;
  readonly days: ReadonlyArray<DailyRecord>;
  readonly totals: { readonly trades: number; readonly wins: number; readonly losses: number; readonly winRate: string | null; readonly pnl: string; readonly grossPnl: string; readonly fees: string };
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** Returns the local calendar day (YYYY-MM-DD) of an instant in an IANA time zone. */
export const localDay = (ts: number, timeZone: string): string => {
  let f = dayFormatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, f);
  }
  const parts = f.formatToParts(ts);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}`;
};

/** Whether a string names an IANA time zone this runtime knows. */
export const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const counts = (xs: ReadonlyArray<Occurrence>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const x of [...xs].sort((a, b) => a.kind.localeCompare(b.kind))) out[x.kind] = (out[x.kind] ?? 0) + 1;
  return out;
};

const winRate = (wins: number, trades: number): string | null => (trades === 0 ? null : plain(new Decimal(wins).div(trades)));

const figures = (trades: ReadonlyArray<TradeRecord>) => {
  const closed = trades.filter((t) => t.closedAt !== undefined);
  const wins = closed.filter((t) => t.pnl.gt(0)).length;
  const sum = (f: (t: TradeRecord) => Decimal): string => plain(trades.reduce((a, t) => a.plus(f(t)), ZERO));
  return { trades: closed.length, wins, losses: closed.length - wins, winRate: winRate(wins, closed.length), pnl: sum((t) => t.pnl), grossPnl: sum((t) => t.grossPnl), fees: sum((t) => t.fees) };
};

/** Returns the daily summary of a history in a time zone; every day from the first to the last with activity. */
export const dailySummary = (history: TradeHistory, timeZone: string): DailySummary => {
  const { summary } = history.source;
  const vetoes = history.facts.flatMap((f) => f.vetoes);
  const errors = history.facts.flatMap((f) => f.errors);
  const day = (ts: number): string => localDay(ts, timeZone);
  const days = new Set<string>([...history.trades.map((t) => day(t.timestamp)), ...vetoes.map((v) => day(v.ts)), ...errors.map((e) => day(e.ts))]);
  const records = [...days].sort().map((date): DailyRecord => {
    const open = history.trades
      .filter((t) => t.openedAt !== undefined && day(t.openedAt) <= date && (t.closedAt === undefined || day(t.closedAt) > date))
      .map((t) => t.symbol)
      .sort();
    return {
      date,
      ...figures(history.trades.filter((t) => day(t.timestamp) === date)),
      openPositions: open,
      vetoes: counts(vetoes.filter((v) => day(v.ts) === date)),
      errors: counts(errors.filter((e) => day(e.ts) === date)),
    };
  });
  return { runId: history.source.runId, profile: summary.profile, mode: summary.mode, timeZone, days: records, totals: figures(history.trades) };
};
