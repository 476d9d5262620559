/**
 * The state files (S4-8, S4-9, S4-10, S4-13): the publisher on a virtual-clock scheduler writes every surface and the
 * manifest atomically, each validates against its schema, the manifest matches the directory, the committed v1 field
 * list still holds (additive changes only), times are Unix seconds and money plain decimal strings, the ledger is
 * checked against the venue's positions, and a publisher SIGKILLed at random instants never leaves a half-written file.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Schema } from 'effect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock, wallClock } from '../../src/kernel/Clock.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { readServerFile, readStateFiles, startStatePublisher, writeServerFile } from '../../src/ops/stateFiles.ts';
import {
  additiveProblems, fieldTypes, Kpis, SURFACE_NAMES, surfaceFieldTypes, surfaceFile, validateSurface, type FieldTypes,
} from '../../src/ops/stateManifest.ts';
import { buildSurfaces, ledgerEntries, ledgerProblems } from '../../src/ops/stateSurfaces.ts';
import type { StatusView } from '../../src/ops/types.ts';
import { tempDir } from '../journal/fixtures.ts';
import { opsSourceOf, SAMPLE_AT, sampleStatus } from '../support/statusViews.ts';

const readJson = (dir: string, file: string): Record<string, unknown> => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;

/** The distinct paths a list of problems names (a union reports one line per branch). */
const failingPaths = (problems: ReadonlyArray<string>): string[] => [...new Set(problems.map((p) => p.slice(0, p.indexOf(':'))))];

let tmp: ReturnType<typeof tempDir>;
beforeAll(() => {
  tmp = tempDir('state');
});
afterAll(() => tmp.cleanup());

/** A publisher on a virtual clock whose status view is `view` (mutable between publishes). */
const publisherOn = (dir: string, start = SAMPLE_AT) => {
  const clock = new VirtualClock(start);
  const scheduler = virtualScheduler(clock);
  let view: StatusView = sampleStatus({ wallAt: start });
  const errors: unknown[] = [];
  const publisher = startStatePublisher({ dir, source: opsSourceOf(() => view), schedule: (at, run) => scheduler.schedule(at, run), now: () => clock.now(), everyMs: 2_000, onError: (e) => errors.push(e) });
  return { clock, publisher, errors, setView: (v: StatusView) => void (view = v) };
};

