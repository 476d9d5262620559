/**
 * The `scored-triggers` strategy's regime multipliers (S3-4) on bundled Coinbase BTC-USD and ETH-USD minutes
 * (2018-04-04…06): each cycle the regime is classified on the reference symbol's bars (src/market/regime.ts) and
 * scales the entries' size and the per-cycle cap, crash proposes no entry, a change is reported once as
 * `regime_changed`; and through the whole trading path, a backtest logs each change once and is byte-for-byte
 * reproducible, and the declared `risk.regime` is applied by the RiskEngine.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Schema } from 'effect';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { ScoredTriggersSection, type ScoredTriggersParams } from '../../src/config/scoredTriggersSection.ts';
import { main } from '../../src/cli/main.ts';
import { dec } from '../../src/domain/money.ts';
import type { BarView, MarketSnapshot, SymbolMarket } from '../../src/market/MarketState.ts';
import { classifyRegime, type RegimeParams } from '../../src/market/regime.ts';
import type { TradeProposal } from '../../src/domain/TradeProposal.ts';
import type { StrategyEvent } from '../../src/strategies/Strategy.ts';
import { regimeCap, scoredTriggersStrategy, type RegimeMultipliers, type ScoredTriggersState } from '../../src/strategies/scoredTriggers/ScoredTriggers.ts';

const MINUTE = 60_000;
const TTL = 60_000;
const M: RegimeMultipliers = { bull: 1.2, chop: 1.0, bear: 0.6, crash: 0.0 };

const load = (file: string): BarView[] =>
  readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => {
    const f = line.split(',');
    return { start: Number(f[1]), open: dec(f[2]!), high: dec(f[3]!), low: dec(f[4]!), close: dec(f[5]!), volume: dec(f[6]!) };
  });
const BTC = load('data/crypto-1m/coinbase_BTCUSD_spot_1m_2018-04-04_2018-04-06.csv');
const ETH = load('data/crypto-1m/coinbase_ETHUSD_spot_1m_2018-04-04_2018-04-05.csv');

/** A 3 % crash threshold: the file's largest 60-minute drop is about 4 %, so every regime shows up. */
const params = (over: Record<string, unknown> = {}, regime: Record<string, unknown> = {}): ScoredTriggersParams =>
  Schema.decodeUnknownSync(ScoredTriggersSection)({ enabled: true, ...over, regime: { referenceSymbol: 'BTCUSD', crashDrawdownFraction: 0.03, ...regime } });
const regimeParams = (p: ScoredTriggersParams): RegimeParams => ({
  smaBars: p.regime.smaBars, slopeBars: p.regime.slopeBars, trendFraction: p.regime.trendFraction, crashBars: p.regime.crashBars, crashDrawdownFraction: p.regime.crashDrawdownFraction,
});

const symbolMarket = (symbol: string, bars: ReadonlyArray<BarView>): SymbolMarket => ({
  symbol, bars, lastPrice: bars.at(-1)?.close, markPrice: undefined, bid: undefined, ask: undefined, bidSize: undefined, askSize: undefined, quoteTs: undefined, lastBarCloseTs: undefined,
});

interface Cycle {
  readonly now: number;
  /** Each symbol's closed bars at this cycle (the runtime's last 500). */
  readonly bars: ReadonlyMap<string, ReadonlyArray<BarView>>;
  readonly proposals: ReadonlyArray<TradeProposal>;
  readonly events: ReadonlyArray<StrategyEvent>;
  readonly state: ScoredTriggersState;
}

/** Replays the feeds minute by minute, time-aligned, the way the runtime's snapshot holds them (the last 500 closed bars). */
const replay = (p: ScoredTriggersParams, feeds: Readonly<Record<string, ReadonlyArray<BarView>>>): Cycle[] => {
  const strategy = scoredTriggersStrategy(p, TTL, M);
  const starts = [...new Set(Object.values(feeds).flatMap((bars) => bars.map((b) => b.start)))].sort((a, b) => a - b);
  const cursor: Record<string, number> = {};
  let state = strategy.init();
  const out: Cycle[] = [];
  for (const start of starts) {
    const bars = new Map<string, ReadonlyArray<BarView>>();
    for (const [symbol, feed] of Object.entries(feeds)) {
      let i = cursor[symbol] ?? 0;
      while (i < feed.length && feed[i]!.start <= start) i++;
      cursor[symbol] = i;
      if (i > 0) bars.set(symbol, feed.slice(Math.max(0, i - 500), i));
    }
    const snapshot: MarketSnapshot = { now: start + MINUTE, symbols: new Map([...bars].map(([s, b]) => [s, symbolMarket(s, b)])) };
    const step = strategy.propose(snapshot, state);
    state = step.state;
    out.push({ now: snapshot.now, bars, proposals: step.proposals, events: step.events ?? [], state });
  }
  return out;
};

