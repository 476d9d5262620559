/**
 * `tradewarden drill restart` (issue #5 item 7): starts the venue simulator (`tradewarden sim`) as its own process, then repeatedly runs
 * the runtime as a child on a scenario that keeps orders and positions in flight, SIGKILLs it at a chosen crash point
 * (request journaled but not sent, sent but not acked, acked but not filled, filled but not protected, during a close)
 * or at a random instant, lets the venue run on, restarts it, and — with the simulator paused and the child holding its
 * gate closed after recovery — checks the simulator's truth: no duplicate orders, every position protected, actors
 * equal to the venue, journal chain intact, no order while the gate was closed. Wall-clock driven; never in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { wallClock } from '../../kernel/Clock.ts';
import { seededRandom } from '../../kernel/random.ts';
import { verifyJournal } from '../../journal/verify.ts';
import { clientOrderIdPrefix } from '../../journal/clientOrderIds.ts';
import { persistentJournalPath } from '../accounts.ts';
import { BOUND_VENUES } from '../venues.ts';
import { childEnvironment, signalWebhookSecretVariable } from '../../config/secrets.ts';
import { postDrillSignal } from './signalPoster.ts';
import { CRASHPOINT_LINE, RECOVERED_LINE } from './childHooks.ts';
import {
  duplicateOrders, ordersWhileGateClosed, protectiveCloses, stateMismatches, unjournaledOrders, unprotectedPositions,
  type SimOrderTruth, type SimPositionTruth, type SnapshotTruth, type Violation,
} from './checks.ts';

/** Kill windows and the crash points that fall in each (`random` is a kill after a random wall delay). */
export const KILL_WINDOWS: ReadonlyArray<{ readonly window: string; readonly points: ReadonlyArray<string> }> = [
  { window: 'sent→ACK', points: ['entry.requested', 'entry.sent'] },
  { window: 'ACK→FILL', points: ['actor:working'] },
  { window: 'FILL→TPSL', points: ['actor:opened.protecting', 'protect.sent'] },
  { window: 'CLOSE', points: ['actor:closing', 'exit.requested', 'exit.sent', 'actor:closed.cooldown'] },
  { window: 'random', points: ['random'] },
];

/** The `stops` scenario's extra window (S0-11, S0-13): a break-even or trailing move in flight, or just confirmed. */
export const STOP_MOVE_WINDOW = { window: 'STOP MOVE', points: ['actor:opened.movingStop', 'actor:opened.breakEven', 'actor:opened.trailing'] } as const;

/** The `split` scenario's extra window (S0-16): a later part of a split entry requested or sent, the rest not yet. */
export const SPLIT_WINDOW = { window: 'SPLIT', points: ['entry.part.requested', 'entry.part.sent'] } as const;

/** The `signals` scenario's extra window (S0-7): a dual entry's second leg requested or sent, the first filled. */
export const SECOND_LEG_WINDOW = { window: 'LEG 2', points: ['entry.part.requested', 'entry.part.sent'] } as const;

/** The `hedge` scenario's extra window (S0-12): the hedge leg's order or close with the venue, its TP/SL asked, or held. */
export const HEDGE_WINDOW = {
  window: 'HEDGE',
  points: ['hedge.requested', 'hedge.sent', 'actor:opened.hedging', 'actor:opened.protectingHedge', 'actor:opened.hedged', 'unhedge.requested', 'actor:closed.unhedging'],
} as const;

/**
 * What the children trade: `default` (breakout entries, fixed TP/SL), `stops` (the same, with break-even and trailing
 * stops), `split` (the same against a simulator whose BTCUSDT takes at most 0.1 per order, so every entry goes out in
 * parts) or `signals` (S0: followed signals posted to the child's webhook at the market, each entered as two post-only
 * legs with the signal's exact TP/SL, break-even and trailing on) or `hedge` (the same signals, hedged at −0.1 % from
 * the OEP on the other leg in hedge mode, S0-12: the signal's 0.3 % stop lies beyond it).
 */
export type DrillScenario = 'default' | 'stops' | 'split' | 'signals' | 'hedge';

/** Whether the scenario's children follow the drill's posted signals (the S0 profile). */
const followsSignals = (scenario: DrillScenario): boolean => scenario === 'signals' || scenario === 'hedge';

