/**
 * What the operations server's route groups share: the source, metrics, logger, clock, config and credentials, who
 * a request is (bearer token or dashboard session), the typed error answers, and the server's one error type. Holds
 * no state of its own but the login sessions it is handed.
 */
import { Data } from 'effect';
import type { FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import type { AppConfig } from '../config/schema.ts';
import type { Clock } from '../kernel/Clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { OpsSource } from '../ops/types.ts';
import { SESSION_COOKIE, type BearerCheck, type LoginCredentials, type SessionStore } from './auth.ts';
import type { DashboardAssets } from './dashboardAssets.ts';
import type { OpsMetrics } from './OpsMetrics.ts';
import type { RequestProblem } from './requests.ts';

/** Why the server did not start. */
export type OpsServerFailure = 'missing_token' | 'bad_password_hash' | 'listen';

/** The operations server could not start; the message names the variable or address at fault. */
export class OpsServerError extends Data.TaggedError('OpsServerError')<{ readonly reason: OpsServerFailure; readonly detail: string }> {
  override get message(): string {
    return `operations server: ${this.detail}`;
  }
}

/** Who made a request: the API token or a dashboard user (the `who` journaled with a control action). */
export interface Principal {
  readonly who: string;
  readonly via: 'bearer' | 'session';
  readonly sessionId?: string | undefined;
}

/** Everything a route group needs. */
export interface ServerContext {
  readonly source: OpsSource;
  readonly metrics: OpsMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly server: AppConfig['server'];
  readonly bearer: BearerCheck;
  readonly sessions: SessionStore;
  /** Undefined when the login secrets are absent: login answers 403. */
  readonly login: LoginCredentials | undefined;
  readonly dashboard: DashboardAssets | undefined;
  readonly sseHeartbeatMs: number;
  /** Registers an open SSE stream so `close()` can end it; returns the function to call when it ends. */
  readonly trackStream: (end: () => void) => () => void;
}

/** Returns who made the request, or undefined: a bearer token is checked first, then the session cookie. */
export const principalOf = (ctx: ServerContext, req: FastifyRequest): Principal | undefined => {
  if (ctx.bearer.matches(req.headers.authorization)) return { who: ctx.bearer.who, via: 'bearer' };
  const sessionId = req.cookies[SESSION_COOKIE];
  const user = ctx.sessions.userOf(sessionId);
  return user === undefined ? undefined : { who: `dashboard:${user}`, via: 'session', sessionId };
};

const principals = new WeakMap<FastifyRequest, Principal>();

/** The principal `requireAuth` established for this request. */
export const principal = (req: FastifyRequest): Principal => {
  const p = principals.get(req);
  // requireAuth runs before every handler that asks; reaching here without one is a wiring mistake, not a 401.
  if (p === undefined) throw new Error('no principal: the route is missing requireAuth');
  return p;
};

/**
 * A preParsing hook: 401 `{ error: 'unauthorized' }` unless the request carries the token or a live session. It runs
 * before the body is read, so an unauthenticated request is neither parsed nor handled.
 */
export const requireAuth = (ctx: ServerContext): preParsingHookHandler => (req, reply, payload, done) => {
  const p = principalOf(ctx, req);
  if (p === undefined) {
    // A sent reply without `done` ends the hook chain: no handler runs.
    void reply.code(401).header('WWW-Authenticate', 'Bearer realm="tradewarden"').send({ error: 'unauthorized', detail: 'send Authorization: Bearer <TW_CONTROL_TOKEN> or log in at /login' });
    return;
  }
  principals.set(req, p);
  done(null, payload);
};

/** Answers a typed 400 with every problem found. */
export const badRequest = (reply: FastifyReply, problems: ReadonlyArray<RequestProblem>): FastifyReply =>
  reply.code(400).send({ error: 'bad_request', problems });
