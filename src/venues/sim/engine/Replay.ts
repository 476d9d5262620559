/**
 * The replay loop of the simulator core: merges the `MarketFeed`s in time order and turns each tick into public and
 * private events — replayed trades (and the passive fills they cause, inside the trading session), the synthetic
 * book, the ticker and kline, then conditional triggers — stamped with the tick's time. Also answers `ticker`.
 * Deterministic for a given input; no I/O and no clock reads beyond the context's.
 */
import { ZERO } from '../../../domain/money.ts';
import type { MarketFeed, MarketTick, MarketTrade } from '../replay/MarketFeed.ts';
import type { AccountModel } from './accounts/AccountModel.ts';
import { levelSize } from './book.ts';
import type { Conditionals } from './Conditionals.ts';
import type { EngineContext, SymbolState } from './EngineContext.ts';
import type { Matching } from './Matching.ts';
import type { SimTicker } from './types.ts';

/** The market-data side of one engine. */
export class Replay {
  private readonly ctx: EngineContext;
  private readonly feeds: ReadonlyArray<MarketFeed>;
  private readonly matching: Matching;
  private readonly conditionals: Conditionals;
  private readonly model: AccountModel;
  /** The last passed-over tick of each symbol, processed by `catchUp` when an API call needs the symbol's market. */
  private readonly pending = new Map<string, MarketTick>();
  /** Trades of passed-over ticks, printed before the symbol's next processed tick. */
  private readonly carried = new Map<string, ReadonlyArray<MarketTrade & { readonly ts: number }>>();

  /** Throws RangeError for a feed of an unlisted symbol or a second feed of one symbol. */
  constructor(ctx: EngineContext, feeds: ReadonlyArray<MarketFeed>, matching: Matching, conditionals: Conditionals, model: AccountModel) {
    const seen = new Set<string>();
    for (const feed of feeds) {
      if (!ctx.symbols.has(feed.symbol)) throw new RangeError(`feed for unknown symbol ${feed.symbol}`);
      if (seen.has(feed.symbol)) throw new RangeError(`two feeds for ${feed.symbol}`);
      seen.add(feed.symbol);
    }
    this.ctx = ctx;
    this.feeds = feeds;
    this.matching = matching;
    this.conditionals = conditionals;
    this.model = model;
  }

  /** Returns the timestamp of the next replayed tick of any feed. */
  nextEventAt(): number | undefined {
    let next: number | undefined;
    for (const feed of this.feeds) {
      const at = feed.nextAt();
      if (at !== undefined && (next === undefined || at < next)) next = at;
    }
    return next;
  }

  /** Processes every tick with `ts ≤ t` in time order (ties: the feed listed first); false once the data is exhausted. */
  advanceTo(t: number): boolean {
    for (;;) {
      let chosen: MarketFeed | undefined;
      let at: number | undefined;
      for (const feed of this.feeds) {
        const a = feed.nextAt();
        if (a !== undefined && a <= t && (at === undefined || a < at)) {
          chosen = feed;
          at = a;
        }
      }
      if (chosen === undefined) break;
      this.processTick(chosen.next());
    }
    return this.nextEventAt() !== undefined;
  }

  /**
   * Whether no account is exposed to the symbol's intra-bar prices: no open order, no conditional or bracket, no
   * position, no spot holding of its base asset. Then a skippable tick changes nothing but the tape.
   */
  private quiet(sym: SymbolState): boolean {
    const symbol = sym.instrument.symbol;
    if (this.conditionals.watches(symbol)) return false;
    for (const acct of this.ctx.accounts.values()) {
      for (const o of acct.open.values()) if (o.symbol === symbol) return false;
      for (const p of acct.positions.values()) if (p.symbol === symbol && !p.size.isZero()) return false;
      if (this.model.kind === 'spot' && acct.wallets.get(sym.instrument.baseAsset)?.balance.isZero() === false) return false;
    }
    return true;
  }

  /**
   * Brings every symbol whose last ticks were passed over up to date before an API call acts on it: the last skipped
   * tick is processed now (its prices, book, ticker and kline; the trades of the ticks before it printed first), so
   * an order arriving mid-bar meets exactly the market it would have met had no tick been skipped.
   */
  catchUp(symbol?: string): void {
    if (this.pending.size === 0) return;
    for (const [s, tick] of [...this.pending]) {
      if (symbol !== undefined && s !== symbol) continue;
      this.pending.delete(s);
      this.processTick(tick, true);
    }
  }

