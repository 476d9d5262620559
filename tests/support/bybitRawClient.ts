/**
 * A tiny raw Bybit v5 client for tests, written only from Bybit's public docs (venue-protocols §1): HMAC-SHA256 REST
 * signing (`timestamp + apiKey + recvWindow + query|body`, lowercase hex, `X-BAPI-*` headers), and a websocket with
 * an awaitable frame queue. It shares no code with tradewarden's adapter or simulator, so it can check either.
 */
import { createHmac } from 'node:crypto';
import { request } from 'undici';
import WebSocket from 'ws';

/** Bybit's REST envelope. */
export interface BybitEnvelope<R = Record<string, unknown>> {
  retCode: number;
  retMsg: string;
  result: R;
  retExtInfo: Record<string, unknown>;
  time: number;
}

/** A list result as Bybit pages it. */
export interface BybitList<T = Record<string, string>> {
  category?: string;
  list: T[];
  nextPageCursor?: string;
}

/** One HTTP exchange as the client saw it. */
export interface RawResponse<R = Record<string, unknown>> {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed envelope (undefined when the body was not JSON). */
  body: BybitEnvelope<R> | undefined;
}

/** Overrides a test uses to send a deliberately wrong request. */
export interface SignOverrides {
  timestamp?: number;
  apiKey?: string;
  recvWindow?: number;
  /** Replaces the computed signature. */
  signature?: string;
  /** Signs with this secret instead. */
  secret?: string;
}

/** Options of `createRawBybitClient`. */
export interface RawClientOptions {
  baseUrl: string;
  apiKey: string;
  secret: string;
  /** Default 5000, sent as `X-BAPI-RECV-WINDOW`. */
  recvWindow?: number;
  /** Source of `X-BAPI-TIMESTAMP` (epoch ms). */
  now: () => number;
}

/** Returns the lowercase hex HMAC-SHA256 of `payload` (Bybit's "HMAC_SHA256 → hex"). */
export const hmacHex = (secret: string, payload: string): string => createHmac('sha256', secret).update(payload).digest('hex');

const toHeaders = (h: Record<string, string | string[] | undefined>): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
};

/** A raw Bybit REST client. */
export const createRawBybitClient = (opts: RawClientOptions) => {
  const send = async <R>(method: 'GET' | 'POST', path: string, payload: string, signed: boolean, o: SignOverrides = {}): Promise<RawResponse<R>> => {
    const headers: Record<string, string> = {};
    if (signed) {
      const ts = String(o.timestamp ?? opts.now());
      const key = o.apiKey ?? opts.apiKey;
      const rw = String(o.recvWindow ?? opts.recvWindow ?? 5000);
      headers['X-BAPI-API-KEY'] = key;
      headers['X-BAPI-TIMESTAMP'] = ts;
      headers['X-BAPI-RECV-WINDOW'] = rw;
      headers['X-BAPI-SIGN'] = o.signature ?? hmacHex(o.secret ?? opts.secret, ts + key + rw + payload);
    }
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    const url = `${opts.baseUrl}${path}${method === 'GET' && payload !== '' ? `?${payload}` : ''}`;
    const res = await request(url, { method, headers, body: method === 'POST' ? payload : undefined });
    const text = await res.body.text();
    let body: BybitEnvelope<R> | undefined;
    try {
      body = JSON.parse(text) as BybitEnvelope<R>;
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: toHeaders(res.headers), text, body };
  };
  const query = (params: Record<string, string | number> | string): string =>
    typeof params === 'string' ? params : Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&');
  return {
    /** A signed GET; the query string is signed exactly as sent. */
    get: <R = Record<string, unknown>>(path: string, params: Record<string, string | number> | string = {}, o?: SignOverrides) => send<R>('GET', path, query(params), true, o),
    /** A signed POST; the JSON body is signed exactly as sent. */
    post: <R = Record<string, unknown>>(path: string, body: object | string, o?: SignOverrides) =>
      send<R>('POST', path, typeof body === 'string' ? body : JSON.stringify(body), true, o),
    /** An unsigned GET of a public market endpoint. */
    publicGet: <R = Record<string, unknown>>(path: string, params: Record<string, string | number> | string = {}) => send<R>('GET', path, query(params), false),
  };
};

/** The raw REST client type. */
export type RawBybitClient = ReturnType<typeof createRawBybitClient>;

/** A websocket frame as JSON. */
export type Frame = Record<string, unknown>;

/** A websocket whose frames can be awaited in order. */
export class RawWs {
  readonly socket: WebSocket;
  readonly received: Frame[] = [];
  private cursor = 0;
  private waiters: Array<() => void> = [];
  /** Resolves when the socket closes (for any reason). */
  readonly closed: Promise<void>;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      // binaryType is the default 'nodebuffer', so every text frame arrives as one Buffer.
      this.received.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => {
      this.wake();
      resolve();
    }));
  }

  /** Opens a websocket and resolves once it is open. */
  static open(url: string): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new RawWs(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a JSON frame. */
  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends Bybit's private auth frame: `["key", expires, hex(HMAC(secret, "GET/realtime" + expires))]`. */
  auth(apiKey: string, secret: string, expires: number | string, reqId = 'auth-1'): void {
    this.send({ req_id: reqId, op: 'auth', args: [apiKey, expires, hmacHex(secret, `GET/realtime${String(expires)}`)] });
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /**
   * Resolves with the next not-yet-consumed frame matching `pred` (frames before it stay unconsumed only if they do
   * not match: consumption is in order). Rejects if the socket closes first or after `timeoutMs` (a failure guard).
   */
  async next(pred: (f: Frame) => boolean = () => true, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const f = this.received[this.cursor++] as Frame;
        if (pred(f)) return f;
      }
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error('websocket closed while waiting for a frame');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.close();
    await this.closed;
  }
}