const windowsOf = (scenario: DrillScenario): ReadonlyArray<{ readonly window: string; readonly points: ReadonlyArray<string> }> =>
  scenario === 'stops' ? [...KILL_WINDOWS, STOP_MOVE_WINDOW]
  : scenario === 'split' ? [...KILL_WINDOWS, SPLIT_WINDOW]
  : scenario === 'signals' ? [...KILL_WINDOWS, SECOND_LEG_WINDOW, STOP_MOVE_WINDOW]
  : scenario === 'hedge' ? [...KILL_WINDOWS, SECOND_LEG_WINDOW, HEDGE_WINDOW]
  : KILL_WINDOWS;

// The `split` scenario's order maxima: the breakout's 5 % of 100,000 USDT at about 17,000 is ~0.29 BTC, three limit
// parts; market orders (exits, flattens) go in parts of 0.1 too, and the venue's own TP/SL closes at most 0.1 of a
// position and clears the stops (a partial stop, X-ORD-6), as Bybit's close-position does above `maxMktOrderQty`.
const SPLIT_SIM_ARGS: ReadonlyArray<string> = ['--max-order-qty', 'BTCUSDT=0.1', '--max-market-order-qty', 'BTCUSDT=0.1'];

// Break-even at +0.05 %, the trailer from +0.1 % at 0.05 % behind the best mark: on the bundled minute bars at ×600 a
// position moves its stop within seconds of wall time, so kills land while a move is in flight.
const STOPS_EXECUTION = `execution:
  stopManagement:
    enabled: true
    breakEvenAtFraction: 0.05%
    trailFromFraction: 0.1%
    trailDistanceFraction: 0.05%
    trailStepFraction: 0.01%
`;

// The `hedge` scenario's trigger: −0.1 % from the OEP, inside the drill signals' 0.3 % stop (S0-12).
const HEDGE_EXECUTION = `  hedge:
    enabled: true
    atFraction: 0.1%
`;

/** Options of a drill run. */
export interface RestartDrillOptions {
  readonly trials: number;
  readonly seed: number;
  /** Scratch directory (one sub-directory per epoch); wiped at start. */
  readonly workDir: string;
  /** The CLI entry the children run (`dist/main.js`). */
  readonly mainJs: string;
  /** The Node binary the children run on. */
  readonly nodePath: string;
  readonly speed?: number | undefined;
  /** Wall ms an epoch (one simulator process and data directory) lasts before a fresh one starts; the bundled day
   *  of data lasts 1440 bars / speed minutes of wall time. */
  readonly epochWallMs?: number | undefined;
  /** Progress lines. */
  readonly out: (line: string) => void;
  /** Venue accounts of the child's config: 1 (`main` trades both symbols) or 2 (`main` BTCUSDT, `second` ADAUSDT). */
  readonly accounts?: 1 | 2 | undefined;
  /** What the children trade (default `default`); `stops` adds the STOP MOVE kill window. */
  readonly scenario?: DrillScenario | undefined;
}

/** The accounts of a drill config and the symbols each trades (simulator account = account name). */
const drillAccounts = (n: 1 | 2): ReadonlyArray<{ readonly name: string; readonly symbols: ReadonlyArray<string> }> =>
  n === 1 ? [{ name: 'main', symbols: ['BTCUSDT', 'ADAUSDT'] }] : [{ name: 'main', symbols: ['BTCUSDT'] }, { name: 'second', symbols: ['ADAUSDT'] }];

/**
 * The simulator's market data: one account replays the simulator's synthetic BTCUSDT walk (the drill's reference
 * figures are on it); two accounts replay the bundled bars of both symbols, so the second account trades too.
 */
const drillData = (n: 1 | 2, mainJs: string): ReadonlyArray<string> =>
  n === 1 ? [] : ['bybit_BTCUSDT_perp_1m_2022-12-13.csv', 'binance_ADAUSDT_perp_1m_2022-12-13.csv'].flatMap((f) => ['--data', join(dirname(mainJs), '..', 'data', 'crypto-1m', f)]);

/** Per-window results. */
export interface WindowStats {
  trials: number;
  /** Trials whose crash point was not reached in time (killed at that moment instead; still checked). */
  missed: number;
  violations: number;
  /** Reduce-only closes sent during recovery for positions whose TP/SL the venue refused (not violations). */
  protectiveCloses: number;
  restartMs: number[];
}

