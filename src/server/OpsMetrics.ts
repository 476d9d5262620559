/**
 * The session's Prometheus metrics (issue 14 item 3, X-OBS-1) on a prom-client `Registry` of its own (never the
 * global one): process and Node metrics (event-loop lag included), the latency histograms and counts the hot paths
 * report through the `Telemetry` port, and the figures the status read model already holds (vetoes, fills, orders
 * sent, trading on, kill switch, exposure, drawdown), read from it at scrape time so they cannot drift from it.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Decimal, parseDecimal } from '../domain/money.ts';
import type { Telemetry, TelemetryCount, TelemetryLatency } from '../kernel/telemetry.ts';
import type { StatusView } from '../ops/types.ts';

/** Seconds: a decision cycle is sub-millisecond to tens of ms; a REST round trip ms to seconds; a commit µs to ms. */
const CYCLE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const REST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOURNAL_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/** The label names of each reported metric; labels a caller passes beyond these are dropped, missing ones are ''. */
const LATENCY_LABELS: Readonly<Record<TelemetryLatency, ReadonlyArray<string>>> = {
  decision_cycle: [], rest_request: ['venue', 'endpoint'], journal_append: [],
};
const COUNT_LABELS: Readonly<Record<TelemetryCount, ReadonlyArray<string>>> = {
  ws_messages: ['account', 'stream'], ws_gaps: [], ws_resyncs: [], rejects: [], orders: ['outcome'],
};

const pick = (names: ReadonlyArray<string>, labels: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const n of names) out[n] = labels?.[n] ?? '';
  return out;
};

const decimalOr = (text: string | null | undefined): Decimal | undefined => (text === null || text === undefined ? undefined : parseDecimal(text));

/** The metric names this registry exports besides the process and Node defaults (for docs and tests). */
export const TRADEWARDEN_METRICS: ReadonlyArray<string> = [
  'tradewarden_decision_cycle_seconds', 'tradewarden_rest_request_seconds', 'tradewarden_journal_append_seconds',
  'tradewarden_ws_messages_total', 'tradewarden_ws_gaps_total', 'tradewarden_ws_resyncs_total', 'tradewarden_vetoes_total',
  'tradewarden_orders_total', 'tradewarden_fills_total', 'tradewarden_rejects_total', 'tradewarden_exposure_notional',
  'tradewarden_drawdown_ratio', 'tradewarden_trading_on', 'tradewarden_kill_switch_engaged',
];

/** The metrics of one session; `Telemetry` for the hot paths, `text()` for `GET /metrics`. */
export class OpsMetrics implements Telemetry {
  /** The registry (its own; the process-global one is never touched). */
  readonly registry = new Registry();
  private status: (() => StatusView) | undefined;
  /** The status view of the scrape in progress. */
  private scraped: StatusView | undefined;
  private readonly latencies: Readonly<Record<TelemetryLatency, Histogram>>;
  private readonly counts: Readonly<Record<Exclude<TelemetryCount, 'orders'>, Counter>>;
  /** Order outcomes reported by the execution path (`acked`, `rejected`, `unknown`, `filled`, …), by outcome. */
  private readonly orderOutcomes = new Map<string, number>();

