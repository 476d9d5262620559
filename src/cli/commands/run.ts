/**
 * `tradewarden run [--config <file>] [--inspect [port]] [--strategy-path <dir>] [--strategy <id>] [--param key=value]…
 * [--log-format json|pretty]`: runs a trading session. The PAPER demo (config/default.yaml) replays bundled real bars
 * against the in-process simulator on the virtual clock and prints the run summary. `--strategy-path` loads user
 * strategies; `--strategy` and `--param` choose and tune one as in backtest (a module or value it cannot use: exit 2).
 * `--log-format pretty` renders the stderr mirror of the log for humans; the log file stays JSON lines.
 */
import { Either, Redacted } from 'effect';
import { loadConfigFile } from '../../config/load.ts';
import { checkModeStart } from '../../risk/modes.ts';
import { acquireInstanceLock, type InstanceLock } from '../../journal/instanceLock.ts';
import { describeSecrets, loadSecrets } from '../../config/secrets.ts';
import { prettyLogLine } from '../../kernel/logger.ts';
import { accountsOf } from '../../app/accounts.ts';
import { runSession } from '../../app/session.ts';
import { preflightRefusal } from '../../app/preflight.ts';
import { resolveRunStrategies } from '../../app/strategyPath.ts';
import { buildInfo } from '../buildInfo.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';
import type { InspectorRelay } from '../../runtime/inspector.ts';

/** How often a running session checks that its lock file is still the one it holds. */
const LOCK_WATCH_MS = 2000;

/** The flags of `run` (parsed from its table in src/cli/main.ts). */
export interface RunOptions {
  /** `--inspect [port]`: the port, '' for the config's port, undefined when not given. */
  readonly inspect?: string | undefined;
  readonly strategyPath?: string | undefined;
  readonly strategy?: string | undefined;
  readonly params: ReadonlyArray<string>;
  /** `--log-format json|pretty`: how the stderr mirror renders log lines (the log file stays JSON). */
  readonly logFormat?: string | undefined;
  /** Restart-drill hooks (`--drill-crash-at`, `--drill-hold-gate`); never used in production. */
  readonly drillCrashAt?: string | undefined;
  readonly drillHoldGate: boolean;
}

