/**
 * MarketState: what the decision loop knows about each symbol — closed 1-minute bars, the latest ticker and top of
 * book, when each was last updated (the staleness inputs), and the traded volume of the symbol's session day. Fed
 * with normalized market events; pure apart from its own bounded buffers. Reads no clock: every timestamp comes from
 * the events.
 */
import type { Decimal } from '../domain/money.ts';
import { sessionDays, type SessionDayOf } from '../domain/sessionDay.ts';
import type { MarketEvent } from '../venues/streams.ts';

/** A closed bar. */
export interface BarView {
  readonly start: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

/** One symbol's market view. */
export interface SymbolMarket {
  readonly symbol: string;
  /** Closed bars, oldest first (at most `maxBars`). */
  readonly bars: ReadonlyArray<BarView>;
  readonly lastPrice: Decimal | undefined;
  readonly markPrice: Decimal | undefined;
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
  readonly bidSize: Decimal | undefined;
  readonly askSize: Decimal | undefined;
  /** Event time of the last ticker/quote update, or undefined. */
  readonly quoteTs: number | undefined;
  /** Close time of the last closed bar, or undefined. */
  readonly lastBarCloseTs: number | undefined;
}

/** A position the account holds, as strategies see it (their feedback: what their proposals became). */
export interface HeldPosition {
  readonly side: 'long' | 'short';
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
  /** The strategy whose approved entry opened it; undefined for a position no strategy of this run opened (adopted). */
  readonly strategyId?: string | undefined;
}

/** How many fills and vetoes a strategy's feedback keeps (the most recent ones). */
export const FEEDBACK_LIMIT = 50;

/** A fill of one of the strategy's own orders: its entry, its exit, or the venue-side TP/SL of its position. */
export interface OwnFill {
  /** The fill's venue time (epoch ms). */
  readonly ts: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly fee: Decimal;
}

/** A proposal of the strategy that the integrator (per-strategy caps) or the RiskEngine refused. */
export interface OwnVeto {
  /** The decision cycle's time (the snapshot time the proposal was judged at). */
  readonly ts: number;
  readonly proposalId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** The veto reason (`strategy_cap`, `symbol_cap`, `cooldown`, …) and the cap or rule detail. */
  readonly reason: string;
  readonly capType: string;
  readonly message: string;
}

/** What a strategy learns about its own proposals besides positions: bounded, oldest first, never later than `now`. */
export interface StrategyFeedback {
  readonly fills: ReadonlyArray<OwnFill>;
  readonly vetoes: ReadonlyArray<OwnVeto>;
}

/** An immutable view of every symbol at one instant, handed to strategies. */
export interface MarketSnapshot {
  readonly now: number;
  readonly symbols: ReadonlyMap<string, SymbolMarket>;
  /** The open positions of the accounts trading these symbols, by symbol (absent when flat), each with its owner. */
  readonly positions?: ReadonlyMap<string, HeldPosition> | undefined;
  /** The receiving strategy's own recent fills and vetoes (set by the decision loop for each strategy). */
  readonly feedback?: StrategyFeedback | undefined;
}

interface MutableSymbol {
  symbol: string;
  bars: BarView[];
  lastPrice: Decimal | undefined;
  markPrice: Decimal | undefined;
  bid: Decimal | undefined;
  ask: Decimal | undefined;
  bidSize: Decimal | undefined;
  askSize: Decimal | undefined;
  quoteTs: number | undefined;
  lastBarCloseTs: number | undefined;
}

/** One mid-price sample for the market-quality guards; `volume` is the traded volume since the previous sample. */
export interface MidPoint {
  readonly ts: number;
  readonly mid: Decimal;
  readonly volume: Decimal;
}

/** How long mid samples are kept (covers the σ window of the market-quality guard). */
export const MID_WINDOW_MS = 120_000;

/** A symbol's traded volume on one local day: the closed bars that started on it, summed (S2-10's daily volume). */
export interface SessionVolume {
  /** `YYYY-MM-DD` in `timeZone`. */
  readonly day: string;
  readonly timeZone: string;
  readonly volume: Decimal;
  readonly bars: number;
}

/** The market state of a set of symbols. */
export class MarketState {
  private readonly bySymbol = new Map<string, MutableSymbol>();
  private readonly mids = new Map<string, MidPoint[]>();
  private readonly volumes = new Map<string, SessionVolume>();
  private readonly maxBars: number;
  private readonly sessionZone: string;
  private readonly dayOf: SessionDayOf;

