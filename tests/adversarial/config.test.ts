/**
 * Adversarial config files (issue 10): ambiguous fractions, out-of-range and non-finite numbers, hostile YAML (alias
 * bombs, self-referencing anchors, huge strings and key counts, CR-only line endings, duplicate keys), secret-shaped
 * values the scan must catch before the schema, PAPER pointed at production, and configs that used to pass `check`
 * and then crash `run`. Every refusal is a typed error with a one-line message per problem, never a stack trace.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either, Schema } from 'effect';
import { beforeAll, describe, expect, it } from 'vitest';
import { preflightConfig } from '../../src/app/preflight.ts';
import { configKeyRanges, rangeOfKey } from '../../src/config/example.ts';
import { decodeConfig, loadConfigFile } from '../../src/config/load.ts';
import { CONFIG_YAML_LIMITS } from '../../src/config/parseConfigYaml.ts';
import { AppConfig, decodeDefaults } from '../../src/config/schema.ts';
import { findPlaintextSecrets } from '../../src/config/secrets.ts';
import { Decimal } from '../../src/domain/money.ts';
import { runCli, type CliRun } from '../support/runCli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tw-adv-config-'));
let n = 0;
const writeYaml = (text: string): string => {
  n += 1;
  const p = join(tmp, `c${String(n)}.yaml`);
  writeFileSync(p, text);
  return p;
};

/** Loads a config text and returns its failure, which must be a typed error. */
const failureOf = (text: string) => {
  const r = loadConfigFile(writeYaml(text));
  if (Either.isRight(r)) throw new Error(`expected a refusal of:\n${text.slice(0, 200)}`);
  return r.left;
};
const configErrorOf = (text: string) => {
  const e = failureOf(text);
  if (e._tag !== 'ConfigError') throw new Error(`expected a ConfigError, got ${e.message}`);
  return e;
};
const loaded = (text: string) => {
  const r = loadConfigFile(writeYaml(text));
  if (Either.isLeft(r)) throw new Error(r.left.message);
  return r.right.config;
};

/** Asserts a CLI run ended with the exit code and printed no stack trace. */
const expectClean = (r: CliRun, code: number): void => {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).not.toMatch(/^\s{4}at /m);
  expect(r.stderr).not.toMatch(/\b(TypeError|RangeError|ReferenceError)\b/);
};

beforeAll(() => {
  if (!existsSync('dist/main.js')) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
});

