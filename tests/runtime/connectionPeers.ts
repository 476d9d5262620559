/**
 * Test support for the connection host: a scripted `ws` peer on 127.0.0.1 (records connections, messages and
 * protocol pings; answers pings only while told to), a decode observer (a test awaits the frame it sent, so every
 * earlier frame and pong on that socket has been handled), and two venue-shaped streams built from the envelopes in
 * notes/venue-protocols.md: Binance USD-M diff depth (URL-named streams, `U/u/pu`, protocol ping, listen-key URLs)
 * and Coinbase Advanced Trade (`sequence_num` per connection, `heartbeats` channel, a JWT per subscribe frame).
 * No timers stand in for synchronisation; every wait ends on an event.
 */
import { Effect } from 'effect';
import WebSocket, { WebSocketServer } from 'ws';
import { Decimal } from '../../src/domain/money.ts';
import type { BookEvent, MarketEvent, StreamDescription, StreamFrame } from '../../src/venues/streams.ts';
import type { BookLevel, BookSnapshot } from '../../src/venues/Venue.ts';

const text = (d: WebSocket.RawData): string => (Buffer.isBuffer(d) ? d : Array.isArray(d) ? Buffer.concat(d) : Buffer.from(d)).toString('utf8');

/** Resolves when `check` holds, re-checked on every `wake()`. */
export const waiter = () => {
  const pending = new Set<() => void>();
  return {
    wake: (): void => {
      for (const p of [...pending]) p();
    },
    until: (check: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        const p = (): void => {
          if (!check()) return;
          pending.delete(p);
          resolve();
        };
        pending.add(p);
        p();
      }),
  };
};

/** One socket the peer accepted. */
export interface PeerConnection {
  readonly socket: WebSocket;
  /** Path and query the client connected to. */
  readonly path: string;
  readonly received: string[];
  pings: number;
  send(frame: string): void;
}

/** A scripted peer. */
export interface ScriptedPeer {
  readonly url: string;
  readonly connections: PeerConnection[];
  /** Whether protocol pings are answered with a pong (the `ws` auto-pong is off). */
  answerPings: boolean;
  /** Called for every text message and every protocol ping, after it was recorded. */
  onEvent?: ((c: PeerConnection, kind: 'message' | 'ping', message: string) => void) | undefined;
  until(check: () => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Starts a peer on 127.0.0.1:0. */
export const startPeer = async (): Promise<ScriptedPeer> => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (typeof address === 'string' || address === null) throw new Error('peer did not bind');
  const w = waiter();
  const peer: ScriptedPeer = {
    url: `ws://127.0.0.1:${address.port}`,
    connections: [],
    answerPings: true,
    until: w.until,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of peer.connections) c.socket.terminate();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket, req) => {
    const c: PeerConnection = { socket, path: req.url ?? '', received: [], pings: 0, send: (f) => socket.send(f) };
    peer.connections.push(c);
    socket.on('message', (d) => {
      c.received.push(text(d));
      peer.onEvent?.(c, 'message', text(d));
      w.wake();
    });
    socket.on('ping', (d) => {
      c.pings += 1;
      if (peer.answerPings) socket.pong(d);
      peer.onEvent?.(c, 'ping', '');
      w.wake();
    });
    w.wake();
  });
  return peer;
};

/** Wraps a description's decoder so a test can await the frame it sent (frames on one socket are handled in order). */
export const observed = <E>(desc: StreamDescription<E>) => {
  const w = waiter();
  const seen: Array<{ raw: string; frame: StreamFrame<E> }> = [];
  return {
    desc: { ...desc, decode: (raw: string) => {
      const frame = desc.decode(raw);
      seen.push({ raw, frame });
      // The host handles the frame synchronously after decode returns; a resolved wait resumes only after that.
      w.wake();
      return frame;
    } } satisfies StreamDescription<E>,
    decoded: (match: (raw: string) => boolean): Promise<void> => w.until(() => seen.some((s) => match(s.raw))),
  };
};

type Levels = Array<[string, string]>;
const levels = (side: Map<string, string>, desc: boolean): BookLevel[] =>
  [...side].map(([p, s]) => ({ price: new Decimal(p), size: new Decimal(s) })).sort((a, b) => (desc ? b.price.comparedTo(a.price) : a.price.comparedTo(b.price)));
const applyLevels = (side: Map<string, string>, ls: Levels): void => {
  for (const [p, s] of ls) if (new Decimal(s).isZero()) side.delete(p); else side.set(p, s);
};

/** The venue's side of a book: levels by price, and its snapshot. */
export class VenueBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();
  apply(bids: Levels, asks: Levels): void {
    applyLevels(this.bids, bids);
    applyLevels(this.asks, asks);
  }
  snapshot(symbol: string, updateId: number): BookSnapshot {
    return { symbol, bids: levels(this.bids, true), asks: levels(this.asks, false), updateId, ts: updateId };
  }
}

/** Whether a local book equals the venue's, level by level. */
export const sameBook = (mine: { levels(): { bids: ReadonlyArray<BookLevel>; asks: ReadonlyArray<BookLevel> } } | undefined, venue: VenueBook): boolean => {
  if (mine === undefined) return false;
  const m = mine.levels();
  const v = venue.snapshot('', 0);
  const eq = (a: ReadonlyArray<BookLevel>, b: ReadonlyArray<BookLevel>) => a.length === b.length && a.every((l, i) => l.price.eq(b[i]!.price) && l.size.eq(b[i]!.size));
  return eq(m.bids, v.bids) && eq(m.asks, v.asks);
};

const toLevels = (ls: unknown): BookLevel[] => (ls as Levels).map(([p, s]) => ({ price: new Decimal(p), size: new Decimal(s) }));

