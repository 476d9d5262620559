/**
 * The signal webhook (issue 16 item 1, S0-3, X-SEC-4): `POST /signals/<source>` for each `via: webhook` signal source.
 * A request is authenticated before its body is read as JSON: HMAC-SHA256 with the source's secret over
 * `<timestamp>.<raw body>`, compared in constant time, its timestamp within `signals.webhookToleranceMs` of the
 * server's clock. An authenticated, schema-checked message goes to the running intake, which journals it before it is
 * parsed; the answer is its outcome. Neither the body, the signature nor the secret is ever logged.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Either, Redacted, Schema } from 'effect';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SignalReceiver } from '../../ops/types.ts';
import { badRequest, type ServerContext } from '../context.ts';
import { decodeRequest } from '../requests.ts';

/** The header carrying the signing time in Unix seconds. */
export const TIMESTAMP_HEADER = 'x-tradewarden-timestamp';
/** The header carrying `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const SIGNATURE_HEADER = 'x-tradewarden-signature';

/** What the server needs to serve the webhook sources. */
export interface SignalWebhooks {
  /** Each `via: webhook` source's name and its HMAC secret. */
  readonly sources: ReadonlyMap<string, Redacted.Redacted<string>>;
  /** Requests per minute, source and client address (`signals.webhookPerMinute`). */
  readonly perMinute: number;
  /** The largest distance of a signed timestamp from the server's clock (`signals.webhookToleranceMs`). */
  readonly toleranceMs: number;
  /** The running intake; undefined before it has started and after it has stopped (503). */
  readonly receiver: () => SignalReceiver | undefined;
}

/** A body holds at most 8,192 characters of text, each at most a 6-byte JSON escape, and its other fields. */
export const SIGNAL_BODY_LIMIT_BYTES = 64 * 1024;
const BODY_LIMIT_BYTES = SIGNAL_BODY_LIMIT_BYTES;
/** The Retry-After of a 503 while the intake is not running (seconds): the session's start takes a few. */
const RETRY_AFTER_S = 5;

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The webhook's body: the source's message id, the text, and when it was posted (ISO 8601 with a zone). */
export const WebhookSignalBody = Schema.Struct({
  id: Schema.String.pipe(
    Schema.minLength(1, { message: () => 'must not be empty' }),
    Schema.maxLength(64, { message: () => 'must be at most 64 characters' }),
    Schema.pattern(/^[^\p{Cc}]+$/u, { message: () => 'must not contain control characters' }),
  ),
  text: Schema.String.pipe(Schema.minLength(1, { message: () => 'must not be empty' }), Schema.maxLength(8192, { message: () => 'must be at most 8192 characters' })),
  postedAt: Schema.optionalWith(
    Schema.String.pipe(Schema.filter((s) => (ISO_8601.test(s) && Number.isFinite(Date.parse(s))) || 'must be an ISO 8601 time with a zone (2026-01-05T09:30:00Z)')),
    { exact: true },
  ),
});

/** Why a request was not authenticated (logged; the answer says it in a sentence). */
type Denial = 'missing_headers' | 'bad_timestamp' | 'bad_signature' | 'stale_timestamp';

const DENIAL_TEXT: Readonly<Record<Denial, string>> = {
  missing_headers: `send ${TIMESTAMP_HEADER} (Unix seconds) and ${SIGNATURE_HEADER} (sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">)`,
  bad_timestamp: `${TIMESTAMP_HEADER} must be Unix seconds`,
  bad_signature: 'the signature does not match the body and timestamp under this source\'s secret',
  stale_timestamp: 'the signed timestamp is too far from the server\'s clock; sign each request when it is sent',
};

const oneHeader = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

/** Checks the signature (constant time) and then the timestamp's distance from `now`; undefined when both hold. */
const denial = (req: FastifyRequest, raw: Buffer, secret: Redacted.Redacted<string>, now: number, toleranceMs: number): Denial | undefined => {
  const timestamp = oneHeader(req, TIMESTAMP_HEADER);
  const signature = oneHeader(req, SIGNATURE_HEADER);
  if (timestamp === undefined || signature === undefined) return 'missing_headers';
  if (!/^\d{1,12}$/.test(timestamp)) return 'bad_timestamp';
  const given = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim())?.[1];
  if (given === undefined) return 'bad_signature';
  const expected = createHmac('sha256', Redacted.value(secret)).update(`${timestamp}.`).update(raw).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'bad_signature';
  return Math.abs(now - Number(timestamp) * 1000) > toleranceMs ? 'stale_timestamp' : undefined;
};

const parseJson = (raw: Buffer): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string } => {
  try {
    return { ok: true, value: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (e) {
    return { ok: false, problem: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
};

/** Registers `POST /signals/:source` in a scope of its own, whose JSON bodies stay raw bytes until they are verified. */
export const signalRoutes = (app: FastifyInstance, ctx: ServerContext, hooks: SignalWebhooks): void => {
  void app.register((scope, _opts, done) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, next) => next(null, body));
    const options = {
      bodyLimit: BODY_LIMIT_BYTES,
      config: {
        rateLimit: {
          max: hooks.perMinute,
          timeWindow: 60_000,
          // Names that are no webhook source share one key: a client cycling through names cannot grow the store.
          keyGenerator: (req: FastifyRequest) => {
            const source = (req.params as { source?: string }).source ?? '';
            return `signals:${hooks.sources.has(source) ? source : '(unknown)'}:${req.ip}`;
          },
        },
      },
    };
    scope.post<{ Params: { source: string } }>('/signals/:source', options, async (req, reply): Promise<FastifyReply> => {
      const source = req.params.source;
      const secret = hooks.sources.get(source);
      if (secret === undefined) return reply.code(404).send({ error: 'not_found', detail: `no signal source ${source} reads the webhook` });
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const denied = denial(req, raw, secret, ctx.clock.now(), hooks.toleranceMs);
      if (denied !== undefined) {
        ctx.logger.warn({ event: 'signal_webhook_unauthorized', source, address: req.ip, reason: denied }, 'signal_webhook_unauthorized');
        return reply.code(401).send({ error: 'unauthorized', detail: DENIAL_TEXT[denied] });
      }
      const json = parseJson(raw);
      if (!json.ok) return badRequest(reply, [{ path: '(body)', message: json.problem }]);
      const body = decodeRequest(WebhookSignalBody, json.value, 'body');
      if (Either.isLeft(body)) return badRequest(reply, body.left);
      const receiver = hooks.receiver();
      if (receiver === undefined) {
        return reply.code(503).header('Retry-After', String(RETRY_AFTER_S)).send({ error: 'not_ready', detail: 'the signal intake is not running (the session is starting or stopping); retry' });
      }
      const { id, text, postedAt } = body.right;
      // Journaled (SIGNAL_RECEIVED) inside receive, before the parser sees it and before this answer leaves.
      const outcome = receiver.receive({ source, messageId: id, text, postedAt: postedAt === undefined ? undefined : Date.parse(postedAt) });
      ctx.logger.info({ event: 'signal_webhook_received', source, messageId: id, outcome, address: req.ip }, 'signal_webhook_received');
      return reply.code(200).send({ outcome });
    });
    done();
  });
};
