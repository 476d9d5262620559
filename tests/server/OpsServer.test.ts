/**
 * The operations server on its own, over a small OpsSource on a real journal (opsFixture.ts): refusal without a
 * token, the public routes, 401 for every other route without credentials, the control routes with who and why,
 * typed 400s for bad input, the control budget, robots and headers, 404s and 500s without stacks, and the journal tail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Redacted } from 'effect';
import { fingerprint, loadSecrets } from '../../src/config/secrets.ts';
import { OpsServerError } from '../../src/server/OpsServer.ts';
import { call, opsFixture, startTestServer, TOKEN, type OpsFixture, type TestServer } from './opsFixture.ts';
import { statusProblems } from './statusSchema.ts';

const CONTROL_ROUTES: ReadonlyArray<{ readonly path: string; readonly body: unknown }> = [
  { path: '/control/kill', body: { reason: 'drill' } },
  { path: '/control/resume', body: { reason: 'drill over' } },
  { path: '/control/flatten/BTCUSDT', body: {} },
  { path: '/control/strategies/breakout/enable', body: {} },
  { path: '/control/strategies/breakout/disable', body: { reason: 'too noisy' } },
  { path: '/control/symbols/BTCUSDT/unblock', body: {} },
];

const READ_ROUTES = ['/status', '/metrics', '/events', '/journal'];

let fixture: OpsFixture | undefined;
let running: TestServer | undefined;
afterEach(async () => {
  await running?.server.close();
  fixture?.close();
  running = undefined;
  fixture = undefined;
});

const start = async (opts: Parameters<typeof startTestServer>[1] = {}): Promise<TestServer> => {
  fixture = opsFixture();
  running = await startTestServer(fixture, opts);
  return running;
};

const operatorEntries = (f: OpsFixture): number => [...f.journal.readEvents({ type: 'OPERATOR_CONTROL' })].length;

describe('operations server', () => {
  it('X-SEC-12 refuses to start without TW_CONTROL_TOKEN, with a typed error naming it', async () => {
    fixture = opsFixture();
    const failure = await startTestServer(fixture, { secrets: loadSecrets({}) }).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(OpsServerError);
    expect((failure as OpsServerError).reason).toBe('missing_token');
    expect((failure as OpsServerError).message).toMatch(/TW_CONTROL_TOKEN/);
    const noSecrets = await startTestServer(fixture, { secrets: undefined }).then(() => undefined, (e: unknown) => e);
    expect((noSecrets as OpsServerError).reason).toBe('missing_token');
  });

  it('X-OBS-1 answers /health 200 with the phase and /ready 200, or 503 with the reasons, without credentials', async () => {
    const { url } = await start();
    const health = await call(`${url}/health`);
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ ok: true, phase: 'trading' });
    expect((await call(`${url}/ready`)).json()).toEqual({ ready: true, reasons: [] });
    fixture!.state.ready = { ready: false, reasons: ['main: recovering', 'venue_ws down'] };
    const notReady = await call(`${url}/ready`);
    expect(notReady.status).toBe(503);
    expect(notReady.json()).toEqual({ ready: false, reasons: ['main: recovering', 'venue_ws down'] });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('X-SEC-12 S1-15 answers 401 on every non-public route without credentials or with a wrong token, and calls nothing', async () => {
    const { url } = await start();
    for (const token of [undefined, 'wrong-token', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      for (const path of READ_ROUTES) {
        const res = await call(`${url}${path}`, { token });
        expect(res.status, `${path} with ${String(token)}`).toBe(401);
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
      }
      for (const route of CONTROL_ROUTES) {
        const res = await call(`${url}${route.path}`, { token, json: route.body });
        expect(res.status, route.path).toBe(401);
        expect(res.json()).toMatchObject({ error: 'unauthorized' });
      }
    }
    // A token sent any other way than `Authorization: Bearer` is no credential either.
    expect((await call(`${url}/status`, { headers: { authorization: TOKEN } })).status).toBe(401);
    expect((await call(`${url}/status`, { headers: { authorization: `Basic ${TOKEN}` } })).status).toBe(401);
    expect((await call(`${url}/status?token=${TOKEN}`)).status).toBe(401);
    expect(fixture!.calls).toEqual([]);
    expect(operatorEntries(fixture!)).toBe(0);
    expect(fixture!.state.status.accounts[0]!.killSwitch.engaged).toBe(false);
  });

  it('X-RSK-1 S1-15 runs each control route through the control service with api:<fingerprint> and the reason: 200 when done, 409 when refused', async () => {
    const { url } = await start();
    const who = `api:${fingerprint(Redacted.make(TOKEN)).slice(0, 8)}`;
    expect(who).toMatch(/^api:[0-9a-f]{8}$/);
    const kill = await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'operator drill', flatten: true } });
    expect(kill.status).toBe(200);
    expect(kill.json()).toEqual({ ok: true, detail: 'kill switch engaged on main', fields: { cancelled: 1 } });
    expect((await call(`${url}/ready`)).status).toBe(503);
    const again = await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'twice' } });
    expect(again.status).toBe(409);
    expect(again.json()).toEqual({ ok: false, detail: 'the kill switch is already engaged' });
    for (const route of CONTROL_ROUTES.slice(1)) expect((await call(`${url}${route.path}`, { token: TOKEN, json: route.body })).status, route.path).toBeLessThan(500);
    expect((await call(`${url}/control/flatten/ETHUSDT`, { token: TOKEN, json: {} })).status).toBe(409);
    expect(fixture!.calls).toEqual([
      { action: 'kill', who, reason: 'operator drill', arg: true },
      { action: 'kill', who, reason: 'twice', arg: false },
      { action: 'resume', who, reason: 'drill over', arg: undefined },
      { action: 'flatten', who, reason: 'no reason given', arg: 'BTCUSDT' },
      { action: 'strategy_enable', who, reason: 'no reason given', arg: 'breakout' },
      { action: 'strategy_disable', who, reason: 'too noisy', arg: 'breakout' },
      { action: 'unblock', who, reason: 'no reason given', arg: 'BTCUSDT' },
      { action: 'flatten', who, reason: 'no reason given', arg: 'ETHUSDT' },
    ]);
    expect(operatorEntries(fixture!)).toBe(8);
  });

  it('S1-15 answers typed 400s with every problem for bad bodies, parameters and query values, and keeps serving', async () => {
    const { url } = await start();
    const bad = async (path: string, init: Parameters<typeof call>[1]): Promise<ReadonlyArray<{ path: string; message: string }>> => {
      const res = await call(`${url}${path}`, { token: TOKEN, ...init });
      expect(res.status, `${path} ${JSON.stringify(init)}`).toBe(400);
      const body = res.json() as { error: string; problems: Array<{ path: string; message: string }> };
      expect(body.error).toBe('bad_request');
      expect(body.problems.length).toBeGreaterThan(0);
      expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);
      return body.problems;
    };
    expect(await bad('/control/kill', { json: {} })).toEqual([{ path: 'body.reason', message: expect.any(String) as string }]);
    expect((await bad('/control/kill', { json: { reason: '' } }))[0]!.path).toBe('body.reason');
    expect((await bad('/control/kill', { json: { reason: 'x'.repeat(501) } }))[0]!.message).toMatch(/500/);
    expect(await bad('/control/kill', { json: { reason: 'ok', flatten: 'yes' } })).toEqual([{ path: 'body.flatten', message: expect.any(String) as string }]);
    expect((await bad('/control/kill', { json: { reason: 'ok', force: true } }))[0]!.path).toBe('body.force');
    expect((await bad('/control/kill', { json: [1, 2] })).length).toBe(1);
    await bad('/control/kill', { json: 'kill' });
    await bad('/control/kill', { body: '{"reason": ', headers: { 'content-type': 'application/json' } });
    expect((await bad('/control/resume', { body: '', headers: { 'content-type': 'application/json' } }))[0]!.message).toMatch(/empty/);
    expect((await bad('/control/flatten/BTC%20USDT', { json: {} }))[0]!.path).toBe('params.symbol');
    expect((await bad('/control/strategies/..%2Fx/enable', { json: { reason: 7 } })).map((p) => p.path)).toEqual(['params.id', 'body.reason']);
    for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'after=-1', 'after=1.5', 'after=1e3', 'account=..%2Fmain', 'limit=5&limit=6', 'extra=1']) await bad(`/journal?${q}`, {});
    expect(await bad('/journal?account=other', {})).toEqual([{ path: 'query.account', message: 'no account other in this session (accounts: main)' }]);
    await bad('/events', { headers: { 'last-event-id': 'abc' } });
    // CSRF: a control request that is not declared JSON (a cross-site form can send these) is refused unread.
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await call(`${url}/control/kill`, { token: TOKEN, body: 'reason=csrf', headers: { 'content-type': type } });
      expect(res.status).toBe(415);
      expect(res.json()).toMatchObject({ error: 'unsupported_media_type' });
    }
    expect((await call(`${url}/control/kill`, { token: TOKEN, method: 'POST' })).status).toBe(415);
    expect((await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'x'.repeat(20_000) } })).status).toBe(413);
    expect(fixture!.calls).toEqual([]);
    expect((await call(`${url}/health`)).status).toBe(200);
  });

  it('X-SEC-12 limits control requests to server.controlPerMinute per address across routes: 429 with Retry-After', async () => {
    let now = 1_700_000_000_000;
    const { url } = await start({ server: { controlPerMinute: 3 }, clock: { now: () => now } });
    expect((await call(`${url}/control/resume`, { token: TOKEN, json: {} })).status).toBe(409);
    expect((await call(`${url}/control/unblock`, { token: TOKEN, json: {} })).status).toBe(404);
    expect((await call(`${url}/control/symbols/X/unblock`, { token: TOKEN, json: {} })).status).toBe(409);
    expect((await call(`${url}/control/flatten/BTCUSDT`, { token: TOKEN, json: {} })).status).toBe(200);
    const limited = await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'one too many' } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({ error: 'rate_limited' });
    // Unauthenticated attempts spend the same budget: guessing tokens is limited too.
    expect((await call(`${url}/control/kill`, { json: { reason: 'guess' } })).status).toBe(429);
    expect(fixture!.calls.map((c) => c.action)).toEqual(['resume', 'unblock', 'flatten']);
    now += 60_000;
    expect((await call(`${url}/control/kill`, { token: TOKEN, json: { reason: 'next minute' } })).status).toBe(200);
  });

  it('S2-21 serves robots.txt disallowing everything and sends X-Robots-Tag: noindex on every answer', async () => {
    const { url } = await start();
    const robots = await call(`${url}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(robots.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(robots.text).toBe('User-agent: *\nDisallow: /\n');
    for (const res of [robots, await call(`${url}/health`), await call(`${url}/status`), await call(`${url}/nowhere`), await call(`${url}/login`), await call(`${url}/status`, { token: TOKEN })]) {
      expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers unknown routes with a 404 JSON and a failing source with a 500 that carries no stack or cause', async () => {
    fixture = opsFixture();
    const broken = {
      ...fixture.source,
      status: (): never => {
        throw new Error('status exploded at /secret/path.ts:12');
      },
    };
    running = await startTestServer({ ...fixture, source: broken });
    const { url, logLines } = running;
    const missing = await call(`${url}/nowhere?x=1`, { token: TOKEN });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', detail: 'no route GET /nowhere' });
    expect((await call(`${url}/status`, { method: 'DELETE', token: TOKEN })).status).toBe(404);
    const failed = await call(`${url}/status`, { token: TOKEN });
    expect(failed.status).toBe(500);
    expect(failed.json()).toEqual({ error: 'internal_error', detail: 'the request failed; the server log has the cause' });
    expect(failed.text).not.toMatch(/exploded|secret|\.ts/);
    expect((await call(`${url}/health`)).json()).toEqual({ ok: true, phase: 'unknown' });
    // A scrape without the status figures, not a failed scrape.
    expect((await call(`${url}/metrics`, { token: TOKEN })).status).toBe(200);
    expect(logLines.some((l) => l.includes('ops_request_failed') && l.includes('status exploded'))).toBe(true);
  });

  it('X-OBS-1 tails the journal after a seq, at most limit entries, of the named account', async () => {
    const { url } = await start();
    for (let i = 0; i < 5; i++) fixture!.journal.append('operator', 'OPERATOR_CONTROL', { action: 'resume', who: 'cli', reason: `r${i}` });
    const tail = await call(`${url}/journal?after=2&limit=2&account=main`, { token: TOKEN });
    expect(tail.status).toBe(200);
    const body = tail.json() as { account: string; entries: Array<{ seq: number; type: string; payload: { reason: string }; hash: string }> };
    expect(body.account).toBe('main');
    expect(body.entries.map((e) => [e.seq, e.payload.reason])).toEqual([[3, 'r2'], [4, 'r3']]);
    expect(body.entries[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const all = (await call(`${url}/journal`, { token: TOKEN })).json() as { entries: unknown[] };
    expect(all.entries).toHaveLength(5);
  });

  it('X-OBS-4 answers /status with the source status view as JSON, figures as decimal strings', async () => {
    const { url } = await start();
    const res = await call(`${url}/status`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(fixture!.state.status)));
    expect((res.json() as { positions: Array<{ quantity: unknown }> }).positions[0]!.quantity).toBe('0.010');
    expect(statusProblems(res.json())).toEqual([]);
    expect(statusProblems({ ...(res.json() as object), pnl: { realized: 250.5 } })).toEqual(expect.arrayContaining([expect.stringMatching(/^pnl\.realized/), expect.stringMatching(/^pnl\.fees/)]) as string[]);
  });
});
