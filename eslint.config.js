import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const timeGlobals = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'performance', 'Date'].map(
  (name) => ({ name, message: 'Read time from the injected Clock; only systemClock touches timers.' }),
);

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.turbo/**',
      '**/.test-results/**',
      '**/.artifacts/**',
      '**/.vitepress/cache/**',
      '**/.vitepress/dist/**',
      '.tools/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // A caller's signal.reason and fn's throwables pass through unchanged, Error or not.
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  {
    // Tests throw non-Errors on purpose, pass async stubs around and pick methods off objects.
    files: ['**/*.test.ts', '**/*.test-d.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The published packages run anywhere: no Node built-ins, and time only through a Clock.
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test-d.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'events', 'timers', 'timers/*', 'fs', 'path', 'crypto', 'util'], message: 'Packages run in browsers, Deno, Bun and workers too.' }] },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'require', ...timeGlobals],
    },
  },
  {
    files: ['packages/core/src/clock.ts', 'packages/core/src/manual-clock.ts'],
    rules: { 'no-restricted-globals': 'off' },
  },
);
