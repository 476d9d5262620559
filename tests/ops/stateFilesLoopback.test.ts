/**
 * The state files of a real session (S4-8, S4-9, S4-10, S4-13): a short PAPER run over the Bybit wire protocol on
 * loopback (the setup of tests/runtime/loopback.test.ts) with the operations server on. While it trades, every file
 * under `<data-dir>/state` validates against the manifest's schemas and `tradewarden status` answers from the running
 * instance's API; after it, the files still validate, say the run stopped, the ledger agrees with the simulator's
 * positions, and `status` falls back to the files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { demo, loopbackConfig } from '../support/loopbackConfig.ts';
import { loadSecrets } from '../../src/config/secrets.ts';
import { Decimal } from '../../src/domain/money.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { readStateFiles } from '../../src/ops/stateFiles.ts';
import { SURFACE_NAMES, type Surface } from '../../src/ops/stateManifest.ts';
import { ledgerProblems } from '../../src/ops/stateSurfaces.ts';
import type { StatusReport } from '../../src/ops/statusReport.ts';
import type { OpsSource, PositionStatus } from '../../src/ops/types.ts';
import type { SimExchange } from '../../src/venues/sim/engine/types.ts';
import { runCli } from '../support/runCli.ts';

// As tests/runtime/loopback.test.ts: ×500 over 150 one-minute bars, exits tightened, age limits widened for a loaded CI.
const config = {
  ...loopbackConfig({ speed: 500, tightExits: true }),
  server: { ...demo.config.server, enabled: true, port: 0 },
  ops: { ...demo.config.ops, stateEveryMs: 250, heartbeatMs: 1_000 },
};
const TOKEN = 'state-files-loopback-token-0123456789';

/** Polls `<dir>` until `done` holds for a read of every surface, at most `polls` times `everyMs` apart. */
const pollStateFiles = async (dir: string, done: (reads: ReturnType<typeof readStateFiles>) => boolean, polls: number, everyMs: number) => {
  for (let i = 0; i < polls; i++) {
    const reads = readStateFiles(dir, wallClock.now());
    if (done(reads)) return reads;
    await new Promise<void>((resolve) => setTimeout(resolve, everyMs));
  }
  return undefined;
};

/** The simulator's open positions of an account, as the status read model names them. */
const venuePositions = (exchange: SimExchange, account: string): PositionStatus[] =>
  exchange.positions(account).filter((p) => !p.size.isZero()).map((p) => ({
    account, symbol: p.symbol, side: p.size.gt(0) ? 'long' : 'short', quantity: p.size.abs().toString(), entryPrice: p.entryPrice.toString(),
    markPrice: p.markPrice.toString(), unrealizedPnl: p.unrealisedPnl.toString(), takeProfit: p.takeProfit?.toString() ?? null, stopLoss: p.stopLoss?.toString() ?? null, protected: p.stopLoss !== undefined,
  }));

