// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Libraries that touch the world (network, database, files, schedules, environment): adapters and entry points only.
const IO_PACKAGES = ['discord.js', 'node-cron', 'dotenv', 'pg', 'better-sqlite3', 'pino', 'pino-pretty', 'ws'];
// Node's built-in modules; node:crypto is pure computation (hashes, ids) and is the one the inner layers may use.
const NODE_BUILTINS = builtinModules.filter((name) => !name.startsWith('_') && name !== 'crypto');

/** The `no-restricted-imports` patterns of an inner layer; `outside` matches the relative imports that leave it. */
function layerImports(layer, outside, allowed) {
  return {
    paths: [
      ...NODE_BUILTINS.map((name) => ({ name, message: `${layer} does no I/O: ${allowed}` })),
      ...IO_PACKAGES.map((name) => ({ name, message: `${layer} does no I/O: ${allowed}` })),
    ],
    patterns: [
      { regex: '^node:(?!crypto$)', message: `${layer} does no I/O: ${allowed}` },
      { group: IO_PACKAGES.map((name) => `${name}/*`), message: `${layer} does no I/O: ${allowed}` },
      { regex: outside, message: `${layer} imports only ${allowed}` },
    ],
  };
}

const CORE = 'src/core is pure';
const CORE_ALLOWED = 'src/core and pure libraries (see DESIGN.md: main.ts → adapters → app → core)';
const APP = 'src/app (use cases) goes through ports';
const APP_ALLOWED = 'src/app, src/core and pure libraries; the world is reached through src/app/ports.ts';

/** The layer rule (DESIGN.md): core imports nothing outside core and no I/O; app imports no adapter and no I/O. */
export const layerBoundaries = defineConfig(
  {
    files: ['src/core/*.ts'],
    rules: { 'no-restricted-imports': ['error', layerImports(CORE, '^\\.\\./', CORE_ALLOWED)] },
  },
  {
    files: ['src/core/*/*.ts'],
    rules: { 'no-restricted-imports': ['error', layerImports(CORE, '^\\.\\./\\.\\./', CORE_ALLOWED)] },
  },
  {
    files: ['src/app/*.ts'],
    rules: { 'no-restricted-imports': ['error', layerImports(APP, '^\\.\\./(?!core/)', APP_ALLOWED)] },
  },
);

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'seeds/', 'test/fixtures/', '.soak/', '.bench/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    rules: {
      // With noUncheckedIndexedAccess, `!` marks an index just checked (a regex group, a bounded loop, a table row).
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Numbers in messages are the norm here (counts, ids, sizes); objects and nullish values are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `.catch((error) => logger.warn(...))`: a one-line arrow that logs is read as a statement, not as a value.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A leading underscore names what is dropped on purpose; so does a key left out by a rest (`{ source, ...p }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `async` without `await` is deliberate in port implementations: a throw becomes a rejection, as callers expect.
      '@typescript-eslint/require-await': 'off',
      // Controls in a regex are always written as escapes (\x00-\x1f) here, to strip them from untrusted text.
      'no-control-regex': 'off',
      // The state and notices are plain JSON records keyed by id (written to disk as they are): deleting a key is how an entry goes.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read what the bot wrote (JSON.parse of state files, log lines, Discord payloads) and check it with expect.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Same payloads: String() of an untyped JSON field is how a test reads it as text.
      '@typescript-eslint/no-base-to-string': 'off',
      // The fake servers end a request with `return send(...)`, the usual early exit of a Node request handler.
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Teardown guards what a failed setup left unset, and loops poll flags other tasks flip: TypeScript sees neither.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // An async listener in a test: vitest reports its rejection as an unhandled error, which fails the run.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  {
    files: ['test/support/fake-discord/**/*.ts'],
    // Discord counts lengths in code points, which is exactly what spreading a string (`[...name].length`) gives.
    rules: { '@typescript-eslint/no-misused-spread': 'off' },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  layerBoundaries,
  // Last: turns off the stylistic rules Prettier owns.
  prettier,
);
