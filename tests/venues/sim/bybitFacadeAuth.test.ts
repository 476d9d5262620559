/**
 * The Bybit façade's request authentication and rate limits: HMAC vectors checked against openssl, the documented
 * timestamp window, 10002/10003/10004, and per-key 10006 with the `X-Bapi-Limit*` headers.
 */
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hmacSha256Hex, restStringToSign, verifyHmacHex, wsAuthStringToSign } from '../../../src/venues/sim/bybit/signing.ts';
import { makeFaultPlan } from '../../../src/venues/sim/faults.ts';
import { hmacHex } from '../../support/bybitRawClient.ts';
import { KEY, KEY2, SECRET, SECRET2, startHarness, type Harness } from './bybitFacadeHarness.ts';

const openssl = (secret: string, payload: string): string => {
  const out = execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: payload }).toString('utf8');
  const m = /([0-9a-f]{64})\s*$/.exec(out.trim());
  if (m === null) throw new Error(`unexpected openssl output: ${out}`);
  return m[1] as string;
};

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Bybit signing vectors', () => {
  const vectors = [
    { name: 'GET', payload: restStringToSign('1658384314791', 'XXXXXXXXXX', '5000', 'category=option&symbol=BTC-29JUL22-25000-C'), secret: 'sim-secret-1' },
    { name: 'POST', payload: restStringToSign('1658385579423', 'XXXXXXXXXX', '5000', '{"category": "option"}'), secret: 'another secret' },
    { name: 'WS auth', payload: wsAuthStringToSign('1700000010000'), secret: SECRET },
  ];
  for (const v of vectors) {
    it(`matches openssl dgst -sha256 -hmac for the ${v.name} string to sign`, () => {
      const expected = openssl(v.secret, v.payload);
      expect(hmacSha256Hex(v.secret, v.payload)).toBe(expected);
      expect(hmacHex(v.secret, v.payload)).toBe(expected);
      expect(verifyHmacHex(v.secret, v.payload, expected)).toBe(true);
      expect(verifyHmacHex(v.secret, `${v.payload} `, expected)).toBe(false);
      expect(verifyHmacHex(v.secret, v.payload, expected.toUpperCase())).toBe(false);
    });
  }

  it('builds the documented strings to sign', () => {
    expect(restStringToSign('1658384314791', 'XXXXXXXXXX', '5000', 'category=option&symbol=BTC-29JUL22-25000-C')).toBe(
      '1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C',
    );
    expect(wsAuthStringToSign('1700000010000')).toBe('GET/realtime1700000010000');
  });
});

describe('Bybit façade: authentication', () => {
  it('accepts a correctly signed GET and POST', async () => {
    h = await startHarness();
    expect((await h.rest.get('/v5/order/realtime', { category: 'linear', symbol: 'BTCUSDT' })).body?.retCode).toBe(0);
    expect((await h.rest.post('/v5/order/cancel-all', { category: 'linear', symbol: 'BTCUSDT' })).body?.retCode).toBe(0);
  });

  it('answers 10003 for an unknown key and 10004 for a bad signature', async () => {
    h = await startHarness();
    const unknown = await h.rest.get('/v5/order/realtime', { category: 'linear' }, { apiKey: 'nobody' });
    expect(unknown.status).toBe(200);
    expect(unknown.body?.retCode).toBe(10003);
    const wrongSecret = await h.rest.get('/v5/order/realtime', { category: 'linear' }, { secret: 'not-the-secret' });
    expect(wrongSecret.body?.retCode).toBe(10004);
    const otherKeysSecret = await h.rest.post('/v5/order/cancel-all', { category: 'linear' }, { secret: SECRET2 });
    expect(otherKeysSecret.body?.retCode).toBe(10004);
    expect(wrongSecret.body?.retMsg).not.toContain(KEY);
    const garbage = await h.rest.get('/v5/order/realtime', { category: 'linear' }, { signature: 'deadbeef' });
    expect(garbage.body?.retCode).toBe(10004);
  });

  it('signs the query string exactly as sent (a reordered query fails)', async () => {
    h = await startHarness();
    const now = h.clock.now();
    const sig = hmacHex(SECRET, `${now}${KEY}5000symbol=BTCUSDT&category=linear`);
    const r = await h.rest.get('/v5/order/realtime', 'category=linear&symbol=BTCUSDT', { timestamp: now, signature: sig });
    expect(r.body?.retCode).toBe(10004);
    const ok = await h.rest.get('/v5/order/realtime', 'symbol=BTCUSDT&category=linear', { timestamp: now });
    expect(ok.body?.retCode).toBe(0);
  });

  it('enforces server_time - recv_window <= timestamp < server_time + 1000 (10002)', async () => {
    h = await startHarness();
    const now = h.clock.now();
    const at = async (timestamp: number, recvWindow?: number) => (await h?.rest.get('/v5/order/realtime', { category: 'linear' }, { timestamp, recvWindow }))?.body?.retCode;
    expect(await at(now - 5000)).toBe(0);
    expect(await at(now - 5001)).toBe(10002);
    expect(await at(now + 999)).toBe(0);
    expect(await at(now + 1000)).toBe(10002);
    expect(await at(now - 9000, 10_000)).toBe(0);
    const r = await h.rest.get('/v5/order/realtime', { category: 'linear' }, { timestamp: now - 6000 });
    expect(r.body?.retMsg).toContain(`server_timestamp[${now}]`);
  });

  it('shifts server time by the clock-skew fault (X-CLK-3 setup)', async () => {
    h = await startHarness({ faults: makeFaultPlan({ clockSkewMs: -1500 }) });
    const now = h.clock.now();
    const time = await h.rest.publicGet('/v5/market/time');
    expect(time.body?.time).toBe(now - 1500);
    // The client's clock is now 1.5 s ahead of the server: outside the 1 s tolerance.
    expect((await h.rest.get('/v5/order/realtime', { category: 'linear' })).body?.retCode).toBe(10002);
    expect((await h.rest.get('/v5/order/realtime', { category: 'linear' }, { timestamp: now - 1500 })).body?.retCode).toBe(0);
  });
});

