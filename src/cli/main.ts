/**
 * The command-line interface: parses arguments, dispatches subcommands, maps outcomes to exit codes
 * (0 ok, 1 runtime failure, 2 usage/config error, 3 safety refusal, 4 reconcile differences).
 *
 * Every command declares its flags in one table (src/cli/flags.ts) and the parser is strict (issue 14 item 8): an
 * unknown flag, a flag without its value or a stray argument exits 2 naming the closest valid flag, a value is never
 * mistaken for a command (`kill --reason kill`, `--config run`), and `tradewarden <command> --help` is generated from
 * the same table. Adding a command is one entry in `commands`.
 */
import { buildInfo } from './buildInfo.ts';
import { CONFIG_FLAG, closest, flagRows, GLOBAL_FLAGS, helpOf, inlineOptionalValues, JSON_FLAG, parseCommandLine, tokensOf, usageLine, argvOf, type FlagTable, type FlagValues } from './flags.ts';
import { ExitCode, type CliIo } from './io.ts';

/** Options every subcommand receives, from the global flags. */
export interface GlobalOptions {
  readonly dataDir: string;
  /** `--config`, for the commands that take one (run falls back to config/default.yaml). */
  readonly config: string | undefined;
  /** `--json`, for the commands that take it: stdout carries one JSON document and nothing else. */
  readonly json: boolean;
}

/** A command (or an action of a command group) with its flag table, the global flags merged in. */
export interface LeafCommand {
  readonly name: string;
  readonly summary: string;
  readonly flags: FlagTable;
  readonly run: (io: CliIo, values: FlagValues<FlagTable>, global: GlobalOptions) => Promise<number> | number;
}

/** A command made of actions (`journal verify`, `journal init`): the action is its first argument. */
export interface CommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly actions: ReadonlyArray<LeafCommand>;
}

export type Command = LeafCommand | CommandGroup;

const DEFAULT_CONFIG = 'config/default.yaml';

type Runner<T extends FlagTable> = (io: CliIo, values: FlagValues<T & typeof GLOBAL_FLAGS>, global: GlobalOptions) => Promise<number> | number;

/** Declares a command: its table (the global flags are added) and a runner typed by that table. */
const command = <const T extends FlagTable>(name: string, summary: string, flags: T, run: Runner<T>): LeafCommand => ({
  name, summary, flags: { ...flags, ...GLOBAL_FLAGS }, run: run as unknown as LeafCommand['run'],
});

const required = <const T extends FlagTable>(table: T): { readonly [K in keyof T]: T[K] & { readonly required: true } } =>
  Object.fromEntries(Object.entries(table).map(([k, f]) => [k, { ...f, required: true }])) as { readonly [K in keyof T]: T[K] & { readonly required: true } };

const STRATEGY_FLAGS = {
  'strategy-path': { type: 'string', value: 'dir', description: 'load the user strategies of this directory (else the config\'s strategyPath)' },
  strategy: { type: 'string', value: 'id', description: 'run this strategy only: it is enabled, every other one disabled' },
  param: { type: 'string', value: 'key=value', multiple: true, description: 'set a parameter of the chosen (or the only enabled) strategy\'s section' },
} as const satisfies FlagTable;

/** The simulator's flags; `parseSimArgs` (src/app/sim.ts) judges their values. */
const SIM_FLAGS = {
  ...required({
    venue: { type: 'string', value: 'kind', description: 'the venue protocol to serve (bybit)' },
    port: { type: 'string', value: 'p', description: 'the loopback port (0 picks a free one)' },
  }),
  data: { type: 'string', value: 'file', multiple: true, description: 'replay the bars of this OHLCV CSV (one per symbol)' },
  speed: { type: 'string', value: 'x', description: 'venue minutes per wall minute (default 1)' },
  seed: { type: 'string', value: 'n', description: 'the seed of the simulator\'s randomness (default 1)' },
  faults: { type: 'string', value: 'spec', description: 'inject faults, e.g. "gap:0.01,http429:0.05,ws-drop@30s" (docs/simulator.md)' },
  'max-order-qty': { type: 'string', value: 'SYMBOL=qty', multiple: true, description: 'a smaller maximum quantity of one limit order for a symbol (larger limit orders are refused, so clients split them)' },
  'max-market-order-qty': { type: 'string', value: 'SYMBOL=qty', multiple: true, description: 'a smaller maximum quantity of one market order for a symbol (larger ones are refused; the venue\'s TP/SL close at most this much)' },
} as const satisfies FlagTable;

