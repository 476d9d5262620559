/**
 * `tradewarden status [--json] [--data-dir D] [--url U]` (issue 14 item 7): shows a session's status from the best
 * source there is — a running instance's `GET /status` (named by `<data-dir>/state/server.json` or `--url`, with the
 * bearer token `TW_CONTROL_TOKEN`), else the state files the executor publishes (with their age), else the last run's
 * `summary.json` or the persistent journals. Exit 0 when a status was shown, 1 when nothing was found. Reads only.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redacted } from 'effect';
import { loadSecrets } from '../../config/secrets.ts';
import { openJournal, type JournalOrderState } from '../../journal/Journal.ts';
import { wallClock } from '../../kernel/Clock.ts';
import { readServerFile, readStateFiles } from '../../ops/stateFiles.ts';
import { reportFromJournals, reportFromStatus, reportFromSummary, reportFromSurfaces, renderStatus, type JournalFacts, type StatusReport } from '../../ops/statusReport.ts';
import type { StatusView } from '../../ops/types.ts';
import { ExitCode, type CliIo } from '../io.ts';
import type { GlobalOptions } from '../main.ts';

const FETCH_TIMEOUT_MS = 5_000;
const LIVE_ORDER_STATES: ReadonlyArray<JournalOrderState> = ['requested', 'ambiguous', 'new', 'partially_filled', 'untriggered'];

const message = (e: unknown): string => (e instanceof Error ? (e.cause instanceof Error ? `${e.message} (${e.cause.message})` : e.message) : String(e));

/** GETs `<url>/status`; the status view, or why not. */
const fetchStatus = async (url: string): Promise<{ readonly view: StatusView } | { readonly problem: string }> => {
  const token = loadSecrets().get('TW_CONTROL_TOKEN');
  const target = `${url.replace(/\/+$/, '')}/status`;
  try {
    const res = await fetch(target, {
      headers: token === undefined ? {} : { authorization: `Bearer ${Redacted.value(token)}` },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (res.status === 401) return { problem: `${target} answered 401: ${token === undefined ? 'set TW_CONTROL_TOKEN to the instance\'s token' : 'TW_CONTROL_TOKEN is not the instance\'s token'}` };
    if (!res.ok) return { problem: `${target} answered ${String(res.status)}` };
    const body = await res.json();
    if (typeof body !== 'object' || body === null || !('runId' in body) || !('trading' in body)) return { problem: `${target} did not answer a status view` };
    return { view: body as StatusView };
  } catch (e) {
    return { problem: `${target} could not be read: ${message(e)}` };
  }
};

/** The publish interval the manifest names (`every 2000 ms and at stop`), if it names one. */
const publishEveryMs = (manifest: unknown): number | undefined => {
  const surfaces = (manifest as { surfaces?: ReadonlyArray<{ frequency?: unknown }> } | undefined)?.surfaces;
  const m = /every (\d+) ms/.exec(typeof surfaces?.[0]?.frequency === 'string' ? surfaces[0].frequency : '');
  return m === null ? undefined : Number(m[1]);
};

/** The report of the state files, or undefined when there are none. */
const fromStateFiles = (stateDir: string, notes: string[]): StatusReport | undefined => {
  const reads = readStateFiles(stateDir, wallClock.now());
  if (reads === undefined) return undefined;
  const surfaces: Record<string, unknown> = {};
  let newest = Infinity;
  for (const r of reads) {
    if (r.problems.length > 0) notes.push(...r.problems.slice(0, 3));
    else if (r.name !== 'manifest') surfaces[r.name] = r.json;
    if (r.json !== undefined) newest = Math.min(newest, r.ageMs);
  }
  const ageSeconds = Number.isFinite(newest) ? newest / 1000 : null;
  const every = publishEveryMs(reads.find((r) => r.name === 'manifest')?.json);
  const phase = (surfaces['diagnostics'] as { phase?: unknown } | undefined)?.phase;
  if (phase === 'stopped') notes.push('the run that wrote them has stopped');
  else if (ageSeconds !== null && every !== undefined && ageSeconds * 1000 > 3 * every) notes.push(`they are older than three publish intervals (${String(every)} ms): the executor is probably not running`);
  return reportFromSurfaces(surfaces, { kind: 'state_files', where: stateDir, ageSeconds, notes });
};

/** The newest `runs/*\/summary.json` of the data directory, if any. */
const newestSummary = (dataDir: string): { readonly file: string; readonly mtimeMs: number } | undefined => {
  const runs = join(dataDir, 'runs');
  if (!existsSync(runs)) return undefined;
  let best: { readonly file: string; readonly mtimeMs: number } | undefined;
  for (const name of readdirSync(runs)) {
    const file = join(runs, name, 'summary.json');
    try {
      const { mtimeMs } = statSync(file);
      if (best === undefined || mtimeMs > best.mtimeMs) best = { file, mtimeMs };
    } catch {
      // A run still going (or killed) has no summary yet.
    }
  }
  return best;
};

/** The facts of each persistent journal (`<data-dir>/journal/*.sqlite`), read-only; unreadable ones become notes. */
const persistentJournals = (dataDir: string, notes: string[]): JournalFacts[] => {
  const dir = join(dataDir, 'journal');
  if (!existsSync(dir)) return [];
  const out: JournalFacts[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.sqlite')).sort()) {
    const path = join(dir, name);
    try {
      const journal = openJournal({ path, clock: wallClock, readonly: true });
      try {
        const lastSeq = journal.lastSeq();
        const last = lastSeq === 0 ? undefined : [...journal.readEvents({ fromSeq: lastSeq, limit: 1 })][0];
        const account = name.replace(/\.sqlite$/, '');
        out.push({
          path, lastSeq, lastEntryAt: last?.ts ?? null,
          workingOrders: journal.ordersInState(LIVE_ORDER_STATES).map((o) => ({ account, symbol: o.symbol, clientOrderId: o.clientOrderId, side: o.side, quantity: o.quantity.toString(), price: o.price?.toString() ?? null, state: o.state })),
        });
      } finally {
        journal.close();
      }
    } catch (e) {
      notes.push(`${path} could not be read: ${message(e)}`);
    }
  }
  return out;
};

/** Finds the best source and builds its report; undefined (with what was looked at) when there is none. */
export const findStatus = async (dataDir: string, url: string | undefined): Promise<{ readonly report: StatusReport } | { readonly nothing: string }> => {
  const stateDir = join(dataDir, 'state');
  const notes: string[] = [];
  const server = url === undefined ? readServerFile(stateDir) : { url, pid: 0, startedAt: 0, alive: true };
  if (server !== undefined && 'problem' in server) notes.push(server.problem);
  else if (server !== undefined && !server.alive) notes.push(`${join(stateDir, 'server.json')} names pid ${String(server.pid)}, which is not running`);
  else if (server !== undefined) {
    const got = await fetchStatus(server.url);
    if ('view' in got) return { report: reportFromStatus(got.view, { kind: 'api', where: server.url, ageSeconds: null, notes }) };
    if (url !== undefined) return { nothing: got.problem };
    notes.push(got.problem);
  }
  const fromFiles = fromStateFiles(stateDir, notes);
  if (fromFiles !== undefined) return { report: fromFiles };
  const summary = newestSummary(dataDir);
  if (summary !== undefined) {
    try {
      const json = JSON.parse(readFileSync(summary.file, 'utf8')) as Record<string, unknown>;
      return { report: reportFromSummary(json, { kind: 'summary', where: summary.file, ageSeconds: Math.max(0, wallClock.now() - summary.mtimeMs) / 1000, notes: [...notes, 'no instance is running; this is the last run\'s summary'] }) };
    } catch (e) {
      notes.push(`${summary.file} could not be read: ${message(e)}`);
    }
  }
  const journals = persistentJournals(dataDir, notes);
  if (journals.length > 0) return { report: reportFromJournals(journals, { kind: 'journal', where: join(dataDir, 'journal'), ageSeconds: null, notes }) };
  const looked = `${join(stateDir, 'server.json')} (a running instance), ${join(stateDir, '*.json')} (state files), ${join(dataDir, 'runs', '*', 'summary.json')} (run summaries) and ${join(dataDir, 'journal', '*.sqlite')} (persistent journals)`;
  return { nothing: `no status found under ${dataDir}: looked for ${looked}${notes.length === 0 ? '' : `; ${notes.join('; ')}`}` };
};

/** Runs `status`. */
export const statusCommand = async (io: CliIo, opts: { readonly url?: string | undefined }, global: GlobalOptions): Promise<number> => {
  const found = await findStatus(global.dataDir, opts.url);
  if ('nothing' in found) {
    io.err(found.nothing);
    return ExitCode.runtimeFailure;
  }
  if (global.json) io.out(JSON.stringify(found.report, null, 2));
  else for (const line of renderStatus(found.report)) io.out(line);
  return ExitCode.ok;
};
