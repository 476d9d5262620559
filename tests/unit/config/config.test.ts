import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Either, Schema } from 'effect';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOCS } from '../../../src/config/docs.ts';
import { configKeyPaths, renderExampleConfig } from '../../../src/config/example.ts';
import { decodeConfig, loadConfigFile, sortedJson } from '../../../src/config/load.ts';
import { PercentFraction, DecimalFromString, fractionIn } from '../../../src/domain/schemas.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tw-config-'));
const writeYaml = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const issuesOf = (file: string) => {
  const r = loadConfigFile(file);
  if (Either.isRight(r)) throw new Error('expected a failure');
  return r.left;
};

describe('X-SEC-8 config decoding', () => {
  it('loads the demo config and every profile stub', () => {
    for (const f of ['config/default.yaml', 'config/example.yaml', 'config/profiles/s0-bybit-signal.yaml', 'config/profiles/s1-explorer.yaml', 'config/profiles/s2-us-stock.yaml', 'config/profiles/s3-coinbase.yaml', 'config/profiles/s4-binance.yaml']) {
      const r = loadConfigFile(f);
      expect(Either.isRight(r), `${f}: ${Either.isLeft(r) ? r.left.message : ''}`).toBe(true);
    }
    const demo = loadConfigFile('config/default.yaml');
    if (Either.isRight(demo)) {
      expect(demo.right.config.mode).toBe('PAPER');
      expect(demo.right.config.strategies.breakout.notionalFraction).toBeCloseTo(0.05, 12);
      expect(demo.right.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('rejects an unknown key and an out-of-range fraction, naming both key paths', () => {
    const e = issuesOf(writeYaml('bad.yaml', 'mode: PAPER\nfoo: 1\nrisk:\n  caps:\n    maxPositionFraction: 1.5\n'));
    expect(e._tag).toBe('ConfigError');
    const paths = e._tag === 'ConfigError' ? e.issues.map((i) => i.path) : [];
    expect(paths).toContain('foo');
    expect(paths).toContain('risk.caps.maxPositionFraction');
    expect(e.message).toContain(join(tmp, 'bad.yaml'));
    expect(e.message).toMatch(/risk\.caps\.maxPositionFraction: 1\.5 is ambiguous: as a fraction it is 150 %, as a percent it is 1\.5 %/);
  });

  it('reports every wrong type with expected and got', () => {
    const e = issuesOf(writeYaml('types.yaml', 'mode: FAST\nvenues:\n  main:\n    kind: bybit\n    symbols: [btc]\nexecution:\n  ackTimeoutMs: -1\nsim:\n  startingBalance: lots\n'));
    const text = e.message;
    expect(text).toMatch(/mode: Expected "DRY_RUN" \| "PAPER" \| "LIVE", actual "FAST"/);
    expect(text).toMatch(/venues\.main\.symbols\.0: Expected an upper-case Bybit symbol/);
    expect(text).toMatch(/execution\.ackTimeoutMs: /);
    expect(text).toMatch(/sim\.startingBalance: Expected a decimal in \(0, 1000000000000\], got "lots"/);
  });

  it('reports YAML syntax errors with their line and unreadable files', () => {
    expect(issuesOf(writeYaml('syntax.yaml', 'mode: PAPER\n  bad: [\n')).message).toMatch(/yaml line \d/);
    expect(issuesOf(join(tmp, 'missing.yaml')).message).toMatch(/cannot read/);
  });

  it('treats an empty file as all defaults (DRY_RUN)', () => {
    const r = loadConfigFile(writeYaml('empty.yaml', ''));
    expect(Either.isRight(r) && r.right.config.mode).toBe('DRY_RUN');
  });

  it('hashes equal configs equally regardless of key order, and different configs differently', () => {
    const a = decodeConfig('a', { mode: 'PAPER', botId: 'ab' });
    const b = decodeConfig('b', { botId: 'ab', mode: 'PAPER' });
    const c = decodeConfig('c', { botId: 'ac', mode: 'PAPER' });
    expect(Either.isRight(a) && Either.isRight(b) && Either.isRight(c)).toBe(true);
    if (Either.isRight(a) && Either.isRight(b) && Either.isRight(c)) {
      expect(a.right.hash).toBe(b.right.hash);
      expect(a.right.hash).not.toBe(c.right.hash);
    }
    expect(sortedJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });
});

describe('X-SEC-9 percent fields', () => {
  const decode = Schema.decodeUnknownEither(PercentFraction);
  const messageOf = (v: unknown, schema: typeof PercentFraction = PercentFraction): string => {
    const r = Schema.decodeUnknownEither(schema)(v);
    return Either.isLeft(r) ? r.left.message : '';
  };
  it('loads 0.05 and "5%" (with or without spaces) as 0.05, exactly', () => {
    for (const v of [0.05, '5%', ' 5 % ']) expect(decode(v), String(v)).toEqual(Either.right(0.05));
  });
  it('refuses 5, 2 and 500 as ambiguous, showing both readings, and normalises nothing', () => {
    for (const [v, fraction, percent] of [[5, '500 %', '5 %'], [2, '200 %', '2 %'], [500, '50000 %', '500 %']] as const) {
      expect(messageOf(v)).toContain(`${String(v)} is ambiguous: as a fraction it is ${fraction}, as a percent it is ${percent}`);
    }
    const r = decodeConfig('x', { strategies: { breakout: { notionalFraction: 5 } } });
    expect(Either.isLeft(r) && r.left.message).toMatch(/strategies\.breakout\.notionalFraction: 5 is ambiguous/);
  });
  it('refuses a bare 1 (100 % or 1 %?) and takes "100%" instead', () => {
    expect(messageOf(1)).toMatch(/1 is ambiguous: as a fraction it is 100 %, as a percent it is 1 %; write "1%" or 0\.01 for 1 %, or "100%" for 100 %/);
    expect(decode('100%')).toEqual(Either.right(1));
    expect(Schema.encodeSync(PercentFraction)(1)).toBe('100%');
  });
  it('rejects "150%", negative values, 1.5 (ambiguous), quoted bare numbers, -0, NaN, Infinity and junk', () => {
    for (const v of ['150%', -0.1, '-5%', 1.5, '0.05', -0, Number.NaN, 'five', Number.POSITIVE_INFINITY]) expect(Either.isLeft(decode(v)), String(v)).toBe(true);
  });
  it('keeps 0 as a fraction and encodes fractions below 1 as numbers', () => {
    expect(decode(0)).toEqual(Either.right(0));
    expect(Schema.encodeSync(PercentFraction)(0.25)).toBe(0.25);
  });
  it('applies a field\'s own range after the reading, and says which', () => {
    const stop = fractionIn({ min: 0, max: 0.5, minExclusive: true });
    expect(Schema.decodeUnknownEither(stop)('2%')).toEqual(Either.right(0.02));
    expect(messageOf(0.6, stop)).toMatch(/Expected a fraction in \(0, 0\.5\] \(above 0 % to 50 %\)/);
    expect(messageOf(0, stop)).toMatch(/Expected a fraction in \(0, 0\.5\]/);
    expect(messageOf(1, stop)).not.toContain('"100%" for 100 %');
  });
  it('decodes decimal strings exactly and encodes them back', () => {
    const d = Schema.decodeSync(DecimalFromString)('0.10');
    expect(d.toString()).toBe('0.1');
    expect(Schema.encodeSync(DecimalFromString)(d)).toBe('0.1');
  });
});

describe('X-SEC-3 secrets in plaintext config', () => {
  it('refuses a key-shaped value under a secret-named key with plaintext_secret_in_config', () => {
    const e = issuesOf(writeYaml('secret.yaml', 'venues:\n  main:\n    kind: bybit\n    symbols: [BTCUSDT]\n    apiSecret: abcdefABCDEF0123456789abcdefABCDEF01\n'));
    expect(e._tag).toBe('SafetyRefusal');
    expect(e.message).toContain('plaintext_secret_in_config');
    expect(e.message).toContain('venues.main.apiSecret');
    expect(e.message).not.toContain('abcdefABCDEF0123456789abcdefABCDEF01');
  });
  it('refuses a PEM private key anywhere', () => {
    const e = issuesOf(writeYaml('pem.yaml', 'botId: tw\nnotes: "-----BEGIN EC PRIVATE KEY-----\\nMHc\\n-----END EC PRIVATE KEY-----"\n'));
    expect(e._tag).toBe('SafetyRefusal');
  });
});

describe('X-SEC-10 generated example config', () => {
  it('config/example.yaml is exactly what the schema generates (run npm run config:example after a schema change)', () => {
    expect(readFileSync('config/example.yaml', 'utf8')).toBe(renderExampleConfig());
  });
  it('documents every schema key and documents nothing that is not a key', () => {
    const keys = configKeyPaths();
    expect(keys.filter((k) => CONFIG_DOCS[k] === undefined)).toEqual([]);
    expect(Object.keys(CONFIG_DOCS).filter((k) => !keys.includes(k))).toEqual([]);
  });
});
