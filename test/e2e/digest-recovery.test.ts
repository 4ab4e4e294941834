import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { readPaperIdFromFooter } from '../../src/core/format.js';
import { spawnBot, type BotProcess, discordEnv } from '../support/bot-process.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';
import { registeredAll } from '../support/commands.js';
import { readFeed, writeLegacyState } from '../support/read-state.js';

const MANAGE_GUILD = (1n << 5n).toString();
const ADMIN = { id: '200000000000000001', username: 'admin' };

let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paperboy-recovery-'));
});
afterEach(async () => {
  for (const bot of bots.splice(0)) bot.kill('SIGKILL');
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>): BotProcess {
  const bot = spawnBot(env);
  bots.push(bot);
  return bot;
}

async function stop(bot: BotProcess): Promise<void> {
  bot.kill('SIGTERM');
  expect(await bot.exited).toBe(0);
}

const cardsInChannel = () => server.postedPaperIds();

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function digestStatus(): Promise<string> {
  const outcome: InteractionOutcome = await server.interact({
    type: 'command',
    name: 'digest',
    subcommand: 'status',
    user: ADMIN,
    memberPermissions: MANAGE_GUILD,
  });
  return String(outcome.data?.content ?? '');
}

describe('exactly once when the channel history cannot be read', () => {
  it('given kill -9 between a post and its record, then Read Message History revoked and a restart: no duplicate, status and health say unverified; once granted, every paper exactly once', async () => {
    // The nonce window is over by the restart: only Paperboy's own records can prevent a second post.
    server = await startFakeDiscord({ nonceWindowMs: 0, rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
    const env = {
      ...discordEnv(server),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: 'seeds',
      DIGEST_CRON: '* * * * * *',
      DIGEST_SIZE: '5',
    };
    const { papers } = await loadCorpus('seeds');
    // Every create is performed at once but answered slowly: a kill lands between "posted" and "recorded".
    server.faults.holdAfterCommit({ method: 'POST', path: /^\/channels\/\d+\/messages$/ }, 1500);
    const first = start(env);
    let crashed = '';
    await waitUntil(async () => {
      const pending = Object.keys((await readFeed(dir))?.pending ?? {});
      crashed = pending.find((id) => cardsInChannel().includes(id)) ?? '';
      return crashed !== '';
    });
    first.kill('SIGKILL');
    await first.exited;
    server.faults.clearDelays();
    server.setChannelPermissions(server.channelId, { canReadHistory: false });
    const posted = cardsInChannel().length;

    const bot = start(env);
    await waitUntil(() => cardsInChannel().length >= posted + 4);
    expect(
      cardsInChannel().filter((id) => id === crashed),
      'the paper the crash left unrecorded was posted again',
    ).toHaveLength(1);
    await bot.waitFor(/1 paper may already be in the channel but cannot be checked: .*grant Paperboy Read Message History/);
    expect(await digestStatus()).toMatch(
      /\*\*Attention:\*\* 1 paper may already be in the channel but could not be checked, so it is held back \(never posted twice\).*Read Message History/,
    );
    await waitUntil(async () => /^degraded: /.test((await runCli(['health'], { env: { STATE_FILE: env.STATE_FILE } })).stdout));
    const health = await runCli(['health'], { env: { STATE_FILE: env.STATE_FILE } });
    expect(health.code).toBe(0);
    expect(health.stdout).toMatch(/^degraded: 1 paper may already be in the channel .*Read Message History/);

    server.setChannelPermissions(server.channelId, { canReadHistory: true });
    await bot.waitFor(/no unposted papers remain/, 60_000);
    await stop(bot);
    const ids = cardsInChannel();
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(papers.map((p) => p.id).sort());
    const dest = (await readFeed(dir))!;
    expect(Object.keys(dest.posted).sort()).toEqual([...ids].sort());
    expect(dest.unverified).toBeUndefined();
    expect(dest.posted[crashed]!.messageId).toBe(
      server
        .messages(server.channelId)
        .find((m) => readPaperIdFromFooter((m.embeds[0]?.footer as { text?: string } | undefined)?.text) === crashed)!.id,
    );
  }, 120_000);
});

describe('the corpus folder goes missing or empty', () => {
  it('given the corpus folder removed, then emptied, then restored, then health is degraded and /digest status says why, each time with the path', async () => {
    server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
    const corpus = join(dir, 'corpus');
    await mkdir(corpus);
    await cp('seeds', corpus, { recursive: true });
    const env = {
      ...discordEnv(server),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: corpus,
      DIGEST_CRON: '* * * * * *',
      DIGEST_SIZE: '2',
    };
    const bot = start(env);
    await waitUntil(() => cardsInChannel().length >= 2);
    const health = () => runCli(['health'], { env: { STATE_FILE: env.STATE_FILE } });

    await rename(corpus, `${corpus}.away`);
    await bot.waitFor(/no digest: corpus directory .*corpus does not exist/);
    await waitUntil(async () => /^degraded: /.test((await health()).stdout));
    const missing = await health();
    expect(missing.code).toBe(0);
    expect(missing.stdout).toContain(`degraded: no digest can be posted: corpus directory ${corpus} does not exist`);
    expect(await digestStatus()).toMatch(
      new RegExp(
        `\\*\\*Attention:\\*\\* no digest can be posted: corpus directory ${corpus.replace(/[-/\\^$*+?.()|[\]{}_]/g, '\\$&')} does not exist`,
      ),
    );
    expect(bot.stderr().match(/no digest: corpus directory/g)).toHaveLength(1);

    await mkdir(corpus);
    await bot.waitFor(/has no papers/);
    await waitUntil(async () => /has no papers/.test((await health()).stdout));
    expect((await health()).stdout).toMatch(/^degraded: the corpus at .*corpus has no papers, so the last digest posted nothing/);
    expect(await digestStatus()).toMatch(/\*\*Attention:\*\* the corpus at .*corpus has no papers/);

    await rm(corpus, { recursive: true });
    await rename(`${corpus}.away`, corpus);
    const before = cardsInChannel().length;
    await waitUntil(() => cardsInChannel().length >= before + 2);
    await waitUntil(async () => /^ok: /.test((await health()).stdout));
    expect(await digestStatus()).not.toMatch(/Attention/);
    await stop(bot);
    const ids = cardsInChannel();
    expect(new Set(ids).size).toBe(ids.length);
  }, 90_000);
});

describe('refused papers are queued again on request', () => {
  it('given papers refused by Discord and one an older version skipped as missing, then status tells them apart and /digest retry queues both again', async () => {
    server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
    const { papers } = await loadCorpus('seeds');
    const at = new Date().toISOString();
    await writeLegacyState(join(dir, 'state.json'), {
      [`channel:${server.channelId}`]: {
        failed: {
          [papers[0]!.id]: { reason: 'embeds.0.title: Must be 256 or fewer in length.', at, digest: 0 },
          // What versions before this fix recorded for a planned paper missing from the corpus.
          [papers[1]!.id]: { reason: 'removed from the corpus before it was posted', at, digest: 0 },
        },
      },
    });
    const bot = start({
      ...discordEnv(server),
      STATE_FILE: join(dir, 'state.json'),
      CORPUS_DIR: 'seeds',
      DIGEST_CRON: '0 0 1 1 *',
      DIGEST_CATCH_UP: 'false',
    });
    await bot.waitFor(registeredAll());
    expect(server.commands(server.guildId).find((c) => c.name === 'digest')!.options).toContainEqual(
      expect.objectContaining({ name: 'retry', type: 1 }),
    );

    const status = await digestStatus();
    expect(status).toMatch(/\*\*Refused by Discord:\*\* 1 \(see the logs for why; `\/digest retry` queues them again\)/);
    expect(status).toMatch(/\*\*Skipped as missing from the corpus by an older version:\*\* 1/);
    const retry = await server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'retry',
      user: ADMIN,
      memberPermissions: MANAGE_GUILD,
    });
    expect(retry.ephemeral).toBe(true);
    expect(String(retry.data?.content)).toMatch(/^Queued 2 refused papers again/);
    expect(await digestStatus()).not.toMatch(/Refused|Skipped/);
    const again = await server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'retry',
      user: ADMIN,
      memberPermissions: MANAGE_GUILD,
    });
    expect(String(again.data?.content)).toBe('No refused papers to retry: nothing changed.');

    const now = await server.interact({ type: 'command', name: 'digest', subcommand: 'now', user: ADMIN, memberPermissions: MANAGE_GUILD });
    expect((await now.waitForFinal(15_000)).content).toMatch(/^Posted digest #1: 3 papers/);
    expect(cardsInChannel()).toEqual(papers.slice(0, 3).map((p) => p.id));
    await stop(bot);
  }, 60_000);

  it('given `paperboy digest --retry`, then the refused papers of the destination are queued again, and misuse exits 2', async () => {
    const { papers } = await loadCorpus('seeds');
    const file = join(dir, 'state.json');
    await writeLegacyState(file, {
      console: { failed: { [papers[4]!.id]: { reason: 'refused', at: new Date().toISOString(), digest: 0 } } },
    });
    const env = { STATE_FILE: file, CORPUS_DIR: 'seeds' };
    const retried = await runCli(['digest', '--retry'], { env });
    expect(retried.code).toBe(0);
    expect(retried.stdout).toBe(`Queued 1 refused paper again for console: ${papers[4]!.id}. The next digests post them.\n`);
    expect((await readFeed(dir, 'console'))!.failed).toEqual({});
    expect((await runCli(['digest', '--retry'], { env })).stdout).toBe('No refused papers to retry for console: nothing changed.\n');
    const misuse = await runCli(['digest', '--retry', '--dry-run'], { env });
    expect(misuse.code).toBe(2);
  });
});
