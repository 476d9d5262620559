/**
 * Issue 14 item 8, "a CLI that refuses what it does not understand": every command parses its flags strictly from
 * one table (src/cli/main.ts, src/cli/flags.ts). An unknown flag, a flag without its value or a stray argument exits 2
 * naming the closest valid flag; a value equal to a command name stays a value; `<command> --help` is generated from
 * the table; `--json` gives check, journal verify and reconcile one JSON document on stdout. Most cases run the CLI
 * in-process through `main`; the acceptance lines and the venue cases run the built `dist/main.js`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persistentJournalPath } from '../../src/app/accounts.ts';
import { runSim, type RunningSim } from '../../src/app/sim.ts';
import { closest, editDistance, parseCommandLine } from '../../src/cli/flags.ts';
import { commandPaths, commands, main } from '../../src/cli/main.ts';
import { dec } from '../../src/domain/money.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { readKillFlag } from '../../src/runtime/killFlag.ts';
import { openRawJournal } from '../support/rawJournal.ts';
import { runCli } from '../support/runCli.ts';

const dirs: string[] = [];
const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `tw-cliargs-${name}-`));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the CLI in this process and collects its output. */
const cli = async (argv: ReadonlyArray<string>): Promise<{ code: number; out: string; err: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

/** Runs the built CLI as a child process. */
const dist = (args: ReadonlyArray<string>) => {
  const r = spawnSync(process.execPath, ['dist/main.js', ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const tableOf = (path: string) => commandPaths().find(([p]) => p === path)![1].flags;

beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

describe('issue 14 item 8: strict flags', () => {
  it('issue 14 acceptance: `node dist/main.js run --data-dri /tmp/x` exits 2, names --data-dir and starts nothing', () => {
    const target = join(tmp('typo'), 'x');
    for (const args of [['run', '--data-dri', target], ['--data-dri', target]]) {
      const r = dist(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain("Unknown option '--data-dri'; did you mean '--data-dir'?");
      expect(r.stderr).toContain('tradewarden run --help');
      expect(r.stdout).toBe('');
      // Nothing ran: no session wrote into the mistyped directory (and none fell back to ./var, since none started).
      expect(existsSync(target)).toBe(false);
    }
  });

  it('issue 14 acceptance X-RSK-1: `kill --reason kill` records "kill" (a flag value equal to a command name stays a value)', () => {
    const dir = tmp('kill');
    const r = dist(['kill', '--reason', 'kill', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(readKillFlag(dir)).toMatchObject({ reason: 'kill', flatten: false });
  });

  it('issue 14 X-RSK-1 kill reads each flag with its value wherever it stands: global flags before the command, inline values, a value starting with a dash', async () => {
    const dir = tmp('kill-forms');
    expect((await cli(['--data-dir', dir, 'kill', '--reason', 'resume', '--flatten'])).code).toBe(0);
    expect(readKillFlag(dir)).toMatchObject({ reason: 'resume', flatten: true });
    expect((await cli(['resume', '--data-dir', dir])).code).toBe(0);
    expect(readKillFlag(dir)).toBeUndefined();
    expect((await cli(['kill', `--data-dir=${dir}`, '--reason=--flatten'])).code).toBe(0);
    expect(readKillFlag(dir)).toMatchObject({ reason: '--flatten', flatten: false });
    // `--config run` is a file called run, not the run command.
    const config = await cli(['check', '--config', 'run']);
    expect(config.code).toBe(2);
    expect(config.err).toContain('invalid config run:');
  });

  it('issue 14 a flag without its value exits 2 naming the flag, and the command does nothing', async () => {
    const dir = tmp('missing');
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [['kill', '--data-dir', dir, '--reason'], "kill: Option '--reason <value>' argument missing"],
      [['kill', '--data-dir', dir, '--reason', '--flatten'], "kill: Option '--reason <value>' argument missing: the next argument '--flatten'"],
      [['kill', '--reason', 'x', '--data-dir'], "kill: Option '--data-dir <value>' argument missing"],
      [['check', '--config'], "check: Option '--config <value>' argument missing"],
      [['check', '-c'], "check: Option '-c <value>' argument missing (--config <file>"],
      [['journal', 'verify', '--data-dir', dir, '--file'], "journal: Option '--file <value>' argument missing"],
      [['reconcile', '--config', 'config/default.yaml', '--data-dir', dir, '--account'], "reconcile: Option '--account <value>' argument missing"],
      [['drill', 'restart', '--seed', '-5'], "a value starting with '-' is written --seed=-5"],
      [['check'], 'check needs --config'],
      [['data', 'fetch', '--venue', 'main'], 'data fetch needs --symbol, --timeframe, --from, --to, --out'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.err, args.join(' ')).toContain(message);
      expect(r.out).toBe('');
    }
    expect(readKillFlag(dir)).toBeUndefined();
  });

  it('issue 14 an unexpected argument or a flag another command owns exits 2', async () => {
    const dir = tmp('positional');
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [['kill', 'now', '--data-dir', dir], "kill: Unexpected argument 'now'"],
      [['resume', 'all', '--data-dir', dir], "resume: Unexpected argument 'all'"],
      [['check', '--config', 'config/default.yaml', 'config/other.yaml'], "check: Unexpected argument 'config/other.yaml'"],
      [['journal', 'verify', 'everything', '--data-dir', dir], "journal: Unexpected argument 'everything'"],
      [['run', '--inspect', 'abc', '--data-dir', dir], "run: Unexpected argument 'abc'"],
      [['kill', '--data-dir', dir, '--', '--reason'], "kill: Unexpected argument '--reason'"],
      [['kill', '--apply', '--data-dir', dir], "kill: Unknown option '--apply' here; it is a flag of `reconcile`"],
      [['kill', '--flatten=yes', '--data-dir', dir], "kill: Option '--flatten' does not take an argument"],
      [['journal', 'repair', '--data-dir', dir], 'journal: expected the action `verify` or `init`, got "repair"'],
      [['chekc', '--config', 'config/default.yaml'], 'unknown command "chekc"; did you mean "check"?'],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.err, args.join(' ')).toContain(message);
    }
    expect(readKillFlag(dir)).toBeUndefined();
  });

  it('issue 14 every flag of every command, mistyped, exits 2 and names that flag (generated over the tables)', async () => {
    let checked = 0;
    for (const [path, leaf] of commandPaths()) {
      const names = Object.keys(leaf.flags);
      for (const [name, f] of Object.entries(leaf.flags)) {
        if (f.internal === true || name.length < 4) continue;
        // Swap two inner letters (`data-dir` → `dtaa-dir`), unless that spells another flag of the command.
        const typo = `${name[0]}${name[2]}${name[1]}${name.slice(3)}`;
        if (typo === name || names.includes(typo)) continue;
        const r = await cli([...path.split(' '), `--${typo}`]);
        expect([path, typo, r.code]).toEqual([path, typo, 2]);
        expect(r.err, `${path} --${typo}`).toContain(`did you mean '--${name}'?`);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('issue 14 --inspect takes an optional port: alone it is the config port, with digits that port', () => {
    const run = tableOf('run');
    const parsed = (args: string[]) => {
      const p = parseCommandLine(args, run);
      return p.ok ? p.values : p.problem.message;
    };
    expect(parsed(['--inspect'])).toMatchObject({ inspect: '' });
    expect(parsed(['--inspect', '9000', '--config', 'c.yaml'])).toMatchObject({ inspect: '9000', config: 'c.yaml' });
    expect(parsed(['--inspect', '--config', 'c.yaml'])).toMatchObject({ inspect: '', config: 'c.yaml' });
    expect(parsed(['--inspect=9001'])).toMatchObject({ inspect: '9001' });
    expect(parsed(['--inspect=abc'])).toMatch(/--inspect \[port\]' got 'abc'/);
    expect(parsed(['--param', 'fast=5', '--param', 'slow=20', '--drill-hold-gate'])).toMatchObject({ param: ['fast=5', 'slow=20'], 'drill-hold-gate': true });
  });

  it('issue 14 the closest flag: Damerau distance up to 2 or a shared prefix', () => {
    expect(editDistance('data-dri', 'data-dir')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closest('data-dri', ['config', 'data-dir', 'data'])).toBe('data-dir');
    expect(closest('strat', ['strategy-path', 'strategy'])).toBe('strategy');
    expect(closest('seped', ['seed', 'speed'])).toBe('speed');
    expect(closest('xyz', ['config', 'data-dir'])).toBeUndefined();
    expect(closest('x', ['to'])).toBeUndefined();
  });
});

describe('issue 14 item 8: --help from the tables', () => {
  it('issue 14 `<command> --help` lists every flag of its table with its description; `<group> --help` every action', async () => {
    for (const [path, leaf] of commandPaths()) {
      const r = await cli([...path.split(' '), '--help']);
      expect([path, r.code]).toEqual([path, 0]);
      expect(r.out).toContain(`Usage: tradewarden ${path}`);
      expect(r.out).toContain(leaf.summary);
      for (const [name, f] of Object.entries(leaf.flags)) {
        const label = f.type === 'boolean' ? `--${name}` : `--${name} ${f.optionalValue === undefined ? '<' : '['}${f.value ?? 'value'}`;
        const line = r.out.split('\n').find((l) => l.startsWith('  ') && l.includes(label));
        expect(line, `${path}: ${label}`).toBeDefined();
        expect(line).toContain(f.description);
      }
    }
    for (const group of commands.filter((c) => 'actions' in c)) {
      const r = await cli([group.name, '--help']);
      expect(r.code).toBe(0);
      for (const action of group.actions) {
        expect(r.out).toContain(`Usage: tradewarden ${group.name} ${action.name}`);
        for (const name of Object.keys(action.flags)) expect(r.out, `${group.name} ${action.name} --${name}`).toContain(`--${name}`);
      }
    }
    // --help wins over a bad flag, and -h is --help.
    expect((await cli(['kill', '--bogus', '-h'])).code).toBe(0);
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const c of commands) expect(top.out).toMatch(new RegExp(`^  ${c.name} `, 'm'));
    expect(top.out).toContain('--json (one JSON document on stdout) by check, journal verify, reconcile');
  });

  it('issue 14 a flag name means one thing in every table (the arguments before the command are read by it)', () => {
    const seen = new Map<string, string>();
    for (const [path, leaf] of commandPaths()) {
      for (const [name, f] of Object.entries(leaf.flags)) {
        const kind = `${f.type}${f.short === undefined ? '' : ` -${f.short}`}${f.optionalValue === undefined ? '' : ' optional'}`;
        expect(`${path} --${name}: ${kind}`).toBe(`${path} --${name}: ${seen.get(name) ?? kind}`);
        seen.set(name, kind);
      }
    }
  });
});

describe('issue 14 item 8: --json', () => {
  it('issue 14 X-SEC-8 X-SEC-3 check --json: one document with the verdict and every problem; exit codes unchanged', async () => {
    const dir = tmp('check');
    const valid = await cli(['check', '--config', 'config/default.yaml', '--json']);
    expect(valid.code, valid.err).toBe(0);
    expect(JSON.parse(valid.out)).toMatchObject({ config: 'config/default.yaml', verdict: 'valid', valid: true, problems: [], mode: 'PAPER' });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'mode: PAPER\nunknownKey: 1\nrisk:\n  caps:\n    maxPositionFraction: 1.5\n');
    const invalid = await cli(['check', '--json', '--config', bad]);
    expect(invalid.code).toBe(2);
    const doc = JSON.parse(invalid.out) as { verdict: string; valid: boolean; problems: Array<{ path: string }> };
    expect(doc).toMatchObject({ verdict: 'invalid', valid: false });
    expect(doc.problems.map((p) => p.path)).toEqual(expect.arrayContaining([expect.stringContaining('unknownKey'), 'risk.caps.maxPositionFraction']));
    const secret = join(dir, 'secret.yaml');
    writeFileSync(secret, 'venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    apiSecret: 0123456789abcdef0123456789abcdef0123456789abcdef\n');
    const refused = dist(['check', '--config', secret, '--json']);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout)).toMatchObject({ verdict: 'refused', valid: false, refusal: { code: 'plaintext_secret_in_config' } });
    expect(refused.stdout).not.toContain('0123456789abcdef0123456789abcdef');
  });

  it('issue 14 X-LOG-3 journal verify --json: every journal with its verdict, and the totals', async () => {
    const dir = tmp('verify');
    const runJournal = join(dir, 'runs', 'r1', 'journal', 'bybit-main.sqlite');
    const persistent = persistentJournalPath(dir, 'bybit', 'main');
    for (const p of [runJournal, persistent]) {
      const j = openRawJournal({ path: p, clock: wallClock });
      for (let i = 0; i < 50; i++) j.append('s', 'E', { i });
      j.close();
    }
    const intact = await cli(['journal', 'verify', '--data-dir', dir, '--json']);
    expect(intact.code, intact.err).toBe(0);
    const doc = JSON.parse(intact.out) as { journals: Array<{ path: string; verdict: string; entries: number }>; totals: Record<string, number> };
    expect(doc.journals.map((j) => [j.path, j.verdict, j.entries])).toEqual([[persistent, 'ok', 50], [runJournal, 'ok', 50]]);
    expect(doc.totals).toEqual({ journals: 2, intact: 2, broken: 0, unreadable: 0 });

    const db = new Database(runJournal);
    db.exec('DROP TRIGGER events_no_update');
    db.exec(`UPDATE events SET payload = '{"i":-1}' WHERE seq = 30`);
    db.close();
    const broken = dist(['journal', 'verify', '--json', '--data-dir', dir]);
    expect(broken.code).toBe(1);
    const after = JSON.parse(broken.stdout) as { journals: Array<{ path: string; verdict: string; firstBadSeq?: number; problem?: string }>; totals: Record<string, number> };
    expect(after.journals.find((j) => j.path === runJournal)).toMatchObject({ verdict: 'broken', firstBadSeq: 30, problem: 'hash_mismatch' });
    expect(after.journals.find((j) => j.path === persistent)).toMatchObject({ verdict: 'ok' });
    expect(after.totals).toEqual({ journals: 2, intact: 1, broken: 1, unreadable: 0 });
  });

  describe('against a simulator that outlives the runtime', () => {
    let sim: RunningSim;
    beforeAll(async () => {
      sim = await runSim({ venue: 'bybit', port: 0, speed: 1, seed: 5, dataFiles: ['data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv'] });
    });
    afterAll(async () => {
      await sim.stop();
    });

    it('issue 14 X-REC-1 X-LOG-3 journal verify --data-dir finds the persistent journal journal init wrote; reconcile --json reports, applies, and reports clean', async () => {
      const dir = tmp('reconcile');
      const config = join(dir, 'config.yaml');
      writeFileSync(config, `mode: PAPER\nbotId: tw\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    environment: sim\n    simUrl: ${sim.server.url}\nsim:\n  speed: 1\n`);
      const last = sim.exchange.ticker('BTCUSDT').lastPrice;
      const placed = sim.exchange.placeOrder({
        account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.001'), price: last.times('0.9').toDecimalPlaces(1),
        timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId: 'tw-breakout-zy-0',
      });
      expect(placed.ok).toBe(true);

      const refused = await runCli(['reconcile', '--config', config, '--data-dir', dir, '--json']);
      expect(refused.code).toBe(3);
      expect(JSON.parse(refused.stdout)).toMatchObject({ exitCode: 3, error: expect.stringContaining('journal init') as unknown, accounts: [] });

      const init = await runCli(['journal', 'init', '--config', config, '--data-dir', dir]);
      expect(init.code, init.stderr).toBe(0);
      const journal = persistentJournalPath(dir, 'bybit', 'main');
      const verify = await runCli(['journal', 'verify', '--data-dir', dir, '--json']);
      expect(verify.code, verify.stderr).toBe(0);
      const verified = JSON.parse(verify.stdout) as { journals: Array<{ path: string; verdict: string }>; totals: { journals: number } };
      expect(verified.journals).toEqual([expect.objectContaining({ path: journal, verdict: 'ok' })]);
      expect(verified.totals.journals).toBe(1);

      const before = await runCli(['reconcile', '--json', '--config', config, '--data-dir', dir]);
      expect(before.code, before.stderr).toBe(4);
      const report = JSON.parse(before.stdout) as { clean: boolean; exitCode: number; accounts: Array<{ account: string; journal: string; differences: Array<Record<string, unknown>> }> };
      expect(report).toMatchObject({ clean: false, exitCode: 4, apply: false });
      expect(report.accounts).toHaveLength(1);
      expect(report.accounts[0]).toMatchObject({ account: 'main', journal });
      expect(report.accounts[0]!.differences).toEqual([expect.objectContaining({ kind: 'orphan_order', clientOrderId: 'tw-breakout-zy-0', action: 'cancel', description: expect.stringContaining('tw-breakout-zy-0') as unknown })]);

      const applied = await runCli(['reconcile', '--config', config, '--data-dir', dir, '--apply', '--json']);
      expect(applied.code, applied.stderr).toBe(0);
      expect(JSON.parse(applied.stdout)).toMatchObject({ apply: true, exitCode: 0, accounts: [{ applied: [expect.stringContaining('tw-breakout-zy-0')] }] });
      const after = await runCli(['reconcile', '--config', config, '--data-dir', dir, '--json']);
      expect(after.code).toBe(0);
      expect(JSON.parse(after.stdout)).toMatchObject({ clean: true, accounts: [{ differences: [] }] });
    });
  });
});
