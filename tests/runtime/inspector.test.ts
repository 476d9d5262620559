import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { runSession } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { startInspectorRelay } from '../../src/runtime/inspector.ts';

interface Frame {
  type: string;
  snapshot?: { value?: { lifecycle?: unknown }; context?: Record<string, unknown> };
  event?: { type?: string };
}

describe('X-RT-11 live inspector relay', () => {
  it('streams a snapshot frame for every journaled transition of the trade actors, bound to 127.0.0.1, with no secret in any frame', async () => {
    const canary = 'canary-inspector-SECRET-7f3a9c';
    loadSecrets({ TW_BYBIT_API_SECRET: canary });
    const relay = await startInspectorRelay({ port: 0 });
    expect(relay.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const frames: Frame[] = [];
    const raw: string[] = [];
    const viewer = new WebSocket(relay.url);
    await new Promise<void>((resolve, reject) => {
      viewer.once('open', () => resolve());
      viewer.once('error', reject);
    });
    let notify: (() => void) | undefined;
    viewer.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      raw.push(text);
      frames.push(JSON.parse(text) as Frame);
      notify?.();
    });
    const loaded = loadConfigFile('config/default.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const result = await runSession({
      config: loaded.right.config, configHash: loaded.right.hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-insp-')), version: 'test', commit: null,
      progress: () => undefined, inspect: relay.inspect,
    });
    const db = new Database(result.journals['main'], { readonly: true });
    const transitions = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM events WHERE type = 'ACTOR_EVENT'").get()!.n;
    db.close();
    const tradeSnapshots = () => frames.filter((f) => f.type === '@xstate.snapshot' && f.snapshot?.value?.lifecycle !== undefined);
    // Event-driven wait: resolve as soon as the relay delivered a trade snapshot for every journaled transition.
    await new Promise<void>((resolve) => {
      notify = () => {
        if (tradeSnapshots().length >= transitions) resolve();
      };
      notify();
    });
    expect(transitions).toBeGreaterThan(10);
    const lifecycles = new Set(tradeSnapshots().map((f) => JSON.stringify(f.snapshot?.value?.lifecycle)));
    for (const state of ['"submitting"', '"working"', '{"opened":"protecting"}', '{"opened":"protected"}', '{"closed":"cooldown"}', '"idle"']) {
      expect(lifecycles.has(state), state).toBe(true);
    }
    expect(frames.some((f) => f.type === '@xstate.actor')).toBe(true);
    expect(raw.join('\n')).not.toContain(canary);
    viewer.close();
    await relay.close();
  });
});
