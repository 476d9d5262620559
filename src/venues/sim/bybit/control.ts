/**
 * Read-only views behind the façade's `/sim/control/orders` and `/sim/control/positions` endpoints: every order the
 * engine has seen for an account and its open positions, encoded with Bybit's spellings and decimals as strings, so a
 * drill can check the venue's truth without signing requests. Pure; performs no I/O and never changes the engine.
 */
import type { Decimal } from '../../../domain/money.ts';
import type { SimExchange, SimOrder, SimPosition } from '../engine/types.ts';
import { orderTypeToWire, positionIdxToWire, sideToWire, statusToWire, tifToWire } from './wire.ts';

/** One order as `/sim/control/orders` lists it. Decimals are strings; `price`/`avgPrice` are `""` when absent. */
export interface SimControlOrder {
  readonly orderId: string;
  readonly orderLinkId: string;
  readonly symbol: string;
  /** `Buy` | `Sell`. */
  readonly side: string;
  /** `Limit` | `Market`. */
  readonly orderType: string;
  /** Bybit's orderStatus: `New`, `PartiallyFilled`, `Filled`, `Cancelled` (also for expired IOC/FOK rests), `Rejected`. */
  readonly status: string;
  readonly qty: string;
  readonly price: string;
  readonly cumExecQty: string;
  readonly avgPrice: string;
  readonly timeInForce: string;
  readonly reduceOnly: boolean;
  readonly closeOnTrigger: boolean;
  /** `CancelByUser`, `CancelByReduceOnly`, … or `UNKNOWN`. */
  readonly cancelType: string;
  /** `EC_NoError` or the reason, e.g. `EC_PostOnlyWillTakeLiquidity`. */
  readonly rejectReason: string;
  /** Epoch ms as a string, like Bybit. */
  readonly createdTime: string;
  readonly updatedTime: string;
  /** Present only on the close orders of a fired position TP/SL: `TakeProfit` | `StopLoss`. */
  readonly stopOrderType?: string;
}

/** One open position as `/sim/control/positions` lists it; `takeProfit`/`stopLoss` are `""` when not set. */
export interface SimControlPosition {
  readonly symbol: string;
  /** `Buy` (long) | `Sell` (short). */
  readonly side: string;
  /** Absolute size. */
  readonly size: string;
  readonly avgPrice: string;
  readonly takeProfit: string;
  readonly stopLoss: string;
  /** 0 one-way; 1 / 2 the long / short leg in hedge mode (S0-12). */
  readonly positionIdx: number;
}

const text = (d: Decimal | undefined): string => (d === undefined ? '' : d.toString());

/** Returns the control view of one engine order. */
export const controlOrder = (o: SimOrder): SimControlOrder => ({
  orderId: o.orderId,
  orderLinkId: o.clientOrderId,
  symbol: o.symbol,
  side: sideToWire(o.side),
  orderType: orderTypeToWire(o.type),
  status: statusToWire(o.status),
  qty: o.quantity.toString(),
  price: text(o.price),
  cumExecQty: o.filledQuantity.toString(),
  avgPrice: text(o.averagePrice),
  timeInForce: tifToWire(o.timeInForce),
  reduceOnly: o.reduceOnly,
  closeOnTrigger: o.closeOnTrigger,
  cancelType: o.cancelType,
  rejectReason: o.rejectReason,
  createdTime: String(o.createdAt),
  updatedTime: String(o.updatedAt),
  ...(o.stopOrderType === '' ? {} : { stopOrderType: o.stopOrderType }),
});

/**
 * Returns every order the engine holds for the account (open and closed), oldest first, each once. The engine keeps
 * its whole order ledger for the life of the process (nothing is capped or pruned), so the list is complete.
 */
export const controlOrders = (exchange: SimExchange, account: string, symbol?: string): ReadonlyArray<SimControlOrder> => {
  const byId = new Map<string, SimOrder>();
  // The history already holds open orders; the open list is merged too in case an engine ever keeps them apart.
  for (const o of exchange.orderHistory(account, symbol)) byId.set(o.orderId, o);
  for (const o of exchange.openOrders(account, symbol)) if (!byId.has(o.orderId)) byId.set(o.orderId, o);
  // A stable sort keeps the engine's acceptance order among orders created in the same millisecond.
  return [...byId.values()].sort((a, b) => a.createdAt - b.createdAt).map(controlOrder);
};

/** Returns the control view of one position. */
export const controlPosition = (p: SimPosition): SimControlPosition => ({
  symbol: p.symbol,
  side: p.size.isZero() ? '' : p.size.isPositive() ? 'Buy' : 'Sell',
  size: p.size.abs().toString(),
  avgPrice: p.entryPrice.toString(),
  takeProfit: text(p.takeProfit),
  stopLoss: text(p.stopLoss),
  positionIdx: positionIdxToWire(p.positionSide),
});

/** Returns the account's open (non-zero) positions, optionally of one symbol; a flat symbol is simply absent. */
export const controlPositions = (exchange: SimExchange, account: string, symbol?: string): ReadonlyArray<SimControlPosition> =>
  // `positions(account)` without a symbol lists only non-zero positions and creates no position record.
  exchange
    .positions(account)
    .filter((p) => !p.size.isZero() && (symbol === undefined || p.symbol === symbol))
    .map(controlPosition);

/** The outcome of choosing the account a control query is about. */
export type ControlAccount = { readonly ok: true; readonly account: string } | { readonly ok: false; readonly error: string };

/**
 * Returns the account named by the `account` query parameter, which must be one the façade has an API key for; when
 * it is omitted and the façade trades for exactly one account (`main` in `tradewarden sim`), that one.
 */
export const resolveControlAccount = (requested: string | null, known: ReadonlyArray<string>): ControlAccount => {
  const accounts = [...new Set(known)];
  if (requested === null || requested === '') {
    const only = accounts.length === 1 ? accounts[0] : undefined;
    return only === undefined ? { ok: false, error: `account is required (one of ${accounts.join(', ')})` } : { ok: true, account: only };
  }
  return accounts.includes(requested) ? { ok: true, account: requested } : { ok: false, error: `unknown account ${JSON.stringify(requested)} (known: ${accounts.join(', ')})` };
};
