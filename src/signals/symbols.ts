/**
 * How a signal names its market: `#BTCUSDT`, `BTC/USDT`, `BTC-USDT`, `btcusdt` all read as base BTC, quote USDT.
 * A bare word is a symbol only when it ends in a dollar quote (so `WBTC` or `AMATEUR` never are); a pair may name
 * any quote the list below knows, so `ETH/BTC` and `BTC/USDC` are read — and refused for their quote (S0-1).
 * Pure; performs no I/O.
 */

/** The only quote S0 trades (S0-1). */
export const TRADED_QUOTE = 'USDT';

/** Quotes a bare word may end in (`BTCUSDC`), longest first so `BTCFDUSD` is FDUSD, not USD. */
const SUFFIX_QUOTES = ['FDUSD', 'USDT', 'USDC', 'USDE', 'USDD', 'BUSD', 'TUSD', 'USD'] as const;

/** Quotes the right-hand side of a pair (`BTC/EUR`) may name. */
const PAIR_QUOTES = new Set<string>([...SUFFIX_QUOTES, 'DAI', 'EUR', 'GBP', 'TRY', 'BRL', 'JPY', 'BTC', 'ETH', 'BNB']);

/** A market named in a message. */
export interface SymbolName {
  readonly base: string;
  readonly quote: string;
  /** `base + quote`, the venue spelling. */
  readonly symbol: string;
}

const BASE = /^[A-Z0-9]{1,20}$/;
const hasLetter = (s: string): boolean => /[A-Z]/.test(s);

const make = (base: string, quote: string): SymbolName | undefined =>
  BASE.test(base) && hasLetter(base) ? { base, quote, symbol: `${base}${quote}` } : undefined;

/** Returns the market a single upper-case word names (`BTCUSDT`, `1000PEPEUSDT`), undefined when it names none. */
export const symbolOfWord = (word: string): SymbolName | undefined => {
  if (PAIR_QUOTES.has(word)) return undefined;
  const quote = SUFFIX_QUOTES.find((q) => word.length > q.length && word.endsWith(q));
  return quote === undefined ? undefined : make(word.slice(0, -quote.length), quote);
};

/** Returns the market of a pair's two sides (`BTC`, `USDT`), undefined when the right side is no quote asset. */
export const symbolOfPair = (base: string, quote: string): SymbolName | undefined => (PAIR_QUOTES.has(quote) ? make(base, quote) : undefined);
