/**
 * Adversarial decoding (issue 10, X-RT-10): fast-check mutates the REAL Bybit documentation envelopes of
 * `tests/fixtures/bybit/` — random values at random paths (negative, huge, NaN-like, empty, null, wrong types, nesting
 * 1–5,000 deep, giant strings, rescaled numbers, implausible timestamps), duplicated keys and truncated text — and
 * feeds them to every REST and WS decode entry point. Each one must return, without throwing, either a success whose
 * domain values satisfy the semantic invariants below, or a typed failure. Committed seeds; about 11,000 cases.
 */
import { readFileSync } from 'node:fs';
import { Either } from 'effect';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import type { Instrument } from '../../src/domain/Instrument.ts';
import type { Balance, Fill, Position, VenueOrder } from '../../src/domain/orders.ts';
import { decodeBybitResponse, type BybitCallDecoding, type BybitRawResponse } from '../../src/venues/bybit/http/BybitHttpClient.ts';
import {
  BybitHttpCancelAll,
  BybitHttpExecutionList,
  BybitHttpInstrumentsInfo,
  BybitHttpOrderbook,
  BybitHttpOrderId,
  BybitHttpOrderList,
  BybitHttpPositionList,
  BybitHttpServerTime,
  BybitHttpWalletBalance,
  isPlausibleMs,
} from '../../src/venues/bybit/http/messages.ts';
import { parseExecution, parseInstrument, parseOrder, parseOrderbook, parsePosition, parseServerTime, parseWallet } from '../../src/venues/bybit/parse.ts';
import { BybitPaths } from '../../src/venues/bybit/urls.ts';
import { decodePrivateFrame, decodePublicFrame } from '../../src/venues/bybit/ws/BybitWsStream.ts';
import type { AccountEvent, MarketEvent, StreamFrame } from '../../src/venues/streams.ts';
import type { BookSnapshot, VenueFailure } from '../../src/venues/Venue.ts';

const fixtureText = (name: string): string => readFileSync(new URL(`../fixtures/bybit/${name}`, import.meta.url), 'utf8');
const fixtureValue = (name: string): unknown => JSON.parse(fixtureText(name));

// ---- semantic invariants of decoded domain values ------------------------------------------------------------

/** Collects the invariant violations of one decoded value; an empty list means the value is acceptable. */
class Violations {
  readonly found: string[] = [];
  check(ok: boolean, what: string): void {
    if (!ok) this.found.push(what);
  }
  positive(d: Decimal, what: string): void {
    this.check(d.isFinite() && d.gt(0), `${what} must be > 0, got ${d.toString()}`);
  }
  nonNegative(d: Decimal, what: string): void {
    this.check(d.isFinite() && d.gte(0), `${what} must be ≥ 0, got ${d.toString()}`);
  }
  optionalPositive(d: Decimal | undefined, what: string): void {
    if (d !== undefined) this.positive(d, what);
  }
  timestamp(ms: number, what: string): void {
    this.check(isPlausibleMs(ms), `${what} must be a plausible ms timestamp, got ${ms}`);
  }
}

const checkOrder = (v: Violations, o: VenueOrder): void => {
  v.optionalPositive(o.price, 'order price');
  v.nonNegative(o.quantity, 'order quantity');
  v.nonNegative(o.filledQuantity, 'filled quantity');
  v.check(o.filledQuantity.lte(o.quantity), `filled ${o.filledQuantity.toString()} must be ≤ ordered ${o.quantity.toString()}`);
  v.optionalPositive(o.averageFillPrice, 'average fill price');
  v.timestamp(o.createdAt, 'order createdAt');
  v.timestamp(o.updatedAt, 'order updatedAt');
};

const checkFill = (v: Violations, f: Fill): void => {
  v.positive(f.price, 'fill price');
  v.positive(f.quantity, 'fill quantity');
  v.check(f.fee.isFinite(), 'fill fee must be finite');
  v.timestamp(f.ts, 'fill ts');
};

const checkPosition = (v: Violations, p: Position): void => {
  v.nonNegative(p.quantity, 'position quantity');
  v.check(!p.quantity.isZero() || p.side === 'flat', 'a zero position must be flat');
  v.nonNegative(p.entryPrice, 'entry price');
  v.optionalPositive(p.markPrice, 'mark price');
  v.optionalPositive(p.takeProfit, 'take profit');
  v.optionalPositive(p.stopLoss, 'stop loss');
  v.nonNegative(p.leverage, 'leverage');
  v.check(p.unrealizedPnl.isFinite(), 'unrealised PnL must be finite');
  v.check(p.updatedAt === 0 || isPlausibleMs(p.updatedAt), `position updatedAt must be 0 (never) or plausible, got ${p.updatedAt}`);
};

