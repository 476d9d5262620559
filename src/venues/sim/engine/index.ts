/** Public surface of the simulator's matching engine: the factory, the profiles and the agreed API types. */
export { bybitLinearInstrument, createSimExchange, type SimExchangeOptions } from './SimExchange.ts';
export { CASH_EQUITY_PROFILE, cashEquityProfile, HEDGE_PERP_PROFILE, NEUTRAL_SPELLING, SPOT_PROFILE, type SimVenueProfile } from './profiles.ts';
export type * from './types.ts';
