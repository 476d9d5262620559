/**
 * The one canonical serializer for everything the journal hashes (X-LOG-3): JSON with sorted object keys, Decimals as
 * plain decimal strings, `undefined` fields omitted. It refuses values JSON cannot carry faithfully (NaN, Infinity,
 * functions, class instances other than Decimal, cycles) with a typed error instead of guessing. Pure; performs no I/O.
 */
import { Data } from 'effect';
import { Decimal } from '../domain/money.ts';

/** A value the canonical serializer cannot represent; `path` points at it (e.g. `$.legs[2].price`). */
export class CanonicalizationError extends Data.TaggedError('CanonicalizationError')<{
  readonly path: string;
  readonly reason: 'non_finite_number' | 'unsupported_type' | 'undefined_value' | 'cycle';
  readonly detail: string;
}> {
  override get message(): string {
    return `cannot canonicalize ${this.path}: ${this.reason} (${this.detail})`;
  }
}

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

const pathKey = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** Returns the canonical decimal text of a Decimal: no exponent, no trailing zeros, and `0` for negative zero. */
export const canonicalDecimal = (d: Decimal): string => {
  if (!d.isFinite()) throw new CanonicalizationError({ path: '$', reason: 'non_finite_number', detail: d.toString() });
  return d.isZero() ? '0' : d.toFixed();
};

// A refusal on its way out of the serializer: each enclosing array or object adds its path segment as it passes, so a
// value that serializes pays nothing for paths (the journal serializes every payload it appends).
class Refusal extends Error {
  readonly segments: string[] = [];
  readonly reason: CanonicalizationError['reason'];
  readonly detail: string;
  constructor(reason: CanonicalizationError['reason'], detail: string) {
    super(detail);
    this.reason = reason;
    this.detail = detail;
  }
}

// The checks of a value's type, the same on both paths below (objects are checked by the caller).
const checkScalar = (value: unknown): void => {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'object':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new Refusal('non_finite_number', String(value));
      return;
    case 'undefined':
      throw new Refusal('undefined_value', 'undefined is only allowed as an object field (omitted)');
    default:
      throw new Refusal('unsupported_type', typeof value);
  }
};

const decimalText = (d: Decimal): string => {
  if (!d.isFinite()) throw new Refusal('non_finite_number', d.toString());
  return d.isZero() ? '0' : d.toFixed();
};

const refuseUnplain = (value: object): never => {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  throw new Refusal('unsupported_type', typeof name === 'string' ? name : 'object');
};

// Thrown by `prepare` for an object whose keys JSON.stringify would not write in insertion order.
const REORDERED = new Error('canonical: keys JSON.stringify reorders');

// A key JSON.stringify would not write where it was inserted: an array index (it goes first, in numeric order) or
// `__proto__` (assigning it sets the prototype instead of adding a key).
const reordersKey = (key: string): boolean => {
  const first = key.charCodeAt(0);
  return (first >= 48 && first <= 57) || key === '__proto__';
};

/** The sorted order of one list of keys (an object's shape), and whether any of them is a key JSON.stringify reorders. */
interface KeyOrder {
  readonly keys: ReadonlyArray<string>;
  readonly sorted: ReadonlyArray<string>;
  readonly reorders: boolean;
}

/*
 * Sorted key lists of recently seen shapes, by first key: the journal serializes the same few payload shapes over and
 * over, and sorting their keys was a quarter of the work. The sorted order depends on the key list alone, so a hit is
 * exactly what sorting again would give. Objects with many keys (maps keyed by ids) are sorted each time and not kept,
 * and the whole cache is dropped when it holds KEY_ORDERS_MAX shapes, so memory stays bounded whatever is serialized.
 */
const SHAPE_KEYS_MAX = 32;
const KEY_ORDERS_MAX = 512;
let keyOrders = new Map<string, KeyOrder[]>();
let keyOrderCount = 0;

const sameKeys = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

const newKeyOrder = (keys: ReadonlyArray<string>): KeyOrder => {
  // Keys are sorted by UTF-16 code units (Array.prototype.sort's default order), which is what every JS reader reproduces.
  const sorted = [...keys].sort();
  return { keys, sorted, reorders: sorted.some(reordersKey) };
};

