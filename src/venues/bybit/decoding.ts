/**
 * The guarded decode steps every Bybit REST body and WS frame goes through: bounded JSON parsing (size and depth
 * caps), effect/Schema decoding and the `parse.ts` conversion, each turning any failure — including a throw — into a
 * short message (issue 10, X-RT-10). Each schema's decoder is compiled once, on first use (issue 17). Pure apart
 * from that cache; never throws.
 */
import { Either, ParseResult, Schema } from 'effect';
import { jsonDepth, parseBoundedJson, type BoundedJsonLimits } from '../../kernel/boundedJson.ts';

/** Limits for Bybit text: 4 MiB (a 1000-instrument page is about 1.5 MB) and 32 levels (Bybit nests at most 5). */
const BYBIT_MAX_DEPTH = 32;
export const BYBIT_JSON_LIMITS: BoundedJsonLimits = { maxLength: 4 * 1024 * 1024, maxDepth: BYBIT_MAX_DEPTH };

/** Longest failure message kept: the payload itself never belongs in a message (it may be huge or carry account data). */
const MAX_MESSAGE_LENGTH = 300;

/** Returns the message cut to a loggable length. */
export const boundedMessage = (message: string): string =>
  message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message;

const describeThrown = (e: unknown): string => {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'unprintable error';
  }
};

/** Returns the JSON value of a text within `BYBIT_JSON_LIMITS`, or why it was refused. */
export const parseBybitJson = (text: string): Either.Either<unknown, string> => {
  const r = parseBoundedJson(text, BYBIT_JSON_LIMITS);
  return r.ok ? Either.right(r.value) : Either.left(boundedMessage(`${r.failure.reason}: ${r.failure.detail}`));
};

/**
 * Texts up to this length are parsed before their nesting is scanned (`parseBybitFrame`): every hot-path frame (book
 * deltas, trades, tickers) is shorter. Such a text holds at most 2,048 nested arrays, which V8's JSON.parse (an
 * iterative parser: deep input makes it neither recurse nor throw) builds in about 0.1 ms, so a hostile short frame
 * costs about what a valid one of the same length does.
 */
export const DEFERRED_DEPTH_MAX_LENGTH = 4096;

/** A parsed WS frame: the value, and whether its nesting was already checked against `BYBIT_JSON_LIMITS`. */
export interface ParsedBybitFrame {
  readonly value: unknown;
  readonly depthChecked: boolean;
}

/**
 * Returns the JSON value of a frame within `BYBIT_JSON_LIMITS`, or why it was refused — with the same reasons as
 * `parseBybitJson`. A short text (≤ `DEFERRED_DEPTH_MAX_LENGTH`) is parsed first and its depth left unchecked
 * (`depthChecked: false`): the caller must call `checkBybitDepth` unless it proved the value shallow (a value whose
 * every nested array or object passed a fixed-shape check). Any text JSON.parse refuses goes through
 * `parseBybitJson`, so a text both deep and malformed is still `too_deep`.
 */
export const parseBybitFrame = (text: string): Either.Either<ParsedBybitFrame, string> => {
  if (typeof text === 'string' && text.length <= DEFERRED_DEPTH_MAX_LENGTH) {
    try {
      return Either.right({ value: JSON.parse(text) as unknown, depthChecked: false });
    } catch {
      // Falls through: the bounded parser names the reason (too deep first, as for every text).
    }
  }
  return Either.map(parseBybitJson(text), (value) => ({ value, depthChecked: true }));
};

/** Returns why a text already parsed by `parseBybitFrame` is nested too deeply (the `parseBybitJson` reason), or undefined. */
export const checkBybitDepth = (text: string): string | undefined => {
  if (jsonDepth(text, BYBIT_MAX_DEPTH) <= BYBIT_MAX_DEPTH) return undefined;
  const r = parseBybitJson(text);
  return Either.isLeft(r) ? r.left : undefined;
};

/** Returns the first issue of a parse error as `path: message`. */
const firstIssue = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error);
  if (issue === undefined) return 'invalid';
  const path = issue.path.map((p) => String(p)).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
};

type WireDecoder = (value: unknown) => Either.Either<unknown, ParseResult.ParseError>;

/** The compiled decoder of each schema, built on its first use: no frame or body pays for building one. */
const compiled = new WeakMap<Schema.Schema.Any, WireDecoder>();

/** Returns the schema's decoder, compiling it once. */
export const wireDecoder = <A, I>(schema: Schema.Schema<A, I>): ((value: unknown) => Either.Either<A, ParseResult.ParseError>) => {
  let decoder = compiled.get(schema);
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownEither(schema);
    compiled.set(schema, decoder);
  }
  return decoder as (value: unknown) => Either.Either<A, ParseResult.ParseError>;
};

/** Returns the value decoded with the wire schema (semantic filters included), or a short reason. */
export const decodeWire = <A, I>(schema: Schema.Schema<A, I>, value: unknown): Either.Either<A, string> => {
  try {
    const r = wireDecoder(schema)(value);
    return Either.isRight(r) ? Either.right(r.right) : Either.left(boundedMessage(firstIssue(r.left)));
  } catch (e) {
    return Either.left(boundedMessage(`decode threw ${describeThrown(e)}`));
  }
};

/** Runs a `parse.ts` conversion, turning a throw into a reason (the schemas make one unexpected, not impossible). */
export const convertWire = <A>(what: string, convert: () => A): Either.Either<A, string> => {
  try {
    return Either.right(convert());
  } catch (e) {
    return Either.left(boundedMessage(`${what}: conversion threw ${describeThrown(e)}`));
  }
};
