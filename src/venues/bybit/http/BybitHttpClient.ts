/**
 * The Bybit v5 REST client on undici: builds the exact request (query in insertion order, compact JSON body, the
 * X-BAPI-* headers signed with offset-corrected venue time, no Referer), applies the client-side rate limiter and a
 * whole-request timeout, decodes the envelope with effect/Schema (bounded JSON first; any failure, even a throw, is
 * a typed `VenueError`) and maps failures through `errors.ts`. It decides nothing about risk and never retries a
 * request whose outcome is unknown.
 */
import { Effect, Either, Redacted, type Schema } from 'effect';
import { Agent, request, type Dispatcher } from 'undici';
import { preciseWallClock, type Clock } from '../../../kernel/Clock.ts';
import type { Telemetry } from '../../../kernel/telemetry.ts';
import { VenueError, type VenueFailure } from '../../Venue.ts';
import type { BybitConfig } from '../BybitConfig.ts';
import { ClockGate, ClockOffsetEstimator } from '../../shared/ClockGate.ts';
import { boundedMessage, convertWire, decodeWire, parseBybitJson } from '../decoding.ts';
import { parseServerTime } from '../parse.ts';
import { signRest } from '../signing.ts';
import { BybitPaths, bybitEndpointGroup, resolveBybitUrls, type BybitPath } from '../urls.ts';
import { TIMESTAMP_OUT_OF_WINDOW, failureForHttpStatus, failureForRetCode, retryAfterFromHeaders, type HeaderMap } from './errors.ts';
import { BybitHttpEnvelope, BybitHttpServerTime, isPlausibleMs } from './messages.ts';
import { BybitRateLimiter } from './RateLimiter.ts';

/** A pino-compatible logger subset. Never receives secrets: headers and signatures are not logged. */
export interface BybitLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** One REST call. `query` keeps insertion order; `body` is serialised with JSON.stringify as-is. */
export interface BybitCall<A, I> {
  readonly operation: string;
  readonly method: 'GET' | 'POST';
  readonly path: BybitPath;
  readonly query?: ReadonlyArray<readonly [string, string]> | undefined;
  readonly body?: Readonly<Record<string, unknown>> | undefined;
  readonly signed: boolean;
  readonly result: Schema.Schema<A, I>;
  /** retCodes to treat as success (e.g. 110043 "leverage not modified"); their result is not decoded. */
  readonly acceptCodes?: ReadonlyArray<number> | undefined;
}

/** What decoding an answer needs to know about its call. */
export type BybitCallDecoding<A, I> = Pick<BybitCall<A, I>, 'path' | 'result' | 'acceptCodes'>;

/** A decoded success. `result` is undefined only for an accepted non-zero code. */
export interface BybitResponse<A> {
  readonly retCode: number;
  readonly retMsg: string;
  readonly result: A | undefined;
  /** The envelope's `time` (venue ms), when present and plausible. */
  readonly time: number | undefined;
}

/** The raw exchange of one request, for golden tests and diagnostics. */
export interface BybitWireRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | undefined;
}

/** One HTTP answer as received: status, headers and the body text, not yet trusted. */
export interface BybitRawResponse {
  readonly status: number;
  readonly headers: HeaderMap;
  readonly text: string;
}

type RawOutcome =
  | ({ readonly kind: 'response' } & BybitRawResponse)
  | { readonly kind: 'timeout' }
  | { readonly kind: 'transport'; readonly message: string };

