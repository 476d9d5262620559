/**
 * The command-line interface: parses arguments, dispatches subcommands, maps outcomes to exit codes
 * (0 ok, 1 runtime failure, 2 usage/config error, 3 safety refusal, 4 reconcile differences).
 */
import { parseArgs } from 'node:util';
import { buildInfo } from './buildInfo.ts';
import { checkCommand } from './commands/check.ts';
import { ExitCode, type CliIo } from './io.ts';

/** Options every subcommand accepts. */
export interface GlobalOptions {
  readonly dataDir: string;
  readonly config: string | undefined;
}

/** A subcommand: one help line and a runner that returns the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly run: (io: CliIo, args: ReadonlyArray<string>, global: GlobalOptions) => Promise<number> | number;
}

const DEFAULT_CONFIG = 'config/default.yaml';

const planned = (name: string, summary: string, issue: number): Command => ({
  name,
  summary: `${summary} (planned: issue #${issue})`,
  usage: `tradewarden ${name}`,
  run: (io) => {
    io.err(`tradewarden ${name} is not available in this build yet (issue #${issue}).`);
    return ExitCode.usage;
  },
});

/** The command table; later issues register theirs here. */
export const commands: Command[] = [
  {
    name: 'run',
    summary: 'run a trading session from a config (default: the PAPER demo in config/default.yaml)',
    usage: 'tradewarden run [--config <file>] [--inspect [port]] [--data-dir <dir>]',
    run: async (io, args, global) => {
      const { runCommand } = await import('./commands/run.ts');
      return runCommand(io, args, global);
    },
  },
  {
    name: 'check',
    summary: 'validate a config file and list every problem (exit 0 valid, 2 invalid, 3 secret in file)',
    usage: 'tradewarden check --config <file>',
    run: (io, _args, global) => {
      if (global.config === undefined) {
        io.err('check needs --config <file>');
        return ExitCode.usage;
      }
      return checkCommand(io, global.config);
    },
  },
  {
    name: 'sim',
    summary: 'start the venue simulator standalone on loopback (Bybit v5 REST + WebSocket)',
    usage: 'tradewarden sim --venue <kind> --port <p> [--data <file>] [--speed <x>] [--seed <n>] [--faults <spec>]',
    run: async (io, args) => {
      const { simCommand } = await import('./commands/sim.ts');
      return simCommand(io, args);
    },
  },
  {
    name: 'journal',
    summary: 'journal tools: `journal verify` checks every journal (exit 0 intact, 1 broken, 3 unreadable); `journal init` starts a fresh account journal after reading the venue',
    usage: 'tradewarden journal verify [--data-dir <dir>] [--file <journal.sqlite>] | journal init --config <file> [--account <name>] [--data-dir <dir>]',
    run: async (io, args, global) => {
      const { journalCommand } = await import('./commands/journal.ts');
      return journalCommand(io, args, global);
    },
  },
  {
    name: 'reconcile',
    summary: 'compare the journal with the venue (exit 0 none, 4 differences); --apply settles them',
    usage: 'tradewarden reconcile --config <file> [--account <name>] [--apply] [--data-dir <dir>]',
    run: async (io, args, global) => (await import('./commands/reconcile.ts')).reconcileCommand(io, args, global),
  },
  {
    name: 'drill',
    summary: 'restart drill: SIGKILL the runtime at crash points and random instants, restart, check against the venue',
    usage: 'tradewarden drill restart --trials <n> --seed <s> [--work-dir <dir>] [--speed <x>] [--accounts 1|2]',
    run: async (io, args, global) => (await import('./commands/drill.ts')).drillCommand(io, args, global),
  },
  {
    name: 'kill',
    summary: 'engage the kill switch of the data directory (running or next instance): halt entries, cancel working orders',
    usage: 'tradewarden kill [--reason <text>] [--flatten] [--data-dir <dir>]',
    run: async (io, args, global) => (await import('./commands/kill.ts')).killCommand(io, args, global),
  },
  {
    name: 'resume',
    summary: 'clear the kill switch of the data directory',
    usage: 'tradewarden resume [--data-dir <dir>]',
    run: async (io, args, global) => (await import('./commands/kill.ts')).resumeCommand(io, args, global),
  },
  {
    name: 'backtest',
    summary: 'backtest a config\'s strategies through the whole trading path on the virtual clock; writes report.json/html, trades.csv, equity.csv',
    usage: 'tradewarden backtest --config <file> [--data <file|dir>]… [--symbol S]… [--from DATE] [--to DATE] [--strategy <id>] [--param key=value]… [--out <dir>]',
    run: async (io, args, global) => (await import('./commands/backtest.ts')).backtestCommand(io, args, global),
  },
  planned('export', 'ledger exports (CSV, JSON, GnuCash XML)', 8),
];

const helpText = (): string =>
  [
    `tradewarden ${buildInfo.version} — a resilient trading runtime`,
    '',
    'Usage: tradewarden [command] [options]      (no command = run the PAPER demo)',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Global options:',
    '  --config <file>     config file (default config/default.yaml for run)',
    '  --data-dir <dir>    where a run writes its journal, logs and summaries (default ./var)',
    '  --version           print the version',
    '  --help              print this help; `tradewarden <command> --help` for a command',
    '',
    'Exit codes: 0 ok, 1 runtime failure, 2 usage or config error, 3 safety refusal, 4 reconcile differences.',
  ].join('\n');

/** Parses argv (without node and script) and runs the selected command; returns the exit code. */
export const main = async (argv: ReadonlyArray<string>, io: CliIo): Promise<number> => {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        config: { type: 'string', short: 'c' },
        'data-dir': { type: 'string' },
      },
    });
  } catch (e) {
    io.err((e as Error).message);
    return ExitCode.usage;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    io.out(`tradewarden ${buildInfo.version}${buildInfo.commit === null ? '' : ` (${buildInfo.commit})`}`);
    return ExitCode.ok;
  }
  const name = positionals[0] ?? 'run';
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    io.err(`unknown command "${name}"\n\n${helpText()}`);
    return ExitCode.usage;
  }
  if (values.help === true) {
    io.out(positionals.length === 0 ? helpText() : `${command.usage}\n\n${command.summary}`);
    return ExitCode.ok;
  }
  const config = typeof values.config === 'string' ? values.config : undefined;
  const dataDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : 'var';
  const rest = argv.filter((a) => a !== name);
  try {
    return await command.run(io, rest, { dataDir, config: config ?? (name === 'run' ? DEFAULT_CONFIG : undefined) });
  } catch (e) {
    io.err(`tradewarden ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return ExitCode.runtimeFailure;
  }
};