describe('Bybit façade: key permissions', () => {
  it('X-SEC-6 reports whether a key may withdraw, and refuses state changes from a read-only key (10005)', async () => {
    h = await startHarness({
      extraKeys: [
        { key: 'withdrawer', secret: 'w-secret', account: 'acct-w', permissions: { withdraw: true } },
        { key: 'reader', secret: 'r-secret', account: 'acct-r', permissions: { readOnly: true } },
      ],
    });
    type ApiInfo = { apiKey: string; readOnly: number; permissions: { Wallet: string[]; ContractTrade: string[] } };
    const trader = await h.rest.get<ApiInfo>('/v5/user/query-api');
    expect(trader.body?.result).toMatchObject({ apiKey: KEY, readOnly: 0 });
    expect(trader.body?.result.permissions.Wallet).not.toContain('Withdraw');
    const withdrawer = await h.rest.get<ApiInfo>('/v5/user/query-api', {}, { apiKey: 'withdrawer', secret: 'w-secret' });
    expect(withdrawer.body?.result.permissions.Wallet).toContain('Withdraw');
    const reader = { apiKey: 'reader', secret: 'r-secret' };
    expect((await h.rest.get<ApiInfo>('/v5/user/query-api', {}, reader)).body?.result.readOnly).toBe(1);
    expect((await h.rest.get('/v5/order/realtime', { category: 'linear' }, reader)).body?.retCode).toBe(0);
    expect((await h.rest.post('/v5/order/cancel-all', { category: 'linear', symbol: 'BTCUSDT' }, reader)).body?.retCode).toBe(10005);
  });
});

describe('Bybit façade: rate limits', () => {
  it('X-RTY-5 answers 10006 past the per-key order limit, with the limit headers, and resets each second', async () => {
    h = await startHarness({ rateLimits: { orderPerSecond: 3, otherPerSecond: 50 } });
    const second = Math.floor(h.clock.now() / 1000) * 1000;
    const seen: Array<[number | undefined, string | undefined]> = [];
    for (let i = 0; i < 4; i++) {
      const r = await h.rest.post('/v5/order/cancel-all', { category: 'linear', symbol: 'BTCUSDT' });
      expect(r.status).toBe(200);
      expect(r.headers['x-bapi-limit']).toBe('3');
      expect(r.headers['x-bapi-limit-reset-timestamp']).toBe(String(second + 1000));
      seen.push([r.body?.retCode, r.headers['x-bapi-limit-status']]);
    }
    expect(seen).toEqual([
      [0, '2'],
      [0, '1'],
      [0, '0'],
      [10006, '0'],
    ]);
    // Limits are per key and per endpoint.
    const other = await h.rest.post('/v5/order/cancel-all', { category: 'linear', symbol: 'BTCUSDT' }, { apiKey: KEY2, secret: SECRET2 });
    expect(other.body?.retCode).toBe(0);
    const query = await h.rest.get('/v5/order/realtime', { category: 'linear' });
    expect(query.body?.retCode).toBe(0);
    expect(query.headers['x-bapi-limit']).toBe('50');
    h.advance(1000);
    expect((await h.rest.post('/v5/order/cancel-all', { category: 'linear', symbol: 'BTCUSDT' })).body?.retCode).toBe(0);
  });
});
