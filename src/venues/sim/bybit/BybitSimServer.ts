/**
 * The simulator's Bybit v5 wire façade on loopback: one node:http server bound to 127.0.0.1 serving the REST
 * endpoints (with real HMAC auth, per-key rate limits and Bybit envelopes), the public and private websockets, the
 * `/sim/control/*` endpoints (state, faults, dropped websockets, pause, order and position views), and the HTTP faults
 * of the active `FaultPlan`. It sits on a `SimExchange` and never matches orders itself; it never binds any address
 * other than 127.0.0.1, and answers hostile input (bad time windows, oversized or deep bodies) with Bybit's envelope.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Either } from 'effect';
import { WebSocketServer } from 'ws';
import { parseBoundedJson, type BoundedJsonFailure } from '../../../kernel/boundedJson.ts';
import { wallClock, type Clock } from '../../../kernel/Clock.ts';
import type { SimEvent, SimExchange } from '../engine/types.ts';
import { createRng, decodeFaultPlan, NO_FAULTS, parseFaultSpec, type FaultPlan, type Rng } from '../faults.ts';
import { acceleratedClock, driveExchange, type ClockDriver } from '../server.ts';
import { RetCode, retMsgFor } from './codes.ts';
import { controlOrders, controlPositions, resolveControlAccount } from './control.ts';
import { DEFAULT_MAX_RECV_WINDOW_MS, MAX_BODY_BYTES, MAX_DRAIN_BYTES, MAX_JSON_DEPTH, MAX_QUERY_CHARS, MAX_WS_PAYLOAD_BYTES } from './limits.ts';
import { rateLimitHeaders, RateLimiter, DEFAULT_RATE_LIMITS, type BybitRateLimits, type RateDecision } from './rateLimit.ts';
import { BYBIT_ROUTES, type RestCaller, type RestContext, type RestOutcome, type SimKeyPermissions } from './rest.ts';
import { restStringToSign, verifyHmacHex } from './signing.ts';
import { BybitWsHub, emptyCounters, type FaultCounters } from './ws.ts';

/** An API key the façade accepts, and the engine account it trades for. */
export interface BybitSimApiKey {
  readonly key: string;
  readonly secret: string;
  readonly account: string;
  /** Default: may trade, may not withdraw. A read-only key gets 10005 on every state-changing endpoint. */
  readonly permissions?: SimKeyPermissions | undefined;
}

/** Options of `startBybitSim`. */
export interface BybitSimOptions {
  readonly exchange: SimExchange;
  /** Always 127.0.0.1; the option exists only to make that explicit at call sites. */
  readonly host?: '127.0.0.1';
  /** 0 (the default) picks an ephemeral port. */
  readonly port?: number;
  readonly apiKeys: ReadonlyArray<BybitSimApiKey>;
  readonly faults?: FaultPlan;
  /** Receives one JSON-able object per request, fault and WS problem. */
  readonly logger?: (line: object) => void;
  /**
   * How many times faster than the wall clock the engine's clock runs (default 1): the speed of the default
   * accelerated clock when `driveClock` is set and no `clock` is given, and the factor by which the receive-window
   * limit (one wall minute) is widened into venue milliseconds. Pass it with an accelerated `clock` too.
   */
  readonly speed?: number;
  /**
   * Largest `X-BAPI-RECV-WINDOW` accepted, in venue milliseconds; a larger one is refused with 10001. Bybit documents
   * no maximum; the default is 60,000 × `speed` (one wall minute, the largest window Binance documents).
   */
  readonly maxRecvWindowMs?: number;
  /** When true, the server advances the engine to `clock.now()` every `driveIntervalMs`. */
  readonly driveClock?: boolean;
  /**
   * The clock that drives the engine: pass the clock the engine was created with. Default
   * `acceleratedClock(speed, exchange.now())` over the wall clock (only right for an engine on that same time base).
   */
  readonly clock?: Clock;
  readonly driveIntervalMs?: number;
  /** Seed of the fault dice (default 1); a plan's own `seed` reseeds them. */
  readonly seed?: number;
  readonly rateLimits?: Partial<BybitRateLimits>;
  /** The clock the one-second rate-limit windows are counted on (default the wall clock). */
  readonly rateLimitClock?: Clock;
}

