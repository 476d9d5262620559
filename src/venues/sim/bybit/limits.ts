/**
 * The documented input limits of the simulator's Bybit façade: request body, query string and websocket frame sizes,
 * JSON nesting depth, and the largest receive window. Pure data. Where Bybit documents a limit the façade uses it;
 * where it documents none the façade still enforces one (docs/simulator.md, "Strict input on the wire façades"), so
 * hostile input is refused with a Bybit envelope instead of growing the process or reaching the engine.
 */

/** Largest REST request body read, in bytes; a larger body is drained and refused with 10001. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Largest query string (after `?`) accepted, in characters; Node itself answers 431 beyond its 16 KiB header cap. */
export const MAX_QUERY_CHARS = 8 * 1024;

/** A body this far over `MAX_BODY_BYTES` is no longer drained: the socket is destroyed. */
export const MAX_DRAIN_BYTES = 8 * 1024 * 1024;

/** Deepest JSON nesting accepted in a REST body or websocket frame (Bybit requests nest two levels at most). */
export const MAX_JSON_DEPTH = 16;

/**
 * Largest websocket request the façade parses, in characters. Bybit caps a public subscribe's args at 21,000
 * characters (venue-protocols §1.4); a frame up to this size is answered, a larger one gets `success:false`.
 */
export const MAX_WS_REQUEST_CHARS = 32 * 1024;

/** The façade's `maxPayload`: a websocket frame above this is refused by closing the connection with 1009. */
export const MAX_WS_PAYLOAD_BYTES = 64 * 1024;

/**
 * The largest receive window, in wall-clock milliseconds. Bybit documents no maximum (only the default 5000); the
 * simulator uses 60,000 ms, the largest Binance documents, so a request signed long ago cannot be replayed. On an
 * accelerated clock the server scales it by its speed (venue milliseconds run `speed` times faster).
 */
export const DEFAULT_MAX_RECV_WINDOW_MS = 60_000;