beforeAll(() => {
  // `status` runs from dist/ (built by npm test before the suite; here when missing).
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

describe('state files of a loopback paper run', () => {
  it('S4-8 S4-9 S4-10 S4-13 validate during the run and after it; status reads the running instance\'s API, then the files', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-state-loopback-'));
    const stateDir = join(dataDir, 'state');
    const progress: string[] = [];
    let exchange: SimExchange | undefined;
    let during: Promise<{ readonly reads: ReturnType<typeof readStateFiles>; readonly api: Awaited<ReturnType<typeof runCli>>; readonly wrongToken: Awaited<ReturnType<typeof runCli>>; readonly runId: string }> | undefined;
    const onOps = ({ source, serverUrl }: { readonly source: OpsSource; readonly serverUrl: string | undefined }): void => {
      expect(serverUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      during = (async () => {
        // Bounded: 200 polls 100 ms apart, while the session trades on the same event loop.
        const reads = await pollStateFiles(stateDir, (r) => r !== undefined && r.every((f) => f.problems.length === 0) && (r.find((f) => f.name === 'diagnostics')?.json as { phase?: string } | undefined)?.phase === 'trading', 200, 100);
        const api = await runCli(['status', '--json', '--data-dir', dataDir], { PATH: process.env['PATH'] ?? '', TW_CONTROL_TOKEN: TOKEN });
        const wrongToken = await runCli(['status', '--json', '--data-dir', dataDir], { PATH: process.env['PATH'] ?? '', TW_CONTROL_TOKEN: 'not-the-token-of-this-instance' });
        return { reads, api, wrongToken, runId: source.status().runId };
      })();
    };
    const result = await runSession({
      wire: true, config, configHash: demo.hash, dataDir, version: 'test', commit: null, progress: (l) => progress.push(l), barLimit: 150, maxWallMs: 50_000,
      secrets: loadSecrets({ TW_CONTROL_TOKEN: TOKEN }), onOps, onConnections: (c) => (exchange = c.exchanges.get('bybit')),
    });
    expect(result.summary['stoppedBy']).toBe('end_of_data');
    expect(during).toBeDefined();
    const seen = await during!;

    // During the run: every surface is there and valid, and the session says it is trading.
    expect(seen.reads, 'no valid state files while trading').toBeDefined();
    expect(seen.reads!.map((r) => r.name)).toEqual(['manifest', ...SURFACE_NAMES]);
    const nav = seen.reads!.find((r) => r.name === 'nav_state')!.json as Surface<'nav_state'>;
    expect(nav).toMatchObject({ run_id: result.runId, mode: 'PAPER' });
    expect(Number.isInteger(nav.updated_ts) && nav.updated_ts < 1e10).toBe(true);
    // `status` asked the running instance (named by state/server.json) with the bearer token.
    expect(seen.api.code, seen.api.stderr).toBe(0);
    const report = JSON.parse(seen.api.stdout) as StatusReport;
    expect(report.source.kind).toBe('api');
    expect(report).toMatchObject({ runId: seen.runId, mode: 'PAPER', status: { runId: result.runId, phase: 'trading' } });
    // With a token the instance refuses, `status` says so and shows the state files instead.
    expect(seen.wrongToken.code, seen.wrongToken.stderr).toBe(0);
    const fallback = JSON.parse(seen.wrongToken.stdout) as StatusReport;
    expect(fallback.source.kind).toBe('state_files');
    expect(fallback.source.notes).toContainEqual(expect.stringMatching(/\/status answered 401: TW_CONTROL_TOKEN is not the instance's token$/));
    expect(progress.some((l) => /^heartbeat \S+ t=\S+ trades=\d+ pnl=\S+ positions=\d+ gate=(ON|OFF) connections=\d+\/2$/.test(l))).toBe(true);

    // After the run: the files are whole and valid, the last publish is the stopped session's.
    const after = readStateFiles(stateDir, wallClock.now())!;
    for (const r of after) expect(r.problems, r.file).toEqual([]);
    const diagnostics = JSON.parse(readFileSync(join(stateDir, 'diagnostics.json'), 'utf8')) as Surface<'diagnostics'>;
    expect(diagnostics).toMatchObject({ phase: 'stopped', run_id: result.runId });
    expect(diagnostics.liveness.heartbeat_cycles).toBeGreaterThan(0);
    const kpis = JSON.parse(readFileSync(join(stateDir, 'kpis.json'), 'utf8')) as Surface<'kpis'>;
    expect(kpis.counters.trades).toBe(result.summary['trades']);
    expect(new Decimal(kpis.pnl.fees).eq(result.summary['fees'] as string)).toBe(true);
    // S4-10: the ledger agrees with the simulator's own positions, each one protected at the venue.
    const ledger = JSON.parse(readFileSync(join(stateDir, 'positions_ledger.json'), 'utf8')) as Surface<'positions_ledger'>;
    expect(exchange).toBeDefined();
    expect(ledgerProblems(ledger.entries, venuePositions(exchange!, 'main'))).toEqual([]);

    // No instance any more: `status` reads the files and says the run stopped.
    const offline = await runCli(['status', '--data-dir', dataDir]);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain(`status from state files: ${stateDir}`);
    expect(offline.stdout).toContain('note: the run that wrote them has stopped');
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);
});
