/**
 * Issue 12, X-MOD-6 and S3-6 through the built CLI (`dist/main.js`, as users run it; `npm test` builds it first):
 * user strategies loaded from `--strategy-path` (the TypeScript example of examples/strategies, and JavaScript modules
 * written here) run end to end on the bundled SPY data; a loaded strategy that is not selected stays disabled; a
 * strategy sees its own fills and position; one that throws is stopped, not the run; every kind of bad module is
 * exit 2 naming its file; and a strategy section's `caps` downscale or drop its entries with `strategy_cap`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../../src/backtest/report/types.ts';
import { Decimal } from '../../../src/domain/money.ts';
import { openJournal } from '../../../src/journal/Journal.ts';
import { wallClock } from '../../../src/kernel/Clock.ts';
import { STRATEGY_REGISTRY } from '../../../src/strategies/registry.ts';
import { runCli } from '../../support/runCli.ts';

const CONFIG = 'config/backtests/sma-cross-spy.yaml';
const EXAMPLES = 'examples/strategies';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'tw-user-strategies-'));
const filesUnder = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
const fileNamed = (dir: string, suffix: string): string => {
  const f = filesUnder(dir).find((p) => p.endsWith(suffix));
  if (f === undefined) throw new Error(`no ${suffix} under ${dir}`);
  return f;
};
const readReport = (out: string): BacktestReport => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
const readSummary = (out: string): Record<string, unknown> => JSON.parse(readFileSync(fileNamed(join(out, 'session'), 'summary.json'), 'utf8')) as Record<string, unknown>;
const logLines = (out: string): Array<Record<string, unknown>> =>
  readFileSync(fileNamed(join(out, 'session'), 'tradewarden.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
const riskDecisions = (out: string): Array<Record<string, unknown>> => {
  const journal = openJournal({ path: fileNamed(join(out, 'session'), '.sqlite'), clock: wallClock, readonly: true });
  try {
    return [...journal.readEvents({ type: 'RISK_DECISION' })].map((e) => e.payload as Record<string, unknown>);
  } finally {
    journal.close();
  }
};

/** Writes one module (or several) into a fresh directory and returns it. */
const moduleDir = (files: Readonly<Record<string, string>>): string => {
  const dir = tmp();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};

/** A JavaScript strategy: buys once, then exits `holdBars` bars after its snapshot shows its own buy fill and its own position. */
const FILL_ECHO = `export default {
  id: 'fill-echo',
  summary: 'buys once; exits holdBars bars after it sees its own fill',
  defaults: { holdBars: 5 },
  validate: (p) => (p.holdBars >= 1 ? [] : ['holdBars must be at least 1']),
  create: (p, ctx) => ({
    init: () => ({ bought: false, sold: false }),
    propose: (snapshot, state) => {
      const symbol = [...snapshot.symbols.keys()][0];
      const bars = snapshot.symbols.get(symbol).bars;
      const order = (side) => ({ proposalId: ctx.id + '-' + side, symbol, side, instrumentKind: 'spot', notionalFraction: 0.5, stopLossFraction: 0.5, takeProfitFraction: 0.5 });
      if (!state.bought) return bars.length > 0 ? { proposals: [order('buy')], state: { ...state, bought: true } } : { proposals: [], state };
      const fill = (snapshot.feedback?.fills ?? []).find((f) => f.side === 'buy');
      const mine = snapshot.positions?.get(symbol)?.strategyId === ctx.id;
      if (state.sold || fill === undefined || !mine || bars.filter((b) => b.start > fill.ts).length < p.holdBars) return { proposals: [], state };
      return { proposals: [order('sell')], state: { ...state, sold: true } };
    },
  }),
};
`;

