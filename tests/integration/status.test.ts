/**
 * `tradewarden status` through the built CLI (issue 14 item 7, X-OBS-4, X-OBS-3): from the state files a real
 * publisher wrote (with their age; readers never write), from the last run's summary, from a persistent journal, and
 * exit 1 with the places it looked when there is nothing; a server.json naming a dead pid or an unreachable URL falls
 * back or fails readably. The status read from a running instance's API is proved in tests/ops/stateFilesLoopback.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentJournalPath } from '../../src/app/accounts.ts';
import { Decimal } from '../../src/domain/money.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { startStatePublisher, writeServerFile } from '../../src/ops/stateFiles.ts';
import type { StatusReport } from '../../src/ops/statusReport.ts';
import { openRawJournal } from '../support/rawJournal.ts';
import { runCli } from '../support/runCli.ts';
import { opsSourceOf, sampleStatus } from '../support/statusViews.ts';

const dirs: string[] = [];
const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `tw-status-${name}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

/** Publishes the sample status into `<dataDir>/state` with the real publisher, once. */
const publishSample = (dataDir: string): void => {
  const now = wallClock.now();
  startStatePublisher({ dir: join(dataDir, 'state'), source: opsSourceOf(() => sampleStatus({ wallAt: now, heartbeat: { cycles: 7, lastCycleAt: now, wallLastCycleAt: now } })), schedule: () => () => undefined, now: () => now, everyMs: 2_000 }).stop();
};

const snapshot = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).map((f) => [f, `${String(statSync(join(dir, f)).mtimeMs)}:${readFileSync(join(dir, f), 'utf8')}`]));

