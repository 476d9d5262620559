/**
 * The floors a latency is read against (issue 17): a bare loopback HTTP round trip through undici with a keep-alive
 * Agent (the REST client's transport) to a node:http server answering a small JSON body, and a bare one-row SQLite
 * INSERT committed on its own in WAL with synchronous=FULL (one fsync'd commit) in a given folder. Measured in the
 * same run as the figure they explain, so "tick → order = k × round trip + m × commit" can be read off one output.
 * Bench support only (not a test).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/** Median ms of `n` loopback round trips (after 50 to warm up the connection and the JIT). */
export const loopbackHttpRoundTripMs = async (n = 500): Promise<number> => {
  const body = JSON.stringify({ retCode: 0, retMsg: 'OK', result: { orderId: 'x', orderLinkId: 'y' }, time: 0 });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/v5/order/create`;
  const agent = new Agent({ connections: 1, keepAliveTimeout: 30_000 });
  try {
    const ms: number[] = [];
    for (let i = 0; i < n + 50; i++) {
      const t0 = performance.now();
      const res = await request(url, { method: 'POST', body: '{"symbol":"BTCUSDT"}', headers: { 'content-type': 'application/json' }, dispatcher: agent });
      await res.body.text();
      if (i >= 50) ms.push(performance.now() - t0);
    }
    return median(ms);
  } finally {
    await agent.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
};

/** Median ms of `n` one-row commits with synchronous=FULL in WAL mode, in a fresh file under `dir`. */
export const fsyncCommitMs = (dir: string, n = 200): number => {
  const db = new Database(join(dir, `floor-${String(process.pid)}.sqlite`));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)');
    const insert = db.prepare<[Buffer]>('INSERT INTO t (v) VALUES (?)');
    const row = Buffer.alloc(32, 7);
    for (let i = 0; i < 10; i++) insert.run(row);
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      insert.run(row);
      ms.push(performance.now() - t0);
    }
    return median(ms);
  } finally {
    db.close();
  }
};