const checkBalance = (v: Violations, b: Balance): void => {
  v.check(b.total.isFinite(), 'balance total must be finite');
  v.nonNegative(b.available, 'available balance');
};

const checkLevels = (v: Violations, levels: BookSnapshot['bids']): void => {
  for (const l of levels) {
    v.positive(l.price, 'level price');
    v.nonNegative(l.size, 'level size');
  }
};

const checkBook = (v: Violations, b: Pick<BookSnapshot, 'bids' | 'asks' | 'updateId' | 'ts'>): void => {
  checkLevels(v, b.bids);
  checkLevels(v, b.asks);
  v.check(Number.isSafeInteger(b.updateId) && b.updateId >= 0, `update id must be a safe integer ≥ 0, got ${b.updateId}`);
  v.timestamp(b.ts, 'book ts');
};

const checkInstrument = (v: Violations, i: Instrument): void => {
  v.positive(i.tickSize, 'tick size');
  v.positive(i.quantityStep, 'quantity step');
  v.nonNegative(i.minQuantity, 'min quantity');
  v.positive(i.maxQuantity, 'max quantity');
  v.check(i.minQuantity.lte(i.maxQuantity), 'min quantity must be ≤ max quantity');
  v.positive(i.maxMarketQuantity, 'max market quantity');
  v.nonNegative(i.minNotional, 'min notional');
  v.nonNegative(i.minPrice, 'min price');
  v.positive(i.maxPrice, 'max price');
  v.check(i.minPrice.lte(i.maxPrice), 'min price must be ≤ max price');
  v.positive(i.maxLeverage, 'max leverage');
};

const checkMarketEvent = (v: Violations, e: MarketEvent): void => {
  switch (e.type) {
    case 'book':
      checkBook(v, e);
      v.check(Number.isSafeInteger(e.seq) && e.seq >= 0, `seq must be a safe integer ≥ 0, got ${e.seq}`);
      return;
    case 'trade':
      v.positive(e.price, 'trade price');
      v.positive(e.size, 'trade size');
      v.timestamp(e.ts, 'trade ts');
      return;
    case 'ticker':
      v.optionalPositive(e.lastPrice, 'last price');
      v.optionalPositive(e.markPrice, 'mark price');
      v.optionalPositive(e.indexPrice, 'index price');
      v.optionalPositive(e.bidPrice, 'bid price');
      v.optionalPositive(e.askPrice, 'ask price');
      if (e.bidSize !== undefined) v.nonNegative(e.bidSize, 'bid size');
      if (e.askSize !== undefined) v.nonNegative(e.askSize, 'ask size');
      v.timestamp(e.ts, 'ticker ts');
      return;
    case 'bar':
      for (const [k, d] of [['open', e.open], ['high', e.high], ['low', e.low], ['close', e.close]] as const) v.positive(d, `bar ${k}`);
      v.check(e.high.gte(e.low), 'bar high must be ≥ low');
      v.check(e.high.gte(e.open) && e.high.gte(e.close), 'bar high must be ≥ open and close');
      v.check(e.low.lte(e.open) && e.low.lte(e.close), 'bar low must be ≤ open and close');
      v.nonNegative(e.volume, 'bar volume');
      v.check(Number.isSafeInteger(e.intervalMinutes) && e.intervalMinutes > 0, 'bar interval must be a positive integer');
      v.timestamp(e.start, 'bar start');
      v.timestamp(e.ts, 'bar ts');
      return;
  }
};

const checkAccountEvent = (v: Violations, e: AccountEvent): void => {
  switch (e.type) {
    case 'order':
      return checkOrder(v, e.order);
    case 'execution':
      return checkFill(v, e.fill);
    case 'position':
      return checkPosition(v, e.position);
    case 'wallet':
      for (const b of e.balances) checkBalance(v, b);
      return;
  }
};

// ---- entry points --------------------------------------------------------------------------------------------

/** A REST decode entry point: the call's result schema plus the `parse.ts` step the adapter applies to it. */
interface RestEntry {
  readonly name: string;
  readonly fixture: string;
  readonly call: BybitCallDecoding<unknown, unknown>;
  /** Converts the decoded result to domain values and checks them; must not throw. */
  readonly check: (result: unknown, v: Violations) => void;
}

const restEntry = <A, I>(name: string, fixture: string, call: BybitCallDecoding<A, I>, check: (result: A, v: Violations) => void): RestEntry => ({
  name,
  fixture,
  call: call as unknown as BybitCallDecoding<unknown, unknown>,
  check: check as (result: unknown, v: Violations) => void,
});

const instrumentsCheck = (r: typeof BybitHttpInstrumentsInfo.Type, v: Violations): void => {
  for (const i of r.list.map(parseInstrument)) if (i !== undefined) checkInstrument(v, i);
};

