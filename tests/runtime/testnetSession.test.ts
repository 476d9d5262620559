/**
 * Issue 11 item 7: a testnet (or mainnet) account runs through the same session as the simulator runs — the real
 * adapter, credentials from the secrets gateway by the account's `envPrefix`, a persistent journal, the wall clock —
 * and tests point it at the simulator's façade by URL (`endpoint`, loopback only). Missing or wrong credentials end the
 * start with a readable, typed refusal and the gate closed.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { runSim, type RunningSim } from '../../src/app/sim.ts';
import { MissingCredentials } from '../../src/app/venues.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { withAccount } from '../support/configs.ts';

let sim: RunningSim;
beforeAll(async () => {
  // The façade on the wall clock (speed 1), as a venue's testnet runs.
  sim = await runSim({ venue: 'bybit', port: 0, speed: 1, seed: 9 });
});
afterAll(async () => {
  await sim.stop();
});

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;
const testnet = () => withAccount(base, { environment: 'testnet', endpoint: sim.server.url, symbols: ['BTCUSDT'], envPrefix: 'TW_BYBIT' });

describe('X-MOD-7 X-SEC-1 a testnet account through the one session', () => {
  it('X-MOD-7 PAPER on testnet: signs with the environment credentials, recovers, opens the gate with both streams live, keeps a persistent journal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-testnet-'));
    const stop = new AbortController();
    const progress: string[] = [];
    const result = await runSession({
      config: testnet(), configHash: hash, dataDir, version: 'test', commit: null, progress: (l) => progress.push(l),
      secrets: loadSecrets({ TW_BYBIT_API_KEY: 'sim-key-1', TW_BYBIT_API_SECRET: 'sim-secret-1' }),
      signal: stop.signal,
      onStarted: () => stop.abort(),
    });
    expect(result.summary['stoppedBy']).toBe('signal');
    expect(result.summary['venue']).toBe('bybit-testnet');
    expect(result.summary['clock']).toBe('wall');
    expect(progress.some((l) => l.startsWith('PAPER session') && l.includes('on bybit-testnet'))).toBe(true);
    const connections = result.summary['connections'] as { public: { sockets: number }; private: { sockets: number } };
    expect(connections.public.sockets).toBeGreaterThanOrEqual(1);
    expect(connections.private.sockets).toBeGreaterThanOrEqual(1);
    // ADR 0006: a venue that outlives the process keeps one journal per account in the data directory.
    const journal = join(dataDir, 'journal', 'bybit-main.sqlite');
    expect(result.journals['main']).toBe(journal);
    expect(existsSync(journal)).toBe(true);
    expect(verifyJournal(journal).ok).toBe(true);
  }, 60_000);

  it('X-SEC-1 a testnet account without its credentials is refused before anything is contacted, naming the variables', async () => {
    const attempt = runSession({
      config: testnet(), configHash: hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-testnet-')), version: 'test', commit: null, progress: () => undefined,
      secrets: loadSecrets({}),
    });
    await expect(attempt).rejects.toBeInstanceOf(MissingCredentials);
    await expect(attempt).rejects.toThrow(/venue account main .* needs TW_BYBIT_API_KEY and TW_BYBIT_API_SECRET in the environment/);
  });

  it('X-SEC-1 wrong credentials end the start with the gate closed (the venue refuses to sign them in)', async () => {
    const attempt = runSession({
      config: testnet(), configHash: hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-testnet-')), version: 'test', commit: null, progress: () => undefined,
      secrets: loadSecrets({ TW_BYBIT_API_KEY: 'sim-key-1', TW_BYBIT_API_SECRET: 'not-the-secret' }),
    });
    // The first read of the venue (judging the fresh journal against its activity) is refused: exit 4, nothing traded.
    await expect(attempt).rejects.toMatchObject({ _tag: 'VenueActivityUnknown' });
    await expect(attempt).rejects.toThrow(/cannot read the venue .*auth/);
  }, 60_000);
});
