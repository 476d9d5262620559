/**
 * The common shape of a risk rule: a pure function from the decision context to a veto or nothing. Gate rules see
 * the proposal and the views; sizing rules also see the sized candidate order. Pure; performs no I/O.
 */
import type { Decimal } from '../../domain/money.ts';
import type { TradeProposal } from '../../domain/TradeProposal.ts';
import type { Side } from '../../domain/orders.ts';
import type { RiskConfig } from '../RiskConfig.ts';
import type { ExposureSnapshot } from '../exposure.ts';
import type { MarketView, PortfolioView, PositionView, SymbolMarketView, Veto } from '../views.ts';

/** Extra facts a signal may carry that a TradeProposal has no field for (S0 leverage modes). */
export interface ProposalHints {
  /** The signal's mode (SWING, DYNAMIC, FIXED; anything else is refused, C-1). */
  readonly leverageMode?: string | undefined;
  /** The signal's requested leverage. */
  readonly leverage?: Decimal | undefined;
  /**
   * An entry as a post-only limit at this price instead of the passive limit at the market (a followed signal's
   * re-entry at its OEP, S0-14); rounded to the tick passively for the side.
   */
  readonly postOnlyLimit?: Decimal | undefined;
  /**
   * S0-7: the second post-only leg of a dual entry at this price (with `postOnlyLimit` the first); the approved
   * quantity is shared by the two legs. Rounded to the tick passively.
   */
  readonly secondPostOnlyLimit?: Decimal | undefined;
  /**
   * S0-7 `maker_join_ticks`: a post-only leg whose price would take liquidity (a buy at or above the ask, a sell at or
   * below the bid) joins the maker side instead, this many ticks away from the taker level. Absent: sent as it is
   * (the venue's post-only rejection then re-prices it).
   */
  readonly makerJoinTicks?: number | undefined;
  /**
   * S0-10: the trade's take profit and stop loss at exactly these prices (a followed signal's TP1 and SL, already on
   * the tick) instead of distances from the first fill; a level left out comes from its fraction (the auto-SL, S0-5).
   */
  readonly exactLevels?: { readonly takeProfit?: Decimal | undefined; readonly stopLoss?: Decimal | undefined } | undefined;
}

/** Whether a proposal opens/increases risk or reduces an existing position. */
export type Intent = 'entry' | 'exit';

/** What every rule may read. */
export interface CheckContext {
  readonly config: RiskConfig;
  readonly proposal: TradeProposal;
  readonly hints: ProposalHints;
  readonly portfolio: PortfolioView;
  readonly market: MarketView;
  readonly symbolMarket: SymbolMarketView | undefined;
  /** The open position in the proposal's symbol, if any. */
  readonly position: PositionView | undefined;
  readonly intent: Intent;
  readonly now: number;
}

/** The leverage the policy settles on, or why it refuses (S0-4, S0-5). */
export type LeverageResolution =
  | { readonly ok: true; readonly leverage: Decimal; readonly autoStopLoss: boolean }
  | { readonly ok: false; readonly capType: string; readonly proposed: string; readonly limit: string; readonly message: string };

/** One cap's numbers in quote-asset amounts: usage before this order, and its limit. */
export interface CapUsage {
  readonly current: Decimal;
  readonly limit: Decimal;
}

/** The candidate order the sizing step produced, before the sizing rules judge it. */
export interface Sizing {
  readonly side: Side;
  readonly limitPrice: Decimal;
  /** The price exposure of this order is valued at: max(limit, reference). */
  readonly worstPrice: Decimal;
  readonly regimeMultiplier: Decimal;
  /** NAV × min(notionalFraction × regime, maxTradeFraction): what the proposal asked for. */
  readonly desiredNotional: Decimal;
  /** The desired notional after downscaling to every cap's headroom (when allowed). */
  readonly sizedNotional: Decimal;
  /** Floored to the step. */
  readonly quantity: Decimal;
  /** S0-7: the second post-only leg's price of a dual entry (hints.secondPostOnlyLimit, rounded and maker-joined). */
  readonly secondLimitPrice: Decimal | undefined;
  /** quantity × limitPrice. */
  readonly orderNotional: Decimal;
  /** quantity × worstPrice: what this order adds to every cap. */
  readonly exposureAdd: Decimal;
  readonly exposure: ExposureSnapshot;
  readonly strategy: CapUsage;
  readonly symbol: CapUsage;
  /** undefined when the symbol belongs to no group. */
  readonly group: (CapUsage & { readonly name: string }) | undefined;
  readonly total: CapUsage;
  readonly leverage: LeverageResolution;
  readonly stopLossFraction: Decimal;
  readonly takeProfitFraction: Decimal;
  /** Loss per unit if the stop fills: worstPrice × stopLossFraction (S2-4). */
  readonly riskPerUnit: Decimal;
  /** quantity × riskPerUnit: the stop-distance risk this order adds. */
  readonly riskAdd: Decimal;
  /** NAV × capital.riskPerTradeFraction; undefined when the rule is off. */
  readonly riskPerTradeLimit: Decimal | undefined;
  /** Open risk before this order and NAV × capital.maxOpenRiskFraction; undefined when the rule is off. */
  readonly openRisk: (CapUsage & { readonly unpriced: ReadonlyArray<string> }) | undefined;
}

/** What the sizing rules read. */
export interface SizedCheckContext extends CheckContext {
  readonly sizing: Sizing;
}

/** A gate rule. */
export type Check = (ctx: CheckContext) => Veto | undefined;
/** A sizing rule. */
export type SizedCheck = (ctx: SizedCheckContext) => Veto | undefined;

/** Returns a veto record with numbers rendered as decimal strings. */
export const veto = (
  reason: string,
  capType: string,
  current: Decimal | number | string,
  proposed: Decimal | number | string,
  limit: Decimal | number | string,
  message: string,
): Veto => ({ reason, capType, current: String(current), proposed: String(proposed), limit: String(limit), message });