/** The outcome of a drill run. */
export interface RestartDrillResult {
  readonly windows: ReadonlyMap<string, WindowStats>;
  readonly violations: ReadonlyArray<Violation & { readonly trial: number; readonly window: string }>;
  readonly trials: number;
  /** Children killed at their crash point while recovering (then restarted); each such restart is checked too. */
  readonly recoveryKills: number;
  readonly wallMs: number;
}

/** How long the drill waits for a targeted crash point (a loaded CI machine reaches CLOSE slowly); under FREEZE_MS. */
const CRASH_WAIT_MS = 25_000;

/** One trial's kill: its window and crash point (`random` = a random wall delay). */
interface Plan {
  readonly window: string;
  readonly point: string;
}
const RECOVER_WAIT_MS = 60_000;
/** The venue the drill runs on: the registry's first (its simulator speaks that venue's wire protocol). */
const DRILL_VENUE = BOUND_VENUES[0]!;

// The `signals` scenario: the S0 profile's governance (three permanent sources; the drill posts as CRYPTORAKETEN to
// the child's webhook), no strategy of its own, the ops server on a free port for the webhook.
const SIGNALS_SECTIONS = `signals:
  enabled: true
  sources:
    - { name: CRYPTORAKETEN, via: webhook }
    - { name: LUX_LEAK, via: replay }
    - { name: SMART_CRYPTO, via: replay }
  notionalFraction: 5%
server:
  enabled: true
  port: 0
`;

/** The name the drill posts its signals as, and the webhook secret's variable the child reads it from. */
const DRILL_SIGNAL_SOURCE = 'CRYPTORAKETEN';

const drillConfig = (simUrl: string, speed: number, seed: number, accounts: 1 | 2, scenario: DrillScenario): string => `# generated by tradewarden drill restart
profile: ${followsSignals(scenario) ? 's0-bybit-signal' : 'demo'}
mode: PAPER
botId: tw
venues:
${drillAccounts(accounts).map((a) => `  ${a.name}:
    kind: ${DRILL_VENUE}
    environment: sim
    symbols: [${a.symbols.join(', ')}]
    triggerSource: mark
    leverage: "5"
    simUrl: ${simUrl}
`).join('')}sim:
  clock: accelerated
  speed: ${speed}
  seed: ${seed}
strategies:
  breakout:
    enabled: ${followsSignals(scenario) ? 'false' : 'true'}
    lookbackBars: 2
    cooldownBars: 0
    notionalFraction: 5%
    stopLossFraction: 0.3%
    takeProfitFraction: 0.3%
${scenario === 'stops' || followsSignals(scenario) ? STOPS_EXECUTION : ''}${scenario === 'hedge' ? HEDGE_EXECUTION : ''}${followsSignals(scenario) ? SIGNALS_SECTIONS : ''}reconcile:
  intervalMs: 600000
risk:
  allowShorts: true
  fees: { makerRate: 0.0002, takerRate: 0.00055 }
  cooldowns: { afterFillMs: 0, afterStopMs: 0 }
  staleness: { quoteMaxAgeMs: 20000 }
logging:
  level: info
  stderrLevel: error
`;

/** A child process with its stdout read line by line. */
interface Child {
  readonly proc: ChildProcess;
  /** Resolves with the first stdout line starting with one of the prefixes, or undefined at the deadline/exit. */
  waitFor(prefixes: ReadonlyArray<string>, ms: number): Promise<string | undefined>;
  readonly exited: Promise<number | null>;
  /** The child's ops server URL once it printed it (`ops server on <url> …`). */
  opsUrl(): string | undefined;
}

/** Every child process the drill has started and not yet seen exit (killed if the drill itself is stopped). */
const liveChildren = new Set<ChildProcess>();

/** SIGKILLs every child still running (the simulator and a runtime); for the command's signal handlers. */
export const killDrillChildren = (): void => {
  for (const p of liveChildren) p.kill('SIGKILL');
};

const OPS_LINE = 'ops server on ';

