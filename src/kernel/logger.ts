/**
 * Structured logging (X-LOG-1/2): pino JSON lines, with secret redaction by field path and a value scrubber applied
 * to every line before it is written; each line carries the session clock's `time` and, when the caller injects one,
 * the wall clock's `wall` (issue 14). `prettyLogLine` renders a line for humans (`--log-format pretty`). Modules take
 * a `Logger` from their caller; nothing creates loggers ad hoc.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger as PinoLogger } from 'pino';
import { pinoRedactPaths, scrubText, REDACTED } from './redaction.ts';
import type { Clock } from './Clock.ts';

export type Logger = PinoLogger;
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Where log lines go: a file (JSON lines), and optionally a stream for lines at or above a level. */
export interface LogTargets {
  readonly file?: string | undefined;
  readonly stream?: { readonly write: (line: string) => unknown; readonly minLevel: LogLevel } | undefined;
  /** Collects lines in memory (tests). */
  readonly memory?: string[] | undefined;
}

const LEVEL_VALUES: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** A writable that scrubs every line and fans it out to the targets. */
const scrubbingSink = (targets: LogTargets): Writable => {
  let fileStream: pino.DestinationStream | undefined;
  if (targets.file !== undefined) {
    mkdirSync(dirname(targets.file), { recursive: true });
    fileStream = pino.destination({ dest: targets.file, sync: true, mkdir: true });
  }
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      const line = scrubText(chunk.toString());
      fileStream?.write(line);
      targets.memory?.push(line);
      if (targets.stream !== undefined) {
        const level = /"level":(\d+)/.exec(line)?.[1];
        if (level !== undefined && Number(level) >= LEVEL_VALUES[targets.stream.minLevel]) targets.stream.write(line);
      }
      done();
    },
  });
};

/**
 * Creates the root logger. `time` comes from the injected clock so backtest logs are deterministic; `wall`, the wall
 * clock's epoch ms beside it, only when a wall clock is injected (a run on a virtual or accelerated clock).
 */
export const createLogger = (opts: { readonly level: LogLevel; readonly clock: Clock; readonly wall?: Clock | undefined; readonly targets: LogTargets; readonly base?: Record<string, unknown> }): Logger =>
  pino(
    {
      level: opts.level,
      base: opts.base ?? {},
      messageKey: 'msg',
      timestamp: opts.wall === undefined ? () => `,"time":${opts.clock.now()}` : () => `,"time":${opts.clock.now()},"wall":${opts.wall!.now()}`,
      redact: { paths: pinoRedactPaths(), censor: REDACTED },
      formatters: { level: (label, number) => ({ level: number, levelName: label }) },
    },
    scrubbingSink(opts.targets),
  );

const LEVEL_NAMES: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Fields a pretty line shows in its own way (or, for `levelName`, not at all). */
const PRETTY_OWN = new Set(['time', 'wall', 'level', 'levelName', 'msg']);

const clockTime = (ms: unknown): string | undefined =>
  typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : undefined;

const prettyValue = (v: unknown): string => {
  if (typeof v === 'string') return /^[^\s="]+$/.test(v) ? v : JSON.stringify(v);
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
};

/**
 * Renders one JSON log line for humans: `HH:MM:SS.mmm LEVEL msg key=value…` (UTC, the wall time when the line has one,
 * else its clock time; a session time other than the wall time is shown as `t=<ISO>`). A line that is not a JSON
 * object is returned as it is, without its line break.
 */
export const prettyLogLine = (line: string): string => {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line.trimEnd();
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return line.trimEnd();
  const r = record as Record<string, unknown>;
  const wall = clockTime(r['wall']);
  const time = clockTime(r['time']);
  const shown = wall ?? time;
  const level = typeof r['level'] === 'number' ? (LEVEL_NAMES[r['level']] ?? String(r['level'])) : 'LOG';
  const pairs = Object.entries(r).filter(([k]) => !PRETTY_OWN.has(k)).map(([k, v]) => `${k}=${prettyValue(v)}`);
  // A virtual or accelerated session runs ahead of the wall clock: its own time is worth a field of its own.
  if (wall !== undefined && time !== undefined && Math.abs((r['wall'] as number) - (r['time'] as number)) >= 1000) pairs.unshift(`t=${time}`);
  return [shown === undefined ? '--:--:--.---' : shown.slice(11, 23), level.padEnd(5), typeof r['msg'] === 'string' ? r['msg'] : '', ...pairs].filter((s) => s !== '').join(' ');
};

/** A logger that drops everything (for pure tests of modules that require one). */
export const silentLogger = (clock: Clock): Logger => createLogger({ level: 'silent', clock, targets: {} });

/**
 * The field set every critical event carries (X-LOG-2): order request/ack/fill/close, SL/TP change, veto, halt.
 * Missing fields are written as null, never omitted.
 */
export interface CriticalEventFields {
  readonly event: string;
  readonly profile: string;
  readonly mode: string;
  readonly venue: string | null;
  readonly strategy_name: string | null;
  readonly signal_id: string | null;
  readonly order_id: string | null;
  readonly client_order_id: string | null;
  readonly symbol: string | null;
  readonly side: string | null;
  readonly qty: string | null;
  readonly price: string | null;
  readonly im: string | null;
  readonly leverage: string | null;
  readonly latency_ms: number | null;
  readonly error_code: string | null;
  readonly oep_hash: string | null;
}

/** The names of the X-LOG-2 fields, in order. */
export const CRITICAL_EVENT_FIELDS: ReadonlyArray<keyof CriticalEventFields> = [
  'event', 'profile', 'mode', 'venue', 'strategy_name', 'signal_id', 'order_id', 'client_order_id', 'symbol', 'side',
  'qty', 'price', 'im', 'leverage', 'latency_ms', 'error_code', 'oep_hash',
];

/** Returns a complete critical-event record: the given fields, with every other X-LOG-2 field set to null. */
export const criticalEvent = (
  base: Pick<CriticalEventFields, 'event' | 'profile' | 'mode'>,
  fields: Partial<Omit<CriticalEventFields, 'event' | 'profile' | 'mode'>>,
): CriticalEventFields => ({
  venue: null, strategy_name: null, signal_id: null, order_id: null, client_order_id: null, symbol: null, side: null,
  qty: null, price: null, im: null, leverage: null, latency_ms: null, error_code: null, oep_hash: null,
  ...fields,
  ...base,
});

/** Writes a critical event at the level that fits it (`warn` for vetoes and rejects, `error` for halts). */
export const logCritical = (logger: Logger, record: CriticalEventFields, level: 'info' | 'warn' | 'error' = 'info'): void => {
  logger[level]({ critical: true, ...record }, record.event);
};
