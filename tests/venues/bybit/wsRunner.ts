/**
 * Test support: runs a `StreamDescription` over a real `ws` socket the way the connection actor would (auth, then
 * subscribe), decodes every frame with the description's own decoder and lets a test await frames by predicate.
 * No timers stand in for synchronisation; waits end when the awaited frame arrives (or fail after a bound).
 */
import WebSocket from 'ws';
import type { StreamDescription, StreamFrame } from '../../../src/venues/streams.ts';

interface Waiter<E> {
  readonly match: (f: StreamFrame<E>) => boolean;
  readonly resolve: (f: StreamFrame<E>) => void;
}

export interface StreamRun<E> {
  /** Every decoded frame so far, in arrival order. */
  readonly frames: StreamFrame<E>[];
  /** Called for every decoded frame: first those already received (in order), then each new one. */
  onFrame(listener: (f: StreamFrame<E>) => void): void;
  /** Resolves with the first frame from now on that matches (failing after `boundMs`). */
  next(match: (f: StreamFrame<E>) => boolean, boundMs?: number): Promise<StreamFrame<E>>;
  /** Sends the description's ping and resolves on the pong: every frame the server sent before it has arrived. */
  barrier(): Promise<void>;
  send(frame: string): void;
  close(): Promise<void>;
}

/** Opens the stream, authenticates (private) and subscribes; resolves once the subscription is confirmed. */
export const runStream = async <E>(desc: StreamDescription<E>, now: () => number): Promise<StreamRun<E>> => {
  const opening = await desc.open(now());
  const socket = new WebSocket(opening.url);
  const frames: StreamFrame<E>[] = [];
  const listeners: Array<(f: StreamFrame<E>) => void> = [];
  let waiters: Waiter<E>[] = [];
  socket.on('message', (data: WebSocket.RawData) => {
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    const frame = desc.decode(text);
    frames.push(frame);
    for (const l of listeners) l(frame);
    const still: Waiter<E>[] = [];
    for (const w of waiters) {
      if (w.match(frame)) w.resolve(frame);
      else still.push(w);
    }
    waiters = still;
  });
  const next = (match: (f: StreamFrame<E>) => boolean, boundMs = 10_000): Promise<StreamFrame<E>> =>
    new Promise((resolve, reject) => {
      const bound = setTimeout(() => reject(new Error(`no matching frame within ${boundMs} ms`)), boundMs);
      waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(bound);
          resolve(f);
        },
      });
    });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  for (const frame of opening.authFrames) {
    const authed = next((f) => f.kind === 'auth');
    socket.send(frame);
    const reply = await authed;
    if (reply.kind !== 'auth' || !reply.ok) throw new Error(`auth failed: ${JSON.stringify(reply)}`);
  }
  for (const frame of opening.subscribeFrames) {
    const subscribed = next((f) => f.kind === 'subscribed');
    socket.send(frame);
    const reply = await subscribed;
    if (reply.kind !== 'subscribed' || !reply.ok) throw new Error(`subscribe failed: ${JSON.stringify(reply)}`);
  }
  return {
    frames,
    onFrame: (l) => {
      for (const f of frames) l(f);
      listeners.push(l);
    },
    next,
    barrier: async () => {
      const pong = next((f) => f.kind === 'pong');
      if (desc.heartbeat.mode !== 'app_ping') throw new Error(`${desc.name}: the barrier needs an app ping`);
      socket.send(desc.heartbeat.frame());
      await pong;
    },
    send: (f) => socket.send(f),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
      }),
  };
};