/** The flags every `export` action takes; src/ledger/ judges their values. */
const EXPORT_FLAGS = {
  run: { type: 'string', value: 'run-id', description: 'export this run (its directory under <data-dir>/runs; default: the most recently finished run)' },
  out: { type: 'string', value: 'file', description: 'the file to write (default <data-dir>/exports/<run-id>/<name>); an existing file is refused unless the overwrite mode is backup' },
  config: { ...CONFIG_FLAG.config, description: 'read the exports section (mode, overwriteMode), the risk time zone and the settle asset of this config (optional)' },
  'overwrite-mode': { type: 'string', value: 'refuse|backup', description: 'an existing --out: refuse (default; exit 2) or backup (copy it to <file>.<UTC time>.bak, then write anew); overrides exports.overwriteMode' },
} as const satisfies FlagTable;

/** The command table; later issues register theirs here (one more `command(…)` with its flags). */
export const commands: ReadonlyArray<Command> = [
  command('run', 'run a trading session from a config (default: the PAPER demo in config/default.yaml)', {
    config: { ...CONFIG_FLAG.config, description: 'the config file (default config/default.yaml, the PAPER demo)' },
    inspect: { type: 'string', value: 'port', optionalValue: /^\d+$/, description: 'stream the actors to the read-only inspector relay on 127.0.0.1 (this port, else the config\'s inspector.port)' },
    ...STRATEGY_FLAGS,
    'log-format': { type: 'string', value: 'json|pretty', description: 'how warn+ log lines are mirrored to stderr: json (default) or pretty (HH:MM:SS.mmm LEVEL msg key=value); the log file stays JSON' },
    'drill-crash-at': { type: 'string', value: 'point', internal: true, description: 'freeze at this crash point so the restart drill can SIGKILL the process there' },
    'drill-hold-gate': { type: 'boolean', internal: true, description: 'report the recovery and wait for the restart drill\'s go-ahead before the trading gate opens' },
  }, async (io, v, global) => (await import('./commands/run.ts')).runCommand(io, {
    inspect: v.inspect, strategyPath: v['strategy-path'], strategy: v.strategy, params: v.param ?? [], logFormat: v['log-format'], drillCrashAt: v['drill-crash-at'], drillHoldGate: v['drill-hold-gate'] === true,
  }, global)),
  command('check', 'validate a config file and list every problem (exit 0 valid, 2 invalid, 3 secret in file)', {
    ...required(CONFIG_FLAG),
    'strategy-path': STRATEGY_FLAGS['strategy-path'],
    ...JSON_FLAG,
  }, async (io, v, global) => (await import('./commands/check.ts')).checkCommand(io, v.config!, { strategyPath: v['strategy-path'], json: global.json })),
  command('sim', 'start the venue simulator standalone on loopback (Bybit v5 REST + WebSocket)', SIM_FLAGS, async (io, v) =>
    (await import('./commands/sim.ts')).simCommand(io, argvOf(v, SIM_FLAGS))),
  {
    name: 'journal',
    summary: 'journal tools: `journal verify` checks every journal (exit 0 intact, 1 broken, 3 unreadable); `journal init` starts a fresh account journal after reading the venue',
    actions: [
      command('verify', 'verify the hash chain, head record and tables of every journal under the data directory — run journals (runs/*/journal/*.sqlite) and persistent per-account journals (journal/*.sqlite) — or of one file (exit 0 intact, 1 broken, 3 unreadable)', {
        file: { type: 'string', value: 'journal.sqlite', description: 'verify this journal file only' },
        ...JSON_FLAG,
      }, async (io, v, global) => (await import('./commands/journal.ts')).journalVerifyCommand(io, { file: v.file }, global)),
      command('init', 'start a fresh persistent journal for a venue account after reading the venue (exit 0, 3 refused, 4 venue unreadable)', {
        ...required(CONFIG_FLAG),
        account: { type: 'string', value: 'name', description: 'the venue account of the config (needed when it has several)' },
      }, async (io, v, global) => (await import('./commands/journalInit.ts')).journalInitCommand(io, { account: v.account }, global)),
    ],
  },
  command('reconcile', 'compare the journal with the venue (exit 0 none, 4 differences); --apply settles them', {
    ...required(CONFIG_FLAG),
    account: { type: 'string', value: 'name', description: 'reconcile this venue account only (default: every account of the config)' },
    apply: { type: 'boolean', description: 'settle the differences (cancel orphans, adopt statuses, re-protect positions)' },
    ...JSON_FLAG,
  }, async (io, v, global) => (await import('./commands/reconcile.ts')).reconcileCommand(io, { account: v.account, apply: v.apply === true }, global)),
  {
    name: 'drill',
    summary: 'restart drill: SIGKILL the runtime at crash points and random instants, restart, check against the venue',
    actions: [
      command('restart', 'the kill -9 restart drill: SIGKILL the runtime at every crash point and at random instants, restart it, check it against the venue (exit 0 no violations, 1 otherwise)', {
        trials: { type: 'string', value: 'n', description: 'how many trials (default 20)' },
        seed: { type: 'string', value: 's', description: 'the seed of the random kill instants and of the simulator (default 1)' },
        'work-dir': { type: 'string', value: 'dir', description: 'where the trials write (default <data-dir>/drill-restart)' },
        speed: { type: 'string', value: 'x', description: 'the simulator speed, in (0, 2000] (default 600)' },
        accounts: { type: 'string', value: '1|2', description: 'venue accounts in the drill config (default 1)' },
        scenario: { type: 'string', value: 'default|stops|split|signals|hedge', description: 'what the children trade: default; stops (break-even and trailing stops, plus the STOP MOVE kill window); split (orders above a 0.1 BTC maximum go out in parts, plus the SPLIT kill window); signals (S0: signals posted to the webhook, dual entries, plus the LEG 2 and STOP MOVE kill windows); hedge (the same signals hedged at -0.1 % in hedge mode, plus the LEG 2 and HEDGE kill windows)' },
      }, async (io, v, global) => (await import('./commands/drill.ts')).drillCommand(io, { trials: v.trials, seed: v.seed, workDir: v['work-dir'], speed: v.speed, accounts: v.accounts, scenario: v.scenario }, global)),
    ],
  },
  command('kill', 'engage the kill switch of the data directory (running or next instance): halt entries, cancel working orders', {
    reason: { type: 'string', value: 'text', description: 'why; recorded with the switch (default "operator kill")' },
    flatten: { type: 'boolean', description: 'also close the open positions (default: keep them, with their protection)' },
  }, async (io, v, global) => (await import('./commands/kill.ts')).killCommand(io, { reason: v.reason, flatten: v.flatten === true }, global)),
  command('resume', 'clear the kill switch of the data directory', {}, async (io, _v, global) => (await import('./commands/kill.ts')).resumeCommand(io, global)),
  command('backtest', 'backtest a config\'s strategies through the whole trading path on the virtual clock; writes report.json/html, trades.csv, equity.csv', {
    ...required(CONFIG_FLAG),
    data: { type: 'string', value: 'file|dir', multiple: true, description: 'replay these OHLCV CSV files (a directory: its .csv files) instead of the config\'s backtest.data' },
    symbol: { type: 'string', value: 'S', multiple: true, description: 'the symbol of each --data file, in order (else from the file name)' },
    from: { type: 'string', value: 'date', description: 'start of the replay (ISO 8601; default the config\'s backtest.from)' },
    to: { type: 'string', value: 'date', description: 'end of the replay (ISO 8601; default the config\'s backtest.to)' },
    ...STRATEGY_FLAGS,
    out: { type: 'string', value: 'dir', description: 'where the report files go (default <data-dir>/backtest)' },
    sweep: { type: 'string', value: 'name=lo..hi:step', multiple: true, description: 'sweep a parameter of the chosen strategy (also name=a,b,c); repeat for more: every combination runs as its own backtest on worker threads, ranked in a table (sweep.csv, sweep.json)' },
    search: { type: 'string', value: 'grid|random', description: 'how a sweep picks its parameter sets: every combination (grid, default) or a seeded random sample of them (random, with --samples)' },
    samples: { type: 'string', value: 'n', description: 'how many parameter sets --search random draws' },
    seed: { type: 'string', value: 's', description: 'the seed of --search random and of --monte-carlo (default the config\'s sim.seed)' },
    workers: { type: 'string', value: 'n', description: 'worker threads of a sweep, a walk-forward or the shocks (default: the cores); the results are the same for any number' },
    'rank-by': { type: 'string', value: 'metric[:asc|:desc]', description: 'the report metric a sweep (or a walk-forward\'s --sweep) is ranked by (default sharpe; e.g. totalPnl, maxDrawdown, winRate)' },
    'walk-forward': { type: 'string', value: 'k=5,embargo=1d', description: 'also backtest each test fold of a purged k-fold split with this embargo (and optional horizon=1d) and add the folds\' metric distribution to the report; with --sweep each fold first picks the best set on its purged train ranges' },
    'monte-carlo': { type: 'string', value: 'n', description: 'also reorder and resample the closed trades n times (seeded by --seed) and add the drawdown and final-PnL distributions to the report' },
    shock: { type: 'string', value: 'params=10%,slippage=5,latency=250', description: 'also rerun with each numeric strategy parameter moved down and up by the fraction, the slippage raised by these basis points and/or the order latency raised by these milliseconds, and add the comparison to the report' },
    regimes: { type: 'boolean', description: 'also slice the trades by the market regime (bull, chop, bear, crash) at their entry and add the figures per regime to the report (also backtest.regimes.enabled)' },
  }, async (io, v, global) => (await import('./commands/backtest.ts')).backtestCommand(io, {
    data: v.data, symbol: v.symbol, from: v.from, to: v.to, strategy: v.strategy, param: v.param, strategyPath: v['strategy-path'], out: v.out,
    sweep: v.sweep, search: v.search, samples: v.samples, seed: v.seed, workers: v.workers, rankBy: v['rank-by'], walkForward: v['walk-forward'], monteCarlo: v['monte-carlo'], shock: v.shock, regimes: v.regimes === true,
  }, global)),
  {
    name: 'data',
    summary: 'market data: `data fetch` downloads a symbol\'s OHLCV bars through a venue account\'s adapter into a CSV that backtest --data reads (exit 4 when the venue is unavailable)',
    actions: [
      command('fetch', 'download a symbol\'s OHLCV bars through a venue account\'s adapter (its kline endpoint) into a CSV that backtest --data reads, and list every gap (exit 0 written, 2 refused, 4 venue unavailable)', {
        config: { ...CONFIG_FLAG.config, description: 'the config whose venue account fetches (default config/default.yaml)' },
        ...required({
          venue: { type: 'string', value: 'account', description: 'the venue account of the config whose adapter fetches the bars' },
          symbol: { type: 'string', value: 'S', description: 'the symbol, as the venue names it' },
          timeframe: { type: 'string', value: '1m|…|1d', description: 'the bar length: 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h or 1d' },
          from: { type: 'string', value: 'date', description: 'start of the range, inclusive (ISO 8601, UTC unless it names a zone)' },
          to: { type: 'string', value: 'date', description: 'end of the range, exclusive (ISO 8601)' },
          out: { type: 'string', value: 'file', description: 'the CSV file to write' },
        }),
      }, async (io, v, global) => (await import('./commands/data.ts')).dataCommand(io, {
        venue: v.venue!, symbol: v.symbol!, timeframe: v.timeframe!, from: v.from!, to: v.to!, out: v.out!,
      }, global)),
    ],
  },
  {
    name: 'server',
    summary: 'operations server tools: `server hash-password` prints the scrypt hash of a dashboard password read from stdin (for TW_DASHBOARD_PASSWORD_HASH)',
    actions: [
      command('hash-password', 'read a dashboard password from stdin (one line, at least 8 characters) and print its scrypt hash for TW_DASHBOARD_PASSWORD_HASH; the password is never printed', {},
        async (io) => (await import('./commands/server.ts')).hashPasswordCommand(io)),
    ],
  },
  command('status', 'show a session\'s status: from the running instance\'s API, else the state files, else the last run\'s summary or the journals (exit 0 shown, 1 nothing found)', {
    url: { type: 'string', value: 'url', description: 'ask the instance at this URL (default: the one <data-dir>/state/server.json names)' },
    ...JSON_FLAG,
  }, async (io, v, global) => (await import('./commands/status.ts')).statusCommand(io, { url: v.url }, global)),
  {
    name: 'export',
    summary: 'ledger exports of a run from its journals and summary, no server needed: `export trades` (CSV/JSON), `export daily`, `export unresolved`, `export gnucash` (exit 0 written, 2 refused, 3 journal does not verify)',
    actions: [
      command('trades', 'write the trade history of a run: timestamp, strategy_name, symbol, side, size, entry_price, exit_price, pnl, fees, venue, mode, error_code, … (X-RPT-2)', {
        ...EXPORT_FLAGS,
        format: { type: 'string', value: 'csv|json', description: 'the file format (default csv)' },
      }, async (io, v, global) => (await import('./commands/export.ts')).exportCommand(io, { kind: 'trades', format: v.format }, { run: v.run, out: v.out, overwriteMode: v['overwrite-mode'] }, global)),
      command('daily', 'write the daily summary of a run (JSON, one record per day in the risk time zone: trades, wins, losses, win rate, PnL, fees, open positions, vetoes, errors; X-RPT-3)', {
        ...EXPORT_FLAGS,
        'time-zone': { type: 'string', value: 'zone', description: 'the IANA time zone of the days (default: the risk time zone the run recorded, else the config\'s, else UTC)' },
      }, async (io, v, global) => (await import('./commands/export.ts')).exportCommand(io, { kind: 'daily', timeZone: v['time-zone'] }, { run: v.run, out: v.out, overwriteMode: v['overwrite-mode'] }, global)),
      command('unresolved', 'write the unresolved-orders log of a run\'s journals (JSON: rejections, partial fills, unknown outcomes, each with its journal trace; S2-14)', EXPORT_FLAGS,
        async (io, v, global) => (await import('./commands/export.ts')).exportCommand(io, { kind: 'unresolved' }, { run: v.run, out: v.out, overwriteMode: v['overwrite-mode'] }, global)),
      command('gnucash', 'write the GnuCash XML book of a run (paper or live by the run\'s mode; one balanced transaction per trade; S2-13)', {
        ...EXPORT_FLAGS,
        book: { type: 'string', value: 'paper|live', description: 'the book to write (default: the run\'s own; a run of the other book is refused)' },
        currency: { type: 'string', value: 'code', description: 'the book currency (default: the run\'s settle asset, else the config\'s, else USDT)' },
      }, async (io, v, global) => (await import('./commands/export.ts')).exportCommand(io, { kind: 'gnucash', book: v.book, currency: v.currency }, { run: v.run, out: v.out, overwriteMode: v['overwrite-mode'] }, global)),
    ],
  },
  command('indicators', 'compute indicators over an OHLCV CSV and print (or --out) a CSV: timestamp, then one column per output (e.g. rsi_14, bollinger_20_2_upper; exit 0 written, 2 bad spec or data, 1 write failed)', {
    ...required({
      data: { type: 'string', value: 'file', description: 'the OHLCV CSV to read (any file backtest --data reads)' },
      indicator: { type: 'string', value: 'spec', multiple: true, description: 'an indicator, repeatable: sma:N, ema:N, rsi:N (Wilder), rsi_simple:N, atr:N, adx:N, bollinger:N,K, donchian:N, mfi:N, rolling_vwap:N, vwap[:zone[,HH:MM]]' },
    }),
    out: { type: 'string', value: 'file', description: 'write the CSV to this file instead of stdout (replaced if it exists)' },
    'time-zone': { type: 'string', value: 'zone', description: 'the IANA time zone of data times written without a UTC offset (default UTC)' },
  }, async (io, v) => (await import('./commands/indicators.ts')).indicatorsCommand(io, { data: v.data!, indicators: v.indicator!, out: v.out, timeZone: v['time-zone'] })),
  {
    name: 'signals',
    summary: 'trading-signal tools: `signals parse` prints what the S0 parser would do with each channel message of a file (exit 0 all accepted, 1 any refused, 2 usage)',
    actions: [
      command('parse', 'parse channel messages (separated by lines of ---) with the S0 signal parser and print what it would do with each: symbol, side, mode, leverage, entries, targets, stop loss and auto-SL, or the refusal reason (exit 0 all accepted, 1 any refused, 2 usage)', {
        ...required({ file: { type: 'string', value: 'file|-', description: 'the messages file; - reads stdin to its end' } }),
        tick: { type: 'string', value: 'SYMBOL=TICK', multiple: true, description: 'also list this …USDT perpetual with this tick, e.g. ETHUSDT=0.01 (BTCUSDT and ADAUSDT are listed already)' },
        ...JSON_FLAG,
      }, async (io, v, global) => (await import('./commands/signals.ts')).signalsParseCommand(io, { file: v.file!, ticks: v.tick ?? [] }, global)),
    ],
  },
];

