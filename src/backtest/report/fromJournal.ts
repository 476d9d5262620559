/**
 * Reads a backtest's results out of its journal — every fill of our orders (with the order's symbol, side, intent and
 * strategy from the orders projection), every venue-side fill (TP/SL, liquidation) and every closed trade cycle — and
 * marks the account to the replayed bar closes: the equity curve, the exposure per symbol, the cycles still open at
 * the end. Cash accounting in Decimal; reads the journal only, writes nothing.
 */
import { Decimal, ZERO } from '../../domain/money.ts';
import type { Journal } from '../../journal/Journal.ts';
import type { Bar } from '../../venues/sim/replay/loadBarsCsv.ts';
import type { BacktestFill, BacktestTrade, EquityPoint, PriceSeries } from './types.ts';

/** What the run left: its fills and trades, the curve and the price series. */
export interface RunResults {
  readonly fills: ReadonlyArray<BacktestFill>;
  readonly trades: ReadonlyArray<BacktestTrade>;
  readonly equity: ReadonlyArray<EquityPoint>;
  readonly prices: ReadonlyArray<PriceSeries>;
  /** Cash after every fill (starting balance − buys + sells − fees): with no position left it is the ending balance. */
  readonly endingCash: string;
}

interface FillRecord extends BacktestFill {
  readonly intentId: string | undefined;
  readonly strategyId: string | undefined;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : String(v));

/** Returns the fills of the journal in journal order. */
const fillsOf = (journal: Journal): FillRecord[] => {
  const out: FillRecord[] = [];
  for (const e of journal.readEvents()) {
    if (e.type !== 'ORDER_FILLED' && e.type !== 'VENUE_FILL') continue;
    const p = e.payload as Record<string, unknown>;
    const order = journal.getOrder(str(p['clientOrderId']));
    const symbol = e.type === 'VENUE_FILL' ? str(p['symbol']) : order?.symbol;
    const side = e.type === 'VENUE_FILL' ? str(p['side']) : order?.side;
    if (symbol === undefined || (side !== 'buy' && side !== 'sell')) continue;
    out.push({
      ts: e.ts, symbol, side, price: str(p['price']), quantity: str(p['quantity']), fee: str(p['fee']),
      intentId: order?.intentId, strategyId: order?.strategyId,
    });
  }
  return out;
};

/** Returns the strategy of each decision (intent) the journal approved. */
const strategiesOfIntents = (journal: Journal): Map<string, string> => {
  const out = new Map<string, string>();
  for (const e of journal.readEvents({ type: 'RISK_DECISION' })) {
    const p = e.payload as { kind?: string; decisionId?: string; order?: { strategyId?: string } };
    if (p.kind === 'approve' && p.decisionId !== undefined && p.order?.strategyId !== undefined) out.set(p.decisionId, p.order.strategyId);
  }
  return out;
};

/**
 * Builds the run's results from its journal and the bars it replayed (`intervalMs` each). Equity points sit at each
 * bar close (bar start + interval) and count the fills before that instant; a fill at the next bar's open belongs to
 * the next point.
 */
