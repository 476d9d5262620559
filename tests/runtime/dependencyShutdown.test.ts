/**
 * X-RSK-6 `dependencies.onDown`: with `shutdown`, a session whose venue streams stay down for `shutdownAfterMs` stops
 * gracefully on its own (stoppedBy dependency_down, journal intact); with `pause` it keeps running with entries vetoed.
 * Real session over the real adapter against an external simulator on loopback, which is stopped under it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { runSim } from '../../src/app/sim.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { withAccount } from '../support/configs.ts';

const loaded = loadConfigFile('config/paper-loopback.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

const sessionOn = async (onDown: 'pause' | 'shutdown') => {
  const sim = await runSim({ venue: 'bybit', port: 0, speed: 600, seed: 5 });
  const config = {
    ...withAccount(base, { simUrl: sim.server.url }),
    risk: { ...base.risk, dependencies: { ...base.risk.dependencies, onDown, shutdownAfterMs: 300 } },
  };
  let stopped = false;
  const result = await runSession({
    config, configHash: hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-dep-')), version: 'test', commit: null, progress: () => undefined,
    // A pause session never stops by itself: the wall bound ends it.
    maxWallMs: onDown === 'pause' ? 4_000 : 60_000,
    onStarted: () => {
      // The venue goes away for good once trading started: both streams drop and cannot reconnect.
      void sim.stop().then(() => (stopped = true));
    },
  });
  return { result, stopped };
};

describe('X-RSK-6 a gating dependency that stays down', () => {
  it('X-RSK-6 onDown shutdown stops the session gracefully once the streams are down for shutdownAfterMs', async () => {
    const { result, stopped } = await sessionOn('shutdown');
    expect(stopped).toBe(true);
    expect(result.summary['stoppedBy']).toBe('dependency_down');
    expect(result.summary['journalChainIntact']).toBe(true);
  }, 90_000);

  it('X-RSK-6 onDown pause keeps the session up until its own end (only the dependency rule reacts)', async () => {
    const { result } = await sessionOn('pause');
    expect(result.summary['stoppedBy']).toBe('max_wall_time');
  }, 90_000);
});
