/**
 * The WS hot path (issue 17 item 4, X-RT-10): the hand-written checks of ws/fastPublic.ts agree with the
 * effect/Schema wire schemas (the specification) on generated valid book, trade and ticker frames and on the same
 * frames with constraints broken, and `decodePublicFrame` returns exactly the frame the schemas alone give
 * (`decodePublicFrameWithSchemas`): the same events, the same `invalid` message, the same `too_deep`. Committed
 * seeds.
 */
import { Either, type Schema } from 'effect';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../../src/domain/money.ts';
import { jsonDepth } from '../../../src/kernel/boundedJson.ts';
import { LocalOrderBook } from '../../../src/market/OrderBook.ts';
import { DEFERRED_DEPTH_MAX_LENGTH, decodeWire, wireDecoder } from '../../../src/venues/bybit/decoding.ts';
import { BybitHttpOrderbook, PLAUSIBLE_MAX_MS, PLAUSIBLE_MIN_MS } from '../../../src/venues/bybit/http/messages.ts';
import { WireBookLevel } from '../../../src/venues/bybit/parse.ts';
import { decodePublicFrame, decodePublicFrameWithSchemas } from '../../../src/venues/bybit/ws/BybitWsStream.ts';
import { checkOrderbookMessage, checkTickerMessage, checkTradeMessage, type FastVerdict } from '../../../src/venues/bybit/ws/fastPublic.ts';
import { BybitWsOrderbookMessage, BybitWsTickerMessage, BybitWsTradeMessage } from '../../../src/venues/bybit/ws/messages.ts';
import type { BookEvent, MarketEvent, StreamFrame } from '../../../src/venues/streams.ts';
import { fixture } from './recorder.ts';

// ---- helpers -------------------------------------------------------------------------------------------------

/** A frame with every Decimal as its string and every level as `{price, size}` read through the level. */
const plain = (v: unknown): unknown => {
  if (v instanceof Decimal) return `decimal:${v.toString()}`;
  if (v instanceof WireBookLevel) return { price: plain(v.price), size: plain(v.size) };
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

type Json = Record<string, unknown>;
type Path = ReadonlyArray<string | number>;

const allPaths = (value: unknown, path: Path = [], out: Path[] = []): Path[] => {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...path, i], out));
  else if (typeof value === 'object' && value !== null) for (const k of Object.keys(value)) allPaths((value as Json)[k], [...path, k], out);
  return out;
};

const get = (value: unknown, path: Path): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);

/** One change to a frame: replace a value, delete a key or an array element, or wrap a value in an array or object. */
interface Edit {
  readonly pick: number;
  readonly how: 'replace' | 'delete' | 'wrap_array' | 'wrap_object';
  readonly value: unknown;
}

/** Applies the edit in place (the value is a JSON.parse copy) and returns the value (a new one when the root changes). */
const applyEdit = (root: unknown, e: Edit): unknown => {
  const paths = allPaths(root);
  const path = paths[e.pick % paths.length] ?? [];
  const old = get(root, path);
  const next = e.how === 'replace' ? e.value : e.how === 'wrap_array' ? [old] : e.how === 'wrap_object' ? { v: old } : undefined;
  if (path.length === 0) return e.how === 'delete' ? null : next;
  const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (e.how !== 'delete') parent[key] = next;
  else if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return root;
};

// ---- arbitraries: valid frames -------------------------------------------------------------------------------

const digits = (max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[0-9]{1,${max}}$`));
/** `^\d+(\.\d+)?$`, leading and trailing zeros included ("007.50"). */
const unsignedDecimal = fc.tuple(digits(9), fc.option(digits(9), { nil: undefined })).map(([i, f]) => (f === undefined ? i : `${i}.${f}`));
const positiveDecimal = unsignedDecimal.filter((s) => /[1-9]/.test(s));
const size = fc.oneof({ weight: 4, arbitrary: unsignedDecimal }, { weight: 1, arbitrary: fc.constantFrom('0', '0.000') });
const timestamp = fc.oneof(fc.integer({ min: PLAUSIBLE_MIN_MS, max: PLAUSIBLE_MAX_MS }), fc.constantFrom(PLAUSIBLE_MIN_MS, PLAUSIBLE_MAX_MS, 1672304484978));
const updateId = fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, 1, Number.MAX_SAFE_INTEGER));
const symbol = fc.oneof(fc.constantFrom('BTCUSDT', 'ETHUSDT'), fc.string({ maxLength: 12 }));

/** Nested arrays 25–45 deep: around the 32-level cap once inside a frame. */
const deepValue = fc.integer({ min: 25, max: 45 }).map((n) => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`) as unknown);

