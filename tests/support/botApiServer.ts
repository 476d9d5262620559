/**
 * A loopback Telegram Bot API server (node:http on 127.0.0.1) speaking the wire format Telegram documents
 * (https://core.telegram.org/bots/api#making-requests): `/bot<token>/<method>` over GET query, urlencoded, JSON or
 * multipart bodies; `sendMessage`, `sendPhoto`, `getMe` and `getUpdates` (long poll on a queue the test pushes into); 401 for a
 * wrong token; programmable faults (429 with `parameters.retry_after`, 5xx, hang). It records every accepted message
 * in order with its receive time, and every request with its answer, so tests assert order and exactly-once.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Response } from 'undici';
import { wallClock, type Clock } from '../../src/kernel/Clock.ts';

/** A fault the server answers with instead of the method's normal answer. */
export type BotApiFault =
  | { readonly kind: 'rateLimit'; readonly retryAfter: number }
  | { readonly kind: 'status'; readonly status: number; readonly description?: string }
  /** Never answers; the socket is released when the test calls `release()` or stops the server. */
  | { readonly kind: 'hang' }
  /** Answers 200 with a body that is not JSON. */
  | { readonly kind: 'garbage' };

/** A message the server accepted (sendMessage or sendPhoto). */
export interface ReceivedMessage {
  readonly method: 'sendMessage' | 'sendPhoto';
  readonly messageId: number;
  readonly chatId: string;
  /** The text of sendMessage, the caption of sendPhoto. */
  readonly text: string;
  readonly parseMode: string | undefined;
  readonly photo: { readonly filename: string; readonly contentType: string; readonly bytes: number; readonly isPng: boolean } | undefined;
  readonly receivedAt: number;
}

/** Every request, as answered. */
export interface ReceivedRequest {
  readonly method: string;
  readonly status: number;
  readonly params: Readonly<Record<string, string>>;
  readonly receivedAt: number;
}

/** The `message` part of an update the test pushes; ids and dates are filled in. */
export interface PushedMessage {
  readonly chat: { readonly id: number; readonly type?: string };
  readonly text: string;
  readonly from?: { readonly id: number; readonly is_bot?: boolean; readonly first_name?: string; readonly username?: string };
}

/** The running server. */
export interface BotApiServer {
  /** `http://127.0.0.1:<port>`: the `apiBaseUrl` to configure. */
  readonly url: string;
  readonly token: string;
  readonly messages: ReadonlyArray<ReceivedMessage>;
  readonly requests: ReadonlyArray<ReceivedRequest>;
  /** Answers every call of `method` ('*' for all) with the fault until it is cleared with `undefined`. */
  setFault(method: string, fault: BotApiFault | undefined): void;
  /** Lets `after` calls of `method` ('*' for all) pass, answers the next `times` with the fault, then normally again. */
  failNext(method: string, fault: BotApiFault, times?: number, after?: number): void;
  /** Queues an update for getUpdates; returns its update_id. */
  pushUpdate(update: { readonly message: PushedMessage }): number;
  /** Queues an update body as given (for shapes the Bot API should not send); its update_id is assigned; returns it. */
  pushRawUpdate(body: Record<string, unknown>): number;
  /** Releases hung requests (their sockets are destroyed). */
  release(): void;
  /** Resolves once `predicate(messages)` holds; rejects after `timeoutMs` (wall) with what was received. */
  waitFor(predicate: (messages: ReadonlyArray<ReceivedMessage>) => boolean, timeoutMs?: number): Promise<void>;
  /** getUpdates long polls parked on the server, waiting for an update. */
  openPolls(): number;
  /** Resolves once at least one getUpdates long poll is parked. */
  waitForOpenPoll(timeoutMs?: number): Promise<void>;
  /** Resolves once `predicate(requests)` holds. */
  waitForRequests(predicate: (requests: ReadonlyArray<ReceivedRequest>) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Server settings. */
export interface BotApiServerOptions {
  readonly token?: string;
  readonly clock?: Clock;
  /** Chats that exist; others get 400 "chat not found". Absent: every chat exists. */
  readonly knownChats?: ReadonlyArray<number | string>;
  readonly port?: number;
}

const BOT = { id: 7_000_000_001, is_bot: true, first_name: 'tradewarden', username: 'tradewarden_test_bot' };

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

/** Parses the request's parameters the ways Telegram accepts them; files come back separately. */
const parseParams = async (req: IncomingMessage, url: URL): Promise<{ params: Record<string, string>; files: Record<string, { filename: string; contentType: string; data: Buffer }> }> => {
  const params: Record<string, string> = Object.fromEntries(url.searchParams.entries());
  const files: Record<string, { filename: string; contentType: string; data: Buffer }> = {};
  const type = req.headers['content-type'] ?? '';
  const body = await readBody(req);
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(json)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  } else if (type.startsWith('multipart/form-data')) {
    // undici's own multipart parser (the Fetch standard's Body.formData()).
    const form = await new Response(body, { headers: { 'content-type': type } }).formData();
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') params[k] = v;
      else files[k] = { filename: v.name, contentType: v.type, data: Buffer.from(await v.arrayBuffer()) };
    }
  }
  return { params, files };
};

