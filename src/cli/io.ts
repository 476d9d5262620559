/** The CLI's output channels and exit codes, injectable so commands can be tested in-process. */

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** Process stdout/stderr. */
export const processIo: CliIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  runtimeFailure: 1,
  usage: 2,
  safetyRefusal: 3,
  differences: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
