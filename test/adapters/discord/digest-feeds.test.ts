import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionOutcome, InteractInput } from '../../support/fake-discord/index.js';
import { Perm } from '../../support/fake-discord/index.js';
import { type CommandHarness, startCommandHarness } from '../../support/command-harness.js';
import { makePapers } from '../../support/memory-ports.js';

// `/digest` over several servers, through the real discord.js client, router and commands against the fake Discord,
// with a memory FeedDesk: setup and its checks, the feed option, list, pause, resume, remove with its button, and
// the scope (an admin of one server never sees nor changes another server's feeds).

const A = {
  guild: '610000000000000001',
  papers: '610000000000000011',
  vision: '610000000000000012',
  locked: '610000000000000013',
  forum: '610000000000000014',
  voice: '610000000000000015',
};
const B = { guild: '620000000000000001', general: '620000000000000011' };
const MANAGE_GUILD = Perm.ManageGuild.toString();
const ADMIN_A = { id: '630000000000000001', username: 'admin-a' };
const ADMIN_B = { id: '630000000000000002', username: 'admin-b' };
const MEMBER = { id: '630000000000000003', username: 'member' };

let h: CommandHarness;
const contentOf = (outcome: InteractionOutcome) => String(outcome.data?.content ?? '');
/** The final text of an answer, deferred or not. */
const finalOf = async (outcome: InteractionOutcome) =>
  outcome.callbackType === 5 ? (await outcome.waitForFinal(10_000)).content : contentOf(outcome);

const digest = (
  subcommand: string,
  options: InteractInput['options'] = {},
  where: { guild?: string; channel?: string; user?: InteractInput['user'] } = {},
) =>
  h.server.interact({
    type: 'command',
    name: 'digest',
    subcommand,
    options,
    guildId: where.guild ?? A.guild,
    channelId: where.channel ?? (where.guild === B.guild ? B.general : A.papers),
    user: where.user ?? (where.guild === B.guild ? ADMIN_B : ADMIN_A),
    memberPermissions: MANAGE_GUILD,
  });
const inB = { guild: B.guild };

beforeAll(async () => {
  h = await startCommandHarness({
    papers: makePapers(12),
    guilds: [
      {
        id: A.guild,
        name: 'Lab A',
        channels: [
          { id: A.papers, name: 'papers' },
          { id: A.vision, name: 'vision' },
          {
            id: A.locked,
            name: 'locked',
            overwrites: [{ id: A.guild, type: 0, deny: (Perm.SendMessages | Perm.EmbedLinks).toString() }],
          },
          { id: A.forum, name: 'forum', type: 15 },
          { id: A.voice, name: 'lounge', type: 2 },
        ],
      },
      { id: B.guild, name: 'Lab B', channels: [{ id: B.general, name: 'general' }] },
    ],
  });
}, 30_000);
afterAll(async () => {
  await h.close();
});

