import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect } from 'vitest';
import { storeDumpSchema } from '../../src/core/store-dump.js';
import { databaseUrl, PASSWORD, startTestPostgres } from '../support/postgres.js';
import { runCli } from '../support/run-cli.js';
import { itUnless } from '../support/skip.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/state/', import.meta.url));
const { server, skip } = await startTestPostgres();
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  await server?.stop();
});
const it = itUnless(skip);

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-state-pg-'));
  dirs.push(dir);
  return dir;
}

const withoutTime = (text: string) => text.replace(/"exportedAt": "[^"]+"/, '"exportedAt": "…"');
const CONSOLE = { CORPUS_DIR: 'seeds', DISCORD_CHANNEL_ID: '1500000000000000001', DISCORD_GUILD_ID: '900000000000000001' };

describe('paperboy state export and import between SQLite and PostgreSQL', () => {
  it('given a SQLite deployment, then it moves to PostgreSQL and back with the same dump, byte for byte, and the bot runs on PostgreSQL meanwhile', async () => {
    // A SQLite deployment: an old state file imported, then two console digests.
    const sqlite = await tempDir();
    await copyFile(join(FIXTURES, 'release-158b29c-held-and-owed.json'), join(sqlite, 'state.json'));
    for (let i = 0; i < 2; i += 1) expect((await runCli(['digest'], { env: { DATA_DIR: sqlite, ...CONSOLE } })).code).toBe(0);
    const fromSqlite = await runCli(['state', 'export'], { env: { DATA_DIR: sqlite } });
    expect(fromSqlite.code).toBe(0);
    const file = join(await tempDir(), 'move.json');
    await writeFile(file, fromSqlite.stdout);

    // Into PostgreSQL.
    const url = await server!.createDatabase();
    const pgData = await tempDir();
    const pgEnv = { DATA_DIR: pgData, DATABASE_URL: url };
    const imported = await runCli(['state', 'import', file], { env: pgEnv });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toMatch(
      /^Imported 2 feeds \(console, env\), 9 posted papers and 4 subscribed members from .*move\.json into postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/t_\w+\.\n$/,
    );
    expect(imported.stdout).not.toContain(PASSWORD);
    const fromPg = await runCli(['state', 'export'], { env: pgEnv });
    expect(fromPg.code).toBe(0);
    expect(withoutTime(fromPg.stdout)).toBe(withoutTime(fromSqlite.stdout));
    expect((await runCli(['state', 'import', file], { env: pgEnv })).stderr).toMatch(/already holds data.*nothing was imported/);

    // The bot runs on it (no SQLite file appears), and the move back carries what it posted there.
    expect((await runCli(['digest'], { env: { ...pgEnv, ...CONSOLE } })).code).toBe(0);
    expect(await readdir(pgData)).not.toContain('paperboy.sqlite');
    const afterRun = await runCli(['state', 'export'], { env: pgEnv });
    const posted = (text: string) => storeDumpSchema.parse(JSON.parse(text)).feeds.find((f) => f.feed.id === 'console')!.posted.length;
    expect(posted(afterRun.stdout)).toBeGreaterThan(posted(fromSqlite.stdout));
    const back = join(await tempDir(), 'back.json');
    await writeFile(back, afterRun.stdout);

    // Back into SQLite.
    const sqliteAgain = await tempDir();
    expect((await runCli(['state', 'import', back], { env: { DATA_DIR: sqliteAgain } })).code).toBe(0);
    const fromSqliteAgain = await runCli(['state', 'export'], { env: { DATA_DIR: sqliteAgain } });
    expect(withoutTime(fromSqliteAgain.stdout)).toBe(withoutTime(afterRun.stdout));
  });

  it('given a DATABASE_URL whose database does not exist, then export and import fail with what to fix', async () => {
    const env = { DATA_DIR: await tempDir(), DATABASE_URL: databaseUrl(server!.url, 'missing_db') };
    const exported = await runCli(['state', 'export'], { env });
    expect(exported.code).toBe(1);
    expect(exported.stderr).toMatch(/database "missing_db" does not exist\. Create it/);
    expect(exported.stderr).not.toContain(PASSWORD);
    const bad = await runCli(['state', 'export'], { env: { DATABASE_URL: 'mysql://x' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
  });
});