/** A running façade. */
export interface BybitSimServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/v5/public/linear` */
  readonly wsPublicUrl: string;
  /** `ws://127.0.0.1:<port>/v5/private` */
  readonly wsPrivateUrl: string;
  readonly port: number;
  /** Replaces the active fault plan (reseeding the dice when the plan has a seed). */
  setFaults(plan: FaultPlan): void;
  /** Returns the active fault plan. */
  faults(): FaultPlan;
  /** Returns what the façade counted (faults injected, frames sent, …). */
  counters(): Readonly<FaultCounters>;
  /** Drops every websocket connection now; returns how many were dropped. */
  dropWebSockets(): number;
  /** Pauses or resumes the clock driver, as `POST /sim/control/pause` does; refused when `driveClock` is off. */
  setPaused(paused: boolean): SimPauseResult;
  /** Tells whether the clock driver is paused. */
  isPaused(): boolean;
  close(): Promise<void>;
}

/** The answer of `setPaused` (and the body of `POST /sim/control/pause`). */
export type SimPauseResult =
  | { readonly ok: true; readonly paused: boolean; readonly engineTime: number }
  | { readonly ok: false; readonly error: string };

/** A request body as read: its text, or how many bytes it had when it was over the limit (and so discarded). */
type Body = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly bytes: number };

/**
 * Reads a body of at most `MAX_BODY_BYTES`. A larger one is drained without being kept, so the client can still read
 * the refusal; past `MAX_DRAIN_BYTES` the socket is destroyed (and the promise rejects).
 */
const readBody = (req: IncomingMessage): Promise<Body> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_DRAIN_BYTES) {
        reject(new Error(`request body over ${MAX_DRAIN_BYTES} bytes`));
        req.destroy();
        return;
      }
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else chunks.length = 0;
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? { ok: false, bytes: size } : { ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });

/** Returns Bybit's 10001 message for a JSON body the bounded parser refused. */
const bodyRefusal = (f: BoundedJsonFailure): string =>
  f.reason === 'too_deep' ? `params error: body is nested deeper than ${MAX_JSON_DEPTH} levels` : f.reason === 'too_large' ? 'params error: body is too large' : 'params error: body is not valid JSON';

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

