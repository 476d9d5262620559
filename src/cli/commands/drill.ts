/**
 * `tradewarden drill restart --trials <n> --seed <s> [--work-dir <dir>] [--speed <x>] [--accounts 1|2] [--scenario default|stops|split|signals|hedge]`: the kill -9
 * restart drill of issue #5, against a config of one venue account or of two (src/app/drill/restartDrill.ts). Prints a table per kill window; exit 0 with no violations, 1 otherwise.
 */
import { resolve } from 'node:path';
import { ExitCode, type CliIo } from '../io.ts';
import type { DrillScenario } from '../../app/drill/restartDrill.ts';
import type { GlobalOptions } from '../main.ts';

/** The drill's scenarios (the drill module loads only when it runs). */
const DRILL_SCENARIOS = ['default', 'stops', 'split', 'signals', 'hedge'] as const satisfies ReadonlyArray<DrillScenario>;

/** The flags of `drill restart`, as given (judged here). */
export interface DrillOptions {
  readonly trials?: string | undefined;
  readonly seed?: string | undefined;
  readonly workDir?: string | undefined;
  readonly speed?: string | undefined;
  readonly accounts?: string | undefined;
  readonly scenario?: string | undefined;
}

/** Runs `drill restart`. */
export const drillCommand = async (io: CliIo, values: DrillOptions, global: GlobalOptions): Promise<number> => {
  const trials = Number(values.trials ?? '20');
  const seed = Number(values.seed ?? '1');
  const speed = Number(values.speed ?? '600');
  const accounts = values.accounts ?? '1';
  const scenario = values.scenario ?? 'default';
  if (!Number.isInteger(trials) || trials < 1 || !Number.isInteger(seed) || !(speed > 0 && speed <= 2000) || (accounts !== '1' && accounts !== '2') || !(DRILL_SCENARIOS as ReadonlyArray<string>).includes(scenario)) {
    io.err(`--trials must be a positive integer, --seed an integer, --speed in (0, 2000], --accounts 1 or 2, --scenario one of ${DRILL_SCENARIOS.join(', ')}`);
    return ExitCode.usage;
  }
  const workDir = resolve(values.workDir ?? `${global.dataDir}/drill-restart`);
  const mainJs = process.argv[1];
  if (mainJs === undefined) {
    io.err('cannot tell which tradewarden entry point to run the children with');
    return ExitCode.usage;
  }
  const { runRestartDrill, formatDrillTable, killDrillChildren } = await import('../../app/drill/restartDrill.ts');
  io.out(`restart drill: ${trials} trials, seed ${seed}, ×${speed}, ${accounts} venue account(s), scenario ${scenario}, work dir ${workDir}`);
  // Stopping the drill must not leave a simulator or a runtime behind.
  const stop = (): void => {
    killDrillChildren();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let result;
  try {
    result = await runRestartDrill({ trials, seed, speed, accounts: accounts === '2' ? 2 : 1, scenario: scenario as DrillScenario, workDir, mainJs: resolve(mainJs), nodePath: process.execPath, out: io.out });
  } finally {
    killDrillChildren();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  io.out(formatDrillTable(result));
  return result.violations.length === 0 ? ExitCode.ok : ExitCode.runtimeFailure;
};
