/**
 * The simulator's side of Bybit v5 request signing: the string-to-sign rules and HMAC-SHA256 verification for REST
 * (`timestamp + apiKey + recvWindow + query-or-body`) and for private WS auth (`"GET/realtime" + expires`).
 * Pure apart from hashing; knows nothing about HTTP.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Returns the lowercase hex HMAC-SHA256 of `payload` under `secret`. */
export const hmacSha256Hex = (secret: string, payload: string): string => createHmac('sha256', secret).update(payload, 'utf8').digest('hex');

/** Returns the REST string to sign: GET signs the raw query string as sent (no `?`), POST the raw body. */
export const restStringToSign = (timestamp: string, apiKey: string, recvWindow: string, queryOrBody: string): string =>
  `${timestamp}${apiKey}${recvWindow}${queryOrBody}`;

/** Returns the WS auth string to sign for an `expires` value as the client sent it. */
export const wsAuthStringToSign = (expires: string): string => `GET/realtime${expires}`;

/** Returns whether `signature` is the lowercase hex HMAC of `payload` (compared in constant time). */
export const verifyHmacHex = (secret: string, payload: string, signature: string): boolean => {
  if (!/^[0-9a-f]{64}$/.test(signature)) return false;
  const expected = Buffer.from(hmacSha256Hex(secret, payload), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
};
