/**
 * Types of the trade chart: its input, serializable context, the events it accepts and the intents it emits. Prices,
 * quantities and fractions are decimal strings; every event carries the host time `at` (epoch ms). Types only.
 */
import type { LeverageSet, PositionChanged, ProtectionFailed, ProtectionSet, VenueOrderEvent } from '../../src/domain/events.ts';
import type { PositionLeg, Side, TimeInForce } from '../../src/domain/orders.ts';
import type { FillTotals } from './fillMath.ts';
import type { OrderLimits } from './orderParts.ts';
import type { EntryLeg } from '../../src/domain/dualEntry.ts';
import type { StopManagement, StopState } from './stopManagement.ts';
import type { LadderPlan, LadderState } from '../../src/domain/ladder.ts';
import type { HedgePlan, HedgeState } from './hedgeLogic.ts';

/** What an order is for in its trade: entries open, exits and flattens reduce; a hedge opens the other leg, an unhedge closes it. */
export type OrderRole = 'entry' | 'exit' | 'flatten' | 'hedge' | 'unhedge';

/** Per-symbol settings the host passes when it creates the trade actor. */
export interface TradeInput {
  readonly symbol: string;
  /** Pause after a closed position before the next entry. */
  readonly cooldownMs: number;
  /** How many protection placements are tried (first one included) before the position is flattened. */
  readonly maxProtectionAttempts: number;
  /** How long to wait for a query answer before asking again. */
  readonly queryRetryMs: number;
  /** Whether a kill also closes open positions (C-19; default false). */
  readonly killFlatten: boolean;
}

/** An approved, sized and quantized entry: the payload of `command.open` (RiskEngine output). */
export interface TradeIntent {
  readonly intentId: string;
  /** Base client order id from the journaled intent; re-price attempts derive theirs from it (`entryClientOrderId`). */
  readonly clientOrderId: string;
  readonly side: Side;
  readonly quantity: string;
  /** Limit price; omitted for a market entry. */
  readonly price?: string | undefined;
  readonly timeInForce: TimeInForce;
  /** Take-profit and stop-loss distances as fractions of the first fill price (0.02 = 2 %). */
  readonly takeProfitFraction: string;
  readonly stopLossFraction: string;
  /** How many times a post-only entry that would take liquidity is re-priced and sent again. */
  readonly maxRepriceAttempts: number;
  /** Ticks to step back per re-price (1–2). */
  readonly repriceTicks: number;
  readonly tickSize: string;
  readonly ackTimeoutMs: number;
  /** Break-even and trailing of the stop from the OEP (S0-11, S0-13); absent, the entry's stop stays until the exit. */
  readonly management?: StopManagement | undefined;
  /** The venue's per-order maximum quantities (S0-16): larger entries and exits go out in parts; absent, nothing is split. */
  readonly limits?: OrderLimits | undefined;
  /**
   * S0-7: the legs of a dual entry, each a quantity and a price (they add up to `quantity`; the first is at `price`),
   * sent one after another like the parts of a split entry (each leg itself split at `limits`); absent, one leg.
   */
  readonly legs?: ReadonlyArray<EntryLeg> | undefined;
  /**
   * S0-10: the trade's exact TP and SL (a followed signal's), kept as they are instead of derived from the OEP with the
   * fractions; a level left out comes from its fraction (the auto-SL, S0-5). Break-even and trailing still move the stop.
   */
  readonly levels?: { readonly takeProfit?: string | undefined; readonly stopLoss?: string | undefined } | undefined;
  /** S0-9: the pyramid ladder the open position climbs from the OEP; absent, the position is never added to. */
  readonly ladder?: LadderPlan | undefined;
  /** S0-12: the hedge of the position at an adverse move from the OEP; absent (and always in the auto-SL case), never hedged. */
  readonly hedge?: HedgePlan | undefined;
}

/** Why a position ended at the venue without our exit order. */
export type PositionCloseReason = 'takeProfit' | 'stopLoss' | 'liquidation' | 'external';

