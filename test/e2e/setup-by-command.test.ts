import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, describe, expect, it } from 'vitest';
import { type BotProcess, spawnBot } from '../support/bot-process.js';
import { type FakeDiscord, type InteractionOutcome, startFakeDiscord } from '../support/fake-discord/index.js';
import { readState } from '../support/read-state.js';

// Two servers that set up their digests from Discord itself: the real bot with no DISCORD_CHANNEL_ID at all.
const A = { guild: '410000000000000001', papers: '410000000000000011', admin: '410000000000000021', member: '410000000000000031' };
const B = { guild: '420000000000000001', papers: '420000000000000011', admin: '420000000000000021', member: '420000000000000031' };
const MANAGE_GUILD = PermissionFlagsBits.ManageGuild.toString();

const dirs: string[] = [];
let server: FakeDiscord | undefined;
let bot: BotProcess | undefined;
afterAll(async () => {
  bot?.kill('SIGKILL');
  await server?.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** What the member finally sees: the reply, or the edit of a deferred one. */
const contentOf = async (outcome: InteractionOutcome): Promise<string> =>
  outcome.callbackType === 5 ? ((await outcome.waitForFinal(15_000)).content ?? '') : String(outcome.data?.content ?? '');

describe('digests set up by slash command in two servers', () => {
  it('given /digest setup in each server, then each server lists only its feed, /digest now posts in its own channel, and members are notified in their own server only', async () => {
    server = await startFakeDiscord({
      rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } },
      guilds: [
        {
          id: A.guild,
          name: 'Guild A',
          channels: [{ id: A.papers, name: 'papers' }],
          members: [
            { userId: A.admin, username: 'ada' },
            { userId: A.member, username: 'alice' },
          ],
        },
        {
          id: B.guild,
          name: 'Guild B',
          channels: [{ id: B.papers, name: 'papers' }],
          members: [
            { userId: B.admin, username: 'bob' },
            { userId: B.member, username: 'bea' },
          ],
        },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 'paperboy-setup-'));
    dirs.push(dir);
    bot = spawnBot({ DISCORD_TOKEN: server.token, DISCORD_API_URL: server.apiUrl, DATA_DIR: dir, CORPUS_DIR: 'seeds', LOG_LEVEL: 'info' });
    await bot.waitFor(/registered \d+ slash commands \(global\)/, 30_000);
    const s = server;
    const ask = (
      guild: typeof A,
      user: string,
      subcommand: string,
      options: Record<string, string | number | boolean> = {},
      admin = true,
    ) =>
      s.interact({
        type: 'command',
        name: 'digest',
        subcommand,
        options,
        guildId: guild.guild,
        channelId: guild.papers,
        user: { id: user },
        ...(admin ? { memberPermissions: MANAGE_GUILD } : { permissionOverride: true }),
      });

    // Each admin sets up a digest in their own channel, with their own time zone and size.
    const setA = await ask(A, A.admin, 'setup', { channel: A.papers, time: '08:30', timezone: 'Europe/Paris', size: 3 });
    expect(await contentOf(setA)).toMatch(/Europe\/Paris/);
    const setB = await ask(B, B.admin, 'setup', { channel: B.papers, time: '18:00', timezone: 'America/New_York', size: 2 });
    expect(await contentOf(setB)).toMatch(/America\/New_York/);
    const feeds = (await readState(dir))!.feeds.map((f) => f.feed);
    expect(feeds.map((f) => [f.guildId, f.channelId, f.schedule.cron, f.schedule.timezone, f.size]).sort()).toEqual(
      [
        [A.guild, A.papers, '30 8 * * *', 'Europe/Paris', 3],
        [B.guild, B.papers, '0 18 * * *', 'America/New_York', 2],
      ].sort(),
    );
    const [feedA, feedB] = [A, B].map((g) => feeds.find((f) => f.guildId === g.guild)!.id);

    // Each server sees its own feed only.
    const listA = await contentOf(await ask(A, A.admin, 'list'));
    expect(listA).toContain(feedA);
    expect(listA).not.toContain(feedB!);
    expect(await contentOf(await ask(B, B.admin, 'status', { feed: feedA! }))).toMatch(/no feed/i);

    // Members subscribe in their own server, to the same topic.
    for (const [guild, member] of [
      [A, A.member],
      [B, B.member],
    ] as const)
      await s.interact({
        type: 'command',
        name: 'subscribe',
        options: { topic: 'language models' },
        guildId: guild.guild,
        user: { id: member },
      });

    // A digest now in each server: its own channel, its own size, its own members.
    expect(await contentOf(await ask(A, A.admin, 'now'))).toMatch(/Posted digest #1: 3 papers/);
    expect(await contentOf(await ask(B, B.admin, 'now'))).toMatch(/Posted digest #1: 2 papers/);
    expect(s.postedPaperIds(A.papers)).toHaveLength(3);
    expect(s.postedPaperIds(B.papers)).toHaveLength(2);
    const pinged = (channel: string) => new Set(s.messages(channel).flatMap((m) => m.pinged.users));
    expect(pinged(A.papers).has(B.member)).toBe(false);
    expect(pinged(B.papers).has(A.member)).toBe(false);

    // A plain member cannot drive the digest, even with the command granted to everyone.
    expect(await contentOf(await ask(A, A.member, 'now', {}, false))).toMatch(/Manage Server/);

    bot.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    bot = undefined;
  }, 120_000);
});
