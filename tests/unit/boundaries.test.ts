import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
const sources = [...walk('src'), ...walk('machines')];
const importsOf = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
const importers = (target: RegExp): string[] => sources.filter((f) => importsOf(f).some((i) => target.test(i)));

describe('X-RT-4 / X-RT-5 one gate, one execution path', () => {
  it('only the runtime (and composition roots) import the ExecutionEngine', () => {
    expect(importers(/execution\/ExecutionEngine\.ts$/).filter((f) => !f.startsWith('src/runtime/') && !f.startsWith('src/app/'))).toEqual([]);
  });

  it('strategies never import venues, execution, journal, risk or the runtime', () => {
    const bad = sources
      .filter((f) => f.startsWith('src/strategies/'))
      .flatMap((f) => importsOf(f).filter((i) => /\/(venues|execution|journal|risk|runtime|app|cli)\//.test(i)).map((i) => `${f} -> ${i}`));
    expect(bad).toEqual([]);
  });

  it('the ExecutionEngine accepts new orders only together with an ApprovedOrder (the RiskEngine is the only sizer and veto)', () => {
    const text = readFileSync('src/execution/ExecutionEngine.ts', 'utf8');
    expect(text).toMatch(/async submit\(approval: ApprovedOrder, request: OrderRequest/);
    expect(text).toMatch(/isApprovedOrder\(approval\)/);
    // Nothing outside the risk module constructs approvals: the only `mint(` lives in RiskEngine.ts.
    expect(sources.filter((f) => f !== join('src', 'risk', 'RiskEngine.ts') && /\bmint\(/.test(readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('X-RT-9 no rounding calls outside the rounding module (the simulator, being the venue, rounds as a venue does)', () => {
    const offenders = sources.filter(
      (f) => !f.endsWith(join('domain', 'rounding.ts')) && !f.startsWith(join('src', 'venues', 'sim')) && /\.(toDecimalPlaces|toDP|toNearest)\(/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('DESIGN §7 no wall-clock or Math.random reads in domain, runtime, risk, strategies, journal, market, execution or machines', () => {
    const scoped = sources.filter((f) => /^(src\/(domain|runtime|risk|strategies|journal|market|execution)|machines)\//.test(f));
    const offenders = scoped.filter((f) => /Date\.now\(\)|new Date\(\)|Math\.random\(\)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