describe('X-SEC-9 C-16 fractions are unambiguous', () => {
  it.each([
    ['strategies:\n  breakout:\n    stopLossFraction: 1\n', 'strategies.breakout.stopLossFraction', '100 %', '1 %'],
    ['strategies:\n  breakout:\n    stopLossFraction: 2\n', 'strategies.breakout.stopLossFraction', '200 %', '2 %'],
    ['strategies:\n  breakout:\n    notionalFraction: 1\n', 'strategies.breakout.notionalFraction', '100 %', '1 %'],
    ['strategies:\n  breakout:\n    notionalFraction: 5\n', 'strategies.breakout.notionalFraction', '500 %', '5 %'],
    ['risk:\n  drawdown:\n    dailyLossLimitFraction: 2\n', 'risk.drawdown.dailyLossLimitFraction', '200 %', '2 %'],
    ['risk:\n  caps:\n    maxPositionFraction: 1.5\n', 'risk.caps.maxPositionFraction', '150 %', '1.5 %'],
    ['risk:\n  fees:\n    takerRate: 500\n', 'risk.fees.takerRate', '50000 %', '500 %'],
  ])('X-SEC-9 refuses the bare number in %j, showing both readings', (text, path, asFraction, asPercent) => {
    const e = configErrorOf(text);
    const issue = e.issues.find((i) => i.path === path);
    expect(issue?.message).toContain('ambiguous');
    expect(issue?.message).toContain(`as a fraction it is ${asFraction}`);
    expect(issue?.message).toContain(`as a percent it is ${asPercent}`);
    expect(e.message).not.toContain('config_pct_normalized');
  });

  it('X-SEC-9 loads "2%" and 0.02 as the same value, and "0.4%" as 0.004 exactly', () => {
    const a = loaded('strategies:\n  breakout:\n    stopLossFraction: "2%"\n');
    const b = loaded('strategies:\n  breakout:\n    stopLossFraction: 0.02\n');
    expect(a.strategies.breakout.stopLossFraction).toBe(0.02);
    expect(b.strategies.breakout.stopLossFraction).toBe(a.strategies.breakout.stopLossFraction);
    expect(loaded('strategies:\n  breakout:\n    stopLossFraction: 0.4%\n').strategies.breakout.stopLossFraction).toBe(0.004);
  });

  it('X-SEC-9 writes 100 % as "100%" where the field allows it, and each field keeps its own range', () => {
    expect(loaded('strategies:\n  breakout:\n    notionalFraction: "100%"\n').strategies.breakout.notionalFraction).toBe(1);
    for (const [text, path] of [
      ['strategies:\n  breakout:\n    stopLossFraction: "100%"\n', 'strategies.breakout.stopLossFraction'],
      ['strategies:\n  breakout:\n    stopLossFraction: 0.6\n', 'strategies.breakout.stopLossFraction'],
      ['strategies:\n  breakout:\n    stopLossFraction: 0\n', 'strategies.breakout.stopLossFraction'],
      ['strategies:\n  breakout:\n    notionalFraction: "150%"\n', 'strategies.breakout.notionalFraction'],
      ['decision:\n  jitterFraction: 0.75\n', 'decision.jitterFraction'],
      ['risk:\n  fees:\n    takerRate: "20%"\n', 'risk.fees.takerRate'],
      ['risk:\n  caps:\n    maxPositionFraction: -0.1\n', 'risk.caps.maxPositionFraction'],
      ['risk:\n  caps:\n    maxPositionFraction: "-5%"\n', 'risk.caps.maxPositionFraction'],
      ['risk:\n  caps:\n    maxPositionFraction: "0.05"\n', 'risk.caps.maxPositionFraction'],
    ] as const) {
      expect(configErrorOf(text).issues.map((i) => i.path), text).toContain(path);
    }
    expect(configErrorOf('strategies:\n  breakout:\n    stopLossFraction: 0.6\n').message).toMatch(/Expected a fraction in \(0, 0\.5\] \(above 0 % to 50 %\)/);
  });

  it('X-SEC-9 a fraction of 100 % encodes as "100%", so the encoded config decodes to the same config', () => {
    const config = loaded('risk:\n  caps:\n    maxTotalAtRiskFraction: "100%"\n');
    const encoded = Schema.encodeSync(AppConfig)(config);
    expect(encoded.risk?.caps?.maxTotalAtRiskFraction).toBe('100%');
    const again = decodeConfig('again', encoded);
    expect(Either.isRight(again) && again.right.config.risk.caps.maxTotalAtRiskFraction).toBe(1);
  });
});

