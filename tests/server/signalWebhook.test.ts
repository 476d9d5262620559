/**
 * The signal webhook (issue 16 item 1; S0-3, X-SEC-1, X-SEC-4) on a real operations server on 127.0.0.1 over the real
 * signal intake (startSignalIntake on a real journal; its venue and decision loop are stand-ins that list BTCUSDT and
 * approve): a signed message is journaled before it is acted on and before the 200; a repeated id is a duplicate
 * journaled once; a bad or stale signature, missing headers, an unknown source, a malformed body, an intake that has
 * not started and a spent budget are each refused with their status and journal nothing; a source without its secret
 * refuses the start.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { makeAlertRouter } from '../../src/alerts/AlertRouter.ts';
import { startSignalIntake, webhookSecretsOf, type SignalIntake } from '../../src/app/signalIntake.ts';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { loadSecrets, SIGNAL_WEBHOOK_SECRET_VARIABLE } from '../../src/config/secrets.ts';
import { openJournal, type Journal } from '../../src/journal/Journal.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import type { SignalReceiver } from '../../src/ops/types.ts';
import type { RiskDecision } from '../../src/risk/RiskEngine.ts';
import { startOpsServer, type OpsServer } from '../../src/server/OpsServer.ts';
import { OpsMetrics } from '../../src/server/OpsMetrics.ts';
import { bybitLinearInstrument } from '../../src/venues/sim/engine/SimExchange.ts';
import type { Venue } from '../../src/venues/Venue.ts';
import { call, opsFixture, TOKEN, type OpsFixture } from './opsFixture.ts';

const NOW = Date.parse('2026-01-05T09:30:00Z');
const SECRET = 'webhook-secret-0123456789abcdef0123456789abcdef';
const OTHER_SECRET = 'another-secret-0123456789abcdef0123456789abcdef';
const SOURCES = [
  { name: 'CRYPTORAKETEN', via: 'webhook' as const },
  { name: 'LUX_LEAK', via: 'webhook' as const },
  { name: 'SMART_CRYPTO', via: 'replay' as const },
];
const SIGNAL = ['#BTCUSDT LONG SWING', 'Entry: 17200', 'TP1: 17370', 'SL: 17030'].join('\n');

const configOf = (patch: { readonly sources?: typeof SOURCES; readonly serverEnabled?: boolean; readonly enabled?: boolean; readonly perMinute?: number } = {}): AppConfig => {
  const base = decodeDefaults(AppConfig);
  return {
    ...base,
    profile: 's0-bybit-signal',
    server: { ...base.server, enabled: patch.serverEnabled ?? true, port: 0 },
    signals: { ...base.signals, enabled: patch.enabled ?? true, sources: patch.sources ?? SOURCES, maxAgeMs: 600_000, webhookPerMinute: patch.perMinute ?? 60 },
  };
};

/** Signs `body` as a sender does: HMAC-SHA256 over `<timestamp>.<body>`. */
const sign = (body: string, timestamp: number, secret = SECRET): Record<string, string> => ({
  'x-tradewarden-timestamp': String(timestamp),
  'x-tradewarden-signature': `sha256=${createHmac('sha256', secret).update(`${String(timestamp)}.${body}`).digest('hex')}`,
});

interface Running {
  readonly url: string;
  readonly journal: Journal;
  readonly clock: VirtualClock;
  readonly logLines: string[];
  /** What the decision loop was asked, and what the journal held then. */
  readonly acted: Array<{ readonly symbol: string; readonly receivedBefore: number }>;
  /** Sets whether the intake is running (the session sets it once the intake has started). */
  readonly setRunning: (on: boolean) => void;
  readonly post: (source: string, body: string, headers?: Record<string, string>) => ReturnType<typeof call>;
  readonly postSigned: (source: string, json: unknown, opts?: { readonly at?: number; readonly secret?: string }) => ReturnType<typeof call>;
}

let fixture: OpsFixture | undefined;
let server: OpsServer | undefined;
let intake: SignalIntake | undefined;
let journal: Journal | undefined;
afterEach(async () => {
  intake?.stop();
  await server?.close();
  journal?.close();
  fixture?.close();
  fixture = server = intake = journal = undefined;
});