/** The regime an independent classification of the reference bars names, or undefined while it cannot. */
const classifiedAt = (c: Cycle, p: ScoredTriggersParams): string | undefined => {
  const r = classifyRegime(c.bars.get('BTCUSD') ?? [], regimeParams(p));
  return r.kind === 'classified' ? r.regime : undefined;
};

describe('S3-4 scored-triggers regime multipliers on bundled Coinbase minutes', () => {
  const p = params();
  const withRegime = replay(p, { BTCUSD: BTC });
  const without = replay(params({}, { enabled: false }), { BTCUSD: BTC });

  it('S3-4 the multiplier of the regime in force changes the proposed size: bull 1.2 ×, chop 1.0 ×, bear 0.6 × notionalFraction', () => {
    const sizes = new Map<string, Set<number>>();
    for (const c of withRegime) {
      for (const q of c.proposals) {
        // The regime in force is the one classified on this very cycle's bars (a change takes effect at once); before
        // the classifier has its 260 bars, chop (1.0).
        expect(classifiedAt(c, p) ?? 'chop').toBe(c.state.regime);
        const set = sizes.get(c.state.regime) ?? new Set<number>();
        set.add(q.notionalFraction);
        sizes.set(c.state.regime, set);
      }
    }
    expect(Object.fromEntries([...sizes].map(([r, s]) => [r, [...s]]))).toEqual({ bull: [0.05 * 1.2], chop: [0.05], bear: [0.05 * 0.6] });
    // With the classifier off, the same bars fire and every entry asks for the configured 5 %.
    const ids = (cs: Cycle[]) => cs.flatMap((c) => c.proposals.map((q) => q.proposalId));
    expect(ids(withRegime)).toEqual(ids(without));
    expect(new Set(without.flatMap((c) => c.proposals.map((q) => q.notionalFraction)))).toEqual(new Set([0.05]));
    // 53 entries over the file: 5 in bull, 39 in chop, 9 in bear, none fired in a crash minute.
    const count = (r: string) => withRegime.filter((c) => c.state.regime === r).reduce((n, c) => n + c.proposals.length, 0);
    expect([count('bull'), count('chop'), count('bear'), count('crash')]).toEqual([5, 39, 9, 0]);
  });

  it('S3-4 crash (0.0) proposes nothing: every real ETH-USD breakout is dropped beside a BTC-USD crash window, kept beside chop', () => {
    // ETH never breaks out while BTC crashes on the same minutes, so each ETH breakout window is paired with a BTC
    // window the classifier reads as crash (and one it reads as chop), both real.
    const fires = replay(params({}, { enabled: false }), { ETHUSD: ETH }).filter((c) => c.proposals.length > 0);
    const crashes = withRegime.filter((c) => classifiedAt(c, p) === 'crash');
    const chop = withRegime.find((c) => classifiedAt(c, p) === 'chop')!;
    expect(fires.length).toBeGreaterThan(5);
    expect(crashes.length).toBeGreaterThan(5);
    const strategy = scoredTriggersStrategy(p, TTL, M);
    const ethEntries = (btc: Cycle, eth: Cycle) => {
      const symbols = new Map([['BTCUSD', symbolMarket('BTCUSD', btc.bars.get('BTCUSD')!)], ['ETHUSD', symbolMarket('ETHUSD', eth.bars.get('ETHUSD')!)]]);
      const step = strategy.propose({ now: eth.now, symbols }, strategy.init());
      return { regime: step.state.regime, entries: step.proposals.filter((q) => q.symbol === 'ETHUSD') };
    };
    fires.forEach((eth, i) => {
      const inCrash = ethEntries(crashes[i % crashes.length]!, eth);
      expect(inCrash).toEqual({ regime: 'crash', entries: [] });
      const inChop = ethEntries(chop, eth);
      expect(inChop.regime).toBe('chop');
      expect(inChop.entries.map((q) => [q.proposalId, q.notionalFraction])).toEqual(eth.proposals.map((q) => [q.proposalId, 0.05]));
    });
    // Over the BTC file itself the crash minutes propose nothing either.
    expect(withRegime.filter((c) => c.state.regime === 'crash').flatMap((c) => c.proposals)).toEqual([]);
  });

  it('S3-4 switching bull → crash makes the next decision propose nothing and reports regime_changed once', () => {
    // Two real windows: one the classifier reads as bull, one as crash; the ETH breakout bar is the same in both.
    const bullAt = withRegime.findIndex((c) => classifiedAt(c, p) === 'bull');
    const crashAt = withRegime.findIndex((c) => classifiedAt(c, p) === 'crash');
    expect(bullAt).toBeGreaterThan(0);
    expect(crashAt).toBeGreaterThan(0);
    const fire = replay(params({}, { enabled: false }), { ETHUSD: ETH }).find((c) => c.proposals.length > 0)!;
    const eth = fire.bars.get('ETHUSD')!;
    const strategy = scoredTriggersStrategy(p, TTL, M);
    const snap = (btc: ReadonlyArray<BarView>, now: number): MarketSnapshot => ({ now, symbols: new Map([['BTCUSD', symbolMarket('BTCUSD', btc)], ['ETHUSD', symbolMarket('ETHUSD', eth)]]) });
    const first = strategy.propose(snap(withRegime[bullAt]!.bars.get('BTCUSD')!, 1), strategy.init());
    expect(first.state.regime).toBe('bull');
    expect(first.proposals.filter((q) => q.symbol === 'ETHUSD').map((q) => q.notionalFraction)).toEqual([0.05 * 1.2]);
    expect(first.events?.map((e) => [e.event, e.fields['from'], e.fields['to'], e.fields['at']])).toEqual([['regime_changed', 'chop', 'bull', 1]]);
    // The same ETH bar, not yet judged (a fresh lastBarStart), now with BTC in a crash.
    const next = strategy.propose(snap(withRegime[crashAt]!.bars.get('BTCUSD')!, 2), { ...first.state, lastBarStart: {} });
    expect(next.state.regime).toBe('crash');
    expect(next.proposals).toEqual([]);
    expect(next.events?.map((e) => [e.event, e.fields['from'], e.fields['to'], e.fields['at'], e.fields['symbol']])).toEqual([['regime_changed', 'bull', 'crash', 2, 'BTCUSD']]);
  });

  it('S3-4 the regime tightens the per-cycle cap (maxTriggersPerCycle and caps.maxTradesPerCycle), never loosens it', () => {
    expect([regimeCap(3, M.bull), regimeCap(3, M.chop), regimeCap(3, M.bear), regimeCap(3, M.crash)]).toEqual([3, 3, 1, 0]);
    expect([regimeCap(5, 0.6), regimeCap(1, 0.6), regimeCap(10, 1.2)]).toEqual([3, 1, 10]);
    // Four symbols fire on one cycle (each the same real ETH breakout bar); BTC's real bars set the regime.
    const fire = replay(params({}, { enabled: false }), { ETHUSD: ETH }).find((c) => c.proposals.length > 0)!;
    const eth = fire.bars.get('ETHUSD')!;
    const entriesIn = (regime: string, over: Record<string, unknown>): number => {
      const at = withRegime.find((c) => classifiedAt(c, p) === regime)!;
      const symbols = new Map<string, SymbolMarket>([['BTCUSD', symbolMarket('BTCUSD', at.bars.get('BTCUSD')!)]]);
      for (const s of ['AAAUSD', 'BBBUSD', 'CCCUSD', 'DDDUSD']) symbols.set(s, symbolMarket(s, eth));
      const strategy = scoredTriggersStrategy(params(over), TTL, M);
      // BTC's own bar may fire too: the cap counts every entry of the cycle.
      return strategy.propose({ now: 1, symbols }, strategy.init()).proposals.length;
    };
    expect(['bull', 'chop', 'bear', 'crash'].map((r) => entriesIn(r, { maxTriggersPerCycle: 3 }))).toEqual([3, 3, 1, 0]);
    // The strategy's own S3-6 trade cap, lower than maxTriggersPerCycle, is the one the regime scales.
    expect(['bull', 'chop', 'bear', 'crash'].map((r) => entriesIn(r, { maxTriggersPerCycle: 10, caps: { maxTradesPerCycle: 4 } }))).toEqual([4, 4, 2, 0]);
  });

  it('S3-4 each regime change is reported once, as it happens; a steady regime reports nothing', () => {
    const events = withRegime.flatMap((c) => c.events.map((e): Readonly<Record<string, unknown>> => ({ ...e.fields, now: c.now, event: e.event })));
    // Independently: the classifier over each cycle's bars, the last classified regime kept while it cannot classify.
    const want: Array<{ from: string; to: string; at: number }> = [];
    let current = 'chop';
    for (const c of withRegime) {
      const r = classifiedAt(c, p);
      if (r !== undefined && r !== current) {
        want.push({ from: current, to: r, at: c.now });
        current = r;
      }
    }
    expect(events.map((e) => ({ from: e['from'], to: e['to'], at: e['at'] }))).toEqual(want);
    expect(events.every((e) => e['event'] === 'regime_changed' && e['at'] === e['now'] && e['from'] !== e['to'])).toBe(true);
    expect(want.length).toBeGreaterThan(10);
    expect(new Set(want.map((w) => w.to))).toEqual(new Set(['bull', 'chop', 'bear', 'crash']));
  });
});

