/**
 * The typed failures of the domain (DESIGN §6). Business outcomes such as a risk veto are events, not exceptions;
 * these are for failures that a caller must handle. Pure; performs no I/O.
 */
import { Data } from 'effect';

/** A config file or value that cannot be used; exit code 2. */
export class ConfigError extends Data.TaggedError('ConfigError')<{
  readonly file: string;
  readonly issues: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}> {
  override get message(): string {
    return [`invalid config ${this.file}:`, ...this.issues.map((i) => `  - ${i.path}: ${i.message}`)].join('\n');
  }
}

/** The process refuses to continue for safety (secret in plain config, LIVE without token, broken journal); exit 3. */
export class SafetyRefusal extends Data.TaggedError('SafetyRefusal')<{ readonly code: string; readonly detail: string }> {
  override get message(): string {
    return `${this.code}: ${this.detail}`;
  }
}

/** The journal cannot be read or written; fatal. */
export class JournalError extends Data.TaggedError('JournalError')<{ readonly reason: string; readonly cause?: unknown }> {
  override get message(): string {
    return `journal: ${this.reason}`;
  }
}

/** Market data too old to trade on. */
export class StaleData extends Data.TaggedError('StaleData')<{ readonly symbol: string; readonly ageMs: number; readonly limitMs: number }> {}

/** Local clock and venue clock disagree beyond the limit. */
export class ClockSkew extends Data.TaggedError('ClockSkew')<{ readonly offsetMs: number; readonly limitMs: number }> {}
