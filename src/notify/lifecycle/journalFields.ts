/**
 * Reading journal payloads for the lifecycle notifier: typed fields out of a payload record, and bounded memory of
 * what was read (the oldest key goes once a map holds `MEMORY` entries). Pure; performs no I/O.
 */
import { type Decimal, parseDecimal } from '../../domain/money.ts';

/** A journal entry's payload as the notifier reads it. */
export type Payload = Record<string, unknown>;

/** Most decisions, orders, signal sources and symbols remembered. */
export const MEMORY = 5_000;

/** The value when it is a string. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The value as a Decimal when it is a decimal string. */
export const decimal = (v: unknown): Decimal | undefined => (typeof v === 'string' ? parseDecimal(v) : undefined);

/** Sets `key` and forgets the oldest entry beyond `MEMORY`. */
export const remember = <K, V>(map: Map<K, V>, key: K, value: V): void => {
  map.set(key, value);
  if (map.size > MEMORY) map.delete(map.keys().next().value as K);
};
