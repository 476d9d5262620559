/**
 * The control routes (issue 14 item 2, X-RSK-1): kill, resume, flatten, strategy enable/disable and symbol unblock,
 * each behind the token or a session, JSON bodies only (a cross-site form cannot send one without a preflight), one
 * per-address budget of `server.controlPerMinute`, and a schema-checked body. Each calls the one ControlService with
 * who and why — it never acts on the session itself — and answers 200 with the outcome, or 409 when it was refused.
 */
import { Either, type Schema } from 'effect';
import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify';
import type { ControlOutcome, ControlRequester } from '../../ops/types.ts';
import { badRequest, principal, requireAuth, type ServerContext } from '../context.ts';
import { decodeRequest, KillBody, ReasonBody, StrategyParams, SymbolParams, type RequestProblem } from '../requests.ts';

/** The reason journaled when the operator gave none. */
const NO_REASON = 'no reason given';

const isJson = (contentType: string | undefined): boolean => contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';

/** A preParsing hook: 415 unless the body is declared JSON (CSRF: browsers send JSON cross-site only after a preflight). */
const requireJson: preParsingHookHandler = (req, reply, payload, done) => {
  if (!isJson(req.headers['content-type'])) {
    void reply.code(415).send({ error: 'unsupported_media_type', detail: 'control requests carry a JSON body (Content-Type: application/json; send {} when there is nothing to say)' });
    return;
  }
  done(null, payload);
};

/** Decodes the path parameters and the body together, so a 400 lists the problems of both. */
const decodeBoth = <P, PI, B, BI>(req: FastifyRequest, params: Schema.Schema<P, PI>, body: Schema.Schema<B, BI>): Either.Either<{ readonly params: P; readonly body: B }, ReadonlyArray<RequestProblem>> => {
  const p = decodeRequest(params, req.params, 'params');
  const b = decodeRequest(body, req.body, 'body');
  const problems = [...(Either.isLeft(p) ? p.left : []), ...(Either.isLeft(b) ? b.left : [])];
  if (Either.isRight(p) && Either.isRight(b)) return Either.right({ params: p.right, body: b.right });
  return Either.left(problems);
};

/** Registers the control routes. */
export const controlRoutes = (app: FastifyInstance, ctx: ServerContext): void => {
  const control = ctx.source.control;
  const options = {
    preParsing: [requireAuth(ctx), requireJson],
    config: {
      rateLimit: {
        max: ctx.server.controlPerMinute,
        timeWindow: 60_000,
        keyGenerator: (req: FastifyRequest) => `control:${req.ip}`,
      },
    },
  };

  const answer = async (reply: FastifyReply, route: string, run: () => Promise<ControlOutcome>): Promise<FastifyReply> => {
    const outcome = await run();
    ctx.logger.info({ route, ok: outcome.ok, detail: outcome.detail }, 'ops_control');
    return reply.code(outcome.ok ? 200 : 409).send({ ok: outcome.ok, detail: outcome.detail, ...(outcome.fields === undefined ? {} : { fields: outcome.fields }) });
  };
  const requester = (req: FastifyRequest, reason: string | undefined): ControlRequester => ({ who: principal(req).who, reason: reason ?? NO_REASON });

  app.post('/control/kill', options, async (req, reply) => {
    const body = decodeRequest(KillBody, req.body, 'body');
    if (Either.isLeft(body)) return badRequest(reply, body.left);
    const { reason, flatten } = body.right;
    return answer(reply, 'kill', () => control.kill({ ...requester(req, reason), flatten: flatten === true }));
  });

  app.post('/control/resume', options, async (req, reply) => {
    const body = decodeRequest(ReasonBody, req.body, 'body');
    if (Either.isLeft(body)) return badRequest(reply, body.left);
    return answer(reply, 'resume', () => control.resume(requester(req, body.right.reason)));
  });

  app.post('/control/flatten/:symbol', options, async (req, reply) => {
    const decoded = decodeBoth(req, SymbolParams, ReasonBody);
    if (Either.isLeft(decoded)) return badRequest(reply, decoded.left);
    const { params, body } = decoded.right;
    return answer(reply, 'flatten', () => control.flatten(params.symbol, requester(req, body.reason)));
  });

  for (const action of ['enable', 'disable'] as const) {
    app.post(`/control/strategies/:id/${action}`, options, async (req, reply) => {
      const decoded = decodeBoth(req, StrategyParams, ReasonBody);
      if (Either.isLeft(decoded)) return badRequest(reply, decoded.left);
      const { params, body } = decoded.right;
      return answer(reply, `strategy_${action}`, () => control.setStrategyEnabled(params.id, action === 'enable', requester(req, body.reason)));
    });
  }

  app.post('/control/symbols/:symbol/unblock', options, async (req, reply) => {
    const decoded = decodeBoth(req, SymbolParams, ReasonBody);
    if (Either.isLeft(decoded)) return badRequest(reply, decoded.left);
    const { params, body } = decoded.right;
    return answer(reply, 'unblock', () => control.unblock(params.symbol, requester(req, body.reason)));
  });
};