describe('issue 12 X-MOD-6 user strategies from --strategy-path, end to end through the built CLI', () => {
  it('issue 12 X-MOD-6 backtest --strategy-path examples/strategies --strategy rsi-reversion runs the TypeScript example on SPY and logs its proposals_count', async () => {
    const out = tmp();
    const r = await runCli(['backtest', '--config', CONFIG, '--strategy-path', EXAMPLES, '--strategy', 'rsi-reversion', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.run['strategies']).toEqual({
      'rsi-reversion': { enabled: true, period: 14, oversold: 30, overbought: 70, notionalFraction: 1, stopLossFraction: 0.2, takeProfitFraction: 0.3, backoffBars: 5 },
    });
    expect(report.trades.length).toBeGreaterThan(5);
    expect(new Set(report.trades.map((t) => t.strategyId))).toEqual(new Set(['rsi-reversion']));
    const summary = readSummary(out);
    const metrics = (summary['strategyMetrics'] as Record<string, { proposals_count: number; fills_count: number }>)['rsi-reversion']!;
    expect(metrics.proposals_count).toBe(report.run['proposals']);
    expect(metrics.proposals_count).toBeGreaterThan(report.trades.length);
    // Every fill of the run was credited to the strategy whose intent it belonged to.
    expect(metrics.fills_count).toBe(summary['fills']);
    const log = logLines(out);
    expect(log.find((l) => l['event'] === 'strategy_metrics' && l['strategy'] === 'rsi-reversion')).toMatchObject({ proposals_count: metrics.proposals_count });
    expect(log.filter((l) => l['msg'] === 'skipped (disabled)').map((l) => l['strategy'])).toEqual(STRATEGY_REGISTRY.map((e) => e.id));
  });

  it('X-MOD-6 a loaded user strategy that is not selected stays disabled: skipped (disabled), zero proposals, and the report is byte-identical to a run without it', async () => {
    const plain = tmp();
    const loaded = tmp();
    const [a, b] = await Promise.all([
      runCli(['backtest', '--config', CONFIG, '--out', plain]),
      runCli(['backtest', '--config', CONFIG, '--strategy-path', EXAMPLES, '--out', loaded]),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(join(loaded, 'report.json'), 'utf8')).toBe(readFileSync(join(plain, 'report.json'), 'utf8'));
    expect(logLines(loaded).filter((l) => l['msg'] === 'skipped (disabled)').map((l) => l['strategy'])).toEqual([...STRATEGY_REGISTRY.map((e) => e.id).filter((id) => id !== 'sma-cross'), 'rsi-reversion']);
    const metrics = readSummary(loaded)['strategyMetrics'] as Record<string, { proposals_count: number }>;
    expect(Object.keys(metrics)).toEqual(['sma-cross']);
    expect(metrics['sma-cross']!.proposals_count).toBeGreaterThan(0);
    expect(logLines(loaded).some((l) => l['event'] === 'strategy_metrics' && l['strategy'] === 'rsi-reversion')).toBe(false);
  });

  it('issue 12 a JavaScript module sees its own fill and its own position in its snapshot and exits on them; --param tunes it', async () => {
    const dir = moduleDir({ 'fill-echo.mjs': FILL_ECHO });
    const out = tmp();
    const r = await runCli(['backtest', '--config', CONFIG, '--from', '2020-01-01', '--to', '2020-04-01', '--strategy-path', dir, '--strategy', 'fill-echo', '--param', 'holdBars=3', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const [trade, ...more] = readReport(out).trades;
    expect(more).toEqual([]);
    expect(trade).toMatchObject({ strategyId: 'fill-echo', reason: 'exit' });
    // Decided on the close of the third bar after the fill, filled at the next open: four trading days later at least.
    expect(trade!.exitTs! - trade!.entryTs).toBeGreaterThanOrEqual(4 * 86_400_000);
    expect((readSummary(out)['strategyMetrics'] as Record<string, unknown>)['fill-echo']).toMatchObject({ proposals_count: 2, approvals_count: 2, fills_count: 2 });
  });

  it('issue 12 a user strategy that throws while proposing is stopped and logged with its file; the backtest completes', async () => {
    const dir = moduleDir({
      'flaky.mjs': `export default { id: 'flaky', summary: 'throws on its third cycle', defaults: {}, create: () => ({ init: () => 0, propose: (s, n) => { if (n === 2) throw new Error('indicator blew up'); return { proposals: [], state: n + 1 }; } }) };
`,
    });
    const out = tmp();
    const r = await runCli(['backtest', '--config', CONFIG, '--from', '2020-01-01', '--to', '2020-02-01', '--strategy-path', dir, '--strategy', 'flaky', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/flaky\.mjs: flaky\.propose failed at 2020-01-0\dT\d\d:00:00\.000Z: indicator blew up/);
    const failed = logLines(out).filter((l) => l['event'] === 'strategy_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ strategy: 'flaky' });
  });

  it('issue 12 bad strategy modules are refused with exit 2 and a message naming the file, never a stack trace', async () => {
    const clash = moduleDir({
      'a.mjs': `export default { id: 'dup', summary: 'one', defaults: {}, create: () => ({ init: () => 0, propose: (s, n) => ({ proposals: [], state: n }) }) };\n`,
      'b.mjs': `export default { id: 'dup', summary: 'two', defaults: {}, create: () => ({ init: () => 0, propose: (s, n) => ({ proposals: [], state: n }) }) };\n`,
    });
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<string>, RegExp]> = [
      ['syntax error', ['--strategy-path', moduleDir({ 'broken.ts': 'export default { id: "x",, };\n' })], /broken\.ts: cannot be loaded: SyntaxError/],
      ['no default export', ['--strategy-path', moduleDir({ 'named.mjs': 'export const strategy = {};\n' })], /named\.mjs: the default export is missing/],
      ['wrong shape', ['--strategy-path', moduleDir({ 'shape.js': `export default { id: 'shape', summary: 's', defaults: {} };\n` })], /shape\.js: shape: create must be a function/],
      ['id of a built-in', ['--strategy-path', moduleDir({ 'mine.mjs': `export default { id: 'sma-cross', summary: 's', defaults: {}, create: () => ({}) };\n` })], /mine\.mjs: id sma-cross is a built-in strategy's/],
      ['two modules, one id', ['--strategy-path', clash], /b\.mjs: id dup is already defined by .*a\.mjs/],
      ['defaults failing validate', ['--strategy-path', moduleDir({ 'v.mjs': `export default { id: 'v', summary: 's', defaults: { n: 0 }, validate: (p) => (p.n > 0 ? [] : ['n must be positive']), create: () => ({}) };\n` })], /v\.mjs: v: its defaults fail its own validate: n must be positive/],
      ['--param failing validate', ['--strategy-path', EXAMPLES, '--strategy', 'rsi-reversion', '--param', 'period=1'], /rsi-reversion\.ts\) parameters: period must be an integer in \[2, 500\], got 1/],
      ['unknown parameter', ['--strategy-path', EXAMPLES, '--strategy', 'rsi-reversion', '--param', 'periodd=5'], /rsi-reversion\.ts\) parameters: periodd: not a parameter of rsi-reversion/],
      ['create that throws', ['--strategy-path', moduleDir({ 'boom.mjs': `export default { id: 'boom', summary: 's', defaults: {}, create: () => { throw new Error('no model file'); } };\n` }), '--strategy', 'boom'], /boom\.mjs: boom: create\(\) threw: no model file/],
      ['missing directory', ['--strategy-path', join(tmp(), 'nope')], /nope: no such directory/],
      ['empty directory', ['--strategy-path', moduleDir({ 'README.md': 'no modules here\n' })], /the directory holds no \.ts, \.js or \.mjs module/],
    ];
    const runs = await Promise.all(cases.map(([, args]) => runCli(['backtest', '--config', CONFIG, ...args, '--out', tmp()])));
    runs.forEach((r, i) => {
      const [name, , message] = cases[i]!;
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr, name).not.toMatch(/\n\s+at /);
    });
  });

  it('issue 12 run and check take --strategy-path too; check judges user strategy sections of a config with strategyPath', async () => {
    const dir = tmp();
    const broken = moduleDir({ 'broken.mjs': 'export default {\n' });
    let n = 0;
    const config = (strategies: string): string => {
      const file = join(dir, `c${++n}.yaml`);
      // The demo config (check passes it) with a strategyPath and the user strategy's section added.
      writeFileSync(file, readFileSync('config/default.yaml', 'utf8').replace(/^strategies:\n/m, `strategyPath: ${EXAMPLES}\nstrategies:\n${strategies}`));
      return file;
    };
    mkdirSync(join(dir, 'data'));
    const [run, ok, bad, stray] = await Promise.all([
      runCli(['run', '--config', CONFIG, '--data-dir', join(dir, 'data'), '--strategy-path', broken]),
      runCli(['check', '--config', config('  rsi-reversion: { enabled: true, period: 7 }\n')]),
      runCli(['check', '--config', config('  rsi-reversion: { enabled: true, period: "7" }\n')]),
      runCli(['check', '--config', config('  rsi-reversal: { enabled: true }\n')]),
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/broken\.mjs: cannot be loaded: SyntaxError/);
    expect(ok.code, ok.stderr).toBe(0);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rsi-reversion\.ts\) parameters: period: expected a number like its default 14, got "7"/);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/strategies\.rsi-reversal: no strategy has this id .*user strategies: rsi-reversion/);
  });
});

describe('S3-6 a strategy section\'s own caps, end to end', () => {
  it('S3-6 caps.maxAtRiskFraction 50 % downscales every all-in entry of sma-cross to half of NAV (quantised to the step), journaled with strategy_cap', async () => {
    const out = tmp();
    const r = await runCli(['backtest', '--config', CONFIG, '--param', 'caps={maxAtRiskFraction: 50%}', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = readReport(out);
    expect((report.run['strategies'] as Record<string, { caps: unknown }>)['sma-cross']!.caps).toEqual({ maxAtRiskFraction: 0.5 });
    const first = report.trades[0]!;
    const notional = new Decimal(first.quantity).times(first.entryPrice);
    expect(notional.lte(50_000)).toBe(true);
    expect(notional.plus(new Decimal('0.0001').times(first.entryPrice)).gt(50_000)).toBe(true);
    const entries = riskDecisions(out).filter((p) => p['kind'] === 'approve' && (p['order'] as { intent: string }).intent === 'entry');
    expect(entries.length).toBe(report.trades.length);
    for (const e of entries) expect(e['strategyCap']).toMatchObject({ reason: 'strategy_cap', cap_type: 'strategy_at_risk', limit: '0.5', requested_notional_fraction: '1' });
    expect((readSummary(out)['strategyMetrics'] as Record<string, { downscaled_count: number }>)['sma-cross']!.downscaled_count).toBe(entries.length);
  });

  it('S3-6 caps.maxTradesPerCycle 0 drops every entry with strategy_cap before the RiskEngine: journaled and counted as vetoes, no trade', async () => {
    const out = tmp();
    const r = await runCli(['backtest', '--config', CONFIG, '--param', 'caps={maxTradesPerCycle: 0}', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const report = readReport(out);
    expect(report.trades).toEqual([]);
    expect(report.run['vetoes']).toEqual({ strategy_cap: report.run['proposals'] });
    const vetoes = riskDecisions(out);
    expect(vetoes.length).toBe(report.run['proposals']);
    expect(new Set(vetoes.map((v) => `${String(v['kind'])} ${String(v['rule'])} ${String(v['veto_reason'])} ${String(v['cap_type'])}`))).toEqual(new Set(['veto strategyCaps strategy_cap strategy_trades_per_cycle']));
  });
});
