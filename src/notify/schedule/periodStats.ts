/**
 * The figures of the trades closed in a time window, read from the accounts' journals (TRADE_CLOSED, the figures the
 * trade chart computed; `realizedPnl` is net of fees): trade count, wins, losses, win rate, PnL, fees, and PnL by
 * symbol, the highest pyramid ladder step reached (LADDER_STEP) and the hedges opened (HEDGE_STEP). Used by the scheduled reports and by `/profit <days>` and `/daily`. Exact Decimals; reads only.
 */
import { roundMoney } from '../../domain/rounding.ts';
import { Either } from 'effect';
import { Decimal, ZERO } from '../../domain/money.ts';
import type { Journal } from '../../journal/Journal.ts';
import { decodeJournalPayload } from '../../journal/events.ts';

/** One symbol's share of a window. */
export interface SymbolStats {
  readonly symbol: string;
  readonly trades: number;
  readonly pnl: Decimal;
}

/** The closed trades of a window `[from, to)` (epoch ms of the journals' clock). */
export interface PeriodStats {
  readonly from: number;
  readonly to: number;
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** wins / trades as a fraction; undefined without trades. */
  readonly winRate: Decimal | undefined;
  readonly pnl: Decimal;
  readonly fees: Decimal;
  /** By PnL, best first (then by symbol). */
  readonly symbols: ReadonlyArray<SymbolStats>;
  /** The cumulative net PnL after each trade of the period, in close order (the report chart's line). */
  readonly curve: ReadonlyArray<{ readonly ts: number; readonly pnl: Decimal }>;
  /** TRADE_CLOSED entries whose payload did not decode (counted, never fatal). */
  readonly unreadable: number;
  /** S0-19: the highest pyramid ladder step any position reached in the window (LADDER_STEP, S0-9); undefined: none. */
  readonly pyramidStep: number | undefined;
  /** S0-19: hedges opened in the window (HEDGE_STEP `on`, S0-12). */
  readonly hedges: number;
}

/** Reads the trades closed in `[from, to)` from every journal. */
export const periodStats = (journals: ReadonlyArray<Journal>, from: number, to: number): PeriodStats => {
  let trades = 0;
  let wins = 0;
  let unreadable = 0;
  let pnl = ZERO;
  let fees = ZERO;
  const bySymbol = new Map<string, { trades: number; pnl: Decimal }>();
  const closes: Array<{ ts: number; net: Decimal }> = [];
  for (const journal of journals) {
    // Collected first: nothing may write through the journal while its statement iterates.
    const entries = [...journal.readEvents({ type: 'TRADE_CLOSED' })].filter((e) => e.ts >= from && e.ts < to);
    for (const e of entries) {
      const decoded = decodeJournalPayload('TRADE_CLOSED', e.payload);
      if (Either.isLeft(decoded)) {
        unreadable += 1;
        continue;
      }
      const t = decoded.right;
      const net = new Decimal(t.realizedPnl);
      trades += 1;
      if (net.gt(0)) wins += 1;
      pnl = pnl.plus(net);
      fees = fees.plus(t.fees);
      closes.push({ ts: e.ts, net });
      const s = bySymbol.get(t.symbol) ?? { trades: 0, pnl: ZERO };
      bySymbol.set(t.symbol, { trades: s.trades + 1, pnl: s.pnl.plus(net) });
    }
  }
  // S0-9: a step counts as reached when it was done at the venue or needed nothing of it; a blocked one is not.
  let pyramidStep: number | undefined;
  for (const journal of journals) {
    const steps = [...journal.readEvents({ type: 'LADDER_STEP' })].filter((e) => e.ts >= from && e.ts < to);
    for (const e of steps) {
      const decoded = decodeJournalPayload('LADDER_STEP', e.payload);
      if (Either.isLeft(decoded) || decoded.right.result === 'blocked') continue;
      pyramidStep = Math.max(pyramidStep ?? 0, decoded.right.step);
    }
  }
  // S0-12: a hedge counts once it opened (filled and protected at the venue); one that failed does not.
  let hedges = 0;
  for (const journal of journals) {
    for (const e of journal.readEvents({ type: 'HEDGE_STEP' })) {
      if (e.ts < from || e.ts >= to) continue;
      const decoded = decodeJournalPayload('HEDGE_STEP', e.payload);
      if (Either.isRight(decoded) && decoded.right.action === 'on') hedges += 1;
    }
  }
  const symbols = [...bySymbol].map(([symbol, s]) => ({ symbol, ...s })).sort((a, b) => b.pnl.comparedTo(a.pnl) || a.symbol.localeCompare(b.symbol));
  let running = ZERO;
  const curve = closes.sort((a, b) => a.ts - b.ts).map((c) => ({ ts: c.ts, pnl: (running = running.plus(c.net)) }));
  return { from, to, trades, wins, losses: trades - wins, winRate: trades === 0 ? undefined : new Decimal(wins).div(trades), pnl, fees, symbols, curve, unreadable, pyramidStep, hedges };
};

/** Returns a fraction as a percentage with two decimals at most and a space before the sign (`66.67 %`, S0-18). */
export const percentText = (fraction: Decimal | undefined): string => (fraction === undefined ? 'n/a' : `${roundMoney(fraction.times(100), 2).toString()} %`);

/** Returns a signed decimal (`+12.5`, `-0.3`, `0`). */
export const signedText = (d: Decimal): string => (d.gt(0) ? `+${d.toString()}` : d.toString());