/** Keys no schema names, holding primitives, nested JSON or (rarely) nesting near the depth cap: the schemas ignore them. */
const extras = fc.dictionary(
  fc.constantFrom('x', 'L', 'extra', 'tickDirection', 'RPI', '__proto__'),
  fc.oneof(
    { weight: 12, arbitrary: fc.oneof(fc.string({ maxLength: 8 }), fc.double(), fc.boolean(), fc.constant(null)) },
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: deepValue },
  ),
  { maxKeys: 3 },
);

const withExtras = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<Json> =>
  fc.tuple(arb, extras, fc.boolean()).map(([r, x, first]) => (first ? { ...x, ...r } : { ...r, ...x }));

const level = fc.tuple(positiveDecimal, size);
// One side in six is long (170–250 levels, past DEFERRED_DEPTH_MAX_LENGTH): its frame takes the bounded parse.
const levels = fc.oneof({ weight: 5, arbitrary: fc.array(level, { maxLength: 6 }) }, { weight: 1, arbitrary: fc.array(level, { minLength: 170, maxLength: 250 }) });

const orderbookFrame = withExtras(
  fc.record(
    {
      topic: fc.constantFrom('orderbook.50.BTCUSDT', 'orderbook.1.ETHUSDT', 'orderbook.500.XRPUSDT'),
      type: fc.constantFrom('snapshot', 'delta'),
      ts: timestamp,
      data: withExtras(fc.record({ s: symbol, b: levels, a: levels, u: updateId, seq: updateId }, { requiredKeys: ['s', 'b', 'a', 'u'] })),
      cts: timestamp,
    },
    { requiredKeys: ['topic', 'type', 'ts', 'data'] },
  ),
);

const tradeItem = withExtras(
  fc.record(
    { T: timestamp, s: symbol, S: fc.constantFrom('Buy', 'Sell'), v: positiveDecimal, p: positiveDecimal, i: fc.string({ maxLength: 36 }), BT: fc.boolean() },
    { requiredKeys: ['T', 's', 'S', 'v', 'p', 'i'] },
  ),
);

const tradeFrame = withExtras(
  fc.record({ topic: fc.constantFrom('publicTrade.BTCUSDT', 'publicTrade.ETHUSDT'), type: fc.string({ maxLength: 10 }), ts: timestamp, data: fc.array(tradeItem, { maxLength: 5 }) }),
);

/** `""` and zero mean "not set" on a ticker; anything else is a decimal ≥ 0. */
const tickerValue = fc.oneof({ weight: 4, arbitrary: unsignedDecimal }, { weight: 1, arbitrary: fc.constantFrom('', '0', '0.00') });

const tickerFrame = withExtras(
  fc.record(
    {
      topic: fc.constantFrom('tickers.BTCUSDT', 'tickers.ETHUSDT'),
      type: fc.constantFrom('snapshot', 'delta'),
      ts: timestamp,
      cs: updateId,
      data: withExtras(
        fc.record(
          {
            symbol,
            lastPrice: tickerValue,
            markPrice: tickerValue,
            indexPrice: tickerValue,
            bid1Price: tickerValue,
            bid1Size: tickerValue,
            ask1Price: tickerValue,
            ask1Size: tickerValue,
          },
          { requiredKeys: ['symbol'] },
        ),
      ),
    },
    { requiredKeys: ['topic', 'type', 'ts', 'data'] },
  ),
);

// ---- arbitraries: broken constraints -------------------------------------------------------------------------

