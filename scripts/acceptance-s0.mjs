#!/usr/bin/env node
/**
 * `npm run acceptance:s0` (S0-23): the six must-pass checks of profile S0, each run as the vitest tests whose titles
 * carry its requirement IDs, and a table of what held. It exits 0 only when all six hold. A check whose feature is not
 * built yet has no tests to run and is reported NOT BUILT — it never passes by having nothing to fail (a check whose
 * tests all ran and none passed fails too).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Each check: what it proves, the requirement IDs its tests carry in their titles, and where they live. */
const CHECKS = [
  { n: 1, name: 'ACK-gate compliance (REQUEST → ACK → NOTIFY, exactly once across a kill)', ids: ['X-ORD-2', 'X-NTF-2', 'X-NTF-5'], files: ['tests/notify/timeline.test.ts', 'tests/notify/restartExactlyOnce.test.ts', 'tests/notify/LifecycleNotifier.test.ts', 'tests/signals/s0Profile.test.ts'] },
  {
    n: 2, name: 'OEP integrity through pyramid, hedge and re-entry', ids: ['S0-8'],
    files: ['tests/runtime/hedge.test.ts', 'tests/machines/hedge.test.ts', 'tests/runtime/ladder.test.ts', 'tests/machines/ladder.test.ts', 'tests/runtime/stopManagement.test.ts', 'tests/signals/reentry.test.ts'],
  },
  {
    n: 3, name: 'operations and security: no secret leak, health gate, resync after a gap, idempotence after a kill, rate limits, reports in Stockholm time',
    ids: ['X-SEC-4', 'S0-20', 'X-WS-2', 'X-REC-1', 'X-RTY-5', 'S0-19'],
    files: ['tests/unit/kernel', 'tests/venues/bybit/golden.test.ts', 'tests/ops', 'tests/runtime/connection.test.ts', 'tests/runtime/connectionSequence.test.ts', 'tests/reconcile', 'tests/venues/sim/bybitFacadeAuth.test.ts', 'tests/venues/sim/faultsFacade.test.ts', 'tests/notify/schedule'],
  },
  { n: 4, name: 'ladder numbering equal in code and templates (Step 1 = entry … Step 8)', ids: ['S0-9'], files: ['tests/machines/ladder.test.ts', 'tests/runtime/ladder.test.ts', 'tests/notify/templates.test.ts', 'tests/signals/s0Profile.test.ts'] },
  { n: 5, name: 'template goldens incl. the trigger source', ids: ['S0-18', 'X-NTF-4'], files: ['tests/notify/templates.test.ts', 'tests/notify/s0Fields.test.ts', 'tests/signals/s0Profile.test.ts'] },
  { n: 6, name: 'secrets only through the gateway', ids: ['X-SEC-1', 'X-SEC-2'], files: ['tests/unit/config/secrets.test.ts', 'tests/notify/config.test.ts'] },
];

/** Terminal colour codes (ESC [ … m) in vitest's output. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// `--results <file>`: judge the checks from a finished run's JSON results (vitest's json reporter, as `npm test` writes
// them), so the six checks cost no second run; without it, each check runs its tests.
const resultsArg = process.argv.indexOf('--results');
const resultsFile = resultsArg === -1 ? undefined : process.argv[resultsArg + 1];
const recorded = resultsFile === undefined ? undefined : JSON.parse(readFileSync(resultsFile, 'utf8'));

/** Passed and failed counts of the recorded tests under `files` whose titles carry one of `ids`. */
const fromRecorded = (files, ids) => {
  const pattern = new RegExp(`(${ids.map(escape).join('|')})\\b`);
  let passed = 0;
  let failed = 0;
  for (const file of recorded.testResults ?? []) {
    const rel = relative(root, file.name).split('\\').join('/');
    if (!files.some((f) => rel === f || rel.startsWith(`${f}/`))) continue;
    for (const t of file.assertionResults ?? []) {
      if (!pattern.test(t.fullName ?? t.title ?? '')) continue;
      if (t.status === 'passed') passed += 1;
      else if (t.status === 'failed') failed += 1;
    }
  }
  return { passed, failed, ok: passed > 0 && failed === 0 };
};

const results = [];
for (const c of CHECKS) {
  if (c.missing !== undefined) {
    results.push({ ...c, status: 'NOT BUILT', detail: c.missing });
    continue;
  }
  const files = c.files.filter((f) => existsSync(join(root, f)));
  if (recorded !== undefined) {
    const { passed, failed, ok } = fromRecorded(files, c.ids);
    results.push({ ...c, status: ok ? 'PASS' : 'FAIL', detail: `${passed} passed, ${failed} failed (${c.ids.join(', ')}; from ${resultsFile})` });
    continue;
  }
  const pattern = `(${c.ids.map(escape).join('|')})\\b`;
  const r = spawnSync(bin('vitest'), ['run', '--project', 'suite', '--reporter', 'dot', '-t', pattern, ...files], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const out = `${r.stdout}\n${r.stderr}`.replace(ANSI, '');
  const passed = Number(/Tests\s+(?:\d+ failed \| )?(\d+) passed/.exec(out)?.[1] ?? 0);
  const failed = Number(/Tests\s+(\d+) failed/.exec(out)?.[1] ?? 0);
  const ok = r.status === 0 && passed > 0 && failed === 0;
  results.push({ ...c, status: ok ? 'PASS' : 'FAIL', detail: `${passed} passed, ${failed} failed (${c.ids.join(', ')})` });
  if (!ok) process.stderr.write(out.split('\n').slice(-60).join('\n'));
}
for (const r of results) process.stdout.write(`check ${r.n} ${r.status.padEnd(9)} ${r.name}: ${r.detail}\n`);
const held = results.filter((r) => r.status === 'PASS').length;
process.stdout.write(`acceptance:s0 ${held}/${results.length} checks hold\n`);
process.exit(held === results.length ? 0 : 1);
