/**
 * The canonical serializer as it was before issue 17 made it fast (src/journal/canonical.ts at the typed-catalogue
 * commit), kept verbatim as the reference the fast one must match byte for byte, refusal for refusal: every stored hash
 * was computed over its output. Test support only.
 */
import { Decimal } from '../../src/domain/money.ts';
import { CanonicalizationError } from '../../src/journal/canonical.ts';

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

// Keys are sorted by UTF-16 code units (Array.prototype.sort's default), which is what every JS reader reproduces.
const compareKeys = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const pathKey = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/** Returns the canonical decimal text of a Decimal: no exponent, no trailing zeros, and `0` for negative zero. */
const canonicalDecimal = (d: Decimal): string => {
  if (!d.isFinite()) throw new CanonicalizationError({ path: '$', reason: 'non_finite_number', detail: d.toString() });
  return d.isZero() ? '0' : d.toFixed();
};

const write = (value: unknown, path: string, stack: Set<object>, out: string[]): void => {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalizationError({ path, reason: 'non_finite_number', detail: String(value) });
      // JSON.stringify gives the shortest round-tripping form and maps -0 to "0".
      out.push(JSON.stringify(value));
      return;
    case 'undefined':
      throw new CanonicalizationError({ path, reason: 'undefined_value', detail: 'undefined is only allowed as an object field (omitted)' });
    case 'object':
      break;
    default:
      throw new CanonicalizationError({ path, reason: 'unsupported_type', detail: typeof value });
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (Decimal.isDecimal(value)) {
    if (!value.isFinite()) throw new CanonicalizationError({ path, reason: 'non_finite_number', detail: value.toString() });
    out.push(JSON.stringify(canonicalDecimal(value)));
    return;
  }
  if (stack.has(value)) throw new CanonicalizationError({ path, reason: 'cycle', detail: 'the value refers to itself' });
  if (Array.isArray(value)) {
    stack.add(value);
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      // An array hole or undefined element would silently become null in JSON.parse(JSON.stringify(...)): refuse it.
      write(value[i], `${path}[${i}]`, stack, out);
    }
    out.push(']');
    stack.delete(value);
    return;
  }
  if (!isPlainObject(value)) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    throw new CanonicalizationError({ path, reason: 'unsupported_type', detail: typeof name === 'string' ? name : 'object' });
  }
  stack.add(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort(compareKeys);
  out.push('{');
  let first = true;
  for (const key of keys) {
    const field = record[key];
    if (field === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    write(field, pathKey(path, key), stack, out);
  }
  out.push('}');
  stack.delete(value);
};

/**
 * Returns the canonical JSON text of `value`: sorted keys, Decimal → string, undefined fields omitted, arrays in order.
 * Throws CanonicalizationError for NaN/Infinity, undefined outside an object field, cycles and non-plain objects.
 */
export const referenceCanonicalJson = (value: unknown): string => {
  const out: string[] = [];
  write(value, '$', new Set(), out);
  return out.join('');
};
