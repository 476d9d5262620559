/**
 * The live XState inspector (X-RT-11): a read-only WebSocket relay bound to 127.0.0.1 (never the hosted "sky"
 * inspector, never @statelyai/inspect's server, which listens on every interface) that publishes this process's own
 * inspection events, in the Stately inspector's wire format, to viewers holding the run's random token; browsers only
 * from allowed origins. Frames from viewers are discarded, and memory is bounded: inbound frames (`maxPayload`), the
 * replay history (frames and bytes) and each viewer's send buffer (a viewer that does not read is dropped). Contexts and
 * events are scrubbed of secrets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { WebSocket, WebSocketServer } from 'ws';
import type { InspectionEvent } from 'xstate';
import { scrubValue } from '../kernel/redaction.ts';

/** The origin of the hosted Stately inspector page, the one browser origin always allowed. */
export const STATELY_ORIGIN = 'https://stately.ai';

/** Options of `startInspectorRelay`; every limit has a default sized for one developer watching a paper run. */
export interface InspectorRelayOptions {
  /** Port on 127.0.0.1 (0 = ephemeral). */
  readonly port: number;
  /** Browser origins allowed besides `https://stately.ai` (exact `scheme://host[:port]` strings). */
  readonly allowedOrigins?: ReadonlyArray<string> | undefined;
  /** Most frames kept for late viewers (default 2000). */
  readonly replay?: number | undefined;
  /** Most bytes kept for late viewers (default 4 MiB); must not exceed `maxBufferedBytes`. */
  readonly maxHistoryBytes?: number | undefined;
  /** Largest frame published (default 1 MiB); a larger event is skipped and logged. */
  readonly maxFrameBytes?: number | undefined;
  /** Largest frame a viewer may send (default 16 KiB); a larger one closes that viewer with 1009. */
  readonly maxPayloadBytes?: number | undefined;
  /** Most bytes waiting to be written to one viewer (default 8 MiB); past it the viewer is dropped. */
  readonly maxBufferedBytes?: number | undefined;
  /** Most viewers at once (default 8). */
  readonly maxViewers?: number | undefined;
  /** Receives one JSON-able line per refused or dropped viewer and per skipped frame. */
  readonly log?: ((line: object) => void) | undefined;
}

/** A running relay and the `inspect` callback to pass to actors. */
export interface InspectorRelay {
  /** `ws://127.0.0.1:<port>/?token=<token>`: what a viewer connects to. */
  readonly url: string;
  /** The Stately inspector page watching `url`. */
  readonly statelyUrl: string;
  readonly port: number;
  /** This run's random token (32 random bytes, base64url). */
  readonly token: string;
  readonly inspect: (e: InspectionEvent) => void;
  /** Returns how many viewers are connected. */
  readonly viewers: () => number;
  readonly close: () => Promise<void>;
}

// The Stately client's default serialisation depth (api-notes §3); deeper values become placeholders. It stays below
// scrubValue's reach (8 levels), so every string that is published has been scrubbed.
const MAX_DEPTH = 8;

const hasToJson = (v: object): v is { toJSON: () => unknown } => typeof (v as { toJSON?: unknown }).toJSON === 'function';

/**
 * Returns a JSON-safe copy of an inspection event: `toJSON` honoured (XState snapshots and actor refs define it),
 * cycles and values deeper than `MAX_DEPTH` replaced by `[Circular]`/`[Object]`/`[Array]` as the Stately client does,
 * functions and symbols dropped.
 */
const toPlain = (value: unknown, depth: number, ancestors: Set<object>, viaJson = false): unknown => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return undefined;
  if (!viaJson && hasToJson(value)) return toPlain(value.toJSON(), depth, ancestors, true);
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return Array.isArray(value) ? '[Array]' : '[Object]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v: unknown) => toPlain(v, depth + 1, ancestors) ?? null);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const plain = toPlain(v, depth + 1, ancestors);
      if (plain !== undefined) out[k] = plain;
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
};

/** Returns the frame text of one event: plain, scrubbed of secrets, one JSON text frame as the Stately client sends. */
const frameOf = (e: StatelyInspectionEvent): string => JSON.stringify(scrubValue(toPlain(e, 0, new Set())));

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

