/** Signing vectors for Bybit v5 REST and WS auth, checked against openssl (the documented rule, notes §1.1). */
import { execFileSync } from 'node:child_process';
import { Redacted } from 'effect';
import { describe, expect, it } from 'vitest';
import { restSignaturePayload, signRest, signWsAuth } from '../../../src/venues/bybit/signing.ts';

const openssl = (secret: string, message: string): string => {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: message }).toString('utf8');
  // "SHA2-256(stdin)= <hex>" or "(stdin)= <hex>" depending on the openssl version.
  const hex = /([0-9a-f]{64})\s*$/.exec(out.trim())?.[1];
  if (hex === undefined) throw new Error(`unexpected openssl output: ${out}`);
  return hex;
};

const SECRET = 'T3stS3cretForV3ctors0nly';
const KEY = 'XXXXXXXXXX';

describe('Bybit signing', () => {
  it('builds the GET string as timestamp + key + recvWindow + query (the docs example layout)', () => {
    expect(restSignaturePayload(1658384314791, KEY, 5000, 'category=option&symbol=BTC-29JUL22-25000-C')).toBe(
      '1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C',
    );
  });

  it('signs a GET query string like openssl dgst -sha256 -hmac (lower-case hex)', () => {
    const qs = 'category=linear&symbol=BTCUSDT&orderLinkId=tw-s1-00a1-0';
    const sig = signRest(Redacted.make(SECRET), 1700000000000, KEY, 5000, qs);
    expect(sig).toMatch(/^[0-9a-f]{64}$/);
    expect(sig).toBe(openssl(SECRET, `1700000000000${KEY}5000${qs}`));
  });

  it('signs the raw POST body bytes, so key order and spacing matter', () => {
    const compact = '{"category":"linear","symbol":"BTCUSDT","side":"Buy"}';
    const spaced = '{"category": "linear","symbol":"BTCUSDT","side":"Buy"}';
    const a = signRest(SECRET, 1700000000001, KEY, 5000, compact);
    expect(a).toBe(openssl(SECRET, `1700000000001${KEY}5000${compact}`));
    expect(signRest(SECRET, 1700000000001, KEY, 5000, spaced)).not.toBe(a);
  });

  it('signs the WS auth string "GET/realtime" + expires', () => {
    expect(signWsAuth(Redacted.make(SECRET), 1662350400000)).toBe(openssl(SECRET, 'GET/realtime1662350400000'));
  });

  it('depends on every input (timestamp, recvWindow, secret)', () => {
    const base = signRest(SECRET, 1, KEY, 5000, 'a=b');
    expect(signRest(SECRET, 2, KEY, 5000, 'a=b')).not.toBe(base);
    expect(signRest(SECRET, 1, KEY, 10000, 'a=b')).not.toBe(base);
    expect(signRest(`${SECRET}x`, 1, KEY, 5000, 'a=b')).not.toBe(base);
  });
});
