/**
 * Bybit symbol names: linear USDT perpetuals are `BASEQUOTE` in upper case (`BTCUSDT`), identical to the domain's
 * symbol for this venue. Pure; performs no I/O.
 */

const SYMBOL = /^[A-Z0-9]{2,30}$/;

/** Returns whether the string is a well-formed Bybit symbol. */
export const isBybitSymbol = (symbol: string): boolean => SYMBOL.test(symbol);

/** Returns the Bybit wire symbol for a domain symbol, throwing a RangeError when it cannot be one. */
export const toBybitSymbol = (symbol: string): string => {
  if (!SYMBOL.test(symbol)) throw new RangeError(`not a Bybit symbol: ${JSON.stringify(symbol)}`);
  return symbol;
};

/** Returns whether a linear symbol is USDT-quoted (S0-1 trades those only). */
export const isUsdtLinear = (symbol: string): boolean => SYMBOL.test(symbol) && symbol.endsWith('USDT');
