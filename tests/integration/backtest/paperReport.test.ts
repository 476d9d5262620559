/**
 * Issue 12 item 6 (X-BT-3): a paper run on the virtual clock and a loopback run over the venue's wire protocol write
 * the backtest's report at their end — report.json, trades.csv, equity.csv, report.html under `<runDir>/report/` —
 * and its figures agree with the run's own summary: the same closed trades and, after the realized balance change,
 * exactly the open trades' marked result.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeSessionReports } from '../../../src/app/runReport.ts';
import { runSession } from '../../../src/app/session.ts';
import type { BacktestReport } from '../../../src/backtest/report/types.ts';
import { loadConfigFile } from '../../../src/config/load.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { openJournal } from '../../../src/journal/Journal.ts';
import { wallClock } from '../../../src/kernel/Clock.ts';

beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

const readReport = (dir: string): BacktestReport => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as BacktestReport;

/** The summary's balance change plus what the open trades would add if closed at the last mark (their pnl before their fees, which the balance already paid). */
const expectedTotal = (summary: Record<string, unknown>, report: BacktestReport): Decimal =>
  report.trades.filter((t) => t.exitTs === null).reduce((acc, t) => acc.plus(t.pnl).plus(t.fees), new Decimal(String(summary['balanceChange'])));

describe('issue 12 a simulator run writes the backtest report', () => {
  it('X-BT-3 the PAPER demo on the virtual clock writes the four report files, agreeing with summary.json', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-paper-report-'));
    const r = spawnSync(process.execPath, ['dist/main.js', '--data-dir', dataDir], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' }, timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const runDir = join(dataDir, 'runs', readdirSync(join(dataDir, 'runs'))[0]!);
    const reportDir = join(runDir, 'report');
    expect(r.stdout).toContain(`report: ${join(reportDir, 'report.html')}`);
    for (const f of ['report.json', 'trades.csv', 'equity.csv', 'report.html']) expect(existsSync(join(reportDir, f)), f).toBe(true);
    const report = readReport(reportDir);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(report.run['session']).toBe('paper');
    expect(report.trades.filter((t) => t.exitTs !== null).length).toBe(summary['trades']);
    expect(report.metrics.fees).toBe(summary['fees']);
    expect(new Decimal(report.metrics.totalPnl).eq(expectedTotal(summary, report)), `${report.metrics.totalPnl} vs ${expectedTotal(summary, report).toString()}`).toBe(true);
    // trades.csv has a header and one row per trade (open ones included).
    expect(readFileSync(join(reportDir, 'trades.csv'), 'utf8').trim().split('\n').length).toBe(report.trades.length + 1);
    expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).toContain('<html');
  }, 150_000);

  it('X-BT-3 a loopback run over the wire protocol writes the same report, marked only as far as it ran', async () => {
    const loaded = loadConfigFile('config/paper-loopback.yaml');
    if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
    const { config, hash } = loaded.right;
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-loopback-report-'));
    const session = await runSession({ config, configHash: hash, dataDir, version: 'test', commit: null, progress: () => undefined, barLimit: 40 });
    expect(session.replayed?.size).toBe(2);
    const written = writeSessionReports({ config, configHash: hash, version: 'test', session });
    const files = written.get('main');
    expect(files).toBeDefined();
    const report = readReport(join(session.runDir, 'report'));
    expect(files!.html).toBe(join(session.runDir, 'report', 'report.html'));
    expect(report.run['session']).toBe('paper');
    expect(report.trades.filter((t) => t.exitTs !== null).length).toBe(session.summary['trades']);
    expect(new Decimal(report.metrics.totalPnl).eq(expectedTotal(session.summary, report))).toBe(true);
    // Marked only up to the run's last journal entry (its stop): no point after it, and the last bar before it is in.
    const journal = openJournal({ path: session.journals['main']!, clock: wallClock, readonly: true });
    let stoppedAt = 0;
    try {
      for (const e of journal.readEvents({ fromSeq: journal.lastSeq(), limit: 1 })) stoppedAt = e.ts;
    } finally {
      journal.close();
    }
    const closes = [...session.replayed!.values()].flatMap((f) => f.bars.map((b) => b.start + f.intervalMs)).filter((t) => t <= stoppedAt);
    expect(report.equity.length).toBeGreaterThan(0);
    expect(report.equity[report.equity.length - 1]!.ts).toBe(Math.max(...closes));
  }, 120_000);
});
