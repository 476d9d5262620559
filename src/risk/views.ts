/**
 * The read-only inputs of a risk decision (portfolio and market views) and the veto record. The runtime builds the
 * views from its read models; the RiskEngine only reads them. Pure types; performs no I/O.
 */
import type { Decimal } from '../domain/money.ts';
import type { Instrument } from '../domain/Instrument.ts';
import type { Side } from '../domain/orders.ts';
import type { ExposureFigures } from './exposure.ts';
import type { Regime } from './RiskConfig.ts';

/** Whether new entries may open: Active (all), Reducing (exits only), Halted (nothing). */
export type TradingState = 'active' | 'reducing' | 'halted';

/** One open position as risk sees it. */
export interface PositionView {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
  readonly markPrice: Decimal | undefined;
  readonly stopLoss: Decimal | undefined;
}

/** One working (resting or in-flight) order; entries count at worst-case notional, reduce-only ones do not. */
export interface WorkingOrderView {
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  /** Limit price; undefined for market orders (then the symbol's reference price is used). */
  readonly price: Decimal | undefined;
  readonly reduceOnly: boolean;
  readonly strategyId: string;
  /** The entry's provisional stop (ApprovedOrder.stopLoss); without it the open-risk rule counts the full notional. */
  readonly stopLoss?: Decimal | undefined;
}

/** What a strategy has used of its own budget (the runtime keeps these counters). */
export interface StrategyUsage {
  /** Notional of this strategy's open positions and working entries, in the quote asset. */
  readonly committedNotional: Decimal;
  readonly tradesThisCycle: number;
}

/** A per-symbol cooldown (X-RSK-7): no entries before `until`. */
export interface CooldownView {
  readonly until: number;
  readonly kind: 'fill' | 'stop';
}

/** The portfolio as of the decision (DESIGN §6: including pending orders at worst-case notional). */
export interface PortfolioView {
  readonly nav: Decimal;
  /** Epoch ms of the account/NAV snapshot the nav came from (S4-2). */
  readonly accountSnapshotTs: number;
  readonly positions: ReadonlyArray<PositionView>;
  readonly workingOrders: ReadonlyArray<WorkingOrderView>;
  readonly strategies: Readonly<Record<string, StrategyUsage>>;
  readonly cooldowns: Readonly<Record<string, CooldownView>>;
  readonly tradingState: TradingState;
  /** KillSwitchState satisfies this. */
  readonly kill: { readonly engaged: boolean; readonly reason: string | undefined };
  /** DrawdownState satisfies this. */
  readonly drawdown: { readonly breach: { readonly reason: string; readonly observed: string; readonly limit: string } | undefined };
  /** Set by the reconciler on a divergence beyond tolerance (X-REC-2). */
  readonly brokerDesync: boolean;
  /** symbol → theme / cluster / correlation group (S3-3, S4-3). */
  readonly groups: Readonly<Record<string, string>>;
  /** Each symbol's trade actor as the gate sees it; a symbol without an entry has no actor to act (one gate, X-RT-5). */
  readonly actors?: Readonly<Record<string, ActorAvailability>> | undefined;
  /**
   * The exposure and open risk of `positions` and `workingOrders`, kept incrementally by their owner (an ExposureBook)
   * and valued against the market view handed over with this one; absent (or valued against another market view), the
   * RiskEngine derives them from the lists.
   */
  readonly exposure?: ExposureFigures | undefined;
}

/** Whether a symbol's trade actor can take a new entry or a strategy exit now. */
export interface ActorAvailability {
  /** The actor runs (not stopped after a defect, not missing). */
  readonly available: boolean;
  /** Idle, its kill switch off, its market not paused. */
  readonly acceptsEntry: boolean;
  /** It holds a position it is not already closing. */
  readonly acceptsExit: boolean;
}

/** Why a symbol's entries are closed (reconcile block, supervisor quarantine, market-stream pause); absent = open. */
export interface SymbolGateView {
  readonly blocked?: string | undefined;
  readonly quarantined?: string | undefined;
  readonly paused?: string | undefined;
}

/** What a venue says about a product's tradability (X-RSK-5); anything but `online` blocks entries. */
export type ProductStatus = 'online' | 'post_only' | 'limit_only' | 'cancel_only' | 'offline' | 'degraded' | 'unknown';

/** One mid-price sample for the market-quality guards; `volume` is the traded volume since the previous sample. */
export interface MidSample {
  readonly ts: number;
  readonly mid: Decimal;
  readonly volume: Decimal;
}

/** One price level of a visible order book. */
export interface BookLevelView {
  readonly price: Decimal;
  readonly size: Decimal;
}

/** The visible depth of a symbol's order book (the market stream's local book while in sync), best level first. */
export interface BookDepthView {
  /** Highest first. */
  readonly bids: ReadonlyArray<BookLevelView>;
  /** Lowest first. */
  readonly asks: ReadonlyArray<BookLevelView>;
  /** Epoch ms of the last book event applied. */
  readonly ts: number;
}

/** The traded volume of a symbol's session day so far: the sum of the closed bars that started on that local day. */
export interface SessionVolumeView {
  /** The local day (`YYYY-MM-DD`) in `timeZone` the figure counts. */
  readonly day: string;
  readonly timeZone: string;
  readonly volume: Decimal;
  /** How many closed bars were summed. */
  readonly bars: number;
}

/** One symbol's market state. */
export interface SymbolMarketView {
  readonly instrument: Instrument | undefined;
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
  readonly bidSize: Decimal | undefined;
  readonly askSize: Decimal | undefined;
  readonly last: Decimal | undefined;
  /** Epoch ms of the latest quote. */
  readonly quoteTs: number | undefined;
  /** Epoch ms at which the latest closed 1-minute bar closed. */
  readonly lastBarCloseTs: number | undefined;
  readonly productStatus: ProductStatus;
  /** Mid samples, oldest first, covering at least the σ window. */
  readonly midHistory: ReadonlyArray<MidSample>;
  /** The symbol's entry gates. */
  readonly gates?: SymbolGateView | undefined;
  /** The session day's traded volume so far (S2-10 daily-volume filter); absent when no bar of any day was seen. */
  readonly sessionVolume?: SessionVolumeView | undefined;
  /** The visible order book (S2-10 slippage check); absent when the account has no synced local book of the symbol. */
  readonly book?: BookDepthView | undefined;
}

/** The market as of the decision. */
export interface MarketView {
  readonly symbols: Readonly<Record<string, SymbolMarketView>>;
  /** Venue clock offset and the hysteresis latch kept with `nextClockSkewBlocked` (X-CLK-2). */
  readonly clock: { readonly offsetMs: number; readonly skewBlocked: boolean };
  /** dependency name → health (X-RSK-6). */
  readonly dependencies: Readonly<Record<string, 'up' | 'down'>>;
  readonly regime: Regime;
  /** Whether the account's venue can hold a short (false on spot and cash-equity venues); absent: it can. */
  readonly venueShorting?: boolean | undefined;
}

/** Why the RiskEngine refused a proposal; numbers are decimal strings so they journal exactly (X-LOG-8). */
export interface Veto {
  /** Machine code, e.g. `staleness_quote`, `symbol_cap`. */
  readonly reason: string;
  readonly capType: string;
  readonly current: string;
  readonly proposed: string;
  readonly limit: string;
  readonly message: string;
}
