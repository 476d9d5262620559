/**
 * The dashboard login of the operations server (X-SEC-12, S2): scrypt hashes, the per-address login budget (the 11th
 * attempt in a minute gets 429), the HttpOnly SameSite=Strict session cookie, sessions expiring on the injected
 * clock, logout, the dashboard pages and assets, login disabled without its secrets, and nothing secret in the log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecrets } from '../../src/config/secrets.ts';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../src/server/passwords.ts';
import type { DashboardAssets } from '../../src/server/dashboardAssets.ts';
import { OpsServerError } from '../../src/server/OpsServer.ts';
import { call, opsFixture, startTestServer, TOKEN, type OpsFixture, type TestServer } from './opsFixture.ts';

const PASSWORD = 'correct horse battery staple';
const HASH = await hashPassword(PASSWORD, Buffer.alloc(16, 7));

/** Pages a dashboard build would give; the server only serves them. */
const assets: DashboardAssets = {
  loginHtml: () => '<!doctype html><title>login page</title>',
  dashboardHtml: () => '<!doctype html><title>dashboard page</title>',
  asset: (name) => (name === 'app.js' ? { contentType: 'text/javascript; charset=utf-8', body: 'console.log(1)' } : undefined),
};

let fixture: OpsFixture | undefined;
let running: TestServer | undefined;
afterEach(async () => {
  await running?.server.close();
  fixture?.close();
  running = undefined;
  fixture = undefined;
});

const clock = { t: 1_700_000_000_000, now(): number { return this.t; } };
const start = async (opts: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> => {
  fixture = opsFixture();
  running = await startTestServer(fixture, {
    secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN, TW_DASHBOARD_USER: 'alice', TW_DASHBOARD_PASSWORD_HASH: HASH }), clock, dashboard: assets, ...opts,
  });
  return running;
};

const cookieOf = (setCookie: string | null): string => {
  expect(setCookie).not.toBeNull();
  return setCookie!.split(';')[0]!;
};

describe('dashboard password hashes', () => {
  it('X-SEC-12 hashes with scrypt in the stored format and verifies only the right password', async () => {
    expect(HASH).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*$/);
    expect(HASH).not.toContain(PASSWORD);
    expect(await verifyPassword(PASSWORD, HASH)).toBe(true);
    expect(await verifyPassword(`${PASSWORD} `, HASH)).toBe(false);
    expect(await verifyPassword('', HASH)).toBe(false);
    expect(await hashPassword(PASSWORD)).not.toBe(await hashPassword(PASSWORD));
    expect(await verifyPassword(PASSWORD, 'scrypt$nonsense')).toBe(false);
    for (const [bad, why] of [
      ['bcrypt$1$2$3$4$5', /expected scrypt/], ['scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==', /power of two/],
      ['scrypt$1024$0$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==', /r must/], ['scrypt$1024$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA==', /salt/],
      ['scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$***', /base64/],
    ] as const) expect((parsePasswordHash(bad) as { problem: string }).problem).toMatch(why);
  });
});

