/**
 * Test support: a loopback HTTP server that records every request exactly as received and answers with a canned
 * Bybit envelope (a docs fixture) per `METHOD path`. It implements no Bybit logic — it exists to pin the bytes the
 * adapter sends. Binds 127.0.0.1 on an ephemeral port.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One recorded request. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A canned reply. */
export interface CannedReply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  /** Never answer (the socket stays open until the server closes). */
  readonly hang?: boolean;
}

/** Returns the text of a Bybit fixture. */
export const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/bybit/${name}`, import.meta.url), 'utf8');
/** Returns a Bybit fixture parsed as JSON. */
export const fixtureJson = (name: string): unknown => JSON.parse(fixture(name));

/** A running recorder. */
export interface Recorder {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Sets the reply for `METHOD /path` (persistent) or queues one-shot replies in front of it. */
  reply(route: string, reply: CannedReply): void;
  once(route: string, reply: CannedReply): void;
  close(): Promise<void>;
}

/** Starts a recorder on 127.0.0.1:0. Unknown routes answer 404 with a non-Bybit body. */
export const startRecorder = async (): Promise<Recorder> => {
  const requests: RecordedRequest[] = [];
  const persistent = new Map<string, CannedReply>();
  const queued = new Map<string, CannedReply[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const [path = '', query = ''] = (req.url ?? '').split('?', 2);
      requests.push({ method: req.method ?? '', path, query, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const route = `${req.method ?? ''} ${path}`;
      const q = queued.get(route);
      const reply = q !== undefined && q.length > 0 ? q.shift() : persistent.get(route);
      if (reply === undefined) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
        return;
      }
      if (reply.hang === true) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (route, reply) => void persistent.set(route, reply),
    once: (route, reply) => {
      const q = queued.get(route) ?? [];
      q.push(reply);
      queued.set(route, q);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
