/**
 * Bybit v5 request signing (notes §1.1, §1.4): HMAC-SHA256 in lower-case hex over
 * `timestamp + apiKey + recvWindow + (queryString | body)` for REST and `"GET/realtime" + expires` for the private
 * WS. Pure apart from the HMAC; never logs or returns the secret.
 */
import { createHmac } from 'node:crypto';
import { Redacted } from 'effect';

/** Returns HMAC-SHA256(secret, message) as lower-case hex. */
export const hmacSha256Hex = (secret: Redacted.Redacted<string> | string, message: string): string =>
  createHmac('sha256', typeof secret === 'string' ? secret : Redacted.value(secret)).update(message, 'utf8').digest('hex');

/** Returns the exact string Bybit signs for a REST call: GET signs the query string, POST the raw JSON body. */
export const restSignaturePayload = (timestamp: number, apiKey: string, recvWindowMs: number, queryOrBody: string): string =>
  `${timestamp}${apiKey}${recvWindowMs}${queryOrBody}`;

/** Returns the `X-BAPI-SIGN` value for a REST call. */
export const signRest = (
  secret: Redacted.Redacted<string> | string,
  timestamp: number,
  apiKey: string,
  recvWindowMs: number,
  queryOrBody: string,
): string => hmacSha256Hex(secret, restSignaturePayload(timestamp, apiKey, recvWindowMs, queryOrBody));

/** Returns the private-WS auth signature for `expires` (epoch ms, must be in the future at the venue). */
export const signWsAuth = (secret: Redacted.Redacted<string> | string, expires: number): string =>
  hmacSha256Hex(secret, `GET/realtime${expires}`);