const REST_ENTRIES: ReadonlyArray<RestEntry> = [
  restEntry('serverTime', 'http_get_market_time.json', { path: BybitPaths.serverTime, result: BybitHttpServerTime }, (r, v) => v.timestamp(Math.floor(parseServerTime(r)), 'server time')),
  restEntry('instruments', 'http_get_market_instruments-info.json', { path: BybitPaths.instruments, result: BybitHttpInstrumentsInfo }, instrumentsCheck),
  restEntry('instruments (pre-listing)', 'http_get_market_instruments-info_prelisting.json', { path: BybitPaths.instruments, result: BybitHttpInstrumentsInfo }, instrumentsCheck),
  restEntry('orderBook', 'http_get_market_orderbook.json', { path: BybitPaths.orderbook, result: BybitHttpOrderbook }, (r, v) => checkBook(v, parseOrderbook(r))),
  restEntry('openOrders', 'http_get_order_realtime.json', { path: BybitPaths.openOrders, result: BybitHttpOrderList }, (r, v) => r.list.map(parseOrder).forEach((o) => checkOrder(v, o))),
  restEntry('executionsSince', 'http_get_execution_list.json', { path: BybitPaths.executions, result: BybitHttpExecutionList }, (r, v) => {
    for (const f of r.list.map((e) => parseExecution(e, 'USDT'))) if (f !== undefined) checkFill(v, f);
  }),
  restEntry('positions', 'http_get_position_list.json', { path: BybitPaths.positions, result: BybitHttpPositionList }, (r, v) => r.list.map(parsePosition).forEach((p) => checkPosition(v, p))),
  restEntry('balances', 'http_get_account_wallet-balance.json', { path: BybitPaths.walletBalance, result: BybitHttpWalletBalance }, (r, v) => r.list.flatMap(parseWallet).forEach((b) => checkBalance(v, b))),
  restEntry('placeOrder', 'http_post_order_create.json', { path: BybitPaths.createOrder, result: BybitHttpOrderId }, (r, v) => v.check(typeof r.orderId === 'string', 'orderId')),
  restEntry('cancelAll', 'http_post_order_cancel-all.json', { path: BybitPaths.cancelAll, result: BybitHttpCancelAll }, (r, v) => v.check(r.list.every((o) => typeof o.orderLinkId === 'string'), 'orderLinkId')),
];

/** A WS frame base: a fixture (the docs' option order re-labelled linear so that it yields events). */
interface WsBase {
  readonly name: string;
  readonly value: unknown;
}

const wsBase = (name: string, edit?: (v: Record<string, unknown>) => void): WsBase => {
  const value = fixtureValue(name) as Record<string, unknown>;
  edit?.(value);
  return { name, value };
};

const PUBLIC_BASES: ReadonlyArray<WsBase> = [
  wsBase('ws_orderbook.json'),
  wsBase('ws_orderbook.json', (v) => (v['type'] = 'delta')),
  wsBase('ws_publicTrade.json'),
  wsBase('ws_tickers.json'),
  wsBase('ws_kline.json'),
  wsBase('ws_pong_public.json'),
  wsBase('ws_subscribe.json'),
];

const PRIVATE_BASES: ReadonlyArray<WsBase> = [
  wsBase('ws_order.json'),
  wsBase('ws_order.json', (v) => ((v['data'] as Array<Record<string, unknown>>)[0]!['category'] = 'linear')),
  wsBase('ws_execution.json'),
  wsBase('ws_position.json'),
  wsBase('ws_wallet.json'),
  wsBase('ws_pong_private.json'),
  wsBase('ws_auth.json'),
];

const FRAME_KINDS = new Set(['events', 'pong', 'auth', 'subscribed', 'ignored', 'invalid']);
const FAILURE_KINDS = new Set<VenueFailure['kind']>(['rejected', 'not_found', 'rate_limited', 'auth', 'clock_skew', 'transport', 'timeout', 'server', 'decode']);

// ---- mutations -----------------------------------------------------------------------------------------------

type Path = ReadonlyArray<string | number>;

/** What goes in place of a value: JSON, raw text spliced in after serialisation, or a function of the old value. */
type Replacement =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'raw'; readonly text: string }
  | { readonly kind: 'derived'; readonly derive: (old: unknown) => unknown };

/**
 * One mutation: replace the value at the picked path (any path, or a numeric leaf — where the semantic checks live),
 * or duplicate a key of the picked object.
 */
type Mutation =
  | { readonly kind: 'replace'; readonly pick: number; readonly with: Replacement }
  | { readonly kind: 'numeric'; readonly pick: number; readonly with: Replacement }
  | { readonly kind: 'duplicate'; readonly pick: number; readonly keyPick: number; readonly first: boolean; readonly with: Replacement };

const DECIMAL = /^-?\d+(\.\d+)?$/;

