import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Redacted } from 'effect';
import { afterEach, describe, expect, it } from 'vitest';
import { SECRET_VARIABLES, findPlaintextSecrets, isSecretKeyName, loadSecrets } from '../../../src/config/secrets.ts';
import { clearSecretValues, scrubText } from '../../../src/kernel/redaction.ts';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });

afterEach(() => clearSecretValues());

describe('X-SEC-1 the secrets gateway', () => {
  it('is the only module under src/ and machines/ that reads process.env', () => {
    const offenders = [...walk('src'), ...walk('machines')].filter(
      (f) => f !== join('src', 'config', 'secrets.ts') && /process\s*\.\s*env|process\s*\[\s*['"]env['"]\s*\]/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('returns Redacted values that print as <redacted> and registers them with the log scrubber', () => {
    const secrets = loadSecrets({ TW_BYBIT_API_KEY: 'canary-key-123456', TW_BYBIT_API_SECRET: 'canary-secret-abcdef', OTHER: 'x' });
    const key = secrets.get('TW_BYBIT_API_KEY');
    expect(key).toBeDefined();
    expect(`${key as unknown as string}`).toBe('<redacted>');
    expect(JSON.stringify({ key })).not.toContain('canary-key');
    expect(Redacted.value(key!)).toBe('canary-key-123456');
    expect(secrets.present).toEqual(['TW_BYBIT_API_KEY', 'TW_BYBIT_API_SECRET']);
    expect(secrets.get('TW_TELEGRAM_BOT_TOKEN')).toBeUndefined();
    expect(scrubText('signed with canary-secret-abcdef ok')).toBe('signed with <redacted> ok');
    expect(() => secrets.get('NOT_A_SECRET')).toThrow(/unknown secret variable/);
  });

});

describe('X-SEC-2 repository hygiene', () => {
  it('.env.example documents every variable the gateway reads, and .gitignore covers .env files', () => {
    const example = readFileSync('.env.example', 'utf8');
    for (const v of SECRET_VARIABLES) {
      expect(example).toMatch(new RegExp(`^${v.name}=$`, 'm'));
      const idx = example.indexOf(`${v.name}=`);
      expect(example.slice(0, idx).trimEnd().split('\n').pop()).toMatch(/^#/);
    }
    const ignore = readFileSync('.gitignore', 'utf8').split('\n');
    expect(ignore).toContain('.env');
    expect(ignore).toContain('.env.*');
  });
});

describe('X-SEC-3 secret-shaped value detection', () => {
  it('flags secret-named keys with values, key-shaped strings anywhere, and nothing else', () => {
    expect(findPlaintextSecrets({ a: { token: 'x' } }).map((f) => f.path)).toEqual(['a.token']);
    expect(findPlaintextSecrets({ list: ['3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9'] }).map((f) => f.path)).toEqual(['list.0']);
    expect(findPlaintextSecrets({ telegram: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0' })).toHaveLength(1);
    expect(findPlaintextSecrets({ apiKey: '' , token: '${TW_CONTROL_TOKEN}', mode: 'PAPER', symbols: ['BTCUSDT'], n: 5 })).toEqual([]);
  });

  it('names secret keys in any spelling, and leaves ordinary config keys alone', () => {
    for (const k of ['secret_key', 'SECRET-KEY', 'passwd', 'pwd', 'access_key', 'accessKeyId', 'auth', 'Authorization', 'credentials', 'private', 'privateKey', 'apiSecret', 'api_key', 'botToken', 'passphrase']) {
      expect(isSecretKeyName(k), k).toBe(true);
    }
    for (const k of ['botId', 'symbols', 'file', 'simUrl', 'account', 'triggerSource', 'timeInForce', 'maxTradesPerCycle', 'faults', 'environment', 'authorName']) {
      expect(isSecretKeyName(k), k).toBe(false);
    }
  });

  it('flags every non-empty scalar below a secret-named key, numbers included, but not booleans or placeholders', () => {
    expect(findPlaintextSecrets({ credentials: { user: 'bob', pass: 'x' } }).map((f) => f.path)).toEqual(['credentials.user', 'credentials.pass']);
    expect(findPlaintextSecrets({ pwd: 123456 }).map((f) => f.path)).toEqual(['pwd']);
    expect(findPlaintextSecrets({ auth: false, token: '$TW_CONTROL_TOKEN', secret: null })).toEqual([]);
    expect(findPlaintextSecrets('hunter2', ['venues', 'apiSecret']).map((f) => f.path)).toEqual(['venues.apiSecret']);
  });

  it('flags secret-shaped keys without quoting them', () => {
    const key = ['AKIA', 'IOSFODNN7EXAMPLE'].join('');
    const found = findPlaintextSecrets({ notes: { [key]: 1 } });
    expect(found.map((f) => f.path)).toEqual(['notes.<key>']);
    expect(JSON.stringify(found)).not.toContain(key);
  });
});