/** Starts the Bybit façade on 127.0.0.1 and resolves once it listens. */
export const startBybitSim = async (opts: BybitSimOptions): Promise<BybitSimServer> => {
  const { exchange } = opts;
  const log = opts.logger ?? (() => undefined);
  const maxRecvWindowMs = opts.maxRecvWindowMs ?? DEFAULT_MAX_RECV_WINDOW_MS * (opts.speed ?? 1);
  if (!(maxRecvWindowMs > 0) || !Number.isFinite(maxRecvWindowMs)) throw new RangeError(`maxRecvWindowMs must be a positive finite number, got ${maxRecvWindowMs}`);
  let plan: FaultPlan = opts.faults ?? NO_FAULTS;
  let rng: Rng = createRng(plan.seed ?? opts.seed ?? 1);
  const counters = emptyCounters();
  const keys = new Map(opts.apiKeys.map((k) => [k.key, k]));
  const limiter = new RateLimiter({ ...DEFAULT_RATE_LIMITS, ...opts.rateLimits });
  const rateClock = opts.rateLimitClock ?? wallClock;
  const ctx: RestContext = { exchange, serverTime: () => exchange.now() + plan.clockSkewMs };
  const hub = new BybitWsHub({ ctx, lookupKey: (k) => keys.get(k), faults: () => plan, rng: () => rng, counters, log });
  const heldSockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let nextDropAt: number | undefined;

  const armDrops = () => {
    nextDropAt = plan.wsDropEveryMs === undefined ? undefined : exchange.now() + plan.wsDropEveryMs;
  };
  armDrops();
  const checkScheduledDrop = () => {
    if (nextDropAt === undefined || plan.wsDropEveryMs === undefined || exchange.now() < nextDropAt) return;
    nextDropAt = exchange.now() + plan.wsDropEveryMs;
    const n = hub.dropAll();
    log({ msg: 'fault: scheduled ws drop', dropped: n });
  };
  const setFaults = (p: FaultPlan) => {
    plan = p;
    if (p.seed !== undefined) rng = createRng(p.seed);
    armDrops();
    log({ msg: 'faults set', faults: p });
  };

  const unsubscribe = exchange.subscribe((ev: SimEvent) => {
    try {
      hub.onEngineEvent(ev);
      checkScheduledDrop();
    } catch (error) {
      log({ msg: 'ws publish failed', error: String(error) });
    }
  });

  let driver: ClockDriver | undefined;
  if (opts.driveClock === true) {
    const clock = opts.clock ?? acceleratedClock(opts.speed ?? 1, exchange.now());
    driver = driveExchange(exchange, clock, {
      intervalMs: opts.driveIntervalMs ?? 20,
      afterTick: checkScheduledDrop,
      onError: (error) => log({ msg: 'engine advance failed', error: String(error) }),
    });
  }

  // ---- responses ----------------------------------------------------------------------------------------------------

  const later = (ms: number, run: () => void) => {
    if (ms <= 0) return run();
    const t = setTimeout(() => {
      timers.delete(t);
      run();
    }, ms);
    timers.add(t);
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    later(plan.delayMs, () => {
      if (res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), Timenow: String(ctx.serverTime()), ...headers });
      res.end(text);
    });
  };

  const envelope = (o: RestOutcome) => ({ retCode: o.retCode, retMsg: o.retMsg, result: o.result, retExtInfo: {}, time: ctx.serverTime() });

  const reply = (req: IncomingMessage, res: ServerResponse, path: string, o: RestOutcome, headers: Record<string, string> = {}) => {
    log({ kind: 'http', method: req.method, path, status: 200, retCode: o.retCode, retMsg: o.retMsg });
    sendJson(res, 200, envelope(o), headers);
  };

  // ---- control endpoints --------------------------------------------------------------------------------------------

  // While paused the engine's market stands still at the time the driver froze it, although its clock (and so the
  // server time that signatures are checked against) runs on.
  const engineTime = (): number => (driver?.isPaused() === true ? (driver.drivenTo() ?? exchange.now()) : exchange.now());

  const setPaused = (paused: boolean): SimPauseResult => {
    if (driver === undefined) return { ok: false, error: 'this simulator does not drive its engine (driveClock is off), so there is nothing to pause' };
    const at = paused ? driver.pause() : driver.resume();
    log({ msg: paused ? 'engine paused' : 'engine resumed', engineTime: at });
    return { ok: true, paused: driver.isPaused(), engineTime: at };
  };

  const readJson = async (req: IncomingMessage): Promise<{ readonly ok: true; readonly body: unknown } | { readonly ok: false }> => {
    const body = await readBody(req);
    if (!body.ok) return { ok: false };
    const parsed = parseBoundedJson(body.text, { maxLength: MAX_BODY_BYTES, maxDepth: MAX_JSON_DEPTH });
    return parsed.ok ? { ok: true, body: parsed.value } : { ok: false };
  };

  const knownAccounts = opts.apiKeys.map((k) => k.account);

  const control = async (req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): Promise<void> => {
    if (path === '/sim/control/state' && req.method === 'GET') {
      sendJson(res, 200, {
        ok: true,
        engineTime: engineTime(),
        serverTime: ctx.serverTime(),
        paused: driver?.isPaused() ?? false,
        drive: driver === undefined ? null : driver.ticks(),
        faults: plan,
        connections: hub.counts(),
        heldRequests: heldSockets.size,
        counters,
      });
      return;
    }
    if (path === '/sim/control/drop-ws' && req.method === 'POST') {
      sendJson(res, 200, { ok: true, dropped: hub.dropAll() });
      return;
    }
    if ((path === '/sim/control/orders' || path === '/sim/control/positions') && req.method === 'GET') {
      const query = new URLSearchParams(rawQuery);
      const account = resolveControlAccount(query.get('account'), knownAccounts);
      if (!account.ok) {
        sendJson(res, 400, { ok: false, error: account.error });
        return;
      }
      const symbol = query.get('symbol') ?? undefined;
      if (symbol !== undefined && !exchange.instruments.some((i) => i.symbol === symbol)) {
        sendJson(res, 400, { ok: false, error: `unknown symbol ${JSON.stringify(symbol)}` });
        return;
      }
      if (path === '/sim/control/orders') {
        sendJson(res, 200, { ok: true, engineTime: engineTime(), account: account.account, orders: controlOrders(exchange, account.account, symbol) });
      } else {
        sendJson(res, 200, { ok: true, engineTime: engineTime(), account: account.account, positions: controlPositions(exchange, account.account, symbol) });
      }
      return;
    }
    if (path === '/sim/control/pause' && req.method === 'POST') {
      const parsed = await readJson(req);
      const paused = parsed.ok && typeof parsed.body === 'object' && parsed.body !== null && 'paused' in parsed.body ? parsed.body.paused : undefined;
      if (typeof paused !== 'boolean') {
        sendJson(res, 400, { ok: false, error: 'body must be JSON {"paused": true|false}' });
        return;
      }
      const result = setPaused(paused);
      sendJson(res, result.ok ? 200 : 409, result);
      return;
    }
    if (path === '/sim/control/faults' && req.method === 'POST') {
      const parsed = await readJson(req);
      if (!parsed.ok) {
        sendJson(res, 400, { ok: false, error: 'body must be JSON' });
        return;
      }
      const body = parsed.body;
      const spec = typeof body === 'object' && body !== null && 'spec' in body ? body.spec : undefined;
      const decoded = typeof spec === 'string' ? parseFaultSpec(spec) : decodeFaultPlan(body);
      if (Either.isLeft(decoded)) {
        sendJson(res, 400, { ok: false, error: decoded.left });
        return;
      }
      setFaults(decoded.right);
      sendJson(res, 200, { ok: true, faults: decoded.right });
      return;
    }
    sendJson(res, 404, { ok: false, error: `no control endpoint ${req.method ?? ''} ${path}` });
  };

  // ---- Bybit REST ---------------------------------------------------------------------------------------------------

  const authenticate = (req: IncomingMessage, signed: string): RestCaller | RestOutcome => {
    const apiKey = header(req, 'X-BAPI-API-KEY');
    const key = apiKey === undefined ? undefined : keys.get(apiKey);
    if (apiKey === undefined || key === undefined) return { retCode: RetCode.apiKeyInvalid, retMsg: retMsgFor(RetCode.apiKeyInvalid), result: {} };
    const ts = header(req, 'X-BAPI-TIMESTAMP');
    const recvWindow = header(req, 'X-BAPI-RECV-WINDOW') ?? '5000';
    const sign = header(req, 'X-BAPI-SIGN');
    // A malformed or oversized window is a bad parameter (10001), not a clock problem: resyncing cannot fix it.
    // Bybit documents no maximum; the simulator's is one wall minute (docs/simulator.md, "Strict input on the wire
    // façades").
    if (!/^\d+$/.test(recvWindow) || Number(recvWindow) <= 0) return { retCode: RetCode.paramError, retMsg: 'params error: recv_window must be a positive integer of milliseconds', result: {} };
    if (recvWindow.length > 15 || Number(recvWindow) > maxRecvWindowMs) {
      return { retCode: RetCode.paramError, retMsg: `params error: recv_window ${recvWindow.slice(0, 20)} exceeds the simulator's limit of ${maxRecvWindowMs} ms`, result: {} };
    }
    const now = ctx.serverTime();
    // Bybit: server_time - recv_window <= timestamp < server_time + 1000, else 10002 (also for a missing or
    // non-numeric timestamp). At most 15 digits each, both sides are exact integers below 2^53.
    if (ts === undefined || !/^\d{1,15}$/.test(ts) || !(now - Number(recvWindow) <= Number(ts) && Number(ts) < now + 1000)) {
      return {
        retCode: RetCode.timestampWindow,
        retMsg: `${retMsgFor(RetCode.timestampWindow)}. req_timestamp[${(ts ?? '').slice(0, 20)}],server_timestamp[${now}],recv_window[${recvWindow}]`,
        result: {},
      };
    }
    const payload = restStringToSign(ts, apiKey, recvWindow, signed);
    if (sign === undefined || !verifyHmacHex(key.secret, payload, sign)) {
      // Bybit echoes the origin string; the key inside it is masked so logs of this message never carry it.
      const origin = restStringToSign(ts, '<apiKey>', recvWindow, signed);
      return { retCode: RetCode.signError, retMsg: `${retMsgFor(RetCode.signError)}[${origin}]`, result: {} };
    }
    return { account: key.account, apiKey: key.key, permissions: key.permissions ?? {} };
  };

  const bybit = async (req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): Promise<void> => {
    const route = BYBIT_ROUTES[path];
    if (route === undefined) {
      log({ kind: 'http', method: req.method, path, status: 404 });
      sendJson(res, 404, { retCode: 404, retMsg: 'Not Found', result: {}, retExtInfo: {}, time: ctx.serverTime() });
      return;
    }
    if (req.method !== route.method) {
      sendJson(res, 405, { retCode: 405, retMsg: `use ${route.method} for ${path}`, result: {}, retExtInfo: {}, time: ctx.serverTime() });
      return;
    }
    // Oversized input is refused before anything else looks at it (Bybit answers bad parameters with 10001).
    const body: Body = route.method === 'POST' ? await readBody(req) : { ok: true, text: '' };
    if (!body.ok) {
      reply(req, res, path, { retCode: RetCode.paramError, retMsg: `params error: request body of ${body.bytes} bytes exceeds ${MAX_BODY_BYTES} bytes`, result: {} });
      return;
    }
    if (rawQuery.length > MAX_QUERY_CHARS) {
      reply(req, res, path, { retCode: RetCode.paramError, retMsg: `params error: query string of ${rawQuery.length} characters exceeds ${MAX_QUERY_CHARS}`, result: {} });
      return;
    }
    const rawBody = body.text;

    // Transport faults come first: the request never reaches the venue.
    if (rng.chance(plan.http5xxRate)) {
      counters.http5xx += 1;
      const status = rng.pick([500, 502, 503]);
      log({ kind: 'http', method: req.method, path, status, fault: 'http5xx' });
      later(plan.delayMs, () => {
        if (res.destroyed) return;
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : 'Internal Server Error');
      });
      return;
    }
    if (rng.chance(plan.http429Rate)) {
      counters.http429 += 1;
      log({ kind: 'http', method: req.method, path, status: 429, fault: 'http429' });
      sendJson(res, 429, envelope({ retCode: RetCode.rateLimited, retMsg: 'Too many visits!', result: {} }), { 'Retry-After': String(plan.retryAfterSeconds) });
      return;
    }

    let caller: RestCaller = { account: '', apiKey: '', permissions: {} };
    let limitHeaders: Record<string, string> = {};
    if (route.private) {
      const auth = authenticate(req, route.method === 'GET' ? rawQuery : rawBody);
      if ('retCode' in auth) {
        reply(req, res, path, auth);
        return;
      }
      caller = auth;
      const decision: RateDecision = limiter.take(auth.apiKey, path, rateClock.now());
      limitHeaders = rateLimitHeaders(decision);
      if (!decision.allowed || rng.chance(plan.rateLimitRate)) {
        counters.rateLimited += 1;
        reply(req, res, path, { retCode: RetCode.rateLimited, retMsg: retMsgFor(RetCode.rateLimited), result: {} }, limitHeaders);
        return;
      }
      if (route.mutating && auth.permissions.readOnly === true) {
        reply(req, res, path, { retCode: RetCode.permissionDenied, retMsg: retMsgFor(RetCode.permissionDenied), result: {} }, limitHeaders);
        return;
      }
    }

    let params: unknown;
    if (route.method === 'GET') {
      params = Object.fromEntries(new URLSearchParams(rawQuery));
    } else if (rawBody === '') {
      params = {};
    } else {
      // Bounded: a deeply nested body would otherwise overflow the stack in JSON.parse or the schema decoder.
      const parsed = parseBoundedJson(rawBody, { maxLength: MAX_BODY_BYTES, maxDepth: MAX_JSON_DEPTH });
      if (!parsed.ok) {
        reply(req, res, path, { retCode: RetCode.paramError, retMsg: bodyRefusal(parsed.failure), result: {} }, limitHeaders);
        return;
      }
      params = parsed.value;
    }

    if (path === '/v5/order/create') {
      for (const r of plan.rejects) {
        if (rng.chance(r.rate)) {
          counters.forcedRejects += 1;
          log({ msg: 'fault: forced reject', retCode: r.retCode });
          reply(req, res, path, { retCode: r.retCode, retMsg: retMsgFor(r.retCode), result: {} }, limitHeaders);
          return;
        }
      }
    }

    const outcome = route.handle(ctx, caller, params);

    if (route.mutating && rng.chance(plan.timeoutAfterAcceptRate)) {
      // The engine took the request; the answer never arrives.
      counters.timeoutsAfterAccept += 1;
      log({ kind: 'http', method: req.method, path, retCode: outcome.retCode, fault: 'timeout-after-accept', holdMs: plan.timeoutHoldMs });
      const socket = req.socket;
      heldSockets.add(socket);
      socket.once('close', () => heldSockets.delete(socket));
      if (plan.timeoutHoldMs !== null) later(plan.timeoutHoldMs, () => socket.destroy());
      return;
    }
    reply(req, res, path, outcome, limitHeaders);
  };

  const server = createServer((req, res) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    const run = path.startsWith('/sim/control/') ? control(req, res, path, rawQuery) : bybit(req, res, path, rawQuery);
    run.catch((error: unknown) => {
      // A simulator bug, or a body past MAX_DRAIN_BYTES (its socket is gone): log it, never echo it to the client.
      log({ msg: 'request failed', path, error: String(error) });
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { retCode: RetCode.serverError, retMsg: retMsgFor(RetCode.serverError), result: {}, retExtInfo: {}, time: ctx.serverTime() });
    });
  });

  // A frame above maxPayload closes that connection with 1009; smaller oversized requests are answered (ws.ts).
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_PAYLOAD_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    const kind = path === '/v5/public/linear' ? 'public' : path === '/v5/private' ? 'private' : undefined;
    if (kind === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, kind));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the simulator did not bind a TCP port');
  const port = address.port;
  log({ msg: 'bybit sim listening', port });

  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    wsPublicUrl: `ws://127.0.0.1:${port}/v5/public/linear`,
    wsPrivateUrl: `ws://127.0.0.1:${port}/v5/private`,
    port,
    setFaults,
    faults: () => plan,
    counters: () => ({ ...counters }),
    dropWebSockets: () => hub.dropAll(),
    setPaused,
    isPaused: () => driver?.isPaused() ?? false,
    close: async () => {
      if (closed) return;
      closed = true;
      driver?.stop();
      unsubscribe();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      hub.close();
      for (const s of heldSockets) s.destroy();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