const deepText = (levels: number, object: boolean): string => (object ? `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}` : `${'['.repeat(levels)}${']'.repeat(levels)}`);

/** Rescales a numeric value (string or number): the mutation that reaches the cross-field checks most often. */
const rescale = (factor: string) => (old: unknown): unknown => {
  if (typeof old === 'string' && DECIMAL.test(old)) return new Decimal(old).times(factor).toFixed();
  if (typeof old === 'number' && Number.isFinite(old)) return old * Number(factor);
  return old;
};

const decimalStringArb = fc
  .tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 0, max: 8 }), fc.boolean())
  .map(([n, scale, negative]) => `${negative ? '-' : ''}${new Decimal(n).div(new Decimal(10).pow(scale)).toFixed(scale)}`);

const timestampArb = fc.oneof(
  fc.integer({ min: -2_000_000_000_000, max: 6_000_000_000_000 }),
  fc.constantFrom(0, 1, Date.UTC(2015, 0, 1) - 1, Date.UTC(2100, 0, 1) + 1, 1672304484978, 1.5e12 + 0.5),
);

const replacementArb: fc.Arbitrary<Replacement> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(fc.integer({ min: -1_000_000, max: -1 }), fc.double({ max: -1e-9, noNaN: true })).map((value) => ({ kind: 'json' as const, value })) },
  { weight: 3, arbitrary: decimalStringArb.map((value) => ({ kind: 'json' as const, value })) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, Number.MAX_VALUE)
      .map((value) => ({ kind: 'json' as const, value })),
  },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 5_000 }).map((n) => ({ kind: 'json' as const, value: '9'.repeat(n) })) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '1e5', '-0', '0', '0.000', '00', '0x1A', ' 1', '1 ', '.5', '5.', '+1', '١٢', '1_000', '--1', '')
      .map((value) => ({ kind: 'json' as const, value })),
  },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, {}, [], 0, 1, -1, 'x', [['1', '1']]).map((value) => ({ kind: 'json' as const, value })) },
  { weight: 2, arbitrary: fc.oneof(timestampArb, timestampArb.map(String)).map((value) => ({ kind: 'json' as const, value })) },
  { weight: 4, arbitrary: fc.constantFrom('0', '0.5', '0.9', '1.1', '2', '10', '-1').map((f) => ({ kind: 'derived' as const, derive: rescale(f) })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<(old: unknown) => unknown>((old) => (typeof old === 'string' ? Number(old) : typeof old === 'number' ? String(old) : old), (old) => [old], (old) => ({ v: old }))
      .map((derive) => ({ kind: 'derived' as const, derive })),
  },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 5_000 }), fc.boolean()).map(([n, object]) => ({ kind: 'raw' as const, text: deepText(n, object) })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom('x', '9', '\\u0000', '"'))
      .map(([n, c]) => ({ kind: 'json' as const, value: (c === '\\u0000' ? '\u0000' : c).repeat(n) })),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((value) => ({ kind: 'json' as const, value })) },
);

/** Values that keep a numeric leaf well-formed but may break a semantic rule: rescaled, zero, negative, odd times. */
const numericReplacementArb: fc.Arbitrary<Replacement> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('0', '0.5', '0.9', '1.1', '2', '10', '-1').map((f) => ({ kind: 'derived' as const, derive: rescale(f) })) },
  { weight: 2, arbitrary: decimalStringArb.map((value) => ({ kind: 'json' as const, value })) },
  { weight: 1, arbitrary: fc.oneof(timestampArb, timestampArb.map(String)).map((value) => ({ kind: 'json' as const, value })) },
);

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.noBias(fc.nat()), with: replacementArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('numeric' as const), pick: fc.noBias(fc.nat()), with: numericReplacementArb }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), pick: fc.noBias(fc.nat()), keyPick: fc.noBias(fc.nat()), first: fc.boolean(), with: replacementArb }),
  },
);

/** A mutated document: 1–3 mutations, then optionally a truncation of the serialised text. */
const caseArb = fc.record({
  base: fc.nat(),
  mutations: fc.oneof({ weight: 3, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(mutationArb, { minLength: 2, maxLength: 3 }) }),
  // One case in ten is cut short somewhere in its text.
  truncate: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }),
});

const allPaths = (value: unknown, path: Path = [], out: Path[] = []): Path[] => {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => allPaths(v, [...path, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) allPaths(v, [...path, k], out);
  return out;
};

const objectPaths = (value: unknown): Path[] =>
  allPaths(value).filter((p) => {
    const v = get(value, p);
    return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length > 0;
  });

const isNumeric = (v: unknown): boolean => (typeof v === 'string' && DECIMAL.test(v)) || (typeof v === 'number' && Number.isFinite(v));

const get = (value: unknown, path: Path): unknown => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value);

