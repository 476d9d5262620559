/**
 * Issue 10, "trust nothing at restart": the journal cases of the adversarial suite. Real parts throughout: journals on
 * disk, child processes SIGKILLed, the built CLI, and a simulator that outlives the runtime on loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Either } from 'effect';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSession } from '../../src/app/session.ts';
import { persistentJournalPath } from '../../src/app/reconcileCommand.ts';
import { runSim, type RunningSim } from '../../src/app/sim.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import { dec } from '../../src/domain/money.ts';
import { formatClientOrderId } from '../../src/domain/clientOrderId.ts';
import { parseClientOrderId } from '../../src/journal/clientOrderIds.ts';
import { headRecordPath } from '../../src/journal/headRecord.ts';
import { InstanceLockError, claimJournalFile } from '../../src/journal/instanceLock.ts';
import { openJournal } from '../../src/journal/Journal.ts';
import { verifyJournal } from '../../src/journal/verify.ts';
import { wallClock } from '../../src/kernel/Clock.ts';
import { TRADE_MACHINE_VERSION } from '../../machines/trade/tradeMachine.ts';
import { openRawJournal } from '../support/rawJournal.ts';
import { runCli } from '../support/runCli.ts';

const WAL_CHILD = fileURLToPath(new URL('../support/walLossChild.ts', import.meta.url));

const dirs: string[] = [];
const children: ChildProcess[] = [];
const tmp = (name: string): string => {
  const d = mkdtempSync(join(tmpdir(), `tw-adv-${name}-`));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Resolves with the first stdout line of `child` that starts with `prefix`. */
