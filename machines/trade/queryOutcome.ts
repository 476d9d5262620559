/**
 * What a venue's answer to a query by client order id means for an order (conditional statuses map onto their plain
 * equivalents). Pure; performs no I/O.
 */
import type { OrderStatus } from '../../src/domain/orders.ts';
import { isPositive } from './fillMath.ts';

/** Which state a query result settles the order into. */
export type QueryOutcome = 'notFound' | 'accepted' | 'partiallyFilled' | 'filled' | 'cancelled' | 'expired' | 'rejected';

/** Returns the outcome a venue query result stands for. */
export const queryOutcome = (found: boolean, status: OrderStatus | undefined, filled: string): QueryOutcome => {
  if (!found) return 'notFound';
  switch (status) {
    case 'filled':
    case 'triggered':
      return 'filled';
    case 'cancelled':
    case 'deactivated':
      return 'cancelled';
    case 'expired':
      return 'expired';
    case 'rejected':
      return 'rejected';
    case 'partially_filled':
      return 'partiallyFilled';
    default:
      return isPositive(filled) ? 'partiallyFilled' : 'accepted';
  }
};
