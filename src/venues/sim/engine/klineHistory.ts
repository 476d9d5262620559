/**
 * The simulator's record of the bars it has replayed, per symbol: every closed kline the replay published (kept
 * compact — a start, a tick time and one packed decimal string per bar, so a long backtest does not hold thousands of
 * Decimal objects it never reads) and the bar still forming. It answers kline history as a venue does: only what was
 * replayed up to the engine's time (no look-ahead), resampled into longer bars that are whole multiples of the data's
 * bar length. Pure; no I/O and no clock reads (the caller says up to when the replay has run).
 */
import { Decimal } from '../../../domain/money.ts';
import type { SimKline, SimResult } from './types.ts';

const MINUTE_MS = 60_000;
const WEEK_MS = 7 * 24 * 60 * MINUTE_MS;
/** 1970-01-05T00:00:00Z, the first Monday after the epoch: weekly bars start on Mondays 00:00 UTC, as Bybit's do. */
const MONDAY_ANCHOR_MS = 4 * 24 * 60 * MINUTE_MS;

/** The closed bars and the forming bar of one symbol. */
interface SymbolBars {
  readonly intervalMs: number;
  readonly starts: number[];
  readonly ts: number[];
  /** `open,high,low,close,volume,turnover` of each closed bar, as exact decimal text. */
  readonly packed: string[];
  forming: SimKline | undefined;
}

const ok = <A>(value: A): SimResult<A> => ({ ok: true, value });

/** Returns the first index whose start is ≥ `t` (starts ascending). */
const lowerBound = (starts: ReadonlyArray<number>, t: number): number => {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((starts[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/** Returns a bar length for messages: `5-minute`, `4-hour`, `1-day`, `1-week`. */
export const describeBarLength = (ms: number): string => {
  if (ms % WEEK_MS === 0) return `${ms / WEEK_MS}-week`;
  if (ms % (24 * 60 * MINUTE_MS) === 0) return `${ms / (24 * 60 * MINUTE_MS)}-day`;
  if (ms % (60 * MINUTE_MS) === 0) return `${ms / (60 * MINUTE_MS)}-hour`;
  if (ms % MINUTE_MS === 0) return `${ms / MINUTE_MS}-minute`;
  return `${ms}-ms`;
};

/** Every replayed bar of an engine's symbols, fed with the klines the replay publishes. */
export class KlineHistory {
  private readonly bySymbol = new Map<string, SymbolBars>();

  /** Records a published kline: a closed one joins the history, an open one replaces the forming bar. */
  record(k: SimKline): void {
    let s = this.bySymbol.get(k.symbol);
    if (s === undefined) {
      s = { intervalMs: k.end - k.start + 1, starts: [], ts: [], packed: [], forming: undefined };
      this.bySymbol.set(k.symbol, s);
    }
    const last = s.starts[s.starts.length - 1];
    // Feeds are time-ordered; a kline of a bar already closed (or older) changes nothing.
    if (last !== undefined && k.start <= last) return;
    if (!k.confirm) {
      s.forming = k;
      return;
    }
    s.starts.push(k.start);
    s.ts.push(k.ts);
    s.packed.push(`${k.open.toString()},${k.high.toString()},${k.low.toString()},${k.close.toString()},${k.volume.toString()},${k.turnover.toString()}`);
    s.forming = undefined;
  }

  /** Returns the length of a symbol's replayed bars in ms, once the replay has published one. */
  intervalMsOf(symbol: string): number | undefined {
    return this.bySymbol.get(symbol)?.intervalMs;
  }

  private closed(symbol: string, s: SymbolBars, i: number): SimKline {
    const [open, high, low, close, volume, turnover] = (s.packed[i] as string).split(',').map((v) => new Decimal(v)) as [Decimal, Decimal, Decimal, Decimal, Decimal, Decimal];
    const start = s.starts[i] as number;
    return { symbol, intervalMinutes: s.intervalMs / MINUTE_MS, start, end: start + s.intervalMs - 1, open, high, low, close, volume, turnover, confirm: true, ts: s.ts[i] as number };
  }

  /**
   * Returns the bars of `symbol` with a start in [startMs, endMs), oldest first, `intervalMs` long: the replayed bars
   * themselves, or buckets of them when `intervalMs` is a whole multiple of their length (aligned to UTC multiples of
   * the bucket, weekly multiples to Mondays, both shifted by the data's own phase; a bucket is confirmed once the replay
   * has run to its end, `throughMs`). The last bar may still be forming. Refuses (`invalid_request`) any other length.
   */
  klines(symbol: string, intervalMs: number, startMs: number, endMs: number, throughMs: number): SimResult<ReadonlyArray<SimKline>> {
    const s = this.bySymbol.get(symbol);
    if (s === undefined) return ok([]);
    const base = s.intervalMs;
    if (intervalMs < base || intervalMs % base !== 0) {
      return { ok: false, code: 'invalid_request', message: `a ${describeBarLength(intervalMs)} bar is not a whole number of the replayed ${describeBarLength(base)} bars of ${symbol}` };
    }
    const all = (from: number, to: number): SimKline[] => {
      const out: SimKline[] = [];
      for (let i = lowerBound(s.starts, from); i < s.starts.length && (s.starts[i] as number) < to; i++) out.push(this.closed(symbol, s, i));
      if (s.forming !== undefined && s.forming.start >= from && s.forming.start < to) out.push(s.forming);
      return out;
    };
    if (intervalMs === base) return ok(all(startMs, endMs));
    const firstStart = s.starts[0] ?? s.forming?.start ?? 0;
    const anchor = (intervalMs % WEEK_MS === 0 ? MONDAY_ANCHOR_MS : 0) + (((firstStart % base) + base) % base);
    const bucketOf = (t: number): number => anchor + Math.floor((t - anchor) / intervalMs) * intervalMs;
    const out: SimKline[] = [];
    let bucket: { start: number; open: Decimal; high: Decimal; low: Decimal; close: Decimal; volume: Decimal; turnover: Decimal; ts: number } | undefined;
    const flush = (): void => {
      if (bucket === undefined || bucket.start < startMs) return;
      const end = bucket.start + intervalMs - 1;
      out.push({ symbol, intervalMinutes: intervalMs / MINUTE_MS, ...bucket, end, confirm: end <= throughMs });
    };
    for (const k of all(bucketOf(startMs), bucketOf(endMs - 1) + intervalMs)) {
      const start = bucketOf(k.start);
      if (bucket?.start !== start) {
        flush();
        bucket = { start, open: k.open, high: k.high, low: k.low, close: k.close, volume: k.volume, turnover: k.turnover, ts: k.ts };
        continue;
      }
      bucket.high = Decimal.max(bucket.high, k.high);
      bucket.low = Decimal.min(bucket.low, k.low);
      bucket.close = k.close;
      bucket.volume = bucket.volume.plus(k.volume);
      bucket.turnover = bucket.turnover.plus(k.turnover);
      bucket.ts = k.ts;
    }
    flush();
    return ok(out.filter((b) => b.start < endMs));
  }
}
