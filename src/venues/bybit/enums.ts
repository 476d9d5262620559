/**
 * Bybit v5 wire enums as effect/Schema literals, and their mapping tables to the domain vocabulary. Order statuses
 * stay strict (an unknown status is a decode failure); descriptive enums (trigger source, exec type) map unknown
 * values to `undefined`/`Unknown`. Pure; performs no I/O.
 */
import { Schema } from 'effect';
import type { OrderStatus, OrderType, Side, TimeInForce, TriggerSource } from '../../domain/orders.ts';

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