export const resultsFromJournal = (opts: {
  readonly journal: Journal;
  readonly bars: ReadonlyMap<string, { readonly bars: ReadonlyArray<Bar>; readonly intervalMs: number }>;
  readonly startingBalance: Decimal;
}): RunResults => {
  const fills = fillsOf(opts.journal);
  const intentStrategy = strategiesOfIntents(opts.journal);
  const symbols = [...opts.bars.keys()].sort();

  // Closed cycles: the exit time is the TRADE_CLOSED entry's, the entry time the first fill of its intent.
  const firstFill = new Map<string, number>();
  for (const f of fills) if (f.intentId !== undefined && !firstFill.has(f.intentId)) firstFill.set(f.intentId, f.ts);
  const trades: BacktestTrade[] = [];
  for (const e of opts.journal.readEvents({ type: 'TRADE_CLOSED' })) {
    const p = e.payload as Record<string, string>;
    const intentId = p['intentId']!;
    trades.push({
      symbol: p['symbol']!, strategyId: intentStrategy.get(intentId) ?? 'unknown', side: p['side'] === 'sell' ? 'sell' : 'buy', quantity: p['quantity']!,
      entryTs: firstFill.get(intentId) ?? e.ts, exitTs: e.ts, entryPrice: p['averageEntryPrice']!, exitPrice: p['averageExitPrice'] ?? null,
      pnl: p['realizedPnl']!, fees: p['fees']!, reason: p['reason']!,
    });
  }

  // The equity curve: cash and positions from the fills, marked to the closes.
  const closes: Array<{ readonly ts: number; readonly symbol: string; readonly close: Decimal }> = [];
  for (const [symbol, feed] of opts.bars) for (const b of feed.bars) closes.push({ ts: b.start + feed.intervalMs, symbol, close: b.close });
  closes.sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  let cash = opts.startingBalance;
  const position = new Map<string, Decimal>();
  const mark = new Map<string, Decimal>();
  const opened = new Map<string, { ts: number; cost: Decimal; quantity: Decimal; fees: Decimal; side: 'buy' | 'sell'; strategyId: string }>();
  const applyFill = (f: FillRecord): void => {
    const q = new Decimal(f.quantity);
    const notional = q.times(f.price);
    cash = f.side === 'buy' ? cash.minus(notional) : cash.plus(notional);
    cash = cash.minus(f.fee);
    const before = position.get(f.symbol) ?? ZERO;
    const after = f.side === 'buy' ? before.plus(q) : before.minus(q);
    position.set(f.symbol, after);
    const o = opened.get(f.symbol);
    if (before.isZero() && !after.isZero()) {
      opened.set(f.symbol, { ts: f.ts, cost: notional, quantity: q, fees: new Decimal(f.fee), side: f.side, strategyId: (f.intentId === undefined ? undefined : intentStrategy.get(f.intentId)) ?? f.strategyId ?? 'unknown' });
    } else if (o !== undefined && after.isZero()) {
      opened.delete(f.symbol);
    } else if (o !== undefined) {
      const adds = (o.side === 'buy') === (f.side === 'buy');
      opened.set(f.symbol, { ...o, cost: adds ? o.cost.plus(notional) : o.cost, quantity: adds ? o.quantity.plus(q) : o.quantity, fees: o.fees.plus(f.fee) });
    }
  };
  const equity: EquityPoint[] = [];
  let next = 0;
  for (let i = 0; i < closes.length; i++) {
    const c = closes[i]!;
    while (next < fills.length && fills[next]!.ts < c.ts) applyFill(fills[next++]!);
    mark.set(c.symbol, c.close);
    // One point per instant: the last close of that instant carries every symbol's mark.
    if (closes[i + 1]?.ts === c.ts) continue;
    let value = cash;
    const exposure: Record<string, string> = {};
    for (const s of symbols) {
      const q = position.get(s) ?? ZERO;
      if (q.isZero()) continue;
      const m = mark.get(s) ?? ZERO;
      value = value.plus(q.times(m));
      exposure[s] = q.abs().times(m).toString();
    }
    equity.push({ ts: c.ts, equity: value.toString(), exposure });
  }
  while (next < fills.length) applyFill(fills[next++]!);

  // Cycles still open: marked to the last close, net of their fees so far.
  for (const s of symbols) {
    const o = opened.get(s);
    const q = position.get(s) ?? ZERO;
    if (o === undefined || q.isZero()) continue;
    const m = mark.get(s) ?? ZERO;
    const entryPrice = o.cost.div(o.quantity);
    const pnl = (o.side === 'buy' ? m.minus(entryPrice) : entryPrice.minus(m)).times(q.abs()).minus(o.fees);
    trades.push({
      symbol: s, strategyId: o.strategyId, side: o.side, quantity: q.abs().toString(), entryTs: o.ts, exitTs: null, entryPrice: entryPrice.toSignificantDigits(20).toString(),
      exitPrice: null, pnl: pnl.toSignificantDigits(20).toString(), fees: o.fees.toString(), reason: 'open',
    });
  }
  trades.sort((a, b) => a.entryTs - b.entryTs || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));

  const prices: PriceSeries[] = symbols.map((symbol) => {
    const bars = opts.bars.get(symbol)!.bars;
    return { symbol, ts: bars.map((b) => b.start), close: bars.map((b) => b.close.toNumber()) };
  });
  return { fills: fills.map(({ intentId: _i, strategyId: _s, ...f }) => f), trades, equity, prices, endingCash: cash.toString() };
};
