/**
 * What `tradewarden status` shows, whatever it was read from — a running instance's `GET /status`, the state files,
 * the last run's summary or the persistent journals — as one report, and that report rendered as text tables. Pure;
 * performs no I/O (src/cli/commands/status.ts finds the sources and prints).
 */
import type { Surface } from './stateManifest.ts';
import type { StatusView } from './types.ts';

/** Where the report came from, and how old it is. */
export interface ReportSource {
  readonly kind: 'api' | 'state_files' | 'summary' | 'journal';
  /** The URL or path it was read from. */
  readonly where: string;
  /** Seconds since it was written (state files, summary); null when live. */
  readonly ageSeconds: number | null;
  /** Sentences worth a reader's attention (the instance is not running, a file does not validate, …). */
  readonly notes: ReadonlyArray<string>;
}

/** The status report (one JSON document with `--json`). */
export interface StatusReport {
  readonly source: ReportSource;
  readonly runId: string | null;
  readonly profile: string | null;
  readonly mode: string | null;
  readonly phase: string | null;
  readonly trading: { readonly on: boolean; readonly reasons: ReadonlyArray<string> };
  readonly accounts: ReadonlyArray<{ readonly name: string; readonly gateOpen: boolean | null; readonly tradingState: string | null; readonly killSwitch: string | null; readonly dependencies: Readonly<Record<string, string>>; readonly blockedSymbols: ReadonlyArray<string> }>;
  readonly connections: ReadonlyArray<{ readonly account: string; readonly stream: string; readonly state: string; readonly live: boolean }>;
  readonly positions: ReadonlyArray<{ readonly account: string; readonly symbol: string; readonly side: string; readonly quantity: string; readonly entryPrice: string; readonly markPrice: string | null; readonly unrealizedPnl: string | null; readonly takeProfit: string | null; readonly stopLoss: string | null }>;
  readonly workingOrders: ReadonlyArray<{ readonly account: string; readonly symbol: string; readonly clientOrderId: string; readonly side: string; readonly quantity: string; readonly price: string | null; readonly state: string }>;
  readonly pnl: { readonly realized: string | null; readonly fees: string | null; readonly unrealized: string | null; readonly equity: string | null };
  readonly counters: Readonly<Record<string, number>>;
  readonly vetoes: Readonly<Record<string, number>>;
  readonly heartbeat: { readonly cycles: number | null; readonly lastCycleWall: string | null };
  /** The persistent journals read (journal source only). */
  readonly journals?: ReadonlyArray<{ readonly path: string; readonly lastSeq: number; readonly lastEntryAt: string | null }> | undefined;
  /** The running instance's full status view (API source only). */
  readonly status?: StatusView | undefined;
}

const iso = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

const killText = (k: { readonly engaged: boolean; readonly reason: string | null; readonly flatten: boolean }): string =>
  k.engaged ? `ENGAGED (${k.reason ?? 'no reason'}${k.flatten ? ', flatten' : ''})` : 'off';

const gateText = (g: { readonly symbol: string; readonly blocked: string | null; readonly quarantined: string | null; readonly paused: string | null }): string =>
  `${g.symbol}: ${[g.blocked && `blocked ${g.blocked}`, g.quarantined && `quarantined ${g.quarantined}`, g.paused && `paused ${g.paused}`].filter(Boolean).join(', ')}`;

/** The report of a running instance's status view. */
export const reportFromStatus = (v: StatusView, source: ReportSource): StatusReport => ({
  source, runId: v.runId, profile: v.profile, mode: v.mode, phase: v.phase, trading: v.trading,
  accounts: v.accounts.map((a) => ({ name: a.name, gateOpen: a.gateOpen, tradingState: a.tradingState, killSwitch: killText(a.killSwitch), dependencies: a.dependencies, blockedSymbols: a.symbolGates.map(gateText) })),
  connections: v.connections.map((c) => ({ account: c.account, stream: c.stream, state: c.state, live: c.live })),
  positions: v.positions.map((p) => ({ account: p.account, symbol: p.symbol, side: p.side, quantity: p.quantity, entryPrice: p.entryPrice, markPrice: p.markPrice, unrealizedPnl: p.unrealizedPnl, takeProfit: p.takeProfit, stopLoss: p.stopLoss })),
  workingOrders: v.workingOrders.map((o) => ({ account: o.account, symbol: o.symbol, clientOrderId: o.clientOrderId, side: o.side, quantity: o.quantity, price: o.price, state: o.state })),
  pnl: { realized: v.pnl.realized, fees: v.pnl.fees, unrealized: v.pnl.unrealized, equity: v.pnl.equity },
  counters: v.counters, vetoes: v.vetoes,
  heartbeat: { cycles: v.heartbeat.cycles, lastCycleWall: iso(v.heartbeat.wallLastCycleAt) },
  status: v,
});

