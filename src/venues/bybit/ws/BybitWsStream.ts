/**
 * Stream descriptions of Bybit v5's public (linear) and private WebSockets for the connection actor: `open(now)`
 * gives the URL, the auth frame and the subscribe frames; the heartbeat is an app ping every 20 s (as Bybit
 * recommends); books are sequenced per book by `u` (strict); and a decoder turns every inbound frame into a
 * `StreamFrame` — malformed, oversized, too deeply nested or semantically invalid frames (a negative size, a fill of
 * zero, a bar whose high is below its low) become `{kind:'invalid'}` and are never thrown (X-RT-10, issue 10). Book,
 * trade and ticker frames take a hot path (issue 17: fastPublic.ts checks, the schemas name the reason of a refusal);
 * every other public frame and every private frame is decoded by the schemas alone, each compiled once. It owns no
 * socket and no timer: reconnects and heartbeats belong to the connection actor.
 */
import { Either, Redacted, type Schema } from 'effect';
import { nextIdRule } from '../../../market/OrderBook.ts';
import type { AccountEvent, MarketEvent, StreamDescription, StreamFrame, StreamHeartbeat } from '../../streams.ts';
import { boundedMessage, checkBybitDepth, convertWire, decodeWire, parseBybitFrame, parseBybitJson } from '../decoding.ts';
import {
  parseWsExecutions,
  parseWsKline,
  parseWsOrderbook,
  parseWsOrders,
  parseWsPositions,
  parseWsTicker,
  parseWsTrades,
  parseWsWallet,
} from '../parse.ts';
import { signWsAuth } from '../signing.ts';
import {
  BybitWsExecutionMessage,
  BybitWsKlineMessage,
  BybitWsOpReply,
  BybitWsOrderbookMessage,
  BybitWsOrderMessage,
  BybitWsPositionMessage,
  BybitWsTickerMessage,
  BybitWsTradeMessage,
  BybitWsWalletMessage,
} from './messages.ts';
import { checkOrderbookMessage, checkTickerMessage, checkTradeMessage, type FastVerdict } from './fastPublic.ts';
import { PRIVATE_TOPICS, parseTopic, publicTopicsFor, type BybitPublicChannel, type BybitTopic } from './topics.ts';

/** Bybit's recommended heartbeat interval. */
export const BYBIT_PING_INTERVAL_MS = 20_000;
/** How far in the future the private auth frame's `expires` lies (ccxt uses the same 10 s). */
export const BYBIT_AUTH_EXPIRES_MS = 10_000;

/** Returns the events of a checked wire message, or the reason its conversion threw. */
const convertFrame = <A, E>(wire: A, then: (a: A) => ReadonlyArray<E>): StreamFrame<E> => {
  const events = convertWire('frame', () => then(wire));
  return Either.isRight(events) ? { kind: 'events', events: events.right } : { kind: 'invalid', message: events.left };
};

const decodeWith = <A, I, E>(schema: Schema.Schema<A, I>, json: unknown, then: (a: A) => ReadonlyArray<E>): StreamFrame<E> => {
  const wire = decodeWire(schema, json);
  return Either.isLeft(wire) ? { kind: 'invalid', message: wire.left } : convertFrame(wire.right, then);
};

/** Runs a frame decoder with a last-resort guard: whatever happens inside, the caller gets a frame, not a throw. */
const guarded = <E>(decode: () => StreamFrame<E>): StreamFrame<E> => {
  try {
    return decode();
  } catch (e) {
    return { kind: 'invalid', message: boundedMessage(`decoder threw ${e instanceof Error ? e.message : 'a non-error'}`) };
  }
};

/** Returns the op-reply frame for `{op: …}` messages, or undefined when the message is not one. */
const decodeOpReply = <E>(json: unknown): StreamFrame<E> | undefined => {
  if (typeof json !== 'object' || json === null || !('op' in json)) return undefined;
  const r = decodeWire(BybitWsOpReply, json);
  if (Either.isLeft(r)) return { kind: 'invalid', message: r.left };
  const reply = r.right;
  // Public pong: {"success":true,"ret_msg":"pong","op":"ping"}; private pong: {"op":"pong","args":[…]}.
  if (reply.op === 'pong' || (reply.op === 'ping' && reply.ret_msg === 'pong')) return { kind: 'pong' };
  if (reply.op === 'auth') return { kind: 'auth', ok: reply.success === true, message: reply.ret_msg ?? '' };
  if (reply.op === 'subscribe') return { kind: 'subscribed', ok: reply.success === true, message: reply.ret_msg ?? '' };
  return { kind: 'ignored' };
};

const topicOf = (json: unknown): string | undefined =>
  typeof json === 'object' && json !== null && 'topic' in json && typeof (json).topic === 'string' ? (json as { topic: string }).topic : undefined;

