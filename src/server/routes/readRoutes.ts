/**
 * The operations server's read routes (issue 14 item 2): public `GET /health`, `GET /ready` and `GET /robots.txt`,
 * and behind the token or a session `GET /status`, `GET /metrics`, `GET /events` (SSE) and `GET /journal`. They read
 * the OpsSource and the metrics only; nothing here changes the session.
 */
import { Either } from 'effect';
import type { FastifyInstance } from 'fastify';
import { badRequest, requireAuth, type ServerContext } from '../context.ts';
import { decodeRequest, JournalQuery, LastEventId } from '../requests.ts';
import { startSse } from '../sse.ts';

/** S2-21: nothing of the operations surface is for search engines. */
const ROBOTS_TXT = 'User-agent: *\nDisallow: /\n';

/** How many journal entries `GET /journal` answers when `limit` is absent. */
const DEFAULT_JOURNAL_LIMIT = 100;

/** Registers the read routes. */
export const readRoutes = (app: FastifyInstance, ctx: ServerContext): void => {
  const { source } = ctx;
  const auth = requireAuth(ctx);

  app.get('/robots.txt', (_req, reply) => {
    void reply.type('text/plain; charset=utf-8').send(ROBOTS_TXT);
  });

  app.get('/health', (_req, reply) => {
    // Alive is alive: a status read that fails does not make the process look dead.
    let phase: string;
    try {
      phase = source.status().phase;
    } catch {
      phase = 'unknown';
    }
    void reply.send({ ok: true, phase });
  });

  app.get('/ready', (_req, reply) => {
    const view = source.ready();
    void reply.code(view.ready ? 200 : 503).send({ ready: view.ready, reasons: view.reasons });
  });

  app.get('/status', { preParsing: auth }, (_req, reply) => {
    void reply.send(source.status());
  });

  app.get('/metrics', { preParsing: auth }, async (_req, reply) => {
    const text = await ctx.metrics.text();
    return reply.type(ctx.metrics.contentType).send(text);
  });

  app.get('/journal', { preParsing: auth }, async (req, reply) => {
    const query = decodeRequest(JournalQuery, req.query, 'query');
    if (Either.isLeft(query)) return badRequest(reply, query.left);
    const { after, limit, account } = query.right;
    const tail = source.journalTail(after ?? 0, limit ?? DEFAULT_JOURNAL_LIMIT, account);
    if ('problem' in tail) return badRequest(reply, [{ path: account === undefined ? 'query' : 'query.account', message: tail.problem }]);
    return { account: tail.account, entries: tail.entries };
  });

  app.get('/events', { preParsing: auth }, async (req, reply) => {
    const header = req.headers['last-event-id'];
    const raw = typeof header === 'string' ? header.trim() : (req.query as Record<string, unknown> | undefined)?.['lastEventId'];
    let after = 0;
    if (raw !== undefined) {
      const decoded = decodeRequest(LastEventId, raw, typeof header === 'string' ? 'Last-Event-ID' : 'query.lastEventId');
      if (Either.isLeft(decoded)) return badRequest(reply, decoded.left);
      after = decoded.right;
    }
    reply.hijack();
    const done = ctx.trackStream(() => stream.end());
    const stream = startSse({
      res: reply.raw, events: source.events, after, heartbeatMs: ctx.sseHeartbeatMs,
      headers: { 'X-Robots-Tag': 'noindex, nofollow', 'X-Content-Type-Options': 'nosniff' },
      onEnd: () => done(),
    });
    return reply;
  });
};
