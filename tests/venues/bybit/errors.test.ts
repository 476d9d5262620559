/** The Bybit error table: every documented code maps to its typed outcome; unknowns and transport never reject. */
import { describe, expect, it } from 'vitest';
import {
  bybitRetCodeTable,
  failureForHttpStatus,
  failureForRetCode,
  isDefinitiveFailure,
  isRetryable,
  retryAfterFromHeaders,
} from '../../../src/venues/bybit/http/errors.ts';
import type { VenueFailure } from '../../../src/venues/Venue.ts';

// Expected outcome per documented code (notes §1.3), written out independently of the table under test.
const expected: ReadonlyArray<readonly [number, string]> = [
  [10001, 'rejected:parameter'],
  [10002, 'clock_skew'],
  [10003, 'auth'],
  [10004, 'auth'],
  [10005, 'auth'],
  [10006, 'rate_limited'],
  [10010, 'auth'],
  [10016, 'server'],
  [110001, 'not_found'],
  [110003, 'rejected:price_out_of_range'],
  [110004, 'rejected:insufficient_margin'],
  [110007, 'rejected:insufficient_margin'],
  [110012, 'rejected:insufficient_margin'],
  [110017, 'rejected:reduce_only_violation'],
  [110020, 'rejected:too_many_orders'],
  [110025, 'rejected:not_modified'],
  [110043, 'rejected:not_modified'],
  [110072, 'rejected:duplicate_client_id'],
  [110094, 'rejected:min_notional'],
];

const label = (f: VenueFailure): string => (f.kind === 'rejected' ? `rejected:${f.category}` : f.kind);

describe('Bybit error table (X-ORD-8)', () => {
  it.each(expected)('X-ORD-8 maps retCode %i to %s', (code, outcome) => {
    expect(label(failureForRetCode(code, 'msg', 200, undefined))).toBe(outcome);
  });

  it('S0-12 maps the switch-mode refusals (docs/v5/error.mdx) to definitive rejections: 110024 position, 110028 open orders, 110029 no hedge mode', () => {
    expect([110024, 110025, 110028, 110029].map((code) => label(failureForRetCode(code, 'msg', 200, undefined)))).toEqual(['rejected:other', 'rejected:not_modified', 'rejected:other', 'rejected:parameter']);
    expect(isDefinitiveFailure(failureForRetCode(110024, 'msg', 200, undefined))).toBe(true);
  });

  it('covers every code of the notes and nothing is mapped twice', () => {
    const codes = bybitRetCodeTable.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [code] of expected) expect(codes).toContain(code);
  });

  it('classifies an unknown retCode as an unknown outcome (server), never as a rejection', () => {
    for (const code of [1, 10000, 10099, 110000, 170131, 999999]) {
      const f = failureForRetCode(code, 'something new', 200, undefined);
      expect(f.kind).toBe('server');
      expect(isDefinitiveFailure(f)).toBe(false);
    }
  });

  it('never treats timeouts or transport errors as definitive, and lets them be retried', () => {
    const timeout: VenueFailure = { kind: 'timeout', afterMs: 5000 };
    const transport: VenueFailure = { kind: 'transport', message: 'ECONNRESET' };
    for (const f of [timeout, transport]) {
      expect(isDefinitiveFailure(f)).toBe(false);
      expect(isRetryable(f)).toBe(true);
    }
  });

  it('maps HTTP 429 with Retry-After to rate_limited with retryAfterMs', () => {
    const f = failureForHttpStatus(429, { 'retry-after': '3' }, 0, '');
    expect(f).toEqual({ kind: 'rate_limited', retryAfterMs: 3000, message: 'HTTP 429 ' });
  });

  it('maps HTTP 403 with X-Bapi-Limit-Reset-Timestamp to rate_limited until the reset', () => {
    const f = failureForHttpStatus(403, { 'x-bapi-limit-reset-timestamp': '1700000001500' }, 1700000000000, 'access too frequent');
    expect(f?.kind).toBe('rate_limited');
    expect(f?.kind === 'rate_limited' ? f.retryAfterMs : -1).toBe(1500);
  });

  it('waits the documented 10 minutes on a bare 403 (IP limit)', () => {
    const f = failureForHttpStatus(403, {}, 0, '');
    expect(f?.kind === 'rate_limited' ? f.retryAfterMs : -1).toBe(600_000);
  });

  it('maps 5xx to server (unknown) and 2xx to no failure', () => {
    expect(failureForHttpStatus(502, {}, 0, 'bad gateway')?.kind).toBe('server');
    expect(failureForHttpStatus(200, {}, 0, '')).toBeUndefined();
  });

  it('uses the reset header for a 10006 inside a 200 envelope', () => {
    const f = failureForRetCode(10006, 'Too many visits', 200, retryAfterFromHeaders({ 'x-bapi-limit-reset-timestamp': '1000250' }, 1000000));
    expect(f).toEqual({ kind: 'rate_limited', retryAfterMs: 250, message: 'Too many visits' });
  });

  it('parses Retry-After given as an HTTP date', () => {
    expect(retryAfterFromHeaders({ 'retry-after': 'Thu, 01 Jan 1970 00:00:05 GMT' }, 2000)).toBe(3000);
  });
});