/** Values that break a constraint wherever they land: wrong types, zero and negative numbers, bad decimals, odd ids and times, wrong shapes. */
const BAD_VALUES: ReadonlyArray<unknown> = [
  null, true, false, 0, 1, -1, 1.5, -0.5, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, 4_200_000_000_000, PLAUSIBLE_MIN_MS - 1, PLAUSIBLE_MAX_MS + 1,
  1.5e12 + 0.5, '1700000000000', '', 'x', '0', '0.00', '-1', '-0.5', '1e5', '01.', '.5', '5.', '+1', ' 1', '1 ', '1,5', '0x1A', '١٢', 'NaN', 'Infinity',
  'snapshot', 'delta', 'Buy', 'sell', [], {}, ['1', '1'], ['1'], ['1', '1', '1'], [['1', '1']], { s: 'BTCUSDT' },
];

const editArb: fc.Arbitrary<Edit> = fc.record({
  pick: fc.noBias(fc.nat()),
  how: fc.constantFrom('replace', 'replace', 'replace', 'delete', 'wrap_array', 'wrap_object'),
  value: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...BAD_VALUES) }, { weight: 1, arbitrary: unsignedDecimal }, { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }) }),
});

/** A case: a valid frame, 0–2 edits (none in one case of four), and in one case of twenty a text cut short. */
const caseArb = (frame: fc.Arbitrary<Json>) =>
  fc.record({
    frame,
    edits: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(editArb, { minLength: 1, maxLength: 2 }) }),
    cut: fc.oneof({ weight: 19, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }),
  });

interface Tally {
  valid: number;
  nested: number;
  invalid: number;
  long: number;
  tooDeep: number;
}

/**
 * The property of one message kind: the check's verdict is the schema's, a `valid` value nests at most 4 levels
 * (so skipping the depth scan is safe), and the decoder's frame equals the schemas-only frame.
 */
const agreeWithSchema = <A, I>(check: (v: unknown) => FastVerdict, schema: Schema.Schema<A, I>, tally: Tally) =>
  ({ frame, edits, cut }: { frame: Json; edits: ReadonlyArray<Edit>; cut: number | undefined }): void => {
    const value = edits.reduce<unknown>(applyEdit, JSON.parse(JSON.stringify(frame)));
    const raw = JSON.stringify(value) ?? 'null';
    const seen: unknown = JSON.parse(raw);
    const verdict = check(seen);
    expect(verdict !== 'invalid').toBe(Either.isRight(wireDecoder(schema)(seen)));
    if (verdict === 'valid') expect(jsonDepth(raw)).toBeLessThanOrEqual(4);
    tally[verdict === 'valid_nested' ? 'nested' : verdict] += 1;
    if (raw.length > DEFERRED_DEPTH_MAX_LENGTH) tally.long += 1;
    const text = cut === undefined ? raw : raw.slice(0, Math.floor(raw.length * cut));
    const decoded = decodePublicFrame(text);
    if (decoded.kind === 'invalid' && decoded.message.includes('too_deep')) tally.tooDeep += 1;
    expect(plain(decoded)).toEqual(plain(decodePublicFrameWithSchemas(text)));
  };

const newTally = (): Tally => ({ valid: 0, nested: 0, invalid: 0, long: 0, tooDeep: 0 });