const setAt = (value: unknown, path: Path, replacement: unknown): unknown => {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return (value as ReadonlyArray<unknown>).map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  const obj = value as Record<string, unknown>;
  return { ...obj, [head as string]: setAt(obj[head as string], rest, replacement) };
};

/** Applies the mutations and serialises; raw splices and duplicate keys go in through unique markers. */
const render = (base: unknown, mutations: ReadonlyArray<Mutation>, truncate: number | undefined): string => {
  let doc = base;
  const raws: Array<readonly [string, string]> = [];
  const valueOf = (r: Replacement, old: unknown): unknown => {
    if (r.kind === 'json') return r.value;
    if (r.kind === 'derived') return r.derive(old);
    const marker = `__TW_RAW_${raws.length}__`;
    raws.push([JSON.stringify(marker), r.text]);
    return marker;
  };
  for (const m of mutations) {
    if (m.kind === 'replace' || m.kind === 'numeric') {
      const all = allPaths(doc);
      const numeric = m.kind === 'numeric' ? all.filter((p) => isNumeric(get(doc, p))) : [];
      const paths = numeric.length > 0 ? numeric : all;
      const path = paths[m.pick % paths.length] ?? [];
      doc = setAt(doc, path, valueOf(m.with, get(doc, path)));
    } else {
      const paths = objectPaths(doc);
      if (paths.length === 0) continue;
      const path = paths[m.pick % paths.length] ?? [];
      const obj = get(doc, path) as Record<string, unknown>;
      const keys = Object.keys(obj);
      const key = keys[m.keyPick % keys.length] ?? '';
      const marker = `__TW_DUP_${raws.length}__`;
      raws.push([JSON.stringify(marker), JSON.stringify(key)]);
      const dup = valueOf(m.with, obj[key]);
      doc = setAt(doc, path, m.first ? { [marker]: dup, ...obj } : { ...obj, [marker]: dup });
    }
  }
  let text = JSON.stringify(doc) ?? 'null';
  for (const [marker, replacement] of raws) text = text.split(marker).join(replacement);
  return truncate === undefined ? text : text.slice(0, Math.floor(text.length * truncate));
};

// ---- properties ----------------------------------------------------------------------------------------------

const STATUS_ARB = fc.oneof({ weight: 8, arbitrary: fc.constant(200) }, { weight: 2, arbitrary: fc.constantFrom(400, 403, 404, 429, 500, 502, 503) });
const NOW = 1_700_000_000_000;

/** How a case ended: a success, a refusal by a semantic check (well-formed but invalid), or another typed failure. */
type Outcome = 'success' | 'refused' | 'failure';

/** The messages of the semantic checks (schema filters), as opposed to syntax or type errors. */
const SEMANTIC_REFUSAL = /must be/;

/** Decodes one REST answer as the adapter does and returns the outcome; throws only through the test's own asserts. */
const decodeRest = (entry: RestEntry, raw: BybitRawResponse): Outcome => {
  const outcome = decodeBybitResponse(entry.call, raw, NOW);
  if (Either.isLeft(outcome)) {
    expect(FAILURE_KINDS.has(outcome.left.kind)).toBe(true);
    if (outcome.left.kind !== 'decode') return 'failure';
    expect(outcome.left.message.length).toBeLessThan(400);
    return SEMANTIC_REFUSAL.test(outcome.left.message) ? 'refused' : 'failure';
  }
  const res = outcome.right;
  if (res.time !== undefined) expect(isPlausibleMs(res.time)).toBe(true);
  if (res.result === undefined) return 'success';
  const v = new Violations();
  entry.check(res.result, v);
  expect(v.found).toEqual([]);
  return 'success';
};

const checkFrame = <E>(frame: StreamFrame<E>, check: (v: Violations, e: E) => void): Outcome => {
  expect(FRAME_KINDS.has(frame.kind)).toBe(true);
  if (frame.kind === 'invalid') {
    expect(frame.message.length).toBeLessThan(400);
    return SEMANTIC_REFUSAL.test(frame.message) ? 'refused' : 'failure';
  }
  if (frame.kind === 'events') {
    const v = new Violations();
    for (const e of frame.events) check(v, e);
    expect(v.found).toEqual([]);
  }
  return 'success';
};