const startChild = (nodePath: string, args: ReadonlyArray<string>, logFile: string, env?: Readonly<Record<string, string>>): Child => {
  const proc = spawn(nodePath, [...args], { stdio: ['pipe', 'pipe', 'pipe'], ...(env === undefined ? {} : { env: childEnvironment(env) }) });
  let opsUrl: string | undefined;
  liveChildren.add(proc);
  proc.once('exit', () => liveChildren.delete(proc));
  const log = createWriteStream(logFile, { flags: 'a' });
  proc.stderr?.pipe(log);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: proc.stdout }).on('line', (line) => {
    log.write(`${line}\n`);
    if (line.startsWith(OPS_LINE)) opsUrl = line.slice(OPS_LINE.length).split(' ')[0];
    lines.push(line);
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => {
    for (const w of [...waiters]) w();
    resolve(code);
  }));
  let exitedFlag = false;
  void exited.then(() => (exitedFlag = true));
  return {
    proc,
    exited,
    opsUrl: () => opsUrl,
    waitFor: (prefixes, ms) => new Promise((resolve) => {
      const check = (): void => {
        const i = lines.findIndex((l) => prefixes.some((p) => l.startsWith(p)));
        if (i >= 0) {
          const [line] = lines.splice(0, i + 1).slice(-1);
          done(line);
        } else if (exitedFlag || proc.exitCode !== null) done(undefined);
      };
      const timer = setTimeout(() => done(undefined), ms);
      const done = (v: string | undefined): void => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(v);
      };
      waiters.add(check);
      check();
    }),
  };
};

const getJson = async <T>(url: string): Promise<T> => {
  const res = await request(url, { method: 'GET' });
  return (await res.body.json()) as T;
};

const postJson = async (url: string, body: unknown): Promise<void> => {
  const res = await request(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  await res.body.dump();
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
};

const killHard = async (child: Child): Promise<void> => {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
  await child.exited;
};

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the journal's order ids and actor snapshots (read-only; the child may be holding it open). */
const readJournal = (path: string): { readonly ids: Set<string>; readonly snapshots: Map<string, SnapshotTruth> } => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const ids = new Set((db.prepare('SELECT client_order_id AS id FROM orders').all() as Array<{ id: string }>).map((r) => r.id));
    const snapshots = new Map<string, SnapshotTruth>();
    for (const r of db.prepare("SELECT actor_id AS id, snapshot FROM snapshots WHERE actor_id LIKE 'trade:%'").all() as Array<{ id: string; snapshot: string }>) {
      snapshots.set(r.id.split(':').at(-1)!, JSON.parse(r.snapshot) as SnapshotTruth);
    }
    return { ids, snapshots };
  } finally {
    db.close();
  }
};

