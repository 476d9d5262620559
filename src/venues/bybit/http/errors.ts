/**
 * The Bybit v5 error table (notes §1.3): every documented retCode and HTTP status mapped to a typed outcome. Only
 * codes listed here as `rejected`/`not_found`/`auth`/`clock_skew` are definitive; an unknown code, a 5xx, a
 * timeout or a transport error is an UNKNOWN outcome and never a rejection (STYLE principle 5). Pure; no I/O.
 */
import type { RejectCategory, VenueFailure } from '../../Venue.ts';

/** What a retCode means to the caller. */
export type BybitCodeOutcome =
  | { readonly kind: 'rejected'; readonly category: RejectCategory }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'rate_limited' }
  | { readonly kind: 'auth' }
  | { readonly kind: 'clock_skew' }
  | { readonly kind: 'server' };

/** One row of the table. */
export interface BybitCodeRow {
  readonly code: number;
  readonly meaning: string;
  readonly outcome: BybitCodeOutcome;
}

const rejected = (category: RejectCategory): BybitCodeOutcome => ({ kind: 'rejected', category });

/** Every retCode the adapter knows, from Bybit's error page (`docs/v5/error.mdx`). */
export const bybitRetCodeTable: ReadonlyArray<BybitCodeRow> = [
  { code: 10001, meaning: 'Request parameter error', outcome: rejected('parameter') },
  { code: 10002, meaning: 'Request time exceeds the time window (timestamp / recv_window)', outcome: { kind: 'clock_skew' } },
  { code: 10003, meaning: 'API key invalid (or wrong environment)', outcome: { kind: 'auth' } },
  { code: 10004, meaning: 'Error sign', outcome: { kind: 'auth' } },
  { code: 10005, meaning: 'Permission denied', outcome: { kind: 'auth' } },
  { code: 10006, meaning: 'Too many visits (API rate limit)', outcome: { kind: 'rate_limited' } },
  { code: 10010, meaning: 'Unmatched IP', outcome: { kind: 'auth' } },
  // "Server error / service restarting": the request may or may not have been processed.
  { code: 10016, meaning: 'Server error / service restarting', outcome: { kind: 'server' } },
  { code: 34040, meaning: 'Not modified (TP/SL already set to these values)', outcome: rejected('not_modified') },
  { code: 110001, meaning: 'Order does not exist', outcome: { kind: 'not_found' } },
  { code: 110003, meaning: 'Order price exceeds the allowable range', outcome: rejected('price_out_of_range') },
  { code: 110004, meaning: 'Wallet balance insufficient', outcome: rejected('insufficient_margin') },
  { code: 110007, meaning: 'Available balance insufficient', outcome: rejected('insufficient_margin') },
  { code: 110012, meaning: 'Available balance insufficient', outcome: rejected('insufficient_margin') },
  // Documented as "orderQty will be truncated to zero"; observed for reduce-only against a zero position.
  { code: 110017, meaning: 'Reduce-only rule not satisfied (qty truncated to zero)', outcome: rejected('reduce_only_violation') },
  { code: 110020, meaning: 'More than 500 active orders', outcome: rejected('too_many_orders') },
  // Switch-mode refusals (docs/v5/error.mdx): the mode stays as it was.
  { code: 110024, meaning: 'An existing position blocks switching the position mode', outcome: rejected('other') },
  { code: 110025, meaning: 'Position mode not modified', outcome: rejected('not_modified') },
  { code: 110028, meaning: 'Open orders block switching the position mode', outcome: rejected('other') },
  { code: 110029, meaning: 'Hedge mode is not supported for this symbol', outcome: rejected('parameter') },
  { code: 110043, meaning: 'Set leverage not modified', outcome: rejected('not_modified') },
  { code: 110072, meaning: 'OrderLinkedID is duplicate', outcome: rejected('duplicate_client_id') },
  { code: 110094, meaning: 'Order notional below the lower limit', outcome: rejected('min_notional') },
  { code: 110103, meaning: 'Only Post-Only orders are available at this stage (pre-market)', outcome: rejected('other') },
];

const byCode: ReadonlyMap<number, BybitCodeRow> = new Map(bybitRetCodeTable.map((row) => [row.code, row]));

/** Returns the table row for a retCode, if the code is known. */
export const lookupRetCode = (code: number): BybitCodeRow | undefined => byCode.get(code);