/** Topic families already parsed: a stream carries a few topics; a venue sending thousands only refills the cache. */
const topicCache = new Map<string, BybitTopic>();
const TOPIC_CACHE_LIMIT = 1024;

const cachedTopic = (topic: string): BybitTopic => {
  let t = topicCache.get(topic);
  if (t === undefined) {
    t = parseTopic(topic);
    if (topicCache.size >= TOPIC_CACHE_LIMIT) topicCache.clear();
    topicCache.set(topic, t);
  }
  return t;
};

/** A topic message (not an op reply) of a family with a hot-path check, as `decodePublicValue` would dispatch it. */
const hotTopicOf = (value: unknown): BybitTopic | undefined => {
  if (typeof value !== 'object' || value === null || 'op' in value) return undefined;
  const topic = topicOf(value);
  if (topic === undefined) return undefined;
  const t = cachedTopic(topic);
  return t.kind === 'orderbook' || t.kind === 'publicTrade' || t.kind === 'tickers' ? t : undefined;
};

const hotVerdict = (t: BybitTopic, value: unknown): FastVerdict =>
  t.kind === 'orderbook' ? checkOrderbookMessage(value) : t.kind === 'publicTrade' ? checkTradeMessage(value) : checkTickerMessage(value);

/** The events of a message that passed its hot-path check: the same parse.ts conversion as after the schema. */
const hotEvents = (t: BybitTopic, value: unknown): StreamFrame<MarketEvent> =>
  t.kind === 'orderbook'
    ? convertFrame(value as BybitWsOrderbookMessage, (m) => [parseWsOrderbook(m)])
    : t.kind === 'publicTrade'
      ? convertFrame(value as BybitWsTradeMessage, parseWsTrades)
      : convertFrame(value as BybitWsTickerMessage, (m) => [parseWsTicker(m)]);

/** The schema path of a public message (every topic): op replies, then the topic's schema and conversion. */
const decodePublicValue = (value: unknown): StreamFrame<MarketEvent> => {
  const op = decodeOpReply<MarketEvent>(value);
  if (op !== undefined) return op;
  const topic = topicOf(value);
  if (topic === undefined) return { kind: 'invalid', message: 'frame has neither op nor topic' };
  const t = parseTopic(topic);
  switch (t.kind) {
    case 'orderbook':
      return decodeWith(BybitWsOrderbookMessage, value, (m) => [parseWsOrderbook(m)]);
    case 'publicTrade':
      return decodeWith(BybitWsTradeMessage, value, parseWsTrades);
    case 'tickers':
      return decodeWith(BybitWsTickerMessage, value, (m) => [parseWsTicker(m)]);
    case 'kline':
      return decodeWith(BybitWsKlineMessage, value, (m) => parseWsKline(m, t.symbol));
    default:
      return { kind: 'ignored' };
  }
};

/**
 * Book, trade and ticker messages take the hot path (issue 17): a short frame is parsed before its depth is scanned,
 * checked by fastPublic.ts and converted; the scan is skipped when the check proves the value shallow. Anything
 * else — a failed check, another topic, an op reply — is scanned and goes through the schemas, which name the reason;
 * so every frame gets the verdict and the message it would get from the schemas alone.
 */
const decodePublic = (raw: string): StreamFrame<MarketEvent> => {
  const parsed = parseBybitFrame(raw);
  if (Either.isLeft(parsed)) return { kind: 'invalid', message: `not acceptable JSON: ${parsed.left}` };
  const { value, depthChecked } = parsed.right;
  const hot = hotTopicOf(value);
  const verdict = hot === undefined ? 'invalid' : hotVerdict(hot, value);
  if (hot !== undefined && (verdict === 'valid' || (verdict === 'valid_nested' && depthChecked))) return hotEvents(hot, value);
  if (!depthChecked) {
    const deep = checkBybitDepth(raw);
    if (deep !== undefined) return { kind: 'invalid', message: `not acceptable JSON: ${deep}` };
  }
  if (hot !== undefined && verdict === 'valid_nested') return hotEvents(hot, value);
  return decodePublicValue(value);
};

/** Returns the decoded frame of a public linear message. Never throws. */
export const decodePublicFrame = (raw: string): StreamFrame<MarketEvent> => guarded(() => decodePublic(raw));

/**
 * Returns the frame the schemas alone give a public message (bounded parse, then the effect/Schema decoders; no hot
 * path): the reference `decodePublicFrame` is tested and measured against. Streams use `decodePublicFrame`.
 */
export const decodePublicFrameWithSchemas = (raw: string): StreamFrame<MarketEvent> =>
  guarded(() => {
    const parsed = parseBybitJson(raw);
    return Either.isLeft(parsed) ? { kind: 'invalid', message: `not acceptable JSON: ${parsed.left}` } : decodePublicValue(parsed.right);
  });