  constructor(opts: { readonly defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const histogram = (name: string, help: string, buckets: number[], labelNames: ReadonlyArray<string>): Histogram =>
      new Histogram({ name, help, buckets, labelNames, registers });
    this.latencies = {
      decision_cycle: histogram('tradewarden_decision_cycle_seconds', 'Wall time of one decision cycle (strategies, risk round, dispatch).', CYCLE_BUCKETS, []),
      rest_request: histogram('tradewarden_rest_request_seconds', 'Round trip of one venue REST request, by venue and endpoint path.', REST_BUCKETS, LATENCY_LABELS.rest_request),
      journal_append: histogram('tradewarden_journal_append_seconds', 'Wall time of one journal write transaction, commit (fsync) included.', JOURNAL_BUCKETS, []),
    };
    const counter = (name: string, help: string, labelNames: ReadonlyArray<string>): Counter => new Counter({ name, help, labelNames, registers });
    this.counts = {
      ws_messages: counter('tradewarden_ws_messages_total', 'Websocket text frames received, by account and stream (public, private).', COUNT_LABELS.ws_messages),
      ws_gaps: counter('tradewarden_ws_gaps_total', 'Sequence gaps detected on the websocket streams.', []),
      ws_resyncs: counter('tradewarden_ws_resyncs_total', 'Resyncs of a websocket stream after its first sync (book snapshots, reconciles).', []),
      rejects: counter('tradewarden_rejects_total', 'Orders the venue rejected definitively.', []),
    };
    // prom-client calls `collect` with the metric as `this`; these arrows keep the metrics object in reach.
    const read = (): StatusView | undefined => this.read();
    const outcomes = (): ReadonlyMap<string, number> => this.orderOutcomes;
    const exposure = (): Map<string, Decimal> => this.exposure();
    const drawdown = (): number => this.drawdown();
    new Counter({
      name: 'tradewarden_vetoes_total', help: 'Proposals the RiskEngine refused, by reason.', labelNames: ['reason'], registers,
      collect() {
        this.reset();
        for (const [reason, n] of Object.entries(read()?.vetoes ?? {})) this.inc({ reason }, n);
      },
    });
    new Counter({
      name: 'tradewarden_orders_total', help: 'Orders by outcome: sent (journaled and sent) and what the venue answered.', labelNames: ['outcome'], registers,
      collect() {
        this.reset();
        const view = read();
        if (view !== undefined) this.inc({ outcome: 'sent' }, view.counters.ordersSent);
        for (const [outcome, n] of outcomes()) this.inc({ outcome }, n);
      },
    });
    new Counter({
      name: 'tradewarden_fills_total', help: 'Fills journaled.', registers,
      collect() {
        this.reset();
        this.inc(read()?.counters.fills ?? 0);
      },
    });
    new Gauge({
      name: 'tradewarden_exposure_notional', help: 'Open position notional (|quantity| × mark, or entry price when unmarked), by account, in its settle asset.', labelNames: ['account'], registers,
      collect() {
        this.reset();
        for (const [account, notional] of exposure()) this.set({ account }, notional.toNumber());
      },
    });
    new Gauge({ name: 'tradewarden_drawdown_ratio', help: 'Equity below the session peak, as a fraction of the peak (0 at a new high or before the first equity point).', registers, collect() { this.set(drawdown()); } });
    new Gauge({ name: 'tradewarden_trading_on', help: '1 while trading is ON (every gate open, nothing blocking entries), else 0.', registers, collect() { this.set(read()?.trading.on === true ? 1 : 0); } });
    new Gauge({
      name: 'tradewarden_kill_switch_engaged', help: '1 while the kill switch is engaged on any account, else 0.', registers,
      collect() { this.set(read()?.accounts.some((a) => a.killSwitch.engaged) === true ? 1 : 0); },
    });
  }

  /** Reads the status-derived metrics from `status` at every scrape from now on. */
  readFrom(status: () => StatusView): void {
    this.status = status;
  }

  observe(metric: TelemetryLatency, seconds: number, labels?: Readonly<Record<string, string>>): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const names = LATENCY_LABELS[metric];
    if (names.length === 0) this.latencies[metric].observe(seconds);
    else this.latencies[metric].observe(pick(names, labels), seconds);
  }

  count(metric: TelemetryCount, n = 1, labels?: Readonly<Record<string, string>>): void {
    if (!Number.isFinite(n) || n <= 0) return;
    if (metric === 'orders') {
      const outcome = labels?.['outcome'] ?? 'unknown';
      this.orderOutcomes.set(outcome, (this.orderOutcomes.get(outcome) ?? 0) + n);
      return;
    }
    const names = COUNT_LABELS[metric];
    if (names.length === 0) this.counts[metric].inc(n);
    else this.counts[metric].inc(pick(names, labels), n);
  }

  /** The exposition text of every metric (Prometheus text format 0.0.4); the status is read once per scrape. */
  async text(): Promise<string> {
    this.scraped = this.readStatus();
    try {
      return await this.registry.metrics();
    } finally {
      this.scraped = undefined;
    }
  }

  /** The content type of `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private read(): StatusView | undefined {
    return this.scraped ?? this.readStatus();
  }

  // A status read that fails is a scrape without the status figures, never a failed scrape.
  private readStatus(): StatusView | undefined {
    try {
      return this.status?.();
    } catch {
      return undefined;
    }
  }

  private exposure(): Map<string, Decimal> {
    const out = new Map<string, Decimal>();
    const view = this.read();
    for (const a of view?.accounts ?? []) out.set(a.name, new Decimal(0));
    for (const p of view?.positions ?? []) {
      const quantity = decimalOr(p.quantity);
      const price = decimalOr(p.markPrice) ?? decimalOr(p.entryPrice);
      if (quantity === undefined || price === undefined) continue;
      out.set(p.account, (out.get(p.account) ?? new Decimal(0)).plus(quantity.abs().times(price)));
    }
    return out;
  }

  // The trading state's own figure (the session's equity peak), so the gauge and the risk breaker agree.
  private drawdown(): number {
    return decimalOr(this.read()?.pnl.drawdown)?.toNumber() ?? 0;
  }
}
