/**
 * Bybit v5 wire enums as effect/Schema literals, and their mapping tables to the domain vocabulary. Order statuses
 * stay strict (an unknown status is a decode failure); descriptive enums (trigger source, exec type) map unknown
 * values to `undefined`/`Unknown`. Pure; performs no I/O.
 */
import { Schema } from 'effect';
import type { OrderStatus, OrderType, PositionLeg, PositionMode, Side, TimeInForce, TriggerSource } from '../../domain/orders.ts';

export const BybitSide = Schema.Literal('Buy', 'Sell');
export type BybitSide = typeof BybitSide.Type;

export const BybitOrderType = Schema.Literal('Market', 'Limit');
export type BybitOrderType = typeof BybitOrderType.Type;

/** `RPI` (retail price improvement) exists on the wire; we never send it. */
export const BybitTimeInForce = Schema.Literal('GTC', 'IOC', 'FOK', 'PostOnly', 'RPI');
export type BybitTimeInForce = typeof BybitTimeInForce.Type;

/** Order statuses (docs enum `orderStatus`); strict on purpose. */
export const BybitOrderStatus = Schema.Literal(
  'New',
  'PartiallyFilled',
  'Untriggered',
  'Rejected',
  'PartiallyFilledCanceled',
  'Filled',
  'Cancelled',
  'Triggered',
  'Deactivated',
);
export type BybitOrderStatus = typeof BybitOrderStatus.Type;

/** Position index (docs enum `positionIdx`): 0 one-way, 1 the Buy side (long leg) of hedge mode, 2 its Sell side (short leg). */
export const BybitPositionIdx = Schema.Literal(0, 1, 2);
export type BybitPositionIdx = typeof BybitPositionIdx.Type;

/** Returns the positionIdx of a hedge-mode leg, 0 (one-way) when there is none. */
export const toBybitPositionIdx = (leg: PositionLeg | undefined): BybitPositionIdx => (leg === 'long' ? 1 : leg === 'short' ? 2 : 0);

/** Returns the hedge-mode leg of a positionIdx; undefined for 0 (one-way) or an absent index. */
export const fromBybitPositionIdx = (idx: BybitPositionIdx | undefined): PositionLeg | undefined => (idx === 1 ? 'long' : idx === 2 ? 'short' : undefined);

/** Returns the `mode` of `/v5/position/switch-mode`: 0 "Merged Single" (one-way), 3 "Both Sides" (hedge). */
export const toBybitPositionMode = (mode: PositionMode): 0 | 3 => (mode === 'hedge' ? 3 : 0);

/** Trigger price sources (docs enum `triggerBy`). */
export type BybitTriggerBy = 'LastPrice' | 'IndexPrice' | 'MarkPrice';

export const toBybitSide = (side: Side): BybitSide => (side === 'buy' ? 'Buy' : 'Sell');
export const fromBybitSide = (side: BybitSide): Side => (side === 'Buy' ? 'buy' : 'sell');

export const toBybitOrderType = (type: OrderType): BybitOrderType => (type === 'market' ? 'Market' : 'Limit');
export const fromBybitOrderType = (type: BybitOrderType): OrderType => (type === 'Market' ? 'market' : 'limit');

/** Post-only is a time-in-force on Bybit (`PostOnly`). */
export const toBybitTimeInForce = (tif: TimeInForce): BybitTimeInForce =>
  tif === 'gtc' ? 'GTC' : tif === 'ioc' ? 'IOC' : tif === 'fok' ? 'FOK' : 'PostOnly';

/** `RPI` behaves as a resting maker-only order, closest to post-only. */
export const fromBybitTimeInForce = (tif: BybitTimeInForce): TimeInForce =>
  tif === 'GTC' ? 'gtc' : tif === 'IOC' ? 'ioc' : tif === 'FOK' ? 'fok' : 'post_only';

export const fromBybitOrderStatus = (status: BybitOrderStatus): OrderStatus => {
  switch (status) {
    case 'New':
      return 'new';
    case 'PartiallyFilled':
      return 'partially_filled';
    case 'Untriggered':
      return 'untriggered';
    case 'Rejected':
      return 'rejected';
    case 'PartiallyFilledCanceled':
    case 'Cancelled':
      return 'cancelled';
    case 'Filled':
      return 'filled';
    case 'Triggered':
      return 'triggered';
    case 'Deactivated':
      return 'deactivated';
  }
};

export const toBybitTriggerBy = (source: TriggerSource): BybitTriggerBy =>
  source === 'mark' ? 'MarkPrice' : source === 'last' ? 'LastPrice' : 'IndexPrice';

/** Returns the domain trigger source, or undefined for `UNKNOWN`/`""`/anything new. */
export const fromBybitTriggerBy = (raw: string | undefined): TriggerSource | undefined =>
  raw === 'MarkPrice' ? 'mark' : raw === 'LastPrice' ? 'last' : raw === 'IndexPrice' ? 'index' : undefined;

/** Execution types that are trades of ours (a fill changes our position); `Funding` and `Settle` are not. */
export const isFillExecType = (execType: string): boolean =>
  execType === 'Trade' || execType === 'AdlTrade' || execType === 'BustTrade' || execType === 'BlockTrade' || execType === 'MovePosition';

/** The reject reason Bybit reports when a PostOnly order would have crossed (docs enum `rejectReason`). */
export const POST_ONLY_WOULD_TAKE_REASON = 'EC_PostOnlyWillTakeLiquidity';
