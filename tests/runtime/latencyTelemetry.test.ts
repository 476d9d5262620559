/**
 * Issue 17 item 6 (X-OBS-2, S0-22): latency telemetry in the product. The fixed-bucket histogram (Prometheus shape),
 * the telemetry's timing of place → ack, ack → fill and gap → resynced on its own clock, and the run summary of real
 * sessions: a loopback run over the Bybit wire protocol carries place → ack figures in summary.json and in its last
 * log line, a sequence gap induced on the façade is timed until the stream is live again, and a virtual-clock run's
 * figures are virtual-clock figures (deterministic like the rest of its summary).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { runSession, type SessionResult } from '../../src/app/session.ts';
import { loadConfigFile } from '../../src/config/load.ts';
import type { AppConfig } from '../../src/config/schema.ts';
import { VirtualClock } from '../../src/kernel/Clock.ts';
import { Histogram, LATENCY_BUCKETS_MS, type HistogramSummary } from '../../src/kernel/histogram.ts';
import { LatencyTelemetry, type LatencySummary } from '../../src/runtime/LatencyTelemetry.ts';

const configOf = (file: string): { readonly config: AppConfig; readonly hash: string } => {
  const loaded = loadConfigFile(file);
  if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right;
};

const session = async (file: string, over: (c: AppConfig) => AppConfig, barLimit: number): Promise<SessionResult> => {
  const { config, hash } = configOf(file);
  const dataDir = mkdtempSync(join(tmpdir(), 'tw-latency-'));
  return runSession({ config: over(config), configHash: hash, dataDir, version: 'test', commit: null, progress: () => undefined, barLimit, maxWallMs: 60_000 });
};

const latencyOf = (summary: Record<string, unknown>): LatencySummary => summary['latency'] as LatencySummary;

/** A histogram summary that is internally consistent: ordered quantiles, none above the maximum. */
const expectOrdered = (h: HistogramSummary): void => {
  expect(h.p50).not.toBeNull();
  expect(h.p50!).toBeLessThanOrEqual(h.p90!);
  expect(h.p90!).toBeLessThanOrEqual(h.p99!);
  expect(h.p99!).toBeLessThanOrEqual(h.max!);
};

