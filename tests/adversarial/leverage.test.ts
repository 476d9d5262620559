/**
 * Issue 10, "a value the venue refuses at run time": a leverage the venue will not set blocks that symbol's entries
 * with an alert instead of trading anyway at whatever leverage the venue holds. Real parts: the in-process simulator
 * (ADAUSDT allows at most 75x there, BTCUSDT 100x) on the virtual clock, the journal on disk.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { withAccount } from '../support/configs.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { dec } from '../../src/domain/money.ts';

const loaded = loadConfigFile('config/default.yaml');
if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
const { config: base, hash } = loaded.right;

describe('X-SEC-8 X-ORD-8 a leverage the venue refuses at run time', () => {
  it('blocks that symbol with a CRITICAL alert and sends none of its entries, while the other symbol trades', async () => {
    const config = withAccount(base, { leverage: dec('80') });
    const result = await runSession({ config, configHash: hash, dataDir: mkdtempSync(join(tmpdir(), 'tw-lev-')), version: 'test', commit: null, progress: () => undefined });
    const db = new Database(result.journals['main'], { readonly: true });
    try {
      const blocked = db.prepare("SELECT stream, payload FROM events WHERE type = 'SYMBOL_BLOCKED'").all() as Array<{ stream: string; payload: string }>;
      expect(blocked.map((b) => b.stream)).toEqual(['trade:sim:ADAUSDT']);
      expect(JSON.parse(blocked[0]!.payload)).toMatchObject({ reason: expect.stringContaining('did not set leverage 80') as unknown });
      const requested = db.prepare("SELECT payload FROM events WHERE type = 'ORDER_REQUESTED'").all() as Array<{ payload: string }>;
      const bySymbol = (s: string): number => requested.filter((r) => (JSON.parse(r.payload) as { symbol: string }).symbol === s).length;
      expect(bySymbol('ADAUSDT')).toBe(0);
      expect(bySymbol('BTCUSDT')).toBeGreaterThan(0);
    } finally {
      db.close();
    }
    expect((result.summary['vetoes'] as Record<string, number>)['symbol_blocked']).toBeGreaterThan(0);
  });
});
