/**
 * The dashboard's login and pages (issue 14 item 1, S2): `GET /login`, `POST /auth/login` (form or JSON; scrypt
 * check in constant time; `server.loginPerMinute` attempts per address), `POST /auth/logout`, `GET /` (the dashboard
 * when logged in, else a redirect to the login page) and `GET /assets/:name`. Sessions are HttpOnly, SameSite=Strict
 * cookies naming a server-side session; the password and the cookie are never logged.
 */
import { Either } from 'effect';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEquals, SESSION_COOKIE } from '../auth.ts';
import { badRequest, principalOf, type ServerContext } from '../context.ts';
import { verifyPassword } from '../passwords.ts';
import { AssetParams, decodeRequest, LoginBody } from '../requests.ts';

const DISABLED = 'Dashboard login is disabled: set TW_DASHBOARD_USER and TW_DASHBOARD_PASSWORD_HASH (an scrypt hash) and restart.';

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal page of our own, for when no dashboard assets are given. */
const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

const FALLBACK_LOGIN = page(
  'tradewarden — log in',
  '<form method="post" action="/auth/login"><p><label>User <input name="username" autocomplete="username" required></label></p>' +
    '<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p><p><button>Log in</button></p></form>',
);

const isForm = (req: FastifyRequest): boolean => req.headers['content-type']?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';

const html = (reply: FastifyReply, status: number, body: string): FastifyReply =>
  reply.code(status).type('text/html; charset=utf-8').header('Cache-Control', 'no-store').send(body);

/** Registers the login routes and the dashboard pages. */
export const loginRoutes = (app: FastifyInstance, ctx: ServerContext): void => {
  const { sessions, dashboard } = ctx;
  const sessionUser = (req: FastifyRequest): string | undefined => sessions.userOf(req.cookies[SESSION_COOKIE]);

  app.get('/login', async (_req, reply) => {
    if (ctx.login === undefined) return html(reply, 403, page('tradewarden — login disabled', `<p>${escapeHtml(DISABLED)}</p>`));
    return html(reply, 200, dashboard?.loginHtml() ?? FALLBACK_LOGIN);
  });

  const loginLimit = {
    config: { rateLimit: { max: ctx.server.loginPerMinute, timeWindow: 60_000, keyGenerator: (req: FastifyRequest) => `login:${req.ip}` } },
  };
  app.post('/auth/login', loginLimit, async (req, reply) => {
    const login = ctx.login;
    if (login === undefined) return reply.code(403).send({ error: 'login_disabled', detail: DISABLED });
    const body = decodeRequest(LoginBody, req.body, 'body');
    if (Either.isLeft(body)) return badRequest(reply, body.left);
    const { username, password } = body.right;
    // Both checks always run (scrypt included), so the answer's timing does not tell which one failed.
    const userOk = constantTimeEquals(username, login.user);
    const passwordOk = await verifyPassword(password, login.hash);
    if (!(userOk && passwordOk)) {
      ctx.logger.warn({ address: req.ip }, 'ops_login_failed');
      if (isForm(req)) return reply.code(303).header('Location', '/login?failed=1').send();
      return reply.code(401).send({ error: 'unauthorized', detail: 'wrong user name or password' });
    }
    const session = sessions.open(login.user);
    ctx.logger.info({ user: login.user, address: req.ip }, 'ops_login');
    void reply.setCookie(SESSION_COOKIE, session.id, {
      httpOnly: true, sameSite: 'strict', path: '/', expires: new Date(session.expiresAt), maxAge: Math.floor(ctx.server.sessionTtlMs / 1000),
    });
    if (isForm(req)) return reply.code(303).header('Location', '/').send();
    return { ok: true, user: login.user, expiresAt: session.expiresAt };
  });

  app.post('/auth/logout', async (req, reply) => {
    const p = principalOf(ctx, req);
    if (p?.via === 'session') sessions.close(p.sessionId);
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
    if (isForm(req)) return reply.code(303).header('Location', '/login').send();
    return { ok: true };
  });

  app.get('/', async (req, reply) => {
    if (sessionUser(req) === undefined) return reply.code(302).header('Location', '/login').send();
    return html(reply, 200, dashboard?.dashboardHtml() ?? page('tradewarden', '<p>This process serves no dashboard; the API answers at /status, /events and /metrics.</p>'));
  });

  app.get('/assets/:name', async (req, reply) => {
    const params = decodeRequest(AssetParams, req.params, 'params');
    if (Either.isLeft(params)) return badRequest(reply, params.left);
    const asset = dashboard?.asset(params.right.name);
    if (asset === undefined) return reply.code(404).send({ error: 'not_found', detail: `no asset ${params.right.name}` });
    return reply.type(asset.contentType).header('Cache-Control', 'no-cache').send(asset.body);
  });
};