describe('issue 17 X-OBS-2 latency histograms', () => {
  it('issue 17 X-OBS-2 the histogram keeps Prometheus buckets (cumulative, +Inf last, sum, count) and estimates quantiles inside the bucket', () => {
    const h = new Histogram([1, 2, 5, 10]);
    expect(h.summary()).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
    for (const v of [0.5, 1.5, 1.5, 3, 4, 7, 50, -2, Number.NaN]) h.observe(v);
    // -2 counts as 0; NaN is ignored.
    expect(h.count()).toBe(8);
    expect(h.sum()).toBeCloseTo(67.5, 9);
    expect(h.cumulative()).toEqual([
      { le: 1, count: 2 }, { le: 2, count: 4 }, { le: 5, count: 6 }, { le: 10, count: 7 }, { le: Number.POSITIVE_INFINITY, count: 8 },
    ]);
    // Rank 4 of 8 is the last value of the (1, 2] bucket: its upper bound; rank 7.92 falls in +Inf: the largest value.
    expect(h.quantile(0.5)).toBe(2);
    expect(h.quantile(0.99)).toBe(50);
    // Linear inside (2, 5]: rank 5 is the first of its two values.
    expect(h.quantile(0.625)).toBeCloseTo(3.5, 9);
    expect(h.summary()).toEqual({ count: 8, p50: 2, p90: 50, p99: 50, max: 50 });
    // Never below the smallest value seen.
    const one = new Histogram([1, 2, 5]);
    one.observe(4.2);
    expect(one.summary()).toEqual({ count: 1, p50: 4.2, p90: 4.2, p99: 4.2, max: 4.2 });
    expect(() => new Histogram([2, 1])).toThrow(RangeError);
    expect(LATENCY_BUCKETS_MS.length).toBe(39);
  });

  it('issue 17 X-OBS-2 the telemetry times place → ack, ack → fill (a fill before its ack counts 0) and gap → resynced on its own clock', () => {
    const clock = new VirtualClock(1_000);
    const t = new LatencyTelemetry(clock);
    const at = (ms: number): void => clock.advanceTo(ms);
    t.orderSent('a');
    at(1_004);
    t.orderAcked('a');
    at(1_030);
    t.orderFilled('a');
    t.orderFilled('a'); // a second fill of the order is not a second ack → fill
    // A market order whose fill the stream delivered before the REST ack.
    t.orderSent('b');
    at(1_032);
    t.orderFilled('b');
    at(1_040);
    t.orderAcked('b');
    // Rejected, and acked then cancelled: neither is timed past what happened.
    t.orderSent('c');
    t.orderFailed('c');
    t.orderAcked('c');
    t.orderSent('d');
    t.orderAcked('d');
    t.orderClosed('d');
    t.orderFilled('d');
    // Unknown ids (recovery's fills of orders this process never sent) change nothing.
    t.orderFilled('zzz');
    // A gap, a second gap while resyncing, live: one sample from the first gap. Live without a gap is no sample.
    t.streamLive('pub');
    t.streamGap('pub');
    at(1_100);
    t.streamGap('pub');
    at(1_250);
    t.streamLive('pub');
    t.streamLive('pub');
    // A gap on a stream that stops before it resyncs is not a latency.
    t.streamGap('priv');
    t.streamStopped('priv');
    t.streamLive('priv');
    const s = t.summary();
    // place → ack: a 4 ms, b 10 ms (its early fill does not shorten it), d 0 ms.
    expect(s.placeToAckMs).toMatchObject({ count: 3, max: 10 });
    // ack → fill: a 26 ms, b 0; the 0 sits in the first bucket (0, 0.1], whose estimate is its upper bound.
    expect(s.ackToFillMs).toEqual({ count: 2, p50: 0.1, p90: 26, p99: 26, max: 26 });
    expect(s.gapToResyncedMs).toEqual({ count: 1, p50: 210, p90: 210, p99: 210, max: 210 });
    const h = t.histograms();
    expect(Object.keys(h)).toEqual(['place_to_ack_ms', 'ack_to_fill_ms', 'gap_to_resynced_ms']);
    expect(h.place_to_ack_ms.sum()).toBe(4 + 10 + 0);
  });

  it("issue 17 X-OBS-2 S0-22 a loopback run's summary carries non-empty place → ack histograms with plausible figures, in summary.json and the last log line", async () => {
    const result = await session('config/paper-loopback.yaml', (c) => c, 60);
    const s = result.summary;
    expect(s['venue']).toBe('bybit-sim-loopback');
    const latency = latencyOf(s);
    expect(Object.keys(latency)).toEqual(['placeToAckMs', 'ackToFillMs', 'gapToResyncedMs']);
    const placeToAck = latency.placeToAckMs;
    // Every order the runtime sent and the venue acknowledged is one sample.
    expect(s['ordersSent'] as number).toBeGreaterThan(0);
    expect(placeToAck.count).toBeGreaterThan(0);
    expect(placeToAck.count).toBeLessThanOrEqual(s['ordersSent'] as number);
    expectOrdered(placeToAck);
    // Plausible for a REST round trip on loopback, in wall milliseconds (not the ×600 venue clock): above zero,
    // below the adapter's request timeout.
    expect(placeToAck.p50!).toBeGreaterThan(0);
    expect(placeToAck.max!).toBeLessThan(10_000);
    // Nothing was induced: no gap was timed.
    expect(latency.gapToResyncedMs).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null });
    // The same figures in summary.json and in the run's last log line.
    expect((JSON.parse(readFileSync(join(result.runDir, 'summary.json'), 'utf8')) as Record<string, unknown>)['latency']).toEqual(latency);
    const lines = readFileSync(join(result.runDir, 'tradewarden.log.jsonl'), 'utf8').trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
    expect(last['msg']).toBe('run_finished');
    expect(last['latency']).toEqual(latency);
  }, 90_000);

  it('issue 17 X-OBS-2 a sequence gap induced on the façade produces a gap → resynced sample', async () => {
    // The façade drops about one orderbook delta in fifty: each loss is seen at the next delta, the stream resyncs
    // from a REST snapshot and is live again.
    const result = await session('config/paper-loopback.yaml', (c) => ({ ...c, sim: { ...c.sim, faults: 'gap:0.02' } }), 40);
    const counters = result.summary['simCounters'] as Record<string, number>;
    expect(counters['gapsInjected']).toBeGreaterThan(0);
    const gaps = latencyOf(result.summary).gapToResyncedMs;
    expect(gaps.count).toBeGreaterThan(0);
    expect(gaps.count).toBeLessThanOrEqual(counters['gapsInjected']!);
    expectOrdered(gaps);
    expect(gaps.p50!).toBeGreaterThan(0);
    // A loopback resync (one REST snapshot) takes wall milliseconds, far below the stale watchdog's minute.
    expect(gaps.max!).toBeLessThan(30_000);
  }, 90_000);

  it('issue 17 X-OBS-2 a virtual-clock run reports virtual-clock latencies: orders acknowledged in no virtual time, no streams', async () => {
    const a = await session('config/default.yaml', (c) => c, 400);
    const b = await session('config/default.yaml', (c) => c, 400);
    const latency = latencyOf(a.summary);
    expect(latency.placeToAckMs.count).toBeGreaterThan(0);
    // The in-process simulator answers within the same virtual instant.
    expect(latency.placeToAckMs.max).toBe(0);
    expect(latency.gapToResyncedMs.count).toBe(0);
    expect(latencyOf(b.summary)).toEqual(latency);
  }, 90_000);
});
