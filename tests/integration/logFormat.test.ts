/**
 * `run --log-format pretty` and the heartbeat line through the built CLI (issue 14 item 7, X-LOG-1, X-OBS-4): the
 * stderr mirror shows `HH:MM:SS.mmm LEVEL msg key=value…` while the log file stays JSON lines carrying wall time beside
 * the session time, stdout carries a heartbeat line every `ops.heartbeatMs` of wall time, and an unknown format exits 2.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/runCli.ts';

let dir = '';
beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'tw-logformat-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --log-format', () => {
  it('X-LOG-1 X-OBS-4 pretty mirror lines on stderr, JSON lines with wall time in the file, heartbeat lines on stdout', async () => {
    // The PAPER demo with every info line mirrored and a heartbeat every 250 wall ms (the replay takes seconds).
    const config = join(dir, 'pretty.yaml');
    writeFileSync(config, `${readFileSync('config/default.yaml', 'utf8')}logging:\n  stderrLevel: info\nops:\n  heartbeatMs: 250\n`);
    const dataDir = join(dir, 'data');
    const r = await runCli(['run', '--config', config, '--data-dir', dataDir, '--log-format', 'pretty']);
    expect(r.code, r.stderr).toBe(0);
    const mirrored = r.stderr.trim().split('\n');
    expect(mirrored.length).toBeGreaterThan(3);
    for (const line of mirrored) expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/);
    // The replay runs on the virtual clock, days behind the wall clock: each line names its session time too.
    expect(mirrored.find((l) => l.includes('tradewarden_started'))).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}tradewarden_started t=2022-12-13T00:00:00\.000Z .*event=startup .*mode=PAPER/);

    const [run] = readdirSync(join(dataDir, 'runs'));
    const records = readFileSync(join(dataDir, 'runs', run!, 'tradewarden.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBe(mirrored.length);
    for (const rec of records) {
      expect(typeof rec['time']).toBe('number');
      expect(typeof rec['wall']).toBe('number');
    }
    expect(records[0]!['time']).toBe(Date.parse('2022-12-13T00:00:00.000Z'));
    expect(records[0]!['wall'] as number).toBeGreaterThan(Date.parse('2025-01-01T00:00:00.000Z'));

    const beats = r.stdout.split('\n').filter((l) => l.startsWith('heartbeat '));
    expect(beats.length).toBeGreaterThan(0);
    for (const b of beats) expect(b).toMatch(/^heartbeat \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z t=2022-12-1\dT\S+Z trades=\d+ pnl=-?\d+(\.\d+)? positions=\d+ gate=(ON|OFF) connections=0\/0$/);
  }, 120_000);

  it('X-LOG-1 an unknown --log-format exits 2 naming both formats and starts nothing', async () => {
    const dataDir = join(dir, 'refused');
    const r = await runCli(['run', '--log-format', 'xml', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run: --log-format "xml" is not a log format (json or pretty)');
    expect(existsSync(dataDir)).toBe(false);
  });
});
