/**
 * `tradewarden check` on backtest configs (X-BT-6, X-SEC-8): a config that names backtest data files is judged as
 * `backtest` runs it — its data files load, every traded symbol has one, each is listable or declared under
 * backtest.instruments — not as a paper session (which would ask for simulator feeds it does not need). Every
 * committed config/backtests/ file passes; broken ones are refused with exit 2 and the path of the problem.
 */
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../../support/runCli.ts';

const CONFIGS = readdirSync('config/backtests').filter((f) => f.endsWith('.yaml')).map((f) => join('config/backtests', f));

/** Writes a variant of a committed config (text replaced) to a temporary file. */
const variant = (from: string, replace: ReadonlyArray<readonly [string, string]>): string => {
  let text = readFileSync(from, 'utf8');
  for (const [a, b] of replace) {
    if (!text.includes(a)) throw new Error(`${from} does not contain ${a}`);
    text = text.replace(a, b);
  }
  const file = join(mkdtempSync(join(tmpdir(), 'tw-check-bt-')), 'c.yaml');
  writeFileSync(file, text);
  return file;
};

describe('X-BT-6 X-SEC-8 check judges a backtest config as a backtest', () => {
  it.each(CONFIGS)('X-BT-6 %s passes check as a backtest config (exit 0)', async (file) => {
    const r = await runMain(['check', '--config', file]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`config ok: ${file} (backtest,`);
  });

  it('X-BT-6 X-SEC-8 a missing data file, a traded symbol without data and an unlisted symbol are refused with exit 2 and their paths', async () => {
    const missing = await runMain(['check', '--config', variant('config/backtests/sma-cross-spy.yaml', [['file: data/', 'file: data/no-such-dir/']])]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/backtest\.data: .*no-such-dir/);

    const noData = await runMain(['check', '--config', variant('config/backtests/opening-range-spy.yaml', [['symbols: [SPY]', 'symbols: [SPY, IBM]']])]);
    expect(noData.code).toBe(2);
    expect(noData.err).toContain('venues.main.symbols.1: backtest.data has no file for IBM');

    const unlisted = await runMain(['check', '--config', variant('config/backtests/opening-range-spy.yaml', [['- { symbol: SPY, tickSize: "0.01", quantityStep: "0.0001" }', '[]']])]);
    expect(unlisted.code).toBe(2);
    expect(unlisted.err).toContain('venues.main.symbols.0: the ');
    expect(unlisted.err).toContain('cannot list SPY: declare it under backtest.instruments');
  });

  it('X-SEC-8 a paper config without backtest data is still judged as a paper session', async () => {
    const r = await runMain(['check', '--config', 'config/default.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('(backtest,');
  });
});
