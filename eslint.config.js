import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'wpt/upstream/**', '.cache/**', 'docs/api/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // WebIDL operations count their actual arguments while keeping the IDL's `length`, which rest parameters would change.
    files: ['src/api/**/*.ts'],
    rules: { 'prefer-rest-params': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', window: 'readonly', document: 'readonly', navigator: 'readonly',
        globalThis: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', performance: 'readonly',
        fetch: 'readonly', self: 'readonly', importScripts: 'readonly', __dirname: 'readonly', require: 'readonly',
        module: 'readonly', Buffer: 'readonly',
      },
    },
  },
  {
    files: ['examples/**/*.js'],
    languageOptions: {
      globals: {
        location: 'readonly', URLSearchParams: 'readonly', Image: 'readonly', OffscreenCanvas: 'readonly',
        FormData: 'readonly',
      },
    },
  },
  {
    files: ['examples/wasi-nn/*.mjs'],
    languageOptions: { globals: { WebAssembly: 'readonly' } },
  },
);
