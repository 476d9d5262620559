/**
 * Hot-path checks of the public book, trade and ticker messages (issue 17): hand-written tests of exactly the
 * constraints of `BybitWsOrderbookMessage`, `BybitWsTradeMessage` and `BybitWsTickerMessage` (messages.ts stays the
 * specification) — types, literals, the decimal-string patterns, > 0 / ≥ 0, plausible ms timestamps, safe integer
 * ids, array and tuple shapes — applied to a `JSON.parse` value without building a decoder or a result. A value that
 * passes IS such a message (keys the schema ignores included; parse.ts never reads them), so parse.ts converts it
 * as it is; one that fails goes to the schema decoder, which names the reason. tests/venues/bybit/fastDecode.test.ts
 * proves the verdicts equal to the schemas'. Pure; never throws on a JSON value.
 */
import {
  isNonNegativeDecimalString,
  isOptionalNonNegativeDecimalString,
  isPositiveDecimalString,
  isTimestampMs,
  isUpdateId,
} from '../http/messages.ts';

/**
 * What a check found: `invalid` (the schema refuses the value), `valid` (the schema accepts it, and every array or
 * object in it has the schema's fixed shape, so it nests at most 4 levels), or `valid_nested` (accepted, but a key
 * the schema ignores holds an array or object, whose depth is unknown).
 */
export type FastVerdict = 'invalid' | 'valid' | 'valid_nested';

type JsonObject = { readonly [key: string]: unknown };

/** A JSON object (what `Schema.Struct` accepts from JSON: not null, not an array). */
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Returns whether a key of `o` other than the named ones holds an array or object. */
const holdsNested = (o: JsonObject, except1?: string, except2?: string): boolean => {
  for (const key in o) {
    if (key === except1 || key === except2) continue;
    const v = o[key];
    if (typeof v === 'object' && v !== null) return true;
  }
  return false;
};

/** `Schema.Array(BybitLevel)`: an array of `[price > 0, size ≥ 0]` pairs, exactly two elements each. */
const isLevels = (v: unknown): boolean => {
  if (!Array.isArray(v)) return false;
  for (const level of v as ReadonlyArray<unknown>) {
    if (!Array.isArray(level) || level.length !== 2 || !isPositiveDecimalString(level[0]) || !isNonNegativeDecimalString(level[1])) return false;
  }
  return true;
};

const isSnapshotOrDelta = (v: unknown): boolean => v === 'snapshot' || v === 'delta';

/** Returns the verdict of `BybitWsOrderbookMessage` on a JSON value. */
export const checkOrderbookMessage = (m: unknown): FastVerdict => {
  if (!isObject(m) || typeof m['topic'] !== 'string' || !isSnapshotOrDelta(m['type']) || !isTimestampMs(m['ts'])) return 'invalid';
  if (m['cts'] !== undefined && !isTimestampMs(m['cts'])) return 'invalid';
  const d = m['data'];
  if (!isObject(d) || typeof d['s'] !== 'string' || !isUpdateId(d['u']) || (d['seq'] !== undefined && !isUpdateId(d['seq']))) return 'invalid';
  if (!isLevels(d['b']) || !isLevels(d['a'])) return 'invalid';
  return holdsNested(m, 'data') || holdsNested(d, 'b', 'a') ? 'valid_nested' : 'valid';
};

/** Returns the verdict of `BybitWsTradeMessage` on a JSON value. */
export const checkTradeMessage = (m: unknown): FastVerdict => {
  if (!isObject(m) || typeof m['topic'] !== 'string' || typeof m['type'] !== 'string' || !isTimestampMs(m['ts'])) return 'invalid';
  const data = m['data'];
  if (!Array.isArray(data)) return 'invalid';
  let nested = holdsNested(m, 'data');
  for (const t of data as ReadonlyArray<unknown>) {
    if (!isObject(t) || !isTimestampMs(t['T']) || typeof t['s'] !== 'string' || (t['S'] !== 'Buy' && t['S'] !== 'Sell')) return 'invalid';
    if (!isPositiveDecimalString(t['v']) || !isPositiveDecimalString(t['p']) || typeof t['i'] !== 'string') return 'invalid';
    if (t['BT'] !== undefined && typeof t['BT'] !== 'boolean') return 'invalid';
    nested ||= holdsNested(t);
  }
  return nested ? 'valid_nested' : 'valid';
};

/** An optional `BybitOptionalPriceString` / `BybitOptionalNonNegativeDecimalString` field. */
const isOptionalWireDecimal = (v: unknown): boolean => v === undefined || isOptionalNonNegativeDecimalString(v);

/** Returns the verdict of `BybitWsTickerMessage` on a JSON value. */
export const checkTickerMessage = (m: unknown): FastVerdict => {
  if (!isObject(m) || typeof m['topic'] !== 'string' || !isSnapshotOrDelta(m['type']) || !isTimestampMs(m['ts'])) return 'invalid';
  if (m['cs'] !== undefined && !isUpdateId(m['cs'])) return 'invalid';
  const d = m['data'];
  if (!isObject(d) || typeof d['symbol'] !== 'string') return 'invalid';
  if (!isOptionalWireDecimal(d['lastPrice']) || !isOptionalWireDecimal(d['markPrice']) || !isOptionalWireDecimal(d['indexPrice'])) return 'invalid';
  if (!isOptionalWireDecimal(d['bid1Price']) || !isOptionalWireDecimal(d['bid1Size']) || !isOptionalWireDecimal(d['ask1Price']) || !isOptionalWireDecimal(d['ask1Size'])) return 'invalid';
  return holdsNested(m, 'data') || holdsNested(d) ? 'valid_nested' : 'valid';
};
