// Lint rules: type-aware typescript-eslint, no floating promises, no console outside src/cli, process.env only in
// the secrets gateway, wall-clock reads only in the kernel clock, and the layering table of DESIGN §2.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layer = (files, forbidden) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        // An entry is a pattern, or a pattern with its exceptions (`['**/venues/**', '!**/venues/accountSections.ts']`).
        patterns: forbidden.map((group) => ({ group: Array.isArray(group) ? group : [group], message: 'This import breaks the layering of DESIGN §2.' })),
        paths: [{ name: 'decimal.js', message: 'Import Decimal from src/domain/money.ts (the one configured instance).' }],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'artifacts/**', 'var/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'process.env is read only in src/config/secrets.ts (X-SEC-1).' },
      ],
    },
  },
  { files: ['scripts/**', '*.js', '*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['scripts/**', '*.js', '*.mjs'], languageOptions: { globals: { URL: 'readonly', console: 'readonly', process: 'readonly' } } },
  { files: ['scripts/**', 'src/cli/**', 'tests/bench/**'], rules: { 'no-console': 'off' } },
  // Tests may hand an environment to the child processes they spawn; src/ and machines/ may not read it (X-SEC-1).
  { files: ['src/config/secrets.ts', 'vitest.config.ts', 'scripts/**', 'tests/**'], rules: { 'no-restricted-syntax': 'off' } },
  {
    files: ['src/domain/**', 'src/strategies/**', 'src/risk/**', 'src/runtime/**', 'machines/**', 'src/execution/**', 'src/journal/**', 'src/market/**', 'src/ledger/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Read time from the injected Clock (DESIGN §7).' },
        { object: 'Math', property: 'random', message: 'Use the seeded Random from the runtime (determinism).' },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'decimal.js', message: 'Import Decimal from src/domain/money.ts (the one configured instance).' }] }] },
  },
  // Layering (DESIGN §2): imports point up the table.
  layer(['src/domain/**'], ['**/kernel/**', '**/config/**', '**/journal/**', '**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/server/**', '**/backtest/**', '**/machines/**']),
  layer(['src/kernel/**'], ['**/config/**', '**/journal/**', '**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['machines/**'], ['**/src/kernel/**', '**/src/config/**', '**/src/journal/**', '**/src/market/**', '**/src/strategies/**', '**/src/risk/**', '**/src/execution/**', '**/src/venues/**', '**/src/runtime/**', '**/src/app/**', '**/src/cli/**']),
  // The config layer reads the venue accounts' sections through the one union of the adapters' own schemas.
  layer(['src/config/**'], ['**/journal/**', '**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', ['**/venues/**', '!**/venues/accountSections.ts'], '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/portfolio/**'], ['**/config/**', '**/journal/**', '**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/journal/**'], ['**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/market/**'], ['**/journal/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/venues/bybit/**', '**/venues/sim/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/strategies/**'], ['**/journal/**', '**/risk/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**', '**/config/secrets*']),
  layer(['src/risk/**'], ['**/strategies/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/execution/**'], ['**/strategies/**', '**/venues/bybit/**', '**/venues/sim/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/venues/bybit/**'], ['**/venues/sim/**', '**/venues/binance/**', '**/venues/coinbase/**', '**/venues/alpaca/**', '**/journal/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  // Venue-neutral adapter parts (clock-offset gate, token bucket): no adapter, simulator or runtime knowledge.
  layer(['src/venues/shared/**'], ['**/venues/bybit/**', '**/venues/sim/**', '**/venues/binance/**', '**/venues/coinbase/**', '**/venues/alpaca/**', '**/journal/**', '**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/venues/sim/**'], ['**/venues/bybit/**', '**/journal/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/machines/**']),
  layer(['src/runtime/**'], ['**/app/**', '**/cli/**', '**/server/**', '**/backtest/**', '**/venues/bybit/**', '**/venues/sim/**']),
  // The operations surface (X-OBS-3, X-RT-4): the server and the dashboard read the status read model and call the
  // control service only (src/ops/types.ts); they never reach into the runtime, a venue or the journal, and have no
  // write path to the state files. The state-file publisher and `status` report read that same model.
  layer(['src/server/**'], ['**/runtime/**', '**/app/**', '**/cli/**', '**/execution/**', '**/venues/**', '**/journal/**', '**/risk/**', '**/strategies/**', '**/portfolio/**', '**/market/**', '**/machines/**', '**/backtest/**', '**/ops/stateFiles*']),
  // The backtest's pure parts (report, data, sweep spaces, validation); running backtests is composition (src/app).
  layer(['src/backtest/**'], ['**/app/**', '**/cli/**', '**/server/**']),
  layer(['src/ops/**'], ['**/runtime/**', '**/app/**', '**/cli/**', '**/server/**', '**/execution/**', '**/venues/**', '**/risk/**', '**/strategies/**', '**/machines/**', '**/backtest/**']),
  // The ledger exports read journals and run summaries only (DESIGN §2: domain, journal readers).
  layer(['src/ledger/**'], ['**/market/**', '**/strategies/**', '**/risk/**', '**/execution/**', '**/venues/**', '**/runtime/**', '**/app/**', '**/cli/**', '**/server/**', '**/backtest/**', '**/machines/**']),
  // The trade chart's state names stay in machines/: elsewhere the predicates of machines/trade/tradeQueries.ts answer
  // (X-RT-3); comparing a state name outside the chart is how chart knowledge leaked into the runtime before.
  {
    files: ['src/**/*.ts', 'tests/support/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'process.env is read only in src/config/secrets.ts (X-SEC-1).' },
        {
          selector: "BinaryExpression[operator=/^[!=]==$/] > Literal[value=/^(idle|submitting|querying|working|cancelling|opened|opened\\.(protecting|protected)|closing|flattening|closed|closed\\.cooldown)$/]",
          message: 'Trade-chart state names stay in machines/: ask a predicate of machines/trade/tradeQueries.ts.',
        },
        {
          selector: "CallExpression[callee.property.name='startsWith'] > Literal[value=/^(opened|closed|closing|working|idle)$/]",
          message: 'Trade-chart state names stay in machines/: ask a predicate of machines/trade/tradeQueries.ts.',
        },
      ],
    },
  },
  { files: ['src/config/secrets.ts'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['src/domain/money.ts'], rules: { 'no-restricted-imports': 'off' } },
);