/** Runs the drill; never throws for a violation (they are in the result). */
export const runRestartDrill = async (opts: RestartDrillOptions): Promise<RestartDrillResult> => {
  const speed = opts.speed ?? 600;
  const epochWallMs = opts.epochWallMs ?? 100_000;
  const random = seededRandom(opts.seed);
  const prefix = clientOrderIdPrefix('tw');
  const accounts = drillAccounts(opts.accounts ?? 1);
  const scenario = opts.scenario ?? 'default';
  const killWindows = windowsOf(scenario);
  const windows = new Map<string, WindowStats>(killWindows.map((w) => [w.window, { trials: 0, missed: 0, violations: 0, protectiveCloses: 0, restartMs: [] }]));
  const violations: Array<Violation & { trial: number; window: string }> = [];
  const started = wallClock.now();
  rmSync(opts.workDir, { recursive: true, force: true });
  mkdirSync(opts.workDir, { recursive: true });

  // Trials cycle through the kill windows; the crash point inside a window is drawn from the seeded RNG.
  const planFor = (t: number): Plan => {
    const w = killWindows[(t - 1) % killWindows.length]!;
    return { window: w.window, point: w.points[Math.floor(random() * w.points.length)]! };
  };
  let trial = 0;
  let recoveryKills = 0;
  for (let epoch = 0; trial < opts.trials; epoch++) {
    const dir = join(opts.workDir, `epoch-${epoch}`);
    mkdirSync(dir, { recursive: true });
    const sim = startChild(opts.nodePath, [opts.mainJs, 'sim', '--venue', DRILL_VENUE, '--port', '0', '--speed', String(speed), '--seed', String(opts.seed + epoch), ...drillData(opts.accounts ?? 1, opts.mainJs), ...(scenario === 'split' ? SPLIT_SIM_ARGS : [])], join(dir, 'sim.log'));
    const listening = await sim.waitFor(['listening '], 30_000);
    if (listening === undefined) throw new Error(`the simulator did not start (see ${join(dir, 'sim.log')})`);
    const simUrl = listening.slice('listening '.length).trim();
    const epochStart = wallClock.now();
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, drillConfig(simUrl, speed, opts.seed + epoch, opts.accounts ?? 1, scenario));
    const dataDir = join(dir, 'data');
    // `signals`: the child reads the drill's webhook secret and an API token from its environment (never from a file).
    const secret = followsSignals(scenario) ? randomBytes(32).toString('hex') : '';
    const childEnv = followsSignals(scenario) ? { [signalWebhookSecretVariable(DRILL_SIGNAL_SOURCE)]: secret, TW_CONTROL_TOKEN: randomBytes(32).toString('hex') } : undefined;
    let posted = 0;
    // While a child lives, a signal every 1.5 s at the market, long and short in turn: entries stay in flight.
    const postSignals = async (c: Child): Promise<void> => {
      while (c.proc.exitCode === null && c.proc.signalCode === null) {
        const url = c.opsUrl();
        if (url !== undefined) {
          posted += 1;
          await postDrillSignal({ simUrl, opsUrl: url, source: DRILL_SIGNAL_SOURCE, secret, id: `e${String(epoch)}-${String(posted)}`, side: posted % 2 === 1 ? 'long' : 'short', wallNow: wallClock.now() });
        }
        await delay(1_500);
      }
    };
    const serverTime = async (): Promise<number> => (await getJson<{ serverTime: number }>(`${simUrl}/sim/control/state`)).serverTime;

    // One restart: pause the venue, start the child holding its gate, check, resume, let it trade.
    // `plan` is the trial whose kill is being checked; `arm` is the crash point of the trial the new child serves.
    const restart = async (plan: Plan | undefined, arm: Plan): Promise<Child> => {
      await postJson(`${simUrl}/sim/control/pause`, { paused: true });
      const from = await serverTime();
      let t0: number;
      let child: Child;
      let recovered: string | undefined;
      // The armed crash point may be reached during recovery itself (recovery moves actors through the same states):
      // that is a kill during recovery — kill it there and restart, unarmed after the second time.
      for (let attempt = 0; ; attempt++) {
        const args = [opts.mainJs, 'run', '--config', configPath, '--data-dir', dataDir, '--drill-hold-gate'];
        if (arm.point !== 'random' && attempt < 2) args.push('--drill-crash-at', arm.point);
        t0 = wallClock.now();
        child = startChild(opts.nodePath, args, join(dir, 'runtime.log'), childEnv);
        const line = await child.waitFor([RECOVERED_LINE, CRASHPOINT_LINE], RECOVER_WAIT_MS);
        if (line?.startsWith(CRASHPOINT_LINE) !== true) {
          recovered = line;
          break;
        }
        await killHard(child);
        recoveryKills += 1;
      }
      const restartMs = wallClock.now() - t0;
      const found: Violation[] = [];
      let closes = 0;
      if (recovered === undefined) {
        found.push({ kind: 'no_recovery', detail: `the runtime did not report recovery within ${RECOVER_WAIT_MS} ms (exit ${String(child.proc.exitCode)}; see ${join(dir, 'runtime.log')})` });
      } else {
        const to = await serverTime();
        const report = JSON.parse(recovered.slice(RECOVERED_LINE.length)) as { mismatches: Record<string, string[]>; adopted?: string[] };
        for (const [s, m] of Object.entries(report.mismatches)) found.push({ kind: 'runtime_mismatch', detail: `${s}: runtime reported ${m.join('; ')}` });
        // Each account against its own simulator account and its own journal.
        for (const account of accounts) {
          const [orders, positions] = await Promise.all([
            getJson<{ orders: SimOrderTruth[] }>(`${simUrl}/sim/control/orders?account=${account.name}`),
            getJson<{ positions: SimPositionTruth[] }>(`${simUrl}/sim/control/positions?account=${account.name}`),
          ]);
          const journalPath = persistentJournalPath(dataDir, DRILL_VENUE, account.name);
          const verified = verifyJournal(journalPath);
          if (!verified.ok) found.push({ kind: 'chain_broken', detail: `${account.name}: seq ${verified.firstBadSeq}: ${verified.problem} ${verified.detail}` });
          const journal = readJournal(journalPath);
          closes += protectiveCloses(orders.orders, prefix, from, to).length;
          found.push(
            ...duplicateOrders(orders.orders, prefix),
            ...unprotectedPositions(positions.positions),
            ...ordersWhileGateClosed(orders.orders, prefix, from, to),
            ...unjournaledOrders(orders.orders, prefix, journal.ids),
            // Adopted positions (no actor owns them by design) are still checked for protection above.
            ...stateMismatches(account.symbols, journal.snapshots, orders.orders, positions.positions, prefix, new Set(report.adopted ?? [])),
          );
        }
      }
      if (plan !== undefined) {
        const stats = windows.get(plan.window)!;
        stats.restartMs.push(restartMs);
        stats.protectiveCloses += closes;
        if (found.length > 0) stats.violations += 1;
        for (const v of found) violations.push({ ...v, trial, window: plan.window });
        for (const v of found) opts.out(`trial ${trial} (${plan.window}/${plan.point}): VIOLATION ${v.kind}: ${v.detail}`);
      } else {
        for (const v of found) violations.push({ ...v, trial, window: 'start' });
        for (const v of found) opts.out(`epoch ${epoch} start: VIOLATION ${v.kind}: ${v.detail}`);
      }
      await postJson(`${simUrl}/sim/control/pause`, { paused: false });
      child.proc.stdin?.write('open\n');
      if (followsSignals(scenario)) void postSignals(child);
      return child;
    };

    let next = planFor(trial + 1);
    let child = await restart(undefined, next);
    while (trial < opts.trials && wallClock.now() - epochStart < epochWallMs) {
      trial += 1;
      const plan = next;
      const stats = windows.get(plan.window)!;
      stats.trials += 1;
      if (plan.point === 'random') {
        await delay(200 + Math.floor(random() * 2800));
      } else {
        const hit = await child.waitFor([CRASHPOINT_LINE], CRASH_WAIT_MS);
        if (hit === undefined) stats.missed += 1;
      }
      await killHard(child);
      // The venue runs on while the runtime is down: fills, TP/SL triggers.
      await delay(Math.floor(random() * 300));
      next = planFor(trial + 1);
      child = await restart(plan, next);
      if (trial % 10 === 0) opts.out(`${trial}/${opts.trials} trials, ${violations.length} violations`);
    }
    child.proc.kill('SIGTERM');
    await Promise.race([child.exited, delay(20_000)]);
    await killHard(child);
    sim.proc.kill('SIGTERM');
    await Promise.race([sim.exited, delay(5_000)]);
    await killHard(sim);
  }
  return { windows, violations, trials: trial, recoveryKills, wallMs: wallClock.now() - started };
};

