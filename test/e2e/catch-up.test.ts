import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setNextDue } from '../../src/core/state.js';
import { discordEnv, spawnBot } from '../support/bot-process.js';
import { changeFeed, readFeed } from '../support/read-state.js';
import { startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-catchup-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A console-mode state with one digest printed and a scheduled run that fell due while the bot was down. */
async function prepareMissedRun(env: Record<string, string>): Promise<void> {
  const first = await runCli(['digest'], { env });
  expect(first.code).toBe(0);
  await changeFeed(dir, 'console', (s) => setNextDue(s, '2026-01-01T09:00:00.000Z'));
}

describe('catch-up at start', () => {
  it('given a run missed while the bot was down, then it runs once at start, then waits for the schedule', async () => {
    const env = { STATE_FILE: join(dir, 'state.json'), CORPUS_DIR: 'seeds', DIGEST_CRON: '0 0 1 1 *', DIGEST_TIMEZONE: 'Europe/Paris' };
    await prepareMissedRun(env);
    const bot = spawnBot(env);
    await bot.waitFor(/digest posted: 3 posted/);
    await bot.waitFor(/next digest: \w{3} 1 Jan 2027, 00:00 Europe\/Paris/);
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.stderr()).toMatch(/catching up the run due Thu 1 Jan 2026, 10:00 Europe\/Paris/);
    expect(bot.stdout().match(/Paperboy digest #/g)).toHaveLength(1);
    const console = (await readFeed(dir, 'console'))!;
    expect(Object.keys(console.posted)).toHaveLength(6);
    expect(console.nextDueAt).toBe('2026-12-31T23:00:00.000Z');
  });

  it('given a stop during a scheduled digest and downtime past the next run, then the next start resumes that digest, then catches the missed run up', async () => {
    const server = await startFakeDiscord();
    try {
      // Slow posts keep the scheduled digest under way when the stop comes.
      server.faults.delay({ method: 'POST', path: /\/messages$/ }, 1500);
      const env = {
        ...discordEnv(server, { guild: false }),
        STATE_FILE: join(dir, 'state.json'),
        CORPUS_DIR: 'seeds',
        DIGEST_CRON: '*/2 * * * * *',
      };
      const first = spawnBot(env);
      await first.waitFor(/running a digest \(scheduled\)/);
      first.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      const stopped = (await readFeed(dir))!;
      const interrupted = stopped.inFlight!;
      expect(interrupted).toMatchObject({ digest: 1 });
      // The stop kept the schedule's next time, after the interrupted digest began.
      expect(Date.parse(stopped.nextDueAt!)).toBeGreaterThan(Date.parse(interrupted.startedAt));

      while (Date.now() <= Date.parse(stopped.nextDueAt!)) await new Promise((r) => setTimeout(r, 100));
      server.faults.clearDelays();
      const second = spawnBot({ ...env, DIGEST_CRON: '0 0 1 1 *' });
      await second.waitFor(/digest posted: [\s\S]*digest posted: /);
      second.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      expect(second.stderr()).toMatch(
        /resuming digest #1, interrupted before it finished[\s\S]*catching up the run due .*, missed while the bot was down/,
      );
      const dest = (await readFeed(dir))!;
      expect(dest).toMatchObject({ digests: 2, inFlight: null });
      expect(Object.keys(dest.posted)).toHaveLength(6);
      expect(dest.nextDueAt).toBe('2027-01-01T00:00:00.000Z');
    } finally {
      await server.close();
    }
  });

  it('given DIGEST_CATCH_UP=false, then a missed run is not made up at start', async () => {
    const env = { STATE_FILE: join(dir, 'state.json'), CORPUS_DIR: 'seeds', DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' };
    await prepareMissedRun(env);
    const bot = spawnBot(env);
    await bot.waitFor(/next digest: /);
    await new Promise((r) => setTimeout(r, 1000));
    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.stdout()).not.toMatch(/Paperboy digest #/);
  });

  it('given a second bot on the same database, then it refuses to start and names the first', async () => {
    const env = { STATE_FILE: join(dir, 'state.json'), CORPUS_DIR: 'seeds', DIGEST_CRON: '0 0 1 1 *' };
    const first = spawnBot(env);
    await first.waitFor(/next digest: /);
    const second = await runCli(['start'], { env });
    first.kill('SIGTERM');
    await first.exited;
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another Paperboy process \(pid \d+ on host .*\) is using .*paperboy\.sqlite/);
  });

  it('given an invalid configuration, then start lists every problem and exits 2 without a stack trace', async () => {
    const result = await runCli(['start'], {
      env: {
        DIGEST_CRON: '0 9 * *',
        DIGEST_TIMEZONE: 'Mars/Olympus',
        DIGEST_SIZE: '0',
        DISCORD_TOKEN: 'abcdefgh.ijkl',
        DISCORD_CHANNEL_ID: 'general',
      },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the configuration has 4 problems/);
    expect(result.stderr).toMatch(/DIGEST_CRON "0 9 \* \*" has 4 fields/);
    expect(result.stderr).toMatch(/DIGEST_TIMEZONE "Mars\/Olympus" is not an IANA time zone/);
    expect(result.stderr).toMatch(/DIGEST_SIZE "0" must be a whole number/);
    expect(result.stderr).toMatch(/DISCORD_CHANNEL_ID "general" is not a Discord id/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('abcdefgh.ijkl');
  });

  it('given a corrupt state file to import, then start refuses with a clear message and leaves it untouched', async () => {
    const file = join(dir, 'state.json');
    await writeFile(file, '{"version": 1, "destinations": {');
    const result = await runCli(['start'], { env: { STATE_FILE: file, CORPUS_DIR: 'seeds' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/state file .*state\.json is corrupt: .*It was left untouched/);
    expect(await readFile(file, 'utf8')).toBe('{"version": 1, "destinations": {');
  });

  it('given a corrupt database, then start refuses with a clear message and leaves it untouched', async () => {
    const file = join(dir, 'paperboy.sqlite');
    await writeFile(file, 'SQLite format 3\u0000 but then nothing a database holds');
    const result = await runCli(['start'], { env: { DATA_DIR: dir, CORPUS_DIR: 'seeds' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the database .*paperboy\.sqlite is corrupt or not a database: .*It was left untouched/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await readFile(file, 'utf8')).toBe('SQLite format 3\u0000 but then nothing a database holds');
  });
});

describe('Discord unreachable at start', () => {
  it('given an API URL nothing listens on, then start exits 1 with one clear line and no stack trace', async () => {
    const result = await runCli(['start'], {
      env: {
        STATE_FILE: join(dir, 'state.json'),
        DISCORD_TOKEN: 'abcdefghij.klmnopqrstu',
        DISCORD_CHANNEL_ID: '12345678901234567',
        DISCORD_API_URL: 'http://127.0.0.1:9/api',
        LOG_LEVEL: 'error',
      },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^paperboy start: cannot reach Discord at http:\/\/127\.0\.0\.1:9\/api \(ECONNREFUSED\)/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
