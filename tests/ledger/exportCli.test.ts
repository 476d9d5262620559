/**
 * `tradewarden export …` through the built CLI (`node dist/main.js`, run `npm run build` first) over a real demo run,
 * with no server or session running (S2-13, X-RPT-2): the GnuCash book is written and agrees with the run, a second
 * export to the same file exits 2 with a sentence, backup mode keeps a dated copy, `exports.mode: off` refuses, and
 * bad flag values exit 2 naming what is allowed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/domain/money.ts';
import { runCli } from '../support/runCli.ts';
import { balanceUnder, parseBook, runDemo } from './demoRun.ts';

let dataDir = '';
let out = '';
let summary: Record<string, unknown> = {};

beforeAll(async () => {
  const demo = await runDemo('tw-ledger-cli-');
  dataDir = demo.dataDir;
  summary = demo.result.summary;
  out = mkdtempSync(join(tmpdir(), 'tw-ledger-cli-out-'));
});

describe('S2-13 X-RPT-2 tradewarden export (built CLI)', () => {
  it('export gnucash --data-dir D --out F writes a balanced book whose income and fees equal the run\'s', async () => {
    const file = join(out, 'paper.gnucash');
    const run = await runCli(['export', 'gnucash', '--data-dir', dataDir, '--out', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`export gnucash: run ${String(summary['runId'])}: paper book`);
    expect(run.stdout).toContain(`written: ${file}`);
    const book = parseBook(readFileSync(file, 'utf8'));
    for (const t of book.transactions) expect(t.splits.reduce((a, s) => a.plus(s.value), new Decimal(0)).isZero()).toBe(true);
    const fees = new Decimal(summary['fees'] as string);
    expect(balanceUnder(book, 'Income').neg().eq(new Decimal(summary['realizedPnl'] as string).plus(fees))).toBe(true);
    expect(balanceUnder(book, 'Expenses').eq(fees)).toBe(true);
    expect(balanceUnder(book, 'Assets').eq(summary['endingBalance'] as string)).toBe(true);
  });

  it('exporting again to F exits 2 with a sentence and leaves F as it was', async () => {
    const file = join(out, 'paper.gnucash');
    const before = readFileSync(file, 'utf8');
    const run = await runCli(['export', 'gnucash', '--data-dir', dataDir, '--out', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file} exists; an export never overwrites one`);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('--overwrite-mode backup copies F to a dated backup, then writes F anew', async () => {
    const file = join(out, 'paper.gnucash');
    const before = readFileSync(file, 'utf8');
    const run = await runCli(['export', 'gnucash', '--data-dir', dataDir, '--out', file, '--overwrite-mode', 'backup']);
    expect(run.code).toBe(0);
    const backups = readdirSync(out).filter((f) => /^paper\.gnucash\.\d{8}T\d{9}Z\.bak$/.test(f));
    expect(backups.length).toBe(1);
    expect(run.stdout).toContain(`backup: ${join(out, backups[0]!)}`);
    expect(readFileSync(join(out, backups[0]!), 'utf8')).toBe(before);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('exports.mode: off in the config refuses the export with exit 2', async () => {
    const config = join(out, 'exports-off.yaml');
    writeFileSync(config, `${readFileSync('config/default.yaml', 'utf8')}\nexports:\n  mode: off\n`);
    const file = join(out, 'off.csv');
    const run = await runCli(['export', 'trades', '--data-dir', dataDir, '--config', config, '--out', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('exports are off (exports.mode: off)');
    expect(existsSync(file)).toBe(false);
  });

  it('writes the trades CSV and the daily summary by default under <data-dir>/exports/<run-id>/', async () => {
    const trades = await runCli(['export', 'trades', '--data-dir', dataDir]);
    expect(trades.code).toBe(0);
    const csv = join(dataDir, 'exports', String(summary['runId']), 'trades.csv');
    expect(trades.stdout).toContain(`written: ${csv}`);
    expect(readFileSync(csv, 'utf8').trim().split('\n').length).toBe(1 + (summary['tradeList'] as unknown[]).length);
    const daily = await runCli(['export', 'daily', '--data-dir', dataDir, '--time-zone', 'Europe/Stockholm']);
    expect(daily.code).toBe(0);
    expect(daily.stdout).toContain('day(s) in Europe/Stockholm');
  });

  it('refuses bad values, a missing action and an unknown run with exit 2 and a sentence', async () => {
    const format = await runCli(['export', 'trades', '--data-dir', dataDir, '--format', 'xml', '--out', join(out, 'x.xml')]);
    expect([format.code, format.stderr.trim()]).toEqual([2, 'export trades: --format takes csv or json, not "xml"']);
    const book = await runCli(['export', 'gnucash', '--data-dir', dataDir, '--book', 'demo', '--out', join(out, 'x.gnucash')]);
    expect([book.code, book.stderr.trim()]).toEqual([2, 'export gnucash: --book takes paper or live, not "demo"']);
    const none = await runCli(['export', '--data-dir', dataDir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('export: expected the action `trades` or `daily` or `unresolved` or `gnucash`');
    const run = await runCli(['export', 'daily', '--data-dir', dataDir, '--run', 'missing-run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no run "missing-run" under ${join(dataDir, 'runs')}; the runs there: ${basename(String(summary['runId']))}`);
    const empty = await runCli(['export', 'unresolved', '--data-dir', mkdtempSync(join(tmpdir(), 'tw-ledger-empty-'))]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no finished run under');
  });
});
