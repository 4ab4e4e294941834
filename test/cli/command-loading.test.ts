import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/run.js';

const RUN = new URL('../../dist/cli/run.js', import.meta.url).href;

/** Runs `paperboy <argv>` through the built command line in a fresh process; says which heavy libraries it loaded. */
function librariesLoadedBy(argv: string[], env: Record<string, string>): { code: number; loaded: string[] } {
  const script = `
    import { createRequire } from 'node:module';
    const { runCli } = await import(${JSON.stringify(RUN)});
    const code = await runCli(${JSON.stringify(argv)}, { env: ${JSON.stringify(env)}, out: () => {}, err: () => {}, isTty: false, columns: 80 });
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const loaded = ['discord.js', 'better-sqlite3', 'pg'].filter((name) => cache.some((file) => file.includes('/node_modules/' + name + '/')));
    process.stdout.write(JSON.stringify({ code, loaded }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as {
    code: number;
    loaded: string[];
  };
}

describe('the commands, loaded on demand (src/cli/run.ts)', () => {
  it('given each listed command, then its module defines the command of that name, with its usage', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.usage).toMatch(new RegExp(`^Usage: paperboy ${entry.name}\\b`));
      expect(entry.summary.length).toBeGreaterThan(10);
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('given the Docker HEALTHCHECK (`paperboy health`, every 30 s), then it loads neither discord.js nor a database driver', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-health-load-'));
    try {
      const health = librariesLoadedBy(['health'], { DATA_DIR: dir });
      // No bot runs here: unhealthy, exit 1, but it had to read nothing heavy to say so.
      expect(health).toEqual({ code: 1, loaded: [] });
      // The check can fail: `start --help` loads the bot's modules, discord.js among them.
      expect(librariesLoadedBy(['start', '--help'], { DATA_DIR: dir }).loaded).toContain('discord.js');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