describe('X-SEC-8 every number has a range, and NaN, Infinity and -0 never pass', () => {
  // A venue account's key (`venues.*.leverage`) is set on an otherwise valid account `main`, so only the value is judged.
  const setAt = (path: string, value: unknown): Record<string, unknown> => {
    if (path.startsWith('venues.*.')) return { venues: { main: { kind: 'bybit', symbols: ['BTCUSDT'], [path.slice('venues.*.'.length)]: value } } };
    return path.split('.').reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
  };

  it('X-SEC-8 documents a range for every numeric key of the schema', () => {
    const ranges = configKeyRanges();
    const numericLeaves = (value: unknown, prefix: string): string[] =>
      value instanceof Decimal || typeof value === 'number'
        ? [prefix]
        : value !== null && typeof value === 'object' && !Array.isArray(value)
          ? Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => numericLeaves(v, prefix === '' ? k : `${prefix}.${k}`))
          : [];
    const leaves = numericLeaves(decodeDefaults(AppConfig), '');
    expect(leaves.length).toBeGreaterThan(60);
    expect(leaves.filter((p) => rangeOfKey(ranges, p) === undefined)).toEqual([]);
  });

  it('X-SEC-8 the schema itself refuses NaN, Infinity, -Infinity and -0 at every numeric key', () => {
    const decode = Schema.decodeUnknownEither(AppConfig, { errors: 'all', onExcessProperty: 'error' });
    const keys = [...configKeyRanges().entries()].filter(([, r]) => !r.startsWith('each value')).map(([k]) => k);
    const accepted: string[] = [];
    for (const key of keys) {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0]) {
        if (Either.isRight(decode(setAt(key, bad)))) accepted.push(`${key}=${String(Object.is(bad, -0) ? '-0' : bad)}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  it.each([
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: -5\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: 0\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: 1000\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: .inf\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: 1e9999999999999999\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: "1e9999999999999999"\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: "-5"\n'],
    ['venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: "1000"\n'],
  ])('X-SEC-8 check refuses %j naming venues.main.leverage (exit 2)', async (text) => {
    const r = await runCli(['check', '--config', writeYaml(`mode: PAPER\n${text}`)]);
    expectClean(r, 2);
    expect(r.stderr).toContain('venues.main.leverage');
  });

  it('X-SEC-8 accepts leverage 1 to 100, as a string or a number', () => {
    expect(loaded('venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: "100"\n').venues['main']!.leverage.toString()).toBe('100');
    expect(loaded('venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    leverage: 1\n').venues['main']!.leverage.toString()).toBe('1');
  });

  it.each([['.nan'], ['.inf'], ['"1e9999999999999999"'], ['-.inf'], ['0'], ['"-100"'], ['"1000000000001"'], ['-0']])(
    'X-SEC-8 refuses startingBalance %s',
    (value) => {
      const e = configErrorOf(`sim:\n  startingBalance: ${value}\n`);
      expect(e.issues.map((i) => i.path)).toEqual(['sim.startingBalance']);
    },
  );

  it.each([
    ['sim:\n  speed: 0\n', 'sim.speed'],
    ['sim:\n  speed: 10001\n', 'sim.speed'],
    ['sim:\n  seed: 1.5\n', 'sim.seed'],
    ['sim:\n  seed: 9007199254740993\n', 'sim.seed'],
    ['sim:\n  seed: -0\n', 'sim.seed'],
    ['inspector:\n  port: 65536\n', 'inspector.port'],
    ['execution:\n  ackTimeoutMs: 0\n', 'execution.ackTimeoutMs'],
    ['execution:\n  ackTimeoutMs: 86400001\n', 'execution.ackTimeoutMs'],
    ['execution:\n  retryBaseMs: 6000\n  retryCapMs: 5000\n', 'execution'],
    ['decision:\n  cycleMs: .inf\n', 'decision.cycleMs'],
    ['supervisor:\n  quarantineWindowMs: 1e12\n', 'supervisor.quarantineWindowMs'],
    ['reconcile:\n  intervalMs: -1\n', 'reconcile.intervalMs'],
    ['strategies:\n  breakout:\n    lookbackBars: 0\n', 'strategies.breakout.lookbackBars'],
    ['risk:\n  regimes:\n    bull: 1000\n', 'risk.regimes.bull'],
    ['risk:\n  leverage:\n    swingLeverage: "500"\n', 'risk.leverage.swingLeverage'],
    ['risk:\n  capacity:\n    maxOpenPositions: 0\n', 'risk.capacity.maxOpenPositions'],
    ['risk:\n  clock:\n    blockAboveMs: 100\n    resumeAtOrBelowMs: 100\n', 'risk.clock'],
    ['risk:\n  capital:\n    allocationTable: { "1": [.nan] }\n', 'risk.capital.allocationTable.1.0'],
  ])('X-SEC-8 refuses %j naming %s', (text, path) => {
    expect(configErrorOf(text).issues.map((i) => i.path)).toContain(path);
  });
});

describe('X-SEC-8 hostile YAML ends in a typed ConfigError, never a stack trace', () => {
  const bomb = [
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array.from({ length: 9 }, () => `*${'abcdefghi'[i] ?? 'a'}`).join(',')}]`),
  ].join('\n');

  it('X-SEC-8 refuses an alias bomb ("billion laughs") by its expansion, before building it', () => {
    const e = configErrorOf(bomb);
    expect(e.message).toMatch(/expands to more than 100000 values|more than 100 aliases/);
  });

  it('X-SEC-8 refuses a self-referencing anchor and an alias without anchor', () => {
    expect(configErrorOf('symbols: &s [BTCUSDT, *s]\n').message).toContain('self-referencing anchor');
    expect(configErrorOf('a: &m\n  b: *m\n').message).toContain('self-referencing anchor');
    expect(configErrorOf('symbols: *nothing\n').message).toMatch(/alias \*nothing/);
  });

  it('X-SEC-8 accepts a small legitimate alias', () => {
    const c = loaded('venues:\n  main:\n    kind: bybit\n    symbols: &s [BTCUSDT]\nsim:\n  feeds: [{ symbol: BTCUSDT, file: data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv }]\nrisk:\n  disabledSymbols: *s\n');
    expect(c.risk.disabledSymbols).toEqual(['BTCUSDT']);
  });

  it('X-SEC-8 refuses a 10 MB string by the file size, and a 100 KB string by the string length', () => {
    const huge = configErrorOf(`botId: "${'x'.repeat(10 * 1024 * 1024)}"\n`);
    expect(huge.issues).toHaveLength(1);
    expect(huge.issues[0]?.path).toBe('(file)');
    expect(huge.issues[0]?.message).toMatch(/larger than 1048576 bytes/);
    const long = configErrorOf(`botId: "${'x'.repeat(100_000)}"\n`);
    expect(long.issues[0]?.path).toBe('botId');
    expect(long.issues[0]?.message).toMatch(/a string of 100000 characters/);
  });

  it('X-SEC-8 refuses 400,000 unknown keys, and 60,000 keys under the size limit by the key count', () => {
    const many = configErrorOf(Array.from({ length: 400_000 }, (_, i) => `k${String(i)}: 1`).join('\n'));
    expect(many.issues[0]?.path).toBe('(file)');
    const text = Array.from({ length: 60_000 }, (_, i) => `k${String(i)}: 1`).join('\n');
    expect(text.length).toBeLessThan(CONFIG_YAML_LIMITS.maxBytes);
    const e = configErrorOf(text);
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]?.message).toMatch(/more than 10000 keys/);
  });

  it('X-SEC-8 finds a duplicate among thousands of keys, naming both lines', () => {
    const keys = Array.from({ length: 5_000 }, (_, i) => `k${String(i)}: 1`);
    const e = configErrorOf(['mode: PAPER', ...keys, 'mode: LIVE'].join('\n'));
    expect(e.issues.find((i) => i.path === 'mode')?.message).toBe('duplicate key (first on line 1, again on line 5002); YAML keys must be unique');
    expect(e.issues.filter((i) => i.message.startsWith('unknown key'))).toHaveLength(5_000);
  });

  it('X-SEC-8 refuses duplicated keys at any depth', () => {
    const e = configErrorOf('risk:\n  caps:\n    maxPositionFraction: 0.05\n    maxPositionFraction: 0.5\n');
    expect(e.issues).toEqual([{ path: 'risk.caps.maxPositionFraction', message: 'duplicate key (first on line 3, again on line 4); YAML keys must be unique' }]);
  });

  it('X-SEC-8 refuses nesting deeper than 32 levels, in flow and block style', () => {
    expect(configErrorOf(`a: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`)._tag).toBe('ConfigError');
    expect(configErrorOf(`a: ${'['.repeat(40)}${']'.repeat(40)}\n`).message).toMatch(/nested deeper than 32 levels/);
    const block = Array.from({ length: 40 }, (_, i) => `${' '.repeat(i)}k${String(i)}:`).join('\n');
    expect(configErrorOf(block).message).toMatch(/nested deeper than 32 levels/);
  });

  it('X-SEC-8 reads CR-only and CRLF line endings like LF, not as an empty DRY_RUN config', () => {
    const lf = '# the demo\nmode: PAPER\nbotId: ab\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n';
    for (const text of [lf.replaceAll('\n', '\r'), lf.replaceAll('\n', '\r\n'), `\uFEFF${lf}`]) {
      const c = loaded(text);
      expect(c.mode).toBe('PAPER');
      expect(c.botId).toBe('ab');
      expect(c.venues['main']!.symbols).toEqual(['BTCUSDT']);
    }
  });

  it('X-SEC-8 refuses other unusable files with one readable line', () => {
    expect(configErrorOf('- a\n- b\n').message).toContain('a config is a mapping of keys');
    expect(configErrorOf('just a sentence\n').message).toContain('this file holds a string');
    expect(configErrorOf('mode: PAPER\n---\nmode: LIVE\n').message).toMatch(/multiple documents/);
    expect(configErrorOf('? [a, b]\n: 1\n').message).toMatch(/a key must be a plain word/);
    expect(configErrorOf('__proto__: { mode: LIVE }\n').message).toContain('__proto__');
    const bin = writeYaml('');
    writeFileSync(bin, Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    const r = loadConfigFile(bin);
    expect(Either.isLeft(r) && r.left.message).toMatch(/not UTF-8 text/);
    const dir = loadConfigFile(tmp);
    expect(Either.isLeft(dir) && dir.left.message).toMatch(/cannot read/);
  });

  it.each([
    ['an alias bomb', bomb],
    ['a self-referencing anchor', 'a: &x [1, *x]\n'],
    ['a 10 MB string', `botId: "${'x'.repeat(10 * 1024 * 1024)}"\n`],
    ['400,000 unknown keys', Array.from({ length: 400_000 }, (_, i) => `k${String(i)}: 1`).join('\n')],
    ['duplicated keys', 'mode: PAPER\nmode: PAPER\n'],
  ])('X-SEC-8 check refuses %s with exit 2 and a readable message', async (_name, text) => {
    const r = await runCli(['check', '--config', writeYaml(text)]);
    expectClean(r, 2);
    expect(r.stderr).toMatch(/^invalid config .*:\n {2}- /);
    for (const line of r.stderr.trimEnd().split('\n')) expect(line.length).toBeLessThan(400);
  });

  it('X-SEC-8 check reads /dev/zero as a config within the size limit instead of hanging', () => {
    const r = loadConfigFile('/dev/zero');
    expect(Either.isLeft(r) && r.left._tag).toBe('ConfigError');
  });
});

