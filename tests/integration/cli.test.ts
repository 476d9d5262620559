import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from '../../src/config/secrets.ts';

const cli = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, ['dist/main.js', ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });

beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

describe('CLI contract', () => {
  it('prints the version and lists every subcommand in --help', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const v = cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^tradewarden ${pkg.version.replaceAll('.', '\\.')}`));
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['run', 'check', 'sim', 'journal', 'reconcile', 'drill', 'kill', 'resume']) expect(h.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(cli(['no-such-command']).code).toBe(2);
  });

  it('check exits 0 on a valid config, 2 naming every bad key path, 3 on a plaintext secret (X-SEC-3, X-SEC-8)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
    expect(cli(['check', '--config', 'config/default.yaml']).code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'mode: PAPER\nunknownKey: 1\nrisk:\n  caps:\n    maxPositionFraction: 1.5\n');
    const r = cli(['check', '--config', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknownKey');
    expect(r.stderr).toContain('risk.caps.maxPositionFraction');
    const secret = join(dir, 'secret.yaml');
    writeFileSync(secret, 'venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    apiSecret: 0123456789abcdef0123456789abcdef0123456789abcdef\n');
    const s = cli(['check', '--config', secret]);
    expect(s.code).toBe(3);
    expect(s.stderr).toContain('plaintext_secret_in_config');
    expect(cli(['check']).code).toBe(2);
  });

  it('X-MOD-2/7 refuses modes that do not fit the endpoint, and LIVE without flag, gates and token (exit 3)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'));
    const write = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const liveOnSim = cli(['run', '--config', write('a.yaml', 'mode: LIVE\n'), '--data-dir', dir]);
    expect(liveOnSim.code).toBe(3);
    expect(liveOnSim.stderr).toContain('live_requires_production_endpoint');
    const paperOnMainnet = cli(['run', '--config', write('b.yaml', 'mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    environment: mainnet\n'), '--data-dir', dir]);
    expect(paperOnMainnet.code).toBe(3);
    expect(paperOnMainnet.stderr).toContain('paper_requires_test_endpoint');
    const noFlag = cli(['run', '--config', write('c.yaml', 'mode: LIVE\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    environment: mainnet\n'), '--data-dir', dir]);
    expect(noFlag.code).toBe(3);
    expect(noFlag.stderr).toContain('live_requires_config_flag');
    const noToken = cli(['run', '--config', write('d.yaml', 'mode: LIVE\nallowLive: true\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    environment: mainnet\n'), '--data-dir', dir]);
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toMatch(/live_gates_failed|live_requires_confirmation/);
  });

  it('X-SEC-4 the demo runs to exit 0 and no canary secret appears in stdout, stderr, logs or the data directory', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-canary-'));
    const canaries = Object.fromEntries(SECRET_VARIABLES.map((v, i) => [v.name, `canary-${i}-${v.name.toLowerCase()}-Zx9Q`]));
    const r = cli(['--data-dir', dataDir], canaries);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/finished: [1-9]\d* trades/);
    const files = walk(dataDir);
    expect(files.some((f) => f.endsWith('tradewarden.log.jsonl'))).toBe(true);
    expect(files.some((f) => f.endsWith('summary.json'))).toBe(true);
    const haystacks = [r.stdout, r.stderr, ...files.map((f) => readFileSync(f).toString('latin1'))];
    for (const value of Object.values(canaries)) for (const h of haystacks) expect(h.includes(value)).toBe(false);
    // The secrets were loaded (the gateway saw them) and only their fingerprints were logged.
    const log = readFileSync(files.find((f) => f.endsWith('tradewarden.log.jsonl'))!, 'utf8');
    expect(log).toContain('"TW_BYBIT_API_SECRET":"sha256:');
  });

  it('X-RT-6 a second process on the same data directory exits non-zero with "single-instance lock"', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-lock-'));
    const first = spawn(process.execPath, ['dist/main.js', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    // Wait (event-driven) until the first process holds the lock: it prints its session line after taking it.
    await new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('paper session')) resolve();
      });
      first.once('exit', (code) => reject(new Error(`first run exited early with ${String(code)}`)));
    });
    const second = cli(['--data-dir', dataDir]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain('single-instance lock');
    const firstCode = await new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    expect(firstCode).toBe(0);
    // Once the first one is gone, the lock is free again.
    expect(cli(['check', '--config', 'config/default.yaml', '--data-dir', dataDir]).code).toBe(0);
  });

  it('X-RT-7 SIGTERM stops a session gracefully: exit 0, journal chain intact, summary written', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tw-term-'));
    const child = spawn(process.execPath, ['dist/main.js', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('paper session')) resolve();
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    const summaryFile = walk(dataDir).find((f) => f.endsWith('summary.json'))!;
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { journalChainIntact: boolean; stoppedBy: string };
    expect(summary.journalChainIntact).toBe(true);
    expect(summary.stoppedBy).toBe('signal');
  });
});