const start = async (config: AppConfig = configOf()): Promise<Running> => {
  const clock = new VirtualClock(NOW);
  const logLines: string[] = [];
  const logger = createLogger({ level: 'trace', clock, targets: { memory: logLines } });
  journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-webhook-')), 'main.sqlite'), clock });
  const j = journal;
  const acted: Array<{ readonly symbol: string; readonly receivedBefore: number }> = [];
  const scheduler = virtualScheduler(clock);
  const venue = { instruments: () => Effect.succeed([bybitLinearInstrument('BTCUSDT')]) } as unknown as Venue;
  intake = await startSignalIntake({
    config, journal: j, venue, scheduler, clock, logger, alerts: makeAlertRouter({ clock, scheduler, channels: [] }),
    loop: {
      decideExternal: (proposal) => {
        acted.push({ symbol: proposal.symbol, receivedBefore: [...j.readEvents({ type: 'SIGNAL_RECEIVED' })].length });
        return { kind: 'approve', decisionId: `rd-${String(acted.length)}` } as unknown as RiskDecision;
      },
    },
  });
  const started = intake;
  let running = true;
  const receiver: SignalReceiver = { receive: (m) => started.receiveWebhook(m) };
  fixture = opsFixture();
  const secrets = loadSecrets({ TW_CONTROL_TOKEN: TOKEN, TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN: SECRET, TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK: OTHER_SECRET });
  server = await startOpsServer({
    source: fixture.source, server: config.server, secrets, clock, logger, metrics: new OpsMetrics(),
    signals: { sources: webhookSecretsOf(config, secrets), perMinute: config.signals.webhookPerMinute, toleranceMs: config.signals.webhookToleranceMs, receiver: () => (running ? receiver : undefined) },
  });
  const url = server.url;
  const post = (source: string, body: string, headers: Record<string, string> = {}) =>
    call(`${url}/signals/${source}`, { body, headers: { 'content-type': 'application/json', ...headers } });
  return {
    url, journal: j, clock, logLines, acted, setRunning: (on) => (running = on), post,
    postSigned: (source, json, opts = {}) => {
      const body = JSON.stringify(json);
      return post(source, body, sign(body, Math.floor((opts.at ?? clock.now()) / 1000), opts.secret ?? SECRET));
    },
  };
};

const signalEntries = (j: Journal) =>
  [...j.readEvents({})].filter((e) => e.type.startsWith('SIGNAL_')).map((e) => ({ seq: e.seq, type: e.type, ...(e.payload as { key: string; via?: string; outcome?: string; postedAt?: number; text?: string }) }));