/** Starts a Bot API server on 127.0.0.1. */
export const startBotApiServer = async (options: BotApiServerOptions = {}): Promise<BotApiServer> => {
  const token = options.token ?? '123456789:TEST-loopback-token-AAAAAAAAAAAAAAAAAAAA';
  const clock = options.clock ?? wallClock;
  const known = options.knownChats === undefined ? undefined : new Set(options.knownChats.map(String));
  const messages: ReceivedMessage[] = [];
  const requests: ReceivedRequest[] = [];
  const persistent = new Map<string, BotApiFault>();
  const oneShot: Array<{ method: string; fault: BotApiFault; left: number; pass: number }> = [];
  const updates: Array<Record<string, unknown> & { update_id: number }> = [];
  const events = new EventEmitter();
  events.setMaxListeners(1000);
  const hung = new Set<ServerResponse>();
  const sockets = new Set<Socket>();
  const polls = new Set<ServerResponse>();
  let nextUpdateId = 100_000;
  let nextMessageId = 1;

  const faultFor = (method: string): BotApiFault | undefined => {
    const i = oneShot.findIndex((f) => f.method === method || f.method === '*');
    if (i >= 0) {
      const f = oneShot[i]!;
      if (f.pass > 0) {
        f.pass -= 1;
        return persistent.get(method) ?? persistent.get('*');
      }
      f.left -= 1;
      if (f.left <= 0) oneShot.splice(i, 1);
      return f.fault;
    }
    return persistent.get(method) ?? persistent.get('*');
  };

  const record = (method: string, status: number, params: Record<string, string>): void => {
    requests.push({ method, status, params, receivedAt: clock.now() });
    events.emit('change');
  };

  const answerUpdates = (res: ServerResponse, params: Record<string, string>, method: string): void => {
    const offset = params.offset === undefined ? undefined : Number(params.offset);
    // An offset confirms every update below it: they are forgotten, as Telegram does.
    if (offset !== undefined && Number.isFinite(offset)) while (updates.length > 0 && updates[0]!.update_id < offset) updates.shift();
    const timeoutMs = Math.min(50, Math.max(0, Number(params.timeout ?? 0))) * 1000;
    const reply = (): void => {
      record(method, 200, params);
      send(res, 200, { ok: true, result: [...updates] });
    };
    if (updates.length > 0 || timeoutMs === 0) return reply();
    const timer = setTimeout(done, timeoutMs);
    function done(): void {
      clearTimeout(timer);
      events.off('update', done);
      hung.delete(res);
      polls.delete(res);
      if (!res.writableEnded && !res.destroyed) reply();
    }
    hung.add(res);
    polls.add(res);
    res.on('close', () => polls.delete(res));
    events.on('update', done);
    events.emit('change');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (m === null) return send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const method = m[2]!;
    const { params, files } = await parseParams(req, url);
    if (m[1] !== token) {
      record(method, 401, params);
      return send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const fault = faultFor(method);
    if (fault !== undefined) {
      if (fault.kind === 'hang') {
        record(method, 0, params);
        hung.add(res);
        return;
      }
      if (fault.kind === 'garbage') {
        record(method, 200, params);
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>502 Bad Gateway</body></html>');
        return;
      }
      if (fault.kind === 'rateLimit') {
        record(method, 429, params);
        const s = String(fault.retryAfter);
        return send(res, 429, { ok: false, error_code: 429, description: `Too Many Requests: retry after ${s}`, parameters: { retry_after: fault.retryAfter } }, { 'retry-after': s });
      }
      record(method, fault.status, params);
      return send(res, fault.status, { ok: false, error_code: fault.status, description: fault.description ?? 'Internal Server Error' });
    }
    const bad = (description: string): void => {
      record(method, 400, params);
      send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${description}` });
    };
    if (method === 'getUpdates') return answerUpdates(res, params, method);
    if (method === 'getMe') {
      record(method, 200, params);
      return send(res, 200, { ok: true, result: { id: 4_200_000_001, is_bot: true, first_name: 'tradewarden test', username: 'tradewarden_test_bot' } });
    }
    if (method !== 'sendMessage' && method !== 'sendPhoto') {
      record(method, 404, params);
      return send(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    }
    const chatId = params.chat_id;
    if (chatId === undefined || chatId === '') return bad('chat_id is empty');
    if (known !== undefined && !known.has(chatId)) return bad('chat not found');
    const text = method === 'sendMessage' ? params.text : params.caption ?? '';
    if (method === 'sendMessage' && (text === undefined || text === '')) return bad('message text is empty');
    if (method === 'sendMessage' && text!.length > 4096) return bad('message is too long');
    if (method === 'sendPhoto' && text!.length > 1024) return bad('message caption is too long');
    const file = files.photo;
    if (method === 'sendPhoto' && file === undefined) return bad('there is no photo in the request');
    const messageId = nextMessageId++;
    const receivedAt = clock.now();
    const photo = file === undefined ? undefined : { filename: file.filename, contentType: file.contentType, bytes: file.data.length, isPng: file.data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) };
    messages.push({ method, messageId, chatId, text: text!, parseMode: params.parse_mode, photo, receivedAt });
    record(method, 200, params);
    const numericChat = /^-?\d+$/.test(chatId) ? Number(chatId) : 0;
    const result = {
      message_id: messageId,
      from: BOT,
      chat: { id: numericChat, type: numericChat < 0 ? 'group' : 'private' },
      date: Math.floor(receivedAt / 1000),
      ...(method === 'sendMessage' ? { text } : { caption: text, photo: [{ file_id: `photo-${String(messageId)}`, file_unique_id: `u${String(messageId)}`, width: 640, height: 480 }] }),
    };
    send(res, 200, { ok: true, result });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 400, { ok: false, error_code: 400, description: `Bad Request: ${e instanceof Error ? e.message : String(e)}` });
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const waitOn = <T>(items: ReadonlyArray<T>, predicate: (items: ReadonlyArray<T>) => boolean, timeoutMs: number, what: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (predicate(items)) return resolve();
      const check = (): void => {
        if (!predicate(items)) return;
        clearTimeout(timer);
        events.off('change', check);
        resolve();
      };
      const timer = setTimeout(() => {
        events.off('change', check);
        reject(new Error(`bot api server: condition not met within ${String(timeoutMs)} ms; ${what()}`));
      }, timeoutMs);
      events.on('change', check);
    });

  return {
    url: `http://127.0.0.1:${String(port)}`,
    token,
    messages,
    requests,
    setFault: (method, fault) => (fault === undefined ? persistent.delete(method) : persistent.set(method, fault)),
    failNext: (method, fault, times = 1, after = 0) => void oneShot.push({ method, fault, left: times, pass: after }),
    pushUpdate: (update) => {
      const update_id = nextUpdateId++;
      const msg = update.message;
      updates.push({
        update_id,
        message: {
          message_id: nextMessageId++,
          date: Math.floor(clock.now() / 1000),
          chat: { id: msg.chat.id, type: msg.chat.type ?? (msg.chat.id < 0 ? 'group' : 'private') },
          from: { is_bot: false, first_name: 'operator', ...msg.from, id: msg.from?.id ?? msg.chat.id },
          text: msg.text,
        },
      });
      events.emit('update');
      return update_id;
    },
    pushRawUpdate: (body) => {
      const update_id = nextUpdateId++;
      updates.push({ ...body, update_id });
      events.emit('update');
      return update_id;
    },
    release: () => {
      for (const res of hung) res.destroy();
      hung.clear();
    },
    waitFor: (predicate, timeoutMs = 10_000) => waitOn(messages, predicate, timeoutMs, () => `received ${String(messages.length)} messages: ${JSON.stringify(messages.map((m) => m.text.slice(0, 300)))}`),
    openPolls: () => polls.size,
    waitForOpenPoll: (timeoutMs = 10_000) => waitOn(requests, () => polls.size > 0, timeoutMs, () => 'no getUpdates poll parked'),
    waitForRequests: (predicate, timeoutMs = 10_000) => waitOn(requests, predicate, timeoutMs, () => `received ${String(requests.length)} requests`),
    stop: async () => {
      for (const res of hung) res.destroy();
      hung.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