describe('state files', () => {
  it('S4-8 publishes every surface atomically on its schedule, each valid against its schema, and a last time at stop', () => {
    const dir = join(tmp.dir, 'publish');
    const { clock, publisher, setView } = publisherOn(dir);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', ...SURFACE_NAMES.map(surfaceFile)].sort());
    for (const name of SURFACE_NAMES) expect(validateSurface(name, readJson(dir, surfaceFile(name)))).toEqual([]);
    expect(readJson(dir, 'kpis.json')).toMatchObject({ counters: { trades: 1, orders_sent: 4 }, pnl: { realized: '12.5', fees: '0.75' } });
    expect(readJson(dir, 'nav_state.json')).toMatchObject({ nav: '100012.5', accounts: [{ account: 'main', equity: '100012.5' }], age_seconds: 0.5, fresh: true });
    expect(readJson(dir, 'risk_snapshot.json')).toMatchObject({ trading_on: true, risk_mode: 'active', kill_switch_engaged: false, drawdown: '0.0001', gross_exposure: '769.2' });
    expect(readJson(dir, 'router_health.json')).toMatchObject({ connections_live: 1, connections_total: 2, orders_sent: 4, fills: 3, working_orders: [{ client_order_id: 'tw-demo-1-7' }] });
    expect(readJson(dir, 'diagnostics.json')).toMatchObject({ vetoes: { staleness: 2, symbol_cap: 1 }, veto_total: 3, liveness: { heartbeat_cycles: 120 }, phase: 'trading' });

    // Nothing changes between two ticks; the next tick (2 s of wall time later) publishes the new view.
    const main = sampleStatus().accounts[0]!;
    const halted = { ...main, name: 'second', tradingState: 'halted', killSwitch: { engaged: true, reason: 'test', flatten: false, source: 'cli' } };
    setView(sampleStatus({ accounts: [main, halted], counters: { ...sampleStatus().counters, trades: 2 }, trading: { on: false, reasons: ['second: kill_switch (test)'] } }));
    clock.advanceBy(1_999);
    expect(readJson(dir, 'kpis.json')).toMatchObject({ counters: { trades: 1 } });
    clock.advanceBy(1);
    expect(readJson(dir, 'kpis.json')).toMatchObject({ counters: { trades: 2 }, updated_ts: Math.floor((SAMPLE_AT + 2_000) / 1000) });
    expect(readJson(dir, 'risk_snapshot.json')).toMatchObject({ trading_on: false, reasons: ['second: kill_switch (test)'], risk_mode: 'halted', kill_switch_engaged: true });
    expect(readJson(dir, 'nav_state.json')).toMatchObject({ nav: '200025', starting_balance: '200000' });
    // The NAV is as old as the last decision cycle: 2.5 s now, and stale once that passes 90 s.
    expect(readJson(dir, 'nav_state.json')).toMatchObject({ age_seconds: 2.5, fresh: true });
    clock.advanceBy(90_000);
    expect(readJson(dir, 'nav_state.json')).toMatchObject({ fresh: false });

    setView(sampleStatus({ phase: 'stopped' }));
    publisher.stop();
    expect(readJson(dir, 'diagnostics.json')).toMatchObject({ phase: 'stopped' });
    setView(sampleStatus({ phase: 'trading' }));
    clock.advanceBy(10_000);
    expect(readJson(dir, 'diagnostics.json')).toMatchObject({ phase: 'stopped' });
    // Never a temporary file left behind, never a file the publisher does not own.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('S4-8 a status that cannot be built is reported, the files keep their last good content, and the next tick publishes again', () => {
    const dir = join(tmp.dir, 'failing');
    const { clock, errors, setView } = publisherOn(dir);
    const good = readFileSync(join(dir, 'kpis.json'), 'utf8');
    const broken = sampleStatus();
    setView({ ...broken, get counters(): StatusView['counters'] { throw new Error('runtime is gone'); } });
    clock.advanceBy(2_000);
    expect(errors.map(String)).toEqual(['Error: runtime is gone']);
    expect(readFileSync(join(dir, 'kpis.json'), 'utf8')).toBe(good);
    setView(sampleStatus({ counters: { ...broken.counters, fills: 99 } }));
    clock.advanceBy(2_000);
    expect(readJson(dir, 'kpis.json')).toMatchObject({ counters: { fills: 99 } });
  });

  it('S4-9 the manifest lists every surface with owner, frequency and schema, and matches the files in the directory', () => {
    const dir = join(tmp.dir, 'manifest');
    publisherOn(dir).publisher.stop();
    const manifest = readJson(dir, 'manifest.json');
    expect(validateSurface('manifest', manifest)).toEqual([]);
    const entries = manifest['surfaces'] as ReadonlyArray<{ name: string; file: string; owner: string; frequency: string; schema_version: number; schema: { properties: Record<string, unknown> } }>;
    expect(entries.map((e) => e.name)).toEqual([...SURFACE_NAMES]);
    for (const e of entries) {
      expect(e).toMatchObject({ owner: 'executor', frequency: 'every 2000 ms and at stop', schema_version: 1 });
      const file = readJson(dir, e.file);
      // The manifest's JSON description names every field the file holds, and the file holds every field it names.
      expect(Object.keys(file).sort()).toEqual(Object.keys(e.schema.properties).sort());
    }
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', ...entries.map((e) => e.file)].sort());
  });

  it('S4-9 schema changes are additive only: every field of the committed v1 schema is still there with its type', () => {
    const committed = JSON.parse(readFileSync('tests/fixtures/state-schema-v1.json', 'utf8')) as { surfaces: Record<string, FieldTypes> };
    expect(additiveProblems(committed.surfaces, surfaceFieldTypes())).toEqual([]);
    // The rule itself: a new field passes; a removed, renamed or retyped one fails against the committed list.
    const kpis = committed.surfaces['kpis']!;
    const added = fieldTypes(Schema.Struct({ ...Kpis.fields, sharpe: Schema.NullOr(Schema.String) }));
    expect(additiveProblems({ kpis }, { kpis: added })).toEqual([]);
    const { win_rate: _dropped, ...withoutWinRate } = Kpis.fields;
    expect(additiveProblems({ kpis }, { kpis: fieldTypes(Schema.Struct(withoutWinRate)) })).toEqual(['kpis: field win_rate was removed or renamed']);
    expect(additiveProblems({ kpis }, { kpis: fieldTypes(Schema.Struct({ ...withoutWinRate, winRate: Kpis.fields.win_rate })) })).toEqual(['kpis: field win_rate was removed or renamed']);
    expect(additiveProblems({ kpis }, { kpis: fieldTypes(Schema.Struct({ ...Kpis.fields, win_rate: Schema.Number })) })).toEqual(['kpis: field win_rate changed type from null|string to number']);
    expect(additiveProblems(committed.surfaces, { ...surfaceFieldTypes(), diagnostics: undefined } as unknown as Record<string, FieldTypes>)).toEqual(['surface diagnostics was removed or renamed']);
  });

  it('S4-13 surfaces carry whole Unix seconds and plain decimal strings; epoch ms, exponents and numbers as money are refused', () => {
    const surfaces = buildSurfaces(sampleStatus({ pnl: { ...sampleStatus().pnl, fees: '1e-7', realized: '-2.50' } }), { now: SAMPLE_AT + 1_234, navFreshnessMs: 90_000 });
    expect(surfaces.kpis.pnl).toMatchObject({ fees: '0.0000001', realized: '-2.5' });
    expect(surfaces.kpis.updated_ts).toBe(1_790_071_201);
    expect(surfaces.diagnostics.liveness.last_cycle_ts).toBe(1_790_071_199);
    for (const name of SURFACE_NAMES) expect(validateSurface(name, surfaces[name])).toEqual([]);
    // Every *_ts field is typed an integer of seconds; the schemas refuse milliseconds, exponents and numeric money.
    for (const [name, fields] of Object.entries(surfaceFieldTypes())) {
      for (const [path, type] of Object.entries(fields)) if (/_ts$/.test(path)) expect(`${name}.${path}: ${type.replace('|null', '')}`).toBe(`${name}.${path}: integer`);
    }
    expect(failingPaths(validateSurface('kpis', { ...surfaces.kpis, updated_ts: SAMPLE_AT }))).toEqual(['kpis.updated_ts']);
    expect(failingPaths(validateSurface('kpis', { ...surfaces.kpis, pnl: { ...surfaces.kpis.pnl, fees: '1e-7' } }))).toEqual(['kpis.pnl.fees']);
    expect(failingPaths(validateSurface('nav_state', { ...surfaces.nav_state, nav: 100012.5 }))).toEqual(['nav_state.nav']);
    expect(validateSurface('no_such_surface', {})).toEqual([expect.stringContaining('not a state surface')]);
    // A reader of v1 accepts a file a newer writer extended.
    expect(validateSurface('kpis', { ...surfaces.kpis, added_later: 1 })).toEqual([]);
  });

  it('S4-10 the ledger holds symbol, side, qty, entry price, tp_sl, strategy and metadata, checks out against the venue, and reports a removed TP/SL pair', () => {
    const view = sampleStatus({
      positions: [
        ...sampleStatus().positions,
        { account: 'main', symbol: 'ETHUSDT', side: 'short', quantity: '0.5', entryPrice: '3000', markPrice: null, unrealizedPnl: null, takeProfit: '2900', stopLoss: null, protected: false },
      ],
    });
    const ledger = buildSurfaces(view, { now: SAMPLE_AT, navFreshnessMs: 90_000 }).positions_ledger;
    expect(validateSurface('positions_ledger', ledger)).toEqual([]);
    expect(ledger).toMatchObject({ source: 'paper:demo-test', updated_ts: Math.floor(SAMPLE_AT / 1000), unprotected: [] });
    expect(ledger.entries[0]).toEqual({
      symbol: 'BTCUSDT', side: 'long', qty: '0.012', entry_price: '64000.5', tp_sl: { tp: '65000', sl: '63000' }, strategy: null,
      metadata: { account: 'main', protected: true, mark_price: '64100' },
    });
    expect(ledgerProblems(ledger.entries, view.positions)).toEqual([]);
    // The venue's TP/SL pair is gone: the next ledger reports the entry, and so does its `unprotected` list.
    const stripped = view.positions.map((p) => (p.symbol === 'BTCUSDT' ? { ...p, takeProfit: null, stopLoss: null, protected: false } : p));
    const next = buildSurfaces({ ...view, positions: stripped }, { now: SAMPLE_AT, navFreshnessMs: 90_000 }).positions_ledger;
    expect(next.unprotected).toEqual(['BTCUSDT']);
    expect(ledgerProblems(next.entries, stripped)).toEqual(['main/BTCUSDT: long 0.012 has neither TP nor SL']);
    // An entry the venue does not hold, a position without an entry and a quantity that differs are all reported.
    expect(ledgerProblems(ledgerEntries(view.positions.slice(0, 1)), view.positions.slice(1))).toEqual([
      'main/ETHUSDT: the venue holds short 0.5 but the ledger has no entry',
      'main/BTCUSDT: the ledger has an entry but the venue holds no position',
    ]);
    expect(ledgerProblems(ledger.entries, view.positions.map((p) => ({ ...p, quantity: '0.5000' })))).toEqual(['main/BTCUSDT: the ledger says long 0.012, the venue long 0.5000']);
  });

  it('S4-8 server.json is written atomically and read back with whether its pid is alive; a broken one is a problem, not a crash', () => {
    const dir = join(tmp.dir, 'server');
    expect(readServerFile(dir)).toBeUndefined();
    writeServerFile(dir, { url: 'http://127.0.0.1:8787', pid: process.pid, startedAt: SAMPLE_AT });
    expect(readServerFile(dir)).toEqual({ url: 'http://127.0.0.1:8787', pid: process.pid, startedAt: SAMPLE_AT, alive: true });
    writeServerFile(dir, { url: 'http://127.0.0.1:8787', pid: 2 ** 22 + 17, startedAt: SAMPLE_AT });
    expect(readServerFile(dir)).toMatchObject({ alive: false });
    writeFileSync(join(dir, 'server.json'), '{"url":');
    expect(readServerFile(dir)).toEqual({ problem: expect.stringContaining('is not JSON') as unknown });
    expect(readStateFiles(dir, SAMPLE_AT)).toBeUndefined();
  });
});