const snippet = (text: string): string => (text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Returns the envelope's `time` when it is a plausible venue timestamp; anything else is dropped, not trusted. */
const plausibleTime = (time: number | undefined): number | undefined => (time !== undefined && isPlausibleMs(time) ? time : undefined);

const decodeResponse = <A, I>(call: BybitCallDecoding<A, I>, raw: BybitRawResponse, now: number): Either.Either<BybitResponse<A>, VenueFailure> => {
  const json = parseBybitJson(raw.text);
  const envelope = Either.isRight(json) ? decodeWire(BybitHttpEnvelope, json.right) : Either.left(`response is not acceptable JSON (${json.left})`);
  const statusFailure = failureForHttpStatus(raw.status, raw.headers, now, snippet(raw.text));
  if (statusFailure !== undefined) {
    // A non-2xx with a Bybit envelope and a known code (other than rate limits and 5xx) is still definitive.
    if (statusFailure.kind === 'server' && raw.status < 500 && Either.isRight(envelope) && envelope.right.retCode !== 0) {
      const env = envelope.right;
      return Either.left(failureForRetCode(env.retCode, env.retMsg, raw.status, retryAfterFromHeaders(raw.headers, now)));
    }
    return Either.left(statusFailure);
  }
  if (Either.isLeft(envelope)) return Either.left({ kind: 'decode', message: boundedMessage(`${call.path}: ${envelope.left}`) });
  const env = envelope.right;
  const time = plausibleTime(env.time);
  if (env.retCode !== 0) {
    if (call.acceptCodes?.includes(env.retCode) === true) return Either.right({ retCode: env.retCode, retMsg: env.retMsg, result: undefined, time });
    return Either.left(failureForRetCode(env.retCode, env.retMsg, raw.status, retryAfterFromHeaders(raw.headers, now)));
  }
  const result = decodeWire(call.result, env.result ?? {});
  if (Either.isLeft(result)) return Either.left({ kind: 'decode', message: boundedMessage(`${call.path}: ${result.left}`) });
  return Either.right({ retCode: 0, retMsg: env.retMsg, result: result.right, time });
};

/**
 * Returns the decoded answer of a call — the result schema's value, or a typed failure (HTTP status, retCode, or
 * `decode` for anything unreadable, oversized, too deep or semantically invalid). Pure; never throws (X-RT-10).
 */
export const decodeBybitResponse = <A, I>(call: BybitCallDecoding<A, I>, raw: BybitRawResponse, now: number): Either.Either<BybitResponse<A>, VenueFailure> => {
  try {
    return decodeResponse(call, raw, now);
  } catch (e) {
    return Either.left({ kind: 'decode', message: boundedMessage(`${call.path}: decoding threw ${e instanceof Error ? e.message : 'a non-error'}`) });
  }
};

/** Returns the query string exactly as sent and signed: `k=v` pairs in insertion order, not re-encoded. */
export const buildQueryString = (query: ReadonlyArray<readonly [string, string]> | undefined): string =>
  (query ?? []).map(([k, v]) => `${k}=${v}`).join('&');

/** What the REST client is given besides its config. */
export interface BybitHttpClientDeps {
  readonly clock: Clock;
  readonly logger?: BybitLogger | undefined;
  readonly dispatcher?: Dispatcher | undefined;
  readonly telemetry?: Telemetry | undefined;
  readonly latencyClock?: Clock | undefined;
}

/** The REST client of one Bybit account. */
export class BybitHttpClient {
  private readonly config: BybitConfig;
  private readonly clock: Clock;
  private readonly logger: BybitLogger | undefined;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly limiter: BybitRateLimiter;
  private readonly estimator: ClockOffsetEstimator;
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly telemetry: Telemetry | undefined;
  private readonly latencyClock: Clock;
  /** The X-CLK-2 gate, updated by every `serverTime()` measurement. */
  readonly clockGate: ClockGate;

  /**
   * `telemetry` is told each request's round trip (`rest_request`, labels venue and endpoint path), timed on
   * `latencyClock` (default the precise wall clock: it is the network's time, whatever clock the session runs on).
   */
  constructor(config: BybitConfig, deps: BybitHttpClientDeps) {
    this.config = config;
    this.clock = deps.clock;
    this.telemetry = deps.telemetry;
    this.latencyClock = deps.latencyClock ?? preciseWallClock;
    this.logger = deps.logger;
    this.ownsDispatcher = deps.dispatcher === undefined;
    this.dispatcher = deps.dispatcher ?? new Agent({ connections: config.connections, keepAliveTimeout: 30_000 });
    this.limiter = new BybitRateLimiter(config.rateLimits, deps.clock);
    this.estimator = new ClockOffsetEstimator(config.clockSamples);
    this.clockGate = new ClockGate(config.clockGate);
    this.baseUrl = resolveBybitUrls(config).rest;
    this.apiKey = Redacted.value(config.apiKey);
  }

  /** Returns the current venue-minus-local clock offset estimate in ms. */
  clockOffsetMs(): number {
    return this.estimator.offsetMs();
  }

  /** Returns the offset-corrected venue time in ms (what `X-BAPI-TIMESTAMP` carries). */
  venueNow(): number {
    return Math.round(this.clock.now() + this.estimator.offsetMs());
  }

  /** Builds the wire request of a call at the given venue timestamp (exposed for golden tests). */
  buildRequest(call: { readonly method: 'GET' | 'POST'; readonly path: string; readonly query?: ReadonlyArray<readonly [string, string]> | undefined; readonly body?: Readonly<Record<string, unknown>> | undefined; readonly signed: boolean }, timestamp: number): BybitWireRequest {
    const qs = buildQueryString(call.query);
    const url = `${this.baseUrl}${call.path}${qs === '' ? '' : `?${qs}`}`;
    const body = call.method === 'POST' ? JSON.stringify(call.body ?? {}) : undefined;
    const headers: Record<string, string> = {};
    if (call.signed) {
      const recv = this.config.recvWindowMs;
      headers['X-BAPI-API-KEY'] = this.apiKey;
      headers['X-BAPI-TIMESTAMP'] = String(timestamp);
      headers['X-BAPI-SIGN'] = signRest(this.config.apiSecret, timestamp, this.apiKey, recv, call.method === 'GET' ? qs : (body ?? ''));
      headers['X-BAPI-RECV-WINDOW'] = String(recv);
    }
    if (call.method === 'POST') headers['Content-Type'] = 'application/json';
    return { method: call.method, url, headers, body };
  }

  private fail(operation: string, reason: VenueFailure): Effect.Effect<never, VenueError> {
    // Never the raw payload or headers: they may carry account data (X-SEC-4); the kind and code are enough.
    this.logger?.warn(
      { venue: 'bybit', operation, reason: reason.kind, code: 'code' in reason ? reason.code : undefined },
      reason.kind === 'decode' ? 'payload_decode_failed' : 'bybit_request_failed',
    );
    return Effect.fail(new VenueError({ venue: 'bybit', operation, reason }));
  }

  /**
   * Runs a `parse.ts` conversion of a decoded result; a throw becomes a `decode` VenueError (logged as
   * `payload_decode_failed`), never a defect.
   */
  convert<A>(operation: string, what: string, convert: () => A): Effect.Effect<A, VenueError> {
    return Effect.suspend(() => {
      const r = convertWire(what, convert);
      return Either.isRight(r) ? Effect.succeed(r.right) : this.fail(operation, { kind: 'decode', message: r.left });
    });
  }

  /** Waits for a rate-limit token of the path's group, or fails with `rate_limited` when the wait is too long. */
  private acquire(operation: string, path: BybitPath): Effect.Effect<void, VenueError> {
    const group = bybitEndpointGroup(path);
    const loop = (waited: number): Effect.Effect<void, VenueError> => {
      const wait = this.limiter.tryTake(group);
      if (wait === 0) return Effect.void;
      if (waited + wait > this.limiter.maxQueueMs) {
        return this.fail(operation, { kind: 'rate_limited', retryAfterMs: wait, message: `client-side ${group} limit` });
      }
      return Effect.sleep(wait).pipe(Effect.flatMap(() => loop(waited + wait)));
    };
    return loop(0);
  }

  private send(wire: BybitWireRequest, endpoint: BybitPath): Effect.Effect<RawOutcome> {
    const timeoutMs = this.config.requestTimeoutMs;
    return Effect.promise(async (interrupt): Promise<RawOutcome> => {
      const telemetry = this.telemetry;
      const started = telemetry === undefined ? 0 : this.latencyClock.now();
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      const onInterrupt = (): void => controller.abort();
      interrupt.addEventListener('abort', onInterrupt);
      try {
        const res = await request(wire.url, {
          method: wire.method,
          headers: wire.headers,
          body: wire.body,
          dispatcher: this.dispatcher,
          signal: controller.signal,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const text = await res.body.text();
        return { kind: 'response', status: res.statusCode, headers: res.headers, text };
      } catch (e) {
        const code = typeof e === 'object' && e !== null && 'code' in e ? String((e).code) : '';
        if (timedOut || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout' };
        return { kind: 'transport', message: `${code} ${e instanceof Error ? e.message : String(e)}`.trim() };
      } finally {
        clearTimeout(timer);
        interrupt.removeEventListener('abort', onInterrupt);
        // Every round trip counts, answered or not: a timeout's latency is the timeout.
        telemetry?.observe('rest_request', (this.latencyClock.now() - started) / 1000, { venue: 'bybit', endpoint });
      }
    });
  }

  /**
   * Performs one call. A signed call rejected with 10002 (timestamp outside the window) re-measures the server time
   * and is sent once more (X-CLK-3): 10002 proves the first request had no effect.
   */
  call<A, I>(call: BybitCall<A, I>): Effect.Effect<BybitResponse<A>, VenueError> {
    const attempt = (resynced: boolean): Effect.Effect<BybitResponse<A>, VenueError> =>
      this.acquire(call.operation, call.path).pipe(
        Effect.flatMap(() => this.send(this.buildRequest(call, this.venueNow()), call.path)),
        Effect.flatMap((raw) => {
          const outcome =
            raw.kind === 'timeout'
              ? Either.left<VenueFailure>({ kind: 'timeout', afterMs: this.config.requestTimeoutMs })
              : raw.kind === 'transport'
                ? Either.left<VenueFailure>({ kind: 'transport', message: raw.message })
                : decodeBybitResponse(call, raw, this.venueNow());
          if (Either.isRight(outcome)) return Effect.succeed(outcome.right);
          const failure = outcome.left;
          if (!resynced && call.signed && failure.kind === 'clock_skew' && 'code' in failure && failure.code === String(TIMESTAMP_OUT_OF_WINDOW)) {
            this.logger?.warn({ venue: 'bybit', operation: call.operation }, 'bybit_clock_resync');
            return this.serverTime().pipe(Effect.flatMap(() => attempt(true)));
          }
          return this.fail(call.operation, failure);
        }),
      );
    return attempt(false);
  }

  /** Measures the venue clock (midpoint of the round trip), updates the offset estimate and the clock gate. */
  serverTime(): Effect.Effect<number, VenueError> {
    return Effect.suspend(() => {
      const localBefore = this.clock.now();
      return this.call({ operation: 'serverTime', method: 'GET', path: BybitPaths.serverTime, signed: false, result: BybitHttpServerTime }).pipe(
        Effect.flatMap((res) => {
          const localAfter = this.clock.now();
          const wire = res.result;
          if (wire === undefined) return this.fail('serverTime', { kind: 'decode', message: `${BybitPaths.serverTime}: empty result` });
          return this.convert('serverTime', 'server time', () => parseServerTime(wire)).pipe(
            Effect.map((server) => {
              const offset = this.estimator.add({ localBefore, localAfter, server });
              this.clockGate.update(offset);
              return Math.floor(server);
            }),
          );
        }),
      );
    });
  }

  /** Closes the connection pool if the client created it. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
