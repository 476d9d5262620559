/**
 * The signal webhook in a real loopback PAPER session (issue 16 item 1; S0-3, X-SEC-1): the session's own operations
 * server takes `POST /signals/CRYPTORAKETEN` signed with the source's secret. Before the intake runs (the gate still
 * closed) it answers 503 with Retry-After and journals nothing; once it runs, a signal is journaled SIGNAL_RECEIVED
 * (via webhook) before its SIGNAL_HANDLED, answered `accepted`, and its repeat is a duplicate journaled once. Without
 * the source's secret the session does not start (MissingCredentials, which `run` maps to exit 2).
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import type { VenueRuntime } from '../../src/runtime/VenueRuntime.ts';
import type { AppConfig } from '../../src/config/schema.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import { call } from './opsFixture.ts';

const TOKEN = 'webhook-session-token-51c0';
const SECRET = 'session-webhook-secret-89ab0123456789abcdef0123';
const SIGNAL = ['#BTCUSDT LONG SWING', 'Entry: 17200', 'TP1: 17370', 'SL: 17030'].join('\n');

// At ×500 a wall stall of 0.6 s under CI load ages the account snapshot 300 venue seconds: the limits are widened so
// this test judges the intake, not the staleness breaker (tests/risk proves that). The same stall makes the mid jump
// between two quotes; the market-quality guards' jump limits are widened for the same reason.
const base = loopbackConfig({ speed: 500, maxAgeMs: { quote: 600_000, bar: 1_800_000, account: 3_600_000 } });
const config: AppConfig = {
  ...base,
  risk: { ...base.risk, marketQuality: { ...base.risk.marketQuality, sigmaLimit: 100, jumpWithoutVolumeFraction: 1 } },
  profile: 's0-bybit-signal',
  strategies: { ...demo.config.strategies, breakout: { ...demo.config.strategies.breakout, enabled: false } },
  schedules: { ...base.schedules, entries: [] },
  server: { ...base.server, enabled: true, port: 0 },
  signals: {
    ...base.signals, enabled: true, maxAgeMs: 600_000,
    sources: [{ name: 'CRYPTORAKETEN', via: 'webhook' }, { name: 'LUX_LEAK', via: 'replay' }, { name: 'SMART_CRYPTO', via: 'replay' }],
  },
};

const deferred = <T>() => {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

/** Posts a message signed as a sender does, at the wall clock's second (the server's clock). */
const postSigned = (url: string, json: unknown) => {
  const body = JSON.stringify(json);
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
  return call(`${url}/signals/CRYPTORAKETEN`, { body, headers: { 'content-type': 'application/json', 'x-tradewarden-timestamp': ts, 'x-tradewarden-signature': `sha256=${signature}` } });
};

const signalRows = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { seq: number; type: string; payload: string }>("SELECT seq, type, payload FROM events WHERE type IN ('SIGNAL_RECEIVED','SIGNAL_HANDLED') ORDER BY seq").all()
      .map((r) => ({ seq: r.seq, type: r.type, ...(JSON.parse(r.payload) as { key: string; via?: string; outcome?: string }) }));
  } finally {
    db.close();
  }
};

let runtime: VenueRuntime | undefined;

/** Resolves once the session's market view of BTCUSDT holds a closed 1-minute bar (the stream's first). */
const barClosed = async (): Promise<void> => {
  while (runtime?.views(0, new Map()).market.symbols['BTCUSDT']?.lastBarCloseTs === undefined) {
    await new Promise<void>((resolve) => setTimeout(resolve, 10));
  }
};

describe('signal webhook in a loopback session', () => {
  it('S0-3 X-SEC-1 503 before the intake runs, then a signed signal is journaled before its outcome and answered accepted; its repeat is a duplicate', async () => {
    const stop = new AbortController();
    const ops = deferred<string>();
    const started = deferred<undefined>();
    let early: { status: number; retryAfter: string | null } | undefined;
    const run = runSession({
      wire: true, config, configHash: demo.hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-webhook-session-')), version: 't', commit: null, progress: () => undefined,
      barLimit: 1_200, maxWallMs: 60_000, signal: stop.signal, secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN, TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN: SECRET }),
      onOps: ({ serverUrl }) => ops.resolve(serverUrl ?? 'no server'),
      // Recovery is done, the gate and the intake are not started yet.
      beforeGate: async () => {
        const res = await postSigned(await ops.promise, { id: 'early', text: SIGNAL });
        early = { status: res.status, retryAfter: res.headers.get('retry-after') };
      },
      onStarted: (runtimes) => {
        runtime = runtimes.get('main');
        started.resolve(undefined);
      },
    });
    let answers: unknown[] | undefined;
    try {
      const ended = run.then((r) => Promise.reject(new Error(`the session ended first: ${JSON.stringify(r.summary)}`)));
      await Promise.race([started.promise, ended]);
      // The RiskEngine judges a signal only on a market with a closed 1-minute bar (its staleness rule): wait for the
      // stream's first one, as a signal arriving before it would be vetoed, not refused by the webhook.
      await Promise.race([barClosed(), ended]);
      const url = await ops.promise;
      answers = [await postSigned(url, { id: 'w1', text: SIGNAL }), await postSigned(url, { id: 'w1', text: SIGNAL })].map((r) => [r.status, r.json()]);
    } finally {
      stop.abort();
    }
    const result = await run;
    expect(early).toEqual({ status: 503, retryAfter: '5' });
    expect(answers, JSON.stringify(signalRows(result.journals['main']!))).toEqual([[200, { outcome: 'accepted' }], [200, { outcome: 'duplicate' }]]);
    const rows = signalRows(result.journals['main']!);
    expect(rows.map((r) => [r.type, r.key, r.via ?? r.outcome])).toEqual([
      ['SIGNAL_RECEIVED', 'CRYPTORAKETEN:w1', 'webhook'],
      ['SIGNAL_HANDLED', 'CRYPTORAKETEN:w1', 'accepted'],
    ]);
  }, 60_000);

  it('X-SEC-1 S0-3 a webhook source without its secret refuses the start with MissingCredentials naming the variable', async () => {
    const failure = await runSession({
      wire: true, config, configHash: demo.hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-webhook-nosecret-')), version: 't', commit: null, progress: () => undefined,
      barLimit: 100, maxWallMs: 20_000, secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN }),
    }).then(() => undefined, (e: unknown) => e);
    expect(failure).toMatchObject({ name: 'MissingCredentials', message: expect.stringContaining('TW_SIGNAL_WEBHOOK_SECRET_CRYPTORAKETEN') as unknown });
  }, 30_000);
});