const leavesOf = (c: Command): ReadonlyArray<readonly [string, LeafCommand]> =>
  'actions' in c ? c.actions.map((a) => [`${c.name} ${a.name}`, a] as const) : [[c.name, c] as const];

/** Every command and action by its path (`run`, `journal verify`), with its table. */
export const commandPaths = (): ReadonlyArray<readonly [string, LeafCommand]> => commands.flatMap(leavesOf);

const union = (tables: ReadonlyArray<FlagTable>): FlagTable => Object.assign({}, ...tables) as FlagTable;

/** Every flag of every command: how the arguments before the command are read (which flags take a value). */
const ALL_FLAGS = (): FlagTable => union([GLOBAL_FLAGS, CONFIG_FLAG, ...commandPaths().map(([, l]) => l.flags)]);

/** The commands (paths) that have a flag, for the hint on a flag given to the wrong command. */
const ownersOf = (name: string): ReadonlyArray<string> => commandPaths().filter(([, l]) => name in l.flags && l.flags[name]!.internal !== true && !(name in GLOBAL_FLAGS)).map(([p]) => p);

const takers = (flag: string): string => commandPaths().filter(([, l]) => flag in l.flags).map(([p]) => p).join(', ');

const helpText = (): string =>
  [
    `tradewarden ${buildInfo.version} — a resilient trading runtime`,
    '',
    'Usage: tradewarden [command] [options]      (no command = run the PAPER demo)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Options every command takes (`tradewarden <command> --help` lists every flag of a command):',
    ...flagRows(GLOBAL_FLAGS),
    '',
    `--config <file> is taken by ${takers('config')}; --json (one JSON document on stdout) by ${takers('json')}.`,
    'An unknown flag, a flag without its value or an argument a command does not take is refused (exit 2).',
    '',
    'Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 safety refusal, 4 reconcile differences or a venue that cannot be read.',
  ].join('\n');