const CHILD_SOURCE = fileURLToPath(new URL('../support/statePublisherChild.ts', import.meta.url));
const KILLS = 20;
/** Kills go on past KILLS until this many landed between a write and its rename, up to MAX_KILLS. */
const TORN_WANTED = 3;
const MAX_KILLS = 80;

describe('state files under kill -9', () => {
  let bundle = '';
  beforeAll(async () => {
    // Bundled once (as dist/main.js is): a child starts in tens of milliseconds instead of loading effect module by module.
    bundle = join(tmp.dir, 'statePublisherChild.mjs');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    await build({
      entryPoints: [CHILD_SOURCE], outfile: bundle, bundle: true, platform: 'node', format: 'esm', target: 'node24', logLevel: 'warning',
      plugins: [{ name: 'native-driver', setup: (b) => void b.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: driver, external: true })) }],
    });
  });

  it(`S4-8 S4-9 a publisher SIGKILLed at ${String(KILLS)}+ random instants (some mid-write) leaves every file under its final name whole and valid`, async () => {
    const dir = join(tmp.dir, 'killed');
    // mulberry32, seeded: the kill instants are reproducible.
    let seed = 0x51a7e;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let killedWhilePublishing = 0;
    let torn = 0;
    let kills = 0;
    for (let k = 0; k < MAX_KILLS && (k < KILLS || torn < TORN_WANTED); k++) {
      kills += 1;
      const child = spawn(process.execPath, [bundle, dir, String(k + 1)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ready\n')) resolve();
        });
        void exited.then(() => reject(new Error(`the child exited before it published: ${stderr}`)));
      });
      // The kill instant: a random point 0–40 ms into the publishing loop (the choice of instant is the test, not a wait).
      await new Promise<void>((resolve) => setTimeout(resolve, Math.floor(random() * 40)));
      child.kill('SIGKILL');
      const { signal } = await exited;
      if (signal === 'SIGKILL') killedWhilePublishing += 1;
      if (readdirSync(dir).some((f) => f.endsWith(`.tmp-${String(child.pid)}`))) torn += 1;
      expect(stderr).toBe('');
      const reads = readStateFiles(dir, wallClock.now())!;
      for (const r of reads) {
        expect(r.problems, `after kill ${String(k + 1)}: ${r.file}`).toEqual([]);
        expect(readFileSync(r.file, 'utf8').endsWith('}\n')).toBe(true);
      }
    }
    expect(killedWhilePublishing).toBe(kills);
    // Kills landed between a write and its rename (each left its temporary file): a writer in place would have torn those files.
    expect(torn).toBeGreaterThanOrEqual(TORN_WANTED);
    // The next publisher removes the temporary files the killed ones left and owns the directory alone again.
    startStatePublisher({ dir, source: opsSourceOf(() => sampleStatus()), schedule: () => () => undefined, now: () => SAMPLE_AT, everyMs: 2_000 }).stop();
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 60_000);
});