/** Every event the trade chart accepts. */
export type TradeEvent =
  | VenueOrderEvent
  | ProtectionSet
  | ProtectionFailed
  | PositionChanged
  /** The ack deadline of the current entry passed (the host delivers it from the deadline the chart stored). */
  | { readonly type: 'timer.ackTimeout'; readonly clientOrderId: string; readonly at: number }
  | ({ readonly type: 'command.open'; readonly at: number } & TradeIntent)
  /** The strategy (or the intent's ttl) withdraws a working entry. */
  | { readonly type: 'command.cancelEntry'; readonly at: number }
  /** Strategy exit: a reduce-only order for the open quantity. */
  | { readonly type: 'command.close'; readonly at: number; readonly price?: string | undefined }
  /**
   * Recovery found the venue holding a different position (side or size) from the one the actor opened: the cycle
   * ends here (external) and the position is adopted by reconcile.
   */
  | { readonly type: 'recovery.positionReplaced'; readonly at: number }
  /** Recovery found the entry the actor is cancelling still live at the venue (a crash lost the cancel request). */
  | { readonly type: 'recovery.entryLive'; readonly clientOrderId: string; readonly at: number }
  | { readonly type: 'timer.cooldownDone'; readonly at: number }
  /** The price the stop triggers on (the profile's trigger source) moved far enough to move the stop (stopManagement). */
  | { readonly type: 'market.mark'; readonly price: string; readonly at: number }
  | { readonly type: 'timer.queryRetry'; readonly at: number }
  /** The venue's answer to a ladder step's leverage set (S0-9, Step 4). */
  | LeverageSet
  | { readonly type: 'operator.kill'; readonly reason: string; readonly flatten?: boolean | undefined; readonly at: number }
  | { readonly type: 'operator.resume'; readonly at: number }
  /** MARKET_PAUSED for this symbol (gap, stale data, connection not live): entries blocked, exits allowed. */
  | { readonly type: 'stream.paused'; readonly reason: string; readonly at: number }
  | { readonly type: 'stream.resumed'; readonly at: number }
  /** The host caught a defect around this actor: halt entries, keep protections. */
  | { readonly type: 'runtime.defect'; readonly message: string; readonly at: number };

/** Everything the chart can receive. */
export type TradeChartEvent = TradeEvent;

/** Returns the host time of an event. */
export const atOf = (e: TradeChartEvent): number => e.at;

/** Names of the deadlines the host keeps for the trade chart. */
export type TradeTimerName = 'ackTimeout' | 'queryRetry' | 'cooldown';

/** What kind of message a `notify` intent carries (the alert router picks template and severity routing). */
export type TradeNotifyKind =
  | 'entryBlocked'
  | 'entryAccepted'
  | 'entryRejected'
  | 'entryCancelled'
  | 'entryRepriced'
  | 'positionOpened'
  | 'protected'
  | 'stopMoved'
  | 'stopMoveFailed'
  | 'pyramidStep'
  | 'ladderBlocked'
  | 'hedgeOpened'
  | 'hedgeFailed'
  | 'hedgeClosed'
  | 'protectionFailed'
  | 'exitRejected'
  | 'flattening'
  | 'positionUnprotected'
  | 'positionClosed'
  | 'halted'
  | 'resumed';

/** Every intent the trade chart emits; the ActorHost performs them and answers with events. */
export type TradeEmitted =
  | {
      readonly type: 'order.submit';
      readonly clientOrderId: string;
      readonly symbol: string;
      readonly side: Side;
      readonly orderType: 'market' | 'limit';
      readonly quantity: string;
      readonly price?: string | undefined;
      readonly timeInForce: TimeInForce;
      readonly reduceOnly: boolean;
      readonly role: OrderRole;
      readonly intentId: string;
      /** S0-9: an add-on of this ladder step, at the position's leverage (its own RiskEngine approval). */
      readonly ladder?: { readonly step: number; readonly leverage: string; readonly maxLeverage: string } | undefined;
      /** S0-12: the hedge leg this order opens (role `hedge`) or closes (role `unhedge`); absent, the position's own leg. */
      readonly leg?: PositionLeg | undefined;
    }
  /** S0-9 Step 4: set the symbol's leverage (and read it back); answered with `venue.leverageSet`. */
  | { readonly type: 'leverage.set'; readonly symbol: string; readonly leverage: string; readonly step: number; readonly intentId: string }
  | { readonly type: 'order.cancel'; readonly clientOrderId: string; readonly symbol: string }
  | { readonly type: 'order.query'; readonly clientOrderId: string; readonly symbol: string }
  | {
      readonly type: 'protection.set';
      readonly symbol: string;
      readonly side: Side;
      readonly takeProfit: string;
      readonly stopLoss: string;
      readonly attempt: number;
      /** S0-12: the hedge leg's TP/SL; absent, the position's own. */
      readonly leg?: PositionLeg | undefined;
    }
  | { readonly type: 'timer.set'; readonly name: TradeTimerName; readonly at: number; readonly clientOrderId?: string | undefined }
  | { readonly type: 'timer.clear'; readonly name: TradeTimerName }
  | { readonly type: 'notify'; readonly kind: TradeNotifyKind; readonly severity: 'info' | 'warning' | 'critical'; readonly message: string }
  | {
      readonly type: 'position.closed';
      readonly symbol: string;
      readonly intentId: string;
      readonly side: Side;
      readonly quantity: string;
      /** The first fill's price (OEP). */
      readonly entryPrice: string;
      readonly averageEntryPrice: string;
      readonly averageExitPrice: string | null;
      /** Net of every fee, the hedge leg's PnL included (S0-12). */
      readonly realizedPnl: string;
      readonly fees: string;
      /** S0-12: the hedge leg's own net PnL when the cycle was hedged (part of `realizedPnl`). */
      readonly hedgePnl?: string | undefined;
      readonly reason: PositionCloseReason | 'exit';
    };

