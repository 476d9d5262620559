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

/**
 * Writes `drill:recovered <json>` (the accounts' reports merged: symbols belong to one account each, so states and
 * mismatches merge by symbol) and resolves when the drill writes a line to stdin.
 */
export const holdGate = (reports: ReadonlyMap<string, RecoveryReport>): Promise<void> => {
  const all = [...reports.values()];
  const merged = {
    accounts: [...reports.keys()],
    durationMs: Math.max(0, ...all.map((r) => r.durationMs)),
    states: Object.assign({}, ...all.map((r) => r.states)) as Record<string, unknown>,
    mismatches: Object.assign({}, ...all.map((r) => r.mismatches)) as Record<string, unknown>,
    adopted: all.flatMap((r) => r.adopted),
    actions: all.reduce((n, r) => n + r.actions.length, 0),
  };
  writeSync(1, `${RECOVERED_LINE} ${JSON.stringify(merged)}\n`);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin });
    rl.once('line', () => {
      rl.close();
      resolve();
    });
  });
};
