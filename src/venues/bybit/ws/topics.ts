/**
 * Bybit v5 WS topic names (notes §1.4): builders for the public topics we subscribe to, the private topic list, and
 * a parser that tells a frame's topic family. Pure; performs no I/O.
 */

/** Order-book depths Bybit publishes for linear contracts. */
export const BYBIT_LINEAR_BOOK_DEPTHS = [1, 50, 200, 500, 1000] as const;

export const orderbookTopic = (depth: number, symbol: string): string => `orderbook.${depth}.${symbol}`;
export const publicTradeTopic = (symbol: string): string => `publicTrade.${symbol}`;
export const tickersTopic = (symbol: string): string => `tickers.${symbol}`;
export const klineTopic = (intervalMinutes: number, symbol: string): string => `kline.${intervalMinutes}.${symbol}`;

/** The public channels a stream can carry. */
export type BybitPublicChannel = 'orderbook' | 'publicTrade' | 'tickers' | 'kline';
export const ALL_PUBLIC_CHANNELS: ReadonlyArray<BybitPublicChannel> = ['orderbook', 'publicTrade', 'tickers', 'kline'];

/** The public topics for one symbol: book at `depth`, trades, ticker, 1-minute klines (or the chosen subset). */
export const publicTopicsFor = (symbol: string, depth: number, channels: ReadonlyArray<BybitPublicChannel> = ALL_PUBLIC_CHANNELS): ReadonlyArray<string> =>
  ALL_PUBLIC_CHANNELS.filter((c) => channels.includes(c)).map((c) =>
    c === 'orderbook' ? orderbookTopic(depth, symbol) : c === 'publicTrade' ? publicTradeTopic(symbol) : c === 'tickers' ? tickersTopic(symbol) : klineTopic(1, symbol),
  );

/** The all-in-one private topics (cannot be mixed with categorised ones in one request). */
export const PRIVATE_TOPICS = ['order', 'execution', 'position', 'wallet'] as const;

/** What a topic string names. */
export type BybitTopic =
  | { readonly kind: 'orderbook'; readonly depth: number; readonly symbol: string }
  | { readonly kind: 'publicTrade'; readonly symbol: string }
  | { readonly kind: 'tickers'; readonly symbol: string }
  | { readonly kind: 'kline'; readonly interval: string; readonly symbol: string }
  | { readonly kind: 'order' | 'execution' | 'position' | 'wallet' }
  | { readonly kind: 'other'; readonly topic: string };

/** Returns the family of a topic; categorised private topics (`order.linear`) count as their family. */
export const parseTopic = (topic: string): BybitTopic => {
  const parts = topic.split('.');
  const head = parts[0];
  if (head === 'orderbook' && parts.length === 3 && /^\d+$/.test(parts[1] ?? '')) {
    return { kind: 'orderbook', depth: Number(parts[1]), symbol: parts[2] ?? '' };
  }
  if (head === 'publicTrade' && parts.length === 2) return { kind: 'publicTrade', symbol: parts[1] ?? '' };
  if (head === 'tickers' && parts.length === 2) return { kind: 'tickers', symbol: parts[1] ?? '' };
  if (head === 'kline' && parts.length === 3) return { kind: 'kline', interval: parts[1] ?? '', symbol: parts[2] ?? '' };
  if ((head === 'order' || head === 'execution' || head === 'position' || head === 'wallet') && parts.length <= 2) return { kind: head };
  return { kind: 'other', topic };
};