/** The help of a command group: its summary, then each action's help. */
const groupHelp = (g: CommandGroup): string =>
  [`Usage: tradewarden ${g.name} <${g.actions.map((a) => a.name).join('|')}> [options]`, '', g.summary, ...g.actions.flatMap((a) => ['', '---', helpOf(`${g.name} ${a.name}`, a.summary, a.flags)])].join('\n');

const withoutIndex = (args: ReadonlyArray<string>, index: number | undefined): string[] => (index === undefined ? [...args] : args.filter((_, i) => i !== index));

const hasHelp = (args: ReadonlyArray<string>, table: FlagTable): boolean => tokensOf(args, table).some((t) => t.kind === 'option' && t.name === 'help');

/** Parses argv (without node and script) and runs the selected command; returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  const all = ALL_FLAGS();
  const args = inlineOptionalValues(argv, all);
  // The command is the first positional argument; every flag before it is read with its value (`--config run`).
  const tokens = tokensOf(args, all);
  if (tokens.some((t) => t.kind === 'option' && t.name === 'version')) {
    io.out(`tradewarden ${buildInfo.version}${buildInfo.commit === null ? '' : ` (${buildInfo.commit})`}`);
    return ExitCode.ok;
  }
  const first = tokens.find((t) => t.kind === 'positional');
  const name = first?.value ?? 'run';
  const strayFlag = tokens.some((t) => t.kind === 'option' && t.index < (first?.index ?? Infinity) && !(t.name in all));
  let found = commands.find((c) => c.name === name);
  let rest = withoutIndex(args, first?.index);
  if (found === undefined && strayFlag) {
    // `--data-dri /tmp/x`: an unknown flag took no value, so its value looked like a command. Judge it as run's.
    found = commands.find((c) => c.name === 'run');
    rest = args;
  }
  if (found === undefined) {
    const near = closest(name, commands.map((c) => c.name));
    io.err(`unknown command "${name}"${near === undefined ? '' : `; did you mean "${near}"?`}\n\n${helpText()}`);
    return ExitCode.usage;
  }
  if (first === undefined && hasHelp(args, all)) {
    io.out(helpText());
    return ExitCode.ok;
  }
  let leaf: LeafCommand;
  let path = found.name;
  if ('actions' in found) {
    const group = found;
    const actionTokens = tokensOf(rest, union([GLOBAL_FLAGS, ...group.actions.map((a) => a.flags)]));
    const actionToken = actionTokens.find((t) => t.kind === 'positional');
    const action = group.actions.find((a) => a.name === actionToken?.value);
    if (action === undefined) {
      if (hasHelp(rest, union(group.actions.map((a) => a.flags)))) {
        io.out(groupHelp(group));
        return ExitCode.ok;
      }
      const names = group.actions.map((a) => `\`${a.name}\``).join(' or ');
      io.err(`${group.name}: expected the action ${names}${actionToken === undefined ? '' : `, got ${JSON.stringify(actionToken.value)}`}\n${group.actions.map((a) => `usage: ${usageLine(`${group.name} ${a.name}`, a.flags)}`).join('\n')}`);
      return ExitCode.usage;
    }
    leaf = action;
    path = `${group.name} ${action.name}`;
    rest = withoutIndex(rest, actionToken?.index);
  } else leaf = found;
  if (hasHelp(rest, leaf.flags)) {
    io.out(helpOf(path, leaf.summary, leaf.flags));
    return ExitCode.ok;
  }
  const parsed = parseCommandLine(rest, leaf.flags, { elsewhere: ownersOf });
  if (!parsed.ok) {
    const p = parsed.problem;
    io.err(`${p.missing === undefined ? `${found.name}: ${p.message}` : `${path} ${p.message}`}\nusage: ${usageLine(path, leaf.flags)}\nRun \`tradewarden ${path} --help\` for every flag.`);
    return ExitCode.usage;
  }
  const values = parsed.values as Readonly<Record<string, unknown>>;
  const config = typeof values['config'] === 'string' ? values['config'] : undefined;
  const global: GlobalOptions = {
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : 'var',
    config: config ?? (found.name === 'run' ? DEFAULT_CONFIG : undefined),
    json: values['json'] === true,
  };
  try {
    return await leaf.run(io, parsed.values, global);
  } catch (e) {
    io.err(`tradewarden ${path} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return ExitCode.runtimeFailure;
  }
};
