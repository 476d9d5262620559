/**
 * Helpers of the drills that compare a session's journal with the simulator's own ledger (the venue's truth): the
 * account's orders read straight from the `SimExchange`, and the intent a client order id belongs to. Read-only; it
 * never sends a request or changes the engine.
 */
import { parseClientOrderId } from '../../../src/journal/clientOrderIds.ts';
import type { SimExchange, SimOrder } from '../../../src/venues/sim/engine/types.ts';

/** Returns every order the engine holds for the account (history and open book merged), each venue order once. */
export const venueOrders = (exchange: SimExchange, account: string): ReadonlyArray<SimOrder> => {
  const byId = new Map<string, SimOrder>();
  for (const o of exchange.orderHistory(account)) byId.set(o.orderId, o);
  for (const o of exchange.openOrders(account)) if (!byId.has(o.orderId)) byId.set(o.orderId, o);
  return [...byId.values()];
};

/** The role of a client order id in the trade chart's naming (docs/machines/trade.md, "Client order ids"). */
export type OrderIdRole = 'entry' | 'reprice' | 'exit' | 'flatten' | 'addOn' | 'hedge' | 'unhedge';

/**
 * Splits one of our client order ids into its intent's base id and its role (`<id>`, `<id>-r<n>`, `<id>-x<n>`,
 * `<id>-f<n>`); undefined for an id that is neither a base id nor a base id with one of those suffixes.
 */
export const splitClientOrderId = (clientOrderId: string): { readonly base: string; readonly role: OrderIdRole } | undefined => {
  // The one grammar (src/domain/clientOrderId.ts) parses base ids and role suffixes alike.
  const p = parseClientOrderId(clientOrderId);
  if (p === undefined) return undefined;
  const role: OrderIdRole = p.role === 'entry' ? (p.n > 0 ? 'reprice' : 'entry') : p.role;
  return { base: p.base, role };
};

/** Groups values by a key, keeping insertion order inside each group. */
export const groupBy = <A>(items: Iterable<A>, key: (a: A) => string): Map<string, A[]> => {
  const out = new Map<string, A[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
};
