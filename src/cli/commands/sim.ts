/** `tradewarden sim` (being wired up). */
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** Runs the sim command. */
export const simCommand = (io: CliIo, _args: ReadonlyArray<string>, _global?: GlobalOptions): number => {
  io.err('tradewarden sim is not available in this build yet.');
  return ExitCode.usage;
};
