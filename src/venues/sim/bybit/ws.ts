/**
 * The Bybit v5 websocket side of the simulator: public `/v5/public/linear` (orderbook, publicTrade, tickers, kline)
 * and private `/v5/private` (auth, order, execution, position, wallet), fed by the engine's events, with the WS
 * faults (drops, orderbook gaps/duplicates/reordering, delays, ignored pings) applied per connection. Never lets a
 * malformed, oversized or deeply nested client frame or a listener error escape into the engine or crash the server,
 * and never acknowledges a topic it will not publish (docs/simulator.md, "Strict input on the wire façades").
 */
import { Either } from 'effect';
import type { WebSocket } from 'ws';
import { parseBoundedJson } from '../../../kernel/boundedJson.ts';
import type { SimEvent, SimLevel } from '../engine/types.ts';
import type { FaultPlan, Rng } from '../faults.ts';
import { MAX_JSON_DEPTH, MAX_WS_REQUEST_CHARS } from './limits.ts';
import { decodeParams, WsRequest } from './messages.ts';
import { encodeOrder, type RestContext } from './rest.ts';
import { verifyHmacHex, wsAuthStringToSign } from './signing.ts';
import { executionToWire, klineIntervalToWire, klineToWire, levelsToWire, positionToWire, sideToWire, tickerToWire, walletToWire } from './wire.ts';

/** Counters of what the façade did, for `/sim/control/state` and tests. */
export interface FaultCounters {
  framesSent: number;
  wsDrops: number;
  gapsInjected: number;
  dupsInjected: number;
  reordersInjected: number;
  pongsDropped: number;
  http429: number;
  http5xx: number;
  rateLimited: number;
  timeoutsAfterAccept: number;
  forcedRejects: number;
}

/** Returns zeroed counters. */
export const emptyCounters = (): FaultCounters => ({
  framesSent: 0,
  wsDrops: 0,
  gapsInjected: 0,
  dupsInjected: 0,
  reordersInjected: 0,
  pongsDropped: 0,
  http429: 0,
  http5xx: 0,
  rateLimited: 0,
  timeoutsAfterAccept: 0,
  forcedRejects: 0,
});

/** What the hub needs from the server. */
export interface WsHubDeps {
  readonly ctx: RestContext;
  readonly lookupKey: (apiKey: string) => { readonly secret: string; readonly account: string } | undefined;
  readonly faults: () => FaultPlan;
  readonly rng: () => Rng;
  readonly counters: FaultCounters;
  readonly log: (line: object) => void;
}

// Topic parts are compared as exact strings: `Number('0x32')` is 50, and a book acknowledged as `orderbook.0x32.X`
// would never be published (deltas go to `orderbook.50.X`): a silently frozen book.
const BOOK_DEPTHS = new Set(['1', '50', '200', '1000']);
const KLINE_INTERVALS = new Set(['1', '3', '5', '15', '30', '60', '120', '240', '360', '720', 'D', 'W', 'M']);
const PRIVATE_TOPICS = new Set(['order', 'execution', 'position', 'wallet', 'order.linear', 'execution.linear', 'position.linear']);
/** A reordered delta waits this long for a successor before it is sent anyway. */
const REORDER_FLUSH_MS = 200;

interface Session {
  readonly kind: 'public' | 'private';
  readonly socket: WebSocket;
  readonly connId: string;
  account: string | undefined;
  readonly topics: Set<string>;
  readonly held: Map<string, { frame: string; timer: NodeJS.Timeout }>;
  readonly timers: Set<NodeJS.Timeout>;
  closed: boolean;
}

/** A depth-limited view of one symbol's book, as last published to that depth's subscribers. */
interface BookView {
  bids: Map<string, string>;
  asks: Map<string, string>;
}

const toMap = (levels: ReadonlyArray<SimLevel>): Map<string, string> => new Map(levels.map(([p, s]) => [p.toString(), s.toString()]));

