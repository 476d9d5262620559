/**
 * The `GET /events` stream (issue 14, SSE): each OpsEvent framed as `id:` / `event: <kind>` / `data: <json>`, the
 * events after `Last-Event-ID` replayed from the ring first, a comment heartbeat on a wall-time interval, and the
 * subscription released when the client goes, the server closes, or a client too slow to read falls 1 MiB behind
 * (it reconnects with its Last-Event-ID). Writes only to its own response.
 */
import type { ServerResponse } from 'node:http';
import type { OpsEvent, OpsEvents } from '../ops/types.ts';

/** A slow client is cut off when this many bytes wait in its socket buffer. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** Returns the SSE frame of one event. */
export const sseFrame = (e: OpsEvent): string => {
  // JSON.stringify never emits a raw newline, so one `data:` line carries the whole event.
  const data = JSON.stringify({ id: e.id, kind: e.kind, at: e.at, account: e.account, data: e.data });
  return `id: ${e.id}\nevent: ${e.kind}\ndata: ${data}\n\n`;
};

/** An open stream; `end()` is idempotent. */
export interface SseStream {
  end(): void;
}

/**
 * Starts the stream on a hijacked response: headers, a `retry:` hint, the replay after `after`, then live events and
 * heartbeats. `onEnd` runs once when the stream ends, whoever ends it.
 */
export const startSse = (opts: {
  readonly res: ServerResponse;
  readonly events: OpsEvents;
  readonly after: number;
  readonly heartbeatMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly onEnd: () => void;
}): SseStream => {
  const { res } = opts;
  let lastSent = opts.after;
  let ended = false;
  const live: { unsubscribe?: () => void; heartbeat?: ReturnType<typeof setInterval> } = {};
  const end = (): void => {
    if (ended) return;
    ended = true;
    live.unsubscribe?.();
    if (live.heartbeat !== undefined) clearInterval(live.heartbeat);
    if (!res.writableEnded) res.end();
    opts.onEnd();
  };
  const write = (chunk: string): void => {
    if (ended) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED_BYTES) end();
  };
  const send = (e: OpsEvent): void => {
    // An event the replay already carried (or older) is not sent twice.
    if (e.id <= lastSent) return;
    lastSent = e.id;
    write(sseFrame(e));
  };
  res.writeHead(200, {
    ...opts.headers,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.on('close', end);
  res.on('error', end);
  write('retry: 2000\n: connected\n\n');
  // Replay and subscription happen in one synchronous step, so no event falls between them.
  for (const e of opts.events.since(opts.after)) send(e);
  if (ended) return { end };
  live.unsubscribe = opts.events.subscribe((e) => {
    try {
      send(e);
    } catch {
      end();
    }
  });
  live.heartbeat = setInterval(() => write(': heartbeat\n\n'), opts.heartbeatMs);
  live.heartbeat.unref();
  return { end };
};
