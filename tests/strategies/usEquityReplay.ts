/**
 * Test support for the US-equity strategies (S2-6, S2-7): 1-minute bars written at New York wall times with an explicit
 * UTC offset, market snapshots, the raw rows of a bundled equity CSV (its `time_et` text kept, so a test can check
 * windows without the strategy's own time code), and a replay that feeds a strategy bar by bar the way the runtime
 * does, with a toy fill model: an entry or exit proposal fills at the open of that symbol's next bar. No stops.
 */
import { readFileSync } from 'node:fs';
import { Decimal } from '../../src/domain/money.ts';
import type { TradeProposal } from '../../src/domain/TradeProposal.ts';
import type { BarView, HeldPosition, MarketSnapshot, OwnFill, SymbolMarket } from '../../src/market/MarketState.ts';
import type { Strategy } from '../../src/strategies/Strategy.ts';

const MINUTE_MS = 60_000;

/** Returns a bar opening at the wall time `at` (ISO with offset, e.g. `2024-07-10T09:30:00-04:00`). */
export const barAt = (at: string, open: number, high: number, low: number, close: number, volume: number): BarView => {
  const start = Date.parse(at);
  if (Number.isNaN(start)) throw new Error(`bad time ${at}`);
  return { start, open: new Decimal(open), high: new Decimal(high), low: new Decimal(low), close: new Decimal(close), volume: new Decimal(volume) };
};

/** Returns `HH:MM` plus `minutes` as `HH:MM` (same day). */
export const plusMinutes = (hhmm: string, minutes: number): string => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const total = h * 60 + m + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
};

/** Returns a market view of one symbol with these bars. */
export const marketOf = (symbol: string, bars: ReadonlyArray<BarView>): SymbolMarket => {
  const last = bars[bars.length - 1];
  return {
    symbol, bars, lastPrice: last?.close, markPrice: undefined, bid: last?.close, ask: last?.close, bidSize: undefined, askSize: undefined,
    quoteTs: last === undefined ? undefined : last.start + MINUTE_MS, lastBarCloseTs: last === undefined ? undefined : last.start + MINUTE_MS,
  };
};

/** Returns a snapshot at `now` of the given symbols' bars, positions and own fills. */
export const snapshotOf = (
  now: number, bars: Readonly<Record<string, ReadonlyArray<BarView>>>, positions: Readonly<Record<string, HeldPosition>> = {}, fills: ReadonlyArray<OwnFill> = [],
): MarketSnapshot => ({
  now,
  symbols: new Map(Object.entries(bars).map(([s, b]) => [s, marketOf(s, b)])),
  positions: new Map(Object.entries(positions)),
  feedback: { fills, vetoes: [] },
});

/** Returns a long position opened by `strategyId`. */
export const longOf = (strategyId: string | undefined, entryPrice = 100): HeldPosition => ({ side: 'long', quantity: new Decimal(1), entryPrice: new Decimal(entryPrice), strategyId });

/** One raw row of a bundled US-equity CSV (`time_et,unix_ms,open,high,low,close,volume,session`). */
export interface EquityRow {
  /** New York date and time of the bar's open as the file writes it: `2013-10-04` and `09:30`. */
  readonly date: string;
  readonly time: string;
  readonly bar: BarView;
  readonly session: string;
}

/** Reads every row of a bundled US-equity CSV, keeping the file's own New York date and time text. */
export const readEquityRows = (file: string): EquityRow[] => {
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  if (header !== 'time_et,unix_ms,open,high,low,close,volume,session') throw new Error(`${file}: unexpected header ${String(header)}`);
  return lines.map((line) => {
    const [timeEt, unixMs, open, high, low, close, volume, session] = line.split(',') as [string, string, string, string, string, string, string, string];
    const bar = { start: Number(unixMs), open: new Decimal(open), high: new Decimal(high), low: new Decimal(low), close: new Decimal(close), volume: new Decimal(volume) };
    return { date: timeEt.slice(0, 10), time: timeEt.slice(11, 16), bar, session };
  });
};