/** The surfaces a state-file report is built from (each validated, or absent). */
export interface SurfaceSet {
  readonly risk_snapshot?: Surface<'risk_snapshot'> | undefined;
  readonly positions_state?: Surface<'positions_state'> | undefined;
  readonly router_health?: Surface<'router_health'> | undefined;
  readonly kpis?: Surface<'kpis'> | undefined;
  readonly diagnostics?: Surface<'diagnostics'> | undefined;
  readonly nav_state?: Surface<'nav_state'> | undefined;
}

/** The report of the state files (the last status the executor published). */
export const reportFromSurfaces = (s: SurfaceSet, source: ReportSource): StatusReport => {
  const head = s.risk_snapshot ?? s.kpis ?? s.diagnostics ?? s.positions_state ?? s.router_health ?? s.nav_state;
  return {
    source, runId: head?.run_id ?? null, profile: head?.profile ?? null, mode: head?.mode ?? null, phase: s.diagnostics?.phase ?? null,
    trading: s.risk_snapshot === undefined ? { on: false, reasons: ['risk_snapshot.json unreadable'] } : { on: s.risk_snapshot.trading_on, reasons: s.risk_snapshot.reasons },
    accounts: (s.risk_snapshot?.accounts ?? []).map((a) => ({
      name: a.account, gateOpen: a.gate_open, tradingState: a.trading_state, killSwitch: killText(a.kill_switch), dependencies: a.dependencies, blockedSymbols: a.symbol_gates.map(gateText),
    })),
    connections: (s.router_health?.connections ?? []).map((c) => ({ account: c.account, stream: c.stream, state: c.state, live: c.live })),
    positions: (s.positions_state?.positions ?? []).map((p) => ({ account: p.account, symbol: p.symbol, side: p.side, quantity: p.qty, entryPrice: p.entry_price, markPrice: p.mark_price, unrealizedPnl: p.unrealized_pnl, takeProfit: p.tp, stopLoss: p.sl })),
    workingOrders: (s.router_health?.working_orders ?? []).map((o) => ({ account: o.account, symbol: o.symbol, clientOrderId: o.client_order_id, side: o.side, quantity: o.qty, price: o.price, state: o.state })),
    pnl: { realized: s.kpis?.pnl.realized ?? null, fees: s.kpis?.pnl.fees ?? null, unrealized: s.kpis?.pnl.unrealized ?? null, equity: s.kpis?.pnl.equity ?? s.nav_state?.nav ?? null },
    counters: s.kpis?.counters ?? {},
    vetoes: s.diagnostics?.vetoes ?? {},
    heartbeat: { cycles: s.diagnostics?.liveness.heartbeat_cycles ?? null, lastCycleWall: iso(s.diagnostics?.liveness.last_cycle_ts == null ? null : s.diagnostics.liveness.last_cycle_ts * 1000) },
  };
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const records = (v: unknown): ReadonlyArray<Record<string, unknown>> => (Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : []);

/** The report of a finished run's `summary.json` (nothing runs: trading is OFF). */
export const reportFromSummary = (summary: Readonly<Record<string, unknown>>, source: ReportSource): StatusReport => {
  const counters: Record<string, number> = {};
  for (const k of ['proposals', 'intents', 'ordersSent', 'fills', 'trades', 'wins', 'losses', 'restarts']) {
    const n = num(summary[k]);
    if (n !== null) counters[k] = n;
  }
  const vetoes = typeof summary['vetoes'] === 'object' && summary['vetoes'] !== null ? (summary['vetoes'] as Record<string, number>) : {};
  const accounts = Array.isArray(summary['accounts']) ? (summary['accounts'] as unknown[]).map(String) : Object.keys((summary['accounts'] as Record<string, unknown> | undefined) ?? {});
  return {
    source, runId: str(summary['runId']), profile: str(summary['profile']), mode: str(summary['mode']), phase: 'stopped',
    trading: { on: false, reasons: [`run finished (stopped by ${str(summary['stoppedBy']) ?? 'unknown'})`] },
    accounts: accounts.map((name) => ({ name, gateOpen: null, tradingState: null, killSwitch: null, dependencies: {}, blockedSymbols: [] })),
    connections: [],
    positions: records(summary['openPositions']).map((p) => ({
      account: str(p['account']) ?? accounts[0] ?? '', symbol: str(p['symbol']) ?? '', side: str(p['side']) ?? '', quantity: str(p['quantity']) ?? '',
      entryPrice: str(p['entryPrice']) ?? '', markPrice: null, unrealizedPnl: null, takeProfit: str(p['takeProfit']), stopLoss: str(p['stopLoss']),
    })),
    workingOrders: [],
    pnl: { realized: str(summary['realizedPnl']), fees: str(summary['fees']), unrealized: null, equity: str(summary['endingBalance']) },
    counters, vetoes, heartbeat: { cycles: null, lastCycleWall: null },
  };
};

/** One persistent journal as the journal fallback reads it. */
export interface JournalFacts {
  readonly path: string;
  readonly lastSeq: number;
  readonly lastEntryAt: number | null;
  readonly workingOrders: StatusReport['workingOrders'];
}

/** The report of the persistent journals alone (no state files, no summary). */
export const reportFromJournals = (journals: ReadonlyArray<JournalFacts>, source: ReportSource): StatusReport => ({
  source, runId: null, profile: null, mode: null, phase: null,
  trading: { on: false, reasons: ['no instance is running'] },
  accounts: [], connections: [], positions: [], workingOrders: journals.flatMap((j) => j.workingOrders),
  pnl: { realized: null, fees: null, unrealized: null, equity: null }, counters: {}, vetoes: {}, heartbeat: { cycles: null, lastCycleWall: null },
  journals: journals.map((j) => ({ path: j.path, lastSeq: j.lastSeq, lastEntryAt: iso(j.lastEntryAt) })),
});

/** Lays rows out as aligned columns under a header. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string[] => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
};

const dash = (v: string | number | boolean | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** Renders a report as readable text lines. */
export const renderStatus = (r: StatusReport): string[] => {
  const out: string[] = [];
  const age = r.source.ageSeconds === null ? '' : ` (written ${r.source.ageSeconds.toFixed(0)} s ago)`;
  out.push(`status from ${r.source.kind.replace('_', ' ')}: ${r.source.where}${age}`);
  for (const n of r.source.notes) out.push(`note: ${n}`);
  out.push(`run ${dash(r.runId)}  profile ${dash(r.profile)}  mode ${dash(r.mode)}  phase ${dash(r.phase)}`);
  out.push(`trading ${r.trading.on ? 'ON' : 'OFF'}${r.trading.reasons.length === 0 ? '' : `: ${r.trading.reasons.join('; ')}`}`);
  if (r.accounts.length > 0) {
    out.push('', 'accounts');
    out.push(...table(['account', 'gate', 'state', 'kill switch', 'dependencies', 'symbol gates'], r.accounts.map((a) => [
      a.name, a.gateOpen === null ? '-' : a.gateOpen ? 'open' : 'closed', dash(a.tradingState), dash(a.killSwitch),
      Object.entries(a.dependencies).map(([k, v]) => `${k}=${v}`).join(' ') || '-', a.blockedSymbols.join('; ') || '-',
    ])));
  }
  if (r.journals !== undefined && r.journals.length > 0) {
    out.push('', 'journals');
    out.push(...table(['journal', 'last seq', 'last entry'], r.journals.map((j) => [j.path, String(j.lastSeq), dash(j.lastEntryAt)])));
  }
  if (r.connections.length > 0) {
    out.push('', `connections (${String(r.connections.filter((c) => c.live).length)}/${String(r.connections.length)} live)`);
    out.push(...table(['account', 'stream', 'state', 'live'], r.connections.map((c) => [c.account, c.stream, c.state, c.live ? 'yes' : 'no'])));
  }
  out.push('', `positions (${String(r.positions.length)})`);
  if (r.positions.length > 0) {
    out.push(...table(['account', 'symbol', 'side', 'qty', 'entry', 'mark', 'uPnL', 'TP', 'SL'], r.positions.map((p) => [
      p.account, p.symbol, p.side, p.quantity, p.entryPrice, dash(p.markPrice), dash(p.unrealizedPnl), dash(p.takeProfit), dash(p.stopLoss),
    ])));
  }
  out.push('', `working orders (${String(r.workingOrders.length)})`);
  if (r.workingOrders.length > 0) {
    out.push(...table(['account', 'symbol', 'client order id', 'side', 'qty', 'price', 'state'], r.workingOrders.map((o) => [o.account, o.symbol, o.clientOrderId, o.side, o.quantity, dash(o.price), o.state])));
  }
  out.push('', `PnL: realized ${dash(r.pnl.realized)}, fees ${dash(r.pnl.fees)}, unrealized ${dash(r.pnl.unrealized)}, equity ${dash(r.pnl.equity)}`);
  const counters = Object.entries(r.counters);
  if (counters.length > 0) out.push(`counters: ${counters.map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  const vetoes = Object.entries(r.vetoes);
  out.push(`vetoes: ${vetoes.length === 0 ? 'none' : vetoes.map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
  out.push(`heartbeat: ${r.heartbeat.cycles === null ? '-' : `${String(r.heartbeat.cycles)} cycles, last at ${dash(r.heartbeat.lastCycleWall)}`}`);
  return out;
};
