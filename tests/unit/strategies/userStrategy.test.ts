/**
 * Issue 12 / X-MOD-6: the user-strategy contract (src/strategies/userStrategy.ts) and the registry with user entries —
 * the definition's shape checks, its parameters decoded against its defaults and `validate`, `--strategy`/`--param`
 * applied to it exactly as to a built-in, disabled unless selected, and the wrapper that decodes its proposals under
 * its own id and stops it (never the session) when it throws. Pure: the modules are in-memory objects here; loading
 * from files through the CLI is tests/integration/backtest/userStrategies.test.ts.
 */
import { Either } from 'effect';
import { describe, expect, it } from 'vitest';
import { decodeConfig } from '../../../src/config/load.ts';
import type { AppConfig } from '../../../src/config/schema.ts';
import type { MarketSnapshot } from '../../../src/market/MarketState.ts';
import { enabledStrategies, STRATEGY_REGISTRY, strategyCapsOf, withStrategyOverrides, type StrategyEntry } from '../../../src/strategies/registry.ts';
import { UserStrategyError, userStrategyEntry, type UserStrategyState } from '../../../src/strategies/userStrategy.ts';
import type { Strategy } from '../../../src/strategies/Strategy.ts';

/** The built-in strategies' ids, in registry order. */
const BUILTINS = STRATEGY_REGISTRY.map((e) => e.id);

const FILE = '/strategies/echo.mjs';

/** A user strategy that proposes one buy of `size` on every cycle's first symbol (or throws once `failAt` cycles passed). */
const definition = (over: Record<string, unknown> = {}) => ({
  id: 'echo',
  summary: 'proposes one buy a cycle',
  defaults: { size: 0.1, label: 'x', failAt: 0 },
  validate: (p: { size: number }): string[] => {
    const fits = p.size > 0 && p.size <= 1;
    return fits ? [] : ['size must be in (0, 1], got ' + String(p.size)];
  },
  create: (p: { size: number; failAt: number }) => ({
    init: () => 0,
    propose: (snapshot: MarketSnapshot, n: number) => {
      if (p.failAt > 0 && n + 1 >= p.failAt) throw new Error('indicator blew up');
      const symbol = [...snapshot.symbols.keys()][0]!;
      return { proposals: [{ proposalId: `echo-${n}`, symbol, side: 'buy', instrumentKind: 'spot', notionalFraction: p.size, stopLossFraction: 0.1, takeProfitFraction: 0.1 }], state: n + 1 };
    },
  }),
  ...over,
});

const entryOf = (over: Record<string, unknown> = {}): StrategyEntry => {
  const e = userStrategyEntry(FILE, definition(over));
  if (Either.isLeft(e)) throw e.left;
  return e.right;
};
const problemOf = (exported: unknown): string => {
  const e = userStrategyEntry(FILE, exported);
  if (Either.isRight(e)) throw new Error('expected a problem');
  expect(e.left).toBeInstanceOf(UserStrategyError);
  expect(e.left.message).toContain(FILE);
  return e.left.message;
};

