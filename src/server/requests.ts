/**
 * The operations server's request schemas (effect/Schema): control bodies, the login body, the journal query and
 * the path parameters, and the one decoder that turns any failure into the problems of a typed 400. Unknown fields
 * are refused rather than ignored. Pure.
 */
import { Either, ParseResult, Schema } from 'effect';

/** One reason a request was refused: where (`reason`, `query.limit`) and what is wrong. */
export interface RequestProblem {
  readonly path: string;
  readonly message: string;
}

const text = (min: number, max: number) =>
  Schema.String.pipe(Schema.minLength(min, { message: () => `must not be empty` }), Schema.maxLength(max, { message: () => `must be at most ${max} characters` }));

/** `POST /control/kill`. */
export const KillBody = Schema.Struct({ reason: text(1, 500), flatten: Schema.optionalWith(Schema.Boolean, { exact: true }) });

/** Every other control route: an optional reason, journaled with the action. */
export const ReasonBody = Schema.Struct({ reason: Schema.optionalWith(text(1, 500), { exact: true }) });

/** `POST /auth/login` (form or JSON). */
export const LoginBody = Schema.Struct({ username: text(1, 200), password: text(1, 1_000) });

const integerText = (min: number, max: number) =>
  Schema.compose(
    Schema.String.pipe(Schema.pattern(/^\d{1,15}$/, { message: () => 'must be a non-negative integer' })),
    Schema.NumberFromString,
  ).pipe(Schema.int(), Schema.between(min, max, { message: () => `must be from ${min} to ${max}` }));

/** `GET /journal?after=<seq>&limit=<n>&account=<name>`. */
export const JournalQuery = Schema.Struct({
  after: Schema.optionalWith(integerText(0, Number.MAX_SAFE_INTEGER), { exact: true }),
  limit: Schema.optionalWith(integerText(1, 1_000), { exact: true }),
  account: Schema.optionalWith(text(1, 64).pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { message: () => 'must be an account name' })), { exact: true }),
});

/** A symbol in a path (`/control/flatten/:symbol`): venue-neutral spelling, no separators that a path could carry. */
export const SymbolParams = Schema.Struct({
  symbol: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, { message: () => 'must be a symbol (letters, digits, . _ -; at most 40)' })),
});

/** A strategy id in a path. */
export const StrategyParams = Schema.Struct({
  id: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: () => 'must be a strategy id (letters, digits, . _ -; at most 64)' })),
});

/** An asset name in a path (`/assets/:name`). */
export const AssetParams = Schema.Struct({
  name: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, { message: () => 'must be an asset file name' })),
});

/** `Last-Event-ID` of an SSE reconnect. */
export const LastEventId = integerText(0, Number.MAX_SAFE_INTEGER);

/** Decodes an unknown input against a schema; the failure lists every problem, each under `prefix`. */
export const decodeRequest = <A, I>(schema: Schema.Schema<A, I>, input: unknown, prefix = ''): Either.Either<A, ReadonlyArray<RequestProblem>> => {
  const decoded = Schema.decodeUnknownEither(schema, { errors: 'all', onExcessProperty: 'error' })(input ?? {});
  if (Either.isRight(decoded)) return Either.right(decoded.right);
  const problems = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== '').join('.') || '(body)',
    message: i.message,
  }));
  return Either.left(problems);
};
