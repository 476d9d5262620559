/** Public surface of the simulator's Bybit v5 wire façade. */
export { startBybitSim, type BybitSimApiKey, type BybitSimOptions, type BybitSimServer, type SimPauseResult } from './BybitSimServer.ts';
export type { SimControlOrder, SimControlPosition } from './control.ts';
export { DEFAULT_SIM_API_KEYS, DEFAULT_SIM_FUNDING } from './defaults.ts';
export { DEFAULT_RATE_LIMITS, type BybitRateLimits } from './rateLimit.ts';
export { RetCode, retCodeForReject, retMsgFor } from './codes.ts';
export { hmacSha256Hex, restStringToSign, verifyHmacHex, wsAuthStringToSign } from './signing.ts';
export type { FaultCounters } from './ws.ts';
