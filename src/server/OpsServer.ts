/**
 * The operations HTTP server (issue 14 items 1–3): fastify on `server.host:server.port` serving the OpsSource —
 * health, readiness, status, metrics, the SSE event stream, the journal tail, the control routes, the dashboard
 * login and the signal webhook. It refuses to start without `TW_CONTROL_TOKEN`; every answer is JSON with a typed
 * error (never a stack), and neither the token nor a cookie is ever logged. It reads the session only through the
 * OpsSource (and the signal intake only through its SignalReceiver).
 */
import rateLimit from '@fastify/rate-limit';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/schema.ts';
import type { Secrets } from '../config/secrets.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { OpsSource } from '../ops/types.ts';
import { bearerCheck, loginCredentials, SessionStore } from './auth.ts';
import { OpsServerError, type ServerContext } from './context.ts';
import type { DashboardAssets } from './dashboardAssets.ts';
import type { OpsMetrics } from './OpsMetrics.ts';
import { clockRateLimitStore } from './rateLimitStore.ts';
import { controlRoutes } from './routes/controlRoutes.ts';
import { loginRoutes } from './routes/loginRoutes.ts';
import { readRoutes } from './routes/readRoutes.ts';
import { SIGNAL_BODY_LIMIT_BYTES, signalRoutes, type SignalWebhooks } from './routes/signalRoutes.ts';

export { OpsServerError } from './context.ts';

/** What `startOpsServer` needs. */
export interface OpsServerOptions {
  readonly source: OpsSource;
  readonly server: AppConfig['server'];
  readonly secrets: Secrets | undefined;
  /** The wall clock: login sessions expire and rate-limit windows turn on it. */
  readonly clock: Clock;
  readonly logger: Logger;
  /** The session's metrics; the server reads its status-derived figures from `source` at each scrape. */
  readonly metrics: OpsMetrics;
  readonly dashboard?: DashboardAssets | undefined;
  /** The SSE heartbeat comment's interval in wall ms (default 15 s). */
  readonly sseHeartbeatMs?: number | undefined;
  /** The `via: webhook` signal sources (`POST /signals/<source>`, issue 16); absent: none. */
  readonly signals?: SignalWebhooks | undefined;
}

/** A running server. */
export interface OpsServer {
  /** `http://<host>:<port>` as bound (the actual port when `server.port` is 0). */
  readonly url: string;
  /** Ends the event streams and stops listening; idempotent. */
  close(): Promise<void>;
}

const BODY_LIMIT_BYTES = 16 * 1024;

/** Maps any error a route or plugin raised to a typed answer; a 5xx says nothing about the cause. */
const errorAnswer = (err: FastifyError): { readonly status: number; readonly body: Record<string, unknown> } => {
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status === 429) return { status, body: { error: 'rate_limited', detail: err.message } };
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { status: 415, body: { error: 'unsupported_media_type', detail: 'send application/json' } };
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: { error: 'payload_too_large', detail: `the body is larger than this route takes (${BODY_LIMIT_BYTES} bytes; the signal webhook ${SIGNAL_BODY_LIMIT_BYTES})` } };
  if (status >= 400 && status < 500) {
    const message = err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? 'the body is empty; send a JSON object ({} when there is nothing to say)' : err.message;
    return { status: 400, body: { error: 'bad_request', problems: [{ path: '(body)', message }] } };
  }
  return { status: 500, body: { error: 'internal_error', detail: 'the request failed; the server log has the cause' } };
};

const hostForUrl = (address: AddressInfo): string => (address.family === 'IPv6' ? `[${address.address}]` : address.address);

const buildApp = (ctx: ServerContext): FastifyInstance => {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES, forceCloseConnections: true, trustProxy: false, return503OnClosing: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });
  app.addHook('onRequest', (_req, reply, done) => {
    // S2-21 and the usual hardening: no indexing, no sniffing, no framing, no referrer.
    void reply.headers({ 'X-Robots-Tag': 'noindex, nofollow', 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer', 'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'" });
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    // The route pattern, never the raw URL's query or any header: nothing secret reaches the log.
    ctx.logger.debug({ method: req.method, route: req.routeOptions.url ?? '(unknown)', status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'ops_request');
    done();
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, body } = errorAnswer(err);
    if (status >= 500) ctx.logger.error({ route: req.routeOptions.url ?? '(unknown)', code: err.code, reason: err.message }, 'ops_request_failed');
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: 'not_found', detail: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  return app;
};

/**
 * Starts the server: refuses (OpsServerError `missing_token`) without `TW_CONTROL_TOKEN`, and (`bad_password_hash`)
 * with a dashboard hash it cannot use; binds `server.host:server.port` (`listen` when that fails).
 */
export const startOpsServer = async (opts: OpsServerOptions): Promise<OpsServer> => {
  const token = opts.secrets?.get('TW_CONTROL_TOKEN');
  if (token === undefined) {
    throw new OpsServerError({ reason: 'missing_token', detail: 'TW_CONTROL_TOKEN is not set; the operations server needs it as the bearer token of its API and does not start without it (set it in the environment or .env, or set server.enabled: false)' });
  }
  const login = loginCredentials(opts.secrets);
  if (login !== undefined && 'problem' in login) throw new OpsServerError({ reason: 'bad_password_hash', detail: login.problem });
  const streams = new Set<() => void>();
  const ctx: ServerContext = {
    source: opts.source, metrics: opts.metrics, logger: opts.logger, clock: opts.clock, server: opts.server,
    bearer: bearerCheck(token), sessions: new SessionStore(opts.clock, opts.server.sessionTtlMs), login, dashboard: opts.dashboard,
    sseHeartbeatMs: opts.sseHeartbeatMs ?? 15_000,
    trackStream: (end) => {
      streams.add(end);
      return () => streams.delete(end);
    },
  };
  opts.metrics.readFrom(() => opts.source.status());
  const app = buildApp(ctx);
  await app.register(cookie);
  await app.register(rateLimit, {
    global: false, store: clockRateLimitStore(opts.clock),
    errorResponseBuilder: (_req, c) => Object.assign(new Error(`too many requests: at most ${c.max} a minute from one address; retry in ${c.after}`), { statusCode: c.statusCode }),
  });
  readRoutes(app, ctx);
  controlRoutes(app, ctx);
  loginRoutes(app, ctx);
  if (opts.signals !== undefined) signalRoutes(app, ctx, opts.signals);
  try {
    await app.listen({ host: opts.server.host, port: opts.server.port });
  } catch (e) {
    await app.close();
    throw new OpsServerError({ reason: 'listen', detail: `cannot listen on ${opts.server.host}:${opts.server.port}: ${e instanceof Error ? e.message : String(e)}` });
  }
  const address = app.server.address() as AddressInfo;
  const url = `http://${hostForUrl(address)}:${address.port}`;
  opts.logger.info({ url, login: login !== undefined, fingerprint: ctx.bearer.who }, 'ops_server_started');
  let closed: Promise<void> | undefined;
  return {
    url,
    close: () => {
      closed ??= (async () => {
        for (const end of [...streams]) end();
        await app.close();
        opts.logger.info({ url }, 'ops_server_stopped');
      })();
      return closed;
    },
  };
};
