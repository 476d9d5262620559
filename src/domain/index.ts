/** Public surface of the domain: pure types and money math. */
export * from './money.ts';
export * from './Instrument.ts';
export * from './orders.ts';
export * from './rounding.ts';
export * from './TradeProposal.ts';
export * from './errors.ts';
export * from './schemas.ts';