/** Binance USD-M diff depth for one symbol: `depthUpdate` events (combined-stream envelope) and the REST book. */
export class BinanceDepthVenue {
  readonly book = new VenueBook();
  lastUpdateId = 1000;
  /** Applies a change covering `ids` update ids; returns its combined-stream envelope (send it, or lose it). */
  update(bids: Levels, asks: Levels = [], ids = 3): string {
    const U = this.lastUpdateId + 1;
    const u = this.lastUpdateId + ids;
    const pu = this.lastUpdateId;
    this.lastUpdateId = u;
    this.book.apply(bids, asks);
    return JSON.stringify({ stream: 'btcusdt@depth@100ms', data: { e: 'depthUpdate', E: u, T: u, s: 'BTCUSDT', U, u, pu, b: bids, a: asks } });
  }
  /** `GET /fapi/v1/depth` as the Venue port answers it. */
  snapshot(): BookSnapshot {
    return this.book.snapshot('BTCUSDT', this.lastUpdateId);
  }
}

/** Decodes a Binance combined-stream frame: `depthUpdate` → a book delta with U/u/pu; anything else is ignored. */
export const decodeBinanceDepth = (raw: string): StreamFrame<MarketEvent> => {
  const env = JSON.parse(raw) as { data?: { e?: string; s: string; U: number; u: number; pu: number; E: number; b: unknown; a: unknown } };
  const d = env.data;
  if (d?.e !== 'depthUpdate') return { kind: 'ignored' };
  const e: BookEvent = { type: 'book', kind: 'delta', symbol: d.s, bids: toLevels(d.b), asks: toLevels(d.a), updateId: d.u, firstUpdateId: d.U, previousUpdateId: d.pu, seq: d.u, ts: d.E };
  return { kind: 'events', events: [e] };
};

/** Coinbase Advanced Trade market data for some products: envelopes numbered by `sequence_num` per connection. */
export class CoinbaseVenue {
  readonly books = new Map<string, VenueBook>();
  sequence = 0;
  constructor(products: ReadonlyArray<string>) {
    for (const p of products) this.books.set(p, new VenueBook());
  }
  /** A new socket: the counter starts over. */
  reset(): void {
    this.sequence = 0;
  }
  private envelope(channel: string, events: unknown[]): string {
    return JSON.stringify({ channel, client_id: '', timestamp: '2023-02-09T20:32:50.714964855Z', sequence_num: ++this.sequence, events });
  }
  subscriptions(channel: string): string {
    return this.envelope('subscriptions', [{ subscriptions: { [channel]: [...this.books.keys()] } }]);
  }
  heartbeat(): string {
    return this.envelope('heartbeats', [{ current_time: '2023-06-23 20:31:56.121961769 +0000 UTC m=+91717.525857105', heartbeat_counter: this.sequence }]);
  }
  /** Applies an update to a product's book; returns its `l2_data` envelope (send it, or lose it). */
  update(product: string, side: 'bid' | 'offer', price: string, quantity: string): string {
    this.books.get(product)!.apply(side === 'bid' ? [[price, quantity]] : [], side === 'offer' ? [[price, quantity]] : []);
    return this.envelope('l2_data', [{ type: 'update', product_id: product, updates: [{ side, event_time: '2023-02-09T20:32:50.714964855Z', price_level: price, new_quantity: quantity }] }]);
  }
  /** The REST book as of the last envelope sent on this connection. */
  snapshot(product: string): BookSnapshot {
    return this.books.get(product)!.snapshot(product, this.sequence);
  }
}

interface CoinbaseEnvelope {
  readonly channel: string;
  readonly sequence_num: number;
  readonly events: ReadonlyArray<{ type?: string; product_id?: string; updates?: ReadonlyArray<{ side: string; price_level: string; new_quantity: string }> }>;
}

/** Decodes a Coinbase envelope: subscriptions → subscribed, heartbeats → heartbeat, l2_data → book events (id = sequence_num). */
export const decodeCoinbase = (raw: string): StreamFrame<MarketEvent> => {
  const env = JSON.parse(raw) as CoinbaseEnvelope;
  const connectionSequence = env.sequence_num;
  if (env.channel === 'subscriptions') return { kind: 'subscribed', ok: true, message: '', connectionSequence };
  if (env.channel === 'heartbeats') return { kind: 'heartbeat', connectionSequence };
  if (env.channel !== 'l2_data') return { kind: 'ignored', connectionSequence };
  const events = env.events.map((e): BookEvent => {
    const side = (s: string) => (e.updates ?? []).filter((x) => x.side === s).map((x) => ({ price: new Decimal(x.price_level), size: new Decimal(x.new_quantity) }));
    return { type: 'book', kind: e.type === 'snapshot' ? 'snapshot' : 'delta', symbol: e.product_id ?? '', bids: side('bid'), asks: side('offer'), updateId: env.sequence_num, seq: env.sequence_num, ts: env.sequence_num };
  });
  return { kind: 'events', events, connectionSequence };
};

/** A REST `orderBook` port whose answers the test releases one by one (a snapshot request in flight while frames arrive). */
export const heldSnapshots = () => {
  const w = waiter();
  const requests: Array<(s: BookSnapshot) => void> = [];
  return {
    orderBook: (_symbol: string, _depth: number) =>
      Effect.promise(
        () =>
          new Promise<BookSnapshot>((resolve) => {
            requests.push(resolve);
            w.wake();
          }),
      ),
    /** Resolves with the release function of the n-th request (1-based). */
    request: async (n: number): Promise<(s: BookSnapshot) => void> => {
      await w.until(() => requests.length >= n);
      return requests[n - 1]!;
    },
  };
};