describe('Bybit decoders under mutation (fast-check, committed seeds)', () => {
  it('X-RT-10 every unmutated fixture decodes to a success that satisfies the invariants (the properties start from valid input)', () => {
    for (const entry of REST_ENTRIES) expect([entry.name, decodeRest(entry, { status: 200, headers: {}, text: fixtureText(entry.fixture) })]).toEqual([entry.name, 'success']);
    for (const b of PUBLIC_BASES) expect(checkFrame(decodePublicFrame(JSON.stringify(b.value)), checkMarketEvent)).toBe('success');
    for (const b of PRIVATE_BASES) expect(checkFrame(decodePrivateFrame(JSON.stringify(b.value)), checkAccountEvent)).toBe('success');
  });

  it('X-RT-10 REST: 5,000 mutated envelopes of 10 endpoints → a typed failure or a success with valid domain values, never a throw', () => {
    const tally: Record<Outcome, number> = { success: 0, refused: 0, failure: 0 };
    fc.assert(
      fc.property(caseArb, STATUS_ARB, ({ base, mutations, truncate }, status) => {
        const entry = REST_ENTRIES[base % REST_ENTRIES.length]!;
        const text = render(fixtureValue(entry.fixture), mutations, truncate);
        tally[decodeRest(entry, { status, headers: {}, text })] += 1;
      }),
      { seed: 20261210, numRuns: 5_000 },
    );
    // All outcomes occur often: many mutated bodies still decode (and were checked), many reach a semantic check.
    expect(tally.success).toBeGreaterThan(1_000);
    expect(tally.refused).toBeGreaterThan(100);
    expect(tally.failure).toBeGreaterThan(1_000);
  });

  it('X-RT-10 WS public: 2,500 mutated frames → {kind:"invalid"} or events with valid prices, sizes, bars and timestamps', () => {
    const tally: Record<Outcome, number> = { success: 0, refused: 0, failure: 0 };
    fc.assert(
      fc.property(caseArb, ({ base, mutations, truncate }) => {
        const b = PUBLIC_BASES[base % PUBLIC_BASES.length]!;
        tally[checkFrame(decodePublicFrame(render(b.value, mutations, truncate)), checkMarketEvent)] += 1;
      }),
      { seed: 20261211, numRuns: 2_500 },
    );
    expect(tally.success).toBeGreaterThan(500);
    expect(tally.refused).toBeGreaterThan(100);
    expect(tally.failure).toBeGreaterThan(500);
  });

  it('X-RT-10 WS private: 2,500 mutated frames → {kind:"invalid"} or events with valid orders, fills, positions and balances', () => {
    const tally: Record<Outcome, number> = { success: 0, refused: 0, failure: 0 };
    fc.assert(
      fc.property(caseArb, ({ base, mutations, truncate }) => {
        const b = PRIVATE_BASES[base % PRIVATE_BASES.length]!;
        tally[checkFrame(decodePrivateFrame(render(b.value, mutations, truncate)), checkAccountEvent)] += 1;
      }),
      { seed: 20261212, numRuns: 2_500 },
    );
    expect(tally.success).toBeGreaterThan(500);
    expect(tally.refused).toBeGreaterThan(50);
    expect(tally.failure).toBeGreaterThan(500);
  });

  it('X-RT-10 arbitrary text and JSON: 1,000 inputs to every entry point, none throws', () => {
    const input = fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 6 }), fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify({ topic: 'orderbook.50.BTCUSDT', data: v })));
    fc.assert(
      fc.property(input, STATUS_ARB, (text, status) => {
        for (const entry of REST_ENTRIES) decodeRest(entry, { status, headers: {}, text });
        checkFrame(decodePublicFrame(text), checkMarketEvent);
        checkFrame(decodePrivateFrame(text), checkAccountEvent);
      }),
      { seed: 20261213, numRuns: 1_000 },
    );
  });
});

// ---- explicit examples ---------------------------------------------------------------------------------------

/** Returns the REST fixture with the first list item (or the result) edited. */
const restWith = (name: string, edit: (result: Record<string, unknown>) => void): string => {
  const env = fixtureValue(name) as { result: Record<string, unknown> };
  edit(env.result);
  return JSON.stringify(env);
};
const firstItem = (result: Record<string, unknown>): Record<string, unknown> => (result['list'] as Array<Record<string, unknown>>)[0]!;

/** Returns the WS fixture with the first data item (or the data object) edited. */
const wsWith = (name: string, edit: (data: Record<string, unknown>) => void, top?: (frame: Record<string, unknown>) => void): string => {
  const frame = fixtureValue(name) as Record<string, unknown>;
  const data = frame['data'];
  edit((Array.isArray(data) ? data[0] : data) as Record<string, unknown>);
  top?.(frame);
  return JSON.stringify(frame);
};

const restOutcome = (name: string, text: string): Either.Either<unknown, VenueFailure> => {
  const entry = REST_ENTRIES.find((e) => e.fixture === name);
  if (entry === undefined) throw new Error(`no entry for ${name}`);
  return Either.map(decodeBybitResponse(entry.call, { status: 200, headers: {}, text }, NOW), (r) => r.result);
};