describe('WS hot-path checks equal the wire schemas (fast-check, committed seeds)', () => {
  it('issue 17 X-RT-10 book messages: 3,000 generated frames, valid and with constraints broken, get the schema verdict and the schemas-only frame', () => {
    const tally = newTally();
    fc.assert(fc.property(caseArb(orderbookFrame), agreeWithSchema(checkOrderbookMessage, BybitWsOrderbookMessage, tally)), { seed: 20261701, numRuns: 3_000 });
    expect(tally.valid).toBeGreaterThan(500);
    expect(tally.nested).toBeGreaterThan(50);
    expect(tally.invalid).toBeGreaterThan(1_000);
    expect(tally.long).toBeGreaterThan(100);
    expect(tally.tooDeep).toBeGreaterThan(20);
  });

  it('issue 17 X-RT-10 trade messages: 3,000 generated frames get the schema verdict and the schemas-only frame', () => {
    const tally = newTally();
    fc.assert(fc.property(caseArb(tradeFrame), agreeWithSchema(checkTradeMessage, BybitWsTradeMessage, tally)), { seed: 20261702, numRuns: 3_000 });
    expect(tally.valid).toBeGreaterThan(300);
    expect(tally.nested).toBeGreaterThan(50);
    expect(tally.invalid).toBeGreaterThan(1_000);
    expect(tally.tooDeep).toBeGreaterThan(20);
  });

  it('issue 17 X-RT-10 ticker messages: 3,000 generated frames get the schema verdict and the schemas-only frame', () => {
    const tally = newTally();
    fc.assert(fc.property(caseArb(tickerFrame), agreeWithSchema(checkTickerMessage, BybitWsTickerMessage, tally)), { seed: 20261703, numRuns: 3_000 });
    expect(tally.valid).toBeGreaterThan(500);
    expect(tally.nested).toBeGreaterThan(50);
    expect(tally.invalid).toBeGreaterThan(800);
    expect(tally.tooDeep).toBeGreaterThan(20);
  });

  it('issue 17 X-RT-10 arbitrary JSON under book, trade and ticker topics: the decoder gives the schemas-only frame', () => {
    const input = fc.tuple(fc.constantFrom('orderbook.50.BTCUSDT', 'publicTrade.BTCUSDT', 'tickers.BTCUSDT'), fc.jsonValue({ maxDepth: 5 }), fc.jsonValue({ maxDepth: 3 }));
    fc.assert(
      fc.property(input, ([topic, data, ts]) => {
        for (const text of [JSON.stringify({ topic, type: 'delta', ts, data }), JSON.stringify({ topic, data }), JSON.stringify({ op: 'pong', topic, data })]) {
          expect(plain(decodePublicFrame(text))).toEqual(plain(decodePublicFrameWithSchemas(text)));
        }
      }),
      { seed: 20261704, numRuns: 1_000 },
    );
  });
});

// ---- explicit examples: each constraint broken ---------------------------------------------------------------

const fixtureWith = (name: string, edit: (frame: Json) => void): Json => {
  const frame = JSON.parse(fixture(name)) as Json;
  edit(frame);
  return frame;
};
const bookData = (f: Json): Json => f['data'] as Json;
const firstItem = (f: Json): Json => (f['data'] as Json[])[0]!;

/** Expects the check to refuse the frame, the schema to refuse it too, and the decoder to give the schema's reason. */
const expectRefused = <A, I>(check: (v: unknown) => FastVerdict, schema: Schema.Schema<A, I>, frame: Json, reason: RegExp): void => {
  expect(check(frame)).toBe('invalid');
  const bySchema = decodeWire(schema, frame);
  expect(Either.isLeft(bySchema)).toBe(true);
  const message = Either.isLeft(bySchema) ? bySchema.left : '';
  expect(message).toMatch(reason);
  expect(decodePublicFrame(JSON.stringify(frame))).toEqual({ kind: 'invalid', message });
};

