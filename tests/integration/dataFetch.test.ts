/**
 * Issue 12: `tradewarden data fetch` end to end, in-process through the real CLI (`main`, as the backtest command's
 * test does): a config whose venue account points at the simulator's Bybit façade on loopback, the real adapter, the
 * CSV written atomically and read back bar for bar by the backtester's reader (and the simulator's strict one), the
 * gaps printed, and every refusal a readable line with its exit code (2 usage, 4 venue unavailable).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOhlcvCsv } from '../../src/backtest/data/ohlcv.ts';
import { resample } from '../../src/backtest/data/resample.ts';
import { main } from '../../src/cli/main.ts';
import { loadBarsCsv, type Bar } from '../../src/venues/sim/replay/index.ts';
import { DAY, MINUTE, startHistoryFacade, type HistoryFacade } from '../support/historyFacade.ts';

const cli = async (args: ReadonlyArray<string>): Promise<{ readonly code: number; readonly out: string; readonly err: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['data', ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

const row = (b: Bar): readonly [number, string, string, string, string, string] => [b.start, b.open.toString(), b.high.toString(), b.low.toString(), b.close.toString(), b.volume.toString()];

/** A config with one venue account `hist` on the simulator at `simUrl` ('' = the in-process simulator). */
const writeConfig = (dir: string, simUrl: string): string => {
  const file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    [
      'profile: demo',
      'mode: PAPER',
      'botId: tw',
      'venues:',
      '  hist:',
      '    kind: bybit',
      '    environment: sim',
      `    simUrl: "${simUrl}"`,
      '    symbols: [ADAUSDT]',
      '',
    ].join('\n'),
  );
  return file;
};

/** A loopback port nothing listens on (bound, then closed). */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

