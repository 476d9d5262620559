/** `tradewarden run` (being wired up). */
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** Runs the run command. */
export const runCommand = (io: CliIo, _args: ReadonlyArray<string>, _global?: GlobalOptions): number => {
  io.err('tradewarden run is not available in this build yet.');
  return ExitCode.usage;
};