const configOf = (yaml: Record<string, unknown> = {}): AppConfig => {
  const loaded = decodeConfig('test.yaml', yaml);
  if (Either.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right.config;
};
const right = <A>(e: Either.Either<A, string>): A => {
  if (Either.isLeft(e)) throw new Error(e.left);
  return e.right;
};
const left = <A>(e: Either.Either<A, string>): string => {
  if (Either.isRight(e)) throw new Error('expected a problem');
  return e.left;
};

const snapshot = (now: number): MarketSnapshot => ({ now, symbols: new Map([['SPY', { symbol: 'SPY', bars: [], lastPrice: undefined, markPrice: undefined, bid: undefined, ask: undefined, bidSize: undefined, askSize: undefined, quoteTs: undefined, lastBarCloseTs: undefined }]]) });

describe('issue 12 user strategy definitions', () => {
  it('issue 12 refuses a missing or misshapen default export, naming the file and what is wrong', () => {
    expect(problemOf(undefined)).toMatch(/default export is missing/);
    expect(problemOf(definition({ id: 'Bad Id' }))).toMatch(/id must be a lower-case letter/);
    expect(problemOf(definition({ create: undefined }))).toMatch(/create must be a function/);
    expect(problemOf(definition({ defaults: [1] }))).toMatch(/defaults must be a mapping/);
    expect(problemOf(definition({ defaults: { enabled: true } }))).toMatch(/defaults may not name enabled/);
    expect(problemOf(definition({ defaults: { size: 2, label: 'x', failAt: 0 } }))).toMatch(/its defaults fail its own validate: size must be in \(0, 1\], got 2/);
  });

  it('issue 12 decodes a section against the defaults: missing keys defaulted, unknown keys and other types refused, validate judges the whole set', () => {
    const e = entryOf();
    expect(right(e.decode({}))).toEqual({ enabled: false, size: 0.1, label: 'x', failAt: 0 });
    expect(right(e.decode({ enabled: true, size: 0.5, caps: { maxAtRiskFraction: '20%', maxTradesPerCycle: 2 } }))).toEqual({
      enabled: true, caps: { maxAtRiskFraction: 0.2, maxTradesPerCycle: 2 }, size: 0.5, label: 'x', failAt: 0,
    });
    expect(left(e.decode({ sise: 0.5 }))).toMatch(/sise: not a parameter of echo \(its parameters: size, label, failAt\)/);
    expect(left(e.decode({ size: '50%' }))).toMatch(/size: expected a number like its default 0\.1, got "50%"/);
    expect(left(e.decode({ size: 3 }))).toMatch(/size must be in \(0, 1\], got 3/);
    expect(left(e.decode({ caps: { maxAtRiskFraction: 5 } }))).toMatch(/maxAtRiskFraction/);
  });
});

describe('X-MOD-6 issue 12 the registry with user strategies', () => {
  it('X-MOD-6 a newly registered user strategy is disabled by default: skipped (disabled), nothing created; --strategy enables it alone', () => {
    const user = [entryOf()];
    const base = configOf({ strategies: { 'sma-cross': { enabled: true } } });
    const skipped: string[] = [];
    const config = right(withStrategyOverrides(base, { params: [] }, user));
    expect(enabledStrategies(config, (id) => skipped.push(id), user).map((s) => s.id)).toEqual(['sma-cross']);
    expect(skipped).toEqual([...BUILTINS.filter((id) => id !== 'sma-cross'), 'echo']);
    const selected = right(withStrategyOverrides(base, { strategy: 'echo', params: [] }, user));
    skipped.length = 0;
    expect(enabledStrategies(selected, (id) => skipped.push(id), user).map((s) => s.id)).toEqual(['echo']);
    expect(skipped).toEqual(BUILTINS);
  });

  it('issue 12 --param tunes a user strategy through its defaults and validate, caps included; a bad value names the module file', () => {
    const user = [entryOf()];
    const base = configOf({});
    const tuned = right(withStrategyOverrides(base, { strategy: 'echo', params: ['size=0.25', 'caps={maxTradesPerCycle: 1}'] }, user));
    expect((tuned.strategies as Record<string, unknown>)['echo']).toEqual({ enabled: true, caps: { maxTradesPerCycle: 1 }, size: 0.25, label: 'x', failAt: 0 });
    expect([...strategyCapsOf(tuned, user)]).toEqual([['echo', { maxTradesPerCycle: 1 }]]);
    expect(left(withStrategyOverrides(base, { strategy: 'echo', params: ['size=7'] }, user))).toMatch(/^strategy echo \(\/strategies\/echo\.mjs\) parameters: size must be in \(0, 1\], got 7/);
    // A section in the config file is judged the same way once its module is loaded.
    expect(left(withStrategyOverrides(configOf({ strategies: { echo: { enabled: true, size: 'big' } } }), { params: [] }, user))).toMatch(/echo\.mjs\) parameters: size: expected a number/);
  });

  it('issue 12 a strategy section no built-in or loaded module owns is refused (a typo is never silently ignored)', () => {
    const config = configOf({ strategies: { 'sma-crosss': { enabled: true } } });
    expect(left(withStrategyOverrides(config, { params: [] }))).toContain(`strategies.sma-crosss: no strategy has this id (built-in: ${BUILTINS.join(', ')}; no user strategies are loaded`);
    expect(left(withStrategyOverrides(config, { params: [] }, [entryOf()]))).toMatch(/user strategies: echo/);
  });

  it('issue 12 the wrapper decodes proposals under the strategy\'s own id and fills createdAt, ttlMs and conviction from the snapshot and cycle', () => {
    const [s] = enabledStrategies(right(withStrategyOverrides(configOf({}), { strategy: 'echo', params: [] }, [entryOf()])), undefined, [entryOf()]) as [Strategy<unknown>];
    const step = s.propose(snapshot(1_000), s.init());
    expect(step.proposals).toHaveLength(1);
    expect(step.proposals[0]).toMatchObject({ proposalId: 'echo-0', strategyId: 'echo', symbol: 'SPY', createdAt: 1_000, ttlMs: 60_000, conviction: 1, notionalFraction: 0.1 });
    const spoofing = entryOf({
      create: () => ({ init: () => 0, propose: (snap: MarketSnapshot, n: number) => ({ proposals: [{ proposalId: 'x', strategyId: 'sma-cross', symbol: 'SPY', side: 'buy', instrumentKind: 'spot', notionalFraction: 0.1, stopLossFraction: 0.1, takeProfitFraction: 0.1, createdAt: snap.now }], state: n }) }),
    });
    const faults: string[] = [];
    const spoof = spoofing.create({ enabled: true, size: 0.1, label: 'x', failAt: 0 } as never, { ttlMs: 1_000, onFault: (_id, p) => faults.push(p) });
    expect(spoof.propose(snapshot(5), spoof.init()).proposals).toEqual([]);
    expect(faults[0]).toMatch(/strategyId "sma-cross" is not its own id echo/);
  });

  it('issue 12 a user strategy that throws while proposing is stopped for the run (onFault told once, with its file), never the caller', () => {
    const e = entryOf();
    const faults: string[] = [];
    const s = e.create({ enabled: true, size: 0.1, label: 'x', failAt: 3 } as never, { ttlMs: 60_000, onFault: (id, p) => faults.push(`${id}: ${p}`) }) as Strategy<UserStrategyState>;
    let state = s.init();
    const counts: number[] = [];
    for (let t = 1; t <= 5; t++) {
      const step = s.propose(snapshot(t * 60_000), state);
      counts.push(step.proposals.length);
      state = step.state;
    }
    expect(counts).toEqual([1, 1, 0, 0, 0]);
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatch(/^echo: \/strategies\/echo\.mjs: echo\.propose failed at 1970-01-01T00:03:00\.000Z: indicator blew up/);
    expect(() => e.create({ enabled: true } as never, { ttlMs: 1 })).not.toThrow();
    const throwing = entryOf({ create: () => { throw new Error('no data'); } });
    expect(() => throwing.create({ enabled: true } as never, { ttlMs: 1 })).toThrow(/strategy module \/strategies\/echo\.mjs: echo: create\(\) threw: no data/);
  });
});