describe('WS hot-path checks refuse each broken constraint with the schema message (examples)', () => {
  it('issue 17 X-RT-10 book: type, timestamps, ids, prices, sizes, decimal forms, level shapes, missing fields, wrong containers', () => {
    const book = (edit: (f: Json) => void, reason: RegExp): void => expectRefused(checkOrderbookMessage, BybitWsOrderbookMessage, fixtureWith('ws_orderbook.json', edit), reason);
    book((f) => (f['type'] = 'weird'), /^type: /);
    book((f) => (f['ts'] = 1), /ts: must be a timestamp/);
    book((f) => (f['ts'] = 1672304484978.5), /ts: must be a timestamp/);
    book((f) => (f['ts'] = '1672304484978'), /ts: Expected number/);
    book((f) => (f['cts'] = null), /cts: /);
    book((f) => (bookData(f)['u'] = 1.5), /data\.u: /);
    book((f) => (bookData(f)['u'] = -1), /data\.u: /);
    book((f) => (bookData(f)['seq'] = 2 ** 53), /data\.seq: /);
    book((f) => ((bookData(f)['a'] as string[][])[0]![0] = '0'), /data\.a\.0\.0: must be > 0/);
    book((f) => ((bookData(f)['a'] as string[][])[0]![0] = '0.000'), /data\.a\.0\.0: must be > 0/);
    book((f) => ((bookData(f)['b'] as string[][])[0]![0] = '-16493.50'), /data\.b\.0\.0: /);
    book((f) => ((bookData(f)['b'] as string[][])[0]![1] = '-0.006'), /data\.b\.0\.1: must be a decimal ≥ 0/);
    book((f) => ((bookData(f)['b'] as string[][])[0]![0] = '1e5'), /data\.b\.0\.0: /);
    book((f) => ((bookData(f)['b'] as string[][])[0]![0] = '01.'), /data\.b\.0\.0: /);
    book((f) => ((bookData(f)['b'] as unknown[][])[0]![1] = 0.006), /data\.b\.0\.1: Expected string/);
    book((f) => ((bookData(f)['b'] as unknown[])[0] = ['16493.50']), /data\.b\.0\.1: is missing/);
    book((f) => ((bookData(f)['b'] as unknown[])[0] = ['16493.50', '1', '1']), /data\.b\.0\.2: is unexpected/);
    book((f) => delete bookData(f)['u'], /data\.u: is missing/);
    book((f) => (bookData(f)['b'] = {}), /data\.b: /);
    book((f) => (f['data'] = [bookData(f)]), /^data: /);
    book((f) => (bookData(f)['s'] = 5), /data\.s: Expected string/);
  });

  it('issue 17 X-RT-10 trade: side, zero and negative sizes and prices, timestamps, id and flag types, containers', () => {
    const trade = (edit: (f: Json) => void, reason: RegExp): void => expectRefused(checkTradeMessage, BybitWsTradeMessage, fixtureWith('ws_publicTrade.json', edit), reason);
    trade((f) => (firstItem(f)['S'] = 'Up'), /data\.0\.S: /);
    trade((f) => (firstItem(f)['v'] = '0'), /data\.0\.v: must be > 0/);
    trade((f) => (firstItem(f)['p'] = '-16578.50'), /data\.0\.p: /);
    trade((f) => (firstItem(f)['T'] = 1.5e12 + 0.5), /data\.0\.T: must be a timestamp/);
    trade((f) => (firstItem(f)['i'] = 5), /data\.0\.i: Expected string/);
    trade((f) => (firstItem(f)['BT'] = 'no'), /data\.0\.BT: /);
    trade((f) => (f['data'] = firstItem(f)), /^data: /);
    trade((f) => (f['type'] = 1), /^type: Expected string/);
  });

  it('issue 17 X-RT-10 ticker: negative and malformed values, update id, missing symbol, null fields', () => {
    const ticker = (edit: (f: Json) => void, reason: RegExp): void => expectRefused(checkTickerMessage, BybitWsTickerMessage, fixtureWith('ws_tickers.json', edit), reason);
    ticker((f) => (bookData(f)['bid1Size'] = '-84.489'), /data\.bid1Size: must be empty or a decimal ≥ 0/);
    ticker((f) => (bookData(f)['markPrice'] = '1e5'), /data\.markPrice: /);
    ticker((f) => (bookData(f)['lastPrice'] = null), /data\.lastPrice: /);
    ticker((f) => delete bookData(f)['symbol'], /data\.symbol: is missing/);
    ticker((f) => (f['cs'] = -1), /^cs: /);
    ticker((f) => (f['type'] = 'update'), /^type: /);
  });
});

