/**
 * Reusable effect/Schema building blocks for config and payloads: decimals from strings, bounded numbers, fractions
 * that also accept percent strings (X-SEC-9), durations. Every number they accept is finite and never -0. Pure;
 * performs no I/O.
 */
import { ParseResult, Schema } from 'effect';
import { Decimal, parseDecimal } from './money.ts';

/** A Decimal encoded as a string ("0.10"); rejects anything that is not a finite decimal literal. */
export const DecimalFromString = Schema.transformOrFail(Schema.String, Schema.instanceOf(Decimal), {
  strict: true,
  decode: (s, _o, ast) => {
    const d = parseDecimal(s);
    // decimal.js turns an exponent beyond its range ("1e9999999999999999") into Infinity: not a usable amount.
    return d === undefined || !d.isFinite()
      ? ParseResult.fail(new ParseResult.Type(ast, s, `Expected a decimal string, got ${JSON.stringify(s)}`))
      : ParseResult.succeed(d);
  },
  encode: (d) => ParseResult.succeed(d.toString()),
});

/** An inclusive-or-exclusive numeric range with an optional unit for messages. */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** The minimum itself is outside the range ("> 0" rather than "≥ 0"). */
  readonly minExclusive?: boolean;
  /** Unit shown in messages ("ms", "bars"). */
  readonly unit?: string;
}

const inRange = (n: number, r: NumberRange): boolean => (r.minExclusive === true ? n > r.min : n >= r.min) && n <= r.max;

/** Returns the range in interval notation, e.g. `(0, 10000]` or `[1, 86400000] ms`. */
export const describeRange = (r: NumberRange): string =>
  `${r.minExclusive === true ? '(' : '['}${String(r.min)}, ${String(r.max)}]${r.unit === undefined ? '' : ` ${r.unit}`}`;

/** Returns why a raw number is not usable at all (NaN, ±Infinity, -0), or undefined. */
export const unusableNumber = (n: number): string | undefined =>
  Number.isNaN(n) ? 'NaN is not a number a config may hold'
  : !Number.isFinite(n) ? `${String(n)} is not finite (YAML .inf or an exponent too large)`
  : Object.is(n, -0) ? '-0 is not accepted (write 0)'
  : undefined;

/**
 * A finite number within the range (X-SEC-8); NaN, ±Infinity and -0 are refused. The identifier of this and the other
 * bounded schemas reads as the range ("an integer in [1, 100]"): messages and config/example.yaml show it.
 */
export const boundedNumber = (range: NumberRange) =>
  Schema.Number.pipe(
    Schema.filter((n) => unusableNumber(n) ?? (inRange(n, range) || `Expected a number in ${describeRange(range)}, got ${String(n)}`)),
  ).annotations({ identifier: `a number in ${describeRange(range)}` });

/** A safe integer within the range (X-SEC-8); NaN, ±Infinity, -0 and fractions are refused. */
export const boundedInt = (range: NumberRange) =>
  Schema.Number.pipe(
    Schema.filter(
      (n) =>
        unusableNumber(n) ??
        ((Number.isSafeInteger(n) && inRange(n, range)) || `Expected an integer in ${describeRange(range)}, got ${String(n)}`),
    ),
  ).annotations({ identifier: `an integer in ${describeRange(range)}` });

/** A whole number of milliseconds within [min, max]. */
export const millisIn = (min: number, max: number) => boundedInt({ min, max, unit: 'ms' });

/** One day in milliseconds: the upper bound of most timeouts and windows. */
export const DAY_MS = 86_400_000;

/**
 * A Decimal within the range, given as a decimal string ("5", "100000") or a plain YAML number; NaN, ±Infinity, -0 and
 * exponents decimal.js cannot hold are refused. Encoded as a string.
 */
