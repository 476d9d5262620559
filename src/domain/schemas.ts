/**
 * Reusable effect/Schema building blocks for config and payloads: decimals from strings, fractions that also accept
 * percent notation (X-SEC-9), durations. Pure; performs no I/O.
 */
import { ParseResult, Schema } from 'effect';
import { Decimal, parseDecimal } from './money.ts';

/** A Decimal encoded as a string ("0.10"); rejects anything that is not a finite decimal literal. */
export const DecimalFromString = Schema.transformOrFail(Schema.String, Schema.instanceOf(Decimal), {
  strict: true,
  decode: (s, _o, ast) => {
    const d = parseDecimal(s);
    return d === undefined ? ParseResult.fail(new ParseResult.Type(ast, s, `Expected a decimal string, got ${JSON.stringify(s)}`)) : ParseResult.succeed(d);
  },
  encode: (d) => ParseResult.succeed(d.toString()),
});

/**
 * A fraction in [0, 1] that also accepts `"5%"` strings and bare whole numbers in (1, 100] meaning percent (X-SEC-9:
 * 0.05, "5%" and 5 all decode to 0.05; 500 fails). A bare non-integer above 1 such as 1.5 is rejected as ambiguous
 * (a 150 % fraction or 1.5 %?): write "1.5%". Normalised bare numbers are reported by the loader.
 */
export const PercentFraction = Schema.transformOrFail(Schema.Union(Schema.Number, Schema.String), Schema.Number, {
  strict: true,
  decode: (input, _o, ast) => {
    const fail = (why: string) => ParseResult.fail(new ParseResult.Type(ast, input, why));
    let value: number;
    if (typeof input === 'string') {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*%\s*$/.exec(input);
      if (m?.[1] === undefined) return fail(`Expected a fraction in [0, 1] or a percent string like "5%", got ${JSON.stringify(input)}`);
      value = Number(m[1]) / 100;
    } else {
      if (!Number.isFinite(input)) return fail(`Expected a finite number, got ${String(input)}`);
      if (input > 1 && !Number.isInteger(input)) {
        return fail(`Expected a fraction in [0, 1], got ${String(input)} (write "${String(input)}%" if a percent was meant)`);
      }
      value = input > 1 && input <= 100 ? input / 100 : input;
    }
    if (value < 0 || value > 1) return fail(`Expected a fraction in [0, 1] (or 0%..100%), got ${JSON.stringify(input)}`);
    return ParseResult.succeed(value);
  },
  encode: (n) => ParseResult.succeed(n),
}).annotations({ identifier: 'Fraction' });

/** Returns whether a raw percent-field value would be normalised from percent to a fraction (for `config_pct_normalized` logs). */
export const isBarePercent = (input: unknown): boolean => typeof input === 'number' && Number.isInteger(input) && input > 1 && input <= 100;

/** A positive integer number of milliseconds. */
export const Millis = Schema.Number.pipe(Schema.int(), Schema.nonNegative()).annotations({ identifier: 'Milliseconds' });

/** A positive integer. */
export const PositiveInt = Schema.Number.pipe(Schema.int(), Schema.positive()).annotations({ identifier: 'PositiveInt' });