const pct = (xs: ReadonlyArray<number>, q: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** Formats the per-window table and the total. */
export const formatDrillTable = (r: RestartDrillResult): string => {
  const head = `${'window'.padEnd(10)} ${'trials'.padStart(6)} ${'missed'.padStart(6)} ${'violating'.padStart(9)} ${'closes'.padStart(6)}  restart→recovered p50/p99/max (ms)`;
  const line = (name: string, s: WindowStats): string =>
    `${name.padEnd(10)} ${String(s.trials).padStart(6)} ${String(s.missed).padStart(6)} ${String(s.violations).padStart(9)} ${String(s.protectiveCloses).padStart(6)}  ${pct(s.restartMs, 0.5)}/${pct(s.restartMs, 0.99)}/${pct(s.restartMs, 1)}`;
  const rows = [...r.windows].map(([w, s]) => line(w, s));
  const all = [...r.windows.values()];
  const sum = (f: (s: WindowStats) => number): number => all.reduce((a, s) => a + f(s), 0);
  const total = line('total', { trials: r.trials, missed: sum((s) => s.missed), violations: sum((s) => s.violations), protectiveCloses: sum((s) => s.protectiveCloses), restartMs: all.flatMap((s) => s.restartMs) });
  return [head, ...rows, total, `${r.recoveryKills} extra kills during recovery`, `${r.violations.length} violations in ${(r.wallMs / 1000).toFixed(0)} s`].join('\n');
};
