/**
 * `GET /metrics` and the telemetry behind it (X-OBS-1, issue 14 item 3): Prometheus text that a text-format parser
 * reads, every `tradewarden_` metric with its type, the status figures read at scrape time (so a change shows at the
 * next scrape, no drift), the process and event-loop metrics, and the hot paths that report to it — the journal's
 * commits, the decision loop's cycles and the Bybit REST client's round trips — each with its real component.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Effect, Redacted } from 'effect';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/journal/Journal.ts';
import { VirtualClock, wallClock } from '../../src/kernel/Clock.ts';
import { virtualScheduler } from '../../src/kernel/Scheduler.ts';
import { makeRiskEngine } from '../../src/risk/RiskEngine.ts';
import { DecisionLoop, type DecisionTarget } from '../../src/runtime/DecisionLoop.ts';
import { OpsMetrics, TRADEWARDEN_METRICS } from '../../src/server/OpsMetrics.ts';
import { decodeBybitConfig } from '../../src/venues/bybit/BybitConfig.ts';
import { BybitHttpClient } from '../../src/venues/bybit/http/BybitHttpClient.ts';
import { config as riskConfig, NOW } from '../risk/fixtures.ts';
import { KEY, SECRET, startSimHarness } from '../venues/bybit/simHarness.ts';
import { call, opsFixture, startTestServer, TOKEN, type OpsFixture, type TestServer } from './opsFixture.ts';

type Family = parsePrometheus.MetricFamily;
type Sample = parsePrometheus.Sample;
type HistogramSample = parsePrometheus.HistogramSample;

const families = async (metrics: OpsMetrics): Promise<Map<string, Family>> => new Map(parsePrometheus(await metrics.text()).map((f) => [f.name, f]));
const sample = (f: Family | undefined, labels: Record<string, string> = {}): Sample | undefined =>
  f?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)) as Sample | undefined;
const histogram = (f: Family | undefined, labels: Record<string, string> = {}): HistogramSample | undefined => sample(f, labels) as HistogramSample | undefined;
/**
 * A labelled histogram's `_count` and `_sum`, read from the registry: the text parser folds every series of a
 * histogram into one and drops their labels (parse-prometheus-text-format 1.1.1), so it cannot tell series apart.
 */