const expectDecodeFailure = (outcome: Either.Either<unknown, VenueFailure>, message: RegExp): void => {
  expect(Either.isLeft(outcome)).toBe(true);
  if (Either.isLeft(outcome)) {
    expect(outcome.left.kind).toBe('decode');
    expect(outcome.left.kind === 'decode' ? outcome.left.message : '').toMatch(message);
  }
};

const expectInvalid = (frame: StreamFrame<unknown>, message: RegExp): void => {
  expect(frame.kind).toBe('invalid');
  expect(frame.kind === 'invalid' ? frame.message : '').toMatch(message);
};

describe('Bybit semantic checks at decode time (examples)', () => {
  it('X-RT-10 refuses negative sizes: a book level, a position size, a ticker size', () => {
    expectInvalid(decodePublicFrame(wsWith('ws_orderbook.json', (d) => ((d['b'] as string[][])[0]![1] = '-0.006'))), /data\.b\.0\.1: must be a decimal ≥ 0/);
    expectDecodeFailure(restOutcome('http_get_position_list.json', restWith('http_get_position_list.json', (r) => (firstItem(r)['size'] = '-300'))), /list\.0\.size/);
    expectDecodeFailure(restOutcome('http_get_market_orderbook.json', restWith('http_get_market_orderbook.json', (r) => ((r['a'] as string[][])[0]![1] = '-1'))), /a\.0\.1/);
    expectInvalid(decodePublicFrame(wsWith('ws_tickers.json', (d) => (d['bid1Size'] = '-84.489'))), /bid1Size/);
  });

  it('X-RT-10 refuses negative and zero prices where a price must be set: book level, trade, fill', () => {
    expectInvalid(decodePublicFrame(wsWith('ws_orderbook.json', (d) => ((d['a'] as string[][])[0]![0] = '0'))), /data\.a\.0\.0: must be > 0/);
    expectInvalid(decodePublicFrame(wsWith('ws_publicTrade.json', (d) => (d['p'] = '-16578.50'))), /data\.0\.p/);
    expectInvalid(decodePrivateFrame(wsWith('ws_execution.json', (d) => (d['execPrice'] = '0'))), /execPrice of a fill must be > 0/);
    expectDecodeFailure(restOutcome('http_get_order_realtime.json', restWith('http_get_order_realtime.json', (r) => (firstItem(r)['price'] = '-1600.00'))), /list\.0\.price/);
  });

  it('X-RT-10 keeps "0" and "" as "not set" for TP/SL, average price and ticker prices', () => {
    const positions = restOutcome('http_get_position_list.json', fixtureText('http_get_position_list.json'));
    expect(Either.isRight(positions)).toBe(true);
    if (Either.isRight(positions)) {
      const [p] = (positions.right as typeof BybitHttpPositionList.Type).list.map(parsePosition);
      expect([p?.takeProfit, p?.stopLoss]).toEqual([undefined, undefined]);
    }
    const orders = restOutcome('http_get_order_realtime.json', fixtureText('http_get_order_realtime.json'));
    if (Either.isRight(orders)) expect((orders.right as typeof BybitHttpOrderList.Type).list.map(parseOrder)[0]?.averageFillPrice).toBeUndefined();
    const frame = decodePublicFrame(wsWith('ws_tickers.json', (d) => ((d['bid1Price'] = '0'), (d['ask1Price'] = ''))));
    expect(frame.kind === 'events' ? frame.events[0] : undefined).toMatchObject({ type: 'ticker', bidPrice: undefined, askPrice: undefined });
  });

  it('X-RT-10 refuses a fill of quantity 0 (WS and REST) but not a zero-quantity funding execution', () => {
    expectInvalid(decodePrivateFrame(wsWith('ws_execution.json', (d) => (d['execQty'] = '0'))), /execQty of a fill must be > 0/);
    expectInvalid(decodePrivateFrame(wsWith('ws_execution.json', (d) => (d['execQty'] = '-25'))), /execQty/);
    expectDecodeFailure(restOutcome('http_get_execution_list.json', restWith('http_get_execution_list.json', (r) => (firstItem(r)['execQty'] = '0.000'))), /execQty of a fill must be > 0/);
    const funding = decodePrivateFrame(wsWith('ws_execution.json', (d) => ((d['execType'] = 'Funding'), (d['execQty'] = '0'))));
    expect(funding).toEqual({ kind: 'events', events: [] });
  });

  it('X-RT-10 refuses an order with more filled than ordered (WS and REST)', () => {
    const linear = (d: Record<string, unknown>): void => void (d['category'] = 'linear');
    expectInvalid(decodePrivateFrame(wsWith('ws_order.json', (d) => (linear(d), (d['cumExecQty'] = '1.5')))), /cumExecQty must be ≤ qty/);
    expectDecodeFailure(restOutcome('http_get_order_realtime.json', restWith('http_get_order_realtime.json', (r) => (firstItem(r)['cumExecQty'] = '0.11'))), /cumExecQty must be ≤ qty/);
    // Equal is a fully filled order, not an error.
    expect(decodePrivateFrame(wsWith('ws_order.json', (d) => (linear(d), (d['cumExecQty'] = '1.000')))).kind).toBe('events');
  });

  it('X-RT-10 refuses bars whose high is below the low, the open or the close, or whose low is above them', () => {
    expectInvalid(decodePublicFrame(wsWith('ws_kline.json', (d) => ((d['high'] = '16000'), (d['low'] = '16608')))), /high must be ≥ low/);
    expectInvalid(decodePublicFrame(wsWith('ws_kline.json', (d) => (d['close'] = '16700'))), /high must be ≥ open and close/);
    expectInvalid(decodePublicFrame(wsWith('ws_kline.json', (d) => (d['low'] = '16650'))), /low must be ≤ open and close/);
    expectInvalid(decodePublicFrame(wsWith('ws_kline.json', (d) => (d['volume'] = '-2.081'))), /volume/);
  });

  it('X-RT-10 refuses implausible timestamps (before 2015, after 2100, fractional, as number or string)', () => {
    expectInvalid(decodePublicFrame(wsWith('ws_publicTrade.json', (d) => (d['T'] = 1))), /data\.0\.T: must be a timestamp/);
    expectInvalid(decodePublicFrame(wsWith('ws_orderbook.json', () => undefined, (f) => (f['ts'] = 4_200_000_000_000))), /ts: must be a timestamp/);
    expectInvalid(decodePrivateFrame(wsWith('ws_wallet.json', () => undefined, (f) => (f['creationTime'] = 1690873065683.5))), /creationTime/);
    expectDecodeFailure(restOutcome('http_get_order_realtime.json', restWith('http_get_order_realtime.json', (r) => (firstItem(r)['createdTime'] = '1684738'))), /createdTime/);
    expectDecodeFailure(restOutcome('http_get_market_time.json', restWith('http_get_market_time.json', (r) => (r['timeNano'] = '99999999999999999999'))), /timeNano/);
    // A flat position that never traded reports "0": that is "never", not a bad time.
    const never = restOutcome('http_get_position_list.json', restWith('http_get_position_list.json', (r) => (firstItem(r)['updatedTime'] = '0')));
    expect(Either.isRight(never)).toBe(true);
  });

  it('X-RT-10 refuses instrument filters that would break rounding: zero tick, zero step, min above max', () => {
    const inst = (edit: (i: Record<string, Record<string, unknown>>) => void): string =>
      restWith('http_get_market_instruments-info.json', (r) => edit(firstItem(r) as Record<string, Record<string, unknown>>));
    expectDecodeFailure(restOutcome('http_get_market_instruments-info.json', inst((i) => (i['priceFilter']!['tickSize'] = '0'))), /tickSize: must be > 0/);
    expectDecodeFailure(restOutcome('http_get_market_instruments-info.json', inst((i) => (i['lotSizeFilter']!['qtyStep'] = '0.000'))), /qtyStep: must be > 0/);
    expectDecodeFailure(restOutcome('http_get_market_instruments-info.json', inst((i) => (i['lotSizeFilter']!['minOrderQty'] = '2000'))), /minOrderQty must be ≤ maxOrderQty/);
  });

  it('X-RT-10 a REST body nested 5,000 deep, a 5 MiB body and a truncated body are typed decode failures', () => {
    for (const levels of [3_000, 5_000, 50_000]) {
      expectDecodeFailure(restOutcome('http_get_position_list.json', deepText(levels, false)), /too_deep/);
      expectDecodeFailure(restOutcome('http_get_position_list.json', `{"retCode":0,"retMsg":"OK","result":${deepText(levels, true)}}`), /too_deep/);
    }
    expectDecodeFailure(restOutcome('http_get_position_list.json', `{"retCode":0,"retMsg":"${'x'.repeat(5 * 1024 * 1024)}"}`), /too_large/);
    const text = fixtureText('http_get_position_list.json');
    expectDecodeFailure(restOutcome('http_get_position_list.json', text.slice(0, text.length / 2)), /invalid_json/);
  });

  it('X-RT-10 WS frames nested 5,000 deep in every position are invalid frames, not throws', () => {
    const deep = deepText(5_000, false);
    for (const frame of [
      `{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":${deep}}`,
      `{"op":${deep}}`,
      `{"op":"pong","args":${deep}}`,
      `{"topic":"order","creationTime":1672364262474,"data":[${deepText(5_000, true)}]}`,
      `{"topic":${deep}}`,
      deep,
    ]) {
      expectInvalid(decodePublicFrame(frame), /too_deep/);
      expectInvalid(decodePrivateFrame(frame), /too_deep/);
    }
  });
});