export const boundedDecimal = (range: NumberRange) =>
  Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.instanceOf(Decimal), {
    strict: true,
    decode: (raw, _o, ast) => {
      const fail = (why: string) => ParseResult.fail(new ParseResult.Type(ast, raw, why));
      if (typeof raw === 'number') {
        const bad = unusableNumber(raw);
        if (bad !== undefined) return fail(bad);
      }
      const text = typeof raw === 'number' ? String(raw) : raw.trim();
      const d = parseDecimal(text);
      if (d === undefined || !d.isFinite()) return fail(`Expected a decimal in ${describeRange(range)}, got ${JSON.stringify(raw)}`);
      if (d.isZero() && d.isNegative()) return fail('-0 is not accepted (write 0)');
      const ok = (range.minExclusive === true ? d.gt(range.min) : d.gte(range.min)) && d.lte(range.max);
      return ok ? ParseResult.succeed(d) : fail(`Expected a decimal in ${describeRange(range)}, got ${JSON.stringify(raw)}`);
    },
    encode: (d) => ParseResult.succeed(d.toString()),
  }).annotations({ identifier: `a decimal in ${describeRange(range)}` });

const percentOf = (n: number): string => `${new Decimal(n).times(100).toString()} %`;

/**
 * A fraction field (X-SEC-9, C-16): a bare number in [0, 1) is that fraction, and a percent is written as a string
 * `"2%"`. A bare number that could be read two ways is refused with both readings: `1` (100 % or 1 %?) and anything
 * above 1 (`2`: 200 % or 2 %?); `"100%"` is how 100 % is written. Then the field's own range applies. Nothing is
 * normalised silently. A fraction of exactly 1 encodes as `"100%"` so encoded configs decode again.
 */
export const fractionIn = (range: NumberRange) => {
  const shown = `${describeRange(range)} (${range.minExclusive === true ? 'above' : 'from'} ${percentOf(range.min)} to ${percentOf(range.max)})`;
  const example = inRange(0.05, range) ? 0.05 : range.max;
  return Schema.transformOrFail(Schema.Union(Schema.Number, Schema.String), Schema.Number, {
    strict: true,
    decode: (input, _o, ast) => {
      const fail = (why: string) => ParseResult.fail(new ParseResult.Type(ast, input, why));
      let value: number;
      if (typeof input === 'string') {
        const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(input);
        if (m?.[1] === undefined) {
          return fail(`Expected a fraction in ${shown} like ${String(example)}, or a percent string like "${percentOf(example).replace(' ', '')}", got ${JSON.stringify(input)}`);
        }
        // Exact decimal arithmetic: "0.4%" is the double nearest 0.004, the same as writing 0.004.
        value = new Decimal(m[1]).div(100).toNumber();
      } else {
        const bad = unusableNumber(input);
        if (bad !== undefined) return fail(bad);
        if (input >= 1) {
          const asPercent = new Decimal(input).div(100).toString();
          const hundred = input === 1 && range.max >= 1 ? ', or "100%" for 100 %' : '';
          return fail(
            `${String(input)} is ambiguous: as a fraction it is ${percentOf(input)}, as a percent it is ${String(input)} %; ` +
              `write "${String(input)}%" or ${asPercent} for ${String(input)} %${hundred} (allowed: ${shown})`,
          );
        }
        if (input < 0) return fail(`Expected a fraction in ${shown}, got ${String(input)}`);
        value = input;
      }
      return inRange(value, range) ? ParseResult.succeed(value) : fail(`Expected a fraction in ${shown}, got ${JSON.stringify(input)}`);
    },
    encode: (n) => ParseResult.succeed(n >= 1 ? `${new Decimal(n).times(100).toString()}%` : n),
  }).annotations({ identifier: `a fraction in ${shown}, or a percent string like "N%"` });
};

/** A fraction anywhere in [0, 1] (`"100%"` for 1), for fields without a tighter range of their own. */
export const PercentFraction = fractionIn({ min: 0, max: 1 });

/** Returns an optional config key that decodes to `value()` when absent. */
export const withDefault = <S extends Schema.Schema.AnyNoContext>(schema: S, value: () => Schema.Schema.Type<S>) => Schema.optionalWith(schema, { default: value });
