import { join } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layer rule lives in eslint.config.js (`npm run lint`); these rows check that it refuses what DESIGN.md forbids
// and lets through what the layers need.
const ROOT = new URL('../../', import.meta.url).pathname;
const CONFIG = join(ROOT, 'eslint.config.js');

let eslint: ESLint;
beforeAll(async () => {
  // A computed specifier: the config is plain JavaScript, outside what the TypeScript project checks.
  const { layerBoundaries } = (await import(CONFIG)) as { layerBoundaries: Linter.Config[] };
  eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerBoundaries],
  });
});

/** The messages of the layer rule for one import written in `file`. */
async function refusals(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import { x } from '${specifier}';\nexport { x };\n`, { filePath: join(ROOT, file) });
  return result!.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('the layer rule (eslint.config.js)', () => {
  it.each([
    ['src/core/probe.ts', 'node:fs'],
    ['src/core/probe.ts', 'node:fs/promises'],
    ['src/core/probe.ts', 'fs'],
    ['src/core/probe.ts', 'node:child_process'],
    ['src/core/probe.ts', 'discord.js'],
    ['src/core/probe.ts', 'node-cron'],
    ['src/core/probe.ts', 'dotenv'],
    ['src/core/probe.ts', 'pg'],
    ['src/core/probe.ts', 'better-sqlite3'],
    ['src/core/probe.ts', '../app/errors.js'],
    ['src/core/probe.ts', '../adapters/logger.js'],
    ['src/core/probe.ts', '../config.js'],
    ['src/core/search/probe.ts', '../../app/ports.js'],
    ['src/core/formats/probe.ts', '../../adapters/fs-corpus.js'],
    ['src/app/probe.ts', '../adapters/discord/client.js'],
    ['src/app/probe.ts', '../adapters/fs-state-store.js'],
    ['src/app/probe.ts', 'node:fs'],
    ['src/app/probe.ts', 'node:net'],
    ['src/app/probe.ts', 'discord.js'],
    ['src/app/probe.ts', 'pg'],
    ['src/app/probe.ts', 'better-sqlite3/lib/database.js'],
  ])('given %s importing %s, then lint refuses it', async (file, specifier) => {
    const messages = await refusals(file, specifier);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^no-restricted-imports: /);
  });

  it.each([
    ['src/core/probe.ts', './paper.js'],
    ['src/core/probe.ts', 'node:crypto'],
    ['src/core/probe.ts', 'zod'],
    ['src/core/probe.ts', 'minisearch'],
    ['src/core/search/probe.ts', '../paper.js'],
    ['src/core/formats/probe.ts', './index.js'],
    ['src/app/probe.ts', './ports.js'],
    ['src/app/probe.ts', '../core/state.js'],
    ['src/app/probe.ts', 'node:crypto'],
    ['src/adapters/probe.ts', 'node:fs'],
    ['src/adapters/probe.ts', 'discord.js'],
    ['src/adapters/probe.ts', '../app/ports.js'],
    ['src/main.ts', './adapters/logger.js'],
  ])('given %s importing %s, then lint lets it through', async (file, specifier) => {
    expect(await refusals(file, specifier)).toEqual([]);
  });

  it('given the project configuration, then the layer rule is on for src/core and src/app', async () => {
    const project = new ESLint({ cwd: ROOT });
    for (const file of ['src/core/paper.ts', 'src/core/search/index.ts', 'src/app/ports.ts']) {
      const config = await project.calculateConfigForFile(join(ROOT, file));
      expect(config?.rules?.['no-restricted-imports'], file).toEqual([2, expect.anything()]);
    }
  });
});