const positive = (name: string, v: number | undefined, fallback: number): number => {
  const n = v ?? fallback;
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive integer, got ${n}`);
  return n;
};

/** Starts the relay on 127.0.0.1 with a fresh random token and resolves once it listens. */
export const startInspectorRelay = async (opts: InspectorRelayOptions): Promise<InspectorRelay> => {
  const replayLimit = positive('replay', opts.replay, 2000);
  const maxHistoryBytes = positive('maxHistoryBytes', opts.maxHistoryBytes, 4 * 1024 * 1024);
  const maxFrameBytes = positive('maxFrameBytes', opts.maxFrameBytes, 1024 * 1024);
  const maxPayload = positive('maxPayloadBytes', opts.maxPayloadBytes, 16 * 1024);
  const maxBufferedBytes = positive('maxBufferedBytes', opts.maxBufferedBytes, 8 * 1024 * 1024);
  const maxViewers = positive('maxViewers', opts.maxViewers, 8);
  // A late viewer receives the whole history at once: it must fit in one viewer's buffer.
  if (maxHistoryBytes > maxBufferedBytes) throw new RangeError(`maxHistoryBytes (${maxHistoryBytes}) must not exceed maxBufferedBytes (${maxBufferedBytes})`);
  const log = opts.log ?? (() => undefined);
  const origins = new Set([STATELY_ORIGIN, ...(opts.allowedOrigins ?? [])]);
  const token = randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);

  const viewers = new Set<WebSocket>();
  const history: Array<{ readonly data: Buffer }> = [];
  let historyBytes = 0;
  let closed = false;

  const drop = (ws: WebSocket, reason: string): void => {
    viewers.delete(ws);
    log({ msg: 'inspector viewer dropped', reason, bufferedAmount: ws.bufferedAmount });
    // terminate, not close: a closing handshake would wait behind the very buffer that is too full.
    ws.terminate();
  };

  const deliver = (ws: WebSocket, data: Buffer): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount + data.length > maxBufferedBytes) return drop(ws, 'slow_reader');
    ws.send(data, { binary: false });
  };

  // The process's own events go straight to the viewers: nothing a viewer sends can enter this path.
  const publish = (e: StatelyInspectionEvent): void => {
    if (closed) return;
    const data = Buffer.from(frameOf(e), 'utf8');
    if (data.length > maxFrameBytes) {
      log({ msg: 'inspector frame skipped', reason: 'too_large', type: e.type, bytes: data.length, limit: maxFrameBytes });
      return;
    }
    history.push({ data });
    historyBytes += data.length;
    while (history.length > replayLimit || historyBytes > maxHistoryBytes) historyBytes -= history.shift()?.data.length ?? 0;
    for (const ws of [...viewers]) deliver(ws, data);
  };

  const inspector = createInspector(
    { send: publish },
    // Microsteps and action events are noise for a viewer and cost throughput (api-notes §3).
    { filter: (e) => e.type === '@xstate.actor' || e.type === '@xstate.snapshot' || e.type === '@xstate.event' },
  );

  /** Returns why an upgrade is refused (status line), or undefined to admit it. */
  const refusal = (req: IncomingMessage): string | undefined => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/') return '404 Not Found';
    // Browsers always send Origin on a websocket handshake; a client without one is not a web page.
    const origin = req.headers.origin;
    if (origin !== undefined && !origins.has(origin)) return '403 Forbidden';
    const given = url.searchParams.get('token');
    if (given === null || !timingSafeEqual(digest(given), tokenDigest)) return '401 Unauthorized';
    if (viewers.size >= maxViewers) return '503 Service Unavailable';
    return undefined;
  };

  const server = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('websocket only\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload, clientTracking: false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refused = closed ? '503 Service Unavailable' : refusal(req);
    if (refused !== undefined) {
      socket.on('error', () => socket.destroy());
      log({ msg: 'inspector viewer refused', status: refused, origin: req.headers.origin ?? null });
      socket.end(`HTTP/1.1 ${refused}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      viewers.add(ws);
      // Read-only: frames from viewers are never stored, relayed or parsed (ws still enforces maxPayload).
      ws.on('error', (error) => {
        viewers.delete(ws);
        log({ msg: 'inspector viewer error', error: String(error) });
      });
      ws.on('close', () => viewers.delete(ws));
      for (const m of history) deliver(ws, m.data);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const url = `ws://127.0.0.1:${port}/?token=${token}`;
  return {
    url,
    statelyUrl: `${STATELY_ORIGIN}/inspect?server=${encodeURIComponent(url)}`,
    port,
    token,
    inspect: (e) => inspector.inspect.next?.(e),
    viewers: () => viewers.size,
    close: async () => {
      if (closed) return;
      closed = true;
      for (const ws of viewers) ws.terminate();
      viewers.clear();
      history.length = 0;
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