describe('tradewarden status', () => {
  it('X-OBS-4 X-OBS-3 shows the state files as a table (mode, gate, accounts, connections, positions with TP/SL, orders, PnL, vetoes, heartbeat) and never writes them', async () => {
    const dataDir = tmp('files');
    publishSample(dataDir);
    const before = snapshot(join(dataDir, 'state'));
    const r = await runCli(['status', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(new RegExp(`^status from state files: ${join(dataDir, 'state')} \\(written \\d+ s ago\\)$`, 'm'));
    expect(out).toMatch(/^run demo-test {2}profile demo {2}mode PAPER {2}phase trading$/m);
    expect(out).toMatch(/^trading ON$/m);
    expect(out).toMatch(/^main +open +active +off +venue_rest=up venue_ws=up journal=up +ADAUSDT: blocked recovery: unknown position$/m);
    expect(out).toMatch(/^connections \(1\/2 live\)$/m);
    expect(out).toMatch(/^main +private +reconnecting +no$/m);
    expect(out).toMatch(/^main +BTCUSDT +long +0\.012 +64000\.5 +64100 +1\.194 +65000 +63000$/m);
    expect(out).toMatch(/^main +ETHUSDT +tw-demo-1-7 +buy +0\.5 +3000 +new$/m);
    expect(out).toContain('PnL: realized 12.5, fees 0.75, unrealized 1.194, equity 100012.5');
    expect(out).toContain('vetoes: staleness 2, symbol_cap 1');
    expect(out).toMatch(/^heartbeat: 7 cycles, last at \d{4}-\d\d-\d\dT/m);
    // Readers never write: the directory is byte for byte (and mtime for mtime) what the publisher left.
    expect(snapshot(join(dataDir, 'state'))).toEqual(before);

    const j = await runCli(['status', '--json', '--data-dir', dataDir]);
    expect(j.code).toBe(0);
    const doc = JSON.parse(j.stdout) as StatusReport;
    expect(doc).toMatchObject({
      source: { kind: 'state_files', where: join(dataDir, 'state') }, runId: 'demo-test', mode: 'PAPER', trading: { on: true, reasons: [] },
      positions: [{ symbol: 'BTCUSDT', takeProfit: '65000', stopLoss: '63000' }], workingOrders: [{ clientOrderId: 'tw-demo-1-7' }], counters: { trades: 1 },
    });
    expect(doc.source.ageSeconds).toBeGreaterThanOrEqual(0);
  });

  it('X-OBS-4 a server.json naming a dead pid falls back to the state files with a note; a damaged surface is named, the rest shown', async () => {
    const dataDir = tmp('deadpid');
    publishSample(dataDir);
    writeServerFile(join(dataDir, 'state'), { url: 'http://127.0.0.1:9', pid: 2 ** 22 + 11, startedAt: wallClock.now() });
    writeFileSync(join(dataDir, 'state', 'kpis.json'), '{"schema_version": 1, "upd');
    const r = await runCli(['status', '--data-dir', dataDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`note: ${join(dataDir, 'state', 'server.json')} names pid ${String(2 ** 22 + 11)}, which is not running`);
    expect(r.stdout).toMatch(/^note: .*kpis\.json is not JSON/m);
    expect(r.stdout).toMatch(/^main +BTCUSDT +long /m);
  });

  it('X-OBS-4 --url of an instance that does not answer exits 1 saying what it tried', async () => {
    const r = await runCli(['status', '--url', 'http://127.0.0.1:9', '--data-dir', tmp('url')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('http://127.0.0.1:9/status could not be read');
  });

  it('X-OBS-4 without state files it shows the last run\'s summary, else the persistent journals with their working orders', async () => {
    const dataDir = tmp('summary');
    for (const [name, trades, agoSeconds] of [['demo-b', 5, 60], ['demo-a', 3, 3_600]] as const) {
      mkdirSync(join(dataDir, 'runs', name), { recursive: true });
      const file = join(dataDir, 'runs', name, 'summary.json');
      writeFileSync(file, JSON.stringify({
        runId: name, profile: 'demo', mode: 'PAPER', stoppedBy: 'end_of_data', accounts: ['main'], trades, wins: 1, losses: trades - 1, fills: 9,
        realizedPnl: '-1.5', fees: '0.3', endingBalance: '99998.5', vetoes: { actor_busy: 4 },
        openPositions: [{ symbol: 'BTCUSDT', side: 'long', quantity: '0.01', entryPrice: '17000', takeProfit: '17100', stopLoss: '16900' }],
      }));
      // The newest summary is the last run's, whatever the directory names say.
      const at = (wallClock.now() - agoSeconds * 1000) / 1000;
      utimesSync(file, at, at);
    }
    const s = await runCli(['status', '--json', '--data-dir', dataDir]);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({
      source: { kind: 'summary', where: join(dataDir, 'runs', 'demo-b', 'summary.json') }, runId: 'demo-b', phase: 'stopped',
      trading: { on: false, reasons: ['run finished (stopped by end_of_data)'] }, counters: { trades: 5 }, vetoes: { actor_busy: 4 },
      positions: [{ account: 'main', symbol: 'BTCUSDT', takeProfit: '17100', stopLoss: '16900' }], pnl: { realized: '-1.5', equity: '99998.5' },
    });

    const journalDir = tmp('journal');
    const journal = openRawJournal({ path: persistentJournalPath(journalDir, 'bybit', 'main'), clock: wallClock });
    journal.recordOrderRequested({ clientOrderId: 'tw-s-1-1', intentId: 'i-1', venue: 'sim', symbol: 'BTCUSDT', side: 'buy', quantity: new Decimal('0.010'), price: new Decimal('65000.5') });
    journal.close();
    const t = await runCli(['status', '--data-dir', journalDir]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain(`status from journal: ${join(journalDir, 'journal')}`);
    expect(t.stdout).toMatch(/bybit-main\.sqlite +1 +\d{4}-/);
    expect(t.stdout).toMatch(/^bybit-main +BTCUSDT +tw-s-1-1 +buy +0\.01 +65000\.5 +requested$/m);
  });

  it('X-OBS-4 exits 1 with a sentence naming every place it looked when the data directory holds nothing', async () => {
    const dataDir = tmp('empty');
    const r = await runCli(['status', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    for (const where of [join(dataDir, 'state', 'server.json'), join(dataDir, 'state', '*.json'), join(dataDir, 'runs', '*', 'summary.json'), join(dataDir, 'journal', '*.sqlite')]) {
      expect(r.stderr).toContain(where);
    }
  });
});
