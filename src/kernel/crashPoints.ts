/**
 * Named crash points for the restart drill (issue #5): the execution path and the actor host call `crashPoint(name)`
 * at the instants where a crash is most dangerous (request journaled but not sent, sent but ack not journaled, a
 * transition committed but its intents not yet performed). Production wiring passes `noCrashPoints`; only the drill's
 * child process installs one that freezes the process so the drill can SIGKILL it exactly there. Never throws.
 */

/** Called at a named instant; the default does nothing. */
export type CrashPoint = (name: string) => void;

/** The production hook: does nothing. */
export const noCrashPoints: CrashPoint = () => undefined;