/** The retCode that `setLeverage` treats as success (idempotent: leverage already at the value). */
export const LEVERAGE_NOT_MODIFIED = 110043;
/** The retCode that `setPositionMode` treats as success (idempotent: the account already has that mode). */
export const POSITION_MODE_NOT_MODIFIED = 110025;
/** The retCode of an order that does not exist. */
export const ORDER_NOT_FOUND = 110001;
/** The retCode of a timestamp outside the receive window. */
export const TIMESTAMP_OUT_OF_WINDOW = 10002;

/** Default wait after a 10006 without a reset header: one second (limits are per second). */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
/** Bybit's documented penalty for the IP limit ("403, access too frequent"): wait at least 10 minutes. */
export const IP_BAN_WAIT_MS = 600_000;

/** Returns the failure for a non-zero retCode; unknown codes are `server` (unknown outcome), never `rejected`. */
export const failureForRetCode = (retCode: number, retMsg: string, httpStatus: number, retryAfterMs: number | undefined): VenueFailure => {
  const code = String(retCode);
  const row = byCode.get(retCode);
  if (row === undefined) return { kind: 'server', status: httpStatus, code, message: `unmapped retCode: ${retMsg}` };
  switch (row.outcome.kind) {
    case 'rejected':
      return { kind: 'rejected', code, category: row.outcome.category, message: retMsg };
    case 'not_found':
      return { kind: 'not_found', code, message: retMsg };
    case 'rate_limited':
      return { kind: 'rate_limited', retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS, message: retMsg };
    case 'auth':
      return { kind: 'auth', code, message: retMsg };
    case 'clock_skew':
      return { kind: 'clock_skew', code, message: retMsg };
    case 'server':
      return { kind: 'server', status: httpStatus, code, message: retMsg };
  }
};

/** A lower-cased header map. */
export type HeaderMap = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

const header = (headers: HeaderMap, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? (v as ReadonlyArray<string>)[0] : (v as string | undefined);
};

/**
 * Returns how long to wait from the rate-limit headers: `Retry-After` (seconds or HTTP date) or
 * `X-Bapi-Limit-Reset-Timestamp` (epoch ms), relative to `venueNowMs`; undefined when neither is usable.
 */
export const retryAfterFromHeaders = (headers: HeaderMap, venueNowMs: number): number | undefined => {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined && retryAfter.trim() !== '') {
    const trimmed = retryAfter.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
    const at = Date.parse(trimmed);
    if (Number.isFinite(at)) return Math.max(0, at - venueNowMs);
  }
  const reset = header(headers, 'x-bapi-limit-reset-timestamp');
  if (reset !== undefined && /^\d+$/.test(reset.trim())) return Math.max(0, Number(reset.trim()) - venueNowMs);
  return undefined;
};

/**
 * Returns the failure for an HTTP status that is not 2xx, or undefined for 2xx. 429 and 403 are rate limits (403 is
 * Bybit's IP limit; without a header we wait the documented 10 minutes); everything else is `server` (unknown).
 */
export const failureForHttpStatus = (status: number, headers: HeaderMap, venueNowMs: number, bodySnippet: string): VenueFailure | undefined => {
  if (status >= 200 && status < 300) return undefined;
  if (status === 429) {
    return { kind: 'rate_limited', retryAfterMs: retryAfterFromHeaders(headers, venueNowMs) ?? DEFAULT_RATE_LIMIT_WAIT_MS, message: `HTTP 429 ${bodySnippet}` };
  }
  if (status === 403) {
    return { kind: 'rate_limited', retryAfterMs: retryAfterFromHeaders(headers, venueNowMs) ?? IP_BAN_WAIT_MS, message: `HTTP 403 ${bodySnippet}` };
  }
  return { kind: 'server', status, code: `HTTP_${status}`, message: bodySnippet };
};

/** Returns whether the failure is definitive venue evidence that the request had no effect. */
export const isDefinitiveFailure = (failure: VenueFailure): boolean =>
  failure.kind === 'rejected' || failure.kind === 'not_found' || failure.kind === 'auth' || failure.kind === 'clock_skew';

/** Returns whether a request that failed this way may be sent again (given idempotency by orderLinkId). */
export const isRetryable = (failure: VenueFailure): boolean =>
  failure.kind === 'rate_limited' || failure.kind === 'transport' || failure.kind === 'timeout' || failure.kind === 'server';