describe('/digest setup', () => {
  it('given a channel, a time, a zone, a size, an order and topics, then the feed is created and the reply shows its settings, next run in its zone and a preview', async () => {
    const outcome = await digest('setup', {
      channel: A.papers,
      time: '08:30',
      timezone: 'europe/paris',
      size: 2,
      order: 'newest',
      topics: 'Paper, number',
    });
    expect(outcome.ephemeral).toBe(true);
    const content = await finalOf(outcome);
    expect(content.split('\n').slice(0, 5)).toEqual([
      'Created the feed.',
      `**Feed** \`feed-1\` in <#${A.papers}>`,
      // 07:00 UTC on Monday 22 June is 09:00 in Paris: 08:30 is past, so the next run is on Tuesday.
      '**Schedule:** every day at 08:30 (Europe/Paris) · **next run:** Tue 23 Jun 2026, 08:30 Europe/Paris',
      '**Size:** 2 papers per digest, in newest order',
      '**Topics:** paper, number',
    ]);
    expect(content).toMatch(/\*\*Next digest\*\* \(2 of them, 10 left after\):\n1\. Paper number \d+/);
    expect(h.desk.list(A.guild).map((v) => [v.feed.id, v.feed.channelId, v.feed.schedule])).toEqual([
      ['feed-1', A.papers, { cron: '30 8 * * *', timezone: 'Europe/Paris' }],
    ]);
  });

  it('given setup again on the same channel, then that feed changes (no second feed), and what was left out stays', async () => {
    const content = await finalOf(await digest('setup', { channel: A.papers, size: 3 }));
    expect(content).toMatch(/^Changed the feed\.\n\*\*Feed\*\* `feed-1`/);
    const [view] = h.desk.list(A.guild);
    expect([h.desk.list(A.guild).length, view!.feed.size, view!.feed.order, view!.feed.schedule.cron]).toEqual([
      1,
      3,
      'newest',
      '30 8 * * *',
    ]);
  });

  it.each([
    [{ time: '25:00' }, '`time`: "25:00" is not a time of day; use HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 08:30).'],
    [
      { timezone: 'Europe/Pariss' },
      '`timezone`: "Europe/Pariss" is not a time zone Paperboy knows. Did you mean **Europe/Paris**? Pick one of the suggestions as you type.',
    ],
    [{ size: 11 }, '`size`: 11 papers is not possible; a digest posts 1 to 10 papers.'],
    [{ exclude: '!!' }, '`exclude`: "!!": A topic needs letters or digits; punctuation alone matches no paper.'],
  ])('given %j, then a specific ephemeral error says what is wrong and nothing changes', async (bad, reason) => {
    const before = JSON.stringify(h.desk.list(A.guild));
    const outcome = await digest('setup', { channel: A.vision, ...bad });
    expect(outcome).toMatchObject({ callbackType: 4, ephemeral: true });
    expect(contentOf(outcome)).toBe(`Nothing was changed:\n• ${reason}`);
    expect(JSON.stringify(h.desk.list(A.guild))).toBe(before);
  });

  it('given a channel where the bot cannot send or embed, then the reply names exactly the missing permissions', async () => {
    const outcome = await digest('setup', { channel: A.locked });
    expect(contentOf(outcome)).toBe(
      `Paperboy cannot post digests in <#${A.locked}>: it lacks Send Messages and Embed Links there. Grant them to Paperboy in the channel's settings (Edit Channel → Permissions), then run \`/digest setup\` again.`,
    );
    expect(h.desk.inChannel(A.guild, A.locked)).toEqual([]);
  });

  it('given a voice channel (a payload the channel picker would not send), then it is refused as not a text channel', async () => {
    const outcome = await h.server.interactMutated(
      {
        type: 'command',
        name: 'digest',
        subcommand: 'setup',
        options: { channel: A.papers },
        guildId: A.guild,
        user: ADMIN_A,
        memberPermissions: MANAGE_GUILD,
      },
      (payload) => withChannelOption(payload, A.voice, A.guild, 2),
    );
    expect(contentOf(outcome)).toBe(`<#${A.voice}> is not a text channel: digests go to a text, announcement or forum channel.`);
  });
});

/** Points the `channel` option of a setup payload at another channel (as a forged or corrupted payload would). */
function withChannelOption(payload: Record<string, unknown>, channelId: string, guildId: string, type = 0): Record<string, unknown> {
  const data = payload.data as { options: Array<{ options: Array<{ name: string; value: unknown }> }>; resolved?: unknown };
  for (const option of data.options[0]!.options) if (option.name === 'channel') option.value = channelId;
  data.resolved = { channels: { [channelId]: { id: channelId, type, name: 'elsewhere', guild_id: guildId, permissions: MANAGE_GUILD } } };
  return payload;
}

