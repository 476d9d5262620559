/**
 * The restart drill's hooks inside the runtime child (`run --drill-crash-at <point> --drill-hold-gate`): a crash point
 * that freezes the whole process at the named instant and tells the drill, which then SIGKILLs it there; and a hold
 * that reports the recovery and waits for the drill's go-ahead before the trading gate opens. Never used in production.
 */
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CrashPoint } from '../../kernel/crashPoints.ts';
import type { RecoveryReport } from '../../runtime/recovery.ts';

/** How long a frozen child waits for its SIGKILL before it carries on (the drill then records a missed kill). */
const FREEZE_MS = 30_000;

/** The line prefixes the child writes to stdout for the drill. */
export const CRASHPOINT_LINE = 'drill:crashpoint';
export const RECOVERED_LINE = 'drill:recovered';

/**
 * Returns a crash point that, the first time `target` is reached, writes `drill:crashpoint <name>` synchronously to
 * stdout and blocks the process (no event loop turn, no I/O) until the drill kills it.
 */
export const freezingCrashPoint = (target: string): CrashPoint => {
  let fired = false;
  return (name) => {
    if (fired || name !== target) return;
    fired = true;
    writeSync(1, `${CRASHPOINT_LINE} ${name}\n`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, FREEZE_MS);
  };
};

/** Writes `drill:recovered <json>` and resolves when the drill writes a line to stdin. */
export const holdGate = (report: RecoveryReport): Promise<void> => {
  writeSync(1, `${RECOVERED_LINE} ${JSON.stringify({ durationMs: report.durationMs, states: report.states, mismatches: report.mismatches, adopted: report.adopted, actions: report.actions.length })}\n`);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', () => {
      rl.close();
      resolve();
    });
  });
};
