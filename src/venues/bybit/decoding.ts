/**
 * The guarded decode steps every Bybit REST body and WS frame goes through: bounded JSON parsing (size and depth
 * caps), effect/Schema decoding and the `parse.ts` conversion, each turning any failure — including a throw — into a
 * short message (issue 10, X-RT-10). Pure; never throws.
 */
import { Either, ParseResult, Schema } from 'effect';
import { parseBoundedJson, type BoundedJsonLimits } from '../../kernel/boundedJson.ts';

/** Limits for Bybit text: 4 MiB (a 1000-instrument page is about 1.5 MB) and 32 levels (Bybit nests at most 5). */
export const BYBIT_JSON_LIMITS: BoundedJsonLimits = { maxLength: 4 * 1024 * 1024, maxDepth: 32 };

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

/** Returns the first issue of a parse error as `path: message`. */
const firstIssue = (error: ParseResult.ParseError): string => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error);
  if (issue === undefined) return 'invalid';
  const path = issue.path.map((p) => String(p)).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
};

/** Returns the value decoded with the wire schema (semantic filters included), or a short reason. */
export const decodeWire = <A, I>(schema: Schema.Schema<A, I>, value: unknown): Either.Either<A, string> => {
  try {
    const r = Schema.decodeUnknownEither(schema)(value);
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
