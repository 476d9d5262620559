/** Tests of the canonical serializer that every journal hash depends on (X-LOG-3). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CanonicalizationError, canonicalDecimal, canonicalJson } from '../../src/journal/canonical.ts';
import { Decimal } from '../../src/domain/money.ts';
import { referenceCanonicalJson } from './canonicalReference.ts';

const SEED = 20261123;

// Rebuilds a JSON value with its object keys inserted in an order chosen by `salt` (deterministic per salt).
const permuteKeys = (value: unknown, salt: number): unknown => {
  if (Array.isArray(value)) return value.map((v, i) => permuteKeys(v, salt + i + 1));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  let s = (salt >>> 0) + 1;
  for (let i = entries.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    const tmp = entries[i];
    entries[i] = entries[j] as [string, unknown];
    entries[j] = tmp as [string, unknown];
  }
  const out: Record<string, unknown> = {};
  // defineProperty, so a generated "__proto__" key stays an own key as it is after JSON.parse.
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: permuteKeys(v, salt * 31 + k.length), enumerable: true, writable: true, configurable: true });
  return out;
};

describe('canonicalJson', () => {
  it('X-LOG-3 sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,2]},"b":1}');
  });

  it('writes Decimals as plain decimal strings without exponent or trailing zeros', () => {
    expect(canonicalJson({ p: new Decimal('1.50'), q: new Decimal('-0'), r: new Decimal('1e-35'), s: new Decimal('12e45') })).toBe(
      `{"p":"1.5","q":"0","r":"0.${'0'.repeat(34)}1","s":"12${'0'.repeat(45)}"}`,
    );
    expect(canonicalDecimal(new Decimal('100.000'))).toBe('100');
  });

  it('omits undefined object fields but refuses undefined array elements and top-level undefined', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(() => canonicalJson([1, undefined])).toThrow(CanonicalizationError);
    expect(() => canonicalJson(undefined)).toThrow(/undefined_value/);
  });

  it('throws a typed error naming the path of NaN, Infinity and non-finite Decimals', () => {
    const cases: Array<[unknown, string]> = [
      [{ a: { b: NaN } }, '$.a.b'],
      [{ list: [1, Infinity] }, '$.list[1]'],
      [{ 'odd key': -Infinity }, '$["odd key"]'],
      [{ d: new Decimal(NaN) }, '$.d'],
      [{ d: new Decimal(Infinity) }, '$.d'],
    ];
    for (const [value, path] of cases) {
      let caught: unknown;
      try {
        canonicalJson(value);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CanonicalizationError);
      expect((caught as CanonicalizationError).reason).toBe('non_finite_number');
      expect((caught as CanonicalizationError).path).toBe(path);
    }
  });

  it('refuses cycles, functions, bigints and class instances other than Decimal', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/cycle/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/unsupported_type/);
    expect(() => canonicalJson({ n: 10n })).toThrow(/unsupported_type/);
    expect(() => canonicalJson({ d: new Map() })).toThrow(/Map/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/Date/);
    // Shared (non-cyclic) references are fine.
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('X-LOG-3 round-trips any JSON value: parse(canonical(v)) equals v and canonical is idempotent', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        const parsed: unknown = JSON.parse(text);
        expect(parsed).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(parsed)).toBe(text);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('X-LOG-3 output does not depend on key insertion order (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 1_000_000 }), (v, salt) => {
        expect(canonicalJson(permuteKeys(v, salt))).toBe(canonicalJson(v));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('Decimals survive the round trip exactly (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 30 }), (digits, scale) => {
        const d = new Decimal(`${digits.toString()}e-${scale}`);
        const back = new Decimal((JSON.parse(canonicalJson({ d })) as { d: string }).d);
        expect(back.eq(d)).toBe(true);
        expect(canonicalJson({ d: back })).toBe(canonicalJson({ d }));
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });
});

// Objects built with defineProperty, so "__proto__" stays an own key as it is after JSON.parse.
const objectOf = (entries: ReadonlyArray<readonly [string, unknown]>, proto: object | null): Record<string, unknown> => {
  const out = Object.create(proto) as Record<string, unknown>;
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
};

// Keys JSON.stringify orders its own way (array indexes first, numerically; "__proto__"), and ordinary ones.
const keyArb = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.constantFrom('0', '1', '9', '10', '01', '4294967295', '-1', '1.5', '__proto__', 'constructor', 'toJSON', '', 'a b', 'é', '\u{1F600}', 'Z', 'a', '_'),
);
const decimalArb = fc.tuple(fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }), fc.integer({ min: 0, max: 30 })).map(([digits, scale]) => new Decimal(`${digits.toString()}e-${scale}`));
const refusedArb = fc.constantFrom<unknown>(NaN, Infinity, -Infinity, undefined, new Decimal(NaN), new Decimal(-Infinity), () => 1, 10n, new Date(0), new Map(), Symbol('s'));
const { value: anyValue } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    { arbitrary: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), weight: 6 },
    { arbitrary: decimalArb, weight: 3 },
    { arbitrary: refusedArb, weight: 1 },
    { arbitrary: tie('array'), weight: 2 },
    { arbitrary: tie('object'), weight: 3 },
  ),
  array: fc.oneof(fc.array(tie('value'), { maxLength: 4 }), fc.sparseArray(tie('value'), { maxLength: 4 })),
  object: fc.tuple(fc.array(fc.tuple(keyArb, tie('value')), { maxLength: 6 }), fc.boolean()).map(([entries, nullProto]) => objectOf(entries, nullProto ? null : Object.prototype)),
}));

const outcome = (serialize: (v: unknown) => string, v: unknown): unknown => {
  try {
    return { text: serialize(v) };
  } catch (e) {
    if (e instanceof CanonicalizationError) return { path: e.path, reason: e.reason, detail: e.detail };
    throw e;
  }
};

describe('canonicalJson fast path (issue 17)', () => {
  it('issue 17 X-LOG-3 writes exactly what the previous serializer wrote, and refuses what it refused with the same path (property)', () => {
    fc.assert(
      fc.property(anyValue, (v) => {
        expect(outcome(canonicalJson, v)).toEqual(outcome(referenceCanonicalJson, v));
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('issue 17 keeps UTF-16 key order for keys JSON.stringify would reorder, and "__proto__" as a key', () => {
    const v = objectOf([['b', 1], ['10', 2], ['9', { z: 1, '2': [new Decimal('1.50')] }], ['__proto__', 'x'], ['a', undefined]], Object.prototype);
    expect(canonicalJson(v)).toBe('{"10":2,"9":{"2":["1.5"],"z":1},"__proto__":"x","b":1}');
    expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
  });

  it('issue 17 names the same path as before for refusals deep inside arrays and objects, and for cycles', () => {
    const cyclic: Record<string, unknown> = { list: [1, { ok: true }] };
    (cyclic['list'] as unknown[]).push({ back: cyclic });
    const deep = { a: [{ 'odd key': [0, { d: new Decimal(NaN) }] }] };
    for (const v of [cyclic, deep, [[[undefined]]], { x: { y: new Map() } }, { '1': objectOf([['__proto__', NaN]], Object.prototype) }]) {
      const got = outcome(canonicalJson, v);
      expect(got).toEqual(outcome(referenceCanonicalJson, v));
      expect(got).toHaveProperty('path');
    }
    expect(outcome(canonicalJson, deep)).toMatchObject({ path: '$.a[0]["odd key"][1].d', reason: 'non_finite_number' });
  });

  it('passes a throw of the caller (a getter) through unchanged', () => {
    const boom = new Error('getter');
    const v = {
      get x(): number {
        throw boom;
      },
    };
    expect(() => canonicalJson(v)).toThrow(boom);
  });
});

describe('canonicalJson sorted-key cache (issue 17)', () => {
  // A few key lists, each inserted in a random order: objects of one shape, of the same keys in another order, and of
  // lists that share a first key and a length but not their keys.
  const keyLists = [
    ['clientOrderId', 'side', 'quantity', 'price', 'reduceOnly', 'note'],
    ['clientOrderId', 'side', 'quantity', 'price', 'reduceOnly', 'role'],
    ['b', 'a', '10', '9'],
    ['b', 'a', 'c', 'd'],
    ['__proto__', 'x', 'é'],
    ['z'],
  ];
  const fieldArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), fc.integer(), fc.constant(undefined), decimalArb, fc.constant(NaN));
  const shapedArb = fc
    .tuple(fc.integer({ min: 0, max: keyLists.length - 1 }), fc.nat(), fc.array(fieldArb, { minLength: 6, maxLength: 6 }), fc.boolean())
    .map(([list, salt, fields, nested]) => {
      const keys = keyLists[list] ?? [];
      const value = permuteKeys(Object.fromEntries(keys.map((k, i) => [k, i])), salt) as Record<string, unknown>;
      // Values go in afterwards, so the insertion order permuteKeys chose is kept (and undefined or NaN can appear).
      const out = objectOf(Object.keys(value).map((k, i) => [k, fields[i]] as const), Object.prototype);
      return nested ? { inner: out, list: [out, { ...keyLists }] } : out;
    });

  it('issue 17 X-LOG-3 objects of repeated shapes in any key order serialize, and are refused, exactly as the reference does (property)', () => {
    fc.assert(
      fc.property(fc.array(shapedArb, { minLength: 1, maxLength: 30 }), (values) => {
        for (const v of values) expect(outcome(canonicalJson, v)).toEqual(outcome(referenceCanonicalJson, v));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('issue 17 X-LOG-3 more shapes than the cache keeps, and objects with more keys than it caches, serialize as the reference does', () => {
    // Keys inserted in an order that depends on n; values are Decimals (written as their decimal text).
    const shape = (n: number, width: number): Record<string, unknown> =>
      objectOf(
        Array.from({ length: width }, (_, i) => [`k${n}_${(i * 5 + n) % width}`, new Decimal(n).div(i + 3)] as const),
        Object.prototype,
      );
    // 2,000 distinct shapes (past the cache's bound, so it starts over), then the first ones again.
    const values = [...Array.from({ length: 2_000 }, (_, n) => shape(n, 1 + (n % 9))), ...Array.from({ length: 50 }, (_, n) => shape(n, 1 + (n % 9)))];
    // Wide objects (maps keyed by ids), which are sorted every time.
    values.push(shape(1, 33), shape(2, 200), { orders: shape(3, 64), tail: shape(4, 33) });
    for (const v of values) expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
  });
});