const decodePrivate = (raw: string, defaultFeeAsset: string): StreamFrame<AccountEvent> => {
  const parsed = parseBybitJson(raw);
  if (Either.isLeft(parsed)) return { kind: 'invalid', message: `not acceptable JSON: ${parsed.left}` };
  const value = parsed.right;
  const op = decodeOpReply<AccountEvent>(value);
  if (op !== undefined) return op;
  const topic = topicOf(value);
  if (topic === undefined) return { kind: 'invalid', message: 'frame has neither op nor topic' };
  switch (parseTopic(topic).kind) {
    case 'order':
      return decodeWith(BybitWsOrderMessage, value, parseWsOrders);
    case 'execution':
      return decodeWith(BybitWsExecutionMessage, value, (m) => parseWsExecutions(m, defaultFeeAsset));
    case 'position':
      return decodeWith(BybitWsPositionMessage, value, parseWsPositions);
    case 'wallet':
      return decodeWith(BybitWsWalletMessage, value, parseWsWallet);
    default:
      return { kind: 'ignored' };
  }
};

/** Returns the decoded frame of a private message. Never throws. */
export const decodePrivateFrame = (raw: string, defaultFeeAsset = 'USDT'): StreamFrame<AccountEvent> =>
  guarded(() => decodePrivate(raw, defaultFeeAsset));

/** Returns the heartbeat: `{"op":"ping","req_id":"ping-<n>"}` every 20 s, `n` counting across the description's sockets. */
const appPing = (): StreamHeartbeat => {
  let n = 0;
  return { mode: 'app_ping', everyMs: BYBIT_PING_INTERVAL_MS, frame: () => JSON.stringify({ op: 'ping', req_id: `ping-${++n}` }) };
};

/**
 * Returns the description of the public linear stream for the symbols: book at `depth`, trades, ticker, 1-min bars
 * (or only the given `channels`).
 */
export const bybitPublicStream = (opts: {
  readonly url: string;
  readonly symbols: ReadonlyArray<string>;
  readonly depth: number;
  readonly channels?: ReadonlyArray<BybitPublicChannel> | undefined;
}): StreamDescription<MarketEvent> => {
  const topics = opts.symbols.flatMap((s) => publicTopicsFor(s, opts.depth, opts.channels));
  // Linear has no per-request arg limit besides 21 000 characters; 10 topics per frame keeps frames small.
  const subscribeFrames: string[] = [];
  for (let i = 0; i < topics.length; i += 10) subscribeFrames.push(JSON.stringify({ req_id: `sub-${i / 10 + 1}`, op: 'subscribe', args: topics.slice(i, i + 10) }));
  return {
    name: `bybit:public:${opts.symbols.join(',')}`,
    open: () => ({ url: opts.url, authFrames: [], subscribeFrames }),
    heartbeat: appPing(),
    // A snapshot (WS or REST, same `u`) then deltas with `u` + 1 each: see the continuity note in market/OrderBook.ts.
    sequence: { scope: 'per_book', rule: nextIdRule('strict') },
    decode: decodePublicFrame,
  };
};

/** Returns the auth frame: `expires` (ms, a JSON number as in Bybit's docs) = now + 10 s, signed "GET/realtime"+expires. */
export const bybitAuthFrame = (apiKey: Redacted.Redacted<string>, apiSecret: Redacted.Redacted<string>, now: number): string => {
  const expires = Math.floor(now) + BYBIT_AUTH_EXPIRES_MS;
  return JSON.stringify({ req_id: 'auth', op: 'auth', args: [Redacted.value(apiKey), expires, signWsAuth(apiSecret, expires)] });
};

/** Returns the description of the private stream: auth, then `order`, `execution`, `position`, `wallet`. */
export const bybitPrivateStream = (opts: {
  readonly url: string;
  readonly apiKey: Redacted.Redacted<string>;
  readonly apiSecret: Redacted.Redacted<string>;
  readonly defaultFeeAsset?: string | undefined;
}): StreamDescription<AccountEvent> => ({
  name: 'bybit:private',
  // `expires` is signed when the socket is requested: now + 10 s covers the connect (a loopback or a nearby venue).
  open: (now) => ({
    url: opts.url,
    authFrames: [bybitAuthFrame(opts.apiKey, opts.apiSecret, now)],
    subscribeFrames: [JSON.stringify({ req_id: 'sub-private', op: 'subscribe', args: [...PRIVATE_TOPICS] })],
  }),
  heartbeat: appPing(),
  // Private topics carry no stream-wide counter (an execution's `seq` is per symbol; reconciliation settles gaps).
  sequence: { scope: 'per_book' },
  decode: (raw) => decodePrivateFrame(raw, opts.defaultFeeAsset ?? 'USDT'),
});