// Returns the sorted order of `keys` (an object's own enumerable keys, as Object.keys lists them).
const keyOrder = (keys: ReadonlyArray<string>): KeyOrder => {
  const first = keys[0];
  if (first === undefined || keys.length > SHAPE_KEYS_MAX) return newKeyOrder(keys);
  let known = keyOrders.get(first);
  if (known !== undefined) {
    for (const order of known) if (sameKeys(order.keys, keys)) return order;
  }
  const order = newKeyOrder(keys);
  if (keyOrderCount >= KEY_ORDERS_MAX) {
    keyOrders = new Map();
    keyOrderCount = 0;
    known = undefined;
  }
  if (known === undefined) keyOrders.set(first, [order]);
  else known.push(order);
  keyOrderCount++;
  return order;
};

/*
 * The fast path: a copy of the value that JSON.stringify writes canonically. Plain objects are copied with their keys
 * inserted in sorted order (undefined fields left out) and Decimals become their decimal text; everything is checked
 * as `write` checks it. JSON.stringify keeps string keys in insertion order except array-index keys, which it puts
 * first in numeric order, and an assigned `__proto__` sets the prototype instead of a key: an object with a key that
 * starts with a digit or is `__proto__` throws REORDERED, and the whole value goes through `write` instead.
 */
const prepare = (value: unknown, stack: Set<object>): unknown => {
  checkScalar(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Decimal.isDecimal(value)) return decimalText(value);
  if (stack.has(value)) throw new Refusal('cycle', 'the value refers to itself');
  if (Array.isArray(value)) {
    stack.add(value);
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      // An array hole or undefined element would silently become null in JSON.parse(JSON.stringify(...)): refuse it.
      try {
        out.push(prepare(value[i], stack));
      } catch (e) {
        if (e instanceof Refusal) e.segments.push(`[${i}]`);
        throw e;
      }
    }
    stack.delete(value);
    return out;
  }
  if (!isPlainObject(value)) refuseUnplain(value);
  stack.add(value);
  const record = value as Record<string, unknown>;
  const order = keyOrder(Object.keys(record));
  const out: Record<string, unknown> = {};
  for (const key of order.sorted) {
    const field = record[key];
    if (field === undefined) continue;
    if (order.reorders && reordersKey(key)) throw REORDERED;
    try {
      out[key] = prepare(field, stack);
    } catch (e) {
      if (e instanceof Refusal) e.segments.push(pathKey(key));
      throw e;
    }
  }
  stack.delete(value);
  return out;
};

// The general path: writes the canonical text piece by piece.
const write = (value: unknown, stack: Set<object>): string => {
  checkScalar(value);
  if (typeof value !== 'object') return JSON.stringify(value);
  if (value === null) return 'null';
  // Digits, '-' and '.' only: nothing to escape.
  if (Decimal.isDecimal(value)) return `"${decimalText(value)}"`;
  if (stack.has(value)) throw new Refusal('cycle', 'the value refers to itself');
  if (Array.isArray(value)) {
    stack.add(value);
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      try {
        out += write(value[i], stack);
      } catch (e) {
        if (e instanceof Refusal) e.segments.push(`[${i}]`);
        throw e;
      }
    }
    stack.delete(value);
    return `${out}]`;
  }
  if (!isPlainObject(value)) refuseUnplain(value);
  stack.add(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const field = record[key];
    if (field === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:`;
    try {
      out += write(field, stack);
    } catch (e) {
      if (e instanceof Refusal) e.segments.push(pathKey(key));
      throw e;
    }
  }
  stack.delete(value);
  return `${out}}`;
};

const toCanonicalizationError = (e: unknown): unknown =>
  e instanceof Refusal ? new CanonicalizationError({ path: `$${e.segments.reverse().join('')}`, reason: e.reason, detail: e.detail }) : e;

/**
 * Returns the canonical JSON text of `value`: sorted keys, Decimal → string, undefined fields omitted, arrays in order.
 * Throws CanonicalizationError for NaN/Infinity, undefined outside an object field, cycles and non-plain objects.
 */
export const canonicalJson = (value: unknown): string => {
  try {
    try {
      return JSON.stringify(prepare(value, new Set()));
    } catch (e) {
      if (e !== REORDERED) throw e;
      return write(value, new Set());
    }
  } catch (e) {
    // A refusal becomes the typed error; anything else (a throwing getter) passes through unchanged.
    throw toCanonicalizationError(e);
  }
};
