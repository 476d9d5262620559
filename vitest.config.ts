import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/bench/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env['CI'] === 'true' ? ['default', 'junit'] : ['default'],
    outputFile: { junit: 'artifacts/junit.xml' },
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