const diffSide = (before: Map<string, string>, after: Map<string, string>, descending: boolean): string[][] => {
  const out: string[][] = [];
  for (const [p, s] of after) if (before.get(p) !== s) out.push([p, s]);
  for (const p of before.keys()) if (!after.has(p)) out.push([p, '0']);
  return out.sort((a, b) => (descending ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
};

/** Routes engine events to websocket sessions and answers their operations. */
export class BybitWsHub {
  private readonly deps: WsHubDeps;
  private readonly sessions = new Set<Session>();
  private readonly views = new Map<string, BookView>();
  private readonly lastTradePrice = new Map<string, { price: string; tick: string }>();
  private nextConn = 1;
  private nextMsg = 1;

  constructor(deps: WsHubDeps) {
    this.deps = deps;
  }

  /** Returns how many public and private connections are open. */
  counts(): { public: number; private: number } {
    let pub = 0;
    let priv = 0;
    for (const s of this.sessions) if (s.kind === 'public') pub += 1;
    else priv += 1;
    return { public: pub, private: priv };
  }

  /** Takes over a freshly upgraded socket. */
  attach(socket: WebSocket, kind: 'public' | 'private'): void {
    const session: Session = {
      kind,
      socket,
      connId: `sim-${kind}-${this.nextConn++}`,
      account: undefined,
      topics: new Set(),
      held: new Map(),
      timers: new Set(),
      closed: false,
    };
    this.sessions.add(session);
    socket.on('message', (data, isBinary) => {
      try {
        this.onFrame(session, isBinary ? '' : (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString('utf8'));
      } catch (error) {
        this.deps.log({ msg: 'ws frame handler failed', connId: session.connId, error: String(error) });
      }
    });
    socket.on('close', () => this.forget(session));
    socket.on('error', () => this.forget(session));
  }

  /** Drops every connection now (abruptly, as a network failure would); returns how many were dropped. */
  dropAll(): number {
    const all = [...this.sessions];
    for (const s of all) this.drop(s);
    return all.length;
  }

  /** Terminates every connection and clears timers (server shutdown). */
  close(): void {
    for (const s of [...this.sessions]) this.drop(s, false);
  }

  /** Publishes one engine event to the sessions subscribed to it. */
  onEngineEvent(ev: SimEvent): void {
    switch (ev.type) {
      case 'book':
        this.publishBook(ev);
        return;
      case 'trade': {
        const last = this.lastTradePrice.get(ev.symbol);
        const p = ev.price.toString();
        let tick = 'ZeroPlusTick';
        if (last !== undefined) {
          const cmp = ev.price.cmp(last.price);
          tick = cmp > 0 ? 'PlusTick' : cmp < 0 ? 'MinusTick' : last.tick === 'MinusTick' || last.tick === 'ZeroMinusTick' ? 'ZeroMinusTick' : 'ZeroPlusTick';
        }
        this.lastTradePrice.set(ev.symbol, { price: p, tick });
        const topic = `publicTrade.${ev.symbol}`;
        const frame = { topic, type: 'snapshot', ts: ev.ts, data: [{ T: ev.ts, s: ev.symbol, S: sideToWire(ev.side), v: ev.size.toString(), p, L: tick, i: ev.tradeId, BT: false }] };
        this.publishPublic(topic, JSON.stringify(frame));
        return;
      }
      case 'ticker': {
        const topic = `tickers.${ev.ticker.symbol}`;
        this.publishPublic(topic, JSON.stringify({ topic, type: 'snapshot', data: tickerToWire(ev.ticker), cs: ev.ticker.ts, ts: ev.ticker.ts }));
        return;
      }
      case 'kline': {
        const topic = `kline.${klineIntervalToWire(ev.kline.intervalMinutes)}.${ev.kline.symbol}`;
        this.publishPublic(topic, JSON.stringify({ topic, data: [klineToWire(ev.kline)], ts: ev.kline.ts, type: 'snapshot' }));
        return;
      }
      case 'order':
        this.publishPrivate(ev.order.account, 'order', () => [{ category: 'linear', ...encodeOrder(this.deps.ctx, ev.order.account, ev.order) }]);
        return;
      case 'execution': {
        const e = ev.execution;
        this.publishPrivate(e.account, 'execution', () => [
          { category: 'linear', ...executionToWire(e, this.deps.ctx.exchange.getOrder(e.account, e.symbol, { orderId: e.orderId })) },
        ]);
        return;
      }
      case 'position':
        this.publishPrivate(ev.position.account, 'position', () => [{ category: 'linear', ...positionToWire(ev.position) }]);
        return;
      case 'wallet':
        this.publishPrivate(ev.wallet.account, 'wallet', () => [walletToWire(this.deps.ctx.exchange.wallet(ev.wallet.account))]);
        return;
    }
  }

  // ---- inbound ----------------------------------------------------------------------------------------------------

  private onFrame(s: Session, text: string): void {
    const parsed = parseBoundedJson(text, { maxLength: MAX_WS_REQUEST_CHARS, maxDepth: MAX_JSON_DEPTH });
    if (!parsed.ok) {
      const why = parsed.failure.reason === 'too_large' ? `request too large (over ${MAX_WS_REQUEST_CHARS} characters)` : parsed.failure.reason === 'too_deep' ? `request nested deeper than ${MAX_JSON_DEPTH} levels` : 'request not json';
      this.send(s, { success: false, ret_msg: `error:${why}`, conn_id: s.connId, req_id: '', op: '' });
      return;
    }
    const decoded = decodeParams(WsRequest, parsed.value);
    if (Either.isLeft(decoded)) {
      this.send(s, { success: false, ret_msg: `error:${decoded.left}`, conn_id: s.connId, req_id: '', op: '' });
      return;
    }
    const { op, args = [], req_id } = decoded.right;
    const reqId = req_id === undefined ? undefined : String(req_id);
    switch (op) {
      case 'ping':
        if (this.deps.rng().chance(this.deps.faults().pongDropRate)) {
          this.deps.counters.pongsDropped += 1;
          return;
        }
        if (s.kind === 'public') this.send(s, { success: true, ret_msg: 'pong', conn_id: s.connId, req_id: reqId ?? '', op: 'ping' });
        else this.send(s, { req_id: reqId ?? '', op: 'pong', args: [String(this.deps.ctx.serverTime())], conn_id: s.connId });
        return;
      case 'auth':
        this.auth(s, args, reqId);
        return;
      case 'subscribe':
      case 'unsubscribe':
        this.subscribe(s, op, args, reqId);
        return;
      default:
        this.send(s, { success: false, ret_msg: `error:unknown op ${JSON.stringify(op)}`, conn_id: s.connId, req_id: reqId ?? '', op });
    }
  }

  private auth(s: Session, args: ReadonlyArray<unknown>, reqId: string | undefined): void {
    const reply = (success: boolean, msg: string) => this.send(s, { success, ret_msg: msg, op: 'auth', conn_id: s.connId, ...(reqId === undefined ? {} : { req_id: reqId }) });
    if (s.kind !== 'private') return reply(false, 'error:auth is only available on the private stream');
    const [apiKey, expires, signature] = args;
    const expiresText = typeof expires === 'number' && Number.isInteger(expires) ? String(expires) : typeof expires === 'string' && /^\d+$/.test(expires) ? expires : undefined;
    if (typeof apiKey !== 'string' || expiresText === undefined || typeof signature !== 'string') return reply(false, 'Params Error: args must be [apiKey, expires, signature]');
    const key = this.deps.lookupKey(apiKey);
    if (key === undefined) return reply(false, 'Invalid apikey');
    if (Number(expiresText) <= this.deps.ctx.serverTime()) return reply(false, 'Params Error: expires is in the past');
    if (!verifyHmacHex(key.secret, wsAuthStringToSign(expiresText), signature)) return reply(false, 'Invalid sign');
    s.account = key.account;
    reply(true, '');
  }

  private subscribe(s: Session, op: 'subscribe' | 'unsubscribe', args: ReadonlyArray<unknown>, reqId: string | undefined): void {
    const reply = (success: boolean, msg: string) => this.send(s, { success, ret_msg: msg, conn_id: s.connId, req_id: reqId ?? '', op });
    if (s.kind === 'private' && s.account === undefined) return reply(false, 'Request not authorized');
    const bad: string[] = [];
    const added: string[] = [];
    for (const arg of args) {
      const topic = typeof arg === 'string' ? arg : '';
      if (!this.validTopic(s.kind, topic)) {
        bad.push(typeof arg === 'string' ? arg : JSON.stringify(arg));
        continue;
      }
      if (op === 'unsubscribe') {
        s.topics.delete(topic);
        this.discardHeld(s, topic);
        continue;
      }
      if (s.topics.has(topic)) {
        bad.push(`${topic} (already subscribed)`);
        continue;
      }
      s.topics.add(topic);
      added.push(topic);
    }
    if (args.length === 0) bad.push('(no topics)');
    reply(bad.length === 0, bad.length === 0 ? '' : `error:handler not found,topic:${bad.join(',')}`);
    // Snapshots follow the subscribe answer, as on Bybit.
    for (const topic of added) this.sendInitial(s, topic);
  }

  private validTopic(kind: 'public' | 'private', topic: string): boolean {
    if (kind === 'private') return PRIVATE_TOPICS.has(topic);
    const known = (symbol: string | undefined) => symbol !== undefined && this.deps.ctx.exchange.instruments.some((i) => i.symbol === symbol);
    const parts = topic.split('.');
    switch (parts[0]) {
      case 'orderbook':
        return parts.length === 3 && BOOK_DEPTHS.has(parts[1] ?? '') && known(parts[2]);
      case 'kline':
        return parts.length === 3 && KLINE_INTERVALS.has(parts[1] ?? '') && known(parts[2]);
      case 'publicTrade':
      case 'tickers':
        return parts.length === 2 && known(parts[1]);
      default:
        return false;
    }
  }

  private sendInitial(s: Session, topic: string): void {
    const parts = topic.split('.');
    if (parts[0] === 'orderbook') {
      const depth = Number(parts[1]);
      const symbol = parts[2] ?? '';
      const book = this.deps.ctx.exchange.book(symbol, depth);
      this.views.set(`${symbol}|${depth}`, { bids: toMap(book.bids), asks: toMap(book.asks) });
      const frame = { topic, type: 'snapshot', ts: book.ts, data: { s: symbol, b: levelsToWire(book.bids), a: levelsToWire(book.asks), u: book.updateId, seq: book.seq }, cts: book.ts };
      this.sendText(s, JSON.stringify(frame));
    } else if (parts[0] === 'tickers') {
      const t = this.deps.ctx.exchange.ticker(parts[1] ?? '');
      this.sendText(s, JSON.stringify({ topic, type: 'snapshot', data: tickerToWire(t), cs: t.ts, ts: t.ts }));
    }
  }

  // ---- outbound ---------------------------------------------------------------------------------------------------

  private publishBook(ev: Extract<SimEvent, { type: 'book' }>): void {
    // The depths someone subscribed for this symbol: a lookup per valid depth, not a scan of every topic of every
    // session (a stream of 1,000 symbols holds 4,000 topics, and every book change would have walked them all).
    const depths = new Set<number>();
    for (const d of BOOK_DEPTHS) {
      const topic = `orderbook.${d}.${ev.symbol}`;
      for (const s of this.sessions) {
        if (!s.topics.has(topic)) continue;
        depths.add(Number(d));
        break;
      }
    }
    for (const depth of depths) {
      const topic = `orderbook.${depth}.${ev.symbol}`;
      const key = `${ev.symbol}|${depth}`;
      const book = this.deps.ctx.exchange.book(ev.symbol, depth);
      const after: BookView = { bids: toMap(book.bids), asks: toMap(book.asks) };
      const before = this.views.get(key);
      this.views.set(key, after);
      if (ev.kind === 'snapshot' || before === undefined) {
        const frame = JSON.stringify({ topic, type: 'snapshot', ts: ev.ts, data: { s: ev.symbol, b: levelsToWire(book.bids), a: levelsToWire(book.asks), u: ev.updateId, seq: ev.seq }, cts: ev.ts });
        for (const s of this.subscribers(topic)) {
          this.discardHeld(s, topic);
          this.sendText(s, frame);
        }
        continue;
      }
      // Every engine change gets a delta (possibly empty at this depth) so that `u` stays +1 per change per symbol,
      // consistent with the REST orderbook's `u`.
      const data = { s: ev.symbol, b: diffSide(before.bids, after.bids, true), a: diffSide(before.asks, after.asks, false), u: ev.updateId, seq: ev.seq };
      const frame = JSON.stringify({ topic, type: 'delta', ts: ev.ts, data, cts: ev.ts });
      for (const s of this.subscribers(topic)) this.sendDelta(s, topic, frame);
    }
  }

  private sendDelta(s: Session, topic: string, frame: string): void {
    const plan = this.deps.faults();
    const rng = this.deps.rng();
    if (rng.chance(plan.gapRate)) {
      // The change is lost on this connection: its next delta arrives with u advanced by 2.
      this.deps.counters.gapsInjected += 1;
      this.deps.log({ msg: 'fault: orderbook gap', connId: s.connId, topic });
      return;
    }
    const held = s.held.get(topic);
    if (held !== undefined) {
      clearTimeout(held.timer);
      s.held.delete(topic);
      this.sendText(s, frame);
      this.sendText(s, held.frame);
      return;
    }
    if (rng.chance(plan.reorderRate)) {
      this.deps.counters.reordersInjected += 1;
      const timer = setTimeout(() => {
        const h = s.held.get(topic);
        if (h === undefined) return;
        s.held.delete(topic);
        this.sendText(s, h.frame);
      }, REORDER_FLUSH_MS);
      timer.unref();
      s.held.set(topic, { frame, timer });
      return;
    }
    this.sendText(s, frame);
    if (rng.chance(plan.dupRate)) {
      this.deps.counters.dupsInjected += 1;
      this.sendText(s, frame);
    }
  }

  private discardHeld(s: Session, topic: string): void {
    const held = s.held.get(topic);
    if (held === undefined) return;
    clearTimeout(held.timer);
    s.held.delete(topic);
  }

  private publishPublic(topic: string, frame: string): void {
    for (const s of this.subscribers(topic)) this.sendText(s, frame);
  }

  private publishPrivate(account: string, base: 'order' | 'execution' | 'position' | 'wallet', data: () => unknown[]): void {
    let items: unknown[] | undefined;
    for (const s of this.sessions) {
      if (s.kind !== 'private' || s.account !== account) continue;
      for (const topic of [base, `${base}.linear`]) {
        if (!s.topics.has(topic)) continue;
        items ??= data();
        this.sendText(s, JSON.stringify({ id: `${this.nextMsg++}`, topic, creationTime: this.deps.ctx.serverTime(), data: items }));
      }
    }
  }

  private *subscribers(topic: string): Iterable<Session> {
    for (const s of this.sessions) if (s.topics.has(topic)) yield s;
  }

  private send(s: Session, obj: object): void {
    this.sendText(s, JSON.stringify(obj));
  }

  /** Sends one frame through the delay and drop faults. */
  private sendText(s: Session, text: string): void {
    if (s.closed) return;
    const plan = this.deps.faults();
    if (this.deps.rng().chance(plan.wsDropRate)) {
      this.deps.log({ msg: 'fault: ws drop', connId: s.connId });
      this.drop(s);
      return;
    }
    const write = () => {
      if (s.closed) return;
      this.deps.counters.framesSent += 1;
      s.socket.send(text);
    };
    if (plan.delayMs <= 0) {
      write();
      return;
    }
    const timer = setTimeout(() => {
      s.timers.delete(timer);
      write();
    }, plan.delayMs);
    s.timers.add(timer);
  }

  private drop(s: Session, count = true): void {
    if (count) this.deps.counters.wsDrops += 1;
    this.forget(s);
    s.socket.terminate();
  }

  private forget(s: Session): void {
    s.closed = true;
    for (const t of s.timers) clearTimeout(t);
    s.timers.clear();
    for (const h of s.held.values()) clearTimeout(h.timer);
    s.held.clear();
    this.sessions.delete(s);
  }
}
