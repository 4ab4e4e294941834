import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type StoreDump, storeDumpSchema } from '../../src/core/store-dump.js';
import { spawnBot } from '../support/bot-process.js';
import { readState } from '../support/read-state.js';
import { runCli } from '../support/run-cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/state/', import.meta.url));
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-state-cli-'));
  dirs.push(dir);
  return dir;
}

const withoutTime = (text: string) => text.replace(/"exportedAt": "[^"]+"/, '"exportedAt": "…"');

/** A data folder where the bot posted two console digests, then took one member's topics from an imported state file. */
async function populated(): Promise<string> {
  const dir = await tempDir();
  await copyFile(join(FIXTURES, 'release-158b29c-held-and-owed.json'), join(dir, 'state.json'));
  const env = { DATA_DIR: dir, CORPUS_DIR: 'seeds', DISCORD_CHANNEL_ID: '1500000000000000001', DISCORD_GUILD_ID: '900000000000000001' };
  for (let i = 0; i < 2; i += 1) expect((await runCli(['digest'], { env })).code).toBe(0);
  return dir;
}

describe('paperboy state export and import', () => {
  it('given a database, then export, import into an empty one and export again give the same document, sorted, with every record', async () => {
    const source = await populated();
    const first = await runCli(['state', 'export'], { env: { DATA_DIR: source } });
    expect(first.code).toBe(0);
    const dump = storeDumpSchema.parse(JSON.parse(first.stdout));
    expect(dump.feeds.map((f) => f.feed.id)).toEqual(['console', 'env']);
    expect(dump.feeds.find((f) => f.feed.id === 'env')!.progress).toMatchObject({
      unverified: expect.any(Object),
      waiting: expect.any(Object),
    });
    expect(dump.feeds.find((f) => f.feed.id === 'console')!.posted.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dump.subscriptions.map((s) => [s.guildId, s.userId])).toEqual(
      [...dump.subscriptions.map((s) => [s.guildId, s.userId])].sort((a, b) => a.join('/').localeCompare(b.join('/'))),
    );
    expect(dump).toEqual(await readState(source).then((s) => ({ ...s!, exportedAt: dump.exportedAt })));

    const file = join(await tempDir(), 'backup.json');
    await writeFile(file, first.stdout);
    const target = await tempDir();
    const imported = await runCli(['state', 'import', file], { env: { DATA_DIR: target } });
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(
      /^Imported 2 feeds \(console, env\), 9 posted papers and 4 subscribed members from .*backup\.json into .*paperboy\.sqlite\.\n$/,
    );
    const again = await runCli(['state', 'export'], { env: { DATA_DIR: target } });
    expect(withoutTime(again.stdout)).toBe(withoutTime(first.stdout));
  });

  it('given --feed, then only that feed is exported, with the members of its server', async () => {
    const source = await populated();
    const one = await runCli(['state', 'export', '--feed', 'console'], { env: { DATA_DIR: source } });
    const dump = JSON.parse(one.stdout) as StoreDump;
    expect(dump.feeds.map((f) => f.feed.id)).toEqual(['console']);
    expect(dump.subscriptions).toEqual([]);
    const none = await runCli(['state', 'export', '--feed', 'nope'], { env: { DATA_DIR: source } });
    expect(none).toMatchObject({ code: 1, stderr: 'paperboy state: there is no feed "nope" (feeds: console, env)\n' });
  });

  it('given a database that holds data, then import refuses without --replace and replaces everything with it', async () => {
    const source = await populated();
    const file = join(await tempDir(), 'one.json');
    expect((await runCli(['state', 'export', '--feed', 'console', '--out', file], { env: { DATA_DIR: source } })).code).toBe(0);
    const before = await readState(source);
    const refused = await runCli(['state', 'import', file], { env: { DATA_DIR: source } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds data .*nothing was imported.*--replace/);
    expect(await readState(source)).toEqual(before);
    const replaced = await runCli(['state', 'import', file, '--replace'], { env: { DATA_DIR: source } });
    expect(replaced.code).toBe(0);
    expect((await readState(source))!.feeds.map((f) => f.feed.id)).toEqual(['console']);
  });

  it('given an invalid or newer dump, then import lists what is wrong and changes nothing', async () => {
    const dir = await tempDir();
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        format: 'paperboy-state',
        version: 1,
        exportedAt: 'yesterday',
        meta: { commands: null, imported: null },
        feeds: [{}],
        subscriptions: [],
      }),
    );
    const bad = await runCli(['state', 'import', file], { env: { DATA_DIR: dir } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/is not a valid Paperboy state dump; nothing was imported:\n {2}- exportedAt: .*\n {2}- feeds\.0\.feed: /);
    await writeFile(file, JSON.stringify({ format: 'paperboy-state', version: 9 }));
    expect((await runCli(['state', 'import', file], { env: { DATA_DIR: dir } })).stderr).toMatch(
      /exported by a newer Paperboy \(dump version 9/,
    );
    await writeFile(file, '{"hello": "world"}');
    expect((await runCli(['state', 'import', file], { env: { DATA_DIR: dir } })).stderr).toMatch(
      /neither a Paperboy state dump .* nor a Paperboy state file/,
    );
    expect(await readState(dir)).toBeNull();
  });

  it('given a state file of a release before the database, then import converts it like the first start would', async () => {
    const dir = await tempDir();
    const result = await runCli(['state', 'import', join(FIXTURES, 'release-158b29c-crash-pending.json')], {
      env: { DATA_DIR: dir, DISCORD_CHANNEL_ID: '1500000000000000001' },
    });
    expect(result.code).toBe(0);
    const state = (await readState(dir))!;
    expect(state.feeds.find((f) => f.feed.id === 'env')!.progress.pending).not.toEqual({});
    expect(await readFile(join(FIXTURES, 'release-158b29c-crash-pending.json'), 'utf8')).toContain('"version": 3');
  });

  it('given the bot running, then export reads what it committed and import is refused', async () => {
    const dir = await tempDir();
    const env = { DATA_DIR: dir, CORPUS_DIR: 'seeds', DIGEST_CRON: '0 0 1 1 *' };
    const bot = spawnBot(env);
    try {
      await bot.waitFor(/digest posted: 3 posted/);
      const exported = await runCli(['state', 'export'], { env: { DATA_DIR: dir } });
      expect(exported.code).toBe(0);
      expect((JSON.parse(exported.stdout) as StoreDump).feeds[0]!.posted).toHaveLength(3);
      const file = join(dir, 'backup.json');
      await writeFile(file, exported.stdout);
      const refused = await runCli(['state', 'import', file, '--replace'], { env: { DATA_DIR: dir } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^paperboy state: another Paperboy process \(pid \d+ .*\) is using .*paperboy\.sqlite/);
    } finally {
      bot.kill('SIGTERM');
      await bot.exited;
    }
  });

  it('given no database, then export says where it looked; misuse exits 2', async () => {
    const dir = await tempDir();
    expect(await runCli(['state', 'export'], { env: { DATA_DIR: dir } })).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no database at .*paperboy\.sqlite/),
    });
    expect((await runCli(['state'], { env: { DATA_DIR: dir } })).code).toBe(2);
    expect((await runCli(['state', 'import'], { env: { DATA_DIR: dir } })).code).toBe(2);
    expect((await runCli(['state', 'export', 'x'], { env: { DATA_DIR: dir } })).code).toBe(2);
  });
});