describe('X-BT-5 issue 12 tradewarden data fetch', () => {
  let h: HistoryFacade;
  let dir: string;
  let config: string;
  const fetchArgs = (out: string, extra: ReadonlyArray<string> = []): string[] => [
    'fetch', '--config', config, '--venue', 'hist', '--symbol', 'ADAUSDT', '--timeframe', '1m', '--from', '2022-12-13', '--to', '2022-12-14', '--out', out, ...extra,
  ];
  beforeAll(async () => {
    h = await startHistoryFacade();
    dir = mkdtempSync(join(tmpdir(), 'tw-data-fetch-'));
    config = writeConfig(dir, h.server.url);
  });
  afterAll(async () => {
    await h.close();
  });

  it('X-BT-5 writes a CSV that loadOhlcvCsv (and the simulator\'s loader) reads back bar for bar, and prints the bars and the gaps', async () => {
    const out = join(dir, 'out', 'bybit_ADAUSDT_perp_1m_2022-12-13.csv');
    const r = await cli(fetchArgs(out));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('data fetch: 1434 1m bars of ADAUSDT from Bybit v5 linear simulator at http://127.0.0.1:');
    expect(r.out).toContain('2022-12-13T00:00:00Z to 2022-12-13T23:59:00Z');
    expect(r.out).toContain(`written: ${out}`);
    // ADA_REMOVED: 01:40–01:44 and 11:40.
    expect(r.out).toContain('gaps: 2 (6 bars missing; left as they are):');
    expect(r.out).toContain('  2022-12-13T01:40:00Z to 2022-12-13T01:45:00Z: 5 bar(s) missing');
    expect(r.out).toContain('  2022-12-13T11:40:00Z to 2022-12-13T11:41:00Z: 1 bar(s) missing');
    const text = readFileSync(out, 'utf8');
    expect(text.split('\n')[0]).toBe('time_utc,unix_ms,open,high,low,close,volume');
    expect(text.split('\n')[1]).toBe('2022-12-13T00:00:00Z,1670889600000,0.3067,0.3068,0.3066,0.3068,274004');
    const read = loadOhlcvCsv(out);
    expect(read.intervalMs).toBe(MINUTE);
    expect(read.bars.map(row)).toEqual(h.bars.ADAUSDT.map(row));
    expect(read.gaps.map((g) => [g.from, g.to, g.missingBars])).toEqual([[DAY + 99 * MINUTE, DAY + 105 * MINUTE, 5], [DAY + 699 * MINUTE, DAY + 701 * MINUTE, 1]]);
    expect(loadBarsCsv(out).map(row)).toEqual(h.bars.ADAUSDT.map(row));
    // Atomic: nothing but the file itself is left in the directory.
    expect(readdirSync(join(dir, 'out'))).toEqual(['bybit_ADAUSDT_perp_1m_2022-12-13.csv']);
  });

  it('X-BT-5 a longer timeframe is the venue\'s own bars, equal to the backtester\'s resampling of the 1-minute file; a rerun replaces the file', async () => {
    const out = join(dir, 'ada-5m.csv');
    writeFileSync(out, 'stale\n');
    const r = await cli(fetchArgs(out, ['--timeframe', '5m']));
    expect(r.code, r.err).toBe(0);
    // 01:40–01:44 were all taken out: that 5-minute bar does not exist either.
    expect(r.out).toContain('data fetch: 287 5m bars of ADAUSDT');
    expect(r.out).toContain('gaps: 1 (1 bars missing; left as they are):\n  2022-12-13T01:40:00Z to 2022-12-13T01:45:00Z: 1 bar(s) missing');
    expect(loadOhlcvCsv(out).bars.map(row)).toEqual(resample(h.bars.ADAUSDT, MINUTE, '5m').map(row));
  });

  it('X-BT-5 reports the data missing at the end of the range (BTCUSDT stops at 12:00) and a range the venue has nothing for', async () => {
    const out = join(dir, 'btc.csv');
    const r = await cli(fetchArgs(out, ['--symbol', 'BTCUSDT', '--from', '2022-12-12T23:00:00Z']));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('data fetch: 721 1m bars of BTCUSDT');
    expect(r.out).toContain('gaps: 2 (779 bars missing; left as they are):');
    expect(r.out).toContain('  2022-12-12T23:00:00Z to 2022-12-13T00:00:00Z: 60 bar(s) missing');
    expect(r.out).toContain('  2022-12-13T12:01:00Z to 2022-12-14T00:00:00Z: 719 bar(s) missing');
    expect(loadOhlcvCsv(out).bars.map(row)).toEqual(h.bars.BTCUSDT.map(row));

    const none = await cli(fetchArgs(join(dir, 'none.csv'), ['--from', '2021-01-01', '--to', '2021-01-02']));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/has no finished 1m bars of ADAUSDT from 2021-01-01T00:00:00Z to 2021-01-02T00:00:00Z.*nothing written/);
    expect(existsSync(join(dir, 'none.csv'))).toBe(false);
  });

  it('X-BT-5 leaves out the bar the venue has not finished', async () => {
    const live = await startHistoryFacade({ replayTo: DAY + 30 * MINUTE + 10_000 });
    try {
      const liveDir = mkdtempSync(join(tmpdir(), 'tw-data-fetch-live-'));
      const out = join(liveDir, 'btc.csv');
      const r = await cli(['fetch', '--config', writeConfig(liveDir, live.server.url), '--venue', 'hist', '--symbol', 'BTCUSDT', '--timeframe', '1m', '--from', '2022-12-13', '--to', '2022-12-14', '--out', out]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('data fetch: 30 1m bars of BTCUSDT');
      expect(r.out).toContain('left out: 1 bar(s) the venue had not finished yet');
      expect(r.out).toContain('gaps: none');
      expect(loadOhlcvCsv(out).bars.map(row)).toEqual(h.bars.BTCUSDT.slice(0, 30).map(row));
    } finally {
      await live.close();
    }
  });

  it('X-BT-5 refuses bad input with a readable line and exit 2, before any file is written', async () => {
    const out = join(dir, 'refused.csv');
    const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
      [[...fetchArgs(out), '--bogus'], /data: Unknown option '--bogus'/],
      [['fetch', '--config', config, '--venue'], /data: Option '--venue <value>' argument missing/],
      [['fetch', '--config', config, '--venue', 'hist'], /data fetch needs --symbol, --timeframe, --from, --to, --out/],
      [['pull', '--config', config], /expected the action `fetch`, got "pull"/],
      [fetchArgs(out, ['--venue', 'nope']), /--venue: the config has no venue account "nope" \(it has hist\)/],
      [fetchArgs(out, ['--timeframe', '7m']), /--timeframe "7m" is not supported; use one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 1d/],
      [fetchArgs(out, ['--from', '2022-12-14']), /--from 2022-12-14T00:00:00Z must be before --to 2022-12-14T00:00:00Z/],
      [fetchArgs(out, ['--from', 'yesterday']), /--from "yesterday" is not an ISO 8601 date/],
      [fetchArgs(out, ['--to', '2022-13-01']), /--to "2022-13-01" is not a valid date/],
      [fetchArgs(out, ['--symbol', 'ETHUSDT']), /refused: .*10001.*symbol invalid: ETHUSDT/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect([args.join(' '), r.code]).toEqual([args.join(' '), 2]);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    const inProcess = await cli(['fetch', '--config', writeConfig(mkdtempSync(join(tmpdir(), 'tw-data-fetch-inproc-')), ''), '--venue', 'hist', '--symbol', 'ADAUSDT', '--timeframe', '1m', '--from', '2022-12-13', '--to', '2022-12-14', '--out', out]);
    expect(inProcess.code).toBe(2);
    expect(inProcess.err).toMatch(/venues\.hist is the in-process simulator, which has no history outside a run/);
    expect(existsSync(out)).toBe(false);
  });

  it('X-BT-5 an unreachable venue is exit 4 with the reason', async () => {
    const port = await closedPort();
    const unreachable = writeConfig(mkdtempSync(join(tmpdir(), 'tw-data-fetch-down-')), `http://127.0.0.1:${port}`);
    const out = join(dir, 'down.csv');
    const r = await cli(['fetch', '--config', unreachable, '--venue', 'hist', '--symbol', 'ADAUSDT', '--timeframe', '1m', '--from', '2022-12-13', '--to', '2022-12-14', '--out', out]);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(new RegExp(`data fetch: Bybit v5 linear simulator at http://127.0.0.1:${port} is unavailable: bybit serverTime transport: .*ECONNREFUSED`));
    expect(existsSync(out)).toBe(false);
  });
});
