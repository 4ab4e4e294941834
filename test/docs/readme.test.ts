import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationCommandOptionType } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, CONFIG_VARIABLES } from '../../src/config.js';
import { COMMANDS } from '../../src/cli/run.js';
import { SLASH_COMMANDS } from '../../src/adapters/discord/commands/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const ENV_EXAMPLE = readFileSync(join(ROOT, '.env.example'), 'utf8');
const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The rows of the README's configuration table: variable → default cell. */
function readConfigTable(): Map<string, string> {
  const section = README.split('## Configuration')[1]!.split('\n## ')[0]!;
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const match = /^\| `([A-Z_]+)` \| ([^|]+) \|/.exec(line);
    if (match) rows.set(match[1]!, match[2]!.trim());
  }
  return rows;
}

describe('README and configuration', () => {
  it('given the configuration table, then it names exactly the variables of the zod schema', () => {
    expect([...readConfigTable().keys()].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('given the configuration table, then its defaults are the schema defaults', () => {
    const table = readConfigTable();
    for (const [name, value] of Object.entries(CONFIG_DEFAULTS)) expect(table.get(name), name).toBe(`\`${value}\``);
  });

  it('given .env.example, then it lists every variable with a comment above it', () => {
    // A variable the image sets differently is commented out there: `docker run --env-file` would undo the image's value.
    for (const name of CONFIG_VARIABLES) expect(ENV_EXAMPLE, name).toMatch(new RegExp(`# .+\\n(# )?${name}=`));
  });

  it('given the Dockerfile, then its runtime ENV sets only configuration variables, and HEALTH_HOST as the README says', () => {
    const runtime = DOCKERFILE.split(/^FROM .* AS runtime$/m)[1]!;
    const env = new Map<string, string>();
    for (const block of runtime.matchAll(/^ENV ((?:.*\\\n)*.*)$/gm)) {
      for (const pair of block[1]!.replace(/\\\n/g, ' ').trim().split(/\s+/)) {
        const [name, value] = pair.split('=');
        env.set(name!, value!);
      }
    }
    for (const name of env.keys()) if (name !== 'NODE_ENV') expect(CONFIG_VARIABLES, name).toContain(name);
    expect(env.get('HEALTH_HOST')).toBe('0.0.0.0');
    expect(readConfigTable().get('HEALTH_HOST')).toBe(`\`${CONFIG_DEFAULTS.HEALTH_HOST}\``);
    expect(README).toMatch(/\| `HEALTH_HOST` \|[^\n]*the Docker image sets `0\.0\.0\.0`/);
  });

  it('given the CLI, then the README documents every command', () => {
    for (const command of COMMANDS) expect(README, command.name).toContain(`\`paperboy ${command.name}`);
  });

  it('given the slash commands, then the README documents every one, and every subcommand', () => {
    for (const { data: definition } of SLASH_COMMANDS) {
      expect(README, definition.name).toContain(`\`/${definition.name}`);
      for (const option of definition.options ?? [])
        if (option.type === ApplicationCommandOptionType.Subcommand)
          expect(README, `${definition.name} ${option.name}`).toContain(`\`/${definition.name} ${option.name}`);
    }
  });
});

describe('the dependency rule', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });

  it.each(['src/core', 'src/app'])('given %s, then nothing there imports discord.js, node:fs, node-cron, dotenv or the adapters', (dir) => {
    for (const file of files(join(ROOT, dir))) {
      const imports = [...readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const spec of imports)
        expect(spec, `${file} imports ${spec}`).not.toMatch(/^(discord\.js|node:fs|fs|node-cron|dotenv)(\/|$)|\/adapters\//);
    }
  });

  it('given src/, then only the system clock reads the current time', () => {
    const readers = files(join(ROOT, 'src')).filter((file) => /new Date\(\)/.test(readFileSync(file, 'utf8')));
    expect(readers.map((f) => f.slice(ROOT.length)).sort()).toEqual(['src/adapters/system-clock.ts']);
  });
});
