/** `tradewarden journal` (being wired up). */
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

/** Runs the journal command. */
export const journalCommand = (io: CliIo, _args: ReadonlyArray<string>, _global?: GlobalOptions): number => {
  io.err('tradewarden journal is not available in this build yet.');
  return ExitCode.usage;
};