describe('the feed option and the current channel', () => {
  it("given status in the feed's channel without `feed`, then it is that feed's", async () => {
    expect(contentOf(await digest('status'))).toMatch(
      new RegExp(
        `^\\*\\*Feed\\*\\* \`feed-1\` in <#${A.papers}> · every day at 08:30 \\(Europe/Paris\\)\\n\\*\\*Next run:\\*\\* Tue 23 Jun 2026, 08:30 Europe/Paris`,
      ),
    );
  });

  it('given a channel without a feed, then the error tells which `feed:` values exist', async () => {
    const outcome = await digest('status', {}, { channel: A.vision });
    expect(contentOf(outcome)).toBe(
      `This channel has no feed: pick one with the \`feed\` option (this server's feeds: \`feed-1\` in <#${A.papers}>), or run the command in its channel.`,
    );
  });

  it('given `feed` from another channel, then it acts on that feed: /digest now posts to its channel', async () => {
    const outcome = await digest('now', { feed: 'feed-1' }, { channel: A.vision });
    expect(await finalOf(outcome)).toMatch(/^Posted digest #1: 3 papers; 9 left\.$/);
    expect(h.server.postedPaperIds(A.papers)).toHaveLength(3);
    expect(h.server.messages(A.vision)).toEqual([]);
  });

  it("given autocomplete of `feed`, then it lists this server's feeds, with channel and schedule", async () => {
    const outcome = await h.server.interact({
      type: 'autocomplete',
      name: 'digest',
      subcommand: 'status',
      options: { feed: '' },
      focused: 'feed',
      guildId: A.guild,
      user: ADMIN_A,
      memberPermissions: MANAGE_GUILD,
    });
    expect(outcome.data!.choices).toEqual([{ name: 'feed-1 · #papers · every day at 08:30 (Europe/Paris)', value: 'feed-1' }]);
  });

  it('given autocomplete of `timezone`, then common zones come first', async () => {
    const outcome = await h.server.interact({
      type: 'autocomplete',
      name: 'digest',
      subcommand: 'setup',
      options: { channel: A.papers, timezone: 'par' },
      focused: 'timezone',
      guildId: A.guild,
      user: ADMIN_A,
      memberPermissions: MANAGE_GUILD,
    });
    expect((outcome.data!.choices as Array<{ value: string }>)[0]).toEqual({ name: 'Europe/Paris', value: 'Europe/Paris' });
  });
});

describe('/digest list, pause and resume', () => {
  it('given a second feed and a pause with a reason, then list shows both, the pause and why, and the posted count', async () => {
    await finalOf(await digest('setup', { channel: A.vision, time: '17:00', topics: 'vision' }));
    const paused = await digest('pause', { feed: 'feed-2', reason: 'holidays **until** <@&1> September' });
    expect(contentOf(paused)).toBe(
      `Paused the feed \`feed-2\` in <#${A.vision}>: nothing is posted until \`/digest resume\`, and its progress is kept.`,
    );
    const list = contentOf(await digest('list'));
    expect(list.split('\n')).toEqual([
      '2 feeds in this server:',
      `• \`feed-1\` in <#${A.papers}> · every day at 08:30 (Europe/Paris) · 3 papers, newest order · topics: paper, number · next: Tue 23 Jun 2026, 08:30 Europe/Paris · 3 posted`,
      `• \`feed-2\` in <#${A.vision}> · every day at 17:00 (UTC) · 3 papers, corpus order · topics: vision · ⏸ **paused:** holidays \\*\\*until\\*\\* \\<\u200B@&1\\> September (since Mon 22 Jun 2026, 07:00 UTC, by <@${ADMIN_A.id}>) · 0 posted`,
    ]);
    expect(paused.original?.pinged).toEqual({ everyone: false, users: [], roles: [] });
  });

  it('given resume, then the feed is scheduled again and the reply says when', async () => {
    expect(contentOf(await digest('resume', { feed: 'feed-2' }))).toBe(
      `Resumed the feed \`feed-2\` in <#${A.vision}> where it was: its next run is Mon 22 Jun 2026, 17:00 UTC.`,
    );
    expect(h.desk.get(A.guild, 'feed-2')!.feed.paused).toBeNull();
  });

  it('given setup with layout compact, then the feed records it, and setup, list and status show it; cards sets it back', async () => {
    const reply = await finalOf(await digest('setup', { channel: A.vision, layout: 'compact' }));
    expect(reply).toContain('**Layout:** compact (one list per digest, full cards for papers members subscribed to)');
    expect(h.desk.get(A.guild, 'feed-2')!.feed.options).toEqual({ layout: 'compact' });
    expect(contentOf(await digest('list')).split('\n')[2]).toMatch(
      /^• `feed-2` in <#\d+> · every day at 17:00 \(UTC\) · 3 papers, corpus order, compact layout · /,
    );
    expect(contentOf(await digest('status', { feed: 'feed-2' }))).toContain('\n**Layout:** compact (');
    await finalOf(await digest('setup', { channel: A.vision, layout: 'cards' }));
    expect(h.desk.get(A.guild, 'feed-2')!.feed.options).toEqual({ layout: 'cards' });
    expect(contentOf(await digest('list')).split('\n')[2]).not.toContain('compact');
  });
});

describe('scope: server B never sees nor changes server A', () => {
  it("given an admin of B, then list, status, now, preview, retry, pause, resume and remove of A's feed answer exactly like an unknown id, and A is unchanged", async () => {
    const before = JSON.stringify([h.desk.list(A.guild), h.server.messages(A.papers).length]);
    const callsBefore = h.desk.calls.length;
    expect(contentOf(await digest('list', {}, inB))).toBe(
      'This server has no digest yet: create one with `/digest setup channel:#a-channel`.',
    );
    for (const subcommand of ['status', 'now', 'preview', 'retry', 'pause', 'resume', 'remove']) {
      const theirs = contentOf(await digest(subcommand, { feed: 'feed-1' }, inB));
      const unknown = contentOf(await digest(subcommand, { feed: 'feed-9' }, inB));
      expect(theirs, subcommand).toBe('This server has no feed "feed-1". `/digest list` shows its feeds.');
      expect(unknown.replace('feed-9', 'feed-1'), subcommand).toBe(theirs);
    }
    expect(h.desk.calls.length).toBe(callsBefore);
    expect(JSON.stringify([h.desk.list(A.guild), h.server.messages(A.papers).length])).toBe(before);
  });

  it("given setup in B naming A's feed, then it is unknown; naming A's channel by id (a forged payload), then it is not a channel of this server", async () => {
    expect(contentOf(await digest('setup', { channel: B.general, feed: 'feed-1' }, inB))).toBe(
      'This server has no feed "feed-1". `/digest list` shows its feeds.',
    );
    const forged = await h.server.interactMutated(
      {
        type: 'command',
        name: 'digest',
        subcommand: 'setup',
        options: { channel: B.general, size: 1 },
        guildId: B.guild,
        user: ADMIN_B,
        memberPermissions: MANAGE_GUILD,
      },
      (payload) => withChannelOption(payload, A.papers, A.guild),
    );
    expect(contentOf(forged)).toBe('That channel is not a channel of this server: pick one from the list Discord shows.');
    expect(h.desk.get(A.guild, 'feed-1')!.feed.size).toBe(3);
    expect(h.desk.list(B.guild)).toEqual([]);
  });

  it("given an admin of B typing into `feed`, then none of A's feeds is suggested", async () => {
    const outcome = await h.server.interact({
      type: 'autocomplete',
      name: 'digest',
      subcommand: 'status',
      options: { feed: 'feed' },
      focused: 'feed',
      guildId: B.guild,
      user: ADMIN_B,
      memberPermissions: MANAGE_GUILD,
    });
    expect(outcome.data!.choices).toEqual([]);
  });

  it("given B's own setup, then B has its own feed, and A's list does not show it", async () => {
    expect(await finalOf(await digest('setup', { channel: B.general, time: '06:00', timezone: 'America/New_York' }, inB))).toMatch(
      /^Created the feed\.\n\*\*Feed\*\* `feed-3` in <#620000000000000011>/,
    );
    expect(contentOf(await digest('list', {}, inB))).toMatch(/^1 feed in this server:\n• `feed-3`/);
    expect(contentOf(await digest('list'))).not.toContain('feed-3');
    expect(contentOf(await digest('status', { feed: 'feed-3' }))).toBe('This server has no feed "feed-3". `/digest list` shows its feeds.');
  });
});

describe('members and strangers', () => {
  it('given a member without Manage Server granted the command by an override, then every subcommand is refused and autocomplete suggests nothing', async () => {
    const outcome = await h.server.interact({
      type: 'command',
      name: 'digest',
      subcommand: 'list',
      guildId: A.guild,
      channelId: A.papers,
      user: MEMBER,
      permissionOverride: true,
    });
    expect(contentOf(outcome)).toBe('Only members with the Manage Server permission can control the digest.');
    const typed = await h.server.interact({
      type: 'autocomplete',
      name: 'digest',
      subcommand: 'status',
      options: { feed: '' },
      focused: 'feed',
      guildId: A.guild,
      user: MEMBER,
      permissionOverride: true,
    });
    expect(typed.data!.choices).toEqual([]);
  });

  it('given /digest in a direct message, then it is refused with a clear message', async () => {
    const outcome = await h.server.interact({ type: 'command', name: 'digest', subcommand: 'list', guildId: null, user: ADMIN_A });
    expect(contentOf(outcome)).toBe("Paperboy's commands work inside a server, not in direct messages.");
  });

  it('given /subscribe in a server without a digest, then the topic is saved and the reply says an admin can set one up', async () => {
    const lonely = '640000000000000001';
    h.server.addGuild({ id: lonely, channels: [{ id: '640000000000000011', name: 'chat' }] });
    await new Promise((r) => setTimeout(r, 200));
    const outcome = await h.server.interact({
      type: 'command',
      name: 'subscribe',
      options: { topic: 'vision' },
      guildId: lonely,
      user: MEMBER,
    });
    expect(contentOf(outcome)).toMatch(
      /^Subscribed to \*\*vision\*\*.*\nThis server has no digest yet, so nothing is posted here for now: an admin can create one with `\/digest setup`\.$/,
    );
    expect(h.context.subscriptions.list(lonely, MEMBER.id).topics).toEqual(['vision']);
    const inA = await h.server.interact({
      type: 'command',
      name: 'subscribe',
      options: { topic: 'vision' },
      guildId: A.guild,
      user: MEMBER,
    });
    expect(contentOf(inA)).not.toContain('no digest yet');
  });
});

describe('/digest remove', () => {
  const ask = async (user = ADMIN_A) => {
    const outcome = await digest('remove', { feed: 'feed-2' }, { user });
    const ids = (outcome.data!.components as Array<{ components: Array<{ custom_id: string }> }>)[0]!.components.map((c) => c.custom_id);
    return { outcome, messageId: outcome.original!.id, remove: ids[0]!, keep: ids[1]! };
  };
  const click = (messageId: string, customId: string, memberPermissions = MANAGE_GUILD) =>
    h.server.interact({ type: 'button', messageId, customId, user: ADMIN_A, memberPermissions });

  it('given remove, then it asks first, ephemerally, with buttons carrying the feed id and a nonce', async () => {
    const { outcome, remove, keep } = await ask();
    expect(outcome.ephemeral).toBe(true);
    expect(contentOf(outcome)).toMatch(/^Remove the feed `feed-2` in <#610000000000000012> \(0 papers posted\)\?/);
    expect(remove).toMatch(/^digest:remove:feed-2:[0-9a-f]{16}$/);
    expect(keep).toMatch(/^digest:keep:feed-2:[0-9a-f]{16}$/);
  });

  it('given "Keep it", then nothing is removed and the question is closed', async () => {
    const { messageId, keep } = await ask();
    const outcome = await click(messageId, keep);
    expect(outcome.callbackType).toBe(7);
    expect(outcome.original!.content).toBe('Kept the feed `feed-2`: nothing was removed.');
    expect(outcome.original!.components).toEqual([]);
    expect(h.desk.get(A.guild, 'feed-2')).not.toBeNull();
  });

  it('given a click by an admin who lost Manage Server since, then nothing is removed', async () => {
    const { messageId, remove } = await ask();
    const outcome = await click(messageId, remove, '0');
    expect(outcome.original!.content).toBe('Only members with the Manage Server permission can remove a feed: nothing was removed.');
    expect(h.desk.get(A.guild, 'feed-2')).not.toBeNull();
  });

  it('given a click after five minutes, then the button says it expired and nothing is removed', async () => {
    const { messageId, remove } = await ask();
    h.clock.advance(5 * 60_000 + 1);
    const outcome = await click(messageId, remove);
    expect(outcome.original!.content).toBe('This button has expired: nothing was removed. Run `/digest remove` again.');
    expect(h.desk.get(A.guild, 'feed-2')).not.toBeNull();
  });

  it('given a button whose nonce is unknown (the bot restarted, or it was answered), then it says so', async () => {
    const { messageId, remove } = await ask();
    const stale = await h.server.interactMutated(
      { type: 'button', messageId, customId: remove, user: ADMIN_A, memberPermissions: MANAGE_GUILD },
      (payload) => {
        (payload.data as { custom_id: string }).custom_id = 'digest:remove:feed-2:0000000000000000';
        return payload;
      },
    );
    expect(stale.original!.content).toBe('This button has expired or was already used: nothing was changed. Run `/digest remove` again.');
    expect(h.desk.get(A.guild, 'feed-2')).not.toBeNull();
  });

  it('given "Remove" by the admin who asked, then the feed is removed and its question closed', async () => {
    const { messageId, remove } = await ask();
    const outcome = await click(messageId, remove);
    expect(outcome.original!.content).toBe('Removed the feed `feed-2`: it posts nothing more, and its history is deleted.');
    expect(h.desk.get(A.guild, 'feed-2')).toBeNull();
    expect(h.desk.calls.at(-1)).toBe(`remove ${A.guild} feed-2 by ${ADMIN_A.id}`);
  });
});
