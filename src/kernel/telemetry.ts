/**
 * The venue-neutral telemetry port (issue 14, X-OBS-1): the hot paths (decision cycle, REST client, journal commit,
 * connection hosts, execution) report latencies and counts to it; the operations server's `OpsMetrics` turns them
 * into Prometheus metrics. Reporting must be cheap and must never throw into the caller; it decides nothing.
 */

/** The latencies reported, in seconds. */
export type TelemetryLatency = 'decision_cycle' | 'rest_request' | 'journal_append';

/** The counts reported. */
export type TelemetryCount = 'ws_messages' | 'ws_gaps' | 'ws_resyncs' | 'rejects' | 'orders';

/** Where latencies and counts go. Labels are low-cardinality (venue, endpoint path, account, stream, outcome). */
export interface Telemetry {
  observe(metric: TelemetryLatency, seconds: number, labels?: Readonly<Record<string, string>>): void;
  count(metric: TelemetryCount, n?: number, labels?: Readonly<Record<string, string>>): void;
}

/** Telemetry that drops everything (the default of every component that reports). */
export const noTelemetry: Telemetry = {
  observe: () => undefined,
  count: () => undefined,
};