describe('signal webhook POST /signals/<source>', () => {
  it('S0-3 X-SEC-4 a signed signal is journaled before it is acted on and before the 200 accepted', async () => {
    const r = await start();
    const res = await r.postSigned('CRYPTORAKETEN', { id: 'w1', text: SIGNAL });
    expect(res.status, res.text).toBe(200);
    expect(res.json()).toEqual({ outcome: 'accepted' });
    // By the time the 200 arrived, both entries were committed, the received one first (write-ahead).
    const entries = signalEntries(r.journal);
    expect(entries.map((e) => [e.type, e.key, e.via ?? e.outcome])).toEqual([
      ['SIGNAL_RECEIVED', 'CRYPTORAKETEN:w1', 'webhook'],
      ['SIGNAL_HANDLED', 'CRYPTORAKETEN:w1', 'accepted'],
    ]);
    expect(entries[0]!.seq).toBeLessThan(entries[1]!.seq);
    expect(entries[0]!.text).toBe(SIGNAL);
    // Without postedAt the message was posted when it was received (the session clock).
    expect(entries[0]!.postedAt).toBe(NOW);
    // The decision loop was asked once, after the message had been journaled.
    expect(r.acted).toEqual([{ symbol: 'BTCUSDT', receivedBefore: 1 }]);
    const log = r.logLines.join('\n');
    expect(log).toMatch(/signal_webhook_received.*"source":"CRYPTORAKETEN".*"outcome":"accepted"/);
    expect(log).not.toContain(SECRET);
  });

  it('S0-3 the same id again is a duplicate, journaled once and not acted on again, even with another text', async () => {
    const r = await start();
    expect((await r.postSigned('CRYPTORAKETEN', { id: 'w1', text: SIGNAL })).json()).toEqual({ outcome: 'accepted' });
    const again = await r.postSigned('CRYPTORAKETEN', { id: 'w1', text: SIGNAL });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ outcome: 'duplicate' });
    expect((await r.postSigned('CRYPTORAKETEN', { id: 'w1', text: `${SIGNAL}\nTP2: 17500` })).json()).toEqual({ outcome: 'duplicate' });
    expect(signalEntries(r.journal).filter((e) => e.type === 'SIGNAL_RECEIVED')).toHaveLength(1);
    expect(r.acted).toHaveLength(1);
    // The same id from another source is another message.
    expect((await r.postSigned('LUX_LEAK', { id: 'w1', text: SIGNAL }, { secret: OTHER_SECRET })).status).toBe(200);
    expect(signalEntries(r.journal).filter((e) => e.type === 'SIGNAL_RECEIVED').map((e) => e.key)).toEqual(['CRYPTORAKETEN:w1', 'LUX_LEAK:w1']);
  });

  it('S0-3 a refused text and a stale postedAt are answered with their outcome, each journaled', async () => {
    const r = await start();
    const fast = await r.postSigned('CRYPTORAKETEN', { id: 'f1', text: SIGNAL.replace('SWING', 'FAST') });
    expect(fast.json()).toEqual({ outcome: 'refused' });
    const old = await r.postSigned('CRYPTORAKETEN', { id: 'o1', text: SIGNAL, postedAt: new Date(NOW - 700_000).toISOString() });
    expect(old.json()).toEqual({ outcome: 'stale' });
    const entries = signalEntries(r.journal);
    expect(entries.find((e) => e.key === 'CRYPTORAKETEN:o1' && e.type === 'SIGNAL_RECEIVED')!.postedAt).toBe(NOW - 700_000);
    expect(entries.filter((e) => e.type === 'SIGNAL_HANDLED').map((e) => [e.key, e.outcome])).toEqual([['CRYPTORAKETEN:f1', 'refused'], ['CRYPTORAKETEN:o1', 'stale']]);
    expect(r.acted).toHaveLength(0);
  });

  it('X-SEC-4 S0-3 a bad signature, a tampered body, a stale or future timestamp and missing headers get 401 and journal nothing', async () => {
    const r = await start();
    const body = JSON.stringify({ id: 'x1', text: SIGNAL });
    const ts = Math.floor(NOW / 1000);
    const signed = sign(body, ts);
    const cases: ReadonlyArray<{ readonly name: string; readonly body: string; readonly headers: Record<string, string>; readonly reason: string }> = [
      { name: 'another secret', body, headers: sign(body, ts, OTHER_SECRET), reason: 'bad_signature' },
      { name: 'tampered body', body: body.replace('17200', '17300'), headers: signed, reason: 'bad_signature' },
      { name: 'timestamp changed after signing', body, headers: { ...signed, 'x-tradewarden-timestamp': String(ts + 1) }, reason: 'bad_signature' },
      { name: 'signature without sha256=', body, headers: { ...signed, 'x-tradewarden-signature': signed['x-tradewarden-signature']!.slice(7) }, reason: 'bad_signature' },
      { name: 'truncated signature', body, headers: { ...signed, 'x-tradewarden-signature': signed['x-tradewarden-signature']!.slice(0, -2) }, reason: 'bad_signature' },
      { name: 'timestamp 301 s old', body, headers: sign(body, ts - 301), reason: 'stale_timestamp' },
      { name: 'timestamp 301 s ahead', body, headers: sign(body, ts + 301), reason: 'stale_timestamp' },
      { name: 'timestamp in ms', body, headers: sign(body, NOW), reason: 'bad_timestamp' },
      { name: 'timestamp not a number', body, headers: { ...signed, 'x-tradewarden-timestamp': '2026-01-05T09:30:00Z' }, reason: 'bad_timestamp' },
      { name: 'no signature', body, headers: { 'x-tradewarden-timestamp': String(ts) }, reason: 'missing_headers' },
      { name: 'no timestamp', body, headers: { 'x-tradewarden-signature': signed['x-tradewarden-signature']! }, reason: 'missing_headers' },
      { name: 'no headers', body, headers: {}, reason: 'missing_headers' },
    ];
    for (const c of cases) {
      const res = await r.post('CRYPTORAKETEN', c.body, c.headers);
      expect(res.status, c.name).toBe(401);
      expect(res.json(), c.name).toMatchObject({ error: 'unauthorized' });
    }
    expect(signalEntries(r.journal)).toEqual([]);
    expect(r.acted).toEqual([]);
    // Each refusal is logged with the source, the client address and why; never the body, the signature or the secret.
    const refusals = r.logLines.filter((l) => l.includes('signal_webhook_unauthorized')).map((l) => JSON.parse(l) as { source: string; address: string; reason: string });
    expect(refusals.map((l) => l.reason)).toEqual(cases.map((c) => c.reason));
    expect(refusals.every((l) => l.source === 'CRYPTORAKETEN' && l.address === '127.0.0.1')).toBe(true);
    const log = r.logLines.join('\n');
    for (const secretish of [SECRET, OTHER_SECRET, signed['x-tradewarden-signature']!.slice(7), 'Entry: 17200']) expect(log).not.toContain(secretish);
    // At exactly the tolerance (300 s) the request is still taken.
    expect((await r.post('CRYPTORAKETEN', body, sign(body, ts - 300))).json()).toEqual({ outcome: 'accepted' });
  });

  it('S0-3 an unknown source or a source that is not via webhook is 404, a wrong media type 415; nothing is journaled', async () => {
    const r = await start();
    for (const source of ['NOBODY', 'SMART_CRYPTO', 'cryptoraketen']) {
      const res = await r.postSigned(source, { id: 'u1', text: SIGNAL });
      expect(res.status, source).toBe(404);
      expect(res.json()).toMatchObject({ error: 'not_found' });
    }
    const body = JSON.stringify({ id: 'u2', text: SIGNAL });
    const form = await call(`${r.url}/signals/CRYPTORAKETEN`, { body, headers: { 'content-type': 'text/plain', ...sign(body, Math.floor(NOW / 1000)) } });
    expect(form.status).toBe(415);
    expect(signalEntries(r.journal)).toEqual([]);
  });

  it('S0-3 a malformed body is a 400 naming each field, after the signature, and journals nothing', async () => {
    const r = await start();
    const cases: ReadonlyArray<{ readonly json: unknown; readonly paths: ReadonlyArray<string> }> = [
      { json: { id: 'm1' }, paths: ['body.text'] },
      { json: { text: SIGNAL }, paths: ['body.id'] },
      { json: { id: '', text: '' }, paths: ['body.id', 'body.text'] },
      { json: { id: 'x'.repeat(65), text: SIGNAL }, paths: ['body.id'] },
      { json: { id: 'm1', text: 'x'.repeat(8193) }, paths: ['body.text'] },
      { json: { id: 'm1', text: SIGNAL, postedAt: 'yesterday' }, paths: ['body.postedAt'] },
      { json: { id: 'm1', text: SIGNAL, postedAt: '2026-01-05T09:30:00' }, paths: ['body.postedAt'] },
      { json: { id: 7, text: SIGNAL }, paths: ['body.id'] },
      { json: { id: 'm1', text: SIGNAL, chat: 'x' }, paths: ['body.chat'] },
      { json: [SIGNAL], paths: ['body'] },
    ];
    for (const c of cases) {
      const res = await r.postSigned('CRYPTORAKETEN', c.json);
      expect(res.status, JSON.stringify(c.json).slice(0, 60)).toBe(400);
      const answer = res.json() as { error: string; problems: Array<{ path: string; message: string }> };
      expect(answer.error).toBe('bad_request');
      expect(answer.problems.map((p) => p.path).sort(), JSON.stringify(answer)).toEqual([...c.paths].sort());
    }
    const notJson = '{"id": "m1", "text": ';
    const res = await r.post('CRYPTORAKETEN', notJson, sign(notJson, Math.floor(NOW / 1000)));
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: 'bad_request', problems: [{ path: '(body)', message: expect.stringMatching(/^not JSON/) as unknown }] });
    expect(signalEntries(r.journal)).toEqual([]);
  });

  it('S0-3 while the intake is not running the route answers 503 with Retry-After and journals nothing', async () => {
    const r = await start();
    r.setRunning(false);
    const res = await r.postSigned('CRYPTORAKETEN', { id: 'n1', text: SIGNAL });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.json()).toMatchObject({ error: 'not_ready' });
    expect(signalEntries(r.journal)).toEqual([]);
    // The sender retries once the intake runs; the message is taken then, once.
    r.setRunning(true);
    expect((await r.postSigned('CRYPTORAKETEN', { id: 'n1', text: SIGNAL })).json()).toEqual({ outcome: 'accepted' });
  });

  it('S0-3 each source and client address has its own budget of signals.webhookPerMinute; more get 429', async () => {
    const r = await start(configOf({ perMinute: 3 }));
    for (let i = 0; i < 3; i += 1) expect((await r.postSigned('CRYPTORAKETEN', { id: `r${String(i)}`, text: SIGNAL })).status).toBe(200);
    const over = await r.postSigned('CRYPTORAKETEN', { id: 'r3', text: SIGNAL });
    expect(over.status).toBe(429);
    expect(over.json()).toMatchObject({ error: 'rate_limited' });
    // Another source's budget is untouched, and the window turns on the server's clock.
    expect((await r.postSigned('LUX_LEAK', { id: 'r0', text: SIGNAL }, { secret: OTHER_SECRET })).status).toBe(200);
    r.clock.advanceBy(61_000);
    expect((await r.postSigned('CRYPTORAKETEN', { id: 'r3', text: SIGNAL })).status).toBe(200);
    expect(signalEntries(r.journal).filter((e) => e.type === 'SIGNAL_RECEIVED').map((e) => e.key)).toEqual(['CRYPTORAKETEN:r0', 'CRYPTORAKETEN:r1', 'CRYPTORAKETEN:r2', 'LUX_LEAK:r0', 'CRYPTORAKETEN:r3']);
  });
});