describe('WS hot path: depth scan, levels, compiled decoders', () => {
  const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  const bookText = (extra: string): string => fixture('ws_orderbook.json').replace('"topic"', `"x":${extra},"topic"`);

  it('issue 17 X-RT-10 a short valid frame whose ignored key nests past the cap is still too_deep; a shallow one decodes', () => {
    const tooDeep = bookText(deep(40));
    expect(tooDeep.length).toBeLessThanOrEqual(DEFERRED_DEPTH_MAX_LENGTH);
    expect(decodePublicFrame(tooDeep)).toMatchObject({ kind: 'invalid', message: expect.stringMatching(/too_deep/) as unknown });
    expect(decodePublicFrame(tooDeep)).toEqual(decodePublicFrameWithSchemas(tooDeep));
    expect(decodePublicFrame(bookText(deep(20))).kind).toBe('events');
    // Malformed and deep: too_deep first, as for every text.
    expect(decodePublicFrame(`{"topic":"orderbook.50.BTCUSDT","data":${'['.repeat(100)}`)).toEqual(decodePublicFrameWithSchemas(`{"topic":"orderbook.50.BTCUSDT","data":${'['.repeat(100)}`));
    expect(decodePublicFrame(`{"topic":"orderbook.50.BTCUSDT","data":${'['.repeat(100)}`)).toMatchObject({ message: expect.stringMatching(/too_deep/) as unknown });
  });

  it('issue 17 book levels read as the Decimals of their wire strings, once, and print as such', () => {
    const frame = decodePublicFrame(fixture('ws_orderbook.json'));
    const book = (frame.kind === 'events' ? frame.events[0] : undefined) as BookEvent;
    const [first] = book.bids;
    expect(first).toBeInstanceOf(WireBookLevel);
    expect(first?.price.eq(new Decimal('16493.50'))).toBe(true);
    expect(first?.size.eq(new Decimal('0.006'))).toBe(true);
    expect(first?.price).toBe(first?.price);
    expect(JSON.parse(JSON.stringify(book.bids))).toEqual([
      { price: '16493.5', size: '0.006' },
      { price: '16493', size: '0.1' },
    ]);
  });

  it('issue 17 a local book fed decoded frames holds the levels a book fed the same levels as Decimals holds', () => {
    const frames = [
      fixture('ws_orderbook.json'),
      '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1672304484979,"data":{"s":"BTCUSDT","b":[["16493.50","0"],["16492.00","1.500"]],"a":[["16611.0","0.5"]],"u":18521289,"seq":7961638725}}',
      '{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1672304484980,"data":{"s":"BTCUSDT","b":[],"a":[["16612.00","0"],["16610.5","2"]],"u":18521290,"seq":7961638726}}',
    ];
    const decoded = new LocalOrderBook('BTCUSDT');
    const eager = new LocalOrderBook('BTCUSDT');
    for (const raw of frames) {
      const f: StreamFrame<MarketEvent> = decodePublicFrame(raw);
      const e = (f.kind === 'events' ? f.events[0] : undefined) as BookEvent;
      const toDecimals = (ls: BookEvent['bids']) => ls.map((l) => ({ price: new Decimal((l as WireBookLevel).wirePrice), size: new Decimal((l as WireBookLevel).wireSize) }));
      expect(decoded.apply(e)).toEqual({ ok: true });
      expect(eager.apply({ ...e, bids: toDecimals(e.bids), asks: toDecimals(e.asks) })).toEqual({ ok: true });
    }
    const dump = (b: LocalOrderBook) => {
      const { bids, asks } = b.levels();
      return { bids: bids.map((l) => [l.price.toString(), l.size.toString()]), asks: asks.map((l) => [l.price.toString(), l.size.toString()]) };
    };
    expect(dump(decoded)).toEqual(dump(eager));
    expect(dump(decoded)).toEqual({ bids: [['16493', '0.1'], ['16492', '1.5']], asks: [['16610.5', '2'], ['16611', '0.5']] });
  });

  it('issue 17 each schema is compiled once: the same decoder for every frame and body', () => {
    expect(wireDecoder(BybitWsOrderbookMessage)).toBe(wireDecoder(BybitWsOrderbookMessage));
    expect(wireDecoder(BybitHttpOrderbook)).toBe(wireDecoder(BybitHttpOrderbook));
    expect(wireDecoder(BybitHttpOrderbook)).not.toBe(wireDecoder(BybitWsOrderbookMessage));
  });
});