/** The serializable context of one symbol's trade actor. */
export interface TradeContext {
  readonly symbol: string;
  readonly cooldownMs: number;
  readonly maxProtectionAttempts: number;
  readonly queryRetryMs: number;
  readonly killFlatten: boolean;
  /** The intent being worked, from `command.open` until the cycle returns to idle. */
  readonly intent: TradeIntent | null;
  /** Re-price attempts made for the current entry part (0 for its first submission). */
  readonly attempt: number;
  /** The entry's parts (S0-16): one quantity unless the intent exceeds the venue's maximum order quantity. */
  readonly entryParts: ReadonlyArray<string>;
  /** Index of the part being worked. */
  readonly entryPart: number;
  /** Entry orders sent this cycle after the first (re-prices and parts): the n of the next `-r<n>` / `-p<n>` id. */
  readonly entryOrders: number;
  readonly entryClientOrderId: string | null;
  /** Limit price of the current entry attempt. */
  readonly entryPrice: string | null;
  /** Whether the entry order is closed at the venue (filled, cancelled or expired): no more entry quantity will rest. */
  readonly entryDone: boolean;
  readonly entry: FillTotals;
  /** The first fill's price (OEP): set once per cycle and never replaced by averages. */
  readonly openingPrice: string | null;
  /** The stop the venue holds when management moved it (break-even, trailing), and a move in flight. */
  readonly stop: StopState;
  /** S0-9: where the position stands on its pyramid ladder. */
  readonly ladder: LadderState;
  /** S0-12: the cycle's hedge leg. */
  readonly hedge: HedgeState;
  readonly exit: FillTotals;
  readonly exitClientOrderIds: ReadonlyArray<string>;
  /** The limit price of a strategy exit (command.close), kept for its further parts; null: market. */
  readonly exitPrice: string | null;
  readonly seenTradeIds: ReadonlyArray<string>;
  readonly protectionAttempts: number;
  /** Client order ids of every order of the cycle (entry attempts, exits, flattens), in submission order. */
  readonly orderIds: ReadonlyArray<string>;
  /** Client order ids that reached a final state at the venue (filled, rejected, cancelled, expired, not found). */
  readonly settledOrderIds: ReadonlyArray<string>;
  /** Requested quantity per client order id (an order is settled once its fills reach it). */
  readonly orderSizes: Readonly<Record<string, string>>;
  /** Filled quantity per client order id. */
  readonly orderFilled: Readonly<Record<string, string>>;
  /** The venue closed the filled part of the entry while the rest still rested: the cycle closes once the entry is withdrawn. */
  readonly venueClosed: boolean;
  /** The exit or flatten order whose unknown outcome is being queried (with `queryRetryAt`), or null. */
  readonly queryOrderId: string | null;
  /** Host time of the current ack deadline, or null. */
  readonly ackDeadline: number | null;
  /** Host time at which the pending order query is repeated, or null. */
  readonly queryRetryAt: number | null;
  /** Host time at which the cooldown ends, or null. */
  readonly cooldownUntil: number | null;
  readonly flattenRequested: boolean;
  readonly haltReason: string | null;
  readonly closeReason: PositionCloseReason | 'exit' | null;
  /** A short record of how the last cycle ended (for status pages and tests). */
  readonly lastOutcome: string | null;
}
