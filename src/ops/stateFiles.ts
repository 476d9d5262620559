/**
 * The state publisher (S4-8, S4-9): the executor writes `<data-dir>/state/*.json` from its status read model every few
 * wall seconds and at stop, each file atomically (a temporary file, fsync, rename — a reader never sees a half-written
 * file under its final name), with `manifest.json` describing them. The publisher is the only writer; `readStateFiles`
 * and `readServerFile` only read. Also the running instance's `server.json` (`{ url, pid, startedAt }`).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { stateManifest, SURFACE_NAMES, surfaceFile, validateSurface, type SurfaceName } from './stateManifest.ts';
import { buildSurfaces, unixSeconds } from './stateSurfaces.ts';
import type { OpsSource } from './types.ts';

/** S4-2: NAV older than 90 s is stale. */
const DEFAULT_NAV_FRESHNESS_MS = 90_000;

const TMP_MARK = '.tmp-';

/**
 * Writes `text` to `dir/name` atomically: `<name>.tmp-<pid>` is written and fsynced, then renamed over the final name,
 * and the directory is fsynced so the rename itself survives a crash.
 */
export const writeFileAtomic = (dir: string, name: string, text: string): void => {
  const final = join(dir, name);
  const tmp = `${final}${TMP_MARK}${String(process.pid)}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, final);
};

const fsyncDir = (dir: string): void => {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

/** Returns whether a process with this pid exists (a process of another user counts as alive). */
export const isProcessAlive = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Removes temporary files left by a writer that died between write and rename (never one of a live process). */
const removeStaleTemporaries = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const at = name.lastIndexOf(TMP_MARK);
    if (at < 0) continue;
    const pid = Number(name.slice(at + TMP_MARK.length));
    if (pid !== process.pid && !isProcessAlive(pid)) rmSync(join(dir, name), { force: true });
  }
};

/** Options of the publisher. */
export interface StatePublisherOptions {
  /** `<data-dir>/state`; created when missing. */
  readonly dir: string;
  readonly source: OpsSource;
  /** The wall scheduler: runs `run` at wall time `at`, returns a cancel function. */
  readonly schedule: (at: number, run: () => void) => () => void;
  /** The wall clock (epoch ms). */
  readonly now: () => number;
  readonly everyMs: number;
  /** NAV older than this is reported as not fresh (default 90 s, S4-2). */
  readonly navFreshnessMs?: number | undefined;
  /** Told about a publish that failed (a full disk, a status that could not be built); the next one is tried anyway. */
  readonly onError?: ((e: unknown) => void) | undefined;
}

/** A running publisher. */
export interface StatePublisher {
  /** Publishes every surface now (synchronously). */
  publishNow(): void;
  /** Publishes one last time and stops the schedule. Idempotent. */
  stop(): void;
}

/**
 * Starts publishing the state files: the manifest and every surface at once, then every `everyMs` wall ms, and a last
 * time at `stop()`. A failed publish is reported to `onError` and never stops the schedule or throws into the session.
 */
export const startStatePublisher = (opts: StatePublisherOptions): StatePublisher => {
  mkdirSync(opts.dir, { recursive: true });
  removeStaleTemporaries(opts.dir);
  const navFreshnessMs = opts.navFreshnessMs ?? DEFAULT_NAV_FRESHNESS_MS;
  const manifest = (): string => `${JSON.stringify({ ...stateManifest(opts.everyMs), updated_ts: unixSeconds(opts.now()) }, null, 2)}\n`;
  const publish = (): void => {
    const now = opts.now();
    const surfaces = buildSurfaces(opts.source.status(), { now, navFreshnessMs });
    for (const name of SURFACE_NAMES) writeFileAtomic(opts.dir, surfaceFile(name), `${JSON.stringify(surfaces[name], null, 2)}\n`);
    fsyncDir(opts.dir);
  };
  const guarded = (f: () => void): void => {
    try {
      f();
    } catch (e) {
      opts.onError?.(e);
    }
  };
  let stopped = false;
  let cancel: (() => void) | undefined;
  const tick = (): void => {
    cancel = undefined;
    if (stopped) return;
    guarded(publish);
    cancel = opts.schedule(opts.now() + opts.everyMs, tick);
  };
  guarded(() => writeFileAtomic(opts.dir, 'manifest.json', manifest()));
  tick();
  return {
    publishNow: () => guarded(publish),
    stop: () => {
      if (stopped) return;
      stopped = true;
      cancel?.();
      guarded(publish);
      guarded(() => writeFileAtomic(opts.dir, 'manifest.json', manifest()));
    },
  };
};

/** One state file as read back: its parsed content and its problems against the manifest's schema. */
export interface StateFileRead {
  readonly name: SurfaceName | 'manifest';
  readonly file: string;
  /** Wall ms since the file was last written (from its mtime). */
  readonly ageMs: number;
  readonly json: unknown;
  readonly problems: ReadonlyArray<string>;
}

/**
 * Reads the manifest and every surface of a state directory, validating each (read-only). Returns undefined when the
 * directory holds no surface at all; a surface that is missing or does not parse is listed with its problem.
 */
export const readStateFiles = (dir: string, now: number): ReadonlyArray<StateFileRead> | undefined => {
  const reads: StateFileRead[] = [];
  let found = 0;
  for (const name of ['manifest' as const, ...SURFACE_NAMES]) {
    const file = join(dir, name === 'manifest' ? 'manifest.json' : surfaceFile(name));
    let text: string;
    let ageMs: number;
    try {
      ageMs = Math.max(0, now - statSync(file).mtimeMs);
      text = readFileSync(file, 'utf8');
    } catch {
      reads.push({ name, file, ageMs: 0, json: undefined, problems: [`${file} is missing`] });
      continue;
    }
    found += 1;
    try {
      const json: unknown = JSON.parse(text);
      reads.push({ name, file, ageMs, json, problems: validateSurface(name, json) });
    } catch (e) {
      reads.push({ name, file, ageMs, json: undefined, problems: [`${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`] });
    }
  }
  return found === 0 ? undefined : reads;
};

/** What a running instance's `server.json` says. */
export interface ServerFile {
  readonly url: string;
  readonly pid: number;
  /** Wall ms when the server started listening. */
  readonly startedAt: number;
}

const SERVER_FILE = 'server.json';

/** Writes `<stateDir>/server.json` atomically (the session, once its HTTP server listens). */
export const writeServerFile = (stateDir: string, server: ServerFile): void => {
  mkdirSync(stateDir, { recursive: true });
  writeFileAtomic(stateDir, SERVER_FILE, `${JSON.stringify(server)}\n`);
};

/** Removes `<stateDir>/server.json` (the session, when its server closes). */
export const removeServerFile = (stateDir: string): void => rmSync(join(stateDir, SERVER_FILE), { force: true });

/**
 * Reads `<stateDir>/server.json`: the instance it names, with whether its pid is alive; undefined when there is none;
 * `{ problem }` when the file is there but unusable.
 */
export const readServerFile = (stateDir: string): (ServerFile & { readonly alive: boolean }) | { readonly problem: string } | undefined => {
  let text: string;
  try {
    text = readFileSync(join(stateDir, SERVER_FILE), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(text) as Partial<Record<keyof ServerFile, unknown>>;
    if (typeof v.url !== 'string' || typeof v.pid !== 'number' || typeof v.startedAt !== 'number') return { problem: `${join(stateDir, SERVER_FILE)} lacks url, pid or startedAt` };
    return { url: v.url, pid: v.pid, startedAt: v.startedAt, alive: isProcessAlive(v.pid) };
  } catch (e) {
    return { problem: `${join(stateDir, SERVER_FILE)} is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
};