/** The run's log lines (virtual-clock times) under a backtest's output directory. */
const logLines = (out: string): Array<Record<string, unknown>> => {
  const find = (dir: string): string | undefined => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        const found = find(path);
        if (found !== undefined) return found;
      } else if (name === 'tradewarden.log.jsonl') return path;
    }
    return undefined;
  };
  const file = find(out);
  if (file === undefined) throw new Error(`no tradewarden.log.jsonl under ${out}`);
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
};

const CONFIG = 'config/backtests/scored-triggers-btc.yaml';
const backtest = async (config: string): Promise<string> => {
  const out = mkdtempSync(join(tmpdir(), 'tw-st-regime-'));
  const lines: string[] = [];
  const code = await main(['backtest', '--config', config, '--out', out], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
  expect(code, lines.join('\n')).toBe(0);
  return out;
};

describe('S3-4 scored-triggers regimes through a backtest', () => {
  let first: string;
  let second: string;
  beforeAll(async () => {
    first = await backtest(CONFIG);
    second = await backtest(CONFIG);
  }, 120_000);

  it('S3-4 a backtest with scored-triggers is byte-for-byte reproducible (two runs, same report, trades, equity and regime log)', () => {
    for (const f of ['report.json', 'trades.csv', 'equity.csv', 'report.html']) {
      expect(readFileSync(join(second, f)).equals(readFileSync(join(first, f))), f).toBe(true);
    }
    const regimeLines = (out: string) => logLines(out).filter((l) => l['event'] === 'regime_changed').map((l) => JSON.stringify(l));
    expect(regimeLines(second)).toEqual(regimeLines(first));
    const report = JSON.parse(readFileSync(join(first, 'report.json'), 'utf8')) as { metrics: { trades: number } };
    expect(report.metrics.trades).toBeGreaterThan(0);
  });

  it('S3-4 the session logs regime_changed once per change, from/to/at, matching the classifier over the replayed bars', () => {
    const logged = logLines(first).filter((l) => l['event'] === 'regime_changed');
    expect(logged.length).toBeGreaterThan(10);
    // Each line continues the previous one (its from is the previous to), never repeats a regime, and says when.
    let current = 'chop';
    for (const l of logged) {
      expect([l['strategy'], l['from'], l['symbol']]).toEqual(['scored-triggers', current, 'BTCUSD']);
      expect(l['to']).not.toBe(current);
      expect(l['at']).toBe(l['time']);
      expect(l['at'] as number).toBeGreaterThan(l['barStart'] as number);
      current = l['to'] as string;
    }
    // The same changes, bar for bar, as the classifier over the bundled file read one closed bar at a time.
    const cp = params({ notionalFraction: 0.1 });
    const want: Array<[string, string, number]> = [];
    let r = 'chop';
    for (let i = 0; i < BTC.length; i++) {
      const reading = classifyRegime(BTC.slice(Math.max(0, i - 499), i + 1), regimeParams(cp));
      if (reading.kind === 'classified' && reading.regime !== r) {
        want.push([r, reading.regime, BTC[i]!.start]);
        r = reading.regime;
      }
    }
    expect(logged.map((l) => [l['from'], l['to'], l['barStart']])).toEqual(want);
  });

  it('S3-4 the declared risk.regime is applied by the RiskEngine: crash vetoes every entry with zero_size', async () => {
    const raw = parseYaml(readFileSync(CONFIG, 'utf8')) as { strategies: Record<string, { regime: Record<string, unknown> }>; risk: Record<string, unknown> };
    raw.strategies['scored-triggers']!.regime['enabled'] = false;
    raw.risk['regime'] = 'crash';
    const file = join(mkdtempSync(join(tmpdir(), 'tw-st-crash-')), 'crash.yaml');
    writeFileSync(file, stringifyYaml(raw));
    const out = await backtest(file);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { metrics: { trades: number }; run: { proposals: number; vetoes: Record<string, number> } };
    expect(report.metrics.trades).toBe(0);
    // The strategy proposed its 53 entries (the classifier off); the RiskEngine sized each to 0.
    expect(report.run.proposals).toBe(53);
    expect(report.run.vetoes).toEqual({ zero_size: 53 });
    expect(logLines(out).filter((l) => l['event'] === 'regime_changed')).toEqual([]);
  }, 60_000);
});