const series = async (metrics: OpsMetrics, name: string, labels: Record<string, string>): Promise<{ count: number | undefined; sum: number | undefined }> => {
  const values = (await metrics.registry.getSingleMetric(name)!.get()).values;
  const of = (suffix: string): number | undefined =>
    values.find((v) => (v as { metricName?: string }).metricName === `${name}${suffix}` && Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
  return { count: of('_count'), sum: of('_sum') };
};

let fixture: OpsFixture | undefined;
let running: TestServer | undefined;
afterEach(async () => {
  await running?.server.close();
  fixture?.close();
  running = undefined;
  fixture = undefined;
});

describe('GET /metrics', () => {
  it('X-OBS-1 answers Prometheus text 0.0.4 that parses, with every tradewarden metric, the process metrics and event-loop lag', async () => {
    fixture = opsFixture();
    running = await startTestServer(fixture);
    const res = await call(`${running.url}/metrics`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = new Map(parsePrometheus(res.text).map((f) => [f.name, f]));
    for (const name of TRADEWARDEN_METRICS) expect(parsed.has(name), name).toBe(true);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) expect(parsed.has(name), name).toBe(true);
    const types = Object.fromEntries(TRADEWARDEN_METRICS.map((n) => [n, parsed.get(n)!.type]));
    expect(types).toEqual({
      tradewarden_decision_cycle_seconds: 'HISTOGRAM', tradewarden_rest_request_seconds: 'HISTOGRAM', tradewarden_journal_append_seconds: 'HISTOGRAM',
      tradewarden_ws_messages_total: 'COUNTER', tradewarden_ws_gaps_total: 'COUNTER', tradewarden_ws_resyncs_total: 'COUNTER', tradewarden_vetoes_total: 'COUNTER',
      tradewarden_orders_total: 'COUNTER', tradewarden_fills_total: 'COUNTER', tradewarden_rejects_total: 'COUNTER', tradewarden_exposure_notional: 'GAUGE',
      tradewarden_drawdown_ratio: 'GAUGE', tradewarden_trading_on: 'GAUGE', tradewarden_kill_switch_engaged: 'GAUGE',
    });
  });

  it('X-OBS-1 reads vetoes, orders sent, fills, trading on, the kill switch, exposure and drawdown from the status at each scrape', async () => {
    fixture = opsFixture();
    running = await startTestServer(fixture);
    const first = await families(running.metrics);
    expect(sample(first.get('tradewarden_vetoes_total'), { reason: 'stale_quote' })?.value).toBe('3');
    expect(sample(first.get('tradewarden_vetoes_total'), { reason: 'max_exposure' })?.value).toBe('1');
    expect(sample(first.get('tradewarden_orders_total'), { outcome: 'sent' })?.value).toBe('7');
    expect(sample(first.get('tradewarden_fills_total'))?.value).toBe('5');
    expect(sample(first.get('tradewarden_trading_on'))?.value).toBe('1');
    expect(sample(first.get('tradewarden_kill_switch_engaged'))?.value).toBe('0');
    // 0.010 × 61000.5 (the mark, not the entry price).
    expect(Number(sample(first.get('tradewarden_exposure_notional'), { account: 'main' })?.value)).toBeCloseTo(610.005, 9);
    expect(sample(first.get('tradewarden_drawdown_ratio'))?.value).toBe('0');

    await call(`${running.url}/control/kill`, { token: TOKEN, json: { reason: 'metrics' } });
    const s = fixture.state.status;
    fixture.state.status = { ...s, vetoes: { ...s.vetoes, stale_quote: 4 }, counters: { ...s.counters, fills: 6 }, pnl: { ...s.pnl, equity: '9225.45', drawdown: '0.1' }, positions: [] };
    const second = await families(running.metrics);
    expect(sample(second.get('tradewarden_trading_on'))?.value).toBe('0');
    expect(sample(second.get('tradewarden_kill_switch_engaged'))?.value).toBe('1');
    expect(sample(second.get('tradewarden_vetoes_total'), { reason: 'stale_quote' })?.value).toBe('4');
    expect(sample(second.get('tradewarden_fills_total'))?.value).toBe('6');
    expect(sample(second.get('tradewarden_exposure_notional'), { account: 'main' })?.value).toBe('0');
    expect(sample(second.get('tradewarden_drawdown_ratio'))?.value).toBe('0.1');
  });

  it('X-OBS-1 keeps what the telemetry port reports, under the declared labels only, and ignores unusable figures', async () => {
    const metrics = new OpsMetrics({ defaultMetrics: false });
    metrics.count('ws_messages', 3, { account: 'main', stream: 'public' });
    metrics.count('ws_messages', 1, { account: 'main', stream: 'private', extra: 'dropped' });
    metrics.count('ws_gaps');
    metrics.count('ws_resyncs', 2);
    metrics.count('rejects');
    metrics.count('orders', 1, { outcome: 'acked' });
    metrics.count('orders', 2, { outcome: 'acked' });
    metrics.count('ws_gaps', Number.NaN);
    metrics.count('ws_gaps', -1);
    metrics.observe('decision_cycle', 0.004);
    metrics.observe('decision_cycle', Number.POSITIVE_INFINITY);
    metrics.observe('rest_request', 0.02, { venue: 'bybit', endpoint: '/v5/order/create' });
    const f = await families(metrics);
    expect(sample(f.get('tradewarden_ws_messages_total'), { stream: 'public' })?.value).toBe('3');
    expect(sample(f.get('tradewarden_ws_messages_total'), { stream: 'private' })?.labels).toEqual({ account: 'main', stream: 'private' });
    expect(sample(f.get('tradewarden_ws_gaps_total'))?.value).toBe('1');
    expect(sample(f.get('tradewarden_ws_resyncs_total'))?.value).toBe('2');
    expect(sample(f.get('tradewarden_rejects_total'))?.value).toBe('1');
    expect(sample(f.get('tradewarden_orders_total'), { outcome: 'acked' })?.value).toBe('3');
    expect(histogram(f.get('tradewarden_decision_cycle_seconds'))).toMatchObject({ count: '1', sum: '0.004' });
    expect(f.has('tradewarden_rest_request_seconds')).toBe(true);
    expect(await series(metrics, 'tradewarden_rest_request_seconds', { venue: 'bybit', endpoint: '/v5/order/create' })).toEqual({ count: 1, sum: 0.02 });
  });
});

describe('hot paths reporting to the telemetry port', () => {
  it('X-OBS-1 the journal reports one journal_append per committed write transaction', async () => {
    const metrics = new OpsMetrics({ defaultMetrics: false });
    const journal = openJournal({ path: join(mkdtempSync(join(tmpdir(), 'tw-jt-')), 'j.sqlite'), clock: wallClock, telemetry: metrics });
    try {
      const entry = { action: 'resume', who: 'cli', reason: 'x' } as const;
      journal.append('operator', 'OPERATOR_CONTROL', entry);
      journal.append('operator', 'OPERATOR_CONTROL', entry);
      journal.transaction(() => {
        for (let i = 0; i < 3; i++) journal.append('operator', 'OPERATOR_CONTROL', entry);
      });
      expect(() => journal.transaction(() => {
        journal.append('operator', 'OPERATOR_CONTROL', entry);
        throw new Error('rolled back');
      })).toThrow('rolled back');
    } finally {
      journal.close();
    }
    expect(histogram((await families(metrics)).get('tradewarden_journal_append_seconds'))?.count).toBe('3');
  });

  it('X-OBS-1 the decision loop times each cycle that ran on its latency clock, and none while no account is ready', async () => {
    const metrics = new OpsMetrics({ defaultMetrics: false });
    let precise = 0;
    let ready = false;
    const target: DecisionTarget = {
      symbols: ['BTCUSDT'], ready: () => ready, beforeCycle: () => Promise.resolve(),
      snapshot: (now) => ({ now, symbols: new Map() }),
      views: () => { throw new Error('no proposals, no views'); },
      decide: () => undefined,
    };
    const loop = new DecisionLoop({
      scheduler: virtualScheduler(new VirtualClock(NOW)), random: () => 0, cycleMs: 60_000, jitterFraction: 0, risk: makeRiskEngine(riskConfig()), targets: [target],
      track: () => undefined, trigger: 'bar_close', telemetry: metrics, latencyClock: { now: () => precise },
      // The strategy's work is what the cycle's time is made of: 2.5 ms of the latency clock.
      strategies: [{ id: 'idle', init: () => 0, selfCheck: () => [], propose: (_s, state) => { precise += 2.5; return { proposals: [], state }; } }],
    });
    loop.start();
    loop.runCycle();
    expect(histogram((await families(metrics)).get('tradewarden_decision_cycle_seconds'))?.count).toBe('0');
    ready = true;
    loop.runCycle();
    loop.runCycle();
    expect(histogram((await families(metrics)).get('tradewarden_decision_cycle_seconds'))).toMatchObject({ count: '2', sum: '0.005' });
  });

  it('X-OBS-1 the Bybit REST client reports each round trip with its venue and endpoint path', async () => {
    const harness = await startSimHarness();
    const metrics = new OpsMetrics({ defaultMetrics: false });
    const client = new BybitHttpClient(
      decodeBybitConfig({ environment: 'sim', baseUrl: harness.server.url, wsPublicUrl: harness.server.wsPublicUrl, wsPrivateUrl: harness.server.wsPrivateUrl, apiKey: Redacted.make(KEY), apiSecret: Redacted.make(SECRET) }),
      { clock: harness.clock, telemetry: metrics },
    );
    try {
      await Effect.runPromise(client.serverTime());
      await Effect.runPromise(client.serverTime());
    } finally {
      await client.close();
      await harness.close();
    }
    const h = await series(metrics, 'tradewarden_rest_request_seconds', { venue: 'bybit', endpoint: '/v5/market/time' });
    expect(h.count).toBe(2);
    expect(h.sum).toBeGreaterThan(0);
    expect(h.sum).toBeLessThan(10);
  });
});
