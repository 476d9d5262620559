import { defineConfig } from 'vitest/config';

// Two groups: the suite, then the drills. The drills SIGKILL real child processes at crash points inside wall-clock
// windows; sharing two cores with the rest of the suite makes them miss windows for no fault of the code under test,
// so they run after it, one file at a time.
const common = {
  environment: 'node',
  testTimeout: 60_000,
  hookTimeout: 60_000,
  pool: 'forks',
} as const;

export default defineConfig({
  test: {
    // The JSON results feed `npm run acceptance:s0 -- --results` at the end of `npm test` (S0-23) without a second run.
    reporters: process.env['CI'] === 'true' ? ['default', 'junit', 'json'] : ['default', 'json'],
    outputFile: { junit: 'artifacts/junit.xml', json: 'artifacts/test-results.json' },
    projects: [
      // Two workers: vitest's default in a run is one less than the cores, which on the 2-core CI machine ran the whole
      // suite in a single worker.
      { test: { ...common, name: 'suite', include: ['tests/**/*.test.ts'], exclude: ['tests/bench/**', 'tests/drills/**', 'node_modules/**'], maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { test: { ...common, name: 'drills', include: ['tests/drills/**/*.test.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts', 'machines/**/*.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'artifacts/coverage',
      thresholds: {
        'src/domain/**': { lines: 90 },
        'src/config/**': { lines: 90 },
      },
    },
  },
});
