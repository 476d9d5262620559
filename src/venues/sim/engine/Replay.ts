/**
 * The replay loop of the simulator core: merges the `MarketFeed`s in time order and turns each tick into public and
 * private events — replayed trades (and the passive fills they cause, inside the trading session), the synthetic
 * book, the ticker and kline, then conditional triggers — stamped with the tick's time. Also answers `ticker`.
 * Deterministic for a given input; no I/O and no clock reads beyond the context's.
 */
import { ZERO } from '../../../domain/money.ts';
import type { MarketFeed, MarketTick } from '../replay/MarketFeed.ts';
import type { AccountModel } from './accounts/AccountModel.ts';
import { levelSize } from './book.ts';
import type { Conditionals } from './Conditionals.ts';
import type { EngineContext } from './EngineContext.ts';
import type { Matching } from './Matching.ts';
import type { SimTicker } from './types.ts';

/** The market-data side of one engine. */
export class Replay {
  private readonly ctx: EngineContext;
  private readonly feeds: ReadonlyArray<MarketFeed>;
  private readonly matching: Matching;
  private readonly conditionals: Conditionals;
  private readonly model: AccountModel;

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

  private processTick(tick: MarketTick): void {
    const sym = this.ctx.symbols.get(tick.symbol);
    if (sym === undefined) return;
    this.ctx.tickTs = tick.ts;
    try {
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