describe('X-SEC-3 secret-shaped values get exit 3 before the schema sees them', () => {
  // Fake values assembled at run time (the AWS ones are AWS's documented examples).
  const aws = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
  const cases: ReadonlyArray<readonly [string, string, string]> = [
    ['secret_key', 'venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    secret_key: hunter2hunter2\n', 'hunter2hunter2'],
    ['passwd', 'passwd: correct-horse\n', 'correct-horse'],
    ['pwd', 'inspector:\n  pwd: 123456\n', '123456'],
    ['access_key', 'access_key: abc123def456\n', 'abc123def456'],
    ['auth', 'auth: opensesame\n', 'opensesame'],
    ['credentials', 'credentials:\n  user: bob\n  pass: s3cr3t-pass\n', 's3cr3t-pass'],
    ['private', 'private: my-private-thing\n', 'my-private-thing'],
    ['an AWS access key id', `notes: ${aws}\n`, aws],
    ['an AWS session key id', `notes: ${['ASIA', 'Y34FZKBOKMUTVV7A'].join('')}\n`, 'Y34FZKBOKMUTVV7A'],
    ['an AWS secret key', `sim:\n  account: ${['wJalrXUtnFEMI', 'K7MDENG', 'bPxRfiCYEXAMPLEKEY'].join('/')}\n`, 'bPxRfiCYEXAMPLEKEY'],
    ['a JWT', `notes: ${['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'].join('.')}\n`, 'dozjgNryP4J3jVmNHl0w5N'],
    ['a Bearer value', 'notes: "Bearer abcdef0123456789"\n', 'abcdef0123456789'],
    ['a URL with credentials', 'venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    simUrl: "https://user:pa55word@127.0.0.1:18080"\n', 'pa55word'],
    ['a Slack token', `notes: ${['xoxb', '123456789012', 'abcdefABCDEF'].join('-')}\n`, 'abcdefABCDEF'],
    ['a GitHub token', `notes: ${['ghp', 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'].join('_')}\n`, 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789'],
    ['a secret under a duplicated key', 'apiSecret: abcdefABCDEF0123\napiSecret: ""\n', 'abcdefABCDEF0123'],
  ];

  it.each(cases)('X-SEC-3 check refuses %s with plaintext_secret_in_config (exit 3) without printing it', async (_name, text, value) => {
    const r = await runCli(['check', '--config', writeYaml(text)]);
    expectClean(r, 3);
    expect(r.stderr).toContain('plaintext_secret_in_config');
    expect(r.stderr).not.toContain(value);
  });

  it('X-SEC-3 flags nothing in the bundled configs, nor in ordinary symbols, paths, hosts and ids', () => {
    const bundled = ['config/default.yaml', 'config/paper-loopback.yaml', 'config/example.yaml', 'config/profiles/s0-bybit-signal.yaml', 'config/profiles/s1-explorer.yaml', 'config/profiles/s2-us-stock.yaml', 'config/profiles/s3-coinbase.yaml', 'config/profiles/s4-binance.yaml'];
    for (const f of bundled) {
      expect(readFileSync(f, 'utf8').length).toBeGreaterThan(0);
      const r = loadConfigFile(f);
      expect(Either.isRight(r), `${f}: ${Either.isLeft(r) ? r.left.message : ''}`).toBe(true);
    }
    expect(findPlaintextSecrets(Schema.encodeSync(AppConfig)(decodeDefaults(AppConfig)))).toEqual([]);
    const ordinary = {
      botId: 'tw',
      symbols: ['BTCUSDT', 'ADAUSDT', 'ETHUSDT', 'SOLUSDT'],
      file: 'data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv',
      long: 'data/Archive2022/BTCUSDTperpetualBars1m.csv',
      host: 'api-testnet.bybit.com',
      url: 'http://127.0.0.1:18080',
      ssh: 'ssh://git@github.com/owner/repo',
      commit: 'b2fccad69dfb5c1a0c0e1e8b2f6d1c4e9a7b3f21',
      zone: 'America/New_York',
      authorName: 'Ada',
      tokenBucketSize: 10,
      mode: 'PAPER',
    };
    expect(findPlaintextSecrets(ordinary)).toEqual([]);
  });
});

describe('X-MOD-7 PAPER and DRY_RUN reach only loopback or testnet', () => {
  it.each([
    ['mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    simUrl: https://api.bybit.com\n', 'venues.main.simUrl'],
    ['mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    simUrl: http://10.0.0.5:18080\n', 'venues.main.simUrl'],
    ['mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    simUrl: http://127.0.0.1:18080/v5\n', 'venues.main.simUrl'],
    ['mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    environment: mainnet\n', 'venues.main.environment'],
    ['mode: DRY_RUN\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    environment: mainnet\n', 'venues.main.environment'],
    ['mode: LIVE\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    environment: sim\n', 'venues.main.environment'],
  ])('X-MOD-7 check refuses %j naming %s (exit 2)', async (text, path) => {
    const r = await runCli(['check', '--config', writeYaml(text)]);
    expectClean(r, 2);
    expect(r.stderr).toContain(path);
  });

  it('X-MOD-7 accepts a loopback simUrl on 127.0.0.1, localhost or [::1]', () => {
    for (const url of ['http://127.0.0.1:18080', 'http://localhost:18080/', 'https://[::1]:443']) {
      expect(loaded(`venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\n    simUrl: "${url}"\n`).venues['main']!.simUrl).toBe(url);
    }
  });
});

describe('X-SEC-8 configs that passed check and crashed run are refused by both', () => {
  const readme = 'README.md';
  const headerOnly = join(tmp, 'header-only.csv');
  writeFileSync(headerOnly, 'time_utc,unix_ms,open,high,low,close,volume\n');
  const feeds = (file: string) => `mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\nsim:\n  feeds: [{ symbol: BTCUSDT, file: "${file}" }]\n`;
  const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
    ['a missing feed file', feeds(join(tmp, 'no-such-file.csv')), /sim\.feeds\.0\.file: no such file/],
    ['/dev/null as feed', feeds('/dev/null'), /sim\.feeds\.0\.file: \/dev\/null is not a regular file/],
    ['a README as feed', feeds(readme), /sim\.feeds\.0\.file: README\.md is not a bars CSV \(line 1: bad_header/],
    ['a header-only feed', feeds(headerOnly), /sim\.feeds\.0\.file: .* is not a bars CSV \(empty: no bars\)/],
    ['a symbol the simulator cannot list', 'mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [SPY]\nsim:\n  feeds: [{ symbol: SPY, file: data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv }]\n', /venues\.main\.symbols\.0: the Bybit v5 linear simulator cannot list SPY/],
    ['a symbol without a feed', 'mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT, ADAUSDT]\nsim:\n  feeds: [{ symbol: BTCUSDT, file: data/crypto-1m/bybit_BTCUSDT_perp_1m_2022-12-13.csv }]\n', /venues\.main\.symbols\.1: no sim\.feeds entry replays bars for ADAUSDT/],
  ];

  it.each(cases)('X-SEC-8 check refuses %s with exit 2 and a readable message', async (_name, text, message) => {
    const r = await runCli(['check', '--config', writeYaml(text)]);
    expectClean(r, 2);
    expect(r.stderr).toMatch(message);
  });

  it.each(cases)('X-SEC-8 run refuses %s with exit 2, the same message and no stack trace', async (_name, text, message) => {
    const r = await runCli(['run', '--config', writeYaml(text), '--data-dir', mkdtempSync(join(tmp, 'data-'))]);
    expectClean(r, 2);
    expect(r.stderr).toMatch(message);
  });

  it('X-SEC-8 preflight passes the bundled demo configs and skips runs that do not start the in-process simulator', () => {
    for (const f of ['config/default.yaml', 'config/paper-loopback.yaml']) {
      const r = loadConfigFile(f);
      expect(Either.isRight(r) && preflightConfig(r.right.config)).toEqual([]);
    }
    expect(preflightConfig(loaded('mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [XRPUSDT]\n    environment: testnet\n'))).toEqual([]);
    expect(preflightConfig(loaded('mode: PAPER\nvenues:\n  main:\n    kind: bybit\n    symbols: [XRPUSDT]\n    simUrl: http://127.0.0.1:18080\n'))).toEqual([]);
    expect(preflightConfig(loaded('mode: PAPER\nsim:\n  faults: "nonsense=1"\n')).map((i) => i.path)).toEqual(['sim.faults']);
    expect(preflightConfig(loaded('mode: PAPER\nsim:\n  clock: accelerated\n  speed: 0.29\n')).map((i) => i.path)).toEqual(['sim.speed']);
    expect(preflightConfig(loaded('mode: PAPER\nsim:\n  clock: accelerated\n  speed: 1.5\n'))).toEqual([]);
  });
});
