// Builds dist/: dist/tradewarden.js (the bundled CLI, dependencies left in node_modules), dist/sweepWorker.js (the
// sweep's worker-thread entry, bundled the same way) and dist/main.js, a tiny
// entry that refuses Node < 22 with a clear message before anything native (better-sqlite3) is loaded.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let commit;
try {
  commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
} catch {
  commit = null;
}

mkdirSync('dist', { recursive: true });
await build({
  // The CLI, and the entry of the backtest sweep's worker threads (src/app/sweep/pool.ts loads it beside the CLI).
  entryPoints: { tradewarden: 'src/main.ts', sweepWorker: 'src/app/sweep/worker.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: 'linked',
  define: { __TW_BUILD__: JSON.stringify({ version: pkg.version, commit }) },
  logLevel: 'warning',
});

writeFileSync(
  'dist/main.js',
  `#!/usr/bin/env node
// tradewarden entry: checks the Node version before loading the runtime (better-sqlite3 13 crashes on Node < 22).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write('tradewarden needs Node.js >= 22.19 (found ' + process.version + ').\\n' +
    'Run it through npm (npm start, npm run demo), which uses the Node 24 installed in node_modules/.bin, or install Node 24 LTS.\\n');
  process.exit(2);
}
await import('./tradewarden.js');
`,
);
console.log(`built dist/main.js (tradewarden ${pkg.version}${commit ? ` ${commit}` : ''})`);