  // Passes a skippable tick over when the symbol is quiet (its trades count now and print later, never matched:
  // nothing rested); otherwise processes it, printing the passed-over trades first.
  private processTick(tick: MarketTick, force = false): void {
    const sym = this.ctx.symbols.get(tick.symbol);
    if (sym === undefined) return;
    const superseded = this.pending.get(tick.symbol);
    if (superseded !== undefined) {
      this.pending.delete(tick.symbol);
      this.carry(superseded);
    }
    if (!force && tick.skippable === true && this.quiet(sym)) {
      this.pending.set(tick.symbol, tick);
      return;
    }
    this.ctx.tickTs = tick.ts;
    try {
      const carried = this.carried.get(tick.symbol);
      if (carried !== undefined) {
        this.carried.delete(tick.symbol);
        for (const t of carried) this.ctx.emit({ type: 'trade', symbol: tick.symbol, tradeId: this.ctx.ids.tradeId(), price: t.price, size: t.size, side: t.side, ts: t.ts });
      }
      sym.lastTickTs = tick.ts;
      sym.last = tick.lastPrice;
      sym.mark = tick.markPrice;
      sym.index = tick.indexPrice;
      // Outside a session the tape still prints (pre/post-market bars) but resting orders do not fill.
      const open = this.model.isOpen(sym, tick.ts);
      for (const trade of tick.trades) {
        this.ctx.emit({ type: 'trade', symbol: tick.symbol, tradeId: this.ctx.ids.tradeId(), price: trade.price, size: trade.size, side: trade.side, ts: tick.ts });
        sym.volume = sym.volume.plus(trade.size);
        sym.turnover = sym.turnover.plus(trade.size.times(trade.price));
        if (open) this.matching.fillRestingAgainstTrade(sym, trade.price, trade.size);
      }
      sym.book.replaceSynthetic(tick.bids, tick.asks);
      this.matching.flushBook(sym);
      this.ctx.emit({ type: 'ticker', ticker: this.ticker(tick.symbol) });
      if (tick.kline !== undefined) this.ctx.emit({ type: 'kline', kline: tick.kline });
      this.conditionals.onTick(sym);
      this.matching.flushBook(sym);
    } finally {
      this.ctx.tickTs = undefined;
    }
  }

  // A passed-over tick that will never be processed: its trades count now and print before the next processed tick.
  private carry(tick: MarketTick): void {
    const sym = this.ctx.symbols.get(tick.symbol);
    if (sym === undefined || tick.trades.length === 0) return;
    for (const trade of tick.trades) {
      sym.volume = sym.volume.plus(trade.size);
      sym.turnover = sym.turnover.plus(trade.size.times(trade.price));
    }
    this.carried.set(tick.symbol, [...(this.carried.get(tick.symbol) ?? []), ...tick.trades.map((t) => ({ ...t, ts: tick.ts }))]);
  }

  /** Returns the ticker: replayed last/mark/index, best bid/ask of the whole book, volume and turnover since the start. */
  ticker(symbol: string): SimTicker {
    const sym = this.ctx.symbols.get(symbol);
    const bid = sym?.book.best('buy');
    const ask = sym?.book.best('sell');
    const last = sym?.last ?? ZERO;
    return {
      symbol,
      lastPrice: last,
      markPrice: sym?.mark ?? last,
      indexPrice: sym?.index ?? last,
      bid1Price: bid?.price ?? ZERO,
      bid1Size: bid === undefined ? ZERO : levelSize(bid),
      ask1Price: ask?.price ?? ZERO,
      ask1Size: ask === undefined ? ZERO : levelSize(ask),
      volume24h: sym?.volume ?? ZERO,
      turnover24h: sym?.turnover ?? ZERO,
      ts: sym === undefined || (sym.bookTs === 0 && sym.lastTickTs === 0) ? this.ctx.now() : Math.max(sym.bookTs, sym.lastTickTs),
    };
  }
}