/**
 * The session VWAP (typical price × volume, from each day's 09:30 row) after each row from 09:30 on, keyed by the
 * row's bar start: summed from the CSV text, independently of the strategy's indicator.
 */
export const sessionVwapByRow = (rows: ReadonlyArray<EquityRow>): Map<number, number> => {
  const out = new Map<number, number>();
  let [day, pv, v] = ['', 0, 0];
  for (const r of rows) {
    if (r.time < '09:30') continue;
    if (r.date !== day) [day, pv, v] = [r.date, 0, 0];
    pv += ((r.bar.high.toNumber() + r.bar.low.toNumber() + r.bar.close.toNumber()) / 3) * r.bar.volume.toNumber();
    v += r.bar.volume.toNumber();
    out.set(r.bar.start, pv / v);
  }
  return out;
};

/** One proposal of a replay with the cycle it came from. */
export interface Proposed {
  readonly now: number;
  readonly proposal: TradeProposal;
}

/** One fill of the replay's toy fill model. */
export interface ReplayFill extends OwnFill {
  readonly proposalId: string;
}

/** What a replay saw. */
export interface Replay<S> {
  readonly proposed: ReadonlyArray<Proposed>;
  readonly fills: ReadonlyArray<ReplayFill>;
  /** The most positions of the strategy held at once. */
  readonly maxHeld: number;
  readonly state: S;
}

/**
 * Feeds `strategy` every minute that has a bar of any symbol, in time order, with the last 500 bars of each symbol
 * (the runtime's MarketState bound) at `now` = that minute's close. A proposal fills at the open of its symbol's next
 * bar: a buy opens a long of the strategy, a sell closes it.
 */
export const replay = <S>(strategy: Strategy<S>, bySymbol: Readonly<Record<string, ReadonlyArray<BarView>>>, maxBars = 500): Replay<S> => {
  const starts = [...new Set(Object.values(bySymbol).flatMap((bars) => bars.map((b) => b.start)))].sort((a, b) => a - b);
  const cursor: Record<string, number> = Object.fromEntries(Object.keys(bySymbol).map((s) => [s, 0]));
  const windows: Record<string, BarView[]> = Object.fromEntries(Object.keys(bySymbol).map((s) => [s, []]));
  const positions: Record<string, HeldPosition> = {};
  const pending = new Map<string, TradeProposal>();
  const proposed: Proposed[] = [];
  const fills: ReplayFill[] = [];
  let maxHeld = 0;
  let state = strategy.init();
  for (const start of starts) {
    for (const [symbol, bars] of Object.entries(bySymbol)) {
      const bar = bars[cursor[symbol]!];
      if (bar?.start !== start) continue;
      cursor[symbol]! += 1;
      const order = pending.get(symbol);
      if (order !== undefined) {
        pending.delete(symbol);
        fills.push({ ts: bar.start, symbol, side: order.side, price: bar.open, quantity: new Decimal(1), fee: new Decimal(0), proposalId: order.proposalId });
        if (order.side === 'buy') positions[symbol] = longOf(order.strategyId, bar.open.toNumber());
        else delete positions[symbol];
      }
      const w = windows[symbol]!;
      w.push(bar);
      if (w.length > maxBars) w.shift();
    }
    maxHeld = Math.max(maxHeld, Object.keys(positions).length);
    const now = start + MINUTE_MS;
    const step = strategy.propose(snapshotOf(now, Object.fromEntries(Object.entries(windows).map(([s, w]) => [s, w.slice()])), { ...positions }, fills.slice(-50)), state);
    state = step.state;
    for (const p of step.proposals) {
      proposed.push({ now, proposal: p });
      const held = positions[p.symbol] !== undefined;
      // An entry while flat or an exit while long; anything else the RiskEngine would veto.
      if (!pending.has(p.symbol) && (p.side === 'buy') !== held) pending.set(p.symbol, p);
    }
  }
  return { proposed, fills, maxHeld, state };
};