/** Runs the run command. */
export const runCommand = async (io: CliIo, opts: RunOptions, global: GlobalOptions): Promise<number> => {
  const file = global.config ?? 'config/default.yaml';
  if (opts.logFormat !== undefined && opts.logFormat !== 'json' && opts.logFormat !== 'pretty') {
    io.err(`run: --log-format ${JSON.stringify(opts.logFormat)} is not a log format (json or pretty)`);
    return ExitCode.usage;
  }
  const mirror = opts.logFormat === 'pretty' ? prettyLogLine : (line: string): string => line.trimEnd();
  const loaded = loadConfigFile(file);
  if (Either.isLeft(loaded)) {
    io.err(loaded.left.message);
    return loaded.left._tag === 'SafetyRefusal' ? ExitCode.safetyRefusal : ExitCode.usage;
  }
  const { hash } = loaded.right;
  // Issue 12: the user strategies of --strategy-path (else the config's strategyPath) and --strategy/--param, as in backtest.
  const resolved = await resolveRunStrategies(loaded.right.config, { strategyPath: opts.strategyPath, strategy: opts.strategy, params: opts.params });
  if (Either.isLeft(resolved)) {
    io.err(`run: ${resolved.left}`);
    return ExitCode.usage;
  }
  const { config, user } = resolved.right;
  const secrets = loadSecrets();
  // X-SEC-8: a feed or symbol the run cannot use is refused here (exit 2), never a stack trace later.
  const refused = preflightRefusal(file, config);
  if (refused !== undefined) {
    io.err(refused.message);
    return ExitCode.usage;
  }
  // X-MOD-1/2/7: the mode must fit every account's endpoint; LIVE needs its flag, green gates and the operator's token.
  const token = secrets.get('TW_LIVE_CONFIRMATION');
  for (const account of accountsOf(config)) {
    const start = checkModeStart({
      mode: config.mode,
      endpointKind: account.endpoint,
      liveFlag: config.allowLive,
      confirmationToken: token === undefined ? undefined : Redacted.value(token),
      expectedToken: hash.slice(0, 12),
      clockOffsetMs: 0, // venue clocks are measured and gated by each adapter's clock gate before any order
      clockGateMs: config.risk.clock.startGateMs,
      // X-MOD-3/4: the go-live evidence and the signed-release check (`tradewarden gate`) are not built yet.
      gates: [{ name: 'go_live_gate', passed: false, detail: 'the go-live evidence check (X-MOD-3) and the signed-release check (X-MOD-4) are not built yet' }],
    });
    if (!start.ok) {
      io.err(`${start.code}: venues.${account.name}: ${start.message}`);
      return ExitCode.safetyRefusal;
    }
  }
  // `--inspect 9000` that port, `--inspect` alone (or inspector.enabled) the config's port.
  let inspectPort: number | undefined;
  if (opts.inspect !== undefined || config.inspector.enabled) {
    inspectPort = opts.inspect !== undefined && opts.inspect !== '' ? Number(opts.inspect) : config.inspector.port;
    if (!Number.isInteger(inspectPort) || inspectPort < 0 || inspectPort > 65535) {
      io.err(`run: --inspect ${opts.inspect ?? ''} is not a port (0 to 65535)`);
      return ExitCode.usage;
    }
  }
  // X-RT-6: one process per data directory; the OS releases the lock even after kill -9. The journal itself is the
  // second lock (claimed when it is opened), so deleting the lock file lets no second instance in.
  let lock: InstanceLock;
  try {
    lock = acquireInstanceLock(global.dataDir);
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return ExitCode.safetyRefusal;
  }
  const lockWatch = setInterval(() => {
    const state = lock.refresh();
    if (state === 'restored') io.err(`single-instance lock: ${lock.path} was deleted or replaced; taken again`);
    else if (state === 'lost') io.err(`single-instance lock: ${lock.path} was replaced and is held by another process; this instance still owns its journal`);
  }, LOCK_WATCH_MS);
  lockWatch.unref();
  // SIGINT/SIGTERM: stop decisions, cancel working entries, keep protections, flush the journal, exit 0 (X-RT-7).
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let relay: InspectorRelay | undefined;
  if (inspectPort !== undefined) {
    const { startInspectorRelay } = await import('../../runtime/inspector.ts');
    const started = await startInspectorRelay({ port: inspectPort });
    relay = started;
    // X-RT-11: the URL carries this run's random token; without it (or from a foreign web page) the relay refuses.
    io.out(`inspector relay on ${started.url} (open ${started.statelyUrl} to watch; see README)`);
  }
  try {
    const crashAt = opts.drillCrashAt;
    const hold = opts.drillHoldGate;
    const drill = crashAt !== undefined || hold ? await import('../../app/drill/childHooks.ts') : undefined;
    // One session composition for every kind of run: the virtual clock runs the simulator in-process and is
    // deterministic; the accelerated clock, an external simulator or a real venue run the venue's wire protocol.
    const result = await runSession({
      config, configHash: hash, configFile: file, dataDir: global.dataDir, version: buildInfo.version, commit: buildInfo.commit,
      progress: io.out, stderr: (line: string) => io.err(mirror(line)), inspect: relay?.inspect, secrets, secretFingerprints: describeSecrets(secrets), signal: abort.signal,
      crashPoint: crashAt === undefined ? undefined : drill?.freezingCrashPoint(crashAt),
      beforeGate: hold ? drill?.holdGate : undefined, userStrategies: user,
    });
    const s = result.summary;
    const settleAssets = [...new Set(accountsOf(config).map((a) => a.trading.settleAsset))].join('+');
    io.out(`run ${result.runId} finished: ${String(s['trades'])} trades (${String(s['wins'])} won, ${String(s['losses'])} lost), ${String(s['fills'])} fills, realized PnL ${String(s['realizedPnl'])} ${settleAssets}, fees ${String(s['fees'])} ${settleAssets}, balance change ${String(s['balanceChange'])} ${settleAssets}`);
    io.out(`vetoes ${JSON.stringify(s['vetoes'])}, restarts ${String(s['restarts'])}, journal chain intact: ${String(s['journalChainIntact'])}`);
    io.out(`summary: ${result.runDir}/summary.json`);
    // Issue 12 item 6: a simulator run writes the backtest's report of what it did (a venue run replayed no bars).
    try {
      const { writeSessionReports } = await import('../../app/runReport.ts');
      for (const [account, files] of writeSessionReports({ config, configHash: hash, version: buildInfo.version, session: result })) io.out(`report${accountsOf(config).length > 1 ? ` (${account})` : ''}: ${files.html}, ${files.report}`);
    } catch (e) {
      io.err(`report: not written (${e instanceof Error ? e.message : String(e)}); the journal and summary.json are complete`);
    }
    return ExitCode.ok;
  } catch (e) {
    const exit = startFailureExit(e);
    if (exit === undefined) throw e;
    io.err(e instanceof Error ? e.message : String(e));
    return exit;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await relay?.close();
    clearInterval(lockWatch);
    lock.release();
  }
};

/**
 * Returns the exit code of a session that did not start or stopped for a known reason: a journal that cannot be trusted
 * or read, or an instance already holding it, is a safety refusal (3); a venue that cannot be read at start-up leaves
 * the gate closed (4); a signal during start-up is a clean stop (0). Anything else is a defect (undefined: rethrown).
 */
const startFailureExit = (e: unknown): number | undefined => {
  const tag = typeof e === 'object' && e !== null && '_tag' in e ? (e as { readonly _tag: unknown })._tag : undefined;
  const name = e instanceof Error ? e.name : undefined;
  if (tag === 'StartupAborted') return ExitCode.ok;
  if (tag === 'UserStrategyError') return ExitCode.usage;
  if (tag === 'JournalError' || tag === 'JournalRefused' || tag === 'InstanceLockError' || tag === 'ActorRestoreRefused' || name === 'JournalBroken') return ExitCode.safetyRefusal;
  if (tag === 'VenueActivityUnknown' || name === 'RecoveryFailed') return ExitCode.differences;
  if (name === 'MissingCredentials') return ExitCode.usage;
  return undefined;
};
