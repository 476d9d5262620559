/** Public surface of the simulator's matching engine: the factory, the Bybit instruments and the agreed API types. */
export { bybitLinearInstrument, createSimExchange, type SimExchangeOptions } from './SimExchange.ts';
export type * from './types.ts';
