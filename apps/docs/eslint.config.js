// The workspace's rules, plus Vue's for the theme's components. Type-aware rules stay off in
// .vue files: vue-tsc type-checks them (pnpm typecheck).
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import workspace from '../../eslint.config.js';

export default tseslint.config(
  {
    // What VitePress writes while it builds or serves, which a lint running beside a build can
    // find half-written or already gone: its bundled config (config.ts.timestamp-*.mjs), its
    // temp and cache folders, both outputs and the generated API reference.
    ignores: [
      '**/*.timestamp-*.mjs',
      '.vitepress/.temp/**',
      '.vitepress/cache/**',
      '.vitepress/dist/**',
      '.vitepress/e2e-dist/**',
      '.vitepress/.build-lock/**',
      'pages/api/**',
    ],
  },
  ...workspace,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      // Prettier-style formatting is not this config's business.
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': ['error', { html: { void: 'always', normal: 'never', component: 'always' } }],
    },
  },
  {
    // The demos' logic runs in the browser.
    files: ['.vitepress/theme/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
