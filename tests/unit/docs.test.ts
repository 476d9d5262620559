import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('X-TST-12 operational docs', () => {
  it('the runbook has every required section', () => {
    const text = readFileSync('docs/operations.md', 'utf8');
    for (const h of ['Start', 'Stop', 'Kill switch', 'Restart and reconcile', 'Key rotation', 'Rollback', 'On-call notes']) {
      expect(text).toMatch(new RegExp(`^## ${h}$`, 'm'));
    }
  });

  it('the README keeps the quick-start contract and links every doc it names', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    expect(readFileSync('.ci/run', 'utf8')).toContain('npm ci && npm test');
    for (const m of readme.matchAll(/\]\(((?:docs|config)\/[^)#]+)\)/g)) expect(existsSync(m[1]!), m[1]).toBe(true);
  });
});
