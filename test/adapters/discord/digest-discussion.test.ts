import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionOutcome, InteractInput } from '../../support/fake-discord/index.js';
import { Perm } from '../../support/fake-discord/index.js';
import { type CommandHarness, startCommandHarness } from '../../support/command-harness.js';
import { makePapers } from '../../support/memory-ports.js';

// `/digest setup` with the `threads` option and a forum channel (issue 15, discussion), through the real discord.js
// client, router and commands against the fake Discord: what is saved, and what setup and status say about threads.

const A = {
  guild: '660000000000000001',
  papers: '660000000000000011',
  nothreads: '660000000000000012',
  forum: '660000000000000013',
};
const MANAGE_GUILD = Perm.ManageGuild.toString();
const ADMIN = { id: '670000000000000001', username: 'admin' };

let h: CommandHarness;
const finalOf = async (outcome: InteractionOutcome) =>
  outcome.callbackType === 5 ? (await outcome.waitForFinal(10_000)).content : String(outcome.data?.content ?? '');
const digest = (subcommand: string, options: InteractInput['options'] = {}, channel = A.papers) =>
  h.server.interact({
    type: 'command',
    name: 'digest',
    subcommand,
    options,
    guildId: A.guild,
    channelId: channel,
    user: ADMIN,
    memberPermissions: MANAGE_GUILD,
  });

beforeAll(async () => {
  h = await startCommandHarness({
    papers: makePapers(4),
    guilds: [
      {
        id: A.guild,
        name: 'Lab',
        channels: [
          { id: A.papers, name: 'papers' },
          {
            id: A.nothreads,
            name: 'no-threads',
            overwrites: [{ id: A.guild, type: 0, deny: (Perm.CreatePublicThreads | Perm.SendMessagesInThreads).toString() }],
          },
          { id: A.forum, name: 'paper-forum', type: 15 },
        ],
      },
    ],
  });
}, 30_000);
afterAll(async () => {
  await h.close();
});

describe('/digest setup threads and forum channels', () => {
  it('given threads:on in a channel where the bot may start threads, then the option is saved and the reply says each paper gets a thread', async () => {
    const content = await finalOf(await digest('setup', { channel: A.papers, threads: 'on' }));
    expect(content).toContain("**Discussion:** a public thread on each paper's message, named after the paper; mentions go in the thread.");
    expect(h.desk.inChannel(A.guild, A.papers)[0]!.feed.options).toEqual({ threads: 'on' });
    // Left out, the option stays; off turns it off.
    await finalOf(await digest('setup', { channel: A.papers, size: 2 }));
    expect(h.desk.inChannel(A.guild, A.papers)[0]!.feed.options).toEqual({ threads: 'on' });
    const off = await finalOf(await digest('setup', { channel: A.papers, threads: 'off' }));
    expect(off).not.toContain('**Discussion:**');
    expect(h.desk.inChannel(A.guild, A.papers)[0]!.feed.options).toEqual({ threads: 'off' });
  });

  it('given threads:on where the bot lacks Create Public Threads and Send Messages in Threads, then the feed is saved, and setup and status say it posts without threads', async () => {
    const content = await finalOf(await digest('setup', { channel: A.nothreads, threads: 'on' }, A.nothreads));
    const warning = `**Discussion:** ⚠️ threads are on, but Paperboy lacks Create Public Threads and Send Messages in Threads in <#${A.nothreads}>: papers are posted without threads until they are granted (Edit Channel → Permissions).`;
    expect(content).toContain(warning);
    expect(h.desk.inChannel(A.guild, A.nothreads)[0]!.feed.options).toEqual({ threads: 'on' });
    expect(await finalOf(await digest('status', {}, A.nothreads))).toContain(warning);
  });

  it('given a stored threads option that is not on or off (a hand-edited database), then status says the feed posts without threads and how to fix it', async () => {
    const [view] = h.desk.inChannel(A.guild, A.papers);
    await h.context.store.saveFeed({ ...view!.feed, options: { threads: 'sometimes' } });
    expect(await finalOf(await digest('status'))).toContain(
      '**Discussion:** ⚠️ the feed\'s stored options are invalid ("threads" must be one of on, off), so it posts without threads; set them again with `/digest setup threads:`.',
    );
    await finalOf(await digest('setup', { channel: A.papers, threads: 'off' }));
  });

  it('given a forum channel, then the feed is created there and the reply says each paper is a post of the forum', async () => {
    const content = await finalOf(await digest('setup', { channel: A.forum }, A.papers));
    expect(content).toMatch(/^Created the feed\./);
    expect(content).toContain('**Discussion:** each paper is a post of the forum, tagged with its topics.');
    expect(h.desk.inChannel(A.guild, A.forum)).toHaveLength(1);
  });
});