  /**
   * `sessionTimeZone` names the zone whose local calendar day the session volume counts (the venue's: US stocks
   * trade on New York days); throws a RangeError when it is not an IANA zone.
   */
  constructor(symbols: ReadonlyArray<string>, maxBars = 500, sessionTimeZone = 'UTC') {
    this.maxBars = maxBars;
    this.sessionZone = sessionTimeZone;
    this.dayOf = sessionDays(sessionTimeZone);
    for (const symbol of symbols) {
      this.bySymbol.set(symbol, {
        symbol, bars: [], lastPrice: undefined, markPrice: undefined, bid: undefined, ask: undefined,
        bidSize: undefined, askSize: undefined, quoteTs: undefined, lastBarCloseTs: undefined,
      });
    }
  }

  /** Applies one market event; events of unknown symbols are ignored. Returns whether a bar closed. */
  apply(e: MarketEvent): boolean {
    const s = this.bySymbol.get(e.symbol);
    if (s === undefined) return false;
    this.sampleMid(e);
    switch (e.type) {
      case 'ticker':
        s.lastPrice = e.lastPrice ?? s.lastPrice;
        s.markPrice = e.markPrice ?? s.markPrice;
        s.bid = e.bidPrice ?? s.bid;
        s.ask = e.askPrice ?? s.ask;
        s.bidSize = e.bidSize ?? s.bidSize;
        s.askSize = e.askSize ?? s.askSize;
        s.quoteTs = e.ts;
        return false;
      case 'trade':
        s.lastPrice = e.price;
        return false;
      case 'bar': {
        if (!e.closed) return false;
        const last = s.bars[s.bars.length - 1];
        if (last !== undefined && last.start >= e.start) return false; // duplicate or out-of-order bar
        s.bars.push({ start: e.start, open: e.open, high: e.high, low: e.low, close: e.close, volume: e.volume });
        if (s.bars.length > this.maxBars) s.bars.shift();
        s.lastBarCloseTs = e.ts;
        this.countVolume(e.symbol, e.start, e.volume);
        return true;
      }
      case 'book':
        return false;
    }
  }

  /** Returns an immutable snapshot at `now`. */
  snapshot(now: number): MarketSnapshot {
    const symbols = new Map<string, SymbolMarket>();
    for (const [k, s] of this.bySymbol) symbols.set(k, { ...s, bars: s.bars.slice() });
    return { now, symbols };
  }

  // Mid samples on every two-sided ticker, with the traded volume since; oldest dropped beyond the window.
  private sampleMid(e: MarketEvent): void {
    if (e.type === 'ticker' && e.bidPrice !== undefined && e.askPrice !== undefined) {
      const samples = this.mids.get(e.symbol) ?? [];
      samples.push({ ts: e.ts, mid: e.bidPrice.plus(e.askPrice).div(2), volume: e.bidPrice.times(0) });
      let drop = 0;
      while (drop < samples.length && samples[drop]!.ts < e.ts - MID_WINDOW_MS) drop++;
      if (drop > 0) samples.splice(0, drop);
      this.mids.set(e.symbol, samples);
    } else if (e.type === 'trade') {
      const samples = this.mids.get(e.symbol);
      const last = samples?.[samples.length - 1];
      if (samples !== undefined && last !== undefined) samples[samples.length - 1] = { ...last, volume: last.volume.plus(e.size) };
    }
  }

  // Bars arrive in start order (older ones are refused above), so a bar of a later day starts that day's sum afresh.
  private countVolume(symbol: string, start: number, volume: Decimal): void {
    const day = this.dayOf(start);
    const v = this.volumes.get(symbol);
    this.volumes.set(symbol, v !== undefined && v.day === day
      ? { day, timeZone: this.sessionZone, volume: v.volume.plus(volume), bars: v.bars + 1 }
      : { day, timeZone: this.sessionZone, volume, bars: 1 });
  }

  /**
   * Returns the traded volume of the symbol's latest session day seen: the closed bars kept since this state began
   * (a runtime started mid-day counts only the bars it received, never more than traded). Undefined before any bar.
   */
  sessionVolume(symbol: string): SessionVolume | undefined {
    return this.volumes.get(symbol);
  }

  /** Returns the mid samples of a symbol, oldest first, over the last MID_WINDOW_MS. */
  midHistory(symbol: string): ReadonlyArray<MidPoint> {
    return this.mids.get(symbol) ?? [];
  }

  /** Returns one symbol's current view. */
  get(symbol: string): SymbolMarket | undefined {
    const s = this.bySymbol.get(symbol);
    return s === undefined ? undefined : { ...s, bars: s.bars.slice() };
  }
}