describe('dashboard login', () => {
  it('X-SEC-12 gives the 11th login attempt within a minute from one address a 429 with Retry-After', async () => {
    const { url } = await start();
    for (let i = 1; i <= 10; i++) {
      const res = await call(`${url}/auth/login`, { json: { username: 'alice', password: `guess ${i}` } });
      expect(res.status, `attempt ${i}`).toBe(401);
    }
    const eleventh = await call(`${url}/auth/login`, { json: { username: 'alice', password: PASSWORD } });
    expect(eleventh.status).toBe(429);
    expect(eleventh.json()).toMatchObject({ error: 'rate_limited' });
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(eleventh.headers.get('set-cookie')).toBeNull();
    clock.t += 60_000;
    expect((await call(`${url}/auth/login`, { json: { username: 'alice', password: PASSWORD } })).status).toBe(200);
  });

  it('X-SEC-12 sets an HttpOnly SameSite=Strict session cookie that opens the dashboard and the API as dashboard:<user>, until it expires or logs out', async () => {
    const { url } = await start({ server: { sessionTtlMs: 120_000 } });
    const unauthenticated = await call(`${url}/`);
    expect(unauthenticated.status).toBe(302);
    expect(unauthenticated.headers.get('location')).toBe('/login');
    expect((await call(`${url}/login`)).text).toBe(assets.loginHtml());
    expect((await call(`${url}/auth/login`, { json: { username: 'bob', password: PASSWORD } })).status).toBe(401);

    const login = await call(`${url}/auth/login`, { json: { username: 'alice', password: PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.json()).toMatchObject({ ok: true, user: 'alice', expiresAt: clock.t + 120_000 });
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^tw_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; Max-Age=120/);
    const cookie = cookieOf(setCookie);

    const page = await call(`${url}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toBe(assets.dashboardHtml());
    expect((await call(`${url}/status`, { headers: { cookie } })).status).toBe(200);
    expect((await call(`${url}/control/strategies/breakout/disable`, { headers: { cookie }, json: { reason: 'from the page' } })).status).toBe(200);
    expect(fixture!.calls).toEqual([{ action: 'strategy_disable', who: 'dashboard:alice', reason: 'from the page', arg: 'breakout' }]);
    // A forged or mangled cookie is no session (the last character changed to one it is not: a fixed 'A' was the same
    // id for one session in 64).
    const mangled = `${cookie.slice(0, -1)}${cookie.endsWith('A') ? 'B' : 'A'}`;
    expect(mangled).not.toBe(cookie);
    expect((await call(`${url}/status`, { headers: { cookie: mangled } })).status).toBe(401);

    clock.t += 120_000;
    expect((await call(`${url}/status`, { headers: { cookie } })).status).toBe(401);
    expect((await call(`${url}/`, { headers: { cookie } })).status).toBe(302);

    const again = cookieOf((await call(`${url}/auth/login`, { json: { username: 'alice', password: PASSWORD } })).headers.get('set-cookie'));
    expect((await call(`${url}/status`, { headers: { cookie: again } })).status).toBe(200);
    const logout = await call(`${url}/auth/logout`, { method: 'POST', headers: { cookie: again } });
    expect(logout.status).toBe(200);
    expect(logout.headers.get('set-cookie')).toMatch(/^tw_session=;/);
    expect((await call(`${url}/status`, { headers: { cookie: again } })).status).toBe(401);
  });

  it('X-SEC-12 logs in from the HTML form with a 303 to the dashboard, and a failed form login goes back to the login page', async () => {
    const { url } = await start();
    const form = (user: string, password: string) =>
      call(`${url}/auth/login`, { body: new URLSearchParams({ username: user, password }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const failed = await form('alice', 'nope');
    expect(failed.status).toBe(303);
    expect(failed.headers.get('location')).toBe('/login?failed=1');
    const ok = await form('alice', PASSWORD);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect((await call(`${url}/`, { headers: { cookie: cookieOf(ok.headers.get('set-cookie')) } })).text).toBe(assets.dashboardHtml());
    const malformed = await call(`${url}/auth/login`, { json: { username: 'alice' } });
    expect(malformed.status).toBe(400);
    expect(malformed.json()).toEqual({ error: 'bad_request', problems: [{ path: 'body.password', message: expect.any(String) as string }] });
  });

  it('S2-21 serves the dashboard assets by name, 404 for an unknown one, and a plain login page without dashboard assets', async () => {
    const { url } = await start();
    const js = await call(`${url}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await call(`${url}/assets/missing.css`)).json()).toEqual({ error: 'not_found', detail: 'no asset missing.css' });
    expect((await call(`${url}/assets/..%2Fsecrets`)).status).toBe(400);
    await running!.server.close();
    running = await startTestServer(fixture!, { secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN, TW_DASHBOARD_USER: 'alice', TW_DASHBOARD_PASSWORD_HASH: HASH }), clock });
    const plain = await call(`${running.url}/login`);
    expect(plain.status).toBe(200);
    expect(plain.text).toMatch(/<form method="post" action="\/auth\/login">/);
    expect(plain.headers.get('x-robots-tag')).toMatch(/noindex/);
  });

  it('X-SEC-12 disables login with a 403 sentence without the dashboard secrets, and refuses a malformed hash at start', async () => {
    const { url } = await start({ secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN }) });
    const res = await call(`${url}/auth/login`, { json: { username: 'alice', password: PASSWORD } });
    expect(res.status).toBe(403);
    expect(res.json()).toEqual({ error: 'login_disabled', detail: expect.stringMatching(/TW_DASHBOARD_USER and TW_DASHBOARD_PASSWORD_HASH/) as string });
    const page = await call(`${url}/login`);
    expect(page.status).toBe(403);
    expect(page.text).toMatch(/login is disabled/);
    const refused = await startTestServer(fixture!, { secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN, TW_DASHBOARD_USER: 'alice', TW_DASHBOARD_PASSWORD_HASH: 'plaintext-password' }) }).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(OpsServerError);
    expect((refused as OpsServerError).message).toMatch(/TW_DASHBOARD_PASSWORD_HASH/);
    expect((refused as OpsServerError).message).not.toMatch(/plaintext-password/);
  });

  it('X-SEC-12 writes neither the token, the password nor a session cookie to the log', async () => {
    const { url, logLines } = await start();
    const cookie = cookieOf((await call(`${url}/auth/login`, { json: { username: 'alice', password: PASSWORD } })).headers.get('set-cookie'));
    await call(`${url}/auth/login`, { json: { username: 'alice', password: 'wrong-password-xyz' } });
    await call(`${url}/status`, { headers: { cookie } });
    await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'log check' } });
    await call(`${url}/status`, { token: 'a-wrong-token-value' });
    const log = logLines.join('');
    expect(logLines.length).toBeGreaterThan(5);
    expect(log).toMatch(/ops_login/);
    for (const secret of [TOKEN, PASSWORD, 'wrong-password-xyz', 'a-wrong-token-value', cookie.split('=')[1]!, HASH]) expect(log).not.toContain(secret);
  });
});