describe('webhook secrets (X-SEC-1)', () => {
  it('X-SEC-1 S0-3 a webhook source without its secret refuses the start with MissingCredentials naming the variable', () => {
    const config = configOf();
    const fail = (secrets: Record<string, string>, serverEnabled = true): Error => {
      try {
        webhookSecretsOf(configOf({ serverEnabled }), loadSecrets(secrets));
      } catch (e) {
        return e as Error;
      }
      throw new Error('did not refuse');
    };
    const missing = fail({ TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN: SECRET });
    expect(missing.name).toBe('MissingCredentials');
    expect(missing.message).toContain('TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK');
    expect(missing.message).not.toContain(SECRET);
    const short = fail({ TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN: SECRET, TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK: 'short-secret' });
    expect(short.message).toMatch(/TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK is shorter than 32 characters/);
    expect(short.message).not.toContain('short-secret');
    // Served by the operations server only: a webhook source with the server off could never be read.
    expect(fail({ TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN: SECRET, TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK: OTHER_SECRET }, false).message).toMatch(/server\.enabled: true/);
    // Both secrets present: one per source. Signals off, or no webhook source: none needed.
    expect([...webhookSecretsOf(config, loadSecrets({ TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN: SECRET, TW_SIGNAL_WEBHOOK_SECRET_LUX_LEAK: OTHER_SECRET })).keys()]).toEqual(['CRYPTORAKETEN', 'LUX_LEAK']);
    expect(webhookSecretsOf(configOf({ enabled: false }), loadSecrets({})).size).toBe(0);
    expect(webhookSecretsOf(configOf({ sources: SOURCES.map((s) => ({ ...s, via: 'replay' as const })) as unknown as typeof SOURCES }), loadSecrets({})).size).toBe(0);
  });

  it('X-SEC-1 the gateway reads TW_SIGNAL_WEBHOOK_SECRET_<NAME> for any source name, and nothing else of that shape', () => {
    const secrets = loadSecrets({ TW_SIGNAL_WEBHOOK_SECRET_MY_DESK_2: SECRET, TW_SIGNAL_WEBHOOK_SECRETS: 'x', TW_SIGNAL_WEBHOOK_SECRET_lower: 'y' });
    expect(secrets.present).toEqual(['TW_SIGNAL_WEBHOOK_SECRET_MY_DESK_2']);
    expect(secrets.get('TW_SIGNAL_WEBHOOK_SECRET_MY_DESK_2')).toBeDefined();
    expect(JSON.stringify({ value: secrets.get('TW_SIGNAL_WEBHOOK_SECRET_MY_DESK_2') })).not.toContain(SECRET);
    expect(SIGNAL_WEBHOOK_SECRET_VARIABLE.test('TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN')).toBe(true);
    expect(() => secrets.get('TW_SIGNAL_WEBHOOK_SECRETS')).toThrow(/unknown secret variable/);
  });
});