const lineFrom = (child: ChildProcess, prefix: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer): void => {
      out += d.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith(prefix));
      if (line !== undefined) {
        child.stdout?.off('data', onData);
        resolve(line);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited (${String(code)}) before "${prefix}"; stdout: ${out}`)));
  });

const exitOf = (child: ChildProcess): Promise<number | null> =>
  new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

const noStackTrace = (stderr: string): void => expect(stderr).not.toMatch(/\n\s+at /);

/** Writes a loopback config whose venue is the external simulator at `simUrl`. */
const writeConfig = (dir: string, simUrl: string, botId = 'tw'): string => {
  const file = join(dir, 'loopback.yaml');
  writeFileSync(
    file,
    [
      'profile: demo',
      'mode: PAPER',
      `botId: ${botId}`,
      'venues:',
      '  main:',
      '    kind: bybit',
      '    environment: sim',
      '    symbols: [BTCUSDT, ADAUSDT]',
      `    simUrl: ${simUrl}`,
      '    leverage: "5"',
      'sim:',
      '  clock: accelerated',
      '  speed: 600',
      '  seed: 42',
      'strategies:',
      '  breakout: { enabled: true, lookbackBars: 2, cooldownBars: 0, notionalFraction: "5%", stopLossFraction: "0.3%", takeProfitFraction: "0.3%" }',
      'execution:',
      '  reentryCooldownMs: 0',
      'risk:',
      '  allowShorts: true',
      '  cooldowns: { afterFillMs: 0, afterStopMs: 0 }',
      '  staleness: { quoteMaxAgeMs: 60000, barMaxAgeMs: 300000, accountMaxAgeMs: 300000 }',
      '',
    ].join('\n'),
  );
  return file;
};

const loadConfig = (file: string) => {
  const loaded = loadConfigFile(file);
  if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right;
};

describe('a journal that knows it is whole', () => {
  it('X-LOG-4 X-REC-1 deleting the WAL mid-run then SIGKILL: the restart refuses with exit 3 and says entries are missing', async () => {
    const dir = tmp('wal');
    const path = persistentJournalPath(dir, 'bybit', 'main');
    mkdirSync(join(dir, 'journal'), { recursive: true });
    const child = spawn(process.execPath, [WAL_CHILD, path], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    expect(await lineFrom(child, 'first')).toBe('first 10');
    unlinkSync(`${path}-wal`);
    const last = lineFrom(child, 'last');
    child.stdin?.write('more\n');
    expect(await last).toBe('last 20');
    child.kill('SIGKILL');
    await exitOf(child);

    // The committed entries went with the deleted WAL: the file alone holds fewer than the head record names.
    const result = verifyJournal(path);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe('missing_entries');
      expect(result.detail).toMatch(/entries \d+\.\.20 are missing/);
    }
    expect(() => openJournal({ path, clock: wallClock })).toThrow(/head record says 20 entries were committed/);

    // The restart through the CLI refuses with exit 3 and a readable message, before it talks to any venue.
    const config = writeConfig(dir, 'http://127.0.0.1:9');
    const run = await runCli(['run', '--config', config, '--data-dir', dir]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/entries \d+\.\.20 are missing/);
    noStackTrace(run.stderr);
    const verify = await runCli(['journal', 'verify', '--data-dir', dir]);
    expect(verify.code, verify.stderr).toBe(1);
    expect(verify.stderr).toContain(`${path}: BROKEN`);
  });

  it.each([
    ['orders', "UPDATE orders SET filled_quantity = '9' WHERE client_order_id = 'tw-s-1-0'"],
    ['orders', "DELETE FROM orders WHERE client_order_id = 'tw-s-1-0'"],
    ['orders', "INSERT INTO orders SELECT 'tw-s-9-0', venue, symbol, intent_id, side, quantity, price, state, venue_order_id, filled_quantity, created_seq, updated_seq, created_ts, updated_ts, role, strategy_id, reduce_only FROM orders"],
    ['snapshots', "UPDATE snapshots SET snapshot = replace(snapshot, 'working', 'idle')"],
    ['snapshots', 'DELETE FROM snapshots'],
    ['kv', "UPDATE kv SET value = '{\"engaged\":false}' WHERE key = 'kill_switch'"],
    ['kv', "INSERT INTO kv VALUES ('cooldowns', '{}', 1, 1)"],
    ['counters', "UPDATE counters SET value = 1 WHERE name = 'intent_seq'"],
    ['counters', 'DELETE FROM counters'],
  ])('X-LOG-3 tampering with the %s table is reported by journal verify (%s)', async (table, sql) => {
    const dir = tmp('tables');
    const path = join(dir, 'runs', 'r1', 'journal.sqlite');
    const journal = openRawJournal({ path, clock: wallClock });
    journal.nextSequence('intent_seq', 5);
    journal.recordOrderRequested({ clientOrderId: 'tw-s-1-0', intentId: 'i-1', venue: 'sim', symbol: 'BTCUSDT', side: 'buy', quantity: dec('0.01'), price: dec('100') });
    journal.recordOrderUpdate({ clientOrderId: 'tw-s-1-0', type: 'ORDER_ACKNOWLEDGED', state: 'new', venueOrderId: 'v1' });
    journal.appendWithSnapshot('trade:sim:BTCUSDT', 'ACTOR_EVENT', { to: 'working' }, { actorId: 'trade:sim:BTCUSDT', machineVersion: TRADE_MACHINE_VERSION, snapshot: { value: 'working' } });
    journal.kvSet('kill_switch', { engaged: true, reason: 'operator' });
    journal.close();
    expect(verifyJournal(path).ok).toBe(true);

    const db = new Database(path);
    db.exec(sql);
    db.close();
    const result = verifyJournal(path);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toBe('table_mismatch');
      expect(result.detail.startsWith(`${table}:`)).toBe(true);
    }
    const cli = await runCli(['journal', 'verify', '--data-dir', dir]);
    expect(cli.code, cli.stderr).toBe(1);
    expect(cli.stderr).toContain(`${path}: BROKEN`);
    expect(cli.stderr).toContain('table_mismatch');
  });

  it('X-LOG-3 journal verify --data-dir checks run journals and persistent journals, names the broken one, and exits 3 on unreadable ones', async () => {
    const dir = tmp('verify-all');
    const runJournal = join(dir, 'runs', 'demo-1', 'journal.sqlite');
    const persistent = persistentJournalPath(dir, 'bybit', 'main');
    for (const p of [runJournal, persistent]) {
      const j = openRawJournal({ path: p, clock: wallClock });
      for (let i = 0; i < 1000; i++) j.append('s', 'E', { i });
      j.close();
    }
    const intact = await runCli(['journal', 'verify', '--data-dir', dir]);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toContain(`${runJournal}: ok, 1000 entries`);
    expect(intact.stdout).toContain(`${persistent}: ok, 1000 entries`);

    // Break the persistent one at seq 900 (the triggers forbid it; a tamperer drops them first).
    const db = new Database(persistent);
    db.exec('DROP TRIGGER events_no_update');
    db.exec(`UPDATE events SET payload = '{"i":-1}' WHERE seq = 900`);
    db.close();
    const broken = await runCli(['journal', 'verify', '--data-dir', dir]);
    expect(broken.code, broken.stderr).toBe(1);
    expect(broken.stdout).toContain(`${runJournal}: ok, 1000 entries`);
    expect(broken.stderr).toContain(`${persistent}: BROKEN at seq 900 (hash_mismatch)`);

    // An unreadable journal (not a database) is exit 3 with a readable line, not a stack trace.
    writeFileSync(join(dir, 'journal', 'bybit-other.sqlite'), 'this is not a database');
    const unreadable = await runCli(['journal', 'verify', '--data-dir', dir]);
    expect(unreadable.code, unreadable.stderr).toBe(3);
    expect(unreadable.stderr).toContain(`${join(dir, 'journal', 'bybit-other.sqlite')}: UNREADABLE`);
    noStackTrace(unreadable.stderr);
  });

  it.each([
    ['not a database', (p: string) => writeFileSync(p, 'garbage '.repeat(100))],
    ['a directory', (p: string) => mkdirSync(p, { recursive: true })],
    ['an unknown schema version', (p: string) => {
      const j = openRawJournal({ path: p, clock: wallClock });
      j.append('s', 'E', {});
      j.close();
      const db = new Database(p);
      db.prepare('INSERT INTO schema_migrations (version, applied_ts) VALUES (99, 0)').run();
      db.close();
    }],
  ])('X-LOG-3 a persistent journal that is %s: run refuses with exit 3 and a readable message, and keeps the file', async (_what, make) => {
    const dir = tmp('unreadable');
    const path = persistentJournalPath(dir, 'bybit', 'main');
    mkdirSync(join(dir, 'journal'), { recursive: true });
    make(path);
    const before = statSync(path).isFile() ? readFileSync(path) : undefined;
    const run = await runCli(['run', '--config', writeConfig(dir, 'http://127.0.0.1:9'), '--data-dir', dir]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/journal/);
    noStackTrace(run.stderr);
    expect(existsSync(path)).toBe(true);
    if (before !== undefined) expect(readFileSync(path).equals(before)).toBe(true);
  });
});

describe('trusting an empty journal against a venue with activity', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    sim = await runSim({ venue: 'bybit', port: 0, speed: 600, seed: 23 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('X-REC-1 X-ORD-1 an empty or missing persistent journal with venue activity: start refuses with exit 3 naming journal init; after it no client order id collides', async () => {
    const dir = tmp('init');
    const file = writeConfig(dir, sim.server.url);
    const { config, hash } = loadConfig(file);
    const common = { config, configHash: hash, configFile: file, dataDir: dir, version: 'test', commit: null, progress: () => undefined, maxWallMs: 60_000 };

    // Session 1 trades until the venue has an order of ours, then stops (its stop may cancel it, and a fill's position
    // may close before the next start). Then a stray of ours the journal never saw (left by a crash, say) rests at the
    // venue: whatever session 1 left, the venue shows activity of this bot, deterministically.
    const first = new AbortController();
    const off = sim.exchange.subscribe((e) => {
      if (e.type === 'order' && e.order.account === 'main' && e.order.clientOrderId?.startsWith('tw-') === true) first.abort();
    });
    await runSession({ ...common, signal: first.signal });
    off();
    // Our client ids the venue knows, each once (its order history also lists the orders still open).
    const idsOf = (): string[] => [...new Set([...sim.exchange.orderHistory('main'), ...sim.exchange.openOrders('main')].map((o) => o.clientOrderId ?? '').filter((id) => id.startsWith('tw-')))];
    expect(idsOf().length, 'session 1 placed an order of ours').toBeGreaterThan(0);
    const strayId = formatClientOrderId({ botId: 'tw', strategyId: 'breakout', seq: Math.max(...idsOf().map((id) => parseClientOrderId(id)?.seq ?? 0)) + 7 });
    const stray = sim.exchange.placeOrder({
      account: 'main', symbol: 'BTCUSDT', side: 'buy', type: 'limit', quantity: dec('0.01'), price: dec(String(Math.floor(sim.exchange.ticker('BTCUSDT').lastPrice.toNumber() * 0.97))),
      timeInForce: 'gtc', reduceOnly: false, closeOnTrigger: false, clientOrderId: strayId,
    });
    expect(stray.ok, JSON.stringify(stray)).toBe(true);
    const session1 = idsOf();
    expect(session1).toContain(strayId);

    // The operator moves the journal aside (as an old runbook said). Without a journal the start refuses…
    const path = persistentJournalPath(dir, 'bybit', 'main');
    renameSync(path, `${path}.aside`);
    const missing = await runCli(['run', '--config', file, '--data-dir', dir], undefined, 60_000);
    expect(missing.code, missing.stderr).toBe(3);
    expect(missing.stderr).toContain('journal init');
    expect(missing.stderr).toMatch(/head record says \d+ entries were committed/);
    noStackTrace(missing.stderr);

    // …and so does a 0-byte journal once the head record is gone too: the venue shows our orders.
    renameSync(headRecordPath(path), `${headRecordPath(path)}.aside`);
    writeFileSync(path, '');
    const empty = await runCli(['run', '--config', file, '--data-dir', dir], undefined, 60_000);
    expect(empty.code, empty.stderr).toBe(3);
    expect(empty.stderr).toContain('journal init');
    expect(empty.stderr).toMatch(/the venue shows activity of this bot/);
    expect(readFileSync(path).length).toBe(0);

    // journal init reads the venue and moves the id space past every id it knows.
    const init = await runCli(['journal', 'init', '--config', file, '--data-dir', dir]);
    expect(init.code, init.stderr).toBe(0);
    const next = Number(/continue at sequence (\d+)/.exec(init.stdout)?.[1]);
    const maxSeen = Math.max(...session1.map((id) => parseClientOrderId(id)?.seq ?? 0));
    expect(next).toBeGreaterThan(maxSeen);
    expect(existsSync(`${path}.aside`)).toBe(true);
    // A second init never replaces the journal it made.
    const again = await runCli(['journal', 'init', '--config', file, '--data-dir', dir]);
    expect(again.code, again.stderr).toBe(3);
    expect(again.stderr).toContain('never replaces a journal');

    // Session 2 starts on the fresh journal (recovery withdraws the strays) and trades: no id collides.
    const second = new AbortController();
    const before = idsOf().length;
    // Stopped at the first order of a client id session 1 never used (the stray's cancellation is not one).
    const off2 = sim.exchange.subscribe((e) => {
      const id = e.type === 'order' && e.order.account === 'main' ? (e.order.clientOrderId ?? '') : '';
      if (id.startsWith('tw-') && !session1.includes(id)) second.abort();
    });
    const r2 = await runSession({ ...common, signal: second.signal });
    off2();
    const all = idsOf();
    expect(all.length, JSON.stringify(r2.summary)).toBeGreaterThan(before);
    const session2 = all.filter((id) => !session1.includes(id));
    for (const id of session2) expect(parseClientOrderId(id)?.seq ?? 0).toBeGreaterThan(maxSeen);
    expect(verifyJournal(path).ok).toBe(true);
  }, 180_000);

  it('X-RT-6 with the lock file deleted, a second instance on the same account still exits 3', async () => {
    const dir = tmp('lock');
    // A venue of its own: the account of the shared simulator holds the test before's positions, which would (rightly)
    // refuse a fresh journal.
    const own = await runSim({ venue: 'bybit', port: 0, speed: 600, seed: 29 });
    const file = writeConfig(dir, own.server.url);
    const holder = spawn(process.execPath, ['dist/main.js', 'run', '--config', file, '--data-dir', dir, '--drill-hold-gate'], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(holder);
    await lineFrom(holder, 'drill:recovered');
    unlinkSync(join(dir, 'instance.lock'));
    const second = await runCli(['run', '--config', file, '--data-dir', dir]);
    expect(second.code, second.stderr).toBe(3);
    // Whichever lock stops it (the data directory's, re-taken by the holder, or the journal's own), it says why.
    expect(second.stderr).toMatch(/single-instance lock: (another tradewarden process holds|another process has the journal)/);
    noStackTrace(second.stderr);
    // The journal claim alone refuses while the holder has it open.
    expect(() => claimJournalFile(persistentJournalPath(dir, 'bybit', 'main'))).toThrow(InstanceLockError);
    holder.kill('SIGTERM');
    await exitOf(holder);
    await own.stop();
  }, 120_000);

  it('X-RT-7 a snapshot that does not restore is a typed refusal (exit 3), never a hang', async () => {
    const dir = tmp('snapshot');
    const file = writeConfig(dir, sim.server.url);
    const path = persistentJournalPath(dir, 'bybit', 'main');
    const journal = openRawJournal({ path, clock: wallClock });
    journal.appendWithSnapshot('trade:bybit:BTCUSDT', 'ACTOR_EVENT', {}, { actorId: 'trade:bybit:BTCUSDT', machineVersion: TRADE_MACHINE_VERSION, snapshot: { status: 'active', value: { nonsense: 1 }, context: {} } });
    journal.close();
    const started = wallClock.now();
    const run = await runCli(['run', '--config', file, '--data-dir', dir]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain('trade:bybit:BTCUSDT: cannot restore its journaled snapshot (undecodable)');
    noStackTrace(run.stderr);
    expect(wallClock.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe('signals in every phase', () => {
  it('X-RT-7 SIGINT while start-up waits on an unresponsive venue stops the process promptly with exit 0', async () => {
    const dir = tmp('sigint');
    // A TCP peer that accepts and never answers: start-up hangs on its first request.
    const { createServer } = await import('node:net');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const child = spawn(process.execPath, ['dist/main.js', 'run', '--config', writeConfig(dir, `http://127.0.0.1:${port}`), '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      // The connection reaching the silent peer proves the child is inside start-up.
      const reached = await Promise.race([
        new Promise<'connected'>((resolve) => silent.once('connection', () => resolve('connected'))),
        exitOf(child).then((code) => `exited ${String(code)}: ${stderr}`),
      ]);
      expect(reached).toBe('connected');
      const sent = wallClock.now();
      child.kill('SIGINT');
      expect(await exitOf(child)).toBe(0);
      expect(wallClock.now() - sent).toBeLessThan(10_000);
      expect(stderr).toContain('stopped by signal during start-up');
    } finally {
      silent.close();
    }
  }, 60_000);

  it('X-LOG-3 a rerun of the demo never deletes an earlier run', async () => {
    const dir = tmp('rerun');
    const first = await runCli(['--data-dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    const firstDir = /summary: (.+)\/summary\.json/.exec(first.stdout)?.[1];
    expect(firstDir).toBeDefined();
    const journalBytes = readFileSync(join(firstDir!, 'journal', 'bybit-main.sqlite'));
    const second = await runCli(['--data-dir', dir]);
    expect(second.code, second.stderr).toBe(0);
    const secondDir = /summary: (.+)\/summary\.json/.exec(second.stdout)?.[1];
    expect(secondDir).not.toBe(firstDir);
    expect(readFileSync(join(firstDir!, 'journal', 'bybit-main.sqlite')).equals(journalBytes)).toBe(true);
    // Same config and seed: the summaries are byte-identical (X-BT-2), only the directory differs.
    expect(readFileSync(join(secondDir!, 'summary.json'), 'utf8')).toBe(readFileSync(join(firstDir!, 'summary.json'), 'utf8'));
  }, 120_000);
});
