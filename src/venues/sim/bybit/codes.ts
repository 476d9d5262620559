/**
 * Bybit v5 spelling of the simulator core's neutral words: retCodes the façade answers with and their messages, the
 * mapping from the engine's reject codes, and the `rejectReason` / `cancelType` / `stopOrderType` strings Bybit
 * reports on orders. Pure data; the messages follow Bybit's error table (venue-protocols §1.3) and enums
 * (`docs/v5/enum.mdx`) so adapters can log them verbatim.
 */
import type { SimSpelling } from '../engine/profiles.ts';
import type { SimRejectCode } from '../engine/types.ts';

/** retCodes used by the façade. */
export const RetCode = {
  ok: 0,
  paramError: 10001,
  timestampWindow: 10002,
  apiKeyInvalid: 10003,
  signError: 10004,
  permissionDenied: 10005,
  rateLimited: 10006,
  serverError: 10016,
  orderNotExists: 110001,
  priceOutOfRange: 110003,
  insufficientBalance: 110007,
  reduceOnlyZeroPosition: 110017,
  tooManyOrders: 110020,
  positionModeHasPosition: 110024,
  positionModeNotModified: 110025,
  positionModeHasOrders: 110028,
  leverageNotModified: 110043,
  duplicateOrderLinkId: 110072,
  minNotional: 110094,
  notModified: 34040,
} as const;

const messages: Readonly<Record<number, string>> = {
  [RetCode.ok]: 'OK',
  [RetCode.paramError]: 'params error',
  [RetCode.timestampWindow]: 'invalid request, please check your server timestamp or recv_window param',
  [RetCode.apiKeyInvalid]: 'API key is invalid.',
  [RetCode.signError]: 'error sign! origin_string',
  [RetCode.permissionDenied]: 'Permission denied, please check your API key permissions.',
  [RetCode.rateLimited]: 'Too many visits. Exceeded the API Rate Limit.',
  [RetCode.serverError]: 'Server error, service restarting',
  [RetCode.orderNotExists]: 'order not exists or too late to cancel',
  [RetCode.priceOutOfRange]: 'Order price exceeds the allowable range.',
  110004: 'Wallet balance is insufficient',
  [RetCode.insufficientBalance]: 'ab not enough for new order',
  110012: 'Insufficient available balance.',
  [RetCode.reduceOnlyZeroPosition]: 'current position is zero, cannot fix reduce-only order qty',
  [RetCode.tooManyOrders]: 'Number of active orders exceeds the upper limit',
  [RetCode.positionModeHasPosition]: 'You have an existing position, so the position mode cannot be switched.',
  [RetCode.positionModeNotModified]: 'Position mode has not been modified.',
  [RetCode.positionModeHasOrders]: 'You have existing open orders, so the position mode cannot be switched.',
  [RetCode.leverageNotModified]: 'leverage not modified',
  [RetCode.duplicateOrderLinkId]: 'OrderLinkedID is duplicate',
  [RetCode.minNotional]: 'Order does not meet minimum order value',
  [RetCode.notModified]: 'not modified',
};

/** Returns Bybit's message for a retCode (a generic one for codes the table does not name). */
export const retMsgFor = (retCode: number): string => messages[retCode] ?? `simulated error ${retCode}`;

/**
 * Returns the retCode for an engine refusal; `not_modified` is 110043 on set-leverage and 10001 elsewhere. Refusals
 * only other account models produce (spot balances, market hours, conditionals) have no Bybit linear code of their
 * own: a short balance answers 110007 like a margin shortfall, the rest 10001.
 */
export const retCodeForReject = (code: SimRejectCode, endpoint: 'leverage' | 'other' = 'other'): number => {
  switch (code) {
    case 'duplicate_client_id':
      return RetCode.duplicateOrderLinkId;
    case 'order_not_found':
      return RetCode.orderNotExists;
    case 'insufficient_margin':
      return RetCode.insufficientBalance;
    case 'reduce_only_no_position':
      return RetCode.reduceOnlyZeroPosition;
    case 'min_notional':
      return RetCode.minNotional;
    case 'too_many_orders':
      return RetCode.tooManyOrders;
    case 'price_invalid':
      return RetCode.priceOutOfRange;
    case 'not_modified':
      return endpoint === 'leverage' ? RetCode.leverageNotModified : RetCode.paramError;
    case 'insufficient_balance':
      return RetCode.insufficientBalance;
    case 'qty_invalid':
    case 'unknown_symbol':
    case 'invalid_request':
    case 'market_closed':
    case 'not_supported':
    case 'would_trigger_immediately':
      return RetCode.paramError;
  }
};

/**
 * How Bybit spells the engine's order reasons: `rejectReason` from the enum `rejectReason` (`EC_NoError` when none),
 * `cancelType` from the enum `cancelType` (`UNKNOWN` for venue-side closes such as an expired IOC), and
 * `stopOrderType` (`TakeProfit` / `StopLoss` for a position's TP/SL, `Stop` for a conditional order). Bybit linear has
 * no OCO pairs; their words get the nearest neutral spelling.
 */
export const BYBIT_SPELLING: SimSpelling = {
  reason: {
    none: 'EC_NoError',
    post_only_would_take: 'EC_PostOnlyWillTakeLiquidity',
    no_immediate_fill: 'EC_NoImmediateQtyToFill',
    fok_not_filled: 'EC_NoEnoughQtyToFill',
  },
  cancel: { unknown: 'UNKNOWN', user: 'CancelByUser', reduce_only: 'CancelByReduceOnly', one_cancels_other: 'UNKNOWN' },
  origin: { user: '', position_take_profit: 'TakeProfit', position_stop_loss: 'StopLoss', stop: 'Stop', take_profit: 'Stop', oco_take_profit: '' },
};
